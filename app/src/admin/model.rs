//! Data shapes of the admin area (serde, both targets).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The signed-in user, put into the request by the server's session layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub user_id: i32,
    pub name: String,
    pub email: String,
    /// `scheme://host[:port]` of the request, for links to the clinics' sites.
    pub origin: String,
}

/// A one-shot message for the sign-in and reset pages (after a redirect),
/// with what the user typed, so nothing has to be typed twice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    pub error: Option<String>,
    pub notice: Option<String>,
    pub email: String,
}

/// A clinic the user may work in, for the clinic switcher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminClinicLink {
    pub slug: String,
    pub name: String,
    pub roles: Vec<String>,
}

/// Everything the admin layout needs: who, which clinics, what they may do here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminContext {
    pub viewer: Viewer,
    /// The network owner: may create, change and archive clinics.
    #[serde(default)]
    pub is_owner: bool,
    pub clinics: Vec<AdminClinicLink>,
    /// The clinic of this page, when the page belongs to one.
    pub clinic: Option<AdminClinic>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminClinic {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub brand_color: String,
    /// Public address of the clinic's site, e.g. `http://pmc.localhost:3000`.
    pub site_url: String,
    /// IANA time zone schedules are shown and typed in.
    pub timezone: String,
    pub can_edit_posts: bool,
    pub can_view_audit: bool,
    /// Clinic admins: people and roles.
    #[serde(default)]
    pub can_manage_people: bool,
    /// Clinic admins: offices, inbox addresses and where requests go.
    #[serde(default)]
    pub can_manage_offices: bool,
    /// Office staff and clinic admins: the lead inbox.
    #[serde(default)]
    pub can_read_leads: bool,
    /// Clinic admins: consent text, response target, retention, webhook, API origins.
    #[serde(default)]
    pub can_manage_lead_settings: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EditorStatus {
    Draft,
    Scheduled,
    Published,
    Archived,
}

impl EditorStatus {
    pub const ALL: [EditorStatus; 4] =
        [EditorStatus::Draft, EditorStatus::Scheduled, EditorStatus::Published, EditorStatus::Archived];

    pub fn as_str(self) -> &'static str {
        match self {
            EditorStatus::Draft => "draft",
            EditorStatus::Scheduled => "scheduled",
            EditorStatus::Published => "published",
            EditorStatus::Archived => "archived",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EditorStatus::Draft => "Draft",
            EditorStatus::Scheduled => "Scheduled",
            EditorStatus::Published => "Published",
            EditorStatus::Archived => "Archived",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// One row of the post list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminPostRow {
    pub id: i32,
    pub title: String,
    pub slug: String,
    pub status: EditorStatus,
    pub author: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminPostList {
    pub rows: Vec<AdminPostRow>,
    pub counts: Vec<(EditorStatus, u64)>,
    pub total: u64,
    pub page: u32,
    pub pages: u32,
    pub now: DateTime<Utc>,
}

/// The post list's filters, from the query string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostQuery {
    pub status: Option<EditorStatus>,
    pub q: String,
    pub page: u32,
}

/// What the editor form sends. Text fields arrive as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostForm {
    pub title: String,
    pub slug: String,
    pub excerpt: String,
    pub body_md: String,
    /// Category name; a new name creates the category.
    pub category: String,
    /// Comma-separated tag names; new names create tags.
    pub tags: String,
    pub author_id: Option<i32>,
    pub location_ids: Vec<i32>,
    pub seo_title: String,
    pub seo_description: String,
    pub featured_image: String,
    pub featured_image_alt: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: i32,
    pub name: String,
}

/// The editor page's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorData {
    pub id: i32,
    pub version: i32,
    pub status: EditorStatus,
    pub published_at: Option<DateTime<Utc>>,
    /// `published_at` as `YYYY-MM-DDTHH:MM` in the clinic's time zone (for the schedule input).
    pub local_publish_at: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub form: PostForm,
    pub authors: Vec<Choice>,
    pub locations: Vec<Choice>,
    pub categories: Vec<String>,
    pub tags: Vec<String>,
    pub public_url: String,
    /// Timezone name schedules are typed in.
    pub timezone: String,
    /// The body rendered as the public page shows it (the first preview).
    pub preview_html: String,
    /// Uploaded images to choose the featured image from.
    pub media: Vec<MediaItem>,
    pub now: DateTime<Utc>,
}

