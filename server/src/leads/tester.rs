//! "Where would this lead go?": the clinic admin's routing tester. It asks
//! the very function the live form uses ([`store::route_among`], over the
//! clinic's live offices) and who would be told ([`store::inboxes_for`]),
//! so what it answers is what a visitor's request would do.

use app::admin::model::{RouteAnswer, RouteQuestion};
use sea_orm::{ConnectionTrait, DbErr};

use super::routing::{RuleOrder, form_page};
use super::store;
use crate::entities::clinic;
use crate::locations::offices::valid_postal_code;

#[derive(Debug, thiserror::Error)]
pub enum TesterError {
    /// (field, message) pairs.
    #[error("the question has {} problem(s)", .0.len())]
    Invalid(Vec<(String, String)>),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// The path of a page as typed: `/locations/concord`, `locations/concord`,
/// or a full address `https://www.pmc.example/locations/concord?x=1#form`.
pub fn page_path(typed: &str) -> String {
    let t = typed.trim();
    let without_scheme = t.strip_prefix("https://").or_else(|| t.strip_prefix("http://"));
    let path = match without_scheme {
        Some(rest) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => t,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default().trim_end_matches('/');
    if path.starts_with('/') { path.to_string() } else { format!("/{path}") }
}

pub async fn try_route<C: ConnectionTrait>(
    db: &C,
    clinic: &clinic::Model,
    q: &RouteQuestion,
) -> Result<RouteAnswer, TesterError> {
    let mut errors = Vec::new();
    let zip = q.zip.trim();
    if !zip.is_empty() && !valid_postal_code(zip) {
        errors.push(("zip".to_string(), format!("\u{201c}{zip}\u{201d} is not a ZIP code like 94523.")));
    }
    let page = if q.page.trim().is_empty() { "/contact".to_string() } else { page_path(&q.page) };
    let page_office = match form_page(&page) {
        Some(office) => office,
        None => {
            errors.push((
                "page".to_string(),
                format!(
                    "{page} has no request form: forms are on /contact and on each office page (/locations/\u{2026})."
                ),
            ));
            None
        }
    };
    let live = store::live_offices(db, clinic.id).await?;
    let settings = store::settings(db, clinic.id).await?;
    let order = RuleOrder::parse(&settings.routing_order).unwrap_or_default();
    let route = match store::route_among(&live, Some(q.office.as_str()), page_office.as_deref(), Some(zip), order) {
        Ok(r) => Some(r),
        Err(e) => {
            errors.push(("office".to_string(), e.to_string()));
            None
        }
    };
    let Some(route) = route.filter(|_| errors.is_empty()) else {
        return Err(TesterError::Invalid(errors));
    };
    let office = route.office.and_then(|id| live.iter().find(|l| l.id == id));
    Ok(RouteAnswer {
        question: q.clone(),
        destination: office.map_or_else(|| "the clinic\u{2019}s default inbox".to_string(), |o| o.name.clone()),
        rule: route.by.label().to_string(),
        inbox: store::inboxes_for(clinic, office),
    })
}

#[cfg(test)]
mod tests {
    use super::page_path;

    #[test]
    fn pages_are_read_from_paths_and_addresses() {
        assert_eq!(page_path("/locations/concord"), "/locations/concord");
        assert_eq!(page_path("locations/concord/"), "/locations/concord");
        assert_eq!(page_path("https://www.pmc.example/locations/concord?utm=x#form"), "/locations/concord");
        assert_eq!(page_path("http://pmc.localhost:3000"), "/");
        assert_eq!(page_path("https://www.pmc.example/contact"), "/contact");
    }
}
