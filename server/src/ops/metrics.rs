//! Prometheus metrics (`/metrics`, OpenMetrics text format).
//!
//! Counters and histograms that events update (HTTP requests, leads
//! received) live in one process-wide [`Metrics`]; gauges that describe
//! the database (outbox queue, search index lag, pool use) are read at
//! scrape time with a few cheap queries, so they are right on every node
//! and need no background task.

use std::sync::LazyLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use sea_orm::{
    ColumnTrait, DatabaseBackend, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::Ops;
use crate::entities::outbox;
use crate::leads::outbox::PENDING;

/// The label of requests that matched no route (a static file, a page
/// the app answers itself, a 404), so raw paths never become labels.
pub const UNMATCHED: &str = "other";

/// Request latency buckets, in seconds.
const LATENCY_BUCKETS: [f64; 12] = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    pub route: String,
    pub status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: String,
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ClinicLabels {
    pub clinic: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LookupLabels {
    /// "hit" (served from a kept page) or "miss" (rendered).
    pub result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PoolLabels {
    pub state: &'static str,
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// The event-driven metrics of this process.
#[derive(Debug)]
pub struct Metrics {
    pub requests: Family<RequestLabels, Counter>,
    pub latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    pub leads: Family<ClinicLabels, Counter>,
    /// Public pages looked up in the page cache, by result.
    pub page_cache_lookups: Family<LookupLabels, Counter>,
    pub page_cache_pages: Gauge,
    pub page_cache_bytes: Gauge,
    /// Handles into the families above for the page cache's hot path, taken
    /// once: a kept page is answered in microseconds, and looking a label
    /// set up (a lock and a hash) would be a good part of that.
    hot: HotPath,
}

/// See [`Metrics::hot`].
#[derive(Debug)]
struct HotPath {
    page_cache_hits: Counter,
    page_cache_misses: Counter,
    kept_ok: Counter,
    kept_not_modified: Counter,
    kept_latency: Histogram,
}

/// The route label of answers given from kept pages: they are answered
/// before routing (see `page_cache::http::KeptPages`).
pub const KEPT_PAGE_ROUTE: &str = "(page cache)";

impl Default for Metrics {
    fn default() -> Self {
        let requests: Family<RequestLabels, Counter> = Family::default();
        let latency: Family<RouteLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(latency_histogram);
        let page_cache_lookups: Family<LookupLabels, Counter> = Family::default();
        // Each handle in a statement of its own: a family's guard lives to
        // the end of its statement, and a second `get_or_create` on the same
        // family meanwhile would wait for it forever.
        let kept = |status: &str| {
            let labels = RequestLabels { method: "GET".into(), route: KEPT_PAGE_ROUTE.into(), status: status.into() };
            requests.get_or_create(&labels).clone()
        };
        let lookup = |result| page_cache_lookups.get_or_create(&LookupLabels { result }).clone();
        let page_cache_hits = lookup("hit");
        let page_cache_misses = lookup("miss");
        let kept_ok = kept("2xx");
        let kept_not_modified = kept("3xx");
        let route = RouteLabels { method: "GET".into(), route: KEPT_PAGE_ROUTE.into() };
        let kept_latency = latency.get_or_create(&route).clone();
        let hot = HotPath { page_cache_hits, page_cache_misses, kept_ok, kept_not_modified, kept_latency };
        Metrics {
            requests,
            latency,
            leads: Family::default(),
            page_cache_lookups,
            page_cache_pages: Gauge::default(),
            page_cache_bytes: Gauge::default(),
            hot,
        }
    }
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::default);

/// The process's metrics.
pub fn global() -> &'static Metrics {
    &METRICS
}

/// A lead was stored for this clinic (called once per stored lead, spam included).
pub fn lead_received(clinic_slug: &str) {
    global().leads.get_or_create(&ClinicLabels { clinic: clinic_slug.to_string() }).inc();
}

/// A public page was looked up in the page cache.
pub fn page_cache_lookup(hit: bool) {
    let hot = &global().hot;
    if hit {
        hot.page_cache_hits.inc()
    } else {
        hot.page_cache_misses.inc()
    };
}

/// A request was answered from a kept page (GET or HEAD; counted as GET)
/// with `status` (200, or 304 for a page the browser has), `started` ago.
pub fn kept_page_answered(status: StatusCode, started: Instant) {
    let hot = &global().hot;
    if status == StatusCode::NOT_MODIFIED {
        hot.kept_not_modified.inc()
    } else {
        hot.kept_ok.inc()
    };
    hot.kept_latency.observe(started.elapsed().as_secs_f64());
}

/// The page cache now keeps `pages` pages in `bytes` bytes.
pub fn page_cache_size(pages: usize, bytes: usize) {
    let m = global();
    m.page_cache_pages.set(i64::try_from(pages).unwrap_or(i64::MAX));
    m.page_cache_bytes.set(i64::try_from(bytes).unwrap_or(i64::MAX));
}

/// The method as a label: the standard ones by name, anything else "other".
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// `2xx`, `4xx`, …
pub fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// The route a request matched (its template, like `/admin/reset/{token}`), or [`UNMATCHED`].
pub fn route_label(matched: Option<&MatchedPath>) -> &str {
    matched.map_or(UNMATCHED, MatchedPath::as_str)
}

/// Middleware: count each request and time it, by method, route template and status class.
pub async fn track(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(req.method());
    let route = route_label(req.extensions().get::<MatchedPath>()).to_string();
    let res = next.run(req).await;
    let m = global();
    let labels =
        RequestLabels { method: method.into(), route: route.clone(), status: status_class(res.status()).into() };
    m.requests.get_or_create(&labels).inc();
    m.latency.get_or_create(&RouteLabels { method: method.into(), route }).observe(started.elapsed().as_secs_f64());
    res
}

/// Is the bearer token in `headers` the configured one? Compared in
/// constant time (over digests, so the length does not show either).
pub fn bearer_matches(headers: &HeaderMap, token: &str) -> bool {
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
    else {
        return false;
    };
    let a = Sha256::digest(given.trim().as_bytes());
    let b = Sha256::digest(token.as_bytes());
    a.as_slice().ct_eq(b.as_slice()).into()
}

/// What the database says at scrape time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DbGauges {
    pub outbox_pending: i64,
    pub outbox_dead: i64,
    pub outbox_oldest_due_age_seconds: f64,
    pub index_lag: i64,
}

/// Seconds since the oldest due pending row was created (0 with none).
pub fn age_seconds(oldest: Option<DateTime<Utc>>, now: DateTime<Utc>) -> f64 {
    oldest.map_or(0.0, |t| ((now - t).num_milliseconds().max(0) as f64) / 1000.0)
}

async fn db_gauges(ops: &Ops) -> Result<DbGauges, DbErr> {
    let db = &ops.db;
    let now = Utc::now();
    let pending = outbox::Entity::find().filter(outbox::Column::State.eq(PENDING)).count(db).await?;
    let dead = outbox::Entity::find().filter(outbox::Column::State.eq(crate::leads::outbox::DEAD)).count(db).await?;
    let oldest: Option<DateTime<Utc>> = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::CreatedAt)
        .filter(outbox::Column::State.eq(PENDING))
        .filter(outbox::Column::NextAttemptAt.lte(now))
        .order_by_asc(outbox::Column::CreatedAt)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    let newest = super::health::newest_change(db).await?;
    let applied = ops.search.index().payload().map(|p| p.applied).unwrap_or(0);
    Ok(DbGauges {
        outbox_pending: pending as i64,
        outbox_dead: dead as i64,
        outbox_oldest_due_age_seconds: age_seconds(oldest, now),
        index_lag: super::health::index_lag(newest, applied) as i64,
    })
}

/// The connection pool: (open, idle, max).
fn pool_use(db: &DatabaseConnection) -> Option<(u32, usize, u32)> {
    match db.get_database_backend() {
        DatabaseBackend::Sqlite => {
            let p = db.get_sqlite_connection_pool();
            Some((p.size(), p.num_idle(), p.options().get_max_connections()))
        }
        DatabaseBackend::Postgres => {
            let p = db.get_postgres_connection_pool();
            Some((p.size(), p.num_idle(), p.options().get_max_connections()))
        }
        _ => None,
    }
}

fn gauge(value: i64) -> Gauge {
    let g = Gauge::default();
    g.set(value);
    g
}

/// The whole exposition, in the OpenMetrics text format.
pub async fn render(ops: &Ops) -> String {
    let m = global();
    let mut registry = Registry::with_prefix("clinicpress");
    registry.register(
        "http_requests",
        "HTTP requests answered, by method, route template and status class",
        m.requests.clone(),
    );
    registry.register(
        "http_request_duration_seconds",
        "Time to answer HTTP requests, by method and route template",
        m.latency.clone(),
    );
    registry.register("leads_received", "Leads stored since this process started, by clinic", m.leads.clone());
    registry.register(
        "page_cache_lookups",
        "Public pages asked of the page cache, by result (hit: served from memory; miss: rendered)",
        m.page_cache_lookups.clone(),
    );
    registry.register("page_cache_pages", "Rendered pages kept in memory now", m.page_cache_pages.clone());
    registry.register(
        "page_cache_bytes",
        "Memory the kept pages take now (HTML and its compressed forms), in bytes",
        m.page_cache_bytes.clone(),
    );
    if let Some((size, idle, max)) = pool_use(&ops.db) {
        let pool: Family<PoolLabels, Gauge> = Family::default();
        pool.get_or_create(&PoolLabels { state: "in_use" }).set(i64::from(size) - idle as i64);
        pool.get_or_create(&PoolLabels { state: "idle" }).set(idle as i64);
        registry.register("db_pool_connections", "Database pool connections, by state", pool);
        registry.register("db_pool_max_connections", "The database pool's size limit", gauge(i64::from(max)));
    }
    let up = match tokio::time::timeout(std::time::Duration::from_secs(2), db_gauges(ops)).await {
        Ok(Ok(g)) => {
            registry.register(
                "outbox_pending",
                "Outbox rows (e-mails, webhook calls) waiting to be delivered",
                gauge(g.outbox_pending),
            );
            registry.register("outbox_dead", "Outbox rows given up on after every retry", gauge(g.outbox_dead));
            let age: Gauge<f64, std::sync::atomic::AtomicU64> = Gauge::default();
            age.set(g.outbox_oldest_due_age_seconds);
            registry.register(
                "outbox_oldest_due_age_seconds",
                "Age of the oldest pending outbox row that is due now (0 when none)",
                age,
            );
            registry.register(
                "search_index_lag",
                "Search changes not yet applied to this node's index",
                gauge(g.index_lag),
            );
            1
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "metrics: cannot read the database gauges");
            0
        }
        Err(_) => {
            tracing::warn!("metrics: the database did not answer in time");
            0
        }
    };
    registry.register("database_up", "1 when the database answered this scrape's queries", gauge(up));
    let mut out = String::new();
    prometheus_client::encoding::text::encode(&mut out, &registry).expect("writing to a String cannot fail");
    out
}

