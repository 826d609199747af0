//! Escalation: a lead still without a first response once the clinic's
//! target has passed (`lead_settings.response_target_minutes`, by default
//! 4 business hours, measured by [`super::clock`] in the office's opening
//! hours) gets ONE e-mail to the clinic's admins.
//!
//! Exactly once, also with several server processes: one transaction sets
//! `escalated_at` with `UPDATE … WHERE id = ? AND escalated_at IS NULL`,
//! and only the process whose update changed the row queues the e-mails
//! (outbox purpose `escalation`) and writes the history line. Like the
//! office notice, the e-mail says that a request waits, never what it says.
//!
//! [`due`] and [`overdue`] are the rules (plain functions); [`run`] applies
//! them at an instant; [`Escalator::spawn`] does that every minute.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::clock;
use super::inbox::{office_clock, waited_text};
use super::outbox::{self, Notice, Outbox};
use super::status::LeadStatus;
use crate::accounts::authz::Role;
use crate::clinics::tenancy::{HostKind, classify};
use crate::entities::{app_user, clinic, clinic_host, lead, lead_settings, location, membership};

/// How often the task looks for overdue leads.
pub const EVERY: StdDuration = StdDuration::from_secs(60);
/// Most leads one clinic escalates per round (the rest wait a minute).
const BATCH: u64 = 200;

/// Where links in e-mails sent by background tasks point (there is no
/// request to take the address from): the clinic's first public host name
/// (`https` when the server sets secure cookies), else `{slug}.localhost`
/// on the server's port, as in development.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Links {
    pub https: bool,
    pub port: u16,
}

impl Links {
    pub async fn base_url<C: ConnectionTrait>(&self, db: &C, clinic: &clinic::Model) -> Result<String, DbErr> {
        let hosts = clinic_host::Entity::find()
            .filter(clinic_host::Column::ClinicId.eq(clinic.id))
            .order_by_asc(clinic_host::Column::Id)
            .all(db)
            .await?;
        let scheme = if self.https { "https" } else { "http" };
        Ok(match hosts.iter().find(|h| matches!(classify(&h.host), HostKind::Name(_))) {
            Some(h) => format!("{scheme}://{}", h.host),
            None => format!("http://{}.localhost:{}", clinic.slug, self.port),
        })
    }
}

/// Whether the lead still waits for a first response (and has not been
/// escalated or erased): only those can be escalated.
pub fn waiting_for_answer(l: &lead::Model) -> bool {
    l.first_response_at.is_none()
        && l.escalated_at.is_none()
        && l.erased_at.is_none()
        && matches!(LeadStatus::parse(&l.status), Some(LeadStatus::New | LeadStatus::Contacted | LeadStatus::Scheduled))
}

/// When the lead becomes overdue: `target` business minutes of its office's
/// opening hours after it arrived (the default inbox counts every hour).
/// `None` when it cannot be escalated, or the office has no opening hours.
pub fn due(l: &lead::Model, office: Option<&location::Model>, target: u32) -> Option<DateTime<Utc>> {
    if !waiting_for_answer(l) {
        return None;
    }
    let (hours, tz) = office_clock(office);
    clock::due_at(l.received_at, target, &hours, tz)
}

/// The leads among `leads` that are overdue at `now` and not yet escalated.
pub fn overdue<'a>(
    leads: &'a [lead::Model],
    offices: &[location::Model],
    target: u32,
    now: DateTime<Utc>,
) -> Vec<&'a lead::Model> {
    leads
        .iter()
        .filter(|l| {
            let office = l.location_id.and_then(|id| offices.iter().find(|o| o.id == id));
            due(l, office, target).is_some_and(|at| at <= now)
        })
        .collect()
}

/// "4 business hours", "1 business hour", "90 business minutes".
pub fn target_text(minutes: u32) -> String {
    match minutes {
        60 => "1 business hour".to_string(),
        m if m % 60 == 0 => format!("{} business hours", m / 60),
        1 => "1 business minute".to_string(),
        m => format!("{m} business minutes"),
    }
}

