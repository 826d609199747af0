//! The `AdminPort` the admin area's server functions call. Each method
//! first asks `accounts::authz::authorize` (the one permission rule) and
//! only then touches the clinic's data; detailed errors are logged here and
//! mapped to the public `AppError`.

use app::admin::model::*;
use app::error::AppError;
use app::leads::model::{InboxPage, InboxQuery, LeadAction, LeadDetail};
use app::model::ArchiveKind;
use app::ports::AdminPort;
use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::accounts::authz::{Action, Decision, Principal, authorize};
use crate::accounts::members::{self, MemberError};
use crate::accounts::users;
use crate::audit::Actor;
use crate::clinics::tenancy::clinic_base_url;
use crate::entities::{app_user, author, clinic, location};
use crate::leads::inbox::{self, InboxError, Scope};
use crate::locations::offices::{self, OfficeError};
use crate::mail::Mailer;
use crate::posts::editor::{self, EditorError, status_of};
use crate::posts::{markdown, rules};

#[derive(Clone)]
pub struct SqlAdmin {
    db: DatabaseConnection,
    mailer: Mailer,
    local_webhooks: crate::leads::webhook::LocalHttp,
}

impl SqlAdmin {
    pub fn new(db: DatabaseConnection, mailer: Mailer, local_webhooks: crate::leads::webhook::LocalHttp) -> Self {
        Self { db, mailer, local_webhooks }
    }
}

fn member_error(e: MemberError) -> AppError {
    match e {
        MemberError::Invalid(field, message) => AppError::validation(field, message),
        MemberError::NotFound => AppError::NotFound,
        MemberError::Db(e) => internal(e),
    }
}

fn office_error(e: OfficeError) -> AppError {
    match e {
        OfficeError::Invalid(fields) => AppError::Fields(fields),
        OfficeError::NotFound => AppError::NotFound,
        OfficeError::Db(e) => internal(e),
    }
}

fn network_error(e: crate::clinics::network::NetworkError) -> AppError {
    use crate::clinics::network::NetworkError as N;
    match e {
        N::Invalid(fields) => AppError::Fields(fields),
        N::NotFound => AppError::NotFound,
        N::Db(e) => internal(e),
    }
}

fn settings_error(e: crate::leads::settings::SettingsError) -> AppError {
    use crate::leads::settings::SettingsError as S;
    match e {
        S::Invalid(fields) => AppError::Fields(fields),
        S::NotFound => AppError::NotFound,
        S::Db(e) => internal(e),
    }
}

pub(crate) fn clinic_settings_error(e: crate::clinics::settings::ClinicSettingsError) -> AppError {
    use crate::clinics::settings::ClinicSettingsError as C;
    match e {
        C::Invalid(fields) => AppError::Fields(fields),
        C::NotFound => AppError::NotFound,
        C::Io(e) => {
            tracing::error!(error = %e, "cannot store a clinic logo");
            AppError::Unavailable
        }
        C::Db(e) => internal(e),
    }
}

fn inbox_error(e: InboxError) -> AppError {
    match e {
        InboxError::NotFound => AppError::NotFound,
        InboxError::Invalid(m) => AppError::validation("lead", m),
        InboxError::Db(e) => internal(e),
    }
}

fn internal(e: DbErr) -> AppError {
    tracing::error!(error = %e, "database error in the admin area");
    AppError::Internal
}

impl From<crate::posts::terms::TermError> for AppError {
    fn from(e: crate::posts::terms::TermError) -> Self {
        use crate::posts::terms::TermError as T;
        match e {
            T::NotFound => AppError::NotFound,
            T::Invalid(field, message) => AppError::Fields(vec![(field, message)]),
            T::InUse(m) => AppError::Conflict(m),
            T::Db(e) => internal(e),
        }
    }
}

