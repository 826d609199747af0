//! Admin forms without JavaScript (see `app::admin::replay`).
//!
//! A browser without JavaScript posts an `ActionForm` straight to its
//! server function (`/api/admin/…`, `Accept: text/html`); Leptos answers
//! with a redirect to the form's page, carrying a refusal as `__err`/`__path`
//! URL parameters — and everything typed is gone. This layer keeps it:
//! - refused: instead of that redirect, the form's page is rendered again
//!   for this very response (status of the error: 422, 409, 403…), with the
//!   typed fields in the request ([`FormReplay`]); nothing typed is stored
//!   anywhere or put into a URL;
//! - done: the redirect stays (post/redirect/get) and the server function's
//!   answer waits in the session for the next admin page ([`FormDone`]),
//!   which shows it like the hydrated page would.

use app::admin::replay::{FormDone, FormReplay};
use app::error::AppError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use leptos::server_fn::error::ServerFnUrlError;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::PageRenderer;

/// The session key of the answer waiting for the next admin page.
const DONE_KEY: &str = "form_done";
/// The session key of the page a refused form stands for.
const PAGE_KEY: &str = "form_page";

/// The page a refused form was on: the refused page is shown at the server
/// function's address, so a second try comes from there.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct FormPage {
    action: String,
    page: String,
}

/// Admin forms are small; the editor (which needs JavaScript) has its own limit.
const BODY_LIMIT: usize = 2 * 1024 * 1024;
/// Answers larger than this are not kept for the next page.
const DONE_LIMIT: usize = 16 * 1024;

pub async fn layer(State(pages): State<PageRenderer>, session: Session, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if req.method() == Method::GET && path.starts_with("/admin/") {
        // Read first: removing a key that is not there would still mark the
        // session changed and write it back on every admin page (even after a
        // sign-out in another tab had deleted it).
        if let Ok(Some(done)) = session.get::<FormDone>(DONE_KEY).await {
            let _ = session.remove::<FormDone>(DONE_KEY).await;
            req.extensions_mut().insert(done);
        }
        return next.run(req).await;
    }
    if !(req.method() == Method::POST && path.starts_with("/api/admin/") && plain_form_post(req.headers())) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        let page = super::simple_page(
            "Too large",
            "The form sent was larger than 2 MB. Go back, shorten it and send it again.",
        );
        return (StatusCode::PAYLOAD_TOO_LARGE, Html(page)).into_response();
    };
    let fields = kept_fields(&bytes);
    let referer = parts.headers.get(header::REFERER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let from_page = match admin_page(referer) {
        Some(page) => Some(page),
        // Sent again from a refused page, whose address is the server
        // function's: the page it stands for was noted at the refusal.
        None if path_of(referer) == Some(path.as_str()) => {
            session.get::<FormPage>(PAGE_KEY).await.ok().flatten().filter(|p| p.action == path).map(|p| p.page)
        }
        None => None,
    };
    let res = next.run(Request::from_parts(parts.clone(), Body::from(bytes))).await;
    let Some(from_page) = from_page else {
        return res;
    };
    let (res_parts, res_body) = res.into_parts();
    let Ok(answer) = axum::body::to_bytes(res_body, DONE_LIMIT).await else {
        return Response::from_parts(res_parts, Body::empty());
    };
    // A server function's error, whatever status Leptos gave it (arguments
    // that cannot be read come back as a redirect marked `serverfnerror`).
    let failed = res_parts.status.is_client_error()
        || res_parts.status.is_server_error()
        || res_parts.headers.contains_key("serverfnerror");
    let refused = failed.then(|| serde_json::from_slice::<AppError>(&answer).ok()).flatten();
    if let Some(error) = refused {
        let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
        // The page the form was on, with Leptos's own `__err`/`__path`
        // parameters: its `ServerAction` then holds the refusal, as with JavaScript.
        let Some(uri) = with_error(&from_page, &path, error) else {
            return Response::from_parts(res_parts, Body::from(answer));
        };
        if let Err(e) = session.insert(PAGE_KEY, FormPage { action: path.clone(), page: from_page }).await {
            tracing::warn!(error = %e, "cannot note the page of a refused form");
        }
        let mut page = parts;
        page.method = Method::GET;
        page.uri = uri;
        page.headers.remove(header::CONTENT_TYPE);
        page.headers.remove(header::CONTENT_LENGTH);
        page.extensions.insert(FormReplay { action: path, fields });
        let mut shown = pages.render(Request::from_parts(page, Body::empty())).await;
        if shown.status().is_success() {
            *shown.status_mut() = status;
        }
        return shown;
    }
    if !res_parts.status.is_redirection() {
        return Response::from_parts(res_parts, Body::from(answer));
    }
    if failed {
        let page = super::simple_page("Not saved", "The form could not be read. Go back and send it again.");
        return (StatusCode::BAD_REQUEST, Html(page)).into_response();
    }
    if session.get::<FormPage>(PAGE_KEY).await.ok().flatten().is_some() {
        let _ = session.remove::<FormPage>(PAGE_KEY).await;
    }
    let output = String::from_utf8_lossy(&answer).into_owned();
    if let Err(e) = session.insert(DONE_KEY, FormDone { action: path.clone(), output }).await {
        tracing::warn!(error = %e, "cannot keep a form's answer for the next page");
    }
    let mut res = Response::from_parts(res_parts, Body::empty());
    // The page is fetched with GET whatever the method was, at its own
    // address (Leptos leaves a bare "?" after removing its parameters).
    *res.status_mut() = StatusCode::SEE_OTHER;
    let location = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let back = match admin_page(location) {
        Some(page) => page,
        None if path_of(location) == Some(path.as_str()) => from_page,
        None => return res,
    };
    if let Ok(back) = HeaderValue::from_str(back.trim_end_matches('?')) {
        res.headers_mut().insert(header::LOCATION, back);
    }
    res
}

