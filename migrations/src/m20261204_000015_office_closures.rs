//! Offices: holiday closures (`closures`, a JSON list of date ranges with a
//! label) and archiving (`archived_at` set: the office is gone from the
//! public site, the forms and routing, while its leads and people stay).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261121_000001_clinics::Location;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum OfficeClosures {
    Closures,
    ArchivedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Location::Table)
                    .add_column(text(OfficeClosures::Closures).default("[]"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Location::Table)
                    .add_column(timestamp_with_time_zone_null(OfficeClosures::ArchivedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Location::Table).drop_column(OfficeClosures::ArchivedAt).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Location::Table).drop_column(OfficeClosures::Closures).to_owned())
            .await
    }
}
