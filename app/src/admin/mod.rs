//! The admin area: sign-in pages, the admin bar with the clinic switcher,
//! the post list, the editor and revisions.

pub(crate) mod api;
mod audit;
mod auth_pages;
mod bar;
mod clinic_settings;
mod dashboard;
mod editor;
mod lead_settings;
mod leads;
mod media;
pub mod model;
mod network;
mod offices;
mod people;
mod posts;
pub mod replay;
mod revisions;
mod searches;
mod terms;

pub(crate) use audit::AuditLogPage;
pub(crate) use auth_pages::{LoginPage, ResetPasswordPage, ResetRequestPage};
pub(crate) use bar::AdminBar;
pub(crate) use clinic_settings::ClinicSettingsPage;
pub(crate) use dashboard::ClinicDashboard;
pub(crate) use editor::EditorPage;
pub(crate) use lead_settings::LeadSettingsPage;
pub(crate) use leads::{LeadPage, LeadsPage};
pub(crate) use media::MediaPage;
pub(crate) use network::NetworkPage;
pub(crate) use offices::{OfficeEditPage, OfficesPage};
pub(crate) use people::PeoplePage;
pub(crate) use posts::{AdminHome, PostsPage};
pub(crate) use revisions::RevisionsPage;
pub(crate) use searches::SearchesPage;
pub(crate) use terms::TermsPage;

/// The clinic slug of an admin path: `/admin/pmc/posts/3` → `pmc`. A
/// clinic's pages are always below its slug; `/admin/network` (two
/// segments) is the network owner's page, not a clinic's.
pub fn clinic_of_path(path: &str) -> Option<String> {
    let mut parts = path.trim_start_matches('/').split('/');
    if parts.next() != Some("admin") {
        return None;
    }
    match (parts.next(), parts.next()) {
        (Some("login" | "reset" | ""), _) | (None, _) | (Some(_), None | Some("")) => None,
        (Some(slug), Some(_)) => Some(slug.to_string()),
    }
}

/// Is this path one of the pages that work without signing in?
pub fn is_public_admin_path(path: &str) -> bool {
    path == "/admin/login" || path == "/admin/reset" || path.starts_with("/admin/reset/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clinic_slug_from_admin_paths() {
        assert_eq!(clinic_of_path("/admin/pmc/posts/3"), Some("pmc".into()));
        assert_eq!(clinic_of_path("/admin"), None);
        assert_eq!(clinic_of_path("/admin/login"), None);
        assert_eq!(clinic_of_path("/admin/network"), None);
        assert_eq!(clinic_of_path("/admin/network/posts"), Some("network".into()), "a clinic may be called network");
        assert_eq!(clinic_of_path("/blog/pmc"), None);
        assert!(is_public_admin_path("/admin/reset/abc"));
        assert!(!is_public_admin_path("/admin/pmc/posts"));
    }
}
