//! The editor's storage on SQLite and PostgreSQL: create, save, stale
//! edits, slug changes with redirects, publishing and scheduling, the
//! background publisher, revisions and the audit log.

mod common;

use app::admin::model::{PostForm, PostQuery, PublishAction};
use chrono::{Duration, Utc};
use clinicpress::audit::{self, Actor};
use clinicpress::entities::{PostStatus, audit_log, clinic, post, post_revision};
use clinicpress::posts::editor::{self, EditorError};
use clinicpress::posts::read;
use common::each_db;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

async fn clinic_id(db: &DatabaseConnection, slug: &str) -> i32 {
    clinic::Entity::find().filter(clinic::Column::Slug.eq(slug)).one(db).await.unwrap().unwrap().id
}

fn maria() -> Actor {
    Actor { id: None, name: "Maria Lopez".into(), email: "maria@pmc.example".into() }
}

fn body_form(title: &str, slug: &str, body: &str) -> PostForm {
    PostForm {
        title: title.into(),
        slug: slug.into(),
        body_md: body.into(),
        tags: "Knee, Exercise".into(),
        category: "Physical therapy".into(),
        ..PostForm::default()
    }
}

#[tokio::test]
async fn write_save_conflict_publish_and_redirect() {
    each_db(|t| async move {
        common::with_demo(&t.db).await;
        let db = &t.db;
        let pmc = clinic_id(db, "pmc").await;
        let lakeside = clinic_id(db, "lakeside").await;
        let now = Utc::now();

        // A new draft gets a unique slug from its title.
        let id = editor::create(db, pmc, &maria(), "Knee pain: five gentle exercises", now).await.unwrap();
        let (p, form) = editor::load(db, pmc, id).await.unwrap();
        assert_eq!(
            (p.status, p.version, form.slug.as_str()),
            (PostStatus::Draft, 1, "knee-pain-five-gentle-exercises")
        );
        let twin = editor::create(db, pmc, &maria(), "Knee pain: five gentle exercises", now).await.unwrap();
        assert_eq!(editor::load(db, pmc, twin).await.unwrap().1.slug, "knee-pain-five-gentle-exercises-2");
        assert!(matches!(editor::create(db, pmc, &maria(), "   ", now).await, Err(EditorError::Invalid(_))));

        // Another clinic cannot load or save it.
        assert!(matches!(editor::load(db, lakeside, id).await, Err(EditorError::NotFound)));
        let f =
            body_form("Knee pain: five gentle exercises", "knee-pain-five-gentle-exercises", "## Warm up\n\n- Walk");
        assert!(matches!(
            editor::save(db, lakeside, id, 1, &f, &maria(), false, now).await,
            Err(EditorError::NotFound)
        ));

        // Save: fields, new category and tags, rendered HTML, version bump.
        let saved = editor::save(db, pmc, id, 1, &f, &maria(), false, now).await.unwrap();
        assert_eq!(saved.version, 2);
        assert!(saved.body_html.contains("<h2>Warm up</h2>") && saved.body_html.contains("<li>Walk</li>"));
        let (_, stored) = editor::load(db, pmc, id).await.unwrap();
        assert_eq!(stored.category, "Physical therapy");
        let mut tags: Vec<String> = stored.tags.split(", ").map(str::to_lowercase).collect();
        tags.sort();
        assert_eq!(tags, vec!["exercise", "knee"], "an existing tag is reused, a new one created");

        // A duplicate slug is refused with the other post's title; input unchanged.
        let dup = body_form("Other", "knee-pain-five-gentle-exercises", "x");
        let e = editor::save(db, pmc, twin, 1, &dup, &maria(), false, now).await.unwrap_err();
        let EditorError::Invalid(fields) = e else { panic!("want Invalid") };
        assert_eq!(fields[0].0, "slug");
        assert!(fields[0].1.contains("Knee pain"), "{}", fields[0].1);

        // Stale edit: saving over version 1 again keeps both versions.
        let stale = body_form("Knee pain (tab two)", "knee-pain-five-gentle-exercises", "text from the second tab");
        let e = editor::save(db, pmc, id, 1, &stale, &maria(), false, now).await.unwrap_err();
        assert!(matches!(e, EditorError::Conflict(ref m) if m.contains("revision #")), "{e:?}");
        let (current, _) = editor::load(db, pmc, id).await.unwrap();
        assert_eq!(current.title, "Knee pain: five gentle exercises", "the newer version stays");
        let kept = post_revision::Entity::find()
            .filter(post_revision::Column::PostId.eq(id))
            .filter(post_revision::Column::BodyMd.eq("text from the second tab"))
            .count(db)
            .await
            .unwrap();
        assert_eq!(kept, 1, "the stale text is kept as a revision");

        // Publish now: visible publicly.
        let published =
            editor::publish(db, pmc, id, 2, &PublishAction::PublishNow, &maria(), Utc::now()).await.unwrap();
        assert_eq!(published.status, PostStatus::Published);
        assert!(read::by_slug(db, pmc, "knee-pain-five-gentle-exercises", Utc::now()).await.unwrap().is_some());
        assert!(read::by_slug(db, lakeside, "knee-pain-five-gentle-exercises", Utc::now()).await.unwrap().is_none());

        // Slug change of a public post: the old slug redirects.
        let renamed = body_form("Knee pain: five gentle exercises", "gentle-knee-exercises", "## Warm up\n\n- Walk");
        let p = editor::save(db, pmc, id, published.version, &renamed, &maria(), false, Utc::now()).await.unwrap();
        assert_eq!(p.slug, "gentle-knee-exercises");
        assert_eq!(
            editor::redirect_for(db, pmc, "knee-pain-five-gentle-exercises").await.unwrap().as_deref(),
            Some("gentle-knee-exercises")
        );
        assert_eq!(editor::redirect_for(db, lakeside, "knee-pain-five-gentle-exercises").await.unwrap(), None);

        // Unpublish and archive.
        let p = editor::publish(db, pmc, id, p.version, &PublishAction::Unpublish, &maria(), Utc::now()).await.unwrap();
        assert_eq!((p.status, p.published_at), (PostStatus::Draft, None));
        assert!(read::by_slug(db, pmc, "gentle-knee-exercises", Utc::now()).await.unwrap().is_none());
        let p = editor::publish(db, pmc, id, p.version, &PublishAction::Archive, &maria(), Utc::now()).await.unwrap();
        assert_eq!(p.status, PostStatus::Archived);

        // Every step left an audit entry in the right clinic.
        let (log, total) = audit::page(db, pmc, 0, 50).await.unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        for want in ["post.create", "post.update", "post.publish", "post.slug_change", "post.unpublish", "post.archive"]
        {
            assert!(actions.contains(&want), "{want} in {actions:?}");
        }
        assert!(total >= 7);
        let (other, _) = audit::page(db, lakeside, 0, 50).await.unwrap();
        assert!(other.iter().all(|e| e.target_kind == "user"), "no post entries for the other clinic: {other:?}");
        t
    })
    .await;
}

