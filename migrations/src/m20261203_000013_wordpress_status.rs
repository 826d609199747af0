//! The WordPress status of each imported item as last imported, so that a
//! re-import changes a post's status here only when it changed in
//! WordPress: a post unpublished in Clinicpress stays unpublished.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261203_000011_wordpress::WordpressPost;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum WordpressStatus {
    WpStatus,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(WordpressPost::Table)
                    .add_column(string_len_null(WordpressStatus::WpStatus, 40))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(WordpressPost::Table).drop_column(WordpressStatus::WpStatus).to_owned())
            .await
    }
}
