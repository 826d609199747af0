//! WordPress import, end to end, on SQLite and PostgreSQL: the fixture
//! written by `scripts/make-wxr.py` round-trips exactly, a re-import updates,
//! old permalinks answer 301 over HTTP, and bad files fail clearly.

mod common;

use std::path::{Path, PathBuf};

use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;
use tower::ServiceExt;

use clinicpress::entities::{PostStatus, author, category, clinic, post, post_revision, post_tag, tag, wordpress_post};
use clinicpress::wordpress::import::{Report, import_file};
use common::each_db;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wordpress-export.xml")
}

fn expected() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wordpress-export.expected.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

async fn import(db: &DatabaseConnection, clinic: &str, path: &Path) -> Report {
    import_file(db, clinic, path, |_, _| {}).await.expect("the import runs")
}

async fn clinic_id(db: &DatabaseConnection, slug: &str) -> i32 {
    clinic::Entity::find().filter(clinic::Column::Slug.eq(slug)).one(db).await.unwrap().unwrap().id
}

async fn new_clinic(db: &DatabaseConnection, slug: &str) -> i32 {
    use sea_orm::{ActiveModelTrait, Set};
    let now = chrono::Utc::now();
    let c = clinic::ActiveModel {
        slug: Set(slug.to_string()),
        name: Set("Old Clinic".to_string()),
        tagline: Set(None),
        brand_color: Set("#336699".to_string()),
        logo_url: Set(None),
        disclaimer: Set(None),
        default_inbox: Set("front@old-clinic.example".to_string()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    c.id
}

async fn post_count(db: &DatabaseConnection, clinic: i32) -> u64 {
    post::Entity::find().filter(post::Column::ClinicId.eq(clinic)).count(db).await.unwrap()
}

/// The post item `wp_id` became in clinic `clinic`.
async fn imported(db: &DatabaseConnection, clinic: i32, wp_id: i64) -> post::Model {
    let row = wordpress_post::Entity::find()
        .filter(wordpress_post::Column::ClinicId.eq(clinic))
        .filter(wordpress_post::Column::WpPostId.eq(wp_id))
        .one(db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("WordPress post {wp_id} was imported"));
    post::Entity::find_by_id(row.post_id).one(db).await.unwrap().unwrap()
}

/// Title, slug, status, date, category, tags and author as JSON shaped like the expectations file.
async fn as_json(db: &DatabaseConnection, p: &post::Model) -> Value {
    let category = match p.category_id {
        Some(id) => {
            let c = category::Entity::find_by_id(id).one(db).await.unwrap().unwrap();
            serde_json::json!({ "slug": c.slug, "name": c.name })
        }
        None => Value::Null,
    };
    let mut tags = Vec::new();
    for link in post_tag::Entity::find().filter(post_tag::Column::PostId.eq(p.id)).all(db).await.unwrap() {
        let t = tag::Entity::find_by_id(link.tag_id).one(db).await.unwrap().unwrap();
        tags.push((t.slug, t.name));
    }
    tags.sort();
    let author = match p.author_id {
        Some(id) => {
            let a = author::Entity::find_by_id(id).one(db).await.unwrap().unwrap();
            serde_json::json!({ "slug": a.slug, "name": a.name })
        }
        None => Value::Null,
    };
    serde_json::json!({
        "title": p.title,
        "slug": p.slug,
        "status": serde_json::to_value(p.status).unwrap(),
        "published_at": p.published_at.map(|d| d.to_rfc3339()),
        "category": category,
        "tags": tags.into_iter().map(|(slug, name)| serde_json::json!({ "slug": slug, "name": name })).collect::<Vec<_>>(),
        "author": author,
    })
}

fn label_has(list: &[(String, String)], wp_id: i64, reason: &str) -> bool {
    list.iter().any(|(label, r)| label.contains(&format!("WordPress post {wp_id}")) && r.contains(reason))
}

#[test]
fn the_fixture_round_trips_and_a_reimport_updates() {
    common::block_on(each_db(|t| async move {
        common::with_demo(&t.db).await;
        // A clinic of its own: no category, tag or author of the demo shares a slug with the export.
        let old = new_clinic(&t.db, "oldclinic").await;
        let before = post_count(&t.db, old).await;
        let want = expected();
        let posts = want["posts"].as_array().unwrap();

        let report = import(&t.db, "oldclinic", &fixture()).await;
        assert_eq!(report.created, posts.len(), "{report:?}");
        assert_eq!(report.updated, 0);
        assert!(report.stopped.is_none(), "{report:?}");
        for f in want["failed"].as_array().unwrap() {
            let (id, reason) = (f["wp_id"].as_i64().unwrap(), f["reason"].as_str().unwrap());
            assert!(label_has(&report.failed, id, reason), "{id} fails with \"{reason}\": {:?}", report.failed);
        }
        assert_eq!(report.failed.len(), want["failed"].as_array().unwrap().len(), "{:?}", report.failed);
        for s in want["skipped"].as_array().unwrap() {
            let (id, reason) = (s["wp_id"].as_i64().unwrap(), s["reason"].as_str().unwrap());
            assert!(label_has(&report.skipped, id, reason), "{id} skipped with \"{reason}\": {:?}", report.skipped);
        }
        let urls: Vec<&str> = report.attachments.iter().map(|a| a.url.as_str()).collect();
        let want_urls: Vec<&str> =
            want["attachments"].as_array().unwrap().iter().map(|u| u.as_str().unwrap()).collect();
        assert_eq!(urls, want_urls);
        assert_eq!(report.other_types.get("nav_menu_item"), Some(&1));
        assert!(report.has_failures());

        // Titles, dates, slugs, categories, tags and authors, exactly.
        for w in posts {
            let p = imported(&t.db, old, w["wp_id"].as_i64().unwrap()).await;
            let mut want = w.clone();
            let obj = want.as_object_mut().unwrap();
            obj.remove("wp_id");
            obj.remove("old_path");
            assert_eq!(as_json(&t.db, &p).await, want, "on {}", t.backend);
        }
        assert_eq!(post_count(&t.db, old).await, before + posts.len() as u64);

        // Content: Markdown with headings, lists, links, emphasis and image references; scripts gone.
        let stretches = imported(&t.db, old, 101).await;
        assert!(stretches.body_md.contains("## The five stretches"), "{}", stretches.body_md);
        assert!(stretches.body_md.contains("1. Knee to chest, 30 seconds each side\n2. Cat and cow"));
        assert!(stretches.body_md.contains("   - lying down"), "nested list: {}", stretches.body_md);
        assert!(stretches.body_md.contains("**loosen a stiff back**"));
        assert!(
            stretches.body_md.contains("[our sleep article](/2024/01/sleep-hygiene/)"),
            "links to the old site become relative"
        );
        assert!(stretches.body_md.contains("![A patient doing a knee-to-chest stretch][image-1]"));
        assert!(
            stretches.body_md.contains("[image-1]: https://old-clinic.example/wp-content/uploads/2024/02/stretch.jpg")
        );
        assert!(
            stretches.body_md.contains("a\\[b\\[0\\]\\]\\> stays text"),
            "CDATA split in two: {}",
            stretches.body_md
        );
        assert!(!stretches.body_md.contains("Not the post's title"), "comments are not imported");
        assert_eq!(stretches.excerpt.as_deref(), Some("Five gentle stretches for mornings."));
        let sleep = imported(&t.db, old, 102).await;
        for bad in ["script", "cookie", "javascript", "onclick", "alert"] {
            assert!(!sleep.body_md.contains(bad) && !sleep.body_html.contains(bad), "{bad} in {}", sleep.body_html);
        }
        assert!(
            sleep
                .body_md
                .starts_with("Good sleep starts hours before bed.\\\nKeep the room cool and dark.\n\n### Three habits"),
            "{}",
            sleep.body_md
        );
        assert!(sleep.body_html.contains("Questions? Ask us at the front desk."), "{}", sleep.body_html);
        assert!(sleep.body_md.contains("*A cool, dark room*"), "caption shortcode: {}", sleep.body_md);
        assert!(
            report.notes.iter().any(|(l, n)| l.contains("102") && n == "a script was removed"),
            "{:?}",
            report.notes
        );
        assert!(report.notes.iter().any(|(l, n)| l.contains("101") && n.contains("wp:latest-posts")));
        let authors_added = report.authors_created.clone();
        assert_eq!(authors_added.len(), 3, "{authors_added:?}");

        // The same file again: updates, no duplicates (posts, authors, terms).
        let authors_before =
            author::Entity::find().filter(author::Column::ClinicId.eq(old)).count(&t.db).await.unwrap();
        let tags_before = tag::Entity::find().filter(tag::Column::ClinicId.eq(old)).count(&t.db).await.unwrap();
        let again = import(&t.db, "oldclinic", &fixture()).await;
        assert_eq!((again.created, again.updated), (0, posts.len()), "{again:?}");
        assert!(again.authors_created.is_empty());
        assert_eq!(post_count(&t.db, old).await, before + posts.len() as u64);
        assert_eq!(
            author::Entity::find().filter(author::Column::ClinicId.eq(old)).count(&t.db).await.unwrap(),
            authors_before
        );
        assert_eq!(tag::Entity::find().filter(tag::Column::ClinicId.eq(old)).count(&t.db).await.unwrap(), tags_before);
        assert_eq!(imported(&t.db, old, 101).await.id, stretches.id);

        // A changed title and slug in WordPress: the same post, renamed; the old address redirects.
        let dir = tempfile::tempdir().unwrap();
        let changed = dir.path().join("changed.xml");
        let text = std::fs::read_to_string(fixture()).unwrap();
        std::fs::write(
            &changed,
            text.replace("Sleep hygiene: small habits, big changes", "Sleep hygiene, revised")
                .replace("<wp:post_name><![CDATA[sleep-hygiene]]>", "<wp:post_name><![CDATA[sleep-habits]]>"),
        )
        .unwrap();
        let third = import(&t.db, "oldclinic", &changed).await;
        assert_eq!(third.updated, posts.len());
        let renamed = imported(&t.db, old, 102).await;
        assert_eq!(
            (renamed.id, renamed.title.as_str(), renamed.slug.as_str()),
            (sleep.id, "Sleep hygiene, revised", "sleep-habits")
        );
        assert_eq!(
            clinicpress::posts::editor::redirect_for(&t.db, old, "sleep-hygiene").await.unwrap().as_deref(),
            Some("sleep-habits")
        );
        assert_eq!(post_count(&t.db, old).await, before + posts.len() as u64);

        // Another clinic gets its own copies; nothing crosses over.
        let lakeside = clinic_id(&t.db, "lakeside").await;
        let other = import(&t.db, "lakeside", &fixture()).await;
        assert_eq!(other.created, posts.len());
        assert_ne!(imported(&t.db, lakeside, 101).await.id, stretches.id);
        assert!(matches!(
            import_file(&t.db, "nope", &fixture(), |_, _| {}).await,
            Err(clinicpress::wordpress::import::ImportError::UnknownClinic(_))
        ));
        t
    }));
}

async fn revisions(db: &DatabaseConnection, post_id: i32) -> Vec<post_revision::Model> {
    use sea_orm::QueryOrder;
    post_revision::Entity::find()
        .filter(post_revision::Column::PostId.eq(post_id))
        .order_by_asc(post_revision::Column::Id)
        .all(db)
        .await
        .unwrap()
}

#[test]
fn a_reimport_keeps_local_text_as_a_revision_local_status_and_the_body_limit() {
    common::block_on(each_db(|t| async move {
        use sea_orm::{ActiveModelTrait, Set};
        common::with_demo(&t.db).await;
        let old = new_clinic(&t.db, "oldclinic").await;
        import(&t.db, "oldclinic", &fixture()).await;
        let first = imported(&t.db, old, 101).await;
        assert_eq!(first.status, PostStatus::Published);
        let wp_body = first.body_md.clone();

        // Edited and unpublished in Clinicpress after the import.
        let mut am: post::ActiveModel = first.clone().into();
        am.body_md = Set("Our own words.\n".into());
        am.status = Set(PostStatus::Archived);
        am.update(&t.db).await.unwrap();

        // The same export again: WordPress's text comes back, ours is kept
        // as a revision, and the post stays unpublished.
        let again = import(&t.db, "oldclinic", &fixture()).await;
        assert!(again.failed.iter().all(|(l, _)| !l.contains("WordPress post 101")), "{:?}", again.failed);
        let now = imported(&t.db, old, 101).await;
        assert_eq!(now.body_md, wp_body);
        assert_eq!(now.status, PostStatus::Archived, "unpublished here, unchanged in WordPress: stays unpublished");
        let revs = revisions(&t.db, now.id).await;
        assert_eq!(revs.len(), 1, "{revs:?}");
        assert_eq!(revs[0].body_md, "Our own words.\n");
        assert_eq!(revs[0].title, first.title);
        assert!(revs[0].snapshot.contains("archived"), "{}", revs[0].snapshot);

        // Nothing changed on either side: no further revision.
        import(&t.db, "oldclinic", &fixture()).await;
        assert_eq!(revisions(&t.db, now.id).await.len(), 1);
        assert_eq!(imported(&t.db, old, 101).await.status, PostStatus::Archived);

        // The status changed in WordPress: that change is taken.
        let text = std::fs::read_to_string(fixture()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let drafted = dir.path().join("drafted.xml");
        std::fs::write(
            &drafted,
            text.replacen("<wp:status><![CDATA[publish]]></wp:status>", "<wp:status><![CDATA[draft]]></wp:status>", 1),
        )
        .unwrap();
        import(&t.db, "oldclinic", &drafted).await;
        let now = imported(&t.db, old, 101).await;
        assert_eq!(now.status, PostStatus::Draft);
        // The state before (archived) was kept as a revision.
        assert_eq!(revisions(&t.db, now.id).await.len(), 2);

        // A body over the editor's limit fails its item and leaves the post alone.
        let huge = dir.path().join("huge.xml");
        let words = format!("<p>{}</p>", "word ".repeat(70_000));
        std::fs::write(
            &huge,
            text.replacen("<content:encoded><![CDATA[", &format!("<content:encoded><![CDATA[{words}"), 1),
        )
        .unwrap();
        let report = import(&t.db, "oldclinic", &huge).await;
        assert!(label_has(&report.failed, 101, "limit"), "{:?}", report.failed);
        assert_eq!(imported(&t.db, old, 101).await.body_md, wp_body);
        // A new item that large is refused too.
        let fresh = new_clinic(&t.db, "freshclinic").await;
        let report = import(&t.db, "freshclinic", &huge).await;
        assert!(label_has(&report.failed, 101, "limit"), "{:?}", report.failed);
        assert!(
            wordpress_post::Entity::find()
                .filter(wordpress_post::Column::ClinicId.eq(fresh))
                .filter(wordpress_post::Column::WpPostId.eq(101_i64))
                .one(&t.db)
                .await
                .unwrap()
                .is_none()
        );
        t
    }));
}

async fn get(app: &axum::Router, host: &str, path: &str) -> (StatusCode, Option<String>, String) {
    let req = Request::builder().uri(path).header("host", host).body(Body::empty()).unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_string());
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, location, String::from_utf8_lossy(&body).into_owned())
}

const PMC: &str = "pmc.localhost:3000";
const LAKESIDE: &str = "lakeside.localhost:3000";

#[test]
fn old_permalinks_answer_301_on_their_clinic_only() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let report = import(&t.db, "pmc", &fixture()).await;
        assert_eq!(report.created, 7);

        let moved = |to: &str| (StatusCode::MOVED_PERMANENTLY, Some(to.to_string()));
        for (path, to) in [
            ("/?p=101", "/blog/five-stretches-lower-back"),
            ("/index.php?p=101", "/blog/five-stretches-lower-back"),
            ("/2024/02/five-stretches-lower-back/", "/blog/five-stretches-lower-back"),
            ("/2024/02/12/five-stretches-lower-back/", "/blog/five-stretches-lower-back"),
            ("/five-stretches-lower-back/", "/blog/five-stretches-lower-back"),
            ("/five-stretches-lower-back", "/blog/five-stretches-lower-back"),
            ("/2023/11/k%c3%a4ltetherapie-was-hilft/", "/blog/kaltetherapie-was-hilft"),
            ("/?p=104", "/blog/ice-or-heat"),
            // The converted body links here: the relative link lands on the post.
            ("/2024/01/sleep-hygiene/", "/blog/sleep-hygiene"),
        ] {
            let (status, location, _) = get(&app, PMC, path).await;
            assert_eq!((status, location), moved(to), "{path} on {}", t.backend);
        }
        let (status, _, body) = get(&app, PMC, "/blog/five-stretches-lower-back").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("Five stretches for a stiff lower back"));
        assert!(
            body.contains("src=\"https://old-clinic.example/wp-content/uploads/2024/02/stretch.jpg\""),
            "image reference rendered"
        );

        // Drafts, scheduled and skipped posts never redirect; /?p= then is the home page.
        for id in [105, 106, 107, 108, 999] {
            let (status, location, body) = get(&app, PMC, &format!("/?p={id}")).await;
            assert_eq!((status, location), (StatusCode::OK, None), "?p={id}");
            assert!(body.contains("Recent articles"));
        }
        for path in ["/2024/03/new-office-hours/", "/staff-party/", "/2024/02/no-such-post/", "/no-such-thing/"] {
            let (status, location, body) = get(&app, PMC, path).await;
            assert_eq!((status, location), (StatusCode::NOT_FOUND, None), "{path}");
            assert!(body.contains("couldn’t find that page"), "the normal 404 page: {path}");
        }
        // Never across clinics.
        let (status, location, _) = get(&app, LAKESIDE, "/?p=101").await;
        assert_eq!((status, location), (StatusCode::OK, None));
        let (status, _, _) = get(&app, LAKESIDE, "/2024/02/five-stretches-lower-back/").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // Real pages are never shadowed.
        let (status, _, _) = get(&app, PMC, "/contact").await;
        assert_eq!(status, StatusCode::OK);
        t
    }));
}

