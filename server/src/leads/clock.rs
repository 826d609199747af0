//! The first-response clock: how much of an office's opening time has
//! passed since a lead arrived, and when it passes the clinic's target.
//!
//! Only the office's opening hours count, read in its own IANA time zone,
//! so a lead sent on Friday evening is not late on Saturday. Real elapsed
//! time is what counts: on the night clocks spring forward an office open
//! 00:00–06:00 is open five hours, on the night they fall back seven.
//! Opening and closing times that fall in the skipped hour mean the moment
//! the clocks jump; in the repeated hour, the office opens at the first
//! and closes at the second of the two moments with that local time.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use crate::locations::hours::WeeklyHours;

/// The clinic's response target when it has not set one: 4 business hours.
pub const DEFAULT_TARGET_MINUTES: u32 = 4 * 60;

/// The longest a [`due_at`] search looks ahead.
const MAX_LOOKAHEAD_DAYS: i64 = 366 * 5;

/// Opening time of the office between `from` and `to` (zero when `to` is
/// not after `from`). Round with `.num_minutes()` for display.
pub fn business_time(from: DateTime<Utc>, to: DateTime<Utc>, hours: &WeeklyHours, tz: Tz) -> Duration {
    if to <= from {
        return Duration::zero();
    }
    let first = from.with_timezone(&tz).date_naive().pred_opt().unwrap_or(NaiveDate::MIN);
    let last = to.with_timezone(&tz).date_naive();
    let mut total = Duration::zero();
    let mut covered = from;
    for (open, close) in open_intervals(hours, tz, first, last) {
        let (start, end) = (open.max(covered), close.min(to));
        if end > start {
            total += end - start;
        }
        covered = covered.max(close);
    }
    total
}

/// When the office's opening time since `received` reaches
/// `target_business_minutes`: the lead is overdue from then on. `None`
/// when the office has no opening hours at all (or none within five
/// years). A target of zero is due at once.
pub fn due_at(
    received: DateTime<Utc>,
    target_business_minutes: u32,
    hours: &WeeklyHours,
    tz: Tz,
) -> Option<DateTime<Utc>> {
    if hours.days.iter().all(Vec::is_empty) {
        return None;
    }
    let mut remaining = Duration::minutes(i64::from(target_business_minutes));
    if remaining.is_zero() {
        return Some(received);
    }
    let start_date = received.with_timezone(&tz).date_naive().pred_opt()?;
    let mut covered = received;
    // A week at a time, so a long target does not build a long list.
    for week in 0..=MAX_LOOKAHEAD_DAYS / 7 {
        let first = start_date.checked_add_signed(Duration::days(week * 7))?;
        let last = first.checked_add_signed(Duration::days(6))?;
        for (open, close) in open_intervals(hours, tz, first, last) {
            let start = open.max(covered);
            covered = covered.max(close);
            if close <= start {
                continue;
            }
            if close - start >= remaining {
                return Some(start + remaining);
            }
            remaining -= close - start;
        }
    }
    None
}

/// The office's opening spans on the local dates `first..=last` as UTC
/// intervals, sorted by opening (they may overlap in a repeated hour).
fn open_intervals(
    hours: &WeeklyHours,
    tz: Tz,
    first: NaiveDate,
    last: NaiveDate,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    for date in first.iter_days().take_while(|d| *d <= last) {
        for span in hours.spans_on(date) {
            if let (Some(open), Some(close)) =
                (instant(tz, date, span.open, true), instant(tz, date, span.close, false))
                && close > open
            {
                out.push((open, close));
            }
        }
    }
    out.sort();
    out
}

