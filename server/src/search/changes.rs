//! The search change log: every write that changes what search should
//! answer for a post (publish, edit, unpublish, archive, slug, tag,
//! category, author or location change) adds a row here **in the same
//! transaction**. Indexers tail the log by id; each row only says "look at
//! post N again", so applying a row twice, or late, is harmless: the
//! indexer reads the post's state at that moment.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    Statement,
};

use crate::entities::{post, post_location, post_tag, search_change};

/// Note that these posts of `clinic_id` changed.
pub async fn posts_changed<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    post_ids: &[i32],
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    if post_ids.is_empty() {
        return Ok(());
    }
    // A few hundred rows per statement keeps every database's parameter limit far away.
    for chunk in post_ids.chunks(500) {
        search_change::Entity::insert_many(chunk.iter().map(|&post_id| search_change::ActiveModel {
            clinic_id: Set(clinic_id),
            post_id: Set(post_id),
            at: Set(at),
            ..Default::default()
        }))
        .exec_without_returning(db)
        .await?;
    }
    // PostgreSQL tells every listening indexer when the transaction commits.
    if db.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_raw(Statement::from_string(DatabaseBackend::Postgres, format!("NOTIFY {CHANNEL}"))).await?;
    }
    Ok(())
}

/// The PostgreSQL channel a change's commit is announced on (LISTEN/NOTIFY).
pub const CHANNEL: &str = "clinicpress_search_change";

/// The PostgreSQL channel on which a process announces, after the commit,
/// a change of what public pages show that the change log does not record
/// (offices, clinic settings): other processes forget their kept pages.
pub const PAGES_CHANNEL: &str = "clinicpress_pages";

/// Announce [`PAGES_CHANNEL`] (PostgreSQL; on SQLite there is one process).
pub async fn announce_pages_changed<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_raw(Statement::from_string(DatabaseBackend::Postgres, format!("NOTIFY {PAGES_CHANNEL}"))).await?;
    }
    Ok(())
}

/// Note that one post changed.
pub async fn post_changed<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    post_id: i32,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    posts_changed(db, clinic_id, &[post_id], at).await
}

/// What a renamed term or location touches.
#[derive(Debug, Clone, Copy)]
pub enum Touching {
    Category(i32),
    Tag(i32),
    Author(i32),
    Location(i32),
}

/// Note that every post carrying `what` changed (its name is indexed with them).
pub async fn posts_touching<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    what: Touching,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let ids: Vec<i32> = match what {
        Touching::Category(id) => post_ids(db, post::Column::CategoryId.eq(id)).await?,
        Touching::Author(id) => post_ids(db, post::Column::AuthorId.eq(id)).await?,
        Touching::Tag(id) => {
            post_tag::Entity::find()
                .select_only()
                .column(post_tag::Column::PostId)
                .filter(post_tag::Column::TagId.eq(id))
                .into_tuple()
                .all(db)
                .await?
        }
        Touching::Location(id) => {
            post_location::Entity::find()
                .select_only()
                .column(post_location::Column::PostId)
                .filter(post_location::Column::LocationId.eq(id))
                .into_tuple()
                .all(db)
                .await?
        }
    };
    posts_changed(db, clinic_id, &ids, at).await
}

async fn post_ids<C: ConnectionTrait>(db: &C, cond: sea_orm::sea_query::SimpleExpr) -> Result<Vec<i32>, DbErr> {
    post::Entity::find().select_only().column(post::Column::Id).filter(cond).into_tuple().all(db).await
}

/// Changes after `after`, oldest first, at most `limit`.
pub async fn after<C: ConnectionTrait>(db: &C, after: i64, limit: u64) -> Result<Vec<search_change::Model>, DbErr> {
    search_change::Entity::find()
        .filter(search_change::Column::Id.gt(after))
        .order_by_asc(search_change::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// The newest `limit` change ids, newest first.
pub async fn newest_ids<C: ConnectionTrait>(db: &C, limit: u64) -> Result<Vec<i64>, DbErr> {
    search_change::Entity::find()
        .select_only()
        .column(search_change::Column::Id)
        .order_by_desc(search_change::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await
}

/// The oldest change id still in the log, if any.
pub async fn oldest_id<C: ConnectionTrait>(db: &C) -> Result<Option<i64>, DbErr> {
    Ok(search_change::Entity::find()
        .select_only()
        .column_as(search_change::Column::Id.min(), "m")
        .into_tuple::<Option<i64>>()
        .one(db)
        .await?
        .flatten())
}

/// How long applied changes are kept. An index that has not followed the
/// log for longer than this (a node switched off for months) finds its
/// next change pruned and rebuilds itself from the database instead.
pub const KEEP: chrono::Duration = chrono::Duration::days(30);

/// Forget changes older than `before`, always keeping the newest row so the
/// log shows how far it reaches. Returns how many rows went.
pub async fn prune<C: ConnectionTrait>(db: &C, before: DateTime<Utc>) -> Result<u64, DbErr> {
    let Some(&newest) = newest_ids(db, 1).await?.first() else { return Ok(0) };
    let res = search_change::Entity::delete_many()
        .filter(search_change::Column::At.lt(before))
        .filter(search_change::Column::Id.lt(newest))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}
