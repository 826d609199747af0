//! Lead side effects against real servers, on SQLite and PostgreSQL: office
//! notices over SMTP to a small SMTP sink (down, refusing, back), webhook
//! calls to a local HTTP server (signed, timing out, retried), and the JSON
//! API `POST /api/v1/leads` (201/422/429/503, CORS, spam signals).
//!
//! The outbox is driven with `Outbox::run_once(now)`: a `now` past the
//! backoff makes failed rows due again without sleeping.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use axum::Router;
use axum::body::Body;
use chrono::{DateTime, Duration, Utc};
use clinicpress::entities::{clinic, lead, lead_event, lead_settings, outbox};
use clinicpress::leads::inbox::{self, Scope};
use clinicpress::leads::outbox::{MAX_ATTEMPTS, Outbox};
use clinicpress::leads::{store, webhook};
use clinicpress::mail::Mailer;
use common::each_db;
use common::smtp::{Mode, SmtpSink, free_port};
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{Value, json};
use tower::ServiceExt;

const PMC: &str = "pmc.localhost:3000";
const SECRET: &str = "a webhook secret for tests";
const PARTNER: &str = "https://www.pmc-partner.example";

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

async fn send(app: &Router, req: Request<Body>) -> Answer {
    let res = app.clone().oneshot(req).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let body = res.into_body().collect().await.unwrap().to_bytes();
    Answer { status, headers, body: String::from_utf8_lossy(&body).into_owned() }
}

fn api_request(body: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut r = Request::builder()
        .method("POST")
        .uri("/api/v1/leads")
        .header("host", PMC)
        .header("content-type", "application/json");
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.body(Body::from(body.to_string())).unwrap()
}

/// A good contact request, with `changes` on top.
fn lead_body(changes: Value) -> Value {
    let mut v = json!({
        "kind": "contact",
        "name": "Ann Example",
        "email": "ann@example.com",
        "contact_method": "email",
        "message": "Do you see patients on Saturdays? My knee hurts.",
        "consent": true,
        "page": "https://www.pmc-partner.example/landing",
    });
    for (k, x) in changes.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

async fn api(app: &Router, changes: Value) -> Answer {
    send(app, api_request(&lead_body(changes).to_string(), &[])).await
}

/// Send a lead through the API; its reference.
async fn accepted(app: &Router, changes: Value) -> String {
    let a = api(app, changes).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    a.json()["reference"].as_str().unwrap().to_string()
}

async fn pmc(db: &DatabaseConnection) -> clinic::Model {
    clinic::Entity::find().filter(clinic::Column::Slug.eq("pmc")).one(db).await.unwrap().unwrap()
}

async fn lead_of(db: &DatabaseConnection, reference: &str) -> lead::Model {
    lead::Entity::find().filter(lead::Column::Reference.eq(reference)).one(db).await.unwrap().unwrap()
}

async fn rows(db: &DatabaseConnection, reference: &str) -> Vec<outbox::Model> {
    let l = lead_of(db, reference).await;
    outbox::Entity::find()
        .filter(outbox::Column::LeadId.eq(l.id))
        .order_by_asc(outbox::Column::Id)
        .all(db)
        .await
        .unwrap()
}

async fn history(db: &DatabaseConnection, reference: &str) -> Vec<String> {
    let l = lead_of(db, reference).await;
    lead_event::Entity::find()
        .filter(lead_event::Column::LeadId.eq(l.id))
        .order_by_asc(lead_event::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| format!("{}: {}", e.kind, e.detail))
        .collect()
}

/// Change the clinic's lead settings.
async fn configure(db: &DatabaseConnection, change: impl FnOnce(&mut lead_settings::ActiveModel)) {
    let clinic = pmc(db).await;
    let mut am: lead_settings::ActiveModel = store::settings(db, clinic.id).await.unwrap().into();
    change(&mut am);
    am.update(db).await.unwrap();
}

/// Well past any backoff: every pending row is due.
fn later() -> DateTime<Utc> {
    Utc::now() + Duration::hours(2)
}

fn smtp_outbox(db: &DatabaseConnection, url: &str) -> Outbox {
    Outbox::new(db.clone(), Mailer::smtp(url).unwrap())
}

fn admin() -> clinicpress::audit::Actor {
    clinicpress::audit::Actor { id: None, name: "Test admin".into(), email: "admin@pmc.example".into() }
}

fn everything() -> Scope {
    Scope { all: true, offices: vec![] }
}

// ---------------------------------------------------------------- SMTP

#[test]
fn the_office_notice_goes_by_smtp_to_the_offices_inboxes_without_the_request() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        let sink = SmtpSink::start().await;
        let reference = accepted(&app, json!({ "office": "concord", "receipt": true })).await;

        let tried = smtp_outbox(db, &sink.url()).run_once(Utc::now()).await.unwrap();
        assert_eq!(tried, 3, "two Concord inboxes and the visitor's receipt");
        let got = sink.received();
        let mut to: Vec<String> = got.iter().flat_map(|m| m.to.clone()).collect();
        to.sort();
        assert_eq!(to, ["ann@example.com", "billing@pmc.example", "concord@pmc.example"]);
        for m in &got {
            assert_eq!(m.from, "no-reply@clinicpress.invalid");
            assert_eq!(m.to.len(), 1, "one envelope per address");
            let text = m.text();
            assert!(text.contains(&reference), "{text}");
            for private in ["Ann Example", "knee", "Saturdays"] {
                assert!(!text.contains(private) && !m.data.contains(private), "{private} in {}", m.data);
            }
        }
        let notice = got.iter().find(|m| m.to == ["concord@pmc.example"]).unwrap().text();
        assert!(notice.contains("Concord") && notice.contains(&format!("/admin/pmc/leads/{reference}")), "{notice}");
        let receipt = got.iter().find(|m| m.to == ["ann@example.com"]).unwrap().text();
        assert!(!receipt.contains("/admin/"), "the visitor gets no staff link: {receipt}");

        assert!(rows(db, &reference).await.iter().all(|r| r.state == "sent" && r.attempts == 1));
        let h = history(db, &reference).await;
        assert_eq!(h.iter().filter(|l| l.starts_with("delivery:")).count(), 3, "{h:?}");
        t
    }));
}