impl From<EditorError> for AppError {
    fn from(e: EditorError) -> Self {
        match e {
            EditorError::NotFound => AppError::NotFound,
            EditorError::Invalid(fields) => AppError::Fields(fields),
            EditorError::Conflict(m) => AppError::Conflict(m),
            EditorError::Db(e) => internal(e),
        }
    }
}

pub fn media_item(m: &crate::entities::media::Model) -> MediaItem {
    let widths = crate::media::widths_of(m);
    MediaItem {
        id: m.id,
        url: crate::media::default_url(m),
        srcset: crate::media::srcset(m),
        thumb_url: format!("/media/{}", crate::media::file_name(m, widths.first().copied().unwrap_or(0))),
        alt: m.alt.clone(),
        width: m.width,
        height: m.height,
        original_name: m.original_name.clone(),
        created_at: m.created_at,
    }
}

/// The signed-in user, allowed to do `action` in clinic `slug`.
struct Allowed {
    clinic: clinic::Model,
    actor: Actor,
    principal: Principal,
}

impl SqlAdmin {
    async fn principal(&self, viewer: &Viewer) -> Result<(app_user::Model, Principal), AppError> {
        let user = app_user::Entity::find_by_id(viewer.user_id)
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or(AppError::Unauthorized)?;
        let p = users::principal(&self.db, viewer.user_id).await.map_err(internal)?.ok_or(AppError::Unauthorized)?;
        Ok((user, p))
    }

    async fn allow(&self, viewer: &Viewer, slug: &str, action: Action) -> Result<Allowed, AppError> {
        let (user, principal) = self.principal(viewer).await?;
        let clinic = clinic::Entity::find()
            .filter(clinic::Column::Slug.eq(slug))
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        match authorize(&principal, clinic.id, action) {
            // An archived clinic is closed to everyone but the network owner, who can restore it.
            Decision::Allow if clinic.archived_at.is_some() && !principal.owner => {
                Err(AppError::Gone(format!("{} is archived; the network owner can restore it.", clinic.name)))
            }
            Decision::Allow => Ok(Allowed { clinic, actor: Actor::from(&user), principal }),
            Decision::Forbidden => Err(AppError::Forbidden),
            Decision::NotFound => Err(AppError::NotFound),
        }
    }

    /// The network owner acting on the network itself (no clinic yet):
    /// everyone else gets 403, whatever clinic they name.
    async fn owner(&self, viewer: &Viewer) -> Result<Actor, AppError> {
        let (user, principal) = self.principal(viewer).await?;
        match authorize(&principal, 0, Action::ManageNetwork) {
            Decision::Allow => Ok(Actor::from(&user)),
            Decision::Forbidden | Decision::NotFound => Err(AppError::Forbidden),
        }
    }

    async fn saved(&self, clinic_id: i32, p: &crate::entities::post::Model) -> Result<Saved, AppError> {
        let tz = editor::clinic_tz(&self.db, clinic_id).await.map_err(internal)?;
        Ok(Saved {
            version: p.version,
            slug: p.slug.clone(),
            status: status_of(p.status),
            published_at: p.published_at,
            saved_at: p.updated_at,
            saved_at_local: p.updated_at.with_timezone(&tz).format("%H:%M").to_string(),
        })
    }
}

