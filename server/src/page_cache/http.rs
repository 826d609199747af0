//! The page cache's layers: [`serve`] answers public pages from kept ones
//! (keeping what it renders), [`note_writes`] forgets them all after a
//! change made through this process.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use sea_orm::DatabaseConnection;

use super::{Claim, Encoding, Key, Page, PageCache, Rendered, build_page};

/// Which clinic a page belongs to (0: the network's index of clinics); the
/// tenancy layer puts it on every answer it let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageOf(pub i32);

/// What [`serve`] needs.
#[derive(Clone)]
pub struct Pages {
    pub cache: Arc<PageCache>,
    pub db: DatabaseConnection,
    /// Whether `X-Forwarded-Proto` is believed (the scheme is part of the key:
    /// canonical links name it).
    pub trust_proxy: bool,
}

/// Public pages: the same for every visitor (nothing in them depends on
/// who asks) and listed here. Everything else (the admin area, previews,
/// the thank-you page, APIs, feeds) is never kept, nor is `/search`: each
/// search that finds nothing is counted for the clinic's marketers, and
/// the index answers it in milliseconds anyway.
pub fn keepable_path(path: &str) -> bool {
    matches!(path, "/" | "/blog" | "/locations" | "/contact")
        || path.starts_with("/blog/")
        || (path.starts_with("/locations/") && path.len() > "/locations/".len())
}

/// The longest query string of a page that is kept.
const MAX_TARGET: usize = 1024;

/// `X-Page-Cache`: whether the answer came from a kept page.
pub const STATE_HEADER: &str = "x-page-cache";

fn key_of(req: &Request, trust_proxy: bool) -> Option<Key> {
    if !matches!(*req.method(), Method::GET | Method::HEAD) || !keepable_path(req.uri().path()) {
        return None;
    }
    let headers = req.headers();
    if headers.contains_key(header::AUTHORIZATION) {
        return None;
    }
    let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    if target.len() > MAX_TARGET {
        return None;
    }
    let host = headers.get(header::HOST)?.to_str().ok()?.to_ascii_lowercase();
    let scheme = headers
        .get("x-forwarded-proto")
        .filter(|_| trust_proxy)
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https")
        .unwrap_or("http");
    Some(Key { origin: format!("{scheme}://{host}"), target: target.to_string() })
}

/// Kept pages answered before anything else: before routing, request
/// ids' layers, the request span and the per-route metrics, which cost
/// several times what answering from memory does. Wraps the whole site;
/// what it does not find kept goes on to [`serve`] (which looks again, and
/// renders and keeps), as do pages with forms asked for compressed (their
/// fresh tokens make each answer new, compressed by the compression layer
/// on the way out). Each answer still carries an `X-Request-Id` (the
/// proxy's, or a new one), is counted in `/metrics` under the route
/// [`crate::ops::metrics::KEPT_PAGE_ROUTE`], and is logged at debug level.
#[derive(Clone)]
pub struct KeptPages<S> {
    inner: S,
    pages: Pages,
}

impl<S> KeptPages<S> {
    pub fn new(pages: Pages, inner: S) -> Self {
        KeptPages { inner, pages }
    }
}

impl<S> tower::Service<Request> for KeptPages<S>
where
    S: tower::Service<Request, Response = Response, Error = std::convert::Infallible>,
{
    type Response = Response;
    type Error = std::convert::Infallible;
    type Future = KeptOr<S::Future>;

    fn poll_ready(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        match kept_answer(&self.pages, &req) {
            Some(res) => KeptOr::Kept { answer: Some(res) },
            None => KeptOr::Site { future: self.inner.call(req) },
        }
    }
}

pin_project_lite::pin_project! {
    /// [`KeptPages`]' answer: a kept page at once, or the site's.
    #[project = KeptOrProj]
    pub enum KeptOr<F> {
        Kept { answer: Option<Response> },
        Site { #[pin] future: F },
    }
}

impl<F> std::future::Future for KeptOr<F>
where
    F: std::future::Future<Output = Result<Response, std::convert::Infallible>>,
{
    type Output = F::Output;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        match self.project() {
            KeptOrProj::Kept { answer } => {
                std::task::Poll::Ready(Ok(answer.take().expect("a kept answer is polled once")))
            }
            KeptOrProj::Site { future } => future.poll(cx),
        }
    }
}

