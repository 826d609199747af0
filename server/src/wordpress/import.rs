//! `clinicpress import --clinic SLUG export.xml`: a WordPress export into a
//! clinic's posts.
//!
//! The file is read on a blocking thread (`wxr::WxrReader`) and handed over
//! one entry at a time through a small bounded channel, so memory stays
//! bounded whatever the file's size. Each post is planned by a pure function
//! ([`plan`]: status, dates, slug, terms, Markdown) and stored in its own
//! transaction ([`store_post`]): a bad item is reported with its reason and
//! nothing of it is written, while the others still import. A re-import finds
//! the post of each item by its WordPress GUID (table `wordpress_post`) and
//! updates it.

use std::collections::{BTreeMap, HashMap};
use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use super::html_to_markdown;
use super::legacy::{normalize_path, normalize_slug};
use super::wxr::{Entry, WpAuthor, WpItem, WpTerm, WxrError, WxrReader};
use crate::audit::Actor;
use crate::entities::{PostStatus, author, category, clinic, post, post_location, tag, wordpress_post};
use crate::posts::front_matter::PostDraft;
use crate::posts::rules;
use crate::posts::store::{self, Links, Saved};
use crate::slugs::{slugify, valid_slug};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("no clinic with slug \"{0}\"")]
    UnknownClinic(String),
    #[error("{path}: {error}")]
    Open { path: String, error: std::io::Error },
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// An attachment the export lists. Files are not downloaded: images in
/// posts keep pointing at their WordPress address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub url: String,
    pub title: String,
    pub parent: Option<i64>,
}

/// What happened to one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    Skipped(String),
    Failed(String),
    Attachment,
    Other,
}

/// The import's summary.
#[derive(Debug, Default)]
pub struct Report {
    pub created: usize,
    pub updated: usize,
    /// (item, reason)
    pub skipped: Vec<(String, String)>,
    /// (item, reason)
    pub failed: Vec<(String, String)>,
    /// (item, what was changed or left out on the way)
    pub notes: Vec<(String, String)>,
    pub attachments: Vec<Attachment>,
    /// Items of other post types (menus, templates…), counted by type.
    pub other_types: BTreeMap<String, usize>,
    /// Display names of the authors this import added to the clinic.
    pub authors_created: Vec<String>,
    /// The problem that stopped the reading of the file, if any.
    pub stopped: Option<String>,
}

impl Report {
    /// Anything failed: the command exits with status 1.
    pub fn has_failures(&self) -> bool {
        !self.failed.is_empty() || self.stopped.is_some()
    }

    /// The text printed at the end of the command.
    pub fn summary(&self, clinic: &str, file: &str) -> String {
        let mut s = format!(
            "WordPress import of {file} into \"{clinic}\": {} imported, {} updated, {} skipped, {} failed\n",
            self.created,
            self.updated,
            self.skipped.len(),
            self.failed.len()
        );
        if let Some(stop) = &self.stopped {
            s.push_str(&format!("stopped: {stop}\n"));
        }
        for (item, reason) in &self.failed {
            s.push_str(&format!("failed: {item}: {reason}\n"));
        }
        for (item, reason) in &self.skipped {
            s.push_str(&format!("skipped: {item}: {reason}\n"));
        }
        for (item, note) in &self.notes {
            s.push_str(&format!("note: {item}: {note}\n"));
        }
        if !self.authors_created.is_empty() {
            let names: Vec<String> = self.authors_created.iter().map(|n| format!("\"{n}\"")).collect();
            s.push_str(&format!("authors added: {}\n", names.join(", ")));
        }
        if !self.other_types.is_empty() {
            let kinds: Vec<String> = self.other_types.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
            s.push_str(&format!("not posts, left out: {}\n", kinds.join(", ")));
        }
        if !self.attachments.is_empty() {
            s.push_str(&format!(
                "attachments: {} listed in the export, not downloaded (posts keep linking to their WordPress address):\n",
                self.attachments.len()
            ));
            for a in &self.attachments {
                let parent = a.parent.map(|p| format!(" (attached to WordPress post {p})")).unwrap_or_default();
                s.push_str(&format!("  {}{parent}\n", a.url));
            }
        }
        s
    }
}

