//! The `<head>` tags every public page of a clinic carries: a unique
//! `<title>` and description, the canonical address on the clinic's
//! primary host, OpenGraph and Twitter card tags, and the page's
//! schema.org JSON-LD when it has one.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};

use crate::model::ClinicInfo;

/// `url` made absolute on the clinic's primary address; absolute URLs stay.
pub fn absolute_on(clinic: &ClinicInfo, url: &str) -> String {
    if url.starts_with("http://") || url.starts_with("https://") {
        url.to_string()
    } else {
        clinic.canonical(&format!("/{}", url.trim_start_matches('/')))
    }
}

/// `path` with `?page=N` when past the first page.
pub fn paged(path: &str, page: u32) -> String {
    if page > 1 { format!("{path}?page={page}") } else { path.to_string() }
}

/// Title, description, canonical link, OpenGraph and Twitter tags of a
/// public page. `title` is the page's own title: the document title adds
/// " · {clinic}" unless it is the clinic's name. `path` is the canonical
/// path on the primary host (`/blog?page=2`), or `url` an absolute one.
/// Without an `image`, the clinic's logo (if any) is the sharing image.
#[component]
pub fn PageMeta(
    clinic: ClinicInfo,
    #[prop(into)] title: String,
    #[prop(into)] description: String,
    #[prop(optional, into)] path: Option<String>,
    #[prop(optional, into)] url: Option<String>,
    /// OpenGraph type: "website" (default), "article", "profile".
    #[prop(default = "website")]
    kind: &'static str,
    #[prop(default = None)] image: Option<String>,
    #[prop(default = None)] image_alt: Option<String>,
    /// `noindex, follow`: listed for crawlers to follow, not to index.
    #[prop(optional)]
    noindex: bool,
    /// schema.org JSON-LD, already safe inside `<script>` (server-built).
    #[prop(optional, into)]
    json_ld: Option<String>,
) -> impl IntoView {
    let site_name = clinic.name.clone();
    let full_title = if title == site_name { title.clone() } else { format!("{title} · {site_name}") };
    let url = url.unwrap_or_else(|| clinic.canonical(path.as_deref().unwrap_or("/")));
    let (image, image_alt) = match image {
        Some(i) => (Some(absolute_on(&clinic, &i)), image_alt.filter(|a| !a.trim().is_empty())),
        None => (clinic.logo_url.as_deref().map(|l| absolute_on(&clinic, l)), Some(format!("{site_name} logo"))),
    };
    let card = if image.is_some() && kind == "article" { "summary_large_image" } else { "summary" };
    let json_ld = json_ld.filter(|j| !j.is_empty());
    view! {
        <Title text=full_title />
        <Meta name="description" content=description.clone() />
        {noindex.then(|| view! { <Meta name="robots" content="noindex, follow" /> })}
        <Link rel="canonical" href=url.clone() />
        <Meta property="og:type" content=kind />
        <Meta property="og:site_name" content=site_name />
        <Meta property="og:title" content=title.clone() />
        <Meta property="og:description" content=description.clone() />
        <Meta property="og:url" content=url />
        <Meta property="og:locale" content="en_US" />
        {image.clone().map(|i| view! { <Meta property="og:image" content=i /> })}
        {image_alt.filter(|_| image.is_some()).map(|a| view! { <Meta property="og:image:alt" content=a /> })}
        <Meta name="twitter:card" content=card />
        <Meta name="twitter:title" content=title />
        <Meta name="twitter:description" content=description />
        {json_ld.map(|j| view! { <script type="application/ld+json" inner_html=j></script> })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clinic() -> ClinicInfo {
        ClinicInfo {
            id: 1,
            slug: "pmc".into(),
            name: "PMC".into(),
            tagline: None,
            brand_color: "#1f5f8b".into(),
            logo_url: None,
            logo_size: None,
            disclaimer: None,
            base_url: "http://www.pmc.example".into(),
            primary_url: "https://pmc.example".into(),
        }
    }

    #[test]
    fn addresses_are_on_the_primary_host() {
        let c = clinic();
        assert_eq!(absolute_on(&c, "/media/a.jpg"), "https://pmc.example/media/a.jpg");
        assert_eq!(absolute_on(&c, "https://cdn.example/a.jpg"), "https://cdn.example/a.jpg");
        assert_eq!(c.canonical(&paged("/blog", 1)), "https://pmc.example/blog");
        assert_eq!(c.canonical(&paged("/blog", 3)), "https://pmc.example/blog?page=3");
        let old = ClinicInfo { primary_url: String::new(), ..c };
        assert_eq!(old.canonical("/"), "http://www.pmc.example/", "without a primary address, the visitor's");
    }
}
