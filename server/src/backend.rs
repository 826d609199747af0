//! The `ContentPort` the app's server functions call, over sea-orm.
//! Database errors are logged here and reach the page only as `Internal`.

use app::error::AppError;
use app::model::*;
use app::ports::ContentPort;
use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, ExprTrait, QueryFilter};

use std::sync::Arc;

use crate::entities::{author, category, location, post_location, tag};
use crate::locations::read as loc;
use crate::posts::read::{self, Filter};
use crate::search::service::SearchService;

#[derive(Clone)]
pub struct SqlContent {
    db: DatabaseConnection,
    search: Arc<SearchService>,
}

impl SqlContent {
    pub fn new(db: DatabaseConnection, search: Arc<SearchService>) -> Self {
        Self { db, search }
    }

    /// "You might also enjoy": tantivy's more-like-this over the post's
    /// body, title, tags and category (same clinic, published, not itself);
    /// while the index cannot answer (being built), posts sharing tags or
    /// the category instead.
    async fn related(
        &self,
        m: &crate::entities::post::Model,
        tag_ids: &[i32],
        now: chrono::DateTime<Utc>,
    ) -> Result<Vec<PostSummary>, DbErr> {
        const N: usize = 3;
        let found = match crate::search::document::load(&self.db, &[m.id]).await?.pop() {
            Some(doc) => self.search.index().related(&doc, now.timestamp(), N).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "related posts from search failed");
                Vec::new()
            }),
            None => Vec::new(),
        };
        if found.is_empty() {
            return read::related(&self.db, m, tag_ids, now, N).await;
        }
        let ids: Vec<i32> = found.iter().map(|h| h.post_id).collect();
        let mut models = read::published(m.clinic_id, now)
            .filter(crate::entities::post::Column::Id.is_in(ids.clone()))
            .all(&self.db)
            .await?;
        models.sort_by_key(|p| ids.iter().position(|id| *id == p.id));
        read::summaries(&self.db, models).await
    }

    /// The full page data of a post (public page and preview alike).
    async fn page_of(
        &self,
        clinic: &ClinicInfo,
        m: crate::entities::post::Model,
        now: chrono::DateTime<Utc>,
    ) -> Result<PostPage, AppError> {
        let db = &self.db;
        let tags = read::tags_of(db, m.id).await.map_err(internal)?;
        let tag_ids: Vec<i32> = tags.iter().map(|t| t.id).collect();
        let locations = location::Entity::find()
            .filter(
                location::Column::Id.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(post_location::Column::LocationId)
                        .from(post_location::Entity)
                        .and_where(sea_orm::sea_query::Expr::col(post_location::Column::PostId).eq(m.id))
                        .to_owned(),
                ),
            )
            .filter(location::Column::ArchivedAt.is_null())
            .all(db)
            .await
            .map_err(internal)?;
        let author = match m.author_id {
            Some(id) => author::Entity::find_by_id(id).one(db).await.map_err(internal)?,
            None => None,
        };
        let related = self.related(&m, &tag_ids, now).await.map_err(internal)?;
        let summary = read::summaries(db, vec![m.clone()]).await.map_err(internal)?.remove(0);
        let featured_srcset = match m.featured_image.as_deref() {
            Some(url) => {
                crate::media::by_url(db, clinic.id, url).await.map_err(internal)?.map(|x| crate::media::srcset(&x))
            }
            None => None,
        };
        let mut page = PostPage {
            url: clinic.canonical(&format!("/blog/{}", m.slug)),
            post: PostDetail {
                summary,
                updated_at: m.updated_at,
                body_html: m.body_html,
                tags: tags.into_iter().map(|t| TermRef { slug: t.slug, name: t.name }).collect(),
                locations: locations.into_iter().map(|l| TermRef { slug: l.slug, name: l.name }).collect(),
                author: author.as_ref().map(read::author_profile),
                seo_title: m.seo_title,
                seo_description: m.seo_description,
                featured_image: m.featured_image,
                featured_image_alt: m.featured_image_alt,
                featured_srcset,
            },
            related,
            now: read::shown_time(now),
            json_ld: String::new(),
        };
        page.json_ld = crate::seo::post_json_ld(&page, clinic);
        Ok(page)
    }
}

fn internal(e: DbErr) -> AppError {
    tracing::error!(error = %e, "database error while reading content");
    AppError::Internal
}

