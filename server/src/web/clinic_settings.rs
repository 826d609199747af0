//! POST `/admin/{clinic}/settings`: the clinic settings page's two plain
//! HTML forms, so both work without JavaScript.
//!
//! * `application/x-www-form-urlencoded`: name, tagline and brand colour →
//!   `AdminPort::save_clinic_settings`.
//! * `multipart/form-data`: the logo — `action=upload` with a `file`, or
//!   `action=remove` — checked with `authorize` (`Action::ManageClinic`)
//!   before the body is read, then `clinics::settings::set_logo` /
//!   `remove_logo`.
//!
//! Saved → 303 back to the page (`?saved=1`, `logo`, `logo-removed`,
//! `none`). Refused → the page rendered again as a GET with what was typed
//! and a message at each field (`ClinicSettingsRefused` in the request's
//! extensions, read by `get_clinic_settings`), 422. Not allowed → the page
//! rendered again, which answers 403/404/410 itself (nothing was read or
//! written).

use std::sync::Arc;

use app::admin::model::{ClinicSettingsForm, ClinicSettingsRefused, Viewer};
use app::error::AppError;
use app::ports::AdminPort;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::AppState;
use crate::accounts::authz::{Action, Decision, Principal, authorize};
use crate::audit::Actor;
use crate::clinics::settings::{self, ClinicSettingsError, LOGO_MAX_BYTES};
use crate::entities::{app_user, clinic};

/// Far more than the details form can hold.
const FORM_LIMIT: usize = 64 * 1024;

/// The clinic slug of `/admin/{clinic}/settings`.
fn clinic_of(path: &str) -> String {
    path.trim_start_matches("/admin/").split('/').next().unwrap_or_default().to_string()
}

pub async fn post<R, F>(state: AppState, admin: Arc<dyn AdminPort>, req: Request, render: R) -> Response
where
    R: FnOnce(Request) -> F,
    F: std::future::Future<Output = Response>,
{
    let path = req.uri().path().to_string();
    let slug = clinic_of(&path);
    let Some(viewer) = req.extensions().get::<Viewer>().cloned() else {
        return Redirect::to(&format!("/admin/login?next={}", app::text::url_encode(&path))).into_response();
    };
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if multipart {
        return logo(state, viewer, slug, req, render).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, FORM_LIMIT).await else {
        let page = super::simple_page("Too large", "The form sent was larger than the settings can be.");
        return (StatusCode::PAYLOAD_TOO_LARGE, Html(page)).into_response();
    };
    let Ok(form) = serde_urlencoded::from_bytes::<ClinicSettingsForm>(&bytes) else {
        let page = super::simple_page("Cannot read the form", "Go back and send the settings again.");
        return (StatusCode::BAD_REQUEST, Html(page)).into_response();
    };
    match admin.save_clinic_settings(&viewer, &slug, form.clone()).await {
        Ok(message) => {
            let how = if message == "Nothing changed." { "none" } else { "1" };
            Redirect::to(&format!("/admin/{slug}/settings?saved={how}")).into_response()
        }
        Err(e) => {
            let errors = match &e {
                AppError::Fields(list) => list.clone(),
                AppError::Validation { field, message } => vec![(field.clone(), message.clone())],
                _ => Vec::new(),
            };
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let refused = (!errors.is_empty()).then_some(ClinicSettingsRefused { form: Some(form), errors });
            render_again(render, parts, status, refused).await
        }
    }
}

