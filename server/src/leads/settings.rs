//! A clinic's request settings as its admins edit them
//! (`/admin/{clinic}/lead-settings`): the consent text and its version, the
//! note above the message box (`clinic.disclaimer`), the response target,
//! retention, the webhook and its secret, and the origins allowed to use
//! the lead API.
//!
//! [`validate`] is pure and reports every problem at once. The field rules
//! for the webhook and the origins ([`check_webhook_url`],
//! [`check_webhook_secret`], [`check_origin`]) are the provision file's
//! rules too (`clinics::provision`, `[clinic.leads]`), so the shell and the
//! admin area accept the same things. [`save`] writes the settings, the
//! disclaimer and one audit line in one transaction; changing the consent
//! text makes a new consent version (leads keep the text and version they
//! were sent with: they are copied into each lead).

use app::admin::model::{LeadSettingsForm, LeadSettingsPage};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, Set};

use super::webhook::{self, LocalHttp, WebhookError};
use crate::audit::{self, Actor};
use crate::entities::{clinic, lead_settings};

/// Shortest webhook secret accepted (here and in the provision file).
pub const MIN_WEBHOOK_SECRET: usize = 16;
/// Longest webhook secret accepted.
pub const MAX_WEBHOOK_SECRET: usize = 500;
/// Longest webhook address.
pub const MAX_URL: usize = 2000;
pub const MAX_CONSENT: usize = 1000;
pub const MAX_DISCLAIMER: usize = 500;
/// Most origins the lead API may allow.
pub const MAX_ORIGINS: usize = 20;
/// Response target bounds, in minutes of business time (15 minutes to 30 business days of 24 h).
pub const MIN_TARGET_MINUTES: i32 = 15;
pub const MAX_TARGET_MINUTES: i32 = 720 * 60;
/// Longest retention period, in days (ten years).
pub const MAX_RETENTION_DAYS: i32 = 3650;

/// A webhook address that can be called: `https://…`, `http://` only to
/// localhost. Returns it trimmed, or the message to show.
pub fn check_webhook_url(url: &str, local: LocalHttp) -> Result<String, String> {
    let url = url.trim();
    let n = url.chars().count();
    if n > MAX_URL {
        return Err(format!("The address has {n} characters; {MAX_URL} at most."));
    }
    match webhook::checked_uri(url, local) {
        Ok(_) => Ok(url.to_string()),
        Err(WebhookError::BadAddress(why)) => Err(format!("This address cannot be used: {why}.")),
        Err(other) => Err(other.to_string()),
    }
}

/// A secret to sign webhook calls with: at least [`MIN_WEBHOOK_SECRET`]
/// characters (surrounding spaces do not count). Returns it trimmed.
pub fn check_webhook_secret(secret: &str) -> Result<String, String> {
    let s = secret.trim();
    let n = s.chars().count();
    if n < MIN_WEBHOOK_SECRET {
        return Err(format!("The secret must hold at least {MIN_WEBHOOK_SECRET} characters."));
    }
    if n > MAX_WEBHOOK_SECRET {
        return Err(format!("The secret must hold at most {MAX_WEBHOOK_SECRET} characters."));
    }
    Ok(s.to_string())
}

/// An origin a browser sends (`https://www.clinic.example`, no path).
/// Returns it as stored: lower case, no trailing slash.
pub fn check_origin(origin: &str) -> Result<String, String> {
    if crate::web::api_leads::valid_origin(origin) {
        Ok(origin.trim().trim_end_matches('/').to_ascii_lowercase())
    } else {
        Err(format!(
            "\u{201c}{}\u{201d} is not an origin like https://www.clinic.example (scheme and host, no path).",
            origin.trim()
        ))
    }
}

/// Line endings as `\n`, surrounding space trimmed: how texts are compared and stored.
fn normalise_text(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n").trim().to_string()
}

/// What happens to the stored webhook secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretChange {
    Keep,
    Set(String),
    Remove,
}

/// A checked form, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub consent_text: String,
    pub disclaimer: Option<String>,
    pub response_target_minutes: i32,
    pub retention_days: Option<i32>,
    pub webhook_url: Option<String>,
    pub secret: SecretChange,
    pub cors_origins: Vec<String>,
}

