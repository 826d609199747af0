//! The contact / appointment-request form (on `/contact`, on each office's
//! page with the office chosen, and in short form under posts) and the
//! thank-you page.
//!
//! The form is a plain HTML form posting to the page it is on: without
//! JavaScript the server answers a refused form by showing this page again
//! with everything typed and a message next to each field. With JavaScript
//! the same rules (`leads::form::validate`) run in the browser first, on
//! submit and again as each field with a problem is corrected.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

use super::api::lead_form;
use super::form::{FormKind, RawLead, validate};
use super::model::LeadFormData;
use crate::ui::ErrorView;

const DAYS: [(&str, &str); 6] =
    [("mon", "Mon"), ("tue", "Tue"), ("wed", "Wed"), ("thu", "Thu"), ("fri", "Fri"), ("sat", "Sat")];
const TIMES: [(&str, &str); 3] = [("morning", "Morning"), ("afternoon", "Afternoon"), ("evening", "Evening")];

fn id_of(f: &str) -> String {
    format!("lead-{f}")
}

/// The form's data (offices, consent text, token). Pages create it at their
/// top level, not inside another Suspense, so the server and the browser
/// create their resources in the same order and hydration finds it.
pub fn lead_form_resource() -> Resource<Result<LeadFormData, crate::error::AppError>> {
    Resource::new(|| (), |_| lead_form())
}

/// The form, loaded with its offices, consent text and token. `office`
/// preselects an office (its page); `compact` is the short version under
/// posts, posting to `/contact`.
#[component]
pub fn LeadFormBlock(
    data: Resource<Result<LeadFormData, crate::error::AppError>>,
    #[prop(optional, into)] office: Option<String>,
    #[prop(optional)] compact: bool,
    #[prop(into)] action: String,
) -> impl IntoView {
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading the form…"</p> }>
            {
                let office = office.clone();
                let action = action.clone();
                move || {
                    let office = office.clone();
                    let action = action.clone();
                    Suspend::new(async move {
                        match data.await {
                            Ok(d) => {
                                let disclaimer = d.disclaimer.clone();
                                view! { <LeadForm data=d office action compact disclaimer /> }.into_any()
                            }
                            Err(e) => view! { <ErrorView error=e /> }.into_any(),
                        }
                    })
                }
            }
        </Suspense>
    }
}

