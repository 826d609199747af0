//! Archived clinics: `archived_at` set means the clinic's hosts answer
//! 410 Gone while every row of it stays, so the network owner can restore it.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261121_000001_clinics::Clinic;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum ClinicArchive {
    ArchivedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Clinic::Table)
                    .add_column(timestamp_with_time_zone_null(ClinicArchive::ArchivedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Clinic::Table).drop_column(ClinicArchive::ArchivedAt).to_owned()).await
    }
}
