//! A clinic's offices as its admins manage them in the admin area: name,
//! address, phone, opening hours, time zone, inbox addresses, the ZIP codes
//! it serves and its map position; and the clinic's default inbox, where a
//! request goes when no office rule matches (see `leads` routing).
//!
//! `validate` is pure and shares its field rules with the provision file
//! (`clinics::provision`), so the shell and the admin area accept the same
//! things. Saving writes the audit log and, when an office's name changes,
//! a search change for the posts about it — in the same transaction.

use app::admin::model::{OfficeArchived, OfficeEditor, OfficeForm, OfficePreview, OfficeRow, OfficesPage};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};

use super::hours::{HoursError, WeeklyHours};
use crate::audit::{self, Actor};
use crate::entities::{clinic, location};
use crate::search::changes::{self, Touching};
use crate::slugs::valid_slug;

/// Most inbox addresses one office may have.
pub const MAX_INBOXES: usize = 10;
/// Most ZIP codes one office may serve.
pub const MAX_ZIP_CODES: usize = 1000;

#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    /// (field, message) pairs, every problem at once.
    #[error("the office has {} problem(s)", .0.len())]
    Invalid(Vec<(String, String)>),
    #[error("no such office in this clinic")]
    NotFound,
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// An e-mail address an inbox can be (the provision file's rule too).
pub fn valid_email(s: &str) -> bool {
    email_address::EmailAddress::parse_with_options(s, email_address::Options::default().without_display_text())
        .is_ok_and(|e| e.domain().contains('.'))
}

/// A postal code as offices list them: "94523", "94523-1234", "SW1A 1AA".
pub fn valid_postal_code(z: &str) -> bool {
    !z.is_empty() && z.len() <= 10 && z.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == ' ')
}

/// An IANA time zone name, or the message to show.
pub fn parse_timezone(s: &str) -> Result<Tz, String> {
    s.trim()
        .parse::<Tz>()
        .map_err(|_| format!("\u{201c}{}\u{201d} is not a time zone: choose one like America/Los_Angeles.", s.trim()))
}

/// Split a list typed one per line, or with commas, semicolons or spaces.
fn items(s: &str) -> Vec<String> {
    s.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// A checked office, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct OfficeValues {
    pub id: Option<i32>,
    pub slug: String,
    pub name: String,
    pub address: String,
    pub phone: String,
    pub timezone: String,
    pub hours: WeeklyHours,
    pub inbox: Vec<String>,
    pub zip_codes: Vec<String>,
    pub position: Option<(f64, f64)>,
}

fn day_message(day: &str, e: &HoursError) -> String {
    let name = match day {
        "mon" => "Monday",
        "tue" => "Tuesday",
        "wed" => "Wednesday",
        "thu" => "Thursday",
        "fri" => "Friday",
        "sat" => "Saturday",
        _ => "Sunday",
    };
    match e {
        HoursError::CloseBeforeOpen(_) => format!("{name}: the closing time must be after the opening time."),
        HoursError::Overlap(_) => format!("{name}: the times overlap or are out of order."),
        _ => format!("{name}: write hours like 08:00-17:00 or 08:00-12:00, 13:00-17:00, or leave it empty if closed."),
    }
}

fn coordinate(text: &str, field: &str, limit: f64, errors: &mut Vec<(String, String)>) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && v.abs() <= limit => Some(v),
        _ => {
            errors.push((field.into(), format!("Enter a number between -{limit} and {limit}, like 37.9477.")));
            None
        }
    }
}

