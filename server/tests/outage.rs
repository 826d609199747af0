//! A database outage, with a real server process on PostgreSQL behind a TCP
//! proxy the test cuts (every connection dropped, new ones refused) and
//! restores, without restarting the server:
//!
//! - while cut, a page kept by the page cache is still served from memory,
//!   and a page that needs the database answers 503 with `Retry-After`,
//!   within the pool's acquire timeout (2 s here,
//!   `CLINICPRESS_DB_ACQUIRE_TIMEOUT`); the HTML contact form answers with
//!   the visitor's text kept in a form and the office phones; the lead API
//!   answers 503 JSON with `Retry-After`; `/healthz` still answers 200 and
//!   `/readyz` 503;
//! - once restored, the pages answer 200 again and a lead is stored;
//! - a stalled network (connections open, nothing delivered, new ones
//!   never answered) gives the same 503 within the acquire timeout, as the
//!   pool checks a connection before handing it out, and again recovery
//!   without a restart.
//!
//! Needs PostgreSQL (`CLINICPRESS_TEST_PG`, default the machine's); without
//! one it skips loudly, and fails under `CI`. Nothing waits a fixed time.

mod common;

use std::time::{Duration, Instant};

use clinicpress::entities::{clinic, lead, location, outbox};
use common::proc::{Options, Server, form, get, wait_for};
use common::proxy::{Proxy, upstream_of};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

/// The visitor's words: kept on the "not sent" page.
const MESSAGE: &str = "Could somebody call me back about the nerve block on Thursday morning";

/// The `value` of the input named `name` in `html`.
fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    let tag = &html[start..end];
    let v = tag.split_once("value=\"")?.1;
    Some(v[..v.find('"')?].to_string())
}

fn lead_json(email: &str) -> String {
    json!({
        "kind": "contact", "name": "Outage Test", "email": email, "contact_method": "email",
        "message": MESSAGE, "consent": true, "office": "concord",
    })
    .to_string()
}

