//! Search: a tantivy index on disk, derived from the database.
//!
//! - [`changes`]: the change log every post write adds to, in its transaction.
//! - [`schema`], [`document`]: the fields, the analysis, a post as a document.
//! - [`facets`]: facet counts from a table per segment.
//! - [`query`]: what a visitor typed → a tantivy query (never the query parser).
//! - [`index`]: one index: write batches, search, suggest, related posts.
//! - [`service`]: the index on disk, the indexer task, rebuild and reindex.
//! - [`port`]: the app's `SearchPort`; [`misses`]: searches that found nothing.
pub mod changes;
pub mod document;
pub mod facets;
pub mod index;
pub mod misses;
pub mod port;
pub mod query;
pub mod schema;
pub mod service;
