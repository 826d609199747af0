//! `/admin/:clinic/people`: the clinic's people and their roles here, for
//! clinic admins. Give someone a role by e-mail (a new account is invited
//! to choose a password), or take a role away; see each person's signed-in
//! sessions and end them, make them choose a new password, invite them
//! again, disable or enable the account. Plain forms: works without
//! JavaScript too.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use chrono::{DateTime, Utc};

use super::api::{AccountAction, AddMember, RemoveRole, list_members};
use super::model::MemberRow;
use super::replay::{Kept, seed_done};
use crate::error::AppError;
use crate::ui::{ErrorView, TimeAgo};

fn role_label(role: &str, office: Option<&str>) -> String {
    match (role, office) {
        ("admin", _) => "Clinic admin".into(),
        ("marketer", _) => "Marketer".into(),
        ("staff", Some(o)) => format!("Office staff · {o}"),
        ("staff", None) => "Office staff".into(),
        (other, _) => other.to_string(),
    }
}

/// The message of a field error, if it is about `field`.
fn field_error(e: &Option<AppError>, field: &str) -> Option<String> {
    match e {
        Some(AppError::Validation { field: f, message }) if f == field => Some(message.clone()),
        _ => None,
    }
}

#[component]
pub fn PeoplePage() -> impl IntoView {
    let params = use_params_map();
    let clinic = move || params.with(|p| p.get("clinic").unwrap_or_default());
    let add = ServerAction::<AddMember>::new();
    let remove = ServerAction::<RemoveRole>::new();
    let account = ServerAction::<AccountAction>::new();
    seed_done(add);
    seed_done(account);
    let kept = Kept::of::<AddMember>();
    // Reload the list after a successful change only: a refused form stays
    // on screen with what was typed and the message next to the field.
    let added_count = RwSignal::new(0u32);
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            added_count.update(|n| *n += 1);
        }
    });
    let data = Resource::new(
        move || (clinic(), added_count.get(), remove.version().get(), account.version().get()),
        |(c, ..)| list_members(c),
    );
    let account_done = move || account.value().get().and_then(|r| r.ok());
    let account_error = move || account.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    let add_error = move || add.value().get().and_then(|r| r.err());
    let added = move || add.value().get().and_then(|r| r.ok());
    let remove_error = move || remove.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    let err_for = move |field: &'static str| move || field_error(&add_error(), field);
    let general = move || {
        add_error().and_then(|e| match e {
            AppError::Validation { .. } => None,
            other => Some(other.to_string()),
        })
    };
    view! {
        <Title text="People · Clinicpress" />
        <section class="wrap admin-page">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                let kept = kept.clone();
                Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                        Ok(page) => {
                            let c = clinic();
                            let c_rows = c.clone();
                            let count = page.members.len();
                            view! {
                                <h1>"People"</h1>
                                <p class="hint">"Who can work in this clinic's admin area. Marketers write and publish posts; office staff answer their office's requests; clinic admins manage people, offices and settings. Roles change from the person's next page."</p>
                                <div role="status">
                                    {move || added().map(|m| view! { <p class="notice">{m}</p> })}
                                    {move || account_done().map(|m| view! { <p class="notice">{m}</p> })}
                                </div>
                                <div role="alert">
                                    {move || remove_error().map(|m| view! { <p class="form-error">{m}</p> })}
                                    {move || account_error().map(|m| view! { <p class="form-error">{m}</p> })}
                                    {move || general().map(|m| view! { <p class="form-error">{m}</p> })}
                                </div>
                                <ActionForm action=add attr:class="panel stack member-form">
                                    <h2>"Give someone a role"</h2>
                                    <input type="hidden" name="clinic" value=c.clone() />
                                    <label for="member-email">"E-mail address"</label>
                                    <input id="member-email" name="form[email]" type="email" required maxlength="254" autocomplete="off" value=kept.text("form[email]", "")
                                        aria-describedby="member-email-error" aria-invalid=move || err_for("email")().is_some().to_string() />
                                    <p id="member-email-error" class="field-error">{err_for("email")}</p>
                                    <label for="member-name">"Name " <span class="muted">"(for someone without an account yet)"</span></label>
                                    <input id="member-name" name="form[name]" maxlength="100" autocomplete="off" value=kept.text("form[name]", "")
                                        aria-describedby="member-name-error" aria-invalid=move || err_for("name")().is_some().to_string() />
                                    <p id="member-name-error" class="field-error">{err_for("name")}</p>
                                    <label for="member-role">"Role"</label>
                                    <select id="member-role" name="form[role]" aria-describedby="member-role-error">
                                        <option value="marketer">"Marketer"</option>
                                        <option value="staff" selected=kept.picked("form[role]", "staff")>"Office staff"</option>
                                        <option value="admin" selected=kept.picked("form[role]", "admin")>"Clinic admin"</option>
                                    </select>
                                    <p id="member-role-error" class="field-error">{err_for("role")}</p>
                                    <label for="member-office">"Office " <span class="muted">"(office staff only)"</span></label>
                                    <select id="member-office" name="form[location_id]" aria-describedby="member-office-error"
                                        aria-invalid=move || err_for("location_id")().is_some().to_string()>
                                        <option value="">"—"</option>
                                        {page.offices.iter().map(|o| {
                                            let id = o.id.to_string();
                                            let picked = kept.picked("form[location_id]", &id);
                                            view! { <option value=id selected=picked>{o.name.clone()}</option> }
                                        }).collect_view()}
                                    </select>
                                    <p id="member-office-error" class="field-error">{err_for("location_id")}</p>
                                    <button class="button" type="submit">"Give the role"</button>
                                </ActionForm>
                                <table class="post-table people">
                                    <caption>{format!("{count} people")}</caption>
                                    <thead><tr><th scope="col">"Person"</th><th scope="col">"Roles here"</th><th scope="col">"Account"</th></tr></thead>
                                    <tbody>
                                        {page.members.into_iter().map(|m| view! { <MemberLine m=m clinic=c_rows.clone() remove account now=page.now owner_view=page.viewer_is_owner /> }).collect_view()}
                                    </tbody>
                                </table>
                            }
                            .into_any()
                        }
                    }
                })
            }}
            </Suspense>
        </section>
    }
}