/// The UTC moment of `minute` after local midnight on `date`: in a repeated
/// hour the first (`earliest`) or the second moment; in a skipped hour the
/// moment the clocks jump (the first local minute that exists after it).
fn instant(tz: Tz, date: NaiveDate, minute: u16, earliest: bool) -> Option<DateTime<Utc>> {
    let mut local = date.and_hms_opt(0, 0, 0)? + Duration::minutes(i64::from(minute));
    // Time zone gaps are at most a day long (Samoa, 2011).
    for _ in 0..=(25 * 60) {
        let found = tz.from_local_datetime(&local);
        let at = if earliest { found.earliest() } else { found.latest() };
        if let Some(at) = at {
            return Some(at.with_timezone(&Utc));
        }
        local += Duration::minutes(1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::New_York;

    fn weekdays_8_to_5() -> WeeklyHours {
        WeeklyHours::parse([
            ("mon", "08:00-17:00"),
            ("tue", "08:00-17:00"),
            ("wed", "08:00-12:00, 13:00-17:00"),
            ("thu", "08:00-17:00"),
            ("fri", "08:00-17:00"),
        ])
        .unwrap()
    }

    fn every_day(spec: &str) -> WeeklyHours {
        WeeklyHours::parse(crate::locations::hours::DAY_KEYS.iter().map(|d| (*d, spec))).unwrap()
    }

    /// A New York local time as UTC (the first, for a repeated time).
    fn ny(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        New_York.with_ymd_and_hms(y, mo, d, h, mi, 0).earliest().unwrap().with_timezone(&Utc)
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn counts_only_opening_hours_across_a_weekend() {
        let h = weekdays_8_to_5();
        // Friday 2025-06-13 16:00 → Monday 11:00: 1 h on Friday + 3 h on Monday.
        let (fri, mon) = (ny(2025, 6, 13, 16, 0), ny(2025, 6, 16, 11, 0));
        assert_eq!(business_time(fri, mon, &h, New_York), Duration::hours(4));
        assert_eq!(due_at(fri, DEFAULT_TARGET_MINUTES, &h, New_York), Some(mon));
        // Inside one span, and the lunch break on Wednesday does not count.
        let wed = ny(2025, 6, 18, 10, 30);
        assert_eq!(business_time(wed, ny(2025, 6, 18, 10, 45), &h, New_York), Duration::minutes(15));
        assert_eq!(business_time(wed, ny(2025, 6, 18, 14, 0), &h, New_York), Duration::minutes(150));
        assert_eq!(due_at(wed, 120, &h, New_York), Some(ny(2025, 6, 18, 13, 30)));
        // A whole week is 44 hours (9 + 9 + 8 + 9 + 9).
        assert_eq!(business_time(mon, mon + Duration::days(7), &h, New_York), Duration::hours(44));
        assert_eq!(business_time(ny(2025, 6, 16, 0, 0), ny(2025, 6, 23, 0, 0), &h, New_York), Duration::hours(44));
    }

    #[test]
    fn a_lead_received_outside_hours_starts_the_clock_at_opening() {
        let h = weekdays_8_to_5();
        let saturday = ny(2025, 6, 14, 10, 0);
        assert_eq!(business_time(saturday, ny(2025, 6, 16, 8, 0), &h, New_York), Duration::zero());
        assert_eq!(due_at(saturday, 240, &h, New_York), Some(ny(2025, 6, 16, 12, 0)));
        let early_monday = ny(2025, 6, 16, 6, 0);
        assert_eq!(due_at(early_monday, 240, &h, New_York), Some(ny(2025, 6, 16, 12, 0)));
        // Received at closing time: due the next morning.
        assert_eq!(due_at(ny(2025, 6, 16, 17, 0), 60, &h, New_York), Some(ny(2025, 6, 17, 9, 0)));
        // Exactly at the end of a span: due at closing, not the next day.
        assert_eq!(due_at(ny(2025, 6, 16, 16, 0), 60, &h, New_York), Some(ny(2025, 6, 16, 17, 0)));
    }

    #[test]
    fn spring_forward_night_has_one_hour_less() {
        // 2025-03-09: New York clocks go from 02:00 EST to 03:00 EDT.
        let open_all_day = every_day("00:00-24:00");
        let (sat_noon, sun_noon) = (ny(2025, 3, 8, 12, 0), ny(2025, 3, 9, 12, 0));
        assert_eq!(sun_noon - sat_noon, Duration::hours(23));
        assert_eq!(business_time(sat_noon, sun_noon, &open_all_day, New_York), Duration::hours(23));

        let early = every_day("00:00-06:00");
        let night = (ny(2025, 3, 9, 0, 0), ny(2025, 3, 9, 6, 0));
        assert_eq!(business_time(night.0, night.1, &early, New_York), Duration::hours(5));
        // Opening at 02:30, a time that does not exist that night: opens at the jump.
        let late_night = every_day("02:30-04:00");
        let sunday = (ny(2025, 3, 9, 0, 0), ny(2025, 3, 9, 12, 0));
        assert_eq!(business_time(sunday.0, sunday.1, &late_night, New_York), Duration::hours(1));
        // A span wholly inside the skipped hour is not open at all.
        let skipped = every_day("02:00-03:00");
        assert_eq!(business_time(sunday.0, sunday.1, &skipped, New_York), Duration::zero());
        assert_eq!(
            business_time(ny(2025, 3, 10, 0, 0), ny(2025, 3, 10, 12, 0), &skipped, New_York),
            Duration::hours(1)
        );

        // Received 01:30 EST (06:30 UTC); one business hour later is 07:30 UTC = 03:30 EDT.
        let received = utc(2025, 3, 9, 6, 30);
        assert_eq!(due_at(received, 60, &open_all_day, New_York), Some(utc(2025, 3, 9, 7, 30)));
        assert_eq!(due_at(received, 60, &early, New_York), Some(ny(2025, 3, 9, 3, 30)));
    }

    #[test]
    fn fall_back_night_has_one_hour_more() {
        // 2025-11-02: New York clocks go from 02:00 EDT back to 01:00 EST.
        let open_all_day = every_day("00:00-24:00");
        let (sat_noon, sun_noon) = (ny(2025, 11, 1, 12, 0), ny(2025, 11, 2, 12, 0));
        assert_eq!(business_time(sat_noon, sun_noon, &open_all_day, New_York), Duration::hours(25));

        let early = every_day("00:00-06:00");
        let (midnight, six) = (ny(2025, 11, 2, 0, 0), ny(2025, 11, 2, 6, 0));
        assert_eq!(business_time(midnight, six, &early, New_York), Duration::hours(7));
        // Opening and closing inside the repeated hour: open from the first 01:15 to the second 01:45.
        let repeated = every_day("01:15-01:45");
        assert_eq!(business_time(midnight, six, &repeated, New_York), Duration::minutes(90));
        // Two spans meeting in the repeated hour are not counted twice.
        let split = every_day("00:30-01:30, 01:30-02:30");
        assert_eq!(business_time(midnight, six, &split, New_York), Duration::hours(3));

        // Received 00:30 EDT (04:30 UTC); three business hours later is 07:30 UTC = 02:30 EST.
        let received = utc(2025, 11, 2, 4, 30);
        assert_eq!(due_at(received, 180, &early, New_York), Some(utc(2025, 11, 2, 7, 30)));
        assert_eq!(due_at(received, 180, &early, New_York), Some(ny(2025, 11, 2, 2, 30)));
    }

    #[test]
    fn another_time_zone_reads_hours_locally() {
        let h = weekdays_8_to_5();
        let la = chrono_tz::America::Los_Angeles;
        // Monday 2025-06-16 08:00 in Los Angeles is 15:00 UTC.
        assert_eq!(due_at(utc(2025, 6, 16, 12, 0), 60, &h, la), Some(utc(2025, 6, 16, 16, 0)));
        // The same instant in New York is 08:00 local: open already.
        assert_eq!(due_at(utc(2025, 6, 16, 12, 0), 60, &h, New_York), Some(utc(2025, 6, 16, 13, 0)));
        assert_eq!(due_at(utc(2025, 6, 16, 12, 0), 240, &h, New_York), Some(ny(2025, 6, 16, 12, 0)));
        assert_eq!(due_at(utc(2025, 6, 16, 12, 0), 240, &h, la), Some(ny(2025, 6, 16, 15, 0)));
    }

    #[test]
    fn an_office_without_hours_never_counts() {
        let none = WeeklyHours::default();
        let t = utc(2025, 6, 16, 12, 0);
        assert_eq!(business_time(t, t + Duration::days(30), &none, New_York), Duration::zero());
        assert_eq!(due_at(t, 240, &none, New_York), None);
        assert_eq!(due_at(t, 0, &none, New_York), None);
    }

    #[test]
    fn a_holiday_closure_stops_the_clock() {
        let mut h = weekdays_8_to_5();
        h.closures = crate::locations::hours::parse_closures("2025-07-04 Independence Day").unwrap();
        // Thursday 2025-07-03 16:00: 1 h on Thursday, Friday the 4th closed, 3 h on Monday.
        let (thu, mon) = (ny(2025, 7, 3, 16, 0), ny(2025, 7, 7, 11, 0));
        assert_eq!(business_time(thu, mon, &h, New_York), Duration::hours(4));
        assert_eq!(due_at(thu, DEFAULT_TARGET_MINUTES, &h, New_York), Some(mon));
        // Without the closure the target falls on Friday.
        assert_eq!(due_at(thu, DEFAULT_TARGET_MINUTES, &weekdays_8_to_5(), New_York), Some(ny(2025, 7, 4, 11, 0)));
    }

    #[test]
    fn edge_cases() {
        let h = weekdays_8_to_5();
        let t = ny(2025, 6, 16, 9, 0);
        assert_eq!(business_time(t, t, &h, New_York), Duration::zero());
        assert_eq!(business_time(t, t - Duration::hours(1), &h, New_York), Duration::zero());
        assert_eq!(due_at(t, 0, &h, New_York), Some(t));
        // A long target: two full weeks (88 h) from Monday 08:00 ends at closing on the second Friday.
        let monday = ny(2025, 6, 16, 8, 0);
        assert_eq!(due_at(monday, 88 * 60, &h, New_York), Some(ny(2025, 6, 27, 17, 0)));
        // A span inside the skipped hour is not open that night, only the next.
        // A target beyond five years of opening hours has no answer.
        let never = every_day("02:00-02:30");
        let on_the_night = ny(2025, 3, 9, 0, 0);
        assert_eq!(due_at(on_the_night, 10, &never, New_York), Some(utc(2025, 3, 10, 6, 10)));
        assert_eq!(due_at(on_the_night, u32::MAX, &h, New_York), None);
    }
}
