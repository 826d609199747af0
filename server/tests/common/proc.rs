//! Real server processes for tests: the built `clinicpress serve --demo`
//! on a free port of 127.0.0.1, with its own data directory, optionally on
//! a PostgreSQL database (`DATABASE_URL`), its log (stderr) in a file in
//! the data directory, appended across restarts. [`Server::kill9`] stops it
//! the hard way (nothing flushed or committed on the way out),
//! [`Server::terminate`] and [`Server::interrupt`] ask it to stop (SIGTERM,
//! SIGINT), [`Server::restart`]
//! starts it again on the same address, data directory and database.
//!
//! The small blocking HTTP client ([`request`], [`get`], [`Reply`]) speaks
//! HTTP/1.1 with `Connection: close` and decodes chunked bodies; status 0
//! means there was no answer (refused, reset, cut off by a kill).
//!
//! Nothing here waits a fixed time: [`Server::wait_ready`] polls `/healthz`
//! until a deadline.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_clinicpress");

/// How long a process may take to answer `/healthz` after it was started
/// (a first start migrates the database and builds the search index).
pub const READY_WITHIN: Duration = Duration::from_secs(120);

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// How to start a server.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `None`: SQLite in the data directory.
    pub database_url: Option<String>,
    /// Where mail goes (`SMTP_URL`); `None`: files in the data directory.
    pub smtp_url: Option<String>,
    /// `--trust-proxy`: take the visitor's address from `X-Forwarded-For`.
    pub trust_proxy: bool,
    /// More environment variables.
    pub env: Vec<(String, String)>,
}

impl Options {
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }
}

/// One server process (started again by [`Server::restart`]); killed when dropped.
pub struct Server {
    child: Option<Child>,
    pub addr: SocketAddr,
    pub data: PathBuf,
    pub log: PathBuf,
    options: Options,
}

impl Server {
    /// Start it on a free port and wait until it answers.
    pub fn start(data: &Path, options: Options) -> Server {
        let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let log = data.join(format!("server-{}.log", addr.port()));
        let mut s = Server { child: None, addr, data: data.to_path_buf(), log, options };
        s.spawn();
        s.wait_ready(READY_WITHIN);
        s
    }

    fn spawn(&mut self) {
        assert!(self.child.is_none(), "already running");
        let mut log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log).unwrap();
        writeln!(log, "==== test harness: starting {} ====", self.addr).unwrap();
        let mut cmd = Command::new(BIN);
        cmd.arg("--data-dir").arg(&self.data).args(["serve", "--demo", "--addr"]).arg(self.addr.to_string());
        if self.options.trust_proxy {
            cmd.arg("--trust-proxy");
        }
        cmd.env_remove("DATABASE_URL")
            .env_remove("SMTP_URL")
            .env("CLINICPRESS_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        if let Some(url) = &self.options.database_url {
            cmd.env("DATABASE_URL", url);
        }
        if let Some(url) = &self.options.smtp_url {
            cmd.env("SMTP_URL", url);
        }
        for (k, v) in &self.options.env {
            cmd.env(k, v);
        }
        self.child = Some(cmd.spawn().expect("the clinicpress binary starts"));
    }

    /// Poll `/healthz` until it answers 200; fail with the log after `within`.
    pub fn wait_ready(&mut self, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            if get(self.addr, "localhost", "/healthz").status == 200 {
                return;
            }
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!("the server exited ({status}) before it answered:\n{}", self.log_text());
            }
            assert!(Instant::now() < deadline, "the server did not answer within {within:?}:\n{}", self.log_text());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL: no graceful shutdown, nothing flushed or committed on the way out.
    pub fn kill9(&mut self) {
        let mut child = self.child.take().expect("running");
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// SIGTERM, then wait until it exits (up to `within`); its exit status.
    pub fn terminate(&mut self, within: Duration) -> std::process::ExitStatus {
        self.stop_with("TERM", within)
    }

    /// SIGINT (what Ctrl-C sends), then wait until it exits (up to `within`); its exit status.
    pub fn interrupt(&mut self, within: Duration) -> std::process::ExitStatus {
        self.stop_with("INT", within)
    }

    fn stop_with(&mut self, signal: &str, within: Duration) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("running");
        let ok =
            Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status().expect("kill runs");
        assert!(ok.success(), "kill -{signal} failed");
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the server did not stop within {within:?} of SIG{signal}:\n{}", self.log_text());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Start it again (after [`Server::kill9`] or [`Server::terminate`]) on
    /// the same address, data directory and database, and wait until it answers.
    pub fn restart(&mut self) {
        self.spawn();
        self.wait_ready(READY_WITHIN);
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// Everything it logged, over all its starts.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `Host` for a clinic on this server: `pmc.localhost:PORT`.
    pub fn host(&self, clinic: &str) -> String {
        format!("{clinic}.localhost:{}", self.addr.port())
    }

    /// GET on a clinic's site.
    pub fn get(&self, clinic: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
        request(self.addr, "GET", &self.host(clinic), path, headers, "")
    }

    /// POST on a clinic's site.
    pub fn post(&self, clinic: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
        request(self.addr, "POST", &self.host(clinic), path, headers, body)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// An HTTP answer. Status 0: none came.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// The first header of this name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The `name=value` part of the `Set-Cookie` for cookie `name`, if set.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|(_, v)| v.split(';').next())
            .find(|pair| pair.split_once('=').is_some_and(|(n, _)| n.trim() == name))
            .map(str::to_string)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}), status {}: {}", self.status, self.body))
    }
}

/// A plain HTTP/1.1 request with `Connection: close` (and `Content-Length`
/// when there is a body); waits at most 30 s for the answer.
pub fn request(addr: SocketAddr, method: &str, host: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    request_counted(addr, method, host, path, headers, body).1
}

/// [`request`], also saying how many bytes of answer arrived: 0 when the
/// server closed (or reset) the connection without answering — it refused
/// it or never read the request — more with status 0 when an answer was
/// cut off.
pub fn request_counted(
    addr: SocketAddr,
    method: &str,
    host: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (usize, Reply) {
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else { return (0, Reply::default()) };
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if method != "GET" || !body.is_empty() {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    if s.write_all(head.as_bytes()).and_then(|_| s.write_all(body.as_bytes())).is_err() {
        return (0, Reply::default());
    }
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return (raw.len(), Reply::default()),
        }
    }
    (raw.len(), parse(&raw).unwrap_or_default())
}

/// GET without extra headers.
pub fn get(addr: SocketAddr, host: &str, path: &str) -> Reply {
    request(addr, "GET", host, path, &[], "")
}

fn parse(raw: &[u8]) -> Option<Reply> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        body = dechunk(&body)?;
    }
    Some(Reply { status, headers, body: String::from_utf8_lossy(&body).into_owned() })
}

/// A chunked body, decoded; `None` when it was cut off before its last chunk.
fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
        let size_text = String::from_utf8_lossy(&rest[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        if rest.len() < size + 2 {
            return None;
        }
        out.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

/// `application/x-www-form-urlencoded` from pairs.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", app::text::url_encode(k), app::text::url_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Poll `check` until it gives `Some`, failing with `what` after `within`.
pub fn wait_for<T>(within: Duration, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "waited {within:?} in vain: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
