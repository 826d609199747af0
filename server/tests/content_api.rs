//! The read-only content API over HTTP through the real router, on SQLite
//! and PostgreSQL: lists, filters, pagination, bad query values (400),
//! drafts, scheduled and other clinics' posts never shown, 404s, open CORS
//! with preflight, and the OpenAPI document.

mod common;

use std::collections::BTreeSet;

use axum::Router;
use axum::body::Body;
use chrono::{DateTime, Duration, Utc};
use clinicpress::entities::PostStatus;
use clinicpress::posts::front_matter::PostDraft;
use http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;
use tower::ServiceExt;

use common::each_db;

const PMC: &str = "pmc.localhost:3000";
const LAKESIDE: &str = "lakeside.localhost:3000";
const BASE: &str = "http://pmc.localhost:3000";

async fn app(db: &DatabaseConnection) -> Router {
    let app = common::demo_app(db).await.0;
    seed(db).await;
    app
}

async fn send(
    app: &Router,
    method: Method,
    host: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, String) {
    let mut req = Request::builder().method(method).uri(path).header("host", host);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = app.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let (parts, body) = res.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    (parts.status, parts.headers, String::from_utf8_lossy(&body).into_owned())
}

/// A GET answered with JSON: status, headers, the parsed body.
async fn get_json(app: &Router, host: &str, path: &str) -> (StatusCode, HeaderMap, Value) {
    let (status, headers, body) = send(app, Method::GET, host, path, &[]).await;
    assert_eq!(header_of(&headers, header::CONTENT_TYPE), "application/json", "{path}: {body}");
    let json = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {body}"));
    (status, headers, json)
}

fn header_of(h: &HeaderMap, name: header::HeaderName) -> &str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

async fn clinic_id(db: &DatabaseConnection, slug: &str) -> i32 {
    use clinicpress::entities::clinic;
    use sea_orm::ColumnTrait;
    clinic::Entity::find().filter(clinic::Column::Slug.eq(slug)).one(db).await.unwrap().unwrap().id
}

fn draft(title: &str, slug: &str, status: PostStatus, body: &str) -> PostDraft {
    let published = Utc::now() - Duration::hours(1);
    PostDraft {
        title: title.into(),
        slug: slug.into(),
        published_at: (status != PostStatus::Draft).then_some(published),
        updated_at: Some(published + Duration::minutes(20)),
        author: Some("james-taggart".into()),
        category: Some("Billing & Fees".into()),
        tags: vec!["Insurance".into()],
        excerpt: Some("What a visit costs.".into()),
        status,
        locations: vec!["concord".into()],
        seo_title: Some("Fees".into()),
        seo_description: None,
        featured_image: Some("/media/fees.jpg".into()),
        featured_image_alt: Some("A front desk".into()),
        body_md: body.into(),
    }
}

const FEES_BODY: &str = "Ask [our offices](/locations).\n\n<script>alert(1)</script>\n\n**Bold** words.";

/// PMC: a new published post (category "Billing & Fees", tag "Insurance",
/// office Concord, James Taggart) and a draft like it; Lakeside: a
/// published post with the same category and tag names.
async fn seed(db: &DatabaseConnection) {
    let pmc = clinic_id(db, "pmc").await;
    let lake = clinic_id(db, "lakeside").await;
    let now = Utc::now();
    let fees = draft("Fees explained", "fees-explained", PostStatus::Published, FEES_BODY);
    clinicpress::posts::store::save(db, pmc, &fees, now).await.unwrap();
    let secret = draft("Secret draft marker", "secret-draft", PostStatus::Draft, "Not yet.");
    clinicpress::posts::store::save(db, pmc, &secret, now).await.unwrap();
    let mut other = draft("Lakeside only marker", "lakeside-only", PostStatus::Published, "Other clinic.");
    other.author = None;
    other.locations = vec![];
    clinicpress::posts::store::save(db, lake, &other, now).await.unwrap();
}

/// How many posts PMC's visitors may see now, straight from the database.
async fn published_count(db: &DatabaseConnection, clinic: &str) -> u64 {
    let id = clinic_id(db, clinic).await;
    clinicpress::posts::read::published(id, Utc::now()).count(db).await.unwrap()
}

