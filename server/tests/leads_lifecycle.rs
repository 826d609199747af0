//! What happens to a lead after it is in, on SQLite and PostgreSQL:
//! escalation to the clinic's admins once it waits past the target (in
//! opening hours, exactly once), deletion after the clinic's retention
//! period, and a clinic admin's export and erasure of one request over
//! HTTP (staff and other clinics' admins refused, with no side effects).
//! Instants are passed in, so nothing waits for the clock.

mod common;

use axum::Router;
use axum::body::Body;
use chrono::{DateTime, Duration, TimeZone, Utc};
use clinicpress::entities::{audit_log, clinic, lead, lead_event, location, outbox};
use clinicpress::leads::escalation::{self, Links};
use clinicpress::leads::outbox::{Notice, Outbox, enqueue_email};
use clinicpress::leads::{Prefix, Reference, retention, store};
use clinicpress::mail::Mailer;
use common::each_db;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};
use tower::ServiceExt;

const PMC: &str = "pmc.localhost:3000";
const LINKS: Links = Links { https: true, port: 3000 };

fn la(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    chrono_tz::America::Los_Angeles.with_ymd_and_hms(y, mo, d, h, mi, 0).earliest().unwrap().with_timezone(&Utc)
}

fn chicago(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    chrono_tz::America::Chicago.with_ymd_and_hms(y, mo, d, h, mi, 0).earliest().unwrap().with_timezone(&Utc)
}

async fn clinic_by_slug(db: &DatabaseConnection, slug: &str) -> clinic::Model {
    clinic::Entity::find().filter(clinic::Column::Slug.eq(slug)).one(db).await.unwrap().unwrap()
}

