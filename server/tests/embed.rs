//! The embeddable recent-articles list over HTTP through the real router,
//! on SQLite and PostgreSQL: the iframe page, its JSON and script, limit
//! clamping, the category filter (and an unknown one), escaping, no
//! cookies, framing allowed from anywhere, CORS on the JSON.

mod common;

use axum::Router;
use axum::body::Body;
use chrono::{Duration, Utc};
use clinicpress::entities::PostStatus;
use clinicpress::posts::front_matter::PostDraft;
use http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::Value;
use tower::ServiceExt;

use common::each_db;

const PMC: &str = "pmc.localhost:3000";
const LAKESIDE: &str = "lakeside.localhost:3000";

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

fn h<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

/// Number of articles in an embed page.
fn items(html: &str) -> usize {
    html.matches("<li>").count()
}

async fn json(app: &Router, host: &str, path: &str) -> (StatusCode, HeaderMap, Value) {
    let (s, headers, body) = get(app, host, path).await;
    (s, headers, serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}")))
}

/// A published PMC post whose title and excerpt try to break out of the page.
async fn seed_hostile_post(db: &DatabaseConnection) {
    use clinicpress::entities::clinic;
    let pmc = clinic::Entity::find().filter(clinic::Column::Slug.eq("pmc")).one(db).await.unwrap().unwrap().id;
    let now = Utc::now();
    let draft = PostDraft {
        title: "Fees & </a><script>alert('x')</script> \"quoted\"".into(),
        slug: "hostile-title".into(),
        published_at: Some(now - Duration::minutes(5)),
        updated_at: None,
        author: None,
        category: Some("Treatments".into()),
        tags: vec![],
        excerpt: Some("<img src=x onerror=alert(1)> & more".into()),
        status: PostStatus::Published,
        locations: vec![],
        seo_title: None,
        seo_description: None,
        featured_image: None,
        featured_image_alt: None,
        body_md: "Plain text.".into(),
    };
    clinicpress::posts::store::save(db, pmc, &draft, now).await.unwrap();
}

#[test]
fn the_iframe_page_lists_the_newest_articles() {
    common::block_on(each_db(|t| async move {
        let (app, _) = common::demo_app(&t.db).await;
        let (s, headers, page) = get(&app, PMC, "/embed/recent").await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert_eq!(h(&headers, "content-type"), "text/html; charset=utf-8");
        assert_eq!(items(&page), 5, "five by default");
        assert!(page.starts_with("<!DOCTYPE html><html lang=\"en\">"));
        assert!(page.contains("<title>Recent articles from Pain Medicine Consultants</title>"));
        assert!(page.contains("--brand:#1f5f8b"), "the clinic's colour");
        // Links on the clinic's primary address, opening in the top window.
        assert!(page.contains("href=\"http://pmc.localhost:3000/blog/preparing-for-a-procedure-day\" target=\"_top\""));
        assert!(!page.contains("<script"), "no script at all");
        assert!(!page.contains("Lakeside"), "only this clinic's articles");
        let (_, _, lake) = get(&app, LAKESIDE, "/embed/recent").await;
        assert!(lake.contains("Lakeside Family Dermatology") && !lake.contains("Pain Medicine"));

        // Framing allowed from any origin; no cookies; not indexed.
        assert!(headers.get("x-frame-options").is_none());
        let csp = h(&headers, "content-security-policy");
        assert!(csp.contains("default-src 'none'") && !csp.contains("frame-ancestors"), "{csp}");
        assert!(headers.get(header::SET_COOKIE).is_none());
        assert_eq!(h(&headers, "x-robots-tag"), "noindex");
        assert_eq!(h(&headers, "cache-control"), "public, max-age=300");
        let tag = h(&headers, "etag").to_string();
        let (s, _, body) = get_with(&app, PMC, "/embed/recent", &[("if-none-match", &tag)]).await;
        assert_eq!((s, body.as_str()), (StatusCode::NOT_MODIFIED, ""));
        t
    }));
}

