//! Structured data for search engines: the JSON-LD a post page carries
//! (schema.org `BlogPosting` and its `BreadcrumbList`), and in `clinic`
//! the clinic's and its offices' (`MedicalOrganization`, `MedicalClinic`),
//! built from the same data the pages show, with every address on the
//! clinic's primary host. Plain functions; the page puts the text in a
//! `<script type="application/ld+json">`.

pub mod clinic;

pub use clinic::{home_json_ld, location_json_ld};

use app::model::{ClinicInfo, PostPage};
use chrono::SecondsFormat;
use serde_json::{Value, json};

/// `url` made absolute on `base` (`scheme://host`); absolute URLs stay.
fn absolute(base: &str, url: &str) -> String {
    if url.starts_with("http://") || url.starts_with("https://") {
        url.to_string()
    } else {
        format!("{base}/{}", url.trim_start_matches('/'))
    }
}

/// The JSON-LD of a post page: a `BlogPosting` (headline, description,
/// dates, author as a `Person` with credentials, image, publisher, the
/// page it is the main entity of) and the page's `BreadcrumbList`
/// (home › blog › category › post).
pub fn post_json_ld(page: &PostPage, clinic: &ClinicInfo) -> String {
    let base = clinic.primary();
    let post = &page.post;
    let s = &post.summary;
    let description = post.seo_description.clone().unwrap_or_else(|| s.excerpt.clone());
    let mut article = json!({
        "@type": "BlogPosting",
        "@id": format!("{}#article", page.url),
        "headline": s.title,
        "description": description,
        "datePublished": s.published_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "dateModified": post.updated_at.max(s.published_at).to_rfc3339_opts(SecondsFormat::Secs, true),
        "mainEntityOfPage": page.url,
        "url": page.url,
        "wordCount": s.reading_minutes * 200,
        "publisher": {
            "@type": "MedicalOrganization",
            "@id": clinic::organization_id(clinic),
            "name": clinic.name,
            "url": format!("{base}/"),
        },
    });
    if let Some(logo) = &clinic.logo_url {
        article["publisher"]["logo"] = json!({ "@type": "ImageObject", "url": absolute(base, logo) });
    }
    if let Some(a) = &post.author {
        let mut person = json!({
            "@type": "Person",
            "name": a.author.name,
            "url": format!("{base}/blog/author/{}", a.author.slug),
        });
        if let Some(c) = a.author.credentials.as_deref().filter(|c| !c.is_empty()) {
            person["honorificSuffix"] = json!(c);
        }
        if let Some(photo) = &a.photo_url {
            person["image"] = json!(absolute(base, photo));
        }
        article["author"] = person;
    }
    if let Some(image) = &post.featured_image {
        article["image"] = json!(absolute(base, image));
    }
    if let Some(c) = &s.category {
        article["articleSection"] = json!(c.name);
    }
    if !post.tags.is_empty() {
        article["keywords"] = json!(post.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", "));
    }
    let mut crumbs = vec![("Home".to_string(), format!("{base}/")), ("Blog".to_string(), format!("{base}/blog"))];
    if let Some(c) = &s.category {
        crumbs.push((c.name.clone(), format!("{base}/blog/category/{}", c.slug)));
    }
    crumbs.push((s.title.clone(), page.url.clone()));
    let graph = json!({ "@context": "https://schema.org", "@graph": [article, breadcrumbs(crumbs)] });
    script_safe(&graph)
}

/// A `BreadcrumbList` of (name, absolute URL), first to last.
pub fn breadcrumbs(crumbs: Vec<(String, String)>) -> Value {
    let items: Vec<Value> = crumbs
        .into_iter()
        .enumerate()
        .map(|(i, (name, item))| json!({ "@type": "ListItem", "position": i + 1, "name": name, "item": item }))
        .collect();
    json!({ "@type": "BreadcrumbList", "itemListElement": items })
}

/// JSON text that can sit inside `<script>`: `<`, `>` and `&` escaped as
/// `\u003c`… (still the same JSON), so no text can close the element.
pub fn script_safe(value: &Value) -> String {
    value.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::{AuthorProfile, AuthorRef, PostDetail, PostSummary, TermRef};
    use chrono::{TimeZone, Utc};

    fn page() -> (PostPage, ClinicInfo) {
        let published = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let summary = PostSummary {
            slug: "knee-pain".into(),
            title: "Knee pain </script><script>alert(1)</script> & you".into(),
            excerpt: "What helps…".into(),
            published_at: published,
            category: Some(TermRef { slug: "joints".into(), name: "Joints".into() }),
            author: None,
            reading_minutes: 4,
        };
        let post = PostDetail {
            summary,
            updated_at: published - chrono::Duration::days(1),
            body_html: "<p>Text</p>".into(),
            tags: vec![TermRef { slug: "knee".into(), name: "Knee".into() }],
            locations: vec![],
            author: Some(AuthorProfile {
                author: AuthorRef { slug: "ana-ruiz".into(), name: "Ana Ruiz".into(), credentials: Some("MD".into()) },
                bio: None,
                photo_url: None,
            }),
            seo_title: None,
            seo_description: Some("Knee pain, explained.".into()),
            featured_image: Some("/media/pmc/knee.jpg".into()),
            featured_image_alt: Some("A knee".into()),
            featured_srcset: None,
        };
        let clinic = ClinicInfo {
            id: 1,
            slug: "pmc".into(),
            name: "Pain Medicine Consultants".into(),
            tagline: None,
            brand_color: "#1f5f8b".into(),
            logo_url: None,
            logo_size: None,
            disclaimer: None,
            base_url: "http://pmc.localhost:3000".into(),
            primary_url: "https://pmc.example".into(),
        };
        let page = PostPage {
            post,
            related: vec![],
            url: "https://pmc.example/blog/knee-pain".into(),
            now: published,
            json_ld: String::new(),
        };
        (page, clinic)
    }

    #[test]
    fn a_post_is_a_blog_posting_with_its_breadcrumbs() {
        let (page, clinic) = page();
        let text = post_json_ld(&page, &clinic);
        let v: Value = serde_json::from_str(&text).unwrap();
        let article = &v["@graph"][0];
        assert_eq!(article["@type"], "BlogPosting");
        assert_eq!(article["description"], "Knee pain, explained.");
        assert_eq!(article["datePublished"], "2026-03-02T09:00:00Z");
        assert_eq!(article["dateModified"], "2026-03-02T09:00:00Z", "never before it went public");
        assert_eq!(article["author"]["@type"], "Person");
        assert_eq!(article["author"]["honorificSuffix"], "MD");
        assert_eq!(article["image"], "https://pmc.example/media/pmc/knee.jpg");
        assert_eq!(article["publisher"]["name"], "Pain Medicine Consultants");
        let crumbs = v["@graph"][1]["itemListElement"].as_array().unwrap();
        let names: Vec<&str> = crumbs.iter().map(|c| c["name"].as_str().unwrap()).collect();
        assert_eq!(names[..3], ["Home", "Blog", "Joints"]);
        assert_eq!(crumbs[3]["position"], 4);
        assert_eq!(crumbs[3]["item"], "https://pmc.example/blog/knee-pain");
    }

    #[test]
    fn the_text_cannot_close_its_script_element() {
        let (page, clinic) = page();
        let text = post_json_ld(&page, &clinic);
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'), "{text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["@graph"][0]["headline"], "Knee pain </script><script>alert(1)</script> & you");
    }
}
