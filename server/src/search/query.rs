//! From what a visitor typed to a tantivy query.
//!
//! The text is never given to tantivy's query parser: we read words,
//! "quoted phrases" and -exclusions ourselves and build the query from
//! analysed tokens, so field names, boolean operators, wildcards or regex
//! characters in the text are just text, and the clinic filter cannot be
//! escaped.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

use app::search::model::MAX_QUERY_CHARS;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

use super::schema::{
    Fields, TAGS_BOOST, TITLE_BOOST, english, folded, scope_end, scope_prefix, scoped, tokens, unscoped,
};

/// What was typed, read as words, phrases and exclusions.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub words: Vec<String>,
    pub phrases: Vec<String>,
    pub excluded: Vec<String>,
    /// The text was longer than [`MAX_QUERY_CHARS`] and was cut.
    pub truncated: bool,
    /// The last word is still being typed (no space after it).
    pub open_last_word: bool,
}

impl Parsed {
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.phrases.is_empty()
    }
}

/// Read the visitor's text. Control characters are dropped; an unbalanced
/// quote quotes to the end; a lone `-` is ignored.
pub fn parse(input: &str) -> Parsed {
    let cleaned: String = input.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let truncated = cleaned.chars().count() > MAX_QUERY_CHARS;
    let text: String = cleaned.chars().take(MAX_QUERY_CHARS).collect();
    let mut p = Parsed { truncated, ..Parsed::default() };
    let mut last_was_word = false;
    let mut rest = text.as_str();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let (negated, after_sign) = match rest.strip_prefix('-') {
            Some(r) if !r.is_empty() && !r.starts_with(char::is_whitespace) => (true, r),
            _ => (false, rest),
        };
        if let Some(quoted) = after_sign.strip_prefix('"') {
            let (inside, next) = match quoted.find('"') {
                Some(end) => (&quoted[..end], &quoted[end + 1..]),
                None => (quoted, ""),
            };
            let inside = inside.trim();
            if !inside.is_empty() {
                if negated { p.excluded.push(inside.to_string()) } else { p.phrases.push(inside.to_string()) }
            }
            last_was_word = false;
            rest = next;
            continue;
        }
        let end = after_sign.find(char::is_whitespace).unwrap_or(after_sign.len());
        let word = &after_sign[..end];
        rest = &after_sign[end..];
        if word == "-" || word.is_empty() {
            continue;
        }
        last_was_word = !negated;
        if negated { p.excluded.push(word.to_string()) } else { p.words.push(word.to_string()) }
    }
    // Phrases and exclusions are complete by definition; a word is open until a space follows it.
    p.open_last_word = last_was_word && !text.ends_with(char::is_whitespace);
    p
}

/// Edit distance allowed for a word of `chars` letters: 1 from 5, 2 from 9.
pub fn typo_distance(chars: usize) -> u8 {
    match chars {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// Query options.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Every word must match (else: any word, best first).
    pub all_words: bool,
    /// Let the last word match as a prefix (search-as-you-type).
    pub prefix_last: bool,
}

/// Filters that are not about the text.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub clinic_id: i32,
    /// Unix seconds: only posts published at or before this.
    pub now: i64,
    pub facets: Vec<Facet>,
}

/// The analysed tokens of one word (a word may become several tokens,
/// "covid-19" → "covid", "19"; or none, "the").
struct Word {
    tokens: Vec<String>,
    /// Letters in the word as typed: decides the typo distance.
    chars: usize,
    /// The folded, unstemmed form, for prefix matching.
    folded: Option<String>,
}

/// Typo distance of token `t` of word `w`: allowed by the shorter of the
/// typed word and its stem, so a split word ("clinic_id:2") or a short stem
/// ("cupping" → "cup") never matches "1" or "up".
fn token_distance(w: &Word, t: &str) -> u8 {
    typo_distance(w.chars.min(t.chars().count()))
}

/// The words' tokens that may match with typos: (stemmed token, distance).
pub fn fuzzy_tokens(parsed: &Parsed) -> Vec<(String, u8)> {
    let mut en = english();
    let mut fold = folded();
    let mut out: Vec<(String, u8)> = Vec::new();
    for w in &parsed.words {
        let w = analyse_word(&mut en, &mut fold, w);
        for t in &w.tokens {
            let d = token_distance(&w, t);
            if d > 0 && !out.iter().any(|(o, _)| o == t) {
                out.push((t.clone(), d));
            }
        }
    }
    out
}

/// A word that at least this many of the clinic's posts contain is taken
/// as spelt right: its typo variants are not looked up (posts that
/// misspell it would rank below all of these anyway).
pub const COMMON_WORD_POSTS: u64 = 100;