/// A post read from an item, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct WpPost {
    pub guid: String,
    pub wp_post_id: i64,
    pub wp_slug: String,
    pub link_path: Option<String>,
    /// The item's WordPress status as written in the export (`publish`…).
    pub wp_status: String,
    pub draft: PostDraft,
    pub author_login: Option<String>,
    pub category: Option<WpTerm>,
    pub tags: Vec<WpTerm>,
    pub notes: Vec<String>,
}

/// What to do with an item.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    Post(Box<WpPost>),
    Skip(String),
    Attachment(Attachment),
    /// Another post type (nav_menu_item, wp_template…): counted, not imported.
    Other(String),
}

/// A WordPress date (`2024-05-14 09:30:00`); None for the empty `0000-00-00 00:00:00`.
fn wp_date(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S").ok()
}

/// When the item was (or will be) published: the GMT date, else the local
/// date in the clinic's time zone, else the RSS pubDate.
pub fn item_date(item: &WpItem, tz: Tz) -> Option<DateTime<Utc>> {
    if let Some(d) = wp_date(&item.post_date_gmt) {
        return Some(d.and_utc());
    }
    if let Some(d) = wp_date(&item.post_date)
        && let Some(local) = tz.from_local_datetime(&d).earliest()
    {
        return Some(local.with_timezone(&Utc));
    }
    DateTime::parse_from_rfc2822(item.pub_date.trim()).ok().map(|d| d.with_timezone(&Utc)).filter(|d| d.timestamp() > 0)
}

/// A term's slug here: its WordPress nicename when that is a valid slug,
/// else one made from it (or from the name).
fn term_slug(t: &WpTerm) -> String {
    let nice = normalize_slug(&t.nicename);
    if valid_slug(&nice) {
        return nice;
    }
    let s = slugify(&nice);
    if !s.is_empty() { s } else { slugify(&html_to_markdown::html_text(&t.name)) }
}

fn clean_terms(terms: &[WpTerm]) -> Vec<WpTerm> {
    let mut out: Vec<WpTerm> = Vec::new();
    for t in terms {
        let slug = term_slug(t);
        if slug.is_empty() || out.iter().any(|o| o.nicename == slug) {
            continue;
        }
        let name = html_to_markdown::html_text(&t.name);
        out.push(WpTerm { nicename: slug.clone(), name: if name.is_empty() { slug } else { name } });
    }
    out
}

