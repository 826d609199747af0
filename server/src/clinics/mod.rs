//! Clinics: host-name tenancy and the provision file.
pub mod provision;
pub mod tenancy;
