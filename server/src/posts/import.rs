//! `clinicpress import --clinic SLUG PATH…`: Markdown files and folders.
//!
//! Each file is parsed, validated and stored in its own transaction: a bad
//! file is reported with its name and reason, and nothing of it is written,
//! while the others still import. Re-importing updates posts by slug.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::front_matter::{self, FrontMatterError};
use super::store::{self, Saved, StoreError};
use crate::entities::clinic;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("no clinic with slug \"{0}\"")]
    UnknownClinic(String),
    #[error("{0}: no such file or folder")]
    Missing(PathBuf),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    FrontMatter(#[from] FrontMatterError),
    #[error("slug \"{slug}\" is also used by {other} in this import")]
    DuplicateSlug { slug: String, other: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Default)]
pub struct Report {
    pub created: usize,
    pub updated: usize,
    pub failed: Vec<(PathBuf, String)>,
}

/// Expand folders into the Markdown files inside them, sorted.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ImportError> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(p)
                .follow_links(true)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file() && is_markdown(e.path()))
                .map(|e| e.into_path())
                .collect();
            found.sort();
            files.extend(found);
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            return Err(ImportError::Missing(p.clone()));
        }
    }
    Ok(files)
}

fn is_markdown(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("md" | "markdown"))
}

/// Import `files` into the clinic `clinic_slug`. `progress` is called after each file.
pub async fn import(
    db: &DatabaseConnection,
    clinic_slug: &str,
    files: &[PathBuf],
    mut progress: impl FnMut(&Path, Result<Saved, &FileError>),
) -> Result<Report, ImportError> {
    let clinic = clinic::Entity::find()
        .filter(clinic::Column::Slug.eq(clinic_slug))
        .one(db)
        .await?
        .ok_or_else(|| ImportError::UnknownClinic(clinic_slug.to_string()))?;
    let mut report = Report::default();
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    for path in files {
        let result = import_one(db, clinic.id, path, &mut seen).await;
        match &result {
            Ok(Saved::Created(_)) => report.created += 1,
            Ok(Saved::Updated(_)) => report.updated += 1,
            Err(e) => report.failed.push((path.clone(), e.to_string())),
        }
        progress(path, result.as_ref().map(|s| *s));
    }
    Ok(report)
}

async fn import_one(
    db: &DatabaseConnection,
    clinic_id: i32,
    path: &Path,
    seen: &mut HashMap<String, PathBuf>,
) -> Result<Saved, FileError> {
    let len = std::fs::metadata(path)?.len() as usize;
    if len > front_matter::MAX_FILE_BYTES {
        return Err(FrontMatterError::TooLarge(len).into());
    }
    let bytes = tokio::fs::read(path).await?;
    let draft = front_matter::parse_file(&bytes)?;
    if let Some(other) = seen.get(&draft.slug) {
        return Err(FileError::DuplicateSlug { slug: draft.slug, other: other.display().to_string() });
    }
    let txn = crate::db::begin_write(db).await.map_err(StoreError::from)?;
    let saved = store::save(&txn, clinic_id, &draft, Utc::now()).await?;
    txn.commit().await.map_err(StoreError::from)?;
    seen.insert(draft.slug, path.to_path_buf());
    Ok(saved)
}
