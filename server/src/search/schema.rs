//! The index's fields and text analysis.
//!
//! Every indexed word is scoped to its clinic: the text given to the
//! index starts with a header naming the clinic ([`scoped_text`]), and the
//! analyzers registered for the text fields ([`ClinicScoped`]) turn each
//! word `w` of clinic 7 into the term `7|w`. One clinic's posting lists
//! then hold only its own posts, so a word's matches are read for the
//! clinic searched and never for the four others (the clinic filter stays
//! on every query as well), and typo variants, prefixes and spelling
//! candidates come from the clinic's own vocabulary.

use std::collections::HashMap;
use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions,
};

use tantivy::tokenizer::{
    AsciiFoldingFilter, BoxTokenStream, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

/// English: split on non-alphanumerics, lower-case, fold accents, drop
/// stop words, stem ("injections" → "inject"). Used on query text and
/// for snippets; the index uses it through [`ENGLISH_SCOPED`].
pub const ENGLISH: &str = "cp_en";
/// Like [`ENGLISH`] but without stemming or stop words: for matching the
/// start of a word typed so far ("ketam…").
pub const FOLDED: &str = "cp_fold";
/// [`ENGLISH`], each term prefixed with the clinic named in the text's header.
pub const ENGLISH_SCOPED: &str = "cp_en_clinic";
/// [`FOLDED`], each term prefixed with the clinic named in the text's header.
pub const FOLDED_SCOPED: &str = "cp_fold_clinic";

/// Bump when the schema or the analysis changes: an index built with
/// another version is rebuilt at start.
///
/// 2: one combined `all` field for matching, clinic-scoped terms, stored
/// title and body in their own fields.
pub const SCHEMA_VERSION: u32 = 2;

/// Starts and ends the clinic header of an indexed text.
const HEADER_MARK: char = '\u{1}';
/// Between the clinic and the word in a term.
const SCOPE_SEP: char = '|';

pub fn english() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::new(Language::English).expect("tantivy has English stop words"))
        .filter(CachedStemmer)
        .build()
}

/// English stemming with the words already stemmed remembered: a corpus
/// uses a few thousand words over and over, and the stemmer was a fifth of
/// a full reindex's CPU. Each analyzer instance (one per indexing thread
/// and field, or per query) keeps its own memory, up to
/// [`STEM_CACHE_WORDS`] words; the stems are exactly the stemmer's.
#[derive(Clone, Copy, Debug, Default)]
pub struct CachedStemmer;

/// Most words one analyzer remembers the stem of (then it stems the rest afresh).
pub const STEM_CACHE_WORDS: usize = 20_000;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> CachedStemmerFilter<T> {
        let stem = TextAnalyzer::builder(RawTokenizer::default()).filter(Stemmer::new(Language::English)).build();
        CachedStemmerFilter { inner, stem, known: HashMap::new() }
    }
}

#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    /// Stems one word (the token as it is).
    stem: TextAnalyzer,
    known: HashMap<String, String>,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream { tail: self.inner.token_stream(text), stem: &mut self.stem, known: &mut self.known }
    }
}

pub struct CachedStemmerStream<'a, S> {
    tail: S,
    stem: &'a mut TextAnalyzer,
    known: &'a mut HashMap<String, String>,
}

