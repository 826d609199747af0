//! One SQLite writer at a time, in arrival order.
//!
//! SQLite lets one transaction write at a time. A connection that finds the
//! write lock taken waits in SQLite's busy handler, which sleeps and tries
//! again with growing sleeps (up to 100 ms): under a burst of leads most
//! wait a few milliseconds while some wait hundreds, and the order is luck.
//! Writers instead take a [`WriteTurn`] first: a fair queue in the
//! process (tokio's mutex serves waiters first come, first served), so the
//! lock is free when a turn begins and the wait is the queue ahead.
//!
//! Every transaction that writes begins with [`begin_write`], which takes
//! the turn and then the lock ([`WriteTxn`]). Single statements outside a
//! transaction (a session's expiry, a search change) wait in SQLite's
//! busy handler, as before.
//!
//! PostgreSQL writes in parallel: no turn is taken there. A turn must never
//! be asked for while one is held (it would wait forever): nothing inside a
//! write transaction begins another.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};

use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use tokio::sync::{Mutex as FairMutex, OwnedMutexGuard};

/// Each SQLite database file's queue; in-memory databases share one.
static QUEUES: LazyLock<Mutex<HashMap<PathBuf, Arc<FairMutex<()>>>>> = LazyLock::new(Default::default);

/// Held while writing; the next writer's turn comes when it is dropped.
#[must_use = "the turn ends when this is dropped"]
#[derive(Debug)]
pub struct WriteTurn(Option<OwnedMutexGuard<()>>);

impl WriteTurn {
    /// Is this a real turn (SQLite), or nothing to wait for (PostgreSQL)?
    pub fn is_queued(&self) -> bool {
        self.0.is_some()
    }
}

/// Wait for this process's turn to write to `db` (SQLite), or go at once (PostgreSQL).
pub async fn write_turn(db: &DatabaseConnection) -> WriteTurn {
    if db.get_database_backend() != DatabaseBackend::Sqlite {
        return WriteTurn(None);
    }
    let file = db.get_sqlite_connection_pool().connect_options().get_filename().to_path_buf();
    let queue = {
        let mut queues = QUEUES.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        queues.entry(file).or_default().clone()
    };
    WriteTurn(Some(queue.lock_owned().await))
}

/// A write transaction that holds this process's [`WriteTurn`] until it
/// ends. Every transaction that writes begins with [`begin_write`].
///
/// On SQLite it takes the write lock at BEGIN (IMMEDIATE). A deferred
/// transaction reads first; when another connection commits in between,
/// its first write fails at once with "database is locked"
/// (`SQLITE_BUSY_SNAPSHOT`: the busy timeout cannot help), so an editor's
/// save could fail while a lead, a session or the outbox worker was being
/// written. PostgreSQL ignores the mode and takes no turn.
///
/// Dropped without [`commit`](Self::commit), the transaction rolls back
/// and the turn passes on.
#[must_use = "dropped, the transaction rolls back"]
#[derive(Debug)]
pub struct WriteTxn {
    // Declared first: dropped (rolled back) before the turn passes on.
    txn: DatabaseTransaction,
    turn: WriteTurn,
}

/// Wait for the write turn, then begin a transaction that writes (see [`WriteTxn`]).
pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTxn, DbErr> {
    let turn = write_turn(db).await;
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?;
    Ok(WriteTxn { txn, turn })
}

impl WriteTxn {
    /// Commit; the turn passes on once the commit is done.
    pub async fn commit(self) -> Result<(), DbErr> {
        let WriteTxn { txn, turn } = self;
        let done = txn.commit().await;
        drop(turn);
        done
    }

    /// Roll back; the turn passes on once that is done.
    pub async fn rollback(self) -> Result<(), DbErr> {
        let WriteTxn { txn, turn } = self;
        let done = txn.rollback().await;
        drop(turn);
        done
    }

    /// Is this process's write turn held (SQLite), or none needed (PostgreSQL)?
    pub fn is_queued(&self) -> bool {
        self.turn.is_queued()
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}