/// Check the form; `secret_stored`: whether a webhook secret is stored now;
/// `local`: whether this server calls http webhooks on its own machine.
/// Every problem at once, as (field, message) pairs in form order.
pub fn validate(
    form: &LeadSettingsForm,
    secret_stored: bool,
    local: LocalHttp,
) -> Result<Checked, Vec<(String, String)>> {
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut err = |f: &str, m: String| errors.push((f.to_string(), m));

    let consent_text = normalise_text(&form.consent_text);
    let n = consent_text.chars().count();
    if consent_text.is_empty() {
        err("consent_text", "Write the consent text visitors agree to.".into());
    } else if n > MAX_CONSENT {
        err("consent_text", format!("The consent text has {n} characters; {MAX_CONSENT} at most."));
    }

    let disclaimer = normalise_text(&form.disclaimer);
    let n = disclaimer.chars().count();
    if n > MAX_DISCLAIMER {
        err("disclaimer", format!("The note has {n} characters; {MAX_DISCLAIMER} at most."));
    }

    let target = form.response_target_hours.trim().replace(',', ".");
    let response_target_minutes = match target.parse::<f64>() {
        Ok(h)
            if h.is_finite()
                && (h * 60.0).round() >= f64::from(MIN_TARGET_MINUTES)
                && h * 60.0 <= f64::from(MAX_TARGET_MINUTES) =>
        {
            (h * 60.0).round() as i32
        }
        _ => {
            err(
                "response_target_hours",
                format!(
                    "Enter a number of business hours like 4 or 1.5 (at least 0.25, at most {}).",
                    MAX_TARGET_MINUTES / 60
                ),
            );
            0
        }
    };

    let retention = form.retention_days.trim();
    let retention_days = match retention {
        "" => None,
        r => match r.parse::<i32>() {
            Ok(d) if (1..=MAX_RETENTION_DAYS).contains(&d) => Some(d),
            _ => {
                err(
                    "retention_days",
                    format!(
                        "Enter a whole number of days from 1 to {MAX_RETENTION_DAYS}, or leave it empty to keep requests."
                    ),
                );
                None
            }
        },
    };

    let webhook_url = match form.webhook_url.trim() {
        "" => None,
        u => match check_webhook_url(u, local) {
            Ok(u) => Some(u),
            Err(m) => {
                err("webhook_url", m);
                None
            }
        },
    };
    let url_typed = !form.webhook_url.trim().is_empty();

    let forget = matches!(form.forget_secret.trim(), "on" | "true" | "1" | "yes");
    let secret = match form.webhook_secret.trim() {
        "" if forget => SecretChange::Remove,
        "" => SecretChange::Keep,
        s => match check_webhook_secret(s) {
            Ok(s) => SecretChange::Set(s),
            Err(m) => {
                err("webhook_secret", m);
                SecretChange::Keep
            }
        },
    };
    let secret_after = match &secret {
        SecretChange::Keep => secret_stored,
        SecretChange::Set(_) => true,
        SecretChange::Remove => false,
    };
    if url_typed && !secret_after && form.webhook_secret.trim().is_empty() {
        err(
            "webhook_secret",
            format!(
                "A webhook needs a secret to sign its calls: type one of at least {MIN_WEBHOOK_SECRET} characters."
            ),
        );
    }

    let mut cors_origins: Vec<String> = Vec::new();
    let mut bad: Vec<String> = Vec::new();
    for line in form.cors_origins.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match check_origin(line) {
            Ok(o) if !cors_origins.contains(&o) => cors_origins.push(o),
            Ok(_) => {}
            Err(m) => bad.push(m),
        }
    }
    if let Some(first) = bad.first() {
        let more = match bad.len() {
            1 => String::new(),
            n => format!(" ({} more lines are not origins either.)", n - 1),
        };
        err("cors_origins", format!("{first}{more}"));
    } else if cors_origins.len() > MAX_ORIGINS {
        err("cors_origins", format!("{} origins; {MAX_ORIGINS} at most.", cors_origins.len()));
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Checked {
        consent_text,
        disclaimer: (!disclaimer.is_empty()).then_some(disclaimer),
        response_target_minutes,
        retention_days,
        webhook_url,
        secret,
        cors_origins,
    })
}