#[async_trait::async_trait]
impl AdminPort for SqlAdmin {
    async fn context(&self, viewer: &Viewer, clinic: Option<&str>) -> Result<AdminContext, AppError> {
        let (user, principal) = self.principal(viewer).await?;
        let all = clinic::Entity::find().order_by_asc(clinic::Column::Name).all(&self.db).await.map_err(internal)?;
        let clinics = all
            .iter()
            .filter(|c| authorize(&principal, c.id, Action::EnterAdmin) == Decision::Allow)
            .map(|c| {
                let mut roles: Vec<String> = principal
                    .grants
                    .iter()
                    .filter(|g| g.clinic_id == c.id)
                    .map(|g| g.role.as_str().to_string())
                    .collect();
                roles.dedup();
                if principal.owner && roles.is_empty() {
                    roles.push("owner".into());
                }
                AdminClinicLink { slug: c.slug.clone(), name: c.name.clone(), roles }
            })
            .collect();
        let current = match clinic {
            None => None,
            Some(slug) => {
                let a = self.allow(viewer, slug, Action::EnterAdmin).await?;
                let tz = editor::clinic_tz(&self.db, a.clinic.id).await.map_err(internal)?;
                let site_url = clinic_base_url(&self.db, &a.clinic, &viewer.origin).await.map_err(internal)?;
                Some(AdminClinic {
                    id: a.clinic.id,
                    slug: a.clinic.slug.clone(),
                    name: a.clinic.name.clone(),
                    brand_color: a.clinic.brand_color.clone(),
                    site_url,
                    timezone: tz.name().to_string(),
                    can_edit_posts: authorize(&a.principal, a.clinic.id, Action::EditPosts) == Decision::Allow,
                    can_view_audit: authorize(&a.principal, a.clinic.id, Action::ViewAudit) == Decision::Allow,
                    can_manage_people: authorize(&a.principal, a.clinic.id, Action::ManageUsers) == Decision::Allow,
                    can_manage_offices: authorize(&a.principal, a.clinic.id, Action::ManageClinic) == Decision::Allow,
                    can_read_leads: authorize(&a.principal, a.clinic.id, Action::ReadLeads) == Decision::Allow,
                    can_manage_lead_settings: authorize(&a.principal, a.clinic.id, Action::ManageLeadSettings)
                        == Decision::Allow,
                })
            }
        };
        Ok(AdminContext {
            viewer: Viewer { user_id: user.id, name: user.name, email: user.email, origin: viewer.origin.clone() },
            is_owner: principal.owner && !principal.disabled,
            clinics,
            clinic: current,
        })
    }

    async fn posts(&self, viewer: &Viewer, clinic: &str, query: PostQuery) -> Result<AdminPostList, AppError> {
        let a = self.allow(viewer, clinic, Action::EditPosts).await?;
        editor::list(&self.db, a.clinic.id, &query, Utc::now()).await.map_err(internal)
    }

    async fn create_post(&self, viewer: &Viewer, clinic: &str, title: &str) -> Result<i32, AppError> {
        let a = self.allow(viewer, clinic, Action::EditPosts).await?;
        Ok(editor::create(&self.db, a.clinic.id, &a.actor, title, Utc::now()).await?)
    }

    async fn editor(&self, viewer: &Viewer, clinic: &str, post_id: i32) -> Result<EditorData, AppError> {
        let a = self.allow(viewer, clinic, Action::EditPosts).await?;
        let db = &self.db;
        let (p, form) = editor::load(db, a.clinic.id, post_id).await?;
        let tz = editor::clinic_tz(db, a.clinic.id).await.map_err(internal)?;
        let authors = author::Entity::find()
            .filter(author::Column::ClinicId.eq(a.clinic.id))
            .order_by_asc(author::Column::Name)
            .all(db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|x| Choice { id: x.id, name: x.name })
            .collect();
        let locations = location::Entity::find()
            .filter(location::Column::ClinicId.eq(a.clinic.id))
            .order_by_asc(location::Column::Name)
            .all(db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|x| Choice { id: x.id, name: x.name })
            .collect();
        let (categories, tags) = editor::term_names(db, a.clinic.id).await.map_err(internal)?;
        let base = clinic_base_url(db, &a.clinic, &viewer.origin).await.map_err(internal)?;
        Ok(EditorData {
            id: p.id,
            version: p.version,
            status: status_of(p.status),
            published_at: p.published_at,
            local_publish_at: p.published_at.map(|t| rules::format_local(t, tz)),
            updated_at: p.updated_at,
            public_url: format!("{base}/blog/{}", p.slug),
            timezone: tz.name().to_string(),
            preview_html: p.body_html.clone(),
            media: crate::media::list(db, a.clinic.id).await.map_err(internal)?.iter().map(media_item).collect(),
            form,
            authors,
            locations,
            categories,
            tags,
            now: Utc::now(),
        })
    }

