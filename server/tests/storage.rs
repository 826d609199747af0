//! Storage behaviour on SQLite and PostgreSQL: migrations, provisioning,
//! importing and the reading queries.

mod common;

use std::path::PathBuf;

use chrono::Utc;
use clinicpress::clinics::provision::{self, ProvisionError};
use clinicpress::entities::{app_user, clinic, clinic_host, location, membership, post, post_tag, tag};
use clinicpress::posts::import;
use clinicpress::posts::read::{self, Filter};
use common::each_db;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

const PROVISION: &str = r#"
[[clinic]]
slug = "pmc"
name = "Pain Medicine Consultants"
hosts = ["pmc.localhost", "www.pmc.example"]
default_inbox = "frontdesk@pmc.example"

[[clinic.location]]
slug = "pleasant-hill"
name = "Pleasant Hill"
address = "100 Example Ave, Pleasant Hill, CA 94523"
phone = "+1 925 555 0100"
timezone = "America/Los_Angeles"
hours = { mon = "08:00-17:00", tue = "08:00-17:00", wed = "08:00-17:00" }
inbox = ["pleasanthill@pmc.example"]
zip_codes = ["94523"]

[[clinic.author]]
slug = "james-taggart"
name = "James Taggart"
credentials = "MD"
bio = "Founder."

[[clinic]]
slug = "other"
name = "Other Clinic"
hosts = ["www.other.example"]
default_inbox = "hi@other.example"

[[clinic.author]]
slug = "james-taggart"
name = "A Different James"

[[user]]
email = "maria@pmc.example"
name = "Maria Lopez"
password_env = "TEST_MARIA_PASSWORD"
roles = [{ clinic = "pmc", role = "marketer" }, { clinic = "pmc", location = "pleasant-hill", role = "staff" }]
"#;

fn env(var: &str) -> Option<String> {
    (var == "TEST_MARIA_PASSWORD").then(|| "a long enough password".to_string())
}

async fn provision_base(db: &DatabaseConnection) {
    let plan = provision::plan("test.toml", PROVISION, env).expect("valid provision file");
    provision::apply(db, plan).await.expect("applies");
}

async fn clinic_id(db: &DatabaseConnection, slug: &str) -> i32 {
    clinic::Entity::find().filter(clinic::Column::Slug.eq(slug)).one(db).await.unwrap().unwrap().id
}

#[tokio::test]
async fn migrations_leave_nothing_pending() {
    each_db(|t| async move {
        assert!(clinicpress::db::pending_migrations(&t.db).await.unwrap().is_empty(), "{}", t.backend);
        // Running them again is a no-op.
        clinicpress::db::migrate(&t.db).await.unwrap();
        t
    })
    .await;
}

/// A database upgraded by a newer Clinicpress (a migration this program does
/// not know) is refused with a message that says so.
#[tokio::test]
async fn a_database_from_a_newer_version_is_refused() {
    use sea_orm::{ConnectionTrait, Statement};
    each_db(|t| async move {
        assert!(clinicpress::db::unknown_migrations(&t.db).await.unwrap().is_empty());
        let backend = t.db.get_database_backend();
        t.db.execute_raw(Statement::from_string(
            backend,
            "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m20991231_000001_from_the_future', 0)",
        ))
        .await
        .unwrap();
        let err = clinicpress::db::migrate(&t.db).await.unwrap_err().to_string();
        assert!(
            err.contains("newer Clinicpress") && err.contains("m20991231_000001_from_the_future"),
            "{}: {err}",
            t.backend
        );
        t.db.execute_raw(Statement::from_string(
            backend,
            "DELETE FROM seaql_migrations WHERE version = 'm20991231_000001_from_the_future'",
        ))
        .await
        .unwrap();
        t
    })
    .await;
}

