//! `/readyz` and `/metrics` through the real router, on SQLite and
//! PostgreSQL: readiness follows the database's migrations and the search
//! index's lag, on any host; `/metrics` is 404 unless a token is set, then
//! 401 without it; request metrics are labelled by route template, never
//! by the raw path.

mod common;

use axum::Router;
use axum::body::Body;
use common::each_db;
use common::web::{Answer, send};
use http::{Request, StatusCode};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use tower::ServiceExt;

const TOKEN: &str = "ops-test-token-5d1e";

/// The real router over the demo content, `max_lag` how far the search
/// index may be behind. No indexer runs: the index stays empty while the
/// demo content wrote its changes, so it is as far behind as the log is
/// long; it is marked built (as after a build of an empty database).
async fn app(db: &DatabaseConnection, token: Option<&str>, max_lag: u64) -> Router {
    app_with(db, token, max_lag, true).await
}

async fn app_with(db: &DatabaseConnection, token: Option<&str>, max_lag: u64, built: bool) -> Router {
    common::with_demo(db).await;
    let data = tempfile::tempdir().unwrap().keep();
    let options = clinicpress::web::leptos_options(&data.join("site"), "127.0.0.1:0".parse().unwrap());
    let mut settings = clinicpress::config::WebSettings::for_data_dir(&data);
    settings.ops.metrics_token = token.and_then(clinicpress::ops::MetricsToken::new);
    settings.ops.max_index_lag = max_lag;
    let (search, _) = clinicpress::search::service::SearchService::open(&data).unwrap();
    if built {
        use clinicpress::search::{index::Payload, schema::SCHEMA_VERSION};
        search.index().commit(Payload { applied: 0, schema: SCHEMA_VERSION, complete: true }).unwrap();
    }
    let outbox = clinicpress::leads::outbox::Outbox::new(db.clone(), settings.mailer.clone());
    clinicpress::web::router(db.clone(), options, settings, search, outbox)
}

fn get(host: &str, path: &str, auth: Option<&str>) -> Request<Body> {
    let mut b = Request::builder().uri(path).header("host", host);
    if let Some(a) = auth {
        b = b.header("authorization", a);
    }
    b.body(Body::empty()).unwrap()
}

async fn readyz(app: &Router, host: &str) -> Answer {
    send(app, get(host, "/readyz", None)).await
}

#[test]
fn readiness_follows_migrations_and_the_index_on_any_host() {
    common::block_on(each_db(|t| async move {
        let db = &t.db;
        let behind = app(db, None, 0).await;
        let a = readyz(&behind, "pmc.localhost:3000").await;
        assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{}", a.body);
        assert!(a.body.starts_with("not ready: search index ") && a.body.contains("changes behind"), "{}", a.body);
        // The same index within a generous limit is ready, on a clinic's host and on an unknown one.
        let tolerant = app(db, None, 1_000_000).await;
        for host in ["pmc.localhost:3000", "nobody.example", "10.0.0.7:3000"] {
            let a = readyz(&tolerant, host).await;
            assert_eq!((a.status, a.body.as_str()), (StatusCode::OK, "ready\n"), "{host}");
        }
        // An index whose first build has not finished is not ready, however close.
        let building = app_with(db, None, 1_000_000, false).await;
        let a = readyz(&building, "pmc.localhost:3000").await;
        assert_eq!(
            (a.status, a.body.as_str()),
            (StatusCode::SERVICE_UNAVAILABLE, "not ready: search index still being built\n")
        );

        // A migration from a newer version of the program: not ready, and said so briefly.
        db.execute_unprepared(
            "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m29991231_000001_from_the_future', 0)",
        )
        .await
        .unwrap();
        let a = readyz(&tolerant, "pmc.localhost:3000").await;
        assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            a.body,
            "not ready: the database has 1 migration(s) this program does not know (a newer version ran)\n"
        );
        assert!(!a.body.contains("seaql") && !a.body.contains("SELECT"), "no SQL in the answer");
        // A migration this program has that the database lacks: pending.
        db.execute_unprepared(
            "DELETE FROM seaql_migrations WHERE version IN ('m29991231_000001_from_the_future', 'm20261204_000016_routing_order')",
        )
        .await
        .unwrap();
        let a = readyz(&tolerant, "pmc.localhost:3000").await;
        assert_eq!(
            (a.status, a.body.as_str()),
            (StatusCode::SERVICE_UNAVAILABLE, "not ready: 1 database migration(s) pending\n")
        );
        t
    }));
}

#[test]
fn metrics_are_hidden_without_a_token_and_labelled_by_route_template() {
    common::block_on(each_db(|t| async move {
        let db = &t.db;
        let closed = app(db, None, 1000).await;
        let a = send(&closed, get("localhost", "/metrics", Some(&format!("Bearer {TOKEN}")))).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "not exposed without a configured token");

        let open = app(db, Some(TOKEN), 1000).await;
        let a = send(&open, get("pmc.localhost:3000", "/blog/a-slug-that-does-not-exist-9f3c", None)).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        for wrong in [None, Some("Bearer nope"), Some(TOKEN)] {
            let a = send(&open, get("localhost", "/metrics", wrong)).await;
            assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{wrong:?}");
        }
        let a = send(&open, get("nobody.example", "/metrics", Some(&format!("Bearer {TOKEN}")))).await;
        assert_eq!(a.status, StatusCode::OK, "any host");
        assert!(a.content_type.starts_with("application/openmetrics-text"), "{}", a.content_type);
        assert!(a.body.ends_with("# EOF\n"), "{}", a.body);
        assert!(
            a.body.contains("clinicpress_http_requests_total{method=\"GET\",route=\"/blog/{slug}\",status=\"4xx\"}"),
            "{}",
            a.body
        );
        assert!(!a.body.contains("a-slug-that-does-not-exist-9f3c"), "no raw paths in labels");
        // The post address was looked up in the page cache (and missed).
        for name in [
            "clinicpress_outbox_pending ",
            "clinicpress_search_index_lag ",
            "clinicpress_database_up 1",
            "clinicpress_page_cache_lookups_total{result=\"miss\"}",
            "clinicpress_page_cache_pages ",
            "clinicpress_page_cache_bytes ",
        ] {
            assert!(a.body.contains(name), "{name} in {}", a.body);
        }
        // A page answered again from memory (before routing) is counted
        // under the page cache's own route label.
        for _ in 0..2 {
            assert_eq!(send(&open, get("pmc.localhost:3000", "/", None)).await.status, StatusCode::OK);
        }
        let a = send(&open, get("localhost", "/metrics", Some(&format!("Bearer {TOKEN}")))).await;
        let series = "clinicpress_http_requests_total{method=\"GET\",route=\"(page cache)\",status=\"2xx\"} ";
        let kept =
            a.body.lines().find_map(|l| l.strip_prefix(series)).unwrap_or_else(|| panic!("{series} in {}", a.body));
        assert!(kept.trim().parse::<f64>().unwrap() >= 1.0, "{kept}");
        assert!(a.body.contains("route=\"(page cache)\""), "latency too: {}", a.body);

        // Every answer names its request.
        let res = open.clone().oneshot(get("localhost", "/healthz", None)).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let id = res.headers().get("x-request-id").expect("an x-request-id").to_str().unwrap();
        assert_eq!(id.len(), 36, "a UUID: {id}");
        t
    }));
}
