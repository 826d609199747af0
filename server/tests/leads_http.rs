//! Lead forms over HTTP through the real router, on SQLite and PostgreSQL:
//! refused forms come back with what was typed, accepted ones are stored
//! with their history and outbox rows in one go and answered with a
//! thank-you page; the outbox delivers notices without the lead's content.

mod common;

use axum::Router;
use axum::body::Body;
use chrono::{Duration, Utc};
use clinicpress::entities::{clinic, form_token_use, lead, lead_event, location, outbox};
use clinicpress::leads::outbox::Outbox;
use clinicpress::leads::spam::FormToken;
use clinicpress::leads::store;
use clinicpress::mail::Mailer;
use common::each_db;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use tower::ServiceExt;

const PMC: &str = "pmc.localhost:3000";

struct Answer {
    status: StatusCode,
    location: String,
    retry_after: String,
    body: String,
}

async fn send(app: &Router, req: Request<Body>) -> Answer {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let header = |name: &str| res.headers().get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let (location, retry_after) = (header("location"), header("retry-after"));
    let body = res.into_body().collect().await.unwrap().to_bytes();
    Answer { status, location, retry_after, body: String::from_utf8_lossy(&body).into_owned() }
}

fn post(path: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(path)
        .header("host", PMC)
        .header("origin", "http://pmc.localhost:3000")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn get(path: &str) -> Request<Body> {
    Request::builder().uri(path).header("host", PMC).body(Body::empty()).unwrap()
}

fn enc(s: &str) -> String {
    app::text::url_encode(s)
}

async fn pmc(db: &DatabaseConnection) -> clinic::Model {
    clinic::Entity::find().filter(clinic::Column::Slug.eq("pmc")).one(db).await.unwrap().unwrap()
}

/// A token as the form would have carried it, rendered `ago` seconds before.
async fn token(db: &DatabaseConnection, clinic_id: i32, ago: i64) -> String {
    let s = store::settings(db, clinic_id).await.unwrap();
    FormToken::issue(s.form_secret.as_bytes(), clinic_id, Utc::now() - Duration::seconds(ago))
}

fn form(token: &str, fields: &[(&str, &str)]) -> String {
    let mut body = format!("form_token={}&website=", enc(token));
    for (k, v) in fields {
        body.push_str(&format!("&{k}={}", enc(v)));
    }
    body
}

const GOOD: &[(&str, &str)] = &[
    ("kind", "contact"),
    ("name", "Ann Example"),
    ("contact_method", "email"),
    ("email", "ann@example.com"),
    ("phone", ""),
    ("message", "Do you see patients on Saturdays? My knee hurts."),
    ("consent", "on"),
];

fn with(
    base: &[(&'static str, &'static str)],
    changes: &[(&'static str, &'static str)],
) -> Vec<(&'static str, &'static str)> {
    let mut v: Vec<_> = base.iter().filter(|(k, _)| !changes.iter().any(|(c, _)| c == k)).copied().collect();
    v.extend_from_slice(changes);
    v
}

#[test]
fn a_contact_request_is_stored_routed_and_notified_without_its_content() {
    common::block_on(each_db(|t| async move {
        let (app, data) = common::demo_app(&t.db).await;
        let db = &t.db;
        let clinic = pmc(db).await;

        // The form: its token and consent text are on the page.
        let page = send(&app, get("/contact")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("name=\"form_token\"") && page.body.contains("name=\"consent\""), "form shown");

        // Chosen office wins.
        let tok = token(db, clinic.id, 30).await;
        let a = send(&app, post("/contact", &form(&tok, &with(GOOD, &[("office", "concord")])))).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
        assert!(a.location.starts_with("/contact/thanks?ref=PMC-"), "{}", a.location);
        assert!(a.location.ends_with("&office=concord"), "{}", a.location);
        let reference = a.location.split("ref=").nth(1).unwrap().split('&').next().unwrap().to_string();
        let stored =
            lead::Entity::find().filter(lead::Column::Reference.eq(&reference)).one(db).await.unwrap().unwrap();
        let concord = location::Entity::find()
            .filter(location::Column::ClinicId.eq(clinic.id))
            .filter(location::Column::Slug.eq("concord"))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (stored.status.as_str(), stored.routed_by.as_str(), stored.location_id),
            ("new", "chosen_office", Some(concord.id))
        );
        assert_eq!(stored.email, "ann@example.com");
        assert_eq!(stored.consent_version, store::DEFAULT_CONSENT_VERSION);
        let events = lead_event::Entity::find().filter(lead_event::Column::LeadId.eq(stored.id)).all(db).await.unwrap();
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["received", "routed"]);
        let rows = outbox::Entity::find().filter(outbox::Column::LeadId.eq(stored.id)).all(db).await.unwrap();
        let inbox: Vec<String> = serde_json::from_str(&concord.inbox).unwrap();
        let expected: Vec<String> = if inbox.is_empty() { vec![clinic.default_inbox.clone()] } else { inbox };
        let mut targets: Vec<String> = rows.iter().map(|r| r.target.clone()).collect();
        targets.sort();
        let mut want = expected.clone();
        want.sort();
        assert_eq!(targets, want, "one notice per office inbox address");

        // The thank-you page names the reference and the office.
        let thanks = send(&app, get(&a.location)).await;
        assert_eq!(thanks.status, StatusCode::OK);
        assert!(thanks.body.contains(&reference) && thanks.body.contains("Concord"), "thank-you page");

        // The same form sent again (double click): the first lead answers, nothing doubles.
        let again = send(&app, post("/contact", &form(&tok, &with(GOOD, &[("office", "concord")])))).await;
        assert_eq!((again.status, again.location.as_str()), (StatusCode::SEE_OTHER, a.location.as_str()));
        assert_eq!(lead::Entity::find().count(db).await.unwrap(), 1);

        // Delivery: an .eml per notice, with the reference and a link, never the message.
        let mailer = Mailer::files(data.join("mail"));
        let sent = Outbox::new(db.clone(), mailer).run_once(Utc::now()).await.unwrap();
        assert_eq!(sent, expected.len());
        let mut mails = Vec::new();
        for entry in std::fs::read_dir(data.join("mail")).unwrap() {
            mails.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
        let notices: Vec<&String> = mails.iter().filter(|m| m.contains(&reference)).collect();
        assert_eq!(notices.len(), expected.len(), "{mails:?}");
        for m in notices {
            assert!(m.contains("/admin/pmc/leads/") && !m.contains("knee") && !m.contains("Ann Example"), "{m}");
        }
        let rows = outbox::Entity::find().filter(outbox::Column::LeadId.eq(stored.id)).all(db).await.unwrap();
        assert!(rows.iter().all(|r| r.state == "sent" && r.attempts == 1), "{rows:?}");
        let deliveries = lead_event::Entity::find()
            .filter(lead_event::Column::LeadId.eq(stored.id))
            .filter(lead_event::Column::Kind.eq("delivery"))
            .count(db)
            .await
            .unwrap();
        assert_eq!(deliveries as usize, expected.len());
        t
    }));
}

