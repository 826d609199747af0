//! The dashboard's charts as accessible SVG, drawn on the server (no chart
//! library, no script): `role="img"` named by its `<title>` and described
//! by its `<desc>` (a sentence with the figures that matter), every text
//! escaped. Colours have at least 3:1 contrast against the white
//! background (WCAG 1.4.11) and each series also has its own pattern and a
//! label, so colour is never the only cue. The page puts a data table
//! under each chart. A `viewBox` (no fixed size) lets CSS make the chart
//! as wide as its card, from a 360 px phone to a desktop.

use std::fmt::Write;

use app::admin::model::DashboardPage;

use super::minutes_text;

/// Width of every chart, in viewBox units (text is sized for ~330–600 px).
const W: f64 = 340.0;
const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
/// Text and axes (#1f2933 on white: 14.5:1).
const INK: &str = "#1f2933";
/// Grid lines (decoration only; the values are labelled).
const GRID: &str = "#d5dbe3";
/// Series colours, each ≥ 4.5:1 against white and told apart by pattern too.
const COLOURS: [&str; 6] = ["#1d5f8a", "#a4471b", "#2d6b34", "#6b3d99", "#8a5a00", "#a1265f"];
/// The target line (#b3261e on white: 5.9:1).
const TARGET: &str = "#b3261e";

/// Escape text for SVG/XML content and attribute values (control
/// characters, which XML does not allow, become spaces).
pub fn esc(s: &str) -> String {
    let plain: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    app::text::escape_html(&plain)
}

/// A round axis maximum ≥ `max` (1, 2, 5 × 10ⁿ steps) and its step, for about four grid lines.
pub fn axis(max: f64) -> (f64, f64) {
    if max <= 0.0 {
        return (4.0, 1.0);
    }
    let raw = max / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].into_iter().map(|f| f * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let step = if step < 1.0 { 1.0 } else { step };
    ((max / step).ceil() * step, step)
}

fn open(out: &mut String, id: &str, height: f64, title: &str, desc: &str) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {W} {height:.0}" width="100%" preserveAspectRatio="xMidYMin meet" aria-labelledby="{id}-title {id}-desc" font-family="{FONT}" font-size="12" fill="{INK}"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        esc(title),
        esc(desc)
    );
    out.push_str(r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
}

/// Pattern `i` of chart `id`: the series colour with its own texture.
fn pattern(id: &str, i: usize) -> String {
    let c = COLOURS[i % COLOURS.len()];
    let marks = match i % COLOURS.len() {
        0 => String::new(),
        1 => r##"<path d="M0 6 L6 0" stroke="#ffffff" stroke-width="1.6"/>"##.to_string(),
        2 => r##"<circle cx="3" cy="3" r="1.3" fill="#ffffff"/>"##.to_string(),
        3 => r##"<path d="M0 3 H6" stroke="#ffffff" stroke-width="1.4"/>"##.to_string(),
        4 => r##"<path d="M0 0 L6 6" stroke="#ffffff" stroke-width="1.6"/>"##.to_string(),
        _ => r##"<path d="M3 0 V6" stroke="#ffffff" stroke-width="1.4"/>"##.to_string(),
    };
    format!(
        r#"<pattern id="{id}-p{i}" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="{c}"/>{marks}</pattern>"#
    )
}

/// A legend row of swatches and names, wrapped; returns the height used.
fn legend(out: &mut String, id: &str, names: &[(String, usize)], y0: f64) -> f64 {
    let (mut x, mut y) = (0.0, y0);
    for (name, i) in names {
        let w = 22.0 + 6.6 * name.chars().count() as f64 + 14.0;
        if x > 0.0 && x + w > W {
            x = 0.0;
            y += 20.0;
        }
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="{:.1}" width="14" height="14" fill="url(#{id}-p{i})" stroke="{}" stroke-width="1"/><text x="{:.1}" y="{:.1}">{}</text>"#,
            y,
            COLOURS[i % COLOURS.len()],
            x + 20.0,
            y + 11.5,
            esc(name)
        );
        x += w;
    }
    y + 20.0 - y0
}

