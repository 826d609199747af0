//! Markdown files with YAML front matter, as written by hand or exported
//! from another CMS. Parsing and validation here are pure; storing is in
//! `store`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Deserialize;

use crate::entities::PostStatus;
use crate::slugs::{slugify, valid_slug};

/// Largest Markdown file accepted by `import`.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFrontMatter {
    title: Option<String>,
    slug: Option<String>,
    date: Option<serde_norway::Value>,
    updated: Option<serde_norway::Value>,
    author: Option<String>,
    category: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    excerpt: Option<String>,
    status: Option<String>,
    #[serde(default)]
    locations: Vec<String>,
    seo_title: Option<String>,
    seo_description: Option<String>,
    featured_image: Option<String>,
    featured_image_alt: Option<String>,
}

/// A post as read from a file: validated, not yet stored.
#[derive(Debug, Clone, PartialEq)]
pub struct PostDraft {
    pub title: String,
    pub slug: String,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub author: Option<String>,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub excerpt: Option<String>,
    pub status: PostStatus,
    pub locations: Vec<String>,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub featured_image: Option<String>,
    pub featured_image_alt: Option<String>,
    pub body_md: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrontMatterError {
    #[error("the file is {0} bytes; the limit is {MAX_FILE_BYTES} bytes")]
    TooLarge(usize),
    #[error("the file is not valid UTF-8 (first bad byte at offset {0})")]
    NotUtf8(usize),
    #[error("no front matter: the file must start with a line \"---\", the YAML fields, and a closing \"---\"")]
    Missing,
    #[error("front matter is not valid YAML: {0}")]
    Yaml(String),
    #[error("`title` is missing or empty")]
    NoTitle,
    #[error("`slug` \"{0}\" must be lowercase letters, digits and hyphens")]
    BadSlug(String),
    #[error("`{field}` \"{value}\" is not a date (use 2025-03-14 or 2025-03-14T09:30:00Z)")]
    BadDate { field: &'static str, value: String },
    #[error("`status` \"{0}\" must be draft, scheduled, published or archived")]
    BadStatus(String),
    #[error("status is {0:?} but `date` is missing")]
    NeedsDate(&'static str),
    #[error("the `featured_image` needs a `featured_image_alt` text")]
    NeedsAlt,
}

/// Decode bytes, split the front matter and validate it.
pub fn parse_file(bytes: &[u8]) -> Result<PostDraft, FrontMatterError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FrontMatterError::TooLarge(bytes.len()));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| FrontMatterError::NotUtf8(e.valid_up_to()))?;
    parse(text)
}

fn split(text: &str) -> Option<(&str, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n"))?;
    // The closing fence is a line holding only "---".
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Some((&rest[..offset], &rest[offset + line.len()..]));
        }
        offset += line.len();
    }
    None
}

