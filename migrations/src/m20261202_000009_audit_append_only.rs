//! The audit log is append-only in the database itself, not only by
//! convention: triggers refuse deleting a row and changing what a row says.
//! The one update allowed is a foreign key becoming NULL (a clinic or user
//! removed: `ON DELETE SET NULL`), which keeps the copied e-mail and text.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: [&str; 2] = [
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
     WHEN NEW.id IS NOT OLD.id OR NEW.user_email IS NOT OLD.user_email OR NEW.action IS NOT OLD.action
       OR NEW.target_kind IS NOT OLD.target_kind OR NEW.target_id IS NOT OLD.target_id
       OR NEW.summary IS NOT OLD.summary OR NEW.at IS NOT OLD.at
       OR (NEW.clinic_id IS NOT OLD.clinic_id AND NEW.clinic_id IS NOT NULL)
       OR (NEW.user_id IS NOT OLD.user_id AND NEW.user_id IS NOT NULL)
     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
];

const POSTGRES_UP: [&str; 3] = [
    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF TG_OP = 'DELETE' THEN
         RAISE EXCEPTION 'audit_log is append-only';
       END IF;
       IF NEW.id IS DISTINCT FROM OLD.id OR NEW.user_email IS DISTINCT FROM OLD.user_email
          OR NEW.action IS DISTINCT FROM OLD.action OR NEW.target_kind IS DISTINCT FROM OLD.target_kind
          OR NEW.target_id IS DISTINCT FROM OLD.target_id OR NEW.summary IS DISTINCT FROM OLD.summary
          OR NEW.at IS DISTINCT FROM OLD.at
          OR (NEW.clinic_id IS DISTINCT FROM OLD.clinic_id AND NEW.clinic_id IS NOT NULL)
          OR (NEW.user_id IS DISTINCT FROM OLD.user_id AND NEW.user_id IS NOT NULL) THEN
         RAISE EXCEPTION 'audit_log is append-only';
       END IF;
       RETURN NEW;
     END $$",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
     FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
     FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements: &[&str] = match manager.get_database_backend() {
            DatabaseBackend::Sqlite => &SQLITE_UP,
            DatabaseBackend::Postgres => &POSTGRES_UP,
            other => return Err(DbErr::Migration(format!("unsupported database backend {other:?}"))),
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements: &[&str] = match manager.get_database_backend() {
            DatabaseBackend::Sqlite => {
                &["DROP TRIGGER IF EXISTS audit_log_no_delete", "DROP TRIGGER IF EXISTS audit_log_no_update"]
            }
            _ => &[
                "DROP TRIGGER IF EXISTS audit_log_no_delete ON audit_log",
                "DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log",
                "DROP FUNCTION IF EXISTS audit_log_append_only()",
            ],
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
