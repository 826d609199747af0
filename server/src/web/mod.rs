//! The HTTP surface: Leptos pages and server functions, static files,
//! health, and the tenancy layer that resolves each request's clinic.

use std::sync::Arc;

use app::model::Site;
use app::ports::Backend;
use app::{App, shell};
use axum::Router;
use axum::extract::{FromRef, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use sea_orm::DatabaseConnection;

use crate::accounts::sessions::DbSessionStore;
use crate::admin::SqlAdmin;
use crate::backend::SqlContent;
use crate::clinics::tenancy;
use crate::config::WebSettings;
use crate::leads::outbox::Outbox;
use crate::leads::port::LeadService;
use crate::search::port::SqlSearch;
use crate::search::service::SearchService;

pub mod api_leads;
pub mod assets;
pub mod auth;
pub mod clinic_settings;
pub mod form_replay;
pub mod lead_data;
pub mod lead_settings;
pub mod leads;
pub mod media;
pub mod search;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub settings: Arc<WebSettings>,
    pub search: Arc<SqlSearch>,
    pub leads: Arc<LeadService>,
    /// Sites resolved before, for lead forms sent while the database is down.
    pub sites: Arc<tenancy::RememberedSites>,
}

/// Renders a page of the app for a request: how a refused form is shown
/// again (lead forms, the request settings, admin forms without JavaScript).
#[derive(Clone)]
pub struct PageRenderer {
    state: AppState,
    backend: Backend,
    options: LeptosOptions,
}

impl PageRenderer {
    pub async fn render(self, req: Request) -> Response {
        let PageRenderer { state, backend, options } = self;
        let context = move || {
            provide_context(state.clone());
            provide_context(leptos_router::Method::Get);
            provide_context(backend.clone());
        };
        leptos_axum::render_app_async_with_context(context, move || shell(options.clone()))(req).await
    }
}

