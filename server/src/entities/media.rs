use sea_orm::entity::prelude::*;

/// An uploaded image; its files are `{stored_name}-{width}.{ext}`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "media")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub clinic_id: i32,
    pub stored_name: String,
    pub ext: String,
    pub width: i32,
    pub height: i32,
    /// Variant widths, comma-separated, ascending.
    pub widths: String,
    pub alt: String,
    pub original_name: String,
    pub bytes: i64,
    pub user_id: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
