//! The editorial workflow: post versions (stale-edit detection), revisions,
//! old-slug redirects, the audit log, sign-in attempts (throttling) and
//! password-reset tokens.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261121_000001_clinics::Clinic;
use crate::m20261121_000002_content::Post;
use crate::m20261121_000003_accounts::AppUser;
use crate::{fk_cascade, fk_set_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum PostVersion {
    Version,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum PostRevision {
    Table,
    Id,
    PostId,
    UserId,
    UserName,
    CreatedAt,
    Title,
    BodyMd,
    Snapshot,
    Note,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum PostRedirect {
    Table,
    Id,
    ClinicId,
    OldSlug,
    PostId,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum AuditLog {
    Table,
    Id,
    ClinicId,
    UserId,
    UserEmail,
    Action,
    TargetKind,
    TargetId,
    Summary,
    At,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum LoginAttempt {
    Table,
    Id,
    Email,
    Ip,
    Success,
    At,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum PasswordReset {
    Table,
    Id,
    UserId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Post::Table).add_column(integer(PostVersion::Version).default(1)).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PostRevision::Table)
                    .if_not_exists()
                    .col(pk_auto(PostRevision::Id))
                    .col(integer(PostRevision::PostId))
                    .col(integer_null(PostRevision::UserId))
                    .col(string_len(PostRevision::UserName, 200))
                    .col(timestamp_with_time_zone(PostRevision::CreatedAt))
                    .col(string_len(PostRevision::Title, 300))
                    .col(text(PostRevision::BodyMd))
                    // Every other field of the editor form, as JSON.
                    .col(text(PostRevision::Snapshot))
                    .col(string_len_null(PostRevision::Note, 300))
                    .foreign_key(&mut fk_cascade(PostRevision::Table, PostRevision::PostId, Post::Table))
                    .foreign_key(&mut fk_set_null(PostRevision::Table, PostRevision::UserId, AppUser::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_post_revision_post")
                    .table(PostRevision::Table)
                    .col(PostRevision::PostId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PostRedirect::Table)
                    .if_not_exists()
                    .col(pk_auto(PostRedirect::Id))
                    .col(integer(PostRedirect::ClinicId))
                    .col(string_len(PostRedirect::OldSlug, 200))
                    .col(integer(PostRedirect::PostId))
                    .foreign_key(&mut fk_cascade(PostRedirect::Table, PostRedirect::ClinicId, Clinic::Table))
                    .foreign_key(&mut fk_cascade(PostRedirect::Table, PostRedirect::PostId, Post::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_post_redirect_slug")
                    .table(PostRedirect::Table)
                    .col(PostRedirect::ClinicId)
                    .col(PostRedirect::OldSlug)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .if_not_exists()
                    .col(pk_auto(AuditLog::Id))
                    .col(integer_null(AuditLog::ClinicId))
                    .col(integer_null(AuditLog::UserId))
                    // Copied, so the entry still says who after the user is deleted.
                    .col(string_len(AuditLog::UserEmail, 320))
                    .col(string_len(AuditLog::Action, 64))
                    .col(string_len(AuditLog::TargetKind, 32))
                    .col(integer_null(AuditLog::TargetId))
                    .col(text(AuditLog::Summary))
                    .col(timestamp_with_time_zone(AuditLog::At))
                    .foreign_key(&mut fk_set_null(AuditLog::Table, AuditLog::ClinicId, Clinic::Table))
                    .foreign_key(&mut fk_set_null(AuditLog::Table, AuditLog::UserId, AppUser::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_clinic_at")
                    .table(AuditLog::Table)
                    .col(AuditLog::ClinicId)
                    .col(AuditLog::At)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LoginAttempt::Table)
                    .if_not_exists()
                    .col(pk_auto(LoginAttempt::Id))
                    .col(string_len(LoginAttempt::Email, 320))
                    .col(string_len(LoginAttempt::Ip, 64))
                    .col(boolean(LoginAttempt::Success))
                    .col(timestamp_with_time_zone(LoginAttempt::At))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [("ix_login_attempt_email", LoginAttempt::Email), ("ix_login_attempt_ip", LoginAttempt::Ip)]
        {
            manager
                .create_index(
                    Index::create().name(name).table(LoginAttempt::Table).col(col).col(LoginAttempt::At).to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(PasswordReset::Table)
                    .if_not_exists()
                    .col(pk_auto(PasswordReset::Id))
                    .col(integer(PasswordReset::UserId))
                    .col(string_len_uniq(PasswordReset::TokenHash, 64))
                    .col(timestamp_with_time_zone(PasswordReset::ExpiresAt))
                    .col(timestamp_with_time_zone_null(PasswordReset::UsedAt))
                    .col(timestamp_with_time_zone(PasswordReset::CreatedAt))
                    .foreign_key(&mut fk_cascade(PasswordReset::Table, PasswordReset::UserId, AppUser::Table))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            PasswordReset::Table.into_iden(),
            LoginAttempt::Table.into_iden(),
            AuditLog::Table.into_iden(),
            PostRedirect::Table.into_iden(),
            PostRevision::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        manager.alter_table(Table::alter().table(Post::Table).drop_column(PostVersion::Version).to_owned()).await
    }
}
