use leptos::prelude::*;

use super::model::{LeadFormData, OfficeChoice};
use crate::error::AppError;

/// The form's offices, consent text and a fresh token; when this very
/// request was a refused submission (the server put it in the request),
/// also what was typed and why it was refused.
#[server]
pub async fn lead_form() -> Result<LeadFormData, AppError> {
    let (backend, clinic) = crate::site::ssr::clinic()?;
    let mut data = backend.leads.form(&clinic).await?;
    data.disclaimer = clinic.disclaimer.clone();
    let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
    data.submitted = parts.extensions.get::<super::model::Submission>().cloned();
    Ok(data)
}

/// The office named on the thank-you page (public facts only).
#[server]
pub async fn thanks_office(office: Option<String>) -> Result<Option<OfficeChoice>, AppError> {
    let (backend, clinic) = crate::site::ssr::clinic()?;
    match office.filter(|o| !o.is_empty()) {
        None => Ok(None),
        Some(slug) => backend.leads.office(&clinic, &slug).await,
    }
}
