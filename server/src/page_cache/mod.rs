//! Rendered public pages, kept in memory: render once, serve many.
//!
//! A public page (home, blog lists, posts, archives, offices, contact)
//! rendered for a visitor is kept, with its brotli and gzip forms,
//! under its scheme, host, path and query, and served again without
//! touching the database until something it shows may have changed.
//!
//! **Freshness.** Every kept page carries a *stamp*: the process-wide
//! generation and its clinic's generation when its rendering began.
//!
//! * A change accepted through this process (a marketer's save or publish,
//!   an office or settings edit, a clinic archived: any admin write) moves
//!   the process-wide generation when its request has been answered, so
//!   after that answer every page is rendered again ([`http::note_writes`]).
//! * A change the search indexer applies from the change log (a scheduled
//!   publication, an import, another process's edit, whose commit PostgreSQL
//!   announces with NOTIFY) moves that clinic's generation
//!   ([`PageCache::clinics_changed`]); a new index swapped in moves them all.
//!   Related posts come from the index, so this is also when they change.
//! * A page is never older than [`Settings::max_age`] (a minute): it bounds
//!   what no log records: "open now" and relative dates, which follow the
//!   clock, and an office edited through another process.
//!
//! A page that began rendering before a change is stored with the old stamp
//! and so never served, even when it finishes after the change.
//!
//! **Forms.** Lead forms carry a signed one-use token saying when the form
//! was shown (`leads::spam`). A kept page remembers where its tokens are and
//! gets fresh ones on every answer, so no two visitors share a token and the
//! fill-time check still counts from the visitor's own page view; such pages
//! are compressed per answer (by the compression layer) and carry no
//! `ETag`. Pages without forms are compressed once and answer `304 Not
//! Modified` to a matching `If-None-Match`.

pub mod http;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use ::http::{HeaderName, HeaderValue};
use bytes::Bytes;

/// How much memory kept pages may use and how long they are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Bytes of kept pages (all their forms); 0 turns the cache off.
    pub max_bytes: usize,
    /// The oldest a kept page may be.
    pub max_age: Duration,
}

/// Default memory for kept pages: 64 MiB.
pub const DEFAULT_MAX_MB: u32 = 64;
/// Default longest life of a kept page: "open now" and relative dates
/// ("3 minutes ago") are computed when a page is rendered.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(60);
/// Pages larger than this are not kept.
pub const MAX_PAGE_BYTES: usize = 2 * 1024 * 1024;

impl Default for Settings {
    fn default() -> Self {
        Settings { max_bytes: DEFAULT_MAX_MB as usize * 1024 * 1024, max_age: DEFAULT_MAX_AGE }
    }
}

/// Which of a page's forms a client gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    /// The best encoding an `Accept-Encoding` header allows: brotli, then
    /// gzip, else none. `q=0` refuses a coding; `*` stands for the rest.
    pub fn choose(accept: Option<&str>) -> Encoding {
        let Some(accept) = accept else { return Encoding::Identity };
        let (mut br, mut gzip, mut star) = (None, None, None);
        for item in accept.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
                .find_map(|v| v.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let ok = q > 0.0;
            match coding.as_str() {
                "br" => br = Some(ok),
                "gzip" | "x-gzip" => gzip = Some(ok),
                "*" => star = Some(ok),
                _ => {}
            }
        }
        if br.or(star).unwrap_or(false) {
            Encoding::Brotli
        } else if gzip.or(star).unwrap_or(false) {
            Encoding::Gzip
        } else {
            Encoding::Identity
        }
    }

    /// How a page with forms is sent: gzip when the client takes it (put
    /// together from [`GzipPieces`] without compressing), uncompressed when
    /// it takes nothing; `None` when it takes only brotli, which such a page
    /// would need compressing for (the compression layer does it).
    pub fn for_forms(accept: Option<&str>) -> Option<Encoding> {
        let accepts_gzip = accept.is_some_and(|a| {
            a.split(',').any(|item| {
                let mut parts = item.split(';');
                let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
                let refused = parts.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
                matches!(coding.as_str(), "gzip" | "x-gzip" | "*") && !refused
            })
        });
        match (accepts_gzip, Encoding::choose(accept)) {
            (true, _) => Some(Encoding::Gzip),
            (false, Encoding::Identity) => Some(Encoding::Identity),
            (false, _) => None,
        }
    }

    pub fn header(self) -> Option<HeaderValue> {
        match self {
            Encoding::Brotli => Some(HeaderValue::from_static("br")),
            Encoding::Gzip => Some(HeaderValue::from_static("gzip")),
            Encoding::Identity => None,
        }
    }
}

