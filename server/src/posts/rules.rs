//! The editor's rules as plain functions: validating the form, and moving a
//! post between draft, scheduled, published and archived.

use app::admin::model::{PostForm, PublishAction};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::entities::PostStatus;
use crate::slugs::{slugify, valid_slug};

pub const MAX_TITLE: usize = 200;
pub const MAX_BODY_BYTES: usize = 300_000;
pub const MAX_EXCERPT: usize = 600;
pub const MAX_SEO_TITLE: usize = 120;
pub const MAX_SEO_DESCRIPTION: usize = 320;
pub const MAX_TERM: usize = 80;
pub const MAX_TAGS: usize = 30;

/// A field and what is wrong with it, in words for the marketer.
pub type FieldErrors = Vec<(String, String)>;

/// A form that passed validation, trimmed, optional fields as `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPost {
    pub title: String,
    pub slug: String,
    pub excerpt: Option<String>,
    pub body_md: String,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub author_id: Option<i32>,
    pub location_ids: Vec<i32>,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub featured_image: Option<String>,
    pub featured_image_alt: Option<String>,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Tag names from "a, b, B ,c" → ["a", "b", "c"] (first spelling wins).
pub fn split_tags(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in s.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if !out.iter().any(|o| slugify(o) == slugify(t)) {
            out.push(t.to_string());
        }
    }
    out
}

pub fn validate(form: &PostForm) -> Result<ValidPost, FieldErrors> {
    let mut errors: FieldErrors = Vec::new();
    let mut err = |f: &str, m: String| errors.push((f.to_string(), m));
    let title = form.title.trim().to_string();
    if title.is_empty() {
        err("title", "Give the post a title.".into());
    } else if title.chars().count() > MAX_TITLE {
        err("title", format!("The title has {} characters; the limit is {MAX_TITLE}.", title.chars().count()));
    }
    let typed_slug = form.slug.trim();
    let slug = if typed_slug.is_empty() { slugify(&title) } else { typed_slug.to_string() };
    if !typed_slug.is_empty() && !valid_slug(typed_slug) {
        let suggestion = slugify(typed_slug);
        let hint = if suggestion.is_empty() { String::new() } else { format!(" — for example \"{suggestion}\"") };
        err("slug", format!("Use only lower-case letters a–z, digits and single hyphens{hint}."));
    } else if slug.is_empty() && !title.is_empty() {
        err("slug", "The title has no letters to make an address from; type a slug.".into());
    }
    if form.body_md.len() > MAX_BODY_BYTES {
        err(
            "body_md",
            format!(
                "The text is {} KB; the limit is {} KB. Split it into several posts.",
                form.body_md.len() / 1000,
                MAX_BODY_BYTES / 1000
            ),
        );
    }
    let excerpt = opt(&form.excerpt);
    if excerpt.as_ref().is_some_and(|e| e.chars().count() > MAX_EXCERPT) {
        err("excerpt", format!("Keep the excerpt under {MAX_EXCERPT} characters."));
    }
    let category = opt(&form.category);
    if let Some(c) = &category {
        if c.chars().count() > MAX_TERM {
            err("category", format!("Keep the category name under {MAX_TERM} characters."));
        } else if slugify(c).is_empty() {
            err("category", "The category name needs at least one letter or digit.".into());
        }
    }
    let tags = split_tags(&form.tags);
    if tags.len() > MAX_TAGS {
        err("tags", format!("Use at most {MAX_TAGS} tags."));
    }
    if let Some(bad) = tags.iter().find(|t| t.chars().count() > MAX_TERM || slugify(t).is_empty()) {
        err("tags", format!("\"{bad}\" cannot be a tag: use letters or digits, under {MAX_TERM} characters."));
    }
    let seo_title = opt(&form.seo_title);
    if seo_title.as_ref().is_some_and(|t| t.chars().count() > MAX_SEO_TITLE) {
        err("seo_title", format!("Search engines cut titles long before {MAX_SEO_TITLE} characters; shorten it."));
    }
    let seo_description = opt(&form.seo_description);
    if seo_description.as_ref().is_some_and(|t| t.chars().count() > MAX_SEO_DESCRIPTION) {
        err("seo_description", format!("Keep the description under {MAX_SEO_DESCRIPTION} characters."));
    }
    let featured_image = opt(&form.featured_image);
    let featured_image_alt = opt(&form.featured_image_alt);
    if featured_image.is_some() && featured_image_alt.is_none() {
        err("featured_image_alt", "Describe the image for people who cannot see it (alt text is required).".into());
    }
    if let Some(img) = &featured_image
        && !(img.starts_with("/media/") || img.starts_with("https://") || img.starts_with("http://"))
    {
        err("featured_image", "Choose an uploaded image, or give an address starting with https://.".into());
    }
    let mut location_ids = form.location_ids.clone();
    location_ids.sort_unstable();
    location_ids.dedup();
    if errors.is_empty() {
        Ok(ValidPost {
            title,
            slug,
            excerpt,
            body_md: form.body_md.clone(),
            category,
            tags,
            author_id: form.author_id,
            location_ids,
            seo_title,
            seo_description,
            featured_image,
            featured_image_alt,
        })
    } else {
        Err(errors)
    }
}

