//! Feeds, sitemap and robots.txt over HTTP through the real router, on
//! SQLite and PostgreSQL: only a clinic's own published posts, per-category
//! and per-tag feeds, 404s, conditional GET, content types, the sitemap
//! (and its index past a small limit), robots.txt, noindex on private pages,
//! and the `<link rel="alternate">` tags on public pages.

mod common;

use std::collections::BTreeSet;

use axum::Router;
use axum::body::Body;
use chrono::{Duration, Utc};
use clinicpress::entities::PostStatus;
use clinicpress::posts::front_matter::PostDraft;
use http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use quick_xml::Reader;
use quick_xml::events::Event;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use tower::ServiceExt;

use common::each_db;

const PMC: &str = "pmc.localhost:3000";
const LAKESIDE: &str = "lakeside.localhost:3000";
const BASE: &str = "http://pmc.localhost:3000";

/// The demo router, with at most `sitemap_limit` addresses per sitemap file.
async fn app(db: &DatabaseConnection, sitemap_limit: usize) -> Router {
    common::with_demo(db).await;
    let data = tempfile::tempdir().unwrap().keep();
    let site = data.join("site");
    std::fs::create_dir_all(&site).unwrap();
    let options = clinicpress::web::leptos_options(&site, "127.0.0.1:0".parse().unwrap());
    let mut settings = clinicpress::config::WebSettings::for_data_dir(&data);
    settings.sitemap_limit = sitemap_limit;
    let (search, state) = clinicpress::search::service::SearchService::open(&data).unwrap();
    search.spawn_indexer(db.clone(), state, clinicpress::shutdown::CancellationToken::new());
    let outbox = clinicpress::leads::outbox::Outbox::new(db.clone(), settings.mailer.clone());
    clinicpress::web::router(db.clone(), options, settings, search, outbox)
}

async fn get_with(app: &Router, host: &str, path: &str, headers: &[(&str, &str)]) -> (StatusCode, HeaderMap, String) {
    let mut req = Request::builder().uri(path).header("host", host);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = app.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let (parts, body) = res.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    (parts.status, parts.headers, String::from_utf8_lossy(&body).into_owned())
}

async fn get(app: &Router, host: &str, path: &str) -> (StatusCode, HeaderMap, String) {
    get_with(app, host, path, &[]).await
}

fn header_of(h: &HeaderMap, name: header::HeaderName) -> &str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

async fn clinic_id(db: &DatabaseConnection, slug: &str) -> i32 {
    use clinicpress::entities::clinic;
    clinic::Entity::find().filter(clinic::Column::Slug.eq(slug)).one(db).await.unwrap().unwrap().id
}

fn draft(title: &str, slug: &str, status: PostStatus, category: &str, tags: &[&str], body: &str) -> PostDraft {
    let published = Utc::now() - Duration::hours(1);
    PostDraft {
        title: title.into(),
        slug: slug.into(),
        published_at: (status != PostStatus::Draft).then_some(published),
        updated_at: Some(published + Duration::minutes(20)),
        author: None,
        category: Some(category.into()),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        excerpt: Some("Prices & plans, <plainly>.".into()),
        status,
        locations: vec![],
        seo_title: None,
        seo_description: None,
        featured_image: Some("/media/fees.jpg".into()),
        featured_image_alt: Some("A front desk".into()),
        body_md: body.into(),
    }
}

/// A new published PMC post (category "Billing & Fees", tag "Insurance"),
/// a PMC draft and a Lakeside post with the same tag and category.
async fn seed(db: &DatabaseConnection) {
    let pmc = clinic_id(db, "pmc").await;
    let lake = clinic_id(db, "lakeside").await;
    let now = Utc::now();
    let mut fees = draft(
        "Fees & <costs> explained",
        "fees-explained",
        PostStatus::Published,
        "Billing & Fees",
        &["Insurance"],
        "Ask [our offices](/locations) or see ![the fee table](/media/table.png) and [the next post](sleep-and-chronic-pain).",
    );
    fees.author = Some("james-taggart".into());
    clinicpress::posts::store::save(db, pmc, &fees, now).await.unwrap();
    let secret =
        draft("Secret draft marker", "secret-draft", PostStatus::Draft, "Billing & Fees", &["Insurance"], "Not yet.");
    clinicpress::posts::store::save(db, pmc, &secret, now).await.unwrap();
    let other = draft(
        "Lakeside only marker",
        "lakeside-only",
        PostStatus::Published,
        "Billing & Fees",
        &["Insurance"],
        "Other clinic.",
    );
    clinicpress::posts::store::save(db, lake, &other, now).await.unwrap();
}

