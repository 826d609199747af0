//! `GET /api/v1/search` on each clinic host: the search page's answer as JSON.

use std::collections::HashMap;

use app::error::AppError;
use app::model::Site;
use app::ports::SearchPort;
use app::search::model::{SearchQuery, SortOrder};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use super::AppState;

fn error(status: StatusCode, message: String) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

/// The query string as a `SearchQuery`, or what is wrong with it.
pub fn read_query(params: &HashMap<String, String>) -> Result<SearchQuery, String> {
    let opt = |k: &str| params.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let page = match opt("page") {
        None => 1,
        Some(p) => p.parse::<u32>().map_err(|_| format!("\"page\" must be a whole number, not \"{p}\"."))?,
    };
    let sort = match opt("sort") {
        None => SortOrder::Relevance,
        Some(s) => {
            SortOrder::parse(&s).ok_or_else(|| format!("\"sort\" must be \"relevance\" or \"newest\", not \"{s}\"."))?
        }
    };
    Ok(SearchQuery {
        q: params.get("q").cloned().unwrap_or_default(),
        category: opt("category"),
        tag: opt("tag"),
        author: opt("author"),
        location: opt("location"),
        sort,
        page,
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/search",
    tag = "search",
    params(
        ("q" = Option<String>, Query, description = "The words to look for (up to 200 characters are read)"),
        ("page" = Option<u32>, Query, description = "Page number, from 1 (10 results a page, at most 100 pages)", minimum = 1),
        ("sort" = Option<String>, Query, description = "\"relevance\" (default) or \"newest\""),
        ("category" = Option<String>, Query, description = "A category's slug"),
        ("tag" = Option<String>, Query, description = "A tag's slug"),
        ("author" = Option<String>, Query, description = "An author's slug"),
        ("location" = Option<String>, Query, description = "An office's slug"),
    ),
    responses(
        (status = 200, description = "Matching published posts, facets and suggestions", body = app::search::model::SearchResults),
        (status = 400, description = "A bad page or sort", body = crate::content_api::model::ApiError),
        (status = 404, description = "Not a clinic's address", body = crate::content_api::model::ApiError),
    )
)]
pub async fn api_search(
    State(state): State<AppState>,
    site: Option<Extension<Site>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let Some(Extension(Site::Clinic(clinic))) = site else {
        return error(StatusCode::NOT_FOUND, "Search is answered on a clinic's own address.".into());
    };
    let query = match read_query(&params) {
        Ok(q) => q,
        Err(m) => return error(StatusCode::BAD_REQUEST, m),
    };
    match state.search.search(&clinic, query).await {
        Ok(results) => {
            let mut res = Json(results).into_response();
            res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e @ AppError::BadRequest(_)) => error(StatusCode::BAD_REQUEST, e.to_string()),
        Err(e) => error(StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), e.to_string()),
    }
}
