//! Clinics: host-name tenancy, the provision file, and the network owner's
//! clinic management in the admin area.
pub mod network;
pub mod provision;
pub mod settings;
pub mod tenancy;