/// A `datetime-local` value (`2026-12-01T09:30`, seconds optional) in `tz`.
pub fn parse_local(value: &str, tz: Tz) -> Result<DateTime<Utc>, String> {
    let v = value.trim();
    let naive = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M"))
        .map_err(|_| format!("\"{v}\" is not a date and time; pick one, like 2026-12-01 09:30."))?;
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        // Clocks going back: the time happens twice; take the first.
        chrono::LocalResult::Ambiguous(first, _) => Ok(first.with_timezone(&Utc)),
        chrono::LocalResult::None => {
            Err(format!("{v} does not exist in {tz}: the clocks skip that hour. Pick a time outside the change."))
        }
    }
}

/// `YYYY-MM-DDTHH:MM` in `tz`, for a `datetime-local` input.
pub fn format_local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()
}

/// A status and the publication time that goes with it.
pub type Published = (PostStatus, Option<DateTime<Utc>>);

/// The status and publication time after `action`.
pub fn transition(
    status: PostStatus,
    published_at: Option<DateTime<Utc>>,
    action: &PublishAction,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<Published, (String, String)> {
    let field = |m: String| ("publish_at".to_string(), m);
    match action {
        PublishAction::PublishNow => match status {
            // Already live: keep its original date.
            PostStatus::Published => Ok((PostStatus::Published, published_at.filter(|t| *t <= now).or(Some(now)))),
            _ => Ok((PostStatus::Published, Some(now))),
        },
        PublishAction::Schedule(local) => {
            let at = parse_local(local, tz).map_err(field)?;
            if at <= now {
                return Err(field(format!(
                    "{} is in the past (it is now {} in {tz}). Pick a later time, or use Publish now.",
                    local.trim(),
                    format_local(now, tz).replace('T', " ")
                )));
            }
            if at > now + chrono::Duration::days(366 * 5) {
                return Err(field("Schedule at most five years ahead.".into()));
            }
            Ok((PostStatus::Scheduled, Some(at)))
        }
        PublishAction::Unpublish => match status {
            PostStatus::Published | PostStatus::Scheduled | PostStatus::Archived => Ok((PostStatus::Draft, None)),
            PostStatus::Draft => Err(field("This post is already a draft.".into())),
        },
        PublishAction::Archive => match status {
            PostStatus::Archived => Err(field("This post is already archived.".into())),
            _ => Ok((PostStatus::Archived, published_at)),
        },
    }
}

/// Only posts nobody can read may be deleted: drafts and archived posts.
pub fn can_delete(status: PostStatus) -> Result<(), &'static str> {
    match status {
        PostStatus::Draft | PostStatus::Archived => Ok(()),
        PostStatus::Published | PostStatus::Scheduled => {
            Err("Unpublish or archive the post before deleting it, so nothing public disappears by accident.")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unreadable_posts_can_be_deleted() {
        assert!(can_delete(PostStatus::Draft).is_ok());
        assert!(can_delete(PostStatus::Archived).is_ok());
        assert!(can_delete(PostStatus::Published).is_err());
        assert!(can_delete(PostStatus::Scheduled).is_err());
    }

    fn form(title: &str, slug: &str) -> PostForm {
        PostForm { title: title.into(), slug: slug.into(), body_md: "Hello".into(), ..PostForm::default() }
    }

    #[test]
    fn slugs_come_from_titles_or_must_be_clean() {
        assert_eq!(validate(&form("Knee Pain: 5 Exercises", "")).unwrap().slug, "knee-pain-5-exercises");
        assert_eq!(validate(&form("T", "my-post-2")).unwrap().slug, "my-post-2");
        for bad in ["with space", "Upper", "ünïcode", "a--b", "-a", "a/b"] {
            let errs = validate(&form("T", bad)).unwrap_err();
            assert_eq!(errs[0].0, "slug", "{bad}");
        }
        let errs = validate(&form("T", "Knee Pain")).unwrap_err();
        assert!(errs[0].1.contains("knee-pain"), "suggests a fix: {}", errs[0].1);
        assert_eq!(validate(&form("???", "")).unwrap_err()[0].0, "slug");
    }

    #[test]
    fn required_and_limited_fields() {
        let errs = validate(&form("  ", "")).unwrap_err();
        assert!(errs.iter().any(|(f, _)| f == "title"));
        let mut big = form("T", "");
        big.body_md = "x".repeat(5 * 1024 * 1024);
        assert_eq!(validate(&big).unwrap_err()[0].0, "body_md");
        let mut img = form("T", "");
        img.featured_image = "/media/abc-800.webp".into();
        assert_eq!(validate(&img).unwrap_err()[0].0, "featured_image_alt");
        img.featured_image_alt = "A physiotherapist guiding a knee stretch".into();
        assert!(validate(&img).is_ok());
        img.featured_image = "javascript:alert(1)".into();
        assert_eq!(validate(&img).unwrap_err()[0].0, "featured_image");
    }

    #[test]
    fn tags_are_split_and_deduplicated() {
        assert_eq!(split_tags(" Knee, back pain ,knee,, Back Pain"), vec!["Knee", "back pain"]);
        let mut f = form("T", "");
        f.tags = "ok, !!!".into();
        assert_eq!(validate(&f).unwrap_err()[0].0, "tags");
    }

    #[test]
    fn schedules_in_the_clinic_time_zone() {
        let tz: Tz = "America/Los_Angeles".parse().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
        let (s, at) =
            transition(PostStatus::Draft, None, &PublishAction::Schedule("2026-11-22T09:30".into()), tz, now).unwrap();
        assert_eq!(s, PostStatus::Scheduled);
        assert_eq!(at, Some(Utc.with_ymd_and_hms(2026, 11, 22, 17, 30, 0).unwrap()));
        assert_eq!(format_local(at.unwrap(), tz), "2026-11-22T09:30");
        // Past, impossible and non-existent (DST gap) times are refused with the reason.
        let past = transition(PostStatus::Draft, None, &PublishAction::Schedule("2026-11-21T03:00".into()), tz, now);
        assert!(past.unwrap_err().1.contains("in the past"));
        let bad = transition(PostStatus::Draft, None, &PublishAction::Schedule("2027-02-30T10:00".into()), tz, now);
        assert!(bad.unwrap_err().1.contains("not a date"));
        let gap = transition(PostStatus::Draft, None, &PublishAction::Schedule("2027-03-14T02:30".into()), tz, now);
        assert!(gap.unwrap_err().1.contains("skip"));
    }

    #[test]
    fn publishing_unpublishing_and_archiving() {
        let tz = chrono_tz::UTC;
        let now = Utc::now();
        let earlier = now - chrono::Duration::days(3);
        assert_eq!(
            transition(PostStatus::Draft, None, &PublishAction::PublishNow, tz, now).unwrap(),
            (PostStatus::Published, Some(now))
        );
        assert_eq!(
            transition(PostStatus::Published, Some(earlier), &PublishAction::PublishNow, tz, now).unwrap(),
            (PostStatus::Published, Some(earlier))
        );
        assert_eq!(
            transition(PostStatus::Published, Some(earlier), &PublishAction::Unpublish, tz, now).unwrap(),
            (PostStatus::Draft, None)
        );
        assert!(transition(PostStatus::Draft, None, &PublishAction::Unpublish, tz, now).is_err());
        assert_eq!(
            transition(PostStatus::Published, Some(earlier), &PublishAction::Archive, tz, now).unwrap(),
            (PostStatus::Archived, Some(earlier))
        );
    }
}
