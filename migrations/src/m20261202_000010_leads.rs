//! Leads: contact and appointment requests, their append-only history, the
//! outbox of side effects a lead's commit promises (e-mails, webhooks),
//! the one-use form tokens already spent, and each clinic's lead settings.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261121_000001_clinics::{Clinic, Location};
use crate::m20261121_000003_accounts::AppUser;
use crate::{fk_cascade, fk_set_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One visitor's request. Personal fields are plain text (shown escaped);
/// `erased_at` marks a stub whose personal fields were wiped on request.
#[derive(DeriveIden, Clone, Copy)]
pub enum Lead {
    Table,
    Id,
    ClinicId,
    /// The office it was routed to; NULL = the clinic's default inbox.
    LocationId,
    /// e.g. PMC-4F7K2Q, unique across the deployment.
    Reference,
    /// contact · appointment
    Kind,
    /// new · contacted · scheduled · closed · spam
    Status,
    Name,
    Email,
    Phone,
    /// phone · email · text
    ContactMethod,
    Message,
    Zip,
    /// JSON array of weekday keys.
    PreferredDays,
    /// JSON array: morning · afternoon · evening.
    PreferredTimes,
    /// new · returning · "" (not asked)
    Patient,
    /// Whether the visitor asked for a receipt by e-mail.
    WantsReceipt,
    ConsentVersion,
    ConsentText,
    /// The page the form was on.
    SourcePath,
    UtmSource,
    UtmMedium,
    UtmCampaign,
    /// chosen_office · page_office · zip_code · clinic_default
    RoutedBy,
    /// JSON array of reasons when status is spam on arrival.
    SpamReasons,
    /// Keyed hash of the sender's IP (for rate limits), never the IP itself.
    IpHash,
    AssigneeId,
    ReceivedAt,
    FirstResponseAt,
    ClosedAt,
    /// When the "not answered in time" e-mail went to the clinic admins.
    EscalatedAt,
    ErasedAt,
}

/// The history of a lead: received, routed, delivered, viewed, status
/// changes, notes. Append-only.
#[derive(DeriveIden, Clone, Copy)]
pub enum LeadEvent {
    Table,
    Id,
    LeadId,
    ClinicId,
    At,
    /// received · routed · delivery · viewed · status · assigned · note · spam · resend · export · erase
    Kind,
    UserId,
    UserEmail,
    Detail,
}

/// One side effect a commit promised, delivered by the outbox worker.
#[derive(DeriveIden, Clone, Copy)]
pub enum Outbox {
    Table,
    Id,
    ClinicId,
    LeadId,
    /// email · webhook
    Kind,
    /// office_notice · receipt · escalation · webhook
    Purpose,
    /// An e-mail address or a URL.
    Target,
    Subject,
    /// E-mail body, or the webhook's JSON.
    Payload,
    /// pending · sent · dead
    State,
    Attempts,
    NextAttemptAt,
    /// A worker holds the row until then (crash-safe claim).
    ClaimedUntil,
    LastError,
    CreatedAt,
    SentAt,
}

/// Form tokens already used (their nonce), so a token works once.
#[derive(DeriveIden, Clone, Copy)]
pub enum FormTokenUse {
    Table,
    Nonce,
    ClinicId,
    /// The lead it sent, so a second send of the same form answers with it.
    LeadReference,
    UsedAt,
}

/// Per-clinic lead settings; a clinic without a row uses the defaults.
#[derive(DeriveIden, Clone, Copy)]
pub enum LeadSettings {
    Table,
    ClinicId,
    /// Reference prefix, e.g. PMC.
    Prefix,
    ConsentText,
    ConsentVersion,
    /// First-response target in business minutes (default 240).
    ResponseTargetMinutes,
    /// Closed and spam leads are deleted after this many days (NULL: kept).
    RetentionDays,
    WebhookUrl,
    WebhookSecret,
    /// Signs this clinic's form tokens and keys the IP hashes (never shown).
    FormSecret,
    /// JSON array of origins allowed to POST /api/v1/leads from a browser.
    CorsOrigins,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Lead::Table)
                    .if_not_exists()
                    .col(pk_auto(Lead::Id))
                    .col(integer(Lead::ClinicId))
                    .col(integer_null(Lead::LocationId))
                    .col(string_len_uniq(Lead::Reference, 20))
                    .col(string_len(Lead::Kind, 16))
                    .col(string_len(Lead::Status, 16))
                    .col(string_len(Lead::Name, 200))
                    .col(string_len(Lead::Email, 254))
                    .col(string_len(Lead::Phone, 40))
                    .col(string_len(Lead::ContactMethod, 16))
                    .col(text(Lead::Message))
                    .col(string_len(Lead::Zip, 10))
                    .col(text(Lead::PreferredDays))
                    .col(text(Lead::PreferredTimes))
                    .col(string_len(Lead::Patient, 16))
                    .col(boolean(Lead::WantsReceipt))
                    .col(string_len(Lead::ConsentVersion, 40))
                    .col(text(Lead::ConsentText))
                    .col(string_len(Lead::SourcePath, 500))
                    .col(string_len_null(Lead::UtmSource, 200))
                    .col(string_len_null(Lead::UtmMedium, 200))
                    .col(string_len_null(Lead::UtmCampaign, 200))
                    .col(string_len(Lead::RoutedBy, 32))
                    .col(text_null(Lead::SpamReasons))
                    .col(string_len(Lead::IpHash, 64))
                    .col(integer_null(Lead::AssigneeId))
                    .col(timestamp_with_time_zone(Lead::ReceivedAt))
                    .col(timestamp_with_time_zone_null(Lead::FirstResponseAt))
                    .col(timestamp_with_time_zone_null(Lead::ClosedAt))
                    .col(timestamp_with_time_zone_null(Lead::EscalatedAt))
                    .col(timestamp_with_time_zone_null(Lead::ErasedAt))
                    .foreign_key(&mut fk_cascade(Lead::Table, Lead::ClinicId, Clinic::Table))
                    .foreign_key(&mut fk_set_null(Lead::Table, Lead::LocationId, Location::Table))
                    .foreign_key(&mut fk_set_null(Lead::Table, Lead::AssigneeId, AppUser::Table))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("lead_clinic_location_received", vec![Lead::ClinicId, Lead::LocationId, Lead::ReceivedAt]),
            ("lead_clinic_status", vec![Lead::ClinicId, Lead::Status]),
            ("lead_email_received", vec![Lead::Email, Lead::ReceivedAt]),
            ("lead_ip_received", vec![Lead::IpHash, Lead::ReceivedAt]),
        ] {
            let mut idx = Index::create().name(name).table(Lead::Table).to_owned();
            for c in cols {
                idx.col(c);
            }
            manager.create_index(idx).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(LeadEvent::Table)
                    .if_not_exists()
                    .col(big_pk_auto(LeadEvent::Id))
                    .col(integer(LeadEvent::LeadId))
                    .col(integer(LeadEvent::ClinicId))
                    .col(timestamp_with_time_zone(LeadEvent::At))
                    .col(string_len(LeadEvent::Kind, 16))
                    .col(integer_null(LeadEvent::UserId))
                    .col(string_len_null(LeadEvent::UserEmail, 254))
                    .col(text(LeadEvent::Detail))
                    .foreign_key(&mut fk_cascade(LeadEvent::Table, LeadEvent::LeadId, Lead::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("lead_event_lead").table(LeadEvent::Table).col(LeadEvent::LeadId).to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Outbox::Id))
                    .col(integer(Outbox::ClinicId))
                    .col(integer_null(Outbox::LeadId))
                    .col(string_len(Outbox::Kind, 16))
                    .col(string_len(Outbox::Purpose, 32))
                    .col(string_len(Outbox::Target, 1000))
                    .col(string_len(Outbox::Subject, 300))
                    .col(text(Outbox::Payload))
                    .col(string_len(Outbox::State, 16))
                    .col(integer(Outbox::Attempts))
                    .col(timestamp_with_time_zone(Outbox::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(Outbox::ClaimedUntil))
                    .col(text_null(Outbox::LastError))
                    .col(timestamp_with_time_zone(Outbox::CreatedAt))
                    .col(timestamp_with_time_zone_null(Outbox::SentAt))
                    .foreign_key(&mut fk_cascade(Outbox::Table, Outbox::ClinicId, Clinic::Table))
                    .foreign_key(&mut fk_cascade(Outbox::Table, Outbox::LeadId, Lead::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("outbox_state_next")
                    .table(Outbox::Table)
                    .col(Outbox::State)
                    .col(Outbox::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("outbox_lead").table(Outbox::Table).col(Outbox::LeadId).to_owned())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FormTokenUse::Table)
                    .if_not_exists()
                    .col(string_len(FormTokenUse::Nonce, 64).primary_key())
                    .col(integer(FormTokenUse::ClinicId))
                    .col(string_len(FormTokenUse::LeadReference, 20))
                    .col(timestamp_with_time_zone(FormTokenUse::UsedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LeadSettings::Table)
                    .if_not_exists()
                    .col(integer(LeadSettings::ClinicId).primary_key())
                    .col(string_len(LeadSettings::Prefix, 8))
                    .col(text(LeadSettings::ConsentText))
                    .col(string_len(LeadSettings::ConsentVersion, 40))
                    .col(integer(LeadSettings::ResponseTargetMinutes))
                    .col(integer_null(LeadSettings::RetentionDays))
                    .col(string_len_null(LeadSettings::WebhookUrl, 1000))
                    .col(string_len_null(LeadSettings::WebhookSecret, 200))
                    .col(string_len(LeadSettings::FormSecret, 64))
                    .col(text(LeadSettings::CorsOrigins))
                    .col(timestamp_with_time_zone(LeadSettings::UpdatedAt))
                    .foreign_key(&mut fk_cascade(LeadSettings::Table, LeadSettings::ClinicId, Clinic::Table))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [LeadSettings::Table.into_iden(), FormTokenUse::Table.into_iden(), Outbox::Table.into_iden()] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        manager.drop_table(Table::drop().table(LeadEvent::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Lead::Table).to_owned()).await
    }
}
