//! From the database to the plain structs of `document` and `sitemap`:
//! always one clinic's published posts (`posts::read::published`), with
//! absolute URLs on the clinic's primary address.

use std::collections::HashMap;

use app::model::{ArchiveKind, ClinicInfo};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};

use super::document::{Feed, FeedUrls, Item, Person, Term, post_id};
use super::sitemap::Entry;
use crate::clinics::tenancy::clinic_base_url;
use crate::entities::{author, category, clinic, post, post_tag, tag};
use crate::locations::read as locations;
use crate::posts::markdown;
use crate::posts::read::{self, Filter};

/// Articles in a feed.
pub const FEED_ITEMS: u64 = 20;

/// Which articles a feed follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    All,
    Category(&'a str),
    Tag(&'a str),
}

/// A feed, the current slug of a renamed category or tag, or nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum Found<T> {
    Yes(T),
    Moved(String),
    No,
}

/// The clinic row and its primary address (`https://www.pmc.example`; on
/// development hosts `http://pmc.localhost:3000`).
pub async fn origin<C: ConnectionTrait>(db: &C, site: &ClinicInfo) -> Result<Option<(clinic::Model, String)>, DbErr> {
    let Some(c) = clinic::Entity::find_by_id(site.id).one(db).await? else {
        return Ok(None);
    };
    let base = clinic_base_url(db, &c, &site.base_url).await?;
    Ok(Some((c, base.trim_end_matches('/').to_string())))
}

