//! Authors, categories, tags and posts (with their tag and location links).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261121_000001_clinics::{Clinic, Location};
use crate::{fk_cascade, fk_set_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
pub enum Author {
    Table,
    Id,
    ClinicId,
    Slug,
    Name,
    Credentials,
    Bio,
    PhotoUrl,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Category {
    Table,
    Id,
    ClinicId,
    Slug,
    Name,
    Description,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Tag {
    Table,
    Id,
    ClinicId,
    Slug,
    Name,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Post {
    Table,
    Id,
    ClinicId,
    Slug,
    Title,
    Excerpt,
    BodyMd,
    BodyHtml,
    BodyText,
    ReadingMinutes,
    Status,
    PublishedAt,
    CreatedAt,
    UpdatedAt,
    AuthorId,
    CategoryId,
    SeoTitle,
    SeoDescription,
    FeaturedImage,
    FeaturedImageAlt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum PostTag {
    Table,
    PostId,
    TagId,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum PostLocation {
    Table,
    PostId,
    LocationId,
}

async fn unique_per_clinic(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden + Clone + 'static,
) -> Result<(), DbErr> {
    manager
        .create_index(
            Index::create()
                .name(name)
                .table(table)
                .col(Alias::new("clinic_id"))
                .col(Alias::new("slug"))
                .unique()
                .to_owned(),
        )
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Author::Table)
                    .if_not_exists()
                    .col(pk_auto(Author::Id))
                    .col(integer(Author::ClinicId))
                    .col(string_len(Author::Slug, 120))
                    .col(string_len(Author::Name, 200))
                    .col(string_len_null(Author::Credentials, 120))
                    .col(text_null(Author::Bio))
                    .col(string_len_null(Author::PhotoUrl, 500))
                    .foreign_key(&mut fk_cascade(Author::Table, Author::ClinicId, Clinic::Table))
                    .to_owned(),
            )
            .await?;
        unique_per_clinic(manager, "ux_author_clinic_slug", Author::Table).await?;

        manager
            .create_table(
                Table::create()
                    .table(Category::Table)
                    .if_not_exists()
                    .col(pk_auto(Category::Id))
                    .col(integer(Category::ClinicId))
                    .col(string_len(Category::Slug, 120))
                    .col(string_len(Category::Name, 200))
                    .col(text_null(Category::Description))
                    .foreign_key(&mut fk_cascade(Category::Table, Category::ClinicId, Clinic::Table))
                    .to_owned(),
            )
            .await?;
        unique_per_clinic(manager, "ux_category_clinic_slug", Category::Table).await?;

        manager
            .create_table(
                Table::create()
                    .table(Tag::Table)
                    .if_not_exists()
                    .col(pk_auto(Tag::Id))
                    .col(integer(Tag::ClinicId))
                    .col(string_len(Tag::Slug, 120))
                    .col(string_len(Tag::Name, 200))
                    .foreign_key(&mut fk_cascade(Tag::Table, Tag::ClinicId, Clinic::Table))
                    .to_owned(),
            )
            .await?;
        unique_per_clinic(manager, "ux_tag_clinic_slug", Tag::Table).await?;

        manager
            .create_table(
                Table::create()
                    .table(Post::Table)
                    .if_not_exists()
                    .col(pk_auto(Post::Id))
                    .col(integer(Post::ClinicId))
                    .col(string_len(Post::Slug, 200))
                    .col(string_len(Post::Title, 300))
                    .col(text_null(Post::Excerpt))
                    .col(text(Post::BodyMd))
                    .col(text(Post::BodyHtml))
                    .col(text(Post::BodyText))
                    .col(integer(Post::ReadingMinutes))
                    .col(string_len(Post::Status, 16))
                    .col(timestamp_with_time_zone_null(Post::PublishedAt))
                    .col(timestamp_with_time_zone(Post::CreatedAt))
                    .col(timestamp_with_time_zone(Post::UpdatedAt))
                    .col(integer_null(Post::AuthorId))
                    .col(integer_null(Post::CategoryId))
                    .col(string_len_null(Post::SeoTitle, 300))
                    .col(string_len_null(Post::SeoDescription, 500))
                    .col(string_len_null(Post::FeaturedImage, 500))
                    .col(string_len_null(Post::FeaturedImageAlt, 500))
                    .foreign_key(&mut fk_cascade(Post::Table, Post::ClinicId, Clinic::Table))
                    .foreign_key(&mut fk_set_null(Post::Table, Post::AuthorId, Author::Table))
                    .foreign_key(&mut fk_set_null(Post::Table, Post::CategoryId, Category::Table))
                    .to_owned(),
            )
            .await?;
        unique_per_clinic(manager, "ux_post_clinic_slug", Post::Table).await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_post_listing")
                    .table(Post::Table)
                    .col(Post::ClinicId)
                    .col(Post::Status)
                    .col(Post::PublishedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PostTag::Table)
                    .if_not_exists()
                    .col(integer(PostTag::PostId))
                    .col(integer(PostTag::TagId))
                    .primary_key(Index::create().col(PostTag::PostId).col(PostTag::TagId))
                    .foreign_key(&mut fk_cascade(PostTag::Table, PostTag::PostId, Post::Table))
                    .foreign_key(&mut fk_cascade(PostTag::Table, PostTag::TagId, Tag::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("ix_post_tag_tag").table(PostTag::Table).col(PostTag::TagId).to_owned())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PostLocation::Table)
                    .if_not_exists()
                    .col(integer(PostLocation::PostId))
                    .col(integer(PostLocation::LocationId))
                    .primary_key(Index::create().col(PostLocation::PostId).col(PostLocation::LocationId))
                    .foreign_key(&mut fk_cascade(PostLocation::Table, PostLocation::PostId, Post::Table))
                    .foreign_key(&mut fk_cascade(PostLocation::Table, PostLocation::LocationId, Location::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_post_location_location")
                    .table(PostLocation::Table)
                    .col(PostLocation::LocationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            PostLocation::Table.into_iden(),
            PostTag::Table.into_iden(),
            Post::Table.into_iden(),
            Tag::Table.into_iden(),
            Category::Table.into_iden(),
            Author::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
