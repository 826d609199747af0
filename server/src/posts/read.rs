//! Queries for the public reading site. Every query takes the clinic id and
//! sees only published posts whose publication time has come.

use std::collections::HashMap;

use app::model::{ArchiveKind, AuthorProfile, AuthorRef, PAGE_SIZE, PostList, PostSummary, TermRef};
use chrono::{DateTime, Utc};
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    Select,
};

use super::markdown;
use crate::entities::{PostStatus, author, category, location, post, post_location, post_tag, tag};

/// Which posts a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    All,
    Category(i32),
    Tag(i32),
    Author(i32),
    Location(i32),
}

/// Published posts of one clinic, visible at `now`.
pub fn published(clinic_id: i32, now: DateTime<Utc>) -> Select<post::Entity> {
    post::Entity::find()
        .filter(post::Column::ClinicId.eq(clinic_id))
        .filter(post::Column::Status.eq(PostStatus::Published))
        .filter(post::Column::PublishedAt.lte(now))
}

pub fn filtered(select: Select<post::Entity>, filter: Filter) -> Select<post::Entity> {
    match filter {
        Filter::All => select,
        Filter::Category(id) => select.filter(post::Column::CategoryId.eq(id)),
        Filter::Author(id) => select.filter(post::Column::AuthorId.eq(id)),
        Filter::Tag(id) => select.filter(
            post::Column::Id.in_subquery(
                Query::select()
                    .column(post_tag::Column::PostId)
                    .from(post_tag::Entity)
                    .and_where(Expr::col(post_tag::Column::TagId).eq(id))
                    .to_owned(),
            ),
        ),
        Filter::Location(id) => select.filter(
            post::Column::Id.in_subquery(
                Query::select()
                    .column(post_location::Column::PostId)
                    .from(post_location::Entity)
                    .and_where(Expr::col(post_location::Column::LocationId).eq(id))
                    .to_owned(),
            ),
        ),
    }
}

/// The time a page shows ("3 days ago" is counted from it): the current
/// minute, so a page rendered again within the minute is the same bytes
/// (and the same `ETag`). What is published is still decided by the exact time.
pub fn shown_time(now: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::DurationRound;
    now.duration_trunc(chrono::TimeDelta::minutes(1)).unwrap_or(now)
}

pub fn newest_first(select: Select<post::Entity>) -> Select<post::Entity> {
    select.order_by_desc(post::Column::PublishedAt).order_by_desc(post::Column::Id)
}

/// A page of posts, or `None` when `page` is past the last page.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    filter: Filter,
    page: u32,
    now: DateTime<Utc>,
) -> Result<Option<PostList>, DbErr> {
    let base = filtered(published(clinic_id, now), filter);
    let total = base.clone().count(db).await?;
    let total_pages = Ord::max(total.div_ceil(PAGE_SIZE as u64), 1) as u32;
    if page > total_pages {
        return Ok(None);
    }
    let models = newest_first(base).offset(((page - 1) * PAGE_SIZE) as u64).limit(PAGE_SIZE as u64).all(db).await?;
    Ok(Some(PostList { posts: summaries(db, models).await?, page, total_pages, total, now: shown_time(now) }))
}

/// The newest `n` posts matching `filter`.
pub async fn recent<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    filter: Filter,
    n: u64,
    now: DateTime<Utc>,
) -> Result<Vec<PostSummary>, DbErr> {
    let models = newest_first(filtered(published(clinic_id, now), filter)).limit(n).all(db).await?;
    summaries(db, models).await
}

pub fn author_ref(a: &author::Model) -> AuthorRef {
    AuthorRef { slug: a.slug.clone(), name: a.name.clone(), credentials: a.credentials.clone() }
}

pub fn author_profile(a: &author::Model) -> AuthorProfile {
    AuthorProfile { author: author_ref(a), bio: a.bio.clone(), photo_url: a.photo_url.clone() }
}

