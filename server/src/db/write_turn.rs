//! One SQLite writer at a time, in arrival order.
//!
//! SQLite lets one transaction write at a time. A connection that finds the
//! write lock taken waits in SQLite's busy handler, which sleeps and tries
//! again with growing sleeps (up to 100 ms): under a burst of leads most
//! wait a few milliseconds while some wait hundreds, and the order is luck.
//! The hot writers (a lead's transaction, the outbox worker's claims and
//! outcomes) instead take a [`WriteTurn`] first: a fair queue in the
//! process (tokio's mutex serves waiters first come, first served), so the
//! lock is free when a turn begins and the wait is the queue ahead.
//!
//! PostgreSQL writes in parallel: no turn is taken there. Writers that do
//! not take a turn (rare admin edits) still work, through the busy handler.
//! A turn must never be asked for while one is held (it would wait forever).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};

use sea_orm::{DatabaseBackend, DatabaseConnection};
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