const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

fn exposition(body: String) -> Response {
    ([(header::CONTENT_TYPE, CONTENT_TYPE), (header::CACHE_CONTROL, "no-store")], body).into_response()
}

/// `GET /metrics` on the admin listener: open to whoever reaches that address.
pub async fn admin_metrics(State(ops): State<Ops>) -> Response {
    exposition(render(&ops).await)
}

/// `GET /metrics` on the public listener: 404 unless a token is set, then
/// only with `Authorization: Bearer <token>`.
pub async fn public_metrics(State(ops): State<Ops>, headers: HeaderMap) -> Response {
    let Some(token) = ops.settings.metrics_token.as_ref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !bearer_matches(&headers, token.expose()) {
        return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], "a metrics token is needed\n")
            .into_response();
    }
    exposition(render(&ops).await)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn labels_are_bounded() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), "other");
        assert_eq!(status_class(StatusCode::OK), "2xx");
        assert_eq!(status_class(StatusCode::SEE_OTHER), "3xx");
        assert_eq!(status_class(StatusCode::NOT_FOUND), "4xx");
        assert_eq!(status_class(StatusCode::SERVICE_UNAVAILABLE), "5xx");
        assert_eq!(route_label(None), UNMATCHED);
    }

    #[test]
    fn only_the_configured_bearer_token_opens_the_metrics() {
        let mut h = HeaderMap::new();
        assert!(!bearer_matches(&h, "s3cret-token"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer s3cret-token"));
        assert!(bearer_matches(&h, "s3cret-token"));
        assert!(!bearer_matches(&h, "s3cret-toke"));
        assert!(!bearer_matches(&h, "s3cret-token2"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic s3cret-token"));
        assert!(!bearer_matches(&h, "s3cret-token"));
    }

    #[test]
    fn the_oldest_age_is_zero_without_a_due_row() {
        let now = Utc::now();
        assert_eq!(age_seconds(None, now), 0.0);
        assert_eq!(age_seconds(Some(now - chrono::Duration::milliseconds(2500)), now), 2.5);
        assert_eq!(age_seconds(Some(now + chrono::Duration::seconds(5)), now), 0.0);
    }

    #[test]
    fn lead_counters_are_labelled_by_clinic() {
        lead_received("unit-test-clinic");
        lead_received("unit-test-clinic");
        let n = global().leads.get_or_create(&ClinicLabels { clinic: "unit-test-clinic".into() }).get();
        assert!(n >= 2, "{n}");
    }

    #[test]
    fn page_cache_lookups_and_size_are_exposed() {
        page_cache_lookup(true);
        page_cache_lookup(false);
        page_cache_size(3, 4096);
        let m = global();
        assert!(m.page_cache_lookups.get_or_create(&LookupLabels { result: "hit" }).get() >= 1);
        assert!(m.page_cache_lookups.get_or_create(&LookupLabels { result: "miss" }).get() >= 1);
        let mut registry = Registry::default();
        registry.register("page_cache_bytes", "bytes", m.page_cache_bytes.clone());
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &registry).unwrap();
        assert!(out.contains("page_cache_bytes "), "{out}");
    }

    #[test]
    fn kept_pages_are_counted_under_their_own_route() {
        let labels =
            |status: &str| RequestLabels { method: "GET".into(), route: KEPT_PAGE_ROUTE.into(), status: status.into() };
        let m = global();
        let before = m.requests.get_or_create(&labels("3xx")).get();
        kept_page_answered(StatusCode::NOT_MODIFIED, Instant::now());
        assert!(m.requests.get_or_create(&labels("3xx")).get() > before);
        kept_page_answered(StatusCode::OK, Instant::now());
        assert!(m.requests.get_or_create(&labels("2xx")).get() >= 1);
        let mut registry = Registry::default();
        registry.register("requests", "requests", m.requests.clone());
        registry.register("latency", "latency", m.latency.clone());
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &registry).unwrap();
        assert!(out.contains("route=\"(page cache)\""), "{out}");
    }
}