/// The e-mail to the clinic's admins: which request waits and for how
/// long, with a link; never the visitor's name, contact or message.
pub fn notice(
    clinic: &clinic::Model,
    office: Option<&str>,
    l: &lead::Model,
    waited: Duration,
    target: u32,
    base_url: &str,
) -> Notice {
    let what = if l.kind == "appointment" { "appointment request" } else { "message" };
    let place = office.map_or_else(|| format!("{} (default inbox)", clinic.name), |o| format!("{} – {o}", clinic.name));
    Notice {
        subject: format!("Not answered in time: {what} {} for {place}", l.reference),
        body: format!(
            "The {what} {} for {place} has not had a first answer yet.\n\n\
             Received: {} UTC\n\
             Waiting: {} of the office's opening hours (the clinic's target is {})\n\
             Open it in the inbox: {}/admin/{}/leads/{}\n\n\
             You receive this because you are an administrator of {}. This e-mail is sent \
             once per request. For the patient's privacy it does not contain the request: \
             sign in to read and answer it.\n",
            l.reference,
            l.received_at.format("%Y-%m-%d %H:%M"),
            waited_text(waited),
            target_text(target),
            base_url.trim_end_matches('/'),
            clinic.slug,
            l.reference,
            clinic.name,
        ),
    }
}

/// The clinic's admins' e-mail addresses (enabled accounts); when the
/// clinic has none, its default inbox, so an escalation is never lost.
pub async fn recipients<C: ConnectionTrait>(db: &C, clinic: &clinic::Model) -> Result<Vec<String>, DbErr> {
    let ids: Vec<i32> = membership::Entity::find()
        .filter(membership::Column::ClinicId.eq(clinic.id))
        .filter(membership::Column::Role.eq(Role::Admin.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    let mut to: Vec<String> = app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(ids))
        .filter(app_user::Column::Disabled.eq(false))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.email)
        .collect();
    to.sort();
    to.dedup();
    if to.is_empty() {
        to.push(clinic.default_inbox.clone());
    }
    Ok(to)
}

/// The clinic's first-response target in business minutes.
pub async fn target_minutes<C: ConnectionTrait>(db: &C, clinic_id: i32) -> Result<u32, DbErr> {
    Ok(lead_settings::Entity::find_by_id(clinic_id)
        .one(db)
        .await?
        .map_or(clock::DEFAULT_TARGET_MINUTES, |s| s.response_target_minutes.max(0) as u32))
}

/// Escalate one lead: mark it, and only if this call marked it, queue the
/// e-mails and write the history line, all in one transaction. Returns
/// whether it did.
async fn escalate(
    db: &DatabaseConnection,
    clinic: &clinic::Model,
    l: &lead::Model,
    office: Option<&location::Model>,
    target: u32,
    links: Links,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let to = recipients(db, clinic).await?;
    let base = links.base_url(db, clinic).await?;
    let (hours, tz) = office_clock(office);
    let waited = clock::business_time(l.received_at, now, &hours, tz);
    let notice = notice(clinic, office.map(|o| o.name.as_str()), l, waited, target, &base);

    let txn = crate::db::begin_write(db).await?;
    let marked = lead::Entity::update_many()
        .col_expr(lead::Column::EscalatedAt, Expr::value(now))
        .filter(lead::Column::Id.eq(l.id))
        .filter(lead::Column::EscalatedAt.is_null())
        .filter(lead::Column::FirstResponseAt.is_null())
        .filter(lead::Column::ErasedAt.is_null())
        .filter(lead::Column::Status.is_in(["new", "contacted", "scheduled"]))
        .exec(&txn)
        .await?;
    if marked.rows_affected != 1 {
        // Another process did it, or the lead was answered meanwhile.
        txn.rollback().await?;
        return Ok(false);
    }
    for address in &to {
        outbox::enqueue_email(&txn, l, "escalation", address, &notice, now).await?;
    }
    let detail = format!(
        "No first answer after {} ({} waited): escalated to the clinic admins ({} address(es))",
        target_text(target),
        waited_text(waited),
        to.len()
    );
    super::store::event(&txn, l, now, "escalated", &detail).await?;
    txn.commit().await?;
    Ok(true)
}

/// Escalate every lead overdue now by the database's clock, so that every
/// process judges "overdue" by the same clock (one with a clock running
/// ahead would escalate early; which process escalates is decided by the
/// conditional UPDATE in any case).
pub async fn run_now(db: &DatabaseConnection, links: Links) -> Result<Vec<String>, DbErr> {
    let now = crate::db::clock::now(db).await?;
    run(db, links, now).await
}

