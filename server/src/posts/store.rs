//! Writing posts: one post with its category, tags and locations, upserted
//! by (clinic, slug) inside the caller's transaction.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::front_matter::PostDraft;
use super::markdown;
use crate::entities::{author, category, location, post, post_location, post_tag, tag};
use crate::search::changes;
use crate::slugs::slugify;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("author \"{0}\" does not exist in this clinic (add it to the provision file first)")]
    UnknownAuthor(String),
    #[error("location \"{0}\" does not exist in this clinic")]
    UnknownLocation(String),
    #[error("category \"{0}\" has no usable letters for a slug")]
    BadCategory(String),
    #[error("tag \"{0}\" has no usable letters for a slug")]
    BadTag(String),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Created(i32),
    Updated(i32),
}

pub(crate) async fn category_id<C: ConnectionTrait>(db: &C, clinic_id: i32, name: &str) -> Result<i32, StoreError> {
    let slug = slugify(name);
    if slug.is_empty() {
        return Err(StoreError::BadCategory(name.to_string()));
    }
    if let Some(c) = category::Entity::find()
        .filter(category::Column::ClinicId.eq(clinic_id))
        .filter(category::Column::Slug.eq(&slug))
        .one(db)
        .await?
    {
        return Ok(c.id);
    }
    let c = category::ActiveModel {
        clinic_id: Set(clinic_id),
        slug: Set(slug),
        name: Set(name.to_string()),
        description: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(c.id)
}

pub(crate) async fn tag_id<C: ConnectionTrait>(db: &C, clinic_id: i32, name: &str) -> Result<i32, StoreError> {
    let slug = slugify(name);
    if slug.is_empty() {
        return Err(StoreError::BadTag(name.to_string()));
    }
    if let Some(t) = tag::Entity::find()
        .filter(tag::Column::ClinicId.eq(clinic_id))
        .filter(tag::Column::Slug.eq(&slug))
        .one(db)
        .await?
    {
        return Ok(t.id);
    }
    let t = tag::ActiveModel {
        clinic_id: Set(clinic_id),
        slug: Set(slug),
        name: Set(name.to_string()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(t.id)
}

/// Insert or update the post `(clinic_id, draft.slug)` with everything it links to.
pub async fn save<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    draft: &PostDraft,
    now: DateTime<Utc>,
) -> Result<Saved, StoreError> {
    let author_id = match &draft.author {
        None => None,
        Some(slug) => Some(
            author::Entity::find()
                .filter(author::Column::ClinicId.eq(clinic_id))
                .filter(author::Column::Slug.eq(slug))
                .one(db)
                .await?
                .ok_or_else(|| StoreError::UnknownAuthor(slug.clone()))?
                .id,
        ),
    };
    let mut location_ids = Vec::new();
    for slug in &draft.locations {
        let loc = location::Entity::find()
            .filter(location::Column::ClinicId.eq(clinic_id))
            .filter(location::Column::Slug.eq(slug))
            .one(db)
            .await?
            .ok_or_else(|| StoreError::UnknownLocation(slug.clone()))?;
        if !location_ids.contains(&loc.id) {
            location_ids.push(loc.id);
        }
    }
    let category_id = match &draft.category {
        Some(name) => Some(category_id(db, clinic_id, name).await?),
        None => None,
    };
    let mut tag_ids = Vec::new();
    for name in &draft.tags {
        let id = tag_id(db, clinic_id, name).await?;
        if !tag_ids.contains(&id) {
            tag_ids.push(id);
        }
    }

    let existing = post::Entity::find()
        .filter(post::Column::ClinicId.eq(clinic_id))
        .filter(post::Column::Slug.eq(&draft.slug))
        .one(db)
        .await?;
    let links = Links { author_id, category_id, tag_ids, location_ids };
    write(db, clinic_id, existing, draft, &links, now).await
}

/// What a post links to, as ids of the clinic's rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    pub author_id: Option<i32>,
    pub category_id: Option<i32>,
    pub tag_ids: Vec<i32>,
    pub location_ids: Vec<i32>,
}

/// Insert a new post (`existing` is None) or overwrite `existing` with the
/// fields of `draft` and with `links` (the draft's author, category, tags and
/// locations are not read: `links` replaces them). An update bumps the
/// version, so an editor open on the old text gets a stale-edit conflict.
pub async fn write<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    existing: Option<post::Model>,
    draft: &PostDraft,
    links: &Links,
    now: DateTime<Utc>,
) -> Result<Saved, StoreError> {
    let Links { author_id, category_id, tag_ids, location_ids } = links;
    let body_text = markdown::plain_text(&draft.body_md);
    let created = existing.is_none();
    let mut am: post::ActiveModel = match existing {
        Some(m) => {
            let version = m.version;
            let mut am: post::ActiveModel = m.into();
            am.version = Set(version + 1);
            am
        }
        None => post::ActiveModel {
            clinic_id: Set(clinic_id),
            created_at: Set(draft.published_at.unwrap_or(now).min(now)),
            ..Default::default()
        },
    };
    am.slug = Set(draft.slug.clone());
    am.title = Set(draft.title.clone());
    am.excerpt = Set(draft.excerpt.clone());
    am.body_html = Set(markdown::render_html(&draft.body_md));
    am.reading_minutes = Set(markdown::reading_minutes(&body_text) as i32);
    am.body_text = Set(body_text);
    am.body_md = Set(draft.body_md.clone());
    am.status = Set(draft.status);
    am.published_at = Set(draft.published_at);
    am.updated_at = Set(draft.updated_at.or(draft.published_at).unwrap_or(now));
    am.author_id = Set(*author_id);
    am.category_id = Set(*category_id);
    am.seo_title = Set(draft.seo_title.clone());
    am.seo_description = Set(draft.seo_description.clone());
    am.featured_image = Set(draft.featured_image.clone());
    am.featured_image_alt = Set(draft.featured_image_alt.clone());
    let saved = am.save(db).await?;
    let post_id = *saved.id.as_ref();

    post_tag::Entity::delete_many().filter(post_tag::Column::PostId.eq(post_id)).exec(db).await?;
    if !tag_ids.is_empty() {
        post_tag::Entity::insert_many(
            tag_ids.iter().map(|&tag_id| post_tag::ActiveModel { post_id: Set(post_id), tag_id: Set(tag_id) }),
        )
        .exec_without_returning(db)
        .await?;
    }
    post_location::Entity::delete_many().filter(post_location::Column::PostId.eq(post_id)).exec(db).await?;
    if !location_ids.is_empty() {
        post_location::Entity::insert_many(
            location_ids.iter().map(|&location_id| post_location::ActiveModel {
                post_id: Set(post_id),
                location_id: Set(location_id),
            }),
        )
        .exec_without_returning(db)
        .await?;
    }
    changes::post_changed(db, clinic_id, post_id, now).await?;
    Ok(if created { Saved::Created(post_id) } else { Saved::Updated(post_id) })
}
