use sea_orm::entity::prelude::*;

/// A clinic's lead settings; without a row the defaults apply.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "lead_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub clinic_id: i32,
    pub prefix: String,
    #[sea_orm(column_type = "Text")]
    pub consent_text: String,
    pub consent_version: String,
    pub response_target_minutes: i32,
    pub retention_days: Option<i32>,
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<String>,
    /// Signs this clinic's form tokens and keys the IP hashes.
    pub form_secret: String,
    /// JSON array of origins.
    #[sea_orm(column_type = "Text")]
    pub cors_origins: String,
    pub updated_at: DateTimeUtc,
    /// `page_first` or `zip_first` (see `leads::routing::RuleOrder`).
    pub routing_order: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