    async fn save_post(
        &self,
        viewer: &Viewer,
        clinic: &str,
        post_id: i32,
        version: i32,
        form: PostForm,
        autosave: bool,
    ) -> Result<Saved, AppError> {
        let a = self.allow(viewer, clinic, Action::EditPosts).await?;
        let p = editor::save(&self.db, a.clinic.id, post_id, version, &form, &a.actor, autosave, Utc::now()).await?;
        self.saved(a.clinic.id, &p).await
    }

    async fn publish_post(
        &self,
        viewer: &Viewer,
        clinic: &str,
        post_id: i32,
        version: i32,
        action: PublishAction,
    ) -> Result<Saved, AppError> {
        let a = self.allow(viewer, clinic, Action::EditPosts).await?;
        let p = editor::publish(&self.db, a.clinic.id, post_id, version, &action, &a.actor, Utc::now()).await?;
        self.saved(a.clinic.id, &p).await
    }

    async fn delete_post(&self, viewer: &Viewer, clinic: &str, post_id: i32, version: i32) -> Result<(), AppError> {
        let a = self.allow(viewer, clinic, Action::EditPosts).await?;
        editor::delete(&self.db, a.clinic.id, post_id, version, &a.actor, Utc::now()).await?;
        Ok(())
    }

    async fn preview(&self, viewer: &Viewer, clinic: &str, md: &str) -> Result<String, AppError> {
        self.allow(viewer, clinic, Action::EditPosts).await?;
        if md.len() > rules::MAX_BODY_BYTES {
            return Err(AppError::validation("body_md", "The text is too long to preview."));
        }
        Ok(markdown::render_html(md))
    }

    async fn check_slug(&self, viewer: &Viewer, clinic: &str, post_id: i32, slug: &str) -> Result<SlugCheck, AppError> {
        let a = self.allow(viewer, clinic, Action::EditPosts).await?;
        let message =
            editor::slug_problem(&self.db, a.clinic.id, Some(post_id), slug.trim()).await.map_err(internal)?;
        Ok(SlugCheck { slug: slug.trim().to_string(), available: message.is_none(), message })
    }

    async fn revisions(&self, viewer: &Viewer, clinic: &str, post_id: i32) -> Result<RevisionsPage, AppError> {
        let a = self.allow(viewer, clinic, Action::EditPosts).await?;
        let (p, rows) = editor::revisions(&self.db, a.clinic.id, post_id).await?;
        Ok(RevisionsPage { post_id, post_title: p.title, rows, now: Utc::now() })
    }

    async fn diff(
        &self,
        viewer: &Viewer,
        clinic: &str,
        post_id: i32,
        from: i32,
        to: i32,
    ) -> Result<RevisionDiff, AppError> {
        let a = self.allow(viewer, clinic, Action::EditPosts).await?;
        Ok(editor::diff(&self.db, a.clinic.id, post_id, from, to).await?)
    }

    async fn create_preview(&self, viewer: &Viewer, clinic: &str, post_id: i32) -> Result<PreviewLink, AppError> {
        use crate::posts::preview::{self, PreviewError};
        let a = self.allow(viewer, clinic, Action::EditPosts).await?;
        let (token, expires_at) = match preview::create(&self.db, a.clinic.id, post_id, &a.actor, Utc::now()).await {
            Ok(t) => t,
            Err(PreviewError::NotFound) => return Err(AppError::NotFound),
            Err(PreviewError::Expired(_)) => return Err(AppError::Internal),
            Err(PreviewError::Db(e)) => return Err(internal(e)),
        };
        let base = clinic_base_url(&self.db, &a.clinic, &viewer.origin).await.map_err(internal)?;
        Ok(PreviewLink { url: format!("{base}/preview/{token}"), expires_at })
    }

