//! Connecting to the database (SQLite by default, PostgreSQL by URL) and
//! running migrations.

use std::path::Path;
use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DbErr, Statement};

pub mod clock;
mod write_turn;

pub use write_turn::{WriteTurn, WriteTxn, begin_write, write_turn};

/// How the pool is opened: `serve`'s (and every command's) database settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbOptions {
    /// SQLite's durability (`--sqlite-synchronous`); PostgreSQL is not affected.
    pub sqlite_synchronous: crate::config::SqliteSync,
    /// How long a request waits for a database connection before it is
    /// answered 503 (`--db-acquire-timeout`, default 5 s): while the database
    /// is away, pages fail this fast instead of hanging.
    pub acquire_timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions { sqlite_synchronous: Default::default(), acquire_timeout: DEFAULT_ACQUIRE_TIMEOUT }
    }
}

/// The default of [`DbOptions::acquire_timeout`].
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// `--db-acquire-timeout` / `CLINICPRESS_DB_ACQUIRE_TIMEOUT`: seconds
/// (whole or fractional) above 0, at most an hour.
pub fn check_acquire_timeout(value: &str) -> Result<Duration, String> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0 && *s <= 3600.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| "expected a number of seconds above 0 (at most 3600), like 5 or 0.5".to_string())
}

/// `--database-url` / `DATABASE_URL`: PostgreSQL or SQLite, by its scheme.
pub fn check_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    if ["postgres://", "postgresql://", "sqlite:"].iter().any(|p| url.starts_with(p)) {
        Ok(url.to_string())
    } else {
        Err("expected a PostgreSQL URL (postgres://user:password@host/database) or an SQLite one (sqlite://path/to/file.db)".into())
    }
}

/// The default database: one SQLite file in the data directory.
pub fn default_sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("clinicpress.db").display())
}

/// Open a pool with the default [`DbOptions`].
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    connect_with(url, &DbOptions::default()).await
}

/// Open a pool. SQLite gets WAL, foreign keys, a busy timeout, `synchronous
/// = NORMAL` unless told `full` ([`crate::config::SqliteSync`]), and is
/// created if missing; PostgreSQL gets a bounded pool.
pub async fn connect_with(url: &str, options: &DbOptions) -> Result<DatabaseConnection, DbErr> {
    let mut opt = ConnectOptions::new(url.to_string());
    let acquire = options.acquire_timeout;
    // A connection attempt never outlasts the wait for a connection.
    opt.sqlx_logging(false).connect_timeout(acquire.min(Duration::from_secs(5))).acquire_timeout(acquire);
    if url.starts_with("sqlite:") {
        let synchronous = match options.sqlite_synchronous {
            crate::config::SqliteSync::Normal => SqliteSynchronous::Normal,
            crate::config::SqliteSync::Full => SqliteSynchronous::Full,
        };
        opt.max_connections(8).min_connections(1).map_sqlx_sqlite_opts(move |o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(synchronous)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                .create_if_missing(true)
        });
    } else {
        opt.max_connections(20).min_connections(1).idle_timeout(Duration::from_secs(300));
    }
    Database::connect(opt).await
}

/// Why the migrations could not run.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(
        "the database was upgraded by a newer Clinicpress (it has migration {}, which this program does not know): run the newer version, or restore a backup made before the upgrade",
        .0.join(", ")
    )]
    Newer(Vec<String>),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// The advisory lock key that serialises migrations on PostgreSQL ("clinicpress" in ASCII, truncated).
const MIGRATION_LOCK: i64 = 0x636c_696e_6963_7072;

/// Apply every pending migration, after checking that the database is not
/// newer than this program. On PostgreSQL one process migrates at a time
/// (an advisory lock held on one connection, released when it ends, even
/// by a crash); the others wait, then find nothing left to do.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), MigrateError> {
    let lock = match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let mut conn = db.get_postgres_connection_pool().acquire().await.map_err(sqlx_err)?;
            let mut said = false;
            loop {
                let (got,): (bool,) = sea_orm::sqlx::query_as("SELECT pg_try_advisory_lock($1)")
                    .bind(MIGRATION_LOCK)
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(sqlx_err)?;
                if got {
                    break;
                }
                if !said {
                    tracing::info!("another process is migrating the database; waiting for it");
                    said = true;
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Some(conn)
        }
        _ => None,
    };
    let result = async {
        let newer = unknown_migrations(db).await?;
        if !newer.is_empty() {
            return Err(MigrateError::Newer(newer));
        }
        Migrator::up(db, None).await.map_err(MigrateError::from)
    }
    .await;
    if let Some(mut conn) = lock {
        // Unlocked, the connection goes back to the pool; if the unlock
        // fails, the connection is closed instead, which releases the lock.
        let unlocked =
            sea_orm::sqlx::query("SELECT pg_advisory_unlock($1)").bind(MIGRATION_LOCK).execute(&mut *conn).await;
        if unlocked.is_err() {
            drop(conn.detach());
        }
    }
    result
}

fn sqlx_err(e: sea_orm::sqlx::Error) -> DbErr {
    DbErr::Custom(format!("cannot take the migration lock: {e}"))
}

/// Migrations recorded in the database that this program does not have
/// (none on an empty database).
pub async fn unknown_migrations(db: &DatabaseConnection) -> Result<Vec<String>, DbErr> {
    let backend = db.get_database_backend();
    let exists = match backend {
        DatabaseBackend::Postgres => {
            "SELECT 1 FROM information_schema.tables WHERE table_name = 'seaql_migrations' AND table_schema = current_schema()"
        }
        _ => "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'seaql_migrations'",
    };
    if db.query_one_raw(Statement::from_string(backend, exists)).await?.is_none() {
        return Ok(Vec::new());
    }
    let known: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_string()).collect();
    let mut out = Vec::new();
    for row in db.query_all_raw(Statement::from_string(backend, "SELECT version FROM seaql_migrations")).await? {
        let version: String = row.try_get_by_index(0)?;
        if !known.contains(&version) {
            out.push(version);
        }
    }
    out.sort();
    Ok(out)
}

/// Names of migrations not yet applied.
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<Vec<String>, DbErr> {
    Ok(Migrator::get_pending_migrations(db).await?.iter().map(|m| m.name().to_string()).collect())
}