async fn office(db: &DatabaseConnection, clinic_id: i32, slug: &str) -> location::Model {
    location::Entity::find()
        .filter(location::Column::ClinicId.eq(clinic_id))
        .filter(location::Column::Slug.eq(slug))
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

/// A lead as the form would have stored it, received at `at`, with its first history line.
async fn insert_lead(
    db: &DatabaseConnection,
    c: &clinic::Model,
    office: Option<&location::Model>,
    status: &str,
    at: DateTime<Utc>,
) -> lead::Model {
    let prefix = Prefix::for_clinic(&c.name, &c.slug);
    let l = lead::ActiveModel {
        clinic_id: Set(c.id),
        location_id: Set(office.map(|o| o.id)),
        reference: Set(Reference::generate(&prefix).into_string()),
        kind: Set("contact".into()),
        status: Set(status.into()),
        name: Set("Ann Example".into()),
        email: Set("ann@example.com".into()),
        phone: Set("+1 555 0100".into()),
        contact_method: Set("email".into()),
        message: Set("My knee hurts when I climb stairs.".into()),
        zip: Set("94520".into()),
        preferred_days: Set("[\"mon\"]".into()),
        preferred_times: Set("[\"morning\"]".into()),
        patient: Set("new".into()),
        wants_receipt: Set(true),
        consent_version: Set(store::DEFAULT_CONSENT_VERSION.into()),
        consent_text: Set(store::DEFAULT_CONSENT.into()),
        source_path: Set("/contact".into()),
        utm_source: Set(None),
        utm_medium: Set(None),
        utm_campaign: Set(None),
        routed_by: Set(if office.is_some() { "chosen_office" } else { "clinic_default" }.into()),
        spam_reasons: Set(None),
        ip_hash: Set("0123456789abcdef".into()),
        assignee_id: Set(None),
        received_at: Set(at),
        first_response_at: Set(None),
        closed_at: Set(if status == "closed" { Some(at + Duration::days(1)) } else { None }),
        escalated_at: Set(None),
        erased_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    store::event(db, &l, at, "received", "Received from /contact").await.unwrap();
    l
}

async fn rows_for(db: &DatabaseConnection, l: &lead::Model, purpose: &str) -> Vec<outbox::Model> {
    outbox::Entity::find()
        .filter(outbox::Column::LeadId.eq(l.id))
        .filter(outbox::Column::Purpose.eq(purpose))
        .all(db)
        .await
        .unwrap()
}

async fn user(db: &DatabaseConnection, email: &str, roles: &[&str]) {
    use clinicpress::accounts::users::{self, RoleArg};
    let roles: Vec<RoleArg> = roles.iter().map(|r| r.parse().unwrap()).collect();
    users::create(db, email, email.split('@').next().unwrap(), Some("a long enough password"), &roles, false)
        .await
        .unwrap();
}

#[test]
fn an_unanswered_lead_is_escalated_once_after_the_target_in_opening_hours() {
    common::block_on(each_db(|t| async move {
        let db = &t.db;
        common::with_demo(db).await;
        let pmc = clinic_by_slug(db, "pmc").await;
        let concord = office(db, pmc.id, "concord").await;

        // No admin in PMC yet: the escalation goes to the default inbox rather than nowhere.
        // The default inbox counts every hour: due four hours after it arrived.
        let t0 = la(2025, 6, 16, 10, 0);
        let default = insert_lead(db, &pmc, None, "new", t0).await;
        assert!(escalation::run(db, LINKS, t0 + Duration::minutes(239)).await.unwrap().is_empty());
        // While the clinic is archived nobody is chased about its requests.
        let set_archived = |at: Option<DateTime<Utc>>| {
            let mut am: clinic::ActiveModel = pmc.clone().into();
            am.archived_at = Set(at);
            am.update(db)
        };
        set_archived(Some(t0)).await.unwrap();
        assert!(escalation::run(db, LINKS, t0 + Duration::hours(4)).await.unwrap().is_empty(), "archived");
        set_archived(None).await.unwrap();
        assert_eq!(escalation::run(db, LINKS, t0 + Duration::hours(4)).await.unwrap(), [default.reference.as_str()]);
        let rows = rows_for(db, &default, "escalation").await;
        assert_eq!(rows.iter().map(|r| r.target.as_str()).collect::<Vec<_>>(), ["frontdesk@pmc.example"]);

        user(db, "chief@pmc.example", &["pmc:admin"]).await;
        user(db, "second@pmc.example", &["pmc:admin", "pmc:staff:concord"]).await;
        user(db, "desk@pmc.example", &["pmc:staff:concord"]).await;

        // Concord is open Monday to Thursday. Thursday 16:00: one hour that day, then
        // closed until Monday 08:30, so four business hours pass on Monday at 11:30.
        let thursday = la(2025, 6, 19, 16, 0);
        let late = insert_lead(db, &pmc, Some(&concord), "new", thursday).await;
        let mut answered = insert_lead(db, &pmc, Some(&concord), "new", thursday).await.into_active_model();
        answered.status = Set("contacted".into());
        answered.first_response_at = Set(Some(thursday + Duration::minutes(20)));
        let answered = answered.update(db).await.unwrap();
        let spam = insert_lead(db, &pmc, Some(&concord), "spam", thursday).await;

        // Outside opening hours the clock stands still, although the wall clock passes four hours.
        for quiet in [la(2025, 6, 19, 23, 0), la(2025, 6, 20, 13, 0), la(2025, 6, 22, 20, 0), la(2025, 6, 23, 11, 29)] {
            assert!(escalation::run(db, LINKS, quiet).await.unwrap().is_empty(), "nothing due at {quiet}");
        }
        assert!(rows_for(db, &late, "escalation").await.is_empty());

        // Due: two processes at once still make one escalation.
        let due = la(2025, 6, 23, 11, 30);
        let (a, b) = tokio::join!(escalation::run(db, LINKS, due), escalation::run(db, LINKS, due));
        let mut both = a.unwrap();
        both.extend(b.unwrap());
        assert_eq!(both, [late.reference.as_str()], "escalated by exactly one run");
        // And later runs change nothing.
        for again in [due + Duration::minutes(1), due + Duration::days(3)] {
            assert!(escalation::run(db, LINKS, again).await.unwrap().is_empty());
        }
        let rows = rows_for(db, &late, "escalation").await;
        let mut targets: Vec<&str> = rows.iter().map(|r| r.target.as_str()).collect();
        targets.sort();
        assert_eq!(targets, ["chief@pmc.example", "second@pmc.example"], "one e-mail per clinic admin");
        assert!(
            rows_for(db, &answered, "escalation").await.is_empty()
                && rows_for(db, &spam, "escalation").await.is_empty()
        );
        let stored = lead::Entity::find_by_id(late.id).one(db).await.unwrap().unwrap();
        assert_eq!(stored.escalated_at, Some(due));
        let history: Vec<lead_event::Model> =
            lead_event::Entity::find().filter(lead_event::Column::LeadId.eq(late.id)).all(db).await.unwrap();
        let escalated: Vec<&lead_event::Model> = history.iter().filter(|e| e.kind == "escalated").collect();
        assert_eq!(escalated.len(), 1, "{history:?}");
        assert!(escalated[0].detail.contains("4 business hours"), "{}", escalated[0].detail);

        // The e-mail: the link to the request and how long it waited, never its content.
        for r in &rows {
            let text = format!("{}\n{}", r.subject, r.payload);
            assert!(text.contains(&format!("https://www.pmc.example/admin/pmc/leads/{}", late.reference)), "{text}");
            assert!(text.contains("4 h 00 min") && text.contains("Concord"), "{text}");
            assert!(!text.contains("Ann Example") && !text.contains("ann@example.com") && !text.contains("knee"));
        }
        let mail_dir = tempfile::tempdir().unwrap();
        let sent = Outbox::new(db.clone(), Mailer::files(mail_dir.path().to_path_buf())).run_once(due).await.unwrap();
        assert!(sent >= 3, "{sent}");
        let mut mails = Vec::new();
        for entry in std::fs::read_dir(mail_dir.path()).unwrap() {
            mails.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
        let about_late: Vec<&String> = mails.iter().filter(|m| m.contains(&late.reference)).collect();
        assert_eq!(about_late.len(), 2);
        for m in about_late {
            assert!(m.contains("chief@pmc.example") || m.contains("second@pmc.example"), "{m}");
            assert!(!m.contains("Ann Example") && !m.contains("ann@example.com") && !m.contains("knee"), "{m}");
        }

        // The clinic's own target: Lakeside asks for one business hour. Evanston is open
        // Wednesday 10:00–19:00 and Thursday from 08:00 (Chicago time).
        let lakeside = clinic_by_slug(db, "lakeside").await;
        let mut s = store::settings(db, lakeside.id).await.unwrap().into_active_model();
        s.response_target_minutes = Set(60);
        s.update(db).await.unwrap();
        let evanston = office(db, lakeside.id, "evanston").await;
        let evening = insert_lead(db, &lakeside, Some(&evanston), "new", chicago(2025, 6, 18, 18, 30)).await;
        assert!(escalation::run(db, LINKS, chicago(2025, 6, 19, 8, 29)).await.unwrap().is_empty());
        assert_eq!(
            escalation::run(db, LINKS, chicago(2025, 6, 19, 8, 30)).await.unwrap(),
            [evening.reference.as_str()]
        );
        let rows = rows_for(db, &evening, "escalation").await;
        assert_eq!(rows.iter().map(|r| r.target.as_str()).collect::<Vec<_>>(), ["admin@lakeside-derm.example"]);
        assert!(rows[0].payload.contains("1 business hour"), "{}", rows[0].payload);
        t
    }));
}

#[test]
fn retention_deletes_only_old_closed_and_spam_leads_of_that_clinic() {
    common::block_on(each_db(|t| async move {
        let db = &t.db;
        common::with_demo(db).await;
        let pmc = clinic_by_slug(db, "pmc").await;
        let lakeside = clinic_by_slug(db, "lakeside").await;
        let concord = office(db, pmc.id, "concord").await;
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 3, 0, 0).unwrap();
        let old = now - Duration::days(90);

        // Nothing is deleted while no period is set.
        let closed = insert_lead(db, &pmc, Some(&concord), "closed", old).await;
        assert!(retention::run(db, now).await.unwrap().is_empty());

        let mut s = store::settings(db, pmc.id).await.unwrap().into_active_model();
        s.retention_days = Set(Some(30));
        s.update(db).await.unwrap();
        let notice = Notice { subject: "New message".into(), body: "A new message arrived.".into() };
        enqueue_email(db, &closed, "office_notice", "concord@pmc.example", &notice, old).await.unwrap();
        let spam = insert_lead(db, &pmc, None, "spam", old).await;
        // Only viewed and exported since: still unchanged, so it goes.
        let viewed = insert_lead(db, &pmc, Some(&concord), "closed", old).await;
        store::event(db, &viewed, now - Duration::days(1), "viewed", "Opened the request").await.unwrap();
        store::event(db, &viewed, now - Duration::days(1), "export", "Downloaded").await.unwrap();
        // A note last week keeps it.
        let noted = insert_lead(db, &pmc, Some(&concord), "closed", old).await;
        store::event(db, &noted, now - Duration::days(7), "note", "Called again").await.unwrap();
        // Closed recently, or still open: kept.
        let mut recent = insert_lead(db, &pmc, Some(&concord), "closed", old).await.into_active_model();
        recent.closed_at = Set(Some(now - Duration::days(10)));
        let recent = recent.update(db).await.unwrap();
        let open = insert_lead(db, &pmc, Some(&concord), "new", old).await;
        // Another clinic without a period: kept.
        let theirs = insert_lead(db, &lakeside, None, "closed", old).await;

        assert_eq!(retention::run(db, now).await.unwrap(), [(pmc.id, 3)]);
        let left: Vec<String> = lead::Entity::find().all(db).await.unwrap().into_iter().map(|l| l.reference).collect();
        for gone in [&closed, &spam, &viewed] {
            assert!(!left.contains(&gone.reference), "{} deleted", gone.reference);
            let events = lead_event::Entity::find().filter(lead_event::Column::LeadId.eq(gone.id)).count(db).await;
            assert_eq!(events.unwrap(), 0, "history deleted with it");
            let rows = outbox::Entity::find().filter(outbox::Column::LeadId.eq(gone.id)).count(db).await;
            assert_eq!(rows.unwrap(), 0, "outbox rows deleted with it");
        }
        for kept in [&noted, &recent, &open, &theirs] {
            assert!(left.contains(&kept.reference), "{} kept", kept.reference);
        }
        let entries = audit_log::Entity::find().filter(audit_log::Column::Action.eq("lead.retention")).all(db).await;
        let entries = entries.unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].clinic_id, Some(pmc.id));
        assert!(entries[0].summary.starts_with("Deleted 3 closed or spam request(s)"), "{}", entries[0].summary);
        assert!(!entries[0].summary.contains("Ann") && !entries[0].summary.contains(&closed.reference));

        // The next day: nothing more to do, and no empty audit lines.
        assert!(retention::run(db, now + Duration::days(1)).await.unwrap().is_empty());
        let n = audit_log::Entity::find().filter(audit_log::Column::Action.eq("lead.retention")).count(db).await;
        assert_eq!(n.unwrap(), 1);
        // Once the note and the closing are old too, those leads go as well; the open one stays.
        assert_eq!(retention::run(db, now + Duration::days(24)).await.unwrap(), [(pmc.id, 2)]);
        assert!(lead::Entity::find_by_id(noted.id).one(db).await.unwrap().is_none());
        assert!(lead::Entity::find_by_id(recent.id).one(db).await.unwrap().is_none());
        assert!(lead::Entity::find_by_id(open.id).one(db).await.unwrap().is_some());
        assert_eq!(count_action(db, "lead.retention").await, 2);
        t
    }));
}