#[test]
fn refused_forms_come_back_with_what_was_typed_and_each_problem() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        let clinic = pmc(db).await;
        let tok = token(db, clinic.id, 30).await;

        let typed = with(
            GOOD,
            &[
                ("name", "<b>Ann</b>"),
                ("email", "ann@"),
                ("consent", ""),
                ("message", "Hello <script>alert(1)</script>"),
            ],
        );
        let a = send(&app, post("/contact", &form(&tok, &typed))).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(a.body.contains("&lt;b&gt;Ann&lt;/b&gt;") || a.body.contains("&lt;b>Ann&lt;/b>"), "the name is kept");
        let at = a.body.find("id=\"lead-message\"").map(|i| &a.body[i..(i + 400).min(a.body.len())]);
        assert!(a.body.contains("Hello &lt;script"), "the message is kept, escaped: {at:?}");
        assert!(!a.body.contains("<script>alert(1)"), "never as markup");
        assert!(a.body.contains("lead-email-error") && a.body.contains("lead-consent-error"));
        assert!(a.body.contains("href=\"#lead-email\""), "the summary links to the field");
        assert_eq!(lead::Entity::find().count(db).await.unwrap(), 0, "nothing stored");

        // An office of another clinic is not a way in.
        let theirs = location::Entity::find().filter(location::Column::ClinicId.ne(clinic.id)).one(db).await.unwrap();
        let theirs = theirs.unwrap().slug;
        let body = form(&tok, &with(GOOD, &[])).replace("&kind=", &format!("&office={}&kind=", enc(&theirs)));
        let a = send(&app, post("/contact", &body)).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(a.body.contains("Choose one of our offices"), "office error");

        // A 1 MB message gets the form's own message, not a bare error.
        let big = "x".repeat(1024 * 1024);
        let a =
            send(&app, post("/contact", &form(&tok, &with(GOOD, &[("message", "BIG")])).replace("BIG", &big))).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(a.body.contains("lead-message-error"));
        assert_eq!(lead::Entity::find().count(db).await.unwrap(), 0, "nothing stored");
        t
    }));
}

