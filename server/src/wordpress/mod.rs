//! WordPress import (`clinicpress import --clinic SLUG export.xml`) and the
//! old WordPress addresses of imported posts.
//!
//! * `wxr`: the streaming reader of the export file (quick-xml; bounded
//!   memory; entities never expanded);
//! * `html_to_markdown`: post HTML and Gutenberg block markup → Markdown;
//! * `import`: what each item becomes (pure `plan`) and storing it, one
//!   transaction per item, matched by GUID on re-import;
//! * `legacy`: `/?p=123`, `/2024/05/slug/`, `/slug/` and the item's own link
//!   → 301 to `/blog/{slug}`;
//! * `cli`: the command's progress bar and summary.

pub mod cli;
pub mod html_to_markdown;
pub mod import;
pub mod legacy;
pub mod wxr;
