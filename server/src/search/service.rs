//! The process's search index on disk and the one task that writes it.
//!
//! Layout under the data directory:
//!
//! ```text
//! search/CURRENT          name of the index folder in use (replaced atomically)
//! search/index-<millis>/  a tantivy index
//! ```
//!
//! The indexer task tails the change log (`search_change`) and applies it
//! in batches; each commit's payload records the last change applied, so
//! after a crash it resumes from there. `clinicpress reindex` builds a new
//! folder beside the old one and then points CURRENT at it; the server
//! notices, catches the new index up and swaps it in while searches keep
//! being answered from the old one.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::Utc;
use sea_orm::{DatabaseConnection, DbErr};

use super::changes;
use super::document::{self, IndexedPost};
use super::index::{IndexError, Payload, SearchIndex};
use super::schema::SCHEMA_VERSION;

/// Changes applied per commit.
const BATCH: u64 = 1000;
/// A gap in change ids seen for less than this may be a transaction still
/// committing; gaps older than this are ids of rolled-back transactions.
const GAP_GRACE: Duration = Duration::from_secs(30);
/// How many of the newest change ids a rebuild looks through for gaps.
const GAP_WINDOW: u64 = 1000;
/// How often the indexer looks at the change log without being woken.
const POLL: Duration = Duration::from_millis(500);
/// How often it looks while PostgreSQL wakes it on each change (a fallback).
const POLL_LISTENING: Duration = Duration::from_secs(5);
/// How long to wait before building the index again after a failed build.
const REBUILD_RETRY: Duration = Duration::from_secs(60);
/// The lock file `serve` holds under `search/`: one process per index.
const LOCK: &str = "LOCK";

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("search folder {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(
        "another clinicpress process is serving from {0}; give each process its own --data-dir (its search index), with the same database"
    )]
    InUse(PathBuf),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SearchError + '_ {
    move |source| SearchError::Io { path: path.to_path_buf(), source }
}

/// The index in use, swappable.
pub struct SearchService {
    root: PathBuf,
    current: RwLock<(String, Arc<SearchIndex>)>,
    /// Told what the index applied (the page cache: related posts and
    /// search results come from the index).
    watchers: RwLock<Vec<Watcher>>,
}

/// What a watcher of the index hears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexChange {
    /// Changes of these clinics' posts were applied.
    Clinics(Vec<i32>),
    /// A new index was built or swapped in, or another process announced a
    /// change of what pages show ([`changes::PAGES_CHANNEL`]).
    Everything,
}

type Watcher = Arc<dyn Fn(&IndexChange) + Send + Sync>;