#[test]
fn routing_spam_and_rate_limits() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        let clinic = pmc(db).await;
        let offices = store::offices(db, clinic.id).await.unwrap();

        // On an office's page with no office chosen: that office.
        let page_office = &offices[0];
        let a =
            send(&app, post(&format!("/locations/{}", page_office.slug), &form(&token(db, clinic.id, 30).await, GOOD)))
                .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
        let l = lead::Entity::find().one(db).await.unwrap().unwrap();
        assert_eq!((l.routed_by.as_str(), l.location_id), ("page_office", Some(page_office.id)));

        // A filled honeypot: stored as spam, never notified, the visitor is not told.
        let before = outbox::Entity::find().count(db).await.unwrap();
        let body = form(&token(db, clinic.id, 30).await, &with(GOOD, &[("email", "bot@example.com")]))
            .replace("website=", "website=http%3A%2F%2Fspam.example");
        let a = send(&app, post("/contact", &body)).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER);
        let spam = lead::Entity::find().filter(lead::Column::Email.eq("bot@example.com")).one(db).await.unwrap();
        let spam = spam.unwrap();
        assert_eq!(spam.status, "spam");
        assert!(spam.spam_reasons.unwrap().contains("honeypot"));
        assert_eq!(outbox::Entity::find().count(db).await.unwrap(), before, "spam is not notified");

        // Sent faster than a person can type: spam too.
        let body = form(&token(db, clinic.id, 0).await, &with(GOOD, &[("email", "fast@example.com")]));
        assert_eq!(send(&app, post("/contact", &body)).await.status, StatusCode::SEE_OTHER);
        let fast = lead::Entity::find().filter(lead::Column::Email.eq("fast@example.com")).one(db).await.unwrap();
        assert_eq!(fast.unwrap().status, "spam");

        // A flood from one address: 429 with Retry-After, the typed text kept.
        let mut last = None;
        for i in 0..12 {
            let email = format!("person{i}@example.com");
            let body = form(&token(db, clinic.id, 30).await, &with(GOOD, &[("email", "EMAIL")]))
                .replace("EMAIL", &enc(&email));
            last = Some(send(&app, post("/contact", &body)).await);
            if last.as_ref().unwrap().status == StatusCode::TOO_MANY_REQUESTS {
                break;
            }
        }
        let last = last.unwrap();
        assert_eq!(last.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(last.retry_after.parse::<u64>().unwrap() > 0);
        assert!(last.body.contains("several requests") && last.body.contains("Ann Example"), "kept");
        assert!(form_token_use::Entity::find().count(db).await.unwrap() >= 3);
        t
    }));
}

