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