/// `serve`'s claim on `DATA_DIR/search` ([`lock_dir`]), held while it runs.
#[derive(Debug)]
pub struct DirLock(#[allow(dead_code)] std::fs::File);

/// Claim the search folder of `data_dir` for this process, before anything
/// in it is opened: a second server on the same data directory would find
/// the index busy, start a new one and delete the first server's folders.
/// `reindex` does not claim it: it builds beside a running server on
/// purpose. The operating system releases the lock when the process ends,
/// however it ends.
pub fn lock_dir(data_dir: &Path) -> Result<DirLock, SearchError> {
    let root = data_dir.join("search");
    std::fs::create_dir_all(&root).map_err(io(&root))?;
    let path = root.join(LOCK);
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(io(&path))?;
    match file.try_lock() {
        Ok(()) => Ok(DirLock(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(SearchError::InUse(root)),
        Err(std::fs::TryLockError::Error(e)) => Err(SearchError::Io { path, source: e }),
    }
}

/// Why the index must be (re)built at start, if it must.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartState {
    Ready,
    Missing,
    Unreadable(String),
}

impl SearchService {
    /// Open the index under `data_dir/search`, or create an empty one if it
    /// is missing, unreadable or of another version (the caller rebuilds it).
    pub fn open(data_dir: &Path) -> Result<(Arc<SearchService>, StartState), SearchError> {
        let root = data_dir.join("search");
        std::fs::create_dir_all(&root).map_err(io(&root))?;
        let (name, index, state) = match read_current(&root) {
            None => {
                let (n, i) = create_new(&root)?;
                (n, i, StartState::Missing)
            }
            Some(name) => match SearchIndex::open(&root.join(&name)) {
                Ok(i) => (name, i, StartState::Ready),
                Err(e) => {
                    let (n, i) = create_new(&root)?;
                    (n, i, StartState::Unreadable(e.to_string()))
                }
            },
        };
        // Written only when it changes: an intact index opens on a full disk too.
        if read_current(&root).as_deref() != Some(name.as_str()) {
            write_current(&root, &name)?;
        }
        remove_others(&root, &name);
        let svc = SearchService { root, current: RwLock::new((name, Arc::new(index))), watchers: RwLock::default() };
        Ok((Arc::new(svc), state))
    }

    /// Call `watcher` after each batch of changes the indexer applies and
    /// each new index it swaps in.
    pub fn watch(&self, watcher: impl Fn(&IndexChange) + Send + Sync + 'static) {
        self.watchers.write().expect("search lock").push(Arc::new(watcher));
    }

    fn tell(&self, change: &IndexChange) {
        if matches!(change, IndexChange::Clinics(c) if c.is_empty()) {
            return;
        }
        let watchers = self.watchers.read().expect("search lock").clone();
        for w in watchers {
            w(change);
        }
    }

    /// The index to search now.
    pub fn index(&self) -> Arc<SearchIndex> {
        self.current.read().expect("search lock").1.clone()
    }

    fn current_name(&self) -> String {
        self.current.read().expect("search lock").0.clone()
    }

    /// Replace the index in use by a new empty one (the caller fills it).
    fn start_fresh(&self) -> Result<(), SearchError> {
        let (name, index) = create_new(&self.root)?;
        write_current(&self.root, &name)?;
        let old = {
            let mut cur = self.current.write().expect("search lock");
            std::mem::replace(&mut *cur, (name.clone(), Arc::new(index)))
        };
        drop(old);
        remove_others(&self.root, &name);
        Ok(())
    }

    /// Is the index behind what the change log still holds? (It was off
    /// while the log was pruned past its position.)
    async fn behind_pruned_log(&self, db: &DatabaseConnection) -> Result<bool, SearchError> {
        let applied = self.index().payload()?.applied;
        Ok(changes::oldest_id(db).await?.is_some_and(|oldest| applied + 1 < oldest))
    }

    /// If `reindex` pointed CURRENT at a new folder, open it, catch it up and swap it in.
    async fn adopt_new_index(&self, db: &DatabaseConnection, gaps: &mut GapTracker) -> Result<(), SearchError> {
        let Some(name) = read_current(&self.root) else { return Ok(()) };
        if name == self.current_name() {
            return Ok(());
        }
        let fresh = Arc::new(SearchIndex::open(&self.root.join(&name))?);
        catch_up(db, &fresh, gaps).await?;
        let old = {
            let mut cur = self.current.write().expect("search lock");
            std::mem::replace(&mut *cur, (name.clone(), fresh))
        };
        tracing::info!(index = %name, "search: switched to the rebuilt index");
        self.tell(&IndexChange::Everything);
        drop(old);
        remove_others(&self.root, &name);
        Ok(())
    }

    /// Start the indexer: rebuild first if needed, then follow the change
    /// log, woken by PostgreSQL's NOTIFY when it can be, else polling. It
    /// stops at `stop` after the batch in hand (each batch is committed), or
    /// by itself once the service is no longer used.
    pub fn spawn_indexer(
        self: &Arc<Self>,
        db: DatabaseConnection,
        state: StartState,
        stop: crate::shutdown::CancellationToken,
    ) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(self);
        let wake = Arc::new(tokio::sync::Notify::new());
        let listening = Arc::new(std::sync::atomic::AtomicBool::new(false));
        if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            // A pool of its own, so the listening connection neither counts
            // against nor shows in the pool requests use.
            let options = (*db.get_postgres_connection_pool().connect_options()).clone();
            let pool = sea_orm::sqlx::postgres::PgPoolOptions::new().max_connections(1).connect_lazy_with(options);
            let svc = weak.clone();
            let pages_changed = move || {
                if let Some(svc) = svc.upgrade() {
                    svc.tell(&IndexChange::Everything);
                }
            };
            tokio::spawn(listen(pool, wake.clone(), listening.clone(), pages_changed, stop.clone()));
        }
        tokio::spawn(async move {
            let Some(svc) = weak.upgrade() else { return };
            let mut state = state;
            if state == StartState::Ready {
                match svc.behind_pruned_log(&db).await {
                    Ok(false) => {}
                    Ok(true) => match svc.start_fresh() {
                        Ok(()) => state = StartState::Unreadable("the change log was pruned past this index".into()),
                        Err(e) => tracing::error!(error = %e, "search: cannot create a new index"),
                    },
                    Err(e) => tracing::error!(error = %e, "search: cannot compare the index with the change log"),
                }
            }
            match &state {
                StartState::Ready => {}
                StartState::Missing => tracing::info!("search: no index yet; building it from the database"),
                StartState::Unreadable(why) => {
                    tracing::warn!(error = %why, "search: the index could not be opened; rebuilding it from the database")
                }
            }
            let mut built = state == StartState::Ready;
            // The first build goes into the empty index `open` made; a retry
            // into a fresh folder (a failed build may have left half a batch).
            let (mut retry_build, mut fresh) = (Instant::now(), false);
            drop(svc);
            let mut gaps = GapTracker::default();
            let mut told = Told::default();
            let mut failures = 0u32;
            loop {
                let Some(svc) = weak.upgrade() else { return };
                if !built && Instant::now() >= retry_build {
                    let attempt = match if fresh { svc.start_fresh() } else { Ok(()) } {
                        Ok(()) => rebuild(&db, &svc.index(), |_| {}).await,
                        Err(e) => Err(e),
                    };
                    match attempt {
                        Ok(n) => {
                            tracing::info!(posts = n, "search: index built");
                            built = true;
                            svc.tell(&IndexChange::Everything);
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "search: building the index failed; trying again in a minute");
                            (retry_build, fresh) = (Instant::now() + REBUILD_RETRY, true);
                        }
                    }
                }
                if let Err(e) = svc.adopt_new_index(&db, &mut gaps).await {
                    tracing::error!(error = %e, "search: cannot switch to the rebuilt index");
                }
                if built {
                    match catch_up(&db, &svc.index(), &mut gaps).await {
                        Ok(applied) => {
                            failures = 0;
                            let cursor = svc.index().payload().map(|p| p.applied).unwrap_or(0);
                            svc.tell(&IndexChange::Clinics(told.fresh(&applied.rows, cursor)));
                        }
                        Err(e) => {
                            failures = failures.saturating_add(1);
                            tracing::error!(error = %e, failures, "search: applying changes failed; will retry");
                        }
                    }
                }
                drop(svc);
                let poll = if listening.load(std::sync::atomic::Ordering::Relaxed) { POLL_LISTENING } else { POLL };
                // After failures (a full disk, the database away), wait longer each time, up to a minute.
                let poll = poll.saturating_mul(1 << failures.min(7)).min(REBUILD_RETRY);
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep(poll) => {}
                }
            }
        })
    }
}