#[tokio::test]
async fn scheduled_posts_publish_without_traffic_and_catch_up() {
    each_db(|t| async move {
        common::with_demo(&t.db).await;
        let db = &t.db;
        let pmc = clinic_id(db, "pmc").await;
        let id = editor::create(db, pmc, &maria(), "Flu season at the clinic", Utc::now()).await.unwrap();
        let f = body_form("Flu season at the clinic", "", "Get your shot.");
        let p = editor::save(db, pmc, id, 1, &f, &maria(), false, Utc::now()).await.unwrap();

        // Past and impossible dates are refused; a future one schedules.
        let tz = editor::clinic_tz(db, pmc).await.unwrap();
        assert_eq!(tz.name(), "America/Los_Angeles");
        let past = PublishAction::Schedule("2020-01-01T10:00".into());
        assert!(matches!(
            editor::publish(db, pmc, id, p.version, &past, &maria(), Utc::now()).await,
            Err(EditorError::Invalid(_))
        ));
        let soon = Utc::now() + Duration::minutes(1);
        let local = clinicpress::posts::rules::format_local(soon, tz);
        let p = editor::publish(db, pmc, id, p.version, &PublishAction::Schedule(local), &maria(), Utc::now())
            .await
            .unwrap();
        assert_eq!(p.status, PostStatus::Scheduled);
        assert!(read::by_slug(db, pmc, &p.slug, Utc::now()).await.unwrap().is_none(), "not public yet");

        // Nothing is due now; two minutes later (or after downtime) it is.
        assert!(editor::publish_due(db, Utc::now()).await.unwrap().is_empty());
        let later = Utc::now() + Duration::minutes(2);
        assert_eq!(editor::publish_due(db, later).await.unwrap(), vec![(pmc, id)]);
        assert!(editor::publish_due(db, later).await.unwrap().is_empty(), "published once");
        let p = post::Entity::find_by_id(id).one(db).await.unwrap().unwrap();
        assert_eq!(p.status, PostStatus::Published);
        assert!(read::by_slug(db, pmc, &p.slug, later).await.unwrap().is_some());
        let by_system = audit_log::Entity::find()
            .filter(audit_log::Column::TargetId.eq(id))
            .filter(audit_log::Column::UserEmail.eq("system"))
            .count(db)
            .await
            .unwrap();
        assert_eq!(by_system, 1);
        t
    })
    .await;
}

