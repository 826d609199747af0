//! The post editor's storage: create, save (with revisions and stale-edit
//! detection), publish/schedule/unpublish/archive, revisions (list, diff,
//! restore), the post list, and the scheduled publisher's query.
//!
//! Every write happens in one transaction with its revision and its audit
//! entry. Callers have already authorised the user for the clinic; every
//! query here is still scoped by `clinic_id`.

use app::admin::model::{
    AdminPostList, AdminPostRow, DiffLine, EditorStatus, PostForm, PostQuery, PublishAction, RevisionDiff, RevisionRow,
};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use super::markdown;
use super::rules::{self, FieldErrors, ValidPost};
use super::store::{category_id, tag_id};
use crate::audit::{self, Actor};
use crate::entities::{
    PostStatus, author, category, location, post, post_location, post_redirect, post_revision, post_tag, tag,
};
use crate::search::changes;
use crate::slugs::slugify;

pub const LIST_PAGE_SIZE: u64 = 25;
/// Autosaves by the same user within this many minutes update one revision.
pub const AUTOSAVE_COALESCE_MINUTES: i64 = 10;
const AUTOSAVE_NOTE: &str = "Autosave";

#[derive(Debug, thiserror::Error)]
pub enum EditorError {
    #[error("no such post")]
    NotFound,
    #[error("the form has errors")]
    Invalid(FieldErrors),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl EditorError {
    fn field(field: &str, message: impl Into<String>) -> Self {
        EditorError::Invalid(vec![(field.to_string(), message.into())])
    }
}

pub fn status_of(s: PostStatus) -> EditorStatus {
    match s {
        PostStatus::Draft => EditorStatus::Draft,
        PostStatus::Scheduled => EditorStatus::Scheduled,
        PostStatus::Published => EditorStatus::Published,
        PostStatus::Archived => EditorStatus::Archived,
    }
}

pub fn post_status(s: EditorStatus) -> PostStatus {
    match s {
        EditorStatus::Draft => PostStatus::Draft,
        EditorStatus::Scheduled => PostStatus::Scheduled,
        EditorStatus::Published => PostStatus::Published,
        EditorStatus::Archived => PostStatus::Archived,
    }
}

/// What a revision keeps besides title and body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub form: PostForm,
    pub status: String,
}

/// The clinic's time zone: its first office's, else UTC.
pub async fn clinic_tz<C: ConnectionTrait>(db: &C, clinic_id: i32) -> Result<Tz, sea_orm::DbErr> {
    let first = location::Entity::find()
        .filter(location::Column::ClinicId.eq(clinic_id))
        .order_by_asc(location::Column::Id)
        .one(db)
        .await?;
    Ok(first.and_then(|l| l.timezone.parse().ok()).unwrap_or(chrono_tz::UTC))
}

async fn find_post<C: ConnectionTrait>(db: &C, clinic_id: i32, post_id: i32) -> Result<post::Model, EditorError> {
    post::Entity::find_by_id(post_id)
        .filter(post::Column::ClinicId.eq(clinic_id))
        .one(db)
        .await?
        .ok_or(EditorError::NotFound)
}

/// The editor form as stored now.
pub async fn form_of<C: ConnectionTrait>(db: &C, p: &post::Model) -> Result<PostForm, sea_orm::DbErr> {
    let category = match p.category_id {
        Some(id) => category::Entity::find_by_id(id).one(db).await?.map(|c| c.name).unwrap_or_default(),
        None => String::new(),
    };
    let tags = super::read::tags_of(db, p.id).await?.into_iter().map(|t| t.name).collect::<Vec<_>>().join(", ");
    let mut location_ids: Vec<i32> = post_location::Entity::find()
        .filter(post_location::Column::PostId.eq(p.id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.location_id)
        .collect();
    location_ids.sort_unstable();
    Ok(PostForm {
        title: p.title.clone(),
        slug: p.slug.clone(),
        excerpt: p.excerpt.clone().unwrap_or_default(),
        body_md: p.body_md.clone(),
        category,
        tags,
        author_id: p.author_id,
        location_ids,
        seo_title: p.seo_title.clone().unwrap_or_default(),
        seo_description: p.seo_description.clone().unwrap_or_default(),
        featured_image: p.featured_image.clone().unwrap_or_default(),
        featured_image_alt: p.featured_image_alt.clone().unwrap_or_default(),
    })
}

/// The post and its form, scoped to the clinic.
pub async fn load<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    post_id: i32,
) -> Result<(post::Model, PostForm), EditorError> {
    let p = find_post(db, clinic_id, post_id).await?;
    let form = form_of(db, &p).await?;
    Ok((p, form))
}

