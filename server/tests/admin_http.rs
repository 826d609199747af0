//! The admin area over HTTP through the real router, on SQLite and
//! PostgreSQL: signing in and out, sessions, throttling, password reset by
//! mail, CSRF refusals, and every server function's denials.

mod common;

use axum::Router;
use axum::body::Body;
use clinicpress::accounts::users;
use clinicpress::entities::{clinic, login_attempt, post};
use common::each_db;
use common::web::*;
use http::{Request, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use tower::ServiceExt;

#[test]
fn signing_in_out_and_what_a_session_sees() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        user(&t.db, "writer@pmc.example", &["pmc:marketer"]).await;

        // Anonymous admin pages send to the sign-in page, keeping the target.
        let a = send(&app, get("/admin/pmc/posts?status=draft", None)).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER);
        assert_eq!(a.location, format!("/admin/login?next={}", enc("/admin/pmc/posts?status=draft")));
        let a = send(&app, get("/admin/login", None)).await;
        assert_eq!(a.status, StatusCode::OK);
        assert!(a.body.contains("action=\"/admin/login\""));

        // A wrong password: back to the form, with the message and the typed e-mail.
        let a = send(
            &app,
            form_post("/admin/login", None, "email=Writer%40pmc.example&password=wrong&next=/admin/pmc/posts"),
        )
        .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER);
        let anon_cookie = a.cookie.clone().expect("a session for the message");
        let page = send(&app, get(&a.location, Some(&anon_cookie))).await;
        assert!(page.body.contains("The e-mail address or the password is wrong."), "{}", page.body);
        assert!(page.body.contains("value=\"Writer@pmc.example\""));
        // The message is shown once.
        let again = send(&app, get(&a.location, Some(&anon_cookie))).await;
        assert!(!again.body.contains("password is wrong"));

        // The right password: a new session id, HttpOnly and SameSite cookie, sent on to `next`.
        let a = send(
            &app,
            form_post(
                "/admin/login",
                Some(&anon_cookie),
                &format!("email=writer%40pmc.example&password={}&next=/admin/pmc/posts", enc(PASSWORD)),
            ),
        )
        .await;
        assert_eq!((a.status, a.location.as_str()), (StatusCode::SEE_OTHER, "/admin/pmc/posts"));
        let cookie = a.cookie.clone().unwrap();
        assert_ne!(cookie, anon_cookie, "the session id is rotated at sign-in");
        assert!(a.set_cookie.contains("HttpOnly") && a.set_cookie.contains("SameSite=Lax"), "{}", a.set_cookie);
        assert!(!a.set_cookie.contains("Secure"), "no Secure flag unless configured");

        let page = send(&app, get("/admin/pmc/posts", Some(&cookie))).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Sleep and Chronic Pain"), "the clinic's posts are listed");
        assert!(page.body.contains("Pain Medicine Consultants"), "the clinic switcher names the clinic");
        // Another clinic's admin area does not exist for this user.
        let other = send(&app, get("/admin/lakeside/posts", Some(&cookie))).await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        assert!(!other.body.contains("Lakeside Family Dermatology"), "the other clinic's name does not leak");
        // Only the "not found" page: no page heading or forms of the page that was denied.
        for page in ["posts", "audit", "terms", "media", "searches"] {
            let other = send(&app, get(&format!("/admin/lakeside/{page}"), Some(&cookie))).await;
            assert_eq!(other.status, StatusCode::NOT_FOUND, "{page}");
            assert_eq!(other.body.matches("<h1").count(), 1, "{page}: one heading\n{}", other.body);
            assert!(!other.body.contains("Start writing") && !other.body.contains("<form class=\"panel"), "{page}");
        }
        // Signed in, the sign-in page sends to the admin area.
        assert_eq!(send(&app, get("/admin/login", Some(&cookie))).await.location, "/admin");

        // Sign out ends the session in the database.
        let a = send(&app, form_post("/admin/logout", Some(&cookie), "")).await;
        assert_eq!((a.status, a.location.as_str()), (StatusCode::SEE_OTHER, "/admin/login"));
        assert_eq!(send(&app, get("/admin/pmc/posts", Some(&cookie))).await.status, StatusCode::SEE_OTHER);
        t
    }));
}

#[test]
fn sign_in_is_throttled_per_account() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        user(&t.db, "writer@pmc.example", &["pmc:marketer"]).await;
        for _ in 0..clinicpress::accounts::login::ACCOUNT_LIMIT {
            send(&app, form_post("/admin/login", None, "email=writer%40pmc.example&password=guess")).await;
        }
        // Even the right password is refused now, with a clear message.
        let a = send(
            &app,
            form_post("/admin/login", None, &format!("email=writer%40pmc.example&password={}", enc(PASSWORD))),
        )
        .await;
        assert!(a.location.starts_with("/admin/login"), "{}", a.location);
        let page = send(&app, get(&a.location, a.cookie.as_deref())).await;
        assert!(page.body.contains("Too many failed sign-in attempts"), "{}", page.body);
        assert!(page.body.contains("15 minute"), "says how long");
        // Another account from the same address is not locked by it.
        user(&t.db, "other@pmc.example", &["pmc:marketer"]).await;
        sign_in(&app, "other@pmc.example").await;
        t
    }));
}

#[test]
fn cross_site_posts_are_refused() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        user(&t.db, "writer@pmc.example", &["pmc:marketer"]).await;
        let cookie = sign_in(&app, "writer@pmc.example").await;
        let before = login_attempt::Entity::find().count(&t.db).await.unwrap();

        // A form on another site posting to our sign-in: refused before anything happens.
        let req = Request::builder()
            .method("POST")
            .uri("/admin/login")
            .header("host", PMC)
            .header("origin", "https://evil.example")
            .header("sec-fetch-site", "cross-site")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!("email=writer%40pmc.example&password={}", enc(PASSWORD))))
            .unwrap();
        let a = send(&app, req).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN);
        assert!(a.body.contains("sent from another web site"));
        assert_eq!(login_attempt::Entity::find().count(&t.db).await.unwrap(), before, "no attempt was even made");

        // A server function called from another origin with the victim's cookie (older browser: Origin only).
        let pmc_id =
            clinic::Entity::find().filter(clinic::Column::Slug.eq("pmc")).one(&t.db).await.unwrap().unwrap().id;
        let p = post::Entity::find().filter(post::Column::ClinicId.eq(pmc_id)).one(&t.db).await.unwrap().unwrap();
        let req = Request::builder()
            .method("POST")
            .uri("/api/admin/publish_post")
            .header("host", PMC)
            .header("origin", "https://evil.example")
            .header("cookie", &cookie)
            .header("content-type", "application/json")
            .body(Body::from(
                serde_json::json!({"clinic": "pmc", "id": p.id, "version": p.version, "action": "Archive"}).to_string(),
            ))
            .unwrap();
        assert_eq!(send(&app, req).await.status, StatusCode::FORBIDDEN);
        let after = post::Entity::find_by_id(p.id).one(&t.db).await.unwrap().unwrap();
        assert_eq!(after.status, p.status, "nothing changed");

        // The same call from our own origin works.
        let ok = send(
            &app,
            json_post(
                "/api/admin/publish_post",
                Some(&cookie),
                serde_json::json!({"clinic": "pmc", "id": p.id, "version": p.version, "action": "Archive"}),
            ),
        )
        .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        t
    }));
}

