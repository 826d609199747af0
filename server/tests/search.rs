//! Search over HTTP (`/api/v1/search`, the `/search` page) on the demo
//! clinics, with the real indexer task following the change log, on
//! SQLite and PostgreSQL: relevance, typos, phrases, exclusions, facets,
//! filters, suggestions, bad input, clinic and draft isolation, and search
//! following publish, edit, unpublish and renames.

mod common;

use std::time::Duration;

use app::admin::model::{PostForm, PublishAction};
use axum::Router;
use axum::body::Body;
use chrono::Utc;
use clinicpress::audit::Actor;
use clinicpress::entities::{clinic, post, search_miss};
use clinicpress::posts::editor;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;
use tower::ServiceExt;

const PMC: &str = "pmc.localhost:3000";
const LAKESIDE: &str = "lakeside.localhost:3000";

async fn get(app: &Router, host: &str, path: &str) -> (StatusCode, String) {
    let req = Request::builder().uri(path).header("host", host).body(Body::empty()).unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn search(app: &Router, host: &str, query: &str) -> Value {
    let (status, body) = get(app, host, &format!("/api/v1/search?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn slugs(v: &Value) -> Vec<String> {
    v["hits"].as_array().unwrap().iter().map(|h| h["slug"].as_str().unwrap().to_string()).collect()
}

fn q(text: &str) -> String {
    format!("q={}", app::text::url_encode(text))
}

/// Wait (up to 20 s) until `check` holds for the search answer; search
/// normally follows within a second, the margin is for slow CI machines.
async fn eventually(app: &Router, host: &str, query: &str, check: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..200 {
        let v = search(app, host, query).await;
        if check(&v) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("search for {query} never showed the expected answer: {}", search(app, host, query).await);
}

/// The demo app with its index built.
async fn ready(db: &DatabaseConnection) -> Router {
    let (app, _data) = common::demo_app(db).await;
    eventually(&app, PMC, &q("ketamine"), |v| v["total"].as_u64() > Some(0)).await;
    app
}

#[test]
fn relevance_typos_phrases_and_exclusions() {
    common::block_on(common::each_db(|t| async move {
        let app = ready(&t.db).await;
        // (clinic, query, the article that must come first)
        let cases = [
            (PMC, "ketamine", "ketamine-infusions-for-chronic-pain"),
            (PMC, "ketamine for PTSD", "ketamine-infusions-for-chronic-pain"),
            (PMC, "Ketamin", "ketamine-infusions-for-chronic-pain"),
            (PMC, "gabapentn", "gabapentin-and-duloxetine-for-nerve-pain"),
            (PMC, "duloxetine", "gabapentin-and-duloxetine-for-nerve-pain"),
            (PMC, "sciatica leg", "sciatica-explained"),
            (PMC, "\"nerve blocks\"", "understanding-nerve-blocks"),
            (PMC, "headache diary", "keeping-a-headache-diary"),
            (PMC, "radiofrequency ablation", "radiofrequency-ablation-basics"),
            (PMC, "morning stiffness", "why-morning-back-stiffness-happens"),
            (LAKESIDE, "scalp psoriasis", "scalp-psoriasis-tips"),
            (LAKESIDE, "isotretinoin", "isotretinoin-what-families-should-know"),
            (LAKESIDE, "MOHS", "mohs-surgery-explained"),
            (LAKESIDE, "psoriasys", "psoriasis-treatment-options-overview"),
        ];
        for (host, text, want) in cases {
            let v = search(&app, host, &q(text)).await;
            let got = slugs(&v);
            assert!(
                got.first().map(String::as_str) == Some(want)
                    || (want == "psoriasis-treatment-options-overview" && got.iter().take(2).any(|s| s == want)),
                "{text}: {got:?}"
            );
        }

        // Exclusion: no result about winter itch.
        let v = search(&app, LAKESIDE, &q("eczema -winter")).await;
        assert!(!slugs(&v).is_empty());
        assert!(!slugs(&v).contains(&"winter-itch-and-dry-skin".to_string()), "{:?}", slugs(&v));
        // Every word must match; when none has them all, any word counts.
        let v = search(&app, PMC, &q("ketamine migraine")).await;
        assert_eq!(v["mode"], "any");
        assert!(slugs(&v).contains(&"ketamine-infusions-for-chronic-pain".to_string()));
        // A phrase is words together, not just present.
        let v = search(&app, PMC, &q("\"chronic pain\"")).await;
        assert!(v["total"].as_u64().unwrap() >= 3);
        let v = search(&app, PMC, &q("\"pain chronic\"")).await;
        assert_eq!(v["total"], 0, "{v}");
        // A misspelling gets a suggestion.
        let v = search(&app, PMC, &q("ketamime")).await;
        assert_eq!(v["suggestion"], "ketamine", "{v}");
        // ...but only from the clinic's own articles: Lakeside has none about ketamine.
        let v = search(&app, LAKESIDE, &q("ketamime")).await;
        assert_ne!(v["suggestion"], "ketamine", "{v}");
        t
    }));
}

#[test]
fn snippets_facets_filters_sorting_and_suggestions() {
    common::block_on(common::each_db(|t| async move {
        let app = ready(&t.db).await;
        let v = search(&app, PMC, &q("nerve pain")).await;
        let first = &v["hits"][0];
        let snippet = first["snippet_html"].as_str().unwrap();
        assert!(snippet.contains("<mark>"), "{snippet}");
        let without_marks = snippet.replace("<mark>", "").replace("</mark>", "");
        assert!(!without_marks.contains('<') && !without_marks.contains('>'), "only <mark> is markup: {snippet}");
        assert!(first["url"].as_str().unwrap().starts_with("http://pmc.localhost:3000/blog/"));
        assert!(first["published_at"].is_string());

        // Facets count the current results.
        let tags = v["facets"]["tags"].as_array().unwrap();
        let nerve = tags.iter().find(|t| t["slug"] == "nerve-pain").expect("a nerve pain tag facet");
        assert_eq!(nerve["name"], "nerve pain");
        assert!(nerve["count"].as_u64().unwrap() >= 3);
        assert!(!v["facets"]["categories"].as_array().unwrap().is_empty());
        // Filtering by a facet narrows to it.
        let f = search(&app, PMC, &format!("{}&tag=injections", q("nerve pain"))).await;
        assert!(f["total"].as_u64() < v["total"].as_u64() && f["total"].as_u64() > Some(0));
        let facet_tags: Vec<&str> =
            f["facets"]["tags"].as_array().unwrap().iter().map(|t| t["slug"].as_str().unwrap()).collect();
        assert!(facet_tags.contains(&"injections"));
        // Newest first.
        let n = search(&app, PMC, &format!("{}&sort=newest", q("pain"))).await;
        let dates: Vec<&str> =
            n["hits"].as_array().unwrap().iter().map(|h| h["published_at"].as_str().unwrap()).collect();
        let mut sorted = dates.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(dates, sorted);
        // Pages.
        let p1 = search(&app, PMC, &q("pain")).await;
        if p1["pages"].as_u64().unwrap() > 1 {
            let p2 = search(&app, PMC, &format!("{}&page=2", q("pain"))).await;
            assert_ne!(slugs(&p1)[0], slugs(&p2)[0]);
        }

        // Suggestions as you type: the last word may be unfinished.
        let (status, body) = get(&app, PMC, "/api/search/suggest?text=keta").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("Ketamine Infusions"), "{body}");
        let (_, body) = get(&app, PMC, "/api/search/suggest?text=preventive%20migr").await;
        assert!(body.contains("Preventive Treatment for Migraine"), "{body}");
        t
    }));
}

#[test]
fn other_clinics_drafts_and_scheduled_posts_are_never_found() {
    common::block_on(common::each_db(|t| async move {
        let app = ready(&t.db).await;
        // Lakeside has no ketamine article; pmc's must not leak.
        let v = search(&app, LAKESIDE, &q("ketamine")).await;
        assert_eq!(v["total"], 0, "{v}");
        assert!(!search(&app, PMC, &q("psoriasis")).await.to_string().contains("psoriasis-treatment"));
        // Drafts and scheduled posts.
        assert!(
            !slugs(&search(&app, PMC, &q("talking family friends")).await)
                .contains(&"talking-to-family-about-chronic-pain".to_string())
        );
        assert!(
            !slugs(&search(&app, PMC, &q("spinal cord stimulation")).await)
                .contains(&"spinal-cord-stimulation-overview".to_string())
        );
        assert!(
            !slugs(&search(&app, LAKESIDE, &q("hand eczema work")).await).contains(&"hand-eczema-at-work".to_string())
        );
        // The network host has no search.
        let (status, _) = get(&app, "localhost:3000", "/api/v1/search?q=pain").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        t
    }));
}

#[test]
fn bad_input_is_answered_never_a_500() {
    common::block_on(common::each_db(|t| async move {
        let app = ready(&t.db).await;
        let long = "pain ".repeat(2_000);
        let texts = [
            "",
            "the and of",
            long.as_str(),
            "\"unbalanced quote",
            "-",
            "title:x AND (",
            "clinic_id:2",
            "ket*mine [a-z]+ ~2 ^3",
            "\u{1}\u{2}knee\u{7f}",
            "\"\"",
            "---",
        ];
        for text in texts {
            let v = search(&app, PMC, &q(text)).await;
            assert!(v["hits"].is_array(), "{text:?}");
        }
        // Only stop words: told so.
        assert!(search(&app, PMC, &q("the and of")).await["notice"].as_str().unwrap().contains("common words"));
        assert!(search(&app, PMC, &q(&long)).await["notice"].as_str().unwrap().contains("first 200 characters"));
        // A field name in the text searches no field: "clinic_id:2" is just words.
        let v = search(&app, LAKESIDE, &q("clinic_id:1 ketamine")).await;
        assert_eq!(v["mode"], "any", "no lakeside article has all these words");
        assert!(!v.to_string().contains("ketamine-infusions"), "no other clinic's article");
        // Invalid UTF-8 in the URL is read as replacement characters.
        let (status, _) = get(&app, PMC, "/api/v1/search?q=%FF%FEpain").await;
        assert_eq!(status, StatusCode::OK);
        // Bad parameters: 400 with a message, in JSON.
        for bad in ["q=pain&page=0", "q=pain&page=abc", "q=pain&page=100000", "q=pain&sort=random", "q=pain&tag=a%20b"]
        {
            let (status, body) = get(&app, PMC, &format!("/api/v1/search?{bad}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
            assert!(serde_json::from_str::<Value>(&body).unwrap()["error"].is_string());
        }
        // The HTML page answers the same inputs with a page, never a 500.
        for text in texts {
            let (status, body) = get(&app, PMC, &format!("/search?{}", q(text))).await;
            assert_eq!(status, StatusCode::OK, "{text:?}");
            assert!(body.contains("<h1>Search</h1>"));
        }
        let (status, body) = get(&app, PMC, "/search?q=pain&page=0").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        t
    }));
}

#[test]
fn the_search_page_shows_results_facets_and_help() {
    common::block_on(common::each_db(|t| async move {
        let app = ready(&t.db).await;
        let (status, body) = get(&app, PMC, "/search?q=nerve+pain").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("articles found for “nerve pain”"), "{body}");
        assert!(body.contains("<mark>"));
        assert!(body.contains("href=\"/search?q=nerve%20pain&amp;tag=injections\""), "facet links keep the query");
        // Nothing found: spelling and categories to browse, and the miss is counted (text only).
        let (_, body) = get(&app, PMC, "/search?q=acupuncture+xylophone").await;
        assert!(body.contains("Nothing matched"));
        assert!(body.contains("Browse by category"));
        let pmc = clinic::Entity::find().filter(clinic::Column::Slug.eq("pmc")).one(&t.db).await.unwrap().unwrap();
        let mine = || {
            search_miss::Entity::find()
                .filter(search_miss::Column::ClinicId.eq(pmc.id))
                .filter(search_miss::Column::Query.contains("xylophone"))
                .all(&t.db)
        };
        let misses = mine().await.unwrap();
        assert_eq!(misses.len(), 1, "{misses:?}");
        assert_eq!((misses[0].query.as_str(), misses[0].count), ("acupuncture xylophone", 1));
        get(&app, PMC, "/search?q=Acupuncture++XYLOPHONE").await;
        let misses = mine().await.unwrap();
        assert_eq!(misses[0].count, 2, "the same words count on one row");
        // Every page header has the search form.
        let (_, home) = get(&app, PMC, "/").await;
        assert!(home.contains("role=\"search\"") && home.contains("action=\"/search\""));
        t
    }));
}

#[test]
fn search_follows_publish_edit_rename_unpublish_archive_and_delete() {
    common::block_on(common::each_db(|t| async move {
        let db = &t.db;
        let app = ready(db).await;
        let pmc = clinic::Entity::find().filter(clinic::Column::Slug.eq("pmc")).one(db).await.unwrap().unwrap().id;
        let actor = Actor { id: None, name: "Test".into(), email: "test@pmc.example".into() };
        let id = editor::create(db, pmc, &actor, "Hydrotherapy for stiff joints", Utc::now()).await.unwrap();
        let p = post::Entity::find_by_id(id).one(db).await.unwrap().unwrap();
        let form = PostForm {
            title: "Hydrotherapy for stiff joints".into(),
            body_md: "Warm water pools make movement easier for aching joints.".into(),
            tags: "aquatic exercise".into(),
            category: "Treatments".into(),
            ..PostForm::default()
        };
        let p = editor::save(db, pmc, p.id, p.version, &form, &actor, false, Utc::now()).await.unwrap();
        // A draft is not found. The indexer applies changes in order, so once
        // a post published after the draft's save is found (in the other
        // clinic, to keep this one's counts), the draft's change was applied.
        let lake =
            clinic::Entity::find().filter(clinic::Column::Slug.eq("lakeside")).one(db).await.unwrap().unwrap().id;
        let marker = editor::create(db, lake, &actor, "Quillwort marker", Utc::now()).await.unwrap();
        let m = post::Entity::find_by_id(marker).one(db).await.unwrap().unwrap();
        let m_form = PostForm { title: "Quillwort marker".into(), body_md: "Quillwort.".into(), ..PostForm::default() };
        let m = editor::save(db, lake, m.id, m.version, &m_form, &actor, false, Utc::now()).await.unwrap();
        editor::publish(db, lake, m.id, m.version, &PublishAction::PublishNow, &actor, Utc::now()).await.unwrap();
        eventually(&app, LAKESIDE, &q("quillwort"), |v| v["total"] == 1).await;
        assert_eq!(search(&app, PMC, &q("hydrotherapy")).await["total"], 0);
        // Published: found.
        let p =
            editor::publish(db, pmc, p.id, p.version, &PublishAction::PublishNow, &actor, Utc::now()).await.unwrap();
        eventually(&app, PMC, &q("hydrotherapy"), |v| slugs(v).contains(&p.slug)).await;
        // Edited: new words found, old ones gone.
        let mut edited = form.clone();
        edited.body_md = "Balneotherapy sessions in warm mineral water.".into();
        edited.slug = p.slug.clone();
        let p = editor::save(db, pmc, p.id, p.version, &edited, &actor, false, Utc::now()).await.unwrap();
        eventually(&app, PMC, &q("balneotherapy"), |v| v["total"] == 1).await;
        eventually(&app, PMC, &q("pools"), |v| !slugs(v).contains(&p.slug)).await;
        // A renamed tag is what the facet shows.
        let terms = clinicpress::posts::terms::page(db, pmc).await.unwrap();
        let tag = terms.tags.iter().find(|t| t.name == "aquatic exercise").unwrap().clone();
        clinicpress::posts::terms::save(
            db,
            pmc,
            app::model::ArchiveKind::Tag,
            Some(tag.id),
            &app::admin::model::TermForm {
                name: "water exercise".into(),
                slug: "water-exercise".into(),
                credentials: String::new(),
            },
            &actor,
            Utc::now(),
        )
        .await
        .unwrap();
        eventually(&app, PMC, &q("balneotherapy"), |v| {
            v["facets"]["tags"].as_array().unwrap().iter().any(|t| t["slug"] == "water-exercise")
        })
        .await;
        // Unpublished: gone.
        let p = editor::publish(db, pmc, p.id, p.version, &PublishAction::Unpublish, &actor, Utc::now()).await.unwrap();
        eventually(&app, PMC, &q("balneotherapy"), |v| v["total"] == 0).await;
        // Published again under a new slug: found at the new address only.
        let p =
            editor::publish(db, pmc, p.id, p.version, &PublishAction::PublishNow, &actor, Utc::now()).await.unwrap();
        let mut moved = edited.clone();
        moved.slug = "balneotherapy-for-stiff-joints".into();
        let p = editor::save(db, pmc, p.id, p.version, &moved, &actor, false, Utc::now()).await.unwrap();
        let v = eventually(&app, PMC, &q("balneotherapy"), |v| slugs(v) == ["balneotherapy-for-stiff-joints"]).await;
        assert!(v["hits"][0]["url"].as_str().unwrap().ends_with("/blog/balneotherapy-for-stiff-joints"), "{v}");
        // A live post cannot be deleted; archived, it leaves search, then it can.
        assert!(matches!(
            editor::delete(db, pmc, p.id, p.version, &actor, Utc::now()).await,
            Err(editor::EditorError::Invalid(_))
        ));
        let p = editor::publish(db, pmc, p.id, p.version, &PublishAction::Archive, &actor, Utc::now()).await.unwrap();
        eventually(&app, PMC, &q("balneotherapy"), |v| v["total"] == 0).await;
        let title = editor::delete(db, pmc, p.id, p.version, &actor, Utc::now()).await.unwrap();
        assert_eq!(title, "Hydrotherapy for stiff joints");
        assert!(post::Entity::find_by_id(p.id).one(db).await.unwrap().is_none());
        let logged = clinicpress::entities::audit_log::Entity::find()
            .filter(clinicpress::entities::audit_log::Column::Action.eq("post.delete"))
            .count(db)
            .await
            .unwrap();
        assert_eq!(logged, 1);
        // Deleting it again, or from another clinic, finds nothing.
        assert!(matches!(
            editor::delete(db, pmc, p.id, p.version, &actor, Utc::now()).await,
            Err(editor::EditorError::NotFound)
        ));
        t
    }));
}

#[test]
fn related_posts_come_from_the_index_within_the_clinic() {
    common::block_on(common::each_db(|t| async move {
        let app = ready(&t.db).await;
        let (status, page) = get(&app, PMC, "/blog/sciatica-explained").await;
        assert_eq!(status, StatusCode::OK);
        let related = page.split("You might also enjoy").nth(1).expect("a related section");
        let related = related.split("</section>").next().unwrap();
        let links: Vec<&str> = related.split("href=\"/blog/").skip(1).map(|s| s.split('"').next().unwrap()).collect();
        let posts: Vec<&&str> = links.iter().filter(|l| !l.starts_with("category/")).collect();
        assert_eq!(posts.len(), 3, "{links:?}");
        assert!(!posts.iter().any(|l| **l == "sciatica-explained"), "not itself");
        for l in &posts {
            // Each is a public pmc article.
            assert_eq!(get(&app, PMC, &format!("/blog/{l}")).await.0, StatusCode::OK, "{l}");
        }
        // More like this: about backs and nerves, not about headaches.
        assert!(posts.iter().any(|l| l.contains("back") || l.contains("nerve") || l.contains("epidural")), "{posts:?}");
        t
    }));
}

/// On PostgreSQL a committed change wakes the indexer through
/// LISTEN/NOTIFY (the poll is only a fallback): the listener connects,
/// says it is listening, and a change written in a transaction wakes it
/// once that transaction commits — not before. An announced change of
/// pages reaches the page cache's callback.
#[test]
fn postgres_notifies_the_indexer_when_a_change_commits() {
    use clinicpress::search::{changes, service};
    use sea_orm::TransactionTrait;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    common::block_on(async {
        let Some(t) = common::postgres().await else { return };
        // The demo's own changes are written before anyone listens.
        common::with_demo(&t.db).await;
        let wake = Arc::new(tokio::sync::Notify::new());
        let listening = Arc::new(AtomicBool::new(false));
        let stop = clinicpress::shutdown::CancellationToken::new();
        let pool = t.db.get_postgres_connection_pool().clone();
        let pages = Arc::new(tokio::sync::Notify::new());
        let announced = {
            let pages = pages.clone();
            move || pages.notify_one()
        };
        let task = tokio::spawn(service::listen(pool, wake.clone(), listening.clone(), announced, stop.clone()));
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
        while !listening.load(Ordering::Relaxed) {
            assert!(tokio::time::Instant::now() < deadline, "the listener never connected");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        // The wake-up it gives when it starts listening.
        wake.notified().await;

        let post = clinicpress::entities::post::Entity::find().one(&t.db).await.unwrap().expect("a demo post");
        let txn = t.db.begin().await.unwrap();
        changes::post_changed(&txn, post.clinic_id, post.id, chrono::Utc::now()).await.unwrap();
        let woken = wake.notified();
        tokio::pin!(woken);
        // Not before the commit: nothing is delivered while it is open.
        assert!(
            tokio::time::timeout(std::time::Duration::from_millis(300), woken.as_mut()).await.is_err(),
            "woken before the commit"
        );
        txn.commit().await.unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(30), woken).await.expect("woken after the commit");
        // A change of pages another process announces (offices, settings)
        // goes to the page cache, not to the indexer.
        let told = pages.notified();
        tokio::pin!(told);
        assert!(
            tokio::time::timeout(std::time::Duration::from_millis(300), told.as_mut()).await.is_err(),
            "a post change is not announced as a change of pages"
        );
        changes::announce_pages_changed(&t.db).await.unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(30), told).await.expect("the announcement arrives");
        stop.cancel();
        task.await.unwrap();
        t.cleanup().await;
    });
}
