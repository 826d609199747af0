//! A clinic's own settings as its admins edit them (`/admin/{clinic}/settings`):
//! name, tagline, brand colour and logo. (The form disclaimer, the lead
//! API's origins, retention and the response target are the request
//! settings, `leads::settings`; the default inbox is on the Offices page.)
//!
//! [`validate`] and [`check_logo`] are pure and report every problem with
//! its field. [`save`], [`set_logo`] and [`remove_logo`] write the clinic
//! and one audit line in one transaction, and nothing when nothing changed
//! or something was refused.

use std::path::Path;

use app::admin::model::{ClinicSettingsForm, ClinicSettingsPage};
use app::colors::check_brand_color;
use chrono::{DateTime, Utc};
use password_hash::rand_core::{OsRng, RngCore};
use sea_orm::{ActiveModelTrait, DatabaseConnection, DbErr, EntityTrait, Set};

use super::network::MAX_NAME;
use crate::audit::{self, Actor};
use crate::entities::{clinic, media as media_row};
use crate::media::{self, MediaError};

/// Longest tagline.
pub const MAX_TAGLINE: usize = 160;
/// Largest logo file accepted (a logo is small; photos go to the image library).
pub const LOGO_MAX_BYTES: usize = 2 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ClinicSettingsError {
    /// (field, message) pairs, in form order.
    #[error("the clinic settings have mistakes")]
    Invalid(Vec<(String, String)>),
    #[error("no such clinic")]
    NotFound,
    #[error("cannot write the logo: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Db(#[from] DbErr),
}

fn logo_error(message: impl Into<String>) -> ClinicSettingsError {
    ClinicSettingsError::Invalid(vec![("logo".into(), message.into())])
}

/// The form, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid {
    pub name: String,
    pub tagline: Option<String>,
    /// `#rrggbb`, lower case.
    pub brand_color: String,
}

/// Check the details form; every problem at once, in form order.
pub fn validate(form: &ClinicSettingsForm) -> Result<Valid, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let name = form.name.trim().to_string();
    if name.is_empty() {
        errors.push(("name".into(), "Give the clinic a name.".into()));
    } else if name.chars().count() > MAX_NAME {
        errors.push(("name".into(), format!("Keep the name under {MAX_NAME} characters.")));
    } else if name.chars().any(char::is_control) {
        errors.push(("name".into(), "Write the name on one line.".into()));
    }
    let tagline = form.tagline.trim().to_string();
    if tagline.chars().count() > MAX_TAGLINE {
        errors.push((
            "tagline".into(),
            format!("Keep the tagline under {MAX_TAGLINE} characters (it has {}).", tagline.chars().count()),
        ));
    } else if tagline.chars().any(char::is_control) {
        errors.push(("tagline".into(), "Write the tagline on one line.".into()));
    }
    let brand_color = match check_brand_color(&form.brand_color) {
        Ok(c) => c,
        Err(message) => {
            errors.push(("brand_color".into(), message));
            String::new()
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Valid { name, tagline: (!tagline.is_empty()).then_some(tagline), brand_color })
}

/// The page's data: the stored settings.
pub async fn page(db: &DatabaseConnection, clinic_id: i32, site_url: String) -> Result<ClinicSettingsPage, DbErr> {
    let c = clinic::Entity::find_by_id(clinic_id).one(db).await?.ok_or(DbErr::RecordNotFound("clinic".into()))?;
    Ok(ClinicSettingsPage {
        form: ClinicSettingsForm {
            name: c.name.clone(),
            tagline: c.tagline.clone().unwrap_or_default(),
            brand_color: c.brand_color.clone(),
        },
        brand_color: c.brand_color.clone(),
        logo_size: logo_size(&c),
        logo_url: c.logo_url,
        site_url,
        refused: None,
    })
}

pub fn logo_size(c: &clinic::Model) -> Option<(u32, u32)> {
    match (c.logo_width, c.logo_height) {
        (Some(w), Some(h)) if w > 0 && h > 0 => Some((w as u32, h as u32)),
        _ => None,
    }
}