#[test]
fn server_functions_deny_with_403_or_404_and_change_nothing() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        user(db, "writer@pmc.example", &["pmc:marketer"]).await;
        user(db, "desk@pmc.example", &["pmc:staff:concord"]).await;
        let writer = sign_in(&app, "writer@pmc.example").await;
        let desk = sign_in(&app, "desk@pmc.example").await;
        let lakeside_id =
            clinic::Entity::find().filter(clinic::Column::Slug.eq("lakeside")).one(db).await.unwrap().unwrap().id;
        let theirs =
            post::Entity::find().filter(post::Column::ClinicId.eq(lakeside_id)).one(db).await.unwrap().unwrap();

        let form = serde_json::json!({
            "title": "Taken over", "slug": theirs.slug, "excerpt": "", "body_md": "x", "category": "", "tags": "",
            "author_id": null, "location_ids": [], "seo_title": "", "seo_description": "", "featured_image": "",
            "featured_image_alt": ""
        });
        // (server function, body) for a pmc post and for a lakeside post.
        let calls = |clinic: &str, id: i32, version: i32, (t1, t2): (i32, i32)| {
            vec![
                ("/api/admin/get_admin_context", format!("clinic={clinic}"), None),
                ("/api/admin/list_posts", format!("clinic={clinic}&query[q]=&query[page]=1"), None),
                ("/api/admin/diff_revisions", format!("clinic={clinic}&id={id}&from=1&to=1"), None),
                ("/api/admin/create_preview", format!("clinic={clinic}&id={id}"), None),
                ("/api/admin/list_audit", format!("clinic={clinic}&page=1"), None),
                ("/api/admin/list_terms", format!("clinic={clinic}"), None),
                (
                    "/api/admin/save_term",
                    format!("clinic={clinic}&kind=Tag&form[name]=Hijack&form[slug]=hijack&form[credentials]="),
                    None,
                ),
                (
                    "/api/admin/save_term",
                    format!("clinic={clinic}&kind=Tag&id={t1}&form[name]=Hijack&form[slug]=hijack&form[credentials]="),
                    None,
                ),
                ("/api/admin/delete_term", format!("clinic={clinic}&kind=Tag&id={t1}"), None),
                ("/api/admin/merge_tags", format!("clinic={clinic}&from={t1}&into={t2}"), None),
                ("/api/admin/list_media", format!("clinic={clinic}"), None),
                (
                    "/api/admin/delete_post",
                    String::new(),
                    Some(serde_json::json!({"clinic": clinic, "id": id, "version": version})),
                ),
                ("/api/admin/list_search_misses", format!("clinic={clinic}"), None),
                ("/api/admin/get_editor", format!("clinic={clinic}&id={id}"), None),
                ("/api/admin/check_slug", format!("clinic={clinic}&id={id}&slug=x"), None),
                ("/api/admin/list_revisions", format!("clinic={clinic}&id={id}"), None),
                ("/api/admin/restore_revision", format!("clinic={clinic}&id={id}&revision=1"), None),
                ("/api/admin/create_post", format!("clinic={clinic}&title=Hello"), None),
                (
                    "/api/admin/save_post",
                    String::new(),
                    Some(
                        serde_json::json!({"clinic": clinic, "id": id, "version": version, "form": form, "autosave": false}),
                    ),
                ),
                (
                    "/api/admin/publish_post",
                    String::new(),
                    Some(serde_json::json!({"clinic": clinic, "id": id, "version": version, "action": "PublishNow"})),
                ),
                (
                    "/api/admin/render_preview",
                    String::new(),
                    Some(serde_json::json!({"clinic": clinic, "markdown": "# hi"})),
                ),
                ("/api/admin/list_offices", format!("clinic={clinic}"), None),
                ("/api/admin/load_office", format!("clinic={clinic}&office=new"), None),
                (
                    "/api/admin/save_office",
                    format!(
                        "clinic={clinic}&form[name]=Hijack&form[address]=1+Main+St&form[phone]=555-0100-22&form[timezone]=UTC"
                    ),
                    None,
                ),
                ("/api/admin/save_default_inbox", format!("clinic={clinic}&email=thief%40evil.example"), None),
                ("/api/admin/get_lead_settings", format!("clinic={clinic}"), None),
            ]
        };
        let pmc_id = clinic::Entity::find().filter(clinic::Column::Slug.eq("pmc")).one(db).await.unwrap().unwrap().id;
        let ours = post::Entity::find().filter(post::Column::ClinicId.eq(pmc_id)).one(db).await.unwrap().unwrap();
        let posts_before = post::Entity::find().count(db).await.unwrap();
        let tags_before = clinicpress::entities::tag::Entity::find().all(db).await.unwrap();
        let two_tags = |clinic_id: i32| {
            let mut ids = tags_before.iter().filter(|t| t.clinic_id == clinic_id).map(|t| t.id);
            (ids.next().unwrap(), ids.next().unwrap())
        };
        let (pmc_tags, lakeside_tags) = (two_tags(pmc_id), two_tags(lakeside_id));
        user(db, "boss@lakeside.example", &["lakeside:admin"]).await;
        let boss = sign_in(&app, "boss@lakeside.example").await;

        for (who, cookie, clinic, id, version, tags, want) in [
            ("nobody", None, "pmc", ours.id, ours.version, pmc_tags, StatusCode::UNAUTHORIZED),
            ("pmc staff", Some(desk.as_str()), "pmc", ours.id, ours.version, pmc_tags, StatusCode::FORBIDDEN),
            (
                "pmc staff",
                Some(desk.as_str()),
                "lakeside",
                theirs.id,
                theirs.version,
                lakeside_tags,
                StatusCode::NOT_FOUND,
            ),
            (
                "pmc marketer",
                Some(writer.as_str()),
                "lakeside",
                theirs.id,
                theirs.version,
                lakeside_tags,
                StatusCode::NOT_FOUND,
            ),
            (
                "pmc marketer",
                Some(writer.as_str()),
                "no-such-clinic",
                theirs.id,
                theirs.version,
                lakeside_tags,
                StatusCode::NOT_FOUND,
            ),
            ("lakeside admin", Some(boss.as_str()), "pmc", ours.id, ours.version, pmc_tags, StatusCode::NOT_FOUND),
        ] {
            for (path, body, json) in calls(clinic, id, version, tags) {
                // A staff member may see which clinics they work in; everything else is denied.
                if path == "/api/admin/get_admin_context" && want == StatusCode::FORBIDDEN {
                    continue;
                }
                let req = match json {
                    Some(j) => json_post(path, cookie, j),
                    None => {
                        let mut r = form_post(path, cookie, &body);
                        r.headers_mut().insert("accept", "application/json".parse().unwrap());
                        r
                    }
                };
                let a = send(&app, req).await;
                assert_eq!(a.status, want, "{who} → {path} in {clinic}: {}", a.body);
            }
        }
        // …and nothing changed anywhere.
        assert_eq!(post::Entity::find().count(db).await.unwrap(), posts_before);
        assert_eq!(
            clinicpress::entities::tag::Entity::find()
                .filter(clinicpress::entities::tag::Column::Name.eq("Hijack"))
                .count(db)
                .await
                .unwrap(),
            0
        );
        assert_eq!(post::Entity::find_by_id(theirs.id).one(db).await.unwrap().unwrap(), theirs);
        assert_eq!(post::Entity::find_by_id(ours.id).one(db).await.unwrap().unwrap(), ours);
        assert_eq!(clinicpress::entities::tag::Entity::find().all(db).await.unwrap(), tags_before);
        assert_eq!(clinicpress::entities::preview_link::Entity::find().count(db).await.unwrap(), 0);
        assert_eq!(
            clinicpress::entities::location::Entity::find()
                .filter(clinicpress::entities::location::Column::Name.eq("Hijack"))
                .count(db)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            clinic::Entity::find().filter(clinic::Column::DefaultInbox.contains("evil")).count(db).await.unwrap(),
            0
        );

        // A pmc post addressed through the lakeside slug is not found either.
        // Malformed calls are a 400, never a 500.
        let a =
            send(&app, json_post("/api/admin/save_post", Some(&writer), serde_json::json!({"clinic": "pmc"}))).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
        let a = send(&app, {
            let mut r = form_post("/api/admin/get_editor", Some(&writer), &format!("clinic=lakeside&id={}", ours.id));
            r.headers_mut().insert("accept", "application/json".parse().unwrap());
            r
        })
        .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        // The writer's own clinic works.
        let a = send(&app, {
            let mut r = form_post("/api/admin/get_editor", Some(&writer), &format!("clinic=pmc&id={}", ours.id));
            r.headers_mut().insert("accept", "application/json".parse().unwrap());
            r
        })
        .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert!(a.body.contains(&ours.title));

        // A 5 MB body reaches the editor's rules and gets their message, not a bare "length limit".
        let mut big = form.clone();
        big["title"] = "Huge".into();
        big["slug"] = ours.slug.clone().into();
        big["body_md"] = "word ".repeat(1024 * 1024).into();
        let a = send(
            &app,
            json_post(
                "/api/admin/save_post",
                Some(&writer),
                serde_json::json!({"clinic": "pmc", "id": ours.id, "version": ours.version, "form": big, "autosave": false}),
            ),
        )
        .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", &a.body[..a.body.len().min(300)]);
        assert!(a.body.contains("The text is 5242 KB; the limit is 300 KB"), "{}", &a.body[..a.body.len().min(300)]);
        assert_eq!(post::Entity::find_by_id(ours.id).one(db).await.unwrap().unwrap(), ours, "nothing saved");
        t
    }));
}

#[test]
fn password_reset_by_a_one_time_mailed_link() {
    common::block_on(each_db(|t| async move {
        let (app, data) = common::demo_app(&t.db).await;
        user(&t.db, "writer@pmc.example", &["pmc:marketer"]).await;

        // Unknown addresses get the same answer and no mail.
        let a = send(&app, form_post("/admin/reset", None, "email=nobody%40pmc.example")).await;
        assert_eq!((a.status, a.location.as_str()), (StatusCode::SEE_OTHER, "/admin/login"));
        assert!(!data.join("mail").exists() || std::fs::read_dir(data.join("mail")).unwrap().count() == 0);
        // A typo gets a clear message and keeps what was typed.
        let a = send(&app, form_post("/admin/reset", None, "email=writer-at-pmc")).await;
        let page = send(&app, get(&a.location, a.cookie.as_deref())).await;
        assert!(page.body.contains("Enter the e-mail address of your account"));
        assert!(page.body.contains("value=\"writer-at-pmc\""));

        // Asked on an address that is no clinic's and not this machine (Host: an IP of
        // someone else's): the usual answer, but no link that would lead there.
        let mut foreign = form_post("/admin/reset", None, "email=writer%40pmc.example");
        foreign.headers_mut().insert("host", "203.0.113.9".parse().unwrap());
        foreign.headers_mut().insert("origin", "http://203.0.113.9".parse().unwrap());
        let a = send(&app, foreign).await;
        assert_eq!((a.status, a.location.as_str()), (StatusCode::SEE_OTHER, "/admin/login"));
        assert!(!data.join("mail").exists() || std::fs::read_dir(data.join("mail")).unwrap().count() == 0);

        let a = send(&app, form_post("/admin/reset", None, "email=writer%40pmc.example")).await;
        assert_eq!(a.location, "/admin/login");
        let page = send(&app, get("/admin/login", a.cookie.as_deref())).await;
        assert!(page.body.contains("a link to choose a new password is on its way"));
        let mail: Vec<_> = std::fs::read_dir(data.join("mail")).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(mail.len(), 1);
        let text = std::fs::read_to_string(&mail[0]).unwrap().replace("=\r\n", "").replace("=3D", "=");
        assert!(text.contains("To: writer@pmc.example"), "{text}");
        assert!(text.contains("http://pmc.localhost:3000/admin/reset/"), "the clinic's own address: {text}");
        let start = text.find("/admin/reset/").expect("a link") + "/admin/reset/".len();
        let token: String = text[start..].chars().take_while(|c| c.is_ascii_hexdigit()).collect();
        assert_eq!(token.len(), 64);

        // Mismatched passwords: explained, the link still works.
        let a =
            send(&app, form_post(&format!("/admin/reset/{token}"), None, "password=new+password+here&confirm=other"))
                .await;
        let page = send(&app, get(&a.location, a.cookie.as_deref())).await;
        assert!(page.body.contains("The two passwords differ"));
        let a = send(
            &app,
            form_post(
                &format!("/admin/reset/{token}"),
                None,
                "password=my+new+long+password&confirm=my+new+long+password",
            ),
        )
        .await;
        assert_eq!(a.location, "/admin/login");
        let ok =
            send(&app, form_post("/admin/login", None, "email=writer%40pmc.example&password=my+new+long+password"))
                .await;
        assert_eq!(ok.location, "/admin");
        // The link works once.
        let a = send(
            &app,
            form_post(
                &format!("/admin/reset/{token}"),
                None,
                "password=another+long+password&confirm=another+long+password",
            ),
        )
        .await;
        let page = send(&app, get(&a.location, a.cookie.as_deref())).await;
        assert!(page.body.contains("This reset link is not valid"), "{}", page.body);
        t
    }));
}

#[test]
fn an_old_slug_answers_301_to_the_new_one() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        let pmc_id = clinic::Entity::find().filter(clinic::Column::Slug.eq("pmc")).one(db).await.unwrap().unwrap().id;
        let p = post::Entity::find()
            .filter(post::Column::ClinicId.eq(pmc_id))
            .filter(post::Column::Status.eq(clinicpress::entities::PostStatus::Published))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        let (_, mut form) = clinicpress::posts::editor::load(db, pmc_id, p.id).await.unwrap();
        let old = form.slug.clone();
        form.slug = "a-brand-new-address".into();
        let actor = clinicpress::audit::Actor { id: None, name: "T".into(), email: "t@pmc.example".into() };
        clinicpress::posts::editor::save(db, pmc_id, p.id, p.version, &form, &actor, false, chrono::Utc::now())
            .await
            .unwrap();
        let a = send(&app, get(&format!("/blog/{old}"), None)).await;
        assert_eq!(a.status, StatusCode::MOVED_PERMANENTLY, "{}", a.body);
        assert_eq!(a.location, "/blog/a-brand-new-address");
        assert_eq!(send(&app, get("/blog/a-brand-new-address", None)).await.status, StatusCode::OK);
        // The other clinic knows nothing of it.
        let req = Request::builder()
            .uri("/blog/a-brand-new-address")
            .header("host", "lakeside.localhost:3000")
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&app, req).await.status, StatusCode::NOT_FOUND);
        t
    }));
}