/// The answer from a kept page for `req`, when one is kept (and current).
fn kept_answer(pages: &Pages, req: &Request) -> Option<Response> {
    use tower_http::request_id::{MakeRequestId, MakeRequestUuid};
    let started = std::time::Instant::now();
    if !pages.cache.enabled() {
        return None;
    }
    let key = key_of(req, pages.trust_proxy)?;
    let headers = req.headers();
    let accept = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok());
    // A page with a form is new in each answer (its token): sent as gzip
    // or uncompressed; a client that takes only brotli gets it compressed
    // by the compression layer on the way out.
    let usable =
        |page: &super::Page| matches!(page.body, super::Body::Fixed { .. }) || Encoding::for_forms(accept).is_some();
    let page = pages.cache.get_if(&key, usable)?;
    let mut res = answer(&page, accept, headers.get(header::IF_NONE_MATCH), "hit");
    let id = headers
        .get(&crate::ops::logging::X_REQUEST_ID)
        .filter(|v| v.to_str().is_ok_and(crate::ops::logging::acceptable_request_id))
        .cloned()
        .or_else(|| MakeRequestUuid.make_request_id(req).map(|id| id.into_header_value()));
    if let Some(id) = id {
        res.headers_mut().insert(crate::ops::logging::X_REQUEST_ID.clone(), id);
    }
    tracing::debug!(
        method = %req.method(),
        path = %req.uri().path(),
        status = res.status().as_u16(),
        "answered from a kept page"
    );
    crate::ops::metrics::kept_page_answered(res.status(), started);
    Some(res)
}

/// Answer from a kept page, or render, keep and answer.
pub async fn serve(State(pages): State<Pages>, req: Request, next: Next) -> Response {
    if !pages.cache.enabled() {
        return next.run(req).await;
    }
    let Some(key) = key_of(&req, pages.trust_proxy) else { return next.run(req).await };
    let accept = req.headers().get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    if let Some(page) = pages.cache.get(&key) {
        return answer(&page, accept.as_deref(), if_none_match.as_ref(), "hit");
    }
    if req.method() == Method::HEAD {
        return next.run(req).await;
    }
    // One render for everyone asking at once.
    let leading = match pages.cache.claim(&key).await {
        Claim::Kept(page) => return answer(&page, accept.as_deref(), if_none_match.as_ref(), "hit"),
        Claim::Lead(guard) => Some(guard),
        Claim::Alone => None,
    };
    let ticket = pages.cache.ticket();
    let res = next.run(req).await;
    let Some(PageOf(clinic_id)) = keepable_answer(&res) else { return res };
    let (parts, body) = res.into_parts();
    let html = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(html) => html,
        Err(e) => {
            tracing::error!(error = %e, "page cache: the rendered page could not be read");
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
        }
    };
    let as_rendered = |parts, html| Response::from_parts(parts, Body::from(html));
    let Some(stamp) = pages.cache.stamp(ticket, clinic_id) else {
        if let Some(guard) = &leading {
            guard.finish(Rendered::Stale);
        }
        return as_rendered(parts, html);
    };
    if html.len() > super::MAX_PAGE_BYTES {
        return as_rendered(parts, html);
    }
    let secret = if super::form_tokens(&html).is_some() {
        match crate::leads::store::settings(&pages.db, clinic_id).await {
            Ok(s) => Some(Arc::<[u8]>::from(s.form_secret.into_bytes())),
            Err(e) => {
                tracing::warn!(error = %e, "page cache: cannot read the clinic's form secret; page not kept");
                return as_rendered(parts, html);
            }
        }
    } else {
        None
    };
    let kept = kept_headers(&parts.headers);
    // Compressing takes a millisecond or two: not on the request threads.
    let copy = html.clone();
    let built = {
        let _turn = pages.cache.build_turn().await;
        tokio::task::spawn_blocking(move || build_page(clinic_id, stamp, kept, copy, secret)).await
    };
    let Ok(Some(page)) = built else { return as_rendered(parts, html) };
    let page = pages.cache.put(key, page);
    if let Some(guard) = &leading {
        guard.finish(Rendered::Kept);
    }
    answer(&page, accept.as_deref(), if_none_match.as_ref(), "miss")
}

