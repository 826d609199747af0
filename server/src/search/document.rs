//! What the index holds about a post, loaded from the database in batches.

use std::collections::HashMap;

use sea_orm::prelude::DateTimeUtc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, DerivePartialModel, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use tantivy::schema::document::{ReferenceValue, ReferenceValueLeaf};
use tantivy::schema::{Document, Facet, Field, Value};

use super::schema::{Fields, scoped_text};
use crate::entities::{PostStatus, author, category, location, post, post_location, post_tag, tag};
use crate::posts::markdown;

/// A named term (category, tag, author or location).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub slug: String,
    pub name: String,
}

/// One post as search sees it. Only published posts become documents.
#[derive(Debug, Clone)]
pub struct IndexedPost {
    pub id: i32,
    pub clinic_id: i32,
    pub published: bool,
    pub published_at: i64,
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub body_text: String,
    pub headings: Vec<String>,
    pub category: Option<Named>,
    pub tags: Vec<Named>,
    pub author: Option<Named>,
    pub locations: Vec<Named>,
}

impl IndexedPost {
    /// The document the index writer is given: each text once, with its
    /// clinic header ([`scoped_text`]); the stored fields read the same
    /// strings without it. The writer queues up to 10,000 documents while
    /// a full build runs, so a body held three times (stored, words, all)
    /// was about twice the memory it needs.
    pub fn to_document(&self, f: &Fields) -> PostDoc {
        let scoped = |text: &str| scoped_text(self.clinic_id, text);
        let header = scoped("").len();
        let facet = |kind: &str, slug: &str| Facet::from_path([kind, slug]).encoded_str().to_string();
        let mut d = PostDoc {
            fields: *f,
            post_id: self.id as u64,
            clinic_id: self.clinic_id as u64,
            published: self.published_at,
            slug: self.slug.clone(),
            header,
            title: scoped(&self.title),
            excerpt: (!self.excerpt.is_empty()).then(|| scoped(&self.excerpt)),
            body: scoped(&self.body_text),
            tags: self.tags.iter().map(|t| scoped(&t.name)).collect(),
            headings: self.headings.iter().map(|h| scoped(h)).collect(),
            category: self.category.as_ref().map(|c| scoped(&c.name)),
            category_ref: self.category.as_ref().map(|c| format!("{}\t{}", c.slug, c.name)),
            author: self.author.as_ref().map(|a| scoped(&a.name)),
            locations: self.locations.iter().map(|l| scoped(&l.name)).collect(),
            facets: Vec::new(),
        };
        d.facets.extend(self.tags.iter().map(|t| facet("tag", &t.slug)));
        d.facets.extend(self.category.iter().map(|c| facet("category", &c.slug)));
        d.facets.extend(self.author.iter().map(|a| facet("author", &a.slug)));
        d.facets.extend(self.locations.iter().map(|l| facet("location", &l.slug)));
        d
    }
}

/// One post as the index writer takes it (see [`IndexedPost::to_document`]).
#[derive(Debug, Clone)]
pub struct PostDoc {
    fields: Fields,
    post_id: u64,
    clinic_id: u64,
    published: i64,
    slug: String,
    /// Bytes of the clinic header at the start of every scoped text.
    header: usize,
    title: String,
    excerpt: Option<String>,
    body: String,
    tags: Vec<String>,
    headings: Vec<String>,
    category: Option<String>,
    /// `{slug}\t{name}` of the category, stored for result rows.
    category_ref: Option<String>,
    author: Option<String>,
    locations: Vec<String>,
    /// Encoded facet paths.
    facets: Vec<String>,
}

/// A value of a [`PostDoc`], borrowed from it.
#[derive(Debug, Clone, Copy)]
pub enum DocValue<'a> {
    U64(u64),
    I64(i64),
    Str(&'a str),
    Facet(&'a str),
}

impl<'a> Value<'a> for DocValue<'a> {
    type ArrayIter = std::iter::Empty<Self>;
    type ObjectIter = std::iter::Empty<(&'a str, Self)>;

    fn as_value(&self) -> ReferenceValue<'a, Self> {
        ReferenceValue::Leaf(match *self {
            DocValue::U64(v) => ReferenceValueLeaf::U64(v),
            DocValue::I64(v) => ReferenceValueLeaf::I64(v),
            DocValue::Str(v) => ReferenceValueLeaf::Str(v),
            DocValue::Facet(v) => ReferenceValueLeaf::Facet(v),
        })
    }
}

impl Document for PostDoc {
    type Value<'a> = DocValue<'a>;
    type FieldsValuesIter<'a> = std::vec::IntoIter<(Field, DocValue<'a>)>;

    fn iter_fields_and_values(&self) -> Self::FieldsValuesIter<'_> {
        let f = &self.fields;
        let text = DocValue::Str;
        fn plain(s: &str, header: usize) -> &str {
            s.get(header..).unwrap_or_default()
        }
        let mut v = vec![
            (f.post_id, DocValue::U64(self.post_id)),
            (f.clinic_id, DocValue::U64(self.clinic_id)),
            (f.published, DocValue::I64(self.published)),
            (f.slug, text(&self.slug)),
            (f.title_text, text(plain(&self.title, self.header))),
            (f.body_text, text(plain(&self.body, self.header))),
            (f.title, text(&self.title)),
            (f.words, text(&self.title)),
        ];
        v.extend(self.excerpt.iter().map(|e| (f.words, text(e))));
        v.push((f.words, text(&self.body)));
        // Everything a word may match, each text its own value (a phrase
        // never runs from one into the next).
        v.push((f.all, text(&self.title)));
        for t in &self.tags {
            v.push((f.all, text(t)));
            v.push((f.tags, text(t)));
        }
        v.extend(self.headings.iter().map(|h| (f.all, text(h))));
        v.extend(self.excerpt.iter().map(|e| (f.all, text(e))));
        v.extend(self.category.iter().map(|c| (f.all, text(c))));
        v.extend(self.category_ref.iter().map(|c| (f.category_ref, text(c))));
        v.push((f.all, text(&self.body)));
        v.extend(self.author.iter().map(|a| (f.all, text(a))));
        v.extend(self.locations.iter().map(|l| (f.all, text(l))));
        v.extend(self.facets.iter().map(|p| (f.facets, DocValue::Facet(p))));
        v.into_iter()
    }
}