/// Leptos options built in code, so the binary needs no Cargo.toml or
/// cargo-leptos environment at run time.
pub fn leptos_options(site_root: &std::path::Path, addr: std::net::SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("clinicpress")
        .site_root(site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build()
}

/// The router; `outbox` is the lead outbox worker (spawned by the caller)
/// that new leads wake up.
/// The app's routes, listed once per process. Listing them runs the app
/// with resource loading suppressed by a process-wide flag (leptos_server's
/// `SuppressResourceLoad`): a page whose resource was first polled while
/// another router was being built (tests build one each, in parallel) would
/// wait for that resource forever (leptos issue #4773). Listed once, the
/// flag is only ever set before the first router exists, so before any
/// page is rendered.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(
    db: DatabaseConnection,
    leptos_options: LeptosOptions,
    settings: WebSettings,
    search: Arc<SearchService>,
    outbox: Outbox,
) -> Router {
    let ops = crate::ops::Ops::new(db.clone(), search.clone(), settings.ops.clone());
    let page_cache = Arc::new(crate::page_cache::PageCache::new(settings.page_cache));
    {
        let cache = Arc::downgrade(&page_cache);
        search.watch(move |change| {
            let Some(cache) = cache.upgrade() else { return };
            match change {
                crate::search::service::IndexChange::Clinics(ids) => cache.clinics_changed(ids),
                crate::search::service::IndexChange::Everything => cache.everything_changed(),
            }
        });
    }
    let pages_layer =
        crate::page_cache::http::Pages { cache: page_cache, db: db.clone(), trust_proxy: settings.trust_proxy };
    let kept = pages_layer.clone();
    // The stylesheet and browser bundle: read and hashed now (pages link
    // them by version), compressed in the background.
    let pkg = std::path::Path::new(&*leptos_options.site_root).join(&*leptos_options.site_pkg_dir);
    let assets = Arc::new(assets::Assets::load(&pkg));
    app::assets::set(assets.versions());
    assets.compress_in_background();
    let content = Arc::new(SqlContent::new(db.clone(), search.clone()));
    let search = Arc::new(SqlSearch::new(db.clone(), search));
    let leads = Arc::new(LeadService::new(db.clone(), outbox));
    let backend = Backend {
        content,
        admin: Arc::new(SqlAdmin::new(db.clone(), settings.mailer.clone(), settings.local_webhooks)),
        search: search.clone(),
        leads: leads.clone(),
    };
    let sessions = auth::session_layer(DbSessionStore::new(db.clone()), settings.secure_cookies);
    let state = AppState {
        leptos_options: leptos_options.clone(),
        db: db.clone(),
        settings: Arc::new(settings),
        search,
        leads,
        sites: Arc::default(),
    };
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        let (sites, leads) = (Arc::downgrade(&state.sites), Arc::downgrade(&state.leads));
        runtime.spawn(remember_for_outages(db.clone(), sites, leads));
    }
    let routes = route_list();
    let admin_port = backend.admin.clone();
    let pages = PageRenderer { state: state.clone(), backend: backend.clone(), options: leptos_options.clone() };
    let context = move || provide_context(backend.clone());
    // The lead forms' POSTs; a refused form is rendered again by the app.
    let lead_post = {
        let pages = pages.clone();
        move |State(state): State<AppState>, req: Request| {
            let pages = pages.clone();
            leads::lead_post(state, req, move |req| pages.render(req))
        }
    };
    // The clinic settings forms' POST (details and logo); a refused form is rendered again by the app.
    let clinic_settings_post = {
        let (pages, admin_port) = (pages.clone(), admin_port.clone());
        move |State(state): State<AppState>, req: Request| {
            let (pages, admin) = (pages.clone(), admin_port.clone());
            clinic_settings::post(state, admin, req, move |req| pages.render(req))
        }
    };
    // The request settings form's POST; a refused form is rendered again by the app.
    let settings_post = {
        let pages = pages.clone();
        move |req: Request| {
            let (pages, admin) = (pages.clone(), admin_port.clone());
            lead_settings::post(admin, req, move |req| pages.render(req))
        }
    };

    // Layers run outside-in from the bottom: CSRF check, tenancy, session, signed-in user.
    let app = Router::<AppState>::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/pkg/{file}", get(assets::serve).with_state(assets))
        .merge(crate::ops::public_routes(ops))
        .route("/admin/login", post(auth::login_submit))
        .route("/admin/logout", post(auth::logout))
        .route("/admin/reset", post(auth::reset_request))
        .route("/admin/reset/{token}", post(auth::reset_complete))
        .route("/admin/{clinic}/media", post(media::upload).layer(media::body_limit()))
        .route("/media/{file}", get(media::serve))
        .route("/api/v1/search", get(search::api_search))
        .route(api_leads::PATH, post(api_leads::submit).options(api_leads::preflight))
        .route("/api/v1/leads/token", get(api_leads::token).options(api_leads::preflight))
        .merge(crate::content_api::routes())
        .route("/contact", post(lead_post.clone()))
        .route("/locations/{slug}", post(lead_post))
        .route("/admin/{clinic}/leads.csv", get(leads::export_csv))
        .route("/admin/{clinic}/lead-settings", post(settings_post))
        .route("/admin/{clinic}/settings", post(clinic_settings_post).layer(media::body_limit()))
        .route("/admin/leads", get(leads::inbox_redirect))
        .merge(crate::feeds::routes())
        .merge(crate::embed::routes())
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        // Old WordPress addresses of imported posts (only where the site would answer 404, and /?p=).
        .layer(middleware::from_fn_with_state(state.clone(), crate::wordpress::legacy::redirect))
        .layer(middleware::from_fn(server_fn_status))
        .layer(middleware::from_fn(editor_body_limit))
        .layer(middleware::from_fn_with_state(state.clone(), lead_data::export_json))
        .layer(middleware::from_fn_with_state(pages, form_replay::layer))
        .layer(middleware::from_fn_with_state(state.clone(), auth::current_user))
        .layer(sessions)
        .layer(middleware::from_fn(crate::embed::without_cookies))
        .layer(middleware::from_fn_with_state(state.clone(), resolve_site))
        .layer(middleware::from_fn(auth::csrf))
        .layer(middleware::from_fn(crate::feeds::noindex))
        .layer(middleware::from_fn(retry_after))
        // Public pages from memory, forgotten after every admin write; then compression.
        .layer(middleware::from_fn_with_state(pages_layer.clone(), crate::page_cache::http::note_writes))
        .layer(middleware::from_fn_with_state(pages_layer.clone(), crate::page_cache::http::serve))
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state);
    // Request ids, the request log line and the HTTP metrics, around everything
    // but kept pages, which are answered first (before routing).
    let site = crate::ops::layers(app);
    Router::new()
        .fallback_service(crate::page_cache::http::KeptPages::new(kept, site))
        .layer(middleware::from_fn(run_to_completion))
}

