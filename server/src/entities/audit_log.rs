use sea_orm::entity::prelude::*;

/// Who did what to which post, user or setting. Append-only.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub clinic_id: Option<i32>,
    pub user_id: Option<i32>,
    pub user_email: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