#[test]
fn preview_links_and_the_audit_log_over_http() {
    use clinicpress::entities::preview_link;
    use sea_orm::{ActiveModelTrait, Set};
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        user(db, "writer@pmc.example", &["pmc:marketer"]).await;
        user(db, "boss@pmc.example", &["pmc:admin"]).await;
        let writer = sign_in(&app, "writer@pmc.example").await;
        let id: i32 = {
            let mut r = form_post("/api/admin/create_post", Some(&writer), "clinic=pmc&title=Not+yet+public");
            r.headers_mut().insert("accept", "application/json".parse().unwrap());
            send(&app, r).await.body.trim().parse().expect("the new post's id")
        };
        let a = send(&app, {
            let mut r = form_post("/api/admin/create_preview", Some(&writer), &format!("clinic=pmc&id={id}"));
            r.headers_mut().insert("accept", "application/json".parse().unwrap());
            r
        })
        .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let link: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        let url = link["url"].as_str().unwrap();
        assert!(url.starts_with("http://pmc.localhost:3000/preview/"), "{url}");
        let path = url.trim_start_matches("http://pmc.localhost:3000");

        // Anyone with the link sees the draft, marked noindex; nobody else does.
        let page = send(&app, get(path, None)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Not yet public") && page.body.contains("noindex"));
        assert_eq!(send(&app, get("/blog/not-yet-public", None)).await.status, StatusCode::NOT_FOUND);
        let other = Request::builder().uri(path).header("host", "lakeside.localhost:3000").body(Body::empty()).unwrap();
        assert_eq!(send(&app, other).await.status, StatusCode::NOT_FOUND);
        assert_eq!(send(&app, get("/preview/0123", None)).await.status, StatusCode::NOT_FOUND);

        // An expired link says so (410).
        let pmc_id = clinic::Entity::find().filter(clinic::Column::Slug.eq("pmc")).one(db).await.unwrap().unwrap().id;
        let expired = "ab".repeat(32);
        preview_link::ActiveModel {
            post_id: Set(id),
            clinic_id: Set(pmc_id),
            token_hash: Set(clinicpress::accounts::reset::token_hash(&expired)),
            expires_at: Set(chrono::Utc::now() - chrono::Duration::hours(1)),
            created_at: Set(chrono::Utc::now() - chrono::Duration::days(8)),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        let page = send(&app, get(&format!("/preview/{expired}"), None)).await;
        assert_eq!(page.status, StatusCode::GONE);
        assert!(page.body.contains("This preview link has expired"));

        // The audit log: admins only, with what happened.
        let audit = |cookie: String| {
            let mut r = form_post("/api/admin/list_audit", Some(&cookie), "clinic=pmc&page=1");
            r.headers_mut().insert("accept", "application/json".parse().unwrap());
            r
        };
        assert_eq!(send(&app, audit(writer.clone())).await.status, StatusCode::FORBIDDEN);
        let boss = sign_in(&app, "boss@pmc.example").await;
        let a = send(&app, audit(boss.clone())).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert!(a.body.contains("created draft") && a.body.contains("shared a preview link"), "{}", a.body);
        let page = send(&app, get("/admin/pmc/audit", Some(&boss))).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("writer@pmc.example"));
        t
    }));
}

#[test]
fn a_renamed_category_answers_301_from_its_old_address() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        user(&t.db, "writer@pmc.example", &["pmc:marketer"]).await;
        let writer = sign_in(&app, "writer@pmc.example").await;
        let pmc_id =
            clinic::Entity::find().filter(clinic::Column::Slug.eq("pmc")).one(&t.db).await.unwrap().unwrap().id;
        let cat = clinicpress::entities::category::Entity::find()
            .filter(clinicpress::entities::category::Column::ClinicId.eq(pmc_id))
            .one(&t.db)
            .await
            .unwrap()
            .unwrap();
        let before = send(&app, get(&format!("/blog/category/{}", cat.slug), None)).await;
        assert_eq!(before.status, StatusCode::OK);
        // As a plain form post (JavaScript off): answered with a redirect back.
        let mut req = form_post(
            "/api/admin/save_term",
            Some(&writer),
            &format!("clinic=pmc&kind=Category&id={}&form[name]=Everyday+pain&form[slug]=everyday-pain", cat.id),
        );
        req.headers_mut().insert("accept", "text/html".parse().unwrap());
        req.headers_mut().insert("referer", "http://pmc.localhost:3000/admin/pmc/terms".parse().unwrap());
        let a = send(&app, req).await;
        assert!(a.status.is_redirection(), "{} {}", a.status, a.body);
        let old = send(&app, get(&format!("/blog/category/{}", cat.slug), None)).await;
        assert_eq!(old.status, StatusCode::MOVED_PERMANENTLY);
        assert_eq!(old.location, "/blog/category/everyday-pain");
        let new = send(&app, get("/blog/category/everyday-pain", None)).await;
        assert_eq!(new.status, StatusCode::OK);
        assert!(new.body.contains("Everyday pain"));
        let page = send(&app, get("/admin/pmc/terms", Some(&writer))).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Everyday pain"));
        t
    }));
}

fn multipart(cookie: &str, clinic: &str, file_name: &str, bytes: &[u8], alt: &str) -> Request<Body> {
    let boundary = "cpboundary7d3";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\n{alt}\r\n").as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: image/jpeg\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Request::builder()
        .method("POST")
        .uri(format!("/admin/{clinic}/media"))
        .header("host", PMC)
        .header("origin", ORIGIN)
        .header("cookie", cookie)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        // In 64 KiB pieces, as a browser's upload arrives.
        .body(Body::from_stream(futures_util::stream::iter(
            body.chunks(64 * 1024)
                .map(|c| Ok::<_, std::io::Error>(bytes::Bytes::copy_from_slice(c)))
                .collect::<Vec<_>>(),
        )))
        .unwrap()
}

fn photo(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 251) as u8, (y % 241) as u8, 120]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[test]
fn image_uploads_are_checked_resized_and_served_per_clinic() {
    use clinicpress::entities::media;
    common::block_on(each_db(|t| async move {
        let (app, data) = common::demo_app(&t.db).await;
        let db = &t.db;
        user(db, "writer@pmc.example", &["pmc:marketer"]).await;
        user(db, "desk@pmc.example", &["pmc:staff:concord"]).await;
        let writer = sign_in(&app, "writer@pmc.example").await;
        let desk = sign_in(&app, "desk@pmc.example").await;

        // A good image with alt text: three variants, served with long cache headers.
        let a = send(&app, multipart(&writer, "pmc", "knee.png", &photo(1800, 1200), "A knee stretch on a mat")).await;
        assert_eq!((a.status, a.location.as_str()), (StatusCode::SEE_OTHER, "/admin/pmc/media"));
        let page = send(&app, get("/admin/pmc/media", Some(&writer))).await;
        assert!(page.body.contains("Uploaded \"knee.png\""), "{}", page.body);
        let m = media::Entity::find().one(db).await.unwrap().expect("stored");
        assert_eq!((m.width, m.height, m.widths.as_str(), m.ext.as_str()), (1800, 1200, "400,800,1600", "jpg"));
        let file = format!("{}-800.jpg", m.stored_name);
        assert!(data.join("media").join(m.clinic_id.to_string()).join(&file).is_file());
        let res = app.clone().oneshot(get(&format!("/media/{file}"), None)).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "image/jpeg");
        assert!(res.headers()["cache-control"].to_str().unwrap().contains("max-age=31536000"));
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        let other = Request::builder()
            .uri(format!("/media/{file}"))
            .header("host", "lakeside.localhost:3000")
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&app, other).await.status, StatusCode::NOT_FOUND, "another clinic's host does not serve it");
        assert_eq!(send(&app, get("/media/..%2F..%2Fclinicpress.db", None)).await.status, StatusCode::NOT_FOUND);

        // Bad uploads: explained, the typed alt text kept, nothing stored.
        for (name, bytes, alt, want) in [
            ("notes.jpg", b"<?php system($_GET['c']); ?>".to_vec(), "alt", "not a JPEG, PNG or WebP image"),
            ("knee.png", photo(50, 50), "", "alt text is required"),
            ("huge.png", vec![0x89; 11 * 1024 * 1024], "A big one", "the limit is 10 MB"),
            ("camera-original.jpg", vec![0xFF; 50 * 1024 * 1024], "A fifty megabyte photo", "the limit is 10 MB"),
        ] {
            let a = send(&app, multipart(&writer, "pmc", name, &bytes, alt)).await;
            assert_eq!(a.location, "/admin/pmc/media", "{name}");
            let page = send(&app, get("/admin/pmc/media", Some(&writer))).await;
            assert!(page.body.contains(want), "{name}: {}", page.body);
            // The form sends the alt text before the file, so it is kept even when the file is too large.
            if !alt.is_empty() {
                assert!(
                    page.body.contains(&format!("value=\"{alt}\"")),
                    "{name}: the alt text is kept: {}",
                    &page.body[page.body.find("form-error").unwrap_or(0)..]
                        [..600.min(page.body.len() - page.body.find("form-error").unwrap_or(0))]
                );
            }
        }
        assert_eq!(media::Entity::find().all(db).await.unwrap().len(), 1);

        // Staff may not upload; another clinic does not exist for this user.
        assert_eq!(
            send(&app, multipart(&desk, "pmc", "k.png", &photo(10, 10), "x")).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            send(&app, multipart(&writer, "lakeside", "k.png", &photo(10, 10), "x")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(media::Entity::find().all(db).await.unwrap().len(), 1);

        // Attached to a post, the public page offers every width in srcset.
        let pmc_id = m.clinic_id;
        let p = post::Entity::find()
            .filter(post::Column::ClinicId.eq(pmc_id))
            .filter(post::Column::Status.eq(clinicpress::entities::PostStatus::Published))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        let (_, mut form) = clinicpress::posts::editor::load(db, pmc_id, p.id).await.unwrap();
        form.featured_image = format!("/media/{file}");
        form.featured_image_alt = "A knee stretch on a mat".into();
        let actor = clinicpress::audit::Actor { id: None, name: "T".into(), email: "t@pmc.example".into() };
        clinicpress::posts::editor::save(db, pmc_id, p.id, p.version, &form, &actor, false, chrono::Utc::now())
            .await
            .unwrap();
        let page = send(&app, get(&format!("/blog/{}", p.slug), None)).await;
        assert!(page.body.contains(&format!("/media/{}-1600.jpg 1600w", m.stored_name)), "{}", page.body);
        assert!(page.body.contains("alt=\"A knee stretch on a mat\""));
        t
    }));
}

