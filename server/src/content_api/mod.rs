//! The read-only content API on each clinic host: `GET /api/v1/posts`,
//! `/api/v1/posts/{slug}`, `/api/v1/categories`, `/api/v1/tags`,
//! `/api/v1/authors`, `/api/v1/locations`, and the OpenAPI 3.1 document of
//! the whole JSON API at `/api/openapi.json`.
//!
//! * No authentication and no cookies: what it shows is what the public
//!   pages show (published posts whose time has come, scoped by the clinic
//!   the Host header names). The bare network host answers 404.
//! * CORS open for reading: `Access-Control-Allow-Origin: *` (never with
//!   credentials) on every answer, and `OPTIONS` preflights answered 204.
//! * Answers are cached publicly for a minute and carry a strong `ETag` (a
//!   hash of the body): `If-None-Match` with it gets 304 and no body.
//!   Errors are not cached. An old slug of a post answers 301 to the new one.
//!
//! `query.rs` reads the query string, `map.rs` turns rows into the API
//! structs of `model.rs` (plain functions, unit-tested), `http.rs` holds
//! the thin handlers, `openapi.rs` the document.

pub mod http;
pub mod map;
pub mod model;
pub mod openapi;
pub mod query;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};

use crate::web::AppState;

/// How long browsers and caches may keep an answer.
pub const CACHE_CONTROL: &str = "public, max-age=60";
/// How long a browser may remember a preflight answer.
const PREFLIGHT_MAX_AGE: &str = "86400";

/// The routes, to merge into the site's router (inside the tenancy layer).
pub fn routes() -> Router<AppState> {
    fn read<H, T>(handler: H) -> MethodRouter<AppState>
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        get(handler).options(preflight)
    }
    Router::new()
        .route("/api/v1/posts", read(http::posts))
        .route("/api/v1/posts/{slug}", read(http::post))
        .route("/api/v1/categories", read(http::categories))
        .route("/api/v1/tags", read(http::tags))
        .route("/api/v1/authors", read(http::authors))
        .route("/api/v1/locations", read(http::locations))
        .route(openapi::PATH, read(openapi::document))
        .layer(middleware::from_fn(open_cors))
}

/// `OPTIONS`: any origin may read.
async fn preflight() -> Response {
    let mut res = StatusCode::NO_CONTENT.into_response();
    let h = res.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, OPTIONS"));
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("Accept, Accept-Language, Content-Type"));
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(PREFLIGHT_MAX_AGE));
    res
}

/// The largest answer given a validator; bigger ones (none today: a page
/// holds at most 50 posts without bodies) go out without one.
const ETAG_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// Open CORS, short public caching and an `ETag` on every answer of these
/// routes; 304 when the client's `If-None-Match` names the current body.
async fn open_cors(req: Request, next: Next) -> Response {
    let is_get = req.method() == axum::http::Method::GET;
    let client_tags: axum::http::HeaderMap =
        req.headers().get_all(header::IF_NONE_MATCH).iter().map(|v| (header::IF_NONE_MATCH, v.clone())).collect();
    let mut res = next.run(req).await;
    let small =
        |r: &Response| axum::body::HttpBody::size_hint(r.body()).upper().is_some_and(|n| n <= ETAG_BODY_LIMIT as u64);
    // Answers of unknown or large size go out as they are, without a validator.
    if is_get && res.status() == StatusCode::OK && small(&res) {
        let (mut parts, body) = res.into_parts();
        res = match axum::body::to_bytes(body, ETAG_BODY_LIMIT).await {
            Ok(bytes) => {
                let tag = crate::feeds::http::etag(&bytes);
                if let Ok(v) = HeaderValue::from_str(&tag) {
                    parts.headers.insert(header::ETAG, v);
                }
                if crate::feeds::http::not_modified(&client_tags, &tag) {
                    parts.status = StatusCode::NOT_MODIFIED;
                    parts.headers.remove(header::CONTENT_TYPE);
                    parts.headers.remove(header::CONTENT_LENGTH);
                    Response::from_parts(parts, axum::body::Body::empty())
                } else {
                    Response::from_parts(parts, axum::body::Body::from(bytes))
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "content API answer could not be read for its ETag");
                StatusCode::SERVICE_UNAVAILABLE.into_response()
            }
        };
    }
    let ok = matches!(res.status(), StatusCode::OK | StatusCode::NOT_MODIFIED);
    let cache = if ok { CACHE_CONTROL } else { "no-store" };
    let h = res.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    res
}
