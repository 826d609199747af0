//! Leads: the contact and appointment-request forms visitors fill in, the
//! rules they are checked by (shared with the server, and run in the
//! browser for inline validation), and the thank-you page.

pub(crate) mod api;
pub mod form;
pub mod model;
pub(crate) mod pages;
pub mod status;