async fn staff_user(db: &DatabaseConnection, email: &str, roles: &[&str]) {
    use clinicpress::accounts::users::{self, RoleArg};
    let roles: Vec<RoleArg> = roles.iter().map(|r| r.parse().unwrap()).collect();
    users::create(db, email, email.split('@').next().unwrap(), Some("a long enough password"), &roles, false)
        .await
        .unwrap();
}

async fn sign_in(app: &Router, email: &str) -> String {
    let body = format!("email={}&password={}&next=/admin", enc(email), enc("a long enough password"));
    let res = app.clone().oneshot(post("/admin/login", &body)).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "signed in as {email}");
    let c = res.headers().get("set-cookie").unwrap().to_str().unwrap();
    c.split(';').next().unwrap().to_string()
}

async fn call(app: &Router, cookie: &str, path: &str, body: &str) -> Answer {
    let mut r = post(path, body);
    r.headers_mut().insert("cookie", cookie.parse().unwrap());
    r.headers_mut().insert("accept", "application/json".parse().unwrap());
    send(app, r).await
}

#[test]
fn staff_work_only_their_offices_leads_and_exports_are_audited() {
    use clinicpress::entities::audit_log;
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        let clinic = pmc(db).await;
        // One lead for Concord, one for Walnut Creek, with a formula in the name.
        let mut refs = Vec::new();
        for (office, name, email) in
            [("concord", "Ann Example", "ann@example.com"), ("walnut-creek", "=HYPERLINK(\"x\")", "bo@example.com")]
        {
            let body = form(
                &token(db, clinic.id, 30).await,
                &with(GOOD, &[("office", office), ("name", name), ("email", email)]),
            );
            let a = send(&app, post("/contact", &body)).await;
            assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
            refs.push(a.location.split("ref=").nth(1).unwrap().split('&').next().unwrap().to_string());
        }
        staff_user(db, "desk@pmc.example", &["pmc:staff:concord"]).await;
        staff_user(db, "chief@pmc.example", &["pmc:admin"]).await;
        staff_user(db, "writer@pmc.example", &["pmc:marketer"]).await;
        staff_user(db, "boss@lakeside.example", &["lakeside:admin"]).await;
        let desk = sign_in(&app, "desk@pmc.example").await;
        let chief = sign_in(&app, "chief@pmc.example").await;
        let writer = sign_in(&app, "writer@pmc.example").await;
        let boss = sign_in(&app, "boss@lakeside.example").await;
        let list = "clinic=pmc&query[status]=all&query[office]=&query[q]=&query[page]=1";

        // The inbox's short address leads to this host's clinic.
        let mut r = get("/admin/leads");
        r.headers_mut().insert("cookie", desk.parse().unwrap());
        let a = send(&app, r).await;
        assert_eq!((a.status, a.location.as_str()), (StatusCode::SEE_OTHER, "/admin/pmc/leads"));

        // Staff of Concord: Concord's lead only.
        let a = call(&app, &desk, "/api/admin/list_leads", list).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert!(a.body.contains(&refs[0]) && !a.body.contains(&refs[1]), "{}", a.body);
        let theirs = format!("clinic=pmc&reference={}", refs[1]);
        assert_eq!(call(&app, &desk, "/api/admin/get_lead", &theirs).await.status, StatusCode::NOT_FOUND);
        let change = format!("clinic=pmc&reference={}&action=status&value=closed", refs[1]);
        assert_eq!(call(&app, &desk, "/api/admin/lead_action", &change).await.status, StatusCode::NOT_FOUND);
        // The clinic admin sees both; a marketer none; another clinic's admin not even the clinic.
        let a = call(&app, &chief, "/api/admin/list_leads", list).await;
        assert!(a.body.contains(&refs[0]) && a.body.contains(&refs[1]), "{}", a.body);
        assert_eq!(call(&app, &writer, "/api/admin/list_leads", list).await.status, StatusCode::FORBIDDEN);
        assert_eq!(call(&app, &boss, "/api/admin/list_leads", list).await.status, StatusCode::NOT_FOUND);
        // Search by e-mail.
        let a = call(&app, &chief, "/api/admin/list_leads", &list.replace("query[q]=", "query[q]=BO%40EXAMPLE")).await;
        assert!(!a.body.contains(&refs[0]) && a.body.contains(&refs[1]), "{}", a.body);

        // Working a lead: open (recorded), assign, note, status; nothing of it is lost.
        let mine = format!("clinic=pmc&reference={}", refs[0].to_lowercase());
        let a = call(&app, &desk, "/api/admin/get_lead", &mine).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let detail: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        let desk_id =
            detail["assignable"].as_array().unwrap().iter().find(|u| u[1] == "desk").unwrap()[0].as_i64().unwrap();
        for (action, value) in
            [("assign", desk_id.to_string()), ("note", "Called back, voicemail".into()), ("status", "contacted".into())]
        {
            let a =
                call(&app, &desk, "/api/admin/lead_action", &format!("{mine}&action={action}&value={}", enc(&value)))
                    .await;
            assert_eq!(a.status, StatusCode::OK, "{action}: {}", a.body);
        }
        let bad = call(&app, &desk, "/api/admin/lead_action", &format!("{mine}&action=note&value=")).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let l = lead::Entity::find().filter(lead::Column::Reference.eq(&refs[0])).one(db).await.unwrap().unwrap();
        assert_eq!(
            (l.status.as_str(), l.assignee_id.is_some(), l.first_response_at.is_some()),
            ("contacted", true, true)
        );
        let kinds: Vec<String> = lead_event::Entity::find()
            .filter(lead_event::Column::LeadId.eq(l.id))
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        for k in ["viewed", "assigned", "note", "status"] {
            assert!(kinds.iter().any(|x| x == k), "{k} in {kinds:?}");
        }

        // CSV: only what the user may see, formulas neutralised, recorded in the audit log.
        let csv = {
            let r = Request::builder()
                .uri("/admin/pmc/leads.csv?status=all")
                .header("host", PMC)
                .header("cookie", &chief)
                .body(Body::empty())
                .unwrap();
            send(&app, r).await
        };
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.contains(&refs[0]) && csv.body.contains(&refs[1]));
        assert!(csv.body.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{}", csv.body);
        let desk_csv = {
            let r = Request::builder()
                .uri("/admin/pmc/leads.csv?status=all")
                .header("host", PMC)
                .header("cookie", &desk)
                .body(Body::empty())
                .unwrap();
            send(&app, r).await
        };
        assert!(desk_csv.body.contains(&refs[0]) && !desk_csv.body.contains(&refs[1]));
        let forbidden = {
            let r = Request::builder()
                .uri("/admin/pmc/leads.csv")
                .header("host", PMC)
                .header("cookie", &writer)
                .body(Body::empty())
                .unwrap();
            send(&app, r).await
        };
        assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
        assert_eq!(
            audit_log::Entity::find().filter(audit_log::Column::Action.eq("lead.export")).count(db).await.unwrap(),
            2
        );
        t
    }));
}