/// Horizontal grid lines with their values, for a plot from `top` to `bottom`.
fn grid(out: &mut String, left: f64, top: f64, bottom: f64, max: f64, step: f64) {
    let mut v = 0.0;
    while v <= max + 1e-9 {
        let y = bottom - (bottom - top) * v / max;
        let _ = write!(
            out,
            r#"<line x1="{left}" x2="{W}" y1="{y:.1}" y2="{y:.1}" stroke="{}" stroke-width="1"/><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="11">{}</text>"#,
            if v == 0.0 { INK } else { GRID },
            left - 5.0,
            y + 4.0,
            v as u64
        );
        v += step;
    }
}

/// Stacked bars: one bar per category, one segment per series, the total
/// above each bar. Labels on every `label_every`-th category, ending at the last.
fn stacked(
    id: &str,
    title: &str,
    desc: &str,
    categories: &[String],
    series: &[(String, Vec<u32>)],
    label_every: usize,
) -> String {
    let mut out = String::new();
    let mut body = String::new();
    let names: Vec<(String, usize)> = series.iter().enumerate().map(|(i, (n, _))| (n.clone(), i)).collect();
    let legend_h = if series.len() > 1 { legend(&mut body, id, &names, 0.0) + 6.0 } else { 0.0 };
    let (top, plot_h, left) = (legend_h + 16.0, 150.0, 30.0);
    let bottom = top + plot_h;
    let totals: Vec<u32> = (0..categories.len()).map(|c| series.iter().map(|(_, v)| v[c]).sum()).collect();
    // At least 0–4, so one post in a month is not a wall of colour.
    let (max, step) = axis(f64::from(totals.iter().copied().max().unwrap_or(0).max(4)));
    grid(&mut body, left, top, bottom, max, step);
    let slot = (W - left) / categories.len().max(1) as f64;
    let bar = (slot * 0.62).min(34.0);
    let label_every = label_every.max(1);
    for (c, name) in categories.iter().enumerate() {
        let x = left + slot * c as f64 + (slot - bar) / 2.0;
        let mut y = bottom;
        for (i, (_, values)) in series.iter().enumerate() {
            let h = plot_h * f64::from(values[c]) / max;
            if h > 0.0 {
                y -= h;
                let _ = write!(
                    body,
                    r##"<rect x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}" fill="url(#{id}-p{i})" stroke="#ffffff" stroke-width="1" class="bar"/>"##
                );
            }
        }
        if totals[c] > 0 {
            let _ = write!(
                body,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11" font-weight="600">{}</text>"#,
                x + bar / 2.0,
                y - 4.0,
                totals[c]
            );
        }
        if (categories.len() - 1 - c).is_multiple_of(label_every) {
            let _ = write!(
                body,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11">{}</text>"#,
                x + bar / 2.0,
                bottom + 16.0,
                esc(name)
            );
        }
    }
    open(&mut out, id, bottom + 24.0, title, desc);
    out.push_str("<defs>");
    for i in 0..series.len().max(1) {
        out.push_str(&pattern(id, i));
    }
    out.push_str("</defs>");
    out.push_str(&body);
    out.push_str("</svg>");
    out
}

/// Requests per office per week, stacked by office.
pub fn leads_chart(page: &DashboardPage) -> String {
    let categories: Vec<String> = page.weeks.iter().map(|w| w.label.clone()).collect();
    let series: Vec<(String, Vec<u32>)> = page.offices.iter().map(|o| (o.name.clone(), o.per_week.clone())).collect();
    let total: u32 = page.weeks.iter().map(|w| w.count).sum();
    let mut desc = format!(
        "Stacked bars, one per week (weeks start on Monday) from {} to the current week, one segment per office. {} requests in all",
        page.weeks.first().map(|w| w.label.as_str()).unwrap_or(""),
        total
    );
    if !page.offices.is_empty() && total > 0 {
        let parts: Vec<String> =
            page.offices.iter().map(|o| format!("{} {}", o.name, o.per_week.iter().sum::<u32>())).collect();
        let _ = write!(desc, ": {}", parts.join(", "));
        if let Some(busiest) = page.weeks.iter().max_by_key(|w| w.count) {
            let _ = write!(desc, ". Busiest week: {} with {}", busiest.label, busiest.count);
        }
    }
    desc.push('.');
    stacked("chart-leads", "Requests per office, last 12 weeks", &desc, &categories, &series, 2)
}