/// Taken before a page is rendered: what the generations were then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    global: u64,
    sequence: u64,
}

/// The generations a kept page was rendered under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    global: u64,
    clinic: u64,
}

/// Where a page's one-use form tokens are, to put fresh ones there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormTokens {
    /// Each distinct token of the rendered page, by the offsets where it occurs.
    pub slots: Vec<Vec<usize>>,
    /// Their length (every token has the same).
    pub len: usize,
}

/// What a kept page is sent as.
#[derive(Debug)]
pub enum Body {
    /// The same bytes for everyone: compressed once, with a validator.
    Fixed { etag: HeaderValue, brotli: Bytes, gzip: Bytes },
    /// Fresh form tokens in every answer.
    WithForms { tokens: FormTokens, secret: Arc<[u8]>, gzip: GzipPieces },
}

/// A page with forms, gzip-compressed once in pieces: the HTML between
/// the token places, each piece compressed on its own (raw deflate) and
/// ended byte-aligned (a sync flush, not final). An answer is put
/// together from them with each fresh token between them as a stored
/// (uncompressed) deflate block — no compressing per answer.
#[derive(Debug)]
pub struct GzipPieces {
    /// `places.len() + 1` pieces.
    pieces: Vec<Bytes>,
    /// Token places in order: (offset in the HTML, which token).
    places: Vec<(usize, usize)>,
}

impl GzipPieces {
    fn new(html: &[u8], tokens: &FormTokens) -> GzipPieces {
        let mut places: Vec<(usize, usize)> =
            tokens.slots.iter().enumerate().flat_map(|(i, offsets)| offsets.iter().map(move |&at| (at, i))).collect();
        places.sort_unstable();
        let mut pieces = Vec::with_capacity(places.len() + 1);
        let mut from = 0;
        for &(at, _) in &places {
            pieces.push(deflate_piece(&html[from..at]));
            from = at + tokens.len;
        }
        pieces.push(deflate_piece(&html[from..]));
        GzipPieces { pieces, places }
    }

    fn len(&self) -> usize {
        self.pieces.iter().map(Bytes::len).sum()
    }

    /// One gzip member of `html` (the page with `fresh` tokens spliced in,
    /// for the checksum), `fresh[i]` at token `i`'s places.
    fn assemble(&self, html: &[u8], fresh: &[String]) -> Bytes {
        const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
        let token_bytes: usize = self.places.iter().map(|&(_, i)| fresh[i].len() + 5).sum();
        let mut out = Vec::with_capacity(HEADER.len() + self.len() + token_bytes + 13);
        out.extend_from_slice(&HEADER);
        for (piece, &(_, i)) in self.pieces.iter().zip(&self.places) {
            out.extend_from_slice(piece);
            stored_block(&mut out, fresh[i].as_bytes(), false);
        }
        if let Some(last) = self.pieces.last() {
            out.extend_from_slice(last);
        }
        stored_block(&mut out, &[], true);
        out.extend_from_slice(&crc32fast::hash(html).to_le_bytes());
        out.extend_from_slice(&(html.len() as u32).to_le_bytes());
        Bytes::from(out)
    }
}

/// Raw deflate of `data`, ended by a sync flush: byte-aligned, not final.
fn deflate_piece(data: &[u8]) -> Bytes {
    let mut c = flate2::Compress::new(flate2::Compression::new(6), false);
    let mut out = Vec::with_capacity(data.len() / 3 + 64);
    loop {
        let consumed = c.total_in() as usize;
        out.reserve(data.len().saturating_sub(consumed) / 2 + 64);
        let status = c.compress_vec(&data[consumed..], &mut out, flate2::FlushCompress::Sync);
        let done = c.total_in() as usize == data.len() && out.len() < out.capacity();
        if status.is_err() || done {
            break;
        }
    }
    Bytes::from(out)
}

/// A stored deflate block holding `data` (under 64 KiB), final or not.
fn stored_block(out: &mut Vec<u8>, data: &[u8], last: bool) {
    let len = u16::try_from(data.len()).unwrap_or(u16::MAX);
    out.push(u8::from(last));
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(&data[..usize::from(len)]);
}

/// A kept page.
#[derive(Debug)]
pub struct Page {
    pub clinic_id: i32,
    stamp: Stamp,
    born: Instant,
    /// The rendered answer's headers worth keeping (type, robots, links…).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The HTML as rendered.
    pub html: Bytes,
    pub body: Body,
}

