//! Signing in: password check and throttling.
//!
//! Every attempt is recorded in `login_attempt`. Within a window of
//! [`WINDOW_MINUTES`], an account with [`ACCOUNT_LIMIT`] failures, or an
//! address with [`IP_LIMIT`] failures, is refused until the oldest of those
//! failures leaves the window. The rule lives in the database, so it holds
//! across server processes and restarts.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};

use super::authz::Principal;
use super::users::{normalise_email, principal};
use crate::entities::{app_user, login_attempt};

pub const WINDOW_MINUTES: i64 = 15;
pub const ACCOUNT_LIMIT: usize = 5;
pub const IP_LIMIT: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("The e-mail address or the password is wrong.")]
    BadCredentials,
    #[error(
        "Too many failed sign-in attempts. For your security, sign-in is paused for {minutes} minute(s); try again then, or reset your password."
    )]
    Throttled { minutes: i64 },
    #[error("This account is disabled. Ask your clinic's administrator to enable it.")]
    Disabled,
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// How long to wait, if `failures` (times, any order) reach `limit` inside
/// the window ending `now`.
pub fn wait_for(failures: &[DateTime<Utc>], limit: usize, now: DateTime<Utc>) -> Option<Duration> {
    let window = Duration::minutes(WINDOW_MINUTES);
    let mut recent: Vec<DateTime<Utc>> = failures.iter().copied().filter(|t| now - *t < window).collect();
    if recent.len() < limit {
        return None;
    }
    recent.sort();
    // Free again when enough of them have aged out to drop below the limit.
    let freeing = recent[recent.len() - limit];
    Some(freeing + window - now)
}

fn minutes_rounded_up(d: Duration) -> i64 {
    ((d.num_seconds() + 59) / 60).max(1)
}

async fn failures(
    db: &DatabaseConnection,
    column: login_attempt::Column,
    value: &str,
    now: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, sea_orm::DbErr> {
    Ok(login_attempt::Entity::find()
        .filter(column.eq(value))
        .filter(login_attempt::Column::Success.eq(false))
        .filter(login_attempt::Column::At.gt(now - Duration::minutes(WINDOW_MINUTES)))
        .order_by_desc(login_attempt::Column::At)
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.at)
        .collect())
}

async fn record(
    db: &DatabaseConnection,
    email: &str,
    ip: &str,
    success: bool,
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    login_attempt::ActiveModel {
        email: Set(email.chars().take(320).collect()),
        ip: Set(ip.chars().take(64).collect()),
        success: Set(success),
        at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A user who signed in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: app_user::Model,
    pub principal: Principal,
}

/// Check e-mail and password, honouring the throttle; records the attempt.
pub async fn sign_in(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<SignedIn, LoginError> {
    let email = normalise_email(email).unwrap_or_else(|_| email.trim().to_lowercase());
    let by_account = wait_for(&failures(db, login_attempt::Column::Email, &email, now).await?, ACCOUNT_LIMIT, now);
    let by_ip = wait_for(&failures(db, login_attempt::Column::Ip, ip, now).await?, IP_LIMIT, now);
    if let Some(wait) = by_account.into_iter().chain(by_ip).max() {
        return Err(LoginError::Throttled { minutes: minutes_rounded_up(wait) });
    }
    let user = app_user::Entity::find().filter(app_user::Column::Email.eq(&email)).one(db).await?;
    let ok = match user.as_ref().and_then(|u| u.password_hash.as_deref()) {
        Some(hash) => crate::passwords::verify(password, hash),
        None => {
            // Spend the same time as a real check, so timing does not tell which e-mails exist.
            crate::passwords::verify(password, crate::passwords::DUMMY_HASH);
            false
        }
    };
    record(db, &email, ip, ok, now).await?;
    let user = match (ok, user) {
        (true, Some(u)) => u,
        _ => return Err(LoginError::BadCredentials),
    };
    if user.disabled {
        return Err(LoginError::Disabled);
    }
    let principal = principal(db, user.id).await?.ok_or(LoginError::BadCredentials)?;
    Ok(SignedIn { user, principal })
}

/// Forget attempts older than a day (called by the housekeeping task).
pub async fn prune(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<u64, sea_orm::DbErr> {
    Ok(login_attempt::Entity::delete_many()
        .filter(login_attempt::Column::At.lt(now - Duration::days(1)))
        .exec(db)
        .await?
        .rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_waits_until_the_oldest_failure_ages_out() {
        let now = Utc::now();
        let mins = |m: i64| now - Duration::minutes(m);
        assert_eq!(wait_for(&[mins(1), mins(2), mins(3), mins(4)], 5, now), None);
        let five = [mins(1), mins(2), mins(3), mins(4), mins(10)];
        assert_eq!(wait_for(&five, 5, now), Some(Duration::minutes(5)));
        // Old failures do not count.
        let old = [mins(1), mins(2), mins(3), mins(4), mins(16)];
        assert_eq!(wait_for(&old, 5, now), None);
        // With more than the limit, wait for enough to age out.
        let six = [mins(1), mins(2), mins(3), mins(4), mins(5), mins(14)];
        assert_eq!(wait_for(&six, 5, now), Some(Duration::minutes(10)));
        assert_eq!(minutes_rounded_up(Duration::seconds(61)), 2);
        assert_eq!(minutes_rounded_up(Duration::seconds(1)), 1);
    }
}