/// Turn rows into list items, loading their authors and categories in two queries.
pub async fn summaries<C: ConnectionTrait>(db: &C, models: Vec<post::Model>) -> Result<Vec<PostSummary>, DbErr> {
    let author_ids: Vec<i32> = models.iter().filter_map(|m| m.author_id).collect();
    let category_ids: Vec<i32> = models.iter().filter_map(|m| m.category_id).collect();
    let authors: HashMap<i32, author::Model> = if author_ids.is_empty() {
        HashMap::new()
    } else {
        author::Entity::find()
            .filter(author::Column::Id.is_in(author_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect()
    };
    let categories: HashMap<i32, category::Model> = if category_ids.is_empty() {
        HashMap::new()
    } else {
        category::Entity::find()
            .filter(category::Column::Id.is_in(category_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect()
    };
    Ok(models
        .into_iter()
        .map(|m| PostSummary {
            excerpt: markdown::display_excerpt(m.excerpt.as_deref(), &m.body_text, markdown::EXCERPT_CHARS),
            published_at: m.published_at.unwrap_or(m.created_at),
            category: m
                .category_id
                .and_then(|id| categories.get(&id))
                .map(|c| TermRef { slug: c.slug.clone(), name: c.name.clone() }),
            author: m.author_id.and_then(|id| authors.get(&id)).map(author_ref),
            reading_minutes: Ord::max(m.reading_minutes, 1) as u32,
            slug: m.slug,
            title: m.title,
        })
        .collect())
}

/// One published post by slug.
pub async fn by_slug<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    slug: &str,
    now: DateTime<Utc>,
) -> Result<Option<post::Model>, DbErr> {
    published(clinic_id, now).filter(post::Column::Slug.eq(slug)).one(db).await
}

pub async fn tags_of<C: ConnectionTrait>(db: &C, post_id: i32) -> Result<Vec<tag::Model>, DbErr> {
    tag::Entity::find()
        .filter(
            tag::Column::Id.in_subquery(
                Query::select()
                    .column(post_tag::Column::TagId)
                    .from(post_tag::Entity)
                    .and_where(Expr::col(post_tag::Column::PostId).eq(post_id))
                    .to_owned(),
            ),
        )
        .order_by_asc(tag::Column::Name)
        .all(db)
        .await
}

/// Candidates for "You might also enjoy": published posts sharing a tag or the category.
pub async fn related<C: ConnectionTrait>(
    db: &C,
    post: &post::Model,
    tag_ids: &[i32],
    now: DateTime<Utc>,
    n: usize,
) -> Result<Vec<PostSummary>, DbErr> {
    let mut shared: HashMap<i32, usize> = HashMap::new();
    if !tag_ids.is_empty() {
        let links = post_tag::Entity::find()
            .filter(post_tag::Column::TagId.is_in(tag_ids.to_vec()))
            .filter(post_tag::Column::PostId.ne(post.id))
            .all(db)
            .await?;
        for l in links {
            *shared.entry(l.post_id).or_default() += 1;
        }
    }
    let mut cond = sea_orm::Condition::any();
    if !shared.is_empty() {
        cond = cond.add(post::Column::Id.is_in(shared.keys().copied().collect::<Vec<_>>()));
    }
    if let Some(c) = post.category_id {
        cond = cond.add(post::Column::CategoryId.eq(c));
    }
    if cond.is_empty() {
        return Ok(Vec::new());
    }
    let candidates = published(post.clinic_id, now).filter(post::Column::Id.ne(post.id)).filter(cond).all(db).await?;
    let ranked = rank_related(post.category_id, &shared, candidates, n);
    summaries(db, ranked).await
}

/// Two points per shared tag, one for the same category; ties go to the newer post.
pub fn rank_related(
    category_id: Option<i32>,
    shared_tags: &HashMap<i32, usize>,
    mut candidates: Vec<post::Model>,
    n: usize,
) -> Vec<post::Model> {
    let score = |m: &post::Model| {
        2 * shared_tags.get(&m.id).copied().unwrap_or(0)
            + usize::from(category_id.is_some() && m.category_id == category_id)
    };
    candidates.sort_by(|a, b| score(b).cmp(&score(a)).then(b.published_at.cmp(&a.published_at)).then(b.id.cmp(&a.id)));
    candidates.truncate(n);
    candidates
}

// ---- The content API (`content_api`): any page size, several filters at
// once, and everything a post links to in a few queries.

/// A page of published posts matching every filter (newest first), and
/// how many match in all. `page` counts from 1; past the end it is empty.
pub async fn list_page<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    filters: &[Filter],
    page: u32,
    limit: u32,
    now: DateTime<Utc>,
) -> Result<(Vec<post::Model>, u64), DbErr> {
    let base = filters.iter().fold(published(clinic_id, now), |s, f| filtered(s, *f));
    let total = base.clone().count(db).await?;
    let offset = u64::from(page.saturating_sub(1)) * u64::from(limit);
    if offset >= total {
        return Ok((Vec::new(), total));
    }
    let models = newest_first(base).offset(offset).limit(u64::from(limit)).all(db).await?;
    Ok((models, total))
}

/// The filter a category, tag or author slug of this clinic stands for.
pub async fn term_filter<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    kind: ArchiveKind,
    slug: &str,
) -> Result<Option<Filter>, DbErr> {
    Ok(match kind {
        ArchiveKind::Category => category::Entity::find()
            .filter(category::Column::ClinicId.eq(clinic_id))
            .filter(category::Column::Slug.eq(slug))
            .one(db)
            .await?
            .map(|c| Filter::Category(c.id)),
        ArchiveKind::Tag => tag::Entity::find()
            .filter(tag::Column::ClinicId.eq(clinic_id))
            .filter(tag::Column::Slug.eq(slug))
            .one(db)
            .await?
            .map(|t| Filter::Tag(t.id)),
        ArchiveKind::Author => author::Entity::find()
            .filter(author::Column::ClinicId.eq(clinic_id))
            .filter(author::Column::Slug.eq(slug))
            .one(db)
            .await?
            .map(|a| Filter::Author(a.id)),
    })
}

/// A clinic's categories, by name.
pub async fn categories<C: ConnectionTrait>(db: &C, clinic_id: i32) -> Result<Vec<category::Model>, DbErr> {
    category::Entity::find()
        .filter(category::Column::ClinicId.eq(clinic_id))
        .order_by_asc(category::Column::Name)
        .order_by_asc(category::Column::Id)
        .all(db)
        .await
}

/// A clinic's tags, by name.
pub async fn tags<C: ConnectionTrait>(db: &C, clinic_id: i32) -> Result<Vec<tag::Model>, DbErr> {
    tag::Entity::find()
        .filter(tag::Column::ClinicId.eq(clinic_id))
        .order_by_asc(tag::Column::Name)
        .order_by_asc(tag::Column::Id)
        .all(db)
        .await
}

/// A clinic's authors, by name.
pub async fn authors<C: ConnectionTrait>(db: &C, clinic_id: i32) -> Result<Vec<author::Model>, DbErr> {
    author::Entity::find()
        .filter(author::Column::ClinicId.eq(clinic_id))
        .order_by_asc(author::Column::Name)
        .order_by_asc(author::Column::Id)
        .all(db)
        .await
}

/// How many published posts (visible at `now`) each category, tag, author
/// and office of a clinic has; ids without posts are absent.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PostCounts {
    pub categories: HashMap<i32, u64>,
    pub tags: HashMap<i32, u64>,
    pub authors: HashMap<i32, u64>,
    pub locations: HashMap<i32, u64>,
}