#[tokio::test]
async fn revisions_diff_and_restore_lose_nothing() {
    each_db(|t| async move {
        common::with_demo(&t.db).await;
        let db = &t.db;
        let pmc = clinic_id(db, "pmc").await;
        let id = editor::create(db, pmc, &maria(), "Sleep and pain", Utc::now()).await.unwrap();
        let v1 = body_form("Sleep and pain", "", "First line\nSecond line\n");
        let p = editor::save(db, pmc, id, 1, &v1, &maria(), false, Utc::now()).await.unwrap();
        let v2 = body_form("Sleep and chronic pain", "sleep-and-pain", "First line\nA better second line\n");
        let p = editor::save(db, pmc, id, p.version, &v2, &maria(), false, Utc::now()).await.unwrap();

        let (_, rows) = editor::revisions(db, pmc, id).await.unwrap();
        assert_eq!(rows.len(), 3, "created + two saves");
        let (newest, older) = (rows[0].id, rows[1].id);
        let d = editor::diff(db, pmc, id, older, newest).await.unwrap();
        assert!(d.title_changed);
        assert!(d.lines.contains(&app::admin::model::DiffLine::Removed("Second line".into())));
        assert!(d.lines.contains(&app::admin::model::DiffLine::Added("A better second line".into())));
        assert!(matches!(
            editor::diff(db, clinic_id(db, "lakeside").await, id, older, newest).await,
            Err(EditorError::NotFound)
        ));

        let restored = editor::restore(db, pmc, id, older, &maria(), Utc::now()).await.unwrap();
        assert_eq!(restored.title, "Sleep and pain");
        assert_eq!(restored.body_md, "First line\nSecond line\n");
        assert!(restored.version > p.version);
        let (_, rows) = editor::revisions(db, pmc, id).await.unwrap();
        assert_eq!(rows.len(), 4, "restoring adds a revision");
        assert!(rows[0].note.as_deref().unwrap_or("").starts_with("Restored revision"));

        // Autosaves within a few minutes share one revision.
        let mut f = v1.clone();
        let mut version = restored.version;
        for i in 0..3 {
            f.body_md = format!("draft {i}");
            version = editor::save(db, pmc, id, version, &f, &maria(), true, Utc::now()).await.unwrap().version;
        }
        assert_eq!(editor::revisions(db, pmc, id).await.unwrap().1.len(), 5);

        // The post list filters by status and finds by title.
        let q = PostQuery { q: "SLEEP AND PAIN".into(), ..PostQuery::default() };
        let list = editor::list(db, pmc, &q, Utc::now()).await.unwrap();
        assert_eq!(list.rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![id]);
        let drafts = PostQuery { status: Some(app::admin::model::EditorStatus::Draft), ..PostQuery::default() };
        let list = editor::list(db, pmc, &drafts, Utc::now()).await.unwrap();
        assert!(list.rows.iter().all(|r| r.status == app::admin::model::EditorStatus::Draft));
        let none = PostQuery { q: "100%_nothing".into(), ..PostQuery::default() };
        assert!(editor::list(db, pmc, &none, Utc::now()).await.unwrap().rows.is_empty());
        t
    })
    .await;
}

#[tokio::test]
async fn preview_links_show_drafts_to_the_right_clinic_until_they_expire() {
    use clinicpress::posts::preview::{self, PreviewError};
    each_db(|t| async move {
        common::with_demo(&t.db).await;
        let db = &t.db;
        let pmc = clinic_id(db, "pmc").await;
        let lakeside = clinic_id(db, "lakeside").await;
        let id = editor::create(db, pmc, &maria(), "A draft for review", Utc::now()).await.unwrap();
        let now = Utc::now();
        let (token, expires) = preview::create(db, pmc, id, &maria(), now).await.unwrap();
        assert_eq!(token.len(), 64);
        assert_eq!(expires, now + Duration::days(preview::LINK_DAYS));
        assert_eq!(preview::resolve(db, pmc, &token, now).await.unwrap().id, id);
        assert!(matches!(preview::resolve(db, lakeside, &token, now).await, Err(PreviewError::NotFound)));
        assert!(matches!(preview::resolve(db, pmc, "not-a-token", now).await, Err(PreviewError::NotFound)));
        let later = now + Duration::days(preview::LINK_DAYS) + Duration::minutes(1);
        assert!(matches!(preview::resolve(db, pmc, &token, later).await, Err(PreviewError::Expired(_))));
        // Another clinic cannot make a link to it.
        assert!(matches!(preview::create(db, lakeside, id, &maria(), now).await, Err(PreviewError::NotFound)));
        t
    })
    .await;
}