/// Wake the indexer on each change PostgreSQL announces, and call
/// `pages_changed` on each announced change of pages; `listening` says
/// whether the wake-ups can be relied on (else the indexer polls quickly).
/// A lost connection is opened again, with a log line, after a pause.
pub async fn listen(
    pool: sea_orm::sqlx::PgPool,
    wake: Arc<tokio::sync::Notify>,
    listening: Arc<std::sync::atomic::AtomicBool>,
    pages_changed: impl Fn(),
    stop: crate::shutdown::CancellationToken,
) {
    use std::sync::atomic::Ordering;
    while !stop.is_cancelled() {
        let mut listener = match sea_orm::sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(mut l) => match l.listen_all([changes::CHANNEL, changes::PAGES_CHANNEL]).await {
                Ok(()) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "search: cannot LISTEN for changes; polling");
                    crate::shutdown::sleep_or_stop(&stop, POLL_LISTENING).await;
                    continue;
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, "search: no connection to LISTEN for changes; polling");
                crate::shutdown::sleep_or_stop(&stop, POLL_LISTENING).await;
                continue;
            }
        };
        listening.store(true, Ordering::Relaxed);
        // Whatever committed while no one listened is read now.
        wake.notify_one();
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                got = listener.try_recv() => match got {
                    Ok(Some(n)) if n.channel() == changes::PAGES_CHANNEL => pages_changed(),
                    Ok(Some(_)) => wake.notify_one(),
                    Ok(None) => {
                        tracing::warn!("search: the LISTEN connection was lost; polling until it is back");
                        break;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "search: the LISTEN connection failed; polling until it is back");
                        break;
                    }
                },
            }
        }
        listening.store(false, Ordering::Relaxed);
        wake.notify_one();
        crate::shutdown::sleep_or_stop(&stop, POLL).await;
    }
}