/// Three processes starting at once on an empty PostgreSQL database (three
/// pools): the advisory lock lets one migrate while the others wait, and
/// all three start on a complete schema.
#[tokio::test]
async fn processes_starting_together_on_postgresql_migrate_once() {
    let Some(t) = common::empty_postgres().await else { return };
    let pools = [
        clinicpress::db::connect(&t.url).await.unwrap(),
        clinicpress::db::connect(&t.url).await.unwrap(),
        clinicpress::db::connect(&t.url).await.unwrap(),
    ];
    let (a, b, c) = tokio::join!(
        clinicpress::db::migrate(&pools[0]),
        clinicpress::db::migrate(&pools[1]),
        clinicpress::db::migrate(&pools[2])
    );
    assert!(a.is_ok() && b.is_ok() && c.is_ok(), "{a:?} {b:?} {c:?}");
    for p in &pools {
        assert!(clinicpress::db::pending_migrations(p).await.unwrap().is_empty());
        assert!(clinicpress::db::unknown_migrations(p).await.unwrap().is_empty());
    }
    for p in pools {
        p.close().await.unwrap();
    }
    t.cleanup().await;
}

#[tokio::test]
async fn provision_is_idempotent_and_complete() {
    each_db(|t| async move {
        provision_base(&t.db).await;
        provision_base(&t.db).await;
        assert_eq!(clinic::Entity::find().count(&t.db).await.unwrap(), 2);
        assert_eq!(clinic_host::Entity::find().count(&t.db).await.unwrap(), 3);
        assert_eq!(location::Entity::find().count(&t.db).await.unwrap(), 1);
        assert_eq!(app_user::Entity::find().count(&t.db).await.unwrap(), 1);
        assert_eq!(membership::Entity::find().count(&t.db).await.unwrap(), 2);
        let user = app_user::Entity::find().one(&t.db).await.unwrap().unwrap();
        assert!(clinicpress::passwords::verify("a long enough password", user.password_hash.as_deref().unwrap()));
        let loc = location::Entity::find().one(&t.db).await.unwrap().unwrap();
        assert_eq!(loc.hours, r#"{"mon":"08:00-17:00","tue":"08:00-17:00","wed":"08:00-17:00"}"#);

        // A changed name is updated in place.
        let changed = PROVISION.replace("name = \"Pleasant Hill\"", "name = \"Pleasant Hill Office\"");
        let plan = provision::plan("test.toml", &changed, env).unwrap();
        provision::apply(&t.db, plan).await.unwrap();
        let loc = location::Entity::find().one(&t.db).await.unwrap().unwrap();
        assert_eq!(loc.name, "Pleasant Hill Office");
        assert_eq!(location::Entity::find().count(&t.db).await.unwrap(), 1);
        t
    })
    .await;
}

#[tokio::test]
async fn provision_refuses_a_host_owned_by_another_clinic_and_applies_nothing() {
    each_db(|t| async move {
        provision_base(&t.db).await;
        let steal = r#"
[[clinic]]
slug = "thief"
name = "Thief"
hosts = ["www.pmc.example"]
default_inbox = "x@thief.example"
"#;
        let plan = provision::plan("steal.toml", steal, |_| None).unwrap();
        let err = provision::apply(&t.db, plan).await.unwrap_err();
        assert!(matches!(&err, ProvisionError::Invalid { key, line: 5, .. } if key == "hosts"), "{err}");
        assert!(err.to_string().contains("already belongs to clinic \"pmc\""), "{err}");
        // The transaction rolled back: no clinic "thief".
        assert_eq!(clinic::Entity::find().count(&t.db).await.unwrap(), 2);
        t
    })
    .await;
}

fn write(dir: &std::path::Path, name: &str, contents: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, contents).unwrap();
    p
}

fn post_md(title: &str, slug: &str, extra: &str) -> String {
    format!(
        "---\ntitle: \"{title}\"\nslug: {slug}\ndate: 2025-06-01T10:00:00Z\nauthor: james-taggart\ncategory: Back Pain\ntags: [exercise, back pain]\nlocations: [pleasant-hill]\n{extra}---\n\n## Intro\n\nSome **text** about {title}.\n"
    )
}

