//! Which clinic a request is for, from its Host header.
//!
//! * `localhost`, `127.0.0.1` (any port): the network index of all clinics.
//! * `{slug}.localhost`: that clinic, with no DNS set-up.
//! * any host listed for a clinic: that clinic.
//! * anything else: not found — never another clinic's content.

use app::model::{ClinicInfo, ClinicLink, Site};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::entities::{clinic, clinic_host};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostKind {
    Network,
    DevSlug(String),
    Name(String),
}

/// Split "Host: Name.Example:3000" into a lower-case host and an optional port.
pub fn split_host(header: &str) -> (String, Option<u16>) {
    let h = header.trim().trim_end_matches('.');
    if let Some(rest) = h.strip_prefix('[') {
        // [::1]:3000
        let (addr, port) = rest.split_once(']').unwrap_or((rest, ""));
        return (addr.to_ascii_lowercase(), port.strip_prefix(':').and_then(|p| p.parse().ok()));
    }
    match h.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') => (name.to_ascii_lowercase(), port.parse().ok()),
        _ => (h.to_ascii_lowercase(), None),
    }
}

pub fn classify(host: &str) -> HostKind {
    if host.is_empty() || host == "localhost" || host.parse::<std::net::IpAddr>().is_ok() {
        return HostKind::Network;
    }
    if let Some(slug) = host.strip_suffix(".localhost")
        && crate::slugs::valid_slug(slug)
    {
        return HostKind::DevSlug(slug.to_string());
    }
    HostKind::Name(host.to_string())
}

fn info(c: clinic::Model, base_url: String, primary_url: String) -> ClinicInfo {
    ClinicInfo {
        primary_url,
        id: c.id,
        slug: c.slug,
        name: c.name,
        tagline: c.tagline,
        brand_color: c.brand_color,
        logo_size: match (c.logo_width, c.logo_height) {
            (Some(w), Some(h)) if w > 0 && h > 0 => Some((w as u32, h as u32)),
            _ => None,
        },
        logo_url: c.logo_url,
        disclaimer: c.disclaimer,
        base_url,
    }
}

/// The public address of a clinic's site, as seen from a request to
/// `origin` (`scheme://host[:port]`): on a development host (`localhost`,
/// `*.localhost`, an IP) `{slug}.localhost` with the same port, otherwise the
/// clinic's first listed host name.
pub async fn clinic_base_url<C: ConnectionTrait>(
    db: &C,
    clinic: &clinic::Model,
    origin: &str,
) -> Result<String, DbErr> {
    let (scheme, rest) = origin.split_once("://").unwrap_or(("http", origin));
    let (host, port) = split_host(rest);
    let port_suffix = port.map(|p| format!(":{p}")).unwrap_or_default();
    let dev = !matches!(classify(&host), HostKind::Name(_));
    if !dev {
        // The first listed host name that is a real one (a listed
        // `x.localhost` only works on the machine itself).
        let hosts = clinic_host::Entity::find()
            .filter(clinic_host::Column::ClinicId.eq(clinic.id))
            .order_by_asc(clinic_host::Column::Position)
            .order_by_asc(clinic_host::Column::Id)
            .all(db)
            .await?;
        if let Some(h) = hosts.iter().find(|h| matches!(classify(&h.host), HostKind::Name(_))) {
            return Ok(format!("{scheme}://{}", h.host));
        }
    }
    Ok(format!("{scheme}://{}.localhost{port_suffix}", clinic.slug))
}

/// What a Host header leads to.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    Site(Site),
    /// An archived clinic (its name): the site answers 410 Gone.
    Archived(String),
    /// No clinic answers to that host.
    Unknown,
}

/// Resolve a Host header.
pub async fn resolve<C: ConnectionTrait>(db: &C, host_header: &str, scheme: &str) -> Result<Resolved, DbErr> {
    Ok(match resolve_site(db, host_header, scheme).await? {
        None => Resolved::Unknown,
        Some(Err(name)) => Resolved::Archived(name),
        Some(Ok(site)) => Resolved::Site(site),
    })
}

