//! The lead inbox as office staff and clinic admins work it: the list of
//! the leads they may see, one lead with its history and deliveries, and
//! what they do to it (status, assignee, notes, resending the notice).
//!
//! What a user may see is a [`Scope`], derived from their roles by the one
//! permission rule (`accounts::authz::authorize`): staff see their
//! office(s), clinic admins every office and the default inbox. A lead
//! outside the scope is "not found", so its existence does not leak.
//! Opening a lead is recorded in its history.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};

use app::leads::model::{
    DeliveryLine, HistoryLine, InboxPage, InboxQuery, InboxRow, LeadAction, LeadDetail, OfficeChoice,
};

use super::clock;
use super::outbox::{self, DEAD, PENDING, SENT};
use super::routing::RoutedBy;
use super::status::LeadStatus;
use crate::accounts::authz::{Action, Decision, Principal, Role, authorize};
use crate::audit::Actor;
use crate::entities::{app_user, lead, lead_event, location, membership};
use crate::locations::hours::WeeklyHours;
use crate::locations::read::hours_of;

/// Leads per inbox page.
pub const PER_PAGE: u64 = 25;
/// Longest note, in characters.
pub const MAX_NOTE: usize = 5_000;

#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    #[error("no such lead here")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Which leads of a clinic a user works.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scope {
    /// Every office and the default inbox (clinic admins).
    pub all: bool,
    /// The offices of their staff roles.
    pub offices: Vec<i32>,
}

impl Scope {
    pub fn of(p: &Principal, clinic_id: i32) -> Scope {
        let all = authorize(p, clinic_id, Action::WorkLeads { location_id: None }) == Decision::Allow;
        let offices = p
            .grants
            .iter()
            .filter(|g| g.clinic_id == clinic_id && g.role == Role::Staff)
            .filter_map(|g| g.location_id)
            .collect();
        Scope { all, offices }
    }

    /// May this user work a lead routed to `location_id` (`None`: the default inbox)?
    pub fn covers(&self, location_id: Option<i32>) -> bool {
        self.all || location_id.is_some_and(|id| self.offices.contains(&id))
    }

    fn condition(&self) -> Condition {
        if self.all {
            Condition::all()
        } else {
            Condition::all().add(lead::Column::LocationId.is_in(self.offices.clone()))
        }
    }
}

/// "2 h 05 min", "45 min", "3 d 4 h".
pub fn waited_text(d: Duration) -> String {
    let mins = d.num_minutes().max(0);
    let (days, hours, m) = (mins / (24 * 60), (mins / 60) % 24, mins % 60);
    match (days, hours) {
        (0, 0) => format!("{m} min"),
        (0, h) => format!("{h} h {m:02} min"),
        (d, h) => format!("{d} d {h} h"),
    }
}

/// The office's clock: its hours and time zone (the default inbox counts every hour).
pub(crate) fn office_clock(office: Option<&location::Model>) -> (WeeklyHours, Tz) {
    match office {
        Some(o) => (hours_of(o), o.timezone.parse().unwrap_or(Tz::UTC)),
        None => {
            let always = WeeklyHours::parse(crate::locations::hours::DAY_KEYS.iter().map(|d| (*d, "00:00-24:00")))
                .unwrap_or_default();
            (always, Tz::UTC)
        }
    }
}

/// Business time waited for a first response, and whether that is past the target.
pub fn waiting(
    l: &lead::Model,
    office: Option<&location::Model>,
    target: u32,
    now: DateTime<Utc>,
) -> (Option<String>, bool) {
    if l.first_response_at.is_some() || l.status == LeadStatus::Spam.as_str() || l.status == LeadStatus::Closed.as_str()
    {
        return (None, false);
    }
    let (hours, tz) = office_clock(office);
    let waited = clock::business_time(l.received_at, now, &hours, tz);
    (Some(waited_text(waited)), waited > Duration::minutes(i64::from(target)))
}

