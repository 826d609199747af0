//! Old WordPress addresses of imported posts answer with a 301 to the post:
//! `/?p=123`, `/2024/05/slug/`, `/2024/05/14/slug/`, `/slug/` and the exact
//! path of the item's `<link>` (whatever its permalink structure was).
//!
//! Only for posts imported into the clinic the request is for (never across
//! clinics), and only while the post is published. `/?p=` is answered
//! before the home page is drawn; every other address only when the site
//! would otherwise answer 404, so no page of the site is ever shadowed and
//! unknown addresses still get the normal 404 page.

use app::model::Site;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entities::{PostStatus, post, wordpress_post};
use crate::web::AppState;

/// What an old address asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Legacy {
    /// `/?p=123`: a WordPress post id.
    PostId(i64),
    /// Any other path (normalised), and the slug it names when it has the
    /// shape of a WordPress permalink.
    Path { path: String, slug: Option<String> },
}

/// Percent-decode (invalid sequences and invalid UTF-8 are kept as they were).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// A path as stored and matched: percent-decoded, lower-case, without a
/// trailing slash; None for the site root.
pub fn normalize_path(path: &str) -> Option<String> {
    let decoded = percent_decode(path).to_lowercase();
    let trimmed = decoded.trim_end_matches('/');
    if trimmed.is_empty() {
        return None;
    }
    Some(if trimmed.starts_with('/') { trimmed.to_string() } else { format!("/{trimmed}") })
}

/// A WordPress slug as stored and matched: percent-decoded and lower-case
/// (WordPress keeps non-ASCII slugs percent-encoded).
pub fn normalize_slug(slug: &str) -> String {
    percent_decode(slug.trim()).to_lowercase()
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// Read an old address. None when it cannot be one.
pub fn parse(path: &str, query: Option<&str>) -> Option<Legacy> {
    if path == "/" || path.is_empty() || path == "/index.php" {
        let id = query?.split('&').find_map(|kv| kv.strip_prefix("p="))?;
        return id.parse::<i64>().ok().filter(|id| *id > 0).map(Legacy::PostId);
    }
    let path = normalize_path(path)?;
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let slug = match parts.as_slice() {
        [y, m, slug] if digits(y, 4) && digits(m, 2) => Some(slug),
        [y, m, d, slug] if digits(y, 4) && digits(m, 2) && digits(d, 2) => Some(slug),
        [slug] => Some(slug),
        _ => None,
    };
    Some(Legacy::Path { slug: slug.map(|s| s.to_string()), path })
}

/// Where an old address of clinic `clinic_id` now is: `/blog/{slug}` of a
/// published post imported into that clinic.
pub async fn target<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    legacy: &Legacy,
) -> Result<Option<String>, sea_orm::DbErr> {
    let in_clinic = || wordpress_post::Entity::find().filter(wordpress_post::Column::ClinicId.eq(clinic_id));
    let mut candidates = Vec::new();
    match legacy {
        Legacy::PostId(id) => {
            candidates.extend(in_clinic().filter(wordpress_post::Column::WpPostId.eq(*id)).all(db).await?);
        }
        Legacy::Path { path, slug } => {
            candidates.extend(
                in_clinic()
                    .filter(wordpress_post::Column::LinkPath.eq(path.as_str()))
                    .order_by_asc(wordpress_post::Column::Id)
                    .all(db)
                    .await?,
            );
            if let Some(slug) = slug {
                candidates.extend(
                    in_clinic()
                        .filter(wordpress_post::Column::WpSlug.eq(slug.as_str()))
                        .order_by_asc(wordpress_post::Column::Id)
                        .all(db)
                        .await?,
                );
            }
        }
    }
    for row in candidates {
        if let Some(p) = post::Entity::find_by_id(row.post_id)
            .filter(post::Column::ClinicId.eq(clinic_id))
            .filter(post::Column::Status.eq(PostStatus::Published))
            .one(db)
            .await?
        {
            return Ok(Some(format!("/blog/{}", p.slug)));
        }
    }
    Ok(None)
}

/// The middleware (inside the tenancy layer, which sets the `Site`).
pub async fn redirect(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return next.run(req).await;
    }
    let Some(Site::Clinic(clinic)) = req.extensions().get::<Site>() else {
        return next.run(req).await;
    };
    let clinic_id = clinic.id;
    let legacy = parse(req.uri().path(), req.uri().query());
    if let Some(id @ Legacy::PostId(_)) = &legacy {
        if let Some(to) = lookup(&state, clinic_id, id).await {
            return moved(to);
        }
        return next.run(req).await;
    }
    let res = next.run(req).await;
    if res.status() != StatusCode::NOT_FOUND {
        return res;
    }
    match legacy {
        Some(legacy) => match lookup(&state, clinic_id, &legacy).await {
            Some(to) => moved(to),
            None => res,
        },
        None => res,
    }
}

async fn lookup(state: &AppState, clinic_id: i32, legacy: &Legacy) -> Option<String> {
    match target(&state.db, clinic_id, legacy).await {
        Ok(to) => to,
        Err(e) => {
            tracing::error!(error = %e, "database error while looking up an old WordPress address");
            None
        }
    }
}

/// 301, kept by browsers for a day only: the post may be unpublished later.
fn moved(to: String) -> Response {
    (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, to), (header::CACHE_CONTROL, "max-age=86400".into())])
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str, slug: Option<&str>) -> Option<Legacy> {
        Some(Legacy::Path { path: p.to_string(), slug: slug.map(str::to_string) })
    }

    #[test]
    fn reads_wordpress_permalinks() {
        assert_eq!(parse("/", Some("p=123")), Some(Legacy::PostId(123)));
        assert_eq!(parse("/", Some("utm_source=x&p=7")), Some(Legacy::PostId(7)));
        assert_eq!(parse("/index.php", Some("p=7")), Some(Legacy::PostId(7)));
        assert_eq!(parse("/", Some("p=abc")), None);
        assert_eq!(parse("/", Some("page_id=3")), None);
        assert_eq!(parse("/", None), None);
        assert_eq!(parse("/2024/05/back-pain/", None), path("/2024/05/back-pain", Some("back-pain")));
        assert_eq!(parse("/2024/05/14/back-pain", None), path("/2024/05/14/back-pain", Some("back-pain")));
        assert_eq!(parse("/Back-Pain/", None), path("/back-pain", Some("back-pain")));
        assert_eq!(parse("/%C3%BCber-uns/", None), path("/über-uns", Some("über-uns")));
        assert_eq!(parse("/news/2024/back-pain.html", None), path("/news/2024/back-pain.html", None));
        assert_eq!(parse("/24/05/x/", None), path("/24/05/x", None));
    }

    #[test]
    fn normalises_paths_and_slugs() {
        assert_eq!(normalize_path("/"), None);
        assert_eq!(normalize_path("/A/b/"), Some("/a/b".into()));
        assert_eq!(normalize_slug("%e6%97%a5%e6%9c%ac"), "日本");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%ff"), "%ff", "invalid UTF-8 is kept as written");
    }
}