    async fn search_misses(&self, viewer: &Viewer, clinic: &str) -> Result<SearchMissesPage, AppError> {
        const DAYS: u32 = 30;
        let a = self.allow(viewer, clinic, Action::EditPosts).await?;
        let since = (Utc::now() - chrono::Duration::days(DAYS as i64 - 1)).date_naive();
        let rows = crate::search::misses::list(&self.db, a.clinic.id, since, 200).await.map_err(internal)?;
        Ok(SearchMissesPage {
            rows: rows
                .into_iter()
                .map(|r| SearchMissRow { day: r.day, query: r.query, count: r.count.max(0) as u32 })
                .collect(),
            days: DAYS,
        })
    }

    async fn dashboard(&self, viewer: &Viewer, clinic: &str) -> Result<DashboardPage, AppError> {
        let a = self.allow(viewer, clinic, Action::EnterAdmin).await?;
        let offices = location::Entity::find()
            .filter(location::Column::ClinicId.eq(a.clinic.id))
            .order_by_asc(location::Column::Position)
            .order_by_asc(location::Column::Name)
            .all(&self.db)
            .await
            .map_err(internal)?;
        let ids: Vec<i32> = offices.iter().map(|o| o.id).collect();
        // `authorize(ViewDashboard)` for the clinic and each office decides what is shown.
        let view = crate::dashboard::View::of(&a.principal, a.clinic.id, &ids).ok_or(AppError::Forbidden)?;
        crate::dashboard::page(&self.db, &a.clinic, &offices, &view, Utc::now()).await.map_err(internal)
    }

    async fn audit(&self, viewer: &Viewer, clinic: &str, page: u32) -> Result<AuditPage, AppError> {
        const PER_PAGE: u64 = 50;
        let a = self.allow(viewer, clinic, Action::ViewAudit).await?;
        let page = page.max(1);
        let (rows, total) =
            crate::audit::page(&self.db, a.clinic.id, (page - 1) as u64, PER_PAGE).await.map_err(internal)?;
        Ok(AuditPage {
            rows: rows
                .into_iter()
                .map(|r| AuditRow { at: r.at, who: r.user_email, action: r.action, summary: r.summary })
                .collect(),
            page,
            pages: Ord::max(total.div_ceil(PER_PAGE), 1) as u32,
            now: Utc::now(),
        })
    }

    async fn members(&self, viewer: &Viewer, clinic: &str) -> Result<MembersPage, AppError> {
        let a = self.allow(viewer, clinic, Action::ManageUsers).await?;
        let mut page = members::page(&self.db, a.clinic.id, Utc::now()).await.map_err(internal)?;
        page.viewer_is_owner = a.principal.owner;
        Ok(page)
    }

    async fn add_member(&self, viewer: &Viewer, clinic: &str, form: MemberForm) -> Result<String, AppError> {
        let a = self.allow(viewer, clinic, Action::ManageUsers).await?;
        // Links in the mail lead to the clinic's own address, not to whatever Host the request named.
        let base = clinic_base_url(&self.db, &a.clinic, &viewer.origin).await.map_err(internal)?;
        let added = members::add(&self.db, &self.mailer, a.clinic.id, &a.actor, &form, &base, Utc::now())
            .await
            .map_err(member_error)?;
        Ok(match added {
            members::Added::Existing { email } => format!("{email} has the new role. It applies from their next page."),
            members::Added::Invited { email } => format!(
                "{email} has no account yet: one was made and an invitation to choose a password was sent (valid {} days).",
                members::INVITE_DAYS
            ),
        })
    }

    async fn account_action(
        &self,
        viewer: &Viewer,
        clinic: &str,
        user_id: i32,
        action: &str,
    ) -> Result<String, AppError> {
        let a = self.allow(viewer, clinic, Action::ManageUsers).await?;
        let action = members::AccountAction::parse(action)
            .ok_or_else(|| AppError::validation("account", "Choose what to do with the account."))?;
        let base = clinic_base_url(&self.db, &a.clinic, &viewer.origin).await.map_err(internal)?;
        members::act(
            &self.db,
            &self.mailer,
            a.clinic.id,
            &a.actor,
            a.principal.owner,
            user_id,
            action,
            &base,
            Utc::now(),
        )
        .await
        .map_err(member_error)
    }