/// A server function called like a form without JavaScript would, but asking for JSON.
#[test]
fn clinic_admins_give_and_take_roles_and_invite_people() {
    common::block_on(each_db(|t| async move {
        let (app, data) = common::demo_app(&t.db).await;
        let db = &t.db;
        user(db, "chief@pmc.example", &["pmc:admin"]).await;
        user(db, "writer@pmc.example", &["pmc:marketer"]).await;
        user(db, "boss@lakeside.example", &["lakeside:admin"]).await;
        let chief = sign_in(&app, "chief@pmc.example").await;
        let writer = sign_in(&app, "writer@pmc.example").await;
        let boss = sign_in(&app, "boss@lakeside.example").await;

        // Only this clinic's people, and only their roles here.
        let a = call(&app, &chief, "/api/admin/list_members", "clinic=pmc").await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let page: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        let emails: Vec<&str> =
            page["members"].as_array().unwrap().iter().map(|m| m["email"].as_str().unwrap()).collect();
        assert!(emails.contains(&"chief@pmc.example") && emails.contains(&"writer@pmc.example"), "{emails:?}");
        assert!(!emails.contains(&"boss@lakeside.example"), "{emails:?}");
        let concord = page["offices"].as_array().unwrap().iter().find(|o| o["name"] == "Concord").unwrap()["id"]
            .as_i64()
            .unwrap();

        // Marketers may not manage people; another clinic's admin does not see this clinic.
        assert_eq!(call(&app, &writer, "/api/admin/list_members", "clinic=pmc").await.status, StatusCode::FORBIDDEN);
        assert_eq!(call(&app, &boss, "/api/admin/list_members", "clinic=pmc").await.status, StatusCode::NOT_FOUND);
        let sneaky = "clinic=pmc&form[email]=boss%40lakeside.example&form[name]=&form[role]=admin&form[location_id]=";
        assert_eq!(call(&app, &writer, "/api/admin/add_member", sneaky).await.status, StatusCode::FORBIDDEN);

        // Bad input: per-field messages.
        for (body, field) in [
            ("clinic=pmc&form[email]=not-an-address&form[name]=X&form[role]=marketer&form[location_id]=", "email"),
            (
                "clinic=pmc&form[email]=new%40pmc.example&form[name]=X&form[role]=staff&form[location_id]=",
                "location_id",
            ),
            (
                "clinic=pmc&form[email]=new%40pmc.example&form[name]=X&form[role]=staff&form[location_id]=999999",
                "location_id",
            ),
            ("clinic=pmc&form[email]=new%40pmc.example&form[name]=X&form[role]=owner&form[location_id]=", "role"),
            ("clinic=pmc&form[email]=new%40pmc.example&form[name]=&form[role]=marketer&form[location_id]=", "name"),
        ] {
            let a = call(&app, &chief, "/api/admin/add_member", body).await;
            assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", a.body);
            assert!(a.body.contains(field), "{body}: {}", a.body);
        }

        // An existing account of another clinic gets a role here; its roles there stay private.
        let a = call(&app, &chief, "/api/admin/add_member", sneaky.replace("admin", "marketer").as_str()).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let again = call(&app, &chief, "/api/admin/add_member", sneaky.replace("admin", "marketer").as_str()).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "the same role twice: {}", again.body);
        // The new role works on the next page, which also gives the session a new id (roles changed).
        let a = send(&app, get("/admin/pmc/posts", Some(&boss))).await;
        assert_eq!(a.status, StatusCode::OK);
        let rotated = a.cookie.expect("a new session id after a role change");
        assert_ne!(rotated, boss);
        let boss = rotated;

        // A new person is invited by mail and can choose a password.
        let body = format!(
            "clinic=pmc&form[email]=desk%40pmc.example&form[name]=Front+Desk&form[role]=staff&form[location_id]={concord}"
        );
        let a = call(&app, &chief, "/api/admin/add_member", &body).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert!(a.body.contains("invitation"), "{}", a.body);
        let mail: Vec<_> = std::fs::read_dir(data.join("mail")).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(mail.len(), 1);
        let text = std::fs::read_to_string(&mail[0]).unwrap().replace("=\r\n", "").replace("=3D", "=");
        assert!(text.contains("Pain Medicine Consultants") && text.contains("desk@pmc.example"), "{text}");
        let start = text.find("/admin/reset/").expect("a link") + "/admin/reset/".len();
        let token: String = text[start..].chars().take_while(|c| c.is_ascii_hexdigit()).collect();
        let a = send(
            &app,
            form_post(
                &format!("/admin/reset/{token}"),
                None,
                "password=front+desk+password&confirm=front+desk+password",
            ),
        )
        .await;
        assert_eq!(a.location, "/admin/login");
        let ok =
            send(&app, form_post("/admin/login", None, "email=desk%40pmc.example&password=front+desk+password")).await;
        assert_eq!(ok.location, "/admin");

        // Taking roles away; the last admin stays.
        let page: serde_json::Value =
            serde_json::from_str(&call(&app, &chief, "/api/admin/list_members", "clinic=pmc").await.body).unwrap();
        let role_of = |email: &str| {
            page["members"].as_array().unwrap().iter().find(|m| m["email"] == email).unwrap()["roles"][0]
                ["membership_id"]
                .as_i64()
                .unwrap()
        };
        let desk_row = page["members"].as_array().unwrap().iter().find(|m| m["email"] == "desk@pmc.example").unwrap();
        assert_eq!(desk_row["roles"][0]["office"], "Concord");
        let a = call(
            &app,
            &chief,
            "/api/admin/remove_role",
            &format!("clinic=pmc&membership_id={}", role_of("boss@lakeside.example")),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let a = send(&app, get("/admin/pmc/posts", Some(&boss))).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "the role is gone: {}", a.location);
        let admins = page["members"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|m| m["roles"].as_array().unwrap().iter())
            .filter(|r| r["role"] == "admin")
            .count();
        if admins == 1 {
            let a = call(
                &app,
                &chief,
                "/api/admin/remove_role",
                &format!("clinic=pmc&membership_id={}", role_of("chief@pmc.example")),
            )
            .await;
            assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
            assert!(a.body.contains("at least one admin"), "{}", a.body);
        }
        // A role of another clinic cannot be removed through this one.
        let lakeside_id =
            clinic::Entity::find().filter(clinic::Column::Slug.eq("lakeside")).one(db).await.unwrap().unwrap().id;
        let theirs = clinicpress::entities::membership::Entity::find()
            .filter(clinicpress::entities::membership::Column::ClinicId.eq(lakeside_id))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        let a = call(&app, &chief, "/api/admin/remove_role", &format!("clinic=pmc&membership_id={}", theirs.id)).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.body);
        assert!(clinicpress::entities::membership::Entity::find_by_id(theirs.id).one(db).await.unwrap().is_some());

        // All of it is in the clinic's audit log.
        let actions: Vec<String> = clinicpress::entities::audit_log::Entity::find()
            .filter(clinicpress::entities::audit_log::Column::Action.starts_with("user.role"))
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|r| format!("{} {}", r.action, r.summary))
            .collect();
        assert!(
            actions.iter().any(|a| a.starts_with("user.role_add invited desk@pmc.example as staff at Concord")),
            "{actions:?}"
        );
        assert!(
            actions.iter().any(|a| a.starts_with("user.role_remove took the role marketer from boss@lakeside.example")),
            "{actions:?}"
        );
        t
    }));
}

#[test]
fn clinic_admins_edit_offices_and_the_default_inbox() {
    use clinicpress::entities::{audit_log, location, search_change};
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        user(db, "chief@pmc.example", &["pmc:admin"]).await;
        user(db, "writer@pmc.example", &["pmc:marketer"]).await;
        let chief = sign_in(&app, "chief@pmc.example").await;
        let writer = sign_in(&app, "writer@pmc.example").await;
        let pmc = clinic::Entity::find().filter(clinic::Column::Slug.eq("pmc")).one(db).await.unwrap().unwrap();
        let concord = location::Entity::find()
            .filter(location::Column::ClinicId.eq(pmc.id))
            .filter(location::Column::Slug.eq("concord"))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        let lakeside_office =
            location::Entity::find().filter(location::Column::ClinicId.ne(pmc.id)).one(db).await.unwrap().unwrap();

        // The list: this clinic's offices only, with their routing data.
        let a = call(&app, &chief, "/api/admin/list_offices", "clinic=pmc").await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let page: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        let names: Vec<&str> =
            page["offices"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
        assert!(names.contains(&"Concord") && !names.contains(&lakeside_office.name.as_str()), "{names:?}");
        assert_eq!(page["default_inbox"], pmc.default_inbox);
        // Marketers may not; the admin page itself renders for the admin.
        assert_eq!(call(&app, &writer, "/api/admin/list_offices", "clinic=pmc").await.status, StatusCode::FORBIDDEN);
        let html = send(&app, get("/admin/pmc/offices", Some(&chief))).await;
        assert_eq!(html.status, StatusCode::OK);
        assert!(html.body.contains("Where requests go") && html.body.contains("Concord"), "offices page");
        let html = send(&app, get(&format!("/admin/pmc/offices/{}", concord.id), Some(&chief))).await;
        assert!(html.body.contains("value=\"Concord\""), "the edit form is filled in");

        // Another clinic's office through this clinic's name: not found, unchanged.
        let body = format!(
            "clinic=pmc&form[id]={}&form[name]=Mine&form[address]=1+Main+St&form[phone]=925-555-0100&form[timezone]=UTC",
            lakeside_office.id
        );
        assert_eq!(call(&app, &chief, "/api/admin/save_office", &body).await.status, StatusCode::NOT_FOUND);
        assert_eq!(location::Entity::find_by_id(lakeside_office.id).one(db).await.unwrap().unwrap(), lakeside_office);

        // Bad input: every field's message at once, nothing saved.
        let bad = "clinic=pmc&form[name]=&form[address]=&form[phone]=call+us&form[timezone]=Mars%2FOlympus\
                   &form[mon]=9-5&form[inbox]=front-desk&form[zip_codes]=%3Cscript%3E&form[latitude]=95";
        let a = call(&app, &chief, "/api/admin/save_office", bad).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
        for field in ["name", "address", "phone", "timezone", "mon", "inbox", "zip_codes", "latitude"] {
            assert!(a.body.contains(&format!("\"{field}\"")), "{field} in {}", a.body);
        }

        // Edit: rename, new hours, inboxes and ZIP codes; the public page follows at once.
        let changes_before = search_change::Entity::find().count(db).await.unwrap();
        let body = format!(
            "clinic=pmc&form[id]={}&form[slug]=ignored&form[name]=Concord+Downtown&form[address]=2100+Willow+Pass+Rd%2C+Concord%2C+CA\
             &form[phone]=%28925%29+555-0177&form[timezone]=America%2FLos_Angeles&form[mon]=07%3A30-16%3A00\
             &form[sat]=09%3A00-12%3A00&form[inbox]=Desk%40pmc.example%0Aback%40pmc.example&form[zip_codes]=94518+94519%2C94520\
             &form[latitude]=37.97&form[longitude]=-122.03",
            concord.id
        );
        let a = call(&app, &chief, "/api/admin/save_office", &body).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let saved = location::Entity::find_by_id(concord.id).one(db).await.unwrap().unwrap();
        assert_eq!((saved.name.as_str(), saved.slug.as_str()), ("Concord Downtown", "concord"), "the slug is kept");
        assert_eq!(saved.inbox, r#"["desk@pmc.example","back@pmc.example"]"#);
        assert_eq!(saved.zip_codes, r#"["94518","94519","94520"]"#);
        assert!(saved.hours.contains("07:30-16:00") && saved.hours.contains("\"sat\""), "{}", saved.hours);
        let public = send(&app, get("/locations/concord", None)).await;
        assert!(public.body.contains("Concord Downtown") && public.body.contains("7:30 AM"), "public page follows");
        assert!(search_change::Entity::find().count(db).await.unwrap() > changes_before, "posts re-indexed on rename");
        let log =
            audit_log::Entity::find().filter(audit_log::Column::Action.eq("office.update")).one(db).await.unwrap();
        let log = log.expect("audit row");
        assert_eq!(log.user_email, "chief@pmc.example");
        assert!(log.summary.contains("name") && log.summary.contains("hours"), "{}", log.summary);

        // Add an office: it gets an address from its name and a public page.
        let body = "clinic=pmc&form[id]=&form[slug]=&form[name]=Martinez&form[address]=1200+Oak+St\
                    &form[phone]=925-555-0199&form[timezone]=America%2FLos_Angeles&form[tue]=08%3A00-17%3A00";
        let a = call(&app, &chief, "/api/admin/save_office", body).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let answer: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        let id = answer["id"].as_i64().expect("the new office's id") as i32;
        let added = location::Entity::find_by_id(id).one(db).await.unwrap().unwrap();
        assert_eq!((added.clinic_id, added.slug.as_str()), (pmc.id, "martinez"));
        assert_eq!(send(&app, get("/locations/martinez", None)).await.status, StatusCode::OK);
        // The same address twice is refused.
        let a = call(&app, &chief, "/api/admin/save_office", body).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(a.body.contains("slug"), "{}", a.body);

        // The default inbox.
        let a = call(&app, &chief, "/api/admin/save_default_inbox", "clinic=pmc&email=nope").await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        let a = call(&app, &chief, "/api/admin/save_default_inbox", "clinic=pmc&email=Requests%40pmc.example").await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let now = clinic::Entity::find_by_id(pmc.id).one(db).await.unwrap().unwrap();
        assert_eq!(now.default_inbox, "requests@pmc.example");
        assert_eq!(
            audit_log::Entity::find()
                .filter(audit_log::Column::Action.eq("clinic.default_inbox"))
                .count(db)
                .await
                .unwrap(),
            1
        );
        t
    }));
}

/// A request sent through the JSON API (no form token needed there); its reference.
async fn api_lead(app: &Router, email: &str) -> String {
    let body = serde_json::json!({
        "kind": "contact", "name": "Ann Example", "email": email, "contact_method": "email",
        "message": "Do you see patients on Saturdays?", "consent": true,
    });
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/leads")
        .header("host", PMC)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let a = send(app, req).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    serde_json::from_str::<serde_json::Value>(&a.body).unwrap()["reference"].as_str().unwrap().to_string()
}