/// Element texts of an XML document by element name, unescaped; panics
/// unless the document is well formed.
fn xml_texts(xml: &str) -> Vec<(String, String)> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<(String, String)> = Vec::new();
    let mut out = Vec::new();
    let mut roots = 0;
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("malformed XML: {e}\n{xml}")) {
            Event::Start(e) => {
                if stack.is_empty() {
                    roots += 1;
                }
                stack.push((e.name().as_ref().to_string(), String::new()));
            }
            Event::Empty(e) => out.push((e.name().as_ref().to_string(), String::new())),
            Event::End(_) => {
                let done = stack.pop().expect("balanced");
                out.push(done);
            }
            Event::Text(t) => {
                if let Some((_, buf)) = stack.last_mut() {
                    buf.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let ch = match r.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&r).expect("predefined entity").to_string(),
                };
                if let Some((_, buf)) = stack.last_mut() {
                    buf.push_str(&ch);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty() && roots == 1, "one root element, all closed");
    out
}

fn all<'a>(t: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    t.iter().filter(|(n, _)| n == name).map(|(_, s)| s.as_str()).collect()
}

#[test]
fn feeds_show_only_the_clinics_published_posts() {
    common::block_on(each_db(|t| async move {
        let app = app(&t.db, 50_000).await;
        seed(&t.db).await;

        // RSS 2.0
        let (status, h, rss) = get(&app, PMC, "/feed.xml").await;
        assert_eq!(status, StatusCode::OK, "{}", t.backend);
        assert_eq!(header_of(&h, header::CONTENT_TYPE), "application/rss+xml; charset=utf-8");
        let x = xml_texts(&rss);
        let titles = all(&x, "title");
        assert_eq!(titles[0], "Pain Medicine Consultants", "channel title");
        assert_eq!(titles[1], "Fees & <costs> explained", "newest first, unescaped by the parser");
        assert!(rss.contains("<title>Fees &amp; &lt;costs&gt; explained</title>"));
        let items = all(&x, "item").len();
        assert!((2..=20).contains(&items), "{items} items");
        for bad in ["Secret draft marker", "Lakeside only marker"] {
            assert!(!rss.contains(bad), "{bad} on {}", t.backend);
        }
        assert!(!rss.contains("talking-to-family-about-chronic-pain"), "the demo's draft");
        assert!(!rss.contains("spinal-cord-stimulation-overview"), "the demo's scheduled post");
        let links = all(&x, "link");
        assert_eq!(links[0], format!("{BASE}/"));
        assert_eq!(links[1], format!("{BASE}/blog/fees-explained"));
        assert!(links.iter().all(|l| l.starts_with(BASE)), "absolute links");
        let content = all(&x, "content:encoded")[0];
        assert!(content.contains(&format!("href=\"{BASE}/locations\"")), "{content}");
        assert!(content.contains(&format!("src=\"{BASE}/media/table.png\"")), "{content}");
        assert!(content.contains(&format!("href=\"{BASE}/blog/sleep-and-chronic-pain\"")), "{content}");
        assert!(content.starts_with(&format!("<p><img src=\"{BASE}/media/fees.jpg\" alt=\"A front desk\"")));
        assert_eq!(all(&x, "dc:creator")[0], "James Taggart, MD");
        let cats = all(&x, "category");
        assert_eq!(&cats[..2], ["Billing & Fees", "Insurance"]);
        let date = all(&x, "pubDate")[0];
        assert!(chrono::DateTime::parse_from_rfc2822(date).is_ok(), "RFC 822 date: {date}");
        assert!(date.ends_with(" +0000"));

        // Atom
        let (status, h, atom) = get(&app, PMC, "/atom.xml").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(header_of(&h, header::CONTENT_TYPE), "application/atom+xml; charset=utf-8");
        let x = xml_texts(&atom);
        assert_eq!(all(&x, "entry").len(), items);
        assert_eq!(all(&x, "id")[0], format!("{BASE}/atom.xml"));
        assert!(all(&x, "id")[1].starts_with("tag:pmc.localhost,"), "{:?}", all(&x, "id"));
        for d in all(&x, "updated").into_iter().chain(all(&x, "published")) {
            assert!(chrono::DateTime::parse_from_rfc3339(d).is_ok() && d.ends_with('Z'), "RFC 3339: {d}");
        }
        assert!(!atom.contains("Secret draft marker") && !atom.contains("Lakeside only marker"));

        // JSON Feed 1.1
        let (status, h, json) = get(&app, PMC, "/feed.json").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(header_of(&h, header::CONTENT_TYPE), "application/feed+json; charset=utf-8");
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(doc["version"], "https://jsonfeed.org/version/1.1");
        assert_eq!(doc["title"], "Pain Medicine Consultants");
        assert_eq!(doc["feed_url"], format!("{BASE}/feed.json"));
        assert_eq!(doc["home_page_url"], format!("{BASE}/"));
        let list = doc["items"].as_array().unwrap();
        assert_eq!(list.len(), items);
        for i in list {
            assert!(i["id"].is_string() && i["url"].as_str().unwrap().starts_with(BASE), "{i}");
            assert!(i["content_html"].is_string() && i["title"].is_string());
            assert!(chrono::DateTime::parse_from_rfc3339(i["date_published"].as_str().unwrap()).is_ok());
        }
        assert_eq!(list[0]["title"], "Fees & <costs> explained");
        assert_eq!(list[0]["tags"], serde_json::json!(["Billing & Fees", "Insurance"]));
        assert_eq!(list[0]["authors"][0]["name"], "James Taggart, MD");
        assert_eq!(list[0]["image"], format!("{BASE}/media/fees.jpg"));
        assert!(!json.contains("Secret draft marker") && !json.contains("Lakeside only marker"));

        // The other clinic's feed has its own post, not PMC's.
        let (_, _, lake) = get(&app, LAKESIDE, "/feed.xml").await;
        assert!(lake.contains("Lakeside only marker") && !lake.contains("Fees &amp; &lt;costs"));
        assert!(lake.contains("<link>http://lakeside.localhost:3000/blog/lakeside-only</link>"));

        // No feeds on the network index; a HEAD gets the headers only.
        let (status, _, _) = get(&app, "localhost:3000", "/feed.xml").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        t
    }));
}