    async fn remove_role(&self, viewer: &Viewer, clinic: &str, membership_id: i32) -> Result<(), AppError> {
        let a = self.allow(viewer, clinic, Action::ManageUsers).await?;
        members::remove(&self.db, a.clinic.id, &a.actor, membership_id, Utc::now()).await.map_err(member_error)
    }

    async fn offices(&self, viewer: &Viewer, clinic: &str) -> Result<OfficesPage, AppError> {
        let a = self.allow(viewer, clinic, Action::ManageClinic).await?;
        offices::page(&self.db, a.clinic.id).await.map_err(office_error)
    }

    async fn office(&self, viewer: &Viewer, clinic: &str, office_id: Option<i32>) -> Result<OfficeEditor, AppError> {
        let a = self.allow(viewer, clinic, Action::ManageClinic).await?;
        offices::editor(&self.db, a.clinic.id, office_id).await.map_err(office_error)
    }

    async fn save_office(
        &self,
        viewer: &Viewer,
        clinic: &str,
        form: OfficeForm,
        preview: bool,
    ) -> Result<OfficeAnswer, AppError> {
        let a = self.allow(viewer, clinic, Action::ManageClinic).await?;
        if preview {
            let shown = offices::preview(&self.db, a.clinic.id, &form, Utc::now()).await.map_err(office_error)?;
            return Ok(OfficeAnswer { id: None, preview: Some(shown) });
        }
        let id = offices::save(&self.db, a.clinic.id, &a.actor, &form, Utc::now()).await.map_err(office_error)?;
        Ok(OfficeAnswer { id: Some(id), preview: None })
    }

    async fn save_routing_order(&self, viewer: &Viewer, clinic: &str, order: &str) -> Result<String, AppError> {
        let a = self.allow(viewer, clinic, Action::ManageClinic).await?;
        offices::save_routing_order(&self.db, a.clinic.id, &a.actor, order, Utc::now()).await.map_err(office_error)
    }

    async fn move_office(&self, viewer: &Viewer, clinic: &str, office_id: i32, up: bool) -> Result<(), AppError> {
        let a = self.allow(viewer, clinic, Action::ManageClinic).await?;
        offices::move_office(&self.db, a.clinic.id, &a.actor, office_id, up, Utc::now()).await.map_err(office_error)
    }

    async fn archive_office(
        &self,
        viewer: &Viewer,
        clinic: &str,
        office_id: i32,
        archived: bool,
    ) -> Result<OfficeArchived, AppError> {
        let a = self.allow(viewer, clinic, Action::ManageClinic).await?;
        offices::set_archived(&self.db, a.clinic.id, &a.actor, office_id, archived, Utc::now())
            .await
            .map_err(office_error)
    }

    async fn send_office_test(&self, viewer: &Viewer, clinic: &str, office_id: i32) -> Result<String, AppError> {
        let a = self.allow(viewer, clinic, Action::ManageClinic).await?;
        let to =
            offices::send_test(&self.db, a.clinic.id, &a.actor, office_id, Utc::now()).await.map_err(office_error)?;
        Ok(format!(
            "A test message is on its way to {}. It should arrive within a minute; if it does not, check the address and the spam folder.",
            to.join(", ")
        ))
    }

    async fn try_routing(
        &self,
        viewer: &Viewer,
        clinic: &str,
        question: RouteQuestion,
    ) -> Result<RouteAnswer, AppError> {
        use crate::leads::tester::{TesterError, try_route};
        let a = self.allow(viewer, clinic, Action::ManageClinic).await?;
        try_route(&self.db, &a.clinic, &question).await.map_err(|e| match e {
            TesterError::Invalid(fields) => AppError::Fields(fields),
            TesterError::Db(e) => internal(e),
        })
    }