#[test]
fn smtp_down_then_up_delivers_later_exactly_once() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        let port = free_port();
        let outbox = smtp_outbox(db, &format!("smtp://127.0.0.1:{port}"));
        let reference = accepted(&app, json!({ "office": "walnut-creek" })).await;

        // Nothing listens: the notice waits, the lead is there.
        assert_eq!(outbox.run_once(Utc::now()).await.unwrap(), 1);
        let row = rows(db, &reference).await.remove(0);
        assert_eq!((row.state.as_str(), row.attempts), ("pending", 1));
        assert!(row.last_error.as_deref().is_some_and(|e| e.contains("SMTP")), "{:?}", row.last_error);
        assert!(row.next_attempt_at > Utc::now() + Duration::seconds(30), "backed off");
        assert_eq!(outbox.run_once(Utc::now()).await.unwrap(), 0, "not due again yet");
        assert_eq!(lead_of(db, &reference).await.status, "new");

        // The server comes up: delivered on the next due round, and only once.
        let sink = SmtpSink::start_on(port).await;
        assert_eq!(outbox.run_once(later()).await.unwrap(), 1);
        assert_eq!(outbox.run_once(later() + Duration::hours(3)).await.unwrap(), 0);
        let got = sink.received();
        assert_eq!(got.len(), 1, "exactly once");
        assert_eq!(got[0].to, ["walnutcreek@pmc.example"]);
        let row = rows(db, &reference).await.remove(0);
        assert_eq!((row.state.as_str(), row.attempts, row.last_error), ("sent", 2, None));
        let h = history(db, &reference).await;
        assert!(h.iter().any(|l| l.contains("sent to walnutcreek@pmc.example")), "{h:?}");
        t
    }));
}

