//! The background publisher: publishes scheduled posts when they are due,
//! without any page traffic. It runs once at start (catching up after
//! downtime) and then every [`INTERVAL_SECONDS`].

use std::time::Duration;

use chrono::Utc;
use sea_orm::DatabaseConnection;

pub const INTERVAL_SECONDS: u64 = 20;

/// One pass: publish what is due; log what happened.
pub async fn run_once(db: &DatabaseConnection) -> usize {
    match super::editor::publish_due(db, Utc::now()).await {
        Ok(done) => {
            for (clinic_id, post_id) in &done {
                tracing::info!(clinic_id, post_id, "published a scheduled post");
            }
            done.len()
        }
        Err(e) => {
            tracing::error!(error = %e, "the scheduled publisher could not run; it will try again");
            0
        }
    }
}

/// Run forever on the server's runtime.
pub fn spawn(db: DatabaseConnection) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(INTERVAL_SECONDS));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            run_once(&db).await;
            let now = Utc::now();
            // Housekeeping rides along: forget old sign-in attempts, expired
            // sessions and search changes every index has long applied.
            if let Err(e) = crate::accounts::login::prune(&db, now).await {
                tracing::warn!(error = %e, "cannot prune old sign-in attempts");
            }
            if let Err(e) = crate::search::changes::prune(&db, now - crate::search::changes::KEEP).await {
                tracing::warn!(error = %e, "cannot prune the search change log");
            }
            let store = crate::accounts::sessions::DbSessionStore::new(db.clone());
            if let Err(e) = tower_sessions::session_store::ExpiredDeletion::delete_expired(&store).await {
                tracing::warn!(error = %e, "cannot delete expired sessions");
            }
        }
    })
}
