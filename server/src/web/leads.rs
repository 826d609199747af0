//! The lead forms' POSTs (`/contact`, `/locations/{slug}`): plain HTML
//! forms, so they work without JavaScript.
//!
//! Accepted → 303 to the thank-you page, only after the lead's commit.
//! Refused (a field, too many requests) → the same page rendered again with
//! everything typed and the messages (422 / 429 with Retry-After): the
//! Leptos app renders the request as a GET carrying the refused submission
//! in its extensions, which the form reads. Not saved (the database failed) → 503 with a
//! self-contained page naming the office phones and holding the typed text,
//! so nothing is lost and no false thank-you is shown.

use std::net::SocketAddr;

use app::leads::form::RawLead;
use app::leads::model::{OfficeChoice, Submission};
use app::model::Site;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Utc;
use sea_orm::EntityTrait;

use super::AppState;
use crate::entities::clinic;
use crate::leads::routing::form_page;
use crate::leads::store::{self, Hidden, Origin, SubmitError};

/// Large enough that a 1 MB message reaches the form's own rule and gets
/// its message ("5,000 characters at most"), not a bare "too large".
pub const FORM_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// Whether `path` takes an HTML lead form's POST. (The JSON API answers a
/// database outage with its own 503 and the offices it remembers.)
pub fn is_form_post(path: &str) -> bool {
    form_page(path).is_some()
}

/// POST `/contact` and `/locations/{slug}`. `render` renders a page (the
/// Leptos app) for a request: the form's page, shown again when refused.
pub async fn lead_post<R, F>(state: AppState, req: Request, render: R) -> Response
where
    R: FnOnce(Request) -> F,
    F: std::future::Future<Output = Response>,
{
    let page_office = form_page(req.uri().path()).unwrap_or_default();
    let Some(Site::Clinic(info)) = req.extensions().get::<Site>().cloned() else {
        return render_again(render, req.into_parts().0, StatusCode::NOT_FOUND, Submission::default()).await;
    };
    let connect = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let ip = super::auth::client_ip(req.headers(), connect, state.settings.trust_proxy);
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, FORM_BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                Html(super::simple_page(
                    "Your request is too long",
                    "What you sent is larger than 4 MB. Go back, shorten your message and send it again.",
                )),
            )
                .into_response();
        }
    };
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let one = |k: &str| pairs.iter().rev().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let raw = RawLead::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.clone())));
    let hidden = Hidden {
        honeypot: one(crate::leads::spam::HONEYPOT_FIELD).unwrap_or_default(),
        token: one(crate::leads::spam::TOKEN_FIELD).unwrap_or_default(),
        receipt: raw.has("receipt", "on"),
        token_optional: false,
    };
    let origin = Origin {
        page_path: parts.uri.path().to_string(),
        page_office,
        ip,
        utm_source: one("utm_source"),
        utm_medium: one("utm_medium"),
        utm_campaign: one("utm_campaign"),
        base_url: info.base_url.clone(),
    };

    let now = Utc::now();
    let outcome = match clinic::Entity::find_by_id(info.id).one(&state.leads.db).await {
        Ok(Some(c)) => store::submit(&state.leads.db, &c, &raw, &hidden, &origin, now).await,
        Ok(None) => return render_again(render, parts, StatusCode::NOT_FOUND, Submission::default()).await,
        Err(e) => Err(SubmitError::Unavailable(e)),
    };
    let (status, submission) = match outcome {
        Ok(accepted) => {
            state.leads.outbox.wake();
            let mut to = format!("/contact/thanks?ref={}", accepted.reference);
            if let Some(o) = accepted.office {
                to.push_str(&format!("&office={o}"));
            }
            return Redirect::to(&to).into_response();
        }
        Err(SubmitError::Invalid(errors)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, Submission { values: raw, errors, problem: None })
        }
        Err(SubmitError::RateLimited { retry_after }) => {
            let minutes = retry_after.div_ceil(60);
            let wait = if minutes <= 1 { "a minute".to_string() } else { format!("{minutes} minutes") };
            let problem = format!(
                "We have received several requests from you in a short time. Please wait {wait} before sending another, or call the office."
            );
            let mut res = render_again(
                render,
                parts,
                StatusCode::TOO_MANY_REQUESTS,
                Submission { values: raw, errors: vec![], problem: Some(problem) },
            )
            .await;
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            return res;
        }
        Err(SubmitError::Unavailable(e)) => {
            // Never the lead's fields in the log.
            tracing::error!(error = %e, clinic = info.id, "a lead could not be saved; the visitor was asked to call");
            let offices = state.leads.remembered_offices(info.id);
            let page = not_sent_page(&info.name, &offices, &raw, &hidden.token);
            return (StatusCode::SERVICE_UNAVAILABLE, Html(page)).into_response();
        }
    };
    render_again(render, parts, status, submission).await
}

async fn render_again<R, F>(
    render: R,
    mut parts: axum::http::request::Parts,
    status: StatusCode,
    submission: Submission,
) -> Response
where
    R: FnOnce(Request) -> F,
    F: std::future::Future<Output = Response>,
{
    parts.method = Method::GET;
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.extensions.insert(submission);
    let mut res = render(Request::from_parts(parts, Body::empty())).await;
    if res.status().is_success() {
        *res.status_mut() = status;
    }
    res
}

/// Every value here sits in element content or a double-quoted attribute.
fn esc(s: &str) -> String {
    app::text::escape_html(s)
}

