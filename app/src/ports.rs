//! The narrow interfaces ("ports") server functions use to reach the
//! backend. The `server` crate implements them over sea-orm and provides
//! them as Leptos context; tests can provide in-memory ones.

use std::sync::Arc;

use crate::error::AppError;
use crate::model::*;

/// Read access to one clinic's published content.
#[async_trait::async_trait]
pub trait ContentPort: Send + Sync + 'static {
    async fn home(&self, clinic: &ClinicInfo) -> Result<HomePage, AppError>;
    async fn blog(&self, clinic: &ClinicInfo, page: u32) -> Result<PostList, AppError>;
    async fn post(&self, clinic: &ClinicInfo, slug: &str) -> Result<PostPage, AppError>;
    async fn archive(
        &self,
        clinic: &ClinicInfo,
        kind: ArchiveKind,
        slug: &str,
        page: u32,
    ) -> Result<ArchivePage, AppError>;
    async fn locations(&self, clinic: &ClinicInfo) -> Result<Vec<LocationSummary>, AppError>;
    async fn location(&self, clinic: &ClinicInfo, slug: &str) -> Result<LocationDetail, AppError>;
}

/// Shared handle provided as Leptos context.
#[derive(Clone)]
pub struct Backend {
    pub content: Arc<dyn ContentPort>,
}