impl Page {
    fn weight(&self) -> usize {
        let extra = match &self.body {
            Body::Fixed { brotli, gzip, .. } => brotli.len() + gzip.len(),
            Body::WithForms { tokens, gzip, .. } => {
                tokens.slots.iter().map(|s| s.len() * 8).sum::<usize>() + gzip.len()
            }
        };
        self.html.len() + extra + 512
    }

    /// The HTML with a fresh token in each token's places; `issue` makes
    /// one token (of the same length as the old ones).
    pub fn html_with(&self, issue: impl FnMut() -> String) -> Bytes {
        self.answer_with(Encoding::Identity, issue)
    }

    /// The page with fresh tokens, as `encoding` (gzip or none; brotli is
    /// not kept for pages with forms and gives the HTML).
    pub fn answer_with(&self, encoding: Encoding, mut issue: impl FnMut() -> String) -> Bytes {
        let Body::WithForms { tokens, gzip, .. } = &self.body else { return self.html.clone() };
        let fresh: Vec<String> = tokens
            .slots
            .iter()
            .enumerate()
            .map(|(i, _)| {
                let token = issue();
                // A token format of another length: never splice a wrong size.
                if token.len() == tokens.len { token } else { self.token_at(tokens, i) }
            })
            .collect();
        let mut html = self.html.to_vec();
        for (offsets, token) in tokens.slots.iter().zip(&fresh) {
            for &at in offsets {
                html[at..at + tokens.len].copy_from_slice(token.as_bytes());
            }
        }
        match encoding {
            Encoding::Gzip => gzip.assemble(&html, &fresh),
            _ => Bytes::from(html),
        }
    }

    /// The token rendered in the page at token `i`'s first place.
    fn token_at(&self, tokens: &FormTokens, i: usize) -> String {
        let at = tokens.slots[i][0];
        String::from_utf8_lossy(&self.html[at..at + tokens.len]).into_owned()
    }
}

/// The key a page is kept under.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    /// `https://pmc.example` (scheme and Host as received).
    pub origin: String,
    /// Path and query as received.
    pub target: String,
}

struct Store {
    pages: lru::LruCache<Key, Arc<Page>>,
    bytes: usize,
}

/// The kept pages of this process and the generations that say which are current.
pub struct PageCache {
    settings: Settings,
    store: Mutex<Store>,
    global: AtomicU64,
    sequence: AtomicU64,
    clinics: RwLock<HashMap<i32, u64>>,
    hits: AtomicU64,
    misses: AtomicU64,
    /// Pages being rendered to be kept, by key (see [`PageCache::fill`]).
    fills: Fills,
    /// Kept pages being compressed at once: at most one per core.
    builds: tokio::sync::Semaphore,
}

type Fills = Arc<Mutex<HashMap<Key, tokio::sync::watch::Receiver<Rendered>>>>;

/// Where a page not kept stands (see [`PageCache::fill`]).
pub enum Fill {
    /// It is kept (by a render that just ended).
    Kept(Arc<Page>),
    /// Render it and keep it; others asking meanwhile wait for this guard.
    Lead(FillGuard),
    /// Someone else is rendering it: wait, then look again.
    Wait(tokio::sync::watch::Receiver<Rendered>),
}

/// How a render others waited for ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendered {
    /// Not yet.
    Pending,
    /// Kept: look again.
    Kept,
    /// Not kept because something changed while it rendered: a new render may be kept.
    Stale,
    /// Not a page to keep (an error page, too large, a failure): render your own.
    NotKept,
}

/// What a visitor whose page is not kept does (see [`PageCache::claim`]).
pub enum Claim {
    /// Answer with the kept page.
    Kept(Arc<Page>),
    /// Render it and keep it, then [`FillGuard::finish`].
    Lead(FillGuard),
    /// Render it without keeping it for others.
    Alone,
}

/// Held while a page is rendered to be kept. Dropped without
/// [`finish`](Self::finish) (not kept, failed, panicked), it tells those
/// waiting to render their own.
pub struct FillGuard {
    fills: Fills,
    key: Key,
    done: tokio::sync::watch::Sender<Rendered>,
}

impl FillGuard {
    /// How the render ended ([`Rendered::Kept`] once the page is kept).
    pub fn finish(&self, how: Rendered) {
        self.done.send_replace(how);
    }
}

impl Drop for FillGuard {
    fn drop(&mut self) {
        self.fills.lock().unwrap_or_else(PoisonError::into_inner).remove(&self.key);
        self.done.send_if_modified(|how| {
            let pending = *how == Rendered::Pending;
            if pending {
                *how = Rendered::NotKept;
            }
            pending
        });
    }
}