#[async_trait::async_trait]
impl ContentPort for SqlContent {
    async fn home(&self, clinic: &ClinicInfo) -> Result<HomePage, AppError> {
        let now = Utc::now();
        let recent = read::recent(&self.db, clinic.id, Filter::All, 6, now).await.map_err(internal)?;
        let locations = loc::all(&self.db, clinic.id).await.map_err(internal)?;
        Ok(HomePage {
            recent,
            locations: locations.iter().map(|l| loc::summary(l, now)).collect(),
            now: read::shown_time(now),
            json_ld: crate::seo::home_json_ld(clinic, &locations),
        })
    }

    async fn blog(&self, clinic: &ClinicInfo, page: u32) -> Result<PostList, AppError> {
        read::list(&self.db, clinic.id, Filter::All, page, Utc::now())
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)
    }

    async fn post(&self, clinic: &ClinicInfo, slug: &str) -> Result<PostPage, AppError> {
        let now = Utc::now();
        let db = &self.db;
        let Some(m) = read::by_slug(db, clinic.id, slug, now).await.map_err(internal)? else {
            // An old address of a post whose slug changed answers 301.
            return match crate::posts::editor::redirect_for(db, clinic.id, slug).await.map_err(internal)? {
                Some(new) if new != slug => Err(AppError::Moved(format!("/blog/{new}"))),
                _ => Err(AppError::NotFound),
            };
        };
        self.page_of(clinic, m, now).await
    }

    async fn preview(&self, clinic: &ClinicInfo, token: &str) -> Result<PostPage, AppError> {
        use crate::posts::preview::{self, PreviewError};
        let now = Utc::now();
        match preview::resolve(&self.db, clinic.id, token, now).await {
            Ok(m) => self.page_of(clinic, m, now).await,
            Err(PreviewError::NotFound) => Err(AppError::NotFound),
            Err(e @ PreviewError::Expired(_)) => Err(AppError::Gone(e.to_string())),
            Err(PreviewError::Db(e)) => Err(internal(e)),
        }
    }

    async fn archive(
        &self,
        clinic: &ClinicInfo,
        kind: ArchiveKind,
        slug: &str,
        page: u32,
    ) -> Result<ArchivePage, AppError> {
        let db = &self.db;
        let found = match kind {
            ArchiveKind::Category => category::Entity::find()
                .filter(category::Column::ClinicId.eq(clinic.id))
                .filter(category::Column::Slug.eq(slug))
                .one(db)
                .await
                .map_err(internal)?
                .map(|c| (Filter::Category(c.id), c.name, c.description, None)),
            ArchiveKind::Tag => tag::Entity::find()
                .filter(tag::Column::ClinicId.eq(clinic.id))
                .filter(tag::Column::Slug.eq(slug))
                .one(db)
                .await
                .map_err(internal)?
                .map(|t| (Filter::Tag(t.id), t.name, None, None)),
            ArchiveKind::Author => author::Entity::find()
                .filter(author::Column::ClinicId.eq(clinic.id))
                .filter(author::Column::Slug.eq(slug))
                .one(db)
                .await
                .map_err(internal)?
                .map(|a| (Filter::Author(a.id), a.name.clone(), None, Some(read::author_profile(&a)))),
        };
        let (filter, name, description, author) = match found {
            Some(f) => f,
            // A renamed or merged term's old address answers 301.
            None => {
                return match crate::posts::terms::redirect_for(db, clinic.id, kind, slug).await.map_err(internal)? {
                    Some(new) if new != slug => Err(AppError::Moved(format!("/blog/{}/{new}", kind.path_segment()))),
                    _ => Err(AppError::NotFound),
                };
            }
        };
        let list =
            read::list(db, clinic.id, filter, page, Utc::now()).await.map_err(internal)?.ok_or(AppError::NotFound)?;
        Ok(ArchivePage { kind, slug: slug.to_string(), name, description, author, list })
    }

    async fn locations(&self, clinic: &ClinicInfo) -> Result<Vec<LocationSummary>, AppError> {
        let now = Utc::now();
        Ok(loc::all(&self.db, clinic.id).await.map_err(internal)?.iter().map(|l| loc::summary(l, now)).collect())
    }

    async fn location(&self, clinic: &ClinicInfo, slug: &str) -> Result<LocationDetail, AppError> {
        let now = Utc::now();
        let m = loc::by_slug(&self.db, clinic.id, slug).await.map_err(internal)?.ok_or(AppError::NotFound)?;
        let posts = read::recent(&self.db, clinic.id, Filter::Location(m.id), 3, now).await.map_err(internal)?;
        let mut detail = loc::detail(&m, now, posts);
        detail.json_ld = crate::seo::location_json_ld(clinic, &m);
        Ok(detail)
    }
}
