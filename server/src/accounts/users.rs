//! Users from the shell (`clinicpress users …`) and loading who a user is
//! for `authz::authorize`.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};

use super::authz::{Grant, Principal, Role};
use super::sessions::DbSessionStore;
use crate::audit::{self, Actor};
use crate::entities::{app_user, clinic, location, membership};

/// Shortest password accepted (NIST SP 800-63B suggests at least 8; we ask for more).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted (Argon2 would hash anything; this bounds the work).
pub const MAX_PASSWORD_CHARS: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("\"{0}\" is not an e-mail address")]
    BadEmail(String),
    #[error("the password must have at least {MIN_PASSWORD_CHARS} characters")]
    PasswordTooShort,
    #[error("the password must have at most {MAX_PASSWORD_CHARS} characters")]
    PasswordTooLong,
    #[error("a user with e-mail {0} already exists")]
    Exists(String),
    #[error("no user with e-mail {0}")]
    NoSuchUser(String),
    #[error("\"{0}\" is not a role: write CLINIC:ROLE or CLINIC:staff:LOCATION, ROLE being admin, marketer or staff")]
    BadRole(String),
    #[error("no clinic \"{0}\"")]
    NoSuchClinic(String),
    #[error("clinic \"{clinic}\" has no location \"{location}\"")]
    NoSuchLocation { clinic: String, location: String },
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// A role as typed on the command line: `pmc:marketer`, `pmc:staff:pleasant-hill`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleArg {
    pub clinic: String,
    pub role: Role,
    pub location: Option<String>,
}

impl std::str::FromStr for RoleArg {
    type Err = UserError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || UserError::BadRole(s.to_string());
        let mut parts = s.split(':');
        let clinic = parts.next().filter(|c| !c.is_empty()).ok_or_else(bad)?.to_string();
        let role = parts.next().and_then(Role::parse).ok_or_else(bad)?;
        let location = parts.next().map(str::to_string);
        if parts.next().is_some() || (role == Role::Staff) != location.is_some() {
            return Err(bad());
        }
        Ok(RoleArg { clinic, role, location })
    }
}

pub fn normalise_email(email: &str) -> Result<String, UserError> {
    let e = email.trim().to_lowercase();
    let ok =
        email_address::EmailAddress::parse_with_options(&e, email_address::Options::default().without_display_text())
            .is_ok_and(|a| a.domain().contains('.'));
    if ok { Ok(e) } else { Err(UserError::BadEmail(email.trim().to_string())) }
}

pub fn check_password(password: &str) -> Result<(), UserError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        Err(UserError::PasswordTooShort)
    } else if n > MAX_PASSWORD_CHARS {
        Err(UserError::PasswordTooLong)
    } else {
        Ok(())
    }
}

async fn find<C: ConnectionTrait>(db: &C, email: &str) -> Result<app_user::Model, UserError> {
    let e = normalise_email(email)?;
    app_user::Entity::find().filter(app_user::Column::Email.eq(&e)).one(db).await?.ok_or(UserError::NoSuchUser(e))
}

