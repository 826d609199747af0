//! Run-time settings, from the command line or the environment.

use std::net::SocketAddr;
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

#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub site_root: PathBuf,
}
