//! The `import` command for WordPress exports: a progress bar by bytes read,
//! failures as they happen, and the summary at the end.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::DatabaseConnection;

use super::import::{self, Outcome};

/// The paths, when they are WordPress exports; None when they are Markdown
/// files or folders. A mix of both is refused.
pub fn wxr_paths(paths: &[PathBuf]) -> anyhow::Result<Option<Vec<PathBuf>>> {
    let wxr: Vec<&PathBuf> = paths.iter().filter(|p| import::is_wxr(p)).collect();
    if wxr.is_empty() {
        return Ok(None);
    }
    if wxr.len() != paths.len() {
        anyhow::bail!("give either WordPress exports (.xml) or Markdown files and folders, not both in one import");
    }
    Ok(Some(paths.to_vec()))
}

/// Import each export in turn; exit status 1 if any item failed or a file
/// could not be read to its end.
pub async fn run(db: &DatabaseConnection, clinic: &str, files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    for file in files {
        failed |= one(db, clinic, file).await?;
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

async fn one(db: &DatabaseConnection, clinic: &str, file: &Path) -> anyhow::Result<bool> {
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    let bar = ProgressBar::new(size);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {wide_msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let report = import::import_file(db, clinic, file, |read, item| {
        bar.set_position(read);
        if let Some((label, outcome)) = item {
            bar.set_message(label.to_string());
            if let Outcome::Failed(reason) = outcome {
                // suspend(), not println(): println is silent when the bar is hidden (no TTY).
                bar.suspend(|| eprintln!("failed: {label}: {reason}"));
            }
        }
    })
    .await?;
    bar.finish_and_clear();
    if let Some(stop) = &report.stopped {
        eprintln!("error: {}: {stop}", file.display());
    }
    print!("{}", report.summary(clinic, &file.display().to_string()));
    Ok(report.has_failures())
}
