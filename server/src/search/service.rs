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
use super::document;
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

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("search folder {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SearchError + '_ {
    move |source| SearchError::Io { path: path.to_path_buf(), source }
}

/// The index in use, swappable.
pub struct SearchService {
    root: PathBuf,
    current: RwLock<(String, Arc<SearchIndex>)>,
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
        write_current(&root, &name)?;
        remove_others(&root, &name);
        let svc = SearchService { root, current: RwLock::new((name, Arc::new(index))) };
        Ok((Arc::new(svc), state))
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
        drop(old);
        remove_others(&self.root, &name);
        Ok(())
    }

    /// Start the indexer: rebuild first if needed, then follow the change
    /// log. It stops by itself once the service is no longer used.
    pub fn spawn_indexer(self: &Arc<Self>, db: DatabaseConnection, state: StartState) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(self);
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
            if state != StartState::Ready {
                match rebuild(&db, &svc.index(), |_| {}).await {
                    Ok(n) => tracing::info!(posts = n, "search: index built"),
                    Err(e) => tracing::error!(error = %e, "search: building the index failed"),
                }
            }
            drop(svc);
            let mut gaps = GapTracker::default();
            loop {
                let Some(svc) = weak.upgrade() else { return };
                if let Err(e) = svc.adopt_new_index(&db, &mut gaps).await {
                    tracing::error!(error = %e, "search: cannot switch to the rebuilt index");
                }
                if let Err(e) = catch_up(&db, &svc.index(), &mut gaps).await {
                    tracing::error!(error = %e, "search: applying changes failed; will retry");
                }
                drop(svc);
                tokio::time::sleep(POLL).await;
            }
        })
    }
}

/// Apply every change after the index's payload. Returns how many changes were read.
pub async fn catch_up(
    db: &DatabaseConnection,
    index: &SearchIndex,
    gaps: &mut GapTracker,
) -> Result<usize, SearchError> {
    let mut total = 0;
    loop {
        let current = index.payload()?;
        let applied = current.applied;
        let rows = changes::after(db, applied, BATCH).await?;
        if rows.is_empty() {
            return Ok(total);
        }
        total += rows.len();
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

/// Fill an empty `index` with every published post; returns how many.
/// The payload is the newest change before reading, so changes made
/// meanwhile are applied afterwards by [`catch_up`].
pub async fn rebuild(
    db: &DatabaseConnection,
    index: &SearchIndex,
    mut progress: impl FnMut(usize),
) -> Result<usize, SearchError> {
    let start = rebuild_start(&changes::newest_ids(db, GAP_WINDOW).await?);
    let mut after = 0;
    let mut n = 0;
    loop {
        let batch = document::published_after(db, after, 500).await?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        n += batch.len();
        blocking(|| index.add_fresh(&batch))?;
        progress(batch.len());
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
