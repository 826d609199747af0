//! The one function that decides whether a user may do something in a
//! clinic. Every admin route and server function asks `authorize`.
//!
//! Outside their clinics, users get `NotFound` (a clinic's existence and its
//! content must not leak); inside, a role without the right gets `Forbidden`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Marketer,
    Staff,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Marketer, Role::Staff];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Marketer => "marketer",
            Role::Staff => "staff",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// One role of a user in one clinic; staff roles name their location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub clinic_id: i32,
    pub role: Role,
    pub location_id: Option<i32>,
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Principal {
    pub user_id: i32,
    /// Network owner: manages clinics themselves (and is admin everywhere).
    pub owner: bool,
    pub disabled: bool,
    pub grants: Vec<Grant>,
}

/// Everything a signed-in user can ask to do in a clinic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See the clinic's admin area at all.
    EnterAdmin,
    /// Posts: write, edit, publish, schedule, revisions, previews.
    EditPosts,
    /// Authors, categories, tags, media.
    EditTaxonomyAndMedia,
    /// Clinic settings, offices, routing rules.
    ManageClinic,
    /// Users and roles of the clinic.
    ManageUsers,
    /// The clinic's audit log.
    ViewAudit,
    /// Open the lead inbox at all (office staff and clinic admins).
    ReadLeads,
    /// Read and work the leads of one office (`None`: the clinic's default
    /// inbox, for requests no office took). Staff: their own office only;
    /// clinic admins: every office and the default inbox.
    WorkLeads { location_id: Option<i32> },
    /// Download one lead's full record as JSON (a visitor's access request; clinic admins).
    ExportLead,
    /// Erase one lead's personal data on request (clinic admins).
    EraseLead,
    /// The request settings: consent text, response target, retention,
    /// webhook and its secret, the lead API's origins (clinic admins).
    ManageLeadSettings,
    /// Create, rename or archive clinics (network owner only).
    ManageNetwork,
    /// The dashboard's figures (`None`: clinic-wide, every office and the
    /// default inbox, clinic admins and marketers; `Some(office)`: that
    /// office's figures, also its staff).
    ViewDashboard { location_id: Option<i32> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// 403: the user belongs to the clinic but lacks the right.
    Forbidden,
    /// 404: the user has no business in this clinic; do not reveal it.
    NotFound,
}

