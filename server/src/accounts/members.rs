//! A clinic's people, as its admins manage them in the admin area: who
//! holds which role here, giving someone a role (inviting them by e-mail
//! when they have no account yet) and taking a role away. Every change is
//! in the clinic's audit log, written in the same transaction; the
//! affected user's session id changes on their next request (their role
//! fingerprint changed, see `web::auth`).

use std::collections::BTreeMap;

use app::admin::model::{MemberForm, MemberRole, MemberRow, MembersPage, OfficeOption, SessionRow};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

use super::authz::Role;
use super::reset;
use super::users::normalise_email;
use crate::audit::{self, Actor};
use crate::entities::{app_user, clinic, location, membership, password_reset, session};
use crate::mail::{Mail, Mailer};

/// How long an invitation's "choose your password" link works.
pub const INVITE_DAYS: i64 = 7;

#[derive(Debug, thiserror::Error)]
pub enum MemberError {
    /// (field, message): shown next to the field.
    #[error("{1}")]
    Invalid(&'static str, String),
    #[error("no such role in this clinic")]
    NotFound,
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// A validated request to give someone a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub location_id: Option<i32>,
}

/// Check the form against the clinic's offices (pure: no database).
pub fn validate(form: &MemberForm, offices: &[i32]) -> Result<Grant, MemberError> {
    let email = normalise_email(&form.email)
        .map_err(|_| MemberError::Invalid("email", "Enter an e-mail address like ann@clinic.example.".into()))?;
    let name = form.name.trim().to_string();
    if name.chars().count() > 100 {
        return Err(MemberError::Invalid("name", "The name is longer than 100 characters.".into()));
    }
    let role = Role::parse(form.role.trim())
        .ok_or_else(|| MemberError::Invalid("role", "Choose admin, marketer or office staff.".into()))?;
    let office: Option<i32> = match form.location_id.trim() {
        "" => None,
        v => Some(
            v.parse()
                .map_err(|_| MemberError::Invalid("location_id", "Choose one of this clinic's offices.".into()))?,
        ),
    };
    let location_id = match (role, office) {
        (Role::Staff, None) => {
            return Err(MemberError::Invalid("location_id", "Office staff work at one office: choose it.".into()));
        }
        (Role::Staff, Some(id)) if !offices.contains(&id) => {
            return Err(MemberError::Invalid("location_id", "Choose one of this clinic's offices.".into()));
        }
        (Role::Staff, Some(id)) => Some(id),
        // An office chosen for a clinic-wide role is simply not used.
        (_, _) => None,
    };
    Ok(Grant { email, name, role, location_id })
}

/// May this membership go? A clinic always keeps at least one admin.
pub fn can_remove(role: &str, admins_in_clinic: usize) -> Result<(), &'static str> {
    if role == Role::Admin.as_str() && admins_in_clinic <= 1 {
        return Err("A clinic needs at least one admin: give someone else the admin role first.");
    }
    Ok(())
}

