use sea_orm::entity::prelude::*;

/// A side effect a commit promised (an e-mail, a webhook call), written in
/// the same transaction and delivered by the outbox worker with retries.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub clinic_id: i32,
    pub lead_id: Option<i32>,
    /// email · webhook
    pub kind: String,
    /// office_notice · receipt · escalation · webhook
    pub purpose: String,
    /// An e-mail address or a URL.
    pub target: String,
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    /// pending · sent · dead
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub claimed_until: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