#[test]
fn a_refusing_smtp_server_is_retried_until_dead_and_resend_works() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        let clinic = pmc(db).await;
        let sink = SmtpSink::start().await;
        let outbox = smtp_outbox(db, &sink.url());
        sink.set_mode(Mode::Refuse(451, "4.3.0 Mailbox busy, try again later".into()));
        let reference = accepted(&app, json!({ "office": "walnut-creek" })).await;

        for attempt in 1..=MAX_ATTEMPTS {
            assert_eq!(outbox.run_once(later()).await.unwrap(), 1, "attempt {attempt}");
            let row = rows(db, &reference).await.remove(0);
            assert_eq!(row.attempts, attempt);
            assert!(row.last_error.as_deref().unwrap_or("").contains("451"), "{:?}", row.last_error);
            let want = if attempt < MAX_ATTEMPTS { "pending" } else { "dead" };
            assert_eq!(row.state, want, "after attempt {attempt}");
        }
        assert_eq!(outbox.run_once(later()).await.unwrap(), 0, "dead rows are left alone");
        assert_eq!((sink.refused(), sink.received().len()), (MAX_ATTEMPTS as usize, 0));
        let h = history(db, &reference).await;
        assert!(h.iter().any(|l| l.contains(&format!("failed after {MAX_ATTEMPTS} attempt(s)"))), "{h:?}");
        // The lead page shows it.
        let page = inbox::detail(db, clinic.id, &everything(), &reference, &admin(), Utc::now()).await.unwrap();
        assert_eq!(page.deliveries.len(), 1);
        assert_eq!((page.deliveries[0].state.as_str(), page.deliveries[0].attempts), ("dead", MAX_ATTEMPTS));

        // The server accepts again; staff resend.
        sink.set_mode(Mode::Accept);
        let resend = app::leads::model::LeadAction::Resend;
        inbox::act(db, clinic.id, &everything(), &reference, &admin(), &resend, Utc::now()).await.unwrap();
        assert_eq!(outbox.run_once(Utc::now()).await.unwrap(), 1);
        assert_eq!(sink.received().len(), 1);
        assert_eq!(rows(db, &reference).await[0].state, "sent");

        // A permanent refusal (5xx) is not retried.
        sink.set_mode(Mode::Refuse(550, "5.1.1 No such mailbox".into()));
        let second = accepted(&app, json!({ "office": "walnut-creek", "email": "bo@example.com" })).await;
        assert_eq!(outbox.run_once(Utc::now()).await.unwrap(), 1);
        let row = rows(db, &second).await.remove(0);
        assert_eq!((row.state.as_str(), row.attempts), ("dead", 1));
        t
    }));
}

// ------------------------------------------------------------ webhooks

#[derive(Clone)]
enum Behaviour {
    Ok,
    Status(u16),
    Hang(StdDuration),
}

#[derive(Clone, Debug)]
struct Call {
    headers: HeaderMap,
    body: Vec<u8>,
}