/// The clinic's people and their roles here (nothing about other clinics
/// but whether they have roles there too), with their live sessions.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    now: DateTime<Utc>,
) -> Result<MembersPage, sea_orm::DbErr> {
    let offices = location::Entity::find()
        .filter(location::Column::ClinicId.eq(clinic_id))
        .order_by_asc(location::Column::Name)
        .all(db)
        .await?;
    let office_name: BTreeMap<i32, String> = offices.iter().map(|l| (l.id, l.name.clone())).collect();
    let rows = membership::Entity::find()
        .filter(membership::Column::ClinicId.eq(clinic_id))
        .find_also_related(app_user::Entity)
        .order_by_asc(membership::Column::Id)
        .all(db)
        .await?;
    let mut by_user: BTreeMap<i32, MemberRow> = BTreeMap::new();
    for (m, user) in rows {
        let Some(u) = user else { continue };
        let row = by_user.entry(u.id).or_insert_with(|| MemberRow {
            user_id: u.id,
            name: u.name.clone(),
            email: u.email.clone(),
            disabled: u.disabled,
            invited: u.password_hash.is_none(),
            roles: Vec::new(),
            is_owner: u.is_owner,
            other_clinics: false,
            sessions: Vec::new(),
        });
        row.roles.push(MemberRole {
            membership_id: m.id,
            role: m.role.clone(),
            office: m.location_id.and_then(|id| office_name.get(&id).cloned()),
        });
    }
    let ids: Vec<i32> = by_user.keys().copied().collect();
    for m in membership::Entity::find()
        .filter(membership::Column::UserId.is_in(ids.clone()))
        .filter(membership::Column::ClinicId.ne(clinic_id))
        .all(db)
        .await?
    {
        if let Some(row) = by_user.get_mut(&m.user_id) {
            row.other_clinics = true;
        }
    }
    for s in session::Entity::find()
        .filter(session::Column::UserId.is_in(ids))
        .filter(session::Column::ExpiresAt.gt(now.timestamp()))
        .order_by_desc(session::Column::ExpiresAt)
        .all(db)
        .await?
    {
        if let Some(row) = s.user_id.and_then(|id| by_user.get_mut(&id)) {
            row.sessions.push(session_row(&s));
        }
    }
    let mut members: Vec<MemberRow> = by_user.into_values().collect();
    members.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.email.cmp(&b.email)));
    let offices = offices
        .into_iter()
        .filter(|l| l.archived_at.is_none())
        .map(|l| OfficeOption { id: l.id, name: l.name })
        .collect();
    Ok(MembersPage { members, offices, now, viewer_is_owner: false })
}

/// A session as the People page shows it. Sessions expire after
/// `IDLE_HOURS` without activity and every request renews that, so the last
/// activity is the expiry less that window.
fn session_row(s: &session::Model) -> SessionRow {
    let expires = DateTime::<Utc>::from_timestamp(s.expires_at, 0).unwrap_or(s.created_at);
    let last_active = (expires - Duration::hours(crate::web::auth::IDLE_HOURS)).max(s.created_at);
    SessionRow { signed_in: s.created_at, last_active }
}

/// What a clinic admin can do to a person's account from the People page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountAction {
    Disable,
    Enable,
    /// Clear the password, end every session, mail a link to choose a new one.
    ResetPassword,
    /// End every session.
    SignOut,
    /// A new invitation link for someone who has not chosen a password.
    Reinvite,
}

impl AccountAction {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "disable" => Self::Disable,
            "enable" => Self::Enable,
            "reset_password" => Self::ResetPassword,
            "sign_out" => Self::SignOut,
            "reinvite" => Self::Reinvite,
            _ => return None,
        })
    }
}

/// What [`may_act`] needs to know about the person and the one acting.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Target {
    pub name: String,
    pub is_self: bool,
    pub is_owner: bool,
    pub actor_is_owner: bool,
    /// Has roles in other clinics too.
    pub other_clinics: bool,
    pub disabled: bool,
    pub invited: bool,
    /// The only enabled admin of this clinic.
    pub last_enabled_admin: bool,
}

/// Whether `action` may be done to `t`, or the sentence saying why not.
/// An account shared with other clinics is the network owner's (a clinic
/// admin would otherwise sign out, lock out or re-invite someone working
/// for clinics they do not run); the owner's own account only the owner
/// changes.
pub fn may_act(action: AccountAction, t: &Target) -> Result<(), String> {
    let name = &t.name;
    if t.is_owner && !t.actor_is_owner {
        return Err(format!("{name} is the network owner: only the owner changes that account."));
    }
    let shared = t.other_clinics && !t.actor_is_owner;
    let shared_message =
        || format!("{name} also works for another clinic: ask the network owner, or take away their roles here.");
    match action {
        AccountAction::Disable if t.is_self => Err("You cannot disable your own account.".into()),
        AccountAction::Disable if t.disabled => Err(format!("{name}'s account is already disabled.")),
        AccountAction::Disable if t.last_enabled_admin => {
            Err(format!("{name} is this clinic's only active admin: give someone else the admin role first."))
        }
        AccountAction::Enable if !t.disabled => Err(format!("{name}'s account is not disabled.")),
        AccountAction::ResetPassword if t.invited => {
            Err(format!("{name} has not chosen a password yet: send the invitation again instead."))
        }
        AccountAction::ResetPassword | AccountAction::Reinvite if t.disabled => {
            Err(format!("{name}'s account is disabled: enable it first."))
        }
        AccountAction::Reinvite if !t.invited => Err(format!("{name} has already chosen a password.")),
        // Even signing out or a new invitation reaches into the other clinic's work.
        _ if shared && !(t.is_self && action == AccountAction::SignOut) => Err(shared_message()),
        _ => Ok(()),
    }
}

