//! A visitor's rights over their request, exercised by the clinic's admins
//! (`Action::ExportLead`, `Action::EraseLead`; the caller authorises):
//!
//! * [`export`]: the whole record as JSON — every field, the history and
//!   the deliveries — for an access request. Recorded in the lead's
//!   history and the audit log.
//! * [`erase`]: the personal fields become an anonymised stub ([`ERASED`]
//!   or empty), notes lose their text, and the visitor's address is wiped
//!   from delivery lines and outbox rows (an unsent receipt is cancelled;
//!   office notices, escalations and webhook calls carry no lead content
//!   and stay). Reference, clinic, office, kind, status and dates stay, so
//!   counts and response times stay right. Recorded the same way.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{Value, json};

use super::inbox::{InboxError, user_event};
use super::outbox::{self, DEAD, PENDING};
use super::reference::Reference;
use crate::audit::Actor;
use crate::entities::{app_user, clinic, lead, lead_event, location, outbox as outbox_row};

/// What erased text reads.
pub const ERASED: &str = "(erased)";

/// The lead `reference` of the clinic (any office).
async fn find<C: ConnectionTrait>(db: &C, clinic_id: i32, reference: &str) -> Result<lead::Model, InboxError> {
    let reference = Reference::parse(reference).ok_or(InboxError::NotFound)?;
    lead::Entity::find()
        .filter(lead::Column::ClinicId.eq(clinic_id))
        .filter(lead::Column::Reference.eq(reference.as_str()))
        .one(db)
        .await?
        .ok_or(InboxError::NotFound)
}

fn list(json: &str) -> Value {
    serde_json::from_str(json).unwrap_or(Value::Array(Vec::new()))
}

/// The lead as a JSON document (pure: everything is passed in).
#[allow(clippy::too_many_arguments)]
pub fn document(
    clinic: &clinic::Model,
    l: &lead::Model,
    office: Option<&location::Model>,
    assignee: Option<&app_user::Model>,
    events: &[lead_event::Model],
    rows: &[outbox_row::Model],
    exported_by: &str,
    now: DateTime<Utc>,
) -> Value {
    json!({
        "format": "clinicpress-lead/1",
        "exported_at": now,
        "exported_by": exported_by,
        "clinic": { "slug": clinic.slug, "name": clinic.name },
        "lead": {
            "reference": l.reference,
            "kind": l.kind,
            "status": l.status,
            "office": office.map(|o| json!({ "slug": o.slug, "name": o.name })),
            "routed_by": l.routed_by,
            "name": l.name,
            "email": l.email,
            "phone": l.phone,
            "contact_method": l.contact_method,
            "message": l.message,
            "zip": l.zip,
            "patient": l.patient,
            "preferred_days": list(&l.preferred_days),
            "preferred_times": list(&l.preferred_times),
            "wants_receipt": l.wants_receipt,
            "consent_version": l.consent_version,
            "consent_text": l.consent_text,
            "source_path": l.source_path,
            "utm_source": l.utm_source,
            "utm_medium": l.utm_medium,
            "utm_campaign": l.utm_campaign,
            "spam_reasons": l.spam_reasons.as_deref().map(list),
            "ip_hash": l.ip_hash,
            "assignee": assignee.map(|u| json!({ "name": u.name, "email": u.email })),
            "received_at": l.received_at,
            "first_response_at": l.first_response_at,
            "closed_at": l.closed_at,
            "escalated_at": l.escalated_at,
            "erased_at": l.erased_at,
        },
        "history": events.iter().map(|e| json!({
            "at": e.at,
            "kind": e.kind,
            "who": e.user_email,
            "detail": e.detail,
        })).collect::<Vec<_>>(),
        "deliveries": rows.iter().map(|r| json!({
            "kind": r.kind,
            "purpose": r.purpose,
            "what": outbox::purpose_words(&r.purpose),
            "target": r.target,
            "subject": r.subject,
            "body": r.payload,
            "state": r.state,
            "attempts": r.attempts,
            "created_at": r.created_at,
            "sent_at": r.sent_at,
            "last_error": r.last_error,
        })).collect::<Vec<_>>(),
    })
}