/// The answer to a save: the new version, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    pub version: i32,
    pub slug: String,
    pub status: EditorStatus,
    pub published_at: Option<DateTime<Utc>>,
    pub saved_at: DateTime<Utc>,
    /// "12:03" in the clinic's time zone.
    pub saved_at_local: String,
}

/// What the publish buttons ask for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PublishAction {
    PublishNow,
    /// `YYYY-MM-DDTHH:MM` in the clinic's time zone, as a `datetime-local` input gives it.
    Schedule(String),
    Unpublish,
    Archive,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlugCheck {
    pub slug: String,
    pub available: bool,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionRow {
    pub id: i32,
    pub created_at: DateTime<Utc>,
    pub user_name: String,
    pub title: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiffLine {
    Same(String),
    Added(String),
    Removed(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionDiff {
    pub from: RevisionRow,
    pub to: RevisionRow,
    pub title_changed: bool,
    pub lines: Vec<DiffLine>,
    /// Other fields that differ: (field, before, after).
    pub fields: Vec<(String, String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionsPage {
    pub post_id: i32,
    pub post_title: String,
    pub rows: Vec<RevisionRow>,
    pub now: DateTime<Utc>,
}

/// A private preview link of a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewLink {
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub at: DateTime<Utc>,
    pub who: String,
    pub action: String,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    pub page: u32,
    pub pages: u32,
    pub now: DateTime<Utc>,
}

/// A search that found nothing, with how often it was asked that day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchMissRow {
    pub day: chrono::NaiveDate,
    pub query: String,
    pub count: u32,
}

/// The last 30 days of searches that found nothing, most asked first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchMissesPage {
    pub rows: Vec<SearchMissRow>,
    pub days: u32,
}

/// A category, tag or author with the number of posts using it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermRow {
    pub id: i32,
    pub name: String,
    pub slug: String,
    pub posts: u64,
    pub credentials: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermsPage {
    pub categories: Vec<TermRow>,
    pub tags: Vec<TermRow>,
    pub authors: Vec<TermRow>,
}

/// Create or rename a term: the slug may stay empty (made from the name).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermForm {
    pub name: String,
    #[serde(default)]
    pub slug: String,
    /// Authors only.
    #[serde(default)]
    pub credentials: String,
}

/// An uploaded image, as the media library and the editor show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaItem {
    pub id: i32,
    /// The URL a post uses (the 800-px variant, or the widest below it).
    pub url: String,
    pub srcset: String,
    pub thumb_url: String,
    pub alt: String,
    pub width: i32,
    pub height: i32,
    pub original_name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaPage {
    pub items: Vec<MediaItem>,
    pub flash: Option<Flash>,
    pub max_mb: u32,
    pub now: DateTime<Utc>,
}

/// `/admin/network`: every clinic of the deployment, for the network owner.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkPage {
    /// By name; archived clinics last.
    pub clinics: Vec<NetworkClinicRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkClinicRow {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub hosts: Vec<String>,
    pub default_inbox: String,
    pub site_url: String,
    pub archived: bool,
    /// "Dec 3, 2026" when archived.
    pub archived_on: Option<String>,
    /// E-mail addresses of its clinic admins.
    pub admins: Vec<String>,
    pub offices: u64,
    pub posts: u64,
}

/// What archiving or restoring a clinic answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClinicArchived {
    pub name: String,
    /// Archived now (else restored).
    pub archived: bool,
}

/// What a saved clinic form answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClinicSaved {
    pub slug: String,
    /// A new clinic (else an existing one changed).
    pub created: bool,
}

