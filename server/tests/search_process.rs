//! Search survives what happens to a real server process: `kill -9`, a
//! change committed while the server is down, a damaged index, and
//! `clinicpress reindex` while the server is answering. Drives the built
//! binary over TCP, on SQLite in a temporary data directory.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_clinicpress");

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Server {
    child: Child,
    addr: SocketAddr,
    log: std::path::PathBuf,
}

impl Server {
    fn start(data: &Path) -> Server {
        let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let log = data.join(format!("server-{}.log", addr.port()));
        let child = Command::new(BIN)
            .args(["--data-dir", data.to_str().unwrap(), "serve", "--demo", "--addr", &addr.to_string()])
            .env_remove("DATABASE_URL")
            .env("CLINICPRESS_LOG", "info")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("the clinicpress binary starts");
        let s = Server { child, addr, log };
        let deadline = Instant::now() + Duration::from_secs(60);
        while get(s.addr, "localhost", "/healthz").0 != 200 {
            assert!(Instant::now() < deadline, "server did not start: {}", s.log_text());
            std::thread::sleep(Duration::from_millis(100));
        }
        s
    }

    fn kill9(mut self) {
        // SIGKILL: no graceful shutdown, no chance to commit anything.
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Hits for `q` on pmc, as (total, slugs).
    fn search(&self, q: &str) -> (u64, Vec<String>) {
        let (status, body) = get(self.addr, "pmc.localhost", &format!("/api/v1/search?q={}", q.replace(' ', "+")));
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        let slugs = v["hits"].as_array().unwrap().iter().map(|h| h["slug"].as_str().unwrap().to_string()).collect();
        (v["total"].as_u64().unwrap(), slugs)
    }

    /// Wait until a search for `q` finds `slug` (up to 30 s).
    fn wait_for(&self, q: &str, slug: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.search(q).1.iter().any(|s| s == slug) {
            assert!(Instant::now() < deadline, "{slug} never found for {q}: {}", self.log_text());
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.1 GET; (status, body).
fn get(addr: SocketAddr, host: &str, path: &str) -> (u16, String) {
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else { return (0, String::new()) };
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    if s.read_to_end(&mut raw).is_err() {
        return (0, String::new());
    }
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    // Chunked bodies: the JSON is the one line that is not a chunk size.
    let body = if body.trim_start().starts_with('{') {
        body
    } else {
        body.lines().filter(|l| l.starts_with('{')).collect::<Vec<_>>().join("")
    };
    (status, body)
}

fn clinicpress(data: &Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("the clinicpress binary runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "clinicpress {args:?} failed: {text}");
    text
}

fn write_post(dir: &Path, slug: &str, word: &str) -> std::path::PathBuf {
    let path = dir.join(format!("{slug}.md"));
    std::fs::write(
        &path,
        format!(
            "---\ntitle: \"{word} and everyday pain\"\nslug: {slug}\ndate: 2026-01-05T09:00:00Z\nstatus: published\n---\n\
             This article is about {word}, a word no demo article uses, so search finds only it.\n"
        ),
    )
    .unwrap();
    path
}

#[test]
fn search_survives_kill_9_damage_and_reindex() {
    let data = tempfile::tempdir().unwrap();
    let data = data.path();
    let posts = data.join("incoming");
    std::fs::create_dir_all(&posts).unwrap();

    // A fresh node builds its index from the database.
    let server = Server::start(data);
    server.wait_for("ketamine", "ketamine-infusions-for-chronic-pain");
    assert!(server.log_text().contains("no index yet; building it"), "{}", server.log_text());

    // A publish committed while the server runs, then kill -9 at once.
    let first = write_post(&posts, "zeolite-notes", "zeolite");
    clinicpress(data, &["import", "--clinic", "pmc", first.to_str().unwrap()]);
    server.kill9();
    // A publish committed while the server is down.
    let second = write_post(&posts, "quinoa-notes", "quinoa");
    clinicpress(data, &["import", "--clinic", "pmc", second.to_str().unwrap()]);

    // Restarted, it opens the index it had and catches up from its payload.
    let server = Server::start(data);
    server.wait_for("zeolite", "zeolite-notes");
    server.wait_for("quinoa", "quinoa-notes");
    assert!(!server.log_text().contains("building it"), "no rebuild was needed: {}", server.log_text());

    // Reindex while the server answers: it keeps answering, then switches.
    let out = clinicpress(data, &["reindex"]);
    assert!(out.contains("indexed 32 published post(s)"), "{out}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !server.log_text().contains("switched to the rebuilt index") {
        assert_eq!(server.search("quinoa").0, 1, "search answers during the switch");
        assert!(Instant::now() < deadline, "never switched: {}", server.log_text());
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(server.search("zeolite").1, ["zeolite-notes"]);
    // The old folder is removed just after the switch is logged.
    let folders = || {
        std::fs::read_dir(data.join("search"))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("index-"))
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while folders() != 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(folders(), 1, "the old index folder is removed");
    server.kill9();

    // A damaged index is rebuilt at start, with a log line saying so.
    let current = std::fs::read_to_string(data.join("search/CURRENT")).unwrap();
    std::fs::write(data.join("search").join(current.trim()).join("meta.json"), b"{ not json").unwrap();
    let server = Server::start(data);
    server.wait_for("zeolite", "zeolite-notes");
    assert!(server.log_text().contains("could not be opened; rebuilding it"), "{}", server.log_text());
    assert_eq!(server.search("ketamine").0, 1);
}
