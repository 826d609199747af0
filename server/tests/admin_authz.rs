//! Every clinic-administration action over HTTP, asked by each kind of
//! person — the network owner, the clinic's admin, another clinic's admin,
//! a marketer and office staff — on SQLite and PostgreSQL: each answer is
//! what the one authorisation rule says (allowed; 403 inside the clinic
//! without the right; 404 for another clinic's people, whose clinic must
//! not even be confirmed), and a refused request changes nothing.

mod common;

use clinicpress::accounts::users;
use clinicpress::entities::{audit_log, clinic, location, outbox};
use common::each_db;
use common::web::*;
use http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// What a person should get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Past the authorisation check: any answer but 401/403/404.
    Allowed,
    Forbidden,
    NotFound,
}
use Expect::{Allowed as A, Forbidden as F, NotFound as N};

const PEOPLE: [&str; 5] = ["owner", "admin", "other clinic's admin", "marketer", "staff"];

#[test]
fn every_administration_action_answers_each_role_as_the_rule_says() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        users::create(db, "owner@network.example", "Owner", Some(PASSWORD), &[], true).await.unwrap();
        user(db, "chief@pmc.example", &["pmc:admin"]).await;
        user(db, "boss@lakeside.example", &["lakeside:admin"]).await;
        user(db, "writer@pmc.example", &["pmc:marketer"]).await;
        user(db, "desk@pmc.example", &["pmc:staff:concord"]).await;
        let mut cookies = Vec::new();
        for email in [
            "owner@network.example",
            "chief@pmc.example",
            "boss@lakeside.example",
            "writer@pmc.example",
            "desk@pmc.example",
        ] {
            cookies.push(sign_in(&app, email).await);
        }
        let pmc = clinic::Entity::find().filter(clinic::Column::Slug.eq("pmc")).one(db).await.unwrap().unwrap();
        let concord = location::Entity::find()
            .filter(location::Column::ClinicId.eq(pmc.id))
            .filter(location::Column::Slug.eq("concord"))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        let office_form = format!(
            "clinic=pmc&form[id]={}&form[name]=Concord&form[address]=48+Placeholder+Way&form[phone]=925-555-0127\
             &form[timezone]=America%2FLos_Angeles&form[mon]=08%3A30-17%3A00&intent=preview",
            concord.id
        );
        let office = concord.id;
        // (what, server function, body, owner, admin, other clinic's admin, marketer, staff)
        let calls: Vec<(&str, &str, String, [Expect; 5])> = vec![
            ("offices", "list_offices", "clinic=pmc".into(), [A, A, N, F, F]),
            ("an office's form", "load_office", "clinic=pmc&office=new".into(), [A, A, N, F, F]),
            ("office preview", "save_office", office_form.clone(), [A, A, N, F, F]),
            (
                "archive an office",
                "archive_office",
                format!("clinic=pmc&office={office}&archived=false"),
                [A, A, N, F, F],
            ),
            ("test e-mail", "send_office_test", format!("clinic=pmc&office={office}"), [A, A, N, F, F]),
            ("routing tester", "try_routing", "clinic=pmc&question[zip]=94518".into(), [A, A, N, F, F]),
            ("routing order", "save_routing_order", "clinic=pmc&order=page_first".into(), [A, A, N, F, F]),
            ("office order", "move_office", format!("clinic=pmc&office={office}&direction=down"), [A, A, N, F, F]),
            ("default inbox", "save_default_inbox", "clinic=pmc&email=not-an-address".into(), [A, A, N, F, F]),
            ("clinic settings", "get_clinic_settings", "clinic=pmc".into(), [A, A, N, F, F]),
            ("request settings", "get_lead_settings", "clinic=pmc".into(), [A, A, N, F, F]),
            ("people", "list_members", "clinic=pmc".into(), [A, A, N, F, F]),
            (
                "give a role",
                "add_member",
                "clinic=pmc&form[email]=nobody&form[name]=&form[role]=marketer&form[location_id]=".into(),
                [A, A, N, F, F],
            ),
            ("account action", "account_action", "clinic=pmc&user=1&action=explode".into(), [A, A, N, F, F]),
            ("dashboard", "get_dashboard", "clinic=pmc".into(), [A, A, N, A, A]),
            ("clinics of the network", "get_network", String::new(), [A, F, F, F, F]),
            ("archive a clinic", "archive_clinic", "slug=pmc&archived=false".into(), [A, F, F, F, F]),
        ];
        let before = (
            location::Entity::find_by_id(office).one(db).await.unwrap(),
            clinic::Entity::find_by_id(pmc.id).one(db).await.unwrap(),
        );
        let mut wrong = Vec::new();
        for (what, function, body, expected) in &calls {
            for (i, person) in PEOPLE.iter().enumerate() {
                let a = call(&app, &cookies[i], &format!("/api/admin/{function}"), body).await;
                let got = match a.status {
                    StatusCode::FORBIDDEN => F,
                    StatusCode::NOT_FOUND => N,
                    StatusCode::UNAUTHORIZED => panic!("{person} is signed in"),
                    _ => A,
                };
                if got != expected[i] {
                    wrong.push(format!("{what} ({function}) by {person}: {} — expected {:?}", a.status, expected[i]));
                }
            }
        }
        // The clinic settings form (a plain POST, not a server function).
        for (i, person) in PEOPLE.iter().enumerate() {
            let a = send(
                &app,
                html_post("/admin/pmc/settings", Some(&cookies[i]), "name=X&tagline=&brand_color=%23ffffff"),
            )
            .await;
            let expected = [A, A, N, F, F][i];
            let got = match a.status {
                StatusCode::FORBIDDEN => F,
                StatusCode::NOT_FOUND => N,
                _ => A,
            };
            if got != expected {
                wrong.push(format!("clinic settings form by {person}: {} — expected {expected:?}", a.status));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));

        // Refusals changed nothing: the office and clinic are as they were, and the
        // only test mails queued are the allowed ones (owner and admin).
        assert_eq!(location::Entity::find_by_id(office).one(db).await.unwrap(), before.0);
        assert_eq!(clinic::Entity::find_by_id(pmc.id).one(db).await.unwrap(), before.1);
        let tests = outbox::Entity::find().filter(outbox::Column::Purpose.eq("office_test")).count(db).await.unwrap();
        let inboxes = serde_json::from_str::<Vec<String>>(&concord.inbox).unwrap().len() as u64;
        assert_eq!(tests, 2 * inboxes, "one test mail per inbox address, for the owner and the admin");
        let by_others: Vec<String> = audit_log::Entity::find()
            .filter(audit_log::Column::UserEmail.is_in([
                "boss@lakeside.example",
                "writer@pmc.example",
                "desk@pmc.example",
            ]))
            .filter(audit_log::Column::Action.ne("user.sign_in"))
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|l| format!("{} {}", l.action, l.summary))
            .collect();
        assert!(by_others.is_empty(), "nothing was done in their name: {by_others:?}");
        t
    }));
}
