//! The outbox: side effects a lead's commit promised, delivered afterwards
//! with retries. Rows are written in the lead's transaction; a worker task
//! claims due rows (an `UPDATE … WHERE claimed_until is past`, checked by
//! the number of rows it changed, which only one process can win, on
//! SQLite and PostgreSQL alike), sends them, and records the outcome on the
//! row and in the lead's history. A mail server that is down delays a
//! notice; it never loses or blocks a lead.
//!
//! Several processes on one database: a claim is a lease of [`CLAIM`]
//! seconds (`CLINICPRESS_OUTBOX_LEASE_SECONDS`), set and compared by the
//! database's clock ([`crate::db::clock`]), so a process with a wrong clock
//! can neither take a row another holds nor keep one longer. A process
//! killed while it held rows leaves them claimed until the lease runs out;
//! then any process takes them over, and says so in its log. Rows are
//! claimed one at a time, each with its own lease from the moment it is
//! taken, so a slow round never outlives its claims. (PostgreSQL's
//! `FOR UPDATE SKIP LOCKED` would only save the losing processes a wasted
//! UPDATE; the conditional UPDATE is what makes a claim safe, and works on
//! both databases.)
//!
//! Notices carry no lead content: the clinic, the office, the kind of
//! request, its reference and a link to it in the admin area.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use tokio::sync::Notify;

use crate::entities::{clinic, lead, location, outbox};
use crate::mail::{Mail, Mailer};

/// After this many failed attempts a row is given up ("dead") until someone resends it.
pub const MAX_ATTEMPTS: i32 = 8;
/// How long a worker holds a claimed row before another may take it
/// (seconds; the default of `CLINICPRESS_OUTBOX_LEASE_SECONDS`). Longer than
/// any one delivery may take: the SMTP and webhook timeouts are far shorter.
pub const CLAIM: i64 = 120;
/// The environment variable of `serve --outbox-lease-seconds` (tests that kill a process use a few seconds).
pub const LEASE_ENV: &str = "CLINICPRESS_OUTBOX_LEASE_SECONDS";
/// Rows taken per round.
const BATCH: u64 = 20;
/// How often the worker looks for due rows when nothing wakes it.
const IDLE: StdDuration = StdDuration::from_secs(5);

/// Row states.
pub const PENDING: &str = "pending";
pub const SENT: &str = "sent";
pub const DEAD: &str = "dead";

/// A message ready to be an outbox row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub subject: String,
    pub body: String,
}

fn kind_words(kind: &str) -> &'static str {
    if kind == "appointment" { "appointment request" } else { "message" }
}

/// The e-mail to an office inbox: that something arrived, never what it says.
pub fn office_notice(clinic: &clinic::Model, office: Option<&str>, lead: &lead::Model, base_url: &str) -> Notice {
    let what = kind_words(&lead.kind);
    let place = office.map_or_else(|| clinic.name.clone(), |o| format!("{} – {o}", clinic.name));
    Notice {
        subject: format!("New {what} {} for {place}", lead.reference),
        body: format!(
            "A new {what} arrived for {place}.\n\n\
             Reference: {}\n\
             Open it in the inbox: {}/admin/{}/leads/{}\n\n\
             For the patient's privacy this e-mail does not contain the request: \
             sign in to read and answer it.\n",
            lead.reference,
            base_url.trim_end_matches('/'),
            clinic.slug,
            lead.reference
        ),
    }
}

/// The visitor's receipt: their reference and who will answer; not what they wrote.
pub fn receipt(clinic: &clinic::Model, office: Option<&location::Model>, lead: &lead::Model) -> Notice {
    let who = match office {
        Some(o) => format!("Our {} office ({}) will get back to you during its opening hours.", o.name, o.phone),
        None => "Our team will get back to you during opening hours.".to_string(),
    };
    Notice {
        subject: format!("{}: we received your request {}", clinic.name, lead.reference),
        body: format!(
            "Thank you for contacting {}.\n\n\
             Your reference number is {}. {who}\n\n\
             If you did not send this request, you can ignore this e-mail.\n",
            clinic.name, lead.reference
        ),
    }
}