#[test]
fn bad_files_fail_clearly_and_keep_what_came_before() {
    common::block_on(each_db(|t| async move {
        common::with_demo(&t.db).await;
        let pmc = clinic_id(&t.db, "pmc").await;
        let dir = tempfile::tempdir().unwrap();
        let text = std::fs::read_to_string(fixture()).unwrap();

        // Cut in the middle of the fourth post: the three before it are in.
        let cut = dir.path().join("cut.xml");
        std::fs::write(&cut, &text[..text.find("Ice for the first").unwrap()]).unwrap();
        let report = import(&t.db, "pmc", &cut).await;
        assert_eq!(report.created, 3, "{report:?}");
        let stop = report.stopped.as_deref().unwrap();
        assert!(stop.contains("cut short") && stop.contains("Ice & heat"), "{stop}");
        assert!(report.has_failures());
        imported(&t.db, pmc, 103).await;
        assert!(
            wordpress_post::Entity::find()
                .filter(wordpress_post::Column::WpPostId.eq(104_i64))
                .one(&t.db)
                .await
                .unwrap()
                .is_none()
        );

        // An XML bomb: refused before anything is expanded or stored.
        let bomb = dir.path().join("bomb.xml");
        let mut doc = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n");
        for i in 1..=9 {
            let prev = if i == 1 { "lol".to_string() } else { format!("lol{}", i - 1) };
            doc.push_str(&format!("<!ENTITY lol{i} \"{}\">\n", format!("&{prev};").repeat(10)));
        }
        doc.push_str("]>\n");
        doc.push_str(&text[text.find("<rss").unwrap()..].replacen(
            "Five stretches for a stiff lower back",
            "&lol9;",
            1,
        ));
        std::fs::write(&bomb, doc).unwrap();
        let started = std::time::Instant::now();
        let before = post_count(&t.db, pmc).await;
        let report = import(&t.db, "pmc", &bomb).await;
        assert!(report.stopped.as_deref().unwrap().contains("entities are never expanded"), "{report:?}");
        assert_eq!((report.created, report.updated), (0, 0));
        assert_eq!(post_count(&t.db, pmc).await, before);
        assert!(started.elapsed() < std::time::Duration::from_secs(10));

        // Entities used without a declaration: that item fails, the others import.
        let undeclared = dir.path().join("undeclared.xml");
        std::fs::write(
            &undeclared,
            text.replacen(
                "<title><![CDATA[Sleep hygiene: small habits, big changes]]></title>",
                "<title>Sleep &lol9;</title>",
                1,
            ),
        )
        .unwrap();
        let fresh = clinic_id(&t.db, "lakeside").await;
        let report = import(&t.db, "lakeside", &undeclared).await;
        assert!(report.failed.iter().any(|(_, r)| r.contains("&lol9;")), "{:?}", report.failed);
        assert_eq!(report.created, 6);
        assert!(
            wordpress_post::Entity::find()
                .filter(wordpress_post::Column::ClinicId.eq(fresh))
                .filter(wordpress_post::Column::WpPostId.eq(102_i64))
                .one(&t.db)
                .await
                .unwrap()
                .is_none()
        );

        // Not an export at all.
        let html = dir.path().join("page.xml");
        std::fs::write(&html, "<html><body><p>hello</p></body></html>").unwrap();
        let report = import(&t.db, "pmc", &html).await;
        assert!(report.stopped.as_deref().unwrap().contains("not a WordPress export"), "{report:?}");
        t
    }));
}

#[test]
fn the_fixture_is_what_the_script_writes() {
    let dir = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/make-wxr.py");
    let run = std::process::Command::new("python3").arg(&script).arg(dir.path()).output();
    let out = match run {
        Ok(out) => out,
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("\n!!!!!!!! SKIPPED: python3 is not available ({e}); CI never skips.\n");
            return;
        }
        Err(e) => panic!("CI is set but python3 cannot run: {e}"),
    };
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for name in ["wordpress-export.xml", "wordpress-export.expected.json"] {
        let made = std::fs::read_to_string(dir.path().join(name)).unwrap();
        let committed = std::fs::read_to_string(fixture().with_file_name(name)).unwrap();
        assert!(made == committed, "{name} differs from scripts/make-wxr.py's output: run the script and commit");
    }
}
