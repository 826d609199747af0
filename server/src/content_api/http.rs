//! The handlers: read the clinic and the query, call the read functions,
//! map, answer JSON. Errors are `{"error": "…"}` with 400, 404 or 503.

use app::model::{ArchiveKind, ClinicInfo, Site};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::Utc;
use sea_orm::DbErr;

use super::map;
use super::model::*;
use super::query::{self, ListQuery};
use crate::locations::read as offices;
use crate::posts::read::{self, Filter};
use crate::web::AppState;

/// Why a request got no content.
#[derive(Debug)]
pub enum Fail {
    BadRequest(String),
    NotFound(String),
    /// The post moved to a new slug: 301 to this path.
    Moved(String),
    Unavailable,
}

/// A visitor's slug, quoted in a message (its start only, when long).
fn quoted(slug: &str) -> String {
    format!("\"{}\"", query::shorten(slug))
}

impl From<DbErr> for Fail {
    fn from(e: DbErr) -> Self {
        tracing::error!(error = %e, "database error in the content API");
        Fail::Unavailable
    }
}

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        let (status, error) = match self {
            Fail::Moved(to) => {
                let mut res =
                    (StatusCode::MOVED_PERMANENTLY, Json(ApiError { error: format!("This post moved to {to}.") }))
                        .into_response();
                if let Ok(v) = axum::http::HeaderValue::from_str(&to) {
                    res.headers_mut().insert(axum::http::header::LOCATION, v);
                }
                return res;
            }
            Fail::BadRequest(m) => (StatusCode::BAD_REQUEST, m),
            Fail::NotFound(m) => (StatusCode::NOT_FOUND, m),
            Fail::Unavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, "The service is unavailable; try again in a moment.".to_string())
            }
        };
        (status, Json(ApiError { error })).into_response()
    }
}

type Answer<T> = Result<Json<T>, Fail>;

/// The clinic this host serves; the bare (network) host has no content API.
fn clinic(site: Option<Extension<Site>>) -> Result<ClinicInfo, Fail> {
    match site {
        Some(Extension(Site::Clinic(c))) => Ok(c),
        _ => Err(Fail::NotFound("The content API is answered on a clinic's own address.".into())),
    }
}

/// The filters a query names, each looked up in this clinic.
async fn filters(state: &AppState, clinic_id: i32, q: &ListQuery) -> Result<Vec<Filter>, Fail> {
    let mut out = Vec::new();
    for (kind, slug, what) in [
        (ArchiveKind::Category, &q.category, "category"),
        (ArchiveKind::Tag, &q.tag, "tag"),
        (ArchiveKind::Author, &q.author, "author"),
    ] {
        if let Some(slug) = slug {
            match read::term_filter(&state.db, clinic_id, kind, slug).await? {
                Some(f) => out.push(f),
                None => return Err(Fail::NotFound(format!("There is no {what} {} on this site.", quoted(slug)))),
            }
        }
    }
    if let Some(slug) = &q.location {
        match offices::by_slug(&state.db, clinic_id, slug).await? {
            Some(l) => out.push(Filter::Location(l.id)),
            None => return Err(Fail::NotFound(format!("There is no location {} on this site.", quoted(slug)))),
        }
    }
    Ok(out)
}

/// Published posts, newest first, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/posts",
    tag = "content",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of published posts (empty past the last page)", body = PostPage),
        (status = 400, description = "A bad page or limit", body = ApiError),
        (status = 404, description = "An unknown category, tag, author or location, or not a clinic's address", body = ApiError),
    )
)]
pub async fn posts(
    State(state): State<AppState>,
    site: Option<Extension<Site>>,
    RawQuery(raw): RawQuery,
) -> Answer<PostPage> {
    let clinic = clinic(site)?;
    let q = query::pairs(raw.as_deref()).and_then(|p| query::parse(&p)).map_err(Fail::BadRequest)?;
    let filters = filters(&state, clinic.id, &q).await?;
    let now = Utc::now();
    let (models, total) = read::list_page(&state.db, clinic.id, &filters, q.page, q.limit, now).await?;
    let links = read::links_of(&state.db, &models).await?;
    let posts = models.iter().map(|m| map::post_item(&clinic.base_url, m, &links)).collect();
    Ok(Json(PostPage { posts, pagination: map::pagination(q.page, q.limit, total) }))
}

