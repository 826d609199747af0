//! The background publisher: publishes scheduled posts when they are due,
//! without any page traffic. It runs once at start (catching up after
//! downtime) and then every [`INTERVAL_SECONDS`].

use std::time::Duration;

use sea_orm::DatabaseConnection;

pub const INTERVAL_SECONDS: u64 = 20;

/// One pass: publish what is due by the database's clock (so a process
/// whose clock runs ahead does not publish early); log what happened.
/// Several processes may run it at once: each post is flipped by one
/// conditional UPDATE, which only one of them wins ([`super::editor::publish_due`]).
pub async fn run_once(db: &DatabaseConnection) -> usize {
    let now = match crate::db::clock::now(db).await {
        Ok(now) => now,
        Err(e) => {
            tracing::error!(error = %e, "the scheduled publisher could not read the database's clock; it will try again");
            return 0;
        }
    };
    match super::editor::publish_due(db, now).await {
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

/// Run on the server's runtime until `stop` (a pass under way finishes first).
pub fn spawn(db: DatabaseConnection, stop: crate::shutdown::CancellationToken) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(INTERVAL_SECONDS));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.cancelled() => return,
            }
            run_once(&db).await;
            // By the database's clock: a process whose own clock ran ahead
            // must not prune what other processes still need.
            let Ok(now) = crate::db::clock::now(&db).await else { continue };
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
