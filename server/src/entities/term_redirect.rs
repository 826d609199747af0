use sea_orm::entity::prelude::*;

/// An old slug of a category, tag or author: its archive answers 301.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "term_redirect")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub clinic_id: i32,
    /// "category", "tag" or "author".
    pub kind: String,
    pub old_slug: String,
    /// Id in the table `kind` names.
    pub term_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
