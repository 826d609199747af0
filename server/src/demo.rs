//! `serve --demo`: on an empty database, load the demo clinics and posts
//! that ship in `server/demo/` (compiled into the binary).

use include_dir::{Dir, include_dir};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait, TransactionTrait};

use crate::clinics::provision;
use crate::entities::clinic;
use crate::posts::{front_matter, store};

/// The password of the demo users (documented in the README; demo only).
pub const DEMO_PASSWORD: &str = "demo-password-2026";

static DEMO: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/demo");

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Provision(#[from] provision::ProvisionError),
    #[error("demo post {file}: {message}")]
    Post { file: String, message: String },
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// Load the demo if there is no clinic yet. Returns whether it loaded.
pub async fn load_if_empty(db: &DatabaseConnection) -> Result<bool, DemoError> {
    if clinic::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    load(db).await?;
    Ok(true)
}

pub async fn load(db: &DatabaseConnection) -> Result<(), DemoError> {
    let source =
        DEMO.get_file("provision.toml").and_then(|f| f.contents_utf8()).expect("demo/provision.toml is compiled in");
    let plan = provision::plan("demo/provision.toml", source, |var| {
        (var == "CLINICPRESS_DEMO_PASSWORD").then(|| DEMO_PASSWORD.to_string())
    })?;
    provision::apply(db, plan).await?;

    let now = chrono::Utc::now();
    let posts = DEMO.get_dir("posts").expect("demo/posts is compiled in");
    let txn = db.begin().await?;
    for clinic_dir in posts.dirs() {
        let slug = clinic_dir.path().file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let Some(c) =
            clinic::Entity::find().filter(sea_orm::ColumnTrait::eq(&clinic::Column::Slug, slug)).one(&txn).await?
        else {
            continue;
        };
        let mut files: Vec<_> = clinic_dir.files().collect();
        files.sort_by_key(|f| f.path());
        for f in files {
            let name = f.path().display().to_string();
            let mut draft = front_matter::parse_file(f.contents())
                .map_err(|e| DemoError::Post { file: name.clone(), message: e.to_string() })?;
            keep_scheduled_ahead(&mut draft, now);
            store::save(&txn, c.id, &draft, now)
                .await
                .map_err(|e| DemoError::Post { file: name.clone(), message: e.to_string() })?;
        }
    }
    txn.commit().await?;
    Ok(())
}

use sea_orm::QueryFilter;

/// A demo post marked "scheduled" whose date has passed would be published
/// by the background publisher seconds after start; keep it two weeks
/// ahead so the demo always shows a scheduled post.
fn keep_scheduled_ahead(draft: &mut front_matter::PostDraft, now: chrono::DateTime<chrono::Utc>) {
    if draft.status == crate::entities::PostStatus::Scheduled && draft.published_at.is_none_or(|at| at <= now) {
        draft.published_at = Some(now + chrono::Duration::days(14));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_scheduled_demo_posts_move_ahead() {
        let src = "---\ntitle: T\ndate: 2020-01-01T00:00:00Z\nstatus: scheduled\n---\nBody\n";
        let mut d = front_matter::parse_file(src.as_bytes()).unwrap();
        let now = chrono::Utc::now();
        keep_scheduled_ahead(&mut d, now);
        assert_eq!(d.published_at, Some(now + chrono::Duration::days(14)));
        let future = now + chrono::Duration::days(30);
        d.published_at = Some(future);
        keep_scheduled_ahead(&mut d, now);
        assert_eq!(d.published_at, Some(future), "a future date is kept");
    }
}
