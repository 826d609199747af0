//! Operations: readiness (`/readyz`), Prometheus metrics (`/metrics`) and
//! request logging (ids, one line per response).
//!
//! `/healthz` (the process answers) is in `web`. `/readyz` answers on the
//! public listener too (it shows no secrets); `/metrics` answers there only
//! with `--metrics-token` and that bearer token, and otherwise 404. With
//! `--admin-addr` both are also served on a second listener of their own,
//! without a token (bind it to a private address).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use sea_orm::DatabaseConnection;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::search::service::SearchService;

pub mod health;
pub mod logging;
pub mod metrics;

/// The token that opens `/metrics` on the public listener. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct MetricsToken(String);

impl MetricsToken {
    /// A token, unless empty or blank.
    pub fn new(token: &str) -> Option<Self> {
        let t = token.trim();
        (!t.is_empty()).then(|| MetricsToken(t.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(…)")
    }
}

/// Operations settings (part of [`crate::config::WebSettings`]).
#[derive(Debug, Clone)]
pub struct Settings {
    /// `--metrics-token`: `/metrics` on the public listener needs it; without it, 404 there.
    pub metrics_token: Option<MetricsToken>,
    /// `--ready-max-index-lag`: `/readyz` fails when the search index is further behind.
    pub max_index_lag: u64,
    /// Cancelled when the process starts shutting down: `/readyz` then says so.
    pub stopping: crate::shutdown::CancellationToken,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { metrics_token: None, max_index_lag: health::DEFAULT_MAX_INDEX_LAG, stopping: Default::default() }
    }
}

/// What readiness and metrics read.
#[derive(Clone)]
pub struct Ops {
    pub db: DatabaseConnection,
    pub search: Arc<SearchService>,
    pub settings: Arc<Settings>,
}

impl Ops {
    pub fn new(db: DatabaseConnection, search: Arc<SearchService>, settings: Settings) -> Self {
        Ops { db, search, settings: Arc::new(settings) }
    }
}

/// The public listener's `/readyz` and `/metrics` (merged into the site's router).
pub fn public_routes<S: Clone + Send + Sync + 'static>(ops: Ops) -> Router<S> {
    Router::new().route("/readyz", get(health::readyz)).route("/metrics", get(metrics::public_metrics)).with_state(ops)
}

/// Paths answered the same on every host.
pub fn host_independent(path: &str) -> bool {
    path == "/readyz" || path == "/metrics"
}

/// The admin listener's router: `/healthz`, `/readyz` and `/metrics` (no token).
pub fn admin_router(ops: Ops) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::admin_metrics))
        .with_state(ops)
}

/// Wrap the site's router: request ids, the request span and response
/// line, and the HTTP metrics. Applied to every route (so the matched
/// route template is known) and to the fallback.
pub fn layers(app: Router) -> Router {
    app.layer(axum::middleware::from_fn(metrics::track))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(logging::request_span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO))
                .on_failure(logging::on_failure),
        )
        .layer(PropagateRequestIdLayer::new(logging::X_REQUEST_ID.clone()))
        .layer(SetRequestIdLayer::new(logging::X_REQUEST_ID.clone(), MakeRequestUuid))
        .layer(axum::middleware::from_fn(logging::screen_request_id))
}

/// Serve [`admin_router`] on `addr` until the process ends.
pub async fn spawn_admin(addr: SocketAddr, ops: Ops) -> std::io::Result<tokio::task::JoinHandle<()>> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("serving /healthz, /readyz and /metrics on http://{addr}");
    Ok(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, admin_router(ops)).await {
            tracing::error!(error = %e, "the admin listener stopped");
        }
    }))
}
