use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{LocationDetail, LocationSummary};

#[server]
pub async fn get_locations() -> Result<Vec<LocationSummary>, AppError> {
    let (backend, clinic) = crate::site::ssr::clinic()?;
    backend.content.locations(&clinic).await
}

#[server]
pub async fn get_location(slug: String) -> Result<LocationDetail, AppError> {
    let (backend, clinic) = crate::site::ssr::clinic()?;
    backend.content.location(&clinic, &slug).await
}