/// A 200 HTML page without cookies, uncompressed, of a known clinic, that
/// its handler did not mark `no-store`.
fn keepable_answer(res: &Response) -> Option<PageOf> {
    let h = res.headers();
    let html = h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/html"));
    let no_store = h
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store") || v.contains("private"));
    (res.status() == StatusCode::OK
        && html
        && !no_store
        && !h.contains_key(header::SET_COOKIE)
        && !h.contains_key(header::CONTENT_ENCODING))
    .then(|| res.extensions().get::<PageOf>().copied())
    .flatten()
}

/// The rendered answer's headers a kept page repeats: all but those about
/// this one transfer or that [`answer`] sets itself.
fn kept_headers(headers: &HeaderMap) -> Vec<(header::HeaderName, HeaderValue)> {
    const DROP: [header::HeaderName; 7] = [
        header::DATE,
        header::CONTENT_LENGTH,
        header::TRANSFER_ENCODING,
        header::ETAG,
        header::CACHE_CONTROL,
        header::VARY,
        header::CONNECTION,
    ];
    headers
        .iter()
        .filter(|(name, _)| !DROP.contains(name) && name.as_str() != "x-request-id")
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

/// A kept page's answer to a client sending `accept` (`Accept-Encoding`).
fn answer(page: &Page, accept: Option<&str>, if_none_match: Option<&HeaderValue>, state: &'static str) -> Response {
    let mut res = match &page.body {
        super::Body::Fixed { etag, brotli, gzip } => {
            let encoding = Encoding::choose(accept);
            let mut res = if super::matches(if_none_match, etag) {
                StatusCode::NOT_MODIFIED.into_response()
            } else {
                let (body, coding): (Bytes, _) = match encoding {
                    Encoding::Brotli => (brotli.clone(), encoding.header()),
                    Encoding::Gzip => (gzip.clone(), encoding.header()),
                    Encoding::Identity => (page.html.clone(), None),
                };
                let mut res = Response::new(Body::from(body));
                for (name, value) in &page.headers {
                    res.headers_mut().append(name.clone(), value.clone());
                }
                if let Some(coding) = coding {
                    res.headers_mut().insert(header::CONTENT_ENCODING, coding);
                }
                res
            };
            let h = res.headers_mut();
            h.insert(header::ETAG, etag.clone());
            // Kept by browsers and shared caches, but asked about each time.
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            res
        }
        super::Body::WithForms { secret, .. } => {
            let clinic_id = page.clinic_id;
            // Brotli only: uncompressed here, compressed by the compression layer.
            let encoding = Encoding::for_forms(accept).unwrap_or(Encoding::Identity);
            let issue = || crate::leads::FormToken::issue(secret, clinic_id, chrono::Utc::now());
            let mut res = Response::new(Body::from(page.answer_with(encoding, issue)));
            for (name, value) in &page.headers {
                res.headers_mut().append(name.clone(), value.clone());
            }
            if let Some(coding) = encoding.header() {
                res.headers_mut().insert(header::CONTENT_ENCODING, coding);
            }
            // Every answer has its own one-use form token: never shared, never reused.
            res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
            res
        }
    };
    let h = res.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(STATE_HEADER, HeaderValue::from_static(state));
    res
}

/// Whether a request may change what public pages show: every
/// state-changing request of the admin area and its server functions,
/// except those known to only read, sign in or out, or work leads.
pub fn may_change_pages(method: &Method, path: &str) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE) {
        return false;
    }
    if let Some(call) = path.strip_prefix("/api/admin/") {
        const READS: [&str; 8] = ["list_", "get_", "load_", "check_", "diff_", "render_", "try_", "send_office_test"];
        return !READS.iter().any(|r| call.starts_with(r)) && call != "lead_action";
    }
    path.starts_with("/admin/")
        && !matches!(path, "/admin/login" | "/admin/logout")
        && !path.starts_with("/admin/reset")
}

