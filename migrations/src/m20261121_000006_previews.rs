//! Private preview links of posts (only the token's SHA-256 is stored), and
//! old slugs of renamed or merged categories, tags and authors (for 301s).

use sea_orm_migration::{prelude::*, schema::*};

use crate::fk_cascade;
use crate::m20261121_000001_clinics::Clinic;
use crate::m20261121_000002_content::Post;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub enum PreviewLink {
    Table,
    Id,
    PostId,
    ClinicId,
    TokenHash,
    ExpiresAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum TermRedirect {
    Table,
    Id,
    ClinicId,
    Kind,
    OldSlug,
    TermId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PreviewLink::Table)
                    .if_not_exists()
                    .col(pk_auto(PreviewLink::Id))
                    .col(integer(PreviewLink::PostId))
                    .col(integer(PreviewLink::ClinicId))
                    .col(string_len_uniq(PreviewLink::TokenHash, 64))
                    .col(timestamp_with_time_zone(PreviewLink::ExpiresAt))
                    .col(timestamp_with_time_zone(PreviewLink::CreatedAt))
                    .foreign_key(&mut fk_cascade(PreviewLink::Table, PreviewLink::PostId, Post::Table))
                    .foreign_key(&mut fk_cascade(PreviewLink::Table, PreviewLink::ClinicId, Clinic::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TermRedirect::Table)
                    .if_not_exists()
                    .col(pk_auto(TermRedirect::Id))
                    .col(integer(TermRedirect::ClinicId))
                    // "category", "tag" or "author"; term_id is that table's id.
                    .col(string_len(TermRedirect::Kind, 16))
                    .col(string_len(TermRedirect::OldSlug, 200))
                    .col(integer(TermRedirect::TermId))
                    .foreign_key(&mut fk_cascade(TermRedirect::Table, TermRedirect::ClinicId, Clinic::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_term_redirect")
                    .table(TermRedirect::Table)
                    .col(TermRedirect::ClinicId)
                    .col(TermRedirect::Kind)
                    .col(TermRedirect::OldSlug)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(TermRedirect::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(PreviewLink::Table).to_owned()).await
    }
}
