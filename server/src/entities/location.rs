use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "location")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub clinic_id: i32,
    pub slug: String,
    pub name: String,
    pub address: String,
    pub phone: String,
    pub timezone: String,
    /// JSON object: day key → "08:00-17:00" spec.
    #[sea_orm(column_type = "Text")]
    pub hours: String,
    /// JSON array of e-mail addresses.
    #[sea_orm(column_type = "Text")]
    pub inbox: String,
    /// JSON array of ZIP codes.
    #[sea_orm(column_type = "Text")]
    pub zip_codes: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub position: i32,
    /// JSON array of holiday closures: `{"from": "2026-12-24", "to": "2026-12-26", "label": "…"}`.
    #[sea_orm(column_type = "Text")]
    pub closures: String,
    /// Set: the office is archived (off the public site, forms and routing).
    pub archived_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::clinic::Entity", from = "Column::ClinicId", to = "super::clinic::Column::Id")]
    Clinic,
}

impl Related<super::clinic::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Clinic.def()
    }
}

impl Related<super::post::Entity> for Entity {
    fn to() -> RelationDef {
        super::post_location::Relation::Post.def()
    }
    fn via() -> Option<RelationDef> {
        Some(super::post_location::Relation::Location.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
