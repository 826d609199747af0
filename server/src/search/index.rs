//! One tantivy index: create or open it, write batches of posts with the
//! id of the last applied change in the commit payload, and answer
//! searches, suggestions and "related posts".

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use app::search::model::{MatchMode, SortOrder};
use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, EnableScoring, FuzzyTermQuery, MoreLikeThisQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, OwnedValue, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DocAddress, DocSet, Executor, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher, TERMINATED,
    TantivyDocument, Term,
};

use super::document::{IndexedPost, PostDoc};
use super::facets::{self, FacetTables};
use super::query::{self, Built, Options, Parsed, Scope, Typos};
use super::schema::{self, Fields, SCHEMA_VERSION};

/// Memory the writer may use before it flushes a segment (split over its
/// threads). Set explicitly so indexing 100k posts stays bounded.
pub const WRITER_HEAP_BYTES: usize = 96 * 1024 * 1024;
pub const WRITER_THREADS: usize = 2;
/// Characters in a result's snippet.
const SNIPPET_CHARS: usize = 220;
/// Bytes of a body analysed first for its snippet, and at most.
const SNIPPET_WINDOW: usize = 2_000;
const SNIPPET_MAX_SCAN: usize = 20_000;
/// Most typo expansions looked up per word, for highlighting.
const MAX_EXPANSIONS: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("search index was built by another version (schema {found}, expected {SCHEMA_VERSION})")]
    OtherVersion { found: u32 },
    #[error("search index was never completely built (an earlier build was interrupted)")]
    Incomplete,
    #[error("search index writer is unusable after an earlier failure")]
    Poisoned,
}

/// Stored in each commit: how far the index has followed the change log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    pub applied: i64,
    pub schema: u32,
    /// False from creation until a full build from the database has
    /// committed: an index left incomplete by a crash is rebuilt at start.
    #[serde(default)]
    pub complete: bool,
}

pub struct SearchIndex {
    /// This process's number for the index (see [`Snapshot`]).
    id: u64,
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter<PostDoc>>,
    /// Each segment's facets, read once (see [`facets`]).
    facet_tables: FacetTables,
    pub fields: Fields,
}

/// A search answer before names and URLs are added.
#[derive(Debug, Default)]
pub struct RawResults {
    pub hits: Vec<RawHit>,
    pub total: u64,
    pub mode: MatchMode,
    /// (kind, slug, count); kind is category, tag, author or location.
    pub facets: Vec<(String, String, u64)>,
    pub suggestion: Option<String>,
    /// Nothing searchable was typed (empty, or only very common words).
    pub nothing_to_search: bool,
    /// Which committed state of which index answered (see [`Snapshot`]).
    pub snapshot: Snapshot,
    /// Where the time went (for the benchmark).
    pub phases: Phases,
}

/// Time spent in each part of [`SearchIndex::search`].
#[derive(Debug, Default, Clone, Copy)]
pub struct Phases {
    /// Looking up the typo variants of the words in the term dictionaries.
    pub typos: Duration,
    /// Building the query and the pass over the matches (count, page,
    /// facet counts), twice when it falls back to any word.
    pub matching: Duration,
    /// The page's stored documents and their snippets.
    pub hits: Duration,
    /// "Did you mean".
    pub spelling: Duration,
}

/// Identifies what an answer was read from: this process's index (each
/// opened or created index gets its own number) and the reader's generation
/// (a new one after every commit the index reloads). Anything cached from
/// the database about an answer's facets stays valid while it is the same.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Snapshot {
    pub index: u64,
    pub generation: u64,
}

/// The threads every index of the process searches its segments on, in
/// parallel: a search over many matches (a phrase in most of a clinic's
/// posts) takes about half the time when a core is free. Under load the
/// cores are busy either way. `None` if the threads cannot be started:
/// each search then runs on its caller's thread.
static SEARCH_THREADS: LazyLock<Option<Executor>> = LazyLock::new(|| {
    let n = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 4);
    Executor::multi_thread(n, "search-")
        .inspect_err(|e| tracing::warn!(error = %e, "search: cannot start the search threads; searching on one"))
        .ok()
});

/// Numbers the indexes this process opens, for [`Snapshot`].
static NEXT_INDEX: AtomicU64 = AtomicU64::new(1);

/// What one pass over the matches collected.
struct Found {
    total: u64,
    addresses: Vec<DocAddress>,
    facets: Vec<(String, String, u64)>,
}

/// Count the matches of `built`, keep the requested page, and count the
/// facet values, in a single pass.
fn collect(searcher: &Searcher, tables: &FacetTables, built: &Built, req: &Request<'_>) -> Result<Found, IndexError> {
    tables.keep_only(searcher.segment_readers());
    let top = TopDocs::with_limit(req.limit.max(1)).and_offset(req.offset);
    // Browsing by filters alone has no relevance to sort by.
    let sort = if built.browse { SortOrder::Newest } else { req.sort };
    let (total, addresses, facet_counts): (usize, Vec<DocAddress>, _) = match sort {
        SortOrder::Relevance => {
            let (n, top, fc) = searcher.search(&built.query, &(Count, top.order_by_score(), tables.counter()))?;
            (n, top.into_iter().map(|(_, a)| a).collect(), fc)
        }
        SortOrder::Newest => {
            let by_date = top.order_by_fast_field::<i64>("published", Order::Desc);
            let (n, top, fc) = searcher.search(&built.query, &(Count, by_date, tables.counter()))?;
            (n, top.into_iter().map(|(_, a)| a).collect(), fc)
        }
    };
    Ok(Found { total: total as u64, addresses, facets: facets::ordered(facet_counts) })
}