/// Check an office form. `new` offices get their slug from the form (or
/// from the name when left empty); existing offices keep theirs, so their
/// public address never breaks. `taken` are the clinic's other slugs.
pub fn validate(form: &OfficeForm, existing_slug: Option<&str>, taken: &[String]) -> Result<OfficeValues, OfficeError> {
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut err = |f: &str, m: String| errors.push((f.to_string(), m));

    let name = form.name.trim().to_string();
    if name.is_empty() {
        err("name", "Enter the office's name, like \u{201c}Pleasant Hill\u{201d}.".into());
    } else if name.chars().count() > 200 {
        err("name", format!("The name has {} characters; 200 at most.", name.chars().count()));
    }
    let slug = match existing_slug {
        Some(s) => s.to_string(),
        None => {
            let typed = form.slug.trim().to_lowercase();
            let slug = if typed.is_empty() { slug::slugify(&name) } else { typed };
            if slug.is_empty() && !name.is_empty() {
                err("slug", "Enter the office's web address, like pleasant-hill.".into());
            } else if !slug.is_empty() && (!valid_slug(&slug) || slug.len() > 64) {
                err("slug", "Use lowercase letters, digits and hyphens only (64 at most), like pleasant-hill.".into());
            } else if taken.contains(&slug) {
                err("slug", format!("Another office already uses \u{201c}{slug}\u{201d}: choose another address."));
            }
            slug
        }
    };
    let address = form.address.trim().to_string();
    if address.is_empty() {
        err("address", "Enter the street address visitors come to.".into());
    } else if address.chars().count() > 500 {
        err("address", "The address is longer than 500 characters.".into());
    }
    let phone = form.phone.trim().to_string();
    if crate::slugs::phone_href(&phone).is_none() || phone.chars().count() > 40 {
        err("phone", "Enter a phone number with 7 to 15 digits, like (925) 555-0142.".into());
    }
    let timezone = match parse_timezone(&form.timezone) {
        Ok(tz) => tz.name().to_string(),
        Err(m) => {
            err("timezone", m);
            String::new()
        }
    };
    let mut hours = WeeklyHours::default();
    for (i, (day, spec)) in form.days().into_iter().enumerate() {
        match super::hours::parse_day(spec) {
            Ok(spans) => hours.days[i] = spans,
            Err(e) => err(day, day_message(day, &e)),
        }
    }
    let mut inbox: Vec<String> = Vec::new();
    for address in items(&form.inbox) {
        let a = address.to_lowercase();
        if !valid_email(&a) {
            err("inbox", format!("\u{201c}{address}\u{201d} is not an e-mail address like front-desk@clinic.example."));
        } else if !inbox.contains(&a) {
            inbox.push(a);
        }
    }
    if inbox.len() > MAX_INBOXES {
        err("inbox", format!("{} addresses: {MAX_INBOXES} at most.", inbox.len()));
    }
    let mut zip_codes: Vec<String> = Vec::new();
    for z in items(&form.zip_codes) {
        if !valid_postal_code(&z) {
            err("zip_codes", format!("\u{201c}{z}\u{201d} is not a ZIP code like 94523."));
        } else if !zip_codes.contains(&z) {
            zip_codes.push(z);
        }
    }
    match super::hours::parse_closures(&form.closures) {
        Ok(closures) => hours.closures = closures,
        Err(lines) => err("closures", lines.join(" ")),
    }
    if zip_codes.len() > MAX_ZIP_CODES {
        err("zip_codes", format!("{} ZIP codes: {MAX_ZIP_CODES} at most.", zip_codes.len()));
    }
    let lat = coordinate(&form.latitude, "latitude", 90.0, &mut errors);
    let lon = coordinate(&form.longitude, "longitude", 180.0, &mut errors);
    let position = match (lat, lon, form.latitude.trim().is_empty(), form.longitude.trim().is_empty()) {
        (Some(a), Some(b), _, _) => Some((a, b)),
        (Some(_), None, _, true) => {
            errors.push(("longitude".into(), "Enter the longitude too, or neither.".into()));
            None
        }
        (None, Some(_), true, _) => {
            errors.push(("latitude".into(), "Enter the latitude too, or neither.".into()));
            None
        }
        _ => None,
    };
    if !errors.is_empty() {
        return Err(OfficeError::Invalid(errors));
    }
    let id = form.id.trim().parse().ok();
    Ok(OfficeValues { id, slug, name, address, phone, timezone, hours, inbox, zip_codes, position })
}

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).expect("a list of strings serialises")
}

fn parse_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

fn closures_json(hours: &WeeklyHours) -> String {
    serde_json::to_string(&hours.closures).expect("closures serialise")
}

/// The form as the database has the office.
pub fn form_of(m: &location::Model) -> OfficeForm {
    let hours = super::read::hours_of(m);
    let spec = hours.to_spec_map();
    let day = |k: &str| spec.get(k).cloned().unwrap_or_default().replace(',', ", ");
    OfficeForm {
        id: m.id.to_string(),
        slug: m.slug.clone(),
        name: m.name.clone(),
        address: m.address.clone(),
        phone: m.phone.clone(),
        timezone: m.timezone.clone(),
        mon: day("mon"),
        tue: day("tue"),
        wed: day("wed"),
        thu: day("thu"),
        fri: day("fri"),
        sat: day("sat"),
        sun: day("sun"),
        inbox: parse_list(&m.inbox).join("\n"),
        zip_codes: parse_list(&m.zip_codes).join(" "),
        latitude: m.latitude.map(|v| v.to_string()).unwrap_or_default(),
        longitude: m.longitude.map(|v| v.to_string()).unwrap_or_default(),
        closures: hours.closures.iter().map(super::hours::Closure::line).collect::<Vec<_>>().join("\n"),
    }
}

