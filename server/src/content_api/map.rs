//! Domain rows → API structs: plain functions, no database.

use crate::entities::{author, category, location, post, tag};
use crate::locations::read::hours_of;
use crate::posts::markdown;
use crate::posts::read::{PostCounts, PostLinks};

use super::model::*;

/// `url` made absolute on `base` (`http://pmc.localhost:3000`, no trailing
/// slash): kept when it already has a scheme (`https://cdn…`), else joined.
pub fn absolute(base: &str, url: &str) -> String {
    let lower = url.trim_start().to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        url.trim().to_string()
    } else if let Some(rest) = url.strip_prefix("//") {
        // Protocol-relative: take the site's scheme.
        let scheme = base.split_once("://").map(|(s, _)| s).unwrap_or("https");
        format!("{scheme}://{rest}")
    } else {
        format!("{}/{}", base.trim_end_matches('/'), url.trim().trim_start_matches('/'))
    }
}

pub fn post_url(base: &str, slug: &str) -> String {
    format!("{base}/blog/{slug}")
}

fn term_url(base: &str, segment: &str, slug: &str) -> String {
    format!("{base}/blog/{segment}/{slug}")
}

pub fn location_url(base: &str, slug: &str) -> String {
    format!("{base}/locations/{slug}")
}

fn category_link(base: &str, c: &category::Model) -> TermLink {
    TermLink { slug: c.slug.clone(), name: c.name.clone(), url: term_url(base, "category", &c.slug) }
}

fn tag_link(base: &str, t: &tag::Model) -> TermLink {
    TermLink { slug: t.slug.clone(), name: t.name.clone(), url: term_url(base, "tag", &t.slug) }
}

fn location_link(base: &str, l: &location::Model) -> TermLink {
    TermLink { slug: l.slug.clone(), name: l.name.clone(), url: location_url(base, &l.slug) }
}

fn author_link(base: &str, a: &author::Model) -> AuthorLink {
    AuthorLink {
        slug: a.slug.clone(),
        name: a.name.clone(),
        credentials: a.credentials.clone().filter(|c| !c.trim().is_empty()),
        url: term_url(base, "author", &a.slug),
    }
}

/// A post as lists show it, with what `links` holds about it.
pub fn post_item(base: &str, m: &post::Model, links: &PostLinks) -> PostItem {
    PostItem {
        slug: m.slug.clone(),
        title: m.title.clone(),
        url: post_url(base, &m.slug),
        excerpt: markdown::display_excerpt(m.excerpt.as_deref(), &m.body_text, markdown::EXCERPT_CHARS),
        published_at: m.published_at.unwrap_or(m.created_at),
        updated_at: m.updated_at,
        reading_minutes: Ord::max(m.reading_minutes, 1) as u32,
        category: m.category_id.and_then(|id| links.categories.get(&id)).map(|c| category_link(base, c)),
        tags: links.tags.get(&m.id).map(|ts| ts.iter().map(|t| tag_link(base, t)).collect()).unwrap_or_default(),
        author: m.author_id.and_then(|id| links.authors.get(&id)).map(|a| author_link(base, a)),
        locations: links
            .locations
            .get(&m.id)
            .map(|ls| ls.iter().map(|l| location_link(base, l)).collect())
            .unwrap_or_default(),
        featured_image: m
            .featured_image
            .as_deref()
            .filter(|u| !u.trim().is_empty())
            .map(|u| Image { url: absolute(base, u), alt: m.featured_image_alt.clone() }),
    }
}

/// The post page's sanitised HTML with its links and images made absolute
/// against the post's own address (through the same allow-list), so it
/// reads right on another site. Unchanged if `post_url` cannot be parsed.
pub fn body_html(post_url: &str, html: &str) -> String {
    match ammonia::Url::parse(post_url) {
        Ok(base) => markdown::absolute_urls(html, &base),
        Err(_) => html.to_string(),
    }
}

/// One post with its body (`body_html`, from [`body_html`]).
pub fn post(base: &str, m: &post::Model, links: &PostLinks, body_html: String) -> Post {
    Post {
        item: post_item(base, m, links),
        body_html,
        seo_title: m.seo_title.clone(),
        seo_description: m.seo_description.clone(),
    }
}

/// Where page `page` of `total` posts, `limit` at a time, is.
pub fn pagination(page: u32, limit: u32, total: u64) -> Pagination {
    let pages = total.div_ceil(u64::from(limit.max(1))).max(1);
    Pagination { page, limit, total, total_pages: u32::try_from(pages).unwrap_or(u32::MAX) }
}

fn count(map: &std::collections::HashMap<i32, u64>, id: i32) -> u64 {
    map.get(&id).copied().unwrap_or(0)
}

