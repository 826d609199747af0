//! Server functions of the admin area. Each one is thin: who is asking
//! (the `Viewer` the server's session layer put into the request), then one
//! `AdminPort` call, which authorises and does the work.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::model::*;
use crate::error::AppError;
use crate::model::ArchiveKind;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use leptos::prelude::*;

    use crate::admin::model::{Flash, Viewer};
    use crate::error::AppError;
    use crate::ports::Backend;

    /// The backend and the signed-in user; `Unauthorized` when nobody is.
    pub fn viewer() -> Result<(Backend, Viewer), AppError> {
        let backend = use_context::<Backend>().ok_or(AppError::Internal)?;
        let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
        let viewer = parts.extensions.get::<Viewer>().cloned().ok_or(AppError::Unauthorized)?;
        Ok((backend, viewer))
    }

    /// Answer with the error's HTTP status (403, 404, 409, 422…), not a generic 500.
    pub fn answer<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        if let Err(e) = &result {
            crate::ui::set_status(e.status());
        }
        result
    }

    pub fn flash() -> Option<Flash> {
        use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<Flash>().cloned())
    }

    /// Answer a plain-HTML form post with a redirect (no-op for calls from the hydrated page).
    pub fn redirect_if_form(to: &str) {
        if let Some(parts) = use_context::<http::request::Parts>() {
            let accepts_html = parts
                .headers
                .get(http::header::ACCEPT)
                .and_then(|h| h.to_str().ok())
                .is_some_and(|a| a.contains("text/html"));
            if accepts_html {
                leptos_axum::redirect(to);
            }
        }
    }
}

/// The one-shot message (and typed e-mail) for the sign-in and reset pages.
#[server(endpoint = "admin/get_flash")]
pub async fn get_flash() -> Result<Option<Flash>, AppError> {
    Ok(ssr::flash())
}

#[server(endpoint = "admin/get_admin_context")]
pub async fn get_admin_context(clinic: Option<String>) -> Result<AdminContext, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.context(&viewer, clinic.as_deref()).await
        }
        .await,
    )
}

#[server(endpoint = "admin/list_posts")]
pub async fn list_posts(clinic: String, query: PostQuery) -> Result<AdminPostList, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.posts(&viewer, &clinic, query).await
        }
        .await,
    )
}

/// Start a draft and open it (works as a plain form post too).
#[server(endpoint = "admin/create_post")]
pub async fn create_post(clinic: String, title: String) -> Result<i32, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            let id = backend.admin.create_post(&viewer, &clinic, &title).await?;
            ssr::redirect_if_form(&format!("/admin/{clinic}/posts/{id}"));
            Ok(id)
        }
        .await,
    )
}

#[server(endpoint = "admin/get_editor")]
pub async fn get_editor(clinic: String, id: i32) -> Result<EditorData, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.editor(&viewer, &clinic, id).await
        }
        .await,
    )
}

#[server(endpoint = "admin/save_post", input = Json)]
pub async fn save_post(
    clinic: String,
    id: i32,
    version: i32,
    form: PostForm,
    autosave: bool,
) -> Result<Saved, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.save_post(&viewer, &clinic, id, version, form, autosave).await
        }
        .await,
    )
}

#[server(endpoint = "admin/publish_post", input = Json)]
pub async fn publish_post(clinic: String, id: i32, version: i32, action: PublishAction) -> Result<Saved, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.publish_post(&viewer, &clinic, id, version, action).await
        }
        .await,
    )
}

/// Delete a draft or archived post, with its revisions.
#[server(endpoint = "admin/delete_post", input = Json)]
pub async fn delete_post(clinic: String, id: i32, version: i32) -> Result<(), AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.delete_post(&viewer, &clinic, id, version).await
        }
        .await,
    )
}

/// Markdown → the sanitised HTML the public page shows (the same renderer).
#[server(endpoint = "admin/render_preview", input = Json)]
pub async fn render_preview(clinic: String, markdown: String) -> Result<String, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.preview(&viewer, &clinic, &markdown).await
        }
        .await,
    )
}

#[server(endpoint = "admin/check_slug")]
pub async fn check_slug(clinic: String, id: i32, slug: String) -> Result<SlugCheck, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.check_slug(&viewer, &clinic, id, &slug).await
        }
        .await,
    )
}

#[server(endpoint = "admin/list_revisions")]
pub async fn list_revisions(clinic: String, id: i32) -> Result<RevisionsPage, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.revisions(&viewer, &clinic, id).await
        }
        .await,
    )
}

#[server(endpoint = "admin/diff_revisions")]
pub async fn diff_revisions(clinic: String, id: i32, from: i32, to: i32) -> Result<RevisionDiff, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.diff(&viewer, &clinic, id, from, to).await
        }
        .await,
    )
}

/// Restore a revision (works as a plain form post too).
#[server(endpoint = "admin/restore_revision")]
pub async fn restore_revision(clinic: String, id: i32, revision: i32) -> Result<Saved, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            let saved = backend.admin.restore(&viewer, &clinic, id, revision).await?;
            ssr::redirect_if_form(&format!("/admin/{clinic}/posts/{id}"));
            Ok(saved)
        }
        .await,
    )
}

