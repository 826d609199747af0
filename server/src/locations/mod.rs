//! Offices: opening hours and the visitor-facing view of a location.
pub mod hours;
pub mod offices;
pub mod read;
