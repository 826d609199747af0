//! Posts: Markdown rendering, reading queries, storing and importing, the
//! editor (rules and storage) and the scheduled publisher.
pub mod editor;
pub mod front_matter;
pub mod import;
pub mod markdown;
pub mod preview;
pub mod publisher;
pub mod read;
pub mod rules;
pub mod store;
pub mod terms;
