//! Sessions in the database (shared by every server process and kept across
//! restarts), and the network-owner flag on users.

use sea_orm_migration::{prelude::*, schema::*};

use crate::fk_cascade;
use crate::m20261121_000003_accounts::AppUser;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub enum Session {
    Table,
    Id,
    UserId,
    Data,
    ExpiresAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AppUserOwner {
    IsOwner,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AppUser::Table)
                    .add_column(boolean(AppUserOwner::IsOwner).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Session::Table)
                    .if_not_exists()
                    .col(string_len(Session::Id, 64).primary_key())
                    .col(integer_null(Session::UserId))
                    .col(text(Session::Data))
                    // Unix seconds, so expiry comparisons are plain integers on every database.
                    .col(big_integer(Session::ExpiresAt))
                    .col(timestamp_with_time_zone(Session::CreatedAt))
                    .foreign_key(&mut fk_cascade(Session::Table, Session::UserId, AppUser::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_session_expires").table(Session::Table).col(Session::ExpiresAt).to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("ix_session_user").table(Session::Table).col(Session::UserId).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Session::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(AppUser::Table).drop_column(AppUserOwner::IsOwner).to_owned()).await
    }
}
