//! Image uploads: the type is checked from the file's bytes (JPEG, PNG or
//! WebP only) and the image decoded before anything is stored; the size is
//! limited; resized variants (400/800/1600 px wide, never wider than the
//! original) are written under `DATA_DIR/media/{clinic_id}/` with random
//! names, served by the server itself with long cache headers and
//! `nosniff` — never from an executable path.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use password_hash::rand_core::{OsRng, RngCore};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};

use crate::audit::{self, Actor};
use crate::entities::media;

/// Largest upload accepted.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Largest image accepted, in pixels (a 40-megapixel photo).
pub const MAX_PIXELS: u64 = 40_000_000;
/// Widths of the resized variants.
pub const WIDTHS: [u32; 3] = [400, 800, 1600];
pub const MAX_ALT: usize = 300;

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error(
        "This file is not a JPEG, PNG or WebP image (whatever its name says). Choose a photo or picture in one of those formats."
    )]
    NotAnImage,
    #[error("The file is {0:.1} MB; the limit is 10 MB. Make the image smaller and upload it again.")]
    TooLarge(f64),
    #[error("The image is too large in pixels (at most 40 megapixels); make it smaller first.")]
    TooManyPixels,
    #[error("The image could not be read: it may be damaged.")]
    Damaged,
    #[error("Describe the image for people who cannot see it (alt text is required).")]
    MissingAlt,
    #[error("Keep the alt text under 300 characters.")]
    AltTooLong,
    #[error("Choose an image file to upload.")]
    NoFile,
    #[error("cannot write the image: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// The format from the first bytes; only JPEG, PNG and WebP pass.
pub fn sniff(bytes: &[u8]) -> Result<ImageFormat, MediaError> {
    match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => Ok(f),
        _ => Err(MediaError::NotAnImage),
    }
}

/// Widths to store for an image `width` pixels wide: the standard widths
/// below it, or the image's own width when it is narrower than all of them.
pub fn variant_widths(width: u32) -> Vec<u32> {
    let mut w: Vec<u32> = WIDTHS.iter().copied().filter(|&x| x <= width).collect();
    if w.is_empty() {
        w.push(width.max(1));
    }
    w
}

/// One encoded variant: (width, bytes). Images with transparency stay PNG, the rest become JPEG.
pub struct Variants {
    pub ext: &'static str,
    pub width: u32,
    pub height: u32,
    pub files: Vec<(u32, Vec<u8>)>,
}

/// Decode (bounded), resize and encode. CPU work: call from a blocking thread.
pub fn make_variants(bytes: &[u8]) -> Result<Variants, MediaError> {
    let format = sniff(bytes)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let (w, h) = reader.into_dimensions().map_err(|_| MediaError::Damaged)?;
    if (w as u64) * (h as u64) > MAX_PIXELS {
        return Err(MediaError::TooManyPixels);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let img: DynamicImage = reader.decode().map_err(|_| MediaError::Damaged)?;
    let alpha = img.color().has_alpha();
    let ext = if alpha { "png" } else { "jpg" };
    let mut files = Vec::new();
    for vw in variant_widths(img.width()) {
        let vh = ((img.height() as u64 * vw as u64) / img.width().max(1) as u64).max(1) as u32;
        let resized = if vw == img.width() {
            img.clone()
        } else {
            img.resize_exact(vw, vh, image::imageops::FilterType::Lanczos3)
        };
        let mut out = Vec::new();
        if alpha {
            resized.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).map_err(|_| MediaError::Damaged)?;
        } else {
            let rgb = DynamicImage::ImageRgb8(resized.to_rgb8());
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82);
            rgb.write_with_encoder(encoder).map_err(|_| MediaError::Damaged)?;
        }
        files.push((vw, out));
    }
    Ok(Variants { ext, width: img.width(), height: img.height(), files })
}

pub fn folder(media_root: &Path, clinic_id: i32) -> PathBuf {
    media_root.join(clinic_id.to_string())
}

pub fn file_name(m: &media::Model, width: u32) -> String {
    format!("{}-{width}.{}", m.stored_name, m.ext)
}

pub fn widths_of(m: &media::Model) -> Vec<u32> {
    m.widths.split(',').filter_map(|w| w.parse().ok()).collect()
}

/// The URL a post uses: the 800-px variant (or the widest below it).
pub fn default_url(m: &media::Model) -> String {
    let widths = widths_of(m);
    let w = widths.iter().copied().filter(|&w| w <= 800).max().or_else(|| widths.first().copied()).unwrap_or(0);
    format!("/media/{}", file_name(m, w))
}

pub fn srcset(m: &media::Model) -> String {
    widths_of(m).into_iter().map(|w| format!("/media/{} {w}w", file_name(m, w))).collect::<Vec<_>>().join(", ")
}

/// `/media/{stored}-{w}.{ext}` → `stored`.
pub fn stored_name_of(url: &str) -> Option<&str> {
    let file = url.strip_prefix("/media/")?;
    let (stem, _) = file.rsplit_once('.')?;
    let (stored, w) = stem.rsplit_once('-')?;
    (w.parse::<u32>().is_ok() && !stored.is_empty()).then_some(stored)
}

/// Is this a file name we could have written? (No paths, no surprises.)
pub fn valid_file_name(name: &str) -> bool {
    let Some((stem, ext)) = name.rsplit_once('.') else { return false };
    matches!(ext, "jpg" | "png")
        && stem.len() <= 80
        && stem.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
        && stored_name_of(&format!("/media/{name}")).is_some()
}