#[component]
fn MemberLine(
    m: MemberRow,
    clinic: String,
    remove: ServerAction<RemoveRole>,
    account: ServerAction<AccountAction>,
    now: DateTime<Utc>,
    /// The viewer is the network owner.
    owner_view: bool,
) -> impl IntoView {
    let status = if m.disabled {
        Some("account disabled")
    } else if m.invited {
        Some("invited, has not chosen a password yet")
    } else {
        None
    };
    let who = m.name.clone();
    let account_cell = account_cell(&m, &clinic, account, now, owner_view);
    view! {
        <tr>
            <td>
                <strong>{m.name.clone()}</strong><br/>
                <span class="muted">{m.email.clone()}</span>
                {status.map(|s| view! { <br/><span class="badge">{s}</span> })}
            </td>
            <td>
                <ul class="role-list">
                    {m.roles.into_iter().map(|r| {
                        let clinic = clinic.clone();
                        let label = role_label(&r.role, r.office.as_deref());
                        let button = format!("Remove the role \u{201c}{label}\u{201d} from {who}");
                        view! {
                            <li>
                                {label.clone()}
                                <ActionForm action=remove attr:class="inline-form">
                                    <input type="hidden" name="clinic" value=clinic />
                                    <input type="hidden" name="membership_id" value=r.membership_id.to_string() />
                                    <button class="link-button" type="submit" aria-label=button>"Remove"</button>
                                </ActionForm>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </td>
            <td class="account-cell">{account_cell}</td>
        </tr>
    }
}

/// Sessions and what can be done to the account, as small plain forms.
fn account_cell(
    m: &MemberRow,
    clinic: &str,
    account: ServerAction<AccountAction>,
    now: DateTime<Utc>,
    owner_view: bool,
) -> AnyView {
    let mut actions: Vec<(&'static str, String)> = Vec::new();
    if !m.sessions.is_empty() {
        actions.push(("sign_out", format!("Sign {} out everywhere", m.name)));
    }
    if m.invited && !m.disabled {
        actions.push(("reinvite", format!("Send {} the invitation again", m.name)));
    }
    if !m.invited && !m.disabled {
        actions.push(("reset_password", format!("Make {} choose a new password", m.name)));
    }
    if m.disabled {
        actions.push(("enable", format!("Enable the account of {}", m.name)));
    } else {
        actions.push(("disable", format!("Disable the account of {}", m.name)));
    }
    let labels = |action: &str| match action {
        "sign_out" => "Sign out everywhere",
        "reinvite" => "Send the invitation again",
        "reset_password" => "Require a new password",
        "enable" => "Enable",
        _ => "Disable",
    };
    let sessions = if m.sessions.is_empty() {
        view! { <p class="muted">"Not signed in"</p> }.into_any()
    } else {
        view! {
            <ul class="plain-list sessions">
                {m.sessions.iter().map(|s| view! {
                    <li>"Signed in " <TimeAgo at=s.signed_in now /> ", active " <TimeAgo at=s.last_active now /></li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    let forms = if m.is_owner && !owner_view {
        view! { <p class="muted">"The network owner's account"</p> }.into_any()
    } else if m.other_clinics && !owner_view {
        view! { <p class="muted">"Also works for another clinic: the network owner manages this account."</p> }
            .into_any()
    } else {
        let user = m.user_id.to_string();
        actions
            .into_iter()
            .map(|(action, aria)| {
                let danger = matches!(action, "disable" | "reset_password");
                let (clinic, user) = (clinic.to_string(), user.clone());
                view! {
                    <ActionForm action=account attr:class="inline-form">
                        <input type="hidden" name="clinic" value=clinic />
                        <input type="hidden" name="user" value=user />
                        <input type="hidden" name="action" value=action />
                        <button class="link-button" class:danger=danger type="submit" aria-label=aria>{labels(action)}</button>
                    </ActionForm>
                }
            })
            .collect_view()
            .into_any()
    };
    view! { {sessions} <div class="account-actions">{forms}</div> }.into_any()
}
