//! What the content API answers: plain serde structs with stable snake_case
//! field names, RFC 3339 dates (UTC) and absolute URLs. Their OpenAPI
//! schemas are derived from these same structs.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// Every error: a sentence saying what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ApiError {
    #[schema(example = "\"limit\" must be a whole number from 1 to 50, not \"500\".")]
    pub error: String,
}

/// A category, tag or office a post is filed under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TermLink {
    pub slug: String,
    pub name: String,
    /// Its page on the clinic's site.
    pub url: String,
}

/// A post's author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AuthorLink {
    pub slug: String,
    pub name: String,
    /// E.g. "MD, FIPP".
    pub credentials: Option<String>,
    /// The author's page on the clinic's site.
    pub url: String,
}

/// An image with its text alternative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Image {
    pub url: String,
    pub alt: Option<String>,
}

/// A published post as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PostItem {
    pub slug: String,
    pub title: String,
    /// The post's page on the clinic's site.
    pub url: String,
    /// Plain text (the author's excerpt, else the opening of the post).
    pub excerpt: String,
    pub published_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub reading_minutes: u32,
    pub category: Option<TermLink>,
    pub tags: Vec<TermLink>,
    pub author: Option<AuthorLink>,
    /// Offices the post is relevant to.
    pub locations: Vec<TermLink>,
    pub featured_image: Option<Image>,
}

/// One published post with its body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Post {
    #[serde(flatten)]
    pub item: PostItem,
    /// The body as the post page shows it: HTML rendered from the Markdown
    /// source and sanitised by an allow-list (no scripts, styles or embeds),
    /// with its links made absolute.
    pub body_html: String,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
}

/// Where a page of a list is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Pagination {
    pub page: u32,
    pub limit: u32,
    /// Matching posts in all.
    pub total: u64,
    /// At least 1, also when nothing matches.
    pub total_pages: u32,
}

/// A page of posts, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PostPage {
    pub posts: Vec<PostItem>,
    pub pagination: Pagination,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Category {
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub url: String,
    /// Published posts in it.
    pub post_count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Tag {
    pub slug: String,
    pub name: String,
    pub url: String,
    pub post_count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Author {
    pub slug: String,
    pub name: String,
    pub credentials: Option<String>,
    pub bio: Option<String>,
    pub photo_url: Option<String>,
    pub url: String,
    pub post_count: u64,
}

/// Opening hours of one weekday, as the office page shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DayHours {
    #[schema(example = "Monday")]
    pub day: String,
    #[schema(example = "8:00 AM – 5:00 PM")]
    pub hours: String,
}

/// An office.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Location {
    pub slug: String,
    pub name: String,
    pub address: String,
    pub phone: String,
    /// IANA time zone the hours are in.
    pub timezone: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Monday first.
    pub opening_hours: Vec<DayHours>,
    pub url: String,
    pub post_count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CategoryList {
    pub categories: Vec<Category>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TagList {
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AuthorList {
    pub authors: Vec<Author>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LocationList {
    pub locations: Vec<Location>,
}