#[test]
fn category_and_tag_feeds() {
    common::block_on(each_db(|t| async move {
        let app = app(&t.db, 50_000).await;
        seed(&t.db).await;
        let (status, h, rss) = get(&app, PMC, "/blog/category/billing-fees/feed.xml").await;
        assert_eq!(status, StatusCode::OK, "{}", t.backend);
        assert_eq!(header_of(&h, header::CONTENT_TYPE), "application/rss+xml; charset=utf-8");
        let x = xml_texts(&rss);
        assert_eq!(all(&x, "title"), ["Pain Medicine Consultants: Billing & Fees", "Fees & <costs> explained"]);
        assert_eq!(all(&x, "link")[0], format!("{BASE}/blog/category/billing-fees"));
        assert!(rss.contains(&format!("href=\"{BASE}/blog/category/billing-fees/feed.xml\" rel=\"self\"")));

        let (status, _, atom) = get(&app, PMC, "/blog/tag/insurance/atom.xml").await;
        assert_eq!(status, StatusCode::OK);
        let x = xml_texts(&atom);
        assert_eq!(all(&x, "entry").len(), 1, "the draft and the other clinic's post stay out");
        assert_eq!(all(&x, "title")[1], "Fees & <costs> explained");

        let (status, _, json) = get(&app, PMC, "/blog/tag/back-pain/feed.json").await;
        assert_eq!(status, StatusCode::OK);
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(!doc["items"].as_array().unwrap().is_empty());
        assert_eq!(doc["home_page_url"], format!("{BASE}/blog/tag/back-pain"));

        // The same tag on the other clinic: only its own post.
        let (_, _, lake) = get(&app, LAKESIDE, "/blog/tag/insurance/feed.json").await;
        let doc: serde_json::Value = serde_json::from_str(&lake).unwrap();
        let titles: Vec<&str> = doc["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap()).collect();
        assert_eq!(titles, ["Lakeside only marker"]);

        for path in [
            "/blog/category/no-such-category/feed.xml",
            "/blog/category/no-such-category/atom.xml",
            "/blog/tag/no-such-tag/feed.json",
            "/blog/category/Billing-Fees/feed.xml",
            "/blog/category/billing-fees/feed.rss",
        ] {
            let (status, h, _) = get(&app, PMC, path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path} on {}", t.backend);
            assert!(!header_of(&h, header::CONTENT_TYPE).contains("xml"), "{path}");
        }
        // A category with no published post still has a valid, empty feed.
        let pmc = clinic_id(&t.db, "pmc").await;
        let only_draft = draft("Draft only", "draft-only", PostStatus::Draft, "Empty Corner", &[], "x");
        clinicpress::posts::store::save(&t.db, pmc, &only_draft, Utc::now()).await.unwrap();
        let (status, _, empty) = get(&app, PMC, "/blog/category/empty-corner/atom.xml").await;
        assert_eq!(status, StatusCode::OK);
        let x = xml_texts(&empty);
        assert!(all(&x, "entry").is_empty() && all(&x, "updated").len() == 1);

        // A renamed category's old feed address redirects to the new one.
        let id = clinicpress::entities::category::Entity::find()
            .filter(clinicpress::entities::category::Column::ClinicId.eq(pmc))
            .filter(clinicpress::entities::category::Column::Slug.eq("billing-fees"))
            .one(&t.db)
            .await
            .unwrap()
            .unwrap()
            .id;
        let form =
            app::admin::model::TermForm { name: "Costs".into(), slug: String::new(), credentials: String::new() };
        let actor =
            clinicpress::audit::Actor { id: None, name: "Maria Lopez".into(), email: "maria@pmc.example".into() };
        clinicpress::posts::terms::save(
            &t.db,
            pmc,
            app::model::ArchiveKind::Category,
            Some(id),
            &form,
            &actor,
            Utc::now(),
        )
        .await
        .unwrap();
        let (status, h, _) = get(&app, PMC, "/blog/category/billing-fees/atom.xml").await;
        assert_eq!(status, StatusCode::MOVED_PERMANENTLY, "{}", t.backend);
        assert_eq!(header_of(&h, header::LOCATION), "/blog/category/costs/atom.xml");
        let (status, _, rss) = get(&app, PMC, "/blog/category/costs/feed.xml").await;
        assert_eq!(status, StatusCode::OK);
        assert!(rss.contains("<title>Pain Medicine Consultants: Costs</title>"));
        t
    }));
}

#[test]
fn conditional_get_answers_304() {
    common::block_on(each_db(|t| async move {
        let app = app(&t.db, 50_000).await;
        for path in ["/feed.xml", "/atom.xml", "/feed.json", "/blog/tag/back-pain/feed.xml", "/sitemap.xml"] {
            let (status, h, body) = get(&app, PMC, path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            let etag = header_of(&h, header::ETAG).to_string();
            let last = header_of(&h, header::LAST_MODIFIED).to_string();
            assert!(etag.starts_with('"') && etag.len() > 10, "{path}: {etag}");
            assert!(last.ends_with(" GMT"), "{path}: {last}");
            assert!(header_of(&h, header::CACHE_CONTROL).contains("max-age"));

            let (status, h304, body304) = get_with(&app, PMC, path, &[("if-none-match", &etag)]).await;
            assert_eq!(status, StatusCode::NOT_MODIFIED, "{path} on {}", t.backend);
            assert!(body304.is_empty());
            assert_eq!(header_of(&h304, header::ETAG), etag);

            // Only the tag gives a 304: the date does not move when a post is unpublished.
            let (status, _, _) = get_with(&app, PMC, path, &[("if-modified-since", &last)]).await;
            assert_eq!(status, StatusCode::OK, "{path} If-Modified-Since alone");

            let (status, _, again) = get_with(&app, PMC, path, &[("if-none-match", "\"stale\"")]).await;
            assert_eq!((status, again.len()), (StatusCode::OK, body.len()), "{path}");
            let (status, _, _) =
                get_with(&app, PMC, path, &[("if-modified-since", "Mon, 01 Jan 2001 00:00:00 GMT")]).await;
            assert_eq!(status, StatusCode::OK, "{path}: modified since 2001");
        }
        // A new post changes the feed, so the old tag no longer matches.
        let (_, h, _) = get(&app, PMC, "/feed.xml").await;
        let etag = header_of(&h, header::ETAG).to_string();
        seed(&t.db).await;
        let (status, h, _) = get_with(&app, PMC, "/feed.xml", &[("if-none-match", &etag)]).await;
        assert_eq!(status, StatusCode::OK);
        assert_ne!(header_of(&h, header::ETAG), etag);
        t
    }));
}

#[test]
fn sitemap_lists_the_public_pages() {
    common::block_on(each_db(|t| async move {
        let app = app(&t.db, 50_000).await;
        seed(&t.db).await;
        let (status, h, xml) = get(&app, PMC, "/sitemap.xml").await;
        assert_eq!(status, StatusCode::OK, "{}", t.backend);
        assert_eq!(header_of(&h, header::CONTENT_TYPE), "application/xml; charset=utf-8");
        assert!(xml.contains("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"));
        let x = xml_texts(&xml);
        let locs: BTreeSet<String> = all(&x, "loc").into_iter().map(str::to_string).collect();
        assert_eq!(locs.len(), all(&x, "loc").len(), "no address twice");
        for page in [
            "/",
            "/blog",
            "/locations",
            "/locations/pleasant-hill",
            "/contact",
            "/blog/fees-explained",
            "/blog/sleep-and-chronic-pain",
            "/blog/category/billing-fees",
            "/blog/tag/insurance",
            "/blog/tag/back-pain",
            "/blog/author/james-taggart",
        ] {
            assert!(locs.contains(&format!("{BASE}{page}")), "{page} on {}", t.backend);
        }
        for absent in
            ["secret-draft", "talking-to-family-about-chronic-pain", "spinal-cord-stimulation-overview", "lakeside"]
        {
            assert!(!xml.contains(absent), "{absent}");
        }
        assert!(locs.iter().all(|l| l.starts_with(BASE)));
        for d in all(&x, "lastmod") {
            assert!(chrono::DateTime::parse_from_rfc3339(d).is_ok(), "{d}");
        }
        // Every post's lastmod is its updated_at.
        let i = xml.find(&format!("<loc>{BASE}/blog/fees-explained</loc>")).unwrap();
        let lastmod = &xml[i..].split("<lastmod>").nth(1).unwrap()[..20];
        let post = clinicpress::entities::post::Entity::find()
            .filter(clinicpress::entities::post::Column::Slug.eq("fees-explained"))
            .one(&t.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(lastmod, post.updated_at.format("%Y-%m-%dT%H:%M:%SZ").to_string());

        // On another of the clinic's host names the addresses are on its primary one
        // (the first listed real host name: www.pmc.example; a listed pmc.localhost only works on this machine).
        let (_, _, other) = get(&app, "www.pmc.example", "/sitemap.xml").await;
        assert!(other.contains("<loc>http://www.pmc.example/blog/fees-explained</loc>"), "{}", &other[..300]);
        let (_, _, rss) = get(&app, "www.pmc.example", "/feed.xml").await;
        assert!(rss.contains("<link>http://www.pmc.example/blog/fees-explained</link>"));

        let (status, _, _) = get(&app, PMC, "/sitemap/2.xml").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "one part only");
        let (status, _, _) = get(&app, "localhost:3000", "/sitemap.xml").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "no sitemap on the network index");
        t
    }));
}

#[test]
fn large_sitemaps_become_an_index() {
    common::block_on(each_db(|t| async move {
        let app = app(&t.db, 10).await;
        let (_, _, whole) = get(&app, PMC, "/sitemap.xml").await;
        assert!(whole.contains("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"), "{whole}");
        let x = xml_texts(&whole);
        let parts: Vec<String> = all(&x, "loc").into_iter().map(str::to_string).collect();
        assert!(parts.len() >= 4, "{parts:?}");
        assert_eq!(parts[0], format!("{BASE}/sitemap/1.xml"));
        let mut seen = Vec::new();
        for p in &parts {
            let path = p.strip_prefix(BASE).unwrap();
            let (status, h, xml) = get(&app, PMC, path).await;
            assert_eq!(status, StatusCode::OK, "{path} on {}", t.backend);
            assert_eq!(header_of(&h, header::CONTENT_TYPE), "application/xml; charset=utf-8");
            let x = xml_texts(&xml);
            let locs = all(&x, "loc");
            assert!(!locs.is_empty() && locs.len() <= 10, "{path}: {}", locs.len());
            seen.extend(locs.into_iter().map(str::to_string));
        }
        assert!(seen.contains(&format!("{BASE}/")) && seen.contains(&format!("{BASE}/blog/sleep-and-chronic-pain")));
        let unique: BTreeSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "each address in one part");
        let past = format!("/sitemap/{}.xml", parts.len() + 1);
        for bad in [past.as_str(), "/sitemap/0.xml", "/sitemap/one.xml"] {
            let (status, _, _) = get(&app, PMC, bad).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
        }
        t
    }));
}