pub fn authorize(who: &Principal, clinic_id: i32, action: Action) -> Decision {
    if who.disabled {
        return Decision::Forbidden;
    }
    if who.owner {
        return Decision::Allow;
    }
    if action == Action::ManageNetwork {
        return Decision::Forbidden;
    }
    let grants: Vec<&Grant> = who.grants.iter().filter(|g| g.clinic_id == clinic_id).collect();
    if grants.is_empty() {
        return Decision::NotFound;
    }
    let has = |role: Role| grants.iter().any(|g| g.role == role);
    let allowed = match action {
        Action::EnterAdmin => true,
        Action::EditPosts | Action::EditTaxonomyAndMedia => has(Role::Marketer) || has(Role::Admin),
        Action::ManageClinic | Action::ManageUsers | Action::ViewAudit => has(Role::Admin),
        Action::ExportLead | Action::EraseLead | Action::ManageLeadSettings => has(Role::Admin),
        Action::ReadLeads => has(Role::Staff) || has(Role::Admin),
        Action::WorkLeads { location_id } => {
            has(Role::Admin)
                || (location_id.is_some()
                    && grants.iter().any(|g| g.role == Role::Staff && g.location_id == location_id))
        }
        Action::ManageNetwork => false,
        Action::ViewDashboard { location_id } => {
            has(Role::Admin)
                || has(Role::Marketer)
                || (location_id.is_some()
                    && grants.iter().any(|g| g.role == Role::Staff && g.location_id == location_id))
        }
    };
    if allowed { Decision::Allow } else { Decision::Forbidden }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: i32 = 1;
    const OTHER: i32 = 2;
    const OFFICE: i32 = 10;
    const OTHER_OFFICE: i32 = 11;

    fn user(grants: &[(i32, Role, Option<i32>)]) -> Principal {
        Principal {
            user_id: 7,
            owner: false,
            disabled: false,
            grants: grants
                .iter()
                .map(|&(clinic_id, role, location_id)| Grant { clinic_id, role, location_id })
                .collect(),
        }
    }

    const ACTIONS: [Action; 15] = [
        Action::EnterAdmin,
        Action::EditPosts,
        Action::EditTaxonomyAndMedia,
        Action::ManageClinic,
        Action::ManageUsers,
        Action::ViewAudit,
        Action::ReadLeads,
        Action::WorkLeads { location_id: Some(OFFICE) },
        Action::WorkLeads { location_id: None },
        Action::ExportLead,
        Action::EraseLead,
        Action::ManageLeadSettings,
        Action::ManageNetwork,
        Action::ViewDashboard { location_id: Some(OFFICE) },
        Action::ViewDashboard { location_id: None },
    ];

    /// Expected decision in the user's own clinic, per action, in ACTIONS order.
    fn own_clinic_table(role: Role) -> [Decision; 15] {
        use Decision::{Allow as A, Forbidden as F};
        match role {
            Role::Admin => [A, A, A, A, A, A, A, A, A, A, A, A, F, A, A],
            Role::Marketer => [A, A, A, F, F, F, F, F, F, F, F, F, F, A, A],
            Role::Staff => [A, F, F, F, F, F, A, A, F, F, F, F, F, A, F],
        }
    }

    #[test]
    fn every_role_action_and_clinic() {
        for role in Role::ALL {
            let location = (role == Role::Staff).then_some(OFFICE);
            let who = user(&[(OWN, role, location)]);
            for (action, want) in ACTIONS.iter().zip(own_clinic_table(role)) {
                assert_eq!(authorize(&who, OWN, *action), want, "{role:?} {action:?} in own clinic");
                let other = if *action == Action::ManageNetwork { Decision::Forbidden } else { Decision::NotFound };
                assert_eq!(authorize(&who, OTHER, *action), other, "{role:?} {action:?} in another clinic");
            }
        }
    }

    #[test]
    fn staff_work_only_their_own_office() {
        let who = user(&[(OWN, Role::Staff, Some(OFFICE))]);
        assert_eq!(authorize(&who, OWN, Action::WorkLeads { location_id: Some(OFFICE) }), Decision::Allow);
        assert_eq!(authorize(&who, OWN, Action::WorkLeads { location_id: Some(OTHER_OFFICE) }), Decision::Forbidden);
        assert_eq!(authorize(&who, OWN, Action::WorkLeads { location_id: None }), Decision::Forbidden);
    }

    #[test]
    fn staff_see_the_figures_of_their_own_office_only() {
        let who = user(&[(OWN, Role::Staff, Some(OFFICE))]);
        assert_eq!(authorize(&who, OWN, Action::ViewDashboard { location_id: Some(OFFICE) }), Decision::Allow);
        let other = Action::ViewDashboard { location_id: Some(OTHER_OFFICE) };
        assert_eq!(authorize(&who, OWN, other), Decision::Forbidden);
        assert_eq!(authorize(&who, OWN, Action::ViewDashboard { location_id: None }), Decision::Forbidden);
        let marketer = user(&[(OWN, Role::Marketer, None)]);
        assert_eq!(authorize(&marketer, OWN, other), Decision::Allow);
    }

    #[test]
    fn several_roles_in_several_clinics_add_up() {
        let who = user(&[(OWN, Role::Marketer, None), (OWN, Role::Staff, Some(OFFICE)), (OTHER, Role::Admin, None)]);
        assert_eq!(authorize(&who, OWN, Action::EditPosts), Decision::Allow);
        assert_eq!(authorize(&who, OWN, Action::WorkLeads { location_id: Some(OFFICE) }), Decision::Allow);
        assert_eq!(authorize(&who, OWN, Action::ManageUsers), Decision::Forbidden);
        assert_eq!(authorize(&who, OTHER, Action::ManageUsers), Decision::Allow);
        assert_eq!(authorize(&who, 3, Action::EnterAdmin), Decision::NotFound);
    }

    #[test]
    fn owners_and_disabled_users() {
        let owner = Principal { owner: true, ..Principal::default() };
        for action in ACTIONS {
            assert_eq!(authorize(&owner, OTHER, action), Decision::Allow, "{action:?}");
        }
        let disabled = Principal { disabled: true, ..user(&[(OWN, Role::Admin, None)]) };
        for action in ACTIONS {
            assert_eq!(authorize(&disabled, OWN, action), Decision::Forbidden, "{action:?}");
        }
        let nobody = user(&[]);
        assert_eq!(authorize(&nobody, OWN, Action::EnterAdmin), Decision::NotFound);
    }
}
