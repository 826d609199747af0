//! Password reset by a one-time link sent by e-mail.
//!
//! The link carries 256 random bits; only their SHA-256 is stored, the link
//! works once and for [`LINK_MINUTES`] minutes, and setting the new password
//! ends every session of the user. Asking for a link answers the same way
//! whether or not the address has an account.

use chrono::{DateTime, Duration, Utc};
use password_hash::rand_core::{OsRng, RngCore};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

use super::sessions::DbSessionStore;
use super::users::{UserError, check_password, normalise_email};
use crate::entities::{app_user, password_reset};
use crate::mail::{Mail, MailError, Mailer};

pub const LINK_MINUTES: i64 = 60;

#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    #[error("This reset link is not valid: it may have been used already or have expired. Ask for a new one.")]
    BadToken,
    #[error(transparent)]
    Password(#[from] UserError),
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Send a reset link to `email` if it belongs to an enabled account.
/// `link_base` is e.g. `http://pmc.localhost:3000`.
pub async fn request(
    db: &DatabaseConnection,
    mailer: &Mailer,
    email: &str,
    link_base: &str,
    now: DateTime<Utc>,
) -> Result<(), ResetError> {
    let Ok(email) = normalise_email(email) else { return Ok(()) };
    let Some(user) = app_user::Entity::find().filter(app_user::Column::Email.eq(&email)).one(db).await? else {
        return Ok(());
    };
    if user.disabled {
        return Ok(());
    }
    let token = issue(db, user.id, now + Duration::minutes(LINK_MINUTES), now).await?;
    let body = format!(
        "Hello {name},\n\nsomeone (hopefully you) asked to reset the password of your Clinicpress account.\n\
         Open this link within {LINK_MINUTES} minutes to choose a new password:\n\n{link_base}/admin/reset/{token}\n\n\
         The link works once. If you did not ask for it, ignore this message: your password stays as it is.\n",
        name = user.name
    );
    mailer.send(&Mail { to: user.email.clone(), subject: "Reset your Clinicpress password".into(), body }).await?;
    Ok(())
}

/// A new one-time "choose a password" link for `user_id`, valid until
/// `expires_at` (only its SHA-256 is stored). Returns the token.
pub async fn issue<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<String, sea_orm::DbErr> {
    let token = new_token();
    password_reset::ActiveModel {
        user_id: Set(user_id),
        token_hash: Set(token_hash(&token)),
        expires_at: Set(expires_at),
        used_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The unused, unexpired reset row for `token`.
pub async fn check<C: ConnectionTrait>(
    db: &C,
    token: &str,
    now: DateTime<Utc>,
) -> Result<password_reset::Model, ResetError> {
    password_reset::Entity::find()
        .filter(password_reset::Column::TokenHash.eq(token_hash(token)))
        .filter(password_reset::Column::UsedAt.is_null())
        .filter(password_reset::Column::ExpiresAt.gt(now))
        .one(db)
        .await?
        .ok_or(ResetError::BadToken)
}

/// Use the link: set the password, mark the link used, end the user's sessions.
pub async fn complete(
    db: &DatabaseConnection,
    token: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<app_user::Model, ResetError> {
    check_password(password)?;
    let txn = crate::db::begin_write(db).await?;
    let row = check(&txn, token, now).await?;
    let user = app_user::Entity::find_by_id(row.user_id).one(&txn).await?.ok_or(ResetError::BadToken)?;
    let mut used: password_reset::ActiveModel = row.into();
    used.used_at = Set(Some(now));
    used.update(&txn).await?;
    let mut am: app_user::ActiveModel = user.into();
    am.password_hash = Set(Some(crate::passwords::hash(password)));
    am.updated_at = Set(now);
    let user = am.update(&txn).await?;
    txn.commit().await?;
    DbSessionStore::new(db.clone()).delete_for_user(user.id).await?;
    Ok(user)
}