#[test]
fn with_the_database_down_the_visitor_is_asked_to_call_and_keeps_the_text() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        let c = pmc(db).await;
        let tok = token(db, c.id, 30).await;
        // The page was seen while all was well (its site and offices are remembered)…
        assert_eq!(send(&app, get("/locations/concord")).await.status, StatusCode::OK);
        let leads_before = lead::Entity::find().count(db).await.unwrap();
        // …then the database fails for everything, the clinic lookup included.
        db.execute_unprepared("ALTER TABLE clinic RENAME TO clinic_gone").await.unwrap();
        db.execute_unprepared("ALTER TABLE lead RENAME TO lead_gone").await.unwrap();
        let typed = with(GOOD, &[("message", "Is the Concord <office> open on Fridays?")]);
        let a = send(&app, post("/locations/concord", &form(&tok, &typed))).await;
        let page = send(&app, get("/blog")).await;
        db.execute_unprepared("ALTER TABLE clinic_gone RENAME TO clinic").await.unwrap();
        db.execute_unprepared("ALTER TABLE lead_gone RENAME TO lead").await.unwrap();

        assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{}", a.body);
        assert!(a.body.contains("Your request was not sent"), "{}", a.body);
        assert!(a.body.contains("Pain Medicine Consultants"), "the clinic name: {}", a.body);
        assert!(a.body.contains("Is the Concord &lt;office&gt; open on Fridays?"), "the text, escaped: {}", a.body);
        assert!(a.body.contains("Ann Example") && a.body.contains("ann@example.com"));
        assert!(a.body.contains("href=\"tel:"), "an office phone to call");
        assert!(!a.body.contains("Thank you"), "never a false thank-you");
        // Other pages say the service is unavailable; nothing is leaked.
        assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(!page.body.contains("clinic_gone") && !page.body.to_lowercase().contains("sql"));
        // Nothing was stored, and the form works again once the database is back.
        assert_eq!(lead::Entity::find().count(db).await.unwrap(), leads_before);
        let tok = token(db, c.id, 30).await;
        let again = send(&app, post("/locations/concord", &form(&tok, &typed))).await;
        assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
        t
    }));
}

