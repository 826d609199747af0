//! The narrow interfaces ("ports") server functions use to reach the
//! backend. The `server` crate implements them over sea-orm and provides
//! them as Leptos context; tests can provide in-memory ones.

use std::sync::Arc;

use crate::admin::model::*;
use crate::error::AppError;
use crate::leads::model::{InboxPage, InboxQuery, LeadAction, LeadDetail, LeadFormData, OfficeChoice};
use crate::model::*;
use crate::search::model::{SearchQuery, SearchResults, Suggestion};

/// Read access to one clinic's published content.
#[async_trait::async_trait]
pub trait ContentPort: Send + Sync + 'static {
    async fn home(&self, clinic: &ClinicInfo) -> Result<HomePage, AppError>;
    async fn blog(&self, clinic: &ClinicInfo, page: u32) -> Result<PostList, AppError>;
    async fn post(&self, clinic: &ClinicInfo, slug: &str) -> Result<PostPage, AppError>;
    async fn archive(
        &self,
        clinic: &ClinicInfo,
        kind: ArchiveKind,
        slug: &str,
        page: u32,
    ) -> Result<ArchivePage, AppError>;
    async fn locations(&self, clinic: &ClinicInfo) -> Result<Vec<LocationSummary>, AppError>;
    async fn location(&self, clinic: &ClinicInfo, slug: &str) -> Result<LocationDetail, AppError>;
    /// A post (draft or not) behind a private preview link.
    async fn preview(&self, clinic: &ClinicInfo, token: &str) -> Result<PostPage, AppError>;
}

/// Search in one clinic's published posts.
#[async_trait::async_trait]
pub trait SearchPort: Send + Sync + 'static {
    async fn search(&self, clinic: &ClinicInfo, query: SearchQuery) -> Result<SearchResults, AppError>;
    /// Titles matching what has been typed so far (the last word may be unfinished).
    async fn suggest(&self, clinic: &ClinicInfo, text: &str) -> Result<Vec<Suggestion>, AppError>;
}

/// Shared handle provided as Leptos context.
#[derive(Clone)]
pub struct Backend {
    pub content: Arc<dyn ContentPort>,
    pub admin: Arc<dyn AdminPort>,
    pub search: Arc<dyn SearchPort>,
    pub leads: Arc<dyn LeadPort>,
}

