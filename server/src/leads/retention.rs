//! Retention: a clinic that sets `lead_settings.retention_days` keeps
//! closed and spam leads only that long after their last change; a daily
//! task deletes older ones with their history and outbox rows, and writes
//! one audit-log line per clinic with how many (never what they said).
//! Without a setting (`NULL`), leads are kept.
//!
//! The last change is the latest of the lead's arrival, its closing and
//! its history lines, except views and exports (reading a request does not
//! keep it alive). A lead reopened meanwhile is not deleted: the delete
//! checks the status again.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::status::LeadStatus;
use crate::audit::Actor;
use crate::entities::{lead, lead_event, lead_settings, outbox};

/// How often the task runs (and once shortly after the server starts).
pub const EVERY: StdDuration = StdDuration::from_secs(24 * 60 * 60);
/// Leads read and deleted per statement.
const BATCH: u64 = 500;
/// History lines that are not changes: reading a lead does not keep it.
pub const NOT_CHANGES: [&str; 2] = ["viewed", "export"];

/// Who the audit log names for the deletions.
pub fn actor() -> Actor {
    Actor { id: None, name: "Retention".into(), email: "system".into() }
}

/// Leads whose last change is before this instant are old enough to go;
/// `None` when the clinic keeps its leads (no setting, or not a positive number of days).
pub fn cutoff(now: DateTime<Utc>, retention_days: Option<i32>) -> Option<DateTime<Utc>> {
    retention_days.filter(|d| *d > 0).map(|d| now - Duration::days(i64::from(d)))
}

/// Only finished leads are ever deleted: closed ones and spam.
pub fn finished(status: &str) -> bool {
    matches!(LeadStatus::parse(status), Some(LeadStatus::Closed | LeadStatus::Spam))
}

/// The lead's last change, given its latest history line that counts (if any).
pub fn last_change(l: &lead::Model, latest_event: Option<DateTime<Utc>>) -> DateTime<Utc> {
    [Some(l.received_at), l.closed_at, latest_event].into_iter().flatten().max().unwrap_or(l.received_at)
}

/// Whether the lead is to be deleted now.
pub fn expired(l: &lead::Model, latest_event: Option<DateTime<Utc>>, cutoff: DateTime<Utc>) -> bool {
    finished(&l.status) && last_change(l, latest_event) < cutoff
}

