//! Readiness: may a load balancer send this process traffic?
//!
//! The decision is [`assess`], a pure function of [`Facts`] gathered by
//! [`gather`] with a few cheap reads: a database ping, the applied
//! migration names, the search index's commit payload and the newest
//! change id. `/healthz` (the process answers at all) lives in `web`.

use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Statement};

use super::Ops;
use crate::search::changes;

/// How far behind the change log the search index may be and still be
/// ready, unless set (`--ready-max-index-lag`).
pub const DEFAULT_MAX_INDEX_LAG: u64 = 1000;

/// Readiness gives up on a database that does not answer within this.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Migrations known to this binary compared with those the database has applied.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MigrationState {
    /// Known here, not applied yet.
    pub pending: usize,
    /// Applied by another (newer) binary; this one does not know them.
    pub unknown: usize,
}

impl MigrationState {
    /// Compare migration names: `known` to this binary, `applied` in the database.
    pub fn compare<K: AsRef<str>, A: AsRef<str>>(known: &[K], applied: &[A]) -> Self {
        let has = |list: &[A], name: &str| list.iter().any(|a| a.as_ref() == name);
        let knows = |name: &str| known.iter().any(|k| k.as_ref() == name);
        MigrationState {
            pending: known.iter().filter(|k| !has(applied, k.as_ref())).count(),
            unknown: applied.iter().filter(|a| !knows(a.as_ref())).count(),
        }
    }
}

/// What readiness looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// The database answered a ping.
    pub database: bool,
    /// The migration comparison, when the database answered.
    pub migrations: Option<MigrationState>,
    /// Changes the search index has not applied yet, when known.
    pub index_lag: Option<u64>,
    /// The index holds every published post (not still being built).
    pub index_complete: bool,
    /// The process is shutting down (SIGTERM): send it nothing new.
    pub stopping: bool,
}

/// Why the process is not ready. The text is short and safe to show to
/// anyone: no SQL, no error details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    DatabaseUnreachable,
    MigrationsPending(usize),
    UnknownMigrations(usize),
    IndexUnknown,
    IndexBehind { lag: u64, max: u64 },
    IndexBuilding,
    ShuttingDown,
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::DatabaseUnreachable => write!(f, "database unreachable"),
            Reason::MigrationsPending(n) => write!(f, "{n} database migration(s) pending"),
            Reason::UnknownMigrations(n) => {
                write!(f, "the database has {n} migration(s) this program does not know (a newer version ran)")
            }
            Reason::IndexUnknown => write!(f, "search index position unknown"),
            Reason::IndexBehind { lag, max } => write!(f, "search index {lag} changes behind (more than {max})"),
            Reason::IndexBuilding => write!(f, "search index still being built"),
            Reason::ShuttingDown => write!(f, "shutting down"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    NotReady(Vec<Reason>),
}

/// The rule: not shutting down, the database answers, its migrations are
/// exactly this binary's, and the search index is complete and at most
/// `max_index_lag` changes behind.
pub fn assess(facts: &Facts, max_index_lag: u64) -> Readiness {
    let mut reasons = Vec::new();
    if facts.stopping {
        reasons.push(Reason::ShuttingDown);
    }
    if !facts.database {
        reasons.push(Reason::DatabaseUnreachable);
    }
    if let Some(m) = &facts.migrations {
        if m.pending > 0 {
            reasons.push(Reason::MigrationsPending(m.pending));
        }
        if m.unknown > 0 {
            reasons.push(Reason::UnknownMigrations(m.unknown));
        }
    }
    match facts.index_lag {
        Some(lag) if lag > max_index_lag => reasons.push(Reason::IndexBehind { lag, max: max_index_lag }),
        Some(_) => {}
        // With the database down the lag cannot be known; that reason is already given.
        None if facts.database => reasons.push(Reason::IndexUnknown),
        None => {}
    }
    if !facts.index_complete {
        reasons.push(Reason::IndexBuilding);
    }
    if reasons.is_empty() { Readiness::Ready } else { Readiness::NotReady(reasons) }
}

/// Changes not yet applied: the newest change id minus the one the index
/// has applied (ids can have gaps, so this is an upper bound).
pub fn index_lag(newest: Option<i64>, applied: i64) -> u64 {
    newest.map_or(0, |n| n.saturating_sub(applied).max(0) as u64)
}

/// Names of the migrations the database has applied.
async fn applied_migrations(db: &DatabaseConnection) -> Result<Vec<String>, DbErr> {
    let backend = db.get_database_backend();
    let rows = db.query_all_raw(Statement::from_string(backend, "SELECT version FROM seaql_migrations")).await?;
    rows.iter().map(|r| r.try_get_by_index::<String>(0)).collect()
}

/// The newest change id in the search change log.
pub async fn newest_change(db: &DatabaseConnection) -> Result<Option<i64>, DbErr> {
    Ok(changes::newest_ids(db, 1).await?.first().copied())
}