async fn offices(db: &impl ConnectionTrait, clinic_id: i32) -> Result<Vec<location::Model>, DbErr> {
    super::store::offices(db, clinic_id).await
}

fn list_of(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

/// The list's filters as a query condition, always within `scope`.
fn condition(clinic_id: i32, scope: &Scope, query: &InboxQuery, mine: &[&location::Model]) -> Condition {
    use sea_orm::sea_query::ExprTrait;
    let mut cond = Condition::all().add(lead::Column::ClinicId.eq(clinic_id)).add(scope.condition());
    cond = match query.status.as_str() {
        "all" => cond,
        "" | "open" => cond.add(lead::Column::Status.is_in(["new", "contacted", "scheduled"])),
        s => match LeadStatus::parse(s) {
            Some(st) => cond.add(lead::Column::Status.eq(st.as_str())),
            None => cond,
        },
    };
    match query.office.as_str() {
        "" => {}
        "default" => cond = cond.add(lead::Column::LocationId.is_null()),
        slug => {
            let id = mine.iter().find(|o| o.slug == slug).map_or(-1, |o| o.id);
            cond = cond.add(lead::Column::LocationId.eq(id));
        }
    }
    let q = query.q.trim().to_lowercase();
    if !q.is_empty() {
        let pattern = format!("%{}%", q.replace(['\\', '%', '_'], ""));
        let lower = |c: lead::Column| Expr::expr(Func::lower(Expr::col(c))).like(pattern.clone());
        cond = cond.add(
            Condition::any()
                .add(lower(lead::Column::Name))
                .add(lower(lead::Column::Email))
                .add(lower(lead::Column::Phone))
                .add(lower(lead::Column::Reference)),
        );
    }
    cond
}

/// The inbox list for `scope`.
pub async fn page(
    db: &DatabaseConnection,
    clinic_id: i32,
    scope: &Scope,
    query: &InboxQuery,
    now: DateTime<Utc>,
) -> Result<InboxPage, InboxError> {
    let all_offices = offices(db, clinic_id).await?;
    let mine: Vec<&location::Model> = all_offices.iter().filter(|o| scope.covers(Some(o.id))).collect();
    let settings = super::store::settings(db, clinic_id).await?;
    let target = settings.response_target_minutes.max(0) as u32;

    let cond = condition(clinic_id, scope, query, &mine);
    let paginator = lead::Entity::find()
        .filter(cond)
        .order_by_desc(lead::Column::ReceivedAt)
        .order_by_desc(lead::Column::Id)
        .paginate(db, PER_PAGE);
    let total = paginator.num_items().await?;
    let pages = total.div_ceil(PER_PAGE).max(1) as u32;
    let page = query.page.clamp(1, pages);
    let leads = paginator.fetch_page(u64::from(page - 1)).await?;
    let names = assignee_names(db, &leads).await?;
    let rows = leads
        .iter()
        .map(|l| {
            let office = l.location_id.and_then(|id| all_offices.iter().find(|o| o.id == id));
            let (waiting, overdue) = waiting(l, office, target, now);
            InboxRow {
                reference: l.reference.clone(),
                kind: l.kind.clone(),
                status: l.status.clone(),
                name: l.name.clone(),
                office: office.map(|o| o.name.clone()),
                received_at: l.received_at,
                waiting,
                overdue,
                assignee: l.assignee_id.and_then(|id| names.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone())),
            }
        })
        .collect();
    Ok(InboxPage {
        rows,
        offices: mine
            .iter()
            .map(|o| OfficeChoice { slug: o.slug.clone(), name: o.name.clone(), phone: o.phone.clone() })
            .collect(),
        default_inbox: scope.all,
        total,
        page,
        pages,
        target_minutes: target,
        now,
    })
}