#[component]
fn LeadForm(
    data: LeadFormData,
    office: Option<String>,
    action: String,
    compact: bool,
    disclaimer: Option<String>,
) -> impl IntoView {
    let submitted = data.submitted.clone().unwrap_or_default();
    let mut start = submitted.values.clone();
    if start.kind.is_empty() {
        start.kind = if compact {
            "contact".into()
        } else {
            use_query_map().with_untracked(|q| q.get("kind")).unwrap_or_else(|| "contact".into())
        };
    }
    if start.office.is_empty()
        && let Some(o) = &office
    {
        start.office = o.clone();
    }
    if data.submitted.is_none() && start.contact_method.is_empty() {
        start.contact_method = "phone".into();
    }
    let values = RwSignal::new(start.clone());
    let start_kind = FormKind::parse(&start.kind).unwrap_or(FormKind::Contact);
    let errors = RwSignal::new(submitted.errors.clone());
    let problem = submitted.problem.clone();
    let summary_ref = NodeRef::<leptos::html::Div>::new();
    // Public pages hydrate when the form is first used: take up what was
    // typed or ticked before that.
    let form_ref = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Some(form) = form_ref.get()
            && let Some(typed) = typed_before_hydration(&form)
        {
            values.set(typed);
        }
    });

    let kind = move || FormKind::parse(&values.with(|v| v.kind.clone())).unwrap_or(FormKind::Contact);
    let err = move |f: &'static str| move || errors.with(|e| e.iter().find(|(k, _)| k == f).map(|(_, m)| m.clone()));
    let invalid = move |f: &'static str| move || errors.with(|e| e.iter().any(|(k, _)| k == f)).to_string();
    let described = move |f: &'static str, extra: &str| {
        let mut ids = vec![format!("{}-error", id_of(f))];
        if !extra.is_empty() {
            ids.push(extra.to_string());
        }
        ids.join(" ")
    };
    // Re-check a field once it had a problem, as the visitor corrects it:
    // text fields on each keystroke, not on leaving them — a message that
    // disappears on blur moves the form under the pointer between press and
    // release, and the click meant for the next field is lost.
    let recheck = move || {
        if errors.with(|e| !e.is_empty()) {
            let now = values.with(|v| validate(kind(), v).err().map(|e| e.into_pairs()).unwrap_or_default());
            errors.update(|e| e.retain(|(k, _)| now.iter().any(|(n, _)| n == k)));
            errors.update(|e| {
                for (k, m) in e.iter_mut() {
                    if let Some((_, new)) = now.iter().find(|(n, _)| n == k) {
                        *m = new.clone();
                    }
                }
            });
        }
    };
    let set = move |f: &'static str| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            values.update(|r| r.set(f, v));
            recheck();
        }
    };
    let toggle = move |f: &'static str, value: &'static str| {
        move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            values.update(|r| r.toggle(f, value, on));
            recheck();
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if let Err(found) = values.with(|v| validate(kind(), v)) {
            ev.prevent_default();
            errors.set(found.into_pairs());
            if let Some(el) = summary_ref.get() {
                let _ = el.focus();
            }
        }
    };

    let office_options = data.offices.clone();
    let show_summary = move || errors.with(|e| !e.is_empty());

    view! {
        <form method="post" action=action class=if compact { "lead-form panel compact" } else { "lead-form panel" } novalidate on:submit=on_submit node_ref=form_ref>
            <div class="error-summary" role="alert" tabindex="-1" node_ref=summary_ref hidden=move || !show_summary()>
                <h2>"Please correct these before sending"</h2>
                <ul>
                    {move || errors.get().into_iter().map(|(f, m)| view! { <li><a href=format!("#{}", id_of(&f))>{m}</a></li> }).collect_view()}
                </ul>
            </div>
            {problem.map(|p| view! { <div class="form-problem" role="alert"><p>{p}</p></div> })}
            <input type="hidden" name="form_token" value=data.token.clone() />
            <input type="hidden" name="consent_version" value=data.consent_version.clone() />
            <div hidden>
                <label for="lead-website">"Leave this field empty"</label>
                <input id="lead-website" name="website" type="text" tabindex="-1" autocomplete="off" />
            </div>
            <p class="hint required-hint">"Fields marked " <span class="req" aria-hidden="true">"*"</span> " are required."</p>
            {(!compact).then(|| view! {
                <fieldset class="choice-row">
                    <legend>"What would you like to do?"</legend>
                    <label><input type="radio" name="kind" value="contact" checked={start_kind == FormKind::Contact} on:change=set("kind") />" Ask a question"</label>
                    <label><input type="radio" name="kind" value="appointment" checked={start_kind == FormKind::Appointment} on:change=set("kind") />" Request an appointment"</label>
                </fieldset>
            })}
            {compact.then(|| view! { <input type="hidden" name="kind" value="contact" /> })}
            <div class="field">
                <label for="lead-name">"Your name" <span class="req" aria-hidden="true">" *"</span></label>
                <input id="lead-name" name="name" type="text" autocomplete="name" maxlength="200" aria-required="true"
                    value=start.name.clone() on:input=set("name")
                    aria-invalid=invalid("name") aria-describedby=described("name", "") />
                <p id="lead-name-error" class="field-error">{err("name")}</p>
            </div>
            <fieldset class="choice-row">
                <legend>"How should we reach you?" <span class="req" aria-hidden="true">" *"</span></legend>
                <label><input type="radio" name="contact_method" value="phone" checked={start.contact_method == "phone"} on:change=set("contact_method") />" Phone call"</label>
                <label><input type="radio" name="contact_method" value="text" checked={start.contact_method == "text"} on:change=set("contact_method") />" Text message"</label>
                <label><input type="radio" name="contact_method" value="email" checked={start.contact_method == "email"} on:change=set("contact_method") />" E-mail"</label>
                <p id="lead-contact_method-error" class="field-error">{err("contact_method")}</p>
            </fieldset>
            <div class="field">
                <label for="lead-phone">"Phone" <span class="muted">{move || values.with(|v| if v.contact_method == "email" { " (optional)" } else { " (required for a call or text)" })}</span></label>
                <input id="lead-phone" name="phone" type="tel" autocomplete="tel" maxlength="40"
                    value=start.phone.clone() on:input=set("phone")
                    aria-invalid=invalid("phone") aria-describedby=described("phone", "") />
                <p id="lead-phone-error" class="field-error">{err("phone")}</p>
            </div>
            <div class="field">
                <label for="lead-email">"E-mail" <span class="muted">{move || values.with(|v| if v.contact_method == "email" { " (required for e-mail)" } else { " (optional)" })}</span></label>
                <input id="lead-email" name="email" type="email" autocomplete="email" maxlength="254"
                    value=start.email.clone() on:input=set("email")
                    aria-invalid=invalid("email") aria-describedby=described("email", "") />
                <p id="lead-email-error" class="field-error">{err("email")}</p>
            </div>
            {(!compact).then(|| view! {
                <div class="field-pair">
                    <div class="field">
                        <label for="lead-office">"Preferred office"</label>
                        <select id="lead-office" name="office" aria-invalid=invalid("office") aria-describedby=described("office", "")
                            on:change=set("office")>
                            <option value="" selected=start.office.is_empty()>"No preference"</option>
                            {office_options.into_iter().map(|o| {
                                let sel = o.slug == start.office;
                                view! { <option value=o.slug.clone() selected=sel>{o.name.clone()}</option> }
                            }).collect_view()}
                        </select>
                        <p id="lead-office-error" class="field-error">{err("office")}</p>
                    </div>
                    <div class="field">
                        <label for="lead-zip">"ZIP code " <span class="muted">"(optional)"</span></label>
                        <input id="lead-zip" name="zip" type="text" inputmode="numeric" autocomplete="postal-code" maxlength="10"
                            value=start.zip.clone() on:input=set("zip")
                            aria-invalid=invalid("zip") aria-describedby=described("zip", "lead-zip-hint") />
                        <p id="lead-zip-hint" class="hint">"Without a preferred office, we pass your request to the office nearest you."</p>
                        <p id="lead-zip-error" class="field-error">{err("zip")}</p>
                    </div>
                </div>
            })}
            {(!compact).then(|| view! {
                <fieldset class="appointment-fields">
                    <legend>"Your appointment"</legend>
                    <fieldset class="choice-row">
                        <legend>"Have you been to us before?" <span class="req" aria-hidden="true">" *"</span></legend>
                        <label><input type="radio" name="patient" value="new" checked={start.patient == "new"} on:change=set("patient") />" No, I'm a new patient"</label>
                        <label><input type="radio" name="patient" value="returning" checked={start.patient == "returning"} on:change=set("patient") />" Yes, I'm a returning patient"</label>
                        <p id="lead-patient-error" class="field-error">{err("patient")}</p>
                    </fieldset>
                    <fieldset class="choice-row">
                        <legend>"Days that suit you " <span class="muted">"(optional)"</span></legend>
                        {DAYS.iter().map(|(value, label)| view! {
                            <label><input type="checkbox" name="preferred_days" value=*value checked={start.has("preferred_days", value)} on:change=toggle("preferred_days", value) />{format!(" {label}")}</label>
                        }).collect_view()}
                        <p id="lead-preferred_days-error" class="field-error">{err("preferred_days")}</p>
                    </fieldset>
                    <fieldset class="choice-row">
                        <legend>"Times that suit you " <span class="muted">"(optional)"</span></legend>
                        {TIMES.iter().map(|(value, label)| view! {
                            <label><input type="checkbox" name="preferred_times" value=*value checked={start.has("preferred_times", value)} on:change=toggle("preferred_times", value) />{format!(" {label}")}</label>
                        }).collect_view()}
                        <p id="lead-preferred_times-error" class="field-error">{err("preferred_times")}</p>
                    </fieldset>
                </fieldset>
            })}
            <div class="field">
                <label for="lead-message">
                    {move || if kind() == FormKind::Contact { "Your message" } else { "Anything we should know? " }}
                    <span class="req" aria-hidden="true">{move || (kind() == FormKind::Contact).then_some(" *")}</span>
                    <span class="muted">{move || (kind() != FormKind::Contact).then_some("(optional)")}</span>
                </label>
                {disclaimer.clone().map(|d| view! { <p id="lead-message-disclaimer" class="notice">{d}</p> })}
                <textarea id="lead-message" name="message" rows=if compact { "3" } else { "6" } maxlength="5000"
                    on:input=set("message")
                    aria-invalid=invalid("message")
                    aria-describedby=described("message", if disclaimer.is_some() { "lead-message-disclaimer" } else { "" })
                    inner_html=crate::text::textarea_text(&start.message)></textarea>
                <p id="lead-message-error" class="field-error">{err("message")}</p>
            </div>
            <div class="field check">
                <input id="lead-receipt" name="receipt" type="checkbox" checked={start.has("receipt", "on")} on:change=toggle("receipt", "on") />
                <label for="lead-receipt">"E-mail me the reference number of my request"</label>
            </div>
            <div class="field check">
                <input id="lead-consent" name="consent" type="checkbox" aria-required="true" checked={start.has("consent", "on")} on:change=toggle("consent", "on")
                    aria-invalid=invalid("consent") aria-describedby=described("consent", "") />
                <label for="lead-consent">{data.consent_text.clone()} <span class="req" aria-hidden="true">" *"</span></label>
                <p id="lead-consent-error" class="field-error">{err("consent")}</p>
            </div>
            <button class="button" type="submit">{move || if kind() == FormKind::Appointment { "Request the appointment" } else { "Send" }}</button>
        </form>
    }
}

