use sea_orm::entity::prelude::*;

/// A WordPress item imported into a post: matched by GUID on re-import;
/// its old id, slug and link path answer with a 301 to the post.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "wordpress_post")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub clinic_id: i32,
    pub guid: String,
    pub wp_post_id: i64,
    /// The WordPress slug, percent-decoded and lower-cased.
    pub wp_slug: String,
    /// The path of the item's `<link>`, normalised like a request path; None for `/?p=123` links.
    pub link_path: Option<String>,
    pub post_id: i32,
    pub imported_at: DateTimeUtc,
    /// The item's WordPress status (`publish`, `draft`…) when last imported;
    /// None for rows imported before it was kept.
    pub wp_status: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