#[tokio::test]
async fn categories_tags_and_authors_rename_merge_and_delete() {
    use app::admin::model::TermForm;
    use app::model::ArchiveKind;
    use clinicpress::entities::{category, tag};
    use clinicpress::posts::terms::{self, TermError};
    each_db(|t| async move {
        common::with_demo(&t.db).await;
        let db = &t.db;
        let pmc = clinic_id(db, "pmc").await;
        let lakeside = clinic_id(db, "lakeside").await;
        let now = Utc::now();
        let page = terms::page(db, pmc).await.unwrap();
        let used = page.categories.iter().find(|c| c.posts > 0).unwrap().clone();

        // Rename a category: the old slug redirects, in this clinic only.
        let form = TermForm { name: "Pain care basics".into(), slug: String::new(), credentials: String::new() };
        terms::save(db, pmc, ArchiveKind::Category, Some(used.id), &form, &maria(), now).await.unwrap();
        let renamed = category::Entity::find_by_id(used.id).one(db).await.unwrap().unwrap();
        assert_eq!(renamed.slug, "pain-care-basics");
        assert_eq!(
            terms::redirect_for(db, pmc, ArchiveKind::Category, &used.slug).await.unwrap().as_deref(),
            Some("pain-care-basics")
        );
        assert_eq!(terms::redirect_for(db, lakeside, ArchiveKind::Category, &used.slug).await.unwrap(), None);
        // Another clinic cannot rename it; bad slugs and duplicates are refused.
        assert!(matches!(
            terms::save(db, lakeside, ArchiveKind::Category, Some(used.id), &form, &maria(), now).await,
            Err(TermError::NotFound)
        ));
        let bad = TermForm { name: "X".into(), slug: "Has Spaces".into(), credentials: String::new() };
        assert!(matches!(
            terms::save(db, pmc, ArchiveKind::Tag, None, &bad, &maria(), now).await,
            Err(TermError::Invalid(..))
        ));
        let dup = TermForm { name: "Pain care basics".into(), ..TermForm::default() };
        assert!(matches!(
            terms::save(db, pmc, ArchiveKind::Category, None, &dup, &maria(), now).await,
            Err(TermError::Invalid(..))
        ));

        // A used category cannot be deleted; a new unused one can.
        assert!(matches!(
            terms::delete(db, pmc, ArchiveKind::Category, used.id, &maria(), now).await,
            Err(TermError::InUse(_))
        ));
        let fresh = TermForm { name: "Nutrition".into(), ..TermForm::default() };
        let id = terms::save(db, pmc, ArchiveKind::Category, None, &fresh, &maria(), now).await.unwrap();
        terms::delete(db, pmc, ArchiveKind::Category, id, &maria(), now).await.unwrap();
        assert!(category::Entity::find_by_id(id).one(db).await.unwrap().is_none());

        // Merge two used tags: posts keep one tag, the old slug redirects.
        let tags: Vec<_> = terms::page(db, pmc).await.unwrap().tags.into_iter().filter(|t| t.posts > 0).collect();
        let (from, into) = (&tags[0], &tags[1]);
        terms::merge_tags(db, pmc, from.id, into.id, &maria(), now).await.unwrap();
        assert!(tag::Entity::find_by_id(from.id).one(db).await.unwrap().is_none());
        let after = terms::page(db, pmc).await.unwrap();
        let merged = after.tags.iter().find(|t| t.id == into.id).unwrap();
        assert!(merged.posts >= into.posts.max(from.posts), "{} vs {} + {}", merged.posts, into.posts, from.posts);
        assert_eq!(terms::redirect_for(db, pmc, ArchiveKind::Tag, &from.slug).await.unwrap(), Some(into.slug.clone()));
        assert!(matches!(
            terms::merge_tags(db, pmc, into.id, into.id, &maria(), now).await,
            Err(TermError::Invalid(..))
        ));

        let (log, _) = clinicpress::audit::page(db, pmc, 0, 50).await.unwrap();
        for want in ["category.save", "category.delete", "tag.merge"] {
            assert!(log.iter().any(|e| e.action == want), "{want}");
        }
        t
    })
    .await;
}