#[test]
fn clinic_admins_edit_the_request_settings() {
    use clinicpress::entities::{audit_log, lead};
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        user(db, "chief@pmc.example", &["pmc:admin"]).await;
        user(db, "writer@pmc.example", &["pmc:marketer"]).await;
        user(db, "desk@pmc.example", &["pmc:staff:concord"]).await;
        user(db, "boss@lakeside.example", &["lakeside:admin"]).await;
        let chief = sign_in(&app, "chief@pmc.example").await;
        let writer = sign_in(&app, "writer@pmc.example").await;
        let desk = sign_in(&app, "desk@pmc.example").await;
        let boss = sign_in(&app, "boss@lakeside.example").await;
        let pmc = clinic::Entity::find().filter(clinic::Column::Slug.eq("pmc")).one(db).await.unwrap().unwrap();
        let pmc_id = pmc.id;
        let settings = move || async move { clinicpress::leads::store::settings(db, pmc_id).await.unwrap() };
        let before = settings().await;
        const PAGE: &str = "/admin/pmc/lead-settings";

        // The page: the stored values and the consent version; no secret; linked from the admin bar.
        let html = send(&app, get(PAGE, Some(&chief))).await;
        assert_eq!(html.status, StatusCode::OK);
        assert!(html.body.contains("<h1>Request settings</h1>"), "{}", html.body);
        assert!(html.body.contains(&before.consent_version) && html.body.contains("No secret is set."));
        assert!(html.body.contains("href=\"/admin/pmc/lead-settings\""), "the admin bar links it");
        let bar = send(&app, get("/admin/pmc/leads", Some(&desk))).await;
        assert!(!bar.body.contains("/lead-settings"), "not offered to staff");

        // Staff, marketers and another clinic's admin: denied, nothing read or changed.
        let hijack = "consent_text=Hijacked&response_target_hours=4&webhook_url=https%3A%2F%2Fevil.example%2Fhook\
                      &webhook_secret=a+long+enough+secret&cors_origins=https%3A%2F%2Fevil.example";
        for (who, cookie, want) in [
            ("pmc staff", &desk, StatusCode::FORBIDDEN),
            ("pmc marketer", &writer, StatusCode::FORBIDDEN),
            ("lakeside admin", &boss, StatusCode::NOT_FOUND),
        ] {
            let a = send(&app, form_post(PAGE, Some(cookie), hijack)).await;
            assert_eq!(a.status, want, "{who} saves");
            assert!(!a.body.contains(&before.consent_text), "{who} sees nothing");
            let a = send(&app, get(PAGE, Some(cookie))).await;
            assert_eq!(a.status, want, "{who} opens the page");
            assert!(!a.body.contains(&before.consent_text), "{who} sees nothing");
        }
        let a = send(&app, form_post(PAGE, None, hijack)).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER);
        assert!(a.location.starts_with("/admin/login"), "{}", a.location);
        assert_eq!(settings().await, before);
        assert_eq!(
            audit_log::Entity::find().filter(audit_log::Column::Action.eq("lead.settings")).count(db).await.unwrap(),
            0
        );

        // Bad input: the page again (422) with a message at each field, what was typed, never the secret.
        let bad = "consent_text=+%0D%0A+&disclaimer=Only+non-medical+questions&response_target_hours=soon\
                   &retention_days=0&webhook_url=http%3A%2F%2Fcrm.example%2Fhook&webhook_secret=short+secret\
                   &cors_origins=https%3A%2F%2Fwww.pmc.example%2Fcontact";
        let a = send(&app, form_post(PAGE, Some(&chief), bad)).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
        assert!(a.body.contains("The settings were not saved"));
        for (field, message) in [
            ("consent_text", "Write the consent text"),
            ("response_target_hours", "business hours like 4"),
            ("retention_days", "whole number of days"),
            ("webhook_url", "it must use https"),
            ("webhook_secret", "at least 16 characters"),
            ("cors_origins", "is not an origin"),
        ] {
            let at = a.body.find(&format!("id=\"ls-{field}-error\"")).unwrap_or_else(|| panic!("{field}"));
            assert!(a.body[at..at + 300].contains(message), "{field}: {}", &a.body[at..at + 300]);
            assert!(a.body.contains(&format!("href=\"#ls-{field}\"")), "{field} in the summary");
        }
        assert!(a.body.contains("value=\"soon\"") && a.body.contains("value=\"http://crm.example/hook\""));
        assert!(a.body.contains("Only non-medical questions") && a.body.contains("https://www.pmc.example/contact"));
        assert!(!a.body.contains("short secret"), "the secret is never sent back");
        assert!(a.body.contains("The secret you typed was not saved"));
        assert!(a.body.contains("aria-invalid=\"true\""));
        // http to the server's own machine is refused too (serve --local-webhooks is off).
        let local = "consent_text=We+may+contact+you&response_target_hours=4&retention_days=&webhook_url=http%3A%2F%2F127.0.0.1%3A6379%2F\
                     &webhook_secret=a+long+enough+secret&cors_origins=";
        let a = send(&app, form_post(PAGE, Some(&chief), local)).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
        let at = a.body.find("id=\"ls-webhook_url-error\"").unwrap();
        assert!(a.body[at..at + 300].contains("does not allow"), "{}", &a.body[at..at + 300]);
        assert_eq!(settings().await, before, "nothing saved");

        // A request sent before the consent text changes keeps its version.
        let earlier = api_lead(&app, "early@example.com").await;

        // Saved: a new consent version, the other fields, the note on the public form.
        let good = "consent_text=I+agree+that+PMC+keeps+my+request+to+answer+it.&disclaimer=Non-medical+questions+only.\
                    &response_target_hours=1.5&retention_days=400&webhook_url=https%3A%2F%2Fcrm.pmc.example%2Fhook%3Fkey%3Dk1\
                    &webhook_secret=+a+webhook+secret+for+pmc+\
                    &cors_origins=https%3A%2F%2Fwww.PMC.example%2F%0D%0Ahttps%3A%2F%2Fpartner.example";
        let a = send(&app, form_post(PAGE, Some(&chief), good)).await;
        assert_eq!((a.status, a.location.as_str()), (StatusCode::SEE_OTHER, "/admin/pmc/lead-settings?saved=consent"));
        let s = settings().await;
        let today = chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string();
        assert_eq!(s.consent_text, "I agree that PMC keeps my request to answer it.");
        assert!(
            s.consent_version.starts_with(&today) && s.consent_version != before.consent_version,
            "{}",
            s.consent_version
        );
        assert_eq!((s.response_target_minutes, s.retention_days), (90, Some(400)));
        assert_eq!(s.webhook_url.as_deref(), Some("https://crm.pmc.example/hook?key=k1"));
        assert_eq!(s.webhook_secret.as_deref(), Some("a webhook secret for pmc"));
        assert_eq!(s.cors_origins, r#"["https://www.pmc.example","https://partner.example"]"#);
        assert_eq!(s.form_secret, before.form_secret, "the form tokens' key is not touched");
        let disclaimer = clinic::Entity::find_by_id(pmc.id).one(db).await.unwrap().unwrap().disclaimer;
        assert_eq!(disclaimer.as_deref(), Some("Non-medical questions only."));
        let later = api_lead(&app, "later@example.com").await;
        let version_of = move |reference: String| async move {
            lead::Entity::find().filter(lead::Column::Reference.eq(reference)).one(db).await.unwrap().unwrap()
        };
        let (e, l) = (version_of(earlier).await, version_of(later).await);
        assert_eq!((e.consent_version, e.consent_text), (before.consent_version.clone(), before.consent_text.clone()));
        assert_eq!((l.consent_version, l.consent_text), (s.consent_version.clone(), s.consent_text.clone()));
        let html = send(&app, get("/admin/pmc/lead-settings?saved=consent", Some(&chief))).await;
        assert!(html.body.contains(&format!("now version {}", s.consent_version)), "{}", html.body);
        assert!(html.body.contains("A secret is set.") && !html.body.contains("a webhook secret for pmc"));
        assert!(html.body.contains("value=\"1.5\"") && html.body.contains("https://partner.example"));
        let public = send(&app, get("/contact", None)).await;
        assert!(public.body.contains("I agree that PMC keeps my request to answer it."));
        assert!(public.body.contains("Non-medical questions only."));

        // The same text again (other line endings and spaces): no new version; an empty secret keeps the stored one.
        let same = "consent_text=+I+agree+that+PMC+keeps+my+request+to+answer+it.%0D%0A&disclaimer=\
                    &response_target_hours=1.5&retention_days=&webhook_url=https%3A%2F%2Fcrm.pmc.example%2Fhook%3Fkey%3Dk1\
                    &webhook_secret=&cors_origins=";
        let a = send(&app, form_post(PAGE, Some(&chief), same)).await;
        assert_eq!((a.status, a.location.as_str()), (StatusCode::SEE_OTHER, "/admin/pmc/lead-settings?saved=1"));
        let s2 = settings().await;
        assert_eq!((&s2.consent_version, &s2.consent_text), (&s.consent_version, &s.consent_text));
        assert_eq!((s2.webhook_secret.as_deref(), s2.retention_days), (Some("a webhook secret for pmc"), None));
        assert_eq!(s2.cors_origins, "[]");
        assert_eq!(clinic::Entity::find_by_id(pmc.id).one(db).await.unwrap().unwrap().disclaimer, None);
        // A webhook may not lose its secret.
        let a = send(&app, form_post(PAGE, Some(&chief), &format!("{same}&forget_secret=on"))).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(a.body.contains("A webhook needs a secret"), "{}", a.body);
        assert_eq!(settings().await, s2);
        // A second change the same day gets its own version.
        let a = send(&app, form_post(PAGE, Some(&chief), &same.replace("answer+it.", "answer+it+soon."))).await;
        assert_eq!(a.location, "/admin/pmc/lead-settings?saved=consent");
        let s3 = settings().await;
        assert!(s3.consent_version != s2.consent_version && s3.consent_version.starts_with(&today));

        // Each save is in the clinic's audit log, without the secret or the webhook's address.
        let lines: Vec<audit_log::Model> = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("lead.settings"))
            .order_by_asc(audit_log::Column::Id)
            .all(db)
            .await
            .unwrap();
        assert_eq!(lines.len(), 3);
        assert!(lines.iter().all(|l| l.clinic_id == Some(pmc.id) && l.user_email == "chief@pmc.example"));
        assert!(lines[0].summary.contains("consent text") && lines[0].summary.contains("webhook secret (set)"));
        assert!(
            lines[1].summary.contains("retention") && !lines[1].summary.contains("consent"),
            "{}",
            lines[1].summary
        );
        for l in &lines {
            assert!(!l.summary.contains("a webhook secret for pmc") && !l.summary.contains("k1"), "{}", l.summary);
        }
        t
    }));
}

