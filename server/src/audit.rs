//! The audit log: who did what to which post, user or setting, and when.
//! Append-only: nothing in the product updates or deletes its rows.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use crate::entities::{app_user, audit_log, membership};

/// Who acted: a user, or the server itself (the scheduled publisher).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: Option<i32>,
    pub name: String,
    pub email: String,
}

impl Actor {
    pub fn system() -> Self {
        Actor { id: None, name: "Scheduled publisher".into(), email: "system".into() }
    }

    /// Changes made from the shell (`clinicpress users …`, `provision`).
    pub fn command_line() -> Self {
        Actor { id: None, name: "Command line".into(), email: "command line".into() }
    }
}

impl From<&app_user::Model> for Actor {
    fn from(u: &app_user::Model) -> Self {
        Actor { id: Some(u.id), name: u.name.clone(), email: u.email.clone() }
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn record<C: ConnectionTrait>(
    db: &C,
    clinic_id: Option<i32>,
    actor: &Actor,
    action: &str,
    target_kind: &str,
    target_id: Option<i32>,
    summary: &str,
    at: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    audit_log::ActiveModel {
        clinic_id: Set(clinic_id),
        user_id: Set(actor.id),
        user_email: Set(actor.email.clone()),
        action: Set(action.to_string()),
        target_kind: Set(target_kind.to_string()),
        target_id: Set(target_id),
        summary: Set(summary.to_string()),
        at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Record outside a transaction, logging (not failing) on error: for
/// events such as signing in, where the action itself already happened.
pub async fn record_quietly<C: ConnectionTrait>(
    db: &C,
    clinic_id: Option<i32>,
    user: &app_user::Model,
    action: &str,
    target_kind: &str,
    target_id: Option<i32>,
    summary: &str,
) {
    if let Err(e) = record(db, clinic_id, &user.into(), action, target_kind, target_id, summary, Utc::now()).await {
        tracing::error!(error = %e, action, "cannot write the audit log");
    }
}

/// Record a change to a user once for every clinic they belong to, so each
/// clinic's admins see it in their log (and a user with no roles still
/// leaves a row, with no clinic).
pub async fn record_for_user<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    user: &app_user::Model,
    action: &str,
    summary: &str,
) -> Result<(), sea_orm::DbErr> {
    let mut clinics: Vec<i32> = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user.id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.clinic_id)
        .collect();
    clinics.sort_unstable();
    clinics.dedup();
    let now = Utc::now();
    if clinics.is_empty() {
        return record(db, None, actor, action, "user", Some(user.id), summary, now).await;
    }
    for c in clinics {
        record(db, Some(c), actor, action, "user", Some(user.id), summary, now).await?;
    }
    Ok(())
}

/// One page of a clinic's log, newest first.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    page: u64,
    per_page: u64,
) -> Result<(Vec<audit_log::Model>, u64), sea_orm::DbErr> {
    let q = audit_log::Entity::find()
        .filter(audit_log::Column::ClinicId.eq(clinic_id))
        .order_by_desc(audit_log::Column::At)
        .order_by_desc(audit_log::Column::Id);
    let total = q.clone().count(db).await?;
    let rows = q.paginate(db, per_page).fetch_page(page).await?;
    Ok((rows, total))
}