/// What [`catch_up`] applied.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Change rows read.
    pub changes: usize,
    /// Each row read: its id and clinic.
    pub rows: Vec<(i64, i32)>,
}

/// The change rows whose clinics watchers were told about. Rows behind a
/// young gap are read and applied again at every catch-up (see
/// [`GapTracker`]); telling about them again would make the page cache
/// forget those clinics' pages each time.
#[derive(Debug, Default)]
pub struct Told(std::collections::BTreeSet<i64>);

impl Told {
    /// The clinics of the rows not told about before (sorted, once each);
    /// rows up to `applied` will not be read again and are forgotten.
    pub fn fresh(&mut self, rows: &[(i64, i32)], applied: i64) -> Vec<i32> {
        let mut clinics: Vec<i32> = rows.iter().filter(|(id, _)| self.0.insert(*id)).map(|(_, c)| *c).collect();
        clinics.sort_unstable();
        clinics.dedup();
        self.0 = self.0.split_off(&(applied + 1));
        clinics
    }
}

/// Apply every change after the index's payload.
pub async fn catch_up(
    db: &DatabaseConnection,
    index: &SearchIndex,
    gaps: &mut GapTracker,
) -> Result<Applied, SearchError> {
    let mut total = Applied::default();
    loop {
        let current = index.payload()?;
        let applied = current.applied;
        let rows = changes::after(db, applied, BATCH).await?;
        if rows.is_empty() {
            return Ok(total);
        }
        total.changes += rows.len();
        total.rows.extend(rows.iter().map(|r| (r.id, r.clinic_id)));
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let cursor = gaps.cursor(applied, &ids, Instant::now());
        let mut ids: Vec<i32> = rows.iter().map(|r| r.post_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let posts = document::load(db, &ids).await?;
        let gone: Vec<i32> = ids.iter().copied().filter(|id| !posts.iter().any(|p| p.id == *id)).collect();
        let index_ref = index;
        blocking(|| index_ref.write(&posts, &gone, Payload { applied: cursor, ..current }))?;
        if cursor == applied || (rows.len() as u64) < BATCH {
            // Either waiting on a young gap, or done.
            return Ok(total);
        }
    }
}

/// Remembers when the indexer first saw each gap in the change ids.
///
/// On PostgreSQL ids are handed out before commit, so id 7 can become
/// visible after id 8: a gap may be a transaction still committing, or one
/// that rolled back. The log is marked applied only up to the first gap
/// that this process has not yet watched for [`GAP_GRACE`]; rows beyond it
/// are applied anyway (applying is idempotent) and read again next time.
/// The age is measured here, by the reader, never from a timestamp the
/// writer chose before its transaction committed.
#[derive(Debug, Default)]
pub struct GapTracker {
    first_seen: std::collections::HashMap<i64, Instant>,
}

impl GapTracker {
    /// How far the log can be marked applied, given the ids read after `applied` (ascending).
    pub fn cursor(&mut self, applied: i64, ids: &[i64], now: Instant) -> i64 {
        let mut cursor = applied;
        let mut open = Vec::new();
        for &id in ids {
            let mut blocked = false;
            for missing in (cursor + 1)..id {
                let seen = *self.first_seen.entry(missing).or_insert(now);
                open.push(missing);
                if now.duration_since(seen) < GAP_GRACE {
                    blocked = true;
                }
            }
            if blocked {
                break;
            }
            cursor = id;
        }
        // Forget gaps that are now behind the cursor or were filled.
        self.first_seen.retain(|id, _| *id > cursor && open.contains(id));
        cursor
    }
}

/// Where a rebuild may say it has applied the log up to: the newest change,
/// unless the newest ids have a gap (a transaction that may still commit),
/// in which case just before it, so [`catch_up`] reads on from there.
pub fn rebuild_start(newest_ids_desc: &[i64]) -> i64 {
    let mut ids = newest_ids_desc.to_vec();
    ids.sort_unstable();
    let Some(&first) = ids.first() else { return 0 };
    let mut start = ids.last().copied().unwrap_or(0);
    for w in ids.windows(2) {
        if w[1] != w[0] + 1 {
            start = w[0];
            break;
        }
    }
    // Ids below the window are older than it and treated as settled.
    debug_assert!(start >= first);
    start
}

/// Posts read from the database at a time by [`rebuild`].
const REBUILD_BATCH: u64 = 500;

/// Fill an empty `index` with every published post; returns how many.
/// The payload is the newest change before reading, so changes made
/// meanwhile are applied afterwards by [`catch_up`].
pub async fn rebuild(
    db: &DatabaseConnection,
    index: &SearchIndex,
    mut progress: impl FnMut(usize),
) -> Result<usize, SearchError> {
    let start = rebuild_start(&changes::newest_ids(db, GAP_WINDOW).await?);
    // Reading the next posts (the database, their headings) overlaps with
    // indexing the ones read: a task reads ahead, at most two batches.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Vec<IndexedPost>, DbErr>>(2);
    let reader = {
        let db = db.clone();
        tokio::spawn(async move {
            let mut after = 0;
            loop {
                match document::published_after(&db, after, REBUILD_BATCH).await {
                    Ok(posts) if posts.is_empty() => return,
                    Ok(posts) => {
                        after = posts.last().map_or(after, |p| p.id);
                        // The receiver is gone when indexing failed: stop.
                        if tx.send(Ok(posts)).await.is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e)).await;
                        return;
                    }
                }
            }
        })
    };
    let mut n = 0;
    while let Some(batch) = rx.recv().await {
        let batch = batch?;
        n += batch.len();
        blocking(|| index.add_fresh(&batch))?;
        progress(batch.len());
    }
    // Every batch was read only if the reader ended normally.
    if let Err(e) = reader.await {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        return Err(DbErr::Custom("the search rebuild's reader was stopped".into()).into());
    }
    blocking(|| index.commit(Payload { applied: start, schema: SCHEMA_VERSION, complete: true }))?;
    Ok(n)
}

