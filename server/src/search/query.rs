//! From what a visitor typed to a tantivy query.
//!
//! The text is never given to tantivy's query parser: we read words,
//! "quoted phrases" and -exclusions ourselves and build the query from
//! analysed tokens, so field names, boolean operators, wildcards or regex
//! characters in the text are just text, and the clinic filter cannot be
//! escaped.

use std::collections::BTreeSet;
use std::ops::Bound;

use app::search::model::MAX_QUERY_CHARS;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, EnableScoring, FuzzyTermQuery, Occur, PhraseQuery,
    Query, RangeQuery, TermQuery, Weight,
};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

use super::schema::{Fields, english, folded, tokens};

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

pub struct Built {
    pub query: Box<dyn Query>,
    /// Index terms (analysed words) to highlight in the body.
    pub highlight: Vec<String>,
    /// Words that can be looked up for typo expansion: (stemmed token, distance).
    pub fuzzy: Vec<(String, u8)>,
    /// Positive clauses in the query (0: nothing searchable was typed).
    pub clauses: usize,
    /// No words, but filters chosen: every post the filters leave, newest first.
    pub browse: bool,
}

/// Build the tantivy query for `parsed` within `scope`.
pub fn build(fields: &Fields, parsed: &Parsed, scope: &Scope, opts: Options) -> Built {
    let mut en = english();
    let mut fold = folded();
    let mut positive: Vec<Box<dyn Query>> = Vec::new();
    let mut highlight = Vec::new();
    let mut fuzzy = Vec::new();

    let words: Vec<Word> = parsed.words.iter().map(|w| analyse_word(&mut en, &mut fold, w)).collect();
    let last = words.len().saturating_sub(1);
    for (i, w) in words.iter().enumerate() {
        let prefix = opts.prefix_last && parsed.open_last_word && i == last;
        for t in &w.tokens {
            // Typos allowed by the shorter of the typed word and its stem, so
            // a split word ("clinic_id:2") or a short stem ("cupping" → "cup")
            // never matches "1" or "up".
            let d = typo_distance(w.chars.min(t.chars().count()));
            positive.push(word_clause(fields, t, d, prefix.then_some(w.folded.as_deref()).flatten()));
            highlight.push(t.clone());
            if d > 0 {
                fuzzy.push((t.clone(), d));
            }
        }
        if prefix && w.tokens.is_empty() {
            // A stop word still being typed ("the" → "therapy"): prefix only.
            if let Some(f) = &w.folded {
                positive.push(prefix_clause(fields, f));
            }
        }
    }
    for ph in &parsed.phrases {
        if let Some(q) = phrase_clause(fields, &mut en, ph, scope.clinic_id) {
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
            if let Some(q) = phrase_clause(fields, &mut en, ex, scope.clinic_id) {
                outer.push((Occur::MustNot, q));
            }
        } else if let Some((_, t)) = toks.into_iter().next() {
            outer.push((Occur::MustNot, exact_any_field(fields, &t)));
        }
    }
    outer.extend(scope_clauses(fields, scope));
    Built { query: Box::new(BooleanQuery::new(outer)), highlight, fuzzy, clauses, browse }
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

/// The clinic's documents, not scoring.
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

/// One word: exact in any field (weighted), then typos (title, tags, body)
/// ranked well below, then — while typing — any title word starting with it.
fn word_clause(fields: &Fields, token: &str, distance: u8, prefix: Option<&str>) -> Box<dyn Query> {
    let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (field, weight) in fields.weighted() {
        let q = TermQuery::new(Term::from_field_text(field, token), IndexRecordOption::WithFreqs);
        any.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), weight))));
    }
    if distance > 0 {
        let typos = TypoQuery { fields: vec![fields.title, fields.tags, fields.body], token: token.into(), distance };
        any.push((Occur::Should, Box::new(typos)));
    }
    if let Some(p) = prefix {
        any.push((Occur::Should, prefix_clause(fields, p)));
    }
    Box::new(BooleanQuery::new(any))
}

fn prefix_clause(fields: &Fields, folded: &str) -> Box<dyn Query> {
    let q = FuzzyTermQuery::new_prefix(Term::from_field_text(fields.words, folded), 0, false);
    Box::new(BoostQuery::new(Box::new(q), 0.5))
}

fn exact_any_field(fields: &Fields, token: &str) -> Box<dyn Query> {
    let any: Vec<(Occur, Box<dyn Query>)> = fields
        .weighted()
        .into_iter()
        .map(|(f, _)| {
            let q: Box<dyn Query> = Box::new(TermQuery::new(Term::from_field_text(f, token), IndexRecordOption::Basic));
            (Occur::Should, q)
        })
        .collect();
    Box::new(BooleanQuery::new(any))
}

