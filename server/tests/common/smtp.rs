//! A small SMTP server for tests: speaks enough SMTP (EHLO/HELO, MAIL,
//! RCPT, DATA, RSET, NOOP, QUIT) for lettre to hand it messages, records
//! each message's envelope and data, can refuse (4xx or 5xx at `MAIL`), and
//! can be stopped (nothing listens on its port afterwards).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A message as the sink received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// Headers and body as sent (dot-unstuffed, CRLF line ends).
    pub data: String,
}

impl Received {
    /// A header's value (unfolded), if present.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let mut value: Option<String> = None;
        let mut found = false;
        for line in head.split("\r\n") {
            if found && (line.starts_with(' ') || line.starts_with('\t')) {
                value.as_mut().unwrap().push_str(line.trim_start());
                continue;
            }
            if found {
                break;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case(name)
            {
                value = Some(v.trim().to_string());
                found = true;
            }
        }
        value
    }

    /// The body as text, its transfer encoding (quoted-printable or
    /// base64) undone.
    pub fn text(&self) -> String {
        let body = self.data.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
        match self.header("Content-Transfer-Encoding").map(|v| v.to_ascii_lowercase()).as_deref() {
            Some("quoted-printable") => quoted_printable(body),
            Some("base64") => {
                use base64::Engine;
                let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
                let bytes = base64::engine::general_purpose::STANDARD.decode(compact).expect("base64 body");
                String::from_utf8_lossy(&bytes).into_owned()
            }
            _ => body.to_string(),
        }
    }
}

fn quoted_printable(s: &str) -> String {
    let joined = s.replace("=\r\n", "");
    let b = joined.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'='
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// How the sink answers `MAIL FROM`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Accept,
    /// Answer with this code and text, e.g. `(451, "try again later")` or `(550, "no")`.
    Refuse(u16, String),
}

#[derive(Default)]
struct Shared {
    received: Vec<Received>,
    refuse: Option<(u16, String)>,
    refused: usize,
    /// How long to think before accepting each message (a slow mail server).
    delay: std::time::Duration,
}

pub struct SmtpSink {
    pub addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    task: JoinHandle<()>,
}

/// A port nothing listens on (just now).
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().unwrap().port()
}

impl SmtpSink {
    /// On a free port.
    pub async fn start() -> SmtpSink {
        Self::start_on(0).await
    }

    /// On this port of 127.0.0.1 (0: any free one).
    pub async fn start_on(port: u16) -> SmtpSink {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("bind the SMTP sink");
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let state = shared.clone();
        let task = tokio::spawn(async move {
            let mut sessions = tokio::task::JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                sessions.spawn(session(stream, state.clone()));
            }
        });
        SmtpSink { addr, shared, task }
    }

    /// `smtp://127.0.0.1:PORT` (plain, no authentication) for `SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn set_mode(&self, mode: Mode) {
        self.shared.lock().unwrap().refuse = match mode {
            Mode::Accept => None,
            Mode::Refuse(code, text) => Some((code, text)),
        };
    }

    /// Take this long before accepting each message (its `250` answer).
    pub fn set_delay(&self, delay: std::time::Duration) {
        self.shared.lock().unwrap().delay = delay;
    }

    /// Every message accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().unwrap().received.clone()
    }

    /// How many `MAIL FROM`s were refused.
    pub fn refused(&self) -> usize {
        self.shared.lock().unwrap().refused
    }

    /// Stop listening and drop every open conversation.
    pub fn stop(self) {
        self.task.abort();
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn session(stream: TcpStream, shared: Arc<Mutex<Shared>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    if say(&mut write, "220 sink.localhost ESMTP test sink\r\n").await.is_err() {
        return;
    }
    let (mut from, mut to) = (String::new(), Vec::<String>::new());
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end();
        let verb = command.split([' ', ':']).next().unwrap_or("").to_ascii_uppercase();
        let answer = match verb.as_str() {
            "EHLO" => "250-sink.localhost\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n".to_string(),
            "HELO" => "250 sink.localhost\r\n".to_string(),
            "MAIL" => {
                let refuse = {
                    let mut s = shared.lock().unwrap();
                    let r = s.refuse.clone();
                    if r.is_some() {
                        s.refused += 1;
                    }
                    r
                };
                match refuse {
                    Some((code, text)) => format!("{code} {text}\r\n"),
                    None => {
                        from = address(command);
                        to.clear();
                        "250 OK\r\n".to_string()
                    }
                }
            }
            "RCPT" => {
                to.push(address(command));
                "250 OK\r\n".to_string()
            }
            "DATA" => {
                if say(&mut write, "354 End data with <CR><LF>.<CR><LF>\r\n").await.is_err() {
                    return;
                }
                let mut data = String::new();
                loop {
                    line.clear();
                    match lines.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    let l = line.strip_prefix('.').unwrap_or(&line);
                    data.push_str(l);
                }
                let delay = shared.lock().unwrap().delay;
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                shared.lock().unwrap().received.push(Received {
                    from: std::mem::take(&mut from),
                    to: std::mem::take(&mut to),
                    data,
                });
                "250 OK queued\r\n".to_string()
            }
            "RSET" => {
                from.clear();
                to.clear();
                "250 OK\r\n".to_string()
            }
            "NOOP" => "250 OK\r\n".to_string(),
            "QUIT" => {
                let _ = say(&mut write, "221 bye\r\n").await;
                return;
            }
            _ => "502 command not implemented\r\n".to_string(),
        };
        if say(&mut write, &answer).await.is_err() {
            return;
        }
    }
}

async fn say(w: &mut tokio::net::tcp::OwnedWriteHalf, text: &str) -> std::io::Result<()> {
    w.write_all(text.as_bytes()).await
}

/// The address in `MAIL FROM:<a@b> BODY=8BITMIME` or `RCPT TO:<a@b>`.
fn address(command: &str) -> String {
    let start = command.find('<').map_or(0, |i| i + 1);
    let end = command[start..].find('>').map_or(command.len(), |i| start + i);
    command[start..end].to_string()
}
