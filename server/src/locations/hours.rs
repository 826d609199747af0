//! Weekly opening hours and holiday closures: parsing the provision and
//! admin formats, and "open now" computed in the office's own time zone
//! (DST included, via chrono-tz). A closure date has no opening hours,
//! whatever the weekday says: "open now", the public week and the
//! first-response clock (`leads::clock`) all read [`WeeklyHours::spans_on`].

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Timelike, Utc, Weekday};
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

/// Opening spans per weekday, Monday first (an empty day is closed), and
/// the dates the office is closed anyway.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyHours {
    pub days: [Vec<Span>; 7],
    /// Sorted by first day.
    #[serde(default)]
    pub closures: Vec<Closure>,
}

/// A holiday closure: the office is closed from `from` to `to` (both
/// included, local dates), e.g. "2026-12-24 to 2026-12-26 Winter break".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(default)]
    pub label: String,
}

/// Most closures one office keeps.
pub const MAX_CLOSURES: usize = 60;
/// The longest one closure may last, in days.
pub const MAX_CLOSURE_DAYS: i64 = 366;
/// The longest a closure's name may be, in characters.
pub const MAX_CLOSURE_LABEL: usize = 80;

impl Closure {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }

    /// "Thu 24 Dec 2026 – Sat 26 Dec 2026: Winter break" (one date when it is one day).
    pub fn text(&self) -> String {
        let day = |d: NaiveDate| d.format("%a %-d %b %Y").to_string();
        let dates =
            if self.from == self.to { day(self.from) } else { format!("{} – {}", day(self.from), day(self.to)) };
        if self.label.is_empty() { dates } else { format!("{dates}: {}", self.label) }
    }

    /// The admin form's line: "2026-12-24 to 2026-12-26 Winter break".
    pub fn line(&self) -> String {
        let mut out = self.from.to_string();
        if self.to != self.from {
            out.push_str(&format!(" to {}", self.to));
        }
        if !self.label.is_empty() {
            out.push(' ');
            out.push_str(&self.label);
        }
        out
    }
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Parse closures typed one per line: `2026-12-25 Christmas Day` or
/// `2026-12-24 to 2026-12-26 Winter break` (also `..`, `–` or `—` between
/// the dates); the name is optional. Every problem is reported, each as
/// "Line N: …"; the result is sorted by first day.
pub fn parse_closures(text: &str) -> Result<Vec<Closure>, Vec<String>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let lines: Vec<(usize, &str)> =
        text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).filter(|(_, l)| !l.is_empty()).collect();
    if lines.len() > MAX_CLOSURES {
        return Err(vec![format!("{} closures: {MAX_CLOSURES} at most. Remove past ones.", lines.len())]);
    }
    for (n, line) in lines {
        match parse_closure(line) {
            Ok(c) => out.push(c),
            Err(m) => errors.push(format!("Line {n}: {m}")),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    out.sort_by_key(|c| (c.from, c.to));
    Ok(out)
}

fn parse_closure(line: &str) -> Result<Closure, String> {
    const FORMAT: &str =
        "write a date like 2026-12-25, or a range like 2026-12-24 to 2026-12-26, then a name if you like.";
    let first = line.get(..10).and_then(parse_date).ok_or_else(|| FORMAT.to_string())?;
    let mut rest = line[10..].trim_start();
    let mut to = first;
    for sep in ["to ", "..", "\u{2013}", "\u{2014}", "-"] {
        if let Some(after) = rest.strip_prefix(sep) {
            let after = after.trim_start();
            match after.get(..10).and_then(parse_date) {
                Some(end) => {
                    to = end;
                    rest = after[10..].trim_start();
                }
                // "2026-12-25 - Christmas": a dash before a name.
                None if sep != "to " && sep != ".." => {}
                None => return Err(FORMAT.to_string()),
            }
            break;
        }
    }
    if !rest.is_empty() && !line[10..].starts_with(|c: char| c.is_whitespace() || c == ':') && to == first {
        return Err(FORMAT.to_string());
    }
    let label = rest.trim_start_matches([':', '-', '\u{2013}', '\u{2014}']).trim().to_string();
    if to < first {
        return Err(format!("the closure ends ({to}) before it starts ({first})."));
    }
    if (to - first).num_days() >= MAX_CLOSURE_DAYS {
        return Err(format!("a closure lasts {MAX_CLOSURE_DAYS} days at most."));
    }
    let chars = label.chars().count();
    if chars > MAX_CLOSURE_LABEL {
        return Err(format!("the name has {chars} characters; {MAX_CLOSURE_LABEL} at most."));
    }
    if label.chars().any(char::is_control) {
        return Err("the name has control characters.".to_string());
    }
    Ok(Closure { from: first, to, label })
}

/// How far ahead "open now" looks for the next opening, in days.
const NEXT_OPENING_DAYS: i64 = MAX_CLOSURE_DAYS + 8;

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

    /// The weekly spans of a weekday (closures not considered).
    pub fn day(&self, weekday: Weekday) -> &[Span] {
        &self.days[weekday.num_days_from_monday() as usize]
    }

    /// The closure covering local date `date`, if any.
    pub fn closure_on(&self, date: NaiveDate) -> Option<&Closure> {
        self.closures.iter().find(|c| c.contains(date))
    }

    /// The opening spans of one local date: none on a closure date.
    pub fn spans_on(&self, date: NaiveDate) -> &[Span] {
        if self.closure_on(date).is_some() { &[] } else { self.day(date.weekday()) }
    }

    /// Closures that have not ended by local date `today`, soonest first.
    pub fn upcoming_closures(&self, today: NaiveDate) -> impl Iterator<Item = &Closure> {
        self.closures.iter().filter(move |c| c.to >= today)
    }

    /// Whether the office is open at `now`, in its own time zone.
    pub fn status_at(&self, tz: Tz, now: DateTime<Utc>) -> OpenStatus {
        let local = now.with_timezone(&tz);
        let minute = (local.hour() * 60 + local.minute()) as u16;
        let today = local.date_naive();
        let spans = self.spans_on(today);
        if let Some(span) = spans.iter().find(|s| s.open <= minute && minute < s.close) {
            return OpenStatus::Open { closes: span.close };
        }
        let closure = self.closure_on(today).map(|c| c.label.clone());
        // Next opening: later today, else the first open date ahead.
        if let Some(span) = spans.iter().find(|s| s.open > minute) {
            return OpenStatus::Closed { next: Some(Opens::Today(span.open)), closure };
        }
        if self.days.iter().all(Vec::is_empty) {
            return OpenStatus::Closed { next: None, closure };
        }
        let mut date = today;
        for ahead in 1..=NEXT_OPENING_DAYS {
            let Some(next) = date.succ_opt() else { break };
            date = next;
            if let Some(span) = self.spans_on(date).first() {
                let opens =
                    if ahead < 7 { Opens::On(date.weekday(), span.open) } else { Opens::OnDate(date, span.open) };
                return OpenStatus::Closed { next: Some(opens), closure };
            }
        }
        OpenStatus::Closed { next: None, closure }
    }

    /// Human text for one day, e.g. "8:00 AM – 12:00 PM, 1:00 PM – 5:00 PM" or "Closed".
    pub fn day_text(&self, weekday: Weekday) -> String {
        spans_text(self.day(weekday))
    }

    /// Human text for one local date: its hours, or "Closed: Christmas Day"
    /// on a closure date.
    pub fn day_text_on(&self, date: NaiveDate) -> String {
        match self.closure_on(date) {
            Some(c) if c.label.is_empty() => "Closed (holiday)".to_string(),
            Some(c) => format!("Closed: {}", c.label),
            None => self.day_text(date.weekday()),
        }
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
    /// Closed; the next opening, and the closure's name when today is a
    /// holiday closure (`Some("")` for one without a name).
    Closed {
        next: Option<Opens>,
        closure: Option<String>,
    },
}

/// When a closed office opens next (minutes after local midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opens {
    Today(u16),
    /// Within the coming week.
    On(Weekday, u16),
    /// A week or more ahead (after a long closure).
    OnDate(NaiveDate, u16),
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
            OpenStatus::Closed { next, closure } => {
                match closure.as_deref() {
                    Some("") => f.write_str("Closed today for a holiday")?,
                    Some(name) => write!(f, "Closed today · {name}")?,
                    None if next.is_some() => f.write_str("Closed now")?,
                    None => return f.write_str("Closed"),
                }
                match next {
                    Some(Opens::Today(at)) => write!(f, " · opens at {}", clock(*at)),
                    Some(Opens::On(day, at)) => {
                        write!(f, " · opens {} {}", DAY_SHORT[day.num_days_from_monday() as usize], clock(*at))
                    }
                    Some(Opens::OnDate(date, at)) => write!(f, " · opens {} {}", date.format("%a %-d %b"), clock(*at)),
                    None => Ok(()),
                }
            }
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
        assert_eq!(la, OpenStatus::Closed { next: Some(Opens::Today(480)), closure: None });
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
        assert_eq!(s, OpenStatus::Closed { next: Some(Opens::Today(780)), closure: None });
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

    fn with_closures(text: &str) -> WeeklyHours {
        WeeklyHours { closures: parse_closures(text).unwrap(), ..weekdays_8_to_5() }
    }

    #[test]
    fn closures_parse_one_per_line() {
        let c = parse_closures("2026-12-25 Christmas Day\n\n 2026-12-28 to 2026-12-31 Year-end break\n2026-11-26\n2027-01-01..2027-01-02: New Year").unwrap();
        assert_eq!(c.len(), 4);
        assert_eq!(
            c[0],
            Closure {
                from: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
                to: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
                label: String::new()
            }
        );
        assert_eq!(c[1].label, "Christmas Day");
        assert_eq!(c[2].to, NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        assert_eq!(c[2].line(), "2026-12-28 to 2026-12-31 Year-end break");
        assert_eq!(c[3].label, "New Year");
        assert_eq!(c[2].text(), "Mon 28 Dec 2026 – Thu 31 Dec 2026: Year-end break");
        assert_eq!(parse_closures(&c.iter().map(Closure::line).collect::<Vec<_>>().join("\n")).unwrap(), c);
    }

    #[test]
    fn bad_closures_name_their_line() {
        let e = parse_closures("2026-12-25 ok\n12/25/2026 Christmas\n2026-12-31 to 2026-12-01\n2026-02-30\n2026-01-01 to 2027-06-01 long\n2026-12-24 bell\u{7}").unwrap_err();
        assert_eq!(e.len(), 5, "{e:?}");
        assert!(e[0].starts_with("Line 2: write a date like 2026-12-25"), "{e:?}");
        assert!(e[1].starts_with("Line 3: the closure ends"), "{e:?}");
        assert!(e[2].starts_with("Line 4: write a date"), "{e:?}");
        assert!(e[3].starts_with("Line 5: a closure lasts 366 days at most"), "{e:?}");
        assert_eq!(e[4], "Line 6: the name has control characters.");
        assert_eq!(parse_closures("2026-12-25 - Christmas Day").unwrap()[0].label, "Christmas Day");
        // As the public page writes them: "date: name".
        assert_eq!(parse_closures("2026-12-25: Christmas Day").unwrap()[0].label, "Christmas Day");
        assert_eq!(
            parse_closures("2026-12-24 \u{2013} 2026-12-26").unwrap()[0].to,
            NaiveDate::from_ymd_opt(2026, 12, 26).unwrap()
        );
        let long = format!("2026-12-25 {}", "x".repeat(81));
        assert!(parse_closures(&long).unwrap_err()[0].contains("81 characters"));
        let many = (1..=61).map(|d| format!("2026-01-01 day {d}")).collect::<Vec<_>>().join("\n");
        assert_eq!(parse_closures(&many).unwrap_err(), vec!["61 closures: 60 at most. Remove past ones.".to_string()]);
        assert_eq!(parse_closures("2026-12-24x").unwrap_err().len(), 1);
    }

    #[test]
    fn a_holiday_closes_an_open_day_and_moves_the_next_opening() {
        let chicago = chrono_tz::America::Chicago;
        let h = with_closures("2026-12-24 to 2026-12-25 Christmas\n2026-12-28");
        // Thursday 2026-12-24 10:00 Chicago = 16:00 UTC: a weekday, closed for Christmas.
        let s = h.status_at(chicago, utc(2026, 12, 24, 16, 0));
        assert!(!s.is_open());
        assert_eq!(s.to_string(), "Closed today · Christmas · opens Tue 8:00 AM");
        // Wednesday evening: next opening skips Thursday, Friday, the weekend and Monday 28th.
        let s = h.status_at(chicago, utc(2026, 12, 23, 23, 30));
        assert_eq!(s.to_string(), "Closed now · opens Tue 8:00 AM");
        // Monday 28th unnamed closure.
        let s = h.status_at(chicago, utc(2026, 12, 28, 16, 0));
        assert_eq!(s.to_string(), "Closed today for a holiday · opens Tue 8:00 AM");
        // The day after, open as usual.
        assert!(h.status_at(chicago, utc(2026, 12, 29, 16, 0)).is_open());
        assert_eq!(h.upcoming_closures(NaiveDate::from_ymd_opt(2026, 12, 26).unwrap()).count(), 1);
    }

    #[test]
    fn after_a_long_closure_the_date_is_named() {
        let h = with_closures("2026-07-01 to 2026-07-31 Renovation");
        let s = h.status_at(chrono_tz::UTC, utc(2026, 7, 10, 12, 0));
        assert_eq!(s.to_string(), "Closed today · Renovation · opens Mon 3 Aug 8:00 AM");
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