fn slugs(page: &Value) -> Vec<String> {
    page["posts"].as_array().unwrap().iter().map(|p| p["slug"].as_str().unwrap().to_string()).collect()
}

const NEVER: [&str; 4] =
    ["secret-draft", "talking-to-family-about-chronic-pain", "spinal-cord-stimulation-overview", "lakeside-only"];

#[test]
fn posts_page_through_every_published_post_and_nothing_else() {
    common::block_on(each_db(|t| async move {
        let app = app(&t.db).await;
        let total = published_count(&t.db, "pmc").await;
        assert!(total > 14, "the demo has several pages of 7 ({total})");

        let (s, h, first) = get_json(&app, PMC, "/api/v1/posts").await;
        assert_eq!(s, StatusCode::OK, "{}", t.backend);
        assert_eq!(header_of(&h, header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
        assert!(h.get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS).is_none());
        assert!(header_of(&h, header::CACHE_CONTROL).starts_with("public, max-age="));
        assert_eq!(
            first["pagination"],
            serde_json::json!({"page": 1, "limit": 20, "total": total, "total_pages": total.div_ceil(20)})
        );
        assert_eq!(first["posts"].as_array().unwrap().len() as u64, total.min(20));
        // Newest first, RFC 3339 dates, absolute URLs.
        let dates: Vec<DateTime<Utc>> = first["posts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| DateTime::parse_from_rfc3339(p["published_at"].as_str().unwrap()).unwrap().to_utc())
            .collect();
        assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
        assert_eq!(first["posts"][0]["slug"], "fees-explained", "the newest post");
        for p in first["posts"].as_array().unwrap() {
            assert!(p["url"].as_str().unwrap().starts_with(&format!("{BASE}/blog/")), "{p}");
            assert!(p.get("body_html").is_none(), "lists carry no body");
        }

        // Pages of 7 add up to every published post, each once.
        let mut seen = BTreeSet::new();
        let pages = total.div_ceil(7);
        for page in 1..=pages {
            let (s, _, body) = get_json(&app, PMC, &format!("/api/v1/posts?limit=7&page={page}")).await;
            assert_eq!(s, StatusCode::OK);
            assert_eq!(body["pagination"]["total_pages"], pages);
            for slug in slugs(&body) {
                assert!(seen.insert(slug.clone()), "{slug} twice");
            }
        }
        assert_eq!(seen.len() as u64, total);
        for never in NEVER {
            assert!(!seen.contains(never), "{never} listed on {}", t.backend);
        }

        // Past the end: an empty page that still says where the end is.
        let (s, _, past) = get_json(&app, PMC, "/api/v1/posts?page=999&limit=50").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(past["posts"], serde_json::json!([]));
        assert_eq!(past["pagination"]["total"], total);
        assert_eq!(past["pagination"]["page"], 999);

        // The other clinic's list is its own.
        let (_, _, lake) = get_json(&app, LAKESIDE, "/api/v1/posts?limit=50").await;
        let lake_slugs = slugs(&lake);
        assert!(lake_slugs.contains(&"lakeside-only".to_string()));
        assert!(!lake_slugs.contains(&"fees-explained".to_string()));
        assert_eq!(lake["pagination"]["total"], published_count(&t.db, "lakeside").await);
        t
    }));
}

#[test]
fn filters_narrow_the_list_and_unknown_slugs_are_404() {
    common::block_on(each_db(|t| async move {
        let app = app(&t.db).await;
        let (s, _, fees) = get_json(&app, PMC, "/api/v1/posts?category=billing-fees").await;
        assert_eq!(s, StatusCode::OK, "{fees}");
        assert_eq!(slugs(&fees), ["fees-explained"], "PMC's category only: no draft, no Lakeside post");
        assert_eq!(fees["pagination"]["total"], 1);
        let (_, _, tag) = get_json(&app, PMC, "/api/v1/posts?tag=insurance").await;
        assert_eq!(slugs(&tag), ["fees-explained"]);
        let (_, _, lake) = get_json(&app, LAKESIDE, "/api/v1/posts?tag=insurance&category=billing-fees").await;
        assert_eq!(slugs(&lake), ["lakeside-only"]);

        // Every post of an author, of an office, and both at once.
        let (_, _, james) = get_json(&app, PMC, "/api/v1/posts?author=james-taggart&limit=50").await;
        assert!(james["pagination"]["total"].as_u64().unwrap() > 1);
        for p in james["posts"].as_array().unwrap() {
            assert_eq!(p["author"]["slug"], "james-taggart", "{p}");
        }
        let (_, _, concord) = get_json(&app, PMC, "/api/v1/posts?location=concord&limit=50").await;
        assert!(concord["pagination"]["total"].as_u64().unwrap() > 1);
        for p in concord["posts"].as_array().unwrap() {
            let offices: Vec<&str> =
                p["locations"].as_array().unwrap().iter().map(|l| l["slug"].as_str().unwrap()).collect();
            assert!(offices.contains(&"concord"), "{p}");
        }
        let (_, _, both) =
            get_json(&app, PMC, "/api/v1/posts?location=concord&author=james-taggart&tag=insurance").await;
        assert_eq!(slugs(&both), ["fees-explained"]);
        let (_, _, none) = get_json(&app, PMC, "/api/v1/posts?author=helen-okafor&tag=insurance").await;
        assert_eq!(none["posts"], serde_json::json!([]));
        assert_eq!(none["pagination"]["total_pages"], 1);

        // A list item carries what a "recent posts" box needs.
        let item = &fees["posts"][0];
        assert_eq!(item["title"], "Fees explained");
        assert_eq!(item["url"], format!("{BASE}/blog/fees-explained"));
        assert_eq!(item["excerpt"], "What a visit costs…");
        assert_eq!(item["category"]["url"], format!("{BASE}/blog/category/billing-fees"));
        assert_eq!(
            item["tags"],
            serde_json::json!([{"slug": "insurance", "name": "Insurance", "url": format!("{BASE}/blog/tag/insurance")}])
        );
        assert_eq!(item["author"]["credentials"], "MD");
        assert_eq!(item["locations"][0]["url"], format!("{BASE}/locations/concord"));
        assert_eq!(
            item["featured_image"],
            serde_json::json!({"url": format!("{BASE}/media/fees.jpg"), "alt": "A front desk"})
        );

        // Unknown slugs (and another clinic's): 404 with a message.
        for (path, word) in [
            ("/api/v1/posts?category=nope", "category"),
            ("/api/v1/posts?tag=nope", "tag"),
            ("/api/v1/posts?author=nope", "author"),
            ("/api/v1/posts?location=nope", "location"),
            ("/api/v1/posts?author=miriam-castellano", "author"),
        ] {
            let (s, h, body) = get_json(&app, PMC, path).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{path} on {}", t.backend);
            assert!(body["error"].as_str().unwrap().contains(word), "{path}: {body}");
            assert_eq!(header_of(&h, header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
            assert_eq!(header_of(&h, header::CACHE_CONTROL), "no-store");
        }
        t
    }));
}

#[test]
fn one_post_is_the_pages_sanitised_html_and_only_when_published_here() {
    common::block_on(each_db(|t| async move {
        let app = app(&t.db).await;
        let (s, h, post) = get_json(&app, PMC, "/api/v1/posts/fees-explained").await;
        assert_eq!(s, StatusCode::OK, "{post}");
        assert_eq!(header_of(&h, header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
        let html = post["body_html"].as_str().unwrap();
        let page_html = clinicpress::posts::markdown::render_html(FEES_BODY);
        let base = "http://pmc.localhost:3000/blog/fees-explained".parse().unwrap();
        assert_eq!(html, clinicpress::posts::markdown::absolute_urls(&page_html, &base), "the post page's renderer");
        assert!(html.contains(r#"href="http://pmc.localhost:3000/locations""#), "links made absolute: {html}");
        assert!(html.contains("<strong>Bold</strong>") && !html.contains("<script"), "{html}");
        assert_eq!(post["seo_title"], "Fees");
        assert_eq!(post["slug"], "fees-explained");
        assert_eq!(post["author"]["name"], "James Taggart");
        assert_eq!(post["featured_image"]["url"], format!("{BASE}/media/fees.jpg"));
        DateTime::parse_from_rfc3339(post["updated_at"].as_str().unwrap()).unwrap();

        // The page shows the same body.
        let (s, _, page) = send(&app, Method::GET, PMC, "/blog/fees-explained", &[]).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("<strong>Bold</strong>"));

        for (host, slug) in [
            (PMC, "secret-draft"),
            (PMC, "talking-to-family-about-chronic-pain"),
            (PMC, "spinal-cord-stimulation-overview"),
            (PMC, "lakeside-only"),
            (PMC, "mohs-surgery-explained"),
            (PMC, "no-such-post"),
            (LAKESIDE, "fees-explained"),
        ] {
            let (s, _, body) = get_json(&app, host, &format!("/api/v1/posts/{slug}")).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{slug} on {host} ({})", t.backend);
            assert!(body["error"].as_str().unwrap().contains(slug), "{body}");
        }
        let (s, _, lake) = get_json(&app, LAKESIDE, "/api/v1/posts/lakeside-only").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(lake["url"], "http://lakeside.localhost:3000/blog/lakeside-only");
        assert_eq!(lake["author"], Value::Null);
        t
    }));
}

#[test]
fn bad_query_values_are_400_and_other_hosts_404() {
    common::block_on(each_db(|t| async move {
        let app = app(&t.db).await;
        for (q, field) in [
            ("limit=500", "limit"),
            ("limit=51", "limit"),
            ("limit=0", "limit"),
            ("limit=-5", "limit"),
            ("limit=100000", "limit"),
            ("limit=abc", "limit"),
            ("page=0", "page"),
            ("page=-1", "page"),
            ("page=abc", "page"),
            ("page=1.5", "page"),
            ("page=99999999999999999999", "page"),
            ("page=%FF", "page"),
        ] {
            let (s, h, body) = get_json(&app, PMC, &format!("/api/v1/posts?{q}")).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{q} on {}", t.backend);
            let msg = body["error"].as_str().unwrap();
            assert!(msg.starts_with(&format!("\"{field}\" must be")), "{q}: {msg}");
            assert_eq!(header_of(&h, header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
        }
        let (s, _, body) = get_json(&app, PMC, "/api/v1/posts?limit=500").await;
        assert_eq!(
            (s, body["error"].as_str().unwrap()),
            (StatusCode::BAD_REQUEST, "\"limit\" must be a whole number from 1 to 50, not \"500\".")
        );
        let (s, _, body) = get_json(&app, PMC, "/api/v1/posts?limit=50&page=1&unknown=1&category=").await;
        assert_eq!(s, StatusCode::OK, "unknown parameters and empty values are ignored: {body}");

        // The network host has no content API; unknown hosts get the usual 404 page.
        for path in ["/api/v1/posts", "/api/v1/posts/fees-explained", "/api/v1/categories", "/api/v1/locations"] {
            let (s, _, body) = get_json(&app, "localhost:3000", path).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
            assert!(body["error"].as_str().unwrap().contains("clinic"), "{body}");
            let (s, _, body) = send(&app, Method::GET, "unknown.localhost:3000", path, &[]).await;
            assert_eq!(s, StatusCode::NOT_FOUND);
            assert!(!body.contains("Pain Medicine"));
        }
        t
    }));
}

#[test]
fn categories_tags_authors_and_locations_with_published_counts() {
    common::block_on(each_db(|t| async move {
        let app = app(&t.db).await;
        let (s, h, cats) = get_json(&app, PMC, "/api/v1/categories").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(header_of(&h, header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
        let cats = cats["categories"].as_array().unwrap();
        let fees = cats.iter().find(|c| c["slug"] == "billing-fees").unwrap();
        assert_eq!(fees["post_count"], 1, "the draft does not count");
        assert_eq!(fees["url"], format!("{BASE}/blog/category/billing-fees"));
        let names: Vec<&str> = cats.iter().map(|c| c["name"].as_str().unwrap()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "by name");
        // Counts agree with the filtered lists.
        for c in cats {
            let (_, _, list) =
                get_json(&app, PMC, &format!("/api/v1/posts?category={}", c["slug"].as_str().unwrap())).await;
            assert_eq!(list["pagination"]["total"], c["post_count"], "{c}");
        }

        let (_, _, tags) = get_json(&app, PMC, "/api/v1/tags").await;
        let tags = tags["tags"].as_array().unwrap();
        for tag in tags {
            let (_, _, list) =
                get_json(&app, PMC, &format!("/api/v1/posts?tag={}", tag["slug"].as_str().unwrap())).await;
            assert_eq!(list["pagination"]["total"], tag["post_count"], "{tag}");
        }
        assert!(tags.iter().any(|t| t["slug"] == "back-pain"));

        let (_, _, authors) = get_json(&app, PMC, "/api/v1/authors").await;
        let authors = authors["authors"].as_array().unwrap();
        let james = authors.iter().find(|a| a["slug"] == "james-taggart").unwrap();
        assert_eq!(james["credentials"], "MD");
        assert!(james["bio"].as_str().unwrap().contains("rowing"));
        let (_, _, list) = get_json(&app, PMC, "/api/v1/posts?author=james-taggart").await;
        assert_eq!(list["pagination"]["total"], james["post_count"]);
        assert!(authors.iter().all(|a| a["slug"] != "miriam-castellano"), "not another clinic's author");

        let (_, _, offices) = get_json(&app, PMC, "/api/v1/locations").await;
        let raw = offices.to_string();
        assert!(!raw.contains("@pmc.example"), "no inbox addresses: {raw}");
        let offices = offices["locations"].as_array().unwrap();
        let slugs: Vec<&str> = offices.iter().map(|o| o["slug"].as_str().unwrap()).collect();
        assert_eq!(slugs, ["pleasant-hill", "walnut-creek", "concord"], "the clinic's order");
        let ph = &offices[0];
        assert_eq!(ph["phone"], "+1 925 555 0100");
        assert_eq!(ph["timezone"], "America/Los_Angeles");
        assert_eq!(ph["latitude"], 37.948);
        assert_eq!(ph["url"], format!("{BASE}/locations/pleasant-hill"));
        assert_eq!(ph["opening_hours"].as_array().unwrap().len(), 7);
        assert_eq!(ph["opening_hours"][0]["day"], "Monday");
        let (_, _, list) = get_json(&app, PMC, "/api/v1/posts?location=concord").await;
        assert_eq!(list["pagination"]["total"], offices[2]["post_count"]);

        let (_, _, lake) = get_json(&app, LAKESIDE, "/api/v1/categories").await;
        let lake_fees =
            lake["categories"].as_array().unwrap().iter().find(|c| c["slug"] == "billing-fees").unwrap().clone();
        assert_eq!(lake_fees["post_count"], 1);
        assert_eq!(lake_fees["url"], "http://lakeside.localhost:3000/blog/category/billing-fees");
        t
    }));
}

#[test]
fn preflight_is_answered_for_any_origin() {
    common::block_on(each_db(|t| async move {
        let app = app(&t.db).await;
        for path in ["/api/v1/posts", "/api/v1/posts/fees-explained", "/api/v1/tags", "/api/openapi.json"] {
            let (s, h, _) = send(
                &app,
                Method::OPTIONS,
                PMC,
                path,
                &[("origin", "https://www.elsewhere.example"), ("access-control-request-method", "GET")],
            )
            .await;
            assert_eq!(s, StatusCode::NO_CONTENT, "{path}");
            assert_eq!(header_of(&h, header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
            assert!(header_of(&h, header::ACCESS_CONTROL_ALLOW_METHODS).contains("GET"));
            assert!(h.get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS).is_none());
        }
        // A cross-site GET is answered too (no cookies needed or read).
        let (s, h, _) = send(
            &app,
            Method::GET,
            PMC,
            "/api/v1/posts?limit=1",
            &[("origin", "https://www.elsewhere.example"), ("sec-fetch-site", "cross-site")],
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(header_of(&h, header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
        assert!(h.get(header::SET_COOKIE).is_none(), "no cookie");
        t
    }));
}

#[test]
fn openapi_document_lists_every_path() {
    common::block_on(each_db(|t| async move {
        let app = app(&t.db).await;
        let (s, h, doc) = get_json(&app, PMC, "/api/openapi.json").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(header_of(&h, header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1."), "{}", doc["openapi"]);
        let paths: BTreeSet<&str> = doc["paths"].as_object().unwrap().keys().map(String::as_str).collect();
        let want: BTreeSet<&str> = [
            "/api/v1/posts",
            "/api/v1/posts/{slug}",
            "/api/v1/categories",
            "/api/v1/tags",
            "/api/v1/authors",
            "/api/v1/locations",
            "/api/v1/search",
            "/api/v1/leads",
            "/api/v1/leads/token",
        ]
        .into();
        assert_eq!(paths, want);
        // Every schema a path refers to is defined.
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let text = doc.to_string();
        for r in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = &r[..r.find('"').unwrap()];
            assert!(schemas.contains_key(name), "{name} referred to but not defined");
        }
        t
    }));
}

#[test]
fn answers_carry_etags_old_slugs_move_and_long_slugs_are_not_echoed() {
    common::block_on(each_db(|t| async move {
        use clinicpress::entities::{post, post_redirect};
        use sea_orm::{ActiveModelTrait, ColumnTrait, Set};
        let app = app(&t.db).await;

        // ETag: the same answer has the same tag; If-None-Match with it is 304, no body.
        let (s, h, _) = send(&app, Method::GET, PMC, "/api/v1/posts?limit=5", &[]).await;
        assert_eq!(s, StatusCode::OK);
        let tag = header_of(&h, header::ETAG).to_string();
        assert!(tag.starts_with('"') && tag.len() == 34, "strong tag: {tag}");
        let (s, h2, body) = send(&app, Method::GET, PMC, "/api/v1/posts?limit=5", &[("if-none-match", &tag)]).await;
        assert_eq!(s, StatusCode::NOT_MODIFIED, "{body}");
        assert!(body.is_empty());
        assert_eq!(header_of(&h2, header::ETAG), tag);
        assert_eq!(header_of(&h2, header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
        // Another page, or a stale tag, gets the full answer.
        let (s, h3, _) = send(&app, Method::GET, PMC, "/api/v1/posts?limit=4", &[("if-none-match", &tag)]).await;
        assert_eq!(s, StatusCode::OK);
        assert_ne!(header_of(&h3, header::ETAG), tag);
        // Errors carry no tag and are not cached.
        let (s, h4, _) = send(&app, Method::GET, PMC, "/api/v1/posts/no-such-post", &[]).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(h4.get(header::ETAG).is_none());
        assert_eq!(header_of(&h4, header::CACHE_CONTROL), "no-store");

        // A post's old slug answers 301 to its current address, on its own clinic only.
        let pmc = clinic_id(&t.db, "pmc").await;
        let fees = post::Entity::find()
            .filter(post::Column::ClinicId.eq(pmc))
            .filter(post::Column::Slug.eq("fees-explained"))
            .one(&t.db)
            .await
            .unwrap()
            .unwrap();
        post_redirect::ActiveModel {
            clinic_id: Set(pmc),
            old_slug: Set("what-fees-cost".into()),
            post_id: Set(fees.id),
            ..Default::default()
        }
        .insert(&t.db)
        .await
        .unwrap();
        let (s, h, body) = send(&app, Method::GET, PMC, "/api/v1/posts/what-fees-cost", &[]).await;
        assert_eq!(s, StatusCode::MOVED_PERMANENTLY, "{body} ({})", t.backend);
        assert_eq!(header_of(&h, header::LOCATION), "/api/v1/posts/fees-explained");
        assert_eq!(header_of(&h, header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
        let (s, _, _) = send(&app, Method::GET, LAKESIDE, "/api/v1/posts/what-fees-cost", &[]).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "never across clinics");

        // A 10,000-character slug is answered 404 quoting only its first 40 characters.
        let long = "a".repeat(10_000);
        let (s, _, body) = get_json(&app, PMC, &format!("/api/v1/posts/{long}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let msg = body["error"].as_str().unwrap();
        assert!(msg.len() < 200 && msg.contains(&"a".repeat(40)) && msg.contains('…'), "{msg}");
        let (s, _, body) = get_json(&app, PMC, &format!("/api/v1/posts?tag={long}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(body["error"].as_str().unwrap().len() < 200, "{body}");
        t
    }));
}
