//! Categories, tags and authors of a clinic: list with usage, create,
//! rename (an old slug keeps answering with a 301), merge tags, delete
//! when unused. Each change writes its audit entry in the same transaction.

use app::admin::model::{TermForm, TermRow, TermsPage};
use app::model::ArchiveKind;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

use crate::audit::{self, Actor};
use crate::entities::{author, category, post, post_tag, tag, term_redirect};
use crate::search::changes::{self, Touching};
use crate::slugs::{slugify, valid_slug};

#[derive(Debug, thiserror::Error)]
pub enum TermError {
    #[error("no such term")]
    NotFound,
    #[error("{1}")]
    Invalid(String, String),
    #[error("{0}")]
    InUse(String),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

fn kind_name(kind: ArchiveKind) -> &'static str {
    kind.path_segment()
}

/// A term of any kind, reduced to what this module needs.
#[derive(Debug, Clone)]
struct Term {
    slug: String,
    name: String,
}

async fn find<C: ConnectionTrait>(db: &C, clinic_id: i32, kind: ArchiveKind, id: i32) -> Result<Term, TermError> {
    let t = match kind {
        ArchiveKind::Category => category::Entity::find_by_id(id)
            .filter(category::Column::ClinicId.eq(clinic_id))
            .one(db)
            .await?
            .map(|c| Term { slug: c.slug, name: c.name }),
        ArchiveKind::Tag => tag::Entity::find_by_id(id)
            .filter(tag::Column::ClinicId.eq(clinic_id))
            .one(db)
            .await?
            .map(|t| Term { slug: t.slug, name: t.name }),
        ArchiveKind::Author => author::Entity::find_by_id(id)
            .filter(author::Column::ClinicId.eq(clinic_id))
            .one(db)
            .await?
            .map(|a| Term { slug: a.slug, name: a.name }),
    };
    t.ok_or(TermError::NotFound)
}

/// Another term of the same kind and clinic with `slug`.
async fn slug_taken<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    kind: ArchiveKind,
    slug: &str,
    except: Option<i32>,
) -> Result<Option<String>, sea_orm::DbErr> {
    let other = match kind {
        ArchiveKind::Category => category::Entity::find()
            .filter(category::Column::ClinicId.eq(clinic_id))
            .filter(category::Column::Slug.eq(slug))
            .one(db)
            .await?
            .map(|c| (c.id, c.name)),
        ArchiveKind::Tag => tag::Entity::find()
            .filter(tag::Column::ClinicId.eq(clinic_id))
            .filter(tag::Column::Slug.eq(slug))
            .one(db)
            .await?
            .map(|t| (t.id, t.name)),
        ArchiveKind::Author => author::Entity::find()
            .filter(author::Column::ClinicId.eq(clinic_id))
            .filter(author::Column::Slug.eq(slug))
            .one(db)
            .await?
            .map(|a| (a.id, a.name)),
    };
    Ok(other.filter(|(id, _)| Some(*id) != except).map(|(_, name)| name))
}

async fn usage<C: ConnectionTrait>(db: &C, kind: ArchiveKind, id: i32) -> Result<u64, sea_orm::DbErr> {
    match kind {
        ArchiveKind::Category => post::Entity::find().filter(post::Column::CategoryId.eq(id)).count(db).await,
        ArchiveKind::Tag => post_tag::Entity::find().filter(post_tag::Column::TagId.eq(id)).count(db).await,
        ArchiveKind::Author => post::Entity::find().filter(post::Column::AuthorId.eq(id)).count(db).await,
    }
}

/// Every category, tag and author of the clinic with the number of posts using it.
pub async fn page<C: ConnectionTrait>(db: &C, clinic_id: i32) -> Result<TermsPage, sea_orm::DbErr> {
    let mut categories = Vec::new();
    for c in category::Entity::find()
        .filter(category::Column::ClinicId.eq(clinic_id))
        .order_by_asc(category::Column::Name)
        .all(db)
        .await?
    {
        let posts = usage(db, ArchiveKind::Category, c.id).await?;
        categories.push(TermRow { id: c.id, name: c.name, slug: c.slug, posts, credentials: None });
    }
    let mut tags = Vec::new();
    for t in
        tag::Entity::find().filter(tag::Column::ClinicId.eq(clinic_id)).order_by_asc(tag::Column::Name).all(db).await?
    {
        let posts = usage(db, ArchiveKind::Tag, t.id).await?;
        tags.push(TermRow { id: t.id, name: t.name, slug: t.slug, posts, credentials: None });
    }
    let mut authors = Vec::new();
    for a in author::Entity::find()
        .filter(author::Column::ClinicId.eq(clinic_id))
        .order_by_asc(author::Column::Name)
        .all(db)
        .await?
    {
        let posts = usage(db, ArchiveKind::Author, a.id).await?;
        authors.push(TermRow { id: a.id, name: a.name, slug: a.slug, posts, credentials: a.credentials });
    }
    Ok(TermsPage { categories, tags, authors })
}