/// Is there at least one live document matching `q`? Stops at the first
/// (a count would walk every posting of a common word).
fn any_match(searcher: &Searcher, q: &dyn Query) -> Result<bool, IndexError> {
    let weight = q.weight(EnableScoring::disabled_from_searcher(searcher))?;
    for seg in searcher.segment_readers() {
        let mut scorer = weight.scorer(seg, 1.0)?;
        let alive = seg.alive_bitset();
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                return Ok(true);
            }
            doc = scorer.advance();
        }
    }
    Ok(false)
}

/// The start of `text`, at most `max` bytes, cut at a character boundary.
fn head(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[derive(Debug, Clone, PartialEq)]
pub struct RawHit {
    pub post_id: i32,
    pub slug: String,
    pub title: String,
    pub published_at: i64,
    pub category: Option<(String, String)>,
    pub snippet_html: String,
}

/// What to search for.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub parsed: &'a Parsed,
    pub scope: Scope,
    pub sort: SortOrder,
    pub offset: usize,
    pub limit: usize,
}

impl SearchIndex {
    /// A fresh index in memory (tests, benchmarks).
    pub fn in_ram() -> Result<Self, IndexError> {
        Self::from_index(Index::create_in_ram(schema::schema()))
    }

    /// A fresh, empty index in `dir` (which must exist and be empty).
    pub fn create(dir: &Path) -> Result<Self, IndexError> {
        let index = Index::create_in_dir(dir, schema::schema())?;
        let me = Self::from_index(index)?;
        me.write(&[], &[], Payload { applied: 0, schema: SCHEMA_VERSION, complete: false })?;
        Ok(me)
    }

    /// Open the index in `dir`; an index of another schema version is an error.
    pub fn open(dir: &Path) -> Result<Self, IndexError> {
        let index = Index::open_in_dir(dir)?;
        let me = Self::from_index(index)?;
        let payload = me.payload()?;
        if payload.schema != SCHEMA_VERSION || me.index.schema() != schema::schema() {
            return Err(IndexError::OtherVersion { found: payload.schema });
        }
        if !payload.complete {
            return Err(IndexError::Incomplete);
        }
        Ok(me)
    }

    fn from_index(mut index: Index) -> Result<Self, IndexError> {
        schema::register(&index);
        if let Some(pool) = &*SEARCH_THREADS {
            index.set_executor(pool.clone());
        }
        let fields = Fields::from_schema(&index.schema())?;
        let writer = index.writer_with_num_threads(WRITER_THREADS, WRITER_HEAP_BYTES)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let id = NEXT_INDEX.fetch_add(1, AtomicOrdering::Relaxed);
        Ok(SearchIndex {
            id,
            index,
            reader,
            writer: Mutex::new(writer),
            facet_tables: FacetTables::new("facets"),
            fields,
        })
    }

    /// The last committed payload (zero for a new index).
    pub fn payload(&self) -> Result<Payload, IndexError> {
        let metas = self.index.load_metas()?;
        Ok(metas.payload.as_deref().and_then(|p| serde_json::from_str(p).ok()).unwrap_or_default())
    }

    /// Has a full build from the database committed (see [`Payload::complete`])?
    pub fn is_complete(&self) -> bool {
        self.payload().is_ok_and(|p| p.complete)
    }

    /// Documents visible to searches now.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Replace the documents of `posts` (dropping unpublished ones) and of
    /// `deleted` ids, and commit with `payload`. Searches see the change
    /// when this returns.
    pub fn write(&self, posts: &[IndexedPost], deleted: &[i32], payload: Payload) -> Result<(), IndexError> {
        let mut w = self.writer.lock().map_err(|_| IndexError::Poisoned)?;
        let written = (|| {
            for id in posts.iter().map(|p| p.id).chain(deleted.iter().copied()) {
                w.delete_term(Term::from_field_u64(self.fields.post_id, id as u64));
            }
            for p in posts.iter().filter(|p| p.published) {
                w.add_document(p.to_document(&self.fields))?;
            }
            let mut commit = w.prepare_commit()?;
            commit.set_payload(&serde_json::to_string(&payload).expect("payload serialises"));
            commit.commit()
        })();
        if let Err(e) = written {
            // A full disk, say: go back to the last commit (a fresh writer),
            // so the next attempt starts clean and nothing is half-applied;
            // the payload still names the last change applied.
            if let Err(again) = w.rollback() {
                tracing::error!(error = %again, "search: cannot roll the index writer back");
            }
            return Err(e.into());
        }
        drop(w);
        self.reader.reload()?;
        Ok(())
    }

    /// Add posts without deleting first (a rebuild into an empty index), no commit.
    pub fn add_fresh(&self, posts: &[IndexedPost]) -> Result<(), IndexError> {
        let w = self.writer.lock().map_err(|_| IndexError::Poisoned)?;
        for p in posts.iter().filter(|p| p.published) {
            w.add_document(p.to_document(&self.fields))?;
        }
        Ok(())
    }

    /// Commit what [`add_fresh`](Self::add_fresh) added.
    pub fn commit(&self, payload: Payload) -> Result<(), IndexError> {
        self.write(&[], &[], payload)
    }

    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    fn snapshot(&self, searcher: &Searcher) -> Snapshot {
        Snapshot { index: self.id, generation: searcher.generation().generation_id() }
    }