/// [`PostCounts`], counted by the database (four grouped queries: a
/// clinic with 20,000 posts sends back a few dozen rows, not 20,000).
pub async fn post_counts<C: ConnectionTrait>(db: &C, clinic_id: i32, now: DateTime<Utc>) -> Result<PostCounts, DbErr> {
    fn tally(rows: Vec<(Option<i32>, i64)>) -> HashMap<i32, u64> {
        rows.into_iter().filter_map(|(id, n)| Some((id?, u64::try_from(n).unwrap_or(0)))).collect()
    }
    let by_post_column = |column: post::Column| {
        published(clinic_id, now)
            .select_only()
            .column(column)
            .column_as(post::Column::Id.count(), "n")
            .group_by(column)
            .into_tuple::<(Option<i32>, i64)>()
    };
    let categories = tally(by_post_column(post::Column::CategoryId).all(db).await?);
    let authors = tally(by_post_column(post::Column::AuthorId).all(db).await?);
    let ids = || published(clinic_id, now).select_only().column(post::Column::Id).into_query();
    let tags = post_tag::Entity::find()
        .select_only()
        .column(post_tag::Column::TagId)
        .column_as(post_tag::Column::PostId.count(), "n")
        .filter(post_tag::Column::PostId.in_subquery(ids()))
        .group_by(post_tag::Column::TagId)
        .into_tuple::<(Option<i32>, i64)>()
        .all(db)
        .await?;
    let locations = post_location::Entity::find()
        .select_only()
        .column(post_location::Column::LocationId)
        .column_as(post_location::Column::PostId.count(), "n")
        .filter(post_location::Column::PostId.in_subquery(ids()))
        .group_by(post_location::Column::LocationId)
        .into_tuple::<(Option<i32>, i64)>()
        .all(db)
        .await?;
    Ok(PostCounts { categories, authors, tags: tally(tags), locations: tally(locations) })
}

/// What a set of posts links to: authors and categories by id, tags (by
/// name) and offices (in the clinic's order) by post id.
#[derive(Debug, Default, Clone)]
pub struct PostLinks {
    pub authors: HashMap<i32, author::Model>,
    pub categories: HashMap<i32, category::Model>,
    pub tags: HashMap<i32, Vec<tag::Model>>,
    pub locations: HashMap<i32, Vec<location::Model>>,
}