/// Staff whose connection drops right after they press the button: each
/// note is still saved, once, and no pooled connection is left inside a
/// transaction (a request cut off during BEGIN used to leave one so on
/// PostgreSQL, and every later request on it ran in that transaction).
#[test]
fn an_action_whose_sender_goes_away_still_completes_and_leaves_no_open_transaction() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        let c = pmc(db).await;
        let body = form(&token(db, c.id, 30).await, &with(GOOD, &[("office", "concord")]));
        let a = send(&app, post("/contact", &body)).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
        let reference = a.location.split("ref=").nth(1).unwrap().split('&').next().unwrap().to_string();
        let l = lead::Entity::find().filter(lead::Column::Reference.eq(&reference)).one(db).await.unwrap().unwrap();
        staff_user(db, "chief@pmc.example", &["pmc:admin"]).await;
        let chief = sign_in(&app, "chief@pmc.example").await;
        const NOTES: usize = 40;
        for i in 0..NOTES {
            let mut r = post(
                "/api/admin/lead_action",
                &format!(
                    "clinic=pmc&reference={}&action=note&value={}",
                    reference.to_lowercase(),
                    enc(&format!("Call {i}"))
                ),
            );
            r.headers_mut().insert("cookie", chief.parse().unwrap());
            r.headers_mut().insert("accept", "application/json".parse().unwrap());
            // The client gives up after 0 to 1.9 ms: before, during or after the handler's BEGIN.
            let wait = std::time::Duration::from_micros(100 * (i % 20) as u64);
            let _ = tokio::time::timeout(wait, app.clone().oneshot(r)).await;
        }
        let notes = || async {
            lead_event::Entity::find()
                .filter(lead_event::Column::LeadId.eq(l.id))
                .filter(lead_event::Column::Kind.eq("note"))
                .all(db)
                .await
                .unwrap()
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while notes().await.len() < NOTES && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let mut saved: Vec<String> = notes().await.into_iter().map(|e| e.detail).collect();
        saved.sort();
        let mut want: Vec<String> = (0..NOTES).map(|i| format!("Call {i}")).collect();
        want.sort();
        assert_eq!(saved, want, "every note is saved once, though each sender went away");
        if t.backend == "postgres" {
            let open = db
                .query_one_raw(sea_orm::Statement::from_string(
                    sea_orm::DatabaseBackend::Postgres,
                    "SELECT count(*) AS n FROM pg_stat_activity \
                     WHERE datname = current_database() AND pid <> pg_backend_pid() \
                     AND state LIKE 'idle in transaction%'",
                ))
                .await
                .unwrap()
                .unwrap()
                .try_get::<i64>("", "n")
                .unwrap();
            assert_eq!(open, 0, "no pooled connection is left inside a transaction");
        }
        t
    }));
}
