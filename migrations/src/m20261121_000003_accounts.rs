//! Users and their per-clinic role memberships (filled by provision; login
//! arrives with the editorial work).

use sea_orm_migration::{prelude::*, schema::*};

use crate::fk_cascade;
use crate::m20261121_000001_clinics::{Clinic, Location};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub enum AppUser {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    Disabled,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Membership {
    Table,
    Id,
    UserId,
    ClinicId,
    LocationId,
    Role,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AppUser::Table)
                    .if_not_exists()
                    .col(pk_auto(AppUser::Id))
                    // Stored lower-cased.
                    .col(string_len_uniq(AppUser::Email, 320))
                    .col(string_len(AppUser::Name, 200))
                    .col(string_len_null(AppUser::PasswordHash, 200))
                    .col(boolean(AppUser::Disabled).default(false))
                    .col(timestamp_with_time_zone(AppUser::CreatedAt))
                    .col(timestamp_with_time_zone(AppUser::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Membership::Table)
                    .if_not_exists()
                    .col(pk_auto(Membership::Id))
                    .col(integer(Membership::UserId))
                    .col(integer(Membership::ClinicId))
                    .col(integer_null(Membership::LocationId))
                    .col(string_len(Membership::Role, 16))
                    .foreign_key(&mut fk_cascade(Membership::Table, Membership::UserId, AppUser::Table))
                    .foreign_key(&mut fk_cascade(Membership::Table, Membership::ClinicId, Clinic::Table))
                    .foreign_key(&mut fk_cascade(Membership::Table, Membership::LocationId, Location::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_membership_user").table(Membership::Table).col(Membership::UserId).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Membership::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(AppUser::Table).to_owned()).await
    }
}
