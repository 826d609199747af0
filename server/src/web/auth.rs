//! Sessions, the signed-in user, CSRF defence, and the sign-in, sign-out
//! and password-reset form handlers.
//!
//! * Sessions: tower-sessions over [`DbSessionStore`]; cookie `cp_session`,
//!   HttpOnly, SameSite=Lax, `Secure` when `--secure-cookies` is set. Idle
//!   lifetime [`IDLE_HOURS`] (renewed by activity), absolute lifetime
//!   [`ABSOLUTE_DAYS`] from sign-in. The id is rotated at sign-in and
//!   whenever the user's roles change.
//! * CSRF: every POST, PUT, PATCH and DELETE (server functions included)
//!   must come from the same origin: `Sec-Fetch-Site` must be `same-origin`
//!   (or `none`), else the `Origin` header must name this host. Requests
//!   carrying neither header (not from a browser) pass. One exemption:
//!   `POST /api/v1/leads`, the public lead API, which reads no session or
//!   cookie (so a forged request cannot act for anyone) and has its own
//!   CORS allow-list and rate limits (`web::api_leads`).

use std::net::SocketAddr;

use app::admin::model::{Flash, Viewer};
use axum::Extension;
use axum::extract::{ConnectInfo, Form, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use tower_sessions::cookie::SameSite;
use tower_sessions::cookie::time::Duration;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

use super::AppState;
use crate::accounts::authz::Principal;
use crate::accounts::sessions::{DbSessionStore, USER_ID_KEY};
use crate::accounts::{login, reset, users};
use crate::audit;
use crate::entities::app_user;
use sea_orm::EntityTrait;

pub const COOKIE_NAME: &str = "cp_session";
pub const IDLE_HOURS: i64 = 12;
pub const ABSOLUTE_DAYS: i64 = 7;
const AUTH_AT_KEY: &str = "auth_at";
const GRANTS_KEY: &str = "grants";
const FLASH_KEY: &str = "flash";

pub fn session_layer(store: DbSessionStore, secure: bool) -> SessionManagerLayer<DbSessionStore> {
    SessionManagerLayer::new(store)
        .with_name(COOKIE_NAME)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(Duration::hours(IDLE_HOURS)))
        // Every request of a signed-in user renews the expiry (one small
        // update), so "idle" really counts from the last request and the
        // People page can tell when someone was last active.
        .with_always_save(true)
}

/// A stable fingerprint of a user's roles; a change rotates the session id.
fn grants_fingerprint(p: &Principal) -> String {
    let mut g: Vec<String> =
        p.grants.iter().map(|g| format!("{}:{}:{:?}", g.clinic_id, g.role.as_str(), g.location_id)).collect();
    g.sort();
    format!("{}|{}", p.owner, g.join(","))
}

/// Paths under /admin that work without signing in.
fn public_admin_path(path: &str) -> bool {
    path == "/admin/login" || path == "/admin/reset" || path.starts_with("/admin/reset/")
}

/// Only same-site admin paths may be a `next` target.
pub fn safe_next(next: &str) -> &str {
    if next.starts_with("/admin") && !next.starts_with("//") && !next.contains('\\') && !public_admin_path(next) {
        next
    } else {
        "/admin"
    }
}