#[tokio::test]
async fn import_creates_updates_and_reports_bad_files() {
    each_db(|t| async move {
        provision_base(&t.db).await;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let good = write(d, "a.md", post_md("First post", "first-post", "").as_bytes());
        let dup = write(d, "b.md", post_md("Same slug", "first-post", "").as_bytes());
        let no_title = write(d, "c.md", b"---\ndate: 2025-01-01\n---\nbody");
        let malformed = write(d, "d.md", b"---\ntitle: [unclosed\n---\nbody");
        let mut bad_utf8 = post_md("Bytes", "bytes", "").into_bytes();
        bad_utf8.extend_from_slice(&[0xff, 0xfe]);
        let bad_utf8 = write(d, "e.md", &bad_utf8);
        let huge = write(d, "f.md", &vec![b'a'; 20 * 1024 * 1024]);
        let unknown_author =
            write(d, "g.md", post_md("Ghost", "ghost", "").replace("james-taggart", "nobody").as_bytes());
        let unknown_location =
            write(d, "h.md", post_md("Where", "where", "").replace("[pleasant-hill]", "[mars]").as_bytes());
        let files = vec![good, dup, no_title, malformed, bad_utf8, huge, unknown_author, unknown_location];

        let mut seen = Vec::new();
        let report = import::import(&t.db, "pmc", &files, |p, _| seen.push(p.to_path_buf())).await.unwrap();
        assert_eq!(seen.len(), files.len());
        assert_eq!((report.created, report.updated), (1, 0));
        let reasons: Vec<(String, String)> = report
            .failed
            .iter()
            .map(|(p, r)| (p.file_name().unwrap().to_string_lossy().to_string(), r.clone()))
            .collect();
        let reason = |f: &str| reasons.iter().find(|(n, _)| n == f).map(|(_, r)| r.clone()).unwrap_or_default();
        assert!(reason("b.md").contains("also used by"), "{reasons:?}");
        assert!(reason("c.md").contains("title"), "{reasons:?}");
        assert!(reason("d.md").contains("YAML"), "{reasons:?}");
        assert!(reason("e.md").contains("UTF-8"), "{reasons:?}");
        assert!(reason("f.md").contains("limit"), "{reasons:?}");
        assert!(reason("g.md").contains("author \"nobody\""), "{reasons:?}");
        assert!(reason("h.md").contains("location \"mars\""), "{reasons:?}");
        assert_eq!(report.failed.len(), 7);

        // Nothing half-written from the failed files.
        let pmc = clinic_id(&t.db, "pmc").await;
        assert_eq!(post::Entity::find().count(&t.db).await.unwrap(), 1);
        for slug in ["ghost", "where", "bytes"] {
            assert!(post::Entity::find().filter(post::Column::Slug.eq(slug)).one(&t.db).await.unwrap().is_none());
        }

        // Re-import updates by slug instead of duplicating.
        let edited = write(
            d,
            "a.md",
            post_md("First post, revised", "first-post", "tags: [sleep]\n")
                .replace("tags: [exercise, back pain]\n", "")
                .as_bytes(),
        );
        let report = import::import(&t.db, "pmc", &[edited], |_, _| {}).await.unwrap();
        assert_eq!((report.created, report.updated, report.failed.len()), (0, 1, 0));
        let p = post::Entity::find().filter(post::Column::ClinicId.eq(pmc)).one(&t.db).await.unwrap().unwrap();
        assert_eq!(p.title, "First post, revised");
        assert!(p.body_html.contains("<strong>text</strong>"));
        let tags = read::tags_of(&t.db, p.id).await.unwrap();
        assert_eq!(tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), vec!["sleep"]);
        assert_eq!(post_tag::Entity::find().count(&t.db).await.unwrap(), 1);
        // Tags are per clinic and reused, never duplicated.
        assert_eq!(tag::Entity::find().filter(tag::Column::Slug.eq("exercise")).count(&t.db).await.unwrap(), 1);

        // Unknown clinic is an error before anything happens.
        assert!(import::import(&t.db, "nope", &[], |_, _| {}).await.is_err());
        t
    })
    .await;
}

