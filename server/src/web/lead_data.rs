//! `GET /admin/{clinic}/leads/{reference}.json`: one request's whole record
//! as a JSON download, for clinic admins (`Action::ExportLead`); recorded
//! in the lead's history and the audit log.
//!
//! A middleware rather than a route: the router cannot hold a parameter
//! with a suffix (`{reference}.json`) next to the lead page's
//! `/admin/{clinic}/leads/{reference}`, so requests of that shape are
//! answered here before they reach the pages.

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::AppState;
use crate::accounts::authz::{Action, Decision, Principal, authorize};
use crate::entities::{app_user, clinic};

/// `(clinic slug, reference)` when `path` is a lead's JSON address.
pub fn json_path(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix("/admin/")?;
    let (slug, rest) = rest.split_once('/')?;
    let file = rest.strip_prefix("leads/")?;
    let reference = file.strip_suffix(".json")?;
    (!slug.is_empty() && !reference.is_empty() && !reference.contains('/')).then_some((slug, reference))
}

pub async fn export_json(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let Some((slug, reference)) = json_path(&path).filter(|_| req.method() == Method::GET) else {
        return next.run(req).await;
    };
    let viewer = req.extensions().get::<app::admin::model::Viewer>().cloned();
    let principal = req.extensions().get::<Principal>().cloned();
    let (Some(viewer), Some(principal)) = (viewer, principal) else {
        return Redirect::to(&format!("/admin/login?next=/admin/{slug}/leads/{reference}")).into_response();
    };
    let unavailable = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, "database error during a lead's JSON export");
        StatusCode::SERVICE_UNAVAILABLE.into_response()
    };
    let clinic = match clinic::Entity::find().filter(clinic::Column::Slug.eq(slug)).one(&state.db).await {
        Ok(Some(c)) => c,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return unavailable(&e),
    };
    match authorize(&principal, clinic.id, Action::ExportLead) {
        Decision::Allow => {}
        Decision::Forbidden => return StatusCode::FORBIDDEN.into_response(),
        Decision::NotFound => return StatusCode::NOT_FOUND.into_response(),
    }
    let user = match app_user::Entity::find_by_id(viewer.user_id).one(&state.db).await {
        Ok(Some(u)) => u,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(e) => return unavailable(&e),
    };
    let actor = crate::audit::Actor::from(&user);
    match crate::leads::privacy::export(&state.db, &clinic, reference, &actor, Utc::now()).await {
        Ok((name, bytes)) => (
            [
                (header::CONTENT_TYPE, "application/json; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            bytes,
        )
            .into_response(),
        Err(crate::leads::inbox::InboxError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => unavailable(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_leads_json_address_matches() {
        assert_eq!(json_path("/admin/pmc/leads/PMC-4F7K2Q.json"), Some(("pmc", "PMC-4F7K2Q")));
        for other in [
            "/admin/pmc/leads/PMC-4F7K2Q",
            "/admin/pmc/leads.csv",
            "/admin/pmc/leads/.json",
            "/admin/pmc/leads/a/b.json",
            "/admin//leads/x.json",
            "/admin/pmc/posts/x.json",
            "/pmc/leads/x.json",
        ] {
            assert_eq!(json_path(other), None, "{other}");
        }
    }
}