/// How long a forced reset's "choose a new password" link works.
pub const FORCED_RESET_DAYS: i64 = 3;

/// Do `action` to the account of `user_id`, a person with a role in this
/// clinic (anyone else: not found). Audit-logged in the clinic's log in the
/// same transaction; sessions end after the commit. Returns a sentence for
/// the admin.
#[allow(clippy::too_many_arguments)]
pub async fn act(
    db: &DatabaseConnection,
    mailer: &Mailer,
    clinic_id: i32,
    actor: &Actor,
    actor_is_owner: bool,
    user_id: i32,
    action: AccountAction,
    link_base: &str,
    now: DateTime<Utc>,
) -> Result<String, MemberError> {
    let txn = crate::db::begin_write(db).await?;
    let here = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .filter(membership::Column::ClinicId.eq(clinic_id))
        .all(&txn)
        .await?;
    if here.is_empty() {
        return Err(MemberError::NotFound);
    }
    let user = app_user::Entity::find_by_id(user_id).one(&txn).await?.ok_or(MemberError::NotFound)?;
    let clinic = clinic::Entity::find_by_id(clinic_id).one(&txn).await?.ok_or(MemberError::NotFound)?;
    let other_clinics = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .filter(membership::Column::ClinicId.ne(clinic_id))
        .count(&txn)
        .await?
        > 0;
    let is_admin_here = here.iter().any(|m| m.role == Role::Admin.as_str());
    let active_admins = enabled_admins(&txn, clinic_id).await?;
    let target = Target {
        name: user.name.clone(),
        is_self: actor.id == Some(user_id),
        is_owner: user.is_owner,
        actor_is_owner,
        other_clinics,
        disabled: user.disabled,
        invited: user.password_hash.is_none(),
        last_enabled_admin: is_admin_here && active_admins.len() <= 1 && active_admins.contains(&user_id),
    };
    may_act(action, &target).map_err(|m| MemberError::Invalid("account", m))?;
    let name = user.name.clone();
    let email = user.email.clone();
    let mut link: Option<(String, i64)> = None;
    let (code, summary, message) = match action {
        AccountAction::Disable | AccountAction::Enable => {
            let disable = action == AccountAction::Disable;
            let mut am: app_user::ActiveModel = user.into();
            am.disabled = Set(disable);
            am.updated_at = Set(now);
            am.update(&txn).await?;
            if disable {
                (
                    "user.disable",
                    format!("disabled the account of {email}"),
                    format!("{name}'s account is disabled and signed out everywhere."),
                )
            } else {
                (
                    "user.enable",
                    format!("enabled the account of {email}"),
                    format!("{name}'s account is enabled again."),
                )
            }
        }
        AccountAction::ResetPassword => {
            let mut am: app_user::ActiveModel = user.into();
            am.password_hash = Set(None);
            am.updated_at = Set(now);
            am.update(&txn).await?;
            retire_links(&txn, user_id, now).await?;
            let token = reset::issue(&txn, user_id, now + Duration::days(FORCED_RESET_DAYS), now).await?;
            link = Some((token, FORCED_RESET_DAYS));
            (
                "user.force_reset",
                format!("made {email} choose a new password"),
                format!(
                    "{name}'s password no longer works; they were signed out and sent a link to choose a new one (valid {FORCED_RESET_DAYS} days)."
                ),
            )
        }
        AccountAction::SignOut => {
            ("user.sign_out", format!("signed {email} out everywhere"), format!("{name} is signed out everywhere."))
        }
        AccountAction::Reinvite => {
            retire_links(&txn, user_id, now).await?;
            let token = reset::issue(&txn, user_id, now + Duration::days(INVITE_DAYS), now).await?;
            link = Some((token, INVITE_DAYS));
            (
                "user.reinvite",
                format!("sent {email} a new invitation"),
                format!("A new invitation went to {email} (valid {INVITE_DAYS} days); earlier links no longer work."),
            )
        }
    };
    audit::record(&txn, Some(clinic_id), actor, code, "user", Some(user_id), &summary, now).await?;
    txn.commit().await?;
    if matches!(action, AccountAction::Disable | AccountAction::ResetPassword | AccountAction::SignOut) {
        super::sessions::DbSessionStore::new(db.clone()).delete_for_user(user_id).await?;
    }
    if let Some((token, days)) = link {
        let (subject, intro) = if action == AccountAction::Reinvite {
            (
                format!("Your access to {}", clinic.name),
                format!("{} sent you a new invitation to {} on Clinicpress.", actor.name, clinic.name),
            )
        } else {
            (
                "Choose a new Clinicpress password".to_string(),
                format!(
                    "{} of {} asked you to choose a new password for Clinicpress; your old one no longer works.",
                    actor.name, clinic.name
                ),
            )
        };
        let body = format!(
            "Hello {name},\n\n{intro}\nChoose your password within {days} days with this link:\n\n{link_base}/admin/reset/{token}\n\n\
             Then sign in at {link_base}/admin/login with this e-mail address.\n"
        );
        if let Err(e) = mailer.send(&Mail { to: email, subject, body }).await {
            // Done all the same; "forgot your password" sends a new link.
            tracing::error!(error = %e, "cannot send the password link");
            return Ok(format!(
                "{message} But the e-mail could not be sent just now: ask {name} to use \u{201c}Forgot your password?\u{201d} on the sign-in page."
            ));
        }
    }
    Ok(message)
}