async fn offices_of<C: ConnectionTrait>(db: &C, clinic_id: i32) -> Result<Vec<location::Model>, sea_orm::DbErr> {
    location::Entity::find()
        .filter(location::Column::ClinicId.eq(clinic_id))
        .order_by_asc(location::Column::Position)
        .order_by_asc(location::Column::Id)
        .all(db)
        .await
}

/// The clinic's offices and its default inbox.
pub async fn page<C: ConnectionTrait>(db: &C, clinic_id: i32) -> Result<OfficesPage, OfficeError> {
    let clinic = clinic::Entity::find_by_id(clinic_id).one(db).await?.ok_or(OfficeError::NotFound)?;
    let offices = offices_of(db, clinic_id)
        .await?
        .iter()
        .map(|m| OfficeRow {
            id: m.id,
            slug: m.slug.clone(),
            name: m.name.clone(),
            address: m.address.clone(),
            phone: m.phone.clone(),
            timezone: m.timezone.clone(),
            inbox: parse_list(&m.inbox),
            zip_codes: parse_list(&m.zip_codes),
            hours: super::read::hours_of(m).table(),
            url: format!("/locations/{}", m.slug),
            archived: m.archived_at.is_some(),
            closures: super::read::hours_of(m)
                .upcoming_closures(super::hours::local_now(super::read::tz_of(m), Utc::now()).date_naive())
                .map(|c| c.text())
                .collect(),
        })
        .collect();
    let routing_order = crate::leads::store::settings(db, clinic_id).await?.routing_order;
    Ok(OfficesPage { offices, default_inbox: clinic.default_inbox, routing_order })
}

/// Every IANA time zone name, for the form's suggestions.
pub fn timezone_names() -> Vec<String> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name().to_string()).collect()
}

/// The edit form of one office (`None`: a new, empty one).
pub async fn editor<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    office_id: Option<i32>,
) -> Result<OfficeEditor, OfficeError> {
    let office = match office_id {
        None => None,
        Some(id) => Some(find(db, clinic_id, id).await?),
    };
    Ok(OfficeEditor {
        form: office.as_ref().map(form_of).unwrap_or_default(),
        is_new: office.is_none(),
        timezones: timezone_names(),
        archived: office.as_ref().is_some_and(|m| m.archived_at.is_some()),
        saved_inbox: office.as_ref().map(|m| parse_list(&m.inbox)).unwrap_or_default(),
    })
}

async fn find<C: ConnectionTrait>(db: &C, clinic_id: i32, id: i32) -> Result<location::Model, OfficeError> {
    location::Entity::find_by_id(id)
        .filter(location::Column::ClinicId.eq(clinic_id))
        .one(db)
        .await?
        .ok_or(OfficeError::NotFound)
}

/// Which fields differ, for the audit summary.
fn changed_fields(old: &location::Model, new: &OfficeValues) -> Vec<&'static str> {
    let mut out = Vec::new();
    if old.name != new.name {
        out.push("name");
    }
    if old.address != new.address {
        out.push("address");
    }
    if old.phone != new.phone {
        out.push("phone");
    }
    if old.timezone != new.timezone {
        out.push("time zone");
    }
    let old_hours = super::read::hours_of(old);
    if old_hours.days != new.hours.days {
        out.push("hours");
    }
    if old_hours.closures != new.hours.closures {
        out.push("holiday closures");
    }
    if parse_list(&old.inbox) != new.inbox {
        out.push("inbox");
    }
    if parse_list(&old.zip_codes) != new.zip_codes {
        out.push("ZIP codes");
    }
    if old.latitude.zip(old.longitude) != new.position {
        out.push("map position");
    }
    out
}