/// Escalate every lead overdue at `now`; returns their references.
pub async fn run(db: &DatabaseConnection, links: Links, now: DateTime<Utc>) -> Result<Vec<String>, DbErr> {
    let mut done = Vec::new();
    // An archived clinic's site is closed: nobody is chased about its requests.
    let open = clinic::Entity::find().filter(clinic::Column::ArchivedAt.is_null()).order_by_asc(clinic::Column::Id);
    for c in open.all(db).await? {
        let target = target_minutes(db, c.id).await?;
        // Business time never runs faster than the wall clock: nothing
        // received after `now - target` can be overdue yet.
        let latest = now - Duration::minutes(i64::from(target));
        let offices = super::store::offices(db, c.id).await?;
        // Page through every candidate by id: leads that are not due (an
        // office without opening hours, a long weekend) must not keep newer
        // overdue ones out of a fixed-size batch.
        let mut after = 0;
        loop {
            let candidates = lead::Entity::find()
                .filter(lead::Column::ClinicId.eq(c.id))
                .filter(lead::Column::Id.gt(after))
                .filter(lead::Column::EscalatedAt.is_null())
                .filter(lead::Column::FirstResponseAt.is_null())
                .filter(lead::Column::ErasedAt.is_null())
                .filter(lead::Column::Status.is_in(["new", "contacted", "scheduled"]))
                .filter(lead::Column::ReceivedAt.lte(latest))
                .order_by_asc(lead::Column::Id)
                .limit(BATCH)
                .all(db)
                .await?;
            let Some(last) = candidates.last() else { break };
            after = last.id;
            for l in overdue(&candidates, &offices, target, now) {
                let office = l.location_id.and_then(|id| offices.iter().find(|o| o.id == id));
                if escalate(db, &c, l, office, target, links, now).await? {
                    done.push(l.reference.clone());
                }
            }
        }
    }
    Ok(done)
}

/// The task: [`run`] every [`EVERY`], waking the outbox when it queued mail.
#[derive(Clone)]
pub struct Escalator {
    db: DatabaseConnection,
    outbox: Outbox,
    links: Links,
}

impl Escalator {
    pub fn new(db: DatabaseConnection, outbox: Outbox, links: Links) -> Self {
        Escalator { db, outbox, links }
    }