/// Unused "choose a password" links of a user stop working (a new one is sent).
async fn retire_links<C: ConnectionTrait>(db: &C, user_id: i32, now: DateTime<Utc>) -> Result<(), sea_orm::DbErr> {
    password_reset::Entity::update_many()
        .col_expr(password_reset::Column::UsedAt, sea_orm::sea_query::Expr::value(now))
        .filter(password_reset::Column::UserId.eq(user_id))
        .filter(password_reset::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// The clinic's admins whose accounts are enabled.
async fn enabled_admins<C: ConnectionTrait>(db: &C, clinic_id: i32) -> Result<Vec<i32>, sea_orm::DbErr> {
    Ok(membership::Entity::find()
        .filter(membership::Column::ClinicId.eq(clinic_id))
        .filter(membership::Column::Role.eq(Role::Admin.as_str()))
        .find_also_related(app_user::Entity)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(m, u)| u.filter(|u| !u.disabled).map(|_| m.user_id))
        .collect())
}

/// What [`add`] did, for the message shown to the admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    /// An existing account got the role.
    Existing { email: String },
    /// A new account was made and an invitation mailed.
    Invited { email: String },
}

/// Give someone a role in the clinic; an unknown e-mail gets a new account
/// without a password and an invitation to choose one.
pub async fn add(
    db: &DatabaseConnection,
    mailer: &Mailer,
    clinic_id: i32,
    actor: &Actor,
    form: &MemberForm,
    link_base: &str,
    now: DateTime<Utc>,
) -> Result<Added, MemberError> {
    // Staff roles go to live offices only (not archived ones).
    let offices: Vec<i32> = location::Entity::find()
        .filter(location::Column::ClinicId.eq(clinic_id))
        .filter(location::Column::ArchivedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.id)
        .collect();
    let g = validate(form, &offices)?;
    let clinic = clinic::Entity::find_by_id(clinic_id).one(db).await?.ok_or(MemberError::NotFound)?;
    let txn = crate::db::begin_write(db).await?;
    let existing = app_user::Entity::find().filter(app_user::Column::Email.eq(&g.email)).one(&txn).await?;
    let (user, invite) = match existing {
        Some(u) => (u, None),
        None => {
            if g.name.is_empty() {
                return Err(MemberError::Invalid("name", "Enter the person's name: they have no account yet.".into()));
            }
            let u = app_user::ActiveModel {
                email: Set(g.email.clone()),
                name: Set(g.name.clone()),
                password_hash: Set(None),
                disabled: Set(false),
                is_owner: Set(false),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            let token = reset::issue(&txn, u.id, now + Duration::days(INVITE_DAYS), now).await?;
            (u, Some(token))
        }
    };
    let same = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user.id))
        .filter(membership::Column::ClinicId.eq(clinic_id))
        .filter(membership::Column::Role.eq(g.role.as_str()))
        .all(&txn)
        .await?;
    if same.iter().any(|m| m.location_id == g.location_id) {
        return Err(MemberError::Invalid("email", format!("{} already has this role here.", g.email)));
    }
    membership::ActiveModel {
        user_id: Set(user.id),
        clinic_id: Set(clinic_id),
        location_id: Set(g.location_id),
        role: Set(g.role.as_str().to_string()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let what = describe(&txn, g.role.as_str(), g.location_id).await?;
    let summary = match &invite {
        Some(_) => format!("invited {} as {what}", user.email),
        None => format!("gave {} the role {what}", user.email),
    };
    audit::record(&txn, Some(clinic_id), actor, "user.role_add", "user", Some(user.id), &summary, now).await?;
    txn.commit().await?;

    match invite {
        None => Ok(Added::Existing { email: user.email }),
        Some(token) => {
            let body = format!(
                "Hello {name},\n\n{who} gave you access to {clinic} on Clinicpress, as {what}.\n\
                 Choose your password within {INVITE_DAYS} days with this link:\n\n{link_base}/admin/reset/{token}\n\n\
                 Then sign in at {link_base}/admin/login with this e-mail address.\n",
                name = user.name,
                who = actor.name,
                clinic = clinic.name,
            );
            let mail = Mail { to: user.email.clone(), subject: format!("Your access to {}", clinic.name), body };
            if let Err(e) = mailer.send(&mail).await {
                // The account and role exist; "forgot your password" sends a new link.
                tracing::error!(error = %e, "cannot send an invitation");
            }
            Ok(Added::Invited { email: user.email })
        }
    }
}

/// Take one role away (one membership row of this clinic).
pub async fn remove(
    db: &DatabaseConnection,
    clinic_id: i32,
    actor: &Actor,
    membership_id: i32,
    now: DateTime<Utc>,
) -> Result<(), MemberError> {
    let txn = crate::db::begin_write(db).await?;
    let m = membership::Entity::find_by_id(membership_id)
        .filter(membership::Column::ClinicId.eq(clinic_id))
        .one(&txn)
        .await?
        .ok_or(MemberError::NotFound)?;
    // Disabled admins do not count: they cannot run the clinic.
    let admins = enabled_admins(&txn, clinic_id).await?;
    let others = admins.iter().filter(|id| **id != m.user_id).count();
    can_remove(&m.role, others + 1).map_err(|msg| MemberError::Invalid("membership", msg.into()))?;
    let user = app_user::Entity::find_by_id(m.user_id).one(&txn).await?.ok_or(MemberError::NotFound)?;
    let what = describe(&txn, &m.role, m.location_id).await?;
    membership::Entity::delete_by_id(m.id).exec(&txn).await?;
    let summary = format!("took the role {what} from {}", user.email);
    audit::record(&txn, Some(clinic_id), actor, "user.role_remove", "user", Some(user.id), &summary, now).await?;
    txn.commit().await?;
    Ok(())
}

async fn describe<C: ConnectionTrait>(db: &C, role: &str, location_id: Option<i32>) -> Result<String, sea_orm::DbErr> {
    Ok(match location_id {
        None => role.to_string(),
        Some(id) => {
            let office = location::Entity::find_by_id(id).one(db).await?.map(|l| l.name).unwrap_or_default();
            format!("{role} at {office}")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(email: &str, role: &str, location_id: Option<i32>) -> MemberForm {
        MemberForm {
            email: email.into(),
            name: "Ann Example".into(),
            role: role.into(),
            location_id: location_id.map(|i| i.to_string()).unwrap_or_default(),
        }
    }

    #[test]
    fn roles_are_checked_against_the_clinics_offices() {
        let g = validate(&form(" Ann@PMC.example ", "staff", Some(3)), &[3, 4]).unwrap();
        assert_eq!((g.email.as_str(), g.role, g.location_id), ("ann@pmc.example", Role::Staff, Some(3)));
        assert!(matches!(
            validate(&form("ann@pmc.example", "staff", None), &[3]),
            Err(MemberError::Invalid("location_id", _))
        ));
        // An office of another clinic is refused.
        assert!(matches!(
            validate(&form("ann@pmc.example", "staff", Some(9)), &[3]),
            Err(MemberError::Invalid("location_id", _))
        ));
        assert!(matches!(
            validate(&form("not an address", "admin", None), &[3]),
            Err(MemberError::Invalid("email", _))
        ));
        assert!(matches!(
            validate(&form("ann@pmc.example", "owner", None), &[3]),
            Err(MemberError::Invalid("role", _))
        ));
        // Clinic-wide roles ignore an office.
        assert_eq!(validate(&form("ann@pmc.example", "marketer", Some(3)), &[3]).unwrap().location_id, None);
    }

    #[test]
    fn who_may_do_what_to_an_account() {
        use AccountAction::*;
        let ann = Target { name: "Ann".into(), ..Default::default() };
        for a in [Disable, ResetPassword, SignOut] {
            assert_eq!(may_act(a, &ann), Ok(()), "{a:?}");
        }
        assert!(may_act(Enable, &ann).is_err(), "not disabled");
        assert!(may_act(Reinvite, &ann).unwrap_err().contains("already chosen a password"));
        let me = Target { is_self: true, ..ann.clone() };
        assert_eq!(may_act(Disable, &me).unwrap_err(), "You cannot disable your own account.");
        assert_eq!(may_act(SignOut, &me), Ok(()));
        let last = Target { last_enabled_admin: true, ..ann.clone() };
        assert!(may_act(Disable, &last).unwrap_err().contains("only active admin"));
        let shared = Target { other_clinics: true, ..ann.clone() };
        for a in [Disable, ResetPassword] {
            assert!(may_act(a, &shared).unwrap_err().contains("another clinic"), "{a:?}");
        }
        assert!(may_act(SignOut, &shared).is_err());
        assert_eq!(may_act(Disable, &Target { actor_is_owner: true, ..shared.clone() }), Ok(()));
        let owner = Target { is_owner: true, ..ann.clone() };
        assert!(may_act(SignOut, &owner).unwrap_err().contains("network owner"));
        let invited = Target { invited: true, ..ann.clone() };
        assert_eq!(may_act(Reinvite, &invited), Ok(()));
        assert!(may_act(ResetPassword, &invited).unwrap_err().contains("invitation again"));
        let off = Target { disabled: true, ..ann };
        assert_eq!(may_act(Enable, &off), Ok(()));
        assert!(may_act(Disable, &off).is_err());
        assert!(may_act(ResetPassword, &off).unwrap_err().contains("enable it first"));
        assert_eq!(AccountAction::parse("sign_out"), Some(SignOut));
        assert_eq!(AccountAction::parse("delete"), None);
    }

    #[test]
    fn the_last_admin_stays() {
        assert!(can_remove("admin", 1).is_err());
        assert!(can_remove("admin", 2).is_ok());
        assert!(can_remove("marketer", 1).is_ok());
        assert!(can_remove("staff", 0).is_ok());
    }
}