/// One published post.
#[utoipa::path(
    get,
    path = "/api/v1/posts/{slug}",
    tag = "content",
    params(("slug" = String, Path, description = "The post's slug")),
    responses(
        (status = 200, description = "The post", body = Post),
        (status = 301, description = "The post's slug changed: `Location` names its new address", body = ApiError,
            headers(("Location" = String, description = "The post's address under its current slug"))),
        (status = 404, description = "No published post with this slug on this site", body = ApiError),
    )
)]
pub async fn post(
    State(state): State<AppState>,
    site: Option<Extension<Site>>,
    Path(slug): Path<String>,
) -> Answer<Post> {
    let clinic = clinic(site)?;
    let Some(m) = read::by_slug(&state.db, clinic.id, &slug, Utc::now()).await? else {
        // An old address of a post that is still public answers with its new one.
        if let Some(to) = crate::posts::editor::redirect_for(&state.db, clinic.id, &slug).await?
            && read::by_slug(&state.db, clinic.id, &to, Utc::now()).await?.is_some()
        {
            return Err(Fail::Moved(format!("/api/v1/posts/{to}")));
        }
        return Err(Fail::NotFound(format!("There is no published post {} on this site.", quoted(&slug))));
    };
    let links = read::links_of(&state.db, std::slice::from_ref(&m)).await?;
    // The post page's own HTML (rendered from Markdown and sanitised when saved), links made absolute.
    let body = map::body_html(&map::post_url(&clinic.base_url, &m.slug), &m.body_html);
    Ok(Json(map::post(&clinic.base_url, &m, &links, body)))
}

/// Categories, by name, with their published post counts.
#[utoipa::path(
    get,
    path = "/api/v1/categories",
    tag = "content",
    responses(
        (status = 200, description = "Every category of the clinic", body = CategoryList),
        (status = 404, description = "Not a clinic's address", body = ApiError),
    )
)]
pub async fn categories(State(state): State<AppState>, site: Option<Extension<Site>>) -> Answer<CategoryList> {
    let clinic = clinic(site)?;
    let rows = read::categories(&state.db, clinic.id).await?;
    let counts = read::post_counts(&state.db, clinic.id, Utc::now()).await?;
    Ok(Json(map::categories(&clinic.base_url, &rows, &counts)))
}

/// Tags, by name, with their published post counts.
#[utoipa::path(
    get,
    path = "/api/v1/tags",
    tag = "content",
    responses(
        (status = 200, description = "Every tag of the clinic", body = TagList),
        (status = 404, description = "Not a clinic's address", body = ApiError),
    )
)]
pub async fn tags(State(state): State<AppState>, site: Option<Extension<Site>>) -> Answer<TagList> {
    let clinic = clinic(site)?;
    let rows = read::tags(&state.db, clinic.id).await?;
    let counts = read::post_counts(&state.db, clinic.id, Utc::now()).await?;
    Ok(Json(map::tags(&clinic.base_url, &rows, &counts)))
}

/// Authors, by name, with their published post counts.
#[utoipa::path(
    get,
    path = "/api/v1/authors",
    tag = "content",
    responses(
        (status = 200, description = "Every author of the clinic", body = AuthorList),
        (status = 404, description = "Not a clinic's address", body = ApiError),
    )
)]
pub async fn authors(State(state): State<AppState>, site: Option<Extension<Site>>) -> Answer<AuthorList> {
    let clinic = clinic(site)?;
    let rows = read::authors(&state.db, clinic.id).await?;
    let counts = read::post_counts(&state.db, clinic.id, Utc::now()).await?;
    Ok(Json(map::authors(&clinic.base_url, &rows, &counts)))
}

/// Offices, in the clinic's order.
#[utoipa::path(
    get,
    path = "/api/v1/locations",
    tag = "content",
    responses(
        (status = 200, description = "Every office of the clinic", body = LocationList),
        (status = 404, description = "Not a clinic's address", body = ApiError),
    )
)]
pub async fn locations(State(state): State<AppState>, site: Option<Extension<Site>>) -> Answer<LocationList> {
    let clinic = clinic(site)?;
    let rows = offices::all(&state.db, clinic.id).await?;
    let counts = read::post_counts(&state.db, clinic.id, Utc::now()).await?;
    Ok(Json(map::locations(&clinic.base_url, &rows, &counts)))
}