    pub fn spawn(&self, stop: crate::shutdown::CancellationToken) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stop.cancelled() => return,
                }
                match run_now(&me.db, me.links).await {
                    Ok(done) if !done.is_empty() => {
                        tracing::info!(count = done.len(), "escalated leads not answered in time");
                        me.outbox.wake();
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "escalation: cannot read the leads; retrying"),
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::America::Los_Angeles;

    fn la(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Los_Angeles.with_ymd_and_hms(y, mo, d, h, mi, 0).earliest().unwrap().with_timezone(&Utc)
    }

    /// Concord: Monday to Thursday 08:30–17:00 (Tuesday with a lunch break), closed Friday to Sunday.
    fn concord() -> location::Model {
        location::Model {
            id: 10,
            clinic_id: 1,
            slug: "concord".into(),
            name: "Concord".into(),
            address: String::new(),
            phone: String::new(),
            timezone: "America/Los_Angeles".into(),
            hours: r#"{"mon":"08:30-17:00","tue":"08:30-12:30,13:30-17:00","wed":"08:30-17:00","thu":"08:30-17:00"}"#
                .into(),
            inbox: "[]".into(),
            zip_codes: "[]".into(),
            latitude: None,
            longitude: None,
            position: 0,
            closures: "[]".into(),
            archived_at: None,
        }
    }

    fn no_hours() -> location::Model {
        location::Model { id: 11, slug: "closed".into(), hours: "{}".into(), ..concord() }
    }

    fn lead(id: i32, office: Option<i32>, received_at: DateTime<Utc>) -> lead::Model {
        lead::Model {
            id,
            clinic_id: 1,
            location_id: office,
            reference: format!("PMC-{id:06}"),
            kind: "contact".into(),
            status: "new".into(),
            name: "Ann Example".into(),
            email: "ann@example.com".into(),
            phone: String::new(),
            contact_method: "email".into(),
            message: "My knee hurts".into(),
            zip: String::new(),
            preferred_days: "[]".into(),
            preferred_times: "[]".into(),
            patient: String::new(),
            wants_receipt: false,
            consent_version: "v".into(),
            consent_text: "ok".into(),
            source_path: "/contact".into(),
            utm_source: None,
            utm_medium: None,
            utm_campaign: None,
            routed_by: "chosen_office".into(),
            spam_reasons: None,
            ip_hash: String::new(),
            assignee_id: None,
            received_at,
            first_response_at: None,
            closed_at: None,
            escalated_at: None,
            erased_at: None,
        }
    }

    fn ids(v: Vec<&lead::Model>) -> Vec<i32> {
        v.into_iter().map(|l| l.id).collect()
    }

    #[test]
    fn overdue_after_four_business_hours_not_before() {
        let offices = [concord()];
        // Monday 2025-06-16 10:00 in Concord: due at 14:00 the same day.
        let leads = [lead(1, Some(10), la(2025, 6, 16, 10, 0))];
        assert_eq!(due(&leads[0], Some(&offices[0]), 240), Some(la(2025, 6, 16, 14, 0)));
        assert!(overdue(&leads, &offices, 240, la(2025, 6, 16, 13, 59)).is_empty());
        assert_eq!(ids(overdue(&leads, &offices, 240, la(2025, 6, 16, 14, 0))), [1]);
        // A shorter target is met sooner.
        assert_eq!(ids(overdue(&leads, &offices, 60, la(2025, 6, 16, 11, 0))), [1]);
    }

    #[test]
    fn closed_days_and_nights_do_not_count() {
        let offices = [concord()];
        // Thursday 16:00: one hour left that day, then Friday to Sunday closed, due Monday 11:30.
        let leads = [lead(1, Some(10), la(2025, 6, 19, 16, 0))];
        for quiet in [la(2025, 6, 19, 23, 0), la(2025, 6, 20, 12, 0), la(2025, 6, 22, 23, 59), la(2025, 6, 23, 11, 29)]
        {
            assert!(overdue(&leads, &offices, 240, quiet).is_empty(), "{quiet}");
        }
        assert_eq!(ids(overdue(&leads, &offices, 240, la(2025, 6, 23, 11, 30))), [1]);
        // Tuesday's lunch break does not count either: 10:30 + 4 h of opening time is 15:30.
        let tuesday = [lead(2, Some(10), la(2025, 6, 17, 10, 30))];
        assert!(overdue(&tuesday, &offices, 240, la(2025, 6, 17, 15, 29)).is_empty());
        assert_eq!(ids(overdue(&tuesday, &offices, 240, la(2025, 6, 17, 15, 30))), [2]);
    }

    #[test]
    fn only_unanswered_open_leads_are_escalated_once() {
        let offices = [concord(), no_hours()];
        let t = la(2025, 6, 16, 9, 0);
        let later = t + Duration::days(7);
        let mut answered = lead(2, Some(10), t);
        answered.first_response_at = Some(t + Duration::minutes(5));
        answered.status = "contacted".into();
        let mut closed = lead(3, Some(10), t);
        closed.status = "closed".into();
        let mut spam = lead(4, Some(10), t);
        spam.status = "spam".into();
        let mut escalated = lead(5, Some(10), t);
        escalated.escalated_at = Some(t + Duration::hours(4));
        let mut erased = lead(6, Some(10), t);
        erased.erased_at = Some(t + Duration::hours(1));
        let without_hours = lead(7, Some(11), t);
        // The default inbox counts every hour, in UTC.
        let default_inbox = lead(8, None, t);
        let leads = [lead(1, Some(10), t), answered, closed, spam, escalated, erased, without_hours, default_inbox];
        assert_eq!(ids(overdue(&leads, &offices, 240, later)), [1, 8]);
        assert_eq!(due(&leads[7], None, 240), Some(t + Duration::hours(4)));
        assert_eq!(due(&leads[6], Some(&offices[1]), 240), None);
    }

    #[test]
    fn the_notice_has_no_lead_content() {
        let c = clinic::Model {
            id: 1,
            slug: "pmc".into(),
            name: "Pain Medicine Consultants".into(),
            tagline: None,
            brand_color: "#000".into(),
            logo_url: None,
            logo_width: None,
            logo_height: None,
            disclaimer: None,
            default_inbox: "frontdesk@pmc.example".into(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
            archived_at: None,
        };
        let l = lead(1, Some(10), la(2025, 6, 16, 10, 0));
        let n = notice(&c, Some("Concord"), &l, Duration::minutes(245), 240, "https://www.pmc.example/");
        assert!(n.subject.contains("PMC-000001") && n.subject.contains("Concord"), "{}", n.subject);
        assert!(n.body.contains("https://www.pmc.example/admin/pmc/leads/PMC-000001"), "{}", n.body);
        assert!(n.body.contains("4 h 05 min") && n.body.contains("4 business hours"), "{}", n.body);
        for secret in ["Ann", "ann@example.com", "knee"] {
            assert!(!n.subject.contains(secret) && !n.body.contains(secret), "{secret} leaked");
        }
        assert_eq!(target_text(60), "1 business hour");
        assert_eq!(target_text(90), "90 business minutes");
    }
}