/// Who is signed in: puts [`Viewer`] (and the [`Principal`]) into the
/// request; sends anonymous page requests for /admin to the sign-in page.
pub async fn current_user(State(state): State<AppState>, session: Session, mut req: Request, next: Next) -> Response {
    // Only the admin area and server functions need to know who is asking.
    let path = req.uri().path();
    if !(path.starts_with("/admin") || path.starts_with("/api/")) {
        return next.run(req).await;
    }
    let origin = link_base(req.headers());
    match load_viewer(&state, &session, origin).await {
        Ok(Some((viewer, principal))) => {
            req.extensions_mut().insert(viewer);
            req.extensions_mut().insert(principal);
        }
        Ok(None) => {}
        Err(e) => {
            tracing::error!(error = %e, "cannot load the session");
            return (StatusCode::SERVICE_UNAVAILABLE, "The service is unavailable; try again in a moment.")
                .into_response();
        }
    }
    let path = req.uri().path().to_string();
    let signed_in = req.extensions().get::<Viewer>().is_some();
    if req.method() == Method::GET && path.starts_with("/admin") {
        if public_admin_path(&path) || (signed_in && path.ends_with("/media")) {
            if signed_in && path == "/admin/login" {
                return Redirect::to("/admin").into_response();
            }
            if let Ok(Some(flash)) = session.remove::<Flash>(FLASH_KEY).await {
                req.extensions_mut().insert(flash);
            }
        } else if !signed_in {
            let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/admin");
            let next = app::text::url_encode(safe_next(target));
            return Redirect::to(&format!("/admin/login?next={next}")).into_response();
        }
    }
    next.run(req).await
}

async fn load_viewer(
    state: &AppState,
    session: &Session,
    origin: String,
) -> Result<Option<(Viewer, Principal)>, String> {
    let Some(user_id) = session.get::<i32>(USER_ID_KEY).await.map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let auth_at = session.get::<i64>(AUTH_AT_KEY).await.map_err(|e| e.to_string())?.unwrap_or(0);
    let now = Utc::now().timestamp();
    let Some(u) = app_user::Entity::find_by_id(user_id).one(&state.db).await.map_err(|e| e.to_string())? else {
        session.flush().await.map_err(|e| e.to_string())?;
        return Ok(None);
    };
    let principal = users::principal(&state.db, user_id).await.map_err(|e| e.to_string())?;
    let expired = now - auth_at > ABSOLUTE_DAYS * 86_400;
    let (false, Some(principal)) = (expired, principal) else {
        session.flush().await.map_err(|e| e.to_string())?;
        return Ok(None);
    };
    if principal.disabled {
        session.flush().await.map_err(|e| e.to_string())?;
        return Ok(None);
    }
    let fingerprint = grants_fingerprint(&principal);
    if session.get::<String>(GRANTS_KEY).await.map_err(|e| e.to_string())?.as_deref() != Some(fingerprint.as_str()) {
        session.cycle_id().await.map_err(|e| e.to_string())?;
        session.insert(GRANTS_KEY, fingerprint).await.map_err(|e| e.to_string())?;
    }
    Ok(Some((Viewer { user_id: u.id, name: u.name, email: u.email, origin }, principal)))
}

/// The client's address, for throttling.
pub(crate) fn client_ip(req_headers: &HeaderMap, connect: Option<SocketAddr>, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(first) = req_headers
            .get("x-forwarded-for")
            .and_then(|h| h.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    {
        return first.to_string();
    }
    connect.map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

/// `Origin`/`Sec-Fetch-Site` verdict for a state-changing request.
pub fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|h| h.to_str().ok()) {
        return site == "same-origin" || site == "none";
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
        let origin = origin.to_str().unwrap_or("null");
        let origin_host = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
        return origin_host.is_some_and(|o| !host.is_empty() && o.eq_ignore_ascii_case(host));
    }
    true
}