    async fn save_default_inbox(&self, viewer: &Viewer, clinic: &str, email: &str) -> Result<String, AppError> {
        let a = self.allow(viewer, clinic, Action::ManageClinic).await?;
        offices::save_default_inbox(&self.db, a.clinic.id, &a.actor, email, Utc::now()).await.map_err(office_error)
    }

    async fn lead_settings(&self, viewer: &Viewer, clinic: &str) -> Result<LeadSettingsPage, AppError> {
        let a = self.allow(viewer, clinic, Action::ManageLeadSettings).await?;
        crate::leads::settings::page(&self.db, a.clinic.id).await.map_err(settings_error)
    }

    async fn save_lead_settings(
        &self,
        viewer: &Viewer,
        clinic: &str,
        form: LeadSettingsForm,
    ) -> Result<LeadSettingsSaved, AppError> {
        let a = self.allow(viewer, clinic, Action::ManageLeadSettings).await?;
        let saved =
            crate::leads::settings::save(&self.db, a.clinic.id, &a.actor, &form, self.local_webhooks, Utc::now())
                .await
                .map_err(settings_error)?;
        let message = match (&saved.new_consent_version, saved.changed.is_empty()) {
            (_, true) => "Nothing changed.".to_string(),
            (Some(v), false) => format!("Saved. The consent text is now version {v}."),
            (None, false) => "Saved.".to_string(),
        };
        Ok(LeadSettingsSaved { message, new_consent_version: saved.new_consent_version })
    }

    async fn clinic_settings(&self, viewer: &Viewer, clinic: &str) -> Result<ClinicSettingsPage, AppError> {
        let a = self.allow(viewer, clinic, Action::ManageClinic).await?;
        let site_url = clinic_base_url(&self.db, &a.clinic, &viewer.origin).await.map_err(internal)?;
        crate::clinics::settings::page(&self.db, a.clinic.id, site_url).await.map_err(internal)
    }

    async fn save_clinic_settings(
        &self,
        viewer: &Viewer,
        clinic: &str,
        form: ClinicSettingsForm,
    ) -> Result<String, AppError> {
        let a = self.allow(viewer, clinic, Action::ManageClinic).await?;
        let changed = crate::clinics::settings::save(&self.db, a.clinic.id, &a.actor, &form, Utc::now())
            .await
            .map_err(clinic_settings_error)?;
        Ok(if changed.is_empty() { "Nothing changed.".into() } else { "Saved.".into() })
    }

    async fn leads(&self, viewer: &Viewer, clinic: &str, query: InboxQuery) -> Result<InboxPage, AppError> {
        let a = self.allow(viewer, clinic, Action::ReadLeads).await?;
        let scope = Scope::of(&a.principal, a.clinic.id);
        inbox::page(&self.db, a.clinic.id, &scope, &query, Utc::now()).await.map_err(inbox_error)
    }

    async fn lead(&self, viewer: &Viewer, clinic: &str, reference: &str) -> Result<LeadDetail, AppError> {
        let a = self.allow(viewer, clinic, Action::ReadLeads).await?;
        let scope = Scope::of(&a.principal, a.clinic.id);
        let mut d =
            inbox::detail(&self.db, a.clinic.id, &scope, reference, &a.actor, Utc::now()).await.map_err(inbox_error)?;
        d.can_manage_data = authorize(&a.principal, a.clinic.id, Action::EraseLead) == Decision::Allow;
        Ok(d)
    }

    async fn lead_action(
        &self,
        viewer: &Viewer,
        clinic: &str,
        reference: &str,
        action: LeadAction,
    ) -> Result<String, AppError> {
        let a = self.allow(viewer, clinic, Action::ReadLeads).await?;
        let scope = Scope::of(&a.principal, a.clinic.id);
        inbox::act(&self.db, a.clinic.id, &scope, reference, &a.actor, &action, Utc::now()).await.map_err(inbox_error)
    }