/// A form posted by a browser without JavaScript, straight to a server function.
fn browser_post(path: &str, cookie: &str, from_page: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(path)
        .header("host", PMC)
        .header("origin", ORIGIN)
        .header("sec-fetch-site", "same-origin")
        .header("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
        .header("referer", format!("{ORIGIN}{from_page}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", cookie)
        .body(Body::from(body.to_string()))
        .unwrap()
}

#[test]
fn admin_forms_without_javascript_keep_what_was_typed() {
    use clinicpress::entities::{app_user, location};
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        user(db, "chief@pmc.example", &["pmc:admin"]).await;
        let chief = sign_in(&app, "chief@pmc.example").await;
        let pmc = clinic::Entity::find().filter(clinic::Column::Slug.eq("pmc")).one(db).await.unwrap().unwrap();
        let concord = location::Entity::find()
            .filter(location::Column::ClinicId.eq(pmc.id))
            .filter(location::Column::Slug.eq("concord"))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        let users_before = app_user::Entity::find().count(db).await.unwrap();

        // People: a refused invitation shows the page again, 422, with every typed value.
        let refused = send(
            &app,
            browser_post(
                "/api/admin/add_member",
                &chief,
                "/admin/pmc/people",
                &format!(
                    "clinic=pmc&form%5Bemail%5D=ana.typed%40&form%5Bname%5D=Ana+Typed&form%5Brole%5D=staff&form%5Blocation_id%5D={}",
                    concord.id
                ),
            ),
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
        assert!(refused.body.contains("<h1>People</h1>"), "the people page again: {}", refused.body);
        assert!(
            refused.body.contains("value=\"ana.typed@\"") && refused.body.contains("value=\"Ana Typed\""),
            "typed text kept"
        );
        assert!(refused.body.contains("<option value=\"staff\" selected"), "the role picked stays picked");
        assert!(
            refused.body.contains(&format!("<option value=\"{}\" selected", concord.id)),
            "the office picked stays picked"
        );
        assert!(refused.body.contains("aria-invalid=\"true\""), "the field is marked");
        assert_eq!(app_user::Entity::find().count(db).await.unwrap(), users_before, "nothing saved");

        // Arguments that cannot be read (the clinic is missing): refused too, not "saved".
        let unreadable = send(
            &app,
            browser_post(
                "/api/admin/add_member",
                &chief,
                "/admin/pmc/people",
                "form%5Bemail%5D=ana%40pmc.example&form%5Bname%5D=Ana+Typed&form%5Brole%5D=marketer",
            ),
        )
        .await;
        assert_eq!(unreadable.status, StatusCode::BAD_REQUEST, "{}", unreadable.body);
        assert!(unreadable.body.contains("<h1>People</h1>") && unreadable.body.contains("value=\"Ana Typed\""));
        assert_eq!(app_user::Entity::find().count(db).await.unwrap(), users_before, "nothing saved");

        // Done (sent again from the refused page, whose address is the server
        // function's): post/redirect/get to the people page, and the answer shows once there.
        let done = send(
            &app,
            browser_post(
                "/api/admin/add_member",
                &chief,
                "/api/admin/add_member",
                "clinic=pmc&form%5Bemail%5D=new.writer%40pmc.example&form%5Bname%5D=New+Writer&form%5Brole%5D=marketer&form%5Blocation_id%5D=",
            ),
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert_eq!(done.location, "/admin/pmc/people");
        let page = send(&app, get("/admin/pmc/people", Some(&chief))).await;
        assert!(
            page.body.contains("class=\"notice\"") && page.body.contains("new.writer@pmc.example"),
            "{}",
            page.body
        );
        let again = send(&app, get("/admin/pmc/people", Some(&chief))).await;
        assert!(!again.body.contains("class=\"notice\""), "shown once");

        // Offices: a refused edit keeps the name, address and hours as typed; nothing changes.
        let office_page = format!("/admin/pmc/offices/{}", concord.id);
        let refused = send(
            &app,
            browser_post(
                "/api/admin/save_office",
                &chief,
                &office_page,
                &format!(
                    "clinic=pmc&form%5Bid%5D={}&form%5Bname%5D=Concord+Typed&form%5Baddress%5D=12+Typed+Street%0D%0AConcord&form%5Bphone%5D=%28925%29+555-0101\
                     &form%5Btimezone%5D=America%2FLos_Angeles&form%5Bmon%5D=25%3A00-26%3A00&form%5Btue%5D=&form%5Bwed%5D=&form%5Bthu%5D=\
                     &form%5Bfri%5D=&form%5Bsat%5D=&form%5Bsun%5D=&form%5Binbox%5D=&form%5Bzip_codes%5D=94520&form%5Blatitude%5D=&form%5Blongitude%5D=",
                    concord.id
                ),
            ),
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
        assert!(refused.body.contains("The office was not saved"), "the summary");
        assert!(refused.body.contains("value=\"Concord Typed\"") && refused.body.contains("value=\"25:00-26:00\""));
        assert!(refused.body.contains("12 Typed Street"), "the address as typed");
        let stored = location::Entity::find_by_id(concord.id).one(db).await.unwrap().unwrap();
        assert_eq!(stored.name, concord.name, "nothing saved");

        // Calls from the hydrated page (JSON) are answered as before.
        let js = call(&app, &chief, "/api/admin/save_default_inbox", "clinic=pmc&email=nope").await;
        assert_eq!(js.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!js.body.contains("<html"), "a JSON error for the hydrated page");
        t
    }));
}

#[test]
fn the_network_owner_adds_changes_archives_and_restores_clinics() {
    use clinicpress::entities::{audit_log, clinic_host};
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        users::create(db, "owner@network.example", "Olive Owner", Some(PASSWORD), &[], true).await.unwrap();
        user(db, "chief@pmc.example", &["pmc:admin"]).await;
        user(db, "writer@pmc.example", &["pmc:marketer"]).await;
        let owner = sign_in(&app, "owner@network.example").await;
        let clinics_before = clinic::Entity::find().count(db).await.unwrap();
        let clinic_form = |id: &str, slug: &str, name: &str, hosts: &str, inbox: &str| {
            format!(
                "form%5Bid%5D={}&form%5Bslug%5D={}&form%5Bname%5D={}&form%5Bhosts%5D={}&form%5Bdefault_inbox%5D={}",
                enc(id),
                enc(slug),
                enc(name),
                enc(hosts),
                enc(inbox)
            )
        };
        let good =
            |slug: &str, hosts: &str| clinic_form("", slug, "Riverside Pain Care", hosts, "front@riverside.example");
        let post = |path: &'static str, cookie: &str, body: String| {
            let mut r = form_post(path, Some(cookie), &body);
            r.headers_mut().insert("accept", "application/json".parse().unwrap());
            r
        };

        // Nobody but the owner: 403 for each action, whatever clinic is named; nothing changes.
        for who in ["chief@pmc.example", "writer@pmc.example"] {
            let c = sign_in(&app, who).await;
            let a = send(&app, post("/api/admin/get_network", &c, String::new())).await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{who}: {}", a.body);
            let a = send(&app, post("/api/admin/save_clinic", &c, good("sneaky", ""))).await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{who}");
            for slug in ["pmc", "lakeside", "nowhere"] {
                let body = format!("slug={slug}&archived=true");
                let a = send(&app, post("/api/admin/archive_clinic", &c, body)).await;
                assert_eq!(a.status, StatusCode::FORBIDDEN, "{who} archiving {slug}");
            }
            let page = send(&app, get("/admin/network", Some(&c))).await;
            assert!(!page.body.contains("Add a clinic"), "{who} sees no clinic form");
        }
        assert_eq!(clinic::Entity::find().count(db).await.unwrap(), clinics_before);

        // The owner's page lists every clinic.
        let page = send(&app, get("/admin/network", Some(&owner))).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Add a clinic") && page.body.contains("Pain Medicine Consultants"));

        // Mistakes: every one named at its field; a host name of another clinic is refused with its name.
        let bad = clinic_form("", "Not A Slug", " ", "bad host!", "front@");
        let a = send(&app, post("/api/admin/save_clinic", &owner, bad)).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
        for field in ["slug", "name", "hosts", "default_inbox"] {
            assert!(a.body.contains(&format!("\"{field}\"")), "{field}: {}", a.body);
        }
        let a = send(&app, post("/api/admin/save_clinic", &owner, good("riverside", "www.pmc.example"))).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(a.body.contains("www.pmc.example belongs to Pain Medicine Consultants"), "{}", a.body);
        let a = send(&app, post("/api/admin/save_clinic", &owner, good("pmc", ""))).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(a.body.contains("Another clinic already uses"), "{}", a.body);
        assert_eq!(clinic::Entity::find().count(db).await.unwrap(), clinics_before, "nothing half-saved");

        // Added: it answers on its host name at once, with the audit line.
        let a = send(&app, post("/api/admin/save_clinic", &owner, good("riverside", "www.riverside.example"))).await;
        assert_eq!((a.status, a.body.as_str()), (StatusCode::OK, r#"{"slug":"riverside","created":true}"#));
        let riverside =
            clinic::Entity::find().filter(clinic::Column::Slug.eq("riverside")).one(db).await.unwrap().unwrap();
        let on = |host: &'static str| Request::builder().uri("/").header("host", host).body(Body::empty()).unwrap();
        let home = send(&app, on("www.riverside.example")).await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.body.contains("Riverside Pain Care"));
        let logged = |action: &'static str| {
            audit_log::Entity::find()
                .filter(audit_log::Column::ClinicId.eq(riverside.id))
                .filter(audit_log::Column::Action.eq(action))
                .count(db)
        };
        assert_eq!(logged("clinic.create").await.unwrap(), 1);

        // Changed: new name and host names; the old host no longer leads here.
        let change = clinic_form(
            &riverside.id.to_string(),
            "ignored",
            "Riverside Spine & Pain",
            "riverside.example\nwww.riverside-spine.example",
            "desk@riverside.example",
        );
        let a = send(&app, post("/api/admin/save_clinic", &owner, change)).await;
        assert_eq!(
            (a.status, a.body.as_str()),
            (StatusCode::OK, r#"{"slug":"riverside","created":false}"#),
            "the slug stays"
        );
        let hosts: Vec<String> = clinic_host::Entity::find()
            .filter(clinic_host::Column::ClinicId.eq(riverside.id))
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|h| h.host)
            .collect();
        assert_eq!(hosts, ["riverside.example", "www.riverside-spine.example"]);
        assert_eq!(send(&app, on("www.riverside.example")).await.status, StatusCode::NOT_FOUND);
        assert!(send(&app, on("riverside.example")).await.body.contains("Riverside Spine &amp; Pain"));
        assert_eq!(logged("clinic.update").await.unwrap(), 1);

        // Archived: 410 Gone on its hosts, gone from the network's list, its data kept; restored: back.
        let archive = |to: &str| format!("slug=riverside&archived={to}");
        let a = send(&app, post("/api/admin/archive_clinic", &owner, archive("true"))).await;
        assert_eq!(
            (a.status, a.body.as_str()),
            (StatusCode::OK, r#"{"name":"Riverside Spine & Pain","archived":true}"#)
        );
        let gone = send(&app, on("riverside.example")).await;
        assert_eq!(gone.status, StatusCode::GONE);
        assert!(gone.body.contains("Riverside Spine &amp; Pain is no longer online"), "{}", gone.body);
        assert_eq!(send(&app, on("riverside.localhost:3000")).await.status, StatusCode::GONE);
        let network = send(&app, on("localhost:3000")).await;
        assert!(network.body.contains("Pain Medicine Consultants") && !network.body.contains("Riverside"));
        assert!(clinic::Entity::find_by_id(riverside.id).one(db).await.unwrap().unwrap().archived_at.is_some());
        let page = send(&app, get("/admin/network", Some(&owner))).await;
        assert!(page.body.contains("Archived") && page.body.contains("Restore Riverside Spine &amp; Pain"));
        let a = send(&app, post("/api/admin/archive_clinic", &owner, archive("true"))).await;
        assert_eq!(a.status, StatusCode::OK, "archiving twice changes nothing");
        let a = send(&app, post("/api/admin/archive_clinic", &owner, archive("maybe"))).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "neither archive nor restore: {}", a.body);
        // Its own admins are locked out of its admin area while it is archived (410); the owner is not.
        user(db, "keeper@riverside.example", &["riverside:admin"]).await;
        let keeper = sign_in(&app, "keeper@riverside.example").await;
        let locked = send(&app, post("/api/admin/list_offices", &keeper, "clinic=riverside".into())).await;
        assert_eq!(locked.status, StatusCode::GONE, "{}", locked.body);
        let open = send(&app, post("/api/admin/list_offices", &owner, "clinic=riverside".into())).await;
        assert_eq!(open.status, StatusCode::OK, "{}", open.body);
        assert_eq!(logged("clinic.archive").await.unwrap(), 1);
        let a = send(&app, post("/api/admin/archive_clinic", &owner, archive("false"))).await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(send(&app, on("riverside.example")).await.status, StatusCode::OK);
        assert_eq!(logged("clinic.restore").await.unwrap(), 1);

        // Without JavaScript: a refused form comes back, 422, with what was typed.
        let refused = send(
            &app,
            browser_post(
                "/api/admin/save_clinic",
                &owner,
                "/admin/network",
                "form%5Bid%5D=&form%5Bslug%5D=harbor&form%5Bname%5D=Harbor+Typed+Clinic&form%5Bhosts%5D=www.pmc.example\
                 &form%5Bdefault_inbox%5D=desk%40harbor.example",
            ),
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
        assert!(refused.body.contains("value=\"Harbor Typed Clinic\"") && refused.body.contains("value=\"harbor\""));
        assert!(refused.body.contains("belongs to Pain Medicine Consultants"));
        t
    }));
}