/// `clinicpress reindex`: build a new index beside the one in use, catch it
/// up, then point CURRENT at it (a running server switches to it).
pub async fn reindex(
    db: &DatabaseConnection,
    data_dir: &Path,
    progress: impl FnMut(usize),
) -> Result<(usize, String), SearchError> {
    let root = data_dir.join("search");
    std::fs::create_dir_all(&root).map_err(io(&root))?;
    let (name, index) = create_new(&root)?;
    let n = rebuild(db, &index, progress).await?;
    catch_up(db, &index, &mut GapTracker::default()).await?;
    drop(index);
    write_current(&root, &name)?;
    Ok((n, name))
}

/// Run index work that blocks (writing, fsync) without stalling other
/// tasks on this worker, where the runtime allows it.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

fn read_current(root: &Path) -> Option<String> {
    let name = std::fs::read_to_string(root.join("CURRENT")).ok()?;
    let name = name.trim().to_string();
    (!name.is_empty() && !name.contains(['/', '\\']) && root.join(&name).is_dir()).then_some(name)
}

fn write_current(root: &Path, name: &str) -> Result<(), SearchError> {
    let tmp = root.join("CURRENT.tmp");
    std::fs::write(&tmp, name).map_err(io(&tmp))?;
    let cur = root.join("CURRENT");
    std::fs::rename(&tmp, &cur).map_err(io(&cur))
}

