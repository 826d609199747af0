//! `clinicpress provision FILE.toml`: an idempotent upsert of clinics,
//! locations, authors and users from a TOML file.
//!
//! The whole file is parsed and validated before anything is written
//! (unknown keys, bad time zones or hours are rejected with the key and the
//! line), then applied in one transaction.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, Set,
};
use serde::Deserialize;
use toml::Spanned;

use crate::accounts::authz::Role;
use crate::audit::{self, Actor};
use crate::entities::{app_user, author, clinic, clinic_host, lead_settings, location, membership};
use crate::locations::hours::WeeklyHours;
use crate::locations::offices::{valid_email, valid_postal_code};
use crate::search::changes::{self, Touching};
use crate::slugs::{valid_host, valid_slug};

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}:{line}: `{key}`: {message}")]
    Invalid { file: String, line: usize, key: String, message: String },
    #[error("database error while applying the provision file: {0}")]
    Db(#[from] sea_orm::DbErr),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvisionFile {
    #[serde(default)]
    pub clinic: Vec<ClinicSpec>,
    #[serde(default)]
    pub user: Vec<UserSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClinicSpec {
    pub slug: Spanned<String>,
    pub name: String,
    pub tagline: Option<String>,
    pub brand_color: Option<Spanned<String>>,
    pub logo_url: Option<String>,
    pub disclaimer: Option<String>,
    #[serde(default)]
    pub hosts: Vec<Spanned<String>>,
    pub default_inbox: Spanned<String>,
    #[serde(default)]
    pub location: Vec<LocationSpec>,
    #[serde(default)]
    pub author: Vec<AuthorSpec>,
    /// `[clinic.leads]`: the webhook and the lead API's allowed origins.
    /// Absent: the clinic's lead settings are left as they are.
    pub leads: Option<LeadsSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadsSpec {
    /// `https://…` (`http://` only to localhost): each new request is announced there.
    pub webhook_url: Option<Spanned<String>>,
    /// The environment variable holding the secret that signs the calls.
    pub webhook_secret_env: Option<Spanned<String>>,
    /// Origins whose pages may send requests to `POST /api/v1/leads`.
    #[serde(default)]
    pub cors_origins: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationSpec {
    pub slug: Spanned<String>,
    pub name: String,
    pub address: String,
    pub phone: Spanned<String>,
    pub timezone: Spanned<String>,
    pub hours: Option<Spanned<BTreeMap<String, String>>>,
    #[serde(default)]
    pub inbox: Vec<Spanned<String>>,
    #[serde(default)]
    pub zip_codes: Vec<Spanned<String>>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Holiday closures, e.g. "2026-12-24 to 2026-12-26 Winter break". When
    /// listed they replace the office's; when absent, those set in the admin
    /// area stay.
    #[serde(default)]
    pub closures: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorSpec {
    pub slug: Spanned<String>,
    pub name: String,
    pub credentials: Option<String>,
    pub bio: Option<String>,
    pub photo: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    pub email: Spanned<String>,
    pub name: String,
    /// Name of an environment variable holding the initial password.
    pub password_env: Option<Spanned<String>>,
    /// Network owner: may create, rename and archive clinics.
    #[serde(default)]
    pub owner: bool,
    #[serde(default)]
    pub roles: Vec<RoleSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleSpec {
    pub clinic: Spanned<String>,
    pub role: Spanned<String>,
    pub location: Option<Spanned<String>>,
}

/// A parsed and validated file, ready to apply.
pub struct Plan {
    file: ProvisionFile,
    file_name: String,
    source: String,
    hours: HashMap<(String, String), WeeklyHours>,
    passwords: HashMap<String, String>,
    /// Clinic slug → webhook secret (from the environment).
    webhook_secrets: HashMap<String, String>,
}

struct Checker<'a> {
    file: &'a str,
    source: &'a str,
}

impl Checker<'_> {
    fn line(&self, offset: usize) -> usize {
        self.source[..offset.min(self.source.len())].bytes().filter(|&b| b == b'\n').count() + 1
    }
    fn err<T>(&self, span: std::ops::Range<usize>, key: &str, message: impl Into<String>) -> Result<T, ProvisionError> {
        Err(ProvisionError::Invalid {
            file: self.file.to_string(),
            line: self.line(span.start),
            key: key.to_string(),
            message: message.into(),
        })
    }
}

/// Parse and validate. `env` looks up password variables (the process
/// environment in production; a map in tests).
pub fn plan(file_name: &str, source: &str, env: impl Fn(&str) -> Option<String>) -> Result<Plan, ProvisionError> {
    let file: ProvisionFile = toml::from_str(source).map_err(|e| ProvisionError::Parse {
        file: file_name.to_string(),
        message: e.to_string().trim_end().to_string(),
    })?;
    let c = Checker { file: file_name, source };
    let mut hours = HashMap::new();
    let mut clinic_slugs = HashSet::new();
    let mut locations_by_clinic: HashMap<String, HashSet<String>> = HashMap::new();
    let mut all_hosts = HashSet::new();
    let mut webhook_secrets = HashMap::new();

    for cl in &file.clinic {
        let slug = cl.slug.get_ref();
        if !valid_slug(slug) {
            return c.err(cl.slug.span(), "slug", format!("\"{slug}\" must be lowercase letters, digits and hyphens"));
        }
        if !clinic_slugs.insert(slug.clone()) {
            return c.err(cl.slug.span(), "slug", format!("clinic \"{slug}\" is listed twice"));
        }
        if cl.name.trim().is_empty() {
            return c.err(cl.slug.span(), "name", "a clinic needs a name");
        }
        if let Some(color) = &cl.brand_color
            && !crate::slugs::valid_hex_color(color.get_ref())
        {
            return c.err(color.span(), "brand_color", format!("\"{}\" is not a colour like #1f5f8b", color.get_ref()));
        }
        // White text goes on the brand colour (buttons, the hero): it must read (WCAG AA).
        if let Some(color) = &cl.brand_color
            && let Err(message) = app::colors::check_brand_color(color.get_ref())
        {
            return c.err(color.span(), "brand_color", message);
        }
        if !valid_email(cl.default_inbox.get_ref()) {
            return c.err(
                cl.default_inbox.span(),
                "default_inbox",
                format!("\"{}\" is not an e-mail address", cl.default_inbox.get_ref()),
            );
        }
        for h in &cl.hosts {
            let host = h.get_ref().to_ascii_lowercase();
            if !valid_host(&host) {
                return c.err(h.span(), "hosts", format!("\"{}\" is not a host name", h.get_ref()));
            }
            if !all_hosts.insert(host.clone()) {
                return c.err(h.span(), "hosts", format!("\"{host}\" is claimed by two clinics"));
            }
        }
        let locs = locations_by_clinic.entry(slug.clone()).or_default();
        for loc in &cl.location {
            let ls = loc.slug.get_ref();
            if !valid_slug(ls) {
                return c.err(
                    loc.slug.span(),
                    "slug",
                    format!("\"{ls}\" must be lowercase letters, digits and hyphens"),
                );
            }
            if !locs.insert(ls.clone()) {
                return c.err(
                    loc.slug.span(),
                    "slug",
                    format!("location \"{ls}\" is listed twice in clinic \"{slug}\""),
                );
            }
            if let Err(message) = crate::locations::offices::parse_timezone(loc.timezone.get_ref()) {
                return c.err(loc.timezone.span(), "timezone", message);
            }
            if crate::slugs::phone_href(loc.phone.get_ref()).is_none() {
                return c.err(loc.phone.span(), "phone", format!("\"{}\" is not a phone number", loc.phone.get_ref()));
            }
            let mut parsed = match &loc.hours {
                None => WeeklyHours::default(),
                Some(h) => WeeklyHours::parse(h.get_ref().iter().map(|(k, v)| (k.as_str(), v.as_str())))
                    .or_else(|e| c.err(h.span(), "hours", e.to_string()))?,
            };
            for closure in &loc.closures {
                match crate::locations::hours::parse_closures(closure.get_ref()) {
                    Ok(list) => parsed.closures.extend(list),
                    Err(e) => {
                        let message = e.join(" ").replacen("Line 1: ", "", 1);
                        return c.err(closure.span(), "closures", message);
                    }
                }
            }
            parsed.closures.sort_by_key(|c| (c.from, c.to));
            if parsed.closures.len() > crate::locations::hours::MAX_CLOSURES {
                let span = loc.closures.last().map(|c| c.span()).unwrap_or_default();
                let message =
                    format!("{} closures: {} at most", parsed.closures.len(), crate::locations::hours::MAX_CLOSURES);
                return c.err(span, "closures", message);
            }
            hours.insert((slug.clone(), ls.clone()), parsed);
            for inbox in &loc.inbox {
                if !valid_email(inbox.get_ref()) {
                    return c.err(inbox.span(), "inbox", format!("\"{}\" is not an e-mail address", inbox.get_ref()));
                }
            }
            for zip in &loc.zip_codes {
                let z = zip.get_ref();
                if !valid_postal_code(z) {
                    return c.err(zip.span(), "zip_codes", format!("\"{z}\" is not a postal code"));
                }
            }
        }
        if let Some(l) = &cl.leads {
            // The same rules as the admin area's request settings.
            use crate::leads::settings::{check_origin, check_webhook_secret, check_webhook_url};
            if let Some(u) = &l.webhook_url {
                // The operator's own file: a test receiver on this machine is allowed here.
                if let Err(message) = check_webhook_url(u.get_ref(), crate::leads::webhook::LocalHttp::Allowed) {
                    return c.err(u.span(), "webhook_url", message);
                }
                if l.webhook_secret_env.is_none() {
                    return c.err(u.span(), "webhook_secret_env", "a webhook needs a secret to sign its calls");
                }
            }
            if let Some(var) = &l.webhook_secret_env {
                match env(var.get_ref()).map(|s| check_webhook_secret(&s)) {
                    Some(Ok(secret)) => {
                        webhook_secrets.insert(slug.clone(), secret);
                    }
                    Some(Err(message)) => {
                        return c.err(var.span(), "webhook_secret_env", format!("${}: {message}", var.get_ref()));
                    }
                    None => {
                        let message = format!("environment variable ${} is not set", var.get_ref());
                        return c.err(var.span(), "webhook_secret_env", message);
                    }
                }
            }
            for o in &l.cors_origins {
                if let Err(message) = check_origin(o.get_ref()) {
                    return c.err(o.span(), "cors_origins", message);
                }
            }
        }
        let mut authors = HashSet::new();
        for a in &cl.author {
            if !valid_slug(a.slug.get_ref()) {
                return c.err(
                    a.slug.span(),
                    "slug",
                    format!("\"{}\" must be lowercase letters, digits and hyphens", a.slug.get_ref()),
                );
            }
            if !authors.insert(a.slug.get_ref().clone()) {
                return c.err(a.slug.span(), "slug", format!("author \"{}\" is listed twice", a.slug.get_ref()));
            }
        }
    }

    let mut passwords = HashMap::new();
    let mut emails = HashSet::new();
    for u in &file.user {
        let email = u.email.get_ref().trim().to_lowercase();
        if !valid_email(&email) {
            return c.err(u.email.span(), "email", format!("\"{}\" is not an e-mail address", u.email.get_ref()));
        }
        if !emails.insert(email.clone()) {
            return c.err(u.email.span(), "email", format!("user \"{email}\" is listed twice"));
        }
        if let Some(var) = &u.password_env {
            match env(var.get_ref()) {
                Some(pw) if pw.chars().count() >= 12 => {
                    passwords.insert(email.clone(), pw);
                }
                Some(_) => {
                    return c.err(
                        var.span(),
                        "password_env",
                        format!("${} must hold at least 12 characters", var.get_ref()),
                    );
                }
                None => {
                    return c.err(
                        var.span(),
                        "password_env",
                        format!("environment variable ${} is not set", var.get_ref()),
                    );
                }
            }
        }
        for r in &u.roles {
            let role = r.role.get_ref().as_str();
            if Role::parse(role).is_none() {
                return c.err(r.role.span(), "role", format!("\"{role}\" is not one of admin, marketer, staff"));
            }
            // Clinics may also already exist in the database; checked at apply time.
            if let (Some(loc), Some(known)) = (&r.location, locations_by_clinic.get(r.clinic.get_ref()))
                && !known.contains(loc.get_ref())
            {
                return c.err(
                    loc.span(),
                    "location",
                    format!("clinic \"{}\" has no location \"{}\"", r.clinic.get_ref(), loc.get_ref()),
                );
            }
            if role == "staff" && r.location.is_none() {
                return c.err(r.role.span(), "location", "the staff role needs a location");
            }
        }
    }
    Ok(Plan { file, file_name: file_name.to_string(), source: source.to_string(), hours, passwords, webhook_secrets })
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Applied {
    pub clinics: usize,
    pub locations: usize,
    pub authors: usize,
    pub users: usize,
}

/// Apply a validated plan in one transaction.
pub async fn apply(db: &DatabaseConnection, plan: Plan) -> Result<Applied, ProvisionError> {
    let txn = crate::db::begin_write(db).await?;
    let applied = apply_in(&txn, &plan).await?;
    txn.commit().await?;
    Ok(applied)
}

async fn apply_in(txn: &DatabaseTransaction, plan: &Plan) -> Result<Applied, ProvisionError> {
    let now = Utc::now();
    let mut out = Applied::default();
    let checker = Checker { file: &plan.file_name, source: &plan.source };
    let invalid = |span: std::ops::Range<usize>, key: &str, message: String| ProvisionError::Invalid {
        file: plan.file_name.clone(),
        line: checker.line(span.start),
        key: key.to_string(),
        message,
    };
    for cl in &plan.file.clinic {
        let slug = cl.slug.get_ref();
        let existing = clinic::Entity::find().filter(clinic::Column::Slug.eq(slug)).one(txn).await?;
        let mut am: clinic::ActiveModel = match &existing {
            Some(m) => m.clone().into(),
            None => clinic::ActiveModel { created_at: Set(now), ..Default::default() },
        };
        am.slug = Set(slug.clone());
        am.name = Set(cl.name.trim().to_string());
        // Tagline, colour and logo are the clinic admins' to change as well
        // (the clinic settings page): a file that leaves one out leaves the
        // stored one as it is, like `[clinic.leads]`.
        let new = existing.is_none();
        if new || cl.tagline.is_some() {
            am.tagline = Set(cl.tagline.clone());
        }
        if let Some(color) = &cl.brand_color {
            am.brand_color = Set(color.get_ref().to_ascii_lowercase());
        } else if new {
            am.brand_color = Set(crate::clinics::network::DEFAULT_BRAND_COLOR.into());
        }
        if new || cl.logo_url.is_some() {
            // A logo named here replaces an uploaded one; its size is then unknown.
            if existing.as_ref().is_none_or(|m| m.logo_url != cl.logo_url) {
                am.logo_width = Set(None);
                am.logo_height = Set(None);
            }
            am.logo_url = Set(cl.logo_url.clone());
        }
        am.disclaimer = Set(cl.disclaimer.clone());
        am.default_inbox = Set(cl.default_inbox.get_ref().trim().to_lowercase());
        am.updated_at = Set(now);
        let clinic = am.save(txn).await?;
        let clinic_id = *clinic.id.as_ref();
        out.clinics += 1;

        if let Some(l) = &cl.leads {
            let mut am: lead_settings::ActiveModel = crate::leads::store::settings(txn, clinic_id).await?.into();
            am.webhook_url = Set(l.webhook_url.as_ref().map(|u| u.get_ref().trim().to_string()));
            am.webhook_secret = Set(plan.webhook_secrets.get(slug).cloned());
            let origins = l.cors_origins.iter().filter_map(|o| crate::leads::settings::check_origin(o.get_ref()).ok());
            am.cors_origins = Set(json_list(origins));
            am.updated_at = Set(now);
            am.update(txn).await?;
        }

        // Host names: exactly the listed ones, and none claimed elsewhere.
        clinic_host::Entity::delete_many().filter(clinic_host::Column::ClinicId.eq(clinic_id)).exec(txn).await?;
        for (i, h) in cl.hosts.iter().enumerate() {
            let host = h.get_ref().to_ascii_lowercase();
            if let Some(other) =
                clinic_host::Entity::find().filter(clinic_host::Column::Host.eq(&host)).one(txn).await?
            {
                let owner = clinic::Entity::find_by_id(other.clinic_id).one(txn).await?;
                return Err(invalid(
                    h.span(),
                    "hosts",
                    format!("\"{host}\" already belongs to clinic \"{}\"", owner.map(|o| o.slug).unwrap_or_default()),
                ));
            }
            clinic_host::ActiveModel {
                clinic_id: Set(clinic_id),
                host: Set(host),
                position: Set(i as i32),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }

        for (pos, loc) in cl.location.iter().enumerate() {
            let ls = loc.slug.get_ref();
            let existing = location::Entity::find()
                .filter(location::Column::ClinicId.eq(clinic_id))
                .filter(location::Column::Slug.eq(ls))
                .one(txn)
                .await?;
            let renamed = existing.as_ref().is_some_and(|m| m.name != loc.name.trim());
            let mut am: location::ActiveModel = match existing {
                Some(m) => m.into(),
                None => location::ActiveModel { clinic_id: Set(clinic_id), ..Default::default() },
            };
            let hours = &plan.hours[&(slug.clone(), ls.clone())];
            am.slug = Set(ls.clone());
            am.name = Set(loc.name.trim().to_string());
            am.address = Set(loc.address.trim().to_string());
            am.phone = Set(loc.phone.get_ref().trim().to_string());
            am.timezone = Set(loc.timezone.get_ref().clone());
            am.hours = Set(serde_json::to_string(&hours.to_spec_map()).expect("hours serialise"));
            if !loc.closures.is_empty() {
                am.closures = Set(serde_json::to_string(&hours.closures).expect("closures serialise"));
            }
            am.inbox = Set(json_list(loc.inbox.iter().map(|s| s.get_ref().trim().to_lowercase())));
            am.zip_codes = Set(json_list(loc.zip_codes.iter().map(|s| s.get_ref().trim().to_string())));
            am.latitude = Set(loc.latitude);
            am.longitude = Set(loc.longitude);
            am.position = Set(pos as i32);
            let saved = am.save(txn).await?;
            if renamed {
                // Location names are indexed with the posts about them.
                changes::posts_touching(txn, clinic_id, Touching::Location(*saved.id.as_ref()), now).await?;
            }
            out.locations += 1;
        }

        for a in &cl.author {
            let existing = author::Entity::find()
                .filter(author::Column::ClinicId.eq(clinic_id))
                .filter(author::Column::Slug.eq(a.slug.get_ref()))
                .one(txn)
                .await?;
            let renamed = existing.as_ref().is_some_and(|m| m.name != a.name.trim());
            let mut am: author::ActiveModel = match existing {
                Some(m) => m.into(),
                None => author::ActiveModel { clinic_id: Set(clinic_id), ..Default::default() },
            };
            am.slug = Set(a.slug.get_ref().clone());
            am.name = Set(a.name.trim().to_string());
            am.credentials = Set(a.credentials.clone().filter(|s| !s.trim().is_empty()));
            am.bio = Set(a.bio.clone());
            am.photo_url = Set(a.photo.clone());
            let saved = am.save(txn).await?;
            if renamed {
                changes::posts_touching(txn, clinic_id, Touching::Author(*saved.id.as_ref()), now).await?;
            }
            out.authors += 1;
        }
    }

    for u in &plan.file.user {
        let email = u.email.get_ref().trim().to_lowercase();
        let existing = app_user::Entity::find().filter(app_user::Column::Email.eq(&email)).one(txn).await?;
        let old_hash = existing.as_ref().and_then(|m| m.password_hash.clone());
        let is_new = existing.is_none();
        let mut am: app_user::ActiveModel = match existing {
            Some(m) => m.into(),
            None => app_user::ActiveModel {
                created_at: Set(now),
                disabled: Set(false),
                password_hash: Set(None),
                ..Default::default()
            },
        };
        am.email = Set(email.clone());
        am.name = Set(u.name.trim().to_string());
        am.is_owner = Set(u.owner);
        am.updated_at = Set(now);
        let mut password_changed = false;
        if let Some(pw) = plan.passwords.get(&email) {
            // Re-hashing the same password on every run is not a change worth logging.
            password_changed = !old_hash.as_deref().is_some_and(|h| crate::passwords::verify(pw, h));
            if password_changed {
                am.password_hash = Set(Some(crate::passwords::hash(pw)));
            }
        }
        let user = am.save(txn).await?;
        let user_id = *user.id.as_ref();
        let old_roles = role_lines(txn, user_id).await?;
        membership::Entity::delete_many().filter(membership::Column::UserId.eq(user_id)).exec(txn).await?;
        for r in &u.roles {
            let Some(cl) = clinic::Entity::find().filter(clinic::Column::Slug.eq(r.clinic.get_ref())).one(txn).await?
            else {
                return Err(invalid(
                    r.clinic.span(),
                    "clinic",
                    format!("user {email}: no clinic \"{}\"", r.clinic.get_ref()),
                ));
            };
            let location_id = match &r.location {
                None => None,
                Some(ls) => match location::Entity::find()
                    .filter(location::Column::ClinicId.eq(cl.id))
                    .filter(location::Column::Slug.eq(ls.get_ref()))
                    .one(txn)
                    .await?
                {
                    Some(l) => Some(l.id),
                    None => {
                        return Err(invalid(
                            ls.span(),
                            "location",
                            format!("user {email}: clinic \"{}\" has no location \"{}\"", cl.slug, ls.get_ref()),
                        ));
                    }
                },
            };
            membership::ActiveModel {
                user_id: Set(user_id),
                clinic_id: Set(cl.id),
                location_id: Set(location_id),
                role: Set(r.role.get_ref().clone()),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
        let new_roles = role_lines(txn, user_id).await?;
        let mut events = Vec::new();
        if is_new {
            events.push(("user.create", format!("created user {email} from the provision file")));
        } else if old_roles != new_roles {
            let show = |r: &[(i32, String)]| r.iter().map(|(_, s)| s.as_str()).collect::<Vec<_>>().join(", ");
            events.push((
                "user.roles",
                format!("roles of {email} changed from [{}] to [{}]", show(&old_roles), show(&new_roles)),
            ));
        }
        if password_changed && !is_new {
            events.push(("user.password", format!("set a new password for {email} from the provision file")));
        }
        let mut clinics: Vec<Option<i32>> = old_roles.iter().chain(&new_roles).map(|(c, _)| Some(*c)).collect();
        clinics.sort_unstable();
        clinics.dedup();
        if clinics.is_empty() {
            clinics.push(None);
        }
        for (action, summary) in &events {
            for c in &clinics {
                audit::record(txn, *c, &Actor::command_line(), action, "user", Some(user_id), summary, now).await?;
            }
        }
        out.users += 1;
    }
    Ok(out)
}

/// A user's memberships as sorted `(clinic id, "clinic:role[:location]")`, to tell whether they changed.
async fn role_lines<C: ConnectionTrait>(db: &C, user_id: i32) -> Result<Vec<(i32, String)>, DbErr> {
    let mut out = Vec::new();
    for m in membership::Entity::find().filter(membership::Column::UserId.eq(user_id)).all(db).await? {
        let clinic = clinic::Entity::find_by_id(m.clinic_id).one(db).await?.map(|c| c.slug).unwrap_or_default();
        let label = match m.location_id {
            Some(l) => {
                let loc = location::Entity::find_by_id(l).one(db).await?.map(|l| l.slug).unwrap_or_default();
                format!("{clinic}:{}:{loc}", m.role)
            }
            None => format!("{clinic}:{}", m.role),
        };
        out.push((m.clinic_id, label));
    }
    out.sort();
    Ok(out)
}

fn json_list(items: impl Iterator<Item = String>) -> String {
    serde_json::to_string(&items.collect::<Vec<_>>()).expect("strings serialise")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    const GOOD: &str = r#"
[[clinic]]
slug = "pmc"
name = "Pain Medicine Consultants"
hosts = ["pmc.localhost", "www.pmc.example"]
default_inbox = "frontdesk@pmc.example"

[[clinic.location]]
slug = "pleasant-hill"
name = "Pleasant Hill"
address = "100 Example Ave, Pleasant Hill, CA 94523"
phone = "+1 925 555 0100"
timezone = "America/Los_Angeles"
hours = { mon = "08:00-17:00", wed = "08:00-12:00,13:00-17:00" }
inbox = ["pleasanthill@pmc.example"]
zip_codes = ["94523"]

[[user]]
email = "Maria@pmc.example"
name = "Maria Lopez"
roles = [{ clinic = "pmc", role = "marketer" }, { clinic = "pmc", location = "pleasant-hill", role = "staff" }]
"#;

    fn invalid(src: &str) -> (usize, String, String) {
        match plan("p.toml", src, no_env) {
            Err(ProvisionError::Invalid { line, key, message, .. }) => (line, key, message),
            Err(other) => panic!("expected a validation error, got {other}"),
            Ok(_) => panic!("expected an error"),
        }
    }

    #[test]
    fn accepts_the_documented_example() {
        let p = plan("p.toml", GOOD, no_env).unwrap();
        assert_eq!(p.file.clinic.len(), 1);
        assert_eq!(p.hours[&("pmc".into(), "pleasant-hill".into())].to_spec_map()["wed"], "08:00-12:00,13:00-17:00");
    }

    #[test]
    fn unknown_keys_are_rejected_with_their_line() {
        let src = GOOD.replace("zip_codes = [\"94523\"]", "zip_codes = [\"94523\"]\nparking = true");
        let err = plan("p.toml", &src, no_env).err().unwrap().to_string();
        assert!(err.contains("parking"), "{err}");
        assert!(err.contains("line 17"), "{err}");
    }

    #[test]
    fn bad_time_zone_names_key_and_line() {
        let (line, key, msg) = invalid(&GOOD.replace("America/Los_Angeles", "Pacific/Nowhere"));
        assert_eq!((line, key.as_str()), (13, "timezone"));
        assert!(msg.contains("Pacific/Nowhere"), "{msg}");
    }

    #[test]
    fn bad_hours_name_key_and_line() {
        let (line, key, msg) = invalid(&GOOD.replace("wed = \"08:00-12:00,13:00-17:00\"", "wed = \"8am-5pm\""));
        assert_eq!((line, key.as_str()), (14, "hours"));
        assert!(msg.contains("8am-5pm"), "{msg}");
    }

    #[test]
    fn closures_are_read_and_bad_ones_named() {
        let with = GOOD.replace(
            "wed = \"08:00-12:00,13:00-17:00\" }",
            "wed = \"08:00-12:00,13:00-17:00\" }\nclosures = [\"2026-12-25 Christmas Day\", \"2026-12-28 to 2026-12-31 Year-end\"]",
        );
        assert_ne!(with, GOOD, "the fixture has the hours line");
        let p = plan("p.toml", &with, no_env).unwrap();
        let hours = &p.hours[&("pmc".into(), "pleasant-hill".into())];
        assert_eq!(hours.closures.len(), 2);
        assert_eq!(hours.closures[1].label, "Year-end");
        let (line, key, msg) = invalid(&with.replace("2026-12-25 Christmas Day", "Christmas"));
        assert_eq!((line, key.as_str()), (15, "closures"));
        assert!(msg.starts_with("write a date like"), "{msg}");
    }

    #[test]
    fn other_checks() {
        assert_eq!(invalid(&GOOD.replace("\"pmc.localhost\"", "\"bad host!\"")).1, "hosts");
        assert_eq!(invalid(&GOOD.replace("frontdesk@pmc.example", "nobody")).1, "default_inbox");
        assert_eq!(invalid(&GOOD.replace("role = \"marketer\"", "role = \"boss\"")).1, "role");
        assert_eq!(invalid(&GOOD.replace("location = \"pleasant-hill\"", "location = \"mars\"")).1, "location");
        assert_eq!(invalid(&GOOD.replace("slug = \"pmc\"", "slug = \"PMC!\"")).1, "slug");
        let (_, key, msg) = invalid(&GOOD.replace("roles =", "password_env = \"NOPE_NOT_SET\"\nroles ="));
        assert_eq!(key, "password_env");
        assert!(msg.contains("NOPE_NOT_SET"));
    }

    #[test]
    fn brand_colours_must_carry_white_text() {
        let with = |c: &str| GOOD.replace("default_inbox =", &format!("brand_color = \"{c}\"\ndefault_inbox ="));
        assert!(plan("p.toml", &with("#1f5f8b"), no_env).is_ok());
        let (_, key, msg) = invalid(&with("#7fd3ff"));
        assert_eq!(key, "brand_color");
        assert!(msg.contains("1.6:1") && msg.contains("4.5:1"), "{msg}");
    }

    #[test]
    fn lead_settings_are_checked() {
        let with = |leads: &str| {
            GOOD.replace("[[clinic.location]]", &format!("[clinic.leads]\n{leads}\n\n[[clinic.location]]"))
        };
        let env = |v: &str| (v == "HOOK_SECRET").then(|| "sixteen chars ok".to_string());
        let good = with(
            "webhook_url = \"https://crm.pmc.example/hook\"\nwebhook_secret_env = \"HOOK_SECRET\"\ncors_origins = [\"https://www.pmc.example\"]",
        );
        let p = plan("p.toml", &good, env).unwrap();
        assert_eq!(p.webhook_secrets["pmc"], "sixteen chars ok");
        let err = |src: String| match plan("p.toml", &src, env) {
            Err(ProvisionError::Invalid { key, message, .. }) => (key, message),
            other => panic!("expected a validation error, got {:?}", other.map(|_| ())),
        };
        assert_eq!(
            err(with("webhook_url = \"http://crm.pmc.example/hook\"\nwebhook_secret_env = \"HOOK_SECRET\"")).0,
            "webhook_url"
        );
        assert_eq!(err(with("webhook_url = \"https://crm.pmc.example/hook\"")).0, "webhook_secret_env");
        assert_eq!(
            err(with("webhook_url = \"https://crm.pmc.example/hook\"\nwebhook_secret_env = \"UNSET\"")).0,
            "webhook_secret_env"
        );
        assert_eq!(err(with("cors_origins = [\"https://www.pmc.example/contact\"]")).0, "cors_origins");
        assert_eq!(err(with("cors_origins = [\"www.pmc.example\"]")).0, "cors_origins");
        let unknown = plan("p.toml", &with("allowed = true"), env).err().unwrap().to_string();
        assert!(unknown.contains("allowed"), "{unknown}");
    }
}