/// Create or update an office; returns its id. Existing offices keep their
/// slug whatever the form says.
pub async fn save(
    db: &DatabaseConnection,
    clinic_id: i32,
    actor: &Actor,
    form: &OfficeForm,
    now: DateTime<Utc>,
) -> Result<i32, OfficeError> {
    let txn = crate::db::begin_write(db).await?;
    let existing = match form.id.trim() {
        "" => None,
        id => Some(find(&txn, clinic_id, id.parse().map_err(|_| OfficeError::NotFound)?).await?),
    };
    let all = offices_of(&txn, clinic_id).await?;
    let taken: Vec<String> = all.iter().map(|l| l.slug.clone()).collect();
    let values = validate(form, existing.as_ref().map(|m| m.slug.as_str()), &taken)?;
    let hours = serde_json::to_string(&values.hours.to_spec_map()).expect("hours serialise");
    let (id, action, summary) = match existing {
        Some(old) => {
            let changed = changed_fields(&old, &values);
            let renamed = old.name != values.name;
            let id = old.id;
            let mut am: location::ActiveModel = old.into();
            am.name = Set(values.name.clone());
            am.address = Set(values.address.clone());
            am.phone = Set(values.phone.clone());
            am.timezone = Set(values.timezone.clone());
            am.hours = Set(hours);
            am.closures = Set(closures_json(&values.hours));
            am.inbox = Set(json_list(&values.inbox));
            am.zip_codes = Set(json_list(&values.zip_codes));
            am.latitude = Set(values.position.map(|p| p.0));
            am.longitude = Set(values.position.map(|p| p.1));
            am.update(&txn).await?;
            if renamed {
                // Office names are indexed with the posts about them.
                changes::posts_touching(&txn, clinic_id, Touching::Location(id), now).await?;
            }
            let what = if changed.is_empty() { "nothing".to_string() } else { changed.join(", ") };
            (id, "office.update", format!("Changed the office {}: {what}", values.name))
        }
        None => {
            let position = all.iter().map(|l| l.position).max().map_or(0, |p| p + 1);
            let saved = location::ActiveModel {
                clinic_id: Set(clinic_id),
                slug: Set(values.slug.clone()),
                name: Set(values.name.clone()),
                address: Set(values.address.clone()),
                phone: Set(values.phone.clone()),
                timezone: Set(values.timezone.clone()),
                hours: Set(hours),
                closures: Set(closures_json(&values.hours)),
                inbox: Set(json_list(&values.inbox)),
                zip_codes: Set(json_list(&values.zip_codes)),
                latitude: Set(values.position.map(|p| p.0)),
                longitude: Set(values.position.map(|p| p.1)),
                position: Set(position),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            (saved.id, "office.create", format!("Added the office {} (/locations/{})", values.name, values.slug))
        }
    };
    audit::record(&txn, Some(clinic_id), actor, action, "location", Some(id), &summary, now).await?;
    txn.commit().await?;
    Ok(id)
}

/// The office as visitors would see it with the form's values (nothing is
/// saved): the same card and week the public pages render.
pub async fn preview<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    form: &OfficeForm,
    now: DateTime<Utc>,
) -> Result<OfficePreview, OfficeError> {
    let existing = match form.id.trim() {
        "" => None,
        id => Some(find(db, clinic_id, id.parse().map_err(|_| OfficeError::NotFound)?).await?),
    };
    let taken: Vec<String> = offices_of(db, clinic_id).await?.into_iter().map(|l| l.slug).collect();
    let values = validate(form, existing.as_ref().map(|m| m.slug.as_str()), &taken)?;
    let model = location::Model {
        id: existing.as_ref().map_or(0, |m| m.id),
        clinic_id,
        slug: values.slug.clone(),
        name: values.name.clone(),
        address: values.address.clone(),
        phone: values.phone.clone(),
        timezone: values.timezone.clone(),
        hours: serde_json::to_string(&values.hours.to_spec_map()).expect("hours serialise"),
        inbox: json_list(&values.inbox),
        zip_codes: json_list(&values.zip_codes),
        latitude: values.position.map(|p| p.0),
        longitude: values.position.map(|p| p.1),
        position: existing.as_ref().map_or(0, |m| m.position),
        closures: closures_json(&values.hours),
        archived_at: None,
    };
    let detail = super::read::detail(&model, now, Vec::new());
    Ok(OfficePreview {
        form: form.clone(),
        card: detail.summary,
        week: detail.weekly_hours,
        closures: detail.closures,
        timezone_label: detail.timezone_label,
    })
}