/// A webhook receiver: a real axum server on a random port.
struct Receiver {
    addr: std::net::SocketAddr,
    calls: Arc<Mutex<Vec<Call>>>,
    behaviour: Arc<Mutex<Behaviour>>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    async fn start() -> Receiver {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let behaviour = Arc::new(Mutex::new(Behaviour::Ok));
        let (c, b) = (calls.clone(), behaviour.clone());
        let app = Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let (c, b) = (c.clone(), b.clone());
                async move {
                    c.lock().unwrap().push(Call { headers, body: body.to_vec() });
                    let now = b.lock().unwrap().clone();
                    match now {
                        Behaviour::Ok => StatusCode::NO_CONTENT,
                        Behaviour::Status(s) => StatusCode::from_u16(s).unwrap(),
                        Behaviour::Hang(d) => {
                            tokio::time::sleep(d).await;
                            StatusCode::OK
                        }
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Receiver { addr, calls, behaviour, task }
    }

    fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    fn set(&self, b: Behaviour) {
        *self.behaviour.lock().unwrap() = b;
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn hex_hmac(secret: &[u8], message: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// An outbox writing mail to files, calling the test receiver on this
/// machine (as `serve --local-webhooks` does).
fn files_outbox(db: &DatabaseConnection) -> Outbox {
    let dir = tempfile::tempdir().unwrap().keep();
    Outbox::new(db.clone(), Mailer::files(dir)).with_local_webhooks(webhook::LocalHttp::Allowed)
}

#[test]
fn webhook_calls_are_signed_and_carry_no_request_content() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        let clinic = pmc(db).await;
        let hook = Receiver::start().await;
        let url = hook.url();
        configure(db, |s| {
            s.webhook_url = Set(Some(format!("{url}?key=not-shown")));
            s.webhook_secret = Set(Some(SECRET.into()));
        })
        .await;

        let reference = accepted(&app, json!({ "office": "concord" })).await;
        // Written with the lead, in its transaction.
        let all = rows(db, &reference).await;
        let row = all.iter().find(|r| r.kind == "webhook").expect("a webhook row").clone();
        assert_eq!((row.state.as_str(), row.target.as_str()), ("pending", url.as_str()), "no query string shown");

        let tried = files_outbox(db).run_once(Utc::now()).await.unwrap();
        assert_eq!(tried, all.len());
        let calls = hook.calls();
        assert_eq!(calls.len(), 1);
        let call = &calls[0];
        let header = |n: &str| call.headers.get(n).unwrap().to_str().unwrap().to_string();
        assert_eq!(header("content-type"), "application/json");
        assert_eq!(header("x-clinicpress-event"), "lead.received");
        assert_eq!(header("x-clinicpress-delivery"), row.id.to_string());
        let ts = header("x-clinicpress-timestamp");
        assert!((ts.parse::<i64>().unwrap() - Utc::now().timestamp()).abs() < 60, "a current timestamp");
        // The signature, computed here independently of the server's code.
        let signed = [ts.as_bytes(), b".", &call.body].concat();
        assert_eq!(header("x-clinicpress-signature"), format!("sha256={}", hex_hmac(SECRET.as_bytes(), &signed)));
        let sig = header("x-clinicpress-signature");
        assert!(webhook::verify(SECRET.as_bytes(), &ts, &call.body, &sig, Utc::now(), Duration::minutes(5)));
        assert!(!webhook::verify(b"another secret", &ts, &call.body, &sig, Utc::now(), Duration::minutes(5)));

        let body: Value = serde_json::from_slice(&call.body).unwrap();
        assert_eq!(body["event"], "lead.received");
        assert_eq!(body["reference"], reference.as_str());
        assert_eq!((body["clinic"].as_str(), body["office"].as_str()), (Some("pmc"), Some("concord")));
        assert_eq!((body["kind"].as_str(), body["status"].as_str()), (Some("contact"), Some("new")));
        assert_eq!(body["routed_by"], "chosen_office");
        assert!(DateTime::parse_from_rfc3339(body["created_at"].as_str().unwrap()).is_ok());
        assert!(body["url"].as_str().unwrap().ends_with(&format!("/admin/pmc/leads/{reference}")));
        let text = String::from_utf8_lossy(&call.body);
        for private in ["Ann", "ann@example.com", "knee", "Saturdays"] {
            assert!(!text.contains(private), "{private} in {text}");
        }

        // Its state is on the lead's page, and in the history.
        let page = inbox::detail(db, clinic.id, &everything(), &reference, &admin(), Utc::now()).await.unwrap();
        let line = page.deliveries.iter().find(|d| d.what == "Webhook call").expect("shown on the page");
        assert_eq!((line.state.as_str(), line.attempts), ("sent", 1));
        let h = history(db, &reference).await;
        assert!(h.iter().any(|l| l == &format!("delivery: Webhook call sent to {url}")), "{h:?}");

        // Suspected spam is not sent anywhere.
        let spam = accepted(&app, json!({ "website": "http://spam.example", "email": "bot@example.com" })).await;
        assert_eq!(lead_of(db, &spam).await.status, "spam");
        assert!(rows(db, &spam).await.is_empty());

        // Without a secret there is no unsigned call: dead at once, with the reason.
        configure(db, |s| s.webhook_secret = Set(None)).await;
        let unsigned = accepted(&app, json!({ "email": "cy@example.com" })).await;
        files_outbox(db).run_once(Utc::now()).await.unwrap();
        let row = rows(db, &unsigned).await.into_iter().find(|r| r.kind == "webhook").unwrap();
        assert_eq!((row.state.as_str(), row.attempts), ("dead", 1));
        assert!(row.last_error.unwrap().contains("no webhook secret"));
        assert_eq!(hook.calls().len(), 1, "nothing more was called");

        // A server not started with --local-webhooks never calls http on its own machine.
        configure(db, |s| s.webhook_secret = Set(Some(SECRET.into()))).await;
        let local = accepted(&app, json!({ "email": "di@example.com" })).await;
        let dir = tempfile::tempdir().unwrap();
        Outbox::new(db.clone(), Mailer::files(dir.path().to_path_buf())).run_once(Utc::now()).await.unwrap();
        let row = rows(db, &local).await.into_iter().find(|r| r.kind == "webhook").unwrap();
        assert_eq!((row.state.as_str(), row.attempts), ("dead", 1), "refused for good");
        assert!(row.last_error.unwrap().contains("does not allow"));
        assert_eq!(hook.calls().len(), 1, "the local receiver was not called");
        t
    }));
}

#[test]
fn a_timing_out_webhook_is_retried_and_the_lead_is_never_lost() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        let hook = Receiver::start().await;
        let url = hook.url();
        configure(db, |s| {
            s.webhook_url = Set(Some(url.clone()));
            s.webhook_secret = Set(Some(SECRET.into()));
        })
        .await;
        hook.set(Behaviour::Hang(StdDuration::from_secs(5)));
        let outbox = files_outbox(db).with_webhook_timeout(StdDuration::from_millis(300));
        let reference = accepted(&app, json!({ "office": "walnut-creek" })).await;
        let webhook_row = |rows: Vec<outbox::Model>| rows.into_iter().find(|r| r.kind == "webhook").unwrap();

