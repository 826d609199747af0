//! The index's fields and text analysis.

use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
};

/// English: split on non-alphanumerics, lower-case, fold accents, drop
/// stop words, stem ("injections" → "inject").
pub const ENGLISH: &str = "cp_en";
/// Like [`ENGLISH`] but without stemming or stop words: for matching the
/// start of a word typed so far ("ketam…").
pub const FOLDED: &str = "cp_fold";

/// Bump when the schema or the analysis changes: an index built with
/// another version is rebuilt at start.
pub const SCHEMA_VERSION: u32 = 1;

pub fn english() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::new(Language::English).expect("tantivy has English stop words"))
        .filter(Stemmer::new(Language::English))
        .build()
}

pub fn folded() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Every field, by handle.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub post_id: Field,
    pub clinic_id: Field,
    /// Unix seconds; public only once this has passed.
    pub published: Field,
    pub slug: Field,
    pub title: Field,
    /// Every word, unstemmed (prefix and spelling).
    pub words: Field,
    pub excerpt: Field,
    pub body: Field,
    pub headings: Field,
    pub tags: Field,
    pub category: Field,
    pub author: Field,
    pub locations: Field,
    /// `/category/{slug}`, `/tag/{slug}`, `/author/{slug}`, `/location/{slug}`.
    pub facets: Field,
    /// `{slug}\t{name}` of the category, for result rows.
    pub category_ref: Field,
}

impl Fields {
    /// The text fields searched for a word, with their weight.
    pub fn weighted(&self) -> [(Field, f32); 8] {
        [
            (self.title, 3.0),
            (self.tags, 2.0),
            (self.headings, 1.5),
            (self.excerpt, 1.5),
            (self.category, 1.5),
            (self.body, 1.0),
            (self.author, 1.0),
            (self.locations, 1.0),
        ]
    }

    pub fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            post_id: f("post_id")?,
            clinic_id: f("clinic_id")?,
            published: f("published")?,
            slug: f("slug")?,
            title: f("title")?,
            words: f("words")?,
            excerpt: f("excerpt")?,
            body: f("body")?,
            headings: f("headings")?,
            tags: f("tags")?,
            category: f("category")?,
            author: f("author")?,
            locations: f("locations")?,
            facets: f("facets")?,
            category_ref: f("category_ref")?,
        })
    }
}

fn text(tokenizer: &str, stored: bool) -> TextOptions {
    let o = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    if stored { o.set_stored() } else { o }
}

pub fn schema() -> Schema {
    let mut b = Schema::builder();
    b.add_u64_field("post_id", INDEXED | STORED | FAST);
    b.add_u64_field("clinic_id", INDEXED | FAST);
    b.add_i64_field("published", INDEXED | STORED | FAST);
    b.add_text_field("slug", STORED);
    b.add_text_field("title", text(ENGLISH, true));
    // Every word of the post, folded but not stemmed, without frequencies or
    // positions: for the start of a word being typed and for spelling suggestions.
    b.add_text_field(
        "words",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(FOLDED).set_index_option(IndexRecordOption::Basic),
        ),
    );
    b.add_text_field("excerpt", text(ENGLISH, false));
    // Stored for snippets.
    b.add_text_field("body", text(ENGLISH, true));
    b.add_text_field("headings", text(ENGLISH, false));
    b.add_text_field("tags", text(ENGLISH, false));
    b.add_text_field("category", text(ENGLISH, false));
    b.add_text_field("author", text(ENGLISH, false));
    b.add_text_field("locations", text(ENGLISH, false));
    b.add_facet_field("facets", FacetOptions::default());
    b.add_text_field("category_ref", STORED);
    b.build()
}

/// Register our analyzers with an index (needed every time one is opened).
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(ENGLISH, english());
    index.tokenizers().register(FOLDED, folded());
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
}