struct Answer {
    status: StatusCode,
    headers: http::HeaderMap,
    body: String,
}

async fn send(app: &Router, req: Request<Body>) -> Answer {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    Answer { status, headers, body: String::from_utf8_lossy(&body).into_owned() }
}

fn post(path: &str, cookie: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(path)
        .header("host", PMC)
        .header("origin", "http://pmc.localhost:3000")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header("cookie", cookie)
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::builder().uri(path).header("host", PMC).header("cookie", cookie).body(Body::empty()).unwrap()
}

async fn sign_in(app: &Router, email: &str) -> String {
    let body = format!(
        "email={}&password={}&next=/admin",
        app::text::url_encode(email),
        app::text::url_encode("a long enough password")
    );
    let req = Request::builder()
        .method("POST")
        .uri("/admin/login")
        .header("host", PMC)
        .header("origin", "http://pmc.localhost:3000")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "signed in as {email}");
    res.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_string()
}

async fn count_action(db: &DatabaseConnection, action: &str) -> u64 {
    audit_log::Entity::find().filter(audit_log::Column::Action.eq(action)).count(db).await.unwrap()
}

async fn events_of(db: &DatabaseConnection, l: &lead::Model) -> Vec<lead_event::Model> {
    lead_event::Entity::find().filter(lead_event::Column::LeadId.eq(l.id)).all(db).await.unwrap()
}

