//! The network owner's clinics, in the admin area (`/admin/network`):
//! create a clinic (slug, name, host names, default inbox), change its
//! name, host names and default inbox, archive it and restore it.
//!
//! * A host name belongs to one clinic: one already claimed by another
//!   clinic is refused with that clinic's name, nothing saved.
//! * The slug is fixed once the clinic exists: it is in every admin address
//!   and in `{slug}.localhost`; the host names are what visitors use.
//! * Archiving keeps every row: the clinic's hosts answer 410 Gone
//!   (`web::resolve_site`), it leaves the network page's list of sites,
//!   and the owner can restore it here.
//! * Every change is in the clinic's audit log, in the same transaction.
//!
//! Clinic admins are appointed on the clinic's People page (the owner may
//! act in every clinic), with the same invitation as any other role.

use app::admin::model::{ClinicForm, NetworkClinicRow, NetworkPage};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

use crate::accounts::users::normalise_email;
use crate::audit::{self, Actor};
use crate::entities::{app_user, clinic, clinic_host, location, membership, post};
use crate::slugs::{valid_host, valid_slug};

/// Longest clinic name.
pub const MAX_NAME: usize = 120;
/// Longest slug (it is part of `{slug}.localhost`, a DNS label).
pub const MAX_SLUG: usize = 40;
/// Most host names one clinic answers on.
pub const MAX_HOSTS: usize = 20;
/// Slugs the admin area's own addresses use (`/admin/login`, `/admin/reset/…`, …).
pub const RESERVED_SLUGS: [&str; 6] = ["login", "logout", "reset", "network", "leads", "api"];
/// The colour a new clinic starts with (contrast-checked white text on it).
pub const DEFAULT_BRAND_COLOR: &str = "#1f5f8b";

#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    /// (field, message) pairs, in form order.
    #[error("the clinic form has mistakes")]
    Invalid(Vec<(String, String)>),
    #[error("no such clinic")]
    NotFound,
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// A checked form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidClinic {
    /// `None` for a new clinic.
    pub id: Option<i32>,
    pub slug: String,
    pub name: String,
    pub hosts: Vec<String>,
    pub default_inbox: String,
}

/// The host names typed in a box: one per line, or separated by commas or
/// spaces; lower-cased, a trailing dot and a pasted `https://…/` removed.
pub fn parse_hosts(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .map(|h| {
            let h = h.trim().to_ascii_lowercase();
            let h = h.strip_prefix("https://").or_else(|| h.strip_prefix("http://")).unwrap_or(&h).to_string();
            h.trim_end_matches('/').trim_end_matches('.').to_string()
        })
        .filter(|h| !h.is_empty())
        .collect()
}

