//! A lead's status and the moves staff may make between them, and the
//! visitor's preferred way to be contacted.
//!
//! Statuses are stored as their [`LeadStatus::as_str`] text. Staff may move a
//! lead from any status to any other, except that a lead marked spam only
//! leaves spam through "not spam", which puts it back to `New` (so it is
//! worked like a fresh lead, and the response clock is visible again).

use std::fmt;

/// Where a lead is in the office's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeadStatus {
    New,
    Contacted,
    Scheduled,
    Closed,
    Spam,
}

/// Why a status change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The lead already has that status (nothing to record).
    #[error("This lead is already marked {}.", .0.label())]
    Unchanged(LeadStatus),
    /// A spam lead can only become `New`, through "not spam".
    #[error("This lead is marked as spam: mark it \u{201c}not spam\u{201d} first, which makes it New again.")]
    LeavesSpam { to: LeadStatus },
}

impl LeadStatus {
    /// Every status, in the order the inbox lists them.
    pub const ALL: [LeadStatus; 5] =
        [LeadStatus::New, LeadStatus::Contacted, LeadStatus::Scheduled, LeadStatus::Closed, LeadStatus::Spam];

    /// The stored text: `new`, `contacted`, `scheduled`, `closed`, `spam`.
    pub const fn as_str(self) -> &'static str {
        match self {
            LeadStatus::New => "new",
            LeadStatus::Contacted => "contacted",
            LeadStatus::Scheduled => "scheduled",
            LeadStatus::Closed => "closed",
            LeadStatus::Spam => "spam",
        }
    }

    /// The stored text back (exact, lower case); `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// For people: "New", "Contacted", "Scheduled", "Closed", "Spam".
    pub const fn label(self) -> &'static str {
        match self {
            LeadStatus::New => "New",
            LeadStatus::Contacted => "Contacted",
            LeadStatus::Scheduled => "Scheduled",
            LeadStatus::Closed => "Closed",
            LeadStatus::Spam => "Spam",
        }
    }

    /// Whether staff may move a lead from `self` to `to`.
    pub fn can_become(self, to: LeadStatus) -> bool {
        self.check_transition(to).is_ok()
    }

    /// `Ok` when staff may move a lead from `self` to `to`: any status to any
    /// other, except out of `Spam` (only to `New`, "not spam"). Moving to the
    /// same status is refused as `Unchanged` so no empty history event is
    /// written; a caller that wants idempotent clicks can treat it as success.
    pub fn check_transition(self, to: LeadStatus) -> Result<(), TransitionError> {
        if self == to {
            Err(TransitionError::Unchanged(to))
        } else if self == LeadStatus::Spam && to != LeadStatus::New {
            Err(TransitionError::LeavesSpam { to })
        } else {
            Ok(())
        }
    }
}

impl fmt::Display for LeadStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// How the visitor wants the office to reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactMethod {
    Phone,
    Email,
    Text,
}

impl ContactMethod {
    pub const ALL: [ContactMethod; 3] = [ContactMethod::Phone, ContactMethod::Email, ContactMethod::Text];

    /// The form value and stored text: `phone`, `email`, `text`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ContactMethod::Phone => "phone",
            ContactMethod::Email => "email",
            ContactMethod::Text => "text",
        }
    }

    /// The form value back; trims and ignores case, and also takes `e-mail`
    /// and `sms`. `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "phone" | "call" => Some(ContactMethod::Phone),
            "email" | "e-mail" => Some(ContactMethod::Email),
            "text" | "sms" => Some(ContactMethod::Text),
            _ => None,
        }
    }

    /// For people: "Phone call", "E-mail", "Text message".
    pub const fn label(self) -> &'static str {
        match self {
            ContactMethod::Phone => "Phone call",
            ContactMethod::Email => "E-mail",
            ContactMethod::Text => "Text message",
        }
    }

    /// Whether replying this way needs a phone number (else an e-mail address).
    pub const fn needs_phone(self) -> bool {
        matches!(self, ContactMethod::Phone | ContactMethod::Text)
    }
}

impl fmt::Display for ContactMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_text_round_trips_and_rejects_other_spellings() {
        for s in LeadStatus::ALL {
            assert_eq!(LeadStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(LeadStatus::parse("New"), None);
        assert_eq!(LeadStatus::parse(" new"), None);
        assert_eq!(LeadStatus::parse(""), None);
        assert_eq!(LeadStatus::parse("deleted"), None);
        assert_eq!(LeadStatus::Scheduled.to_string(), "Scheduled");
    }

    #[test]
    fn any_status_may_become_any_other_except_out_of_spam() {
        for from in LeadStatus::ALL {
            for to in LeadStatus::ALL {
                let expected = from != to && (from != LeadStatus::Spam || to == LeadStatus::New);
                assert_eq!(from.can_become(to), expected, "{from:?} → {to:?}");
            }
        }
    }

    #[test]
    fn refusals_say_why() {
        assert_eq!(LeadStatus::New.check_transition(LeadStatus::New), Err(TransitionError::Unchanged(LeadStatus::New)));
        assert_eq!(
            LeadStatus::Spam.check_transition(LeadStatus::Closed),
            Err(TransitionError::LeavesSpam { to: LeadStatus::Closed })
        );
        assert!(LeadStatus::Closed.check_transition(LeadStatus::Spam).is_ok());
        assert!(LeadStatus::Spam.check_transition(LeadStatus::New).is_ok());
        assert!(TransitionError::Unchanged(LeadStatus::Closed).to_string().contains("already marked Closed"));
        assert!(TransitionError::LeavesSpam { to: LeadStatus::Closed }.to_string().contains("not spam"));
    }

    #[test]
    fn contact_methods_parse_form_values() {
        for m in ContactMethod::ALL {
            assert_eq!(ContactMethod::parse(m.as_str()), Some(m));
        }
        assert_eq!(ContactMethod::parse(" E-Mail "), Some(ContactMethod::Email));
        assert_eq!(ContactMethod::parse("SMS"), Some(ContactMethod::Text));
        assert_eq!(ContactMethod::parse(""), None);
        assert_eq!(ContactMethod::parse("fax"), None);
        assert!(ContactMethod::Text.needs_phone());
        assert!(ContactMethod::Phone.needs_phone());
        assert!(!ContactMethod::Email.needs_phone());
    }
}