/// Archive an office (off the public site, the forms and routing; its
/// leads and staff stay) or restore it. The posts about it are re-indexed
/// so search stops (or starts again) naming it.
pub async fn set_archived(
    db: &DatabaseConnection,
    clinic_id: i32,
    actor: &Actor,
    office_id: i32,
    archived: bool,
    now: DateTime<Utc>,
) -> Result<OfficeArchived, OfficeError> {
    let txn = crate::db::begin_write(db).await?;
    let office = find(&txn, clinic_id, office_id).await?;
    let name = office.name.clone();
    if office.archived_at.is_some() != archived {
        let mut am: location::ActiveModel = office.into();
        am.archived_at = Set(archived.then_some(now));
        am.update(&txn).await?;
        changes::posts_touching(&txn, clinic_id, Touching::Location(office_id), now).await?;
        let (action, summary) = if archived {
            ("office.archive", format!("Archived the office {name}"))
        } else {
            ("office.restore", format!("Restored the office {name}"))
        };
        audit::record(&txn, Some(clinic_id), actor, action, "location", Some(office_id), &summary, now).await?;
    }
    txn.commit().await?;
    Ok(OfficeArchived { name, archived })
}

/// Queue a test message to each of the office's saved inbox addresses (or
/// the clinic's default inbox when it has none), through the outbox and
/// the mailer like a real notice. Returns the addresses.
pub async fn send_test(
    db: &DatabaseConnection,
    clinic_id: i32,
    actor: &Actor,
    office_id: i32,
    now: DateTime<Utc>,
) -> Result<Vec<String>, OfficeError> {
    let txn = crate::db::begin_write(db).await?;
    let office = find(&txn, clinic_id, office_id).await?;
    let clinic = clinic::Entity::find_by_id(clinic_id).one(&txn).await?.ok_or(OfficeError::NotFound)?;
    let to = crate::leads::store::inboxes_for(&clinic, Some(&office));
    let notice = crate::leads::outbox::office_test(&clinic, &office, &actor.name);
    for address in &to {
        crate::leads::outbox::enqueue_test(&txn, clinic_id, address, &notice, now).await?;
    }
    let summary = format!("Sent a test e-mail for the office {} to {}", office.name, to.join(", "));
    audit::record(&txn, Some(clinic_id), actor, "office.test_mail", "location", Some(office_id), &summary, now).await?;
    txn.commit().await?;
    Ok(to)
}

/// Which rule decides first when the visitor chose no office.
pub async fn save_routing_order(
    db: &DatabaseConnection,
    clinic_id: i32,
    actor: &Actor,
    order: &str,
    now: DateTime<Utc>,
) -> Result<String, OfficeError> {
    use crate::leads::routing::RuleOrder;
    let Some(order) = RuleOrder::parse(order) else {
        return Err(OfficeError::Invalid(vec![(
            "routing_order".into(),
            "Choose which decides first: the office page or the ZIP code.".into(),
        )]));
    };
    let txn = crate::db::begin_write(db).await?;
    let settings = crate::leads::store::settings(&txn, clinic_id).await?;
    let message = match order {
        RuleOrder::PageFirst => "Saved: the office of the page the form is on decides before the ZIP code.",
        RuleOrder::ZipFirst => "Saved: the visitor\u{2019}s ZIP code decides before the office of the page.",
    };
    if settings.routing_order != order.as_str() {
        let mut am: crate::entities::lead_settings::ActiveModel = settings.into();
        am.routing_order = Set(order.as_str().to_string());
        am.updated_at = Set(now);
        am.update(&txn).await?;
        audit::record(&txn, Some(clinic_id), actor, "clinic.routing_order", "clinic", Some(clinic_id), message, now)
            .await?;
    }
    txn.commit().await?;
    Ok(message.to_string())
}

