//! Test databases: every storage test runs once on SQLite and once on
//! PostgreSQL. PostgreSQL comes from `CLINICPRESS_TEST_PG` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`); each test gets a fresh
//! database that is dropped afterwards. Without a reachable server the
//! PostgreSQL half is skipped with a loud message — except under `CI`,
//! where that is a failure.
#![allow(dead_code)]

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

pub mod proc;
pub mod proxy;
pub mod smtp;
pub mod web;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn admin_url() -> String {
    std::env::var("CLINICPRESS_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn with_db_name(url: &str, name: &str) -> String {
    let (base, _) = url.rsplit_once('/').expect("a database URL with a path");
    format!("{base}/{name}")
}

pub struct TestDb {
    pub backend: &'static str,
    pub url: String,
    pub db: DatabaseConnection,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = clinicpress::db::default_sqlite_url(dir.path());
    let db = clinicpress::db::connect(&url).await.expect("open sqlite");
    clinicpress::db::migrate(&db).await.expect("migrate sqlite");
    TestDb { backend: "sqlite", url, db, _dir: Some(dir), pg_name: None }
}

/// A fresh, migrated PostgreSQL database (dropped by [`TestDb::cleanup`]),
/// or `None` (with a loud message) when no server is reachable outside CI.
pub async fn postgres() -> Option<TestDb> {
    let t = empty_postgres().await?;
    clinicpress::db::migrate(&t.db).await.expect("migrate postgres");
    Some(t)
}

/// A fresh PostgreSQL database without any table (dropped by
/// [`TestDb::cleanup`]), or `None` as for [`postgres`].
pub async fn empty_postgres() -> Option<TestDb> {
    let admin = admin_url();
    let conn = match Database::connect(admin.as_str()).await {
        Ok(c) => c,
        Err(e) => {
            if std::env::var_os("CI").is_some() {
                panic!("CI is set but PostgreSQL at {admin} is unreachable: {e}");
            }
            eprintln!(
                "\n\n!!!!!!!! SKIPPED the PostgreSQL half of this test: {admin} is unreachable ({e}).\n!!!!!!!! Start PostgreSQL or set CLINICPRESS_TEST_PG; CI never skips.\n"
            );
            return None;
        }
    };
    let name = format!(
        "cp_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        chrono::Utc::now().timestamp_subsec_nanos()
    );
    conn.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
    let url = with_db_name(&admin, &name);
    let db = clinicpress::db::connect(&url).await.expect("open postgres");
    Some(TestDb { backend: "postgres", url, db, _dir: None, pg_name: Some(name) })
}

impl TestDb {
    /// Close the pool; drop the PostgreSQL database.
    pub async fn cleanup(self) {
        let _ = self.db.close().await;
        if let Some(name) = self.pg_name
            && let Ok(conn) = Database::connect(admin_url().as_str()).await
        {
            let _ = conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
        }
    }
}

/// Run `test` against a fresh, migrated SQLite and PostgreSQL database.
pub async fn each_db<F, Fut>(test: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: Future<Output = TestDb>,
{
    let mut targets = vec![sqlite().await];
    if let Some(pg) = postgres().await {
        targets.push(pg);
    }
    for t in targets {
        let backend = t.backend;
        eprintln!("-- on {backend}");
        let t = test(t).await;
        t.cleanup().await;
    }
}

/// One multi-thread runtime for every test in a binary, as in production
/// (Leptos's task executor is process-global and bound to tokio once).
/// Four workers: the tests of a binary run in parallel and each drives
/// requests, Leptos rendering and two databases; with two workers a run was
/// once seen to stall.
pub fn block_on<F: Future>(f: F) -> F::Output {
    let _watch = Watchdog::start(TEST_DEADLINE);
    static RT: std::sync::LazyLock<tokio::runtime::Runtime> = std::sync::LazyLock::new(|| {
        tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().expect("runtime")
    });
    RT.block_on(f)
}

/// Longer than any test takes (the slowest take about a minute on a busy
/// machine): a test still running then is stuck, and [`Watchdog`] ends the
/// test binary so the run fails with its name instead of waiting for CI's
/// own time limit.
const TEST_DEADLINE: std::time::Duration = std::time::Duration::from_secs(600);

/// Ends the process if it is not dropped within its deadline (dropping the
/// sender wakes the watching thread).
struct Watchdog(#[allow(dead_code)] std::sync::mpsc::Sender<()>);

impl Watchdog {
    fn start(deadline: std::time::Duration) -> Watchdog {
        let (done, wait) = std::sync::mpsc::channel::<()>();
        let test = std::thread::current().name().unwrap_or("a test").to_string();
        std::thread::spawn(move || {
            if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(deadline) {
                eprintln!(
                    "\n!!!!!!!! {test} is still running after {} s: it is stuck; ending this test binary\n",
                    deadline.as_secs()
                );
                std::process::exit(101);
            }
        });
        Watchdog(done)
    }
}

/// The demo clinics and posts, loaded into `db`.
pub async fn with_demo(db: &DatabaseConnection) {
    clinicpress::demo::load(db).await.expect("demo loads");
}

/// The real router over `db` with the demo content, mail going to files
/// under a fresh temporary data directory (returned).
pub async fn demo_app(db: &DatabaseConnection) -> (axum::Router, std::path::PathBuf) {
    with_demo(db).await;
    app_over(db)
}

/// The real router over `db` as it is (no content loaded), with its own
/// temporary data directory (returned), as [`demo_app`] makes it.
pub fn app_over(db: &DatabaseConnection) -> (axum::Router, std::path::PathBuf) {
    let data = tempfile::tempdir().unwrap().keep();
    let site = data.join("site");
    std::fs::create_dir_all(&site).unwrap();
    let options = clinicpress::web::leptos_options(&site, "127.0.0.1:0".parse().unwrap());
    let settings = clinicpress::config::WebSettings::for_data_dir(&data);
    let (search, state) = clinicpress::search::service::SearchService::open(&data).unwrap();
    // Stops by itself when the router (and with it the service) is dropped.
    search.spawn_indexer(db.clone(), state, clinicpress::shutdown::CancellationToken::new());
    // Lead notices wait in the outbox; tests deliver them with `run_once`.
    let outbox = clinicpress::leads::outbox::Outbox::new(db.clone(), settings.mailer.clone());
    (clinicpress::web::router(db.clone(), options, settings, search, outbox), data)
}