#[test]
fn robots_and_noindex() {
    common::block_on(each_db(|t| async move {
        let app = app(&t.db, 50_000).await;
        let (status, h, robots) = get(&app, PMC, "/robots.txt").await;
        assert_eq!(status, StatusCode::OK, "{}", t.backend);
        assert_eq!(header_of(&h, header::CONTENT_TYPE), "text/plain; charset=utf-8");
        assert!(robots.contains("User-agent: *\nDisallow: /admin\nDisallow: /preview\n"), "{robots}");
        assert!(robots.contains(&format!("Sitemap: {BASE}/sitemap.xml")), "{robots}");
        let (_, _, lake) = get(&app, LAKESIDE, "/robots.txt").await;
        assert!(lake.contains("Sitemap: http://lakeside.localhost:3000/sitemap.xml"));
        let (status, _, net) = get(&app, "localhost:3000", "/robots.txt").await;
        assert_eq!(status, StatusCode::OK);
        assert!(!net.contains("Sitemap:"));

        for private in ["/admin/login", "/admin", "/preview/not-a-token"] {
            let (_, h, _) = get(&app, PMC, private).await;
            assert_eq!(header_of(&h, "x-robots-tag".parse().unwrap()), "noindex, nofollow", "{private}");
        }
        let (_, _, preview) = get(&app, PMC, "/preview/not-a-token").await;
        assert!(preview.contains("<meta name=\"robots\" content=\"noindex"), "the preview page says so too");
        let (_, h, _) = get(&app, PMC, "/blog").await;
        assert!(h.get("x-robots-tag").is_none(), "public pages are indexed");
        t
    }));
}

