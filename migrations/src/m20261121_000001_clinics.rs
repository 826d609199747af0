//! Clinics, the host names they answer to, and their office locations.

use sea_orm_migration::{prelude::*, schema::*};

use crate::fk_cascade;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub enum Clinic {
    Table,
    Id,
    Slug,
    Name,
    Tagline,
    BrandColor,
    LogoUrl,
    Disclaimer,
    DefaultInbox,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum ClinicHost {
    Table,
    Id,
    ClinicId,
    Host,
    Position,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Location {
    Table,
    Id,
    ClinicId,
    Slug,
    Name,
    Address,
    Phone,
    Timezone,
    Hours,
    Inbox,
    ZipCodes,
    Latitude,
    Longitude,
    Position,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Clinic::Table)
                    .if_not_exists()
                    .col(pk_auto(Clinic::Id))
                    .col(string_len_uniq(Clinic::Slug, 64))
                    .col(string_len(Clinic::Name, 200))
                    .col(string_len_null(Clinic::Tagline, 300))
                    .col(string_len(Clinic::BrandColor, 16))
                    .col(string_len_null(Clinic::LogoUrl, 500))
                    .col(text_null(Clinic::Disclaimer))
                    .col(string_len(Clinic::DefaultInbox, 320))
                    .col(timestamp_with_time_zone(Clinic::CreatedAt))
                    .col(timestamp_with_time_zone(Clinic::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ClinicHost::Table)
                    .if_not_exists()
                    .col(pk_auto(ClinicHost::Id))
                    .col(integer(ClinicHost::ClinicId))
                    // A host name belongs to at most one clinic.
                    .col(string_len_uniq(ClinicHost::Host, 253))
                    .col(integer(ClinicHost::Position))
                    .foreign_key(&mut fk_cascade(ClinicHost::Table, ClinicHost::ClinicId, Clinic::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Location::Table)
                    .if_not_exists()
                    .col(pk_auto(Location::Id))
                    .col(integer(Location::ClinicId))
                    .col(string_len(Location::Slug, 64))
                    .col(string_len(Location::Name, 200))
                    .col(string_len(Location::Address, 500))
                    .col(string_len(Location::Phone, 40))
                    .col(string_len(Location::Timezone, 64))
                    // JSON: {"mon": "08:00-17:00", ...}
                    .col(text(Location::Hours))
                    // JSON arrays of strings.
                    .col(text(Location::Inbox))
                    .col(text(Location::ZipCodes))
                    .col(double_null(Location::Latitude))
                    .col(double_null(Location::Longitude))
                    .col(integer(Location::Position))
                    .foreign_key(&mut fk_cascade(Location::Table, Location::ClinicId, Clinic::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_location_clinic_slug")
                    .table(Location::Table)
                    .col(Location::ClinicId)
                    .col(Location::Slug)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_clinic_host_clinic")
                    .table(ClinicHost::Table)
                    .col(ClinicHost::ClinicId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Location::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ClinicHost::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Clinic::Table).to_owned()).await
    }
}