        // Too slow: given up after the timeout, to be tried again.
        let started = std::time::Instant::now();
        outbox.run_once(Utc::now()).await.unwrap();
        assert!(started.elapsed() < StdDuration::from_secs(10), "the timeout held: {:?}", started.elapsed());
        let row = webhook_row(rows(db, &reference).await);
        assert_eq!((row.state.as_str(), row.attempts), ("pending", 1));
        assert!(row.last_error.as_deref().unwrap().contains("no answer within"), "{:?}", row.last_error);
        assert_eq!(lead_of(db, &reference).await.status, "new", "the lead is kept");

        // An error answer: tried again later.
        hook.set(Behaviour::Status(503));
        assert_eq!(outbox.run_once(later()).await.unwrap(), 1);
        let row = webhook_row(rows(db, &reference).await);
        assert_eq!((row.state.as_str(), row.attempts), ("pending", 2));
        assert!(row.last_error.as_deref().unwrap().contains("HTTP 503"), "{:?}", row.last_error);

        // The receiver is back: delivered, the same body and delivery id every time, each signed afresh.
        hook.set(Behaviour::Ok);
        assert_eq!(outbox.run_once(later()).await.unwrap(), 1);
        let row = webhook_row(rows(db, &reference).await);
        assert_eq!((row.state.as_str(), row.attempts, row.last_error), ("sent", 3, None));
        let calls = hook.calls();
        assert_eq!(calls.len(), 3);
        for c in &calls {
            assert_eq!(c.body, calls[0].body);
            assert_eq!(c.headers["x-clinicpress-delivery"], row.id.to_string().as_str());
            let (ts, sig) = (
                c.headers["x-clinicpress-timestamp"].to_str().unwrap(),
                c.headers["x-clinicpress-signature"].to_str().unwrap(),
            );
            assert!(webhook::verify(SECRET.as_bytes(), ts, &c.body, sig, Utc::now(), Duration::minutes(5)));
        }
        let h = history(db, &reference).await;
        assert!(h.iter().any(|l| l == &format!("delivery: Webhook call sent to {url}")), "{h:?}");
        t
    }));
}

#[test]
fn resend_makes_a_dead_webhook_call_again_but_never_a_delivered_one() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        let clinic = pmc(db).await;
        let hook = Receiver::start().await;
        configure(db, |s| {
            s.webhook_url = Set(Some(hook.url()));
            s.webhook_secret = Set(Some(SECRET.into()));
        })
        .await;
        hook.set(Behaviour::Status(500));
        let outbox = files_outbox(db);
        let reference = accepted(&app, json!({ "office": "concord" })).await;
        let webhook_row = |rows: Vec<outbox::Model>| rows.into_iter().find(|r| r.kind == "webhook").unwrap();
        for _ in 0..MAX_ATTEMPTS {
            outbox.run_once(later()).await.unwrap();
        }
        let dead = webhook_row(rows(db, &reference).await);
        assert_eq!((dead.state.as_str(), dead.attempts), ("dead", MAX_ATTEMPTS));
        assert_eq!(hook.calls().len(), MAX_ATTEMPTS as usize);

        // The receiver works again; resend queues the dead call (and the notice, as before).
        hook.set(Behaviour::Ok);
        let resend = app::leads::model::LeadAction::Resend;
        let said = inbox::act(db, clinic.id, &everything(), &reference, &admin(), &resend, Utc::now()).await.unwrap();
        assert!(said.contains("webhook call"), "{said}");
        let row = webhook_row(rows(db, &reference).await);
        assert_eq!((row.state.as_str(), row.attempts, row.last_error.as_deref()), ("pending", 0, None));
        let notices = rows(db, &reference).await.iter().filter(|r| r.purpose == "office_notice").count();
        assert!(notices >= 1);
        assert_eq!(outbox.run_once(Utc::now()).await.unwrap(), notices + 1, "the notice and the call");
        let row = webhook_row(rows(db, &reference).await);
        assert_eq!((row.state.as_str(), row.attempts), ("sent", 1));
        let calls = hook.calls();
        assert_eq!(calls.len(), MAX_ATTEMPTS as usize + 1);
        assert_eq!(calls.last().unwrap().body, calls[0].body, "the same call");
        let h = history(db, &reference).await;
        assert!(h.iter().any(|l| l.contains("failed webhook call queued again")), "{h:?}");

        // A call that went through is not made twice.
        let said = inbox::act(db, clinic.id, &everything(), &reference, &admin(), &resend, Utc::now()).await.unwrap();
        assert!(!said.contains("webhook"), "{said}");
        assert_eq!(webhook_row(rows(db, &reference).await).state, "sent");
        assert_eq!(outbox.run_once(Utc::now()).await.unwrap(), notices, "the notice only");
        assert_eq!(hook.calls().len(), MAX_ATTEMPTS as usize + 1);
        t
    }));
}

