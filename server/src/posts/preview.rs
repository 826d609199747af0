//! Private preview links: a draft (or scheduled) post rendered exactly like
//! its public page, for a reviewer without an account.
//!
//! A link carries 256 random bits (unguessable, so it cannot be forged);
//! only their SHA-256 is stored, with an expiry of [`LINK_DAYS`] days. An
//! expired link says so; an unknown one is a plain 404.

use chrono::{DateTime, Duration, Utc};
use password_hash::rand_core::{OsRng, RngCore};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::accounts::reset::token_hash;
use crate::audit::{self, Actor};
use crate::entities::{post, preview_link};

pub const LINK_DAYS: i64 = 7;

#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error("no such preview")]
    NotFound,
    #[error("This preview link expired on {0}. Ask the person who shared it for a new one.")]
    Expired(String),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// Make a link for post `post_id` of `clinic_id`; returns the token and its expiry.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    post_id: i32,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>), PreviewError> {
    let p = post::Entity::find_by_id(post_id)
        .filter(post::Column::ClinicId.eq(clinic_id))
        .one(db)
        .await?
        .ok_or(PreviewError::NotFound)?;
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let expires_at = now + Duration::days(LINK_DAYS);
    preview_link::ActiveModel {
        post_id: Set(p.id),
        clinic_id: Set(clinic_id),
        token_hash: Set(token_hash(&token)),
        expires_at: Set(expires_at),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        Some(clinic_id),
        actor,
        "post.preview_link",
        "post",
        Some(p.id),
        &format!("shared a preview link of \"{}\" (valid {LINK_DAYS} days)", p.title),
        now,
    )
    .await?;
    Ok((token, expires_at))
}

/// The post behind a link, if the link is this clinic's and still valid.
pub async fn resolve<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    token: &str,
    now: DateTime<Utc>,
) -> Result<post::Model, PreviewError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(PreviewError::NotFound);
    }
    let link = preview_link::Entity::find()
        .filter(preview_link::Column::TokenHash.eq(token_hash(token)))
        .filter(preview_link::Column::ClinicId.eq(clinic_id))
        .one(db)
        .await?
        .ok_or(PreviewError::NotFound)?;
    if link.expires_at <= now {
        return Err(PreviewError::Expired(link.expires_at.format("%Y-%m-%d %H:%M UTC").to_string()));
    }
    post::Entity::find_by_id(link.post_id)
        .filter(post::Column::ClinicId.eq(clinic_id))
        .one(db)
        .await?
        .ok_or(PreviewError::NotFound)
}