    /// Search: every word first; if nothing has them all, any of them.
    pub fn search(&self, req: &Request<'_>) -> Result<RawResults, IndexError> {
        let started = Instant::now();
        let searcher = self.reader.searcher();
        let f = &self.fields;
        let typos = Typos::find(&searcher, f, req.parsed, req.scope.clinic_id)?;
        let mut phases = Phases { typos: started.elapsed(), ..Phases::default() };
        let all_words = Options { all_words: true, prefix_last: false };
        let mut built = query::build(f, req.parsed, &req.scope, all_words, &typos);
        if built.clauses == 0 && !built.browse {
            return Ok(RawResults { nothing_to_search: true, ..RawResults::default() });
        }
        // Count, page and facet counts in one pass over the matches.
        let mut mode = MatchMode::All;
        let mut found = collect(&searcher, &self.facet_tables, &built, req)?;
        if found.total == 0 && built.clauses > 1 {
            built = query::build(f, req.parsed, &req.scope, Options { all_words: false, prefix_last: false }, &typos);
            mode = MatchMode::Any;
            found = collect(&searcher, &self.facet_tables, &built, req)?;
        }
        let Found { total, addresses, facets: out_facets } = found;
        phases.matching = started.elapsed() - phases.typos;

        let snippets = self.snippet_generator(&built.highlight, &typos);
        let mut hits = Vec::with_capacity(addresses.len());
        for a in addresses {
            let doc: TantivyDocument = searcher.doc(a)?;
            hits.push(self.hit(&doc, Some(&snippets)));
        }
        phases.hits = started.elapsed() - phases.typos - phases.matching;
        let suggestion = self.spelling(&searcher, req.parsed, &req.scope)?;
        phases.spelling = started.elapsed() - phases.typos - phases.matching - phases.hits;
        Ok(RawResults {
            hits,
            total,
            mode,
            facets: out_facets,
            suggestion,
            nothing_to_search: false,
            snapshot: self.snapshot(&searcher),
            phases,
        })
    }

