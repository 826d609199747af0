//! Clinicpress server: configuration, CLI commands, the axum router and the
//! backend (sea-orm repositories, demo content, provisioning, import).

// Rendering the app's larger admin pages nests view types deeply (as in `app`).
#![recursion_limit = "256"]

pub mod accounts;
pub mod admin;
pub mod audit;
pub mod backend;
pub mod backup;
pub mod clinics;
pub mod compression;
pub mod config;
pub mod content_api;
pub mod dashboard;
pub mod db;
pub mod demo;
pub mod embed;
pub mod entities;
pub mod feeds;
pub mod leads;
pub mod locations;
pub mod mail;
pub mod media;
pub mod ops;
pub mod page_cache;
pub mod passwords;
pub mod posts;
pub mod search;
pub mod seo;
pub mod shutdown;
pub mod slugs;
pub mod web;
pub mod wordpress;