/// The typo variants of a query's words found in the clinic's own words:
/// for each token, the index words within its distance (not the token
/// itself) with how many posts have them, most first. Looked up once per
/// search and shared by the all-words query, the any-word fallback and the
/// snippets. A common word ([`COMMON_WORD_POSTS`]) has none.
#[derive(Debug, Default, Clone)]
pub struct Typos {
    by_token: HashMap<String, Vec<(String, u64)>>,
}

impl Typos {
    /// Look up the variants of every typo-tolerant word of `parsed` in clinic `clinic_id`.
    pub fn find(searcher: &Searcher, fields: &Fields, parsed: &Parsed, clinic_id: i32) -> tantivy::Result<Typos> {
        let mut by_token = HashMap::new();
        for (t, d) in fuzzy_tokens(parsed) {
            let exact = searcher.doc_freq(&Term::from_field_text(fields.all, &scoped(clinic_id, &t)))?;
            if exact >= COMMON_WORD_POSTS {
                by_token.insert(t, Vec::new());
                continue;
            }
            let found = typo_variants(searcher, fields.all, clinic_id, &t, d)?;
            let mut v: Vec<(String, u64)> = found.into_iter().collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            by_token.insert(t, v);
        }
        Ok(Typos { by_token })
    }

    /// The variants of `token`, most common first (none if it allows no typos).
    pub fn of(&self, token: &str) -> &[(String, u64)] {
        self.by_token.get(token).map_or(&[], Vec::as_slice)
    }
}

pub struct Built {
    pub query: Box<dyn Query>,
    /// Index words (analysed, without the clinic) to highlight in the body.
    pub highlight: Vec<String>,
    /// Positive clauses in the query (0: nothing searchable was typed).
    pub clauses: usize,
    /// No words, but filters chosen: every post the filters leave, newest first.
    pub browse: bool,
}

/// Build the tantivy query for `parsed` within `scope`; `typos` are the
/// words' variants ([`Typos::find`]; an empty one: exact words only).
pub fn build(fields: &Fields, parsed: &Parsed, scope: &Scope, opts: Options, typos: &Typos) -> Built {
    let mut en = english();
    let mut fold = folded();
    let clinic = scope.clinic_id;
    let mut positive: Vec<Box<dyn Query>> = Vec::new();
    let mut highlight = Vec::new();

    let words: Vec<Word> = parsed.words.iter().map(|w| analyse_word(&mut en, &mut fold, w)).collect();
    let last = words.len().saturating_sub(1);
    for (i, w) in words.iter().enumerate() {
        let prefix = opts.prefix_last && parsed.open_last_word && i == last;
        for t in &w.tokens {
            let variants = if token_distance(w, t) > 0 { typos.of(t) } else { &[] };
            positive.push(word_clause(fields, clinic, t, variants, prefix.then_some(w.folded.as_deref()).flatten()));
            highlight.push(t.clone());
        }
        if prefix && w.tokens.is_empty() {
            // A stop word still being typed ("the" → "therapy"): prefix only.
            if let Some(f) = &w.folded {
                positive.push(prefix_clause(fields, clinic, f));
            }
        }
    }
    for ph in &parsed.phrases {
        if let Some(q) = phrase_clause(fields, &mut en, ph, clinic) {
            positive.push(q);
            highlight.extend(tokens(&mut en, ph).into_iter().map(|t| t.1));
        }
    }
    let clauses = positive.len();
    let browse = clauses == 0 && !scope.facets.is_empty();

    let mut outer: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if browse {
        outer.push((Occur::Must, Box::new(AllQuery)));
    }
    if opts.all_words {
        outer.extend(positive.into_iter().map(|q| (Occur::Must, q)));
    } else if !positive.is_empty() {
        let any = BooleanQuery::new(positive.into_iter().map(|q| (Occur::Should, q)).collect());
        outer.push((Occur::Must, Box::new(any)));
    }
    for ex in &parsed.excluded {
        let toks = tokens(&mut en, ex);
        if toks.len() > 1 {
            if let Some(q) = phrase_in(fields.all, clinic, &toks) {
                outer.push((Occur::MustNot, q));
            }
        } else if let Some((_, t)) = toks.into_iter().next() {
            outer.push((Occur::MustNot, term(fields.all, clinic, &t, IndexRecordOption::Basic)));
        }
    }
    outer.extend(scope_clauses(fields, scope));
    Built { query: Box::new(BooleanQuery::new(outer)), highlight, clauses, browse }
}