/// Score of a document for each field in which a typo of a word matched
/// (exact matches score with BM25 and their field's weight, well above).
pub const TYPO_SCORE: f32 = 0.3;

/// The typos of one word: index words within `distance` edits of `token`
/// (a swap of two letters counts as one) in each of `fields`, each field
/// that has one scoring [`TYPO_SCORE`].
///
/// The token itself is left out: the exact clauses beside this one match it,
/// and a common word's postings are by far the longest of its neighbours, so
/// reading them again here was most of a word's matching time. The
/// variants are looked up in the term dictionaries when the query is run
/// (tantivy hands the searcher to [`Query::weight`]); a word the index does
/// not contain still finds its near misses, and a word it does contain still
/// finds the posts that misspell it.
#[derive(Debug, Clone)]
pub struct TypoQuery {
    pub fields: Vec<Field>,
    pub token: String,
    pub distance: u8,
}

impl Query for TypoQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let Some(searcher) = scoring.searcher() else {
            // No term dictionary at hand: tantivy's fuzzy query, the token included.
            let per_field: Vec<(Occur, Box<dyn Query>)> = self
                .fields
                .iter()
                .map(|&f| {
                    let q = FuzzyTermQuery::new(Term::from_field_text(f, &self.token), self.distance, true);
                    let q: Box<dyn Query> = Box::new(ConstScoreQuery::new(Box::new(q), TYPO_SCORE));
                    (Occur::Should, q)
                })
                .collect();
            return BooleanQuery::new(per_field).weight(scoring);
        };
        let mut per_field: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for &field in &self.fields {
            let variants = typo_variants(searcher, field, &self.token, self.distance)?;
            if variants.is_empty() {
                continue;
            }
            let any: Vec<(Occur, Box<dyn Query>)> = variants
                .iter()
                .map(|v| {
                    let q: Box<dyn Query> =
                        Box::new(TermQuery::new(Term::from_field_text(field, v), IndexRecordOption::Basic));
                    (Occur::Should, q)
                })
                .collect();
            per_field
                .push((Occur::Should, Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(any)), TYPO_SCORE))));
        }
        if per_field.is_empty() {
            return EmptyQuery.weight(scoring);
        }
        BooleanQuery::new(per_field).weight(scoring)
    }
}

/// Words of `field` within `distance` edits of `token`, in any segment, not `token` itself.
pub fn typo_variants(
    searcher: &Searcher,
    field: Field,
    token: &str,
    distance: u8,
) -> tantivy::Result<BTreeSet<String>> {
    let fuzzy = FuzzyTermQuery::new(Term::from_field_text(field, token), distance, true);
    let mut found = BTreeSet::new();
    for seg in searcher.segment_readers() {
        let inverted = seg.inverted_index(field)?;
        let mut stream = inverted.terms().search(fuzzy.automaton()?).into_stream()?;
        while stream.advance() {
            if let Ok(s) = std::str::from_utf8(stream.key())
                && s != token
                && !found.contains(s)
            {
                found.insert(s.to_string());
            }
        }
    }
    Ok(found)
}

/// A quoted phrase: the words in this order (stop words between them may
/// differ), in the title, headings, excerpt or body. One word: that word.
///
/// Each field's phrase is intersected with the clinic's documents: word
/// positions are then read only for the clinic's posts that have all the
/// words (a common phrase is in most posts of every clinic), not for all
/// clinics' posts and filtered afterwards.
fn phrase_clause(fields: &Fields, en: &mut TextAnalyzer, text: &str, clinic_id: i32) -> Option<Box<dyn Query>> {
    let toks = tokens(en, text);
    match toks.len() {
        0 => None,
        1 => Some(exact_any_field(fields, &toks[0].1)),
        _ => {
            let any: Vec<(Occur, Box<dyn Query>)> =
                [(fields.title, 3.0), (fields.headings, 1.5), (fields.excerpt, 1.5), (fields.body, 1.0)]
                    .into_iter()
                    .map(|(f, w)| {
                        let terms: Vec<(usize, Term)> =
                            toks.iter().map(|(pos, t)| (*pos, Term::from_field_text(f, t))).collect();
                        let phrase: Box<dyn Query> =
                            Box::new(BoostQuery::new(Box::new(PhraseQuery::new_with_offset(terms)), w));
                        let q = BooleanQuery::new(vec![
                            (Occur::Must, phrase),
                            (Occur::Must, clinic_filter(fields, clinic_id)),
                        ]);
                        (Occur::Should, Box::new(q) as Box<dyn Query>)
                    })
                    .collect();
            Some(Box::new(BooleanQuery::new(any)))
        }
    }
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
