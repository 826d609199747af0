//! Uploaded images and their resized variants.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261121_000001_clinics::Clinic;
use crate::m20261121_000003_accounts::AppUser;
use crate::{fk_cascade, fk_set_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub enum Media {
    Table,
    Id,
    ClinicId,
    StoredName,
    Ext,
    Width,
    Height,
    Widths,
    Alt,
    OriginalName,
    Bytes,
    UserId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Media::Table)
                    .if_not_exists()
                    .col(pk_auto(Media::Id))
                    .col(integer(Media::ClinicId))
                    // Random hex; files are `{stored_name}-{width}.{ext}` under DATA_DIR/media/{clinic_id}/.
                    .col(string_len_uniq(Media::StoredName, 64))
                    .col(string_len(Media::Ext, 8))
                    .col(integer(Media::Width))
                    .col(integer(Media::Height))
                    // Widths of the stored variants, comma-separated, ascending.
                    .col(string_len(Media::Widths, 64))
                    .col(string_len(Media::Alt, 500))
                    .col(string_len(Media::OriginalName, 255))
                    .col(big_integer(Media::Bytes))
                    .col(integer_null(Media::UserId))
                    .col(timestamp_with_time_zone(Media::CreatedAt))
                    .foreign_key(&mut fk_cascade(Media::Table, Media::ClinicId, Clinic::Table))
                    .foreign_key(&mut fk_set_null(Media::Table, Media::UserId, AppUser::Table))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Media::Table).to_owned()).await
    }
}
