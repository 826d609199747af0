//! Weekly opening hours: parsing the provision format, and "open now"
//! computed in the office's own time zone (DST included, via chrono-tz).

use std::fmt;

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Day keys in the provision file and in storage, Monday first.
pub const DAY_KEYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const DAY_NAMES: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const DAY_SHORT: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// One opening span within a day, in minutes after local midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub open: u16,
    pub close: u16,
}

/// Opening spans per weekday, Monday first. An empty day is closed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyHours {
    pub days: [Vec<Span>; 7],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    #[error("unknown day \"{0}\" (use mon, tue, wed, thu, fri, sat or sun)")]
    UnknownDay(String),
    #[error("\"{0}\" is not a time range like 08:00-17:00 (or \"closed\")")]
    BadRange(String),
    #[error("in \"{0}\" the closing time must be after the opening time")]
    CloseBeforeOpen(String),
    #[error("in \"{0}\" the ranges overlap or are out of order")]
    Overlap(String),
}

fn parse_time(s: &str) -> Option<u16> {
    let t = NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()?;
    Some((t.hour() * 60 + t.minute()) as u16)
}

/// Parse one day: "08:00-17:00", "08:00-12:00, 13:00-17:00", "closed" or "".
pub fn parse_day(spec: &str) -> Result<Vec<Span>, HoursError> {
    let spec = spec.trim();
    if spec.is_empty() || spec.eq_ignore_ascii_case("closed") {
        return Ok(Vec::new());
    }
    let mut spans: Vec<Span> = Vec::new();
    for part in spec.split(',') {
        let (a, b) = part.split_once('-').ok_or_else(|| HoursError::BadRange(spec.to_string()))?;
        let (open, close) = match (parse_time(a), parse_time(b)) {
            (Some(o), Some(c)) => (o, c),
            // "24:00" is accepted as the end of the day.
            (Some(o), None) if b.trim() == "24:00" => (o, 24 * 60),
            _ => return Err(HoursError::BadRange(spec.to_string())),
        };
        if close <= open {
            return Err(HoursError::CloseBeforeOpen(spec.to_string()));
        }
        if spans.last().is_some_and(|last| last.close > open) {
            return Err(HoursError::Overlap(spec.to_string()));
        }
        spans.push(Span { open, close });
    }
    Ok(spans)
}

impl WeeklyHours {
    /// Build from `(day key, spec)` pairs; days not listed are closed.
    pub fn parse<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, HoursError> {
        let mut hours = WeeklyHours::default();
        for (key, spec) in entries {
            let idx = DAY_KEYS
                .iter()
                .position(|d| d.eq_ignore_ascii_case(key.trim()))
                .ok_or_else(|| HoursError::UnknownDay(key.to_string()))?;
            hours.days[idx] = parse_day(spec)?;
        }
        Ok(hours)
    }

    pub fn day(&self, weekday: Weekday) -> &[Span] {
        &self.days[weekday.num_days_from_monday() as usize]
    }

    /// Whether the office is open at `now`, in its own time zone.
    pub fn status_at(&self, tz: Tz, now: DateTime<Utc>) -> OpenStatus {
        let local = now.with_timezone(&tz);
        let minute = (local.hour() * 60 + local.minute()) as u16;
        let today = local.weekday();
        if let Some(span) = self.day(today).iter().find(|s| s.open <= minute && minute < s.close) {
            return OpenStatus::Open { closes: span.close };
        }
        // Next opening: later today, else the first open day within a week.
        if let Some(span) = self.day(today).iter().find(|s| s.open > minute) {
            return OpenStatus::Closed { next: Some((None, span.open)) };
        }
        let mut date = local.date_naive();
        for _ in 0..7 {
            date += Duration::days(1);
            if let Some(span) = self.day(date.weekday()).first() {
                return OpenStatus::Closed { next: Some((Some(date.weekday()), span.open)) };
            }
        }
        OpenStatus::Closed { next: None }
    }

    /// Human text for one day, e.g. "8:00 AM – 12:00 PM, 1:00 PM – 5:00 PM" or "Closed".
    pub fn day_text(&self, weekday: Weekday) -> String {
        spans_text(self.day(weekday))
    }

    /// One row per weekday: (full day name, hours text).
    pub fn table(&self) -> Vec<(String, String)> {
        (0..7).map(|i| (DAY_NAMES[i].to_string(), spans_text(&self.days[i]))).collect()
    }

