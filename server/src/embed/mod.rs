//! The embeddable list of a clinic's newest articles, for other sites.
//!
//! * `GET /embed/recent?limit=5&category={slug}`: a small self-contained
//!   HTML page for an `<iframe>` (inline CSS in the clinic's colour, no
//!   script, links open in the top window, framing allowed from anywhere).
//! * `GET /embed/recent.json`: the same list as JSON, CORS open.
//! * `GET /embed/recent.js`: a static script (`recent.js`) that fetches
//!   that JSON and puts the list right after its own `<script>` tag,
//!   building it with `textContent` only.
//!
//! `limit` is clamped to 1..=20 (default 5); an unknown category is a 404
//! page (or JSON error), never a 500. No cookie is read or set on these
//! paths (`without_cookies`), and nothing about the visitor is kept.
//!
//! * `load`: the query string (pure) and the database → `Recent`.
//! * `html`: the escaping HTML writer and the embed page.
//! * `http`: the handlers and the cookie-less layer.

pub mod html;
pub mod http;
pub mod load;

pub use http::{routes, without_cookies};