/// Check and store the details; returns what changed (empty: nothing was written).
pub async fn save(
    db: &DatabaseConnection,
    clinic_id: i32,
    actor: &Actor,
    form: &ClinicSettingsForm,
    now: DateTime<Utc>,
) -> Result<Vec<String>, ClinicSettingsError> {
    let v = validate(form).map_err(ClinicSettingsError::Invalid)?;
    let txn = crate::db::begin_write(db).await?;
    let c = clinic::Entity::find_by_id(clinic_id).one(&txn).await?.ok_or(ClinicSettingsError::NotFound)?;
    let mut changed = Vec::new();
    let mut am: clinic::ActiveModel = c.clone().into();
    if v.name != c.name {
        changed.push(format!("name (\u{201c}{}\u{201d} \u{2192} \u{201c}{}\u{201d})", c.name, v.name));
        am.name = Set(v.name.clone());
    }
    if v.tagline != c.tagline {
        changed.push("tagline".to_string());
        am.tagline = Set(v.tagline.clone());
    }
    if v.brand_color != c.brand_color.to_ascii_lowercase() {
        changed.push(format!("brand colour ({} \u{2192} {})", c.brand_color, v.brand_color));
        am.brand_color = Set(v.brand_color.clone());
    }
    if changed.is_empty() {
        return Ok(changed);
    }
    am.updated_at = Set(now);
    am.update(&txn).await?;
    let summary = format!("changed the clinic's {}", changed.join(", "));
    audit::record(&txn, Some(clinic_id), actor, "clinic.settings", "clinic", Some(clinic_id), &summary, now).await?;
    txn.commit().await?;
    Ok(changed)
}

/// Does the file look like SVG (or other XML/HTML text)? Such a file can
/// carry scripts, and nothing here sanitises SVG, so it is refused with its
/// own message.
fn looks_like_svg(bytes: &[u8]) -> bool {
    String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase().contains("<svg")
}

/// Check an uploaded logo's bytes (size and type from the bytes, never the name).
pub fn check_logo(bytes: &[u8]) -> Result<(), String> {
    if bytes.is_empty() {
        return Err("Choose an image file for the logo.".into());
    }
    if bytes.len() > LOGO_MAX_BYTES {
        return Err(too_large(bytes.len()));
    }
    match media::sniff(bytes) {
        Ok(_) => Ok(()),
        Err(_) if looks_like_svg(bytes) => Err(
            "SVG logos are not accepted (an SVG file can carry scripts). Upload the logo as a PNG, JPEG or WebP image."
                .into(),
        ),
        Err(_) => Err(
            "This file is not a PNG, JPEG or WebP image (whatever its name says). Upload the logo in one of those formats."
                .into(),
        ),
    }
}

/// The message for a file of `len` bytes.
pub fn too_large(len: usize) -> String {
    format!(
        "The file is {:.1} MB; a logo may be at most 2 MB. Make it smaller (a logo needs no more than a few hundred pixels) and upload it again.",
        len as f64 / 1_048_576.0
    )
}