/// [`PostLinks`] of `posts`, in at most six queries whatever their number.
pub async fn links_of<C: ConnectionTrait>(db: &C, posts: &[post::Model]) -> Result<PostLinks, DbErr> {
    let mut links = PostLinks::default();
    if posts.is_empty() {
        return Ok(links);
    }
    let post_ids: Vec<i32> = posts.iter().map(|m| m.id).collect();
    let author_ids: Vec<i32> = posts.iter().filter_map(|m| m.author_id).collect();
    let category_ids: Vec<i32> = posts.iter().filter_map(|m| m.category_id).collect();
    if !author_ids.is_empty() {
        links.authors = author::Entity::find()
            .filter(author::Column::Id.is_in(author_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
    }
    if !category_ids.is_empty() {
        links.categories = category::Entity::find()
            .filter(category::Column::Id.is_in(category_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
    }
    let tag_links = post_tag::Entity::find().filter(post_tag::Column::PostId.is_in(post_ids.clone())).all(db).await?;
    if !tag_links.is_empty() {
        let tags: HashMap<i32, tag::Model> = tag::Entity::find()
            .filter(tag::Column::Id.is_in(tag_links.iter().map(|l| l.tag_id).collect::<Vec<_>>()))
            .all(db)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect();
        for l in tag_links {
            if let Some(t) = tags.get(&l.tag_id) {
                links.tags.entry(l.post_id).or_default().push(t.clone());
            }
        }
        for list in links.tags.values_mut() {
            list.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        }
    }
    let location_links =
        post_location::Entity::find().filter(post_location::Column::PostId.is_in(post_ids)).all(db).await?;
    if !location_links.is_empty() {
        let offices: HashMap<i32, location::Model> = location::Entity::find()
            .filter(location::Column::Id.is_in(location_links.iter().map(|l| l.location_id).collect::<Vec<_>>()))
            .filter(location::Column::ArchivedAt.is_null())
            .all(db)
            .await?
            .into_iter()
            .map(|l| (l.id, l))
            .collect();
        for l in location_links {
            if let Some(o) = offices.get(&l.location_id) {
                links.locations.entry(l.post_id).or_default().push(o.clone());
            }
        }
        for list in links.locations.values_mut() {
            list.sort_by(|a, b| a.position.cmp(&b.position).then(a.name.cmp(&b.name)));
        }
    }
    Ok(links)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn pages_show_the_current_minute() {
        let at = Utc.with_ymd_and_hms(2026, 3, 4, 10, 17, 42).unwrap() + chrono::TimeDelta::nanoseconds(123_456_789);
        let minute = Utc.with_ymd_and_hms(2026, 3, 4, 10, 17, 0).unwrap();
        assert_eq!(shown_time(at), minute);
        assert_eq!(shown_time(at + chrono::TimeDelta::seconds(17)), minute, "same minute, same page");
        assert_eq!(shown_time(minute), minute);
    }

    fn model(id: i32, category: Option<i32>, day: u32) -> post::Model {
        let t = Utc.with_ymd_and_hms(2025, 1, day, 0, 0, 0).unwrap();
        post::Model {
            version: 1,
            id,
            clinic_id: 1,
            slug: format!("p{id}"),
            title: format!("P{id}"),
            excerpt: None,
            body_md: String::new(),
            body_html: String::new(),
            body_text: String::new(),
            reading_minutes: 1,
            status: PostStatus::Published,
            published_at: Some(t),
            created_at: t,
            updated_at: t,
            author_id: None,
            category_id: category,
            seo_title: None,
            seo_description: None,
            featured_image: None,
            featured_image_alt: None,
        }
    }

    #[test]
    fn related_posts_prefer_shared_tags_then_category_then_recency() {
        let shared = HashMap::from([(2, 1), (3, 2), (4, 1)]);
        let ranked = rank_related(
            Some(9),
            &shared,
            vec![
                model(1, Some(9), 1),
                model(2, None, 2),
                model(3, None, 3),
                model(4, Some(9), 4),
                model(5, Some(9), 5),
            ],
            3,
        );
        let ids: Vec<i32> = ranked.iter().map(|m| m.id).collect();
        // 3: two tags (4) · 4: tag + category (3) · 2: one tag (2) beats 5 and 1: category only (1).
        assert_eq!(ids, vec![3, 4, 2]);
    }
}
