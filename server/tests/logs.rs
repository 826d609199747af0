//! The logs of a real `clinicpress serve --demo --log-format json` through
//! a whole journey over HTTP — sign-in, a password-reset request and a visit
//! to its link, a contact request through the HTML form and one through
//! `POST /api/v1/leads` (every field a distinctive marker), a search, the
//! lead opened in the admin inbox — hold no lead field, password, session
//! cookie, reset token, form token or metrics token; every line is JSON and
//! every request line carries a request id. `/metrics` (with the token, and
//! on the admin address without one) counts the leads per clinic and labels
//! requests by route template; `/readyz` answers 200 on both listeners.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_clinicpress");
const PASSWORD: &str = "demo-password-2026";
const METRICS_TOKEN: &str = "metrics-7c1f9e2b4d6a8c0e";

/// The HTML form's lead: every field distinctive.
const FORM_NAME: &str = "Zebulon Quillmarker";
const FORM_EMAIL: &str = "zebulon.quillmarker@example.org";
const FORM_PHONE: &str = "925-555-0147";
const FORM_MESSAGE: &str = "Marmalade-octopus knee question for Dr Quillmarker";
/// The JSON API's lead.
const API_NAME: &str = "Yolanda Fernwhistle";
const API_EMAIL: &str = "yolanda.fernwhistle@example.net";
const API_PHONE: &str = "925-555-0183";
const API_MESSAGE: &str = "Pangolin-trampoline shoulder question from Fernwhistle";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Undo chunked transfer encoding.
fn dechunk(raw: &str) -> String {
    let mut out = String::new();
    let mut rest = raw;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else { break };
        if n == 0 || after.len() < n {
            break;
        }
        out.push_str(&after[..n]);
        rest = after[n..].trim_start_matches("\r\n");
    }
    out
}

/// One HTTP/1.1 request over a fresh connection.
fn http(addr: SocketAddr, method: &str, host: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
        return Answer { status: 0, headers: Vec::new(), body: String::new() };
    };
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|c| c.parse().ok()).unwrap_or(0);
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    let chunked =
        headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked"));
    let body = if chunked { dechunk(body) } else { body.to_string() };
    Answer { status, headers, body }
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

struct Server {
    child: Child,
    addr: SocketAddr,
    admin: SocketAddr,
    log: PathBuf,
    data: PathBuf,
}

impl Server {
    fn start(data: &Path) -> Server {
        let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let admin: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let log = data.join("server.log");
        let child = Command::new(BIN)
            .args(["--data-dir", data.to_str().unwrap(), "serve", "--demo", "--log-format", "json", "--addr"])
            .arg(addr.to_string())
            .arg("--admin-addr")
            .arg(admin.to_string())
            .env_remove("DATABASE_URL")
            .env_remove("SMTP_URL")
            .env_remove("CLINICPRESS_CONFIG")
            .env("CLINICPRESS_LOG", "debug,sqlx=warn,sea_orm=warn,tantivy=info,hyper=info,h2=info")
            .env("CLINICPRESS_METRICS_TOKEN", METRICS_TOKEN)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("the clinicpress binary starts");
        let s = Server { child, addr, admin, log, data: data.to_path_buf() };
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if http(s.addr, "GET", "localhost", "/healthz", &[], "").status == 200 {
                break;
            }
            assert!(Instant::now() < deadline, "server did not start: {}", s.log_text());
            std::thread::sleep(Duration::from_millis(50));
        }
        s
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn host(&self) -> String {
        format!("pmc.localhost:{}", self.addr.port())
    }

    fn origin(&self) -> String {
        format!("http://{}", self.host())
    }

    fn get(&self, path: &str, cookie: Option<&str>) -> Answer {
        let headers: Vec<(&str, &str)> = cookie.map(|c| vec![("Cookie", c)]).unwrap_or_default();
        http(self.addr, "GET", &self.host(), path, &headers, "")
    }

    fn form_post(&self, path: &str, cookie: Option<&str>, body: &str) -> Answer {
        let origin = self.origin();
        let mut headers = vec![("Content-Type", "application/x-www-form-urlencoded"), ("Origin", origin.as_str())];
        if let Some(c) = cookie {
            headers.push(("Cookie", c));
        }
        http(self.addr, "POST", &self.host(), path, &headers, body)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `name=value` of the session cookie a response sets.
fn session_cookie(a: &Answer) -> String {
    let set = a.header("set-cookie").expect("a session cookie is set");
    set.split(';').next().unwrap().trim().to_string()
}

/// The reset token mailed to `to` (the file mailer writes under DATA/mail).
fn reset_token(data: &Path, to: &str) -> Option<String> {
    for e in std::fs::read_dir(data.join("mail")).ok()? {
        let m = std::fs::read_to_string(e.ok()?.path()).ok()?.replace("=\r\n", "").replace("=3D", "=");
        if m.contains(&format!("To: {to}"))
            && let Some(at) = m.find("/admin/reset/")
        {
            let start = at + "/admin/reset/".len();
            return Some(m[start..].chars().take_while(|c| c.is_ascii_hexdigit()).collect());
        }
    }
    None
}

/// A form token for the clinic, as its form would have given it 30 s ago
/// (a form sent faster than a person types is held as spam).
fn form_token(data: &Path) -> String {
    use clinicpress::entities::clinic;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let db = clinicpress::db::connect(&clinicpress::db::default_sqlite_url(data)).await.unwrap();
        let c = clinic::Entity::find().filter(clinic::Column::Slug.eq("pmc")).one(&db).await.unwrap().unwrap();
        let s = clinicpress::leads::store::settings(&db, c.id).await.unwrap();
        let token = clinicpress::leads::spam::FormToken::issue(
            s.form_secret.as_bytes(),
            c.id,
            chrono::Utc::now() - chrono::Duration::seconds(30),
        );
        db.close().await.unwrap();
        token
    })
}

