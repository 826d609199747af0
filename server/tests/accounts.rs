//! Users, roles and the session store on SQLite and PostgreSQL.

mod common;

use std::collections::HashMap;

use clinicpress::accounts::authz::{Action, Decision, authorize};
use clinicpress::accounts::sessions::{DbSessionStore, USER_ID_KEY};
use clinicpress::accounts::users::{self, RoleArg, UserError};
use clinicpress::entities::{clinic, location, session};
use common::each_db;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use tower_sessions::cookie::time::{Duration, OffsetDateTime};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{ExpiredDeletion, SessionStore};

fn roles(specs: &[&str]) -> Vec<RoleArg> {
    specs.iter().map(|s| s.parse().unwrap()).collect()
}

#[tokio::test]
async fn users_from_the_shell_and_what_they_may_do() {
    each_db(|t| async move {
        common::with_demo(&t.db).await;
        let db = &t.db;
        let u = users::create(
            db,
            "Ann@Lakeside-Derm.example",
            "Ann",
            Some("correct horse battery"),
            &roles(&["lakeside:marketer", "pmc:staff:concord"]),
            false,
        )
        .await
        .unwrap();
        assert_eq!(u.email, "ann@lakeside-derm.example");
        assert!(clinicpress::passwords::verify("correct horse battery", u.password_hash.as_deref().unwrap()));

        // Errors are specific and nothing is half-created.
        assert!(matches!(
            users::create(db, "ann@lakeside-derm.example", "Ann", None, &[], false).await,
            Err(UserError::Exists(_))
        ));
        assert!(matches!(
            users::create(db, "x@y.example", "X", Some("short"), &[], false).await,
            Err(UserError::PasswordTooShort)
        ));
        assert!(matches!(
            users::create(db, "z@y.example", "Z", None, &roles(&["nope:admin"]), false).await,
            Err(UserError::NoSuchClinic(_))
        ));
        assert!(matches!(
            users::create(db, "z@y.example", "Z", None, &roles(&["pmc:staff:mars"]), false).await,
            Err(UserError::NoSuchLocation { .. })
        ));
        assert!(users::list(db).await.unwrap().iter().all(|(u, _)| u.email != "z@y.example"), "rolled back");

        let listed = users::list(db).await.unwrap();
        let (_, ann_roles) = listed.iter().find(|(u, _)| u.email == "ann@lakeside-derm.example").unwrap();
        assert_eq!(ann_roles, &vec!["lakeside:marketer".to_string(), "pmc:staff:concord".to_string()]);

        // The principal and the authorisation function agree with the roles.
        let who = users::principal(db, u.id).await.unwrap().unwrap();
        let id_of = |slug: &'static str| async move {
            clinic::Entity::find().filter(clinic::Column::Slug.eq(slug)).one(db).await.unwrap().unwrap().id
        };
        let (lakeside, pmc) = (id_of("lakeside").await, id_of("pmc").await);
        let concord =
            location::Entity::find().filter(location::Column::Slug.eq("concord")).one(db).await.unwrap().unwrap().id;
        assert_eq!(authorize(&who, lakeside, Action::EditPosts), Decision::Allow);
        assert_eq!(authorize(&who, lakeside, Action::ManageUsers), Decision::Forbidden);
        assert_eq!(authorize(&who, pmc, Action::EditPosts), Decision::Forbidden);
        assert_eq!(authorize(&who, pmc, Action::WorkLeads { location_id: Some(concord) }), Decision::Allow);

        // Provisioned users (demo) have their roles too.
        let maria = listed.iter().find(|(u, _)| u.email == "maria@pmc.example").unwrap().0.id;
        let maria = users::principal(db, maria).await.unwrap().unwrap();
        assert_eq!(authorize(&maria, pmc, Action::EditPosts), Decision::Allow);
        assert_eq!(authorize(&maria, lakeside, Action::EditPosts), Decision::NotFound);

        // Password change and disabling end the user's sessions.
        let store = DbSessionStore::new(db.clone());
        let mut rec = record(u.id, 3600);
        store.create(&mut rec).await.unwrap();
        users::set_password(db, "ANN@lakeside-derm.example", "another long password").await.unwrap();
        assert!(store.load(&rec.id).await.unwrap().is_none());
        store.create(&mut rec).await.unwrap();
        users::set_disabled(db, "ann@lakeside-derm.example", true).await.unwrap();
        assert!(store.load(&rec.id).await.unwrap().is_none());
        let who = users::principal(db, u.id).await.unwrap().unwrap();
        assert_eq!(authorize(&who, lakeside, Action::EnterAdmin), Decision::Forbidden);
        assert!(matches!(users::set_disabled(db, "ghost@x.example", true).await, Err(UserError::NoSuchUser(_))));
        t
    })
    .await;
}

fn record(user_id: i32, ttl_secs: i64) -> Record {
    let mut data = HashMap::new();
    data.insert(USER_ID_KEY.to_string(), serde_json::json!(user_id));
    data.insert("clinic".to_string(), serde_json::json!("pmc"));
    Record { id: Id::default(), data, expiry_date: OffsetDateTime::now_utc() + Duration::seconds(ttl_secs) }
}

#[tokio::test]
async fn sessions_live_in_the_database() {
    each_db(|t| async move {
        common::with_demo(&t.db).await;
        let user_id = users::list(&t.db).await.unwrap()[0].0.id;
        let store = DbSessionStore::new(t.db.clone());
        let mut rec = record(user_id, 3600);
        store.create(&mut rec).await.unwrap();

        // A new store (another process, or after a restart) sees the session.
        let reopened = DbSessionStore::new(clinicpress::db::connect(&t.url).await.unwrap());
        let loaded = reopened.load(&rec.id).await.unwrap().expect("session survives");
        assert_eq!(loaded.data, rec.data);
        assert_eq!(loaded.expiry_date.unix_timestamp(), rec.expiry_date.unix_timestamp());
        let row = session::Entity::find_by_id(rec.id.to_string()).one(&t.db).await.unwrap().unwrap();
        assert_eq!(row.user_id, Some(user_id));

        // Save updates in place.
        rec.data.insert("clinic".into(), serde_json::json!("lakeside"));
        store.save(&rec).await.unwrap();
        assert_eq!(store.load(&rec.id).await.unwrap().unwrap().data["clinic"], "lakeside");
        assert_eq!(session::Entity::find().count(&t.db).await.unwrap(), 1);

        // Expired sessions are not loaded and are swept.
        let mut old = record(user_id, -10);
        store.create(&mut old).await.unwrap();
        assert!(store.load(&old.id).await.unwrap().is_none());
        store.delete_expired().await.unwrap();
        assert_eq!(session::Entity::find().count(&t.db).await.unwrap(), 1);

        store.delete(&rec.id).await.unwrap();
        assert!(store.load(&rec.id).await.unwrap().is_none());
        assert!(store.load(&Id::default()).await.unwrap().is_none(), "unknown ids load nothing");
        t
    })
    .await;
}
