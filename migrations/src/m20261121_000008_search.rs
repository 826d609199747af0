//! The search change log (what the tantivy indexers tail) and the log of
//! searches that found nothing (what marketers should write about next).

use sea_orm_migration::{prelude::*, schema::*};

use crate::fk_cascade;
use crate::m20261121_000001_clinics::Clinic;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One row per change to a post that search must follow (publish, edit,
/// unpublish, delete, slug, tag, author or location change), written in the
/// same transaction as the change. No foreign keys: a row about a deleted
/// post must stay, so that indexers remove it.
#[derive(DeriveIden, Clone, Copy)]
pub enum SearchChange {
    Table,
    Id,
    ClinicId,
    PostId,
    At,
}

/// Searches with no results, counted per clinic, day and normalised query.
/// Nothing about the visitor is kept.
#[derive(DeriveIden, Clone, Copy)]
pub enum SearchMiss {
    Table,
    Id,
    ClinicId,
    Day,
    Query,
    Count,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SearchChange::Table)
                    .if_not_exists()
                    .col(big_pk_auto(SearchChange::Id))
                    .col(integer(SearchChange::ClinicId))
                    .col(integer(SearchChange::PostId))
                    .col(timestamp_with_time_zone(SearchChange::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SearchMiss::Table)
                    .if_not_exists()
                    .col(pk_auto(SearchMiss::Id))
                    .col(integer(SearchMiss::ClinicId))
                    .col(date(SearchMiss::Day))
                    .col(string_len(SearchMiss::Query, 200))
                    .col(integer(SearchMiss::Count))
                    .foreign_key(&mut fk_cascade(SearchMiss::Table, SearchMiss::ClinicId, Clinic::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("search_miss_clinic_day_query")
                    .table(SearchMiss::Table)
                    .col(SearchMiss::ClinicId)
                    .col(SearchMiss::Day)
                    .col(SearchMiss::Query)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(SearchMiss::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(SearchChange::Table).to_owned()).await
    }
}