fn check(form: &TermForm) -> Result<(String, String), TermError> {
    let name = form.name.trim().to_string();
    if name.is_empty() {
        return Err(TermError::Invalid("name".into(), "Give it a name.".into()));
    }
    if name.chars().count() > 80 {
        return Err(TermError::Invalid("name".into(), "Keep the name under 80 characters.".into()));
    }
    let typed = form.slug.trim();
    let slug = if typed.is_empty() { slugify(&name) } else { typed.to_string() };
    if !valid_slug(&slug) {
        let hint = slugify(typed);
        let hint = if hint.is_empty() { String::new() } else { format!(" — for example \"{hint}\"") };
        return Err(TermError::Invalid(
            "slug".into(),
            format!("Use only lower-case letters a–z, digits and single hyphens{hint}."),
        ));
    }
    Ok((name, slug))
}

/// Create (`id` None) or rename a term. A changed slug keeps the old one as a redirect.
pub async fn save(
    db: &DatabaseConnection,
    clinic_id: i32,
    kind: ArchiveKind,
    id: Option<i32>,
    form: &TermForm,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<i32, TermError> {
    let (name, slug) = check(form)?;
    let credentials = Some(form.credentials.trim().to_string()).filter(|c| !c.is_empty());
    let txn = crate::db::begin_write(db).await?;
    if let Some(other) = slug_taken(&txn, clinic_id, kind, &slug, id).await? {
        return Err(TermError::Invalid("slug".into(), format!("\"{slug}\" is already used by \"{other}\".")));
    }
    let (id, summary) = match id {
        None => {
            let id = match kind {
                ArchiveKind::Category => {
                    category::ActiveModel {
                        clinic_id: Set(clinic_id),
                        slug: Set(slug.clone()),
                        name: Set(name.clone()),
                        description: Set(None),
                        ..Default::default()
                    }
                    .insert(&txn)
                    .await?
                    .id
                }
                ArchiveKind::Tag => {
                    tag::ActiveModel {
                        clinic_id: Set(clinic_id),
                        slug: Set(slug.clone()),
                        name: Set(name.clone()),
                        ..Default::default()
                    }
                    .insert(&txn)
                    .await?
                    .id
                }
                ArchiveKind::Author => {
                    author::ActiveModel {
                        clinic_id: Set(clinic_id),
                        slug: Set(slug.clone()),
                        name: Set(name.clone()),
                        credentials: Set(credentials.clone()),
                        bio: Set(None),
                        photo_url: Set(None),
                        ..Default::default()
                    }
                    .insert(&txn)
                    .await?
                    .id
                }
            };
            (id, format!("created {} \"{name}\"", kind_name(kind)))
        }
        Some(id) => {
            let old = find(&txn, clinic_id, kind, id).await?;
            match kind {
                ArchiveKind::Category => {
                    let m = category::Entity::find_by_id(id).one(&txn).await?.ok_or(TermError::NotFound)?;
                    let mut am: category::ActiveModel = m.into();
                    am.name = Set(name.clone());
                    am.slug = Set(slug.clone());
                    am.update(&txn).await?;
                }
                ArchiveKind::Tag => {
                    let m = tag::Entity::find_by_id(id).one(&txn).await?.ok_or(TermError::NotFound)?;
                    let mut am: tag::ActiveModel = m.into();
                    am.name = Set(name.clone());
                    am.slug = Set(slug.clone());
                    am.update(&txn).await?;
                }
                ArchiveKind::Author => {
                    let m = author::Entity::find_by_id(id).one(&txn).await?.ok_or(TermError::NotFound)?;
                    let mut am: author::ActiveModel = m.into();
                    am.name = Set(name.clone());
                    am.slug = Set(slug.clone());
                    am.credentials = Set(credentials.clone());
                    am.update(&txn).await?;
                }
            }
            if old.slug != slug {
                redirect(&txn, clinic_id, kind, &old.slug, &slug, id).await?;
            }
            let touching = match kind {
                ArchiveKind::Category => Touching::Category(id),
                ArchiveKind::Tag => Touching::Tag(id),
                ArchiveKind::Author => Touching::Author(id),
            };
            changes::posts_touching(&txn, clinic_id, touching, now).await?;
            (id, format!("renamed {} \"{}\" (/{}) to \"{name}\" (/{slug})", kind_name(kind), old.name, old.slug))
        }
    };
    audit::record(
        &txn,
        Some(clinic_id),
        actor,
        &format!("{}.save", kind_name(kind)),
        kind_name(kind),
        Some(id),
        &summary,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Remember `old` → term `id`; the new slug is no longer a redirect.
async fn redirect<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    kind: ArchiveKind,
    old: &str,
    new: &str,
    id: i32,
) -> Result<(), sea_orm::DbErr> {
    term_redirect::Entity::delete_many()
        .filter(term_redirect::Column::ClinicId.eq(clinic_id))
        .filter(term_redirect::Column::Kind.eq(kind_name(kind)))
        .filter(term_redirect::Column::OldSlug.eq(new))
        .exec(db)
        .await?;
    term_redirect::Entity::insert(term_redirect::ActiveModel {
        clinic_id: Set(clinic_id),
        kind: Set(kind_name(kind).to_string()),
        old_slug: Set(old.to_string()),
        term_id: Set(id),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            term_redirect::Column::ClinicId,
            term_redirect::Column::Kind,
            term_redirect::Column::OldSlug,
        ])
        .update_column(term_redirect::Column::TermId)
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The current slug for an old one, if it was renamed or merged.
pub async fn redirect_for<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    kind: ArchiveKind,
    old: &str,
) -> Result<Option<String>, sea_orm::DbErr> {
    let Some(r) = term_redirect::Entity::find()
        .filter(term_redirect::Column::ClinicId.eq(clinic_id))
        .filter(term_redirect::Column::Kind.eq(kind_name(kind)))
        .filter(term_redirect::Column::OldSlug.eq(old))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    match find(db, clinic_id, kind, r.term_id).await {
        Ok(t) => Ok(Some(t.slug)),
        Err(TermError::Db(e)) => Err(e),
        Err(_) => Ok(None),
    }
}

/// Delete a term no post uses.
pub async fn delete(
    db: &DatabaseConnection,
    clinic_id: i32,
    kind: ArchiveKind,
    id: i32,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), TermError> {
    let txn = crate::db::begin_write(db).await?;
    let t = find(&txn, clinic_id, kind, id).await?;
    let n = usage(&txn, kind, id).await?;
    if n > 0 {
        return Err(TermError::InUse(format!(
            "\"{}\" is used by {n} post(s). Remove it from them{} first.",
            t.name,
            if kind == ArchiveKind::Tag { ", or merge it into another tag," } else { "" }
        )));
    }
    match kind {
        ArchiveKind::Category => category::Entity::delete_by_id(id).exec(&txn).await?,
        ArchiveKind::Tag => tag::Entity::delete_by_id(id).exec(&txn).await?,
        ArchiveKind::Author => author::Entity::delete_by_id(id).exec(&txn).await?,
    };
    term_redirect::Entity::delete_many()
        .filter(term_redirect::Column::ClinicId.eq(clinic_id))
        .filter(term_redirect::Column::Kind.eq(kind_name(kind)))
        .filter(term_redirect::Column::TermId.eq(id))
        .exec(&txn)
        .await?;
    let summary = format!("deleted {} \"{}\"", kind_name(kind), t.name);
    audit::record(
        &txn,
        Some(clinic_id),
        actor,
        &format!("{}.delete", kind_name(kind)),
        kind_name(kind),
        Some(id),
        &summary,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Move every post of tag `from` to tag `into`, delete `from`, redirect its slug.
pub async fn merge_tags(
    db: &DatabaseConnection,
    clinic_id: i32,
    from: i32,
    into: i32,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), TermError> {
    if from == into {
        return Err(TermError::Invalid("into".into(), "Choose a different tag to merge into.".into()));
    }
    let txn = crate::db::begin_write(db).await?;
    let a = find(&txn, clinic_id, ArchiveKind::Tag, from).await?;
    let b = find(&txn, clinic_id, ArchiveKind::Tag, into).await?;
    let posts: Vec<i32> = post_tag::Entity::find()
        .filter(post_tag::Column::TagId.eq(from))
        .all(&txn)
        .await?
        .into_iter()
        .map(|p| p.post_id)
        .collect();
    for post_id in &posts {
        post_tag::Entity::insert(post_tag::ActiveModel { post_id: Set(*post_id), tag_id: Set(into) })
            .on_conflict(
                OnConflict::columns([post_tag::Column::PostId, post_tag::Column::TagId]).do_nothing().to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    post_tag::Entity::delete_many().filter(post_tag::Column::TagId.eq(from)).exec(&txn).await?;
    tag::Entity::delete_by_id(from).exec(&txn).await?;
    // Old redirects to `from`, and `from`'s own slug, now lead to `into`.
    term_redirect::Entity::update_many()
        .col_expr(term_redirect::Column::TermId, sea_orm::sea_query::Expr::value(into))
        .filter(term_redirect::Column::ClinicId.eq(clinic_id))
        .filter(term_redirect::Column::Kind.eq("tag"))
        .filter(term_redirect::Column::TermId.eq(from))
        .exec(&txn)
        .await?;
    redirect(&txn, clinic_id, ArchiveKind::Tag, &a.slug, &b.slug, into).await?;
    changes::posts_changed(&txn, clinic_id, &posts, now).await?;
    let summary = format!("merged tag \"{}\" into \"{}\" ({} post(s))", a.name, b.name, posts.len());
    audit::record(&txn, Some(clinic_id), actor, "tag.merge", "tag", Some(into), &summary, now).await?;
    txn.commit().await?;
    Ok(())
}