fn create_new(root: &Path) -> Result<(String, SearchIndex), SearchError> {
    let name = format!("index-{}", Utc::now().timestamp_millis());
    let dir = root.join(&name);
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    Ok((name, SearchIndex::create(&dir)?))
}

/// Remove index folders other than `keep` (old or half-built ones).
fn remove_others(root: &Path, keep: &str) {
    let Ok(entries) = std::fs::read_dir(root) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with("index-")
            && name != keep
            && e.path().is_dir()
            && let Err(err) = std::fs::remove_dir_all(e.path())
        {
            tracing::warn!(folder = %name, error = %err, "search: cannot remove an old index folder");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watchers_hear_of_each_change_row_once() {
        let mut told = Told::default();
        // Rows 4 and 5 (clinics 1 and 2) read while id 3 is a young gap: applied stays 2.
        assert_eq!(told.fresh(&[(4, 1), (5, 2)], 2), vec![1, 2]);
        // Read again at the next catch-up: nothing new.
        assert!(told.fresh(&[(4, 1), (5, 2)], 2).is_empty());
        // Id 3 commits late (clinic 3): only it is new; the cursor passes 5.
        assert_eq!(told.fresh(&[(3, 3), (4, 1), (5, 2)], 5), vec![3]);
        assert!(told.0.is_empty(), "rows behind the cursor are forgotten");
        assert_eq!(told.fresh(&[(6, 2), (7, 2)], 7), vec![2]);
    }

    #[test]
    fn the_cursor_waits_at_a_young_gap_and_passes_it_once_it_is_old() {
        let t0 = Instant::now();
        let mut gaps = GapTracker::default();
        assert_eq!(gaps.cursor(0, &[1, 2], t0), 2);
        // Id 3 missing, 4 and 5 visible: 3 may still commit.
        assert_eq!(gaps.cursor(2, &[4, 5], t0), 2);
        assert_eq!(gaps.cursor(2, &[4, 5], t0 + GAP_GRACE / 2), 2);
        // Watched for the whole grace period: rolled back.
        assert_eq!(gaps.cursor(2, &[4, 5], t0 + GAP_GRACE), 5);
        assert!(gaps.first_seen.is_empty());
    }

    #[test]
    fn a_gap_that_fills_in_is_applied_and_forgotten() {
        let t0 = Instant::now();
        let mut gaps = GapTracker::default();
        assert_eq!(gaps.cursor(0, &[1, 3], t0), 1);
        assert_eq!(gaps.cursor(1, &[2, 3], t0 + Duration::from_millis(500)), 3);
        assert!(gaps.first_seen.is_empty());
        // A later gap is timed from when it is first seen, not from the earlier one.
        assert_eq!(gaps.cursor(3, &[5], t0 + GAP_GRACE), 3);
        assert_eq!(gaps.cursor(3, &[5], t0 + GAP_GRACE + GAP_GRACE / 2), 3);
    }

    #[test]
    fn a_rebuild_starts_before_the_first_gap_among_the_newest_ids() {
        assert_eq!(rebuild_start(&[]), 0);
        assert_eq!(rebuild_start(&[12, 11, 10]), 12);
        assert_eq!(rebuild_start(&[12, 10, 9]), 10);
        assert_eq!(rebuild_start(&[20, 18, 15, 14]), 15);
    }
}
