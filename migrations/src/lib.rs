//! Database schema for Clinicpress, one migration per table group.
//! The server runs these at start (`clinicpress serve`) and on
//! `clinicpress migrate`.

pub use sea_orm_migration::prelude::*;

mod m20261121_000001_clinics;
mod m20261121_000002_content;
mod m20261121_000003_accounts;
mod m20261121_000004_sessions;
mod m20261121_000005_editorial;
mod m20261121_000006_previews;
mod m20261121_000007_media;
mod m20261121_000008_search;
mod m20261202_000009_audit_append_only;
mod m20261202_000010_leads;
mod m20261203_000011_wordpress;
mod m20261203_000012_clinic_archive;
mod m20261203_000013_wordpress_status;
mod m20261204_000014_clinic_settings;
mod m20261204_000015_office_closures;
mod m20261204_000016_routing_order;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_clinics::Migration),
            Box::new(m20261121_000002_content::Migration),
            Box::new(m20261121_000003_accounts::Migration),
            Box::new(m20261121_000004_sessions::Migration),
            Box::new(m20261121_000005_editorial::Migration),
            Box::new(m20261121_000006_previews::Migration),
            Box::new(m20261121_000007_media::Migration),
            Box::new(m20261121_000008_search::Migration),
            Box::new(m20261202_000009_audit_append_only::Migration),
            Box::new(m20261202_000010_leads::Migration),
            Box::new(m20261203_000011_wordpress::Migration),
            Box::new(m20261203_000012_clinic_archive::Migration),
            Box::new(m20261203_000013_wordpress_status::Migration),
            Box::new(m20261204_000014_clinic_settings::Migration),
            Box::new(m20261204_000015_office_closures::Migration),
            Box::new(m20261204_000016_routing_order::Migration),
        ]
    }
}

/// Foreign key helper: `child.col → parent.id`, deleting children with the parent.
pub(crate) fn fk_cascade(
    child: impl IntoIden + Clone + 'static,
    col: impl IntoIden + Clone + 'static,
    parent: impl IntoIden + Clone + 'static,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(child, col).to(parent, Alias::new("id")).on_delete(ForeignKeyAction::Cascade).to_owned()
}

/// Foreign key helper for optional references: set NULL when the parent goes.
pub(crate) fn fk_set_null(
    child: impl IntoIden + Clone + 'static,
    col: impl IntoIden + Clone + 'static,
    parent: impl IntoIden + Clone + 'static,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(child, col).to(parent, Alias::new("id")).on_delete(ForeignKeyAction::SetNull).to_owned()
}
