//! The `SearchPort` the app's server functions and the JSON API call:
//! checks the request, runs it on the index, adds names and addresses, and
//! counts searches that found nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use app::error::AppError;
use app::model::{ClinicInfo, TermRef};
use app::ports::SearchPort;
use app::search::model::*;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use tantivy::schema::Facet;

use super::index::{RawHit, Request, Snapshot};
use super::misses;
use super::query::{self, Scope};
use super::service::SearchService;
use crate::entities::{author, category, location, tag};

/// Suggestions under the search box.
const SUGGESTIONS: usize = 6;

#[derive(Clone)]
pub struct SqlSearch {
    db: DatabaseConnection,
    service: Arc<SearchService>,
    names: Arc<Mutex<NameCache>>,
}

impl SqlSearch {
    pub fn new(db: DatabaseConnection, service: Arc<SearchService>) -> Self {
        Self { db, service, names: Arc::default() }
    }
}

fn internal(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "search failed");
    AppError::Internal
}

fn when(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn url(clinic: &ClinicInfo, slug: &str) -> String {
    format!("{}/blog/{slug}", clinic.base_url)
}

/// (kind, slug) → name of facet values.
type Names = HashMap<(String, String), String>;

/// Most facet names kept before the cache starts over.
const MAX_CACHED_NAMES: usize = 10_000;

/// Facet names read from the database, kept while searches are answered
/// from the same index snapshot. A rename reaches the index through the
/// change log (a commit, so a new snapshot), so the names shown change
/// when the counts beside them do — within about a second, like the rest
/// of search.
#[derive(Default)]
struct NameCache {
    snapshot: Snapshot,
    /// (clinic, kind, slug) → name.
    names: HashMap<(i32, String, String), String>,
}

impl SqlSearch {
    /// Names of the facet values found: from the cache, else the database.
    async fn facet_names(
        &self,
        clinic_id: i32,
        raw: &[(String, String, u64)],
        snapshot: Snapshot,
    ) -> Result<Facets, sea_orm::DbErr> {
        let mut names = Names::new();
        let mut missing = Vec::new();
        {
            let mut cache = self.names.lock().unwrap_or_else(|e| e.into_inner());
            if cache.snapshot != snapshot || cache.names.len() > MAX_CACHED_NAMES {
                *cache = NameCache { snapshot, names: HashMap::new() };
            }
            for (kind, slug, _) in raw {
                match cache.names.get(&(clinic_id, kind.clone(), slug.clone())) {
                    Some(name) => {
                        names.insert((kind.clone(), slug.clone()), name.clone());
                    }
                    None => missing.push((kind.clone(), slug.clone())),
                }
            }
        }
        if !missing.is_empty() {
            let loaded = load_names(&self.db, clinic_id, &missing).await?;
            let mut cache = self.names.lock().unwrap_or_else(|e| e.into_inner());
            if cache.snapshot == snapshot {
                for ((kind, slug), name) in &loaded {
                    cache.names.insert((clinic_id, kind.clone(), slug.clone()), name.clone());
                }
            }
            names.extend(loaded);
        }
        Ok(facet_lists(raw, &names))
    }
}

/// Names of facet values, (kind, slug), from the database.
async fn load_names(
    db: &DatabaseConnection,
    clinic_id: i32,
    wanted: &[(String, String)],
) -> Result<Names, sea_orm::DbErr> {
    let slugs =
        |kind: &str| -> Vec<String> { wanted.iter().filter(|(k, _)| k == kind).map(|(_, s)| s.clone()).collect() };
    let mut names = Names::new();
    let (c, t, a, l) = (slugs("category"), slugs("tag"), slugs("author"), slugs("location"));
    if !c.is_empty() {
        for m in category::Entity::find()
            .filter(category::Column::ClinicId.eq(clinic_id))
            .filter(category::Column::Slug.is_in(c))
            .all(db)
            .await?
        {
            names.insert(("category".into(), m.slug), m.name);
        }
    }
    if !t.is_empty() {
        for m in tag::Entity::find()
            .filter(tag::Column::ClinicId.eq(clinic_id))
            .filter(tag::Column::Slug.is_in(t))
            .all(db)
            .await?
        {
            names.insert(("tag".into(), m.slug), m.name);
        }
    }
    if !a.is_empty() {
        for m in author::Entity::find()
            .filter(author::Column::ClinicId.eq(clinic_id))
            .filter(author::Column::Slug.is_in(a))
            .all(db)
            .await?
        {
            names.insert(("author".into(), m.slug), m.name);
        }
    }
    if !l.is_empty() {
        for m in location::Entity::find()
            .filter(location::Column::ClinicId.eq(clinic_id))
            .filter(location::Column::Slug.is_in(l))
            .all(db)
            .await?
        {
            names.insert(("location".into(), m.slug), m.name);
        }
    }
    Ok(names)
}

/// The facet lists shown beside results: most posts first, then by name;
/// at most 12 tags. A value without a name (renamed a moment ago) is left out.
fn facet_lists(raw: &[(String, String, u64)], names: &Names) -> Facets {
    let mut out = Facets::default();
    for (kind, slug, count) in raw {
        let Some(name) = names.get(&(kind.clone(), slug.clone())) else { continue };
        let f = FacetCount { slug: slug.clone(), name: name.clone(), count: *count };
        match kind.as_str() {
            "category" => out.categories.push(f),
            "tag" => out.tags.push(f),
            "author" => out.authors.push(f),
            _ => out.locations.push(f),
        }
    }
    for list in [&mut out.categories, &mut out.tags, &mut out.authors, &mut out.locations] {
        list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    }
    out.tags.truncate(12);
    out
}

/// The filters as facet terms; a value with characters no slug has is refused.
pub fn filter_facets(q: &SearchQuery) -> Result<Vec<Facet>, AppError> {
    let mut out = Vec::new();
    for (kind, value) in [("category", &q.category), ("tag", &q.tag), ("author", &q.author), ("location", &q.location)]
    {
        if let Some(v) = value {
            let v = v.trim();
            if v.len() > 100 || !crate::slugs::valid_slug(v) {
                return Err(AppError::BadRequest(format!(
                    "\"{kind}\" must be the address name of a {kind}, like \"back-pain\"."
                )));
            }
            out.push(Facet::from_path([kind, v]));
        }
    }
    Ok(out)
}

#[async_trait::async_trait]
impl SearchPort for SqlSearch {
    async fn search(&self, clinic: &ClinicInfo, query: SearchQuery) -> Result<SearchResults, AppError> {
        if query.page == 0 || query.page > MAX_PAGE {
            return Err(AppError::BadRequest(format!("\"page\" must be between 1 and {MAX_PAGE}.")));
        }
        let facets = filter_facets(&query)?;
        let parsed = query::parse(&query.q);
        let now = Utc::now();
        let req = Request {
            parsed: &parsed,
            scope: Scope { clinic_id: clinic.id, now: now.timestamp(), facets },
            sort: query.sort,
            offset: ((query.page - 1) * PER_PAGE) as usize,
            limit: PER_PAGE as usize,
        };
        let index = self.service.index();
        let raw = index.search(&req).map_err(internal)?;

        let mut notice = None;
        if parsed.truncated {
            notice = Some(format!("Only the first {MAX_QUERY_CHARS} characters of your search were used."));
        }
        if raw.nothing_to_search && !query.q.trim().is_empty() {
            notice = Some(
                "Your search has only very common words (like \"the\" or \"and\"). Add a more specific word.".into(),
            );
        }
        // While the index is still being built, an empty answer says nothing about the words.
        if raw.total == 0 && !raw.nothing_to_search && query.page == 1 && !query.has_filters() && index.is_complete() {
            misses::record(&self.db, clinic.id, &query.q, now).await;
        }
        let facets = self.facet_names(clinic.id, &raw.facets, raw.snapshot).await.map_err(internal)?;
        let browse = if raw.total == 0 {
            category::Entity::find()
                .filter(category::Column::ClinicId.eq(clinic.id))
                .order_by_asc(category::Column::Name)
                .all(&self.db)
                .await
                .map_err(internal)?
                .into_iter()
                .map(|c| TermRef { slug: c.slug, name: c.name })
                .collect()
        } else {
            Vec::new()
        };
        let pages = raw.total.div_ceil(PER_PAGE as u64).min(MAX_PAGE as u64) as u32;
        let hits = raw.hits.into_iter().map(|h| hit(clinic, h)).collect();
        Ok(SearchResults {
            page: query.page,
            query,
            hits,
            total: raw.total,
            pages,
            mode: raw.mode,
            facets,
            suggestion: raw.suggestion,
            notice,
            browse,
        })
    }

    async fn suggest(&self, clinic: &ClinicInfo, text: &str) -> Result<Vec<Suggestion>, AppError> {
        let parsed = query::parse(text);
        let scope = Scope { clinic_id: clinic.id, now: Utc::now().timestamp(), facets: Vec::new() };
        let found = self.service.index().suggest(&parsed, &scope, SUGGESTIONS).map_err(internal)?;
        Ok(found.into_iter().map(|h| Suggestion { url: format!("/blog/{}", h.slug), title: h.title }).collect())
    }
}

fn hit(clinic: &ClinicInfo, h: RawHit) -> SearchHit {
    SearchHit {
        url: url(clinic, &h.slug),
        title: h.title,
        slug: h.slug,
        published_at: when(h.published_at),
        category: h.category.map(|(slug, name)| TermRef { slug, name }),
        snippet_html: h.snippet_html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facet_lists_are_named_sorted_and_skip_unknown_values() {
        let raw: Vec<(String, String, u64)> = [
            ("category", "pain", 3),
            ("category", "sleep", 5),
            ("tag", "gone", 9),
            ("author", "ann", 2),
            ("location", "riverside", 1),
        ]
        .into_iter()
        .map(|(k, s, n)| (k.to_string(), s.to_string(), n))
        .collect();
        let names: Names = [
            ("category", "pain", "Pain"),
            ("category", "sleep", "Sleep"),
            ("author", "ann", "Ann Lee"),
            ("location", "riverside", "Riverside"),
        ]
        .into_iter()
        .map(|(k, s, n)| ((k.to_string(), s.to_string()), n.to_string()))
        .collect();
        let f = facet_lists(&raw, &names);
        let cats: Vec<(&str, u64)> = f.categories.iter().map(|c| (c.name.as_str(), c.count)).collect();
        assert_eq!(cats, [("Sleep", 5), ("Pain", 3)]);
        assert!(f.tags.is_empty(), "a tag without a name is left out");
        assert_eq!(f.authors[0].name, "Ann Lee");
        assert_eq!(f.locations[0].slug, "riverside");
    }
}