    /// Storage / provision form: `{"mon": "08:00-17:00", ...}` (closed days omitted).
    pub fn to_spec_map(&self) -> std::collections::BTreeMap<String, String> {
        let mut map = std::collections::BTreeMap::new();
        for (i, spans) in self.days.iter().enumerate() {
            if !spans.is_empty() {
                let spec =
                    spans.iter().map(|s| format!("{}-{}", hhmm(s.open), hhmm(s.close))).collect::<Vec<_>>().join(",");
                map.insert(DAY_KEYS[i].to_string(), spec);
            }
        }
        map
    }

    /// The schema.org `openingHours` strings, e.g. "Mo 08:00-17:00".
    pub fn schema_org(&self) -> Vec<String> {
        const SCHEMA: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
        let mut out = Vec::new();
        for (i, spans) in self.days.iter().enumerate() {
            for s in spans {
                out.push(format!("{} {}-{}", SCHEMA[i], hhmm(s.open), hhmm(s.close)));
            }
        }
        out
    }
}

/// Now, in an office's time zone.
pub fn local_now(tz: Tz, now: DateTime<Utc>) -> DateTime<Tz> {
    tz.from_utc_datetime(&now.naive_utc())
}

/// A time zone as people say it: "Pacific time (PDT)"; other zones by their
/// IANA city, e.g. "Europe/Berlin time (CET)".
pub fn zone_label(tz: Tz, now: DateTime<Utc>) -> String {
    let abbrev = local_now(tz, now).format("%Z").to_string();
    let region = match tz.name() {
        "America/Los_Angeles" | "America/Vancouver" | "America/Tijuana" => "Pacific",
        "America/Denver" | "America/Phoenix" | "America/Boise" | "America/Edmonton" => "Mountain",
        "America/Chicago" | "America/Winnipeg" | "America/Mexico_City" => "Central",
        "America/New_York" | "America/Detroit" | "America/Toronto" | "America/Indiana/Indianapolis" => "Eastern",
        "America/Anchorage" => "Alaska",
        "Pacific/Honolulu" => "Hawaii",
        other => other,
    };
    if abbrev.starts_with(['+', '-']) { format!("{region} time") } else { format!("{region} time ({abbrev})") }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenStatus {
    Open {
        closes: u16,
    },
    /// Closed; the next opening as (weekday if not today, minute).
    Closed {
        next: Option<(Option<Weekday>, u16)>,
    },
}

impl OpenStatus {
    pub fn is_open(&self) -> bool {
        matches!(self, OpenStatus::Open { .. })
    }
}

impl fmt::Display for OpenStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenStatus::Open { closes } => write!(f, "Open now · closes {}", clock(*closes)),
            OpenStatus::Closed { next: Some((None, at)) } => write!(f, "Closed now · opens at {}", clock(*at)),
            OpenStatus::Closed { next: Some((Some(day), at)) } => {
                write!(f, "Closed now · opens {} {}", DAY_SHORT[day.num_days_from_monday() as usize], clock(*at))
            }
            OpenStatus::Closed { next: None } => write!(f, "Closed"),
        }
    }
}

