use sea_orm::entity::prelude::*;

/// One saved state of a post. Append-only: restoring adds a new revision.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "post_revision")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub post_id: i32,
    pub user_id: Option<i32>,
    pub user_name: String,
    pub created_at: DateTimeUtc,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub body_md: String,
    /// The editor's other fields as JSON (`posts::editor::Snapshot`).
    #[sea_orm(column_type = "Text")]
    pub snapshot: String,
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
