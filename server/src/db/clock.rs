//! The database's clock, for leases and due times that several processes
//! compare: with PostgreSQL every process asks the one server, so a process
//! whose own clock is wrong (skewed, or jumped) can neither take a row
//! another still holds nor hold one longer than the lease. SQLite is a file
//! on one machine, so every process sharing it shares that machine's clock:
//! there the app's clock *is* the database's.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement};

/// Now, by the database's clock (microseconds).
pub async fn now<C: ConnectionTrait>(db: &C) -> Result<DateTime<Utc>, DbErr> {
    match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            // clock_timestamp(): the time now, also inside a transaction (now() is its start).
            let row = db
                .query_one_raw(Statement::from_string(DatabaseBackend::Postgres, "SELECT clock_timestamp() AS now"))
                .await?
                .ok_or_else(|| DbErr::Custom("the database did not say what time it is".into()))?;
            row.try_get::<DateTime<Utc>>("", "now")
        }
        _ => Ok(Utc::now()),
    }
}
