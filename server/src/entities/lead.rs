use sea_orm::entity::prelude::*;

/// A visitor's contact or appointment request. Personal fields are plain
/// text, shown escaped; `erased_at` marks a stub wiped on request.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "lead")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub clinic_id: i32,
    /// The office it was routed to; `None`: the clinic's default inbox.
    pub location_id: Option<i32>,
    #[sea_orm(unique)]
    pub reference: String,
    pub kind: String,
    pub status: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub contact_method: String,
    #[sea_orm(column_type = "Text")]
    pub message: String,
    pub zip: String,
    /// JSON array of weekday keys.
    #[sea_orm(column_type = "Text")]
    pub preferred_days: String,
    /// JSON array: morning · afternoon · evening.
    #[sea_orm(column_type = "Text")]
    pub preferred_times: String,
    pub patient: String,
    pub wants_receipt: bool,
    pub consent_version: String,
    #[sea_orm(column_type = "Text")]
    pub consent_text: String,
    pub source_path: String,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub routed_by: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub spam_reasons: Option<String>,
    pub ip_hash: String,
    pub assignee_id: Option<i32>,
    pub received_at: DateTimeUtc,
    pub first_response_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub escalated_at: Option<DateTimeUtc>,
    pub erased_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