/// The attributes of every `<link>` in a page.
fn links(html: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    html.split("<link ")
        .skip(1)
        .map(|rest| {
            let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
            let mut attrs = std::collections::BTreeMap::new();
            for part in tag.split("\" ") {
                if let Some((k, v)) = part.trim().trim_end_matches('/').split_once("=\"") {
                    attrs.insert(k.trim().to_string(), v.trim_end_matches('"').replace("&amp;", "&"));
                }
            }
            attrs
        })
        .collect()
}

/// The feeds a page advertises: (type, title, href).
fn alternates(html: &str) -> Vec<(String, String, String)> {
    links(html)
        .into_iter()
        .filter(|a| a.get("rel").map(String::as_str) == Some("alternate"))
        .map(|a| (a["type"].clone(), a["title"].clone(), a["href"].clone()))
        .collect()
}

fn feeds_of(title: &str, prefix: &str) -> Vec<(String, String, String)> {
    [
        ("application/rss+xml", "feed.xml", "RSS"),
        ("application/atom+xml", "atom.xml", "Atom"),
        ("application/feed+json", "feed.json", "JSON Feed"),
    ]
    .into_iter()
    .map(|(kind, file, label)| (kind.to_string(), format!("{title} ({label})"), format!("{prefix}/{file}")))
    .collect()
}