#[tokio::test]
async fn user_changes_from_the_shell_are_in_each_clinics_audit_log() {
    use clinicpress::accounts::users::{self, RoleArg};
    each_db(|t| async move {
        common::with_demo(&t.db).await;
        let db = &t.db;
        let (pmc, lakeside) = (clinic_id(db, "pmc").await, clinic_id(db, "lakeside").await);
        let user_rows = |clinic: i32| async move {
            audit_log::Entity::find()
                .filter(audit_log::Column::ClinicId.eq(clinic))
                .filter(audit_log::Column::TargetKind.eq("user"))
                .order_by_asc(audit_log::Column::Id)
                .all(db)
                .await
                .unwrap()
        };
        // Loading the demo provision file twice logs nothing new the second time.
        let before = user_rows(pmc).await.len();
        assert!(before >= 2, "the demo users' creation is logged for pmc");
        common::with_demo(db).await;
        assert_eq!(user_rows(pmc).await.len(), before, "an unchanged provision file is not a change");

        let roles: Vec<RoleArg> = vec!["pmc:staff:concord".parse().unwrap()];
        users::create(db, "desk@pmc.example", "Front Desk", Some("a long enough password"), &roles, false)
            .await
            .unwrap();
        users::set_password(db, "desk@pmc.example", "another long password").await.unwrap();
        users::set_disabled(db, "desk@pmc.example", true).await.unwrap();
        users::set_disabled(db, "desk@pmc.example", false).await.unwrap();

        let rows = user_rows(pmc).await;
        let ours: Vec<_> = rows.iter().skip(before).collect();
        let actions: Vec<&str> = ours.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(actions, ["user.create", "user.password", "user.disable", "user.enable"]);
        assert!(ours.iter().all(|r| r.user_email == "command line" && r.user_id.is_none()));
        assert!(ours[0].summary.contains("desk@pmc.example") && ours[0].summary.contains("pmc:staff:concord"));
        assert!(!ours.iter().any(|r| r.summary.contains("another long password")), "no password in the log");
        // Lakeside's admins see nothing of a pmc-only user.
        assert!(!user_rows(lakeside).await.iter().any(|r| r.summary.contains("desk@pmc.example")));
        t
    })
    .await;
}

#[tokio::test]
async fn the_audit_log_refuses_changes_and_deletions() {
    use sea_orm::{ActiveModelTrait, ConnectionTrait, IntoActiveModel, Set};
    each_db(|t| async move {
        common::with_demo(&t.db).await;
        let db = &t.db;
        let pmc = clinic_id(db, "pmc").await;
        let uid = clinicpress::entities::app_user::Entity::find().one(db).await.unwrap().unwrap().id;
        let actor = Actor { id: Some(uid), ..maria() };
        audit::record(db, Some(pmc), &actor, "post.update", "post", Some(1), "saved \"A\"", Utc::now()).await.unwrap();
        let row = audit_log::Entity::find().order_by_desc(audit_log::Column::Id).one(db).await.unwrap().unwrap();

        let mut am = row.clone().into_active_model();
        am.summary = Set("nothing happened".into());
        assert!(am.update(db).await.is_err(), "{}: rewriting a row is refused", t.backend);
        let mut am = row.clone().into_active_model();
        am.user_email = Set("someone-else@pmc.example".into());
        assert!(am.update(db).await.is_err(), "{}: changing who did it is refused", t.backend);
        assert!(audit_log::Entity::delete_by_id(row.id).exec(db).await.is_err(), "{}: deleting is refused", t.backend);
        assert!(db.execute_unprepared("DELETE FROM audit_log").await.is_err(), "{}: even in bulk", t.backend);
        // A removed user leaves their rows, with the copied e-mail: only the link goes.
        let mut am = row.clone().into_active_model();
        am.user_id = Set(None);
        am.update(db).await.unwrap();
        let after = audit_log::Entity::find_by_id(row.id).one(db).await.unwrap().unwrap();
        assert_eq!((after.summary.as_str(), after.user_email.as_str()), ("saved \"A\"", "maria@pmc.example"));
        t
    })
    .await;
}
