//! Posts: Markdown rendering, reading queries, storing and importing.
pub mod front_matter;
pub mod import;
pub mod markdown;
pub mod read;
pub mod store;