/// The columns of a post the index reads: not its HTML, SEO fields or
/// image (a full reindex reads every post, and the HTML is about a third
/// of a post's bytes).
#[derive(Debug, DerivePartialModel)]
#[sea_orm(entity = "post::Entity")]
struct Source {
    id: i32,
    clinic_id: i32,
    slug: String,
    title: String,
    excerpt: Option<String>,
    body_md: String,
    body_text: String,
    status: PostStatus,
    published_at: Option<DateTimeUtc>,
    author_id: Option<i32>,
    category_id: Option<i32>,
}

/// Posts by id (any status; missing ids are simply absent).
pub async fn load<C: ConnectionTrait>(db: &C, ids: &[i32]) -> Result<Vec<IndexedPost>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let posts = post::Entity::find()
        .filter(post::Column::Id.is_in(ids.iter().copied()))
        .into_partial_model::<Source>()
        .all(db)
        .await?;
    complete(db, posts).await
}

/// Published posts (any clinic) with id above `after`, by id, at most `limit`.
pub async fn published_after<C: ConnectionTrait>(db: &C, after: i32, limit: u64) -> Result<Vec<IndexedPost>, DbErr> {
    let posts = post::Entity::find()
        .filter(post::Column::Id.gt(after))
        .filter(post::Column::Status.eq(PostStatus::Published))
        .order_by_asc(post::Column::Id)
        .limit(limit)
        .into_partial_model::<Source>()
        .all(db)
        .await?;
    complete(db, posts).await
}

/// How many published posts there are (for the progress bar).
pub async fn count_published<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    post::Entity::find().filter(post::Column::Status.eq(PostStatus::Published)).count(db).await
}

async fn complete<C: ConnectionTrait>(db: &C, posts: Vec<Source>) -> Result<Vec<IndexedPost>, DbErr> {
    if posts.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
    let named = |slug: String, name: String| Named { slug, name };

    let cat_ids: Vec<i32> = posts.iter().filter_map(|p| p.category_id).collect();
    let categories: HashMap<i32, Named> = category::Entity::find()
        .filter(category::Column::Id.is_in(cat_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, named(c.slug, c.name)))
        .collect();
    let author_ids: Vec<i32> = posts.iter().filter_map(|p| p.author_id).collect();
    let authors: HashMap<i32, Named> = author::Entity::find()
        .filter(author::Column::Id.is_in(author_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, named(a.slug, a.name)))
        .collect();

    let mut tag_links: Vec<(i32, i32)> = Vec::new();
    let mut location_links: Vec<(i32, i32)> = Vec::new();
    for chunk in ids.chunks(500) {
        tag_links.extend(
            post_tag::Entity::find()
                .filter(post_tag::Column::PostId.is_in(chunk.iter().copied()))
                .all(db)
                .await?
                .into_iter()
                .map(|r| (r.post_id, r.tag_id)),
        );
        location_links.extend(
            post_location::Entity::find()
                .filter(post_location::Column::PostId.is_in(chunk.iter().copied()))
                .all(db)
                .await?
                .into_iter()
                .map(|r| (r.post_id, r.location_id)),
        );
    }
    let clinic_ids: Vec<i32> = {
        let mut c: Vec<i32> = posts.iter().map(|p| p.clinic_id).collect();
        c.sort_unstable();
        c.dedup();
        c
    };
    // Tags and locations of the clinics concerned: few, so fetched whole.
    let tag_names: HashMap<i32, Named> = tag::Entity::find()
        .filter(tag::Column::ClinicId.is_in(clinic_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, named(t.slug, t.name)))
        .collect();
    // Archived offices leave the index with their next change.
    let location_names: HashMap<i32, Named> = location::Entity::find()
        .filter(location::Column::ClinicId.is_in(clinic_ids.iter().copied()))
        .filter(location::Column::ArchivedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.id, named(l.slug, l.name)))
        .collect();
    let mut tags: HashMap<i32, Vec<Named>> = HashMap::new();
    for (post_id, tag_id) in tag_links {
        if let Some(t) = tag_names.get(&tag_id) {
            tags.entry(post_id).or_default().push(t.clone());
        }
    }
    let mut locations: HashMap<i32, Vec<Named>> = HashMap::new();
    for (post_id, location_id) in location_links {
        if let Some(l) = location_names.get(&location_id) {
            locations.entry(post_id).or_default().push(l.clone());
        }
    }

    Ok(posts
        .into_iter()
        .map(|p| IndexedPost {
            id: p.id,
            clinic_id: p.clinic_id,
            published: p.status == PostStatus::Published && p.published_at.is_some(),
            published_at: p.published_at.map(|t| t.timestamp()).unwrap_or(0),
            headings: markdown::headings(&p.body_md),
            excerpt: p.excerpt.clone().unwrap_or_default(),
            category: p.category_id.and_then(|id| categories.get(&id).cloned()),
            author: p.author_id.and_then(|id| authors.get(&id).cloned()),
            tags: tags.remove(&p.id).unwrap_or_default(),
            locations: locations.remove(&p.id).unwrap_or_default(),
            slug: p.slug,
            title: p.title,
            body_text: p.body_text,
        })
        .collect())
}
