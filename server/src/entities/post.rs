use sea_orm::entity::prelude::*;

/// Where a post is in its life. Only `Published` posts are ever public.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "lowercase")]
pub enum PostStatus {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "scheduled")]
    Scheduled,
    #[sea_orm(string_value = "published")]
    Published,
    #[sea_orm(string_value = "archived")]
    Archived,
}

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "post")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub clinic_id: i32,
    pub slug: String,
    pub title: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub excerpt: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub body_md: String,
    #[sea_orm(column_type = "Text")]
    pub body_html: String,
    #[sea_orm(column_type = "Text")]
    pub body_text: String,
    pub reading_minutes: i32,
    pub status: PostStatus,
    pub published_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub author_id: Option<i32>,
    pub category_id: Option<i32>,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub featured_image: Option<String>,
    pub featured_image_alt: Option<String>,
    /// Bumped by every save; an edit based on an older version is a conflict.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::clinic::Entity", from = "Column::ClinicId", to = "super::clinic::Column::Id")]
    Clinic,
    #[sea_orm(belongs_to = "super::author::Entity", from = "Column::AuthorId", to = "super::author::Column::Id")]
    Author,
    #[sea_orm(belongs_to = "super::category::Entity", from = "Column::CategoryId", to = "super::category::Column::Id")]
    Category,
}

impl Related<super::author::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Author.def()
    }
}

impl Related<super::category::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Category.def()
    }
}

impl Related<super::tag::Entity> for Entity {
    fn to() -> RelationDef {
        super::post_tag::Relation::Tag.def()
    }
    fn via() -> Option<RelationDef> {
        Some(super::post_tag::Relation::Post.def().rev())
    }
}

impl Related<super::location::Entity> for Entity {
    fn to() -> RelationDef {
        super::post_location::Relation::Location.def()
    }
    fn via() -> Option<RelationDef> {
        Some(super::post_location::Relation::Post.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