/// The clinic, the publication time and the chosen filters, none of them scoring.
pub fn scope_clauses(fields: &Fields, scope: &Scope) -> Vec<(Occur, Box<dyn Query>)> {
    let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    out.push((Occur::Must, clinic_filter(fields, scope.clinic_id)));
    let visible = RangeQuery::new(Bound::Unbounded, Bound::Included(Term::from_field_i64(fields.published, scope.now)));
    out.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(visible), 0.0))));
    for f in &scope.facets {
        let q = TermQuery::new(Term::from_facet(fields.facets, f), IndexRecordOption::Basic);
        out.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(q), 0.0))));
    }
    out
}

/// The clinic's documents, not scoring. Every word and phrase is already
/// looked up among the clinic's own terms; this keeps filters-only
/// browsing and any query in the clinic all the same.
fn clinic_filter(fields: &Fields, clinic_id: i32) -> Box<dyn Query> {
    let clinic = TermQuery::new(Term::from_field_u64(fields.clinic_id, clinic_id as u64), IndexRecordOption::Basic);
    Box::new(ConstScoreQuery::new(Box::new(clinic), 0.0))
}

fn analyse_word(en: &mut TextAnalyzer, fold: &mut TextAnalyzer, w: &str) -> Word {
    let folded = tokens(fold, w).into_iter().map(|t| t.1).next_back();
    Word {
        tokens: tokens(en, w).into_iter().map(|t| t.1).collect(),
        chars: w.chars().filter(|c| c.is_alphanumeric()).count(),
        folded,
    }
}

/// The term query for analysed word `token` of clinic `clinic` in `field`.
fn term(field: Field, clinic: i32, token: &str, record: IndexRecordOption) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, &scoped(clinic, token)), record))
}

/// Extra score for a word in the title or the tags; never decides a match.
fn boosts(fields: &Fields, clinic: i32, token: &str) -> [(Occur, Box<dyn Query>); 2] {
    [
        (
            Occur::Should,
            Box::new(BoostQuery::new(term(fields.title, clinic, token, IndexRecordOption::WithFreqs), TITLE_BOOST)),
        ),
        (
            Occur::Should,
            Box::new(BoostQuery::new(term(fields.tags, clinic, token, IndexRecordOption::WithFreqs), TAGS_BOOST)),
        ),
    ]
}

/// One word: exact in the post's text (BM25, more in the title or tags),
/// or — scoring [`TYPO_SCORE`], well below — one of its typo variants, or
/// — while typing — any word starting with it.
fn word_clause(
    fields: &Fields,
    clinic: i32,
    token: &str,
    variants: &[(String, u64)],
    prefix: Option<&str>,
) -> Box<dyn Query> {
    let exact = term(fields.all, clinic, token, IndexRecordOption::WithFreqs);
    let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if !variants.is_empty() {
        let any: Vec<(Occur, Box<dyn Query>)> = variants
            .iter()
            .map(|(v, _)| (Occur::Should, term(fields.all, clinic, v, IndexRecordOption::Basic)))
            .collect();
        alternatives
            .push((Occur::Should, Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(any)), TYPO_SCORE))));
    }
    if let Some(p) = prefix {
        alternatives.push((Occur::Should, prefix_clause(fields, clinic, p)));
    }
    let matching = if alternatives.is_empty() {
        exact
    } else {
        alternatives.insert(0, (Occur::Should, exact));
        Box::new(BooleanQuery::new(alternatives))
    };
    let mut clauses = vec![(Occur::Must, matching)];
    clauses.extend(boosts(fields, clinic, token));
    if !variants.is_empty() {
        // A typo's variants in the title or tags count too (constant, like
        // the variant match itself), so "gabapentn" puts the post titled
        // "Gabapentin…" before one that only mentions it — on every database.
        let in_field = |field| -> Box<dyn Query> {
            let any: Vec<(Occur, Box<dyn Query>)> = variants
                .iter()
                .map(|(v, _)| (Occur::Should, term(field, clinic, v, IndexRecordOption::Basic)))
                .collect();
            Box::new(BooleanQuery::new(any))
        };
        clauses.push((Occur::Should, Box::new(ConstScoreQuery::new(in_field(fields.title), TYPO_SCORE))));
        clauses.push((Occur::Should, Box::new(ConstScoreQuery::new(in_field(fields.tags), TYPO_SCORE / 2.0))));
    }
    Box::new(BooleanQuery::new(clauses))
}

fn prefix_clause(fields: &Fields, clinic: i32, folded: &str) -> Box<dyn Query> {
    let q = FuzzyTermQuery::new_prefix(Term::from_field_text(fields.words, &scoped(clinic, folded)), 0, false);
    Box::new(BoostQuery::new(Box::new(q), 0.5))
}

/// Score of a document in which a typo of a word matched (exact matches
/// score with BM25, well above).
pub const TYPO_SCORE: f32 = 0.3;