/// The version after `current` when the consent text changes on `today`:
/// the date (`2026-12-03`), with `-2`, `-3`… for further changes that day.
pub fn next_consent_version(current: &str, today: NaiveDate) -> String {
    let base = today.format("%Y-%m-%d").to_string();
    if current == base {
        return format!("{base}-2");
    }
    if let Some(n) = current.strip_prefix(&format!("{base}-")).and_then(|n| n.parse::<u32>().ok()) {
        return format!("{base}-{}", n + 1);
    }
    base
}

/// The day a consent version took effect, when the version is a date (`2026-12-03`, `2026-12-03-2`).
pub fn version_date(version: &str) -> Option<DateTime<Utc>> {
    let day = NaiveDate::parse_from_str(version.get(..10)?, "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc())
}

/// Minutes as typed hours: `240` → `4`, `90` → `1.5`.
fn hours_text(minutes: i32) -> String {
    if minutes % 60 == 0 {
        return (minutes / 60).to_string();
    }
    let s = format!("{:.2}", f64::from(minutes) / 60.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn origins_of(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

/// The form filled from what is stored (the secret never).
pub fn form_of(s: &lead_settings::Model, c: &clinic::Model) -> LeadSettingsForm {
    LeadSettingsForm {
        consent_text: s.consent_text.clone(),
        disclaimer: c.disclaimer.clone().unwrap_or_default(),
        response_target_hours: hours_text(s.response_target_minutes),
        retention_days: s.retention_days.map(|d| d.to_string()).unwrap_or_default(),
        webhook_url: s.webhook_url.clone().unwrap_or_default(),
        webhook_secret: String::new(),
        forget_secret: String::new(),
        cors_origins: origins_of(&s.cors_origins).join("\n"),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("the settings have {} problem(s)", .0.len())]
    Invalid(Vec<(String, String)>),
    #[error("no such clinic")]
    NotFound,
    #[error(transparent)]
    Db(#[from] DbErr),
}

fn secret_is_set(s: &lead_settings::Model) -> bool {
    s.webhook_secret.as_deref().is_some_and(|x| !x.trim().is_empty())
}

/// The settings page's data.
pub async fn page<C: ConnectionTrait>(db: &C, clinic_id: i32) -> Result<LeadSettingsPage, SettingsError> {
    let c = clinic::Entity::find_by_id(clinic_id).one(db).await?.ok_or(SettingsError::NotFound)?;
    let s = super::store::settings(db, clinic_id).await?;
    Ok(LeadSettingsPage {
        form: form_of(&s, &c),
        consent_since: version_date(&s.consent_version),
        consent_version: s.consent_version.clone(),
        secret_set: secret_is_set(&s),
        refused: None,
    })
}

/// What a save did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// The new consent version, when the text changed.
    pub new_consent_version: Option<String>,
    /// What changed, in words (empty: nothing).
    pub changed: Vec<String>,
}

/// Check and store, with one `lead.settings` audit line naming what changed
/// (never the secret, nor the webhook address, which may carry a key).
pub async fn save(
    db: &DatabaseConnection,
    clinic_id: i32,
    actor: &Actor,
    form: &LeadSettingsForm,
    local: LocalHttp,
    now: DateTime<Utc>,
) -> Result<Saved, SettingsError> {
    let txn = crate::db::begin_write(db).await?;
    let c = clinic::Entity::find_by_id(clinic_id).one(&txn).await?.ok_or(SettingsError::NotFound)?;
    let s = super::store::settings(&txn, clinic_id).await?;
    let v = validate(form, secret_is_set(&s), local).map_err(SettingsError::Invalid)?;

    let mut changed: Vec<String> = Vec::new();
    let mut new_consent_version = None;
    let mut am: lead_settings::ActiveModel = s.clone().into();
    if v.consent_text != normalise_text(&s.consent_text) {
        let version = next_consent_version(&s.consent_version, now.date_naive());
        am.consent_text = Set(v.consent_text.clone());
        am.consent_version = Set(version.clone());
        changed.push(format!("consent text (version {} \u{2192} {version})", s.consent_version));
        new_consent_version = Some(version);
    }
    if v.response_target_minutes != s.response_target_minutes {
        am.response_target_minutes = Set(v.response_target_minutes);
        changed.push(format!(
            "response target ({} h \u{2192} {} h)",
            hours_text(s.response_target_minutes),
            hours_text(v.response_target_minutes)
        ));
    }
    if v.retention_days != s.retention_days {
        am.retention_days = Set(v.retention_days);
        let days = |d: Option<i32>| d.map_or("kept".to_string(), |d| format!("{d} days"));
        changed.push(format!("retention ({} \u{2192} {})", days(s.retention_days), days(v.retention_days)));
    }
    if v.webhook_url != s.webhook_url {
        am.webhook_url = Set(v.webhook_url.clone());
        changed.push(
            match (&s.webhook_url, &v.webhook_url) {
                (None, Some(_)) => "webhook address (added)",
                (Some(_), None) => "webhook address (removed)",
                _ => "webhook address (changed)",
            }
            .to_string(),
        );
    }
    match &v.secret {
        SecretChange::Keep => {}
        SecretChange::Set(new) => {
            if s.webhook_secret.as_deref() != Some(new.as_str()) {
                am.webhook_secret = Set(Some(new.clone()));
                let what = if secret_is_set(&s) { "replaced" } else { "set" };
                changed.push(format!("webhook secret ({what})"));
            }
        }
        SecretChange::Remove => {
            if s.webhook_secret.is_some() {
                am.webhook_secret = Set(None);
                changed.push("webhook secret (removed)".to_string());
            }
        }
    }
    let origins_json = serde_json::to_string(&v.cors_origins).expect("strings serialise");
    if v.cors_origins != origins_of(&s.cors_origins) {
        am.cors_origins = Set(origins_json);
        changed.push(format!("allowed origins ({})", v.cors_origins.len()));
    }
    let disclaimer_changed = v.disclaimer != c.disclaimer.as_deref().map(normalise_text).filter(|d| !d.is_empty());
    if disclaimer_changed {
        changed.push("note above the message box".to_string());
    }

    if !changed.is_empty() {
        if am.is_changed() {
            am.updated_at = Set(now);
            am.update(&txn).await?;
        }
        if disclaimer_changed {
            let mut cm: clinic::ActiveModel = c.into();
            cm.disclaimer = Set(v.disclaimer.clone());
            cm.updated_at = Set(now);
            cm.update(&txn).await?;
        }
        let summary = format!("Changed the request settings: {}", changed.join(", "));
        audit::record(&txn, Some(clinic_id), actor, "lead.settings", "clinic", Some(clinic_id), &summary, now).await?;
    }
    txn.commit().await?;
    Ok(Saved { new_consent_version, changed })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> LeadSettingsForm {
        LeadSettingsForm {
            consent_text: "  I agree that the clinic stores this.\r\nAnd answers me.  ".into(),
            disclaimer: "Non-medical questions only.".into(),
            response_target_hours: "1,5".into(),
            retention_days: " 365 ".into(),
            webhook_url: " https://crm.example/hooks/leads?key=abc ".into(),
            webhook_secret: "  sixteen chars ok  ".into(),
            forget_secret: String::new(),
            cors_origins: "https://www.Clinic.example/\n\nhttp://localhost:5173\nhttps://www.clinic.example".into(),
        }
    }

    fn fields(r: Result<Checked, Vec<(String, String)>>) -> Vec<String> {
        match r {
            Err(f) => f.into_iter().map(|(k, _)| k).collect(),
            Ok(v) => panic!("expected field errors, got {v:?}"),
        }
    }

    #[test]
    fn a_good_form_is_normalised() {
        let v = validate(&good(), false, LocalHttp::Refused).unwrap();
        assert_eq!(v.consent_text, "I agree that the clinic stores this.\nAnd answers me.");
        assert_eq!(v.disclaimer.as_deref(), Some("Non-medical questions only."));
        assert_eq!(v.response_target_minutes, 90);
        assert_eq!(v.retention_days, Some(365));
        assert_eq!(v.webhook_url.as_deref(), Some("https://crm.example/hooks/leads?key=abc"));
        assert_eq!(v.secret, SecretChange::Set("sixteen chars ok".into()));
        assert_eq!(v.cors_origins, ["https://www.clinic.example", "http://localhost:5173"]);
    }

    #[test]
    fn empty_optional_fields_mean_none_and_keep() {
        let f = LeadSettingsForm {
            consent_text: "I agree.".into(),
            response_target_hours: "4".into(),
            ..Default::default()
        };
        let v = validate(&f, true, LocalHttp::Refused).unwrap();
        assert_eq!((v.disclaimer, v.retention_days, v.webhook_url), (None, None, None));
        assert_eq!(v.secret, SecretChange::Keep);
        assert!(v.cors_origins.is_empty());
        let v = validate(&LeadSettingsForm { forget_secret: "on".into(), ..f }, true, LocalHttp::Refused).unwrap();
        assert_eq!(v.secret, SecretChange::Remove);
    }

    #[test]
    fn every_problem_is_reported_at_once_with_its_field() {
        let f = LeadSettingsForm {
            consent_text: " \r\n ".into(),
            disclaimer: "x".repeat(MAX_DISCLAIMER + 1),
            response_target_hours: "soon".into(),
            retention_days: "0".into(),
            webhook_url: "http://crm.example/hook".into(),
            webhook_secret: "short".into(),
            forget_secret: String::new(),
            cors_origins: "https://ok.example\nhttps://www.clinic.example/contact\nwww.clinic.example".into(),
        };
        assert_eq!(
            fields(validate(&f, false, LocalHttp::Refused)),
            [
                "consent_text",
                "disclaimer",
                "response_target_hours",
                "retention_days",
                "webhook_url",
                "webhook_secret",
                "cors_origins"
            ]
        );
    }

    #[test]
    fn a_webhook_needs_a_secret_stored_or_typed() {
        let mut f = good();
        f.webhook_secret = String::new();
        assert_eq!(fields(validate(&f, false, LocalHttp::Refused)), ["webhook_secret"]);
        assert_eq!(validate(&f, true, LocalHttp::Refused).unwrap().secret, SecretChange::Keep);
        f.forget_secret = "on".into();
        assert_eq!(
            fields(validate(&f, true, LocalHttp::Refused)),
            ["webhook_secret"],
            "removing the secret of a webhook in use"
        );
        f.webhook_url = String::new();
        assert_eq!(validate(&f, true, LocalHttp::Refused).unwrap().secret, SecretChange::Remove);
    }

    #[test]
    fn bounds_of_numbers() {
        for (hours, ok) in
            [("0.25", true), ("0.1", false), ("720", true), ("721", false), ("-1", false), ("NaN", false)]
        {
            let f = LeadSettingsForm { response_target_hours: hours.into(), ..good() };
            assert_eq!(validate(&f, false, LocalHttp::Refused).is_ok(), ok, "{hours}");
        }
        for (days, ok) in [("1", true), ("3650", true), ("3651", false), ("1.5", false), ("-3", false)] {
            let f = LeadSettingsForm { retention_days: days.into(), ..good() };
            assert_eq!(validate(&f, false, LocalHttp::Refused).is_ok(), ok, "{days}");
        }
    }

    #[test]
    fn shared_rules_for_the_provision_file() {
        assert!(check_webhook_url("http://localhost:9000/hook", LocalHttp::Allowed).is_ok());
        assert!(check_webhook_url("http://localhost:9000/hook", LocalHttp::Refused).unwrap_err().contains("https"));
        assert!(check_webhook_url("ftp://crm.example", LocalHttp::Allowed).unwrap_err().contains("https"));
        assert!(check_webhook_secret("fifteen chars!!").is_err());
        assert_eq!(check_webhook_secret(" sixteen chars ok ").unwrap(), "sixteen chars ok");
        assert_eq!(check_origin("HTTPS://WWW.Clinic.Example/").unwrap(), "https://www.clinic.example");
        assert!(check_origin("https://www.clinic.example/contact").is_err());
    }

    #[test]
    fn consent_versions_follow_the_day() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert_eq!(next_consent_version("2026-12-01", day), "2026-12-03");
        assert_eq!(next_consent_version("2026-12-03", day), "2026-12-03-2");
        assert_eq!(next_consent_version("2026-12-03-2", day), "2026-12-03-3");
        assert_eq!(next_consent_version("v1", day), "2026-12-03");
        assert_eq!(version_date("2026-12-03-2").unwrap().date_naive(), day);
        assert_eq!(version_date("v1"), None);
    }

    #[test]
    fn hours_are_shown_as_typed() {
        assert_eq!((hours_text(240), hours_text(90), hours_text(20)), ("4".into(), "1.5".into(), "0.33".into()));
    }
}