#[tokio::test]
async fn the_same_author_slug_is_separate_per_clinic() {
    each_db(|t| async move {
        provision_base(&t.db).await;
        let dir = tempfile::tempdir().unwrap();
        let f = write(
            dir.path(),
            "x.md",
            post_md("Other clinic post", "shared", "").replace("locations: [pleasant-hill]\n", "").as_bytes(),
        );
        let r = import::import(&t.db, "other", std::slice::from_ref(&f), |_, _| {}).await.unwrap();
        assert_eq!(r.created, 1, "{:?}", r.failed);
        let r = import::import(&t.db, "pmc", &[f], |_, _| {}).await.unwrap();
        assert_eq!(r.created, 1, "{:?}", r.failed);
        assert_eq!(post::Entity::find().filter(post::Column::Slug.eq("shared")).count(&t.db).await.unwrap(), 2);
        t
    })
    .await;
}

#[tokio::test]
async fn reading_sees_only_published_posts_of_one_clinic() {
    each_db(|t| async move {
        common::with_demo(&t.db).await;
        let now = Utc::now();
        let pmc = clinic_id(&t.db, "pmc").await;
        let lakeside = clinic_id(&t.db, "lakeside").await;

        let page1 = read::list(&t.db, pmc, Filter::All, 1, now).await.unwrap().unwrap();
        assert_eq!(page1.total, 18, "pmc has 18 published posts");
        assert_eq!(page1.total_pages, 2);
        assert_eq!(page1.posts.len(), 10);
        let page2 = read::list(&t.db, pmc, Filter::All, 2, now).await.unwrap().unwrap();
        assert_eq!(page2.posts.len(), 8);
        assert!(read::list(&t.db, pmc, Filter::All, 3, now).await.unwrap().is_none());
        // Newest first, across the page boundary.
        let dates: Vec<_> = page1.posts.iter().chain(&page2.posts).map(|p| p.published_at).collect();
        assert!(dates.windows(2).all(|w| w[0] >= w[1]));

        // Drafts and scheduled posts are invisible; so are other clinics' posts.
        for slug in
            ["talking-to-family-about-chronic-pain", "spinal-cord-stimulation-overview", "mohs-surgery-explained"]
        {
            assert!(read::by_slug(&t.db, pmc, slug, now).await.unwrap().is_none(), "{slug}");
        }
        let a = read::by_slug(&t.db, pmc, "what-to-expect-at-your-first-visit", now).await.unwrap().unwrap();
        let b = read::by_slug(&t.db, lakeside, "what-to-expect-at-your-first-visit", now).await.unwrap().unwrap();
        assert_ne!(a.title, b.title);
        assert_eq!(read::list(&t.db, lakeside, Filter::All, 1, now).await.unwrap().unwrap().total, 12);

        // A scheduled post becomes visible only at its time (and only once published).
        let sched = post::Entity::find()
            .filter(post::Column::Slug.eq("spinal-cord-stimulation-overview"))
            .one(&t.db)
            .await
            .unwrap()
            .unwrap();
        let later = sched.published_at.unwrap() + chrono::Duration::days(1);
        assert!(
            read::by_slug(&t.db, pmc, &sched.slug, later).await.unwrap().is_none(),
            "still scheduled, not published"
        );

        // Tag archive and related posts stay inside the clinic.
        let tag = tag::Entity::find()
            .filter(tag::Column::ClinicId.eq(pmc))
            .filter(tag::Column::Slug.eq("back-pain"))
            .one(&t.db)
            .await
            .unwrap()
            .unwrap();
        let tagged = read::list(&t.db, pmc, Filter::Tag(tag.id), 1, now).await.unwrap().unwrap();
        assert!(tagged.total >= 2);
        let tag_ids: Vec<i32> = read::tags_of(&t.db, a.id).await.unwrap().iter().map(|t| t.id).collect();
        let related = read::related(&t.db, &a, &tag_ids, now, 3).await.unwrap();
        assert_eq!(related.len(), 3);
        for r in &related {
            assert!(read::by_slug(&t.db, pmc, &r.slug, now).await.unwrap().is_some(), "{} is a pmc post", r.slug);
            assert_ne!(r.slug, a.slug);
        }
        t
    })
    .await;
}

