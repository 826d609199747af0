//! A clinic's people, as its admins manage them in the admin area: who
//! holds which role here, giving someone a role (inviting them by e-mail
//! when they have no account yet) and taking a role away. Every change is
//! in the clinic's audit log, written in the same transaction; the
//! affected user's session id changes on their next request (their role
//! fingerprint changed, see `web::auth`).

use std::collections::BTreeMap;

use app::admin::model::{MemberForm, MemberRole, MemberRow, MembersPage, OfficeOption};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};

use super::authz::Role;
use super::reset;
use super::users::normalise_email;
use crate::audit::{self, Actor};
use crate::entities::{app_user, clinic, location, membership};
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

/// The clinic's people and their roles here (nothing about other clinics).
pub async fn page<C: ConnectionTrait>(db: &C, clinic_id: i32) -> Result<MembersPage, sea_orm::DbErr> {
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
        });
        row.roles.push(MemberRole {
            membership_id: m.id,
            role: m.role.clone(),
            office: m.location_id.and_then(|id| office_name.get(&id).cloned()),
        });
    }
    let mut members: Vec<MemberRow> = by_user.into_values().collect();
    members.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.email.cmp(&b.email)));
    Ok(MembersPage { members, offices: offices.into_iter().map(|l| OfficeOption { id: l.id, name: l.name }).collect() })
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
    let offices: Vec<i32> = location::Entity::find()
        .filter(location::Column::ClinicId.eq(clinic_id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.id)
        .collect();
    let g = validate(form, &offices)?;
    let clinic = clinic::Entity::find_by_id(clinic_id).one(db).await?.ok_or(MemberError::NotFound)?;
    let txn = db.begin().await?;
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
    let txn = db.begin().await?;
    let m = membership::Entity::find_by_id(membership_id)
        .filter(membership::Column::ClinicId.eq(clinic_id))
        .one(&txn)
        .await?
        .ok_or(MemberError::NotFound)?;
    let admins = membership::Entity::find()
        .filter(membership::Column::ClinicId.eq(clinic_id))
        .filter(membership::Column::Role.eq(Role::Admin.as_str()))
        .all(&txn)
        .await?
        .len();
    can_remove(&m.role, admins).map_err(|msg| MemberError::Invalid("membership", msg.into()))?;
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
    fn the_last_admin_stays() {
        assert!(can_remove("admin", 1).is_err());
        assert!(can_remove("admin", 2).is_ok());
        assert!(can_remove("marketer", 1).is_ok());
        assert!(can_remove("staff", 0).is_ok());
    }
}
