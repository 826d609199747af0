//! Server functions for search (thin: resolve the clinic, call the port).

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use super::model::{SearchQuery, SearchResults, Suggestion};
use crate::error::AppError;

#[server(endpoint = "search/results", input = GetUrl)]
pub async fn search_posts(query: SearchQuery) -> Result<SearchResults, AppError> {
    let (backend, clinic) = crate::site::ssr::clinic()?;
    backend.search.search(&clinic, query).await
}

#[server(endpoint = "search/suggest", input = GetUrl)]
pub async fn suggest_titles(text: String) -> Result<Vec<Suggestion>, AppError> {
    let (backend, clinic) = crate::site::ssr::clinic()?;
    backend.search.suggest(&clinic, &text).await
}
