//! Data shapes that travel from the server to the page (and into the
//! hydration payload). Everything here is plain serde data.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the request's host name resolved to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Site {
    /// The bare host: an index of every clinic on this deployment.
    Network {
        clinics: Vec<ClinicLink>,
    },
    Clinic(ClinicInfo),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClinicLink {
    pub slug: String,
    pub name: String,
    pub tagline: Option<String>,
    pub url: String,
    pub brand_color: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClinicInfo {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub tagline: Option<String>,
    pub brand_color: String,
    pub logo_url: Option<String>,
    /// Width and height in pixels of the logo file, when known (uploaded logos).
    #[serde(default)]
    pub logo_size: Option<(u32, u32)>,
    pub disclaimer: Option<String>,
    /// Scheme and host the visitor used, e.g. `http://pmc.localhost:3000`.
    pub base_url: String,
    /// The clinic's primary address (its first listed host name; on
    /// development hosts `{slug}.localhost:port`), whichever of its hosts
    /// the visitor used: canonical links, sharing cards and structured
    /// data point there. Empty means `base_url`.
    #[serde(default)]
    pub primary_url: String,
}

impl ClinicInfo {
    /// `primary_url` (else `base_url`), without a trailing slash.
    pub fn primary(&self) -> &str {
        let url = if self.primary_url.is_empty() { &self.base_url } else { &self.primary_url };
        url.trim_end_matches('/')
    }

    /// An absolute address on the primary host for `path` (`/blog`, `/`).
    pub fn canonical(&self, path: &str) -> String {
        format!("{}{path}", self.primary())
    }
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermRef {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorRef {
    pub slug: String,
    pub name: String,
    pub credentials: Option<String>,
}

impl AuthorRef {
    /// "James Taggart, MD"
    pub fn display_name(&self) -> String {
        match self.credentials.as_deref().filter(|c| !c.is_empty()) {
            Some(c) => format!("{}, {}", self.name, c),
            None => self.name.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorProfile {
    pub author: AuthorRef,
    pub bio: Option<String>,
    pub photo_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostSummary {
    pub slug: String,
    pub title: String,
    /// Ends in "…".
    pub excerpt: String,
    pub published_at: DateTime<Utc>,
    pub category: Option<TermRef>,
    pub author: Option<AuthorRef>,
    pub reading_minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostDetail {
    pub summary: PostSummary,
    pub updated_at: DateTime<Utc>,
    pub body_html: String,
    pub tags: Vec<TermRef>,
    pub locations: Vec<TermRef>,
    pub author: Option<AuthorProfile>,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub featured_image: Option<String>,
    pub featured_image_alt: Option<String>,
    /// `srcset` of an uploaded featured image's resized variants.
    pub featured_srcset: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostPage {
    pub post: PostDetail,
    pub related: Vec<PostSummary>,
    /// Absolute URL of this post (for share links).
    pub url: String,
    pub now: DateTime<Utc>,
    /// schema.org JSON-LD (`BlogPosting` and its breadcrumbs), safe to put
    /// inside `<script>` as it is.
    #[serde(default)]
    pub json_ld: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostList {
    pub posts: Vec<PostSummary>,
    pub page: u32,
    pub total_pages: u32,
    pub total: u64,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ArchiveKind {
    Category,
    Tag,
    Author,
}

impl ArchiveKind {
    pub fn path_segment(self) -> &'static str {
        match self {
            ArchiveKind::Category => "category",
            ArchiveKind::Tag => "tag",
            ArchiveKind::Author => "author",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchivePage {
    pub kind: ArchiveKind,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub author: Option<AuthorProfile>,
    pub list: PostList,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationSummary {
    pub slug: String,
    pub name: String,
    pub address: String,
    pub phone: String,
    /// `tel:+19255550100`
    pub phone_href: String,
    /// Today's hours in the office's time zone, e.g. "8:00 AM – 5:00 PM".
    pub today_hours: String,
    pub open_now: bool,
    /// "Open now · closes 5:00 PM"
    pub status_text: String,
    /// A plain link to a map search for the address (no embed).
    pub map_url: String,
    /// A holiday closure in the coming weeks, e.g. "Closed Thu 24 Dec 2026: Christmas Eve".
    #[serde(default)]
    pub closure_notice: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationDetail {
    pub summary: LocationSummary,
    /// (day name, hours text), Monday first.
    pub weekly_hours: Vec<(String, String)>,
    pub today: String,
    /// IANA name, e.g. "America/Los_Angeles".
    pub timezone: String,
    /// For people, e.g. "Pacific time (PST)".
    pub timezone_label: String,
    pub zip_codes: Vec<String>,
    /// Holiday closures not yet over, soonest first, e.g. "Thu 24 Dec 2026 – Fri 25 Dec 2026: Christmas".
    #[serde(default)]
    pub closures: Vec<String>,
    pub recent_posts: Vec<PostSummary>,
    pub now: DateTime<Utc>,
    /// schema.org JSON-LD (`MedicalClinic` and its breadcrumbs), safe to
    /// put inside `<script>` as it is.
    #[serde(default)]
    pub json_ld: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HomePage {
    pub recent: Vec<PostSummary>,
    pub locations: Vec<LocationSummary>,
    pub now: DateTime<Utc>,
    /// schema.org JSON-LD (the clinic as a `MedicalOrganization` with its
    /// offices as `MedicalClinic` departments, and the `WebSite`), safe to
    /// put inside `<script>` as it is.
    #[serde(default)]
    pub json_ld: String,
}

/// Posts per page on the blog and archive pages.
pub const PAGE_SIZE: u32 = 10;

/// `?page=` as typed by anyone: missing, zero, negative or junk means page 1.
pub fn parse_page(raw: Option<&str>) -> u32 {
    raw.and_then(|s| s.trim().parse::<i64>().ok())
        .filter(|&n| n >= 1)
        .map(|n| n.min(u32::MAX as i64) as u32)
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_parameter_is_clamped() {
        assert_eq!(parse_page(None), 1);
        assert_eq!(parse_page(Some("")), 1);
        assert_eq!(parse_page(Some("0")), 1);
        assert_eq!(parse_page(Some("-1")), 1);
        assert_eq!(parse_page(Some("abc")), 1);
        assert_eq!(parse_page(Some("3")), 3);
        assert_eq!(parse_page(Some("99999")), 99999);
        assert_eq!(parse_page(Some("99999999999999999999")), 1);
    }

    #[test]
    fn author_display_name() {
        let a = AuthorRef { slug: "a".into(), name: "Ann Lee".into(), credentials: Some("MD".into()) };
        assert_eq!(a.display_name(), "Ann Lee, MD");
        let b = AuthorRef { credentials: None, ..a };
        assert_eq!(b.display_name(), "Ann Lee");
    }
}