#[test]
fn offices_get_holiday_closures_a_preview_a_test_mail_routing_checks_and_archiving() {
    use clinicpress::entities::{audit_log, location, outbox};
    common::block_on(each_db(|t| async move {
        let (app, data) = common::demo_app(&t.db).await;
        let db = &t.db;
        user(db, "chief@pmc.example", &["pmc:admin"]).await;
        user(db, "writer@pmc.example", &["pmc:marketer"]).await;
        user(db, "boss@lakeside.example", &["lakeside:admin"]).await;
        let chief = sign_in(&app, "chief@pmc.example").await;
        let writer = sign_in(&app, "writer@pmc.example").await;
        let boss = sign_in(&app, "boss@lakeside.example").await;
        let pmc = clinic::Entity::find().filter(clinic::Column::Slug.eq("pmc")).one(db).await.unwrap().unwrap();
        let office = |slug: &'static str| {
            let db = db.clone();
            async move {
                location::Entity::find()
                    .filter(location::Column::ClinicId.eq(pmc.id))
                    .filter(location::Column::Slug.eq(slug))
                    .one(&db)
                    .await
                    .unwrap()
                    .unwrap()
            }
        };
        let concord = office("concord").await;
        let form = |extra: &str| {
            format!(
                "clinic=pmc&form[id]={}&form[name]=Concord&form[address]=2100+Willow+Pass+Rd&form[phone]=925-555-0177\
                 &form[timezone]=America%2FLos_Angeles&form[mon]=08%3A00-12%3A00%2C+13%3A00-17%3A00&form[tue]=08%3A00-17%3A00\
                 &form[inbox]=desk%40pmc.example&form[zip_codes]=94518{extra}",
                concord.id
            )
        };

        // Bad closures: the line and the problem, nothing saved.
        let bad = form("&form[closures]=2026-12-25+Christmas%0A12%2F31%2F2026+New+Year%0A2027-01-05+to+2027-01-02");
        let a = call(&app, &chief, "/api/admin/save_office", &bad).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
        assert!(a.body.contains("closures") && a.body.contains("Line 2") && a.body.contains("Line 3"), "{}", a.body);
        assert_eq!(office("concord").await.closures, concord.closures, "nothing saved");

        // A preview: the card as visitors would see it, nothing saved.
        let typed = form("&form[closures]=2026-12-24+to+2026-12-25+Christmas&intent=preview");
        let a = call(&app, &chief, "/api/admin/save_office", &typed).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let p: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        assert!(p["id"].is_null(), "{p}");
        assert_eq!(p["preview"]["card"]["name"], "Concord");
        assert_eq!(p["preview"]["week"][0][1], "8:00 AM – 12:00 PM, 1:00 PM – 5:00 PM", "{p}");
        assert!(
            p["preview"]["card"]["status_text"].as_str().unwrap().contains("now")
                || p["preview"]["card"]["status_text"].as_str().unwrap().starts_with("Closed"),
            "{p}"
        );
        assert_eq!(p["preview"]["form"]["closures"], "2026-12-24 to 2026-12-25 Christmas");
        assert_eq!(office("concord").await, concord, "a preview saves nothing");
        // Without JavaScript the preview comes back on the page, with what was typed.
        let mut r = form_post("/api/admin/save_office", Some(&chief), &typed);
        r.headers_mut().insert("accept", "text/html".parse().unwrap());
        r.headers_mut().insert("referer", format!("{ORIGIN}/admin/pmc/offices/{}", concord.id).parse().unwrap());
        let a = send(&app, r).await;
        assert!(a.status.is_redirection(), "{} {}", a.status, a.body);
        let page = send(&app, get(&format!("/admin/pmc/offices/{}", concord.id), Some(&chief))).await;
        assert!(page.body.contains("Preview — as visitors see it now"), "preview shown");
        assert!(page.body.contains("2026-12-24 to 2026-12-25 Christmas"), "the typed closures are kept");

        // Save the closures: audit-logged, on the public page, and they stop the clock.
        let a =
            call(&app, &chief, "/api/admin/save_office", &form("&form[closures]=2030-12-24+to+2030-12-25+Christmas"))
                .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let saved = office("concord").await;
        assert!(saved.closures.contains("2030-12-24") && saved.closures.contains("Christmas"), "{}", saved.closures);
        let public = send(&app, get("/locations/concord", None)).await;
        assert!(
            public.body.contains("Holiday closures")
                && public.body.contains("Tue 24 Dec 2030 – Wed 25 Dec 2030: Christmas"),
            "public closures"
        );
        let log = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("office.update"))
            .order_by_desc(audit_log::Column::Id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert!(log.summary.contains("holiday closures"), "{}", log.summary);

        // The test e-mail goes through the outbox and the mailer to the saved inbox.
        let a = call(&app, &chief, "/api/admin/send_office_test", &format!("clinic=pmc&office={}", concord.id)).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert!(a.body.contains("desk@pmc.example"), "{}", a.body);
        let row =
            outbox::Entity::find().filter(outbox::Column::Purpose.eq("office_test")).one(db).await.unwrap().unwrap();
        assert_eq!((row.target.as_str(), row.lead_id), ("desk@pmc.example", None));
        let settings = clinicpress::config::WebSettings::for_data_dir(&data);
        clinicpress::leads::outbox::Outbox::new(db.clone(), settings.mailer.clone())
            .run_once(chrono::Utc::now())
            .await
            .unwrap();
        let row = outbox::Entity::find_by_id(row.id).one(db).await.unwrap().unwrap();
        assert_eq!(row.state, "sent", "{:?}", row.last_error);
        let mails: Vec<String> = std::fs::read_dir(data.join("mail"))
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        assert!(mails.iter().any(|m| m.contains("desk@pmc.example") && m.contains("Test: notices for")), "{mails:?}");

        // The routing tester answers as the live form routes.
        let ask = |q: &str| format!("clinic=pmc&{q}");
        let a = call(
            &app,
            &chief,
            "/api/admin/try_routing",
            &ask("question[office]=concord&question[page]=%2Fcontact&question[zip]="),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let r: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        assert_eq!(
            (r["destination"].as_str(), r["rule"].as_str()),
            (Some("Concord"), Some("the office the visitor chose"))
        );
        assert_eq!(r["inbox"], serde_json::json!(["desk@pmc.example"]));
        let a = call(
            &app,
            &chief,
            "/api/admin/try_routing",
            &ask("question[office]=&question[page]=https%3A%2F%2Fwww.pmc.example%2Flocations%2Fconcord&question[zip]="),
        )
        .await;
        let r: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        assert_eq!(r["rule"], "the office of the page the form was on", "{r}");
        let a = call(
            &app,
            &chief,
            "/api/admin/try_routing",
            &ask("question[office]=&question[page]=%2Fcontact&question[zip]=94518"),
        )
        .await;
        let r: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        assert_eq!(
            (r["destination"].as_str(), r["rule"].as_str()),
            (Some("Concord"), Some("the visitor\u{2019}s ZIP code")),
            "{r}"
        );
        let a = call(
            &app,
            &chief,
            "/api/admin/try_routing",
            &ask("question[office]=&question[page]=%2Fcontact&question[zip]=10001"),
        )
        .await;
        let r: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        assert_eq!(r["destination"], "the clinic\u{2019}s default inbox", "{r}");
        assert_eq!(r["inbox"], serde_json::json!([pmc.default_inbox]));
        // Bad questions: a message per field.
        let a = call(
            &app,
            &chief,
            "/api/admin/try_routing",
            &ask("question[office]=nowhere&question[page]=%2Fblog&question[zip]=%3Cx%3E"),
        )
        .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
        for field in ["office", "page", "zip"] {
            assert!(a.body.contains(&format!("\"{field}\"")), "{field}: {}", a.body);
        }

        // Archive: gone from the public site, the form's choices and routing; restore brings it back.
        let a =
            call(&app, &chief, "/api/admin/archive_office", &format!("clinic=pmc&office={}&archived=true", concord.id))
                .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert!(office("concord").await.archived_at.is_some());
        assert_eq!(send(&app, get("/locations/concord", None)).await.status, StatusCode::NOT_FOUND);
        let list = send(&app, get("/locations", None)).await;
        assert!(!list.body.contains("/locations/concord\""), "not listed");
        let contact = send(&app, get("/contact", None)).await;
        assert!(!contact.body.contains("value=\"concord\""), "not a choice in the form");
        let a = call(
            &app,
            &chief,
            "/api/admin/try_routing",
            &ask("question[office]=&question[page]=%2Fcontact&question[zip]=94518"),
        )
        .await;
        let r: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        assert_ne!(r["destination"], "Concord", "archived offices take no requests: {r}");
        let a = call(
            &app,
            &chief,
            "/api/admin/try_routing",
            &ask("question[office]=concord&question[page]=&question[zip]="),
        )
        .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "choosing an archived office is refused");
        let admin_list = call(&app, &chief, "/api/admin/list_offices", "clinic=pmc").await;
        assert!(admin_list.body.contains("\"archived\":true"), "the admin still sees it");
        let a = call(
            &app,
            &chief,
            "/api/admin/archive_office",
            &format!("clinic=pmc&office={}&archived=false", concord.id),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert_eq!(send(&app, get("/locations/concord", None)).await.status, StatusCode::OK);
        let actions: Vec<String> = audit_log::Entity::find()
            .filter(audit_log::Column::TargetId.eq(concord.id))
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.action)
            .collect();
        for action in ["office.test_mail", "office.archive", "office.restore"] {
            assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
        }

        // Denied to a marketer and to another clinic's admin, who change nothing.
        let before = office("concord").await;
        for (who, cookie) in [("marketer", &writer), ("lakeside admin", &boss)] {
            for (path, body) in [
                ("/api/admin/save_office", typed.clone()),
                ("/api/admin/archive_office", format!("clinic=pmc&office={}&archived=true", concord.id)),
                ("/api/admin/send_office_test", format!("clinic=pmc&office={}", concord.id)),
                ("/api/admin/try_routing", ask("question[office]=concord")),
            ] {
                let a = call(&app, cookie, path, &body).await;
                assert!(
                    matches!(a.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                    "{who} {path}: {}",
                    a.status
                );
            }
        }
        // Another clinic's office through this clinic: not found.
        let lakeside_office =
            location::Entity::find().filter(location::Column::ClinicId.ne(pmc.id)).one(db).await.unwrap().unwrap();
        let a = call(
            &app,
            &chief,
            "/api/admin/archive_office",
            &format!("clinic=pmc&office={}&archived=true", lakeside_office.id),
        )
        .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        assert_eq!(office("concord").await, before);
        assert_eq!(
            outbox::Entity::find().filter(outbox::Column::Purpose.eq("office_test")).count(db).await.unwrap(),
            1
        );
        t
    }));
}

