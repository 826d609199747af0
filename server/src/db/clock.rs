//! The database's clock, for leases and due times that several processes
//! compare: with PostgreSQL every process asks the one server, so a process
//! whose own clock is wrong (skewed, or jumped) can neither take a row
//! another still holds nor hold one longer than the lease. SQLite is a file
//! on one machine, so every process sharing it shares that machine's clock:
//! there the app's clock *is* the database's.
//!
//! What a process judges by its own clock (form-token ages, the minimum
//! fill time, rate limits, sign-in throttling, session expiry) still goes
//! wrong when that clock is wrong, so `serve` on PostgreSQL compares the two
//! clocks at start and every minute ([`spawn_skew_check`]) and logs a WARN
//! line when they differ by more than [`SKEW_TOLERANCE`], an INFO line when
//! they agree again.

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement};

/// Now, by the database's clock (microseconds).
pub async fn now<C: ConnectionTrait>(db: &C) -> Result<DateTime<Utc>, DbErr> {
    match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            // clock_timestamp(): the time now, also inside a transaction (now() is its start).
            let row = db
                .query_one_raw(Statement::from_string(DatabaseBackend::Postgres, "SELECT clock_timestamp() AS now"))
                .await?
                .ok_or_else(|| DbErr::Custom("the database did not say what time it is".into()))?;
            row.try_get::<DateTime<Utc>>("", "now")
        }
        _ => Ok(Utc::now()),
    }
}

/// How far this process's clock may be from the database's before it is
/// logged (a query's round trip, and so the reading's uncertainty, is far
/// less on a working network).
pub const SKEW_TOLERANCE: TimeDelta = TimeDelta::seconds(2);

/// How often `serve` compares the clocks (the first time at start).
pub const SKEW_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Both clocks read at (nearly) the same moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// This process's clock, halfway through the query.
    pub app: DateTime<Utc>,
    /// The database's clock.
    pub db: DateTime<Utc>,
}

impl Reading {
    /// How far this process's clock is ahead of the database's (negative: behind).
    pub fn skew(&self) -> TimeDelta {
        self.app - self.db
    }
}

/// Read the database's clock and `app_clock` (this process's: [`Utc::now`])
/// around it; `None` when the query took longer than [`SKEW_TOLERANCE`]: a
/// reading that uncertain could not tell a skew from a slow answer.
pub async fn read<C: ConnectionTrait>(db: &C, app_clock: impl Fn() -> DateTime<Utc>) -> Result<Option<Reading>, DbErr> {
    let before = app_clock();
    let db_now = now(db).await?;
    let after = app_clock();
    let round_trip = after - before;
    if round_trip > SKEW_TOLERANCE || round_trip < TimeDelta::zero() {
        return Ok(None);
    }
    Ok(Some(Reading { app: before + round_trip / 2, db: db_now }))
}

/// A line for the log about the two clocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkewLine {
    /// WARN when the clocks differ by more than [`SKEW_TOLERANCE`], INFO when they agree again.
    pub level: tracing::Level,
    pub message: String,
}

impl SkewLine {
    pub fn emit(&self) {
        if self.level == tracing::Level::WARN {
            tracing::warn!("{}", self.message);
        } else {
            tracing::info!("{}", self.message);
        }
    }
}

/// What to log about `reading`, given the skew last warned about
/// (`warned`, `None` while the clocks agree); returns the new state with
/// the line. One WARN when the clocks come apart by more than
/// [`SKEW_TOLERANCE`], another only when the skew then moves by more than
/// that again (a further jump), one INFO when they agree again; nothing
/// otherwise, so a lasting skew is not logged every minute.
pub fn skew_verdict(reading: Reading, warned: Option<TimeDelta>) -> (Option<TimeDelta>, Option<SkewLine>) {
    let skew = reading.skew();
    let times = format!(
        "this process {}, the database {}",
        reading.app.to_rfc3339_opts(SecondsFormat::Millis, true),
        reading.db.to_rfc3339_opts(SecondsFormat::Millis, true)
    );
    if skew.abs() <= SKEW_TOLERANCE {
        let line = warned.map(|_| SkewLine {
            level: tracing::Level::INFO,
            message: format!(
                "clock skew: this process's clock agrees with the database's again ({times}, {} s apart)",
                seconds(skew.abs())
            ),
        });
        return (None, line);
    }
    if warned.is_some_and(|w| (skew - w).abs() <= SKEW_TOLERANCE) {
        return (warned, None);
    }
    let direction = if skew > TimeDelta::zero() { "ahead of" } else { "behind" };
    let message = format!(
        "clock skew: this process's clock is {} s {direction} the database's ({times}): form-token ages, the \
         minimum fill time, rate limits, sign-in throttling and session expiry follow this process's clock, while \
         outbox leases, scheduled publishing, escalation and retention follow the database's; set this machine's \
         clock right (NTP)",
        seconds(skew.abs())
    );
    (Some(skew), Some(SkewLine { level: tracing::Level::WARN, message }))
}

