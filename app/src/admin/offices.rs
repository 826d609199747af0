//! `/admin/:clinic/offices`: the clinic's offices and where visitors'
//! requests go, for clinic admins; `/admin/:clinic/offices/:office` edits
//! one (`new` adds one). A request goes to the office the visitor chose,
//! else the office of the page the form was on, else the office serving
//! the visitor's ZIP code, else the clinic's default inbox.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::api::{SaveDefaultInbox, SaveOffice, list_offices, load_office};
use super::model::{OfficeEditor, OfficeForm, OfficeRow};
use super::replay::{Kept, seed_done};
use crate::error::AppError;
use crate::ui::ErrorView;

const DAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

#[component]
pub fn OfficesPage() -> impl IntoView {
    let params = use_params_map();
    let clinic = move || params.with(|p| p.get("clinic").unwrap_or_default());
    let inbox = ServerAction::<SaveDefaultInbox>::new();
    seed_done(inbox);
    let kept_inbox = Kept::of::<SaveDefaultInbox>();
    let data = Resource::new(clinic, list_offices);
    let inbox_error = move || inbox.value().get().and_then(|r| r.err());
    let inbox_saved = move || inbox.value().get().and_then(|r| r.ok());
    view! {
        <Title text="Offices · Clinicpress" />
        <section class="wrap admin-page">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                let kept_inbox = kept_inbox.clone();
                Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                        Ok(page) => {
                            let c = clinic();
                            let count = page.offices.len();
                            let c_form = c.clone();
                            let default_inbox = kept_inbox.text("email", page.default_inbox.clone());
                            let add_href = format!("/admin/{c}/offices/new");
                            view! {
                                <div class="page-head">
                                    <h1>"Offices"</h1>
                                    <a class="button" href=add_href>"Add an office"</a>
                                </div>
                                <h2>"Where requests go"</h2>
                                <ol class="hint routing-rules">
                                    <li>"The office the visitor chose in the form;"</li>
                                    <li>"else the office whose page the form was on;"</li>
                                    <li>"else the office whose ZIP codes include the visitor's ZIP code;"</li>
                                    <li>"else the clinic's default inbox below."</li>
                                </ol>
                                <ActionForm action=inbox attr:class="panel stack inline-fields">
                                    <input type="hidden" name="clinic" value=c_form />
                                    <label for="default-inbox">"Default inbox"</label>
                                    <input id="default-inbox" name="email" type="email" required maxlength="254"
                                        value=default_inbox autocomplete="off"
                                        aria-describedby="default-inbox-error"
                                        aria-invalid=move || inbox_error().is_some().to_string() />
                                    <p id="default-inbox-error" class="field-error" role="alert">
                                        {move || inbox_error().map(|e| e.field("default_inbox").unwrap_or_else(|| e.to_string()))}
                                    </p>
                                    <div role="status">{move || inbox_saved().map(|e| view! { <p class="notice">{format!("Saved: requests no office takes go to {e}.")}</p> })}</div>
                                    <button class="button" type="submit">"Save the default inbox"</button>
                                </ActionForm>
                                <table class="post-table offices">
                                    <caption>{format!("{count} offices")}</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">"Office"</th>
                                            <th scope="col">"Inbox"</th>
                                            <th scope="col">"ZIP codes"</th>
                                            <th scope="col">"Hours"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {page.offices.into_iter().map(|o| view! { <OfficeLine o=o clinic=c.clone() /> }).collect_view()}
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
fn OfficeLine(o: OfficeRow, clinic: String) -> impl IntoView {
    let open_days: Vec<String> =
        o.hours.iter().filter(|(_, h)| h != "Closed").map(|(d, h)| format!("{}: {h}", &d[..3])).collect();
    let zips = if o.zip_codes.is_empty() { "—".to_string() } else { o.zip_codes.join(", ") };
    let inbox = if o.inbox.is_empty() { "the default inbox".to_string() } else { o.inbox.join(", ") };
    view! {
        <tr>
            <td>
                <a href=format!("/admin/{clinic}/offices/{}", o.id)><strong>{o.name.clone()}</strong></a><br/>
                <span class="muted">{o.address.clone()}</span><br/>
                <span class="muted">{format!("{} · {}", o.phone, o.timezone)}</span><br/>
                <a href=o.url.clone() rel="external">{format!("Public page of {}", o.name)}</a>
            </td>
            <td>{inbox}</td>
            <td class="zip-list">{zips}</td>
            <td>
                {if open_days.is_empty() {
                    view! { <span class="muted">"No opening hours"</span> }.into_any()
                } else {
                    view! { <ul class="plain-list">{open_days.into_iter().map(|d| view! { <li>{d}</li> }).collect_view()}</ul> }.into_any()
                }}
            </td>
        </tr>
    }
}

#[component]
pub fn OfficeEditPage() -> impl IntoView {
    let params = use_params_map();
    let clinic = move || params.with(|p| p.get("clinic").unwrap_or_default());
    let office = move || params.with(|p| p.get("office").unwrap_or_default());
    let data = Resource::new(move || (clinic(), office()), |(c, o)| load_office(c, o));
    view! {
        <Title text="Office · Clinicpress" />
        <section class="wrap admin-page">
            <p><a href=move || format!("/admin/{}/offices", clinic())>"← All offices"</a></p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                        Ok(editor) => view! { <OfficeFormView editor clinic=clinic() /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn OfficeFormView(editor: OfficeEditor, clinic: String) -> impl IntoView {
    let save = ServerAction::<SaveOffice>::new();
    seed_done(save);
    let kept = Kept::of::<SaveOffice>();
    let navigate = use_navigate();
    let is_new = editor.is_new;
    let stored: OfficeForm = editor.form;
    let f = OfficeForm {
        id: stored.id.clone(),
        name: kept.text("form[name]", stored.name.clone()),
        slug: kept.text("form[slug]", stored.slug.clone()),
        address: kept.text("form[address]", stored.address.clone()),
        phone: kept.text("form[phone]", stored.phone.clone()),
        timezone: kept.text("form[timezone]", stored.timezone.clone()),
        mon: kept.text("form[mon]", stored.mon.clone()),
        tue: kept.text("form[tue]", stored.tue.clone()),
        wed: kept.text("form[wed]", stored.wed.clone()),
        thu: kept.text("form[thu]", stored.thu.clone()),
        fri: kept.text("form[fri]", stored.fri.clone()),
        sat: kept.text("form[sat]", stored.sat.clone()),
        sun: kept.text("form[sun]", stored.sun.clone()),
        inbox: kept.text("form[inbox]", stored.inbox.clone()),
        zip_codes: kept.text("form[zip_codes]", stored.zip_codes.clone()),
        latitude: kept.text("form[latitude]", stored.latitude.clone()),
        longitude: kept.text("form[longitude]", stored.longitude.clone()),
    };
    let error = move || save.value().get().and_then(|r| r.err());
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    let clinic_nav = clinic.clone();
    Effect::new(move |_| {
        if is_new && let Some(Ok(id)) = save.value().get() {
            navigate(&format!("/admin/{clinic_nav}/offices/{id}?added=1"), Default::default());
        }
    });
    let just_added = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("added").is_some());
    let err = move |field: &'static str| move || error().and_then(|e| e.field(field));
    let invalid = move |field: &'static str| move || error().and_then(|e| e.field(field)).is_some().to_string();
    let summary = move || {
        error().map(|e| match e {
            AppError::Fields(list) => view! {
                <div class="error-summary" role="alert" tabindex="-1">
                    <h2>"The office was not saved"</h2>
                    <ul>
                        {list.into_iter().map(|(field, message)| view! {
                            <li><a href=format!("#office-{field}")>{message}</a></li>
                        }).collect_view()}
                    </ul>
                </div>
            }
            .into_any(),
            other => view! { <p class="form-error" role="alert">{other.to_string()}</p> }.into_any(),
        })
    };
    let title = if is_new { "Add an office".to_string() } else { format!("Office: {}", stored.name) };
    let timezones = editor.timezones;
    let day_value = |key: &str| -> String {
        f.days().into_iter().find(|(k, _)| *k == key).map(|(_, v)| v.to_string()).unwrap_or_default()
    };
    let days = DAYS
        .iter()
        .map(|(key, label)| {
            let id = format!("office-{key}");
            let hint = format!("office-{key}-error");
            let value = day_value(key);
            view! {
                <div class="day-field">
                    <label for=id.clone()>{*label}</label>
                    <input id=id name=format!("form[{key}]") value=value maxlength="100" placeholder="closed"
                        aria-describedby=format!("{hint} office-hours-hint") aria-invalid=invalid(key) />
                    <p id=hint class="field-error">{err(key)}</p>
                </div>
            }
        })
        .collect_view();
    view! {
        <h1>{title}</h1>
        {summary}
        <div role="status">
            {move || (saved() && !is_new).then(|| view! { <p class="notice">"Saved. The public page shows the change now."</p> })}
            {just_added.then(|| view! { <p class="notice">"The office was added."</p> })}
        </div>
        <ActionForm action=save attr:class="panel stack office-form">
            <input type="hidden" name="clinic" value=clinic.clone() />
            <input type="hidden" name="form[id]" value=f.id.clone() />
            <label for="office-name">"Name"</label>
            <input id="office-name" name="form[name]" required maxlength="200" value=f.name.clone()
                aria-describedby="office-name-error" aria-invalid=invalid("name") />
            <p id="office-name-error" class="field-error">{err("name")}</p>
            {if is_new {
                view! {
                    <label for="office-slug">"Web address " <span class="muted">"(made from the name if left empty)"</span></label>
                    <div class="slug-field">
                        <span class="muted" aria-hidden="true">"/locations/"</span>
                        <input id="office-slug" name="form[slug]" maxlength="64" value=f.slug.clone() pattern="[a-z0-9-]*"
                            aria-describedby="office-slug-error" aria-invalid=invalid("slug") />
                    </div>
                    <p id="office-slug-error" class="field-error">{err("slug")}</p>
                }
                .into_any()
            } else {
                view! {
                    <p class="hint">"Web address: " <a href=format!("/locations/{}", f.slug) rel="external">{format!("/locations/{}", f.slug)}</a> " (kept, so links to it never break)"</p>
                }
                .into_any()
            }}
            <label for="office-address">"Street address"</label>
            <textarea id="office-address" name="form[address]" required rows="2" maxlength="500"
                aria-describedby="office-address-error" aria-invalid=invalid("address") inner_html=crate::text::textarea_text(&f.address)></textarea>
            <p id="office-address-error" class="field-error">{err("address")}</p>
            <label for="office-phone">"Phone"</label>
            <input id="office-phone" name="form[phone]" type="tel" required maxlength="40" value=f.phone.clone()
                autocomplete="off" aria-describedby="office-phone-error" aria-invalid=invalid("phone") />
            <p id="office-phone-error" class="field-error">{err("phone")}</p>
            <label for="office-timezone">"Time zone"</label>
            <input id="office-timezone" name="form[timezone]" required list="office-timezones" maxlength="64"
                value=f.timezone.clone() autocomplete="off" placeholder="America/Los_Angeles"
                aria-describedby="office-timezone-error" aria-invalid=invalid("timezone") />
            <datalist id="office-timezones">
                {timezones.into_iter().map(|tz| view! { <option value=tz></option> }).collect_view()}
            </datalist>
            <p id="office-timezone-error" class="field-error">{err("timezone")}</p>
            <fieldset class="hours-fields">
                <legend>"Opening hours"</legend>
                <p id="office-hours-hint" class="hint">"24-hour times, like 08:00-17:00, or two ranges like 08:00-12:00, 13:00-17:00. Leave a day empty when the office is closed. The response clock for requests counts only these hours."</p>
                {days}
            </fieldset>
            <label for="office-inbox">"Inbox e-mail addresses " <span class="muted">"(one per line; empty: the default inbox)"</span></label>
            <textarea id="office-inbox" name="form[inbox]" rows="3" maxlength="3000"
                aria-describedby="office-inbox-hint office-inbox-error" aria-invalid=invalid("inbox") inner_html=crate::text::textarea_text(&f.inbox)></textarea>
            <p id="office-inbox-hint" class="hint">"These addresses are told that a request arrived — never what it says; staff read it in the admin area."</p>
            <p id="office-inbox-error" class="field-error">{err("inbox")}</p>
            <label for="office-zip_codes">"ZIP codes this office serves " <span class="muted">"(separated by spaces or commas)"</span></label>
            <textarea id="office-zip_codes" name="form[zip_codes]" rows="2" maxlength="12000"
                aria-describedby="office-zip_codes-error" aria-invalid=invalid("zip_codes") inner_html=crate::text::textarea_text(&f.zip_codes)></textarea>
            <p id="office-zip_codes-error" class="field-error">{err("zip_codes")}</p>
            <fieldset class="coordinates">
                <legend>"Map position " <span class="muted">"(optional)"</span></legend>
                <label for="office-latitude">"Latitude"</label>
                <input id="office-latitude" name="form[latitude]" inputmode="decimal" maxlength="20" value=f.latitude.clone()
                    aria-describedby="office-latitude-error" aria-invalid=invalid("latitude") />
                <p id="office-latitude-error" class="field-error">{err("latitude")}</p>
                <label for="office-longitude">"Longitude"</label>
                <input id="office-longitude" name="form[longitude]" inputmode="decimal" maxlength="20" value=f.longitude.clone()
                    aria-describedby="office-longitude-error" aria-invalid=invalid("longitude") />
                <p id="office-longitude-error" class="field-error">{err("longitude")}</p>
            </fieldset>
            <button class="button" type="submit">{if is_new { "Add the office" } else { "Save the office" }}</button>
        </ActionForm>
    }
}