// ------------------------------------------------------------ JSON API

#[test]
fn the_api_takes_a_lead_and_refuses_bad_input_with_json_errors() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        let clinic = pmc(db).await;

        let a = api(&app, json!({ "office": "concord", "utm_source": "partner" })).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        assert_eq!(a.header("content-type"), Some("application/json"));
        let body = a.json();
        let reference = body["reference"].as_str().unwrap();
        assert!(reference.starts_with("PMC-"), "{reference}");
        assert_eq!(body["office"], "concord");
        let l = lead_of(db, reference).await;
        assert_eq!((l.status.as_str(), l.routed_by.as_str()), ("new", "chosen_office"), "no token needed");
        assert_eq!(l.source_path, "https://www.pmc-partner.example/landing");
        assert_eq!(l.utm_source.as_deref(), Some("partner"));
        assert!(!rows(db, reference).await.is_empty(), "notices queued with the lead");
        let stored = lead::Entity::find().count(db).await.unwrap();

        // Field problems: 422 with a message per field, nothing stored.
        let a = api(&app, json!({ "name": "", "email": "ann@", "consent": false })).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
        let errors = a.json()["errors"].as_object().unwrap().clone();
        for f in ["name", "email", "consent"] {
            assert!(errors[f].as_str().is_some_and(|m| !m.is_empty()), "{f}: {errors:?}");
        }
        let a = api(&app, json!({ "office": "evanston" })).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "another clinic's office: {}", a.body);
        assert!(a.json()["errors"]["office"].is_string());
        let a = api(&app, json!({ "kind": "complaint", "name": {"first": "Ann"} })).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(a.json()["errors"]["kind"].is_string() && a.json()["errors"]["name"].is_string(), "{}", a.body);
        // An appointment request through the API.
        let a = api(
            &app,
            json!({ "kind": "appointment", "patient": "new", "preferred_days": ["mon", "fri"], "preferred_times": "morning", "phone": 9255550100u64, "email": "dee@example.com" }),
        )
        .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        let stored = stored + 1;

        // Not JSON, not an object, not declared as JSON: a JSON error, never a 500.
        for (body, ctype, want) in [
            ("{\"name\": ", "application/json", StatusCode::BAD_REQUEST),
            ("[1, 2]", "application/json", StatusCode::BAD_REQUEST),
            ("", "application/json", StatusCode::BAD_REQUEST),
            ("name=Ann", "application/x-www-form-urlencoded", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ] {
            let mut r = api_request(body, &[]);
            r.headers_mut().insert("content-type", ctype.parse().unwrap());
            let a = send(&app, r).await;
            assert_eq!(a.status, want, "{body:?}: {}", a.body);
            assert!(a.json()["error"].is_string(), "{}", a.body);
        }
        let big = lead_body(json!({ "message": "x".repeat(300 * 1024) })).to_string();
        assert_eq!(send(&app, api_request(&big, &[])).await.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(lead::Entity::find().count(db).await.unwrap(), stored, "nothing stored");

        // Spam signals: a filled honeypot; a token sent too fast; a changed token. All 201, held as spam.
        let a = api(&app, json!({ "website": "x", "email": "bot1@example.com" })).await;
        assert_eq!(a.status, StatusCode::CREATED);
        assert_eq!(lead_of(db, a.json()["reference"].as_str().unwrap()).await.status, "spam");
        let tok =
            send(&app, Request::get("/api/v1/leads/token").header("host", PMC).body(Body::empty()).unwrap()).await;
        assert_eq!(tok.status, StatusCode::OK, "{}", tok.body);
        let fresh = tok.json()["form_token"].as_str().unwrap().to_string();
        let fast = accepted(&app, json!({ "form_token": fresh, "email": "bot2@example.com" })).await;
        assert_eq!(lead_of(db, &fast).await.status, "spam", "sent as soon as the token was fetched");
        let s = store::settings(db, clinic.id).await.unwrap();
        let good = clinicpress::leads::FormToken::issue(
            s.form_secret.as_bytes(),
            clinic.id,
            Utc::now() - Duration::seconds(30),
        );
        let changed = format!("{}A", &good[..good.len() - 1]);
        let changed = if changed == good { format!("{}B", &good[..good.len() - 1]) } else { changed };
        let bad = accepted(&app, json!({ "form_token": changed, "email": "bot3@example.com" })).await;
        assert_eq!(lead_of(db, &bad).await.status, "spam");
        // A good token: clean, and sending it twice answers with the first request.
        let first = accepted(&app, json!({ "form_token": good, "email": "eve@example.com" })).await;
        assert_eq!(lead_of(db, &first).await.status, "new");
        let again = accepted(&app, json!({ "form_token": good, "email": "eve@example.com" })).await;
        assert_eq!(first, again);
        t
    }));
}

