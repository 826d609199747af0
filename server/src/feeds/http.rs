//! The feed, sitemap and robots.txt endpoints: thin handlers around
//! `load` and the document writers, with conditional GET.
//!
//! Every answer carries a strong `ETag` (a hash of the body) and, for feeds
//! and sitemaps with dated entries, `Last-Modified` (the newest entry's
//! `updated_at`, for information). Only a matching `If-None-Match` gives
//! `304 Not Modified`: a date alone does not move when a post is
//! unpublished or a name changes, so `If-Modified-Since` gets the body.

use app::model::Site;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use axum::{Extension, Router};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::document::{self, Format};
use super::load::{self, Found, Scope};
use super::sitemap::{self, Answer};
use crate::web::AppState;

/// Feeds and sitemaps may be cached this long before asking again.
const CACHE_CONTROL: &str = "public, max-age=300";

/// The routes of this module, merged into the main router.
pub fn routes() -> Router<AppState> {
    let mut r = Router::new();
    for format in [Format::Rss, Format::Atom, Format::Json] {
        let file = format.file_name();
        r = r
            .route(&format!("/{file}"), site_feed(format))
            .route(&format!("/blog/category/{{slug}}/{file}"), term_feed(format, false))
            .route(&format!("/blog/tag/{{slug}}/{file}"), term_feed(format, true));
    }
    r.route("/sitemap.xml", get(sitemap_root))
        .route("/sitemap/{file}", get(sitemap_part))
        .route("/robots.txt", get(robots))
}

type SiteExt = Option<Extension<Site>>;

fn site_feed(format: Format) -> MethodRouter<AppState> {
    get(move |State(state): State<AppState>, site: SiteExt, headers: HeaderMap| async move {
        serve_feed(&state, site, &headers, Scope::All, format).await
    })
}

fn term_feed(format: Format, tag: bool) -> MethodRouter<AppState> {
    get(move |State(state): State<AppState>, site: SiteExt, Path(slug): Path<String>, headers: HeaderMap| async move {
        let scope = if tag { Scope::Tag(&slug) } else { Scope::Category(&slug) };
        serve_feed(&state, site, &headers, scope, format).await
    })
}

async fn serve_feed(
    state: &AppState,
    site: SiteExt,
    headers: &HeaderMap,
    scope: Scope<'_>,
    format: Format,
) -> Response {
    let Some(Extension(Site::Clinic(clinic))) = site else { return not_found() };
    match load::feed(&state.db, &clinic, scope, Utc::now()).await {
        Ok(Found::Yes(feed)) => {
            let last = feed.items.iter().map(|i| i.updated).max();
            conditional(headers, format.content_type(), document::render(&feed, format), last)
        }
        Ok(Found::Moved(new)) => {
            let kind = if matches!(scope, Scope::Tag(_)) { "tag" } else { "category" };
            // 301 rather than 308: older feed readers know it.
            let to = format!("/blog/{kind}/{new}/{}", format.file_name());
            (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, to)]).into_response()
        }
        Ok(Found::No) => not_found(),
        Err(e) => unavailable(e),
    }
}

async fn sitemap_root(State(state): State<AppState>, site: SiteExt, headers: HeaderMap) -> Response {
    serve_sitemap(&state, site, &headers, None).await
}

async fn sitemap_part(
    State(state): State<AppState>,
    site: SiteExt,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    serve_sitemap(&state, site, &headers, Some(&file)).await
}

async fn serve_sitemap(state: &AppState, site: SiteExt, headers: &HeaderMap, file: Option<&str>) -> Response {
    let Some(Extension(Site::Clinic(clinic))) = site else { return not_found() };
    let (base, entries) = match load::sitemap(&state.db, &clinic, Utc::now()).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(),
        Err(e) => return unavailable(e),
    };
    let limit = state.settings.sitemap_limit.clamp(1, sitemap::MAX_URLS);
    let answer = match file {
        None => sitemap::root(entries, limit, &base),
        Some(f) => sitemap::part(entries, limit, f),
    };
    let (body, last) = match answer {
        Answer::Urls(urls) => (sitemap::urlset(&urls), urls.iter().filter_map(|e| e.lastmod).max()),
        Answer::Index(parts) => (sitemap::index(&parts), parts.iter().filter_map(|e| e.lastmod).max()),
        Answer::NotFound => return not_found(),
    };
    conditional(headers, "application/xml; charset=utf-8", body, last)
}