/// Move an office one place up or down in the clinic's order (positions
/// are renumbered 0, 1, 2… in the same transaction).
pub async fn move_office(
    db: &DatabaseConnection,
    clinic_id: i32,
    actor: &Actor,
    office_id: i32,
    up: bool,
    now: DateTime<Utc>,
) -> Result<(), OfficeError> {
    let txn = crate::db::begin_write(db).await?;
    let mut all = offices_of(&txn, clinic_id).await?;
    let i = all.iter().position(|l| l.id == office_id).ok_or(OfficeError::NotFound)?;
    let j = if up { i.checked_sub(1) } else { Some(i + 1).filter(|j| *j < all.len()) };
    let Some(j) = j else {
        txn.commit().await?;
        return Ok(());
    };
    all.swap(i, j);
    let name = all[j].name.clone();
    for (pos, office) in all.into_iter().enumerate() {
        if office.position != pos as i32 {
            let mut am: location::ActiveModel = office.into();
            am.position = Set(pos as i32);
            am.update(&txn).await?;
        }
    }
    let summary = format!("Moved the office {name} {} in the clinic's order", if up { "up" } else { "down" });
    audit::record(&txn, Some(clinic_id), actor, "office.move", "location", Some(office_id), &summary, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Change where requests go when no office rule matches.
pub async fn save_default_inbox(
    db: &DatabaseConnection,
    clinic_id: i32,
    actor: &Actor,
    email: &str,
    now: DateTime<Utc>,
) -> Result<String, OfficeError> {
    let email = email.trim().to_lowercase();
    if !valid_email(&email) {
        return Err(OfficeError::Invalid(vec![(
            "default_inbox".into(),
            "Enter an e-mail address like requests@clinic.example.".into(),
        )]));
    }
    let txn = crate::db::begin_write(db).await?;
    let c = clinic::Entity::find_by_id(clinic_id).one(&txn).await?.ok_or(OfficeError::NotFound)?;
    if c.default_inbox != email {
        let old = c.default_inbox.clone();
        let mut am: clinic::ActiveModel = c.into();
        am.default_inbox = Set(email.clone());
        am.updated_at = Set(now);
        am.update(&txn).await?;
        let summary = format!("Default inbox changed from {old} to {email}");
        audit::record(&txn, Some(clinic_id), actor, "clinic.default_inbox", "clinic", Some(clinic_id), &summary, now)
            .await?;
    }
    txn.commit().await?;
    Ok(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> OfficeForm {
        OfficeForm {
            name: "Walnut Creek".into(),
            address: "1200 Oak Street, Walnut Creek, CA 94596".into(),
            phone: "(925) 555-0199".into(),
            timezone: "America/Los_Angeles".into(),
            mon: "08:00-17:00".into(),
            tue: "08:00-12:00, 13:00-17:00".into(),
            inbox: "Front@Example.com\nfront@example.com, billing@example.com".into(),
            zip_codes: "94596 94597,94598-1234".into(),
            latitude: "37.9".into(),
            longitude: "-122.06".into(),
            ..Default::default()
        }
    }

    fn fields(r: Result<OfficeValues, OfficeError>) -> Vec<String> {
        match r {
            Err(OfficeError::Invalid(f)) => f.into_iter().map(|(k, _)| k).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn a_good_office_is_normalised() {
        let v = validate(&good(), None, &["pleasant-hill".into()]).unwrap();
        assert_eq!(v.slug, "walnut-creek");
        assert_eq!(v.inbox, ["front@example.com", "billing@example.com"]);
        assert_eq!(v.zip_codes, ["94596", "94597", "94598-1234"]);
        assert_eq!(v.position, Some((37.9, -122.06)));
        assert_eq!(v.hours.days[1].len(), 2);
        assert!(v.hours.days[6].is_empty());
    }

    #[test]
    fn existing_offices_keep_their_slug() {
        let mut f = good();
        f.slug = "something-else".into();
        assert_eq!(validate(&f, Some("walnut"), &["walnut".into()]).unwrap().slug, "walnut");
    }

    #[test]
    fn every_problem_is_reported_at_once_with_its_field() {
        let f = OfficeForm {
            name: String::new(),
            slug: "Bad Slug!".into(),
            address: " ".into(),
            phone: "call us".into(),
            timezone: "Mars/Olympus".into(),
            wed: "9-5".into(),
            thu: "17:00-08:00".into(),
            inbox: "front-desk".into(),
            zip_codes: "94596 <script>".into(),
            latitude: "91".into(),
            longitude: String::new(),
            ..Default::default()
        };
        assert_eq!(
            fields(validate(&f, None, &[])),
            ["name", "slug", "address", "phone", "timezone", "wed", "thu", "inbox", "zip_codes", "latitude"]
        );
    }

    #[test]
    fn slugs_must_be_free_and_coordinates_come_in_pairs() {
        let mut f = good();
        f.slug = "pleasant-hill".into();
        assert_eq!(fields(validate(&f, None, &["pleasant-hill".into()])), ["slug"]);
        let mut f = good();
        f.longitude = String::new();
        assert_eq!(fields(validate(&f, None, &[])), ["longitude"]);
    }

    #[test]
    fn hour_messages_name_the_day() {
        let mut f = good();
        f.fri = "08:00-12:00, 11:00-17:00".into();
        match validate(&f, None, &[]) {
            Err(OfficeError::Invalid(v)) => {
                assert_eq!(v[0].0, "fri");
                assert!(v[0].1.starts_with("Friday"), "{}", v[0].1);
            }
            other => panic!("{other:?}"),
        }
    }
}