#[test]
fn the_server_rides_out_a_database_outage() {
    let Some(t) = common::block_on(common::postgres()) else { return };
    let proxy = Proxy::start(upstream_of(&t.url));
    let data = tempfile::tempdir().unwrap();
    let options = Options { database_url: Some(proxy.url_for(&t.url)), ..Options::default() }
        .env("CLINICPRESS_DB_ACQUIRE_TIMEOUT", "2");
    let server = Server::start(data.path(), options);
    let json_headers = [("Content-Type", "application/json")];

    // Before: the home page and the contact form answer (and the server
    // learns the office phones). Once the index is built (ready), the home
    // page is kept in memory.
    wait_for(Duration::from_secs(30), "/readyz answers 200", || {
        (get(server.addr, "localhost", "/readyz").status == 200).then_some(())
    });
    assert_eq!(server.get("pmc", "/", &[]).status, 200);
    assert_eq!(server.get("pmc", "/", &[]).header("x-page-cache"), Some("hit"));
    let page = server.get("pmc", "/contact", &[]);
    assert_eq!(page.status, 200, "{}", page.body);
    let token = input_value(&page.body, "form_token").expect("the form carries a token");
    let phones: Vec<String> = common::block_on(async {
        let pmc = clinic::Entity::find().filter(clinic::Column::Slug.eq("pmc")).one(&t.db).await.unwrap().unwrap();
        location::Entity::find().filter(location::Column::ClinicId.eq(pmc.id)).all(&t.db).await.unwrap()
    })
    .into_iter()
    .map(|o| o.phone)
    .filter(|p| !p.is_empty())
    .collect();
    assert!(!phones.is_empty(), "the demo offices have phone numbers");

    proxy.cut();
    let cut_at = Instant::now();

    // A page that needs the database: 503 with Retry-After, within the acquire timeout and some.
    let blog = wait_for(Duration::from_secs(20), "the blog answers 503 while the database is away", || {
        let r = server.get("pmc", "/blog", &[]);
        (r.status == 503).then_some(r)
    });
    let took = cut_at.elapsed();
    assert!(took < Duration::from_secs(10), "503 after {took:?}");
    assert!(blog.header("Retry-After").is_some_and(|v| v.parse::<u32>().is_ok()), "{:?}", blog.headers);
    let offices = server.get("pmc", "/locations", &[]);
    assert_eq!(offices.status, 503, "{}", offices.body);
    assert!(offices.header("Retry-After").is_some());
    // The kept home page is still served.
    let home = server.get("pmc", "/", &[]);
    assert_eq!((home.status, home.header("x-page-cache")), (200, Some("hit")), "{}", home.body);

    // The HTML form: the visitor's text is kept, the office phones shown.
    let origin = format!("http://{}", server.host("pmc"));
    let body = form(&[
        ("form_token", &token),
        ("website", ""),
        ("kind", "contact"),
        ("name", "Outage Test"),
        ("contact_method", "email"),
        ("email", "outage-form@example.com"),
        ("phone", ""),
        ("message", MESSAGE),
        ("consent", "on"),
        ("office", "concord"),
    ]);
    let sent = server.post(
        "pmc",
        "/contact",
        &[
            ("Origin", &origin),
            ("Sec-Fetch-Site", "same-origin"),
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "text/html"),
        ],
        &body,
    );
    assert_eq!(sent.status, 503, "{}", sent.body);
    assert!(sent.body.contains("was not sent"), "{}", sent.body);
    assert!(sent.body.contains(MESSAGE), "the visitor's text is on the page: {}", sent.body);
    assert!(
        phones.iter().any(|p| sent.body.contains(p.as_str())),
        "an office phone ({phones:?}) is shown: {}",
        sent.body
    );
    assert!(sent.header("Retry-After").is_some());

    // The lead API: 503 JSON with Retry-After.
    let api = server.post("pmc", "/api/v1/leads", &json_headers, &lead_json("outage-api@example.com"));
    assert_eq!(api.status, 503, "{}", api.body);
    assert!(api.header("Content-Type").is_some_and(|c| c.starts_with("application/json")), "{:?}", api.headers);
    assert!(api.header("Retry-After").is_some(), "{:?}", api.headers);
    // Like the form, the API names the offices to call instead.
    let offices = api.json()["offices"].as_array().cloned().unwrap_or_default();
    assert!(!offices.is_empty(), "{}", api.body);
    assert!(offices.iter().all(|o| o["phone"].as_str().is_some_and(|p| !p.is_empty())), "{}", api.body);

    // A clinic none of whose pages this process served: its offices were
    // remembered when the server started (behind a load balancer, the form
    // may have come from another process).
    let other = server.post("lakeside", "/api/v1/leads", &json_headers, &lead_json("outage-other@example.com"));
    assert_eq!(other.status, 503, "{}", other.body);
    let offices = other.json()["offices"].as_array().cloned().unwrap_or_default();
    assert!(!offices.is_empty(), "{}", other.body);
    assert!(offices.iter().all(|o| o["phone"].as_str().is_some_and(|p| !p.is_empty())), "{}", other.body);

    // Liveness is not the database: /healthz answers; /readyz does not.
    assert_eq!(get(server.addr, "localhost", "/healthz").status, 200);
    let ready = get(server.addr, "localhost", "/readyz");
    assert_eq!(ready.status, 503, "/readyz while the database is away: {}", ready.body);
    assert!(proxy.refused() > 0, "the server did try to reconnect");

    // Back: without a restart the pages answer and a lead is stored.
    proxy.restore();
    let restored = Instant::now();
    wait_for(Duration::from_secs(30), "the blog answers 200 after the database came back", || {
        (server.get("pmc", "/blog", &[]).status == 200).then_some(())
    });
    eprintln!("503 {took:?} after the cut; 200 again {:?} after the restore", restored.elapsed());
    let ok = server.post("pmc", "/api/v1/leads", &json_headers, &lead_json("outage-after@example.com"));
    assert_eq!(ok.status, 201, "{}", ok.body);
    let reference = ok.json()["reference"].as_str().unwrap().to_string();
    let stored = common::block_on(lead::Entity::find().filter(lead::Column::Reference.eq(&reference)).one(&t.db))
        .unwrap()
        .expect("the lead is stored");
    assert_eq!(stored.email, "outage-after@example.com");
    // The outbox worker, which failed its rounds during the outage, delivers again.
    wait_for(Duration::from_secs(30), "the office notice of the lead after the outage is sent", || {
        let rows =
            common::block_on(outbox::Entity::find().filter(outbox::Column::LeadId.eq(stored.id)).all(&t.db)).unwrap();
        (!rows.is_empty() && rows.iter().all(|r| r.state == "sent")).then_some(())
    });
    let nothing_kept = common::block_on(
        lead::Entity::find()
            .filter(lead::Column::Email.is_in(["outage-form@example.com", "outage-api@example.com"]))
            .all(&t.db),
    )
    .unwrap();
    assert!(nothing_kept.is_empty(), "what was refused during the outage was not stored");
    wait_for(Duration::from_secs(30), "/readyz answers 200 again", || {
        (get(server.addr, "localhost", "/readyz").status == 200).then_some(())
    });

    // A network that stops delivering instead of refusing: 503 in bounded time too.
    proxy.stall();
    let stalled = Instant::now();
    let r = server.get("pmc", "/locations", &[]);
    let took_stalled = stalled.elapsed();
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(r.header("Retry-After").is_some());
    assert!(took_stalled < Duration::from_secs(10), "503 after {took_stalled:?} while stalled");
    proxy.restore();
    wait_for(Duration::from_secs(30), "the offices page answers 200 after the stall", || {
        (server.get("pmc", "/locations", &[]).status == 200).then_some(())
    });
    eprintln!("stalled: 503 after {took_stalled:?}");

    drop(server);
    drop(proxy);
    common::block_on(t.cleanup());
}
