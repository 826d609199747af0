//! Run-time settings, from the command line or the environment.

use std::path::{Path, PathBuf};

/// Where the built site (CSS, the hydrate bundle, public assets) lives.
///
/// `CLINICPRESS_SITE_ROOT` wins; otherwise `site/` next to the binary's
/// target directory (`target/release/clinicpress` → `target/site`), so the
/// release binary runs from any working directory.
pub fn site_root() -> PathBuf {
    if let Ok(p) = std::env::var("CLINICPRESS_SITE_ROOT") {
        return PathBuf::from(p);
    }
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
        }
    }
}

/// How SQLite makes a commit durable: `CLINICPRESS_SQLITE_SYNCHRONOUS`
/// (`normal`, the default, or `full`). PostgreSQL is not affected.
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
    /// The environment variable read by [`SqliteSync::from_env`].
    pub const ENV: &'static str = "CLINICPRESS_SQLITE_SYNCHRONOUS";

    /// `normal` or `full` (any case); empty is the default.
    pub fn parse(value: &str) -> Result<Self, String> {
        match value.trim().to_ascii_lowercase().as_str() {
            "" | "normal" => Ok(SqliteSync::Normal),
            "full" => Ok(SqliteSync::Full),
            other => Err(format!("{} must be \"normal\" or \"full\", not \"{other}\"", Self::ENV)),
        }
    }

    /// From [`SqliteSync::ENV`]; unset is the default.
    pub fn from_env() -> Result<Self, String> {
        std::env::var(Self::ENV).map_or(Ok(SqliteSync::default()), |v| Self::parse(&v))
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
            assert!(e.contains("CLINICPRESS_SQLITE_SYNCHRONOUS") && e.contains(bad), "{e}");
        }
    }
}