    /// Titles for the search box: every word, the last one possibly unfinished.
    pub fn suggest(&self, parsed: &Parsed, scope: &Scope, limit: usize) -> Result<Vec<RawHit>, IndexError> {
        let searcher = self.reader.searcher();
        let typos = Typos::find(&searcher, &self.fields, parsed, scope.clinic_id)?;
        let built = query::build(&self.fields, parsed, scope, Options { all_words: true, prefix_last: true }, &typos);
        if built.clauses == 0 {
            return Ok(Vec::new());
        }
        let top = searcher.search(&built.query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut out = Vec::new();
        for (_, a) in top {
            let doc: TantivyDocument = searcher.doc(a)?;
            out.push(self.hit(&doc, None));
        }
        Ok(out)
    }

    /// "You might also enjoy": posts like `post` (by body, tags and
    /// category) in the same clinic, published, not `post` itself.
    pub fn related(&self, post: &IndexedPost, now: i64, limit: usize) -> Result<Vec<RawHit>, IndexError> {
        let searcher = self.reader.searcher();
        let f = &self.fields;
        // The post's words as the index holds them: scoped to its clinic.
        let scoped = |text: &str| OwnedValue::Str(schema::scoped_text(post.clinic_id, text));
        let mut values = vec![scoped(&post.body_text), scoped(&post.title)];
        values.extend(post.tags.iter().map(|t| scoped(&t.name)));
        if let Some(c) = &post.category {
            values.push(scoped(&c.name));
        }
        // Words in most of the clinic's posts say nothing about likeness.
        let clinic_docs = searcher.doc_freq(&Term::from_field_u64(f.clinic_id, post.clinic_id as u64))?.max(2);
        let mlt = MoreLikeThisQuery::builder()
            .with_min_doc_frequency(1)
            .with_max_doc_frequency(clinic_docs * 3 / 4)
            .with_min_term_frequency(1)
            .with_max_query_terms(25)
            // Terms start with the clinic ("7|"): words of 3 letters or more.
            .with_min_word_length(3 + schema::scope_prefix(post.clinic_id).len())
            .with_document_fields(vec![(f.all, values)]);
        let scope = Scope { clinic_id: post.clinic_id, now, facets: Vec::new() };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(mlt))];
        clauses.extend(query::scope_clauses(f, &scope));
        clauses.push((
            Occur::MustNot,
            Box::new(TermQuery::new(Term::from_field_u64(f.post_id, post.id as u64), IndexRecordOption::Basic)),
        ));
        let q = BooleanQuery::new(clauses);
        let top = searcher.search(&q, &TopDocs::with_limit(limit).order_by_score())?;
        let mut out = Vec::new();
        for (_, a) in top {
            let doc: TantivyDocument = searcher.doc(a)?;
            out.push(self.hit(&doc, None));
        }
        Ok(out)
    }

    fn hit(&self, doc: &TantivyDocument, snippets: Option<&Snippets>) -> RawHit {
        let f = &self.fields;
        let text = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_string();
        let category = doc
            .get_first(f.category_ref)
            .and_then(|v| v.as_str())
            .and_then(|s| s.split_once('\t'))
            .map(|(a, b)| (a.to_string(), b.to_string()));
        let snippet_html = match snippets {
            None => String::new(),
            Some(g) => {
                let body = doc.get_first(f.body_text).and_then(|v| v.as_str()).unwrap_or_default();
                snippet_html(g, body)
            }
        };
        RawHit {
            post_id: doc.get_first(f.post_id).and_then(|v| v.as_u64()).unwrap_or(0) as i32,
            slug: text(f.slug),
            title: text(f.title_text),
            published_at: doc.get_first(f.published).and_then(|v| v.as_i64()).unwrap_or(0),
            category,
            snippet_html,
        }
    }

    /// Highlight the query's own words and the index words its typos matched.
    fn snippet_generator(&self, highlight: &[String], typos: &Typos) -> Snippets {
        let mut terms: BTreeMap<String, f32> = BTreeMap::new();
        for t in highlight {
            terms.insert(t.clone(), 1.0);
            for (found, _) in typos.of(t).iter().take(MAX_EXPANSIONS) {
                terms.entry(found.clone()).or_insert(0.5);
            }
        }
        let needles = terms.keys().map(|t| needle(t)).collect();
        let mut generator = SnippetGenerator::new(terms, schema::english(), self.fields.body_text, SNIPPET_CHARS);
        generator.set_max_num_chars(SNIPPET_CHARS);
        Snippets { generator, needles }
    }

    /// "Did you mean": each word the index does not know, replaced by the
    /// most used known word within its typo distance (or 1 edit) that the
    /// clinic's visible posts use.
    fn spelling(&self, searcher: &Searcher, parsed: &Parsed, scope: &Scope) -> Result<Option<String>, IndexError> {
        let mut en = schema::english();
        let mut fold = schema::folded();
        let mut changed = false;
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let clinic = scope.clinic_id;
        // Every count is taken within the clinic's visible posts: terms are
        // the clinic's own, and a word only an unpublished (future) post
        // uses must never be offered.
        let scoped = |field, text: &str| {
            let mut clauses = query::scope_clauses(&self.fields, scope);
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(field, &schema::scoped(clinic, text)),
                    IndexRecordOption::Basic,
                )),
            ));
            BooleanQuery::new(clauses)
        };
        let known_in_scope = |field, text: &str| -> Result<bool, IndexError> {
            // A word the clinic never uses needs no search.
            if searcher.doc_freq(&Term::from_field_text(field, &schema::scoped(clinic, text)))? == 0 {
                return Ok(false);
            }
            any_match(searcher, &scoped(field, text))
        };
        let (from, to) = (schema::scope_prefix(clinic), schema::scope_end(clinic));
        for w in &parsed.words {
            let stems = schema::tokens(&mut en, w);
            let mut known = true;
            for (_, t) in &stems {
                if !known_in_scope(self.fields.all, t)? {
                    known = false;
                }
            }
            if known || stems.len() != 1 {
                out.push(w.clone());
                continue;
            }
            let plain = schema::tokens(&mut fold, w).into_iter().map(|t| t.1).next().unwrap_or_default();
            let d = query::typo_distance(plain.chars().count()).max(1);
            // Look among whole (unstemmed) words, so the suggestion reads well.
            let me = schema::scoped(clinic, &plain);
            let dfa = FuzzyTermQuery::new(Term::from_field_text(self.fields.words, &me), d, true).automaton()?;
            let mut candidates: BTreeMap<String, u64> = BTreeMap::new();
            for seg in searcher.segment_readers() {
                let Ok(inv) = seg.inverted_index(self.fields.words) else { continue };
                let Ok(mut stream) = inv.terms().search(&dfa).ge(&from).lt(&to).into_stream() else { continue };
                while stream.advance() {
                    if let Ok(s) = std::str::from_utf8(stream.key())
                        && s != me
                    {
                        *candidates.entry(schema::unscoped(s).to_string()).or_default() +=
                            stream.value().doc_freq as u64;
                    }
                }
            }
            let mut ranked: Vec<(String, u64)> = candidates.into_iter().collect();
            ranked.sort_by_key(|(_, df)| std::cmp::Reverse(*df));
            // The most used first (posts of every state counted): the
            // first that the clinic's visible posts use is offered. One
            // stop-at-first-hit search per candidate instead of a full count
            // of each: typos were the slowest searches.
            let mut best = None;
            for (cand, _) in ranked.into_iter().take(MAX_EXPANSIONS) {
                if any_match(searcher, &scoped(self.fields.words, &cand))? {
                    best = Some(cand);
                    break;
                }
            }
            match best {
                Some(s) if seen.insert(s.clone()) => {
                    changed = true;
                    out.push(s);
                }
                _ => out.push(w.clone()),
            }
        }
        if !changed {
            return Ok(None);
        }
        let mut text = out.join(" ");
        for p in &parsed.phrases {
            text.push_str(&format!(" \"{p}\""));
        }
        for e in &parsed.excluded {
            text.push_str(&format!(" -{e}"));
        }
        Ok(Some(text))
    }
}

/// What highlights the words of one search in result bodies.
struct Snippets {
    generator: SnippetGenerator,
    /// The start of each highlighted word as it is usually written (see [`needle`]).
    needles: Vec<String>,
}

/// What an analysed word (lower case, folded, stemmed) usually starts with
/// in the text: the stem without its last letter ("therapi" ← "therapy",
/// "inject" ← "injections"), or a short word whole.
fn needle(term: &str) -> String {
    match term.char_indices().last() {
        Some((last, _)) if term.chars().count() > 4 => term[..last].to_string(),
        _ => term.to_string(),
    }
}

/// Where the first of `needles` appears in the first [`SNIPPET_MAX_SCAN`]
/// bytes of `body`, ignoring ASCII case.
fn first_needle(body: &str, needles: &[String]) -> Option<usize> {
    let hay = head(body, SNIPPET_MAX_SCAN).to_ascii_lowercase();
    needles.iter().filter(|n| !n.is_empty()).filter_map(|n| hay.find(n.as_str())).min()
}

