//! Pure text helpers shared by the server render and the browser.
//!
//! Relative times are computed against a `now` that the server puts into the
//! page data, never against the browser's clock, so the hydrated page shows
//! exactly what the server rendered.

use chrono::{DateTime, Datelike, Utc};

/// "just now", "5 minutes ago", "yesterday", "3 weeks ago", "2 months ago", "1 year ago".
/// Future instants (clock skew) read "just now".
pub fn relative_time(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds();
    if secs < 60 {
        return "just now".into();
    }
    let mins = secs / 60;
    let hours = mins / 60;
    let days = hours / 24;
    fn unit(n: i64, one: &str) -> String {
        if n == 1 { format!("1 {one} ago") } else { format!("{n} {one}s ago") }
    }
    if mins < 60 {
        unit(mins, "minute")
    } else if hours < 24 {
        unit(hours, "hour")
    } else if days == 1 {
        "yesterday".into()
    } else if days < 7 {
        unit(days, "day")
    } else if days < 30 {
        unit(days / 7, "week")
    } else if days < 365 {
        unit((days / 30).max(1), "month")
    } else {
        unit(days / 365, "year")
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "March 14, 2025" (UTC date).
pub fn long_date(t: DateTime<Utc>) -> String {
    format!("{} {}, {}", MONTHS[t.month0() as usize], t.day(), t.year())
}

/// The `datetime` attribute value for `<time>`: RFC 3339, seconds precision.
pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Encode a string for use inside a URL query value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Text made safe to place inside HTML element content or a quoted attribute.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap()
    }

    #[test]
    fn relative_time_buckets() {
        let n = now();
        let cases = [
            (Duration::seconds(-30), "just now"),
            (Duration::seconds(59), "just now"),
            (Duration::minutes(1), "1 minute ago"),
            (Duration::minutes(59), "59 minutes ago"),
            (Duration::hours(1), "1 hour ago"),
            (Duration::hours(23), "23 hours ago"),
            (Duration::hours(24), "yesterday"),
            (Duration::hours(47), "yesterday"),
            (Duration::days(2), "2 days ago"),
            (Duration::days(7), "1 week ago"),
            (Duration::days(29), "4 weeks ago"),
            (Duration::days(30), "1 month ago"),
            (Duration::days(65), "2 months ago"),
            (Duration::days(364), "12 months ago"),
            (Duration::days(365), "1 year ago"),
            (Duration::days(800), "2 years ago"),
        ];
        for (ago, want) in cases {
            assert_eq!(relative_time(n - ago, n), want, "{ago:?}");
        }
    }

    #[test]
    fn long_dates_and_iso() {
        let t = Utc.with_ymd_and_hms(2025, 3, 14, 9, 30, 0).unwrap();
        assert_eq!(long_date(t), "March 14, 2025");
        assert_eq!(iso(t), "2025-03-14T09:30:00Z");
    }

    #[test]
    fn url_encoding() {
        assert_eq!(url_encode("a b&c/é"), "a%20b%26c%2F%C3%A9");
    }
}

/// Text to put between `<textarea>` and `</textarea>` in a view: Leptos
/// writes a textarea's children out as they are when rendering on the
/// server, so what a visitor typed (say `</textarea><script>…`) must be
/// escaped here. The browser shows the decoded text.
pub fn textarea_text(s: &str) -> String {
    escape_html(s)
}

#[cfg(test)]
mod textarea_tests {
    use super::textarea_text;

    #[test]
    fn typed_markup_cannot_close_the_textarea() {
        assert_eq!(textarea_text("a</textarea><b>&"), "a&lt;/textarea&gt;&lt;b&gt;&amp;");
    }
}
