//! Leads: the pure rules of contact and appointment requests. No database
//! and no HTTP here; storage, handlers and pages call these.
//!
//! A submission goes: [`form::validate`] (per-field messages, the typed
//! input kept by the caller) → [`spam::FormToken::verify`] and
//! [`spam::assess`] (suspected spam is stored with status spam, never
//! dropped), with [`spam::RateLimit`] refusing floods → [`routing::route`]
//! (which office, and by which rule) → a [`reference::Reference`] for the
//! thank-you page. Staff then move it through [`status::LeadStatus`], the
//! [`clock`] measures its first response in the office's opening hours, and
//! [`csv_export`] writes what they may see. Requests left unanswered past
//! the target are escalated to the clinic's admins once ([`escalation`]);
//! admins export or erase one request on request ([`privacy`]); finished
//! requests are deleted after the clinic's retention period ([`retention`]).
//! Clinic admins edit the consent text, response target, retention, webhook
//! and API origins ([`settings`]), and ask where a request would go
//! ([`tester`], the live form's own routing).

pub mod clock;
/// The form rules live in `app` so the browser runs them too (inline validation).
pub use app::leads::{form, status};
pub mod csv_export;
pub mod escalation;
pub mod inbox;
pub mod outbox;
pub mod port;
pub mod privacy;
pub mod reference;
pub mod retention;
pub mod routing;
pub mod settings;
pub mod spam;
pub mod store;
pub mod tester;
pub mod webhook;

pub use form::{FieldErrors, FormKind, RawLead, ValidLead};
pub use reference::{Prefix, Reference};
pub use routing::{Route, RoutedBy};
pub use spam::{FormToken, SpamReason, SpamVerdict, TokenClaims, TokenError};
pub use status::{ContactMethod, LeadStatus};
