//! Stopping under load: SIGTERM reaches a real `clinicpress serve` while
//! client threads send leads (`POST /api/v1/leads`) and read pages. The
//! process must exit 0 within its shutdown time, saying `stopped cleanly`,
//! and no request may fail:
//!
//! * every answer that came is complete and successful (201 for a lead
//!   with its reference, 200 for a page) — nothing cut off, no 5xx. A
//!   connection the server closes without a byte of answer is not a failed
//!   request: once stopping it reads no new requests, and closing before
//!   answering is HTTP's way to say so (a client or proxy may retry);
//! * a lead that got no answer (its connection was refused or reset
//!   because the server had stopped accepting) was not stored: the server
//!   never takes a lead and then drops the answer;
//! * every lead answered 201 is stored exactly once;
//! * the outbox worker finished the mail in hand and took no more: the
//!   mail server (a real SMTP sink that takes 300 ms per message, so a
//!   notice is being sent when the signal comes) received exactly the
//!   notices whose rows are marked sent, no row is left claimed, and the
//!   rest wait, pending, for the next start;
//! * the search-index lock and the database were released: the same data
//!   directory serves again at once.
//!
//! SIGINT (Ctrl-C) takes the same way out: exit 0, `stopped cleanly`, and
//! the data directory serves again.
//!
//! Nothing waits a fixed time: every wait is for a condition, with a deadline.

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clinicpress::entities::{lead, outbox};
use common::proc::{self, Options, Server};
use common::smtp::SmtpSink;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

const CLIENTS: usize = 6;
/// The signal comes once this many requests were answered.
const BEFORE_SIGNAL: usize = 60;

#[derive(Debug, Clone)]
enum What {
    Lead { email: String },
    Page { path: &'static str },
}

#[derive(Debug, Clone)]
struct Outcome {
    what: What,
    ended: Instant,
    /// Bytes of answer that arrived (0: the connection was closed unanswered).
    bytes: usize,
    reply: proc::Reply,
}

fn lead(addr: std::net::SocketAddr, host: &str, i: usize) -> (What, (usize, proc::Reply)) {
    let email = format!("shutdown-{i}@example.com");
    let body = json!({
        "kind": "contact",
        "name": format!("Shutdown Test {i}"),
        "email": email,
        "contact_method": "email",
        "message": "Could I come in on a Saturday morning for a first consultation?",
        "consent": true,
        "office": "walnut-creek",
    });
    let forwarded = format!("10.9.{}.{}", (i >> 8) & 255, i & 255);
    let headers = [("Content-Type", "application/json"), ("X-Forwarded-For", forwarded.as_str())];
    let reply = proc::request_counted(addr, "POST", host, "/api/v1/leads", &headers, &body.to_string());
    (What::Lead { email }, reply)
}

#[test]
fn sigterm_under_load_fails_no_request_and_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let sink = common::block_on(SmtpSink::start());
    sink.set_delay(Duration::from_millis(300));
    let options = Options { trust_proxy: true, smtp_url: Some(sink.url()), ..Default::default() };
    let mut server = Server::start(dir.path(), options);
    let (addr, host) = (server.addr, server.host("pmc"));