#[test]
fn clinic_admins_see_sessions_and_disable_reset_sign_out_or_reinvite_people() {
    use clinicpress::entities::{app_user, audit_log};
    common::block_on(each_db(|t| async move {
        let (app, data) = common::demo_app(&t.db).await;
        let db = &t.db;
        user(db, "chief@pmc.example", &["pmc:admin"]).await;
        user(db, "deputy@pmc.example", &["pmc:admin"]).await;
        user(db, "writer@pmc.example", &["pmc:marketer"]).await;
        user(db, "both@pmc.example", &["pmc:marketer", "lakeside:marketer"]).await;
        user(db, "boss@lakeside.example", &["lakeside:admin"]).await;
        let chief = sign_in(&app, "chief@pmc.example").await;
        let writer = sign_in(&app, "writer@pmc.example").await;
        let boss = sign_in(&app, "boss@lakeside.example").await;
        let id_of = |email: &'static str| {
            let db = db.clone();
            async move {
                app_user::Entity::find().filter(app_user::Column::Email.eq(email)).one(&db).await.unwrap().unwrap()
            }
        };
        let act = |who: i32, action: &str| format!("clinic=pmc&user={who}&action={action}");
        let writer_id = id_of("writer@pmc.example").await.id;

        // The list shows the writer's live session (never its id).
        let a = call(&app, &chief, "/api/admin/list_members", "clinic=pmc").await;
        let page: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        let row = page["members"].as_array().unwrap().iter().find(|m| m["email"] == "writer@pmc.example").unwrap();
        assert_eq!(row["sessions"].as_array().unwrap().len(), 1, "{row}");
        assert!(!a.body.contains(writer.trim_start_matches("cp_session=")), "no session id on the page");
        let html = send(&app, get("/admin/pmc/people", Some(&chief))).await;
        assert!(html.body.contains("Sign out everywhere") && html.body.contains("Require a new password"));

        // Sign out everywhere: the writer's cookie no longer works.
        let a = call(&app, &chief, "/api/admin/account_action", &act(writer_id, "sign_out")).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let a = send(&app, get("/admin/pmc/posts", Some(&writer))).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "signed out");

        // Require a new password: the old one stops working, a link is mailed and works once.
        let writer = sign_in(&app, "writer@pmc.example").await;
        let a = call(&app, &chief, "/api/admin/account_action", &act(writer_id, "reset_password")).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert_eq!(send(&app, get("/admin/pmc/posts", Some(&writer))).await.status, StatusCode::SEE_OTHER);
        assert!(id_of("writer@pmc.example").await.password_hash.is_none());
        let old = send(
            &app,
            form_post("/admin/login", None, &format!("email=writer%40pmc.example&password={}", enc(PASSWORD))),
        )
        .await;
        assert_ne!(old.location, "/admin", "the old password is refused");
        let links = reset_links(&data, "writer@pmc.example");
        assert_eq!(links.len(), 1, "{links:?}");
        let token = &links[0];
        let a = send(
            &app,
            form_post(&format!("/admin/reset/{token}"), None, "password=brand+new+password&confirm=brand+new+password"),
        )
        .await;
        assert_eq!(a.location, "/admin/login");
        let ok =
            send(&app, form_post("/admin/login", None, "email=writer%40pmc.example&password=brand+new+password")).await;
        assert_eq!(ok.location, "/admin");

        // Disable and enable; disabling ends the sessions.
        let a = call(&app, &chief, "/api/admin/account_action", &act(writer_id, "disable")).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert!(id_of("writer@pmc.example").await.disabled);
        let refused =
            send(&app, form_post("/admin/login", None, "email=writer%40pmc.example&password=brand+new+password")).await;
        assert_ne!(refused.location, "/admin", "a disabled account cannot sign in");
        let a = call(&app, &chief, "/api/admin/account_action", &act(writer_id, "disable")).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "already disabled");
        let a = call(&app, &chief, "/api/admin/account_action", &act(writer_id, "enable")).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert!(!id_of("writer@pmc.example").await.disabled);

        // Not yourself; not the last active admin; not an account other clinics share.
        let chief_id = id_of("chief@pmc.example").await.id;
        let a = call(&app, &chief, "/api/admin/account_action", &act(chief_id, "disable")).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(a.body.contains("your own account"), "{}", a.body);
        let deputy_id = id_of("deputy@pmc.example").await.id;
        let a = call(&app, &chief, "/api/admin/account_action", &act(deputy_id, "disable")).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        // With the deputy disabled, the chief is the only active admin: the role stays.
        let page: serde_json::Value =
            serde_json::from_str(&call(&app, &chief, "/api/admin/list_members", "clinic=pmc").await.body).unwrap();
        let chief_role =
            page["members"].as_array().unwrap().iter().find(|m| m["email"] == "chief@pmc.example").unwrap()["roles"][0]
                ["membership_id"]
                .as_i64()
                .unwrap();
        let a = call(&app, &chief, "/api/admin/remove_role", &format!("clinic=pmc&membership_id={chief_role}")).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
        let both_id = id_of("both@pmc.example").await.id;
        for action in ["disable", "reset_password"] {
            let a = call(&app, &chief, "/api/admin/account_action", &act(both_id, action)).await;
            assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{action}");
            assert!(a.body.contains("another clinic"), "{}", a.body);
        }
        assert!(!id_of("both@pmc.example").await.disabled);
        let a = call(&app, &chief, "/api/admin/account_action", &act(both_id, "sign_out")).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "not even signing out: {}", a.body);

        // Invite again: a new link, and the first one stops working.
        let a = call(
            &app,
            &chief,
            "/api/admin/add_member",
            "clinic=pmc&form[email]=new%40pmc.example&form[name]=New+Hire&form[role]=marketer&form[location_id]=",
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let new_id = id_of("new@pmc.example").await.id;
        let first = reset_links(&data, "new@pmc.example");
        assert_eq!(first.len(), 1);
        let a = call(&app, &chief, "/api/admin/account_action", &act(new_id, "reinvite")).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let now = chrono::Utc::now();
        let all = reset_links(&data, "new@pmc.example");
        assert_eq!(all.len(), 2);
        let second = all.iter().find(|t| **t != first[0]).unwrap();
        assert!(clinicpress::accounts::reset::check(db, &first[0], now).await.is_err(), "the old link is retired");
        assert!(clinicpress::accounts::reset::check(db, second, now).await.is_ok());
        let a = call(&app, &chief, "/api/admin/account_action", &act(new_id, "reset_password")).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "invited: send the invitation instead");

        // Other people: a marketer, another clinic's admin (through either clinic), an unknown action.
        for (cookie, body) in [
            (&writer_login(&app).await, act(deputy_id, "enable")),
            (&boss, act(writer_id, "disable")),
            (&boss, format!("clinic=lakeside&user={writer_id}&action=disable")),
        ] {
            let a = call(&app, cookie, "/api/admin/account_action", &body).await;
            assert!(matches!(a.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{body}: {}", a.status);
        }
        assert!(id_of("deputy@pmc.example").await.disabled && !id_of("writer@pmc.example").await.disabled);
        let a = call(&app, &chief, "/api/admin/account_action", &act(writer_id, "explode")).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);

        let actions: Vec<String> = audit_log::Entity::find()
            .filter(audit_log::Column::TargetKind.eq("user"))
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.action)
            .collect();
        for action in ["user.sign_out", "user.force_reset", "user.disable", "user.enable", "user.reinvite"] {
            assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
        }
        t
    }));
}

/// The "choose a password" tokens mailed to `to` (file mailer under `data`).
fn reset_links(data: &std::path::Path, to: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(data.join("mail")).unwrap() {
        let m = std::fs::read_to_string(e.unwrap().path()).unwrap().replace("=\r\n", "").replace("=3D", "=");
        if m.contains(to)
            && let Some(at) = m.find("/admin/reset/")
        {
            let start = at + "/admin/reset/".len();
            out.push(m[start..].chars().take_while(|c| c.is_ascii_hexdigit()).collect());
        }
    }
    out
}

async fn writer_login(app: &Router) -> String {
    let a = send(app, form_post("/admin/login", None, "email=writer%40pmc.example&password=brand+new+password")).await;
    a.cookie.expect("signed in with the new password")
}

#[test]
fn clinic_admins_order_the_routing_rules_and_the_offices() {
    use clinicpress::entities::audit_log;
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        user(db, "chief@pmc.example", &["pmc:admin"]).await;
        user(db, "writer@pmc.example", &["pmc:marketer"]).await;
        let chief = sign_in(&app, "chief@pmc.example").await;
        let writer = sign_in(&app, "writer@pmc.example").await;
        let ask = |q: &str| format!("clinic=pmc&{q}");
        let answer = |body: &str| serde_json::from_str::<serde_json::Value>(body).unwrap();

        // On Concord's page with a Pleasant Hill ZIP: the page decides first by default.
        let question = ask("question[office]=&question[page]=%2Flocations%2Fconcord&question[zip]=94523");
        let r = answer(&call(&app, &chief, "/api/admin/try_routing", &question).await.body);
        assert_eq!(
            (r["destination"].as_str(), r["rule"].as_str()),
            (Some("Concord"), Some("the office of the page the form was on"))
        );
        // The ZIP code first: Pleasant Hill.
        let a = call(&app, &chief, "/api/admin/save_routing_order", "clinic=pmc&order=zip_first").await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let r = answer(&call(&app, &chief, "/api/admin/try_routing", &question).await.body);
        assert_eq!(r["destination"], "Pleasant Hill", "{r}");
        let page = answer(&call(&app, &chief, "/api/admin/list_offices", "clinic=pmc").await.body);
        assert_eq!(page["routing_order"], "zip_first");
        let a = call(&app, &chief, "/api/admin/save_routing_order", "clinic=pmc&order=whatever").await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            call(&app, &writer, "/api/admin/save_routing_order", "clinic=pmc&order=page_first").await.status,
            StatusCode::FORBIDDEN
        );

        // 94597 is served by Pleasant Hill and Walnut Creek: the first in the order takes it.
        let shared = ask("question[office]=&question[page]=%2Fcontact&question[zip]=94597");
        let r = answer(&call(&app, &chief, "/api/admin/try_routing", &shared).await.body);
        assert_eq!(r["destination"], "Pleasant Hill");
        let walnut =
            page["offices"].as_array().unwrap().iter().find(|o| o["slug"] == "walnut-creek").unwrap()["id"].clone();
        let a = call(&app, &chief, "/api/admin/move_office", &format!("clinic=pmc&office={walnut}&direction=up")).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let r = answer(&call(&app, &chief, "/api/admin/try_routing", &shared).await.body);
        assert_eq!(r["destination"], "Walnut Creek", "{r}");
        // The public list follows the same order; moving the first one up changes nothing.
        let public = send(&app, get("/locations", None)).await.body;
        assert!(public.find("/locations/walnut-creek").unwrap() < public.find("/locations/pleasant-hill").unwrap());
        let a = call(&app, &chief, "/api/admin/move_office", &format!("clinic=pmc&office={walnut}&direction=up")).await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(
            call(&app, &writer, "/api/admin/move_office", &format!("clinic=pmc&office={walnut}&direction=down"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let r = answer(&call(&app, &chief, "/api/admin/try_routing", &shared).await.body);
        assert_eq!(r["destination"], "Walnut Creek");

        let actions: Vec<String> =
            audit_log::Entity::find().all(db).await.unwrap().into_iter().map(|l| l.action).collect();
        assert!(
            actions.contains(&"clinic.routing_order".to_string()) && actions.contains(&"office.move".to_string()),
            "{actions:?}"
        );
        t
    }));
}
