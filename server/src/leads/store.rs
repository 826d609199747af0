//! Taking in a lead. Everything is checked first (fields, office, spam
//! signals, rate limits); then ONE transaction writes the lead, its first
//! history lines and its outbox rows (the office notice, the visitor's
//! receipt, the webhook call). Only after that commit does the visitor see
//! a thank-you page; the outbox worker delivers afterwards.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use sha2::{Digest, Sha256};

use super::form::{FormKind, RawLead, validate};
use super::reference::{Prefix, Reference};
use super::routing::{self, Office, RoutedBy};
use super::spam::{self, FormToken, RateLimit, Signals};
use super::status::LeadStatus;
use crate::entities::{clinic, form_token_use, lead, lead_event, lead_settings, location};

/// The consent text shown until a clinic sets its own, and its version.
pub const DEFAULT_CONSENT: &str = "I agree that this clinic may store what I send here and contact me about it.";
pub const DEFAULT_CONSENT_VERSION: &str = "2026-12-01";

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// (field, message) pairs, in form order.
    #[error("the form has problems")]
    Invalid(Vec<(String, String)>),
    /// Too many requests from this address or e-mail; try again after this many seconds.
    #[error("too many requests")]
    RateLimited { retry_after: u64 },
    /// The database could not take the lead: nothing was saved.
    #[error("the request could not be saved: {0}")]
    Unavailable(#[from] DbErr),
}

/// Where a submission came from.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The page the form was on, e.g. `/locations/concord`.
    pub page_path: String,
    /// The office of that page, when it is an office page.
    pub page_office: Option<String>,
    /// The sender's IP address (hashed before it is stored).
    pub ip: String,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    /// `scheme://host` the visitor used, for links in staff e-mails.
    pub base_url: String,
}

/// The hidden fields: honeypot and token.
#[derive(Debug, Clone, Default)]
pub struct Hidden {
    pub honeypot: String,
    pub token: String,
    pub receipt: bool,
    /// A missing token is not a spam signal (the JSON API: a form on
    /// another site may not fetch one). A token that is sent is checked.
    pub token_optional: bool,
}