/// After a request that may have changed what public pages show has been
/// answered (its transaction committed), no page kept before is served
/// again, here or (PostgreSQL announces it) in the other processes.
pub async fn note_writes(State(pages): State<Pages>, req: Request, next: Next) -> Response {
    let writes = may_change_pages(req.method(), req.uri().path());
    let res = next.run(req).await;
    if writes {
        pages.cache.everything_changed();
        if let Err(e) = crate::search::changes::announce_pages_changed(&pages.db).await {
            tracing::warn!(error = %e, "page cache: cannot tell the other processes about a change");
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_pages_are_kept() {
        for path in
            ["/", "/blog", "/blog/knee-pain", "/blog/category/sports", "/locations", "/locations/north", "/contact"]
        {
            assert!(keepable_path(path), "{path}");
        }
        for path in [
            "/admin",
            "/admin/pmc/posts",
            "/contact/thanks",
            "/preview/abc",
            "/search",
            "/api/v1/search",
            "/feed.xml",
            "/locations/",
            "/media/x.png",
        ] {
            assert!(!keepable_path(path), "{path}");
        }
    }

    #[test]
    fn admin_writes_change_pages_reads_and_leads_do_not() {
        let post = Method::POST;
        assert!(may_change_pages(&post, "/api/admin/save_post"));
        assert!(may_change_pages(&post, "/api/admin/publish_post"));
        assert!(may_change_pages(&post, "/api/admin/save_office"));
        assert!(may_change_pages(&post, "/api/admin/some_new_call"), "unknown calls count as writes");
        assert!(may_change_pages(&post, "/admin/pmc/settings"));
        assert!(may_change_pages(&post, "/admin/pmc/media"));
        assert!(!may_change_pages(&post, "/api/admin/list_posts"));
        assert!(!may_change_pages(&post, "/api/admin/get_editor"));
        assert!(!may_change_pages(&post, "/api/admin/render_preview"));
        assert!(!may_change_pages(&post, "/api/admin/lead_action"));
        assert!(!may_change_pages(&post, "/admin/login"));
        assert!(!may_change_pages(&post, "/contact"));
        assert!(!may_change_pages(&post, "/api/v1/leads"));
        assert!(!may_change_pages(&post, "/api/get_post"));
        assert!(!may_change_pages(&Method::GET, "/admin/pmc/settings"));
    }

    #[test]
    fn keys_name_scheme_host_and_target() {
        let req = |method: Method, uri: &str, proto: Option<&str>| {
            let mut b = Request::builder().method(method).uri(uri).header(header::HOST, "PMC.localhost:3000");
            if let Some(p) = proto {
                b = b.header("x-forwarded-proto", p);
            }
            b.body(Body::empty()).unwrap()
        };
        let k = key_of(&req(Method::GET, "/blog?page=2", None), false).unwrap();
        assert_eq!(k, Key { origin: "http://pmc.localhost:3000".into(), target: "/blog?page=2".into() });
        assert_eq!(key_of(&req(Method::GET, "/", Some("https")), true).unwrap().origin, "https://pmc.localhost:3000");
        assert_eq!(key_of(&req(Method::GET, "/", Some("https")), false).unwrap().origin, "http://pmc.localhost:3000");
        assert!(key_of(&req(Method::POST, "/contact", None), false).is_none());
        assert!(key_of(&req(Method::GET, "/admin", None), false).is_none());
        let long = format!("/search?q={}", "a".repeat(2000));
        assert!(key_of(&req(Method::GET, &long, None), false).is_none());
    }
}
