//! A TCP proxy in front of a real server (PostgreSQL in the outage test),
//! to cut: [`Proxy::cut`] drops every open connection and refuses new ones
//! (accepted and closed at once) until [`Proxy::restore`];
//! [`Proxy::stall`] is the quieter failure of a network that stops
//! delivering: open connections stay open but nothing more gets through,
//! and new ones are accepted and never answered. Plain threads, no
//! runtime; stopped when dropped.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

struct Shared {
    upstream: SocketAddr,
    cut: AtomicBool,
    stall: AtomicBool,
    /// Connections accepted while stalled, held open unanswered.
    held: Mutex<Vec<TcpStream>>,
    stop: AtomicBool,
    /// Both ends of every open connection, to shut down on a cut.
    open: Mutex<Vec<TcpStream>>,
    /// Connections refused while cut.
    refused: AtomicUsize,
}

pub struct Proxy {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<std::thread::JoinHandle<()>>,
}

impl Proxy {
    /// Listen on a free port of 127.0.0.1, forwarding to `upstream`.
    pub fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            upstream,
            cut: AtomicBool::new(false),
            stall: AtomicBool::new(false),
            held: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
            open: Mutex::new(Vec::new()),
            refused: AtomicUsize::new(0),
        });
        let s = shared.clone();
        let accept = std::thread::spawn(move || {
            for client in listener.incoming() {
                if s.stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(client) = client else { continue };
                if s.cut.load(Ordering::SeqCst) {
                    s.refused.fetch_add(1, Ordering::SeqCst);
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                if s.stall.load(Ordering::SeqCst) {
                    s.held.lock().unwrap().push(client);
                    continue;
                }
                let Ok(server) = TcpStream::connect_timeout(&s.upstream, Duration::from_secs(5)) else {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                };
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                {
                    let mut open = s.open.lock().unwrap();
                    open.push(client.try_clone().unwrap());
                    open.push(server.try_clone().unwrap());
                }
                pipe(&s, client.try_clone().unwrap(), server.try_clone().unwrap());
                pipe(&s, server, client);
            }
        });
        Proxy { addr, shared, accept: Some(accept) }
    }

    /// Drop every open connection and refuse new ones.
    pub fn cut(&self) {
        self.shared.cut.store(true, Ordering::SeqCst);
        for c in self.shared.open.lock().unwrap().drain(..) {
            let _ = c.shutdown(Shutdown::Both);
        }
    }

    /// Stop delivering: bytes on open connections are dropped, new
    /// connections are accepted and left unanswered.
    pub fn stall(&self) {
        self.shared.stall.store(true, Ordering::SeqCst);
    }

    /// Forward new connections again (connections stalled meanwhile are
    /// closed: what was dropped on them is lost).
    pub fn restore(&self) {
        let stalled = self.shared.stall.swap(false, Ordering::SeqCst);
        self.shared.cut.store(false, Ordering::SeqCst);
        for c in self.shared.held.lock().unwrap().drain(..) {
            let _ = c.shutdown(Shutdown::Both);
        }
        if stalled {
            for c in self.shared.open.lock().unwrap().drain(..) {
                let _ = c.shutdown(Shutdown::Both);
            }
        }
    }

    /// Connections refused while cut (so far).
    pub fn refused(&self) -> usize {
        self.shared.refused.load(Ordering::SeqCst)
    }

    /// `url` with its `host:port` replaced by this proxy's address.
    pub fn url_for(&self, url: &str) -> String {
        let (scheme, rest) = url.split_once("://").expect("a URL");
        let (auth_host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let user = auth_host.rsplit_once('@').map(|(u, _)| format!("{u}@")).unwrap_or_default();
        format!("{scheme}://{user}{}/{path}", self.addr)
    }
}

/// `host:port` of a `scheme://user@host:port/db` URL.
pub fn upstream_of(url: &str) -> SocketAddr {
    let rest = url.split_once("://").expect("a URL").1;
    let host_port = rest.split('/').next().unwrap();
    let host_port = host_port.rsplit_once('@').map_or(host_port, |(_, h)| h);
    let host_port = if host_port.contains(':') { host_port.to_string() } else { format!("{host_port}:5432") };
    let host_port = host_port.replace("localhost:", "127.0.0.1:");
    host_port.parse().unwrap_or_else(|e| panic!("{host_port}: {e}"))
}

fn pipe(shared: &Arc<Shared>, mut from: TcpStream, mut to: TcpStream) {
    let shared = shared.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) if shared.stall.load(Ordering::SeqCst) => {}
                Ok(n) => {
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Both);
        let _ = from.shutdown(Shutdown::Both);
    });
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.cut();
        // Wake the accept loop so it sees `stop`.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}