/// Until the render behind `rendering` has ended, and how.
async fn rendered(mut rendering: tokio::sync::watch::Receiver<Rendered>) -> Rendered {
    match rendering.wait_for(|how| *how != Rendered::Pending).await {
        Ok(how) => *how,
        Err(_) => Rendered::NotKept,
    }
}

impl std::fmt::Debug for PageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageCache").field("settings", &self.settings).finish_non_exhaustive()
    }
}

impl PageCache {
    pub fn new(settings: Settings) -> Self {
        PageCache {
            settings,
            store: Mutex::new(Store { pages: lru::LruCache::unbounded(), bytes: 0 }),
            global: AtomicU64::new(1),
            sequence: AtomicU64::new(1),
            clinics: RwLock::new(HashMap::new()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            fills: Arc::new(Mutex::new(HashMap::new())),
            builds: tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(1, |n| n.get())),
        }
    }

    /// A page not kept is rendered once however many ask for it at once:
    /// the first to ask leads (renders and keeps it), the others wait for
    /// it and are answered from the kept page. After a publish, the pages
    /// everyone reads are rendered once each, not once per visitor arriving
    /// meanwhile (32 at once rendered and compressed the same page 32 times,
    /// and the memory of those renders stayed with the process).
    pub fn fill(&self, key: &Key) -> Fill {
        let mut fills = self.fills.lock().unwrap_or_else(PoisonError::into_inner);
        // A render keeps its page before it leaves `fills`: one that ended
        // since the caller looked has left the page here.
        if let Some(page) = self.find(key) {
            return Fill::Kept(page);
        }
        if let Some(rendering) = fills.get(key) {
            return Fill::Wait(rendering.clone());
        }
        let (done, rendering) = tokio::sync::watch::channel(Rendered::Pending);
        fills.insert(key.clone(), rendering);
        Fill::Lead(FillGuard { fills: self.fills.clone(), key: key.clone(), done })
    }

    /// [`fill`](Self::fill), waiting for another visitor's render: its
    /// page when kept; the lead of a new render when that one was rendered
    /// across a change; alone when it is not a page to keep (a 404 waits
    /// for one render, then each renders its own at once, as before).
    pub async fn claim(&self, key: &Key) -> Claim {
        for _ in 0..3 {
            match self.fill(key) {
                Fill::Kept(page) => return Claim::Kept(page),
                Fill::Lead(guard) => return Claim::Lead(guard),
                Fill::Wait(rendering) => match rendered(rendering).await {
                    Rendered::Kept | Rendered::Stale | Rendered::Pending => continue,
                    Rendered::NotKept => return Claim::Alone,
                },
            }
        }
        Claim::Alone
    }

    /// A turn to compress a page to keep: as many at once as there are cores.
    pub async fn build_turn(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        self.builds.acquire().await.ok()
    }

    pub fn enabled(&self) -> bool {
        self.settings.max_bytes > 0
    }

    /// Take before rendering a page that may be kept.
    pub fn ticket(&self) -> Ticket {
        Ticket { global: self.global.load(Ordering::SeqCst), sequence: self.sequence.load(Ordering::SeqCst) }
    }

    fn clinic_generation(&self, clinic_id: i32) -> u64 {
        self.clinics.read().expect("page cache lock").get(&clinic_id).copied().unwrap_or(0)
    }

    /// The stamp for a page of `clinic_id` rendered since `ticket`, or None
    /// when something changed meanwhile (the page may show the old state).
    pub fn stamp(&self, ticket: Ticket, clinic_id: i32) -> Option<Stamp> {
        let clinic = self.clinic_generation(clinic_id);
        let global = self.global.load(Ordering::SeqCst);
        (global == ticket.global && clinic <= ticket.sequence).then_some(Stamp { global, clinic })
    }

    fn current(&self, page: &Page, now: Instant) -> bool {
        page.stamp.global == self.global.load(Ordering::SeqCst)
            && page.stamp.clinic == self.clinic_generation(page.clinic_id)
            && now.duration_since(page.born) < self.settings.max_age
    }

    /// Anything may have changed: no page kept so far is served again.
    pub fn everything_changed(&self) {
        self.global.fetch_add(1, Ordering::SeqCst);
        let mut store = self.store.lock().expect("page cache lock");
        store.pages.clear();
        store.bytes = 0;
        crate::ops::metrics::page_cache_size(0, 0);
    }