#[test]
fn the_api_rate_limits_with_retry_after() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        // Per e-mail address: 5 an hour.
        for i in 0..5 {
            let a = api(&app, json!({})).await;
            assert_eq!(a.status, StatusCode::CREATED, "{i}: {}", a.body);
        }
        let a = api(&app, json!({})).await;
        assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{}", a.body);
        let wait: u64 = a.header("retry-after").unwrap().parse().unwrap();
        assert!(wait > 0 && wait <= 3600);
        assert_eq!(a.json()["retry_after"], wait);
        // Per sender address: 10 in 15 minutes (every request here comes from the same address).
        let mut last = None;
        for i in 0..12 {
            let a = api(&app, json!({ "email": format!("person{i}@example.com") })).await;
            let limited = a.status == StatusCode::TOO_MANY_REQUESTS;
            last = Some(a);
            if limited {
                break;
            }
        }
        let last = last.unwrap();
        assert_eq!(last.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(last.header("retry-after").unwrap().parse::<u64>().unwrap() > 0);
        assert_eq!(lead::Entity::find().count(db).await.unwrap(), 10);
        t
    }));
}

#[test]
fn cors_only_for_the_clinics_listed_origins() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        configure(db, |s| s.cors_origins = Set(json!([PARTNER]).to_string())).await;
        let body = lead_body(json!({})).to_string();

        // A listed origin: taken (no CSRF refusal) and answered with CORS headers.
        let from_partner = [("origin", PARTNER), ("sec-fetch-site", "cross-site")];
        let a = send(&app, api_request(&body, &from_partner)).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        assert_eq!(a.header("access-control-allow-origin"), Some(PARTNER));
        assert_eq!(a.header("vary"), Some("Origin"));
        assert!(a.header("access-control-allow-credentials").is_none(), "no cookies");
        // Errors carry them too, so the page can read the messages.
        let a = send(&app, api_request("{}", &from_partner)).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(a.header("access-control-allow-origin"), Some(PARTNER));

        // Preflight from the listed origin.
        let preflight = |origin: &str| {
            Request::builder()
                .method("OPTIONS")
                .uri("/api/v1/leads")
                .header("host", PMC)
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "content-type")
                .body(Body::empty())
                .unwrap()
        };
        let a = send(&app, preflight(PARTNER)).await;
        assert_eq!(a.status, StatusCode::NO_CONTENT);
        assert_eq!(a.header("access-control-allow-origin"), Some(PARTNER));
        assert!(a.header("access-control-allow-methods").unwrap().contains("POST"));
        assert!(a.header("access-control-allow-headers").unwrap().to_lowercase().contains("content-type"));
        assert!(a.header("access-control-max-age").is_some());

        // Any other origin: no CORS headers, and a browser POST is refused before anything is stored.
        let before = lead::Entity::find().count(db).await.unwrap();
        for origin in ["https://evil.example", "https://pmc-partner.example", "null"] {
            let a = send(&app, preflight(origin)).await;
            assert!(a.header("access-control-allow-origin").is_none(), "{origin}");
            let a = send(&app, api_request(&body, &[("origin", origin), ("sec-fetch-site", "cross-site")])).await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{origin}: {}", a.body);
            assert!(a.header("access-control-allow-origin").is_none(), "{origin}");
            assert!(a.json()["error"].is_string());
        }
        assert_eq!(lead::Entity::find().count(db).await.unwrap(), before);

        // The clinic's own pages need no CORS; servers send no Origin at all.
        let own = [("origin", "http://pmc.localhost:3000"), ("sec-fetch-site", "same-origin")];
        let a = send(&app, api_request(&lead_body(json!({ "email": "own@example.com" })).to_string(), &own)).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        assert!(a.header("access-control-allow-origin").is_none());

        // The token endpoint answers the listed origin too.
        let r = Request::get("/api/v1/leads/token").header("host", PMC).header("origin", PARTNER).body(Body::empty());
        let a = send(&app, r.unwrap()).await;
        assert_eq!((a.status, a.header("access-control-allow-origin")), (StatusCode::OK, Some(PARTNER)));

        // The CSRF exemption is this endpoint only: a cross-site form post elsewhere is still refused.
        let mut r = api_request("name=Ann", &from_partner);
        *r.uri_mut() = "/contact".parse().unwrap();
        r.headers_mut().insert("content-type", "application/x-www-form-urlencoded".parse().unwrap());
        assert_eq!(send(&app, r).await.status, StatusCode::FORBIDDEN);
        t
    }));
}

