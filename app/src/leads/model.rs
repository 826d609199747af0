//! What the contact and appointment forms need from the server, and what a
//! refused submission sends back to them (everything typed, and why).

use serde::{Deserialize, Serialize};

use super::form::RawLead;

/// An office the visitor may choose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeChoice {
    pub slug: String,
    pub name: String,
    pub phone: String,
}

/// Everything a lead form shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadFormData {
    pub offices: Vec<OfficeChoice>,
    /// The consent checkbox's text, and its version (stored with each lead).
    pub consent_text: String,
    pub consent_version: String,
    /// One-use token (also dates the form, for the minimum fill time).
    pub token: String,
    /// The clinic's note shown above the message box (e.g. "non-medical questions only").
    pub disclaimer: Option<String>,
    /// A refused submission of this very request, to show again.
    pub submitted: Option<Submission>,
}

/// A submission the server did not accept: what was typed, the per-field
/// messages, and a message for the whole form (too many requests, or the
/// request could not be saved).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    pub values: RawLead,
    pub errors: Vec<(String, String)>,
    pub problem: Option<String>,
}

/// The thank-you page's facts, all from its address (nothing is looked up
/// by reference, so the page reveals nothing about anyone's request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thanks {
    pub reference: String,
    pub office: Option<OfficeChoice>,
}

/// Filters of the lead inbox, as its form sends them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxQuery {
    /// A status (`new` …), "open" (new, contacted, scheduled: the default) or "all".
    #[serde(default)]
    pub status: String,
    /// An office slug, "default" (the default inbox) or "" (every office the user works).
    #[serde(default)]
    pub office: String,
    /// Name, e-mail, phone or reference.
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub page: u32,
}

/// `/admin/:clinic/leads`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxPage {
    pub rows: Vec<InboxRow>,
    /// The offices this user works (the filter's choices).
    pub offices: Vec<OfficeChoice>,
    /// Whether the user also works the clinic's default inbox (clinic admins).
    pub default_inbox: bool,
    pub total: u64,
    pub page: u32,
    pub pages: u32,
    /// The clinic's first-response target, in business minutes.
    pub target_minutes: u32,
    pub now: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxRow {
    pub reference: String,
    /// contact · appointment
    pub kind: String,
    pub status: String,
    pub name: String,
    /// The office's name; `None`: the default inbox.
    pub office: Option<String>,
    pub received_at: chrono::DateTime<chrono::Utc>,
    /// Business time waiting for a first response, e.g. "3 h 10 min"; `None` once answered.
    pub waiting: Option<String>,
    /// Past the clinic's first-response target without an answer.
    pub overdue: bool,
    pub assignee: Option<String>,
}

/// One lead, as staff read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadDetail {
    pub reference: String,
    pub kind: String,
    pub status: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub contact_method: String,
    pub message: String,
    pub zip: String,
    pub patient: String,
    pub preferred_days: Vec<String>,
    pub preferred_times: Vec<String>,
    pub office: Option<String>,
    /// "the office the visitor chose" …
    pub routed_by: String,
    pub consent_text: String,
    pub consent_version: String,
    pub source_path: String,
    pub utm: Vec<(String, String)>,
    pub received_at: chrono::DateTime<chrono::Utc>,
    pub first_response_at: Option<chrono::DateTime<chrono::Utc>>,
    pub waiting: Option<String>,
    pub overdue: bool,
    pub assignee: Option<String>,
    /// Who it may be assigned to: (user id, name).
    pub assignable: Vec<(i32, String)>,
    /// Statuses it may move to from here.
    pub next_statuses: Vec<String>,
    pub history: Vec<HistoryLine>,
    pub deliveries: Vec<DeliveryLine>,
    pub now: chrono::DateTime<chrono::Utc>,
    /// When its personal data was erased on request (a stub since).
    #[serde(default)]
    pub erased_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Whether this user may export it as JSON and erase it (clinic admins).
    #[serde(default)]
    pub can_manage_data: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryLine {
    pub at: chrono::DateTime<chrono::Utc>,
    pub kind: String,
    pub who: Option<String>,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryLine {
    pub id: i64,
    /// "Notice to the office inbox" …
    pub what: String,
    pub target: String,
    /// pending · sent · dead
    pub state: String,
    pub attempts: i32,
    pub last_error: Option<String>,
}

/// What staff do to a lead (the inbox's buttons and forms).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LeadAction {
    /// Move to this status (`contacted` …; `spam` marks spam, `new` from spam is "not spam").
    Status(String),
    /// Assign to this user id; `None` unassigns.
    Assign(Option<i32>),
    Note(String),
    /// Queue the office notice again.
    Resend,
}
