//! Run-time settings, from the command line or the environment.

use std::path::{Path, PathBuf};

pub mod file;

/// Where the built site (CSS, the hydrate bundle, public assets) lives.
///
/// Unless `--site-root` / `CLINICPRESS_SITE_ROOT` says: `site/` next to
/// the binary's target directory (`target/release/clinicpress` →
/// `target/site`), so the release binary runs from any working directory.
pub fn site_root() -> PathBuf {
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
    {
        for candidate in [dir.join("site"), dir.join("../site")] {
            if candidate.join("pkg").is_dir() {
                return candidate;
            }
        }
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/site")
}

/// The log filter when `CLINICPRESS_LOG` / `--log` is not set.
pub const DEFAULT_LOG_FILTER: &str = "info,sqlx=warn,sea_orm=warn";

/// `--log` / `CLINICPRESS_LOG`: a filter tracing understands.
pub fn check_log_filter(value: &str) -> Result<String, String> {
    tracing_subscriber::EnvFilter::try_new(value)
        .map(|_| value.to_string())
        .map_err(|e| format!("not a log filter (like \"info\" or \"info,clinicpress=debug\"): {e}"))
}

/// How log lines are written (`--log-format`, `CLINICPRESS_LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// One readable line per event.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Settings the router needs at run time.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Mark the session cookie `Secure` (set when the site is served over HTTPS).
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy: bool,
    /// Where outgoing mail goes.
    pub mailer: crate::mail::Mailer,
    /// Uploaded images (`DATA_DIR/media`).
    pub media_root: PathBuf,
    /// Addresses per sitemap file; beyond it `/sitemap.xml` becomes a sitemap
    /// index (`feeds::sitemap`). The protocol's maximum, 50,000, unless lowered.
    pub sitemap_limit: usize,
    /// Whether lead webhooks may be plain http to this machine (a test
    /// receiver): `serve --local-webhooks`. Refused by default.
    pub local_webhooks: crate::leads::webhook::LocalHttp,
    /// `/readyz` and `/metrics` (`crate::ops`): the metrics token and the
    /// index lag readiness allows.
    pub ops: crate::ops::Settings,
    /// Rendered public pages kept in memory (`crate::page_cache`).
    pub page_cache: crate::page_cache::Settings,
}

impl WebSettings {
    /// Defaults for a data directory: plain-HTTP cookies, no proxy, mail to `DATA_DIR/mail/`.
    pub fn for_data_dir(data_dir: &Path) -> Self {
        WebSettings {
            secure_cookies: false,
            trust_proxy: false,
            mailer: crate::mail::Mailer::files(data_dir.join("mail")),
            media_root: data_dir.join("media"),
            sitemap_limit: crate::feeds::sitemap::MAX_URLS,
            local_webhooks: Default::default(),
            ops: Default::default(),
            page_cache: Default::default(),
        }
    }
}

/// How SQLite makes a commit durable: `--sqlite-synchronous` /
/// `CLINICPRESS_SQLITE_SYNCHRONOUS` (`normal`, the default, or `full`).
/// PostgreSQL is not affected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SqliteSync {
    /// `synchronous = NORMAL`: in WAL mode a commit survives the process
    /// being killed, but the last commits before a power loss or an
    /// operating-system crash may be lost (the WAL is synced only at
    /// checkpoints).
    #[default]
    Normal,
    /// `synchronous = FULL`: the WAL is synced at every commit, so every
    /// acknowledged commit (a lead's "thank you") survives a power loss too;
    /// each commit waits for the disk.
    Full,
}

impl SqliteSync {
    /// `normal` or `full` (any case); empty is the default
    /// (`--sqlite-synchronous` / `CLINICPRESS_SQLITE_SYNCHRONOUS`).
    pub fn parse(value: &str) -> Result<Self, String> {
        match value.trim().to_ascii_lowercase().as_str() {
            "" | "normal" => Ok(SqliteSync::Normal),
            "full" => Ok(SqliteSync::Full),
            other => Err(format!("must be \"normal\" or \"full\", not \"{other}\"")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_synchronous_is_normal_unless_set_to_full() {
        assert_eq!(SqliteSync::default(), SqliteSync::Normal);
        assert_eq!(SqliteSync::parse(""), Ok(SqliteSync::Normal));
        assert_eq!(SqliteSync::parse("normal"), Ok(SqliteSync::Normal));
        assert_eq!(SqliteSync::parse(" FULL "), Ok(SqliteSync::Full));
        for bad in ["off", "extra", "1", "fullish"] {
            let e = SqliteSync::parse(bad).unwrap_err();
            assert!(e.contains("normal") && e.contains(bad), "{e}");
        }
    }
}