#[test]
fn the_api_answers_503_when_the_lead_cannot_be_saved() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        // The contact page reads the offices (remembered for this moment).
        let page = send(&app, Request::get("/contact").header("host", PMC).body(Body::empty()).unwrap()).await;
        assert_eq!(page.status, StatusCode::OK);
        db.execute_unprepared("ALTER TABLE lead RENAME TO lead_gone").await.unwrap();
        let a = api(&app, json!({})).await;
        assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{}", a.body);
        let body = a.json();
        assert!(body["error"].as_str().unwrap().contains("not reached"), "{body}");
        let offices = body["offices"].as_array().unwrap();
        assert!(!offices.is_empty() && offices.iter().all(|o| o["phone"].is_string()), "{body}");
        db.execute_unprepared("ALTER TABLE lead_gone RENAME TO lead").await.unwrap();
        t
    }));
}

#[test]
fn the_provision_file_sets_the_webhook_and_the_allowed_origins() {
    use clinicpress::clinics::provision;
    common::block_on(each_db(|t| async move {
        let db = &t.db;
        let file = |leads: &str| {
            format!(
                "[[clinic]]\nslug = \"hook\"\nname = \"Hook Clinic\"\nhosts = [\"hook.localhost\"]\ndefault_inbox = \"desk@hook.example\"\n{leads}"
            )
        };
        let env = |v: &str| (v == "HOOK_SECRET").then(|| SECRET.to_string());
        let apply = |src: String| async move {
            let plan = provision::plan("t.toml", &src, env).unwrap();
            provision::apply(db, plan).await.unwrap();
            let c = clinic::Entity::find().filter(clinic::Column::Slug.eq("hook")).one(db).await.unwrap().unwrap();
            store::settings(db, c.id).await.unwrap()
        };
        let s = apply(file(
            "[clinic.leads]\nwebhook_url = \"https://crm.hook.example/in\"\nwebhook_secret_env = \"HOOK_SECRET\"\ncors_origins = [\"https://www.hook.example\"]",
        ))
        .await;
        assert_eq!(s.webhook_url.as_deref(), Some("https://crm.hook.example/in"));
        assert_eq!(s.webhook_secret.as_deref(), Some(SECRET));
        assert!(clinicpress::web::api_leads::listed(&s.cors_origins, "https://www.hook.example"));
        // Without [clinic.leads] they are left alone; with it, exactly what it says.
        assert_eq!(apply(file("")).await.webhook_url.as_deref(), Some("https://crm.hook.example/in"));
        let s = apply(file("[clinic.leads]\ncors_origins = []")).await;
        assert_eq!((s.webhook_url, s.webhook_secret, s.cors_origins.as_str()), (None, None, "[]"));
        t
    }));
}