/// Delete one clinic's expired leads (one transaction, with the audit
/// line); returns how many went.
pub async fn purge_clinic(
    db: &DatabaseConnection,
    clinic_id: i32,
    retention_days: Option<i32>,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let Some(cut) = cutoff(now, retention_days) else {
        return Ok(0);
    };
    let finished_statuses = [LeadStatus::Closed.as_str(), LeadStatus::Spam.as_str()];
    let txn = crate::db::begin_write(db).await?;
    let mut deleted = 0u64;
    let mut after = 0;
    loop {
        // Cheap necessary conditions first; the history decides the rest.
        let batch = lead::Entity::find()
            .filter(lead::Column::ClinicId.eq(clinic_id))
            .filter(lead::Column::Status.is_in(finished_statuses))
            .filter(lead::Column::ReceivedAt.lt(cut))
            .filter(Condition::any().add(lead::Column::ClosedAt.is_null()).add(lead::Column::ClosedAt.lt(cut)))
            .filter(lead::Column::Id.gt(after))
            .order_by_asc(lead::Column::Id)
            .limit(BATCH)
            // PostgreSQL: the rows stay locked until the commit, so a note
            // being added waits, and then finds the lead gone (refused by
            // its foreign key) instead of being deleted unseen. (SQLite has
            // no row locks: a write in between makes this transaction fail,
            // and the purge runs again the next day.)
            .lock_exclusive()
            .all(&txn)
            .await?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        let ids: Vec<i32> = batch.iter().map(|l| l.id).collect();
        let events: Vec<(i32, DateTime<Utc>)> = lead_event::Entity::find()
            .select_only()
            .column(lead_event::Column::LeadId)
            .column(lead_event::Column::At)
            .filter(lead_event::Column::LeadId.is_in(ids))
            .filter(lead_event::Column::Kind.is_not_in(NOT_CHANGES))
            .filter(lead_event::Column::At.gte(cut))
            .into_tuple()
            .all(&txn)
            .await?;
        let gone: Vec<i32> = batch
            .iter()
            .filter(|l| {
                let latest = events.iter().filter(|(id, _)| *id == l.id).map(|(_, at)| *at).max();
                expired(l, latest, cut)
            })
            .map(|l| l.id)
            .collect();
        if gone.is_empty() {
            continue;
        }
        // The DELETE repeats every condition, so a lead reopened, or given a
        // note, between the SELECT above and now stays (PostgreSQL's
        // READ COMMITTED re-checks them on the rows as they are now).
        let changed_since = Query::select()
            .column(lead_event::Column::LeadId)
            .from(lead_event::Entity)
            .and_where(lead_event::Column::LeadId.is_in(gone.clone()))
            .and_where(lead_event::Column::Kind.is_not_in(NOT_CHANGES))
            .and_where(lead_event::Column::At.gte(cut))
            .to_owned();
        let res = lead::Entity::delete_many()
            .filter(lead::Column::Id.is_in(gone.clone()))
            .filter(lead::Column::Status.is_in(finished_statuses))
            .filter(lead::Column::ReceivedAt.lt(cut))
            .filter(Condition::any().add(lead::Column::ClosedAt.is_null()).add(lead::Column::ClosedAt.lt(cut)))
            .filter(lead::Column::Id.not_in_subquery(changed_since))
            .exec(&txn)
            .await?;
        deleted += res.rows_affected;
        // The foreign keys cascade; this also holds where they are not enforced.
        let still_there = Query::select()
            .column(lead::Column::Id)
            .from(lead::Entity)
            .and_where(lead::Column::Id.is_in(gone.clone()))
            .to_owned();
        lead_event::Entity::delete_many()
            .filter(lead_event::Column::LeadId.is_in(gone.clone()))
            .filter(lead_event::Column::LeadId.not_in_subquery(still_there.clone()))
            .exec(&txn)
            .await?;
        outbox::Entity::delete_many()
            .filter(outbox::Column::LeadId.is_in(gone))
            .filter(outbox::Column::LeadId.not_in_subquery(still_there))
            .exec(&txn)
            .await?;
    }
    if deleted > 0 {
        let days = retention_days.unwrap_or_default();
        crate::audit::record(
            &txn,
            Some(clinic_id),
            &actor(),
            "lead.retention",
            "lead",
            None,
            &format!(
                "Deleted {deleted} closed or spam request(s) unchanged for more than {days} day(s), with their history and notifications (the clinic's retention period)"
            ),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(deleted)
}

/// Apply every clinic's retention period at `now`; returns (clinic id, leads deleted) for clinics that deleted any.
pub async fn run(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Vec<(i32, u64)>, DbErr> {
    let mut out = Vec::new();
    let settings = lead_settings::Entity::find()
        .filter(lead_settings::Column::RetentionDays.is_not_null())
        .order_by_asc(lead_settings::Column::ClinicId)
        .all(db)
        .await?;
    for s in settings {
        let n = purge_clinic(db, s.clinic_id, s.retention_days, now).await?;
        if n > 0 {
            out.push((s.clinic_id, n));
        }
    }
    Ok(out)
}

/// The daily task: [`run`] a minute after start, then every [`EVERY`].
pub fn spawn(db: DatabaseConnection, stop: crate::shutdown::CancellationToken) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let start = tokio::time::Instant::now() + StdDuration::from_secs(60);
        let mut tick = tokio::time::interval_at(start, EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.cancelled() => return,
            }
            // By the database's clock: a process whose clock ran ahead must not delete early.
            let now = match crate::db::clock::now(&db).await {
                Ok(now) => now,
                Err(e) => {
                    tracing::warn!(error = %e, "retention: cannot read the database's clock; trying again tomorrow");
                    continue;
                }
            };
            match run(&db, now).await {
                Ok(done) => {
                    for (clinic_id, n) in done {
                        tracing::info!(clinic_id, deleted = n, "retention: deleted old closed leads");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "retention: cannot delete old leads; trying again tomorrow"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, mo: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, 12, 0, 0).unwrap()
    }

    fn lead(status: &str, received_at: DateTime<Utc>, closed_at: Option<DateTime<Utc>>) -> lead::Model {
        lead::Model {
            id: 1,
            clinic_id: 1,
            location_id: None,
            reference: "PMC-000001".into(),
            kind: "contact".into(),
            status: status.into(),
            name: String::new(),
            email: String::new(),
            phone: String::new(),
            contact_method: "email".into(),
            message: String::new(),
            zip: String::new(),
            preferred_days: "[]".into(),
            preferred_times: "[]".into(),
            patient: String::new(),
            wants_receipt: false,
            consent_version: String::new(),
            consent_text: String::new(),
            source_path: String::new(),
            utm_source: None,
            utm_medium: None,
            utm_campaign: None,
            routed_by: "clinic_default".into(),
            spam_reasons: None,
            ip_hash: String::new(),
            assignee_id: None,
            received_at,
            first_response_at: None,
            closed_at,
            escalated_at: None,
            erased_at: None,
        }
    }

    #[test]
    fn cutoff_needs_a_positive_number_of_days() {
        let now = at(2026, 12, 3);
        assert_eq!(cutoff(now, None), None);
        assert_eq!(cutoff(now, Some(0)), None);
        assert_eq!(cutoff(now, Some(-5)), None);
        assert_eq!(cutoff(now, Some(30)), Some(at(2026, 11, 3)));
    }

    #[test]
    fn only_closed_and_spam_leads_older_than_the_period_expire() {
        let now = at(2026, 12, 3);
        let cut = cutoff(now, Some(90)).unwrap();
        let old = at(2026, 1, 10);
        assert!(expired(&lead("closed", old, Some(at(2026, 2, 1))), None, cut));
        assert!(expired(&lead("spam", old, None), None, cut));
        for open in ["new", "contacted", "scheduled", "something else"] {
            assert!(!expired(&lead(open, old, None), None, cut), "{open}");
        }
        // Closed recently, or changed recently: kept.
        assert!(!expired(&lead("closed", old, Some(at(2026, 11, 20))), None, cut));
        assert!(!expired(&lead("spam", old, None), Some(at(2026, 10, 1)), cut));
        // Exactly at the cutoff is not older than it.
        assert!(!expired(&lead("closed", old, Some(cut)), None, cut));
        assert!(expired(&lead("closed", old, Some(cut - Duration::seconds(1))), None, cut));
        assert_eq!(last_change(&lead("closed", old, Some(at(2026, 2, 1))), Some(at(2026, 3, 1))), at(2026, 3, 1));
        assert_eq!(last_change(&lead("spam", old, None), None), old);
    }
}