/// Decide what an item becomes. Pure: no database.
pub fn plan(item: &WpItem, tz: Tz, site: Option<&ammonia::Url>) -> Result<Plan, String> {
    match item.post_type.trim() {
        "post" | "" => {}
        "attachment" => {
            let url = if item.attachment_url.trim().is_empty() { &item.guid } else { &item.attachment_url };
            return Ok(Plan::Attachment(Attachment {
                url: url.trim().to_string(),
                title: item.title.trim().to_string(),
                parent: item.post_parent.filter(|p| *p > 0),
            }));
        }
        "page" => return Ok(Plan::Skip("a page, not a post (only posts are imported)".into())),
        other => return Ok(Plan::Other(other.to_string())),
    }
    let wp_post_id = item.post_id.ok_or("it has no wp:post_id")?;
    let date = item_date(item, tz);
    let (status, published_at) = match item.status.trim() {
        "publish" => (PostStatus::Published, Some(date.ok_or(NO_DATE)?)),
        "future" => (PostStatus::Scheduled, Some(date.ok_or(NO_DATE)?)),
        "draft" | "pending" => (PostStatus::Draft, None),
        "private" => {
            return Ok(Plan::Skip("private in WordPress; Clinicpress has no private posts, so it was left out".into()));
        }
        "trash" => return Ok(Plan::Skip("in the WordPress trash".into())),
        "auto-draft" => return Ok(Plan::Skip("an automatic draft WordPress never saved".into())),
        other => return Err(format!("unknown status \"{other}\"")),
    };
    let mut notes = Vec::new();
    if html_to_markdown::nesting_depth(&item.content) > html_to_markdown::MAX_NESTING {
        return Err(format!(
            "its HTML is nested more than {} levels deep; it was not converted",
            html_to_markdown::MAX_NESTING
        ));
    }
    let title = html_to_markdown::html_text(&item.title);
    let title = match title.as_str() {
        "" if status == PostStatus::Draft => {
            let t = format!("Untitled draft (WordPress post {wp_post_id})");
            notes.push(format!("it has no title; saved as a draft titled \"{t}\""));
            t
        }
        "" => return Err("it has no title (a published or scheduled post needs one)".into()),
        t => t.to_string(),
    };
    let wp_slug = normalize_slug(&item.post_name);
    let slug = if valid_slug(&wp_slug) {
        wp_slug.clone()
    } else {
        let from = if wp_slug.is_empty() { title.as_str() } else { wp_slug.as_str() };
        let s = slugify(from);
        let s = if s.is_empty() { format!("post-{wp_post_id}") } else { s };
        if !wp_slug.is_empty() {
            notes.push(format!("the WordPress slug \"{wp_slug}\" became \"{s}\" (letters a–z, digits and hyphens)"));
        }
        s
    };
    let guid = match item.guid.trim() {
        "" => format!("wp-post-{wp_post_id}"),
        g => g.to_string(),
    };
    let link_path = ammonia::Url::parse(item.link.trim())
        .ok()
        .filter(|u| !u.query().unwrap_or_default().split('&').any(|kv| kv.starts_with("p=")))
        .and_then(|u| normalize_path(u.path()));
    let body = html_to_markdown::convert(&item.content, site);
    notes.extend(body.notes);
    let excerpt = match item.excerpt.trim() {
        "" => None,
        html => {
            let md = html_to_markdown::convert(html, site).markdown;
            Some(crate::posts::markdown::plain_text(&md)).filter(|e| !e.is_empty())
        }
    };
    let updated_at = wp_date(&item.modified_gmt).map(|d| d.and_utc()).or(published_at);

    let categories = clean_terms(&item.categories);
    let primary = categories.iter().find(|c| c.nicename != "uncategorized").or(categories.first()).cloned();
    if categories.len() > 1
        && let Some(p) = &primary
    {
        let others: Vec<String> =
            categories.iter().filter(|c| c.nicename != p.nicename).map(|c| format!("\"{}\"", c.name)).collect();
        notes.push(format!(
            "also in the categories {}; a post has one category here, so \"{}\" was kept",
            others.join(", "),
            p.name
        ));
    }
    let author_login = Some(item.creator.trim().to_string()).filter(|l| !l.is_empty());
    let draft = PostDraft {
        title,
        slug,
        published_at,
        updated_at,
        author: None,
        category: None,
        tags: Vec::new(),
        excerpt,
        status,
        locations: Vec::new(),
        seo_title: None,
        seo_description: None,
        featured_image: None,
        featured_image_alt: None,
        body_md: body.markdown,
    };
    if draft.body_md.len() > rules::MAX_BODY_BYTES {
        return Err(format!(
            "its text is {} KB once converted; the editor's limit is {} KB, so it was not imported (split it into several posts in WordPress and import again)",
            draft.body_md.len() / 1000,
            rules::MAX_BODY_BYTES / 1000
        ));
    }
    Ok(Plan::Post(Box::new(WpPost {
        guid,
        wp_post_id,
        wp_status: item.status.trim().to_string(),
        wp_slug: if wp_slug.is_empty() { draft.slug.clone() } else { wp_slug },
        link_path,
        draft,
        author_login,
        category: primary,
        tags: clean_terms(&item.tags),
        notes,
    })))
}

const NO_DATE: &str = "it has no date (wp:post_date_gmt, wp:post_date and pubDate are all empty or invalid)";

/// The name an author is shown with: the display name, else first and last name, else the login.
pub fn author_name(login: &str, a: Option<&WpAuthor>) -> String {
    if let Some(a) = a {
        let display = html_to_markdown::html_text(&a.display_name);
        if !display.is_empty() {
            return display;
        }
        let full =
            format!("{} {}", html_to_markdown::html_text(&a.first_name), html_to_markdown::html_text(&a.last_name));
        if !full.trim().is_empty() {
            return full.trim().to_string();
        }
    }
    login.to_string()
}

/// State kept across the items of one import.
struct Context<'a> {
    clinic_id: i32,
    authors: &'a HashMap<String, WpAuthor>,
    /// Slug → the item of this import that has it.
    seen: &'a mut HashMap<String, String>,
    authors_created: &'a mut Vec<String>,
}