#[test]
fn a_full_journey_leaves_no_secret_or_lead_field_in_the_json_logs() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());

    // Ready once the search index has caught up with the demo content.
    let deadline = Instant::now() + Duration::from_secs(60);
    while http(server.addr, "GET", "localhost", "/readyz", &[], "").status != 200 {
        assert!(Instant::now() < deadline, "never ready: {}", server.log_text());
        std::thread::sleep(Duration::from_millis(50));
    }
    let ready = http(server.admin, "GET", "127.0.0.1", "/readyz", &[], "");
    assert_eq!((ready.status, ready.body.as_str()), (200, "ready\n"));

    // Sign in.
    let a = server.form_post(
        "/admin/login",
        None,
        &format!("email={}&password={}&next=/admin", enc("maria@pmc.example"), enc(PASSWORD)),
    );
    assert_eq!((a.status, a.header("location")), (303, Some("/admin")), "{}", a.body);
    let cookie = session_cookie(&a);
    let session_value = cookie.split_once('=').unwrap().1.to_string();
    assert!(session_value.len() >= 16, "{cookie}");
    let home = server.get("/admin", Some(&cookie)).status;
    assert!(home == 200 || home == 303, "{home}");

    // A password-reset request and a visit to the mailed link.
    let a = server.form_post("/admin/reset", None, &format!("email={}", enc("maria@pmc.example")));
    assert_eq!(a.status, 303, "{}", a.body);
    let reset = reset_token(&server.data, "maria@pmc.example").expect("a reset link was mailed");
    assert_eq!(reset.len(), 64);
    assert_eq!(server.get(&format!("/admin/reset/{reset}"), None).status, 200);

    // A contact request through the HTML form.
    let token = form_token(&server.data);
    let body = [
        ("form_token", token.as_str()),
        ("website", ""),
        ("kind", "contact"),
        ("name", FORM_NAME),
        ("contact_method", "email"),
        ("email", FORM_EMAIL),
        ("phone", FORM_PHONE),
        ("message", FORM_MESSAGE),
        ("consent", "on"),
        ("office", "pleasant-hill"),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", enc(v)))
    .collect::<Vec<_>>()
    .join("&");
    let a = server.form_post("/contact", None, &body);
    assert_eq!(a.status, 303, "{}", a.body);
    let location = a.header("location").unwrap_or_default().to_string();
    assert!(location.starts_with("/contact/thanks?ref=PMC-"), "{location}");
    let form_ref = location.split("ref=").nth(1).unwrap().split('&').next().unwrap().to_string();

    // One through the JSON API.
    let lead = json!({
        "kind": "contact",
        "name": API_NAME,
        "email": API_EMAIL,
        "phone": API_PHONE,
        "contact_method": "email",
        "message": API_MESSAGE,
        "consent": true,
        "office": "pleasant-hill",
    });
    let a = http(
        server.addr,
        "POST",
        &server.host(),
        "/api/v1/leads",
        &[("Content-Type", "application/json")],
        &lead.to_string(),
    );
    assert_eq!(a.status, 201, "{}", a.body);
    let api_ref = serde_json::from_str::<Value>(&a.body).unwrap()["reference"].as_str().unwrap().to_string();

    // A search (with a marker word as the query, too).
    let a = server.get("/api/v1/search?q=knee", None);
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(server.get(&format!("/search?q={}", enc("Quillmarker")), None).status, 200);

    // The leads in the admin inbox: the list, the form's lead's page and the API's lead by server function.
    assert_eq!(server.get("/admin/pmc/leads", Some(&cookie)).status, 200);
    let page = server.get(&format!("/admin/pmc/leads/{form_ref}"), Some(&cookie));
    assert_eq!(page.status, 200, "{form_ref}: {}", page.body);
    assert!(page.body.contains(FORM_NAME), "the lead is shown: {}", page.body);
    let a = server.form_post("/api/admin/get_lead", Some(&cookie), &format!("clinic=pmc&reference={}", enc(&api_ref)));
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.body.contains(API_MESSAGE), "{}", a.body);

    // Metrics: 404 without a token configured… here one is: 401 without it, the exposition with it.
    let a = http(server.addr, "GET", "localhost", "/metrics", &[], "");
    assert_eq!(a.status, 401);
    let auth = format!("Bearer {METRICS_TOKEN}");
    let a = http(server.addr, "GET", "localhost", "/metrics", &[("Authorization", auth.as_str())], "");
    assert_eq!(a.status, 200);
    assert!(a.header("content-type").unwrap_or_default().contains("openmetrics-text"));
    let metrics = a.body;
    for expected in [
        "clinicpress_leads_received_total{clinic=\"pmc\"} 2",
        "route=\"/api/v1/leads\"",
        "route=\"/contact\"",
        "route=\"/admin/login\"",
        "route=\"/admin/reset/{token}\"",
        "clinicpress_http_request_duration_seconds_bucket{",
        "clinicpress_outbox_pending ",
        "clinicpress_outbox_oldest_due_age_seconds ",
        "clinicpress_search_index_lag ",
        "clinicpress_db_pool_connections{state=\"idle\"}",
        "clinicpress_database_up 1",
    ] {
        assert!(metrics.contains(expected), "{expected} in:\n{metrics}");
    }
    assert!(!metrics.contains(&reset), "no raw path in the labels");
    // The admin address needs no token.
    let a = http(server.admin, "GET", "127.0.0.1", "/metrics", &[], "");
    assert_eq!(a.status, 200);
    assert!(a.body.contains("clinicpress_leads_received_total{clinic=\"pmc\"} 2"), "{}", a.body);

    // The logs.
    let log = server.log_text();
    let secrets: Vec<(&str, String)> = vec![
        ("form name", FORM_NAME.to_string()),
        ("form surname", "Quillmarker".to_string()),
        ("form e-mail", FORM_EMAIL.to_string()),
        ("form e-mail local part", "zebulon.quillmarker".to_string()),
        ("form phone", FORM_PHONE.to_string()),
        ("form phone digits", "5550147".to_string()),
        ("form message", FORM_MESSAGE.to_string()),
        ("form message word", "Marmalade".to_string()),
        ("API name", API_NAME.to_string()),
        ("API surname", "Fernwhistle".to_string()),
        ("API e-mail", API_EMAIL.to_string()),
        ("API phone", API_PHONE.to_string()),
        ("API phone digits", "5550183".to_string()),
        ("API message", API_MESSAGE.to_string()),
        ("API message word", "Pangolin".to_string()),
        ("password", PASSWORD.to_string()),
        ("session cookie", session_value.clone()),
        ("reset token", reset.clone()),
        ("form token", token.clone()),
        ("metrics token", METRICS_TOKEN.to_string()),
    ];
    let mut request_lines = 0;
    let mut ids = std::collections::HashSet::new();
    let mut routes = std::collections::HashSet::new();
    for (n, line) in log.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let v: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("line {} is not JSON ({e}): {line}", n + 1));
        let lower = line.to_lowercase();
        for (what, secret) in &secrets {
            assert!(!lower.contains(&secret.to_lowercase()), "the {what} is in log line {}: {line}", n + 1);
        }
        if v["target"].as_str().is_some_and(|t| t.starts_with("tower_http::trace")) {
            request_lines += 1;
            let span = &v["span"];
            assert_eq!(span["name"], "request", "{line}");
            let id = span["request_id"].as_str().unwrap_or_default();
            assert!(id.len() >= 32, "a request id on line {}: {line}", n + 1);
            ids.insert(id.to_string());
            routes.insert(span["route"].as_str().unwrap_or_default().to_string());
            assert!(!span["route"].as_str().unwrap_or_default().contains('?'), "{line}");
        }
    }
    assert!(request_lines >= 15, "one line per response at least: {request_lines} in\n{log}");
    assert!(ids.len() >= 15, "each request its own id: {ids:?}");
    for route in ["/admin/login", "/contact", "/api/v1/leads", "/admin/reset/{token}", "/api/admin/get_lead"] {
        assert!(routes.contains(route), "{route} in {routes:?}");
    }

    // The response carries its request id.
    let a = http(server.addr, "GET", "localhost", "/healthz", &[], "");
    let id = a.header("x-request-id").expect("an x-request-id").to_string();
    assert_eq!(id.len(), 36, "{id}");
    // A proxy's id is kept; a malformed one is replaced.
    let a = http(server.addr, "GET", "localhost", "/healthz", &[("X-Request-Id", "lb-42.abc")], "");
    assert_eq!(a.header("x-request-id"), Some("lb-42.abc"));
    let a = http(server.addr, "GET", "localhost", "/healthz", &[("X-Request-Id", "bad id with spaces")], "");
    assert_eq!(a.header("x-request-id").map(str::len), Some(36));
}