/// A lead safely stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub reference: String,
    /// The office it went to (slug), if any.
    pub office: Option<String>,
    /// Stored as suspected spam (the visitor is not told).
    pub spam: bool,
}

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    getrandom::getrandom(&mut b).expect("the operating system's random number generator failed");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The clinic's lead settings, made with defaults on first use.
pub async fn settings<C: ConnectionTrait>(db: &C, clinic_id: i32) -> Result<lead_settings::Model, DbErr> {
    if let Some(s) = lead_settings::Entity::find_by_id(clinic_id).one(db).await? {
        return Ok(s);
    }
    let c = clinic::Entity::find_by_id(clinic_id).one(db).await?.ok_or(DbErr::RecordNotFound("clinic".into()))?;
    let row = lead_settings::ActiveModel {
        clinic_id: Set(clinic_id),
        prefix: Set(Prefix::for_clinic(&c.name, &c.slug).as_str().to_string()),
        consent_text: Set(DEFAULT_CONSENT.into()),
        consent_version: Set(DEFAULT_CONSENT_VERSION.into()),
        response_target_minutes: Set(super::clock::DEFAULT_TARGET_MINUTES as i32),
        retention_days: Set(None),
        webhook_url: Set(None),
        webhook_secret: Set(None),
        form_secret: Set(random_hex(32)),
        cors_origins: Set("[]".into()),
        updated_at: Set(Utc::now()),
        routing_order: Set(routing::RuleOrder::default().as_str().into()),
    };
    // Two first requests at once: the second insert changes nothing.
    lead_settings::Entity::insert(row)
        .on_conflict(OnConflict::column(lead_settings::Column::ClinicId).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    lead_settings::Entity::find_by_id(clinic_id).one(db).await?.ok_or(DbErr::RecordNotFound("lead settings".into()))
}

/// A fresh one-use token for the clinic's forms.
pub async fn issue_token<C: ConnectionTrait>(db: &C, clinic_id: i32, now: DateTime<Utc>) -> Result<String, DbErr> {
    let s = settings(db, clinic_id).await?;
    Ok(FormToken::issue(s.form_secret.as_bytes(), clinic_id, now))
}

/// The clinic's offices, in their order, archived ones included (the
/// inbox still names them on their leads).
pub async fn offices<C: ConnectionTrait>(db: &C, clinic_id: i32) -> Result<Vec<location::Model>, DbErr> {
    location::Entity::find()
        .filter(location::Column::ClinicId.eq(clinic_id))
        .order_by_asc(location::Column::Position)
        .order_by_asc(location::Column::Id)
        .all(db)
        .await
}

/// The offices a visitor can write to and routing chooses among: not archived.
pub async fn live_offices<C: ConnectionTrait>(db: &C, clinic_id: i32) -> Result<Vec<location::Model>, DbErr> {
    Ok(offices(db, clinic_id).await?.into_iter().filter(|l| l.archived_at.is_none()).collect())
}

/// Route a lead among the clinic's live offices (see [`routing::route`]):
/// `page_office` is the slug of the office page the form was on. The live
/// form and the admin's routing tester both ask this.
pub fn route_among(
    live: &[location::Model],
    chosen: Option<&str>,
    page_office: Option<&str>,
    zip: Option<&str>,
    order: routing::RuleOrder,
) -> Result<routing::Route, routing::UnknownOffice> {
    let route_offices: Vec<Office> = live
        .iter()
        .map(|l| Office { id: l.id, slug: l.slug.clone(), zip_codes: list(&l.zip_codes), position: l.position })
        .collect();
    let page_office = page_office.and_then(|s| live.iter().find(|l| l.slug == s)).map(|l| l.id);
    routing::route(&route_offices, chosen, page_office, zip, order)
}

/// Who is told about a lead for `office`: its inbox, else the clinic's default inbox.
pub fn inboxes_for(clinic: &clinic::Model, office: Option<&location::Model>) -> Vec<String> {
    match office.map(|o| list(&o.inbox)).filter(|l| !l.is_empty()) {
        Some(l) => l,
        None => vec![clinic.default_inbox.clone()],
    }
}

fn list(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

/// Keyed hash of the sender's address: rate limits work, the address is not kept.
fn ip_hash(secret: &str, ip: &str) -> String {
    let mut h = Sha256::new();
    h.update(secret.as_bytes());
    h.update([0]);
    h.update(ip.as_bytes());
    h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Page and campaign details are bookkeeping, not what the visitor wrote:
/// control characters are dropped (PostgreSQL refuses NUL in text) and the
/// length is capped, so odd values are stored cleanly instead of failing.
fn clip(s: Option<&String>, n: usize) -> Option<String> {
    s.map(|v| v.trim().chars().filter(|c| !c.is_control()).take(n).collect::<String>()).filter(|v| !v.is_empty())
}

/// Check, then store in one transaction.
pub async fn submit(
    db: &DatabaseConnection,
    clinic: &clinic::Model,
    raw: &RawLead,
    hidden: &Hidden,
    origin: &Origin,
    now: DateTime<Utc>,
) -> Result<Accepted, SubmitError> {
    let settings = settings(db, clinic.id).await?;
    let token = FormToken::verify(settings.form_secret.as_bytes(), &hidden.token, clinic.id, now);
    let nonce = token.as_ref().ok().map(|c| c.nonce_key());
    // The same form sent again (a double click, a reload): the first lead answers.
    if let Some(n) = &nonce
        && let Some(first) = already_sent(db, n).await?
    {
        return Ok(first);
    }
    let all = live_offices(db, clinic.id).await?;
    let kind = FormKind::parse(&raw.kind).unwrap_or(FormKind::Contact);

    // 1. The fields, and the office the visitor chose.
    let mut errors: Vec<(String, String)> = Vec::new();
    let valid = match validate(kind, raw) {
        Ok(v) => Some(v),
        Err(e) => {
            errors = e.into_pairs();
            None
        }
    };
    let chosen = raw.office.trim();
    let order = routing::RuleOrder::parse(&settings.routing_order).unwrap_or_default();
    let route = match route_among(&all, Some(chosen), origin.page_office.as_deref(), Some(raw.zip.trim()), order) {
        Ok(r) => Some(r),
        Err(e) => {
            if !errors.iter().any(|(f, _)| f == "office") {
                errors.push(("office".into(), e.to_string()));
            }
            None
        }
    };
    let (Some(valid), Some(route)) = (valid, route) else {
        return Err(SubmitError::Invalid(errors));
    };

    // 2. Rate limits (per sender address and per e-mail address).
    let ip_rate_key = origin.ip.parse::<std::net::IpAddr>().map(spam::ip_key).unwrap_or_else(|_| origin.ip.clone());
    let ip_key = ip_hash(&settings.form_secret, &ip_rate_key);
    let limits = [
        (RateLimit::PER_IP, lead::Column::IpHash.eq(ip_key.clone())),
        (
            RateLimit::PER_EMAIL,
            lead::Column::Email.eq(valid.email.as_deref().map(spam::email_key).unwrap_or_else(|| "\u{0}".into())),
        ),
    ];
    for (limit, key) in limits {
        let recent = lead::Entity::find()
            .filter(key)
            .filter(lead::Column::ClinicId.eq(clinic.id))
            .filter(lead::Column::ReceivedAt.gt(limit.window_start(now)));
        if limit.exceeded(recent.clone().count(db).await?) {
            let oldest = recent.order_by_asc(lead::Column::ReceivedAt).one(db).await?.map_or(now, |l| l.received_at);
            return Err(SubmitError::RateLimited { retry_after: limit.retry_after(oldest, now) });
        }
    }

    // 3. Spam signals: suspected spam is stored for review, never notified.
    let mut verdict = spam::assess(&Signals {
        honeypot: &hidden.honeypot,
        token: &token,
        token_reused: false,
        now,
        min_fill_time: Duration::seconds(spam::DEFAULT_MIN_FILL_SECONDS),
    });
    if hidden.token_optional {
        verdict = verdict.without(spam::SpamReason::Token(spam::TokenError::Missing));
    }
    let is_spam = verdict.is_spam();
    let reasons: Vec<&str> = verdict.reasons().iter().map(|r| r.as_str()).collect();

    // 4. One transaction: token use, lead, history, outbox.
    let office = route.office.and_then(|id| all.iter().find(|l| l.id == id));
    let prefix = Prefix::parse(&settings.prefix).unwrap_or_else(|| Prefix::for_clinic(&clinic.name, &clinic.slug));
    // In this process's write turn, with SQLite's write lock from BEGIN
    // (a burst of leads waits in arrival order; see `db::begin_write`).
    let txn = crate::db::begin_write(db).await?;
    let mut reference = Reference::generate(&prefix);
    while lead::Entity::find().filter(lead::Column::Reference.eq(reference.as_str())).one(&txn).await?.is_some() {
        reference = Reference::generate(&prefix);
    }
    let appointment = valid.appointment.as_ref();
    let days: Vec<String> = appointment
        .map(|a| a.days.iter().map(|d| super::form::weekday_key(*d).to_string()).collect())
        .unwrap_or_default();
    let times: Vec<String> =
        appointment.map(|a| a.times.iter().map(|t| t.as_str().to_string()).collect()).unwrap_or_default();
    let saved = lead::ActiveModel {
        clinic_id: Set(clinic.id),
        location_id: Set(route.office),
        reference: Set(reference.as_str().to_string()),
        kind: Set(kind.as_str().to_string()),
        status: Set(if is_spam { LeadStatus::Spam } else { LeadStatus::New }.as_str().to_string()),
        name: Set(valid.name.clone()),
        email: Set(valid.email.as_deref().map(spam::email_key).unwrap_or_default()),
        phone: Set(valid.phone.clone().unwrap_or_default()),
        contact_method: Set(valid.contact_method.as_str().to_string()),
        message: Set(valid.message.clone()),
        zip: Set(valid.zip.clone().unwrap_or_default()),
        preferred_days: Set(serde_json::to_string(&days).expect("strings serialise")),
        preferred_times: Set(serde_json::to_string(&times).expect("strings serialise")),
        patient: Set(appointment.map(|a| a.patient.as_str().to_string()).unwrap_or_default()),
        wants_receipt: Set(hidden.receipt && valid.email.is_some()),
        consent_version: Set(settings.consent_version.clone()),
        consent_text: Set(settings.consent_text.clone()),
        source_path: Set(clip(Some(&origin.page_path), 500).unwrap_or_default()),
        utm_source: Set(clip(origin.utm_source.as_ref(), 200)),
        utm_medium: Set(clip(origin.utm_medium.as_ref(), 200)),
        utm_campaign: Set(clip(origin.utm_campaign.as_ref(), 200)),
        routed_by: Set(route.by.as_str().to_string()),
        spam_reasons: Set(is_spam.then(|| serde_json::to_string(&reasons).expect("strings serialise"))),
        ip_hash: Set(ip_key),
        assignee_id: Set(None),
        received_at: Set(now),
        first_response_at: Set(None),
        closed_at: Set(None),
        escalated_at: Set(None),
        erased_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if let Some(n) = &nonce {
        let inserted = form_token_use::Entity::insert(form_token_use::ActiveModel {
            nonce: Set(n.clone()),
            clinic_id: Set(clinic.id),
            lead_reference: Set(saved.reference.clone()),
            used_at: Set(now),
        })
        .on_conflict(OnConflict::column(form_token_use::Column::Nonce).do_nothing().to_owned())
        .exec_without_returning(&txn)
        .await?;
        if inserted == 0 {
            // The same form sent twice at the same moment: the first one counts.
            txn.rollback().await?;
            return already_sent(db, n).await?.ok_or(SubmitError::Unavailable(DbErr::RecordNotFound("lead".into())));
        }
    }
    let office_name = office.map(|o| o.name.clone());
    let where_to = match &office_name {
        Some(n) => format!("the {n} office"),
        None => "the clinic's default inbox".to_string(),
    };
    event(&txn, &saved, now, "received", &format!("Received from {}", saved.source_path)).await?;
    event(&txn, &saved, now, "routed", &format!("Routed to {where_to} by {}", route.by.label())).await?;
    if is_spam {
        let why: Vec<String> = verdict.reasons().iter().map(|r| r.describe()).collect();
        event(&txn, &saved, now, "spam", &format!("Held as suspected spam: {}", why.join("; "))).await?;
    } else {
        let inboxes = inboxes_for(clinic, office);
        let notice = super::outbox::office_notice(clinic, office_name.as_deref(), &saved, &origin.base_url);
        for to in inboxes {
            super::outbox::enqueue_email(&txn, &saved, "office_notice", &to, &notice, now).await?;
        }
        if saved.wants_receipt {
            let receipt = super::outbox::receipt(clinic, office, &saved);
            super::outbox::enqueue_email(&txn, &saved, "receipt", &saved.email.clone(), &receipt, now).await?;
        }
        let office_slug = office.map(|o| o.slug.as_str());
        super::webhook::enqueue(&txn, &settings, clinic, office_slug, &saved, &origin.base_url, now).await?;
    }
    txn.commit().await?;
    // Every stored lead passes here once (form and JSON API alike; a form sent again does not).
    crate::ops::metrics::lead_received(&clinic.slug);
    Ok(Accepted { reference: saved.reference, office: office.map(|o| o.slug.clone()), spam: is_spam })
}

/// The lead a form token already sent, if any.
async fn already_sent<C: ConnectionTrait>(db: &C, nonce: &str) -> Result<Option<Accepted>, DbErr> {
    let Some(used) = form_token_use::Entity::find_by_id(nonce.to_string()).one(db).await? else {
        return Ok(None);
    };
    let Some(first) = lead::Entity::find().filter(lead::Column::Reference.eq(&used.lead_reference)).one(db).await?
    else {
        return Ok(None);
    };
    let office = match first.location_id {
        Some(id) => location::Entity::find_by_id(id).one(db).await?.map(|l| l.slug),
        None => None,
    };
    Ok(Some(Accepted { reference: first.reference, office, spam: first.status == LeadStatus::Spam.as_str() }))
}

/// Add a line to a lead's history.
pub async fn event<C: ConnectionTrait>(
    db: &C,
    lead: &lead::Model,
    at: DateTime<Utc>,
    kind: &str,
    detail: &str,
) -> Result<(), DbErr> {
    lead_event::ActiveModel {
        lead_id: Set(lead.id),
        clinic_id: Set(lead.clinic_id),
        at: Set(at),
        kind: Set(kind.to_string()),
        user_id: Set(None),
        user_email: Set(None),
        detail: Set(detail.to_string()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Routing explained for the visitor-facing label (`RoutedBy` stored as text).
pub fn routed_by_label(stored: &str) -> &'static str {
    RoutedBy::parse(stored).map_or("unknown", RoutedBy::label)
}