/// A private, expiring link that shows the post as the public page would.
#[server(endpoint = "admin/create_preview")]
pub async fn create_preview(clinic: String, id: i32) -> Result<PreviewLink, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.create_preview(&viewer, &clinic, id).await
        }
        .await,
    )
}

#[server(endpoint = "admin/list_audit")]
pub async fn list_audit(clinic: String, page: u32) -> Result<AuditPage, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.audit(&viewer, &clinic, page).await
        }
        .await,
    )
}

#[server(endpoint = "admin/list_search_misses")]
pub async fn list_search_misses(clinic: String) -> Result<SearchMissesPage, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.search_misses(&viewer, &clinic).await
        }
        .await,
    )
}

#[server(endpoint = "admin/list_members")]
pub async fn list_members(clinic: String) -> Result<MembersPage, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.members(&viewer, &clinic).await
        }
        .await,
    )
}

#[server(endpoint = "admin/add_member")]
pub async fn add_member(clinic: String, form: MemberForm) -> Result<String, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.add_member(&viewer, &clinic, form).await
        }
        .await,
    )
}

/// `action`: disable, enable, reset_password, sign_out or reinvite.
#[server(endpoint = "admin/account_action")]
pub async fn account_action(clinic: String, user: i32, action: String) -> Result<String, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.account_action(&viewer, &clinic, user, &action).await
        }
        .await,
    )
}

#[server(endpoint = "admin/remove_role")]
pub async fn remove_role(clinic: String, membership_id: i32) -> Result<(), AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.remove_role(&viewer, &clinic, membership_id).await
        }
        .await,
    )
}

#[server(endpoint = "admin/list_offices")]
pub async fn list_offices(clinic: String) -> Result<OfficesPage, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.offices(&viewer, &clinic).await
        }
        .await,
    )
}

/// `office`: the office id, or "new" for an empty form.
#[server(endpoint = "admin/load_office")]
pub async fn load_office(clinic: String, office: String) -> Result<OfficeEditor, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            let id = match office.as_str() {
                "new" => None,
                other => Some(other.parse::<i32>().map_err(|_| AppError::NotFound)?),
            };
            backend.admin.office(&viewer, &clinic, id).await
        }
        .await,
    )
}

/// Save an office; `intent=preview` (the "Preview" button) only checks it
/// and answers how visitors would see it.
#[server(endpoint = "admin/save_office")]
pub async fn save_office(clinic: String, form: OfficeForm, intent: Option<String>) -> Result<OfficeAnswer, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            let is_new = form.id.is_empty();
            let preview = intent.as_deref() == Some("preview");
            let answer = backend.admin.save_office(&viewer, &clinic, form, preview).await?;
            if let (true, Some(id)) = (is_new, answer.id) {
                ssr::redirect_if_form(&format!("/admin/{clinic}/offices/{id}?added=1"));
            }
            Ok(answer)
        }
        .await,
    )
}

/// `order`: `page_first` or `zip_first`.
#[server(endpoint = "admin/save_routing_order")]
pub async fn save_routing_order(clinic: String, order: String) -> Result<String, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.save_routing_order(&viewer, &clinic, &order).await
        }
        .await,
    )
}

/// `direction`: `up` or `down`.
#[server(endpoint = "admin/move_office")]
pub async fn move_office(clinic: String, office: i32, direction: String) -> Result<(), AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.move_office(&viewer, &clinic, office, direction == "up").await
        }
        .await,
    )
}

/// Archive (`archived=true`) or restore (`false`) an office.
#[server(endpoint = "admin/archive_office")]
pub async fn archive_office(clinic: String, office: i32, archived: String) -> Result<OfficeArchived, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.archive_office(&viewer, &clinic, office, archived == "true").await
        }
        .await,
    )
}

#[server(endpoint = "admin/send_office_test")]
pub async fn send_office_test(clinic: String, office: i32) -> Result<String, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.send_office_test(&viewer, &clinic, office).await
        }
        .await,
    )
}

#[server(endpoint = "admin/try_routing")]
pub async fn try_routing(clinic: String, question: RouteQuestion) -> Result<RouteAnswer, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.try_routing(&viewer, &clinic, question).await
        }
        .await,
    )
}

#[server(endpoint = "admin/save_default_inbox")]
pub async fn save_default_inbox(clinic: String, email: String) -> Result<String, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.save_default_inbox(&viewer, &clinic, &email).await
        }
        .await,
    )
}

/// The request settings page's data. When this very request is a refused
/// save (the server's form handler put it into the request), the typed
/// values and the messages come with it.
#[server(endpoint = "admin/get_lead_settings")]
pub async fn get_lead_settings(clinic: String) -> Result<LeadSettingsPage, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            let mut page = backend.admin.lead_settings(&viewer, &clinic).await?;
            let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
            if let Some(refused) = parts.extensions.get::<LeadSettingsRefused>().cloned() {
                page.form = refused.form.clone();
                page.refused = Some(refused);
            }
            Ok(page)
        }
        .await,
    )
}