fn seconds(d: TimeDelta) -> String {
    format!("{:.3}", d.num_milliseconds() as f64 / 1000.0)
}

/// `serve`'s clock check: at start, then every [`SKEW_CHECK_EVERY`] until
/// `stop`. A failed reading (the database away) is skipped: other lines
/// say that.
pub fn spawn_skew_check<C>(db: C, stop: crate::shutdown::CancellationToken) -> tokio::task::JoinHandle<()>
where
    C: ConnectionTrait + Send + Sync + 'static,
{
    tokio::spawn(async move {
        let mut warned = None;
        loop {
            match read(&db, Utc::now).await {
                Ok(Some(reading)) => {
                    let (state, line) = skew_verdict(reading, warned);
                    warned = state;
                    if let Some(line) = line {
                        line.emit();
                    }
                }
                Ok(None) => tracing::debug!("clock skew: the database answered too slowly to compare clocks"),
                Err(e) => tracing::debug!(error = %e, "clock skew: cannot read the database's clock"),
            }
            if crate::shutdown::sleep_or_stop(&stop, SKEW_CHECK_EVERY).await {
                return;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(app_ms: i64, db_ms: i64) -> Reading {
        let base = DateTime::parse_from_rfc3339("2026-12-06T10:00:00Z").unwrap().with_timezone(&Utc);
        Reading { app: base + TimeDelta::milliseconds(app_ms), db: base + TimeDelta::milliseconds(db_ms) }
    }

    #[test]
    fn clocks_within_two_seconds_say_nothing() {
        assert_eq!(skew_verdict(at(0, 0), None), (None, None));
        assert_eq!(skew_verdict(at(2000, 0), None), (None, None));
        assert_eq!(skew_verdict(at(0, 2000), None), (None, None));
    }

    #[test]
    fn a_skew_is_warned_once_naming_both_times_the_difference_and_what_it_affects() {
        let (state, line) = skew_verdict(at(12_345, 0), None);
        assert_eq!(state, Some(TimeDelta::milliseconds(12_345)));
        let line = line.expect("a line");
        assert_eq!(line.level, tracing::Level::WARN);
        for part in [
            "12.345 s ahead of the database's",
            "this process 2026-12-06T10:00:12.345Z",
            "the database 2026-12-06T10:00:00.000Z",
            "form-token ages",
            "minimum fill time",
            "leases",
            "publishing",
        ] {
            assert!(line.message.contains(part), "{part:?} in {}", line.message);
        }
        // The same skew a minute later (or drifting by less than the tolerance): no new line.
        assert_eq!(skew_verdict(at(13_000, 0), state), (state, None));
        let (_, behind) = skew_verdict(at(0, 3_000), None);
        assert!(behind.unwrap().message.contains("3.000 s behind the database's"));
    }

    #[test]
    fn a_further_jump_warns_again_and_agreement_again_is_an_info_line() {
        let warned = Some(TimeDelta::milliseconds(12_345));
        let (state, line) = skew_verdict(at(0, 3_600_000), warned);
        assert_eq!(state, Some(TimeDelta::milliseconds(-3_600_000)));
        let line = line.unwrap();
        assert_eq!(line.level, tracing::Level::WARN);
        assert!(line.message.contains("3600.000 s behind"), "{}", line.message);

        let (state, line) = skew_verdict(at(500, 0), warned);
        assert_eq!(state, None);
        let line = line.unwrap();
        assert_eq!(line.level, tracing::Level::INFO);
        assert!(line.message.contains("agrees with the database's again"), "{}", line.message);
        assert!(line.message.contains("0.500 s apart"), "{}", line.message);
        assert_eq!(skew_verdict(at(500, 0), state), (None, None), "said once");
    }
}