    /// These clinics' content changed (posts applied from the change log).
    pub fn clinics_changed(&self, clinic_ids: &[i32]) {
        if clinic_ids.is_empty() {
            return;
        }
        let mut clinics = self.clinics.write().expect("page cache lock");
        for &id in clinic_ids {
            let generation = self.sequence.fetch_add(1, Ordering::SeqCst) + 1;
            clinics.insert(id, generation);
        }
    }

    /// The current page kept under `key`, if any; the lookup is counted.
    pub fn get(&self, key: &Key) -> Option<Arc<Page>> {
        let page = self.find(key);
        self.count(page.is_some());
        page
    }

    /// The current page kept under `key` if `usable` says so, counted only
    /// then: for [`http::KeptPages`], which hands the request on to
    /// [`http::serve`] (which looks again, and counts) otherwise.
    pub fn get_if(&self, key: &Key, usable: impl FnOnce(&Page) -> bool) -> Option<Arc<Page>> {
        let page = self.find(key).filter(|p| usable(p))?;
        self.count(true);
        Some(page)
    }

    fn count(&self, hit: bool) {
        let counter = if hit { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        crate::ops::metrics::page_cache_lookup(hit);
    }

    fn find(&self, key: &Key) -> Option<Arc<Page>> {
        let now = Instant::now();
        let mut store = self.store.lock().expect("page cache lock");
        let page = store.pages.get(key).cloned()?;
        if self.current(&page, now) {
            return Some(page);
        }
        if let Some(old) = store.pages.pop(key) {
            store.bytes = store.bytes.saturating_sub(old.weight());
        }
        crate::ops::metrics::page_cache_size(store.pages.len(), store.bytes);
        None
    }

    /// Keep a page rendered under `stamp`; the least recently used go when
    /// the memory is full.
    pub fn put(&self, key: Key, page: Page) -> Arc<Page> {
        let page = Arc::new(page);
        let weight = page.weight();
        if weight > self.settings.max_bytes {
            return page;
        }
        let mut store = self.store.lock().expect("page cache lock");
        if let Some(old) = store.pages.put(key, page.clone()) {
            store.bytes = store.bytes.saturating_sub(old.weight());
        }
        store.bytes += weight;
        while store.bytes > self.settings.max_bytes {
            match store.pages.pop_lru() {
                Some((_, old)) => store.bytes = store.bytes.saturating_sub(old.weight()),
                None => break,
            }
        }
        crate::ops::metrics::page_cache_size(store.pages.len(), store.bytes);
        page
    }

    /// Pages kept now and the memory they take.
    pub fn size(&self) -> (usize, usize) {
        let store = self.store.lock().expect("page cache lock");
        (store.pages.len(), store.bytes)
    }

    /// Answers served from kept pages, and those that were not.
    pub fn counts(&self) -> (u64, u64) {
        (self.hits.load(Ordering::Relaxed), self.misses.load(Ordering::Relaxed))
    }
}

/// A page to keep: the rendered HTML of `clinic_id` and the headers worth
/// keeping. Pages with lead forms need the clinic's form secret.
pub fn build_page(
    clinic_id: i32,
    stamp: Stamp,
    headers: Vec<(HeaderName, HeaderValue)>,
    html: Bytes,
    secret: Option<Arc<[u8]>>,
) -> Option<Page> {
    let tokens = form_tokens(&html);
    let body = match (tokens, secret) {
        (Some(tokens), Some(secret)) => {
            let gzip = GzipPieces::new(&html, &tokens);
            Body::WithForms { tokens, secret, gzip }
        }
        (Some(_), None) => return None,
        (None, _) => Body::Fixed { etag: etag(&html), brotli: brotli(&html), gzip: gzip(&html) },
    };
    Some(Page { clinic_id, stamp, born: Instant::now(), headers, html, body })
}

/// The attribute before a lead form's token in the rendered HTML.
const TOKEN_ATTRIBUTE: &str = "name=\"form_token\" value=\"";

/// Where the form tokens of a rendered page are: each distinct token (from
/// a `form_token` input) with every place it occurs (the input and the
/// hydration data). None when the page has no form.
pub fn form_tokens(html: &[u8]) -> Option<FormTokens> {
    let text = std::str::from_utf8(html).ok()?;
    let mut tokens: Vec<&str> = Vec::new();
    for (at, _) in text.match_indices(TOKEN_ATTRIBUTE) {
        let start = at + TOKEN_ATTRIBUTE.len();
        let end = start + text[start..].find('"')?;
        let token = &text[start..end];
        if !token.is_empty() && !tokens.contains(&token) {
            tokens.push(token);
        }
    }
    let len = tokens.first()?.len();
    if tokens.iter().any(|t| t.len() != len) {
        return None;
    }
    let slots = tokens.iter().map(|t| text.match_indices(t).map(|(at, _)| at).collect()).collect();
    Some(FormTokens { slots, len })
}

/// A weak validator (one for every encoding of the page).
fn etag(html: &[u8]) -> HeaderValue {
    let strong = crate::feeds::http::etag(html);
    HeaderValue::from_str(&format!("W/{strong}")).expect("hex digits")
}

/// Whether `If-None-Match` names this validator (weak comparison).
pub fn matches(if_none_match: Option<&HeaderValue>, etag: &HeaderValue) -> bool {
    let (Some(inm), Ok(tag)) = (if_none_match.and_then(|v| v.to_str().ok()), etag.to_str()) else {
        return false;
    };
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
    inm.split(',').any(|t| t.trim() == "*" || bare(t) == bare(tag))
}

fn brotli(html: &[u8]) -> Bytes {
    Bytes::from(crate::compression::brotli(html, 6))
}

fn gzip(html: &[u8]) -> Bytes {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(html.len() / 3), flate2::Compression::new(6));
    encoder.write_all(html).expect("compressing into memory");
    Bytes::from(encoder.finish().expect("compressing into memory"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(cache: &PageCache, clinic: i32, ticket: Ticket, html: &str) -> Option<Page> {
        let stamp = cache.stamp(ticket, clinic)?;
        build_page(clinic, stamp, vec![], Bytes::from(html.to_string()), Some(Arc::from(&b"secret"[..])))
    }

    fn key(target: &str) -> Key {
        Key { origin: "http://pmc.localhost".into(), target: target.into() }
    }

    #[test]
    fn encodings_follow_accept_encoding() {
        assert_eq!(Encoding::choose(None), Encoding::Identity);
        assert_eq!(Encoding::choose(Some("gzip, deflate, br, zstd")), Encoding::Brotli);
        assert_eq!(Encoding::choose(Some("gzip")), Encoding::Gzip);
        assert_eq!(Encoding::choose(Some("br;q=0, gzip;q=0.5")), Encoding::Gzip);
        assert_eq!(Encoding::choose(Some("identity")), Encoding::Identity);
        assert_eq!(Encoding::choose(Some("*")), Encoding::Brotli);
        assert_eq!(Encoding::choose(Some("*;q=0")), Encoding::Identity);
        assert_eq!(Encoding::choose(Some("BR")), Encoding::Brotli);
        assert_eq!(Encoding::choose(Some("br;q=0,*")), Encoding::Gzip);
        assert_eq!(Encoding::choose(Some(";;,q=,br;q=x")), Encoding::Brotli);
    }

    #[test]
    fn a_page_is_served_until_its_clinic_or_anything_changes() {
        let cache = PageCache::new(Settings::default());
        let t = cache.ticket();
        cache.put(key("/"), page(&cache, 1, t, "<p>one</p>").unwrap());
        cache.put(key("/other"), page(&cache, 2, t, "<p>two</p>").unwrap());
        assert!(cache.get(&key("/")).is_some());

        cache.clinics_changed(&[1]);
        assert!(cache.get(&key("/")).is_none(), "clinic 1 changed");
        assert!(cache.get(&key("/other")).is_some(), "clinic 2 did not");

        cache.everything_changed();
        assert!(cache.get(&key("/other")).is_none());
        assert_eq!(cache.counts(), (2, 2));
    }

    #[test]
    fn a_page_rendered_across_a_change_is_not_kept() {
        let cache = PageCache::new(Settings::default());
        let before = cache.ticket();
        cache.clinics_changed(&[1]);
        assert!(cache.stamp(before, 1).is_none(), "clinic 1 changed while rendering");
        assert!(cache.stamp(before, 2).is_some(), "clinic 2 did not");
        let before = cache.ticket();
        cache.everything_changed();
        assert!(cache.stamp(before, 2).is_none());
        // Rendered after the change: kept and served.
        let after = cache.ticket();
        cache.put(key("/"), page(&cache, 1, after, "<p>new</p>").unwrap());
        assert_eq!(&cache.get(&key("/")).unwrap().html[..], b"<p>new</p>");
    }

    #[test]
    fn old_pages_expire_and_memory_is_bounded() {
        let cache = PageCache::new(Settings { max_bytes: 4096, max_age: Duration::from_millis(40) });
        let t = cache.ticket();
        let big = "x".repeat(1500);
        for i in 0..5 {
            cache.put(key(&format!("/{i}")), page(&cache, 1, t, &big).unwrap());
        }
        let (pages, bytes) = cache.size();
        assert!(bytes <= 4096, "{bytes} bytes kept");
        assert!(pages < 5);
        assert!(cache.get(&key("/4")).is_some(), "the newest stays");
        assert!(cache.get(&key("/0")).is_none(), "the oldest went");
        std::thread::sleep(Duration::from_millis(60));
        assert!(cache.get(&key("/4")).is_none(), "expired");

        let off = PageCache::new(Settings { max_bytes: 0, max_age: DEFAULT_MAX_AGE });
        assert!(!off.enabled());
        off.put(key("/"), page(&off, 1, off.ticket(), "<p>a</p>").unwrap());
        assert!(off.get(&key("/")).is_none());
    }

    #[test]
    fn form_tokens_are_found_everywhere_they_occur_and_replaced() {
        let a = "A".repeat(87);
        let b = "B".repeat(87);
        let html = format!(
            "<form><input type=\"hidden\" name=\"form_token\" value=\"{a}\"/></form><form><input name=\"form_token\" value=\"{b}\"></form><script>{{\"token\":\"{a}\",\"t2\":\"{b}\"}}</script>"
        );
        let tokens = form_tokens(html.as_bytes()).unwrap();
        assert_eq!(tokens.len, 87);
        assert_eq!(tokens.slots.len(), 2);
        assert_eq!(tokens.slots[0].len(), 2);
        assert_eq!(tokens.slots[1].len(), 2);

        let cache = PageCache::new(Settings::default());
        let p = page(&cache, 1, cache.ticket(), &html).unwrap();
        assert!(matches!(p.body, Body::WithForms { .. }));
        let mut n = 0;
        let fresh = p.html_with(|| {
            n += 1;
            n.to_string().repeat(87)
        });
        let fresh = String::from_utf8(fresh.to_vec()).unwrap();
        assert!(!fresh.contains(&a) && !fresh.contains(&b));
        assert_eq!(fresh.matches(&"1".repeat(87)).count(), 2);
        assert_eq!(fresh.matches(&"2".repeat(87)).count(), 2);
        assert_eq!(fresh.len(), html.len());
        // A token of another length is never spliced in.
        assert_eq!(p.html_with(|| "short".into()), p.html);

        assert!(form_tokens(b"<p>no form</p>").is_none());
        // A page with a form but no secret to sign its tokens is not kept.
        let stamp = cache.stamp(cache.ticket(), 1).unwrap();
        assert!(build_page(1, stamp, vec![], Bytes::from(html), None).is_none());
    }

    #[test]
    fn pages_with_forms_go_out_as_gzip_put_together_from_pieces() {
        use std::io::Read;
        let a = "A".repeat(87);
        let b = "B".repeat(87);
        let text = "<p>Physiotherapy after a knee replacement: the first six weeks</p>".repeat(40);
        let html = format!(
            "{text}<form><input name=\"form_token\" value=\"{a}\"></form>{text}<input name=\"form_token\" value=\"{b}\"><script>{{\"t\":\"{a}\"}}</script>{text}{a}"
        );
        let cache = PageCache::new(Settings::default());
        let p = page(&cache, 1, cache.ticket(), &html).unwrap();
        for round in 0..3 {
            let mut n = round * 2;
            let mut issue = || {
                n += 1;
                char::from(b'a' + n as u8).to_string().repeat(87)
            };
            let zipped = p.answer_with(Encoding::Gzip, &mut issue);
            let mut plain = String::new();
            // The decoder checks the CRC and the length as well.
            flate2::read::GzDecoder::new(&zipped[..]).read_to_string(&mut plain).unwrap();
            assert_eq!(plain.len(), html.len());
            assert!(!plain.contains(&a) && !plain.contains(&b), "fresh tokens only");
            let first = char::from(b'a' + (round * 2 + 1) as u8).to_string().repeat(87);
            let second = char::from(b'a' + (round * 2 + 2) as u8).to_string().repeat(87);
            assert_eq!(plain.matches(&first).count(), 3, "every place of the first token");
            assert_eq!(plain.matches(&second).count(), 1);
            assert_eq!(plain.replace(&first, &a).replace(&second, &b), html, "the page, otherwise as rendered");
            assert!(zipped.len() < html.len() / 5, "compressed: {} of {}", zipped.len(), html.len());
        }
        // Uncompressed, the same splice.
        let plain = p.answer_with(Encoding::Identity, || "z".repeat(87));
        assert_eq!(plain.len(), html.len());
        assert!(!String::from_utf8_lossy(&plain).contains(&a));
    }

    #[test]
    fn pages_with_forms_are_sent_as_gzip_or_uncompressed() {
        assert_eq!(Encoding::for_forms(Some("gzip, deflate, br, zstd")), Some(Encoding::Gzip));
        assert_eq!(Encoding::for_forms(Some("*")), Some(Encoding::Gzip));
        assert_eq!(Encoding::for_forms(None), Some(Encoding::Identity));
        assert_eq!(Encoding::for_forms(Some("identity")), Some(Encoding::Identity));
        assert_eq!(Encoding::for_forms(Some("br")), None, "brotli only: the compression layer compresses");
        assert_eq!(Encoding::for_forms(Some("br, gzip;q=0")), None);
    }

    #[test]
    fn a_page_not_kept_is_rendered_by_the_first_to_ask_while_the_others_wait() {
        use std::future::Future;
        use std::task::Poll;
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let cache = PageCache::new(Settings::default());

        // Kept: those waiting get the page.
        let blog = key("/blog");
        let Fill::Lead(leading) = cache.fill(&blog) else { panic!("the first to ask renders") };
        assert!(matches!(cache.fill(&blog), Fill::Wait(_)), "the second waits");
        assert!(matches!(cache.fill(&key("/contact")), Fill::Lead(_)), "another page is not held up");
        let mut waiting = Box::pin(cache.claim(&blog));
        assert!(waiting.as_mut().poll(&mut cx).is_pending(), "waits while the page is rendered");
        cache.put(blog.clone(), page(&cache, 1, cache.ticket(), "<p>Blog</p>").unwrap());
        leading.finish(Rendered::Kept);
        assert!(matches!(waiting.as_mut().poll(&mut cx), Poll::Ready(Claim::Kept(_))), "answered from the kept page");
        drop(waiting);
        drop(leading);
        assert!(matches!(cache.fill(&blog), Fill::Kept(_)), "one who looked before it was kept gets it");

        // Rendered across a change: one of those waiting renders it again.
        let offices = key("/locations");
        let Fill::Lead(leading) = cache.fill(&offices) else { panic!("leads") };
        let mut waiting = Box::pin(cache.claim(&offices));
        assert!(waiting.as_mut().poll(&mut cx).is_pending());
        leading.finish(Rendered::Stale);
        drop(leading);
        assert!(matches!(waiting.as_mut().poll(&mut cx), Poll::Ready(Claim::Lead(_))), "leads the next render");
        drop(waiting);

        // Not a page to keep (an error page, a failure, a panic): each renders its own.
        let missing = key("/blog/no-such-post");
        let Fill::Lead(leading) = cache.fill(&missing) else { panic!("leads") };
        let mut waiting = Box::pin(cache.claim(&missing));
        assert!(waiting.as_mut().poll(&mut cx).is_pending());
        drop(leading);
        assert!(matches!(waiting.as_mut().poll(&mut cx), Poll::Ready(Claim::Alone)));
        assert!(matches!(cache.fill(&missing), Fill::Lead(_)), "nothing left behind");
    }

    #[test]
    fn fixed_pages_are_compressed_once_and_validated() {
        use std::io::Read;
        let cache = PageCache::new(Settings::default());
        let html = "<p>Knee pain after running: what helps</p>".repeat(50);
        let p = page(&cache, 1, cache.ticket(), &html).unwrap();
        let Body::Fixed { etag, brotli, gzip } = &p.body else { panic!("a page without forms") };
        let mut unzipped = String::new();
        flate2::read::GzDecoder::new(&gzip[..]).read_to_string(&mut unzipped).unwrap();
        assert_eq!(unzipped, html);
        let mut unbrotli = Vec::new();
        ::brotli::BrotliDecompress(&mut &brotli[..], &mut unbrotli).unwrap();
        assert_eq!(unbrotli, html.as_bytes());
        assert!(brotli.len() < html.len() / 10);

        assert!(etag.to_str().unwrap().starts_with("W/\""));
        let strong = HeaderValue::from_str(etag.to_str().unwrap().trim_start_matches("W/")).unwrap();
        assert!(matches(Some(&strong), etag));
        assert!(matches(Some(etag), etag));
        assert!(matches(Some(&HeaderValue::from_static("\"x\", *")), etag));
        assert!(!matches(Some(&HeaderValue::from_static("\"x\"")), etag));
        assert!(!matches(None, etag));
    }
}