/// The clinic settings page's data. When this very request is a refused
/// save (the server's form handler put it into the request), the typed
/// values and the messages come with it.
#[server(endpoint = "admin/get_clinic_settings")]
pub async fn get_clinic_settings(clinic: String) -> Result<ClinicSettingsPage, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            let mut page = backend.admin.clinic_settings(&viewer, &clinic).await?;
            let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
            if let Some(refused) = parts.extensions.get::<ClinicSettingsRefused>().cloned() {
                if let Some(form) = &refused.form {
                    page.form = form.clone();
                }
                page.refused = Some(refused);
            }
            Ok(page)
        }
        .await,
    )
}

#[server(endpoint = "admin/list_leads")]
pub async fn list_leads(
    clinic: String,
    query: crate::leads::model::InboxQuery,
) -> Result<crate::leads::model::InboxPage, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.leads(&viewer, &clinic, query).await
        }
        .await,
    )
}

#[server(endpoint = "admin/get_lead")]
pub async fn get_lead(clinic: String, reference: String) -> Result<crate::leads::model::LeadDetail, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.lead(&viewer, &clinic, &reference).await
        }
        .await,
    )
}

/// `action`: `status`, `assign`, `note` or `resend`; `value`: the status, the user id ("" unassigns), the note.
#[server(endpoint = "admin/lead_action")]
pub async fn lead_action(clinic: String, reference: String, action: String, value: String) -> Result<String, AppError> {
    use crate::leads::model::LeadAction;
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            let action = match action.as_str() {
                "status" => LeadAction::Status(value),
                "assign" => LeadAction::Assign(match value.trim() {
                    "" => None,
                    v => Some(v.parse().map_err(|_| AppError::validation("lead", "Choose someone from the list."))?),
                }),
                "note" => LeadAction::Note(value),
                "resend" => LeadAction::Resend,
                _ => return Err(AppError::BadRequest("unknown action".into())),
            };
            backend.admin.lead_action(&viewer, &clinic, &reference, action).await
        }
        .await,
    )
}

/// Erase a lead's personal data (clinic admins); `confirm` must repeat its reference.
#[server(endpoint = "admin/erase_lead")]
pub async fn erase_lead(clinic: String, reference: String, confirm: String) -> Result<String, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.erase_lead(&viewer, &clinic, &reference, &confirm).await
        }
        .await,
    )
}

#[server(endpoint = "admin/list_terms")]
pub async fn list_terms(clinic: String) -> Result<TermsPage, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.terms(&viewer, &clinic).await
        }
        .await,
    )
}

/// Create (no id) or rename a category, tag or author (works as a plain form post too).
#[server(endpoint = "admin/save_term")]
pub async fn save_term(clinic: String, kind: ArchiveKind, id: Option<i32>, form: TermForm) -> Result<i32, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.save_term(&viewer, &clinic, kind, id, form).await
        }
        .await,
    )
}

#[server(endpoint = "admin/delete_term")]
pub async fn delete_term(clinic: String, kind: ArchiveKind, id: i32) -> Result<(), AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.delete_term(&viewer, &clinic, kind, id).await
        }
        .await,
    )
}

#[server(endpoint = "admin/merge_tags")]
pub async fn merge_tags(clinic: String, from: i32, into: i32) -> Result<(), AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.merge_tags(&viewer, &clinic, from, into).await
        }
        .await,
    )
}

/// The media library (and the upload's result message, once).
#[server(endpoint = "admin/list_media")]
pub async fn list_media(clinic: String) -> Result<MediaPage, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.media(&viewer, &clinic, ssr::flash()).await
        }
        .await,
    )
}

/// Every clinic of the deployment (network owner).
#[server(endpoint = "admin/get_network")]
pub async fn get_network() -> Result<NetworkPage, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.network(&viewer).await
        }
        .await,
    )
}

/// Create or change a clinic (network owner).
#[server(endpoint = "admin/save_clinic")]
pub async fn save_clinic(form: ClinicForm) -> Result<ClinicSaved, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.save_clinic(&viewer, form).await
        }
        .await,
    )
}

/// Archive (`archived` = "true") or restore a clinic (network owner); the clinic's name.
#[server(endpoint = "admin/archive_clinic")]
pub async fn archive_clinic(slug: String, archived: String) -> Result<ClinicArchived, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            let archived = match archived.as_str() {
                "true" => true,
                "false" => false,
                _ => return Err(AppError::validation("archived", "Say \"true\" to archive or \"false\" to restore.")),
            };
            backend.admin.archive_clinic(&viewer, &slug, archived).await
        }
        .await,
    )
}

#[server(endpoint = "admin/get_dashboard")]
pub async fn get_dashboard(clinic: String) -> Result<DashboardPage, AppError> {
    ssr::answer(
        async move {
            let (backend, viewer) = ssr::viewer()?;
            backend.admin.dashboard(&viewer, &clinic).await
        }
        .await,
    )
}