/// Create (`id` empty) or change a clinic, as typed: a refused form comes back as it was.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClinicForm {
    #[serde(default)]
    pub id: String,
    /// Only for a new clinic: the slug is fixed afterwards.
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub name: String,
    /// Host names, one per line (or separated by commas or spaces).
    #[serde(default)]
    pub hosts: String,
    #[serde(default)]
    pub default_inbox: String,
}

/// `/admin/:clinic/people`: who holds which role in this clinic.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembersPage {
    pub members: Vec<MemberRow>,
    pub offices: Vec<OfficeOption>,
    /// When the page was made ("signed in 2 hours ago").
    pub now: DateTime<Utc>,
    /// The viewer is the network owner, who also manages accounts shared
    /// with other clinics.
    #[serde(default)]
    pub viewer_is_owner: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    pub user_id: i32,
    pub name: String,
    pub email: String,
    pub disabled: bool,
    /// Invited, has not chosen a password yet.
    pub invited: bool,
    /// Roles in this clinic only.
    pub roles: Vec<MemberRole>,
    /// The network owner's account.
    #[serde(default)]
    pub is_owner: bool,
    /// Also has roles in other clinics (whose names are not shown here).
    #[serde(default)]
    pub other_clinics: bool,
    /// Signed-in sessions that have not expired, newest first.
    #[serde(default)]
    pub sessions: Vec<SessionRow>,
}

/// One signed-in session of a person (never its id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRow {
    pub signed_in: DateTime<Utc>,
    pub last_active: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRole {
    pub membership_id: i32,
    /// admin · marketer · staff
    pub role: String,
    /// The office, for staff.
    pub office: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeOption {
    pub id: i32,
    pub name: String,
}

/// "Give someone a role": an e-mail (an account is made and invited if
/// there is none), their name (for new accounts), the role, and for office
/// staff the office.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberForm {
    pub email: String,
    #[serde(default)]
    pub name: String,
    pub role: String,
    /// The office id for staff, as the form's select sends it ("" for none).
    #[serde(default)]
    pub location_id: String,
}

/// `/admin/:clinic/offices`: the clinic's offices and where visitors'
/// requests go, for clinic admins.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficesPage {
    pub offices: Vec<OfficeRow>,
    /// Where a request goes when no office rule matches.
    pub default_inbox: String,
    /// `page_first` (the page's office before the ZIP code) or `zip_first`.
    #[serde(default)]
    pub routing_order: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeRow {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub address: String,
    pub phone: String,
    pub timezone: String,
    pub inbox: Vec<String>,
    pub zip_codes: Vec<String>,
    /// e.g. "Mon–Fri 8:00 AM – 5:00 PM"-style lines, one per day.
    pub hours: Vec<(String, String)>,
    /// The office's public page.
    pub url: String,
    /// Archived: off the public site, the forms and routing.
    #[serde(default)]
    pub archived: bool,
    /// Holiday closures not yet over.
    #[serde(default)]
    pub closures: Vec<String>,
}

/// One office as its edit form sends and shows it: every field is the
/// text typed, so a refused form comes back exactly as it was.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeForm {
    /// "" for a new office.
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub timezone: String,
    /// Opening hours, Monday first: "08:00-17:00", "08:00-12:00, 13:00-17:00" or "" (closed).
    #[serde(default)]
    pub mon: String,
    #[serde(default)]
    pub tue: String,
    #[serde(default)]
    pub wed: String,
    #[serde(default)]
    pub thu: String,
    #[serde(default)]
    pub fri: String,
    #[serde(default)]
    pub sat: String,
    #[serde(default)]
    pub sun: String,
    /// E-mail addresses, one per line (or separated by commas).
    #[serde(default)]
    pub inbox: String,
    /// ZIP codes this office serves, separated by spaces, commas or lines.
    #[serde(default)]
    pub zip_codes: String,
    #[serde(default)]
    pub latitude: String,
    #[serde(default)]
    pub longitude: String,
    /// Holiday closures, one per line: "2026-12-25 Christmas Day" or
    /// "2026-12-24 to 2026-12-26 Winter break".
    #[serde(default)]
    pub closures: String,
}