/// Look at the database and the index (each read bounded by a timeout).
pub async fn gather(ops: &Ops) -> Facts {
    let db = &ops.db;
    let stopping = ops.settings.stopping.is_cancelled();
    let probe = async {
        db.ping().await?;
        let applied = applied_migrations(db).await?;
        let known: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_string()).collect();
        let newest = newest_change(db).await?;
        Ok::<_, DbErr>((MigrationState::compare(&known, &applied), newest))
    };
    match tokio::time::timeout(PROBE_TIMEOUT, probe).await {
        Ok(Ok((migrations, newest))) => {
            let payload = ops.search.index().payload().ok();
            let index_lag = payload.as_ref().map(|p| index_lag(newest, p.applied));
            let index_complete = payload.is_none_or(|p| p.complete);
            Facts { database: true, migrations: Some(migrations), index_lag, index_complete, stopping }
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: the database check failed");
            Facts { database: false, migrations: None, index_lag: None, index_complete: true, stopping }
        }
        Err(_) => {
            tracing::warn!("readiness: the database did not answer in time");
            Facts { database: false, migrations: None, index_lag: None, index_complete: true, stopping }
        }
    }
}

/// `GET /readyz`: 200 "ready", or 503 with one reason per line.
pub async fn readyz(State(ops): State<Ops>) -> Response {
    let facts = gather(&ops).await;
    let (status, body) = match assess(&facts, ops.settings.max_index_lag) {
        Readiness::Ready => (StatusCode::OK, "ready\n".to_string()),
        Readiness::NotReady(reasons) => {
            let lines: Vec<String> = reasons.iter().map(|r| format!("not ready: {r}\n")).collect();
            (StatusCode::SERVICE_UNAVAILABLE, lines.concat())
        }
    };
    (status, [(header::CACHE_CONTROL, "no-store"), (header::CONTENT_TYPE, "text/plain; charset=utf-8")], body)
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(lag: u64) -> Facts {
        Facts {
            database: true,
            migrations: Some(MigrationState::default()),
            index_lag: Some(lag),
            index_complete: true,
            stopping: false,
        }
    }

    #[test]
    fn ready_when_the_database_answers_migrations_match_and_the_index_is_close() {
        assert_eq!(assess(&up(0), 1000), Readiness::Ready);
        assert_eq!(assess(&up(1000), 1000), Readiness::Ready);
    }

    #[test]
    fn an_index_too_far_behind_is_not_ready() {
        assert_eq!(assess(&up(1001), 1000), Readiness::NotReady(vec![Reason::IndexBehind { lag: 1001, max: 1000 }]));
        let mut facts = up(0);
        facts.index_lag = None;
        assert_eq!(assess(&facts, 1000), Readiness::NotReady(vec![Reason::IndexUnknown]));
    }

    #[test]
    fn a_stopping_process_and_an_index_being_built_are_not_ready() {
        let mut facts = up(0);
        facts.stopping = true;
        assert_eq!(assess(&facts, 1000), Readiness::NotReady(vec![Reason::ShuttingDown]));
        let mut facts = up(0);
        facts.index_complete = false;
        assert_eq!(assess(&facts, 1000), Readiness::NotReady(vec![Reason::IndexBuilding]));
        assert_eq!(Reason::IndexBuilding.to_string(), "search index still being built");
    }

    #[test]
    fn a_database_down_is_the_one_reason_given() {
        let facts = Facts { database: false, migrations: None, index_lag: None, index_complete: true, stopping: false };
        assert_eq!(assess(&facts, 1000), Readiness::NotReady(vec![Reason::DatabaseUnreachable]));
        assert_eq!(Reason::DatabaseUnreachable.to_string(), "database unreachable");
    }

    #[test]
    fn pending_and_unknown_migrations_are_both_named() {
        let state = MigrationState::compare(&["m1", "m2", "m3"], &["m1", "m9"]);
        assert_eq!(state, MigrationState { pending: 2, unknown: 1 });
        let facts = Facts {
            database: true,
            migrations: Some(state),
            index_lag: Some(5),
            index_complete: true,
            stopping: false,
        };
        assert_eq!(
            assess(&facts, 1000),
            Readiness::NotReady(vec![Reason::MigrationsPending(2), Reason::UnknownMigrations(1)])
        );
        assert_eq!(MigrationState::compare(&["m1"], &["m1"]), MigrationState::default());
    }

    #[test]
    fn the_lag_is_the_distance_to_the_newest_change() {
        assert_eq!(index_lag(None, 0), 0);
        assert_eq!(index_lag(Some(10), 10), 0);
        assert_eq!(index_lag(Some(1510), 10), 1500);
        // An index ahead of the log (a log pruned and restarted) is not behind.
        assert_eq!(index_lag(Some(3), 10), 0);
    }
}