/// Posts published per month.
pub fn posts_chart(page: &DashboardPage) -> String {
    let categories: Vec<String> = page.months.iter().map(|m| m.label.chars().take(3).collect()).collect();
    let values: Vec<u32> = page.months.iter().map(|m| m.count).collect();
    let total: u32 = values.iter().sum();
    let parts: Vec<String> =
        page.months.iter().filter(|m| m.count > 0).map(|m| format!("{} {}", m.label, m.count)).collect();
    let desc = format!(
        "Bars, one per month from {} to {}. {} posts published in all{}.",
        page.months.first().map(|m| m.label.as_str()).unwrap_or(""),
        page.months.last().map(|m| m.label.as_str()).unwrap_or(""),
        total,
        if parts.is_empty() { String::new() } else { format!(": {}", parts.join(", ")) }
    );
    stacked(
        "chart-posts",
        "Posts published per month, last 12 months",
        &desc,
        &categories,
        &[("Posts".into(), values)],
        1,
    )
}

/// Median and 90th-percentile time to first response per office, as
/// horizontal bars, with the clinic's target as a dashed line.
pub fn response_chart(page: &DashboardPage) -> String {
    let id = "chart-response";
    let target = f64::from(page.target_minutes);
    let longest = page.offices.iter().filter_map(|o| o.p90_minutes.max(o.median_minutes)).max().unwrap_or(0);
    let (max, _) = axis((f64::from(longest).max(target * 1.25)) / 60.0);
    let max = max * 60.0;
    let (left, right) = (0.0, W - 108.0);
    let scale = |m: f64| left + (right - left) * (m / max).min(1.0);
    let mut body = String::new();
    let legend_h = legend(&mut body, id, &[("Median".into(), 0), ("90th percentile".into(), 1)], 0.0);
    let tx = scale(target);
    let _ = write!(
        body,
        r#"<path d="M{:.1} {:.1} h14" stroke="{TARGET}" stroke-width="2.5" stroke-dasharray="4 3"/><text x="{:.1}" y="{:.1}">Target: {}</text>"#,
        0.0,
        legend_h + 7.0,
        20.0,
        legend_h + 11.5,
        esc(&page.target_text)
    );
    let mut y = legend_h + 30.0;
    let top = y - 6.0;
    // Office rows go after the target line, so their labels are drawn over it.
    let mut rows = String::new();
    let body_rows = &mut rows;
    for o in &page.offices {
        let _ = write!(body_rows, r#"<text x="0" y="{:.1}" font-weight="600">{}</text>"#, y + 10.0, esc(&o.name));
        y += 16.0;
        for (i, value) in [o.median_minutes, o.p90_minutes].into_iter().enumerate() {
            match value {
                Some(m) => {
                    let w = (scale(f64::from(m)) - left).max(1.5);
                    let over = if m > page.target_minutes { " · over" } else { "" };
                    let _ = write!(
                        body_rows,
                        r##"<rect x="{left}" y="{y:.1}" width="{w:.1}" height="14" fill="url(#{id}-p{i})" stroke="{}" stroke-width="1" class="bar"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{}{}</text>"##,
                        COLOURS[i],
                        W,
                        y + 11.0,
                        esc(&minutes_text(m)),
                        over
                    );
                }
                None => {
                    let _ =
                        write!(body_rows, r#"<text x="{left}" y="{:.1}" font-size="11">No requests</text>"#, y + 11.0);
                }
            }
            y += 17.0;
        }
        y += 12.0;
    }
    if page.offices.is_empty() {
        let _ = write!(body_rows, r#"<text x="0" y="{:.1}">No offices to show.</text>"#, y + 10.0);
        y += 20.0;
    }
    let _ = write!(
        body,
        r#"<line x1="{tx:.1}" x2="{tx:.1}" y1="{top:.1}" y2="{:.1}" stroke="{TARGET}" stroke-width="2.5" stroke-dasharray="4 3"/>"#,
        y - 8.0
    );
    body.push_str(&rows);
    let mut desc = format!(
        "Horizontal bars per office: the median and the 90th-percentile time to a first response, in business hours (the office's opening hours), over the last 12 weeks. The dashed line is the target of {}.",
        page.target_text
    );
    for o in &page.offices {
        match (o.median_minutes, o.p90_minutes) {
            (Some(m), Some(p)) => {
                let verdict = if p <= page.target_minutes {
                    "within the target"
                } else if m <= page.target_minutes {
                    "median within the target, slowest tenth over it"
                } else {
                    "over the target"
                };
                let _ = write!(
                    desc,
                    " {}: median {}, 90th percentile {}, {verdict}.",
                    o.name,
                    minutes_text(m),
                    minutes_text(p)
                );
            }
            _ => {
                let _ = write!(desc, " {}: no requests.", o.name);
            }
        }
    }
    let mut out = String::new();
    open(&mut out, id, y, "Time to first response per office against the target", &desc);
    out.push_str("<defs>");
    out.push_str(&pattern(id, 0));
    out.push_str(&pattern(id, 1));
    out.push_str("</defs>");
    out.push_str(&body);
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::admin::model::{DashboardCount, DashboardOffice};
    use quick_xml::Reader;
    use quick_xml::events::Event;

    /// A start tag: its name and attributes.
    type Tag = (String, Vec<(String, String)>);

    /// Parse the whole document; return the start tags and all text.
    fn parse(svg: &str) -> (Vec<Tag>, String) {
        let mut reader = Reader::from_str(svg);
        let (mut tags, mut text, mut depth) = (Vec::new(), String::new(), 0i32);
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) | Event::Empty(e) => {
                    let attrs = e
                        .attributes()
                        .map(|a| {
                            let a = a.unwrap();
                            let value = a.normalized_value(quick_xml::XmlVersion::Implicit1_0).unwrap().into_owned();
                            (a.key.as_ref().to_string(), value)
                        })
                        .collect();
                    tags.push((e.name().as_ref().to_string(), attrs));
                    depth += 1;
                }
                Event::Text(t) => text.push_str(&quick_xml::escape::unescape(&t.xml10_content()).unwrap()),
                Event::GeneralRef(r) => match r.resolve_char_ref().unwrap() {
                    Some(c) => text.push(c),
                    None => {
                        let name = r.xml10_content().into_owned();
                        text.push_str(match name.as_str() {
                            "amp" => "&",
                            "lt" => "<",
                            "gt" => ">",
                            "quot" => "\"",
                            other => panic!("unexpected entity {other}"),
                        });
                    }
                },
                Event::Eof => break,
                _ => {}
            }
        }
        assert!(depth > 0);
        (tags, text)
    }

    fn page() -> DashboardPage {
        let weeks: Vec<DashboardCount> =
            (0..12).map(|i| DashboardCount { key: format!("w{i}"), label: format!("Wk {i}"), count: 0 }).collect();
        let mut p = DashboardPage {
            clinic_name: "Test".into(),
            target_minutes: 240,
            target_text: "4 business hours".into(),
            weeks,
            months: (0..12)
                .map(|i| DashboardCount { key: format!("m{i}"), label: format!("M{i} 2026"), count: i % 3 })
                .collect(),
            offices: vec![
                DashboardOffice {
                    office_id: Some(1),
                    name: "Dr. <O'Brien> & Co".into(),
                    per_week: (0..12).map(|i| i % 4).collect(),
                    median_minutes: Some(90),
                    p90_minutes: Some(300),
                    ..Default::default()
                },
                DashboardOffice {
                    office_id: Some(2),
                    name: "Quiet \"office\"".into(),
                    per_week: vec![0; 12],
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        for (i, w) in p.weeks.iter_mut().enumerate() {
            w.count = p.offices.iter().map(|o| o.per_week[i]).sum();
        }
        p
    }

    fn count_bars(tags: &[Tag]) -> usize {
        tags.iter().filter(|(n, a)| n == "rect" && a.iter().any(|(k, v)| k == "class" && v == "bar")).count()
    }

    fn attr<'a>(tags: &'a [Tag], tag: &str, key: &str) -> Option<&'a str> {
        tags.iter().find(|(n, _)| n == tag)?.1.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    #[test]
    fn escapes_text_for_xml() {
        assert_eq!(esc(r#"Dr. <O'Brien> & "Co""#), "Dr. &lt;O&#39;Brien&gt; &amp; &quot;Co&quot;");
    }

    #[test]
    fn leads_chart_is_accessible_well_formed_and_has_a_bar_segment_per_nonzero_count() {
        let p = page();
        let svg = leads_chart(&p);
        let (tags, text) = parse(&svg);
        assert_eq!(attr(&tags, "svg", "role"), Some("img"));
        assert_eq!(attr(&tags, "svg", "aria-labelledby"), Some("chart-leads-title chart-leads-desc"));
        assert_eq!(attr(&tags, "title", "id"), Some("chart-leads-title"));
        assert_eq!(attr(&tags, "desc", "id"), Some("chart-leads-desc"));
        assert!(attr(&tags, "svg", "viewBox").is_some());
        assert_eq!(attr(&tags, "svg", "width"), Some("100%"));
        assert!(text.contains("Requests per office, last 12 weeks"));
        assert!(text.contains("Dr. <O'Brien> & Co"), "the name, escaped in the source and intact when read: {text}");
        assert!(!svg.contains("<O'Brien>"));
        let nonzero = p.offices[0].per_week.iter().filter(|v| **v > 0).count();
        assert_eq!(count_bars(&tags), nonzero);
        // One legend entry per office, each with its own pattern.
        assert!(text.contains("Quiet \"office\""));
        assert_eq!(tags.iter().filter(|(n, _)| n == "pattern").count(), 2);
    }

    #[test]
    fn response_chart_has_two_bars_per_office_with_data_and_a_target_line() {
        let p = page();
        let svg = response_chart(&p);
        let (tags, text) = parse(&svg);
        assert_eq!(attr(&tags, "svg", "role"), Some("img"));
        assert_eq!(count_bars(&tags), 2, "median and p90 of the office with requests; none for the quiet one");
        assert!(text.contains("No requests"));
        assert!(text.contains("Target: 4 business hours"));
        assert!(text.contains("5 h · over"));
        assert!(text.contains("1 h 30 min"));
        assert!(text.contains("median within the target, slowest tenth over it"));
        assert!(tags.iter().any(|(n, a)| n == "line" && a.iter().any(|(k, v)| k == "stroke" && v == TARGET)));
    }

    #[test]
    fn posts_chart_has_a_bar_per_month_with_posts() {
        let p = page();
        let (tags, text) = parse(&posts_chart(&p));
        assert_eq!(count_bars(&tags), p.months.iter().filter(|m| m.count > 0).count());
        assert!(text.contains("Posts published per month, last 12 months"));
        assert!(text.contains("posts published in all"));
    }

    #[test]
    fn empty_figures_still_draw_a_valid_chart() {
        let p = DashboardPage { target_minutes: 240, target_text: "4 business hours".into(), ..Default::default() };
        for svg in [leads_chart(&p), response_chart(&p), posts_chart(&p)] {
            let (tags, _) = parse(&svg);
            assert_eq!(count_bars(&tags), 0);
        }
    }

    #[test]
    fn round_axis_maxima() {
        assert_eq!(axis(0.0), (4.0, 1.0));
        assert_eq!(axis(3.0), (3.0, 1.0));
        assert_eq!(axis(7.0), (8.0, 2.0));
        assert_eq!(axis(37.0), (40.0, 10.0));
        assert_eq!(axis(5.0), (6.0, 2.0));
    }
}
