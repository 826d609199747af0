//! `<link rel="alternate">` to a clinic's feeds, which the server writes
//! (`server/src/feeds`): RSS, Atom and JSON Feed of the whole site on every
//! public page, and of a category or tag on its archive pages.

use leptos::prelude::*;
use leptos_meta::Link;

/// File name, media type and label of each feed format.
const FORMATS: [(&str, &str, &str); 3] = [
    ("feed.xml", "application/rss+xml", "RSS"),
    ("atom.xml", "application/atom+xml", "Atom"),
    ("feed.json", "application/feed+json", "JSON Feed"),
];

/// The three feeds under `prefix` (empty for the site, `/blog/tag/{slug}`
/// for an archive), titled "{title} (RSS)" and so on.
#[component]
pub fn FeedLinks(prefix: String, title: String) -> impl IntoView {
    FORMATS
        .iter()
        .map(|(file, kind, label)| {
            view! { <Link rel="alternate" type_=*kind title=format!("{title} ({label})") href=format!("{prefix}/{file}") /> }
        })
        .collect_view()
}
