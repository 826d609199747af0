//! `clinicpress backup PATH` and `clinicpress restore PATH`.
//!
//! On SQLite a backup is `VACUUM INTO`: a consistent copy taken while the
//! server keeps serving, one self-contained file (no `-wal`), checked with
//! `PRAGMA integrity_check` before it is reported. A restore checks the file
//! (an SQLite database that passes the integrity check, made by this or an
//! older Clinicpress — never a newer one), puts it in place of the database
//! in one rename, and removes the search index, which the next start
//! rebuilds from the restored posts. The server must be stopped for a
//! restore. On PostgreSQL both print the `pg_dump` / `pg_restore` command to
//! run, with the password masked: its own tools do it better.
//!
//! Uploaded files (`DATA_DIR/media`) are not in the database: the operator
//! copies that folder beside the backup (the commands say so).

use std::path::{Path, PathBuf};

use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};

/// Where the database is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Sqlite { file: PathBuf },
    Postgres { url: String },
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists: a backup never overwrites a file, choose a new name")]
    Exists(PathBuf),
    #[error("{0} does not exist")]
    Missing(PathBuf),
    #[error("{0} is not a usable Clinicpress backup: {1}")]
    NotABackup(PathBuf, String),
    #[error("the database URL {0} is neither sqlite: nor postgres:")]
    UnknownDatabase(String),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl Target {
    /// From the command line's `--database-url` (or the default SQLite file
    /// in the data directory).
    pub fn of(database_url: Option<&str>, data_dir: &Path) -> Result<Self, BackupError> {
        match database_url {
            None => Ok(Target::Sqlite { file: data_dir.join("clinicpress.db") }),
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Target::Postgres { url: url.to_string() })
            }
            Some(url) if url.starts_with("sqlite:") => {
                let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
                let path = rest.split('?').next().unwrap_or_default();
                Ok(Target::Sqlite { file: PathBuf::from(path) })
            }
            Some(url) => Err(BackupError::UnknownDatabase(mask_password(url))),
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn mask_password(url: &str) -> String {
    crate::config::file::mask_urls(url)
}

/// What a backup or restore did, for the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done: the sentence to print.
    Done(String),
    /// Not done here: the command to run (PostgreSQL).
    RunThis(String),
}

fn quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "'\\''"))
}

/// Copy the database to `out` (SQLite), or say how (PostgreSQL).
pub async fn backup(
    conn: Option<&DatabaseConnection>,
    target: &Target,
    out: &Path,
    data_dir: &Path,
) -> Result<Outcome, BackupError> {
    let media = data_dir.join("media");
    match target {
        Target::Postgres { url } => Ok(Outcome::RunThis(format!(
            "On PostgreSQL, back up with its own tool (the password comes from PGPASSWORD or ~/.pgpass):\n\n  \
             pg_dump --format=custom --no-owner --file={} '{}'\n\nand copy the uploaded files too: {}",
            quote(out),
            mask_password(url),
            media.display()
        ))),
        Target::Sqlite { .. } => {
            if out.exists() {
                return Err(BackupError::Exists(out.to_path_buf()));
            }
            if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)?;
            }
            let conn = conn.expect("an SQLite backup has a connection");
            let path = out.to_string_lossy().to_string();
            conn.execute_raw(Statement::from_sql_and_values(DatabaseBackend::Sqlite, "VACUUM INTO ?", [path.into()]))
                .await?;
            check_file(out).await?;
            let size = std::fs::metadata(out)?.len();
            Ok(Outcome::Done(format!(
                "backed up the database to {} ({:.1} MB, integrity checked).\nUploaded files are not in it: copy {} too.",
                out.display(),
                size as f64 / 1_048_576.0,
                media.display()
            )))
        }
    }
}

