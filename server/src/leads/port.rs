//! `LeadService`: what the public forms need (the `LeadPort` the pages
//! call) and what the form handler uses to take a lead in. It remembers
//! each clinic's office phone numbers, so that a visitor whose request
//! cannot be saved (the database is down) can still be told whom to call.

use app::error::AppError;
use app::leads::model::{LeadFormData, OfficeChoice};
use app::model::ClinicInfo;
use app::ports::LeadPort;
use std::collections::HashMap;
use std::sync::RwLock;

use chrono::Utc;
use sea_orm::DatabaseConnection;

use super::outbox::Outbox;
use super::store;
use crate::entities::location;

pub struct LeadService {
    pub db: DatabaseConnection,
    pub outbox: Outbox,
    phones: RwLock<HashMap<i32, Vec<OfficeChoice>>>,
}

impl LeadService {
    pub fn new(db: DatabaseConnection, outbox: Outbox) -> Self {
        LeadService { db, outbox, phones: RwLock::new(HashMap::new()) }
    }

    /// The clinic's offices, remembered for when the database is unavailable.
    pub async fn offices(&self, clinic_id: i32) -> Result<Vec<OfficeChoice>, sea_orm::DbErr> {
        let list: Vec<OfficeChoice> = store::live_offices(&self.db, clinic_id).await?.into_iter().map(choice).collect();
        if let Ok(mut m) = self.phones.write() {
            m.insert(clinic_id, list.clone());
        }
        Ok(list)
    }

    /// The offices last read for this clinic (possibly none).
    pub fn remembered_offices(&self, clinic_id: i32) -> Vec<OfficeChoice> {
        self.phones.read().ok().and_then(|m| m.get(&clinic_id).cloned()).unwrap_or_default()
    }
}

fn choice(o: location::Model) -> OfficeChoice {
    OfficeChoice { slug: o.slug, name: o.name, phone: o.phone }
}

fn internal(e: sea_orm::DbErr) -> AppError {
    tracing::error!(error = %e, "database error in the lead forms");
    AppError::Unavailable
}

#[async_trait::async_trait]
impl LeadPort for LeadService {
    async fn form(&self, clinic: &ClinicInfo) -> Result<LeadFormData, AppError> {
        let settings = store::settings(&self.db, clinic.id).await.map_err(internal)?;
        let offices = self.offices(clinic.id).await.map_err(internal)?;
        let token = store::issue_token(&self.db, clinic.id, Utc::now()).await.map_err(internal)?;
        Ok(LeadFormData {
            offices,
            consent_text: settings.consent_text,
            consent_version: settings.consent_version,
            token,
            disclaimer: clinic.disclaimer.clone(),
            submitted: None,
        })
    }

    async fn office(&self, clinic: &ClinicInfo, slug: &str) -> Result<Option<OfficeChoice>, AppError> {
        Ok(self.offices(clinic.id).await.map_err(internal)?.into_iter().find(|o| o.slug == slug))
    }
}