pub fn categories(base: &str, rows: &[category::Model], counts: &PostCounts) -> CategoryList {
    CategoryList {
        categories: rows
            .iter()
            .map(|c| Category {
                slug: c.slug.clone(),
                name: c.name.clone(),
                description: c.description.clone().filter(|d| !d.trim().is_empty()),
                url: term_url(base, "category", &c.slug),
                post_count: count(&counts.categories, c.id),
            })
            .collect(),
    }
}

pub fn tags(base: &str, rows: &[tag::Model], counts: &PostCounts) -> TagList {
    TagList {
        tags: rows
            .iter()
            .map(|t| Tag {
                slug: t.slug.clone(),
                name: t.name.clone(),
                url: term_url(base, "tag", &t.slug),
                post_count: count(&counts.tags, t.id),
            })
            .collect(),
    }
}

pub fn authors(base: &str, rows: &[author::Model], counts: &PostCounts) -> AuthorList {
    AuthorList {
        authors: rows
            .iter()
            .map(|a| Author {
                slug: a.slug.clone(),
                name: a.name.clone(),
                credentials: a.credentials.clone().filter(|c| !c.trim().is_empty()),
                bio: a.bio.clone().filter(|b| !b.trim().is_empty()),
                photo_url: a.photo_url.as_deref().filter(|u| !u.trim().is_empty()).map(|u| absolute(base, u)),
                url: term_url(base, "author", &a.slug),
                post_count: count(&counts.authors, a.id),
            })
            .collect(),
    }
}

