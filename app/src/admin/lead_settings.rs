//! `/admin/:clinic/lead-settings`: what the clinic's request forms say and
//! what happens to requests — consent text (a change makes a new consent
//! version; every request keeps the version it was sent with), the
//! disclaimer above the message box, the response target, retention, the
//! webhook and the origins allowed to use the lead API. Clinic admins only.
//!
//! A plain HTML form posting to this page's address: the server checks it
//! (`leads::settings` on the server) and answers 303 back here when saved,
//! or renders this page again with what was typed and a message at each
//! field (422). It works the same with and without JavaScript, and typed
//! text (a webhook address may carry a key) never goes into a URL.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::get_lead_settings;
use super::model::LeadSettingsPage;
use crate::text::{iso, long_date, textarea_text};
use crate::ui::ErrorView;

/// Field keys in form order (the error summary lists messages in this order).
const FIELDS: [&str; 7] = [
    "consent_text",
    "disclaimer",
    "response_target_hours",
    "retention_days",
    "webhook_url",
    "webhook_secret",
    "cors_origins",
];

fn id_of(field: &str) -> String {
    format!("ls-{field}")
}

#[component]
pub fn LeadSettingsPage() -> impl IntoView {
    let params = use_params_map();
    let clinic = move || params.with(|p| p.get("clinic").unwrap_or_default());
    let saved = use_query_map().with_untracked(|q| q.get("saved"));
    let data = Resource::new(clinic, get_lead_settings);
    view! {
        <Title text="Request settings · Clinicpress" />
        <section class="wrap admin-page">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                    let saved = saved.clone();
                    Suspend::new(async move {
                        match data.await {
                            Err(e) => view! { <ErrorView error=e /> }.into_any(),
                            Ok(page) => view! { <SettingsForm page clinic=clinic() saved /> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn SettingsForm(page: LeadSettingsPage, clinic: String, saved: Option<String>) -> impl IntoView {
    let LeadSettingsPage { form: f, consent_version, consent_since, secret_set, refused } = page;
    let errors = refused.as_ref().map(|r| r.errors.clone()).unwrap_or_default();
    let secret_typed = refused.as_ref().is_some_and(|r| r.secret_typed);
    let err = |field: &str| errors.iter().find(|(k, _)| k == field).map(|(_, m)| m.clone());
    let invalid = |field: &str| err(field).is_some().to_string();
    let error_line = |field: &str| {
        let id = format!("{}-error", id_of(field));
        view! { <p id=id class="field-error">{err(field)}</p> }
    };
    let mut ordered: Vec<(String, String)> = Vec::new();
    for key in FIELDS {
        ordered.extend(errors.iter().filter(|(k, _)| k == key).cloned());
    }
    ordered.extend(errors.iter().filter(|(k, _)| !FIELDS.contains(&k.as_str())).cloned());
    let summary = (!ordered.is_empty()).then(|| {
        view! {
            <div class="error-summary" role="alert" tabindex="-1">
                <h2>"The settings were not saved"</h2>
                <ul>
                    {ordered
                        .into_iter()
                        .map(|(field, message)| view! { <li><a href=format!("#{}", id_of(&field))>{message}</a></li> })
                        .collect_view()}
                </ul>
            </div>
        }
    });
    let notice = match saved.as_deref() {
        Some("consent") => Some(format!(
            "Saved. The consent text is now version {consent_version}; requests sent before keep the version they agreed to."
        )),
        Some(_) => Some("Saved. The forms use the new settings now.".to_string()),
        None => None,
    };
    let since = consent_since.map(|d| {
        view! { <span>" since " <time datetime=iso(d)>{long_date(d)}</time></span> }
    });
    let secret_state = if secret_set {
        "A secret is set. Leave the field empty to keep it, or type a new one to replace it."
    } else {
        "No secret is set. A webhook needs one: every call is signed with it."
    };
    let secret_hint = format!(
        "{secret_state} At least 16 characters.{}",
        if secret_typed { " The secret you typed was not saved: type it again." } else { "" }
    );
    let action = format!("/admin/{clinic}/lead-settings");
    view! {
        <div class="page-head">
            <h1>"Request settings"</h1>
        </div>
        <p class="hint">"What the contact and appointment forms say, and what happens to the requests they send."</p>
        {summary}
        <div role="status">{notice.map(|n| view! { <p class="notice">{n}</p> })}</div>
        <form method="post" action=action class="panel stack settings-form" novalidate>
            <fieldset>
                <legend>"What the form says"</legend>
                <label for="ls-consent_text">"Consent text " <span class="muted">"(next to the checkbox every visitor must tick)"</span></label>
                <textarea id="ls-consent_text" name="consent_text" rows="3" maxlength="1000" required
                    aria-describedby="ls-consent_text-hint ls-consent_text-error" aria-invalid=invalid("consent_text")
                    inner_html=textarea_text(&f.consent_text)></textarea>
                <p id="ls-consent_text-hint" class="hint">
                    "Current version: "<strong>{consent_version.clone()}</strong>{since}
                    ". Changing the text makes a new version; every request keeps the text and version its sender agreed to."
                </p>
                {error_line("consent_text")}
                <label for="ls-disclaimer">"Note above the message box " <span class="muted">"(optional)"</span></label>
                <textarea id="ls-disclaimer" name="disclaimer" rows="2" maxlength="500"
                    aria-describedby="ls-disclaimer-hint ls-disclaimer-error" aria-invalid=invalid("disclaimer")
                    inner_html=textarea_text(&f.disclaimer)></textarea>
                <p id="ls-disclaimer-hint" class="hint">"For example: send non-medical questions only; in an emergency call 911. Empty: no note."</p>
                {error_line("disclaimer")}
            </fieldset>
            <fieldset>
                <legend>"Answering and keeping requests"</legend>
                <label for="ls-response_target_hours">"Response target " <span class="muted">"(business hours)"</span></label>
                <input id="ls-response_target_hours" name="response_target_hours" inputmode="decimal" maxlength="8" required
                    class="short" value=f.response_target_hours.clone()
                    aria-describedby="ls-response_target_hours-hint ls-response_target_hours-error"
                    aria-invalid=invalid("response_target_hours") />
                <p id="ls-response_target_hours-hint" class="hint">"Counted in the office's opening hours. A request still unanswered after this is marked overdue, and the clinic's admins are told once."</p>
                {error_line("response_target_hours")}
                <label for="ls-retention_days">"Keep closed and spam requests for " <span class="muted">"(days; empty: keep them)"</span></label>
                <input id="ls-retention_days" name="retention_days" inputmode="numeric" maxlength="6" class="short"
                    value=f.retention_days.clone()
                    aria-describedby="ls-retention_days-hint ls-retention_days-error" aria-invalid=invalid("retention_days") />
                <p id="ls-retention_days-hint" class="hint">"Closed and spam requests older than this are deleted once a day, with their history. Open requests are never deleted."</p>
                {error_line("retention_days")}
            </fieldset>
            <fieldset>
                <legend>"Other systems"</legend>
                <label for="ls-webhook_url">"Webhook address " <span class="muted">"(optional)"</span></label>
                <input id="ls-webhook_url" name="webhook_url" type="url" maxlength="2000" autocomplete="off"
                    value=f.webhook_url.clone() placeholder="https://crm.example/hooks/requests"
                    aria-describedby="ls-webhook_url-hint ls-webhook_url-error" aria-invalid=invalid("webhook_url") />
                <p id="ls-webhook_url-hint" class="hint">"Each new request is announced there by a signed POST (its reference, office and kind — never what the visitor wrote). https only; http only to localhost."</p>
                {error_line("webhook_url")}
                <label for="ls-webhook_secret">"Webhook secret"</label>
                <input id="ls-webhook_secret" name="webhook_secret" type="password" maxlength="500" autocomplete="new-password"
                    value=""
                    aria-describedby="ls-webhook_secret-hint ls-webhook_secret-error" aria-invalid=invalid("webhook_secret") />
                <p id="ls-webhook_secret-hint" class="hint">{secret_hint}</p>
                {error_line("webhook_secret")}
                {secret_set.then(|| view! {
                    <div class="field check">
                        <input id="ls-forget_secret" name="forget_secret" type="checkbox" value="on" checked={f.forget_secret == "on"} />
                        <label for="ls-forget_secret">"Remove the stored secret"</label>
                    </div>
                })}
                <label for="ls-cors_origins">"Sites allowed to send requests to the lead API " <span class="muted">"(one per line)"</span></label>
                <textarea id="ls-cors_origins" name="cors_origins" rows="3" maxlength="4000" autocomplete="off"
                    aria-describedby="ls-cors_origins-hint ls-cors_origins-error" aria-invalid=invalid("cors_origins")
                    inner_html=textarea_text(&f.cors_origins)></textarea>
                <p id="ls-cors_origins-hint" class="hint">"Origins like https://www.clinic.example — scheme and host, no path. Forms on these sites may post to /api/v1/leads from the browser."</p>
                {error_line("cors_origins")}
            </fieldset>
            <button class="button" type="submit">"Save the settings"</button>
        </form>
    }
}