/// The "not sent" page: whom to call, and the typed text to copy or send again.
fn not_sent_page(clinic: &str, offices: &[OfficeChoice], raw: &RawLead, token: &str) -> String {
    let phones: String = offices
        .iter()
        .map(|o| {
            let tel: String = o.phone.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
            format!("<li>{}: <a href=\"tel:{}\">{}</a></li>", esc(&o.name), esc(&tel), esc(&o.phone))
        })
        .collect();
    let call = if phones.is_empty() {
        "<p>Please call the clinic instead.</p>".to_string()
    } else {
        format!("<p>Please call us instead:</p><ul>{phones}</ul>")
    };
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Not sent · {clinic}</title><link rel=\"stylesheet\" href=\"/pkg/clinicpress.css\"></head><body>\
         <main id=\"main\" class=\"wrap narrow error-page\"><p class=\"eyebrow\">{clinic}</p>\
         <h1>Your request was not sent</h1>\
         <p>Our system could not save your request just now, so it has <strong>not</strong> reached us. Nothing you typed was kept by us.</p>\
         {call}\
         <form method=\"post\" class=\"panel stack\"><h2>Your text, to copy or to send again</h2>\
         <label for=\"nf-name\">Your name</label><input id=\"nf-name\" name=\"name\" value=\"{name}\">\
         <label for=\"nf-phone\">Phone</label><input id=\"nf-phone\" name=\"phone\" value=\"{phone}\">\
         <label for=\"nf-email\">E-mail</label><input id=\"nf-email\" name=\"email\" value=\"{email}\">\
         <label for=\"nf-message\">Your message</label><textarea id=\"nf-message\" name=\"message\" rows=\"6\">{message}</textarea>\
         <input type=\"hidden\" name=\"kind\" value=\"{kind}\"><input type=\"hidden\" name=\"contact_method\" value=\"{method}\">\
         <input type=\"hidden\" name=\"office\" value=\"{office}\"><input type=\"hidden\" name=\"zip\" value=\"{zip}\">\
         <input type=\"hidden\" name=\"consent\" value=\"{consent}\"><input type=\"hidden\" name=\"form_token\" value=\"{token}\">\
         <button class=\"button\" type=\"submit\">Try sending again</button></form></main></body></html>",
        clinic = esc(clinic),
        name = esc(&raw.name),
        phone = esc(&raw.phone),
        email = esc(&raw.email),
        message = esc(&raw.message),
        kind = esc(&raw.kind),
        method = esc(&raw.contact_method),
        office = esc(&raw.office),
        zip = esc(&raw.zip),
        consent = esc(&raw.consent),
        token = esc(token),
    )
}

/// `GET /admin/{clinic}/leads.csv?status=…&office=…&q=…`: the inbox's
/// filtered list as a CSV download, only what this user may see; audit-logged.
pub async fn export_csv(
    axum::extract::State(state): axum::extract::State<AppState>,
    axum::extract::Path(slug): axum::extract::Path<String>,
    axum::extract::Query(query): axum::extract::Query<app::leads::model::InboxQuery>,
    viewer: Option<axum::Extension<app::admin::model::Viewer>>,
    principal: Option<axum::Extension<crate::accounts::authz::Principal>>,
) -> Response {
    use crate::accounts::authz::{Action, Decision, authorize};
    use sea_orm::{ColumnTrait, QueryFilter};
    let slug = slug.as_str();
    let (Some(axum::Extension(viewer)), Some(axum::Extension(principal))) = (viewer, principal) else {
        return Redirect::to(&format!("/admin/login?next=/admin/{slug}/leads")).into_response();
    };
    let clinic = match clinic::Entity::find().filter(clinic::Column::Slug.eq(slug)).one(&state.db).await {
        Ok(Some(c)) => c,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "database error during a lead export");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    match authorize(&principal, clinic.id, Action::ReadLeads) {
        Decision::Allow => {}
        Decision::Forbidden => return StatusCode::FORBIDDEN.into_response(),
        Decision::NotFound => return StatusCode::NOT_FOUND.into_response(),
    }
    let Ok(Some(user)) = crate::entities::app_user::Entity::find_by_id(viewer.user_id).one(&state.db).await else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let scope = crate::leads::inbox::Scope::of(&principal, clinic.id);
    let actor = crate::audit::Actor::from(&user);
    match crate::leads::inbox::export(&state.db, clinic.id, &scope, &query, &actor, Utc::now()).await {
        Ok(bytes) => {
            let name = format!("requests-{}-{}.csv", clinic.slug, Utc::now().format("%Y-%m-%d"));
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
                    (header::CACHE_CONTROL, "no-store".to_string()),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "lead export failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// `GET /admin/leads` (the address in the issue and in habits): the inbox
/// of the clinic this host serves.
pub async fn inbox_redirect(req: Request) -> Redirect {
    match req.extensions().get::<Site>() {
        Some(Site::Clinic(c)) => Redirect::to(&format!("/admin/{}/leads", c.slug)),
        _ => Redirect::to("/admin"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_contact_page_and_office_pages_take_leads() {
        assert_eq!(form_page("/contact"), Some(None));
        assert_eq!(form_page("/locations/concord"), Some(Some("concord".into())));
        assert_eq!(form_page("/locations/"), None);
        assert_eq!(form_page("/locations/a/b"), None);
        assert_eq!(form_page("/admin/login"), None);
    }

    #[test]
    fn the_not_sent_page_escapes_what_was_typed() {
        let raw = RawLead { name: "<script>x</script>".into(), message: "a\"b".into(), ..Default::default() };
        let page = not_sent_page("Clinic", &[], &raw, "t");
        assert!(!page.contains("<script>x"));
        assert!(page.contains("&lt;script&gt;"));
    }
}