/// The logo form: authorise first, then read the upload.
async fn logo<R, F>(state: AppState, viewer: Viewer, slug: String, req: Request, render: R) -> Response
where
    R: FnOnce(Request) -> F,
    F: std::future::Future<Output = Response>,
{
    let (parts, body) = req.into_parts();
    let found = clinic::Entity::find().filter(clinic::Column::Slug.eq(&slug)).one(&state.db).await;
    let c = match found {
        Ok(Some(c)) => c,
        Ok(None) => return render_again(render, parts, StatusCode::NOT_FOUND, None).await,
        Err(e) => {
            tracing::error!(error = %e, "database error on the clinic settings page");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Html(super::simple_page("Try again", "Please try again in a moment.")),
            )
                .into_response();
        }
    };
    let principal = parts.extensions.get::<Principal>().cloned().unwrap_or_default();
    let allowed = authorize(&principal, c.id, Action::ManageClinic) == Decision::Allow
        && (c.archived_at.is_none() || principal.owner);
    if !allowed {
        // The page answers 403, 404 or 410 itself, as a GET would.
        return render_again(render, parts, StatusCode::FORBIDDEN, None).await;
    }
    let actor = match app_user::Entity::find_by_id(viewer.user_id).one(&state.db).await {
        Ok(Some(u)) => Actor::from(&u),
        _ => Actor { id: Some(viewer.user_id), name: viewer.name.clone(), email: viewer.email.clone() },
    };

    let req = Request::from_parts(parts.clone(), body);
    let read = match Multipart::from_request(req, &state).await {
        Ok(m) => read_logo_form(m).await,
        Err(_) => Err("The upload could not be read; choose the file and send it again.".to_string()),
    };
    let now = Utc::now();
    let result = match read {
        Err(message) => Err(ClinicSettingsError::Invalid(vec![("logo".into(), message)])),
        Ok(LogoForm { remove: true, .. }) => {
            settings::remove_logo(&state.db, c.id, &actor, now).await.map(|_| "logo-removed")
        }
        Ok(LogoForm { file: None, .. }) => {
            Err(ClinicSettingsError::Invalid(vec![("logo".into(), "Choose an image file for the logo.".into())]))
        }
        Ok(LogoForm { file: Some((name, bytes)), .. }) => {
            settings::set_logo(&state.db, &state.settings.media_root, c.id, &actor, &name, bytes, now)
                .await
                .map(|_| "logo")
        }
    };
    match result {
        Ok(how) => Redirect::to(&format!("/admin/{slug}/settings?saved={how}")).into_response(),
        Err(ClinicSettingsError::Invalid(errors)) => {
            let refused = ClinicSettingsRefused { form: None, errors };
            render_again(render, parts, StatusCode::UNPROCESSABLE_ENTITY, Some(refused)).await
        }
        Err(ClinicSettingsError::NotFound) => render_again(render, parts, StatusCode::NOT_FOUND, None).await,
        Err(e) => {
            tracing::error!(error = %e, "cannot store a clinic logo");
            let refused = ClinicSettingsRefused {
                form: None,
                errors: vec![("logo".into(), "The logo could not be stored; try again in a moment.".into())],
            };
            render_again(render, parts, StatusCode::SERVICE_UNAVAILABLE, Some(refused)).await
        }
    }
}

struct LogoForm {
    remove: bool,
    file: Option<(String, Vec<u8>)>,
}

/// The logo form's fields. The file is kept up to [`LOGO_MAX_BYTES`]; a
/// larger one is read to its end (up to the request limit) only to say
/// how large it was.
async fn read_logo_form(mut multipart: Multipart) -> Result<LogoForm, String> {
    let cut_off = || format!("The file is larger than 64 MB; a logo may be at most {} MB.", LOGO_MAX_BYTES / 1_048_576);
    let mut form = LogoForm { remove: false, file: None };
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(cut_off()),
            Err(_) => return Err("The upload could not be read; choose the file and send it again.".into()),
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let mut buf = Vec::new();
            let mut total = 0usize;
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        total += chunk.len();
                        if total <= LOGO_MAX_BYTES {
                            buf.extend_from_slice(&chunk);
                        } else {
                            buf = Vec::new();
                        }
                    }
                    Ok(None) => break,
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(cut_off()),
                    Err(_) => return Err("The upload could not be read; choose the file and send it again.".into()),
                }
            }
            if total > LOGO_MAX_BYTES {
                return Err(settings::too_large(total));
            }
            // A browser sends an empty file part when no file was chosen.
            if total > 0 || !file_name.is_empty() {
                form.file = Some((file_name, buf));
            }
            continue;
        }
        match field.text().await {
            Ok(v) if name == "action" => form.remove = v == "remove",
            Ok(_) => {}
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(cut_off()),
            Err(_) => return Err("The upload could not be read; choose the file and send it again.".into()),
        }
    }
    Ok(form)
}

async fn render_again<R, F>(
    render: R,
    mut parts: axum::http::request::Parts,
    status: StatusCode,
    refused: Option<ClinicSettingsRefused>,
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
        assert_eq!(super::clinic_of("/admin/pmc/settings"), "pmc");
    }
}