/// Every request runs to its end on its own task, even when the client
/// goes away: a form sent and then abandoned (a closed tab, a dropped
/// phone connection) is still stored, and no database call is cut off
/// halfway. A call cut off during BEGIN left a PostgreSQL connection
/// inside a transaction when it went back to the pool (sqlx 0.9.0,
/// transact-rs/sqlx#4393; fixed by #4394, not yet released); every later request on it then ran in that
/// open transaction. A handler that panics is answered 500 and logged.
async fn run_to_completion(req: Request, next: Next) -> Response {
    match tokio::spawn(next.run(req)).await {
        Ok(res) => res,
        Err(e) => {
            tracing::error!(error = %e, "a request's handler panicked");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// How often every clinic's site and offices are remembered again.
const REMEMBER_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

/// A lead sent while the database is away is answered with the clinic's
/// offices and their phones, from memory. Remember them for every clinic
/// when the server starts and every ten minutes, not only for the clinics
/// this process has served since it started: behind a load balancer the
/// form may have come from another process. Ends with the router.
async fn remember_for_outages(
    db: DatabaseConnection,
    sites: std::sync::Weak<tenancy::RememberedSites>,
    leads: std::sync::Weak<LeadService>,
) {
    loop {
        let (Some(s), Some(l)) = (sites.upgrade(), leads.upgrade()) else { return };
        if let Err(e) = remember_every_clinic(&db, &s, &l).await {
            tracing::warn!(error = %e, "cannot read the clinics' offices to remember for database outages");
        }
        drop((s, l));
        tokio::time::sleep(REMEMBER_EVERY).await;
    }
}

async fn remember_every_clinic(
    db: &DatabaseConnection,
    sites: &tenancy::RememberedSites,
    leads: &LeadService,
) -> Result<(), sea_orm::DbErr> {
    let mut done = std::collections::HashSet::new();
    for (clinic_id, host) in tenancy::all_clinic_hosts(db, tenancy::RememberedSites::LIMIT / 4).await? {
        if done.insert(clinic_id) {
            leads.offices(clinic_id).await?;
        }
        for scheme in ["https", "http"] {
            if let tenancy::Resolved::Site(site) = tenancy::resolve(db, &host, scheme).await? {
                sites.remember_if_absent(&host, scheme, &site);
            }
        }
    }
    Ok(())
}

/// Server functions answer errors with 500 unless told otherwise; give each
/// `AppError` its own status (400, 401, 403, 404, 409, 422…) instead, also
/// when the arguments could not even be read.
async fn server_fn_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR || !res.headers().contains_key("serverfnerror") {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
    };
    if let Ok(e) = serde_json::from_slice::<app::error::AppError>(&bytes)
        && let Ok(status) = StatusCode::from_u16(e.status())
    {
        parts.status = status;
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Editor calls carrying a post body.
const EDITOR_CALLS: [&str; 3] = ["/api/admin/save_post", "/api/admin/publish_post", "/api/admin/render_preview"];
/// Bodies up to this size reach the editor's own rules, which then say
/// "the text is 5,243 KB; the limit is 300 KB" instead of a bare
/// "length limit exceeded" from axum's default 2 MB cap.
const EDITOR_BODY_LIMIT: usize = 12 * 1024 * 1024;

async fn editor_body_limit(req: Request, next: Next) -> Response {
    use tower::{Layer, ServiceExt};
    if req.method() == axum::http::Method::POST && EDITOR_CALLS.contains(&req.uri().path()) {
        let svc = axum::extract::DefaultBodyLimit::max(EDITOR_BODY_LIMIT).layer(next);
        return match svc.oneshot(req).await {
            Ok(res) => res,
            Err(never) => match never {},
        };
    }
    next.run(req).await
}

/// Seconds a client is asked to wait when the service is unavailable.
pub const RETRY_AFTER_SECONDS: &str = "5";

/// Every 503 says when to try again (`Retry-After`), unless its handler
/// already did: the database being away makes pages, server functions and
/// APIs answer 503 from many places.
async fn retry_after(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    if res.status() == StatusCode::SERVICE_UNAVAILABLE && !res.headers().contains_key(header::RETRY_AFTER) {
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS));
    }
    res
}

/// Static files and health checks answer on any host.
fn host_independent(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path == "/healthz"
        || path == "/favicon.svg"
        || path == "/favicon.ico"
        || crate::ops::host_independent(path)
}

/// Resolve the Host header to a clinic (or the network index) and attach it
/// to the request; unknown hosts get a 404 page and go no further.
async fn resolve_site(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if host_independent(req.uri().path()) {
        return next.run(req).await;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| req.uri().authority().map(|a| a.to_string()))
        .unwrap_or_default();
    // Only a trusted proxy's word counts: the scheme ends up in canonical
    // links and in answers shared caches keep.
    let scheme = req
        .headers()
        .get("x-forwarded-proto")
        .filter(|_| state.settings.trust_proxy)
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https" || *p == "http")
        .unwrap_or("http")
        .to_string();
    match tenancy::resolve(&state.db, &host, &scheme).await {
        Ok(tenancy::Resolved::Site(site)) => {
            state.sites.remember(&host, &scheme, &site);
            let page_of = crate::page_cache::http::PageOf(match &site {
                Site::Clinic(c) => c.id,
                Site::Network { .. } => 0,
            });
            req.extensions_mut().insert::<Site>(site);
            let mut res = next.run(req).await;
            res.extensions_mut().insert(page_of);
            res
        }
        Ok(tenancy::Resolved::Archived(name)) => archived_clinic(&name),
        Ok(tenancy::Resolved::Unknown) => unknown_host(),
        Err(e) => {
            tracing::error!(error = %e, "database error while resolving the host");
            // A lead sent now (the form, or the JSON API) goes on to its
            // handler with the site last seen for this host: it answers "not
            // sent, please call" with the offices' phones (and the form with
            // the visitor's text), instead of a bare error.
            if req.method() == axum::http::Method::POST
                && (leads::is_form_post(req.uri().path()) || req.uri().path() == api_leads::PATH)
                && let Some(site) = state.sites.recall(&host, &scheme)
            {
                req.extensions_mut().insert::<Site>(site);
                return next.run(req).await;
            }
            if req.uri().path().starts_with("/api/v1/") {
                let message = serde_json::json!({ "error": "The service is unavailable; try again in a moment." });
                return (StatusCode::SERVICE_UNAVAILABLE, axum::Json(message)).into_response();
            }
            (StatusCode::SERVICE_UNAVAILABLE, Html(simple_page("Service unavailable", "Please try again in a moment.")))
                .into_response()
        }
    }
}

/// 410 Gone: the clinic was archived by the network owner (its data is
/// kept; restoring it brings the site back).
fn archived_clinic(name: &str) -> Response {
    let mut res = (
        StatusCode::GONE,
        Html(simple_page(
            &format!("{} is no longer online", app::text::escape_html(name)),
            "This clinic's website has been closed. Its articles and forms are no longer available here.",
        )),
    )
        .into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    res
}

fn unknown_host() -> Response {
    let mut res = (
        StatusCode::NOT_FOUND,
        Html(simple_page(
            "Site not found",
            "No clinic site answers at this address. Check the address, or ask the clinic for its web address.",
        )),
    )
        .into_response();
    res.headers_mut().insert("x-robots-tag", HeaderValue::from_static("noindex"));
    res
}

/// A tiny self-contained page for answers given before the app runs.
pub(crate) fn simple_page(title: &str, message: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title><link rel=\"stylesheet\" href=\"/pkg/clinicpress.css\"></head><body><main id=\"main\" class=\"wrap narrow error-page\"><p class=\"eyebrow\">Clinicpress</p><h1>{title}</h1><p>{message}</p></main></body></html>"
    )
}