    async fn erase_lead(
        &self,
        viewer: &Viewer,
        clinic: &str,
        reference: &str,
        confirm: &str,
    ) -> Result<String, AppError> {
        let a = self.allow(viewer, clinic, Action::EraseLead).await?;
        if !confirm.trim().eq_ignore_ascii_case(reference.trim()) {
            return Err(AppError::validation("confirm", format!("Type the reference {reference} to confirm.")));
        }
        crate::leads::privacy::erase(&self.db, a.clinic.id, reference, &a.actor, Utc::now()).await.map_err(inbox_error)
    }

    async fn terms(&self, viewer: &Viewer, clinic: &str) -> Result<TermsPage, AppError> {
        let a = self.allow(viewer, clinic, Action::EditTaxonomyAndMedia).await?;
        crate::posts::terms::page(&self.db, a.clinic.id).await.map_err(internal)
    }

    async fn save_term(
        &self,
        viewer: &Viewer,
        clinic: &str,
        kind: ArchiveKind,
        id: Option<i32>,
        form: TermForm,
    ) -> Result<i32, AppError> {
        let a = self.allow(viewer, clinic, Action::EditTaxonomyAndMedia).await?;
        Ok(crate::posts::terms::save(&self.db, a.clinic.id, kind, id, &form, &a.actor, Utc::now()).await?)
    }

    async fn delete_term(&self, viewer: &Viewer, clinic: &str, kind: ArchiveKind, id: i32) -> Result<(), AppError> {
        let a = self.allow(viewer, clinic, Action::EditTaxonomyAndMedia).await?;
        Ok(crate::posts::terms::delete(&self.db, a.clinic.id, kind, id, &a.actor, Utc::now()).await?)
    }

    async fn merge_tags(&self, viewer: &Viewer, clinic: &str, from: i32, into: i32) -> Result<(), AppError> {
        let a = self.allow(viewer, clinic, Action::EditTaxonomyAndMedia).await?;
        Ok(crate::posts::terms::merge_tags(&self.db, a.clinic.id, from, into, &a.actor, Utc::now()).await?)
    }

    async fn media(&self, viewer: &Viewer, clinic: &str, flash: Option<Flash>) -> Result<MediaPage, AppError> {
        let a = self.allow(viewer, clinic, Action::EditTaxonomyAndMedia).await?;
        let items = crate::media::list(&self.db, a.clinic.id).await.map_err(internal)?.iter().map(media_item).collect();
        Ok(MediaPage { items, flash, max_mb: (crate::media::MAX_BYTES / 1_048_576) as u32, now: Utc::now() })
    }

    async fn network(&self, viewer: &Viewer) -> Result<NetworkPage, AppError> {
        self.owner(viewer).await?;
        crate::clinics::network::page(&self.db, &viewer.origin).await.map_err(internal)
    }

    async fn save_clinic(&self, viewer: &Viewer, form: ClinicForm) -> Result<ClinicSaved, AppError> {
        let actor = self.owner(viewer).await?;
        let slug = crate::clinics::network::save(&self.db, &actor, &form, Utc::now()).await.map_err(network_error)?;
        Ok(ClinicSaved { slug, created: form.id.trim().is_empty() })
    }

    async fn archive_clinic(&self, viewer: &Viewer, slug: &str, archived: bool) -> Result<ClinicArchived, AppError> {
        let actor = self.owner(viewer).await?;
        let name = crate::clinics::network::set_archived(&self.db, &actor, slug, archived, Utc::now())
            .await
            .map_err(network_error)?;
        Ok(ClinicArchived { name, archived })
    }

    async fn restore(&self, viewer: &Viewer, clinic: &str, post_id: i32, revision: i32) -> Result<Saved, AppError> {
        let a = self.allow(viewer, clinic, Action::EditPosts).await?;
        let p = editor::restore(&self.db, a.clinic.id, post_id, revision, &a.actor, Utc::now()).await?;
        self.saved(a.clinic.id, &p).await
    }
}