/// Offices: no inbox addresses or service-area ZIP codes (those are for
/// routing requests), and no "open now" (it would go stale in a cache).
pub fn locations(base: &str, rows: &[location::Model], counts: &PostCounts) -> LocationList {
    LocationList {
        locations: rows
            .iter()
            .map(|l| Location {
                slug: l.slug.clone(),
                name: l.name.clone(),
                address: l.address.clone(),
                phone: l.phone.clone(),
                timezone: l.timezone.clone(),
                latitude: l.latitude,
                longitude: l.longitude,
                opening_hours: hours_of(l).table().into_iter().map(|(day, hours)| DayHours { day, hours }).collect(),
                url: location_url(base, &l.slug),
                post_count: count(&counts.locations, l.id),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::PostStatus;
    use chrono::{TimeZone, Utc};
    use std::collections::HashMap;

    const BASE: &str = "http://pmc.localhost:3000";

    fn post_model() -> post::Model {
        let t = Utc.with_ymd_and_hms(2025, 3, 11, 20, 20, 0).unwrap();
        post::Model {
            version: 1,
            id: 7,
            clinic_id: 1,
            slug: "ketamine".into(),
            title: "Ketamine".into(),
            excerpt: Some("What an infusion involves.".into()),
            body_md: "Body".into(),
            body_html: "<p>Body</p>".into(),
            body_text: "Body".into(),
            reading_minutes: 0,
            status: PostStatus::Published,
            published_at: Some(t),
            created_at: t,
            updated_at: t + chrono::Duration::days(2),
            author_id: Some(3),
            category_id: Some(4),
            seo_title: Some("SEO".into()),
            seo_description: None,
            featured_image: Some("/media/abc-800.jpg".into()),
            featured_image_alt: Some("An infusion chair".into()),
        }
    }

    fn office(id: i32, slug: &str, position: i32) -> location::Model {
        location::Model {
            id,
            clinic_id: 1,
            slug: slug.into(),
            name: slug.to_uppercase(),
            address: "1 Example Ave".into(),
            phone: "+1 925 555 0100".into(),
            timezone: "America/Los_Angeles".into(),
            hours: r#"{"mon":"08:00-17:00"}"#.into(),
            inbox: r#"["x@pmc.example"]"#.into(),
            zip_codes: r#"["94523"]"#.into(),
            latitude: Some(37.9),
            longitude: None,
            position,
            closures: "[]".into(),
            archived_at: None,
        }
    }

    fn links() -> PostLinks {
        PostLinks {
            authors: HashMap::from([(
                3,
                author::Model {
                    id: 3,
                    clinic_id: 1,
                    slug: "james".into(),
                    name: "James Taggart".into(),
                    credentials: Some("MD".into()),
                    bio: None,
                    photo_url: None,
                },
            )]),
            categories: HashMap::from([(
                4,
                category::Model {
                    id: 4,
                    clinic_id: 1,
                    slug: "treatments".into(),
                    name: "Treatments".into(),
                    description: None,
                },
            )]),
            tags: HashMap::from([(
                7,
                vec![tag::Model { id: 9, clinic_id: 1, slug: "pain".into(), name: "Pain".into() }],
            )]),
            locations: HashMap::from([(7, vec![office(2, "concord", 0)])]),
        }
    }

    #[test]
    fn urls_become_absolute_on_the_clinics_base() {
        assert_eq!(absolute(BASE, "/media/a.jpg"), "http://pmc.localhost:3000/media/a.jpg");
        assert_eq!(absolute(BASE, "media/a.jpg"), "http://pmc.localhost:3000/media/a.jpg");
        assert_eq!(absolute("https://www.pmc.example/", "/x"), "https://www.pmc.example/x");
        assert_eq!(absolute(BASE, "https://cdn.example/a.jpg"), "https://cdn.example/a.jpg");
        assert_eq!(absolute(BASE, "HTTP://cdn.example/a.jpg"), "HTTP://cdn.example/a.jpg");
        assert_eq!(absolute("https://www.pmc.example", "//cdn.example/a.jpg"), "https://cdn.example/a.jpg");
    }

    #[test]
    fn a_post_maps_to_stable_fields() {
        let m = post_model();
        let p = post(BASE, &m, &links(), m.body_html.clone());
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["slug"], "ketamine");
        assert_eq!(json["url"], "http://pmc.localhost:3000/blog/ketamine");
        assert_eq!(json["published_at"], "2025-03-11T20:20:00Z");
        assert_eq!(json["updated_at"], "2025-03-13T20:20:00Z");
        assert_eq!(json["reading_minutes"], 1, "never 0");
        assert_eq!(json["excerpt"], "What an infusion involves…");
        assert_eq!(json["body_html"], "<p>Body</p>");
        assert_eq!(json["seo_title"], "SEO");
        assert_eq!(
            json["category"],
            serde_json::json!({"slug": "treatments", "name": "Treatments", "url": "http://pmc.localhost:3000/blog/category/treatments"})
        );
        assert_eq!(json["tags"][0]["url"], "http://pmc.localhost:3000/blog/tag/pain");
        assert_eq!(
            json["author"],
            serde_json::json!({"slug": "james", "name": "James Taggart", "credentials": "MD", "url": "http://pmc.localhost:3000/blog/author/james"})
        );
        assert_eq!(json["locations"][0]["url"], "http://pmc.localhost:3000/locations/concord");
        assert_eq!(
            json["featured_image"],
            serde_json::json!({"url": "http://pmc.localhost:3000/media/abc-800.jpg", "alt": "An infusion chair"})
        );
    }

    #[test]
    fn missing_links_are_null_or_empty() {
        let mut m = post_model();
        m.featured_image = Some("  ".into());
        let item = post_item(BASE, &m, &PostLinks::default());
        assert_eq!((item.category, item.author, item.featured_image), (None, None, None));
        assert!(item.tags.is_empty() && item.locations.is_empty());
    }

    #[test]
    fn body_links_become_absolute_and_stay_sanitised() {
        let html = markdown::render_html("[Offices](/locations), [next](sleep), [mail](mailto:a@b.example)");
        let out = body_html("http://pmc.localhost:3000/blog/fees", &html);
        assert!(out.contains(r#"href="http://pmc.localhost:3000/locations""#), "{out}");
        assert!(out.contains(r#"href="http://pmc.localhost:3000/blog/sleep""#), "{out}");
        assert!(out.contains(r#"href="mailto:a@b.example""#), "{out}");
        assert_eq!(body_html("not a url", &html), html);
    }

    #[test]
    fn pagination_counts_pages() {
        assert_eq!(pagination(1, 20, 0).total_pages, 1);
        assert_eq!(pagination(1, 20, 20).total_pages, 1);
        assert_eq!(pagination(2, 20, 21).total_pages, 2);
        assert_eq!(pagination(9, 1, 7), Pagination { page: 9, limit: 1, total: 7, total_pages: 7 });
    }

    #[test]
    fn offices_keep_private_fields_out_and_carry_counts() {
        let counts = PostCounts { locations: HashMap::from([(2, 5)]), ..Default::default() };
        let list = locations(BASE, &[office(2, "concord", 0), office(3, "walnut", 1)], &counts);
        let json = serde_json::to_string(&list).unwrap();
        assert!(!json.contains("x@pmc.example") && !json.contains("94523"), "{json}");
        assert_eq!(list.locations[0].post_count, 5);
        assert_eq!(list.locations[1].post_count, 0);
        assert_eq!(list.locations[0].opening_hours.len(), 7);
        assert_eq!(list.locations[0].opening_hours[0].day, "Monday");
        assert_eq!(list.locations[0].url, "http://pmc.localhost:3000/locations/concord");
    }
}