impl<S: TokenStream> TokenStream for CachedStemmerStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stemmed) = self.known.get(token.text.as_str()) {
            token.text.clear();
            token.text.push_str(stemmed);
            return true;
        }
        let stemmed = {
            let mut one = self.stem.token_stream(&token.text);
            if one.advance() { one.token().text.clone() } else { token.text.clone() }
        };
        if self.known.len() < STEM_CACHE_WORDS {
            self.known.insert(std::mem::replace(&mut token.text, stemmed.clone()), stemmed);
        } else {
            token.text = stemmed;
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

pub fn folded() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// `text` as given to the index for clinic `clinic_id`: with the header
/// the scoped analyzers read.
pub fn scoped_text(clinic_id: i32, text: &str) -> String {
    format!("{HEADER_MARK}{clinic_id}{HEADER_MARK}{text}")
}

/// The start of every term of clinic `clinic_id`: `"7|"`.
pub fn scope_prefix(clinic_id: i32) -> String {
    format!("{clinic_id}{SCOPE_SEP}")
}

/// Just after every term of clinic `clinic_id` in the term dictionary: `"7}"`.
pub fn scope_end(clinic_id: i32) -> String {
    format!("{clinic_id}{}", char::from(SCOPE_SEP as u8 + 1))
}

/// The index term of analysed word `token` in clinic `clinic_id`: `"7|inject"`.
pub fn scoped(clinic_id: i32, token: &str) -> String {
    format!("{clinic_id}{SCOPE_SEP}{token}")
}

/// A term without its clinic: `"7|inject"` → `"inject"`.
pub fn unscoped(term: &str) -> &str {
    term.split_once(SCOPE_SEP).map_or(term, |(_, w)| w)
}

/// An analyzer that reads the clinic header of the text ([`scoped_text`])
/// and prefixes every token of `inner` with it. A text without a header is
/// analysed as is (no clinic: no query ever asks for such terms).
#[derive(Clone)]
pub struct ClinicScoped {
    inner: TextAnalyzer,
}

impl ClinicScoped {
    pub fn new(inner: TextAnalyzer) -> Self {
        ClinicScoped { inner }
    }
}

pub struct ClinicScopedStream<'a> {
    inner: BoxTokenStream<'a>,
    prefix: String,
    header: usize,
    token: Token,
}

/// (term prefix, the text after the header, header length in bytes).
fn split_header(text: &str) -> (String, &str, usize) {
    if let Some(rest) = text.strip_prefix(HEADER_MARK)
        && let Some(end) = rest.find(HEADER_MARK)
    {
        let id = &rest[..end];
        if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
            let header = HEADER_MARK.len_utf8() * 2 + id.len();
            return (format!("{id}{SCOPE_SEP}"), &text[header..], header);
        }
    }
    (String::new(), text, 0)
}

impl Tokenizer for ClinicScoped {
    type TokenStream<'a> = ClinicScopedStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ClinicScopedStream<'a> {
        let (prefix, rest, header) = split_header(text);
        ClinicScopedStream { inner: self.inner.token_stream(rest), prefix, header, token: Token::default() }
    }
}

impl TokenStream for ClinicScopedStream<'_> {
    fn advance(&mut self) -> bool {
        if !self.inner.advance() {
            return false;
        }
        let t = self.inner.token();
        self.token.offset_from = t.offset_from + self.header;
        self.token.offset_to = t.offset_to + self.header;
        self.token.position = t.position;
        self.token.position_length = t.position_length;
        self.token.text.clear();
        self.token.text.push_str(&self.prefix);
        self.token.text.push_str(&t.text);
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Every field, by handle.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub post_id: Field,
    pub clinic_id: Field,
    /// Unix seconds; public only once this has passed.
    pub published: Field,
    pub slug: Field,
    /// The title as written, for result rows.
    pub title_text: Field,
    /// The body's plain text as written, for snippets.
    pub body_text: Field,
    /// Every searchable text of the post (title, tags, headings, excerpt,
    /// category, body, author, offices), clinic-scoped, with positions:
    /// what a word or phrase must match.
    pub all: Field,
    /// The title, clinic-scoped: extra score for words in it.
    pub title: Field,
    /// The tag names, clinic-scoped: extra score for words in them.
    pub tags: Field,
    /// Every word, clinic-scoped and unstemmed (prefix and spelling).
    pub words: Field,
    /// `/category/{slug}`, `/tag/{slug}`, `/author/{slug}`, `/location/{slug}`.
    pub facets: Field,
    /// `{slug}\t{name}` of the category, for result rows.
    pub category_ref: Field,
}

/// Extra weight of a word found in the title, on top of its match in
/// [`Fields::all`] (which holds the title too): about 3 in all.
pub const TITLE_BOOST: f32 = 2.0;
/// Extra weight of a word found in a tag name: about 2 in all.
pub const TAGS_BOOST: f32 = 1.0;

impl Fields {
    pub fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            post_id: f("post_id")?,
            clinic_id: f("clinic_id")?,
            published: f("published")?,
            slug: f("slug")?,
            title_text: f("title_text")?,
            body_text: f("body_text")?,
            all: f("all")?,
            title: f("title")?,
            tags: f("tags")?,
            words: f("words")?,
            facets: f("facets")?,
            category_ref: f("category_ref")?,
        })
    }
}

