//! The page cache through the real router, on SQLite and PostgreSQL: public
//! pages are kept and served again (compressed once, with a validator),
//! every answer of a page with a lead form carries its own fresh token, and
//! a change shows at once — made by a marketer through the admin, or only
//! written to the change log (an import, a scheduled publication, another
//! process), which the indexer applies.

mod common;

use std::io::Read;

use axum::Router;
use axum::body::Body;
use chrono::Utc;
use clinicpress::entities::{clinic, post};
use clinicpress::leads::spam::FormToken;
use clinicpress::leads::store;
use common::each_db;
use common::web::{PMC, call, json_post, send, sign_in, user};
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use tower::ServiceExt;

struct Got {
    status: StatusCode,
    headers: HeaderMap,
    bytes: Vec<u8>,
}

impl Got {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(|v| v.to_str().unwrap()).unwrap_or("")
    }
    fn text(&self) -> String {
        String::from_utf8(self.bytes.clone()).unwrap()
    }
}

async fn get(app: &Router, path: &str, headers: &[(&str, &str)]) -> Got {
    let mut b = Request::builder().uri(path).header("host", PMC);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let res = app.clone().oneshot(b.body(Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Got { status, headers, bytes }
}

/// The demo app once its search index is built: building it forgets every
/// kept page (related posts come from the index), which would make the
/// first answers of a test miss.
async fn ready_app(db: &sea_orm::DatabaseConnection) -> Router {
    let (app, _data) = common::demo_app(db).await;
    let started = std::time::Instant::now();
    while get(&app, "/readyz", &[]).await.status != StatusCode::OK {
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "the index was never built");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    app
}

fn tokens(html: &str) -> Vec<String> {
    let marker = "name=\"form_token\" value=\"";
    html.match_indices(marker)
        .map(|(at, _)| {
            let rest = &html[at + marker.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

async fn a_demo_post(db: &sea_orm::DatabaseConnection, clinic_id: i32) -> post::Model {
    post::Entity::find()
        .filter(post::Column::ClinicId.eq(clinic_id))
        .filter(post::Column::Status.eq("published"))
        .one(db)
        .await
        .unwrap()
        .expect("a published demo post")
}

#[test]
fn public_pages_are_kept_compressed_and_validated() {
    common::block_on(each_db(|t| async move {
        let app = ready_app(&t.db).await;

        let first = get(&app, "/", &[]).await;
        assert_eq!(first.status, StatusCode::OK);
        assert_eq!(first.header("x-page-cache"), "miss");
        let again = get(&app, "/", &[]).await;
        assert_eq!(again.header("x-page-cache"), "hit");
        assert_eq!(again.bytes, first.bytes, "the same page");
        assert_eq!(again.header("content-type"), first.header("content-type"));
        assert_eq!(again.header("cache-control"), "no-cache");
        assert_eq!(again.header("vary"), "accept-encoding");
        // Answered before routing, a kept page has every header the rendered
        // answer had, and its own request id (or the proxy's). (The length is
        // the body's: hyper writes it from the body on the wire.)
        for (name, value) in &first.headers {
            if !["x-page-cache", "x-request-id", "date", "content-length"].contains(&name.as_str()) {
                assert_eq!(again.headers.get(name), Some(value), "{name}");
            }
        }
        assert_eq!(again.header("x-request-id").len(), 36, "a UUID");
        assert_ne!(again.header("x-request-id"), first.header("x-request-id"));
        let tagged = get(&app, "/", &[("x-request-id", "lb-7.abc")]).await;
        assert_eq!((tagged.header("x-page-cache"), tagged.header("x-request-id")), ("hit", "lb-7.abc"));
        let untidy = get(&app, "/", &[("x-request-id", "not a usable id")]).await;
        assert_eq!(untidy.header("x-request-id").len(), 36, "replaced");

        // Compressed once: brotli and gzip decode to the same page.
        let br = get(&app, "/", &[("accept-encoding", "gzip, deflate, br")]).await;
        assert_eq!(br.header("content-encoding"), "br");
        let mut plain = Vec::new();
        brotli::BrotliDecompress(&mut &br.bytes[..], &mut plain).unwrap();
        assert_eq!(plain, first.bytes);
        assert!(br.bytes.len() * 3 < first.bytes.len(), "{} of {} bytes", br.bytes.len(), first.bytes.len());
        let gz = get(&app, "/", &[("accept-encoding", "gzip")]).await;
        assert_eq!(gz.header("content-encoding"), "gzip");
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&gz.bytes[..]).read_to_end(&mut plain).unwrap();
        assert_eq!(plain, first.bytes);

        // A validator, the same for every encoding: 304 without a body.
        let etag = first.header("etag").to_string();
        assert!(etag.starts_with("W/\""), "{etag}");
        assert_eq!(br.header("etag"), etag);
        let not_modified = get(&app, "/", &[("if-none-match", &etag)]).await;
        assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);
        assert!(not_modified.bytes.is_empty());
        assert_eq!(get(&app, "/", &[("if-none-match", "\"other\"")]).await.status, StatusCode::OK);

        // Not kept: the admin area, other hosts' pages under this one, missing pages.
        let login = get(&app, "/admin/login", &[]).await;
        assert_eq!(login.status, StatusCode::OK);
        assert_eq!(login.header("x-page-cache"), "");
        let missing = get(&app, "/blog/no-such-article", &[]).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_eq!(missing.header("x-page-cache"), "");
        let mut other = Request::builder().uri("/").header("host", "lakeside.localhost:3000");
        other = other.header("accept-encoding", "identity");
        let res = app.clone().oneshot(other.body(Body::empty()).unwrap()).await.unwrap();
        let lakeside = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
        assert_ne!(lakeside.as_bytes(), &first.bytes[..], "another clinic, another page");
        t
    }));
}

#[test]
fn each_answer_of_a_page_with_a_form_has_its_own_fresh_token() {
    common::block_on(each_db(|t| async move {
        let app = ready_app(&t.db).await;
        let clinic = clinic::Entity::find().filter(clinic::Column::Slug.eq("pmc")).one(&t.db).await.unwrap().unwrap();
        let secret = store::settings(&t.db, clinic.id).await.unwrap().form_secret;
        let slug = a_demo_post(&t.db, clinic.id).await.slug;

        for path in ["/contact".to_string(), format!("/blog/{slug}")] {
            let a = get(&app, &path, &[]).await;
            let b = get(&app, &path, &[("accept-encoding", "gzip")]).await;
            assert_eq!((a.header("x-page-cache"), b.header("x-page-cache")), ("miss", "hit"), "{path}");
            assert_eq!(b.header("cache-control"), "private, no-cache", "{path}: never shared");
            assert_eq!(b.header("etag"), "", "{path}: no validator, no stale token from a 304");
            // Gzip, put together from the kept pieces around a fresh token.
            assert_eq!(b.header("content-encoding"), "gzip", "{path}");
            let mut html = String::new();
            flate2::read::GzDecoder::new(&b.bytes[..]).read_to_string(&mut html).unwrap();
            let (ta, tb) = (tokens(&a.text()), tokens(&html));
            assert_eq!(ta.len(), 1, "{path}: one form");
            assert_eq!(tb.len(), 1);
            assert_ne!(ta[0], tb[0], "{path}: a token per answer");
            assert!(!html.contains(&ta[0]), "{path}: the first token appears nowhere in the second page");
            for token in [&ta[0], &tb[0]] {
                let claims = FormToken::verify(secret.as_bytes(), token, clinic.id, Utc::now()).expect("a valid token");
                assert!(Utc::now() - claims.issued_at < chrono::Duration::seconds(5), "issued with the answer");
            }
            // Apart from the tokens, the same page.
            assert_eq!(a.text().replace(&ta[0], ""), html.replace(&tb[0], ""), "{path}");
            // A client taking only brotli gets it compressed on the way out.
            let d = get(&app, &path, &[("accept-encoding", "br")]).await;
            assert_eq!((d.header("x-page-cache"), d.header("content-encoding")), ("hit", "br"), "{path}");
            let mut plain = Vec::new();
            brotli::BrotliDecompress(&mut &d.bytes[..], &mut plain).unwrap();
            let td = tokens(&String::from_utf8(plain).unwrap());
            assert!(td.len() == 1 && td[0] != ta[0] && td[0] != tb[0], "{path}: a token per answer");
            // Asked for uncompressed, it is answered before routing, with a token of its own too.
            let c = get(&app, &path, &[]).await;
            assert_eq!((c.status, c.header("x-page-cache")), (StatusCode::OK, "hit"), "{path}");
            assert_eq!(c.header("cache-control"), "private, no-cache", "{path}");
            let tc = tokens(&c.text());
            assert_eq!(tc.len(), 1);
            assert!(tc[0] != ta[0] && tc[0] != tb[0], "{path}: a token per answer");
            assert_eq!(c.text().replace(&tc[0], ""), html.replace(&tb[0], ""), "{path}");
        }
        t
    }));
}

#[test]
fn changes_show_at_once_through_the_admin_or_the_change_log() {
    common::block_on(each_db(|t| async move {
        let app = ready_app(&t.db).await;
        let db = &t.db;
        let clinic = clinic::Entity::find().filter(clinic::Column::Slug.eq("pmc")).one(db).await.unwrap().unwrap();

        // A marketer publishes: the kept blog list shows the post in the next answer.
        let blog = get(&app, "/blog", &[]).await;
        get(&app, "/blog", &[]).await;
        assert_eq!(get(&app, "/blog", &[]).await.header("x-page-cache"), "hit");
        assert!(!blog.text().contains("Cedar pollen season"));
        user(db, "writer@example.com", &["pmc:marketer"]).await;
        let cookie = sign_in(&app, "writer@example.com").await;
        let created = call(&app, &cookie, "/api/admin/create_post", "clinic=pmc&title=Cedar+pollen+season").await;
        let id: i64 = created.body.trim().parse().expect("the new post's id");
        let form = serde_json::json!({
            "title": "Cedar pollen season", "slug": "cedar-pollen-season", "excerpt": "",
            "body_md": "What to do when the cedars bloom.", "category": "", "tags": "", "author_id": null,
            "location_ids": [], "seo_title": "", "seo_description": "", "featured_image": "", "featured_image_alt": ""
        });
        let saved = send(
            &app,
            json_post(
                "/api/admin/save_post",
                Some(&cookie),
                serde_json::json!({"clinic": "pmc", "id": id, "version": 1, "form": form, "autosave": false}),
            ),
        )
        .await;
        let version = serde_json::from_str::<serde_json::Value>(&saved.body).unwrap()["version"].as_i64().unwrap();
        let done = send(
            &app,
            json_post(
                "/api/admin/publish_post",
                Some(&cookie),
                serde_json::json!({"clinic": "pmc", "id": id, "version": version, "action": "PublishNow"}),
            ),
        )
        .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        let after = get(&app, "/blog", &[]).await;
        // Rendered anew ("miss"; or not even kept when the indexer applied
        // the publication meanwhile).
        assert_ne!(after.header("x-page-cache"), "hit");
        assert!(after.text().contains("Cedar pollen season"), "the new post is listed at once");

        // A change only written to the change log (as an import, the
        // scheduled publisher or another process writes it): shown as soon
        // as the indexer has applied it.
        let target = a_demo_post(db, clinic.id).await;
        let path = format!("/blog/{}", target.slug);
        // (A page rendered while the indexer applies the publication is not
        // kept: it may show the old related posts.)
        let started = std::time::Instant::now();
        while get(&app, &path, &[]).await.header("x-page-cache") != "hit" {
            assert!(started.elapsed() < std::time::Duration::from_secs(10), "the post page is never kept");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let txn = db.begin().await.unwrap();
        let mut edit: post::ActiveModel = target.clone().into();
        edit.title = Set("Retitled by the change log".into());
        edit.update(&txn).await.unwrap();
        clinicpress::search::changes::post_changed(&txn, clinic.id, target.id, Utc::now()).await.unwrap();
        txn.commit().await.unwrap();
        let started = std::time::Instant::now();
        loop {
            let page = get(&app, &path, &[]).await;
            if page.text().contains("Retitled by the change log") {
                break;
            }
            assert!(started.elapsed() < std::time::Duration::from_secs(5), "the kept page was not replaced");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        t
    }));
}

#[test]
fn visitors_arriving_together_get_one_render_of_a_page() {
    common::block_on(each_db(|t| async move {
        let app = ready_app(&t.db).await;
        for path in ["/blog", "/contact"] {
            let visitors: Vec<_> = (0..12)
                .map(|_| {
                    let app = app.clone();
                    tokio::spawn(async move { get(&app, path, &[]).await })
                })
                .collect();
            let mut answers = Vec::new();
            for v in visitors {
                answers.push(v.await.unwrap());
            }
            let states: Vec<&str> = answers.iter().map(|a| a.header("x-page-cache")).collect();
            assert_eq!(states.iter().filter(|s| **s == "miss").count(), 1, "{path}: rendered once: {states:?}");
            assert_eq!(states.iter().filter(|s| **s == "hit").count(), 11, "{path}: {states:?}");
            assert!(answers.iter().all(|a| a.status == StatusCode::OK), "{path}");
            if path == "/contact" {
                // The same page, each with its own form token.
                let each: Vec<std::collections::HashSet<String>> =
                    answers.iter().map(|a| tokens(&a.text()).into_iter().collect()).collect();
                assert!(each.iter().all(|t| !t.is_empty()), "{path}: a token in every answer");
                let all: std::collections::HashSet<&String> = each.iter().flatten().collect();
                assert_eq!(
                    all.len(),
                    each.iter().map(|t| t.len()).sum::<usize>(),
                    "{path}: no two answers share a token"
                );
            } else {
                assert!(answers.iter().all(|a| a.bytes == answers[0].bytes), "{path}: the same page");
            }
        }
        t
    }));
}