/// A form posted by the browser itself (no JavaScript): it wants HTML back
/// and sends the fields URL-encoded.
fn plain_form_post(headers: &HeaderMap) -> bool {
    let get = |h| headers.get(h).and_then(|v| v.to_str().ok()).unwrap_or_default();
    get(header::ACCEPT).contains("text/html")
        && get(header::CONTENT_TYPE).starts_with("application/x-www-form-urlencoded")
}

/// The fields worth showing again: never a password or a secret.
fn kept_fields(body: &[u8]) -> Vec<(String, String)> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    pairs
        .into_iter()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !k.contains("password") && !k.contains("secret")
        })
        .collect()
}

/// The path of a URL (absolute or not).
fn path_of(url: &str) -> Option<&str> {
    let rest = match url.find("://") {
        Some(i) => &url[i + 3..],
        None => url,
    };
    let start = if url.contains("://") { rest.find('/')? } else { 0 };
    let path = &rest[start..];
    Some(path.split(['?', '#']).next().unwrap_or(path))
}

/// The admin page a form was on, from the Referer header (its path and
/// query; a page of another site is not one).
fn admin_page(referer: &str) -> Option<String> {
    let uri: Uri = referer.parse().ok()?;
    let path_and_query = uri.path_and_query()?;
    path_and_query.path().starts_with("/admin/").then(|| path_and_query.as_str().to_string())
}

/// `page` with the refusal of server function `action` in Leptos's URL form.
fn with_error(page: &str, action: &str, error: AppError) -> Option<Uri> {
    let url = ServerFnUrlError::new(action, error).to_url(&format!("http://localhost{page}")).ok()?;
    let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
    format!("{}{query}", url.path()).parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_and_secrets_are_not_kept() {
        let kept = kept_fields(b"clinic=pmc&form%5Bname%5D=Ana+B&new_password=x&form%5Bwebhook_secret%5D=y");
        assert_eq!(kept, vec![("clinic".into(), "pmc".into()), ("form[name]".into(), "Ana B".into())]);
    }

    #[test]
    fn only_browser_form_posts_are_replayed() {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, "text/html,application/xhtml+xml".parse().unwrap());
        h.insert(header::CONTENT_TYPE, "application/x-www-form-urlencoded".parse().unwrap());
        assert!(plain_form_post(&h));
        h.insert(header::ACCEPT, "application/json".parse().unwrap());
        assert!(!plain_form_post(&h));
    }

    #[test]
    fn refusals_go_back_to_admin_pages_only() {
        assert_eq!(
            admin_page("http://pmc.localhost:3000/admin/pmc/people?tab=2").as_deref(),
            Some("/admin/pmc/people?tab=2")
        );
        assert_eq!(admin_page("https://elsewhere.example/"), None);
        assert_eq!(admin_page("http://pmc.localhost:3000/blog"), None);
        assert_eq!(path_of("http://pmc.localhost:3000/api/admin/add_member?x=1"), Some("/api/admin/add_member"));
        assert_eq!(path_of("/api/admin/add_member"), Some("/api/admin/add_member"));
        assert_eq!(path_of("http://pmc.localhost:3000"), None);
        let error = AppError::Validation { field: "email".into(), message: "Enter an e-mail address.".into() };
        let uri = with_error("/admin/pmc/people", "/api/admin/add_member", error).unwrap();
        assert_eq!(uri.path(), "/admin/pmc/people");
        let query = uri.query().unwrap();
        assert!(query.contains("__err=") && query.contains("__path=%2Fapi%2Fadmin%2Fadd_member"), "{query}");
    }
}
