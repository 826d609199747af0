//! Clinicpress web application: Leptos components, routes and server
//! functions, compiled for the server (`ssr`) and the browser (`hydrate`).
//! No database, search or mail crate lives here: server functions reach the
//! backend through the traits in [`ports`], provided as context by `server`.
#![recursion_limit = "256"]

pub mod admin;
pub mod assets;
pub mod colors;
pub mod error;
pub mod leads;
pub mod model;
pub mod search;
pub mod text;

mod locations;
mod network;
mod posts;
mod site;
mod ui;

#[cfg(feature = "ssr")]
pub mod ports;

pub use site::{App, shell};

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