/// Check the form (pure). Every problem at once, as (field, message).
pub fn validate(form: &ClinicForm) -> Result<ValidClinic, Vec<(String, String)>> {
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut err = |f: &str, m: String| errors.push((f.to_string(), m));
    let id = match form.id.trim() {
        "" => None,
        v => match v.parse::<i32>() {
            Ok(n) => Some(n),
            Err(_) => {
                err("id", "This form does not name a clinic; reload the page.".into());
                None
            }
        },
    };
    let slug = form.slug.trim().to_ascii_lowercase();
    if id.is_none() {
        if slug.is_empty() {
            err("slug", "Choose a short name for addresses, like \"riverside\".".into());
        } else if RESERVED_SLUGS.contains(&slug.as_str()) {
            err("slug", format!("\"{slug}\" is a word the admin area uses; choose another."));
        } else if slug.len() > MAX_SLUG || !valid_slug(&slug) {
            err(
                "slug",
                format!(
                    "\"{}\" cannot be used: lower-case letters, digits and single hyphens only, at most {MAX_SLUG} characters.",
                    shorten(form.slug.trim())
                ),
            );
        }
    }
    let name = form.name.split_whitespace().collect::<Vec<_>>().join(" ");
    let n = name.chars().count();
    if name.is_empty() {
        err("name", "Enter the clinic's name as visitors see it.".into());
    } else if n > MAX_NAME {
        err("name", format!("The name has {n} characters; {MAX_NAME} at most."));
    }
    let mut hosts: Vec<String> = Vec::new();
    let mut bad: Vec<String> = Vec::new();
    let mut local: Vec<String> = Vec::new();
    for h in parse_hosts(&form.hosts) {
        if !valid_host(&h) || !h.contains('.') {
            bad.push(format!("\"{}\"", shorten(&h)));
        } else if super::tenancy::classify(&h) == super::tenancy::HostKind::Network {
            // IP addresses answer with the network index, never a clinic.
            local.push(h);
        } else if !hosts.contains(&h) {
            hosts.push(h);
        }
    }
    if !bad.is_empty() {
        err("hosts", format!("Not host names like www.clinic.example: {}.", bad.join(", ")));
    }
    if !local.is_empty() {
        err(
            "hosts",
            format!("{}: an IP address shows the index of all clinics; give the clinic a host name.", local.join(", ")),
        );
    }
    if hosts.len() > MAX_HOSTS {
        err("hosts", format!("{} host names; {MAX_HOSTS} at most.", hosts.len()));
    }
    let default_inbox = match normalise_email(&form.default_inbox) {
        Ok(e) => e,
        Err(_) => {
            err("default_inbox", "Enter the e-mail address of the front desk, like frontdesk@clinic.example.".into());
            String::new()
        }
    };
    if errors.is_empty() { Ok(ValidClinic { id, slug, name, hosts, default_inbox }) } else { Err(errors) }
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// Every clinic, by name, archived ones last, with what the owner needs to see.
pub async fn page<C: ConnectionTrait>(db: &C, origin: &str) -> Result<NetworkPage, sea_orm::DbErr> {
    let clinics = clinic::Entity::find().order_by_asc(clinic::Column::Name).all(db).await?;
    let hosts = clinic_host::Entity::find().order_by_asc(clinic_host::Column::Position).all(db).await?;
    let admins = membership::Entity::find().filter(membership::Column::Role.eq("admin")).all(db).await?;
    let users = app_user::Entity::find().all(db).await?;
    let mut rows = Vec::with_capacity(clinics.len());
    for c in clinics {
        let offices = location::Entity::find().filter(location::Column::ClinicId.eq(c.id)).count(db).await?;
        let posts = post::Entity::find().filter(post::Column::ClinicId.eq(c.id)).count(db).await?;
        let mut admin_emails: Vec<String> = admins
            .iter()
            .filter(|m| m.clinic_id == c.id)
            .filter_map(|m| users.iter().find(|u| u.id == m.user_id))
            .map(|u| u.email.clone())
            .collect();
        admin_emails.sort();
        admin_emails.dedup();
        rows.push(NetworkClinicRow {
            id: c.id,
            site_url: super::tenancy::clinic_base_url(db, &c, origin).await?,
            slug: c.slug,
            name: c.name,
            hosts: hosts.iter().filter(|h| h.clinic_id == c.id).map(|h| h.host.clone()).collect(),
            default_inbox: c.default_inbox,
            archived: c.archived_at.is_some(),
            archived_on: c.archived_at.map(|t| t.format("%b %-d, %Y").to_string()),
            admins: admin_emails,
            offices,
            posts,
        });
    }
    rows.sort_by_key(|r| r.archived);
    Ok(NetworkPage { clinics: rows })
}

/// Create or change a clinic; returns its slug.
pub async fn save(
    db: &DatabaseConnection,
    actor: &Actor,
    form: &ClinicForm,
    now: DateTime<Utc>,
) -> Result<String, NetworkError> {
    match write(db, actor, form, now).await {
        // Another save took the slug or a host name between the check and the
        // insert (both are unique in the database): nothing was written.
        Err(NetworkError::Db(e)) if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {
            Err(NetworkError::Invalid(vec![(
                "hosts".into(),
                "Another clinic took this slug or one of these host names a moment ago; check them and save again."
                    .into(),
            )]))
        }
        other => other,
    }
}

async fn write(
    db: &DatabaseConnection,
    actor: &Actor,
    form: &ClinicForm,
    now: DateTime<Utc>,
) -> Result<String, NetworkError> {
    let v = validate(form).map_err(NetworkError::Invalid)?;
    let txn = crate::db::begin_write(db).await?;
    let existing = match v.id {
        Some(id) => Some(clinic::Entity::find_by_id(id).one(&txn).await?.ok_or(NetworkError::NotFound)?),
        None => None,
    };
    if existing.is_none() && clinic::Entity::find().filter(clinic::Column::Slug.eq(&v.slug)).one(&txn).await?.is_some()
    {
        return Err(NetworkError::Invalid(vec![(
            "slug".into(),
            format!("Another clinic already uses \"{}\"; choose another.", v.slug),
        )]));
    }
    let own_id = existing.as_ref().map(|c| c.id);
    let mut clashes = Vec::new();
    for h in &v.hosts {
        if let Some(other) = clinic_host::Entity::find().filter(clinic_host::Column::Host.eq(h)).one(&txn).await?
            && Some(other.clinic_id) != own_id
        {
            let owner = clinic::Entity::find_by_id(other.clinic_id).one(&txn).await?;
            clashes
                .push(format!("{h} belongs to {}", owner.map(|o| o.name).unwrap_or_else(|| "another clinic".into())));
        }
    }
    if !clashes.is_empty() {
        return Err(NetworkError::Invalid(vec![(
            "hosts".into(),
            format!("Already in use: {}. A host name can point to one clinic only.", clashes.join("; ")),
        )]));
    }

    let (saved, summary) = match existing {
        None => {
            let c = clinic::ActiveModel {
                slug: Set(v.slug.clone()),
                name: Set(v.name.clone()),
                tagline: Set(None),
                brand_color: Set(DEFAULT_BRAND_COLOR.into()),
                logo_url: Set(None),
                disclaimer: Set(None),
                default_inbox: Set(v.default_inbox.clone()),
                created_at: Set(now),
                updated_at: Set(now),
                archived_at: Set(None),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            // The request settings (consent text, reference prefix) start at their defaults.
            crate::leads::store::settings(&txn, c.id).await?;
            let summary = format!("created the clinic \"{}\" ({})", c.name, c.slug);
            (c, summary)
        }
        Some(c) => {
            let old_hosts: Vec<String> = clinic_host::Entity::find()
                .filter(clinic_host::Column::ClinicId.eq(c.id))
                .order_by_asc(clinic_host::Column::Position)
                .all(&txn)
                .await?
                .into_iter()
                .map(|h| h.host)
                .collect();
            let mut changes = Vec::new();
            if c.name != v.name {
                changes.push(format!("name \"{}\" → \"{}\"", c.name, v.name));
            }
            if c.default_inbox != v.default_inbox {
                changes.push(format!("default inbox {} → {}", c.default_inbox, v.default_inbox));
            }
            if old_hosts != v.hosts {
                let shown = |h: &[String]| if h.is_empty() { "none".to_string() } else { h.join(", ") };
                changes.push(format!("host names {} → {}", shown(&old_hosts), shown(&v.hosts)));
            }
            let summary = if changes.is_empty() {
                format!("saved the clinic \"{}\" unchanged", c.name)
            } else {
                format!("changed the clinic \"{}\": {}", c.name, changes.join("; "))
            };
            let mut am: clinic::ActiveModel = c.into();
            am.name = Set(v.name.clone());
            am.default_inbox = Set(v.default_inbox.clone());
            am.updated_at = Set(now);
            (am.update(&txn).await?, summary)
        }
    };
    clinic_host::Entity::delete_many().filter(clinic_host::Column::ClinicId.eq(saved.id)).exec(&txn).await?;
    // The first host name is the primary one: canonical links and feeds use it.
    for (i, h) in v.hosts.iter().enumerate() {
        clinic_host::ActiveModel {
            clinic_id: Set(saved.id),
            host: Set(h.clone()),
            position: Set(i as i32),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let action = if v.id.is_none() { "clinic.create" } else { "clinic.update" };
    audit::record(&txn, Some(saved.id), actor, action, "clinic", Some(saved.id), &summary, now).await?;
    txn.commit().await?;
    Ok(saved.slug)
}

/// Archive (`true`) or restore (`false`) a clinic; returns its name.
/// Doing what is already done changes nothing and logs nothing.
pub async fn set_archived(
    db: &DatabaseConnection,
    actor: &Actor,
    slug: &str,
    archived: bool,
    now: DateTime<Utc>,
) -> Result<String, NetworkError> {
    let txn = crate::db::begin_write(db).await?;
    let c =
        clinic::Entity::find().filter(clinic::Column::Slug.eq(slug)).one(&txn).await?.ok_or(NetworkError::NotFound)?;
    if c.archived_at.is_some() == archived {
        return Ok(c.name);
    }
    let name = c.name.clone();
    let id = c.id;
    let mut am: clinic::ActiveModel = c.into();
    am.archived_at = Set(archived.then_some(now));
    am.updated_at = Set(now);
    am.update(&txn).await?;
    let (action, summary) = if archived {
        ("clinic.archive", format!("archived the clinic \"{name}\": its site answers 410 Gone, its data is kept"))
    } else {
        ("clinic.restore", format!("restored the clinic \"{name}\": its site answers again"))
    };
    audit::record(&txn, Some(id), actor, action, "clinic", Some(id), &summary, now).await?;
    txn.commit().await?;
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(id: &str, slug: &str, name: &str, hosts: &str, inbox: &str) -> ClinicForm {
        ClinicForm {
            id: id.into(),
            slug: slug.into(),
            name: name.into(),
            hosts: hosts.into(),
            default_inbox: inbox.into(),
        }
    }

    fn fields(r: Result<ValidClinic, Vec<(String, String)>>) -> Vec<String> {
        r.unwrap_err().into_iter().map(|(f, _)| f).collect()
    }

    #[test]
    fn host_names_are_read_like_people_type_them() {
        assert_eq!(
            parse_hosts(" WWW.Riverside.example,\nhttps://riverside.example/  blog.riverside.example. "),
            ["www.riverside.example", "riverside.example", "blog.riverside.example"]
        );
        assert!(parse_hosts(" \n , ").is_empty());
    }

    #[test]
    fn a_good_new_clinic() {
        let v = validate(&form(
            "",
            " Riverside ",
            "  Riverside   Pain  Care ",
            "www.riverside.example\nwww.riverside.example",
            "Front@Riverside.example",
        ))
        .unwrap();
        assert_eq!(v.id, None);
        assert_eq!(v.slug, "riverside");
        assert_eq!(v.name, "Riverside Pain Care");
        assert_eq!(v.hosts, ["www.riverside.example"], "duplicates dropped");
        assert_eq!(v.default_inbox, "front@riverside.example");
    }

    #[test]
    fn every_mistake_at_once() {
        assert_eq!(
            fields(validate(&form("", "Not A Slug!", "", "bad host!, localhost", "not-an-address"))),
            ["slug", "name", "hosts", "default_inbox"]
        );
        let e = validate(&form("", "ok", "A", "harbor.localhost 127.0.0.1 10.0.0.7 bad_host.example", "a@b.example"))
            .unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].1.contains("\"bad_host.example\"") && e[1].1.contains("127.0.0.1, 10.0.0.7"), "{e:?}");
        for reserved in RESERVED_SLUGS {
            assert_eq!(fields(validate(&form("", reserved, "A", "", "a@b.example"))), ["slug"], "{reserved}");
        }
        assert_eq!(fields(validate(&form("", "", "A", "", "a@b.example"))), ["slug"]);
        let long = "x".repeat(MAX_NAME + 1);
        assert_eq!(fields(validate(&form("", "ok", &long, "", "a@b.example"))), ["name"]);
        let many: Vec<String> = (0..=MAX_HOSTS).map(|i| format!("h{i}.clinic.example")).collect();
        assert_eq!(fields(validate(&form("", "ok", "A", &many.join(" "), "a@b.example"))), ["hosts"]);
        assert_eq!(fields(validate(&form("", &"a".repeat(MAX_SLUG + 1), "A", "", "a@b.example"))), ["slug"]);
        assert_eq!(fields(validate(&form("seven", "", "A", "", "a@b.example"))), ["id", "slug"]);
    }

    #[test]
    fn an_existing_clinic_keeps_its_slug() {
        let v = validate(&form("7", "ignored and wrong!", "Riverside", "", "a@b.example")).unwrap();
        assert_eq!(v.id, Some(7));
        assert!(v.hosts.is_empty(), "a clinic may have only its {{slug}}.localhost address");
    }
}