/// The lead as pretty JSON bytes and a file name; recorded in its history and the audit log.
pub async fn export(
    db: &DatabaseConnection,
    clinic: &clinic::Model,
    reference: &str,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(String, Vec<u8>), InboxError> {
    let l = find(db, clinic.id, reference).await?;
    let office = match l.location_id {
        Some(id) => location::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let assignee = match l.assignee_id {
        Some(id) => app_user::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let events = lead_event::Entity::find()
        .filter(lead_event::Column::LeadId.eq(l.id))
        .order_by_asc(lead_event::Column::At)
        .order_by_asc(lead_event::Column::Id)
        .all(db)
        .await?;
    let rows = outbox_row::Entity::find()
        .filter(outbox_row::Column::LeadId.eq(l.id))
        .order_by_asc(outbox_row::Column::Id)
        .all(db)
        .await?;
    let doc = document(clinic, &l, office.as_ref(), assignee.as_ref(), &events, &rows, &actor.email, now);
    let bytes = serde_json::to_vec_pretty(&doc).map_err(|e| InboxError::Invalid(format!("the export failed: {e}")))?;
    let txn = crate::db::begin_write(db).await?;
    user_event(&txn, &l, actor, "export", "Downloaded the whole request as JSON", now).await?;
    crate::audit::record(
        &txn,
        Some(clinic.id),
        actor,
        "lead.export",
        "lead",
        Some(l.id),
        &format!("Exported request {} as JSON", l.reference),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok((format!("request-{}.json", l.reference), bytes))
}

/// `text` with every one of `secrets` (the visitor's name, address, phone) replaced by [`ERASED`].
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().map(|s| s.trim()).filter(|s| s.chars().count() >= 3) {
        out = out.replace(s, ERASED);
    }
    out
}

/// Erase the personal data of the lead `reference`; returns a sentence for the admin.
pub async fn erase(
    db: &DatabaseConnection,
    clinic_id: i32,
    reference: &str,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<String, InboxError> {
    let txn = crate::db::begin_write(db).await?;
    let l = find(&txn, clinic_id, reference).await?;
    if l.erased_at.is_some() {
        return Ok(format!("The personal data of {} was already erased.", l.reference));
    }
    let secrets = [l.email.as_str(), l.name.as_str(), l.phone.as_str()];

    let mut am: lead::ActiveModel = l.clone().into();
    am.name = Set(ERASED.into());
    am.email = Set(String::new());
    am.phone = Set(String::new());
    am.message = Set(ERASED.into());
    am.zip = Set(String::new());
    am.patient = Set(String::new());
    am.preferred_days = Set("[]".into());
    am.preferred_times = Set("[]".into());
    am.ip_hash = Set(String::new());
    am.erased_at = Set(Some(now));
    am.update(&txn).await?;

    for e in lead_event::Entity::find().filter(lead_event::Column::LeadId.eq(l.id)).all(&txn).await? {
        let detail = if e.kind == "note" { "(note erased)".to_string() } else { scrub(&e.detail, &secrets) };
        if detail != e.detail {
            let mut am: lead_event::ActiveModel = e.into();
            am.detail = Set(detail);
            am.update(&txn).await?;
        }
    }
    for r in outbox_row::Entity::find().filter(outbox_row::Column::LeadId.eq(l.id)).all(&txn).await? {
        // The receipt went to the visitor: wipe it, cancel it if unsent.
        let personal = r.purpose == "receipt";
        let mut am: outbox_row::ActiveModel = r.clone().into();
        if personal {
            am.target = Set(ERASED.into());
            am.subject = Set(scrub(&r.subject, &secrets));
            am.payload = Set(ERASED.into());
            if r.state == PENDING {
                am.state = Set(DEAD.into());
                am.last_error = Set(Some("cancelled: the request's personal data was erased".into()));
            }
        } else {
            am.subject = Set(scrub(&r.subject, &secrets));
            am.payload = Set(scrub(&r.payload, &secrets));
        }
        if let Some(e) = &r.last_error
            && r.state != PENDING
        {
            am.last_error = Set(Some(scrub(e, &secrets)));
        }
        am.update(&txn).await?;
    }
    user_event(&txn, &l, actor, "erased", "Personal data erased on request", now).await?;
    crate::audit::record(
        &txn,
        Some(clinic_id),
        actor,
        "lead.erase",
        "lead",
        Some(l.id),
        &format!("Erased the personal data of request {}", l.reference),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(format!("The personal data of {} is erased; the reference, office, status and dates remain.", l.reference))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_replaces_the_visitors_details() {
        let secrets = ["ann@example.com", "Ann Example", "", "+1 555"];
        assert_eq!(
            scrub("Receipt to the visitor sent to ann@example.com", &secrets),
            "Receipt to the visitor sent to (erased)"
        );
        assert_eq!(scrub("Ann Example called from +1 555", &secrets), "(erased) called from (erased)");
        // Empty and very short values are not blanked everywhere.
        assert_eq!(scrub("Status: New → Closed", &["", "N", "Ne"]), "Status: New → Closed");
    }
}