/// `href` resolved against `base` (already absolute ones stay as they are).
fn absolute(base: &str, href: &str) -> String {
    match ammonia::Url::parse(base).and_then(|b| b.join(href)) {
        Ok(u) => u.to_string(),
        Err(_) => href.to_string(),
    }
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// One article as a feed item: the page's sanitised HTML (the featured
/// image first) with every link and image made absolute.
pub fn item(
    base: &str,
    clinic_slug: &str,
    m: &post::Model,
    author: Option<&author::Model>,
    category: Option<&category::Model>,
    tags: &[tag::Model],
) -> Item {
    let url = format!("{base}/blog/{}", m.slug);
    let image = m.featured_image.as_deref().filter(|s| !s.is_empty()).map(|src| absolute(&url, src));
    let mut html = String::with_capacity(m.body_html.len() + 200);
    if let Some(src) = &image {
        let alt = m.featured_image_alt.as_deref().unwrap_or_default();
        html.push_str(&format!("<p><img src=\"{}\" alt=\"{}\"></p>\n", escape_attr(src), escape_attr(alt)));
    }
    html.push_str(&m.body_html);
    let content_html = match ammonia::Url::parse(&url) {
        Ok(u) => markdown::absolute_urls(&html, &u),
        Err(_) => markdown::sanitize_html(&html),
    };
    let published = m.published_at.unwrap_or(m.created_at);
    let mut terms = Vec::with_capacity(tags.len() + 1);
    if let Some(c) = category {
        terms.push(Term {
            name: c.name.clone(),
            url: format!("{base}/blog/category/{}", c.slug),
            scheme: format!("{base}/blog/category/"),
        });
    }
    terms.extend(tags.iter().map(|t| Term {
        name: t.name.clone(),
        url: format!("{base}/blog/tag/{}", t.slug),
        scheme: format!("{base}/blog/tag/"),
    }));
    Item {
        id: post_id(base, m.created_at, clinic_slug, m.id),
        summary: markdown::display_excerpt(m.excerpt.as_deref(), &m.body_text, markdown::EXCERPT_CHARS),
        title: m.title.clone(),
        content_html,
        image,
        published,
        updated: m.updated_at.max(published),
        author: author.map(|a| Person {
            name: read::author_ref(a).display_name(),
            url: format!("{base}/blog/author/{}", a.slug),
        }),
        terms,
        url,
    }
}

/// The newest [`FEED_ITEMS`] published articles of the site's clinic in `scope`.
pub async fn feed<C: ConnectionTrait>(
    db: &C,
    site: &ClinicInfo,
    scope: Scope<'_>,
    now: DateTime<Utc>,
) -> Result<Found<Feed>, DbErr> {
    let Some((clinic, base)) = origin(db, site).await? else {
        return Ok(Found::No);
    };
    let name = clinic.name.clone();
    let (filter, title, description, page) = match scope {
        Scope::All => (
            Filter::All,
            name.clone(),
            clinic.tagline.clone().unwrap_or_else(|| format!("Articles from {name}")),
            base.clone(),
        ),
        Scope::Category(slug) => {
            let found = category::Entity::find()
                .filter(category::Column::ClinicId.eq(clinic.id))
                .filter(category::Column::Slug.eq(slug))
                .one(db)
                .await?;
            let Some(c) = found else { return moved(db, clinic.id, ArchiveKind::Category, slug).await };
            (
                Filter::Category(c.id),
                format!("{name}: {}", c.name),
                c.description.clone().unwrap_or_else(|| format!("Articles in {} from {name}", c.name)),
                format!("{base}/blog/category/{}", c.slug),
            )
        }
        Scope::Tag(slug) => {
            let found = tag::Entity::find()
                .filter(tag::Column::ClinicId.eq(clinic.id))
                .filter(tag::Column::Slug.eq(slug))
                .one(db)
                .await?;
            let Some(t) = found else { return moved(db, clinic.id, ArchiveKind::Tag, slug).await };
            (
                Filter::Tag(t.id),
                format!("{name}: {}", t.name),
                format!("Articles tagged “{}” from {name}", t.name),
                format!("{base}/blog/tag/{}", t.slug),
            )
        }
    };
    let posts =
        read::newest_first(read::filtered(read::published(clinic.id, now), filter)).limit(FEED_ITEMS).all(db).await?;

    let author_ids: Vec<i32> = posts.iter().filter_map(|p| p.author_id).collect();
    let authors: HashMap<i32, author::Model> = if author_ids.is_empty() {
        HashMap::new()
    } else {
        author::Entity::find()
            .filter(author::Column::Id.is_in(author_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect()
    };
    let category_ids: Vec<i32> = posts.iter().filter_map(|p| p.category_id).collect();
    let categories: HashMap<i32, category::Model> = if category_ids.is_empty() {
        HashMap::new()
    } else {
        category::Entity::find()
            .filter(category::Column::Id.is_in(category_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect()
    };
    let mut tags_of: HashMap<i32, Vec<tag::Model>> = HashMap::new();
    if !posts.is_empty() {
        let links =
            post_tag::Entity::find().filter(post_tag::Column::PostId.is_in(posts.iter().map(|p| p.id))).all(db).await?;
        let tag_ids: Vec<i32> = links.iter().map(|l| l.tag_id).collect();
        if !tag_ids.is_empty() {
            let tags: HashMap<i32, tag::Model> = tag::Entity::find()
                .filter(tag::Column::Id.is_in(tag_ids))
                .order_by_asc(tag::Column::Name)
                .all(db)
                .await?
                .into_iter()
                .map(|t| (t.id, t))
                .collect();
            for l in links {
                if let Some(t) = tags.get(&l.tag_id) {
                    tags_of.entry(l.post_id).or_default().push(t.clone());
                }
            }
            for list in tags_of.values_mut() {
                list.sort_by(|a, b| a.name.cmp(&b.name));
            }
        }
    }

    let items: Vec<Item> = posts
        .iter()
        .map(|m| {
            item(
                &base,
                &clinic.slug,
                m,
                m.author_id.and_then(|id| authors.get(&id)),
                m.category_id.and_then(|id| categories.get(&id)),
                tags_of.get(&m.id).map(Vec::as_slice).unwrap_or_default(),
            )
        })
        .collect();
    Ok(Found::Yes(Feed {
        updated: items.iter().map(|i| i.updated).max().unwrap_or(clinic.updated_at),
        icon: clinic.logo_url.as_deref().filter(|l| !l.is_empty()).map(|l| absolute(&format!("{base}/"), l)),
        publisher: Person { name: name.clone(), url: format!("{base}/") },
        urls: FeedUrls::under(&page),
        home_url: if page == base { format!("{base}/") } else { page },
        title,
        description,
        items,
    }))
}

async fn moved<C: ConnectionTrait, T>(
    db: &C,
    clinic_id: i32,
    kind: ArchiveKind,
    slug: &str,
) -> Result<Found<T>, DbErr> {
    Ok(match crate::posts::terms::redirect_for(db, clinic_id, kind, slug).await? {
        Some(new) if new != slug => Found::Moved(new),
        _ => Found::No,
    })
}

/// id, slug, last change (updated_at or published_at, the later), category, author.
type SitemapPost = (i32, String, DateTime<Utc>, Option<i32>, Option<i32>);

/// Every public page of the site's clinic, with the primary address:
/// home, articles, offices, contact, the category/tag/author archives
/// that have published articles, then the articles, newest first.
pub async fn sitemap<C: ConnectionTrait>(
    db: &C,
    site: &ClinicInfo,
    now: DateTime<Utc>,
) -> Result<Option<(String, Vec<Entry>)>, DbErr> {
    let Some((clinic, base)) = origin(db, site).await? else {
        return Ok(None);
    };
    let posts: Vec<SitemapPost> = read::newest_first(read::published(clinic.id, now))
        .select_only()
        .columns([post::Column::Id, post::Column::Slug, post::Column::UpdatedAt, post::Column::CategoryId])
        .columns([post::Column::AuthorId, post::Column::PublishedAt])
        .into_tuple::<(i32, String, DateTime<Utc>, Option<i32>, Option<i32>, Option<DateTime<Utc>>)>()
        .all(db)
        .await?
        .into_iter()
        // A scheduled post changed when it went public, not when it was last edited.
        .map(|(id, slug, updated, category, author, published)| {
            (id, slug, published.map_or(updated, |p| updated.max(p)), category, author)
        })
        .collect();
    let published_ids = read::published(clinic.id, now).select_only().column(post::Column::Id).into_query();
    let links: Vec<(i32, i32)> = post_tag::Entity::find()
        .select_only()
        .columns([post_tag::Column::PostId, post_tag::Column::TagId])
        .filter(post_tag::Column::PostId.in_subquery(published_ids))
        .into_tuple()
        .all(db)
        .await?;

    let newest = posts.iter().map(|p| p.2).max();
    let updated: HashMap<i32, DateTime<Utc>> = posts.iter().map(|p| (p.0, p.2)).collect();
    let mut by_category: HashMap<i32, DateTime<Utc>> = HashMap::new();
    let mut by_author: HashMap<i32, DateTime<Utc>> = HashMap::new();
    let mut by_tag: HashMap<i32, DateTime<Utc>> = HashMap::new();
    fn bump(map: &mut HashMap<i32, DateTime<Utc>>, id: i32, t: DateTime<Utc>) {
        let e = map.entry(id).or_insert(t);
        *e = (*e).max(t);
    }
    for p in &posts {
        if let Some(c) = p.3 {
            bump(&mut by_category, c, p.2);
        }
        if let Some(a) = p.4 {
            bump(&mut by_author, a, p.2);
        }
    }
    for (post_id, tag_id) in links {
        if let Some(t) = updated.get(&post_id) {
            bump(&mut by_tag, tag_id, *t);
        }
    }

    let mut out = vec![
        Entry { loc: format!("{base}/"), lastmod: newest },
        Entry { loc: format!("{base}/blog"), lastmod: newest },
        Entry { loc: format!("{base}/locations"), lastmod: None },
    ];
    for l in locations::all(db, clinic.id).await? {
        out.push(Entry { loc: format!("{base}/locations/{}", l.slug), lastmod: None });
    }
    out.push(Entry { loc: format!("{base}/contact"), lastmod: None });
    let archive = |kind: &str, slug: &str, lastmod| Entry { loc: format!("{base}/blog/{kind}/{slug}"), lastmod };
    let categories = category::Entity::find()
        .filter(category::Column::ClinicId.eq(clinic.id))
        .order_by_asc(category::Column::Slug)
        .all(db)
        .await?;
    out.extend(
        categories.iter().filter_map(|c| by_category.get(&c.id).map(|t| archive("category", &c.slug, Some(*t)))),
    );
    let tags =
        tag::Entity::find().filter(tag::Column::ClinicId.eq(clinic.id)).order_by_asc(tag::Column::Slug).all(db).await?;
    out.extend(tags.iter().filter_map(|t| by_tag.get(&t.id).map(|u| archive("tag", &t.slug, Some(*u)))));
    let authors = author::Entity::find()
        .filter(author::Column::ClinicId.eq(clinic.id))
        .order_by_asc(author::Column::Slug)
        .all(db)
        .await?;
    out.extend(authors.iter().filter_map(|a| by_author.get(&a.id).map(|u| archive("author", &a.slug, Some(*u)))));
    out.extend(posts.into_iter().map(|p| Entry { loc: format!("{base}/blog/{}", p.1), lastmod: Some(p.2) }));
    Ok(Some((base, out)))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::entities::PostStatus;

    fn post(body_md: &str, image: Option<&str>) -> post::Model {
        let t = Utc.with_ymd_and_hms(2025, 3, 2, 9, 0, 0).unwrap();
        post::Model {
            id: 7,
            clinic_id: 1,
            slug: "fees".into(),
            title: "Fees".into(),
            excerpt: None,
            body_md: body_md.into(),
            body_html: markdown::render_html(body_md),
            body_text: markdown::plain_text(body_md),
            reading_minutes: 1,
            status: PostStatus::Published,
            published_at: Some(t),
            created_at: t - chrono::Duration::days(1),
            updated_at: t - chrono::Duration::days(2),
            author_id: None,
            category_id: None,
            seo_title: None,
            seo_description: None,
            featured_image: image.map(str::to_string),
            featured_image_alt: Some("A \"calm\" <waiting> room & desk".into()),
            version: 1,
        }
    }

    #[test]
    fn links_and_images_become_absolute() {
        let m = post(
            "See [our offices](/locations), [a sibling](other-post), [notes](#fn), [elsewhere](https://example.org/x) and ![x-ray](/media/a.jpg).\n\n<script>alert(1)</script>",
            Some("/media/hero.jpg"),
        );
        let i = item("https://www.pmc.example", "pmc", &m, None, None, &[]);
        let html = &i.content_html;
        assert!(html.contains("href=\"https://www.pmc.example/locations\""), "{html}");
        assert!(html.contains("href=\"https://www.pmc.example/blog/other-post\""), "{html}");
        assert!(html.contains("href=\"https://www.pmc.example/blog/fees#fn\""), "{html}");
        assert!(html.contains("href=\"https://example.org/x\""), "{html}");
        assert!(html.contains("src=\"https://www.pmc.example/media/a.jpg\""), "{html}");
        assert!(html.starts_with("<p><img src=\"https://www.pmc.example/media/hero.jpg\" alt=\"A &quot;calm&quot; &lt;waiting&gt; room &amp; desk\">"), "{html}");
        assert!(!html.contains("<script"), "still sanitised");
        assert_eq!(i.image.as_deref(), Some("https://www.pmc.example/media/hero.jpg"));
        assert_eq!(i.url, "https://www.pmc.example/blog/fees");
        assert_eq!(i.id, "tag:www.pmc.example,2025-03-01:pmc/post/7");
        assert_eq!(i.published, m.published_at.unwrap());
        assert_eq!(i.updated, i.published, "never updated before it was published");
    }

    #[test]
    fn authors_and_terms() {
        let m = post("Hi", None);
        let a = author::Model {
            id: 1,
            clinic_id: 1,
            slug: "ann".into(),
            name: "Ann Lee".into(),
            credentials: Some("MD".into()),
            bio: None,
            photo_url: None,
        };
        let c = category::Model { id: 1, clinic_id: 1, slug: "costs".into(), name: "Costs".into(), description: None };
        let t = tag::Model { id: 1, clinic_id: 1, slug: "billing".into(), name: "Billing".into() };
        let i = item("http://pmc.localhost:3000", "pmc", &m, Some(&a), Some(&c), &[t]);
        assert_eq!(
            i.author,
            Some(Person { name: "Ann Lee, MD".into(), url: "http://pmc.localhost:3000/blog/author/ann".into() })
        );
        assert_eq!(
            i.terms.iter().map(|t| t.url.as_str()).collect::<Vec<_>>(),
            ["http://pmc.localhost:3000/blog/category/costs", "http://pmc.localhost:3000/blog/tag/billing"]
        );
        assert!(i.image.is_none() && !i.content_html.contains("<img"));
    }
}