/// Check, resize and store a logo, and make it the clinic's: the image
/// goes into the clinic's image library (its files first, then one
/// transaction with the media row, the clinic and the audit line).
pub async fn set_logo(
    db: &DatabaseConnection,
    media_root: &Path,
    clinic_id: i32,
    actor: &Actor,
    original_name: &str,
    bytes: Vec<u8>,
    now: DateTime<Utc>,
) -> Result<clinic::Model, ClinicSettingsError> {
    check_logo(&bytes).map_err(logo_error)?;
    let c = clinic::Entity::find_by_id(clinic_id).one(db).await?.ok_or(ClinicSettingsError::NotFound)?;
    let size = bytes.len();
    let variants = tokio::task::spawn_blocking(move || media::make_variants(&bytes))
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))?
        .map_err(|e| match e {
            MediaError::Io(e) => ClinicSettingsError::Io(e),
            MediaError::Db(e) => ClinicSettingsError::Db(e),
            MediaError::NotAnImage => logo_error("This file is not a PNG, JPEG or WebP image."),
            MediaError::TooManyPixels => logo_error("The image is too large in pixels (at most 40 megapixels)."),
            other => logo_error(other.to_string()),
        })?;
    let mut raw = [0u8; 16];
    OsRng.fill_bytes(&mut raw);
    let stored: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    let dir = media::folder(media_root, clinic_id);
    tokio::fs::create_dir_all(&dir).await?;
    for (w, data) in &variants.files {
        tokio::fs::write(dir.join(format!("{stored}-{w}.{}", variants.ext)), data).await?;
    }
    // The header shows the logo at most a few dozen pixels high: the smallest variant is plenty.
    let shown_w = variants.files.first().map(|(w, _)| *w).unwrap_or(variants.width);
    let shown_h = ((variants.height as u64 * shown_w as u64) / variants.width.max(1) as u64).max(1) as u32;
    let widths = variants.files.iter().map(|(w, _)| w.to_string()).collect::<Vec<_>>().join(",");
    let original: String = Path::new(original_name)
        .file_name()
        .map(|n| n.to_string_lossy().chars().take(200).collect())
        .unwrap_or_default();
    let url = format!("/media/{stored}-{shown_w}.{}", variants.ext);

    let txn = crate::db::begin_write(db).await?;
    let m = media_row::ActiveModel {
        clinic_id: Set(clinic_id),
        stored_name: Set(stored),
        ext: Set(variants.ext.to_string()),
        width: Set(variants.width as i32),
        height: Set(variants.height as i32),
        widths: Set(widths),
        alt: Set(c.name.clone()),
        original_name: Set(original.clone()),
        bytes: Set(size as i64),
        user_id: Set(actor.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut am: clinic::ActiveModel = c.clone().into();
    am.logo_url = Set(Some(url));
    am.logo_width = Set(Some(shown_w as i32));
    am.logo_height = Set(Some(shown_h as i32));
    am.updated_at = Set(now);
    let saved = am.update(&txn).await?;
    let summary = format!(
        "set the clinic's logo to \"{original}\" ({} \u{d7} {} px){}",
        variants.width,
        variants.height,
        if c.logo_url.is_some() { ", replacing the previous one" } else { "" }
    );
    audit::record(&txn, Some(clinic_id), actor, "clinic.logo", "media", Some(m.id), &summary, now).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Remove the logo (the header shows the letter mark again); the image
/// stays in the library. Returns whether there was one.
pub async fn remove_logo(
    db: &DatabaseConnection,
    clinic_id: i32,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<bool, ClinicSettingsError> {
    let txn = crate::db::begin_write(db).await?;
    let c = clinic::Entity::find_by_id(clinic_id).one(&txn).await?.ok_or(ClinicSettingsError::NotFound)?;
    if c.logo_url.is_none() {
        return Ok(false);
    }
    let mut am: clinic::ActiveModel = c.into();
    am.logo_url = Set(None);
    am.logo_width = Set(None);
    am.logo_height = Set(None);
    am.updated_at = Set(now);
    am.update(&txn).await?;
    audit::record(
        &txn,
        Some(clinic_id),
        actor,
        "clinic.logo_remove",
        "clinic",
        Some(clinic_id),
        "removed the clinic's logo",
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(name: &str, tagline: &str, color: &str) -> ClinicSettingsForm {
        ClinicSettingsForm { name: name.into(), tagline: tagline.into(), brand_color: color.into() }
    }

    fn fields(r: Result<Valid, Vec<(String, String)>>) -> Vec<String> {
        r.unwrap_err().into_iter().map(|(f, _)| f).collect()
    }

    #[test]
    fn a_good_form_is_trimmed_and_normalised() {
        let v = validate(&form("  Pain Medicine  ", " Unhurried care. ", "#1F5F8B")).unwrap();
        assert_eq!(
            v,
            Valid {
                name: "Pain Medicine".into(),
                tagline: Some("Unhurried care.".into()),
                brand_color: "#1f5f8b".into()
            }
        );
        assert_eq!(validate(&form("PMC", "  ", "#000")).unwrap().tagline, None);
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        assert_eq!(fields(validate(&form(" ", &"x".repeat(161), "#7fd3ff"))), ["name", "tagline", "brand_color"]);
        assert_eq!(fields(validate(&form(&"n".repeat(121), "", "#1f5f8b"))), ["name"]);
        assert_eq!(fields(validate(&form("PMC", "a\nb", "teal"))), ["tagline", "brand_color"]);
        let e = validate(&form("PMC", "", "#7fd3ff")).unwrap_err();
        assert_eq!(
            e[0].1,
            "White text on #7fd3ff has a contrast of 1.6:1; WCAG AA needs 4.5:1. Choose a darker colour."
        );
    }

    #[test]
    fn logos_are_checked_from_their_bytes() {
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(8, 4, image::Rgb([30, 90, 140])))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        assert_eq!(check_logo(&png), Ok(()));
        assert!(check_logo(b"just some text, named logo.png").unwrap_err().contains("not a PNG, JPEG or WebP"));
        let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        assert!(check_logo(svg).unwrap_err().contains("SVG logos are not accepted"));
        assert!(check_logo(b"").unwrap_err().contains("Choose an image"));
        let mut big = png.clone();
        big.resize(LOGO_MAX_BYTES + 1, 0);
        assert!(check_logo(&big).unwrap_err().contains("at most 2 MB"));
        assert_eq!(too_large(3 * 1024 * 1024), too_large(3 * 1024 * 1024 + 1));
        assert!(too_large(3 * 1024 * 1024).starts_with("The file is 3.0 MB"));
    }
}