async fn author_id<C: ConnectionTrait>(db: &C, cx: &mut Context<'_>, login: &str) -> Result<Option<i32>, String> {
    let slug = slugify(login);
    if slug.is_empty() {
        return Ok(None);
    }
    if let Some(a) = author::Entity::find()
        .filter(author::Column::ClinicId.eq(cx.clinic_id))
        .filter(author::Column::Slug.eq(&slug))
        .one(db)
        .await
        .map_err(db_error)?
    {
        return Ok(Some(a.id));
    }
    let name = author_name(login, cx.authors.get(login));
    let a = author::ActiveModel {
        clinic_id: Set(cx.clinic_id),
        slug: Set(slug),
        name: Set(name.clone()),
        credentials: Set(None),
        bio: Set(None),
        photo_url: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(db_error)?;
    cx.authors_created.push(name);
    Ok(Some(a.id))
}

async fn category_for<C: ConnectionTrait>(db: &C, clinic_id: i32, t: &WpTerm) -> Result<i32, sea_orm::DbErr> {
    if let Some(c) = category::Entity::find()
        .filter(category::Column::ClinicId.eq(clinic_id))
        .filter(category::Column::Slug.eq(&t.nicename))
        .one(db)
        .await?
    {
        return Ok(c.id);
    }
    let c = category::ActiveModel {
        clinic_id: Set(clinic_id),
        slug: Set(t.nicename.clone()),
        name: Set(t.name.clone()),
        description: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(c.id)
}

async fn tag_for<C: ConnectionTrait>(db: &C, clinic_id: i32, t: &WpTerm) -> Result<i32, sea_orm::DbErr> {
    if let Some(x) = tag::Entity::find()
        .filter(tag::Column::ClinicId.eq(clinic_id))
        .filter(tag::Column::Slug.eq(&t.nicename))
        .one(db)
        .await?
    {
        return Ok(x.id);
    }
    let x = tag::ActiveModel {
        clinic_id: Set(clinic_id),
        slug: Set(t.nicename.clone()),
        name: Set(t.name.clone()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(x.id)
}

fn db_error(e: sea_orm::DbErr) -> String {
    tracing::error!(error = %e, "database error during the WordPress import");
    "a database error stopped this item (details in the log)".to_string()
}

/// Store one planned post in its own transaction.
async fn store_post(
    db: &DatabaseConnection,
    cx: &mut Context<'_>,
    p: &WpPost,
    label: &str,
    now: DateTime<Utc>,
) -> Result<Saved, String> {
    let slug = &p.draft.slug;
    if let Some(other) = cx.seen.get(slug) {
        return Err(format!("its slug \"{slug}\" is also used by {other} in this export"));
    }
    let txn = crate::db::begin_write(db).await.map_err(db_error)?;
    let clinic_id = cx.clinic_id;
    let mapping = wordpress_post::Entity::find()
        .filter(wordpress_post::Column::ClinicId.eq(clinic_id))
        .filter(wordpress_post::Column::Guid.eq(&p.guid))
        .one(&txn)
        .await
        .map_err(db_error)?;
    let existing = match &mapping {
        Some(m) => post::Entity::find_by_id(m.post_id)
            .filter(post::Column::ClinicId.eq(clinic_id))
            .one(&txn)
            .await
            .map_err(db_error)?,
        None => None,
    };
    let mut owner =
        post::Entity::find().filter(post::Column::ClinicId.eq(clinic_id)).filter(post::Column::Slug.eq(slug));
    if let Some(e) = &existing {
        owner = owner.filter(post::Column::Id.ne(e.id));
    }
    if let Some(other) = owner.one(&txn).await.map_err(db_error)? {
        return Err(format!(
            "the address /blog/{slug} already belongs to the post \"{}\", which was not imported from this item; rename one of them and import again",
            other.title
        ));
    }
    let author_id = match &p.author_login {
        Some(login) => author_id(&txn, cx, login).await?,
        None => None,
    };
    let category_id = match &p.category {
        Some(c) => Some(category_for(&txn, clinic_id, c).await.map_err(db_error)?),
        None => None,
    };
    let mut tag_ids = Vec::new();
    for t in &p.tags {
        let id = tag_for(&txn, clinic_id, t).await.map_err(db_error)?;
        if !tag_ids.contains(&id) {
            tag_ids.push(id);
        }
    }
    // What WordPress does not know about is kept from the post as it is here.
    let mut draft = p.draft.clone();
    let mut location_ids = Vec::new();
    if let Some(e) = &existing {
        draft.seo_title = e.seo_title.clone();
        draft.seo_description = e.seo_description.clone();
        draft.featured_image = e.featured_image.clone();
        draft.featured_image_alt = e.featured_image_alt.clone();
        location_ids = post_location::Entity::find()
            .filter(post_location::Column::PostId.eq(e.id))
            .all(&txn)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(|l| l.location_id)
            .collect();
        // A status changed here (say, a post unpublished in Clinicpress) is
        // kept unless the item's status changed in WordPress since the last
        // import; rows from before the status was kept count as unchanged.
        let wp_status_unchanged =
            mapping.as_ref().is_none_or(|m| m.wp_status.as_deref().is_none_or(|s| s == p.wp_status));
        if wp_status_unchanged && e.status != draft.status {
            draft.status = e.status;
            draft.published_at = e.published_at;
        }
        if e.slug != *slug && e.status == PostStatus::Published {
            crate::posts::editor::remember_old_slug(&txn, clinic_id, e.id, &e.slug, slug).await.map_err(db_error)?;
        }
        // The text as it is here is kept as a revision before it is overwritten.
        if e.title != draft.title || e.body_md != draft.body_md || e.status != draft.status {
            let actor = Actor { id: None, name: "WordPress import".into(), email: "system".into() };
            crate::posts::editor::keep_revision(&txn, e, &actor, "Before the WordPress re-import", now)
                .await
                .map_err(db_error)?;
        }
    }
    let links = Links { author_id, category_id, tag_ids, location_ids };
    let saved = store::write(&txn, clinic_id, existing, &draft, &links, now).await.map_err(|e| match e {
        store::StoreError::Db(e) => db_error(e),
        other => other.to_string(),
    })?;
    let post_id = match saved {
        Saved::Created(id) | Saved::Updated(id) => id,
    };
    let mut row: wordpress_post::ActiveModel = match mapping {
        Some(m) => m.into(),
        None => {
            wordpress_post::ActiveModel { clinic_id: Set(clinic_id), guid: Set(p.guid.clone()), ..Default::default() }
        }
    };
    row.wp_post_id = Set(p.wp_post_id);
    row.wp_slug = Set(p.wp_slug.clone());
    row.link_path = Set(p.link_path.clone());
    row.post_id = Set(post_id);
    row.imported_at = Set(now);
    row.wp_status = Set(Some(p.wp_status.clone()));
    row.save(&txn).await.map_err(db_error)?;
    txn.commit().await.map_err(db_error)?;
    cx.seen.insert(slug.clone(), label.to_string());
    Ok(saved)
}

/// Is this path a WordPress export? A file named `.xml`, or one whose first
/// bytes are an XML declaration or an `<rss` element.
pub fn is_wxr(path: &Path) -> bool {
    if !path.is_file() {
        return false;
    }
    if path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("xml")) {
        return true;
    }
    let mut head = [0u8; 64];
    let n = std::fs::File::open(path).and_then(|mut f| std::io::Read::read(&mut f, &mut head)).unwrap_or(0);
    let text = String::from_utf8_lossy(&head[..n]);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.starts_with("<?xml") || text.starts_with("<rss")
}

/// Import the export at `path` into the clinic `clinic_slug`. `progress`
/// gets the bytes read so far and, after each item, its label and outcome.
pub async fn import_file(
    db: &DatabaseConnection,
    clinic_slug: &str,
    path: &Path,
    mut progress: impl FnMut(u64, Option<(&str, &Outcome)>),
) -> Result<Report, ImportError> {
    let clinic = clinic::Entity::find()
        .filter(clinic::Column::Slug.eq(clinic_slug))
        .one(db)
        .await?
        .ok_or_else(|| ImportError::UnknownClinic(clinic_slug.to_string()))?;
    let tz = crate::posts::editor::clinic_tz(db, clinic.id).await?;
    let file =
        std::fs::File::open(path).map_err(|error| ImportError::Open { path: path.display().to_string(), error })?;

    let read = Arc::new(AtomicU64::new(0));
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Entry, WxrError>>(16);
    let reader = {
        let read = read.clone();
        tokio::task::spawn_blocking(move || {
            for entry in WxrReader::new(BufReader::with_capacity(256 * 1024, file), read) {
                if tx.blocking_send(entry).is_err() {
                    break;
                }
            }
        })
    };

    let mut report = Report::default();
    let mut authors: HashMap<String, WpAuthor> = HashMap::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut authors_created = Vec::new();
    let mut site: Option<ammonia::Url> = None;
    while let Some(entry) = rx.recv().await {
        let (label, outcome) = match entry {
            Ok(Entry::SiteUrl(url)) => {
                site = ammonia::Url::parse(&url).ok();
                continue;
            }
            Ok(Entry::Author(a)) => {
                if authors.len() < 100_000 {
                    authors.insert(a.login.trim().to_string(), a);
                }
                continue;
            }
            Ok(Entry::BadItem { label, reason }) => (label, Outcome::Failed(reason)),
            Ok(Entry::Item(item)) => {
                let label = item.label();
                let outcome = match plan(&item, tz, site.as_ref()) {
                    Err(reason) => Outcome::Failed(reason),
                    Ok(Plan::Skip(reason)) => Outcome::Skipped(reason),
                    Ok(Plan::Attachment(a)) => {
                        report.attachments.push(a);
                        Outcome::Attachment
                    }
                    Ok(Plan::Other(kind)) => {
                        *report.other_types.entry(kind).or_default() += 1;
                        Outcome::Other
                    }
                    Ok(Plan::Post(p)) => {
                        let mut cx = Context {
                            clinic_id: clinic.id,
                            authors: &authors,
                            seen: &mut seen,
                            authors_created: &mut authors_created,
                        };
                        match store_post(db, &mut cx, &p, &label, Utc::now()).await {
                            Ok(saved) => {
                                for n in &p.notes {
                                    report.notes.push((label.clone(), n.clone()));
                                }
                                match saved {
                                    Saved::Created(_) => Outcome::Created,
                                    Saved::Updated(_) => Outcome::Updated,
                                }
                            }
                            Err(reason) => Outcome::Failed(reason),
                        }
                    }
                };
                (label, outcome)
            }
            Err(e) => {
                report.stopped = Some(e.to_string());
                break;
            }
        };
        match &outcome {
            Outcome::Created => report.created += 1,
            Outcome::Updated => report.updated += 1,
            Outcome::Skipped(r) => report.skipped.push((label.clone(), r.clone())),
            Outcome::Failed(r) => report.failed.push((label.clone(), r.clone())),
            Outcome::Attachment | Outcome::Other => {}
        }
        progress(read.load(Ordering::Relaxed), Some((&label, &outcome)));
    }
    drop(rx);
    let _ = reader.await;
    report.authors_created = authors_created;
    progress(read.load(Ordering::Relaxed), None);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item() -> WpItem {
        WpItem {
            title: "Knee pain after running".into(),
            link: "https://old.example/2024/03/knee-pain/".into(),
            creator: "ann".into(),
            guid: "https://old.example/?p=12".into(),
            content: "<p>Hello</p>".into(),
            post_id: Some(12),
            post_date: "2024-03-05 06:30:00".into(),
            post_date_gmt: "2024-03-05 14:30:00".into(),
            post_name: "knee-pain".into(),
            status: "publish".into(),
            post_type: "post".into(),
            categories: vec![
                WpTerm { nicename: "uncategorized".into(), name: "Uncategorized".into() },
                WpTerm { nicename: "sports".into(), name: "Sports & Injuries".into() },
            ],
            tags: vec![WpTerm { nicename: "knee".into(), name: "Knee".into() }],
            ..WpItem::default()
        }
    }

    fn post(i: &WpItem) -> WpPost {
        match plan(i, chrono_tz::America::Los_Angeles, None).unwrap() {
            Plan::Post(p) => *p,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_published_post_keeps_its_fields() {
        let p = post(&item());
        assert_eq!(p.draft.title, "Knee pain after running");
        assert_eq!(p.draft.slug, "knee-pain");
        assert_eq!(p.draft.status, PostStatus::Published);
        assert_eq!(p.draft.published_at, Some(Utc.with_ymd_and_hms(2024, 3, 5, 14, 30, 0).unwrap()));
        assert_eq!(p.link_path.as_deref(), Some("/2024/03/knee-pain"));
        assert_eq!(p.category.unwrap().nicename, "sports", "not Uncategorized");
        assert_eq!(p.notes, vec!["also in the categories \"Uncategorized\"; a post has one category here, so \"Sports & Injuries\" was kept".to_string()]);
        assert_eq!(p.draft.body_md, "Hello\n");
    }

    #[test]
    fn statuses_map_or_skip() {
        let with = |status: &str| plan(&WpItem { status: status.into(), ..item() }, chrono_tz::UTC, None);
        assert!(
            matches!(with("draft"), Ok(Plan::Post(p)) if p.draft.status == PostStatus::Draft && p.draft.published_at.is_none())
        );
        assert!(matches!(with("pending"), Ok(Plan::Post(p)) if p.draft.status == PostStatus::Draft));
        assert!(
            matches!(with("future"), Ok(Plan::Post(p)) if p.draft.status == PostStatus::Scheduled && p.draft.published_at.is_some())
        );
        assert!(matches!(with("private"), Ok(Plan::Skip(r)) if r.contains("private")));
        assert!(matches!(with("trash"), Ok(Plan::Skip(r)) if r.contains("trash")));
        assert!(matches!(with("weird"), Err(r) if r.contains("weird")));
        let page = plan(&WpItem { post_type: "page".into(), ..item() }, chrono_tz::UTC, None);
        assert!(matches!(page, Ok(Plan::Skip(r)) if r.contains("page")));
        let menu = plan(&WpItem { post_type: "nav_menu_item".into(), ..item() }, chrono_tz::UTC, None);
        assert_eq!(menu, Ok(Plan::Other("nav_menu_item".into())));
    }

    #[test]
    fn dates_fall_back_to_local_time_then_pub_date() {
        let local = WpItem { post_date_gmt: "0000-00-00 00:00:00".into(), ..item() };
        assert_eq!(
            item_date(&local, chrono_tz::America::Los_Angeles),
            Some(Utc.with_ymd_and_hms(2024, 3, 5, 14, 30, 0).unwrap())
        );
        let rss = WpItem {
            post_date_gmt: String::new(),
            post_date: String::new(),
            pub_date: "Tue, 05 Mar 2024 14:30:00 +0000".into(),
            ..item()
        };
        assert_eq!(item_date(&rss, chrono_tz::UTC), Some(Utc.with_ymd_and_hms(2024, 3, 5, 14, 30, 0).unwrap()));
        let none = WpItem { pub_date: "Mon, 30 Nov -0001 00:00:00 +0000".into(), ..rss };
        assert_eq!(item_date(&none, chrono_tz::UTC), None);
        assert_eq!(plan(&none, chrono_tz::UTC, None), Err(NO_DATE.to_string()));
        assert!(matches!(plan(&WpItem { status: "draft".into(), ..none }, chrono_tz::UTC, None), Ok(Plan::Post(_))));
    }

    #[test]
    fn titles_and_slugs() {
        let untitled = WpItem { title: " ".into(), ..item() };
        assert!(matches!(plan(&untitled, chrono_tz::UTC, None), Err(r) if r.contains("no title")));
        let draft = post(&WpItem { status: "draft".into(), post_name: String::new(), ..untitled });
        assert_eq!(draft.draft.title, "Untitled draft (WordPress post 12)");
        assert_eq!(draft.draft.slug, "untitled-draft-wordpress-post-12");
        let german = post(&WpItem { title: "Über uns".into(), post_name: "%c3%bcber-uns".into(), ..item() });
        assert_eq!((german.draft.slug.as_str(), german.wp_slug.as_str()), ("uber-uns", "über-uns"));
        let unnamed = post(&WpItem { post_name: String::new(), ..item() });
        assert_eq!(unnamed.draft.slug, "knee-pain-after-running");
        let plain = post(&WpItem { link: "https://old.example/?p=12".into(), ..item() });
        assert_eq!(plain.link_path, None);
    }

    #[test]
    fn deeply_nested_html_fails_its_item() {
        let deep = WpItem { content: "<div>".repeat(5000), ..item() };
        assert!(matches!(plan(&deep, chrono_tz::UTC, None), Err(r) if r.contains("nested more than")));
        let amp = WpItem { title: "Ice &amp; heat".into(), ..item() };
        assert_eq!(post(&amp).draft.title, "Ice & heat");
    }

    #[test]
    fn author_names() {
        let a = WpAuthor { login: "ann".into(), display_name: "Dr. Ann Lee".into(), ..WpAuthor::default() };
        assert_eq!(author_name("ann", Some(&a)), "Dr. Ann Lee");
        let b = WpAuthor { first_name: "Bo".into(), last_name: "Chan".into(), ..WpAuthor::default() };
        assert_eq!(author_name("bo", Some(&b)), "Bo Chan");
        assert_eq!(author_name("cy", None), "cy");
    }
}
