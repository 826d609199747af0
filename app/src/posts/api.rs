//! Server functions for reading posts (thin: resolve the clinic, call the port).

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{ArchiveKind, ArchivePage, HomePage, PostList, PostPage};

#[server]
pub async fn get_home() -> Result<HomePage, AppError> {
    let (backend, clinic) = crate::site::ssr::clinic()?;
    backend.content.home(&clinic).await
}

#[server]
pub async fn get_blog(page: u32) -> Result<PostList, AppError> {
    let (backend, clinic) = crate::site::ssr::clinic()?;
    backend.content.blog(&clinic, page).await
}

#[server]
pub async fn get_post(slug: String) -> Result<PostPage, AppError> {
    let (backend, clinic) = crate::site::ssr::clinic()?;
    backend.content.post(&clinic, &slug).await
}

#[server]
pub async fn get_archive(kind: ArchiveKind, slug: String, page: u32) -> Result<ArchivePage, AppError> {
    let (backend, clinic) = crate::site::ssr::clinic()?;
    backend.content.archive(&clinic, kind, &slug, page).await
}

/// A draft shown through a private preview link.
#[server]
pub async fn get_preview(token: String) -> Result<PostPage, AppError> {
    let (backend, clinic) = crate::site::ssr::clinic()?;
    backend.content.preview(&clinic, &token).await
}
