use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "clinic")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub tagline: Option<String>,
    pub brand_color: String,
    pub logo_url: Option<String>,
    /// Size in pixels of the file `logo_url` names (uploaded logos; NULL when unknown).
    pub logo_width: Option<i32>,
    pub logo_height: Option<i32>,
    pub disclaimer: Option<String>,
    pub default_inbox: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Set: the clinic is archived; its hosts answer 410 Gone, its data stays.
    pub archived_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::clinic_host::Entity")]
    ClinicHost,
    #[sea_orm(has_many = "super::location::Entity")]
    Location,
}

impl Related<super::clinic_host::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ClinicHost.def()
    }
}

impl Related<super::location::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Location.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
