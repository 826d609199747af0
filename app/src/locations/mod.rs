//! Locations (offices): list and detail pages.
pub mod api;
pub mod pages;
