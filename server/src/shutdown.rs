//! Stopping cleanly on SIGTERM or SIGINT (Ctrl-C).
//!
//! One [`CancellationToken`] is the stop signal. When it fires, the
//! listener stops accepting and requests in flight finish (bounded by
//! `--shutdown-timeout`); each background worker sees the token only
//! between units of work, so it finishes the row in hand (a mail being
//! sent, a batch being indexed) and returns; then the pool closes. A worker
//! still busy when the time is up is dropped: what it had claimed is
//! released by its lease expiring, as after a crash.

use std::future::Future;
use std::time::Duration;

pub use tokio_util::sync::CancellationToken;

/// The background tasks of `serve`, stopped together.
#[derive(Default)]
pub struct Workers {
    stop: CancellationToken,
    tasks: Vec<(&'static str, tokio::task::JoinHandle<()>)>,
}

impl Workers {
    /// The token the workers watch; cancelling it stops them and the server.
    pub fn token(&self) -> CancellationToken {
        self.stop.clone()
    }

    /// Keep a spawned worker, by name, to wait for at shutdown.
    pub fn add(&mut self, name: &'static str, task: tokio::task::JoinHandle<()>) {
        self.tasks.push((name, task));
    }

    /// Stop every worker and wait, at most `grace` in all; a worker still
    /// running then is aborted (with a log line naming it).
    pub async fn stop(self, grace: Duration) {
        self.stop.cancel();
        let deadline = tokio::time::Instant::now() + grace;
        for (name, mut task) in self.tasks {
            match tokio::time::timeout_at(deadline, &mut task).await {
                Ok(Ok(())) => tracing::debug!(worker = name, "worker stopped"),
                Ok(Err(e)) => tracing::error!(worker = name, error = %e, "worker ended abnormally"),
                Err(_) => {
                    task.abort();
                    tracing::warn!(
                        worker = name,
                        "worker still busy at the end of the shutdown time; stopped it (its claims expire)"
                    );
                }
            }
        }
    }
}

/// `--shutdown-timeout` / `CLINICPRESS_SHUTDOWN_TIMEOUT`: whole seconds, 0 to 600.
pub fn check_timeout(value: &str) -> Result<Duration, String> {
    match value.trim().parse::<u64>() {
        Ok(s) if s <= 600 => Ok(Duration::from_secs(s)),
        _ => Err("expected whole seconds from 0 to 600, like 20".to_string()),
    }
}

/// Wait for `d`, or less if the stop signal comes first: `true` when stopping.
pub async fn sleep_or_stop(stop: &CancellationToken, d: Duration) -> bool {
    tokio::select! {
        _ = stop.cancelled() => true,
        _ = tokio::time::sleep(d) => stop.is_cancelled(),
    }
}

/// Run `work` until it ends, or until `grace` after the stop signal; `None` when cut short.
pub async fn bounded<T>(stop: &CancellationToken, grace: Duration, work: impl Future<Output = T>) -> Option<T> {
    let deadline = async {
        stop.cancelled().await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        out = work => Some(out),
        _ = deadline => None,
    }
}

/// Cancel `stop` on the first SIGTERM or SIGINT; on a second one, exit at
/// once (an operator who will not wait). The handlers are installed when
/// this is called, not when the future is first polled, so a signal that
/// comes as soon as the server answers is never met by the default action
/// (which would kill the process).
pub fn on_signal(stop: CancellationToken) -> impl Future<Output = ()> + Send + 'static {
    let mut signals = Signals::new();
    async move {
        tokio::select! {
            what = signals.next() => tracing::info!("{what}; shutting down"),
            _ = stop.cancelled() => return,
        }
        stop.cancel();
        let what = signals.next().await;
        tracing::warn!("{what} again; exiting now");
        std::process::exit(1);
    }
}

/// SIGINT (Ctrl-C) and, on Unix, SIGTERM.
struct Signals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    /// Installs the handlers (needs the runtime).
    fn new() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let term = signal(SignalKind::terminate());
            let int = signal(SignalKind::interrupt());
            for (name, s) in [("SIGTERM", &term), ("SIGINT", &int)] {
                if let Err(e) = s {
                    tracing::warn!(error = %e, "cannot listen for {name}; it will not stop the server cleanly");
                }
            }
            Signals { term: term.ok(), int: int.ok() }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    /// The next signal, by name.
    async fn next(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            async fn recv(s: Option<&mut tokio::signal::unix::Signal>) {
                match s {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            tokio::select! {
                _ = recv(self.int.as_mut()) => "interrupted",
                _ = recv(self.term.as_mut()) => "SIGTERM",
            }
        }
        #[cfg(not(unix))]
        {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
            "interrupted"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn workers_stop_at_their_next_wait_and_busy_ones_are_cut_off_after_the_grace() {
        let mut workers = Workers::default();
        let token = workers.token();
        let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
        let polite = {
            let (token, done) = (token.clone(), done_tx.clone());
            tokio::spawn(async move {
                while !sleep_or_stop(&token, Duration::from_secs(5)).await {}
                done.send("polite").unwrap();
            })
        };
        let busy = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            done_tx.send("busy").unwrap();
        });
        workers.add("polite", polite);
        workers.add("busy", busy);
        workers.stop(Duration::from_millis(200)).await;
        assert_eq!(done_rx.recv().await, Some("polite"));
        assert_eq!(done_rx.recv().await, None, "the busy worker was aborted, not waited for");
    }

    #[tokio::test]
    async fn bounded_work_finishes_or_is_cut_short_after_the_signal() {
        let stop = CancellationToken::new();
        assert_eq!(bounded(&stop, Duration::from_secs(1), async { 7 }).await, Some(7));
        stop.cancel();
        let slow = bounded(&stop, Duration::from_millis(50), tokio::time::sleep(Duration::from_secs(60))).await;
        assert_eq!(slow, None);
    }
}