fn hhmm(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// 12-hour clock as used on US clinic sites: "8:00 AM", "12:30 PM", "12:00 AM".
pub fn clock(m: u16) -> String {
    let (h, min) = ((m / 60) % 24, m % 60);
    let (h12, ampm) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!("{h12}:{min:02} {ampm}")
}

fn spans_text(spans: &[Span]) -> String {
    if spans.is_empty() {
        return "Closed".to_string();
    }
    spans.iter().map(|s| format!("{} – {}", clock(s.open), clock(s.close))).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn weekdays_8_to_5() -> WeeklyHours {
        WeeklyHours::parse([
            ("mon", "08:00-17:00"),
            ("tue", "08:00-17:00"),
            ("wed", "08:00-12:00, 13:00-17:00"),
            ("thu", "08:00-17:00"),
            ("fri", "08:00-16:00"),
            ("sat", "closed"),
        ])
        .unwrap()
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn parses_split_shifts_and_closed_days() {
        let h = weekdays_8_to_5();
        assert_eq!(h.day(Weekday::Wed), &[Span { open: 480, close: 720 }, Span { open: 780, close: 1020 }]);
        assert!(h.day(Weekday::Sat).is_empty());
        assert!(h.day(Weekday::Sun).is_empty());
        assert_eq!(h.day_text(Weekday::Wed), "8:00 AM – 12:00 PM, 1:00 PM – 5:00 PM");
        assert_eq!(h.day_text(Weekday::Sun), "Closed");
    }

    #[test]
    fn rejects_bad_hours() {
        assert_eq!(parse_day("8-5"), Err(HoursError::BadRange("8-5".into())));
        assert_eq!(parse_day("17:00-08:00"), Err(HoursError::CloseBeforeOpen("17:00-08:00".into())));
        assert_eq!(parse_day("08:00-13:00,12:00-17:00"), Err(HoursError::Overlap("08:00-13:00,12:00-17:00".into())));
        assert_eq!(parse_day("25:00-26:00"), Err(HoursError::BadRange("25:00-26:00".into())));
        assert!(matches!(WeeklyHours::parse([("funday", "08:00-09:00")]), Err(HoursError::UnknownDay(_))));
    }

    #[test]
    fn spec_map_round_trips() {
        let h = weekdays_8_to_5();
        let map = h.to_spec_map();
        assert_eq!(map["wed"], "08:00-12:00,13:00-17:00");
        let again = WeeklyHours::parse(map.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
        assert_eq!(again, h);
    }

    #[test]
    fn open_now_uses_the_office_time_zone() {
        let h = weekdays_8_to_5();
        // Monday 2026-11-16 15:30 UTC = 09:30 in Chicago (CST), 07:30 in Los Angeles (PST).
        let now = utc(2026, 11, 16, 15, 30);
        assert_eq!(h.status_at(chrono_tz::America::Chicago, now), OpenStatus::Open { closes: 1020 });
        let la = h.status_at(chrono_tz::America::Los_Angeles, now);
        assert_eq!(la, OpenStatus::Closed { next: Some((None, 480)) });
        assert_eq!(la.to_string(), "Closed now · opens at 8:00 AM");
    }

    #[test]
    fn open_now_follows_daylight_saving_time() {
        let h = weekdays_8_to_5();
        let la = chrono_tz::America::Los_Angeles;
        // 15:30 UTC is 07:30 PST on Friday 2026-03-06 (closed) but 08:30 PDT
        // on Monday 2026-03-09, after clocks moved forward on Sunday 03-08.
        assert!(!h.status_at(la, utc(2026, 3, 6, 15, 30)).is_open());
        assert!(h.status_at(la, utc(2026, 3, 9, 15, 30)).is_open());
        // And back: 16:30 UTC is 09:30 PDT on Friday 2026-10-30, 08:30 PST on Monday 11-02.
        assert!(h.status_at(la, utc(2026, 10, 30, 16, 30)).is_open());
        assert!(h.status_at(la, utc(2026, 11, 2, 16, 30)).is_open());
        // 00:30 UTC Tuesday 11-03 is 16:30 PST Monday: still open.
        assert!(h.status_at(la, utc(2026, 11, 3, 0, 30)).is_open());
    }

    #[test]
    fn lunch_break_and_next_opening() {
        let h = weekdays_8_to_5();
        // Wednesday 2026-11-18 12:30 Chicago = 18:30 UTC.
        let s = h.status_at(chrono_tz::America::Chicago, utc(2026, 11, 18, 18, 30));
        assert_eq!(s, OpenStatus::Closed { next: Some((None, 780)) });
        // Friday 2026-11-20 17:00 Chicago (23:00 UTC): next is Monday 8:00.
        let s = h.status_at(chrono_tz::America::Chicago, utc(2026, 11, 20, 23, 0));
        assert_eq!(s.to_string(), "Closed now · opens Mon 8:00 AM");
        // Closing minute itself is closed.
        let s = h.status_at(chrono_tz::America::Chicago, utc(2026, 11, 16, 23, 0));
        assert!(!s.is_open());
    }

    #[test]
    fn never_open_office() {
        let h = WeeklyHours::default();
        assert_eq!(h.status_at(chrono_tz::UTC, utc(2026, 1, 1, 12, 0)).to_string(), "Closed");
    }

    #[test]
    fn zone_labels() {
        assert_eq!(zone_label(chrono_tz::America::Los_Angeles, utc(2026, 11, 16, 12, 0)), "Pacific time (PST)");
        assert_eq!(zone_label(chrono_tz::America::Los_Angeles, utc(2026, 7, 1, 12, 0)), "Pacific time (PDT)");
        assert_eq!(zone_label(chrono_tz::America::Chicago, utc(2026, 11, 16, 12, 0)), "Central time (CST)");
        assert_eq!(zone_label(chrono_tz::Europe::Berlin, utc(2026, 1, 1, 12, 0)), "Europe/Berlin time (CET)");
    }

    #[test]
    fn clock_formats_twelve_hour_time() {
        assert_eq!(clock(0), "12:00 AM");
        assert_eq!(clock(8 * 60 + 5), "8:05 AM");
        assert_eq!(clock(12 * 60), "12:00 PM");
        assert_eq!(clock(17 * 60 + 30), "5:30 PM");
    }

    #[test]
    fn schema_org_strings() {
        let h = WeeklyHours::parse([("mon", "08:00-12:00,13:00-17:00")]).unwrap();
        assert_eq!(h.schema_org(), vec!["Mo 08:00-12:00", "Mo 13:00-17:00"]);
    }
}