/// The test message a clinic admin sends to an office's inbox from the
/// office page, to see that notices arrive.
pub fn office_test(clinic: &clinic::Model, office: &location::Model, sent_by: &str) -> Notice {
    Notice {
        subject: format!("Test: notices for {} – {} reach this inbox", clinic.name, office.name),
        body: format!(
            "This is a test message from Clinicpress, sent by {sent_by} from the {} office's settings.\n\n\
             When a visitor sends a request to the {} office, this address is told that it arrived \
             (never what it says) and staff read it in the admin area.\n\n\
             Nothing needs to be done with this message.\n",
            office.name, office.name
        ),
    }
}

/// Queue an e-mail that belongs to no lead (the office test message).
pub async fn enqueue_test<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    to: &str,
    notice: &Notice,
    now: DateTime<Utc>,
) -> Result<outbox::Model, DbErr> {
    enqueue_mail(db, clinic_id, None, "office_test", to, notice, now).await
}

/// Queue an e-mail (inside the caller's transaction).
pub async fn enqueue_email<C: ConnectionTrait>(
    db: &C,
    lead: &lead::Model,
    purpose: &str,
    to: &str,
    notice: &Notice,
    now: DateTime<Utc>,
) -> Result<outbox::Model, DbErr> {
    enqueue_mail(db, lead.clinic_id, Some(lead.id), purpose, to, notice, now).await
}

