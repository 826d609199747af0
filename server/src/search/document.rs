//! What the index holds about a post, loaded from the database in batches.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tantivy::TantivyDocument;
use tantivy::schema::Facet;

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
    pub fn to_document(&self, f: &Fields) -> TantivyDocument {
        let scoped = |text: &str| scoped_text(self.clinic_id, text);
        let mut d = TantivyDocument::default();
        d.add_u64(f.post_id, self.id as u64);
        d.add_u64(f.clinic_id, self.clinic_id as u64);
        d.add_i64(f.published, self.published_at);
        d.add_text(f.slug, &self.slug);
        d.add_text(f.title_text, &self.title);
        d.add_text(f.body_text, &self.body_text);
        d.add_text(f.title, scoped(&self.title));
        for text in [&self.title, &self.excerpt, &self.body_text] {
            d.add_text(f.words, scoped(text));
        }
        // Everything a word may match, each text its own value (a phrase
        // never runs from one into the next).
        d.add_text(f.all, scoped(&self.title));
        for t in &self.tags {
            d.add_text(f.all, scoped(&t.name));
            d.add_text(f.tags, scoped(&t.name));
            d.add_facet(f.facets, Facet::from_path(["tag", t.slug.as_str()]));
        }
        for h in &self.headings {
            d.add_text(f.all, scoped(h));
        }
        if !self.excerpt.is_empty() {
            d.add_text(f.all, scoped(&self.excerpt));
        }
        if let Some(c) = &self.category {
            d.add_text(f.all, scoped(&c.name));
            d.add_facet(f.facets, Facet::from_path(["category", c.slug.as_str()]));
            d.add_text(f.category_ref, format!("{}\t{}", c.slug, c.name));
        }
        d.add_text(f.all, scoped(&self.body_text));
        if let Some(a) = &self.author {
            d.add_text(f.all, scoped(&a.name));
            d.add_facet(f.facets, Facet::from_path(["author", a.slug.as_str()]));
        }
        for l in &self.locations {
            d.add_text(f.all, scoped(&l.name));
            d.add_facet(f.facets, Facet::from_path(["location", l.slug.as_str()]));
        }
        d
    }
}

/// Posts by id (any status; missing ids are simply absent).
pub async fn load<C: ConnectionTrait>(db: &C, ids: &[i32]) -> Result<Vec<IndexedPost>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let posts = post::Entity::find().filter(post::Column::Id.is_in(ids.iter().copied())).all(db).await?;
    complete(db, posts).await
}

/// Published posts (any clinic) with id above `after`, by id, at most `limit`.
pub async fn published_after<C: ConnectionTrait>(db: &C, after: i32, limit: u64) -> Result<Vec<IndexedPost>, DbErr> {
    let posts = post::Entity::find()
        .filter(post::Column::Id.gt(after))
        .filter(post::Column::Status.eq(PostStatus::Published))
        .order_by_asc(post::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    complete(db, posts).await
}

/// How many published posts there are (for the progress bar).
pub async fn count_published<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    post::Entity::find().filter(post::Column::Status.eq(PostStatus::Published)).count(db).await
}

async fn complete<C: ConnectionTrait>(db: &C, posts: Vec<post::Model>) -> Result<Vec<IndexedPost>, DbErr> {
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
