//! `GET /media/{file}` (a clinic's uploaded images, on its own host) and
//! `POST /admin/{clinic}/media` (upload, a plain multipart form).

use app::admin::model::{Flash, Viewer};
use app::model::Site;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, extract::DefaultBodyLimit};
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tower_sessions::Session;

use super::AppState;
use crate::accounts::authz::{Action, Decision, Principal, authorize};
use crate::audit::Actor;
use crate::entities::clinic;
use crate::media::{self, MediaError};

/// Requests larger than this are cut off while reading (a little above the file limit).
///
/// The file itself is limited to [`media::MAX_BYTES`] while it streams in
/// (see [`read_file`]); the request may be larger so that a too-large
/// file is read to the end and answered with a message that keeps the
/// typed alt text, instead of a connection cut mid-upload.
pub fn body_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(MAX_REQUEST_BYTES)
}

/// Uploads above this are cut off by the server.
const MAX_REQUEST_BYTES: usize = 64 * 1024 * 1024;

/// Read the file field up to [`media::MAX_BYTES`]; past that, drain the rest
/// (up to the request limit) and report it too large.
async fn read_file(field: &mut axum::extract::multipart::Field<'_>) -> Result<Vec<u8>, MediaError> {
    let too_large = || MediaError::TooLarge(media::MAX_BYTES as f64 / 1_048_576.0 + 0.1);
    let mut buf = Vec::new();
    let mut over = false;
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                if !over && buf.len() + chunk.len() > media::MAX_BYTES {
                    over = true;
                    buf = Vec::new();
                }
                if !over {
                    buf.extend_from_slice(&chunk);
                }
            }
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(_) => return Err(MediaError::NoFile),
        }
    }
    if over { Err(too_large()) } else { Ok(buf) }
}

pub async fn serve(State(state): State<AppState>, site: Option<Extension<Site>>, Path(file): Path<String>) -> Response {
    let Some(Extension(Site::Clinic(clinic))) = site else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !media::valid_file_name(&file) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let path = media::folder(&state.settings.media_root, clinic.id).join(&file);
    match tokio::fs::read(&path).await {
        Ok(bytes) => {
            let kind = if file.ends_with(".png") { "image/png" } else { "image/jpeg" };
            let mut res = bytes.into_response();
            let h = res.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
            // Names are random and never reused: cache for a year.
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
            h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
            res
        }
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn flash(session: &Session, f: Flash) {
    if let Err(e) = session.insert("flash", f).await {
        tracing::error!(error = %e, "cannot store a flash message");
    }
}

/// POST /admin/{clinic}/media — answered with a redirect back to the library.
pub async fn upload(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    viewer: Option<Extension<Viewer>>,
    principal: Option<Extension<Principal>>,
    session: Session,
    mut multipart: Multipart,
) -> Response {
    let (Some(Extension(viewer)), Some(Extension(principal))) = (viewer, principal) else {
        return Redirect::to(&format!("/admin/login?next=/admin/{slug}/media")).into_response();
    };
    let clinic = match clinic::Entity::find().filter(clinic::Column::Slug.eq(&slug)).one(&state.db).await {
        Ok(Some(c)) => c,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "database error during upload");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    match authorize(&principal, clinic.id, Action::EditTaxonomyAndMedia) {
        Decision::Allow => {}
        Decision::Forbidden => return StatusCode::FORBIDDEN.into_response(),
        Decision::NotFound => return StatusCode::NOT_FOUND.into_response(),
    }
    let back = format!("/admin/{slug}/media");
    let mut alt = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut failure: Option<MediaError> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(mut field)) => {
                let name = field.name().unwrap_or_default().to_string();
                let file_name = field.file_name().unwrap_or_default().to_string();
                if name == "file" {
                    match read_file(&mut field).await {
                        Ok(bytes) => file = Some((file_name, bytes)),
                        Err(e) => failure = Some(e),
                    }
                    continue;
                }
                match field.bytes().await {
                    Ok(bytes) if name == "alt" => alt = String::from_utf8_lossy(&bytes).into_owned(),
                    Ok(_) => {}
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        failure = Some(MediaError::TooLarge(media::MAX_BYTES as f64 / 1_048_576.0 + 0.1));
                        break;
                    }
                    Err(_) => {
                        failure = Some(MediaError::NoFile);
                        break;
                    }
                }
            }
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                failure = Some(MediaError::TooLarge(media::MAX_BYTES as f64 / 1_048_576.0 + 0.1));
                break;
            }
            Err(_) => {
                failure = Some(MediaError::NoFile);
                break;
            }
        }
    }
    let result = match (failure, file) {
        (Some(e), _) => Err(e),
        (None, None) => Err(MediaError::NoFile),
        (None, Some((name, bytes))) => {
            let user =
                crate::entities::app_user::Entity::find_by_id(viewer.user_id).one(&state.db).await.ok().flatten();
            let actor = user.as_ref().map(Actor::from).unwrap_or_else(|| Actor {
                id: Some(viewer.user_id),
                name: viewer.name.clone(),
                email: viewer.email.clone(),
            });
            media::store(&state.db, &state.settings.media_root, clinic.id, &actor, &name, &alt, bytes, Utc::now()).await
        }
    };
    match result {
        Ok(m) => {
            flash(&session, Flash { notice: Some(format!("Uploaded \"{}\".", m.original_name)), ..Flash::default() })
                .await;
        }
        Err(MediaError::Io(e)) => {
            tracing::error!(error = %e, "cannot store an upload");
            flash(
                &session,
                Flash {
                    error: Some("The image could not be stored; try again in a moment.".into()),
                    email: alt,
                    ..Flash::default()
                },
            )
            .await;
        }
        Err(MediaError::Db(e)) => {
            tracing::error!(error = %e, "database error storing an upload");
            flash(
                &session,
                Flash {
                    error: Some("The image could not be stored; try again in a moment.".into()),
                    email: alt,
                    ..Flash::default()
                },
            )
            .await;
        }
        // The typed alt text travels back in `email` (the flash's "what you typed" slot).
        Err(e) => flash(&session, Flash { error: Some(e.to_string()), email: alt, ..Flash::default() }).await,
    }
    Redirect::to(&back).into_response()
}