impl OfficeForm {
    /// The seven day fields with their keys, Monday first.
    pub fn days(&self) -> [(&'static str, &str); 7] {
        [
            ("mon", &self.mon),
            ("tue", &self.tue),
            ("wed", &self.wed),
            ("thu", &self.thu),
            ("fri", &self.fri),
            ("sat", &self.sat),
            ("sun", &self.sun),
        ]
    }
}

/// The office edit page: the form (filled from the database, or empty for a
/// new office) and the time zones to choose from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeEditor {
    pub form: OfficeForm,
    pub is_new: bool,
    pub timezones: Vec<String>,
    #[serde(default)]
    pub archived: bool,
    /// The inbox addresses as saved (the test e-mail goes to these).
    #[serde(default)]
    pub saved_inbox: Vec<String>,
}

/// What `save_office` answers: the id of the office saved or, for
/// "Preview", how visitors would see the office as typed (nothing saved).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfficeAnswer {
    pub id: Option<i32>,
    pub preview: Option<OfficePreview>,
}

/// An office as visitors would see it, from the form as typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfficePreview {
    /// The form as sent, so a page without JavaScript shows it again.
    pub form: OfficeForm,
    pub card: crate::model::LocationSummary,
    /// (day name, hours text), Monday first.
    pub week: Vec<(String, String)>,
    pub closures: Vec<String>,
    pub timezone_label: String,
}

/// An office archived or restored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeArchived {
    pub name: String,
    pub archived: bool,
}

/// The routing tester's question: a lead from this page, with this office
/// chosen and this ZIP code — where would it go?
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteQuestion {
    /// An office slug, or "" for no choice.
    #[serde(default)]
    pub office: String,
    /// The page the form is on: `/contact`, `/locations/concord`, or a full URL.
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub zip: String,
}

/// Where that lead would go, by the live form's routing function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteAnswer {
    /// The question, so a page without JavaScript shows it again.
    pub question: RouteQuestion,
    /// The office's name, or "the clinic's default inbox".
    pub destination: String,
    /// The rule that decided, in words.
    pub rule: String,
    /// The addresses told about it.
    pub inbox: Vec<String>,
}

/// The request settings form, as typed (every field text, so a refused
/// form comes back exactly as it was sent). The webhook secret is
/// write-only: empty keeps the stored one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadSettingsForm {
    #[serde(default)]
    pub consent_text: String,
    /// Shown above the message box; empty: none.
    #[serde(default)]
    pub disclaimer: String,
    /// Business hours, e.g. "4" or "1.5".
    #[serde(default)]
    pub response_target_hours: String,
    /// Days; empty: keep requests forever.
    #[serde(default)]
    pub retention_days: String,
    #[serde(default)]
    pub webhook_url: String,
    /// A new secret, or empty to keep the stored one. Never sent back to the page.
    #[serde(default)]
    pub webhook_secret: String,
    /// "on" to remove the stored secret.
    #[serde(default)]
    pub forget_secret: String,
    /// One origin per line.
    #[serde(default)]
    pub cors_origins: String,
}

/// A refused save of the request settings, put into the request by the
/// server so the page shows it again (with or without JavaScript).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadSettingsRefused {
    /// What was typed, the secret left out.
    pub form: LeadSettingsForm,
    pub errors: Vec<(String, String)>,
    /// A new secret had been typed (and has to be typed again).
    pub secret_typed: bool,
}