#[test]
fn the_limit_is_clamped_and_the_category_filters() {
    common::block_on(each_db(|t| async move {
        let (app, _) = common::demo_app(&t.db).await;
        for (query, n) in [("limit=3", 3), ("limit=0", 1), ("limit=-2", 1), ("limit=500", 18), ("limit=x", 5)] {
            let (s, _, page) = get(&app, PMC, &format!("/embed/recent?{query}")).await;
            assert_eq!(s, StatusCode::OK, "{query}");
            // 18 published posts: 500 is clamped to 20, of which 18 exist.
            assert_eq!(items(&page), n, "{query}");
        }
        let (_, _, all) = json(&app, PMC, "/embed/recent.json?limit=20").await;
        assert_eq!(all["items"].as_array().unwrap().len(), 18);

        let (s, _, treatments) = json(&app, PMC, "/embed/recent.json?category=treatments&limit=20").await;
        assert_eq!(s, StatusCode::OK);
        let list = treatments["items"].as_array().unwrap();
        assert!(!list.is_empty() && list.len() < 18, "{}", list.len());
        assert!(list.iter().all(|i| i["category"] == "Treatments"), "{treatments}");
        assert_eq!(treatments["title"], "Recent articles from Pain Medicine Consultants: Treatments");
        assert_eq!(treatments["url"], "http://pmc.localhost:3000/blog/category/treatments");
        let (_, _, page) = get(&app, PMC, "/embed/recent?category=treatments&limit=20").await;
        assert_eq!(items(&page), list.len());

        // An unknown category (or another clinic's) is a 404 page, never a 500.
        for q in ["category=nope", "category=%3Cb%3E", "category=skin-cancer"] {
            let (s, headers, page) = get(&app, PMC, &format!("/embed/recent?{q}")).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{q}");
            assert!(page.contains("No such category"), "{q}");
            assert!(headers.get(header::SET_COOKIE).is_none());
            let (s, headers, err) = json(&app, PMC, &format!("/embed/recent.json?{q}")).await;
            assert_eq!(s, StatusCode::NOT_FOUND);
            assert!(err["error"].as_str().unwrap().contains("has no category"), "{err}");
            assert_eq!(h(&headers, "access-control-allow-origin"), "*");
        }
        let (_, _, lost) = get(&app, PMC, "/embed/recent?category=%3Cb%3Ex").await;
        assert!(lost.contains("“&lt;b&gt;x”") && !lost.contains("<b>"), "the slug is escaped");

        // Not a clinic: 404.
        let (s, _, _) = get(&app, "localhost:3000", "/embed/recent").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _, _) = get(&app, "unknown.localhost:3000", "/embed/recent").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        t
    }));
}

#[test]
fn titles_are_escaped_and_the_json_carries_them_as_written() {
    common::block_on(each_db(|t| async move {
        let (app, _) = common::demo_app(&t.db).await;
        seed_hostile_post(&t.db).await;
        let (_, _, page) = get(&app, PMC, "/embed/recent?limit=1").await;
        assert!(!page.contains("<script") && !page.contains("<img"), "{page}");
        assert!(
            page.contains("Fees &amp; &lt;/a&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &quot;quoted&quot;")
        );
        assert!(page.contains("&lt;img src=x onerror=alert(1)&gt; &amp; more"));
        let (_, headers, data) = json(&app, PMC, "/embed/recent.json?limit=1").await;
        assert_eq!(data["items"][0]["title"], "Fees & </a><script>alert('x')</script> \"quoted\"");
        assert_eq!(data["items"][0]["url"], "http://pmc.localhost:3000/blog/hostile-title");
        assert_eq!(data["brand"], "#1f5f8b");
        assert_eq!(h(&headers, "access-control-allow-origin"), "*");
        assert!(headers.get("access-control-allow-credentials").is_none());
        t
    }));
}

#[test]
fn no_cookie_is_read_or_set_on_embeds() {
    common::block_on(each_db(|t| async move {
        let (app, _) = common::demo_app(&t.db).await;
        let stale = [("cookie", "cp_session=not-a-session-id; other=1")];
        // Elsewhere a stale session cookie is answered with its removal…
        let (_, headers, _) = get_with(&app, PMC, "/admin/login", &stale).await;
        assert!(headers.get(header::SET_COOKIE).is_some(), "the session layer clears a bad cookie");
        // …but never on an embed, whatever it is asked.
        for path in ["/embed/recent", "/embed/recent?category=nope", "/embed/recent.json", "/embed/recent.js"] {
            for extra in [&stale[..], &[]] {
                let (_, headers, _) = get_with(&app, PMC, path, extra).await;
                assert!(headers.get(header::SET_COOKIE).is_none(), "{path}");
            }
        }
        t
    }));
}

#[test]
fn the_script_is_served_as_javascript() {
    common::block_on(each_db(|t| async move {
        let (app, _) = common::demo_app(&t.db).await;
        let (s, headers, js) = get(&app, PMC, "/embed/recent.js?limit=3").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(h(&headers, "content-type"), "text/javascript; charset=utf-8");
        assert_eq!(h(&headers, "x-content-type-options"), "nosniff");
        assert!(js.contains("/embed/recent.json") && js.contains("textContent"));
        assert!(!js.contains("innerHTML") && !js.contains("document.cookie") && !js.contains("localStorage"));
        t
    }));
}