#[test]
fn pages_advertise_their_feeds() {
    common::block_on(each_db(|t| async move {
        let app = app(&t.db, 50_000).await;
        let site = feeds_of("Pain Medicine Consultants", "");
        for path in
            ["/", "/blog", "/blog/sleep-and-chronic-pain", "/locations", "/contact", "/blog/author/james-taggart"]
        {
            let (status, _, html) = get(&app, PMC, path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(alternates(&html), site, "{path} on {}", t.backend);
        }
        let (_, _, cat) = get(&app, PMC, "/blog/category/treatments").await;
        let mut expected = site.clone();
        expected.extend(feeds_of("Pain Medicine Consultants: Treatments", "/blog/category/treatments"));
        // The site's and the category's links may come in either order in the head
        // (they are registered as each part of the page resolves).
        let mut found_cat = alternates(&cat);
        found_cat.sort();
        expected.sort();
        assert_eq!(found_cat, expected);
        let (_, _, tag) = get(&app, PMC, "/blog/tag/back-pain").await;
        let found = alternates(&tag);
        assert_eq!(found.len(), 6);
        assert!(found.iter().any(|(_, _, href)| href == "/blog/tag/back-pain/atom.xml"), "{found:?}");
        let (_, _, lake) = get(&app, LAKESIDE, "/").await;
        assert_eq!(alternates(&lake), feeds_of("Lakeside Family Dermatology", ""));
        let (_, _, login) = get(&app, PMC, "/admin/login").await;
        assert!(alternates(&login).is_empty(), "not on admin pages");
        let (_, _, network) = get(&app, "localhost:3000", "/").await;
        assert!(alternates(&network).is_empty(), "not on the network index");
        // Each advertised feed answers.
        for (_, _, href) in found {
            let (status, _, _) = get(&app, PMC, &href).await;
            assert_eq!(status, StatusCode::OK, "{href}");
        }
        t
    }));
}