fn text(tokenizer: &str, record: IndexRecordOption) -> TextOptions {
    TextOptions::default()
        .set_indexing_options(TextFieldIndexing::default().set_tokenizer(tokenizer).set_index_option(record))
}

pub fn schema() -> Schema {
    let mut b = Schema::builder();
    b.add_u64_field("post_id", INDEXED | STORED | FAST);
    b.add_u64_field("clinic_id", INDEXED | FAST);
    b.add_i64_field("published", INDEXED | STORED | FAST);
    b.add_text_field("slug", STORED);
    b.add_text_field("title_text", STORED);
    b.add_text_field("body_text", STORED);
    b.add_text_field("all", text(ENGLISH_SCOPED, IndexRecordOption::WithFreqsAndPositions));
    // Positions: a quoted phrase in the title scores higher.
    b.add_text_field("title", text(ENGLISH_SCOPED, IndexRecordOption::WithFreqsAndPositions));
    b.add_text_field("tags", text(ENGLISH_SCOPED, IndexRecordOption::WithFreqs));
    // Every word of the post, folded but not stemmed, without frequencies or
    // positions: for the start of a word being typed and for spelling suggestions.
    b.add_text_field("words", text(FOLDED_SCOPED, IndexRecordOption::Basic));
    b.add_facet_field("facets", FacetOptions::default());
    b.add_text_field("category_ref", STORED);
    b.build()
}

/// Register our analyzers with an index (needed every time one is opened).
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(ENGLISH, english());
    index.tokenizers().register(FOLDED, folded());
    index.tokenizers().register(ENGLISH_SCOPED, TextAnalyzer::from(ClinicScoped::new(english())));
    index.tokenizers().register(FOLDED_SCOPED, TextAnalyzer::from(ClinicScoped::new(folded())));
}

/// The tokens `text` becomes under `analyzer`, with their positions.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push((t.position, t.text.clone()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_analysis_stems_folds_and_drops_stop_words() {
        let got: Vec<String> =
            tokens(&mut english(), "The Injections for CAFÉ-au-lait spots").into_iter().map(|t| t.1).collect();
        assert_eq!(got, ["inject", "cafe", "au", "lait", "spot"]);
        let got: Vec<String> = tokens(&mut folded(), "Ketamine Über").into_iter().map(|t| t.1).collect();
        assert_eq!(got, ["ketamine", "uber"]);
        assert!(tokens(&mut english(), "the and of").is_empty());
    }

    #[test]
    fn remembered_stems_are_the_stemmers_own() {
        let plain = || {
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(40))
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .filter(StopWordFilter::new(Language::English).expect("stop words"))
                .filter(Stemmer::new(Language::English))
                .build()
        };
        let text = "Injections and injection sites: running, runs, ran; therapies for the therapy of sciatica. \
                    Injections again, running again, generously and generous";
        let mut cached = english();
        // The same analyzer twice: the second pass answers from what it remembers.
        for _ in 0..2 {
            assert_eq!(tokens(&mut cached, text), tokens(&mut plain(), text));
        }
        let got: Vec<String> = tokens(&mut cached, "Injections injections").into_iter().map(|t| t.1).collect();
        assert_eq!(got, ["inject", "inject"]);
    }

    #[test]
    fn scoped_analysis_prefixes_every_term_with_the_clinic() {
        let mut a = TextAnalyzer::from(ClinicScoped::new(english()));
        let got = tokens(&mut a, &scoped_text(12, "The Injections hurt"));
        assert_eq!(got, [(1, "12|inject".to_string()), (2, "12|hurt".to_string())]);
        // No header: the words as they are; a malformed header is text.
        let got: Vec<String> = tokens(&mut a, "Injections").into_iter().map(|t| t.1).collect();
        assert_eq!(got, ["inject"]);
        let got: Vec<String> = tokens(&mut a, "\u{1}x1\u{1}knee").into_iter().map(|t| t.1).collect();
        assert_eq!(got, ["x1", "knee"]);
        assert_eq!(scoped(3, "knee"), "3|knee");
        assert_eq!(unscoped("3|knee"), "knee");
        // Clinic 3's terms, and only those, sort within [prefix, end).
        let within = |t: &str| scope_prefix(3).as_str() <= t && t < scope_end(3).as_str();
        assert!(within("3|knee") && within("3|\u{10FFFF}"));
        assert!(!within("30|knee") && !within("4|knee") && !within("2|zzz"));
    }
}
