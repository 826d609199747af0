//! POST `/admin/{clinic}/lead-settings`: the request settings form, a plain
//! HTML form so it works without JavaScript.
//!
//! Saved → 303 back to the page (`?saved=1`, or `?saved=consent` when the
//! consent text got a new version). Refused → the page rendered again as a
//! GET with what was typed (never the secret) and a message at each field,
//! 422. Not allowed → the page rendered again, which answers 403/404 itself
//! (the save was refused before anything was read or written).

use std::sync::Arc;

use app::admin::model::{LeadSettingsForm, LeadSettingsRefused, Viewer};
use app::error::AppError;
use app::ports::AdminPort;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

/// Far more than the form can hold (its fields are a few KB at most).
const BODY_LIMIT: usize = 256 * 1024;

/// The clinic slug of `/admin/{clinic}/lead-settings`.
fn clinic_of(path: &str) -> String {
    path.trim_start_matches("/admin/").split('/').next().unwrap_or_default().to_string()
}

pub async fn post<R, F>(admin: Arc<dyn AdminPort>, req: Request, render: R) -> Response
where
    R: FnOnce(Request) -> F,
    F: std::future::Future<Output = Response>,
{
    let path = req.uri().path().to_string();
    let clinic = clinic_of(&path);
    let Some(viewer) = req.extensions().get::<Viewer>().cloned() else {
        return Redirect::to(&format!("/admin/login?next={}", app::text::url_encode(&path))).into_response();
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        let page = super::simple_page("Too large", "The form sent was larger than the settings can be.");
        return (StatusCode::PAYLOAD_TOO_LARGE, Html(page)).into_response();
    };
    let Ok(form) = serde_urlencoded::from_bytes::<LeadSettingsForm>(&bytes) else {
        let page = super::simple_page("Cannot read the form", "Go back and send the settings again.");
        return (StatusCode::BAD_REQUEST, Html(page)).into_response();
    };
    match admin.save_lead_settings(&viewer, &clinic, form.clone()).await {
        Ok(saved) => {
            let how = if saved.new_consent_version.is_some() { "consent" } else { "1" };
            Redirect::to(&format!("/admin/{clinic}/lead-settings?saved={how}")).into_response()
        }
        Err(e) => {
            let errors = match &e {
                AppError::Fields(list) => list.clone(),
                AppError::Validation { field, message } => vec![(field.clone(), message.clone())],
                _ => Vec::new(),
            };
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let refused = (!errors.is_empty()).then(|| LeadSettingsRefused {
                secret_typed: !form.webhook_secret.trim().is_empty(),
                form: LeadSettingsForm { webhook_secret: String::new(), ..form },
                errors,
            });
            render_again(render, parts, status, refused).await
        }
    }
}

async fn render_again<R, F>(
    render: R,
    mut parts: axum::http::request::Parts,
    status: StatusCode,
    refused: Option<LeadSettingsRefused>,
) -> Response
where
    R: FnOnce(Request) -> F,
    F: std::future::Future<Output = Response>,
{
    parts.method = Method::GET;
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    if let Some(r) = refused {
        parts.extensions.insert(r);
    }
    let mut res = render(Request::from_parts(parts, Body::empty())).await;
    if res.status().is_success() {
        *res.status_mut() = status;
    }
    res
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_clinic_comes_from_the_path() {
        assert_eq!(super::clinic_of("/admin/pmc/lead-settings"), "pmc");
    }
}