/// `/admin/{clinic}/lead-settings`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadSettingsPage {
    /// The stored settings (or, after a refused save, what was typed).
    pub form: LeadSettingsForm,
    pub consent_version: String,
    /// The day the current consent text took effect, when the version tells it.
    pub consent_since: Option<DateTime<Utc>>,
    /// Whether a webhook secret is stored (its value is never shown).
    pub secret_set: bool,
    pub refused: Option<LeadSettingsRefused>,
}

/// What saving the request settings did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadSettingsSaved {
    /// A sentence for the admin.
    pub message: String,
    /// The new consent version, when the consent text changed.
    pub new_consent_version: Option<String>,
}

/// One office's request figures on the dashboard (`office_id: None`: the
/// clinic's default inbox).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardOffice {
    pub office_id: Option<i32>,
    pub name: String,
    /// Requests received per week, oldest first (one per [`DashboardPage::weeks`]).
    pub per_week: Vec<u32>,
    /// Requests of the 12 weeks with a first response.
    pub answered: u32,
    /// Requests of the 12 weeks still open without a first response.
    pub waiting: u32,
    /// Median time to first response, in business minutes (`None`: no requests).
    pub median_minutes: Option<u32>,
    /// 90th percentile of the same, in business minutes.
    pub p90_minutes: Option<u32>,
    /// Open requests without a first response past the target now (any age).
    pub overdue_now: u32,
}

/// One labelled count of the dashboard (a week, a month, a search).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardCount {
    /// A machine form: `2026-12-07` (a week's Monday), `2026-12` (a month), or the search text.
    pub key: String,
    /// What people read: "Dec 7", "Dec 2026".
    pub label: String,
    pub count: u32,
}

/// `/admin/{clinic}/dashboard`: the clinic's figures at a glance, with the
/// charts already drawn (accessible SVG, every text escaped on the server).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardPage {
    pub clinic_name: String,
    /// The IANA zone weeks and months are counted in.
    pub timezone: String,
    /// Every office and the default inbox (admins, marketers); else the viewer's offices only.
    pub clinic_wide: bool,
    /// The clinic's first-response target, in business minutes, and in words.
    pub target_minutes: u32,
    pub target_text: String,
    /// The last 12 ISO weeks, oldest first (the current week last).
    pub weeks: Vec<DashboardCount>,
    pub offices: Vec<DashboardOffice>,
    /// Posts published per month, the last 12 months, oldest first.
    pub months: Vec<DashboardCount>,
    /// The 10 searches of the last 30 days most often without results
    /// (`None`: not shown to this viewer).
    pub searches: Option<Vec<DashboardCount>>,
    /// Whether the viewer may open the request inbox (for links).
    pub can_read_leads: bool,
    pub leads_chart: String,
    pub response_chart: String,
    pub posts_chart: String,
}

/// The clinic settings form (`/admin/{clinic}/settings`), as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClinicSettingsForm {
    #[serde(default)]
    pub name: String,
    /// One line under the name on the home page; empty: none.
    #[serde(default)]
    pub tagline: String,
    /// `#rrggbb`; white text on it must reach 4.5:1.
    #[serde(default)]
    pub brand_color: String,
}

/// A refused save on the clinic settings page (the details or the logo),
/// put into the request by the server so the page shows it again with a
/// message at each field (with or without JavaScript).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClinicSettingsRefused {
    /// What was typed into the details form; `None` when the logo was refused.
    pub form: Option<ClinicSettingsForm>,
    /// (field, message): `name`, `tagline`, `brand_color`, `logo`.
    pub errors: Vec<(String, String)>,
}

/// `/admin/{clinic}/settings`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClinicSettingsPage {
    /// The stored settings (or, after a refused save, what was typed).
    pub form: ClinicSettingsForm,
    /// The stored brand colour (the preview's, whatever was typed).
    pub brand_color: String,
    pub logo_url: Option<String>,
    pub logo_size: Option<(u32, u32)>,
    /// The clinic's site, for "View site".
    pub site_url: String,
    pub refused: Option<ClinicSettingsRefused>,
}