/// Create a user with roles, in one transaction.
pub async fn create(
    db: &DatabaseConnection,
    email: &str,
    name: &str,
    password: Option<&str>,
    roles: &[RoleArg],
    owner: bool,
) -> Result<app_user::Model, UserError> {
    let email = normalise_email(email)?;
    if let Some(pw) = password {
        check_password(pw)?;
    }
    let hash = password.map(crate::passwords::hash);
    let txn = crate::db::begin_write(db).await?;
    if app_user::Entity::find().filter(app_user::Column::Email.eq(&email)).one(&txn).await?.is_some() {
        return Err(UserError::Exists(email));
    }
    let now = Utc::now();
    let user = app_user::ActiveModel {
        email: Set(email.clone()),
        name: Set(name.trim().to_string()),
        password_hash: Set(hash),
        disabled: Set(false),
        is_owner: Set(owner),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for r in roles {
        let c = clinic::Entity::find()
            .filter(clinic::Column::Slug.eq(&r.clinic))
            .one(&txn)
            .await?
            .ok_or_else(|| UserError::NoSuchClinic(r.clinic.clone()))?;
        let location_id = match &r.location {
            None => None,
            Some(l) => Some(
                location::Entity::find()
                    .filter(location::Column::ClinicId.eq(c.id))
                    .filter(location::Column::Slug.eq(l))
                    .one(&txn)
                    .await?
                    .ok_or_else(|| UserError::NoSuchLocation { clinic: r.clinic.clone(), location: l.clone() })?
                    .id,
            ),
        };
        membership::ActiveModel {
            user_id: Set(user.id),
            clinic_id: Set(c.id),
            location_id: Set(location_id),
            role: Set(r.role.as_str().to_string()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let summary = format!("created user {} ({})", user.email, describe_roles(roles));
    audit::record_for_user(&txn, &Actor::command_line(), &user, "user.create", &summary).await?;
    txn.commit().await?;
    Ok(user)
}

/// Set a new password and end the user's sessions.
pub async fn set_password(db: &DatabaseConnection, email: &str, password: &str) -> Result<(), UserError> {
    check_password(password)?;
    let hash = crate::passwords::hash(password);
    let txn = crate::db::begin_write(db).await?;
    let user = find(&txn, email).await?;
    let id = user.id;
    let summary = format!("set a new password for {}", user.email);
    audit::record_for_user(&txn, &Actor::command_line(), &user, "user.password", &summary).await?;
    let mut am: app_user::ActiveModel = user.into();
    am.password_hash = Set(Some(hash));
    am.updated_at = Set(Utc::now());
    am.update(&txn).await?;
    txn.commit().await?;
    DbSessionStore::new(db.clone()).delete_for_user(id).await?;
    Ok(())
}

/// Disable (or re-enable) a user; disabling ends their sessions.
pub async fn set_disabled(db: &DatabaseConnection, email: &str, disabled: bool) -> Result<(), UserError> {
    let txn = crate::db::begin_write(db).await?;
    let user = find(&txn, email).await?;
    let id = user.id;
    let (action, verb) = if disabled { ("user.disable", "disabled") } else { ("user.enable", "enabled") };
    audit::record_for_user(&txn, &Actor::command_line(), &user, action, &format!("{verb} {}", user.email)).await?;
    let mut am: app_user::ActiveModel = user.into();
    am.disabled = Set(disabled);
    am.updated_at = Set(Utc::now());
    am.update(&txn).await?;
    txn.commit().await?;
    if disabled {
        DbSessionStore::new(db.clone()).delete_for_user(id).await?;
    }
    Ok(())
}

/// `pmc:marketer, pmc:staff:concord` — or "no roles".
pub fn describe_roles(roles: &[RoleArg]) -> String {
    if roles.is_empty() {
        return "no roles".into();
    }
    roles
        .iter()
        .map(|r| match &r.location {
            Some(l) => format!("{}:{}:{l}", r.clinic, r.role.as_str()),
            None => format!("{}:{}", r.clinic, r.role.as_str()),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Everyone, with their roles as `clinic:role[:location]`, for `users list`.
pub async fn list(db: &DatabaseConnection) -> Result<Vec<(app_user::Model, Vec<String>)>, UserError> {
    let users = app_user::Entity::find().order_by_asc(app_user::Column::Email).all(db).await?;
    let clinics: std::collections::HashMap<i32, String> =
        clinic::Entity::find().all(db).await?.into_iter().map(|c| (c.id, c.slug)).collect();
    let locations: std::collections::HashMap<i32, String> =
        location::Entity::find().all(db).await?.into_iter().map(|l| (l.id, l.slug)).collect();
    let mut out = Vec::new();
    for u in users {
        let roles = membership::Entity::find()
            .filter(membership::Column::UserId.eq(u.id))
            .order_by_asc(membership::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|m| {
                let clinic = clinics.get(&m.clinic_id).cloned().unwrap_or_default();
                match m.location_id.and_then(|l| locations.get(&l)) {
                    Some(l) => format!("{clinic}:{}:{l}", m.role),
                    None => format!("{clinic}:{}", m.role),
                }
            })
            .collect();
        out.push((u, roles));
    }
    Ok(out)
}

/// The authorisation view of a user.
pub async fn principal<C: ConnectionTrait>(db: &C, user_id: i32) -> Result<Option<Principal>, sea_orm::DbErr> {
    let Some(u) = app_user::Entity::find_by_id(user_id).one(db).await? else {
        return Ok(None);
    };
    let grants = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|m| {
            Role::parse(&m.role).map(|role| Grant { clinic_id: m.clinic_id, role, location_id: m.location_id })
        })
        .collect();
    Ok(Some(Principal { user_id: u.id, owner: u.is_owner, disabled: u.disabled, grants }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arguments() {
        assert_eq!(
            "pmc:marketer".parse::<RoleArg>().unwrap(),
            RoleArg { clinic: "pmc".into(), role: Role::Marketer, location: None }
        );
        assert_eq!(
            "pmc:staff:concord".parse::<RoleArg>().unwrap(),
            RoleArg { clinic: "pmc".into(), role: Role::Staff, location: Some("concord".into()) }
        );
        for bad in ["pmc", "pmc:boss", "pmc:staff", "pmc:admin:concord", ":admin", "pmc:staff:a:b"] {
            assert!(bad.parse::<RoleArg>().is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_and_passwords() {
        assert_eq!(normalise_email(" Maria@PMC.example ").unwrap(), "maria@pmc.example");
        assert!(normalise_email("maria").is_err());
        assert!(normalise_email("maria@localhost").is_err());
        assert!(matches!(check_password("short"), Err(UserError::PasswordTooShort)));
        assert!(check_password("twelve chars").is_ok());
        assert!(matches!(check_password(&"x".repeat(1025)), Err(UserError::PasswordTooLong)));
    }
}