async fn enqueue_mail<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    lead_id: Option<i32>,
    purpose: &str,
    to: &str,
    notice: &Notice,
    now: DateTime<Utc>,
) -> Result<outbox::Model, DbErr> {
    outbox::ActiveModel {
        clinic_id: Set(clinic_id),
        lead_id: Set(lead_id),
        kind: Set("email".into()),
        purpose: Set(purpose.into()),
        target: Set(to.into()),
        subject: Set(notice.subject.clone()),
        payload: Set(notice.body.clone()),
        state: Set(PENDING.into()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        claimed_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Wait before attempt `n + 1` after `n` failures: 30 s, 1, 2, 4 … minutes, at most an hour.
pub fn backoff(failures: i32) -> Duration {
    let secs = 30i64.saturating_mul(1i64 << failures.clamp(0, 12) as u32);
    Duration::seconds(secs.min(3600))
}

/// The purpose in words, for the lead's history.
pub fn purpose_words(purpose: &str) -> &'static str {
    match purpose {
        "office_notice" => "Notice to the office inbox",
        "receipt" => "Receipt to the visitor",
        "escalation" => "Escalation to the clinic admins",
        "office_test" => "Test message to the office inbox",
        "webhook" => "Webhook call",
        _ => "Message",
    }
}

/// The `Message-ID` of a row's e-mail, the same on every attempt. Delivery
/// is at least once: a process killed after the mail server took a message
/// but before the row was marked sent sends it again once the claim has
/// expired, and this id lets the receiving side see it is the same message.
pub fn message_id(row: &outbox::Model) -> String {
    format!("<lead-outbox.{}.{}@clinicpress.invalid>", row.id, row.created_at.timestamp_micros())
}

/// Rows no worker holds at `now`.
fn unclaimed(now: DateTime<Utc>) -> Condition {
    Condition::any().add(outbox::Column::ClaimedUntil.is_null()).add(outbox::Column::ClaimedUntil.lt(now))
}

/// The worker: delivers due rows, then sleeps until woken or [`IDLE`] passes.
#[derive(Clone)]
pub struct Outbox {
    db: DatabaseConnection,
    mailer: Mailer,
    webhooks: super::webhook::WebhookClient,
    local_webhooks: super::webhook::LocalHttp,
    wake: Arc<Notify>,
    lease: Duration,
    /// Set by [`Outbox::spawn`]'s caller at shutdown: a round stops after the row in hand.
    stop: crate::shutdown::CancellationToken,
}

impl Outbox {
    pub fn new(db: DatabaseConnection, mailer: Mailer) -> Self {
        Outbox {
            db,
            mailer,
            webhooks: Default::default(),
            local_webhooks: Default::default(),
            wake: Arc::new(Notify::new()),
            lease: Duration::seconds(CLAIM),
            stop: Default::default(),
        }
    }

    /// Hold each claimed row this long (default [`CLAIM`] seconds; `serve
    /// --outbox-lease-seconds`, [`LEASE_ENV`]).
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Give each webhook call at most this long (default [`super::webhook::TIMEOUT`]).
    pub fn with_webhook_timeout(mut self, timeout: StdDuration) -> Self {
        self.webhooks = super::webhook::WebhookClient::new(timeout, self.local_webhooks);
        self
    }

    /// Call http webhooks on this machine too (a test receiver); refused by default.
    pub fn with_local_webhooks(mut self, local: super::webhook::LocalHttp) -> Self {
        self.local_webhooks = local;
        self.webhooks = super::webhook::WebhookClient::new(super::webhook::TIMEOUT, local);
        self
    }

    /// Ask the worker to look now (after a commit that queued rows).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Deliver due rows until `stop`; a round under way ends after the row
    /// in hand (the rest stay unclaimed, for the next round or process).
    pub fn spawn(&self, stop: crate::shutdown::CancellationToken) -> tokio::task::JoinHandle<()> {
        let mut me = self.clone();
        me.stop = stop.clone();
        tokio::spawn(async move {
            while !stop.is_cancelled() {
                match me.run_due().await {
                    Ok(n) if n as u64 == BATCH => continue,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "outbox: cannot read due rows; retrying"),
                }
                tokio::select! {
                    _ = me.wake.notified() => {}
                    _ = tokio::time::sleep(IDLE) => {}
                    _ = stop.cancelled() => {}
                }
            }
        })
    }

    /// Claim and deliver the rows due now by the database's clock.
    pub async fn run_due(&self) -> Result<usize, DbErr> {
        let now = crate::db::clock::now(&self.db).await?;
        self.run_once(now).await
    }

    /// Claim and deliver the rows due at `now` (their next attempt is not
    /// after it); returns how many were tried. Whether a row is still
    /// claimed is always judged by the database's clock, whatever `now` says.
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<usize, DbErr> {
        let clock = crate::db::clock::now(&self.db).await?;
        let due = outbox::Entity::find()
            .filter(outbox::Column::State.eq(PENDING))
            .filter(outbox::Column::NextAttemptAt.lte(now))
            .filter(unclaimed(clock))
            .order_by_asc(outbox::Column::Id)
            .limit(BATCH)
            .all(&self.db)
            .await?;
        let mut tried = 0;
        for row in due {
            if self.stop.is_cancelled() {
                break;
            }
            // Claim: only one process's update matches. Each row is claimed
            // from the time it is taken (a round may run for minutes), by
            // the database's clock, in whole seconds so the claim compares
            // equal on every database.
            let at = crate::db::clock::now(&self.db).await?;
            let until = (at + self.lease).trunc_subsecs(0);
            let turn = crate::db::write_turn(&self.db).await;
            let claimed = outbox::Entity::update_many()
                .col_expr(outbox::Column::ClaimedUntil, Expr::value(until))
                .filter(outbox::Column::Id.eq(row.id))
                .filter(outbox::Column::State.eq(PENDING))
                .filter(outbox::Column::NextAttemptAt.lte(now))
                .filter(unclaimed(at))
                .exec(&self.db)
                .await?;
            drop(turn);
            if claimed.rows_affected != 1 {
                continue;
            }
            if let Some(expired) = row.claimed_until {
                // The process that held it stopped (killed, or lost the
                // database) before it recorded an outcome: the mail may have
                // gone out already, so it goes again with the same Message-ID.
                tracing::warn!(
                    row = row.id,
                    claim_expired_at = %expired,
                    "outbox: taking over a row whose claim expired (the process that held it stopped while delivering it); delivering it again"
                );
            }
            tried += 1;
            let result = self.deliver(&row).await;
            // The retry time is set by the clock that judges it due.
            let done = crate::db::clock::now(&self.db).await?;
            self.record(row, until, result, done).await?;
        }
        Ok(tried)
    }

    async fn deliver(&self, row: &outbox::Model) -> Result<(), (bool, String)> {
        match row.kind.as_str() {
            "email" => {
                let mail = Mail { to: row.target.clone(), subject: row.subject.clone(), body: row.payload.clone() };
                self.mailer
                    .send_with_id(&mail, Some(message_id(row)))
                    .await
                    .map_err(|e| (e.is_transient(), e.to_string()))
            }
            super::webhook::CHANNEL => {
                self.webhooks.deliver(&self.db, row, Utc::now()).await.map_err(|e| (e.is_transient(), e.to_string()))
            }
            other => Err((false, format!("unknown outbox kind {other}"))),
        }
    }

    /// Write the outcome, only if the row is still ours: still pending and
    /// claimed `until` by this worker. A row erased or cancelled meanwhile,
    /// or taken over after the claim ran out, is left as it is now, and no
    /// history line is written from what it held before.
    async fn record(
        &self,
        row: outbox::Model,
        until: DateTime<Utc>,
        result: Result<(), (bool, String)>,
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let (id, lead_id) = (row.id, row.lead_id);
        let what = purpose_words(&row.purpose);
        let target = row.target.clone();
        let attempts = row.attempts + 1;
        let mut am = outbox::ActiveModel { ..Default::default() };
        am.attempts = Set(attempts);
        am.claimed_until = Set(None);
        let detail = match result {
            Ok(()) => {
                am.state = Set(SENT.into());
                am.sent_at = Set(Some(now));
                am.last_error = Set(None);
                Some(format!("{what} sent to {target}"))
            }
            Err((transient, message)) => {
                // Not the message: a refusal may repeat the visitor's address.
                tracing::warn!(row = id, attempt = attempts, transient, "outbox: delivery failed");
                am.last_error = Set(Some(message.chars().take(500).collect()));
                if transient && attempts < MAX_ATTEMPTS {
                    am.next_attempt_at = Set(now + backoff(attempts));
                    None
                } else {
                    am.state = Set(DEAD.into());
                    Some(format!("{what} to {target} failed after {attempts} attempt(s): {message}"))
                }
            }
        };
        // The outcome and its history line: one write, in this process's turn.
        let txn = crate::db::begin_write(&self.db).await?;
        let written = outbox::Entity::update_many()
            .set(am)
            .filter(outbox::Column::Id.eq(id))
            .filter(outbox::Column::State.eq(PENDING))
            .filter(outbox::Column::ClaimedUntil.eq(until))
            .exec(&txn)
            .await?;
        if written.rows_affected != 1 {
            txn.rollback().await?;
            tracing::warn!(row = id, "outbox: the row changed while it was being sent; its outcome is not recorded");
            return Ok(());
        }
        if let (Some(detail), Some(lead_id)) = (detail, lead_id)
            && let Some(l) = lead::Entity::find_by_id(lead_id).one(&txn).await?
        {
            super::store::event(&txn, &l, now, "delivery", &detail).await?;
        }
        txn.commit().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(0), Duration::seconds(30));
        assert_eq!(backoff(1), Duration::seconds(60));
        assert_eq!(backoff(3), Duration::seconds(240));
        assert_eq!(backoff(7), Duration::seconds(3600));
        assert_eq!(backoff(40), Duration::seconds(3600));
    }
}
