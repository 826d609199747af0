//! Every public route over HTTP, through the real router, on SQLite and
//! PostgreSQL: status codes, tenancy by Host header, and bad input.

mod common;

use axum::Router;
use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use common::each_db;

async fn app(db: &sea_orm::DatabaseConnection) -> Router {
    common::demo_app(db).await.0
}

async fn get(app: &Router, host: &str, path: &str) -> (StatusCode, String) {
    let req = Request::builder().uri(path).header("host", host).body(Body::empty()).unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

const PMC: &str = "pmc.localhost:3000";
const LAKESIDE: &str = "lakeside.localhost:3000";

fn title(html: &str) -> &str {
    let start = html.find("<title>").map(|i| i + 7).unwrap_or(0);
    let end = html[start..].find("</title>").map(|i| start + i).unwrap_or(start);
    &html[start..end]
}

#[test]
fn every_public_route_answers() {
    common::block_on(each_db(|t| async move {
        let app = app(&t.db).await;
        let ok = [
            "/",
            "/blog",
            "/blog?page=2",
            "/blog/what-to-expect-at-your-first-visit",
            "/blog/category/treatments",
            "/blog/tag/back-pain",
            "/blog/author/james-taggart",
            "/locations",
            "/locations/pleasant-hill",
            "/contact",
        ];
        for path in ok {
            let (status, body) = get(&app, PMC, path).await;
            assert_eq!(status, StatusCode::OK, "{path} on {}", t.backend);
            assert!(body.contains("Pain Medicine Consultants"), "{path}");
        }
        let (status, body) = get(&app, PMC, "/healthz").await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
        t
    }));
}

#[test]
fn pages_carry_their_content() {
    common::block_on(each_db(|t| async move {
        let app = app(&t.db).await;
        let (_, home) = get(&app, PMC, "/").await;
        assert!(home.contains("Recent articles"));
        assert!(home.contains("Pleasant Hill"), "locations with phone and today's hours");
        assert!(home.contains("href=\"tel:+19255550100\""));
        assert!(home.contains("Today: "));
        assert!(home.contains("<time datetime=\""), "relative time inside <time>");
        assert!(home.contains("…</p>"), "excerpts end in an ellipsis");

        let (_, post) = get(&app, PMC, "/blog/ketamine-infusions-for-chronic-pain").await;
        assert!(post.contains("href=\"/blog/author/"), "byline links to the author");
        assert!(post.contains("min read"));
        assert!(post.contains("href=\"/blog/tag/"));
        assert!(post.contains("You might also enjoy"));
        assert!(post.contains("About the author") || post.contains("class=\"author-box\""));
        assert!(post.contains(
            "https://www.facebook.com/sharer/sharer.php?u=http%3A%2F%2Fpmc.localhost%3A3000%2Fblog%2Fketamine"
        ));
        assert!(post.contains("rel=\"canonical\""));
        assert!(!post.contains("<script>alert"), "sanitised body");
        // Sharing cards and structured data for search engines.
        assert!(post.contains("<meta property=\"og:type\" content=\"article\""), "OpenGraph");
        assert!(post.contains("<meta property=\"og:url\" content=\"http://pmc.localhost:3000/blog/ketamine"));
        assert!(post.contains("<meta name=\"twitter:card\""));
        let start = post.find("<script type=\"application/ld+json\">").expect("JSON-LD") + 35;
        let json_ld: serde_json::Value =
            serde_json::from_str(&post[start..start + post[start..].find("</script>").unwrap()])
                .expect("valid JSON-LD");
        assert_eq!(json_ld["@graph"][0]["@type"], "BlogPosting");
        assert_eq!(json_ld["@graph"][0]["author"]["@type"], "Person");
        assert_eq!(json_ld["@graph"][1]["@type"], "BreadcrumbList");

        let (_, blog) = get(&app, PMC, "/blog").await;
        assert!(blog.contains("rel=\"next\" href=\"/blog?page=2\""), "{}", &blog[..200.min(blog.len())]);
        assert!(!blog.contains("rel=\"prev\""));
        let (_, blog2) = get(&app, PMC, "/blog?page=2").await;
        assert!(blog2.contains("rel=\"prev\" href=\"/blog\""));
        assert!(!blog2.contains("rel=\"next\""));

        // Each clinic's brand colour is set on the whole page.
        let (_, lake) = get(&app, LAKESIDE, "/blog").await;
        assert!(lake.contains("--brand: #7a3b69"), "lakeside brand colour");
        assert!(!lake.contains("--brand: #1f5f8b"));

        let (_, contact) = get(&app, PMC, "/contact").await;
        assert!(contact.contains("Please include non-medical questions only"), "the clinic's disclaimer");
        assert!(contact.contains("href=\"tel:+19255550114\""));

        let (_, loc) = get(&app, PMC, "/locations/pleasant-hill").await;
        assert!(loc.contains("Opening hours"));
        assert!(loc.contains("Pacific time (P"), "a time zone people recognise");
        assert!(loc.contains("https://www.openstreetmap.org/search?query="));
        assert!(loc.contains("Open now") || loc.contains("Closed now"));
        t
    }));
}

#[test]
fn tenancy_follows_the_host_header() {
    common::block_on(each_db(|t| async move {
        let app = app(&t.db).await;
        // The same slug shows each clinic's own post.
        let (s1, pmc) = get(&app, PMC, "/blog/what-to-expect-at-your-first-visit").await;
        let (s2, lake) = get(&app, LAKESIDE, "/blog/what-to-expect-at-your-first-visit").await;
        assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
        assert_ne!(title(&pmc), title(&lake));
        assert!(title(&pmc).contains("Pain Medicine Consultants"));
        assert!(title(&lake).contains("Lakeside Family Dermatology"));
        assert!(!pmc.contains("Lakeside Family Dermatology"));

        // Configured host names work too, case-insensitively and without a port.
        let (s, body) = get(&app, "WWW.PMC.EXAMPLE", "/").await;
        assert_eq!(s, StatusCode::OK);
        assert!(body.contains("Pain Medicine Consultants"));

        // Another clinic's post is not found here.
        let (s, _) = get(&app, PMC, "/blog/mohs-surgery-explained").await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // Unknown hosts: a 404 page, never a clinic's content.
        for host in ["unknown.localhost:3000", "www.evil.example", "pmc.localhost.evil.example"] {
            let (s, body) = get(&app, host, "/").await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{host}");
            assert!(!body.contains("Pain Medicine") && !body.contains("Lakeside"), "{host}");
            let (s, _) = get(&app, host, "/blog/what-to-expect-at-your-first-visit").await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{host}");
        }

        // The bare host is the network index linking to every clinic.
        let (s, index) = get(&app, "localhost:3000", "/").await;
        assert_eq!(s, StatusCode::OK);
        assert!(index.contains("href=\"http://pmc.localhost:3000/\""));
        assert!(index.contains("href=\"http://lakeside.localhost:3000/\""));
        let (s, _) = get(&app, "localhost:3000", "/blog").await;
        assert_eq!(s, StatusCode::NOT_FOUND, "the network host has no blog");
        t
    }));
}

#[test]
fn bad_input_is_a_404_or_a_clamped_page_never_a_500() {
    common::block_on(each_db(|t| async move {
        let app = app(&t.db).await;
        for q in ["0", "-1", "abc", "", "1.5", "%00", "99999999999999999999"] {
            let (s, body) = get(&app, PMC, &format!("/blog?page={q}")).await;
            assert_eq!(s, StatusCode::OK, "page={q}");
            assert!(body.contains("Page 1 of 2"), "page={q}");
        }
        for path in [
            "/blog?page=99999",
            "/blog/tag/back-pain?page=50",
            "/blog/no-such-post",
            "/blog/talking-to-family-about-chronic-pain",
            "/blog/spinal-cord-stimulation-overview",
            "/blog/category/nope",
            "/blog/tag/nope",
            "/blog/author/nope",
            "/locations/nope",
            "/no/such/page",
            "/blog/%E2%80%AE",
            "/blog/..%2F..%2Fetc%2Fpasswd",
        ] {
            let (s, body) = get(&app, PMC, path).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{path} on {}", t.backend);
            assert!(body.contains("couldn’t find that page") || body.contains("Site not found"), "{path}");
            assert!(body.contains("href=\"/\""), "a way back: {path}");
        }
        t
    }));
}

/// Pages render while other routers are being built in the same process.
/// Building a router lists the app's routes, and Leptos does that with
/// resource loading suppressed process-wide: a page whose data was first
/// asked for during a listing used to wait for it forever (a CI run hung
/// so). The routes are now listed once per process.
#[test]
fn pages_render_while_other_routers_are_built() {
    common::block_on(each_db(|t| async move {
        let app = app(&t.db).await;
        let db = t.db.clone();
        let building = tokio::spawn(async move {
            let mut built = 0;
            for _ in 0..25 {
                let (router, _data) = common::app_over(&db);
                drop(router);
                built += 1;
                tokio::task::yield_now().await;
            }
            built
        });
        let mut pages = tokio::task::JoinSet::new();
        for i in 0..40 {
            let app = app.clone();
            let path = if i % 2 == 0 { format!("/search?q=knee+{i}") } else { format!("/blog?page=1&n={i}") };
            pages.spawn(async move {
                let answer = tokio::time::timeout(std::time::Duration::from_secs(60), get(&app, PMC, &path)).await;
                (path, answer)
            });
        }
        let mut rendered = 0;
        while let Some(done) = pages.join_next().await {
            let (path, answer) = done.unwrap();
            let (status, body) = answer.unwrap_or_else(|_| panic!("{path} was still not rendered after 60 s"));
            assert_eq!(status, StatusCode::OK, "{path}");
            assert!(body.contains("</html>"), "{path}: the whole page");
            rendered += 1;
        }
        assert_eq!((rendered, building.await.unwrap()), (40, 25));
        t
    }));
}