/// Check, resize and store an upload; one row, one audit entry.
#[allow(clippy::too_many_arguments)]
pub async fn store(
    db: &DatabaseConnection,
    media_root: &Path,
    clinic_id: i32,
    actor: &Actor,
    original_name: &str,
    alt: &str,
    bytes: Vec<u8>,
    now: DateTime<Utc>,
) -> Result<media::Model, MediaError> {
    let alt = alt.trim().to_string();
    if alt.is_empty() {
        return Err(MediaError::MissingAlt);
    }
    if alt.chars().count() > MAX_ALT {
        return Err(MediaError::AltTooLong);
    }
    if bytes.is_empty() {
        return Err(MediaError::NoFile);
    }
    if bytes.len() > MAX_BYTES {
        return Err(MediaError::TooLarge(bytes.len() as f64 / 1_048_576.0));
    }
    sniff(&bytes)?;
    let size = bytes.len();
    let variants = tokio::task::spawn_blocking(move || make_variants(&bytes))
        .await
        .map_err(|e| MediaError::Io(std::io::Error::other(e.to_string())))??;
    let mut raw = [0u8; 16];
    OsRng.fill_bytes(&mut raw);
    let stored: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    let dir = folder(media_root, clinic_id);
    tokio::fs::create_dir_all(&dir).await?;
    for (w, data) in &variants.files {
        tokio::fs::write(dir.join(format!("{stored}-{w}.{}", variants.ext)), data).await?;
    }
    let widths = variants.files.iter().map(|(w, _)| w.to_string()).collect::<Vec<_>>().join(",");
    let original: String = Path::new(original_name)
        .file_name()
        .map(|n| n.to_string_lossy().chars().take(200).collect())
        .unwrap_or_default();
    let m = media::ActiveModel {
        clinic_id: Set(clinic_id),
        stored_name: Set(stored),
        ext: Set(variants.ext.to_string()),
        width: Set(variants.width as i32),
        height: Set(variants.height as i32),
        widths: Set(widths),
        alt: Set(alt),
        original_name: Set(original.clone()),
        bytes: Set(size as i64),
        user_id: Set(actor.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        Some(clinic_id),
        actor,
        "media.upload",
        "media",
        Some(m.id),
        &format!("uploaded image \"{original}\" ({} × {} px)", m.width, m.height),
        now,
    )
    .await?;
    Ok(m)
}

pub async fn list<C: ConnectionTrait>(db: &C, clinic_id: i32) -> Result<Vec<media::Model>, sea_orm::DbErr> {
    media::Entity::find()
        .filter(media::Column::ClinicId.eq(clinic_id))
        .order_by_desc(media::Column::CreatedAt)
        .order_by_desc(media::Column::Id)
        .all(db)
        .await
}

/// The media row behind a `/media/…` URL of this clinic.
pub async fn by_url<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    url: &str,
) -> Result<Option<media::Model>, sea_orm::DbErr> {
    let Some(stored) = stored_name_of(url) else { return Ok(None) };
    media::Entity::find()
        .filter(media::Column::ClinicId.eq(clinic_id))
        .filter(media::Column::StoredName.eq(stored))
        .one(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32, alpha: bool) -> Vec<u8> {
        let img = if alpha {
            DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(w, h, image::Rgba([10, 20, 30, 128])))
        } else {
            DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, y| {
                image::Rgb([(x % 255) as u8, (y % 255) as u8, 90])
            }))
        };
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
        out
    }

    #[test]
    fn the_type_comes_from_the_bytes() {
        assert_eq!(sniff(&png(4, 4, false)).unwrap(), ImageFormat::Png);
        assert!(matches!(sniff(b"<?php echo 'hi'; ?>"), Err(MediaError::NotAnImage)));
        assert!(matches!(sniff(b"GIF89a......"), Err(MediaError::NotAnImage)));
        // A PNG signature with garbage after it is refused when decoding.
        let mut broken = png(4, 4, false);
        broken.truncate(20);
        assert!(matches!(make_variants(&broken), Err(MediaError::Damaged)));
    }

    #[test]
    fn variants_are_resized_and_never_upscaled() {
        assert_eq!(variant_widths(2000), vec![400, 800, 1600]);
        assert_eq!(variant_widths(900), vec![400, 800]);
        assert_eq!(variant_widths(120), vec![120]);
        let v = make_variants(&png(1000, 500, false)).unwrap();
        assert_eq!((v.ext, v.width, v.height), ("jpg", 1000, 500));
        assert_eq!(v.files.iter().map(|(w, _)| *w).collect::<Vec<_>>(), vec![400, 800]);
        let small = image::load_from_memory(&v.files[0].1).unwrap();
        assert_eq!((small.width(), small.height()), (400, 200));
        assert_eq!(make_variants(&png(500, 500, true)).unwrap().ext, "png", "transparency is kept");
    }

    #[test]
    fn urls_and_file_names() {
        assert_eq!(stored_name_of("/media/ab12-800.jpg"), Some("ab12"));
        assert_eq!(stored_name_of("https://x.example/a.jpg"), None);
        assert!(valid_file_name("0123abcd-400.jpg"));
        for bad in ["../etc/passwd", "a-400.exe", "x.jpg", "..-400.jpg", "ab/cd-400.png"] {
            assert!(!valid_file_name(bad), "{bad}");
        }
    }
}