#[test]
fn clinic_admins_export_and_erase_a_request_others_cannot() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        let pmc = clinic_by_slug(db, "pmc").await;
        let concord = office(db, pmc.id, "concord").await;
        let l = insert_lead(db, &pmc, Some(&concord), "new", Utc::now() - Duration::hours(1)).await;
        let receipt = Notice { subject: "PMC: we received your request".into(), body: "Thank you.".into() };
        enqueue_email(db, &l, "receipt", &l.email, &receipt, l.received_at).await.unwrap();
        store::event(db, &l, l.received_at, "delivery", "Receipt to the visitor sent to ann@example.com")
            .await
            .unwrap();
        store::event(db, &l, l.received_at, "note", "Her knee again; call Ann Example back").await.unwrap();

        user(db, "chief@pmc.example", &["pmc:admin"]).await;
        user(db, "desk@pmc.example", &["pmc:staff:concord"]).await;
        user(db, "writer@pmc.example", &["pmc:marketer"]).await;
        user(db, "boss@lakeside.example", &["lakeside:admin"]).await;
        let chief = sign_in(&app, "chief@pmc.example").await;
        let desk = sign_in(&app, "desk@pmc.example").await;
        let writer = sign_in(&app, "writer@pmc.example").await;
        let boss = sign_in(&app, "boss@lakeside.example").await;
        let json = format!("/admin/pmc/leads/{}.json", l.reference);
        let erase = |confirm: &str| format!("clinic=pmc&reference={}&confirm={confirm}", l.reference);
        let history_before = events_of(db, &l).await.len();

        // Staff (who work this very office), marketers and another clinic's admin: refused, nothing recorded.
        for (who, cookie, want) in [
            ("staff", &desk, StatusCode::FORBIDDEN),
            ("marketer", &writer, StatusCode::FORBIDDEN),
            ("other clinic's admin", &boss, StatusCode::NOT_FOUND),
        ] {
            let a = send(&app, get(&json, cookie)).await;
            assert_eq!(a.status, want, "{who} exports");
            assert!(!a.body.contains("ann@example.com"), "{who}");
            let a = send(&app, post("/api/admin/erase_lead", cookie, &erase(&l.reference))).await;
            assert_eq!(a.status, want, "{who} erases: {}", a.body);
        }
        let signed_out = send(&app, get(&json, "")).await;
        assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
        assert_eq!(count_action(db, "lead.export").await + count_action(db, "lead.erase").await, 0);
        let unchanged = lead::Entity::find_by_id(l.id).one(db).await.unwrap().unwrap();
        assert_eq!((unchanged.name.as_str(), unchanged.erased_at), ("Ann Example", None));
        assert_eq!(events_of(db, &l).await.len(), history_before, "no history line for refused calls");

        // The lead page offers the data tools to the admin only.
        let page =
            |cookie: &String| post("/api/admin/get_lead", cookie, &format!("clinic=pmc&reference={}", l.reference));
        let d: serde_json::Value = serde_json::from_str(&send(&app, page(&chief)).await.body).unwrap();
        assert_eq!(d["can_manage_data"], true);
        let d: serde_json::Value = serde_json::from_str(&send(&app, page(&desk)).await.body).unwrap();
        assert_eq!(d["can_manage_data"], false);

        let html = send(&app, get(&format!("/admin/pmc/leads/{}", l.reference), &chief)).await;
        assert_eq!(html.status, StatusCode::OK);
        assert!(html.body.contains(&format!("{json}\"")) && html.body.contains("Erase the personal data"));
        let html = send(&app, get(&format!("/admin/pmc/leads/{}", l.reference), &desk)).await;
        assert!(html.body.contains("My knee hurts") && !html.body.contains("Erase the personal data"));

        // The admin's export: every field, the history and the deliveries, as a download.
        let a = send(&app, get(&json, &chief)).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert!(a.headers["content-type"].to_str().unwrap().starts_with("application/json"));
        let disposition = a.headers["content-disposition"].to_str().unwrap();
        assert_eq!(disposition, format!("attachment; filename=\"request-{}.json\"", l.reference));
        let doc: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        assert_eq!(doc["lead"]["reference"], l.reference.as_str());
        assert_eq!(doc["lead"]["email"], "ann@example.com");
        assert_eq!(doc["lead"]["message"], "My knee hurts when I climb stairs.");
        assert_eq!(doc["lead"]["zip"], "94520");
        assert_eq!(doc["lead"]["office"]["slug"], "concord");
        assert_eq!(doc["lead"]["preferred_days"][0], "mon");
        assert!(doc["history"].as_array().unwrap().iter().any(|h| h["kind"] == "note"));
        assert_eq!(doc["deliveries"][0]["purpose"], "receipt");
        assert_eq!(doc["deliveries"][0]["target"], "ann@example.com");
        assert_eq!(count_action(db, "lead.export").await, 1);
        assert!(events_of(db, &l).await.iter().any(|e| e.kind == "export"));
        // Unknown references and other clinics' requests are not found.
        assert_eq!(send(&app, get("/admin/pmc/leads/PMC-ZZZZZZ.json", &chief)).await.status, StatusCode::NOT_FOUND);
        let lakeside = clinic_by_slug(db, "lakeside").await;
        let theirs = insert_lead(db, &lakeside, None, "new", Utc::now()).await;
        let a = send(&app, get(&format!("/admin/pmc/leads/{}.json", theirs.reference), &chief)).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);

        // Erasing asks for the reference first.
        let a = send(&app, post("/api/admin/erase_lead", &chief, &erase("PMC-WRONG1"))).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
        assert_eq!(lead::Entity::find_by_id(l.id).one(db).await.unwrap().unwrap().name, "Ann Example");
        let a = send(&app, post("/api/admin/erase_lead", &chief, &erase(&l.reference.to_lowercase()))).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let e = lead::Entity::find_by_id(l.id).one(db).await.unwrap().unwrap();
        assert_eq!((e.name.as_str(), e.message.as_str()), ("(erased)", "(erased)"));
        assert_eq!((e.email.as_str(), e.phone.as_str(), e.zip.as_str(), e.ip_hash.as_str()), ("", "", "", ""));
        assert_eq!((e.preferred_days.as_str(), e.patient.as_str()), ("[]", ""));
        assert!(e.erased_at.is_some());
        // What counts stays: reference, clinic, office, kind, status, dates.
        assert_eq!(
            (&e.reference, e.clinic_id, e.location_id, &e.kind, &e.status, e.received_at),
            (&l.reference, l.clinic_id, l.location_id, &l.kind, &l.status, l.received_at)
        );
        let history = events_of(db, &l).await;
        assert!(history.iter().any(|h| h.kind == "erased" && h.user_email.as_deref() == Some("chief@pmc.example")));
        for h in &history {
            assert!(!h.detail.contains("ann@example.com") && !h.detail.contains("knee"), "{h:?}");
        }
        let rows = rows_for(db, &l, "receipt").await;
        assert_eq!(
            (rows[0].target.as_str(), rows[0].state.as_str()),
            ("(erased)", "dead"),
            "the unsent receipt is cancelled"
        );
        let audit = audit_log::Entity::find().filter(audit_log::Column::Action.eq("lead.erase")).all(db).await.unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].user_email, "chief@pmc.example");
        assert!(audit[0].summary.contains(&l.reference) && !audit[0].summary.contains("ann@"), "{}", audit[0].summary);

        // The export now shows the stub; erasing again changes nothing.
        let a = send(&app, get(&json, &chief)).await;
        assert!(!a.body.contains("ann@example.com") && !a.body.contains("knee") && !a.body.contains("Ann Example"));
        assert!(a.body.contains("(erased)"));
        let a = send(&app, post("/api/admin/erase_lead", &chief, &erase(&l.reference))).await;
        assert_eq!(a.status, StatusCode::OK);
        assert!(a.body.contains("already erased"), "{}", a.body);
        assert_eq!(count_action(db, "lead.erase").await, 1);
        t
    }));
}
