//! Connecting to the database (SQLite by default, PostgreSQL by URL) and
//! running migrations.

use std::path::Path;
use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

/// The default database: one SQLite file in the data directory.
pub fn default_sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("clinicpress.db").display())
}

/// Open a pool. SQLite gets WAL, foreign keys, a busy timeout, `synchronous
/// = NORMAL` unless `CLINICPRESS_SQLITE_SYNCHRONOUS=full`
/// ([`crate::config::SqliteSync`]), and is created if missing; PostgreSQL
/// gets a bounded pool.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut opt = ConnectOptions::new(url.to_string());
    opt.sqlx_logging(false).connect_timeout(Duration::from_secs(5)).acquire_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        let synchronous = match crate::config::SqliteSync::from_env().map_err(DbErr::Custom)? {
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

/// Apply every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Names of migrations not yet applied.
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<Vec<String>, DbErr> {
    Ok(Migrator::get_pending_migrations(db).await?.iter().map(|m| m.name().to_string()).collect())
}
