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
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
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
            assert!(m.contains("/admin/leads/") && !m.contains("knee") && !m.contains("Ann Example"), "{m}");
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