async fn assignee_names(db: &impl ConnectionTrait, leads: &[lead::Model]) -> Result<Vec<(i32, String)>, DbErr> {
    let ids: Vec<i32> = leads.iter().filter_map(|l| l.assignee_id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect())
}

/// The lead `reference` if `scope` covers it.
async fn find(
    db: &impl ConnectionTrait,
    clinic_id: i32,
    scope: &Scope,
    reference: &str,
) -> Result<lead::Model, InboxError> {
    let reference = super::reference::Reference::parse(reference).ok_or(InboxError::NotFound)?;
    let l = lead::Entity::find()
        .filter(lead::Column::ClinicId.eq(clinic_id))
        .filter(lead::Column::Reference.eq(reference.as_str()))
        .one(db)
        .await?
        .ok_or(InboxError::NotFound)?;
    if scope.covers(l.location_id) { Ok(l) } else { Err(InboxError::NotFound) }
}

/// Who may be assigned a lead of this office: its staff and the clinic's admins.
async fn assignable(
    db: &impl ConnectionTrait,
    clinic_id: i32,
    location_id: Option<i32>,
) -> Result<Vec<(i32, String)>, DbErr> {
    let roles = membership::Entity::find().filter(membership::Column::ClinicId.eq(clinic_id)).all(db).await?;
    let ids: Vec<i32> = roles
        .iter()
        .filter(|m| {
            m.role == Role::Admin.as_str()
                || (m.role == Role::Staff.as_str() && location_id.is_some() && m.location_id == location_id)
        })
        .map(|m| m.user_id)
        .collect();
    let mut users: Vec<(i32, String)> = app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(ids))
        .filter(app_user::Column::Disabled.eq(false))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    users.sort_by_key(|u| u.1.to_lowercase());
    Ok(users)
}

