//! The built assets under `/pkg/` (stylesheet, browser bundle), served
//! from memory: read and hashed at start, compressed once (brotli at its
//! best, gzip -9) in the background, with a validator, and cached by
//! browsers for a year when asked for by their versioned address
//! (`/pkg/clinicpress.css?v=<hash>`, which pages link; see `app::assets`).
//! Until an asset's compressed forms are ready, the compression layer
//! compresses it per answer.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::page_cache::Encoding;

/// One file of `/pkg/`.
pub struct Asset {
    content_type: &'static str,
    /// The first 64 bits of its SHA-256, in hex: its version.
    version: String,
    etag: HeaderValue,
    raw: Bytes,
    /// Brotli and gzip forms, once compressed (None: not worth it).
    compressed: OnceLock<Option<(Bytes, Bytes)>>,
}

/// The files of `/pkg/` by name.
#[derive(Default)]
pub struct Assets {
    files: HashMap<String, Arc<Asset>>,
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn compressible(content_type: &str) -> bool {
    !content_type.starts_with("font/") && content_type != "application/octet-stream"
}

impl Assets {
    /// Read the files directly in `pkg` (none: an empty set, as in tests).
    pub fn load(pkg: &Path) -> Assets {
        let mut files = HashMap::new();
        let Ok(dir) = std::fs::read_dir(pkg) else { return Assets { files } };
        for entry in dir.flatten() {
            let path = entry.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else { continue };
            if !path.is_file() {
                continue;
            }
            match std::fs::read(&path) {
                Ok(bytes) => {
                    let digest = Sha256::digest(&bytes);
                    let version: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
                    let etag = HeaderValue::from_str(&format!("W/\"{version}\"")).expect("hex digits");
                    let asset = Asset {
                        content_type: content_type(&name),
                        version,
                        etag,
                        raw: Bytes::from(bytes),
                        compressed: OnceLock::new(),
                    };
                    files.insert(name, Arc::new(asset));
                }
                Err(e) => tracing::warn!(file = %path.display(), error = %e, "cannot read a built asset"),
            }
        }
        Assets { files }
    }

    /// Each file's version, for the pages' links.
    pub fn versions(&self) -> HashMap<String, String> {
        self.files.iter().map(|(name, a)| (name.clone(), a.version.clone())).collect()
    }

    /// Compress every file once, on a thread of its own (the bundle takes a
    /// few seconds at brotli's best). Not a runtime's blocking task: a
    /// stopping server does not wait for it.
    pub fn compress_in_background(self: &Arc<Self>) {
        if self.files.is_empty() {
            return;
        }
        let assets = self.clone();
        let started = std::thread::Builder::new().name("compress-assets".into()).spawn(move || {
            for asset in assets.files.values() {
                asset.compressed.get_or_init(|| compress(asset));
            }
        });
        if let Err(e) = started {
            tracing::warn!(error = %e, "cannot start compressing the assets; they are compressed per answer");
        }
    }
}

/// Files up to this size are compressed at brotli's and gzip's best.
const BEST_UP_TO: usize = 4 * 1024 * 1024;

/// Brotli quality and gzip level for a file of `len` bytes: the best for
/// what a release build ships (a bundle of a few hundred KiB takes a few
/// seconds); a debug build's bundle (tens of MiB, not for the public) at
/// fast levels, else it would keep a core busy for minutes after start.
fn levels(len: usize) -> (i32, u32) {
    if len <= BEST_UP_TO { (11, 9) } else { (5, 6) }
}

fn compress(asset: &Asset) -> Option<(Bytes, Bytes)> {
    use std::io::Write;
    if !compressible(asset.content_type) || asset.raw.len() < 256 {
        return None;
    }
    let (quality, level) = levels(asset.raw.len());
    let br = crate::compression::brotli(&asset.raw, quality);
    let mut gz =
        flate2::write::GzEncoder::new(Vec::with_capacity(asset.raw.len() / 3), flate2::Compression::new(level));
    gz.write_all(&asset.raw).ok()?;
    Some((Bytes::from(br), Bytes::from(gz.finish().ok()?)))
}

/// `GET /pkg/{file}`: the file, compressed as the browser accepts; kept
/// for a year when asked for by its current version (`?v=`), else
/// revalidated (`304` while it has not changed).
pub async fn serve(
    State(assets): State<Arc<Assets>>,
    UrlPath(file): UrlPath<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Some(asset) = assets.files.get(&file) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let versioned = query.get("v").is_some_and(|v| *v == asset.version);
    let cache_control =
        HeaderValue::from_static(if versioned { "public, max-age=31536000, immutable" } else { "no-cache" });
    let mut res = if crate::page_cache::matches(headers.get(header::IF_NONE_MATCH), &asset.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let accept = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok());
        let encoding = Encoding::choose(accept);
        let ready = asset.compressed.get().and_then(Option::as_ref);
        let (body, coding) = match (encoding, ready) {
            (Encoding::Brotli, Some((br, _))) => (br.clone(), encoding.header()),
            (Encoding::Gzip, Some((_, gz))) => (gz.clone(), encoding.header()),
            _ => (asset.raw.clone(), None),
        };
        let mut res = Response::new(Body::from(body));
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
        if let Some(coding) = coding {
            res.headers_mut().insert(header::CONTENT_ENCODING, coding);
        }
        res
    };
    let h = res.headers_mut();
    h.insert(header::ETAG, asset.etag.clone());
    h.insert(header::CACHE_CONTROL, cache_control);
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_bundles_get_the_best_levels_and_debug_bundles_fast_ones() {
        assert_eq!(levels(300 * 1024), (11, 9));
        assert_eq!(levels(BEST_UP_TO), (11, 9));
        assert_eq!(levels(18 * 1024 * 1024), (5, 6));
    }

    #[test]
    fn files_are_read_hashed_and_compressed() {
        let dir = tempfile::tempdir().unwrap();
        let css = "body { color: #1a1a1a; }\n".repeat(100);
        std::fs::write(dir.path().join("clinicpress.css"), &css).unwrap();
        std::fs::write(dir.path().join("tiny.js"), "x()").unwrap();
        std::fs::create_dir(dir.path().join("snippets")).unwrap();
        let assets = Assets::load(dir.path());
        let versions = assets.versions();
        assert_eq!(versions.len(), 2, "{versions:?}");
        assert_eq!(versions["clinicpress.css"].len(), 16);
        let a = &assets.files["clinicpress.css"];
        assert_eq!(a.content_type, "text/css; charset=utf-8");
        let (br, gz) = compress(a).expect("compressed");
        let mut plain = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut plain).unwrap();
        assert_eq!(plain, css.as_bytes());
        assert!(gz.len() < css.len() / 5);
        assert!(compress(&assets.files["tiny.js"]).is_none(), "too small to be worth it");
        assert!(Assets::load(&dir.path().join("missing")).versions().is_empty());
    }
}