    let outcomes = Arc::new(Mutex::new(Vec::<Outcome>::new()));
    let answered = Arc::new(AtomicUsize::new(0));
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (outcomes, answered, next, done, host) =
                (outcomes.clone(), answered.clone(), next.clone(), done.clone(), host.clone());
            std::thread::spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let (what, (bytes, reply)) = match i % 3 {
                        0 => lead(addr, &host, i),
                        1 => (What::Page { path: "/" }, proc::request_counted(addr, "GET", &host, "/", &[], "")),
                        _ => {
                            let path = "/search?q=knee+pain";
                            (What::Page { path }, proc::request_counted(addr, "GET", &host, path, &[], ""))
                        }
                    };
                    if reply.status != 0 {
                        answered.fetch_add(1, Ordering::Relaxed);
                    }
                    outcomes.lock().unwrap().push(Outcome { what, ended: Instant::now(), bytes, reply });
                }
            })
        })
        .collect();

    proc::wait_for(Duration::from_secs(60), "requests answered before the signal", || {
        (answered.load(Ordering::Relaxed) >= BEFORE_SIGNAL).then_some(())
    });
    let signalled = Instant::now();
    let status = server.terminate(Duration::from_secs(30));
    let stopped_within = signalled.elapsed();
    done.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    let log = server.log_text();
    assert!(status.success(), "exit status {status}:\n{log}");
    assert!(log.contains("SIGTERM; shutting down") && log.contains("stopped cleanly"), "{log}");
    assert!(stopped_within < Duration::from_secs(20), "took {stopped_within:?} to stop");

    let outcomes = outcomes.lock().unwrap().clone();
    let db = common::block_on(clinicpress::db::connect(&clinicpress::db::default_sqlite_url(dir.path()))).unwrap();
    let mut created = 0;
    for o in &outcomes {
        match (&o.what, o.reply.status) {
            (What::Lead { email }, 0) => {
                assert_eq!(o.bytes, 0, "{email}: an answer cut off after {} bytes", o.bytes);
                let stored =
                    common::block_on(lead::Entity::find().filter(lead::Column::Email.eq(email.as_str())).all(&db))
                        .unwrap();
                assert!(stored.is_empty(), "{email} was stored but its answer was lost");
            }
            (What::Lead { email }, 201) => {
                let reference = o.reply.json()["reference"].as_str().map(str::to_string);
                let stored =
                    common::block_on(lead::Entity::find().filter(lead::Column::Email.eq(email.as_str())).all(&db))
                        .unwrap();
                assert_eq!(stored.len(), 1, "{email}: stored {} times", stored.len());
                assert_eq!(reference.as_deref(), Some(stored[0].reference.as_str()));
                created += 1;
            }
            (What::Page { path }, 200) => {
                assert!(o.reply.body.contains("</html>"), "{path}: a page cut off:\n{}", o.reply.body);
            }
            // Closed unanswered: the server had stopped taking requests (it
            // closes a connection whose request it has not read yet, which
            // HTTP clients may retry); never an answer cut off.
            (What::Page { path }, 0) => {
                assert_eq!(o.bytes, 0, "{path}: an answer cut off after {} bytes", o.bytes);
                assert!(o.ended > signalled, "{path}: no answer before the signal");
            }
            (what, status) => panic!("{what:?} answered {status}: {}", o.reply.body),
        }
    }
    let after_signal = outcomes.iter().filter(|o| o.reply.status != 0 && o.ended > signalled).count();
    assert!(created > 0 && outcomes.len() > BEFORE_SIGNAL, "{created} leads, {} requests", outcomes.len());
    assert!(after_signal > 0, "no request was in flight when the signal came");
    let rows = common::block_on(outbox::Entity::find().filter(outbox::Column::Kind.eq("email")).all(&db)).unwrap();
    let claimed: Vec<_> = rows.iter().filter(|r| r.claimed_until.is_some()).collect();
    assert!(claimed.is_empty(), "rows left claimed: {claimed:?}");
    let received: BTreeSet<String> = sink.received().iter().filter_map(|m| m.header("Message-ID")).collect();
    let sent: BTreeSet<String> =
        rows.iter().filter(|r| r.state == "sent").map(clinicpress::leads::outbox::message_id).collect();
    assert_eq!(received, sent, "what the mail server took is exactly what is marked sent");
    assert!(!sent.is_empty(), "no notice went out before the signal");
    let pending = rows.iter().filter(|r| r.state == "pending").count();
    assert!(pending > 0, "the worker drained the whole queue instead of stopping after the mail in hand");
    common::block_on(db.close()).unwrap();

    // The lock on the search index and the database were let go.
    server.restart();
    assert_eq!(server.get("pmc", "/", &[]).status, 200);
    let status = server.terminate(Duration::from_secs(30));
    assert!(status.success());
}

#[test]
fn sigint_stops_cleanly_and_the_data_directory_serves_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path(), Options::default());
    assert_eq!(server.get("pmc", "/", &[]).status, 200);
    let status = server.interrupt(Duration::from_secs(30));
    let log = server.log_text();
    assert_eq!(status.code(), Some(0), "exit status {status}:\n{log}");
    assert!(log.contains("interrupted; shutting down") && log.contains("stopped cleanly"), "{log}");

    // The search-index lock and the database were let go: a second start serves.
    server.restart();
    assert_eq!(server.get("pmc", "/", &[]).status, 200);
    let status = server.interrupt(Duration::from_secs(30));
    let log = server.log_text();
    assert_eq!(status.code(), Some(0), "exit status {status}:\n{log}");
    assert_eq!(log.matches("stopped cleanly").count(), 2, "{log}");
}
