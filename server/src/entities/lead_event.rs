use sea_orm::entity::prelude::*;

/// One line of a lead's history: received, routed, delivery, viewed,
/// status, assigned, note, spam, resend, export, erase.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "lead_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub lead_id: i32,
    pub clinic_id: i32,
    pub at: DateTimeUtc,
    pub kind: String,
    pub user_id: Option<i32>,
    pub user_email: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