fn date_value(field: &'static str, v: &serde_norway::Value) -> Result<DateTime<Utc>, FrontMatterError> {
    let s = match v {
        serde_norway::Value::String(s) => s.trim().to_string(),
        other => serde_norway::to_string(other).unwrap_or_default().trim().to_string(),
    };
    let bad = || FrontMatterError::BadDate { field, value: s.clone() };
    if let Ok(t) = DateTime::parse_from_rfc3339(&s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(&s, "%Y-%m-%d %H:%M:%S") {
        return Ok(t.and_utc());
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S") {
        return Ok(t.and_utc());
    }
    NaiveDate::parse_from_str(&s, "%Y-%m-%d")
        .map(|d| d.and_hms_opt(9, 0, 0).expect("valid time").and_utc())
        .map_err(|_| bad())
}

fn clean(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

pub fn parse(text: &str) -> Result<PostDraft, FrontMatterError> {
    let (yaml, body) = split(text).ok_or(FrontMatterError::Missing)?;
    let raw: RawFrontMatter = if yaml.trim().is_empty() {
        return Err(FrontMatterError::NoTitle);
    } else {
        serde_norway::from_str(yaml).map_err(|e| FrontMatterError::Yaml(e.to_string()))?
    };
    let title = clean(raw.title).ok_or(FrontMatterError::NoTitle)?;
    let slug = match clean(raw.slug) {
        Some(s) if valid_slug(&s) => s,
        Some(s) => return Err(FrontMatterError::BadSlug(s)),
        None => slugify(&title),
    };
    if !valid_slug(&slug) {
        return Err(FrontMatterError::BadSlug(slug));
    }
    let published_at = raw.date.as_ref().map(|v| date_value("date", v)).transpose()?;
    let updated_at = raw.updated.as_ref().map(|v| date_value("updated", v)).transpose()?;
    let status = match clean(raw.status).as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("published") | Some("publish") => PostStatus::Published,
        Some("draft") => PostStatus::Draft,
        Some("scheduled") | Some("future") => PostStatus::Scheduled,
        Some("archived") => PostStatus::Archived,
        Some(other) => return Err(FrontMatterError::BadStatus(other.to_string())),
    };
    if published_at.is_none() {
        match status {
            PostStatus::Published => return Err(FrontMatterError::NeedsDate("published")),
            PostStatus::Scheduled => return Err(FrontMatterError::NeedsDate("scheduled")),
            _ => {}
        }
    }
    let featured_image = clean(raw.featured_image);
    let featured_image_alt = clean(raw.featured_image_alt);
    if featured_image.is_some() && featured_image_alt.is_none() {
        return Err(FrontMatterError::NeedsAlt);
    }
    let mut tags: Vec<String> = Vec::new();
    for t in raw.tags.into_iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()) {
        if !tags.iter().any(|x| x.eq_ignore_ascii_case(&t)) {
            tags.push(t);
        }
    }
    Ok(PostDraft {
        title,
        slug,
        published_at,
        updated_at,
        author: clean(raw.author),
        category: clean(raw.category),
        tags,
        excerpt: clean(raw.excerpt),
        status,
        locations: raw.locations.into_iter().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect(),
        seo_title: clean(raw.seo_title),
        seo_description: clean(raw.seo_description),
        featured_image,
        featured_image_alt,
        body_md: body.trim_start_matches(['\n', '\r']).to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const GOOD: &str = "---\ntitle: \"Hello: World\"\ndate: 2025-03-14T09:30:00Z\nauthor: ann\ncategory: Back Pain\ntags: [a, b, A]\nlocations: [x]\n---\n\n## Body\n\ntext\n";

    #[test]
    fn parses_a_complete_file() {
        let d = parse(GOOD).unwrap();
        assert_eq!(d.title, "Hello: World");
        assert_eq!(d.slug, "hello-world");
        assert_eq!(d.published_at, Some(Utc.with_ymd_and_hms(2025, 3, 14, 9, 30, 0).unwrap()));
        assert_eq!(d.status, PostStatus::Published);
        assert_eq!(d.tags, vec!["a", "b"]);
        assert_eq!(d.body_md, "## Body\n\ntext\n");
    }

    #[test]
    fn accepts_plain_dates_and_crlf() {
        let d = parse("---\r\ntitle: T\r\ndate: 2025-03-14\r\n---\r\nbody").unwrap();
        assert_eq!(d.published_at, Some(Utc.with_ymd_and_hms(2025, 3, 14, 9, 0, 0).unwrap()));
    }

    #[test]
    fn reports_each_problem() {
        assert_eq!(parse("no front matter"), Err(FrontMatterError::Missing));
        assert_eq!(parse("---\ntitle: x\nno end"), Err(FrontMatterError::Missing));
        assert_eq!(parse("---\ndate: 2025-01-01\n---\nx"), Err(FrontMatterError::NoTitle));
        assert_eq!(parse("---\ntitle: \"  \"\n---\nx"), Err(FrontMatterError::NoTitle));
        assert!(matches!(parse("---\ntitle: [unclosed\n---\nx"), Err(FrontMatterError::Yaml(_))));
        assert!(
            matches!(parse("---\ntitle: t\ncolour: red\n---\nx"), Err(FrontMatterError::Yaml(m)) if m.contains("colour"))
        );
        assert!(matches!(parse("---\ntitle: t\ndate: yesterday\n---\nx"), Err(FrontMatterError::BadDate { .. })));
        assert_eq!(
            parse("---\ntitle: t\nslug: Bad Slug\ndate: 2025-01-01\n---\n"),
            Err(FrontMatterError::BadSlug("Bad Slug".into()))
        );
        assert_eq!(
            parse("---\ntitle: t\nstatus: live\ndate: 2025-01-01\n---\n"),
            Err(FrontMatterError::BadStatus("live".into()))
        );
        assert_eq!(parse("---\ntitle: t\n---\n"), Err(FrontMatterError::NeedsDate("published")));
        assert!(parse("---\ntitle: t\nstatus: draft\n---\n").is_ok());
    }

    #[test]
    fn rejects_non_utf8_and_huge_files() {
        let mut bytes = GOOD.as_bytes().to_vec();
        bytes.insert(10, 0xff);
        assert_eq!(parse_file(&bytes), Err(FrontMatterError::NotUtf8(10)));
        let big = vec![b'a'; MAX_FILE_BYTES + 1];
        assert_eq!(parse_file(&big), Err(FrontMatterError::TooLarge(MAX_FILE_BYTES + 1)));
    }
}