/// `None`: unknown host; `Err(name)`: an archived clinic.
async fn resolve_site<C: ConnectionTrait>(
    db: &C,
    host_header: &str,
    scheme: &str,
) -> Result<Option<Result<Site, String>>, DbErr> {
    let (host, port) = split_host(host_header);
    let port_suffix = port.map(|p| format!(":{p}")).unwrap_or_default();
    let base_url = format!("{scheme}://{host}{port_suffix}");
    match classify(&host) {
        HostKind::Network => {
            let clinics = clinic::Entity::find()
                .filter(clinic::Column::ArchivedAt.is_null())
                .order_by_asc(clinic::Column::Name)
                .all(db)
                .await?;
            let links = clinics
                .into_iter()
                .map(|c| ClinicLink {
                    url: format!("{scheme}://{}.localhost{port_suffix}/", c.slug),
                    slug: c.slug,
                    name: c.name,
                    tagline: c.tagline,
                    brand_color: c.brand_color,
                })
                .collect();
            Ok(Some(Ok(Site::Network { clinics: links })))
        }
        HostKind::DevSlug(slug) => {
            let Some(c) = clinic::Entity::find().filter(clinic::Column::Slug.eq(slug)).one(db).await? else {
                return Ok(None);
            };
            // A development host: no query, `{slug}.localhost` with the port.
            if c.archived_at.is_some() {
                return Ok(Some(Err(c.name)));
            }
            let primary = clinic_base_url(db, &c, &base_url).await?;
            Ok(Some(Ok(Site::Clinic(info(c, base_url, primary)))))
        }
        HostKind::Name(name) => {
            let Some(h) = clinic_host::Entity::find().filter(clinic_host::Column::Host.eq(name)).one(db).await? else {
                return Ok(None);
            };
            let Some(c) = clinic::Entity::find_by_id(h.clinic_id).one(db).await? else { return Ok(None) };
            if c.archived_at.is_some() {
                return Ok(Some(Err(c.name)));
            }
            let primary = clinic_base_url(db, &c, &base_url).await?;
            Ok(Some(Ok(Site::Clinic(info(c, base_url, primary)))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_headers() {
        assert_eq!(split_host("PMC.localhost:3000"), ("pmc.localhost".into(), Some(3000)));
        assert_eq!(split_host("www.pmc.example"), ("www.pmc.example".into(), None));
        assert_eq!(split_host("www.pmc.example."), ("www.pmc.example".into(), None));
        assert_eq!(split_host("[::1]:3000"), ("::1".into(), Some(3000)));
        assert_eq!(split_host("127.0.0.1:80"), ("127.0.0.1".into(), Some(80)));
    }

    #[test]
    fn classification() {
        assert_eq!(classify("localhost"), HostKind::Network);
        assert_eq!(classify("127.0.0.1"), HostKind::Network);
        assert_eq!(classify("::1"), HostKind::Network);
        assert_eq!(classify("pmc.localhost"), HostKind::DevSlug("pmc".into()));
        assert_eq!(classify("bad_slug.localhost"), HostKind::Name("bad_slug.localhost".into()));
        assert_eq!(classify("www.pmc.example"), HostKind::Name("www.pmc.example".into()));
    }
}

/// The sites this process resolved last, by Host header and scheme, so that
/// a lead form sent while the database is down can still be answered with
/// the clinic's "not sent, please call" page and the visitor's text — never
/// a bare error. Only used when resolving fails; bounded, so a flood of
/// made-up host names cannot grow it without limit.
#[derive(Debug, Default)]
pub struct RememberedSites {
    sites: std::sync::RwLock<std::collections::HashMap<(String, String), Site>>,
}

impl RememberedSites {
    /// At most this many hosts are remembered; past it the memory starts afresh.
    pub const LIMIT: usize = 1024;

    pub fn remember(&self, host_header: &str, scheme: &str, site: &Site) {
        // Most requests find it unchanged: a read lock, no write.
        if self.recall(host_header, scheme).as_ref() == Some(site) {
            return;
        }
        if let Ok(mut m) = self.sites.write() {
            let key = (split_host(host_header).0, scheme.to_string());
            if m.len() >= Self::LIMIT && !m.contains_key(&key) {
                m.clear();
            }
            m.insert(key, site.clone());
        }
    }

    /// Remember `site` unless something is remembered for that host
    /// already (learnt from a request, so with its port in the links).
    pub fn remember_if_absent(&self, host_header: &str, scheme: &str, site: &Site) {
        if self.recall(host_header, scheme).is_none() {
            self.remember(host_header, scheme, site);
        }
    }

    pub fn recall(&self, host_header: &str, scheme: &str) -> Option<Site> {
        let key = (split_host(host_header).0, scheme.to_string());
        self.sites.read().ok().and_then(|m| m.get(&key).cloned())
    }
}

#[cfg(test)]
mod remembered_tests {
    use super::*;

    fn clinic(id: i32) -> Site {
        Site::Clinic(ClinicInfo {
            id,
            slug: format!("c{id}"),
            name: format!("Clinic {id}"),
            tagline: None,
            brand_color: "#1f5f8b".into(),
            logo_url: None,
            logo_size: None,
            disclaimer: None,
            base_url: String::new(),
            primary_url: String::new(),
        })
    }

    #[test]
    fn sites_are_recalled_by_host_and_scheme_only() {
        let m = RememberedSites::default();
        m.remember("PMC.localhost:3000", "http", &clinic(1));
        assert_eq!(m.recall("pmc.localhost:3000", "http"), Some(clinic(1)));
        assert_eq!(m.recall("pmc.localhost", "http"), Some(clinic(1)), "the port does not change the clinic");
        assert_eq!(m.recall("pmc.localhost:3000", "https"), None);
        assert_eq!(m.recall("other.localhost:3000", "http"), None);
    }

    #[test]
    fn the_memory_is_bounded() {
        let m = RememberedSites::default();
        for i in 0..RememberedSites::LIMIT {
            m.remember(&format!("h{i}.example"), "http", &clinic(1));
        }
        assert!(m.recall("h0.example", "http").is_some());
        m.remember("one-more.example", "http", &clinic(2));
        assert!(m.recall("h0.example", "http").is_none(), "started afresh");
        assert_eq!(m.recall("one-more.example", "http"), Some(clinic(2)));
    }
}

/// Every live clinic's host names (its listed hosts and `{slug}.localhost`)
/// with its id, at most `limit` of them.
pub async fn all_clinic_hosts<C: ConnectionTrait>(db: &C, limit: usize) -> Result<Vec<(i32, String)>, DbErr> {
    let clinics = clinic::Entity::find().filter(clinic::Column::ArchivedAt.is_null()).all(db).await?;
    let hosts = clinic_host::Entity::find().order_by_asc(clinic_host::Column::Position).all(db).await?;
    let mut out = Vec::new();
    for c in &clinics {
        out.extend(hosts.iter().filter(|h| h.clinic_id == c.id).map(|h| (c.id, h.host.clone())));
        out.push((c.id, format!("{}.localhost", c.slug)));
    }
    out.truncate(limit);
    Ok(out)
}
