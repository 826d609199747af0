//! Feeds and crawler files of each clinic site.
//!
//! * `document`: RSS 2.0, Atom 1.0 and JSON Feed 1.1 from plain structs (pure).
//! * `sitemap`: sitemap / sitemap index and robots.txt from plain lists (pure).
//! * `load`: the database → those structs, one clinic's published posts, absolute
//!   URLs on the clinic's primary address.
//! * `http`: the thin handlers (`/feed.xml`, `/atom.xml`, `/feed.json`, the same
//!   under `/blog/category/{slug}/` and `/blog/tag/{slug}/`, `/sitemap.xml`,
//!   `/sitemap/{n}.xml`, `/robots.txt`) with ETag / Last-Modified and 304, and
//!   the `X-Robots-Tag: noindex` layer for private paths.

pub mod document;
pub mod http;
pub mod load;
pub mod sitemap;

pub use http::{noindex, routes};
