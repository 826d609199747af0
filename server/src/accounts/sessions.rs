//! A tower-sessions store in the database, through sea-orm's pool, so
//! sessions work on SQLite and PostgreSQL, survive a restart and are shared
//! by every server process.

use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, SqlErr};
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

use crate::entities::session;

/// The session key holding the signed-in user's id (also copied to a
/// column, so a user's sessions can be listed and ended).
pub const USER_ID_KEY: &str = "user_id";

#[derive(Debug, Clone)]
pub struct DbSessionStore {
    db: DatabaseConnection,
}

impl DbSessionStore {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// End every session of a user (password change, disabling, role change).
    pub async fn delete_for_user(&self, user_id: i32) -> Result<u64, sea_orm::DbErr> {
        Ok(session::Entity::delete_many()
            .filter(session::Column::UserId.eq(user_id))
            .exec(&self.db)
            .await?
            .rows_affected)
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn row(record: &Record) -> Result<session::ActiveModel, session_store::Error> {
    let data = serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
    Ok(session::ActiveModel {
        id: Set(record.id.to_string()),
        user_id: Set(record.data.get(USER_ID_KEY).and_then(|v| v.as_i64()).and_then(|v| i32::try_from(v).ok())),
        data: Set(data),
        expires_at: Set(record.expiry_date.unix_timestamp()),
        created_at: Set(Utc::now()),
    })
}

#[async_trait::async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are random 128-bit values; on the rare collision draw a new one.
        loop {
            match session::Entity::insert(row(record)?).exec_without_returning(&self.db).await {
                Ok(_) => return Ok(()),
                Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                    record.id = Id::default();
                }
                Err(e) => return Err(backend(e)),
            }
        }
    }

    /// Update only: a session ended meanwhile (sign out everywhere, a
    /// forced password reset, disabling) is not written back by a request
    /// that loaded it before — it stays ended. New sessions come through
    /// [`Self::create`].
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let row = row(record)?;
        session::Entity::update_many()
            .col_expr(session::Column::Data, sea_orm::sea_query::Expr::value(row.data.unwrap()))
            .col_expr(session::Column::UserId, sea_orm::sea_query::Expr::value(row.user_id.unwrap()))
            .col_expr(session::Column::ExpiresAt, sea_orm::sea_query::Expr::value(row.expires_at.unwrap()))
            .filter(session::Column::Id.eq(record.id.to_string()))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let Some(m) = session::Entity::find_by_id(id.to_string())
            .filter(session::Column::ExpiresAt.gt(now))
            .one(&self.db)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&m.data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = OffsetDateTime::from_unix_timestamp(m.expires_at)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        session::Entity::delete_by_id(id.to_string()).exec(&self.db).await.map_err(backend)?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lte(now))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