/// The admin area: every method authorises `viewer` for the clinic first
/// (one rule, `accounts::authz::authorize` on the server) and answers
/// `NotFound` for clinics the user has no business in.
#[async_trait::async_trait]
pub trait AdminPort: Send + Sync + 'static {
    async fn context(&self, viewer: &Viewer, clinic: Option<&str>) -> Result<AdminContext, AppError>;
    async fn posts(&self, viewer: &Viewer, clinic: &str, query: PostQuery) -> Result<AdminPostList, AppError>;
    async fn create_post(&self, viewer: &Viewer, clinic: &str, title: &str) -> Result<i32, AppError>;
    async fn editor(&self, viewer: &Viewer, clinic: &str, post_id: i32) -> Result<EditorData, AppError>;
    async fn save_post(
        &self,
        viewer: &Viewer,
        clinic: &str,
        post_id: i32,
        version: i32,
        form: PostForm,
        autosave: bool,
    ) -> Result<Saved, AppError>;
    async fn publish_post(
        &self,
        viewer: &Viewer,
        clinic: &str,
        post_id: i32,
        version: i32,
        action: PublishAction,
    ) -> Result<Saved, AppError>;
    /// Delete a draft or archived post for good (with its revisions).
    async fn delete_post(&self, viewer: &Viewer, clinic: &str, post_id: i32, version: i32) -> Result<(), AppError>;
    async fn preview(&self, viewer: &Viewer, clinic: &str, markdown: &str) -> Result<String, AppError>;
    async fn check_slug(&self, viewer: &Viewer, clinic: &str, post_id: i32, slug: &str) -> Result<SlugCheck, AppError>;
    async fn revisions(&self, viewer: &Viewer, clinic: &str, post_id: i32) -> Result<RevisionsPage, AppError>;
    async fn diff(
        &self,
        viewer: &Viewer,
        clinic: &str,
        post_id: i32,
        from: i32,
        to: i32,
    ) -> Result<RevisionDiff, AppError>;
    async fn restore(&self, viewer: &Viewer, clinic: &str, post_id: i32, revision: i32) -> Result<Saved, AppError>;
    async fn create_preview(&self, viewer: &Viewer, clinic: &str, post_id: i32) -> Result<PreviewLink, AppError>;
    async fn audit(&self, viewer: &Viewer, clinic: &str, page: u32) -> Result<AuditPage, AppError>;
    /// Searches on the clinic's site that found nothing (marketers).
    async fn search_misses(&self, viewer: &Viewer, clinic: &str) -> Result<SearchMissesPage, AppError>;
    async fn terms(&self, viewer: &Viewer, clinic: &str) -> Result<TermsPage, AppError>;
    /// The clinic's people and roles (clinic admins).
    async fn members(&self, viewer: &Viewer, clinic: &str) -> Result<MembersPage, AppError>;
    /// Give someone a role, inviting them if they have no account. Returns a sentence for the admin.
    async fn add_member(&self, viewer: &Viewer, clinic: &str, form: MemberForm) -> Result<String, AppError>;
    async fn remove_role(&self, viewer: &Viewer, clinic: &str, membership_id: i32) -> Result<(), AppError>;
    /// Disable, enable, force a password reset, sign out everywhere or
    /// invite again one of the clinic's people; returns a sentence for the admin.
    async fn account_action(
        &self,
        viewer: &Viewer,
        clinic: &str,
        user_id: i32,
        action: &str,
    ) -> Result<String, AppError>;
    /// The clinic's offices and default inbox (clinic admins).
    async fn offices(&self, viewer: &Viewer, clinic: &str) -> Result<OfficesPage, AppError>;
    /// The edit form of one office, or an empty one (`None`).
    async fn office(&self, viewer: &Viewer, clinic: &str, office_id: Option<i32>) -> Result<OfficeEditor, AppError>;
    /// Create or update an office (its id in the answer); with `preview`,
    /// check it and show it as visitors would see it, saving nothing.
    async fn save_office(
        &self,
        viewer: &Viewer,
        clinic: &str,
        form: OfficeForm,
        preview: bool,
    ) -> Result<OfficeAnswer, AppError>;
    /// Which decides first without a chosen office: `page_first` or `zip_first`.
    async fn save_routing_order(&self, viewer: &Viewer, clinic: &str, order: &str) -> Result<String, AppError>;
    /// Move an office one place up (or down) in the clinic's order, which
    /// breaks ties between offices serving the same ZIP code.
    async fn move_office(&self, viewer: &Viewer, clinic: &str, office_id: i32, up: bool) -> Result<(), AppError>;
    /// Archive (or restore) an office (audit-logged).
    async fn archive_office(
        &self,
        viewer: &Viewer,
        clinic: &str,
        office_id: i32,
        archived: bool,
    ) -> Result<OfficeArchived, AppError>;
    /// Queue a test e-mail to the office's saved inbox addresses, through
    /// the outbox like a real notice; returns a sentence for the admin.
    async fn send_office_test(&self, viewer: &Viewer, clinic: &str, office_id: i32) -> Result<String, AppError>;
    /// Where a lead would go, by the live form's routing.
    async fn try_routing(
        &self,
        viewer: &Viewer,
        clinic: &str,
        question: RouteQuestion,
    ) -> Result<RouteAnswer, AppError>;
    /// Where requests go when no office rule matches; returns the stored address.
    async fn save_default_inbox(&self, viewer: &Viewer, clinic: &str, email: &str) -> Result<String, AppError>;
    /// The clinic's request settings (clinic admins); never the webhook secret.
    async fn lead_settings(&self, viewer: &Viewer, clinic: &str) -> Result<LeadSettingsPage, AppError>;
    /// Check and store the request settings (audit-logged).
    async fn save_lead_settings(
        &self,
        viewer: &Viewer,
        clinic: &str,
        form: LeadSettingsForm,
    ) -> Result<LeadSettingsSaved, AppError>;
    /// The clinic's name, tagline, brand colour and logo (clinic admins).
    async fn clinic_settings(&self, viewer: &Viewer, clinic: &str) -> Result<ClinicSettingsPage, AppError>;
    /// Check and store name, tagline and brand colour (audit-logged);
    /// returns a sentence for the admin.
    async fn save_clinic_settings(
        &self,
        viewer: &Viewer,
        clinic: &str,
        form: ClinicSettingsForm,
    ) -> Result<String, AppError>;
    /// The lead inbox: the leads of the offices this user works.
    async fn leads(&self, viewer: &Viewer, clinic: &str, query: InboxQuery) -> Result<InboxPage, AppError>;
    /// One lead (the view is recorded in its history).
    async fn lead(&self, viewer: &Viewer, clinic: &str, reference: &str) -> Result<LeadDetail, AppError>;
    /// Status, assignee, note, resend; returns a sentence for the user.
    async fn lead_action(
        &self,
        viewer: &Viewer,
        clinic: &str,
        reference: &str,
        action: LeadAction,
    ) -> Result<String, AppError>;
    /// Erase a lead's personal data (clinic admins); `confirm` must repeat
    /// its reference. Returns a sentence for the admin.
    async fn erase_lead(
        &self,
        viewer: &Viewer,
        clinic: &str,
        reference: &str,
        confirm: &str,
    ) -> Result<String, AppError>;
    async fn save_term(
        &self,
        viewer: &Viewer,
        clinic: &str,
        kind: ArchiveKind,
        id: Option<i32>,
        form: TermForm,
    ) -> Result<i32, AppError>;
    async fn delete_term(&self, viewer: &Viewer, clinic: &str, kind: ArchiveKind, id: i32) -> Result<(), AppError>;
    async fn merge_tags(&self, viewer: &Viewer, clinic: &str, from: i32, into: i32) -> Result<(), AppError>;
    async fn media(&self, viewer: &Viewer, clinic: &str, flash: Option<Flash>) -> Result<MediaPage, AppError>;
    /// Every clinic of the deployment (network owner).
    async fn network(&self, viewer: &Viewer) -> Result<NetworkPage, AppError>;
    /// Create or change a clinic (network owner); returns its slug.
    async fn save_clinic(&self, viewer: &Viewer, form: ClinicForm) -> Result<ClinicSaved, AppError>;
    /// Archive (`true`) or restore a clinic (network owner); returns its name.
    async fn archive_clinic(&self, viewer: &Viewer, slug: &str, archived: bool) -> Result<ClinicArchived, AppError>;
    /// The clinic's dashboard: requests per office and week, response times
    /// against the target, overdue requests, posts per month, searches
    /// without results — scoped to the offices the viewer may see.
    async fn dashboard(&self, viewer: &Viewer, clinic: &str) -> Result<DashboardPage, AppError>;
}

/// The public side of leads: what the forms need.
#[async_trait::async_trait]
pub trait LeadPort: Send + Sync + 'static {
    /// Offices, consent text and a fresh one-use token for the clinic's forms.
    async fn form(&self, clinic: &ClinicInfo) -> Result<LeadFormData, AppError>;
    /// One of the clinic's offices by slug (public facts only).
    async fn office(&self, clinic: &ClinicInfo, slug: &str) -> Result<Option<OfficeChoice>, AppError>;
}