/// `/contact/thanks?ref=PMC-4F7K2Q&office=concord`.
#[component]
pub fn ThanksPage() -> impl IntoView {
    let q = use_query_map();
    let reference = move || q.with(|q| q.get("ref")).unwrap_or_default();
    let data = Resource::new(move || q.with(|q| q.get("office")), super::api::thanks_office);
    view! {
        <Title text="Thank you" />
        <Meta name="robots" content="noindex" />
        <div class="wrap narrow">
            <header class="page-header">
                <h1>"Thank you — your request was received"</h1>
            </header>
            <p class="lede">"Your reference number is " <strong class="reference">{reference}</strong> ". Please keep it: it helps our staff find your request quickly."</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(Some(o)) => view! {
                            <p>{format!("Our {} office will get back to you during its opening hours. If it is urgent, call ", o.name)}<a href=format!("tel:{}", o.phone)>{o.phone.clone()}</a>"."</p>
                        }.into_any(),
                        _ => view! { <p>"Our team will get back to you during opening hours."</p> }.into_any(),
                    }
                })}
            </Suspense>
            <p class="notice">"If you have a medical emergency, call 911."</p>
            <p><a href="/">"Back to the home page"</a></p>
        </div>
    }
}

/// The form's fields as the visitor left them (None on the server).
#[cfg(feature = "hydrate")]
fn typed_before_hydration(form: &web_sys::HtmlFormElement) -> Option<RawLead> {
    let data = web_sys::FormData::new_with_form(form).ok()?;
    let pairs = js_sys::try_iter(&data.entries()).ok()??.filter_map(|entry| {
        let pair = js_sys::Array::from(&entry.ok()?);
        Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
    });
    Some(RawLead::from_pairs(pairs))
}

#[cfg(not(feature = "hydrate"))]
fn typed_before_hydration<T>(_form: &T) -> Option<RawLead> {
    None
}
