//! What an embed shows: the query string read (pure) and the clinic's
//! newest published posts, with absolute URLs on its primary host.

use app::model::{ArchiveKind, ClinicInfo};
use app::text::{iso, long_date};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde::Serialize;

use crate::entities::category;
use crate::posts::read::{self, Filter};

pub const DEFAULT_LIMIT: u64 = 5;
pub const MAX_LIMIT: u64 = 20;
/// The clinic colour when the stored one is not a plain `#rgb`/`#rrggbb`.
pub const FALLBACK_BRAND: &str = "#1f5f8b";

/// `?limit=&category=` as typed by anyone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbedQuery {
    /// 1..=20: smaller is 1, larger is 20, missing or not a number is 5.
    pub limit: u64,
    /// A category's slug; empty counts as absent.
    pub category: Option<String>,
}

impl Default for EmbedQuery {
    fn default() -> Self {
        EmbedQuery { limit: DEFAULT_LIMIT, category: None }
    }
}

/// Read a raw query string; never fails (unknown parameters are ignored).
pub fn parse_query(raw: Option<&str>) -> EmbedQuery {
    let pairs: Vec<(String, String)> = raw.and_then(|r| serde_urlencoded::from_str(r).ok()).unwrap_or_default();
    let mut q = EmbedQuery::default();
    for (k, v) in pairs {
        match k.as_str() {
            "limit" => {
                if let Ok(n) = v.trim().parse::<i128>() {
                    q.limit = n.clamp(1, MAX_LIMIT as i128) as u64;
                }
            }
            "category" => q.category = Some(v.trim().to_string()).filter(|s| !s.is_empty()),
            _ => {}
        }
    }
    q
}

/// A CSS colour safe to write into a style: `#rgb` or `#rrggbb`, else the fallback.
pub fn brand_color(stored: &str) -> String {
    let s = stored.trim();
    let hex = s.strip_prefix('#').unwrap_or("");
    if (hex.len() == 3 || hex.len() == 6) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        s.to_ascii_lowercase()
    } else {
        FALLBACK_BRAND.to_string()
    }
}

/// One article of the list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub title: String,
    pub url: String,
    pub excerpt: String,
    /// RFC 3339.
    pub published_at: String,
    /// "March 2, 2026"
    pub date: String,
    pub category: Option<String>,
}

/// The list, with its heading and the page it stands for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recent {
    pub clinic: String,
    /// Safe to write into CSS (`brand_color`).
    pub brand: String,
    /// "Recent articles from {clinic}" (": {category}" when filtered).
    pub title: String,
    /// The blog, or the category's archive, on the primary host.
    pub url: String,
    pub items: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Loaded {
    Found(Recent),
    /// No category with this slug (nor one renamed from it).
    NoCategory(String),
}

/// The newest `q.limit` published posts of the clinic (of one category,
/// followed through a rename), visible at `now`.
pub async fn recent<C: ConnectionTrait>(
    db: &C,
    clinic: &ClinicInfo,
    q: &EmbedQuery,
    now: DateTime<Utc>,
) -> Result<Loaded, DbErr> {
    let base = clinic.primary();
    let (filter, title, url) = match q.category.as_deref() {
        None => (Filter::All, format!("Recent articles from {}", clinic.name), format!("{base}/blog")),
        Some(slug) => {
            let mut found = by_slug(db, clinic.id, slug).await?;
            if found.is_none()
                && let Some(new) = crate::posts::terms::redirect_for(db, clinic.id, ArchiveKind::Category, slug).await?
            {
                found = by_slug(db, clinic.id, &new).await?;
            }
            let Some(c) = found else { return Ok(Loaded::NoCategory(slug.to_string())) };
            (
                Filter::Category(c.id),
                format!("Recent articles from {}: {}", clinic.name, c.name),
                format!("{base}/blog/category/{}", c.slug),
            )
        }
    };
    let posts = read::recent(db, clinic.id, filter, q.limit, now).await?;
    let items = posts
        .into_iter()
        .map(|p| Entry {
            url: format!("{base}/blog/{}", p.slug),
            title: p.title,
            excerpt: p.excerpt,
            published_at: iso(p.published_at),
            date: long_date(p.published_at),
            category: p.category.map(|c| c.name),
        })
        .collect();
    Ok(Loaded::Found(Recent {
        clinic: clinic.name.clone(),
        brand: brand_color(&clinic.brand_color),
        title,
        url,
        items,
    }))
}

async fn by_slug<C: ConnectionTrait>(db: &C, clinic_id: i32, slug: &str) -> Result<Option<category::Model>, DbErr> {
    category::Entity::find()
        .filter(category::Column::ClinicId.eq(clinic_id))
        .filter(category::Column::Slug.eq(slug))
        .one(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_clamped_and_junk_ignored() {
        let limit = |raw: &str| parse_query(Some(raw)).limit;
        assert_eq!(parse_query(None), EmbedQuery::default());
        assert_eq!(limit("limit=3"), 3);
        assert_eq!(limit("limit=0"), 1);
        assert_eq!(limit("limit=-4"), 1);
        assert_eq!(limit("limit=21"), 20);
        assert_eq!(limit("limit=99999999999999999999999"), 20);
        assert_eq!(limit("limit=abc"), 5);
        assert_eq!(limit("limit="), 5);
        assert_eq!(limit("limit=%ZZ"), 5);
        assert_eq!(parse_query(Some("category=+treatments+&x=1")).category.as_deref(), Some("treatments"));
        assert_eq!(parse_query(Some("category=")).category, None);
    }

    #[test]
    fn only_plain_hex_colours_reach_the_css() {
        assert_eq!(brand_color("#1F5F8B"), "#1f5f8b");
        assert_eq!(brand_color("#abc"), "#abc");
        assert_eq!(brand_color("red;}</style><script>"), FALLBACK_BRAND);
        assert_eq!(brand_color("#12345"), FALLBACK_BRAND);
    }
}
