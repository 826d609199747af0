//! The embed endpoints and the layer that keeps cookies off them.

use app::model::Site;
use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use chrono::Utc;

use super::html;
use super::load::{self, Loaded, parse_query};
use crate::feeds::http::{etag, not_modified};
use crate::web::AppState;

/// Where the embeds live; `without_cookies` covers everything under it.
pub const PREFIX: &str = "/embed/";
/// Lists may be cached this long.
const CACHE_CONTROL: &str = "public, max-age=300";
/// The page has no script, loads nothing, and posts nothing; inline CSS
/// only. No `frame-ancestors`: any site may frame it.
const PAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";
/// The script's own text (served as it is; it reads only JSON).
const SCRIPT: &str = include_str!("recent.js");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/embed/recent", get(page))
        .route("/embed/recent.json", get(json))
        .route("/embed/recent.js", get(script))
}

type SiteExt = Option<Extension<Site>>;

/// No cookie reaches the session layer on embed paths, so it never loads
/// or writes a session (not even the removal of a stale cookie), and no
/// `Set-Cookie` leaves: an embed on another site must not set or carry
/// a visitor's cookies. Sits outside the session layer.
pub async fn without_cookies(mut req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with(PREFIX) {
        return next.run(req).await;
    }
    req.headers_mut().remove(header::COOKIE);
    let mut res = next.run(req).await;
    res.headers_mut().remove(header::SET_COOKIE);
    res
}

/// `/embed/recent`: the list as a page for an `<iframe>`.
async fn page(State(state): State<AppState>, site: SiteExt, RawQuery(raw): RawQuery, headers: HeaderMap) -> Response {
    let Some(Extension(Site::Clinic(clinic))) = site else {
        return html_answer(StatusCode::NOT_FOUND, html::no_site(), &headers);
    };
    let q = parse_query(raw.as_deref());
    match load::recent(&state.db, &clinic, &q, Utc::now()).await {
        Ok(Loaded::Found(r)) => html_answer(StatusCode::OK, html::page(&r), &headers),
        Ok(Loaded::NoCategory(slug)) => {
            let blog = clinic.canonical("/blog");
            let body = html::no_category(&clinic.name, &load::brand_color(&clinic.brand_color), &blog, &slug);
            html_answer(StatusCode::NOT_FOUND, body, &headers)
        }
        Err(e) => unavailable(e, false),
    }
}

/// `/embed/recent.json`: the same list for the script, CORS open.
async fn json(State(state): State<AppState>, site: SiteExt, RawQuery(raw): RawQuery) -> Response {
    let Some(Extension(Site::Clinic(clinic))) = site else {
        return json_error(StatusCode::NOT_FOUND, "No clinic site answers at this address.".into());
    };
    let q = parse_query(raw.as_deref());
    match load::recent(&state.db, &clinic, &q, Utc::now()).await {
        Ok(Loaded::Found(r)) => {
            let mut res = Json(r).into_response();
            common(res.headers_mut(), CACHE_CONTROL);
            res.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
            res
        }
        Ok(Loaded::NoCategory(slug)) => {
            json_error(StatusCode::NOT_FOUND, format!("{} has no category “{slug}”.", clinic.name))
        }
        Err(e) => unavailable(e, true),
    }
}

/// `/embed/recent.js`: the script of the one-line snippet.
async fn script() -> Response {
    let mut res = SCRIPT.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8"));
    common(h, "public, max-age=3600");
    res
}

/// Headers of every embed answer.
fn common(h: &mut HeaderMap, cache: &'static str) {
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("x-robots-tag", HeaderValue::from_static("noindex"));
}

fn html_answer(status: StatusCode, body: String, headers: &HeaderMap) -> Response {
    let tag = etag(&body);
    let fresh = status == StatusCode::OK && not_modified(headers, &tag);
    let mut res = if fresh { StatusCode::NOT_MODIFIED.into_response() } else { (status, body).into_response() };
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    common(h, if status == StatusCode::OK { CACHE_CONTROL } else { "no-store" });
    if status == StatusCode::OK
        && let Ok(v) = HeaderValue::from_str(&tag)
    {
        h.insert(header::ETAG, v);
    }
    res
}

fn json_error(status: StatusCode, message: String) -> Response {
    let mut res = (status, Json(serde_json::json!({ "error": message }))).into_response();
    common(res.headers_mut(), "no-store");
    res.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    res
}

fn unavailable(e: sea_orm::DbErr, json: bool) -> Response {
    tracing::error!(error = %e, "database error while building an embed");
    let message = "The articles are unavailable; try again in a moment.";
    let mut res = if json {
        json_error(StatusCode::SERVICE_UNAVAILABLE, message.into())
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, message).into_response()
    };
    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    res
}