/// Poll a future once, in the caller's task: a turn asked for this way is
/// in the queue when this returns.
async fn poll_once<F: std::future::Future + Unpin>(f: &mut F) -> std::task::Poll<F::Output> {
    std::future::poll_fn(|cx| std::task::Poll::Ready(std::pin::Pin::new(&mut *f).poll(cx))).await
}

/// SQLite's writers queue in the process, first come first served; another
/// database file has its own queue; PostgreSQL writes in parallel.
#[tokio::test]
async fn sqlite_writers_take_turns_in_arrival_order() {
    use clinicpress::db::write_turn;
    use std::time::Duration;
    each_db(|t| async move {
        let first = write_turn(&t.db).await;
        if t.backend == "sqlite" {
            assert!(first.is_queued());
            // Three writers ask, one after the other; none gets a turn while one is held.
            let mut waiting: Vec<_> = (0..3).map(|_| Box::pin(write_turn(&t.db))).collect();
            for w in &mut waiting {
                assert!(poll_once(w).await.is_pending(), "no writer's turn comes while one is held");
            }
            let dir = tempfile::tempdir().unwrap();
            let other = clinicpress::db::connect(&clinicpress::db::default_sqlite_url(dir.path())).await.unwrap();
            let theirs = tokio::time::timeout(Duration::from_secs(5), write_turn(&other))
                .await
                .expect("another database file does not wait for this one's queue");
            assert!(theirs.is_queued());
            drop(theirs);
            drop(first);
            // Each turn comes in the order asked, only once the one before it ends.
            let mut turns = waiting.into_iter();
            let mut held = tokio::time::timeout(Duration::from_secs(5), turns.next().unwrap())
                .await
                .expect("the first asked goes next");
            for mut next in turns {
                assert!(poll_once(&mut next).await.is_pending(), "a later writer does not overtake");
                drop(held);
                held = tokio::time::timeout(Duration::from_secs(5), next)
                    .await
                    .expect("the next in line goes when the turn ends");
                assert!(held.is_queued());
            }
        } else {
            assert!(!first.is_queued());
            let second = tokio::time::timeout(Duration::from_secs(5), write_turn(&t.db))
                .await
                .expect("PostgreSQL writers do not queue in the process");
            assert!(!second.is_queued());
        }
        t
    })
    .await;
}

/// Every write transaction waits its turn and takes SQLite's lock at BEGIN:
/// editors saving while leads arrive and other editors save all succeed
/// (a deferred transaction that read first failed with "database is locked").
#[tokio::test]
async fn concurrent_writers_all_succeed() {
    use clinicpress::posts::editor;
    each_db(|t| async move {
        provision_base(&t.db).await;
        let pmc = clinic_id(&t.db, "pmc").await;
        let actor = clinicpress::audit::Actor::system();
        let now = Utc::now();
        let mut ids = Vec::new();
        for n in 0..8 {
            ids.push(
                editor::create(&t.db, pmc, &actor, &format!("Draft number {n}"), now)
                    .await
                    .expect("a draft is created"),
            );
        }
        let mut tasks = Vec::new();
        for round in 0..4 {
            for &id in &ids {
                let (db, actor) = (t.db.clone(), actor.clone());
                tasks.push(tokio::spawn(async move {
                    let post = post::Entity::find_by_id(id).one(&db).await.unwrap().unwrap();
                    let mut form = editor::form_of(&db, &post).await.expect("the form loads");
                    form.body_md = format!("Round {round} of post {id}: a few words about posture.");
                    // Two tasks may save the same post: the later one is a stale edit.
                    match editor::save(&db, pmc, id, post.version, &form, &actor, false, Utc::now()).await {
                        Ok(_) | Err(editor::EditorError::Conflict(_)) => {}
                        Err(e) => panic!("a save failed under concurrent writers: {e:?}"),
                    }
                }));
            }
        }
        for task in tasks {
            task.await.expect("no writer panicked");
        }
        for &id in &ids {
            let post = post::Entity::find_by_id(id).one(&t.db).await.unwrap().unwrap();
            assert!(post.body_md.starts_with("Round "), "post {id} holds a saved text: {:?}", post.body_md);
        }
        t
    })
    .await;
}