/// Another post of the clinic using `slug`, if any.
async fn slug_owner<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    slug: &str,
    except: Option<i32>,
) -> Result<Option<post::Model>, sea_orm::DbErr> {
    let mut q = post::Entity::find().filter(post::Column::ClinicId.eq(clinic_id)).filter(post::Column::Slug.eq(slug));
    if let Some(id) = except {
        q = q.filter(post::Column::Id.ne(id));
    }
    q.one(db).await
}

/// Is `slug` free for post `post_id`? Returns a message when not.
pub async fn slug_problem<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    post_id: Option<i32>,
    slug: &str,
) -> Result<Option<String>, sea_orm::DbErr> {
    if !crate::slugs::valid_slug(slug) {
        let s = slugify(slug);
        return Ok(Some(if s.is_empty() {
            "Use only lower-case letters a–z, digits and single hyphens.".into()
        } else {
            format!("Use only lower-case letters a–z, digits and single hyphens — for example \"{s}\".")
        }));
    }
    Ok(slug_owner(db, clinic_id, slug, post_id)
        .await?
        .map(|other| format!("\"{slug}\" is already the address of \"{}\". Choose another.", other.title)))
}

/// A free slug from `base`: `base`, `base-2`, `base-3`…
async fn unique_slug<C: ConnectionTrait>(db: &C, clinic_id: i32, base: &str) -> Result<String, sea_orm::DbErr> {
    let mut candidate = base.to_string();
    let mut n = 2;
    while slug_owner(db, clinic_id, &candidate, None).await?.is_some() {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(candidate)
}

async fn add_revision<C: ConnectionTrait>(
    db: &C,
    post_id: i32,
    actor: &Actor,
    form: &PostForm,
    status: PostStatus,
    note: Option<String>,
    now: DateTime<Utc>,
) -> Result<i32, sea_orm::DbErr> {
    let mut rest = form.clone();
    rest.body_md.clear();
    let snapshot = serde_json::to_string(&Snapshot { form: rest, status: status_of(status).as_str().into() })
        .expect("a snapshot serialises");
    // Autosaves by the same user in a short while update one revision.
    if note.as_deref() == Some(AUTOSAVE_NOTE)
        && let Some(last) = post_revision::Entity::find()
            .filter(post_revision::Column::PostId.eq(post_id))
            .order_by_desc(post_revision::Column::Id)
            .one(db)
            .await?
        && last.note.as_deref() == Some(AUTOSAVE_NOTE)
        && last.user_id == actor.id
        && now - last.created_at < Duration::minutes(AUTOSAVE_COALESCE_MINUTES)
    {
        let id = last.id;
        let mut am: post_revision::ActiveModel = last.into();
        am.title = Set(form.title.clone());
        am.body_md = Set(form.body_md.clone());
        am.snapshot = Set(snapshot);
        am.created_at = Set(now);
        am.update(db).await?;
        return Ok(id);
    }
    let r = post_revision::ActiveModel {
        post_id: Set(post_id),
        user_id: Set(actor.id),
        user_name: Set(actor.name.clone()),
        created_at: Set(now),
        title: Set(form.title.clone()),
        body_md: Set(form.body_md.clone()),
        snapshot: Set(snapshot),
        note: Set(note),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(r.id)
}

/// Keep the post as it is now as a revision (before something other than
/// the editor overwrites it, such as a WordPress re-import). Nothing is
/// added when the latest revision already holds exactly this state.
pub async fn keep_revision<C: ConnectionTrait>(
    db: &C,
    p: &post::Model,
    actor: &Actor,
    note: &str,
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    let form = form_of(db, p).await?;
    if let Some(last) = post_revision::Entity::find()
        .filter(post_revision::Column::PostId.eq(p.id))
        .order_by_desc(post_revision::Column::Id)
        .one(db)
        .await?
        && last.title == form.title
        && last.body_md == form.body_md
        && serde_json::from_str::<Snapshot>(&last.snapshot).is_ok_and(|s| {
            s.status == status_of(p.status).as_str() && PostForm { body_md: form.body_md.clone(), ..s.form } == form
        })
    {
        return Ok(());
    }
    add_revision(db, p.id, actor, &form, p.status, Some(note.to_string()), now).await?;
    Ok(())
}

/// Start a draft with a title; returns its id.
pub async fn create(
    db: &DatabaseConnection,
    clinic_id: i32,
    actor: &Actor,
    title: &str,
    now: DateTime<Utc>,
) -> Result<i32, EditorError> {
    let form = PostForm { title: title.to_string(), ..PostForm::default() };
    let valid = rules::validate(&form).map_err(EditorError::Invalid)?;
    let txn = crate::db::begin_write(db).await?;
    let slug = unique_slug(&txn, clinic_id, &valid.slug).await?;
    let p = post::ActiveModel {
        clinic_id: Set(clinic_id),
        slug: Set(slug.clone()),
        title: Set(valid.title.clone()),
        excerpt: Set(None),
        body_md: Set(String::new()),
        body_html: Set(String::new()),
        body_text: Set(String::new()),
        reading_minutes: Set(1),
        status: Set(PostStatus::Draft),
        published_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        author_id: Set(None),
        category_id: Set(None),
        seo_title: Set(None),
        seo_description: Set(None),
        featured_image: Set(None),
        featured_image_alt: Set(None),
        version: Set(1),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let form = PostForm { slug, ..form };
    add_revision(&txn, p.id, actor, &form, PostStatus::Draft, Some("Created".into()), now).await?;
    audit::record(
        &txn,
        Some(clinic_id),
        actor,
        "post.create",
        "post",
        Some(p.id),
        &format!("created draft \"{}\"", p.title),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(p.id)
}

/// Write the validated form onto the post (fields, links, rendered HTML).
async fn apply<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    p: post::Model,
    v: &ValidPost,
    now: DateTime<Utc>,
) -> Result<post::Model, EditorError> {
    if let Some(author_id) = v.author_id
        && author::Entity::find_by_id(author_id).filter(author::Column::ClinicId.eq(clinic_id)).one(db).await?.is_none()
    {
        return Err(EditorError::field("author_id", "Choose an author of this clinic."));
    }
    if !v.location_ids.is_empty() {
        let found = location::Entity::find()
            .filter(location::Column::ClinicId.eq(clinic_id))
            .filter(location::Column::Id.is_in(v.location_ids.clone()))
            .count(db)
            .await?;
        if found != v.location_ids.len() as u64 {
            return Err(EditorError::field("location_ids", "Choose offices of this clinic."));
        }
    }
    let category_id = match &v.category {
        Some(name) => {
            Some(category_id(db, clinic_id, name).await.map_err(|e| EditorError::field("category", e.to_string()))?)
        }
        None => None,
    };
    let mut tag_ids = Vec::new();
    for name in &v.tags {
        let id = tag_id(db, clinic_id, name).await.map_err(|e| EditorError::field("tags", e.to_string()))?;
        if !tag_ids.contains(&id) {
            tag_ids.push(id);
        }
    }
    let post_id = p.id;
    let version = p.version;
    let body_text = markdown::plain_text(&v.body_md);
    let mut am: post::ActiveModel = p.into();
    am.slug = Set(v.slug.clone());
    am.title = Set(v.title.clone());
    am.excerpt = Set(v.excerpt.clone());
    am.body_html = Set(markdown::render_html(&v.body_md));
    am.reading_minutes = Set(markdown::reading_minutes(&body_text) as i32);
    am.body_text = Set(body_text);
    am.body_md = Set(v.body_md.clone());
    am.author_id = Set(v.author_id);
    am.category_id = Set(category_id);
    am.seo_title = Set(v.seo_title.clone());
    am.seo_description = Set(v.seo_description.clone());
    am.featured_image = Set(v.featured_image.clone());
    am.featured_image_alt = Set(v.featured_image_alt.clone());
    am.updated_at = Set(now);
    am.version = Set(version + 1);
    let saved = am.update(db).await?;

    post_tag::Entity::delete_many().filter(post_tag::Column::PostId.eq(post_id)).exec(db).await?;
    if !tag_ids.is_empty() {
        post_tag::Entity::insert_many(
            tag_ids.iter().map(|&tag_id| post_tag::ActiveModel { post_id: Set(post_id), tag_id: Set(tag_id) }),
        )
        .exec_without_returning(db)
        .await?;
    }
    post_location::Entity::delete_many().filter(post_location::Column::PostId.eq(post_id)).exec(db).await?;
    if !v.location_ids.is_empty() {
        post_location::Entity::insert_many(
            v.location_ids.iter().map(|&location_id| post_location::ActiveModel {
                post_id: Set(post_id),
                location_id: Set(location_id),
            }),
        )
        .exec_without_returning(db)
        .await?;
    }
    changes::post_changed(db, clinic_id, post_id, now).await?;
    Ok(saved)
}

/// Keep an old public address answering (301) after a slug change.
pub(crate) async fn remember_old_slug<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    post_id: i32,
    old: &str,
    new: &str,
) -> Result<(), sea_orm::DbErr> {
    // The new slug now belongs to this post: a redirect under it would be dead.
    post_redirect::Entity::delete_many()
        .filter(post_redirect::Column::ClinicId.eq(clinic_id))
        .filter(post_redirect::Column::OldSlug.eq(new))
        .exec(db)
        .await?;
    post_redirect::Entity::delete_many()
        .filter(post_redirect::Column::ClinicId.eq(clinic_id))
        .filter(post_redirect::Column::OldSlug.eq(old))
        .exec(db)
        .await?;
    post_redirect::ActiveModel {
        clinic_id: Set(clinic_id),
        old_slug: Set(old.to_string()),
        post_id: Set(post_id),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Where an old slug now points, if anywhere.
pub async fn redirect_for<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    old_slug: &str,
) -> Result<Option<String>, sea_orm::DbErr> {
    let Some(r) = post_redirect::Entity::find()
        .filter(post_redirect::Column::ClinicId.eq(clinic_id))
        .filter(post_redirect::Column::OldSlug.eq(old_slug))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(post::Entity::find_by_id(r.post_id).one(db).await?.map(|p| p.slug))
}

/// Save the editor form over `base_version`.
///
/// A save based on an older version is a stale edit: nothing is
/// overwritten, the incoming text is kept as a revision, and the caller
/// gets a conflict naming it.
#[allow(clippy::too_many_arguments)]
pub async fn save(
    db: &DatabaseConnection,
    clinic_id: i32,
    post_id: i32,
    base_version: i32,
    form: &PostForm,
    actor: &Actor,
    autosave: bool,
    now: DateTime<Utc>,
) -> Result<post::Model, EditorError> {
    let valid = rules::validate(form).map_err(EditorError::Invalid)?;
    let txn = crate::db::begin_write(db).await?;
    let current = find_post(&txn, clinic_id, post_id).await?;
    if current.version != base_version {
        let last = post_revision::Entity::find()
            .filter(post_revision::Column::PostId.eq(post_id))
            .order_by_desc(post_revision::Column::Id)
            .one(&txn)
            .await?;
        let by = last.map(|r| r.user_name).unwrap_or_else(|| "someone".into());
        let kept = add_revision(
            &txn,
            post_id,
            actor,
            form,
            current.status,
            Some(format!("Not applied: edited version {base_version} after version {} was saved", current.version)),
            now,
        )
        .await?;
        txn.commit().await?;
        return Err(EditorError::Conflict(format!(
            "{by} saved a newer version of this post while you were editing. Nothing was overwritten: your text is kept here and as revision #{kept}. Open the revisions to compare, then reload to continue from the newest version."
        )));
    }
    if let Some(other) = slug_owner(&txn, clinic_id, &valid.slug, Some(post_id)).await? {
        return Err(EditorError::field(
            "slug",
            format!("\"{}\" is already the address of \"{}\". Choose another.", valid.slug, other.title),
        ));
    }
    let old_slug = current.slug.clone();
    let was_public = current.published_at.is_some() && current.status != PostStatus::Draft;
    let status = current.status;
    let saved = apply(&txn, clinic_id, current, &valid, now).await?;
    if old_slug != saved.slug && was_public {
        remember_old_slug(&txn, clinic_id, post_id, &old_slug, &saved.slug).await?;
        audit::record(
            &txn,
            Some(clinic_id),
            actor,
            "post.slug_change",
            "post",
            Some(post_id),
            &format!(
                "changed the address of \"{}\" from /blog/{old_slug} to /blog/{} (old address redirects)",
                saved.title, saved.slug
            ),
            now,
        )
        .await?;
    }
    let stored_form = form_of(&txn, &saved).await?;
    let note = autosave.then(|| AUTOSAVE_NOTE.to_string());
    add_revision(&txn, post_id, actor, &stored_form, status, note, now).await?;
    if !autosave {
        audit::record(
            &txn,
            Some(clinic_id),
            actor,
            "post.update",
            "post",
            Some(post_id),
            &format!("saved \"{}\"", saved.title),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(saved)
}

/// Publish now, schedule, unpublish or archive.
#[allow(clippy::too_many_arguments)]
pub async fn publish(
    db: &DatabaseConnection,
    clinic_id: i32,
    post_id: i32,
    base_version: i32,
    action: &PublishAction,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<post::Model, EditorError> {
    let tz = clinic_tz(db, clinic_id).await?;
    let txn = crate::db::begin_write(db).await?;
    let current = find_post(&txn, clinic_id, post_id).await?;
    if current.version != base_version {
        return Err(EditorError::Conflict(
            "This post was changed elsewhere since you opened it. Reload the page to see the newest version, then try again.".into(),
        ));
    }
    if matches!(action, PublishAction::PublishNow | PublishAction::Schedule(_)) && current.body_md.trim().is_empty() {
        return Err(EditorError::field("body_md", "Write the post before publishing it."));
    }
    let (status, published_at) = rules::transition(current.status, current.published_at, action, tz, now)
        .map_err(|(f, m)| EditorError::field(&f, m))?;
    let title = current.title.clone();
    let version = current.version;
    let mut am: post::ActiveModel = current.into();
    am.status = Set(status);
    am.published_at = Set(published_at);
    am.version = Set(version + 1);
    am.updated_at = Set(now);
    let saved = am.update(&txn).await?;
    changes::post_changed(&txn, clinic_id, post_id, now).await?;
    let (action_name, summary) = match action {
        PublishAction::PublishNow => ("post.publish", format!("published \"{title}\"")),
        PublishAction::Schedule(_) => (
            "post.schedule",
            format!(
                "scheduled \"{title}\" for {} ({tz})",
                published_at.map(|t| rules::format_local(t, tz).replace('T', " ")).unwrap_or_default()
            ),
        ),
        PublishAction::Unpublish => ("post.unpublish", format!("unpublished \"{title}\" (back to draft)")),
        PublishAction::Archive => ("post.archive", format!("archived \"{title}\"")),
    };
    let form = form_of(&txn, &saved).await?;
    add_revision(&txn, post_id, actor, &form, status, Some(summary.clone()), now).await?;
    audit::record(&txn, Some(clinic_id), actor, action_name, "post", Some(post_id), &summary, now).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Delete a draft or archived post for good, with its revisions, redirects
/// and preview links (a live or scheduled post must be unpublished or
/// archived first, so nothing public disappears by one click). Returns its title.
pub async fn delete(
    db: &DatabaseConnection,
    clinic_id: i32,
    post_id: i32,
    base_version: i32,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<String, EditorError> {
    let txn = crate::db::begin_write(db).await?;
    let current = find_post(&txn, clinic_id, post_id).await?;
    if current.version != base_version {
        return Err(EditorError::Conflict(
            "This post was changed elsewhere since you opened it. Reload the page to see the newest version, then try again.".into(),
        ));
    }
    rules::can_delete(current.status).map_err(|m| EditorError::field("status", m))?;
    let title = current.title.clone();
    post::Entity::delete_by_id(current.id).exec(&txn).await?;
    changes::post_changed(&txn, clinic_id, post_id, now).await?;
    let summary = format!("deleted \"{title}\" and its revisions");
    audit::record(&txn, Some(clinic_id), actor, "post.delete", "post", Some(post_id), &summary, now).await?;
    txn.commit().await?;
    Ok(title)
}

/// Publish every scheduled post that is due (all clinics). Returns (clinic, post) ids.
pub async fn publish_due(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Vec<(i32, i32)>, sea_orm::DbErr> {
    let due = post::Entity::find()
        .filter(post::Column::Status.eq(PostStatus::Scheduled))
        .filter(post::Column::PublishedAt.lte(now))
        .all(db)
        .await?;
    let mut done = Vec::new();
    for p in due {
        let txn = crate::db::begin_write(db).await?;
        // Another process may have published it meanwhile: only flip a still-scheduled row.
        let res = post::Entity::update_many()
            .col_expr(post::Column::Status, Expr::value(PostStatus::Published))
            .col_expr(post::Column::Version, Expr::col(post::Column::Version).add(1))
            .filter(post::Column::Id.eq(p.id))
            .filter(post::Column::Status.eq(PostStatus::Scheduled))
            .exec(&txn)
            .await?;
        if res.rows_affected == 1 {
            changes::post_changed(&txn, p.clinic_id, p.id, now).await?;
            let when = p.published_at.unwrap_or(now);
            audit::record(
                &txn,
                Some(p.clinic_id),
                &Actor::system(),
                "post.publish",
                "post",
                Some(p.id),
                &format!("published \"{}\" as scheduled for {}", p.title, when.format("%Y-%m-%d %H:%M UTC")),
                now,
            )
            .await?;
            done.push((p.clinic_id, p.id));
        }
        txn.commit().await?;
    }
    Ok(done)
}

pub fn revision_row(r: &post_revision::Model) -> RevisionRow {
    RevisionRow {
        id: r.id,
        created_at: r.created_at,
        user_name: r.user_name.clone(),
        title: r.title.clone(),
        note: r.note.clone(),
    }
}

pub async fn revisions<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    post_id: i32,
) -> Result<(post::Model, Vec<RevisionRow>), EditorError> {
    let p = find_post(db, clinic_id, post_id).await?;
    let rows = post_revision::Entity::find()
        .filter(post_revision::Column::PostId.eq(post_id))
        .order_by_desc(post_revision::Column::Id)
        .limit(500)
        .all(db)
        .await?
        .iter()
        .map(revision_row)
        .collect();
    Ok((p, rows))
}

async fn revision<C: ConnectionTrait>(
    db: &C,
    post_id: i32,
    id: i32,
) -> Result<(post_revision::Model, Snapshot), EditorError> {
    let r = post_revision::Entity::find_by_id(id)
        .filter(post_revision::Column::PostId.eq(post_id))
        .one(db)
        .await?
        .ok_or(EditorError::NotFound)?;
    let mut snap: Snapshot = serde_json::from_str(&r.snapshot).unwrap_or_default();
    snap.form.title = r.title.clone();
    snap.form.body_md = r.body_md.clone();
    Ok((r, snap))
}

/// Line diff of two texts.
pub fn diff_lines(before: &str, after: &str) -> Vec<DiffLine> {
    similar::TextDiff::from_lines(before, after)
        .iter_all_changes()
        .map(|c| {
            let line = c.value().trim_end_matches('\n').to_string();
            match c.tag() {
                similar::ChangeTag::Equal => DiffLine::Same(line),
                similar::ChangeTag::Insert => DiffLine::Added(line),
                similar::ChangeTag::Delete => DiffLine::Removed(line),
            }
        })
        .collect()
}

/// The fields other than the body that differ between two forms.
pub fn field_changes(a: &PostForm, b: &PostForm) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut cmp = |name: &str, x: String, y: String| {
        if x != y {
            out.push((name.to_string(), x, y));
        }
    };
    cmp("Title", a.title.clone(), b.title.clone());
    cmp("Slug", a.slug.clone(), b.slug.clone());
    cmp("Excerpt", a.excerpt.clone(), b.excerpt.clone());
    cmp("Category", a.category.clone(), b.category.clone());
    cmp("Tags", a.tags.clone(), b.tags.clone());
    cmp("Author", format!("{:?}", a.author_id), format!("{:?}", b.author_id));
    cmp("Offices", format!("{:?}", a.location_ids), format!("{:?}", b.location_ids));
    cmp("SEO title", a.seo_title.clone(), b.seo_title.clone());
    cmp("SEO description", a.seo_description.clone(), b.seo_description.clone());
    cmp("Featured image", a.featured_image.clone(), b.featured_image.clone());
    cmp("Image alt text", a.featured_image_alt.clone(), b.featured_image_alt.clone());
    out
}

pub async fn diff<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    post_id: i32,
    from: i32,
    to: i32,
) -> Result<RevisionDiff, EditorError> {
    find_post(db, clinic_id, post_id).await?;
    let (ra, a) = revision(db, post_id, from).await?;
    let (rb, b) = revision(db, post_id, to).await?;
    Ok(RevisionDiff {
        from: revision_row(&ra),
        to: revision_row(&rb),
        title_changed: a.form.title != b.form.title,
        lines: diff_lines(&a.form.body_md, &b.form.body_md),
        fields: field_changes(&a.form, &b.form).into_iter().filter(|(f, _, _)| f != "Title").collect(),
    })
}

/// Make an old revision current again (as a new save and a new revision).
pub async fn restore(
    db: &DatabaseConnection,
    clinic_id: i32,
    post_id: i32,
    revision_id: i32,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<post::Model, EditorError> {
    let txn = crate::db::begin_write(db).await?;
    let current = find_post(&txn, clinic_id, post_id).await?;
    let (r, snap) = revision(&txn, post_id, revision_id).await?;
    let mut form = snap.form;
    // The old slug may meanwhile belong to another post: keep the current one then.
    if slug_owner(&txn, clinic_id, &form.slug, Some(post_id)).await?.is_some() {
        form.slug = current.slug.clone();
    }
    let valid = rules::validate(&form).map_err(EditorError::Invalid)?;
    let old_slug = current.slug.clone();
    let was_public = current.published_at.is_some() && current.status != PostStatus::Draft;
    let status = current.status;
    let saved = apply(&txn, clinic_id, current, &valid, now).await?;
    if old_slug != saved.slug && was_public {
        remember_old_slug(&txn, clinic_id, post_id, &old_slug, &saved.slug).await?;
    }
    let note = format!("Restored revision #{} of {}", r.id, r.created_at.format("%Y-%m-%d %H:%M UTC"));
    let stored = form_of(&txn, &saved).await?;
    add_revision(&txn, post_id, actor, &stored, status, Some(note.clone()), now).await?;
    audit::record(
        &txn,
        Some(clinic_id),
        actor,
        "post.restore",
        "post",
        Some(post_id),
        &format!("{note} of \"{}\"", saved.title),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// The admin post list: filters by status and title/author search, newest edits first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    q: &PostQuery,
    now: DateTime<Utc>,
) -> Result<AdminPostList, sea_orm::DbErr> {
    let mut counts = Vec::new();
    for s in EditorStatus::ALL {
        let n = post::Entity::find()
            .filter(post::Column::ClinicId.eq(clinic_id))
            .filter(post::Column::Status.eq(post_status(s)))
            .count(db)
            .await?;
        counts.push((s, n));
    }
    let mut query = post::Entity::find().filter(post::Column::ClinicId.eq(clinic_id));
    if let Some(s) = q.status {
        query = query.filter(post::Column::Status.eq(post_status(s)));
    }
    let needle = q.q.trim().to_lowercase();
    if !needle.is_empty() {
        let like = format!("%{}%", needle.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        let author_ids: Vec<i32> = author::Entity::find()
            .filter(author::Column::ClinicId.eq(clinic_id))
            .all(db)
            .await?
            .into_iter()
            .filter(|a| a.name.to_lowercase().contains(&needle))
            .map(|a| a.id)
            .collect();
        let mut cond = Condition::any().add(Expr::expr(Func::lower(Expr::col(post::Column::Title))).like(like));
        if !author_ids.is_empty() {
            cond = cond.add(post::Column::AuthorId.is_in(author_ids));
        }
        query = query.filter(cond);
    }
    let total = query.clone().count(db).await?;
    let pages = Ord::max(total.div_ceil(LIST_PAGE_SIZE), 1) as u32;
    let page = q.page.clamp(1, pages);
    let models = query
        .order_by_desc(post::Column::UpdatedAt)
        .order_by_desc(post::Column::Id)
        .paginate(db, LIST_PAGE_SIZE)
        .fetch_page((page - 1) as u64)
        .await?;
    let authors: std::collections::HashMap<i32, String> = author::Entity::find()
        .filter(author::Column::ClinicId.eq(clinic_id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let rows = models
        .into_iter()
        .map(|p| AdminPostRow {
            id: p.id,
            title: p.title,
            slug: p.slug,
            status: status_of(p.status),
            author: p.author_id.and_then(|a| authors.get(&a).cloned()),
            updated_at: p.updated_at,
            published_at: p.published_at,
        })
        .collect();
    Ok(AdminPostList { rows, counts, total, page, pages, now })
}

/// Names of the clinic's categories and tags, for the editor's suggestions.
pub async fn term_names<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
) -> Result<(Vec<String>, Vec<String>), sea_orm::DbErr> {
    let cats = category::Entity::find()
        .filter(category::Column::ClinicId.eq(clinic_id))
        .order_by_asc(category::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.name)
        .collect();
    let tags = tag::Entity::find()
        .filter(tag::Column::ClinicId.eq(clinic_id))
        .order_by_asc(tag::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.name)
        .collect();
    Ok((cats, tags))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_diff_marks_added_and_removed_lines() {
        let d = diff_lines("a\nb\nc\n", "a\nB\nc\nd\n");
        assert_eq!(
            d,
            vec![
                DiffLine::Same("a".into()),
                DiffLine::Removed("b".into()),
                DiffLine::Added("B".into()),
                DiffLine::Same("c".into()),
                DiffLine::Added("d".into()),
            ]
        );
    }

    #[test]
    fn field_changes_name_what_differs() {
        let a = PostForm { title: "A".into(), tags: "x".into(), ..PostForm::default() };
        let b = PostForm { title: "A".into(), tags: "x, y".into(), ..PostForm::default() };
        assert_eq!(field_changes(&a, &b), vec![("Tags".to_string(), "x".to_string(), "x, y".to_string())]);
    }
}
