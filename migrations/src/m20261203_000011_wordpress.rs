//! WordPress import: which post each item of a WXR export became, so that a
//! re-import updates instead of duplicating (keyed by the item's GUID), and
//! the old permalinks (`/?p=123`, `/2024/05/slug/`, the item's own link)
//! can answer with a 301 to the post.

use sea_orm_migration::{prelude::*, schema::*};

use crate::fk_cascade;
use crate::m20261121_000001_clinics::Clinic;
use crate::m20261121_000002_content::Post;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub enum WordpressPost {
    Table,
    Id,
    ClinicId,
    Guid,
    WpPostId,
    WpSlug,
    LinkPath,
    PostId,
    ImportedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WordpressPost::Table)
                    .if_not_exists()
                    .col(pk_auto(WordpressPost::Id))
                    .col(integer(WordpressPost::ClinicId))
                    .col(string_len(WordpressPost::Guid, 1000))
                    .col(big_integer(WordpressPost::WpPostId))
                    // Decoded and lower-cased, as matched against request paths.
                    .col(string_len(WordpressPost::WpSlug, 400))
                    .col(string_len_null(WordpressPost::LinkPath, 1000))
                    .col(integer(WordpressPost::PostId))
                    .col(timestamp_with_time_zone(WordpressPost::ImportedAt))
                    .foreign_key(&mut fk_cascade(WordpressPost::Table, WordpressPost::ClinicId, Clinic::Table))
                    .foreign_key(&mut fk_cascade(WordpressPost::Table, WordpressPost::PostId, Post::Table))
                    .to_owned(),
            )
            .await?;
        for (name, col, unique) in [
            ("ux_wordpress_post_guid", WordpressPost::Guid, true),
            ("ix_wordpress_post_wp_id", WordpressPost::WpPostId, false),
            ("ix_wordpress_post_wp_slug", WordpressPost::WpSlug, false),
            ("ix_wordpress_post_link_path", WordpressPost::LinkPath, false),
        ] {
            let mut index =
                Index::create().name(name).table(WordpressPost::Table).col(WordpressPost::ClinicId).col(col).to_owned();
            if unique {
                index.unique();
            }
            manager.create_index(index).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_wordpress_post_post")
                    .table(WordpressPost::Table)
                    .col(WordpressPost::PostId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(WordpressPost::Table).to_owned()).await
    }
}