/// Open `file` read-only and check it: an SQLite database that passes the
/// integrity check, with Clinicpress's migrations, none newer than this
/// program knows.
pub async fn check_file(file: &Path) -> Result<(), BackupError> {
    if !file.is_file() {
        return Err(BackupError::Missing(file.to_path_buf()));
    }
    let not = |why: String| BackupError::NotABackup(file.to_path_buf(), why);
    let url = format!("sqlite://{}?mode=ro", file.display());
    let db = sea_orm::Database::connect(url.as_str()).await.map_err(|e| not(e.to_string()))?;
    let result = async {
        let row = db
            .query_one_raw(Statement::from_string(DatabaseBackend::Sqlite, "PRAGMA integrity_check"))
            .await
            .map_err(|_| not("it is not an SQLite database".into()))?
            .ok_or_else(|| not("the integrity check gave no answer".into()))?;
        let verdict: String = row.try_get_by_index(0).map_err(|e| not(e.to_string()))?;
        if verdict != "ok" {
            return Err(not(format!("the integrity check failed ({verdict})")));
        }
        let applied = db
            .query_all_raw(Statement::from_string(DatabaseBackend::Sqlite, "SELECT version FROM seaql_migrations"))
            .await
            .map_err(|_| not("it has no Clinicpress tables".into()))?;
        let known: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_string()).collect();
        for row in applied {
            let version: String = row.try_get_by_index(0).map_err(|e| not(e.to_string()))?;
            if !known.contains(&version) {
                return Err(not(format!(
                    "it was made by a newer Clinicpress (migration {version}); upgrade this program first"
                )));
            }
        }
        Ok(())
    }
    .await;
    let _ = db.close().await;
    result
}

/// Put the backup `from` in place of the database (SQLite; the server must
/// be stopped), or say how (PostgreSQL).
pub async fn restore(target: &Target, from: &Path, data_dir: &Path) -> Result<Outcome, BackupError> {
    match target {
        Target::Postgres { url } => Ok(Outcome::RunThis(format!(
            "On PostgreSQL, stop the servers, then restore with its own tool into an empty database:\n\n  \
             pg_restore --clean --if-exists --no-owner --dbname='{}' {}\n\nthen run `clinicpress reindex` and start the servers.",
            mask_password(url),
            quote(from)
        ))),
        Target::Sqlite { file } => {
            check_file(from).await?;
            if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)?;
            }
            // Copy beside the database, then one rename: never a half-written database.
            let staging = file.with_extension("db.restoring");
            std::fs::copy(from, &staging)?;
            std::fs::rename(&staging, file)?;
            for suffix in ["-wal", "-shm"] {
                let side = PathBuf::from(format!("{}{suffix}", file.display()));
                if side.exists() {
                    std::fs::remove_file(side)?;
                }
            }
            let search = data_dir.join("search");
            if search.exists() {
                std::fs::remove_dir_all(&search)?;
            }
            Ok(Outcome::Done(format!(
                "restored {} from {}. The search index is rebuilt at the next start.\n\
                 Uploaded files are not in the database: put back {} from the same backup.",
                file.display(),
                from.display(),
                data_dir.join("media").display()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_and_masked_passwords() {
        let d = Path::new("/srv/data");
        assert_eq!(Target::of(None, d).unwrap(), Target::Sqlite { file: "/srv/data/clinicpress.db".into() });
        assert_eq!(
            Target::of(Some("sqlite:///var/lib/cp/x.db?mode=rwc"), d).unwrap(),
            Target::Sqlite { file: "/var/lib/cp/x.db".into() }
        );
        assert_eq!(Target::of(Some("sqlite://data/x.db"), d).unwrap(), Target::Sqlite { file: "data/x.db".into() });
        assert!(matches!(Target::of(Some("postgres://u:p@h/db"), d).unwrap(), Target::Postgres { .. }));
        assert!(
            matches!(Target::of(Some("mysql://u:secret@h/db"), d), Err(BackupError::UnknownDatabase(m)) if !m.contains("secret"))
        );
        assert_eq!(mask_password("postgres://cp:s3cret@db.internal:5432/cp"), "postgres://cp:***@db.internal:5432/cp");
        assert_eq!(mask_password("postgres://cp@db/cp"), "postgres://cp@db/cp");
        assert_eq!(quote(Path::new("/tmp/it's.dump")), "'/tmp/it'\\''s.dump'");
    }
}
