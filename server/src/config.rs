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
}

impl WebSettings {
    /// Defaults for a data directory: plain-HTTP cookies, no proxy, mail to `DATA_DIR/mail/`.
    pub fn for_data_dir(data_dir: &Path) -> Self {
        WebSettings {
            secure_cookies: false,
            trust_proxy: false,
            mailer: crate::mail::Mailer::files(data_dir.join("mail")),
            media_root: data_dir.join("media"),
        }
    }
}