async fn robots(State(state): State<AppState>, site: SiteExt) -> Response {
    let base = match site {
        Some(Extension(Site::Clinic(clinic))) => match load::origin(&state.db, &clinic).await {
            Ok(found) => found.map(|(_, base)| base),
            Err(e) => return unavailable(e),
        },
        _ => None,
    };
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], sitemap::robots(base.as_deref())).into_response()
}

/// `X-Robots-Tag: noindex, nofollow` on the admin area and preview links
/// (`sitemap::is_private`), whatever the page itself says.
pub async fn noindex(req: Request, next: Next) -> Response {
    let private = sitemap::is_private(req.uri().path());
    let mut res = next.run(req).await;
    if private {
        res.headers_mut().insert("x-robots-tag", HeaderValue::from_static("noindex, nofollow"));
    }
    res
}

/// A strong validator for `body`: the first 128 bits of its SHA-256.
pub fn etag(body: impl AsRef<[u8]>) -> String {
    let digest = Sha256::digest(body.as_ref());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// An HTTP date: `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Whether the client's copy is current: `If-None-Match` (any listed tag,
/// weak or strong, or `*`). `If-Modified-Since` alone is not trusted for a
/// 304: the newest date does not move when a post is unpublished or a name
/// changes, while the tag (a hash of the body) always does.
pub fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    let Some(inm) = headers.get(header::IF_NONE_MATCH) else { return false };
    let Ok(inm) = inm.to_str() else { return false };
    inm.split(',').map(str::trim).any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag)
}

/// 200 with the body, or 304 when the client has it; validators on both.
fn conditional(headers: &HeaderMap, content_type: &'static str, body: String, last: Option<DateTime<Utc>>) -> Response {
    let tag = etag(&body);
    let fresh = not_modified(headers, &tag);
    let mut res = if fresh { StatusCode::NOT_MODIFIED.into_response() } else { body.into_response() };
    let h = res.headers_mut();
    if !fresh {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    if let Some(v) = last.and_then(|t| HeaderValue::from_str(&http_date(t)).ok()) {
        h.insert(header::LAST_MODIFIED, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL));
    res
}

fn not_found() -> Response {
    let page = crate::web::simple_page("Page not found", "There is no feed or sitemap at this address.");
    let mut res = (StatusCode::NOT_FOUND, Html(page)).into_response();
    res.headers_mut().insert("x-robots-tag", HeaderValue::from_static("noindex"));
    res
}

fn unavailable(e: sea_orm::DbErr) -> Response {
    tracing::error!(error = %e, "database error while building a feed or sitemap");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "5")],
        "The service is unavailable; try again in a moment.",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn etags_follow_the_body() {
        assert_eq!(etag("a"), etag("a"));
        assert_ne!(etag("a"), etag("b"));
        assert_eq!(etag("a").len(), 34);
    }

    #[test]
    fn conditional_requests() {
        let t = Utc.with_ymd_and_hms(2025, 3, 2, 9, 5, 9).unwrap();
        assert_eq!(http_date(t), "Sun, 02 Mar 2025 09:05:09 GMT");
        let tag = etag("body");
        let nm = |v: &str| not_modified(&headers(&[("if-none-match", v)]), &tag);
        assert!(nm(&tag));
        assert!(nm(&format!("\"x\", W/{tag}")));
        assert!(nm("*"));
        assert!(!nm("\"other\""));
        // A date alone never gives a 304 (an unpublished post leaves it unchanged).
        assert!(!not_modified(&headers(&[("if-modified-since", "Mon, 03 Mar 2025 00:00:00 GMT")]), &tag));
        assert!(!not_modified(&HeaderMap::new(), &tag));
    }
}