/// The part of `text` from about `before` bytes ahead of `at` (at a word's
/// start) to at most `len` bytes on, cut at character boundaries.
fn window(text: &str, at: usize, before: usize, len: usize) -> &str {
    let mut start = at.saturating_sub(before);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    if start > 0 {
        // Start after a space, never inside a word.
        match text[start..at].find(char::is_whitespace) {
            Some(sp) => start += sp + 1,
            None => start = at,
        }
    }
    head(&text[start..], len)
}

/// Bytes analysed around the first place a query word seems to appear,
/// and how many of them come before it.
const SNIPPET_AROUND: usize = 700;
const SNIPPET_LEAD: usize = 120;

/// The snippet of `body`: the best passage with the query's words in
/// `<mark>`, escaped. Analysing text is most of a snippet's cost, so only
/// about [`SNIPPET_AROUND`] bytes around the first place where a query word
/// seems to be written (a plain search for its start, [`needle`]) are
/// analysed first. When that finds none of the words (another word that
/// merely starts alike, an accent), the first [`SNIPPET_WINDOW`] bytes are
/// tried, then up to [`SNIPPET_MAX_SCAN`]; without any word of the query in
/// that, the body's start, escaped.
fn snippet_html(snippets: &Snippets, body: &str) -> String {
    let g = &snippets.generator;
    if let Some(at) = first_needle(body, &snippets.needles) {
        let mut s = g.snippet(window(body, at, SNIPPET_LEAD, SNIPPET_AROUND));
        if !s.fragment().is_empty() {
            s.set_snippet_prefix_postfix("<mark>", "</mark>");
            return s.to_html();
        }
    }
    let mut scanned = 0;
    for max in [SNIPPET_WINDOW, SNIPPET_MAX_SCAN] {
        let text = head(body, max);
        if text.len() <= scanned {
            break;
        }
        scanned = text.len();
        let mut s = g.snippet(text);
        if !s.fragment().is_empty() {
            s.set_snippet_prefix_postfix("<mark>", "</mark>");
            return s.to_html();
        }
    }
    let start: String = body.chars().take(SNIPPET_CHARS).collect();
    app::text::escape_html(&start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::document::Named;
    use std::sync::Arc;
    use tantivy::schema::Facet;

    const NOW: i64 = 1_800_000_000;

    fn named(slug: &str, name: &str) -> Named {
        Named { slug: slug.into(), name: name.into() }
    }

    fn post(id: i32, clinic_id: i32, title: &str, body: &str) -> IndexedPost {
        IndexedPost {
            id,
            clinic_id,
            published: true,
            published_at: NOW - 86_400 * i64::from(id),
            slug: format!("post-{id}"),
            title: title.into(),
            excerpt: String::new(),
            body_text: body.into(),
            headings: Vec::new(),
            category: Some(named("pain", "Pain")),
            tags: Vec::new(),
            author: None,
            locations: Vec::new(),
        }
    }

    /// Clinic 1: three published posts, one draft, one dated in the future;
    /// clinic 2: one post about a word clinic 1 never uses.
    fn fixture() -> SearchIndex {
        let idx = SearchIndex::in_ram().unwrap();
        let mut posts = vec![
            post(1, 1, "Ketamine infusions", "Ketamine infusions can ease stubborn nerve pain for some people."),
            post(
                2,
                1,
                "Nerve blocks explained",
                "A nerve block numbs one nerve for hours <script>alert(1)</script> & more.",
            ),
            post(3, 1, "Gentle stretching", "Stretching each morning loosens a stiff back."),
            post(4, 1, "Secret draft about ketamine", "ketamine draft text"),
            post(5, 1, "Future ketamine article", "ketamine future text"),
            post(6, 2, "Isotretinoin for acne", "Isotretinoin treats severe acne in teenagers."),
        ];
        posts[1].tags = vec![named("nerves", "Nerves")];
        posts[1].category = Some(named("procedures", "Procedures"));
        posts[3].published = false;
        posts[4].published_at = NOW + 86_400;
        idx.write(&posts, &[], Payload { applied: 6, schema: SCHEMA_VERSION, complete: true }).unwrap();
        idx
    }

    fn run(idx: &SearchIndex, clinic_id: i32, text: &str, facets: Vec<Facet>) -> RawResults {
        let parsed = query::parse(text);
        let req = Request {
            parsed: &parsed,
            scope: Scope { clinic_id, now: NOW, facets },
            sort: SortOrder::Relevance,
            offset: 0,
            limit: 10,
        };
        idx.search(&req).unwrap()
    }

    fn ids(r: &RawResults) -> Vec<i32> {
        r.hits.iter().map(|h| h.post_id).collect()
    }

    /// A directory in memory that can be made "full": every file it is
    /// asked to write then fails as a full disk would.
    #[derive(Debug, Clone, Default)]
    struct Disk {
        ram: tantivy::directory::RamDirectory,
        full: Arc<std::sync::atomic::AtomicBool>,
    }

    impl Disk {
        fn check(&self) -> std::io::Result<()> {
            if self.full.load(AtomicOrdering::SeqCst) {
                return Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "No space left on device"));
            }
            Ok(())
        }
    }

    impl tantivy::Directory for Disk {
        fn get_file_handle(
            &self,
            path: &Path,
        ) -> Result<Arc<dyn tantivy::directory::FileHandle>, tantivy::directory::error::OpenReadError> {
            self.ram.get_file_handle(path)
        }
        fn delete(&self, path: &Path) -> Result<(), tantivy::directory::error::DeleteError> {
            self.ram.delete(path)
        }
        fn exists(&self, path: &Path) -> Result<bool, tantivy::directory::error::OpenReadError> {
            self.ram.exists(path)
        }
        fn open_write(
            &self,
            path: &Path,
        ) -> Result<tantivy::directory::WritePtr, tantivy::directory::error::OpenWriteError> {
            self.check()
                .map_err(|e| tantivy::directory::error::OpenWriteError::wrap_io_error(e, path.to_path_buf()))?;
            self.ram.open_write(path)
        }
        fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, tantivy::directory::error::OpenReadError> {
            self.ram.atomic_read(path)
        }
        fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
            self.check()?;
            self.ram.atomic_write(path, data)
        }
        fn sync_directory(&self) -> std::io::Result<()> {
            self.ram.sync_directory()
        }
        fn watch(&self, cb: tantivy::directory::WatchCallback) -> tantivy::Result<tantivy::directory::WatchHandle> {
            self.ram.watch(cb)
        }
    }

    /// A full disk fails the commit and leaves the index as it was at the
    /// last commit (its payload too); once there is room again, the same
    /// write succeeds on the same `SearchIndex`.
    #[test]
    fn a_full_disk_fails_the_commit_cleanly_and_the_next_attempt_succeeds() {
        let disk = Disk::default();
        let index = Index::create(disk.clone(), schema::schema(), tantivy::IndexSettings::default()).unwrap();
        let idx = SearchIndex::from_index(index).unwrap();
        let payload = |applied| Payload { applied, schema: SCHEMA_VERSION, complete: true };
        idx.write(&[post(1, 1, "Ketamine infusions", "Ketamine eases nerve pain.")], &[], payload(1)).unwrap();

        disk.full.store(true, AtomicOrdering::SeqCst);
        let stretching = post(2, 1, "Gentle stretching", "Stretching loosens a stiff back.");
        let failed = idx.write(std::slice::from_ref(&stretching), &[1], payload(2));
        assert!(failed.is_err(), "the commit cannot succeed on a full disk");
        assert_eq!(idx.payload().unwrap().applied, 1);
        assert_eq!(ids(&run(&idx, 1, "ketamine", vec![])), [1], "the deletion was not half-applied");
        assert!(ids(&run(&idx, 1, "stretching", vec![])).is_empty());

        disk.full.store(false, AtomicOrdering::SeqCst);
        idx.write(std::slice::from_ref(&stretching), &[1], payload(2)).unwrap();
        assert_eq!(idx.payload().unwrap().applied, 2);
        assert_eq!(ids(&run(&idx, 1, "stretching", vec![])), [2]);
        assert!(ids(&run(&idx, 1, "ketamine", vec![])).is_empty());
    }

    #[test]
    fn only_the_clinics_published_posts_are_found() {
        let idx = fixture();
        assert_eq!(ids(&run(&idx, 1, "ketamine", vec![])), [1], "no draft, no future post");
        assert!(ids(&run(&idx, 2, "ketamine", vec![])).is_empty(), "nothing from clinic 1 in clinic 2");
        assert!(ids(&run(&idx, 1, "isotretinoin", vec![])).is_empty());
        // Field syntax is just words: it cannot reach another clinic.
        let r = run(&idx, 1, "clinic_id:2 isotretinoin", vec![]);
        assert!(ids(&r).is_empty(), "{:?}", r.hits);
    }

    #[test]
    fn snippets_highlight_words_and_escape_the_text() {
        let idx = fixture();
        let r = run(&idx, 1, "nerve block", vec![]);
        let hit = r.hits.iter().find(|h| h.post_id == 2).expect("post 2 found");
        assert!(hit.snippet_html.contains("<mark>"), "{}", hit.snippet_html);
        assert!(!hit.snippet_html.contains("<script>"), "{}", hit.snippet_html);
        assert!(
            hit.snippet_html.contains("&lt;script&gt;") && hit.snippet_html.contains("&amp;"),
            "{}",
            hit.snippet_html
        );
    }

    #[test]
    fn exact_words_rank_above_typos_and_typos_still_match() {
        let idx = SearchIndex::in_ram().unwrap();
        let posts = vec![
            post(1, 1, "Stretches", "Gabapentin helps nerve pain. Sit up straight."),
            post(2, 1, "Other", "Gabapentan is how a patient wrote it."),
        ];
        idx.write(&posts, &[], Payload::default()).unwrap();
        assert_eq!(ids(&run(&idx, 1, "gabapentin", vec![])), [1, 2], "exact first, the near miss after");
        assert_eq!(ids(&run(&idx, 1, "gabapentn", vec![])).len(), 2, "a typo finds both");
        // Four-letter words are matched exactly only, and so are words whose stem is that short.
        assert!(ids(&run(&idx, 1, "pian", vec![])).is_empty());
        assert!(ids(&run(&idx, 1, "cupping", vec![])).is_empty(), "\"cup\" must not match \"helps\" or anything near");
    }

    #[test]
    fn typos_of_a_known_word_are_looked_up_without_the_word_itself() {
        let idx = SearchIndex::in_ram().unwrap();
        idx.write(&[post(1, 1, "One", "Gabapentin helps.")], &[], Payload::default()).unwrap();
        // A second segment: variants are gathered from every segment.
        idx.write(&[post(2, 1, "Two", "Gabapentan, as written.")], &[], Payload::default()).unwrap();
        let searcher = idx.searcher();
        let found = query::typo_variants(&searcher, idx.fields.all, 1, "gabapentin", 1).unwrap();
        assert_eq!(found.into_keys().collect::<Vec<_>>(), ["gabapentan"], "the neighbour, not the word itself");
        // Only the clinic's own words: clinic 2 has none near it.
        assert!(query::typo_variants(&searcher, idx.fields.all, 2, "gabapentin", 1).unwrap().is_empty());
        // The exact word ranks first; its misspelling is still found; an
        // unknown word finds both.
        assert_eq!(ids(&run(&idx, 1, "gabapentin", vec![])), [1, 2]);
        assert_eq!(ids(&run(&idx, 1, "gabapentan", vec![])), [2, 1]);
        let r = run(&idx, 1, "gabapentn", vec![]);
        assert_eq!((r.total, ids(&r).len()), (2, 2));
        // A word nothing is near finds nothing.
        assert!(ids(&run(&idx, 1, "zyxwvutsr", vec![])).is_empty());
    }

    #[test]
    fn phrases_stay_in_the_clinic() {
        let idx = fixture();
        assert_eq!(ids(&run(&idx, 2, "\"severe acne\"", vec![])), [6]);
        assert!(ids(&run(&idx, 1, "\"severe acne\"", vec![])).is_empty());
        let mut found = ids(&run(&idx, 1, "nerve -\"severe acne\"", vec![]));
        found.sort_unstable();
        assert_eq!(found, [1, 2], "another clinic's phrase excludes nothing here");
    }

    #[test]
    fn one_pass_counts_every_match_whatever_the_page() {
        let idx = fixture();
        let parsed = query::parse("nerve");
        for (offset, on_page) in [(0, 1), (1, 1), (5, 0)] {
            let req = Request {
                parsed: &parsed,
                scope: Scope { clinic_id: 1, now: NOW, facets: vec![] },
                sort: SortOrder::Newest,
                offset,
                limit: 1,
            };
            let r = idx.search(&req).unwrap();
            assert_eq!((r.total, r.hits.len()), (2, on_page), "offset {offset}");
            assert!(r.facets.contains(&("category".into(), "procedures".into(), 1)), "{:?}", r.facets);
        }
        // Nothing has both words: the any-word pass counts and lists.
        let r = run(&idx, 1, "ketamine stretching", vec![]);
        assert_eq!((r.mode, r.total, r.hits.len()), (MatchMode::Any, 2, 2));
        assert_eq!(r.facets, [("category".to_string(), "pain".to_string(), 2)]);
    }

    #[test]
    fn snippets_of_long_bodies_still_find_the_words() {
        let idx = SearchIndex::in_ram().unwrap();
        let filler = "Plain words about nothing much. ".repeat(200);
        let posts = vec![
            post(1, 1, "Early", &format!("Acupuncture <b>first</b>. {filler}")),
            post(2, 1, "Late", &format!("{filler} Then acupuncture & more.")),
            post(3, 1, "Acupuncture in the title", &format!("Ünïcode <i>start</i> {filler}")),
        ];
        idx.write(&posts, &[], Payload::default()).unwrap();
        let r = run(&idx, 1, "acupuncture", vec![]);
        let snippet = |id| r.hits.iter().find(|h| h.post_id == id).unwrap().snippet_html.clone();
        assert!(snippet(1).contains("<mark>Acupuncture</mark> &lt;b&gt;first"), "{}", snippet(1));
        assert!(snippet(2).contains("<mark>acupuncture</mark> &amp; more"), "{}", snippet(2));
        // Not in the body: its start, escaped, never cut inside a character.
        assert!(snippet(3).starts_with("Ünïcode &lt;i&gt;start"), "{}", snippet(3));
        assert_eq!(head("aé", 2), "a");
        assert_eq!(needle("therapi"), "therap");
        assert_eq!(needle("hip"), "hip");
        assert_eq!(window("one two three four", 9, 5, 100), "three four", "from a word's start");
        assert_eq!(window("one two three four", 9, 50, 7), "one two");
        assert_eq!(window("éé twoé", 6, 3, 100), "twoé", "back to a character boundary, then the word");
        assert_eq!(head("aé", 3), "aé");
    }

    #[test]
    fn every_commit_and_every_index_is_another_snapshot() {
        let idx = fixture();
        let a = run(&idx, 1, "nerve", vec![]).snapshot;
        assert_eq!(run(&idx, 1, "ketamine", vec![]).snapshot, a, "same commit");
        idx.write(&[post(9, 1, "New", "nerve")], &[], Payload { applied: 9, ..idx.payload().unwrap() }).unwrap();
        let b = run(&idx, 1, "nerve", vec![]).snapshot;
        assert_ne!(a, b);
        let other = fixture();
        assert_ne!(run(&other, 1, "nerve", vec![]).snapshot.index, b.index);
    }

    #[test]
    fn all_words_then_any_word() {
        let idx = fixture();
        let r = run(&idx, 1, "ketamine nerve", vec![]);
        assert_eq!((r.mode, ids(&r)), (MatchMode::All, vec![1]));
        let r = run(&idx, 1, "ketamine stretching", vec![]);
        assert_eq!(r.mode, MatchMode::Any);
        assert_eq!(ids(&r).len(), 2);
        let r = run(&idx, 1, "nerve -ketamine", vec![]);
        assert_eq!(ids(&r), [2]);
        let r = run(&idx, 1, "\"stubborn nerve\"", vec![]);
        assert_eq!(ids(&r), [1]);
        assert!(ids(&run(&idx, 1, "\"nerve stubborn\"", vec![])).is_empty());
        assert!(run(&idx, 1, "the and of", vec![]).nothing_to_search);
    }

    #[test]
    fn facets_count_and_filter_and_browse_without_words() {
        let idx = fixture();
        let r = run(&idx, 1, "nerve", vec![]);
        assert!(r.facets.contains(&("category".into(), "procedures".into(), 1)), "{:?}", r.facets);
        assert!(r.facets.contains(&("tag".into(), "nerves".into(), 1)), "{:?}", r.facets);
        let r = run(&idx, 1, "nerve", vec![Facet::from_path(["category", "pain"])]);
        assert_eq!(ids(&r), [1]);
        // Filters alone list what they leave, newest first.
        let r = run(&idx, 1, "", vec![Facet::from_path(["category", "pain"])]);
        assert!(!r.nothing_to_search);
        assert_eq!(ids(&r), [1, 3]);
    }

    #[test]
    fn facet_counts_follow_edits_across_segments() {
        let idx = fixture();
        let category = |r: &RawResults| -> Vec<(String, u64)> {
            r.facets.iter().filter(|f| f.0 == "category").map(|f| (f.1.clone(), f.2)).collect()
        };
        let before = run(&idx, 1, "nerve", vec![]);
        assert_eq!(category(&before), [("pain".to_string(), 1), ("procedures".to_string(), 1)]);
        // Post 2 moves to another category in a new segment; its old
        // document is deleted, not counted.
        let mut moved = post(2, 1, "Nerve blocks explained", "A nerve block numbs one nerve for hours.");
        moved.category = Some(named("injections", "Injections"));
        moved.tags = vec![named("nerves", "Nerves"), named("blocks", "Blocks")];
        idx.write(&[moved], &[], Payload { applied: 7, schema: SCHEMA_VERSION, complete: true }).unwrap();
        let after = run(&idx, 1, "nerve", vec![]);
        assert_eq!(category(&after), [("injections".to_string(), 1), ("pain".to_string(), 1)]);
        let tags: Vec<&str> = after.facets.iter().filter(|f| f.0 == "tag").map(|f| f.1.as_str()).collect();
        assert_eq!(tags, ["blocks", "nerves"], "each kind's values in slug order");
        // Kinds come in their order: categories, tags, authors, offices.
        let kinds: Vec<&str> = after.facets.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(kinds, ["category", "category", "tag", "tag"]);
        // Deleted: no facet of it is counted any more.
        idx.write(&[], &[2], Payload { applied: 8, schema: SCHEMA_VERSION, complete: true }).unwrap();
        let gone = run(&idx, 1, "nerve", vec![]);
        assert_eq!(category(&gone), [("pain".to_string(), 1)]);
        assert!(gone.facets.iter().all(|f| f.0 != "tag"), "{:?}", gone.facets);
    }

    #[test]
    fn suggestions_match_the_word_being_typed() {
        let idx = fixture();
        let parsed = query::parse("stretch");
        let scope = Scope { clinic_id: 1, now: NOW, facets: vec![] };
        let found: Vec<i32> = idx.suggest(&parsed, &scope, 5).unwrap().iter().map(|h| h.post_id).collect();
        assert_eq!(found, [3]);
        let parsed = query::parse("ketam");
        let found: Vec<i32> = idx.suggest(&parsed, &scope, 5).unwrap().iter().map(|h| h.post_id).collect();
        assert_eq!(found, [1], "a prefix of the last word; no draft, no future post");
    }

    #[test]
    fn spelling_suggestions_come_from_the_clinics_own_words() {
        let idx = fixture();
        assert_eq!(run(&idx, 1, "ketamime", vec![]).suggestion.as_deref(), Some("ketamine"));
        assert_eq!(run(&idx, 2, "isotretinoim", vec![]).suggestion.as_deref(), Some("isotretinoin"));
        // Clinic 2 has never written "ketamine": it must not learn that word from clinic 1.
        assert_eq!(run(&idx, 2, "ketamime", vec![]).suggestion, None);
        // Nor from a draft of its own clinic.
        assert_eq!(run(&idx, 1, "secrt", vec![]).suggestion, None);
    }

    #[test]
    fn related_posts_stay_in_the_clinic_and_skip_the_post_itself() {
        let idx = fixture();
        let me = post(1, 1, "Ketamine infusions", "Ketamine infusions can ease stubborn nerve pain for some people.");
        let found: Vec<i32> = idx.related(&me, NOW, 5).unwrap().iter().map(|h| h.post_id).collect();
        assert!(!found.contains(&1) && !found.contains(&4) && !found.contains(&5) && !found.contains(&6), "{found:?}");
        assert!(found.contains(&2), "the other nerve article: {found:?}");
    }

    #[test]
    fn a_rewrite_replaces_and_a_deletion_removes() {
        let idx = fixture();
        let mut p = post(3, 1, "Gentle yoga", "Yoga for a stiff back.");
        idx.write(std::slice::from_ref(&p), &[], Payload { applied: 7, ..idx.payload().unwrap() }).unwrap();
        assert!(ids(&run(&idx, 1, "stretching", vec![])).is_empty());
        assert_eq!(ids(&run(&idx, 1, "yoga", vec![])), [3]);
        p.published = false;
        idx.write(&[p], &[2], Payload { applied: 8, ..idx.payload().unwrap() }).unwrap();
        assert!(ids(&run(&idx, 1, "yoga", vec![])).is_empty(), "unpublished");
        assert!(ids(&run(&idx, 1, "block", vec![])).is_empty(), "deleted");
        assert_eq!(idx.payload().unwrap(), Payload { applied: 8, schema: SCHEMA_VERSION, complete: true });
    }
}
