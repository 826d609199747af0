//! What a search asks and answers, shared by the page, the JSON API and
//! the server's tantivy implementation.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::TermRef;

/// Longest query text looked at; the rest is ignored (and said so).
pub const MAX_QUERY_CHARS: usize = 200;
/// Results per page.
pub const PER_PAGE: u32 = 10;
/// Pages beyond this are not served (nobody reads page 500; it only costs).
pub const MAX_PAGE: u32 = 100;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    #[default]
    Relevance,
    Newest,
}

impl SortOrder {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "relevance" | "" => Some(SortOrder::Relevance),
            "newest" => Some(SortOrder::Newest),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Relevance => "relevance",
            SortOrder::Newest => "newest",
        }
    }
}

/// A visitor's search: the text and the filters chosen (slugs).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    pub q: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub tag: Option<String>,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub sort: SortOrder,
    #[serde(default = "first_page")]
    pub page: u32,
}

fn first_page() -> u32 {
    1
}

impl SearchQuery {
    /// The query string of this search with one filter changed (`None` removes it)
    /// and the page reset, for facet links.
    pub fn href_with(&self, key: &str, value: Option<&str>) -> String {
        let mut pairs: Vec<(&str, String)> = vec![("q", self.q.clone())];
        for (k, v) in
            [("category", &self.category), ("tag", &self.tag), ("author", &self.author), ("location", &self.location)]
        {
            let v = if k == key { value.map(str::to_string) } else { v.clone() };
            if let Some(v) = v {
                pairs.push((k, v));
            }
        }
        if key == "sort" {
            if let Some(v) = value.filter(|v| *v != "relevance") {
                pairs.push(("sort", v.to_string()));
            }
        } else if self.sort != SortOrder::Relevance {
            pairs.push(("sort", self.sort.as_str().to_string()));
        }
        let qs: Vec<String> = pairs.into_iter().map(|(k, v)| format!("{k}={}", crate::text::url_encode(&v))).collect();
        format!("/search?{}", qs.join("&"))
    }

    /// The same search on another page.
    pub fn href_page(&self, page: u32) -> String {
        let base = self.href_with("", None);
        if page <= 1 { base } else { format!("{base}&page={page}") }
    }

    pub fn has_filters(&self) -> bool {
        self.category.is_some() || self.tag.is_some() || self.author.is_some() || self.location.is_some()
    }
}

/// One result.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub title: String,
    pub slug: String,
    pub url: String,
    pub published_at: DateTime<Utc>,
    pub category: Option<TermRef>,
    /// A passage of the body with the matched words in `<mark>`; all other
    /// text HTML-escaped. Safe to insert as HTML.
    pub snippet_html: String,
}

/// A filter value and how many results it would leave.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount {
    pub slug: String,
    pub name: String,
    pub count: u64,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    pub categories: Vec<FacetCount>,
    pub tags: Vec<FacetCount>,
    pub locations: Vec<FacetCount>,
    pub authors: Vec<FacetCount>,
}

/// How the words were combined.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    /// Every word matched (the default).
    #[default]
    All,
    /// Nothing had every word, so results with some of them are shown.
    Any,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    pub query: SearchQuery,
    pub hits: Vec<SearchHit>,
    pub total: u64,
    pub page: u32,
    pub pages: u32,
    pub mode: MatchMode,
    pub facets: Facets,
    /// "Did you mean …": the query with misspelt words replaced by words the index knows.
    pub suggestion: Option<String>,
    /// A note about the query itself (e.g. it was shortened, or had only very common words).
    pub notice: Option<String>,
    /// When nothing was found: the clinic's categories, to browse instead.
    pub browse: Vec<TermRef>,
}

/// A title suggestion for the search box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub title: String,
    pub url: String,
}