/// Words of clinic `clinic_id` in `field` within `distance` edits of
/// `token` (a swap of two letters counts as one), not `token` itself, with
/// their document frequency summed over the segments; without the clinic
/// prefix.
///
/// The token itself is left out: the exact clause beside the variants
/// matches it, and a common word's postings are by far the longest of its
/// neighbours. A word the index does not contain still finds its near
/// misses, and a word it does contain still finds the posts that misspell
/// it. Only the clinic's part of each term dictionary is walked.
pub fn typo_variants(
    searcher: &Searcher,
    field: Field,
    clinic_id: i32,
    token: &str,
    distance: u8,
) -> tantivy::Result<BTreeMap<String, u64>> {
    let me = scoped(clinic_id, token);
    let (from, to) = (scope_prefix(clinic_id), scope_end(clinic_id));
    // The clinic prefix is the same on both sides, so edits are counted in
    // the word alone.
    let dfa = FuzzyTermQuery::new(Term::from_field_text(field, &me), distance, true).automaton()?;
    let mut found = BTreeMap::new();
    for seg in searcher.segment_readers() {
        let inverted = seg.inverted_index(field)?;
        let mut stream = inverted.terms().search(&dfa).ge(&from).lt(&to).into_stream()?;
        while stream.advance() {
            if let Ok(s) = std::str::from_utf8(stream.key())
                && s != me
            {
                *found.entry(unscoped(s).to_string()).or_default() += u64::from(stream.value().doc_freq);
            }
        }
    }
    Ok(found)
}

/// `toks` (analysed, with positions) as a phrase in `field` of clinic `clinic`.
fn phrase_in(field: Field, clinic: i32, toks: &[(usize, String)]) -> Option<Box<dyn Query>> {
    match toks.len() {
        0 => None,
        1 => Some(term(field, clinic, &toks[0].1, IndexRecordOption::WithFreqs)),
        _ => {
            let terms: Vec<(usize, Term)> =
                toks.iter().map(|(pos, t)| (*pos, Term::from_field_text(field, &scoped(clinic, t)))).collect();
            Some(Box::new(PhraseQuery::new_with_offset(terms)))
        }
    }
}

/// A quoted phrase: the words in this order (stop words between them may
/// differ) within one text of the post, scoring more in the title. One
/// word: that word.
fn phrase_clause(fields: &Fields, en: &mut TextAnalyzer, text: &str, clinic: i32) -> Option<Box<dyn Query>> {
    let toks = tokens(en, text);
    let matching = phrase_in(fields.all, clinic, &toks)?;
    let in_title = phrase_in(fields.title, clinic, &toks)?;
    Some(Box::new(BooleanQuery::new(vec![
        (Occur::Must, matching),
        (Occur::Should, Box::new(BoostQuery::new(in_title, TITLE_BOOST))),
    ])))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(p: &Parsed) -> Vec<&str> {
        p.words.iter().map(String::as_str).collect()
    }

    #[test]
    fn reads_words_phrases_and_exclusions() {
        let p = parse(r#"ketamine "treatment resistant" -surgery depression"#);
        assert_eq!(words(&p), ["ketamine", "depression"]);
        assert_eq!(p.phrases, ["treatment resistant"]);
        assert_eq!(p.excluded, ["surgery"]);
        assert!(p.open_last_word);
        assert!(!parse("ketamine ").open_last_word);
        assert!(!parse(r#"ketamine "for pain""#).open_last_word);
    }

    #[test]
    fn bad_input_is_just_text() {
        // Unbalanced quote: quotes to the end.
        assert_eq!(parse(r#"back "pain relief"#).phrases, ["pain relief"]);
        // Lone dash, only dashes, only quotes.
        assert!(parse("-").is_empty());
        let p = parse(" - -- \"\" ");
        assert!(p.is_empty() && p.excluded.is_empty(), "{p:?}");
        // Query syntax is not syntax here.
        let p = parse("title:x AND (");
        assert_eq!(words(&p), ["title:x", "AND", "("]);
        // Control bytes are spaces.
        assert_eq!(words(&parse("knee\u{0}pain\u{7}")), ["knee", "pain"]);
        // Long input is cut at a character boundary, and said so.
        let long = "é".repeat(10_000);
        let p = parse(&long);
        assert!(p.truncated);
        assert_eq!(p.words[0].chars().count(), MAX_QUERY_CHARS);
    }

    #[test]
    fn typo_distance_grows_with_length() {
        assert_eq!(typo_distance(4), 0);
        assert_eq!(typo_distance(5), 1);
        assert_eq!(typo_distance(8), 1);
        assert_eq!(typo_distance(9), 2);
    }
}