/// A path fit for the log: long opaque segments (reset and preview tokens,
/// `/admin/reset/{token}`) are replaced by `:token`, so no log line carries
/// a secret that works as a key.
pub fn loggable_path(path: &str) -> String {
    path.split('/')
        .map(|seg| if seg.len() >= 20 && seg.chars().all(|c| c.is_ascii_alphanumeric()) { ":token" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

/// Refuse cross-site state-changing requests (see the module comment).
pub async fn csrf(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE);
    if safe || same_origin(req.headers()) || super::api_leads::is_api_post(req.method(), req.uri().path()) {
        return next.run(req).await;
    }
    tracing::warn!(path = %loggable_path(req.uri().path()), "refused a cross-site request");
    (
        StatusCode::FORBIDDEN,
        Html(super::simple_page(
            "Request refused",
            "This form was sent from another web site, so it was refused to protect your account. Go back to the page, reload it and send the form again.",
        )),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn set_flash(session: &Session, flash: Flash) {
    if let Err(e) = session.insert(FLASH_KEY, flash).await {
        tracing::error!(error = %e, "cannot store a flash message");
    }
}

/// POST /admin/login
pub async fn login_submit(
    State(state): State<AppState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(&form.next).to_string();
    let back = format!("/admin/login?next={}", app::text::url_encode(&next));
    if form.email.trim().is_empty() || form.password.is_empty() {
        set_flash(
            &session,
            Flash {
                error: Some("Enter your e-mail address and your password.".into()),
                email: form.email.trim().into(),
                ..Flash::default()
            },
        )
        .await;
        return Redirect::to(&back).into_response();
    }
    let ip = client_ip(&headers, connect.map(|c| c.0.0), state.settings.trust_proxy);
    match login::sign_in(&state.db, &form.email, &form.password, &ip, Utc::now()).await {
        Ok(signed) => {
            let fingerprint = grants_fingerprint(&signed.principal);
            let stored = async {
                session.remove_value(FLASH_KEY).await?;
                session.cycle_id().await?;
                session.insert(USER_ID_KEY, signed.user.id).await?;
                session.insert(AUTH_AT_KEY, Utc::now().timestamp()).await?;
                session.insert(GRANTS_KEY, fingerprint).await
            }
            .await;
            if let Err(e) = stored {
                tracing::error!(error = %e, "cannot store the session");
                return (StatusCode::SERVICE_UNAVAILABLE, "The service is unavailable; try again in a moment.")
                    .into_response();
            }
            audit::record_quietly(
                &state.db,
                None,
                &signed.user,
                "user.sign_in",
                "user",
                Some(signed.user.id),
                "signed in",
            )
            .await;
            Redirect::to(&next).into_response()
        }
        Err(login::LoginError::Db(e)) => {
            tracing::error!(error = %e, "database error while signing in");
            set_flash(
                &session,
                Flash {
                    error: Some("Signing in is not possible right now; try again in a moment.".into()),
                    email: form.email.trim().into(),
                    ..Flash::default()
                },
            )
            .await;
            Redirect::to(&back).into_response()
        }
        Err(e) => {
            set_flash(
                &session,
                Flash { error: Some(e.to_string()), email: form.email.trim().into(), ..Flash::default() },
            )
            .await;
            Redirect::to(&back).into_response()
        }
    }
}

/// POST /admin/logout
pub async fn logout(session: Session) -> Response {
    if let Err(e) = session.flush().await {
        tracing::error!(error = %e, "cannot end the session");
    }
    let mut res = Redirect::to("/admin/login").into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    res
}

#[derive(Debug, Deserialize)]
pub struct ResetRequestForm {
    #[serde(default)]
    email: String,
}

/// The scheme and host this request came to, for links in e-mails.
fn link_base(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme =
        headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()).filter(|p| *p == "https").unwrap_or("http");
    format!("{scheme}://{host}")
}

/// Where a password-reset link may point: the clinic's own primary address,
/// or this machine. Never simply the Host header: anyone can send a reset
/// request with `Host: 203.0.113.9`, and the link (with its one-time
/// token) would then lead to their server. `None`: no safe address.
pub fn reset_link_base(site: Option<&app::model::Site>, headers: &HeaderMap) -> Option<String> {
    match site {
        Some(app::model::Site::Clinic(c)) => Some(c.primary().to_string()),
        _ => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
            let (name, _) = crate::clinics::tenancy::split_host(host);
            let loopback = name == "localhost" || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
            loopback.then(|| link_base(headers))
        }
    }
}

/// POST /admin/reset — mail a one-time link (same answer whether or not the account exists).
pub async fn reset_request(
    State(state): State<AppState>,
    session: Session,
    site: Option<Extension<app::model::Site>>,
    headers: HeaderMap,
    Form(form): Form<ResetRequestForm>,
) -> Response {
    if users::normalise_email(&form.email).is_err() {
        set_flash(
            &session,
            Flash {
                error: Some("Enter the e-mail address of your account, like name@clinic.example.".into()),
                email: form.email.trim().into(),
                ..Flash::default()
            },
        )
        .await;
        return Redirect::to("/admin/reset").into_response();
    }
    let base = reset_link_base(site.as_ref().map(|Extension(s)| s), &headers);
    if base.is_none() {
        // The same answer as always (it must not tell whether the account exists).
        tracing::warn!(
            "password reset asked on an address that is neither a clinic's nor this machine's; no link sent"
        );
    }
    let sent = match &base {
        Some(base) => reset::request(&state.db, &state.settings.mailer, &form.email, base, Utc::now()).await,
        None => Ok(()),
    };
    if let Err(e) = sent {
        tracing::error!(error = %e, "cannot send a password-reset link");
        set_flash(
            &session,
            Flash {
                error: Some("The reset link could not be sent right now; try again in a moment.".into()),
                email: form.email.trim().into(),
                ..Flash::default()
            },
        )
        .await;
        return Redirect::to("/admin/reset").into_response();
    }
    set_flash(
        &session,
        Flash {
            notice: Some(format!(
                "If {} has an account, a link to choose a new password is on its way. It works once, for {} minutes.",
                form.email.trim(),
                reset::LINK_MINUTES
            )),
            email: form.email.trim().into(),
            ..Flash::default()
        },
    )
    .await;
    Redirect::to("/admin/login").into_response()
}

#[derive(Debug, Deserialize)]
pub struct NewPasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// POST /admin/reset/{token}
pub async fn reset_complete(
    State(state): State<AppState>,
    session: Session,
    axum::extract::Path(token): axum::extract::Path<String>,
    Form(form): Form<NewPasswordForm>,
) -> Response {
    let back = format!("/admin/reset/{}", app::text::url_encode(&token));
    let fail = |msg: String| Flash { error: Some(msg), ..Flash::default() };
    if form.password != form.confirm {
        set_flash(&session, fail("The two passwords differ; type the same password twice.".into())).await;
        return Redirect::to(&back).into_response();
    }
    match reset::complete(&state.db, &token, &form.password, Utc::now()).await {
        Ok(user) => {
            audit::record_quietly(
                &state.db,
                None,
                &user,
                "user.password_reset",
                "user",
                Some(user.id),
                "reset their password by e-mail link",
            )
            .await;
            set_flash(
                &session,
                Flash {
                    notice: Some("Your password is changed. Sign in with the new password.".into()),
                    email: user.email,
                    ..Flash::default()
                },
            )
            .await;
            Redirect::to("/admin/login").into_response()
        }
        Err(reset::ResetError::Db(e)) => {
            tracing::error!(error = %e, "database error during password reset");
            set_flash(&session, fail("The password could not be changed right now; try again in a moment.".into()))
                .await;
            Redirect::to(&back).into_response()
        }
        Err(e) => {
            set_flash(&session, fail(e.to_string())).await;
            Redirect::to(&back).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn tokens_never_reach_the_log() {
        let token = "3f".repeat(32);
        assert_eq!(loggable_path(&format!("/admin/reset/{token}")), "/admin/reset/:token");
        assert_eq!(loggable_path(&format!("/preview/{token}")), "/preview/:token");
        assert_eq!(loggable_path("/api/admin/save_office"), "/api/admin/save_office");
        assert_eq!(
            loggable_path("/blog/a-very-long-but-readable-post-slug"),
            "/blog/a-very-long-but-readable-post-slug"
        );
    }
}