/// A history line written by a user.
pub(crate) async fn user_event(
    db: &impl ConnectionTrait,
    l: &lead::Model,
    actor: &Actor,
    kind: &str,
    detail: &str,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    lead_event::ActiveModel {
        lead_id: Set(l.id),
        clinic_id: Set(l.clinic_id),
        at: Set(at),
        kind: Set(kind.into()),
        user_id: Set(actor.id),
        user_email: Set(Some(actor.email.clone())),
        detail: Set(detail.into()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// One lead, for a user whose scope covers it; the view is recorded.
pub async fn detail(
    db: &DatabaseConnection,
    clinic_id: i32,
    scope: &Scope,
    reference: &str,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<LeadDetail, InboxError> {
    let l = find(db, clinic_id, scope, reference).await?;
    // One "viewed" line per person per 10 minutes, however often the page reloads.
    let recent = lead_event::Entity::find()
        .filter(lead_event::Column::LeadId.eq(l.id))
        .filter(lead_event::Column::Kind.eq("viewed"))
        .filter(lead_event::Column::UserId.eq(actor.id))
        .filter(lead_event::Column::At.gt(now - Duration::minutes(10)))
        .count(db)
        .await?;
    if recent == 0 {
        user_event(db, &l, actor, "viewed", "Opened the request", now).await?;
    }
    let office = match l.location_id {
        Some(id) => location::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let settings = super::store::settings(db, clinic_id).await?;
    let (waiting, overdue) = waiting(&l, office.as_ref(), settings.response_target_minutes.max(0) as u32, now);
    let events = lead_event::Entity::find()
        .filter(lead_event::Column::LeadId.eq(l.id))
        .order_by_asc(lead_event::Column::At)
        .order_by_asc(lead_event::Column::Id)
        .all(db)
        .await?;
    let rows = crate::entities::outbox::Entity::find()
        .filter(crate::entities::outbox::Column::LeadId.eq(l.id))
        .order_by_asc(crate::entities::outbox::Column::Id)
        .all(db)
        .await?;
    let assignable = assignable(db, clinic_id, l.location_id).await?;
    let current = LeadStatus::parse(&l.status).unwrap_or(LeadStatus::New);
    let next_statuses =
        LeadStatus::ALL.into_iter().filter(|s| current.can_become(*s)).map(|s| s.as_str().to_string()).collect();
    let mut utm = Vec::new();
    for (k, v) in [("source", &l.utm_source), ("medium", &l.utm_medium), ("campaign", &l.utm_campaign)] {
        if let Some(v) = v {
            utm.push((k.to_string(), v.clone()));
        }
    }
    let assignee = match l.assignee_id {
        Some(id) => app_user::Entity::find_by_id(id).one(db).await?.map(|u| u.name),
        None => None,
    };
    Ok(LeadDetail {
        reference: l.reference.clone(),
        kind: l.kind.clone(),
        status: l.status.clone(),
        name: l.name.clone(),
        email: l.email.clone(),
        phone: l.phone.clone(),
        contact_method: l.contact_method.clone(),
        message: l.message.clone(),
        zip: l.zip.clone(),
        patient: l.patient.clone(),
        preferred_days: list_of(&l.preferred_days),
        preferred_times: list_of(&l.preferred_times),
        office: office.map(|o| o.name),
        routed_by: RoutedBy::parse(&l.routed_by).map_or("unknown", RoutedBy::label).to_string(),
        consent_text: l.consent_text.clone(),
        consent_version: l.consent_version.clone(),
        source_path: l.source_path.clone(),
        utm,
        received_at: l.received_at,
        first_response_at: l.first_response_at,
        waiting,
        overdue,
        assignee,
        assignable,
        next_statuses,
        history: events
            .into_iter()
            .map(|e| HistoryLine { at: e.at, kind: e.kind, who: e.user_email, detail: e.detail })
            .collect(),
        deliveries: rows
            .into_iter()
            .map(|r| DeliveryLine {
                id: r.id,
                what: outbox::purpose_words(&r.purpose).to_string(),
                target: r.target,
                state: r.state,
                attempts: r.attempts,
                last_error: r.last_error,
            })
            .collect(),
        now,
        erased_at: l.erased_at,
        can_manage_data: false,
    })
}

/// Do something to a lead; returns a sentence for the user.
pub async fn act(
    db: &DatabaseConnection,
    clinic_id: i32,
    scope: &Scope,
    reference: &str,
    actor: &Actor,
    action: &LeadAction,
    now: DateTime<Utc>,
) -> Result<String, InboxError> {
    let txn = crate::db::begin_write(db).await?;
    let l = find(&txn, clinic_id, scope, reference).await?;
    let message = match action {
        LeadAction::Status(to) => {
            let to = LeadStatus::parse(to)
                .ok_or_else(|| InboxError::Invalid("Choose one of the statuses listed.".into()))?;
            let from = LeadStatus::parse(&l.status).unwrap_or(LeadStatus::New);
            if from == to {
                return Ok(format!("The request is already {}.", to.label().to_lowercase()));
            }
            from.check_transition(to).map_err(|_| {
                InboxError::Invalid(
                    "A request marked as spam can only be marked \u{201c}not spam\u{201d} (new) first.".into(),
                )
            })?;
            let mut am: lead::ActiveModel = l.clone().into();
            am.status = Set(to.as_str().into());
            if l.first_response_at.is_none()
                && matches!(to, LeadStatus::Contacted | LeadStatus::Scheduled | LeadStatus::Closed)
            {
                am.first_response_at = Set(Some(now));
            }
            am.closed_at = Set(if to == LeadStatus::Closed { Some(now) } else { None });
            am.update(&txn).await?;
            let kind = if to == LeadStatus::Spam || from == LeadStatus::Spam { "spam" } else { "status" };
            user_event(&txn, &l, actor, kind, &format!("Status: {} \u{2192} {}", from.label(), to.label()), now)
                .await?;
            format!("Marked as {}.", to.label().to_lowercase())
        }
        LeadAction::Assign(who) => {
            let name = match who {
                None => None,
                Some(id) => Some(
                    assignable(&txn, clinic_id, l.location_id)
                        .await?
                        .into_iter()
                        .find(|(i, _)| i == id)
                        .map(|(_, n)| n)
                        .ok_or_else(|| InboxError::Invalid("Choose someone who works this office.".into()))?,
                ),
            };
            let mut am: lead::ActiveModel = l.clone().into();
            am.assignee_id = Set(*who);
            am.update(&txn).await?;
            let text = match &name {
                Some(n) => format!("Assigned to {n}"),
                None => "Unassigned".to_string(),
            };
            user_event(&txn, &l, actor, "assigned", &text, now).await?;
            format!("{text}.")
        }
        LeadAction::Note(text) => {
            let text = text.trim();
            if text.is_empty() {
                return Err(InboxError::Invalid("Write the note first.".into()));
            }
            let n = text.chars().count();
            if n > MAX_NOTE {
                return Err(InboxError::Invalid(format!("The note has {n} characters; {MAX_NOTE} at most.")));
            }
            user_event(&txn, &l, actor, "note", text, now).await?;
            "Note added.".to_string()
        }
        LeadAction::Resend => {
            if l.status == LeadStatus::Spam.as_str() {
                return Err(InboxError::Invalid("Requests marked as spam are not notified.".into()));
            }
            use crate::entities::outbox::Column as O;
            use sea_orm::sea_query::ExprTrait;
            // The office notice (sent or given up), and webhook calls that were
            // given up: a call that went through is not made twice.
            let rows = crate::entities::outbox::Entity::find()
                .filter(O::LeadId.eq(l.id))
                .filter(
                    Condition::any()
                        .add(O::Purpose.eq("office_notice").and(O::State.is_in([SENT, DEAD])))
                        .add(O::Kind.eq(super::webhook::CHANNEL).and(O::State.eq(DEAD))),
                )
                .all(&txn)
                .await?;
            if rows.is_empty() {
                return Err(InboxError::Invalid("The notice is still being sent; nothing to resend.".into()));
            }
            let calls = rows.iter().filter(|r| r.kind == super::webhook::CHANNEL).count();
            let notices = rows.len() - calls;
            for r in &rows {
                let mut am: crate::entities::outbox::ActiveModel = r.clone().into();
                am.state = Set(PENDING.into());
                am.attempts = Set(0);
                am.next_attempt_at = Set(now);
                am.last_error = Set(None);
                am.claimed_until = Set(None);
                am.update(&txn).await?;
            }
            let mut what = Vec::new();
            if notices > 0 {
                what.push(format!("notice queued again ({notices} address(es))"));
            }
            if calls > 0 {
                what.push("failed webhook call queued again".to_string());
            }
            let mut line = what.join("; ");
            line[..1].make_ascii_uppercase();
            user_event(&txn, &l, actor, "resend", &line, now).await?;
            match (notices, calls) {
                (0, _) => "The webhook call will be made again within a few seconds.".to_string(),
                (_, 0) => "The notice will be sent again within a few seconds.".to_string(),
                _ => "The notice and the webhook call will be sent again within a few seconds.".to_string(),
            }
        }
    };
    txn.commit().await?;
    Ok(message)
}

/// Most rows one CSV export holds.
pub const MAX_EXPORT: u64 = 10_000;

/// The filtered list as CSV (cells neutralised against formula injection),
/// recorded in the audit log with who, how many and which filters.
pub async fn export(
    db: &DatabaseConnection,
    clinic_id: i32,
    scope: &Scope,
    query: &InboxQuery,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, InboxError> {
    use super::csv_export::{LeadRow, write_leads};
    use super::form::{FormKind, PatientKind, TimeOfDay, parse_weekday};
    use super::status::ContactMethod;
    let all_offices = offices(db, clinic_id).await?;
    let mine: Vec<&location::Model> = all_offices.iter().filter(|o| scope.covers(Some(o.id))).collect();
    let leads = lead::Entity::find()
        .filter(condition(clinic_id, scope, query, &mine))
        .order_by_desc(lead::Column::ReceivedAt)
        .order_by_desc(lead::Column::Id)
        .paginate(db, MAX_EXPORT)
        .fetch_page(0)
        .await?;
    let names = assignee_names(db, &leads).await?;
    struct Parsed {
        office: String,
        assignee: String,
        days: Vec<chrono::Weekday>,
        times: Vec<TimeOfDay>,
    }
    let parsed: Vec<Parsed> = leads
        .iter()
        .map(|l| Parsed {
            office: l
                .location_id
                .and_then(|id| all_offices.iter().find(|o| o.id == id))
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            assignee: l
                .assignee_id
                .and_then(|id| names.iter().find(|(i, _)| *i == id))
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
            days: list_of(&l.preferred_days).iter().filter_map(|d| parse_weekday(d)).collect(),
            times: list_of(&l.preferred_times).iter().filter_map(|t| TimeOfDay::parse(t)).collect(),
        })
        .collect();
    let rows = leads.iter().zip(&parsed).map(|(l, p)| LeadRow {
        reference: &l.reference,
        received_at: l.received_at,
        kind: FormKind::parse(&l.kind).unwrap_or(FormKind::Contact),
        status: LeadStatus::parse(&l.status).unwrap_or(LeadStatus::New),
        office: &p.office,
        routed_by: RoutedBy::parse(&l.routed_by).unwrap_or(RoutedBy::ClinicDefault),
        assignee: &p.assignee,
        name: &l.name,
        email: &l.email,
        phone: &l.phone,
        contact_method: ContactMethod::parse(&l.contact_method).unwrap_or(ContactMethod::Phone),
        zip: &l.zip,
        patient: PatientKind::parse(&l.patient),
        preferred_days: &p.days,
        preferred_times: &p.times,
        message: &l.message,
        first_response_at: l.first_response_at,
    });
    let bytes = write_leads(Vec::new(), rows).map_err(|e| InboxError::Invalid(format!("the export failed: {e}")))?;
    let filters = format!(
        "status \u{201c}{}\u{201d}, office \u{201c}{}\u{201d}, search \u{201c}{}\u{201d}",
        if query.status.is_empty() { "open" } else { &query.status },
        if query.office.is_empty() { "all mine" } else { &query.office },
        query.q.trim()
    );
    crate::audit::record(
        db,
        Some(clinic_id),
        actor,
        "lead.export",
        "lead",
        None,
        &format!("Exported {} request(s) as CSV ({filters})", leads.len()),
        now,
    )
    .await?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::authz::Grant;

    #[test]
    fn waited_text_reads_naturally() {
        assert_eq!(waited_text(Duration::minutes(45)), "45 min");
        assert_eq!(waited_text(Duration::minutes(125)), "2 h 05 min");
        assert_eq!(waited_text(Duration::minutes(3 * 24 * 60 + 4 * 60 + 7)), "3 d 4 h");
        assert_eq!(waited_text(Duration::minutes(-5)), "0 min");
    }

    #[test]
    fn scopes_follow_the_roles() {
        let staff = Principal {
            grants: vec![Grant { clinic_id: 1, role: Role::Staff, location_id: Some(10) }],
            ..Principal::default()
        };
        let s = Scope::of(&staff, 1);
        assert!(s.covers(Some(10)) && !s.covers(Some(11)) && !s.covers(None));
        assert_eq!(Scope::of(&staff, 2), Scope::default());
        let admin = Principal {
            grants: vec![Grant { clinic_id: 1, role: Role::Admin, location_id: None }],
            ..Principal::default()
        };
        let s = Scope::of(&admin, 1);
        assert!(s.covers(Some(11)) && s.covers(None));
        assert!(!Scope::of(&admin, 2).covers(None));
    }
}
