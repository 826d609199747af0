//! `/admin/:clinic/offices`: the clinic's offices and where visitors'
//! requests go, for clinic admins, with a "where would this request go?"
//! tester; `/admin/:clinic/offices/:office` edits one (`new` adds one):
//! hours, holiday closures, a preview as visitors see it, a test e-mail to
//! its inbox, archive and restore. A request goes to the office the
//! visitor chose, else the office of the page the form was on, else the
//! office serving the visitor's ZIP code, else the clinic's default inbox.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::api::{
    ArchiveOffice, MoveOffice, SaveDefaultInbox, SaveOffice, SaveRoutingOrder, SendOfficeTest, TryRouting,
    list_offices, load_office,
};
use super::model::{OfficeAnswer, OfficeEditor, OfficeForm, OfficePreview, OfficeRow, RouteAnswer};
use super::replay::{Kept, seed_done};
use crate::error::AppError;
use crate::locations::pages::LocationCard;
use crate::ui::ErrorView;

/// Time zones offered first (US clinics), before every IANA zone by region.
const COMMON_ZONES: [&str; 7] = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
];

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
    let order = ServerAction::<SaveRoutingOrder>::new();
    seed_done(order);
    let moved = ServerAction::<MoveOffice>::new();
    let data =
        Resource::new(move || (clinic(), moved.version().get(), order.version().get()), |(c, ..)| list_offices(c));
    let order_saved = move || order.value().get().and_then(|r| r.ok());
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
                            let (archived, live): (Vec<OfficeRow>, Vec<OfficeRow>) =
                                page.offices.into_iter().partition(|o| o.archived);
                            let count = count - archived.len();
                            let choices: Vec<(String, String)> = live.iter().map(|o| (o.slug.clone(), o.name.clone())).collect();
                            let c_tester = c.clone();
                            let zip_first = page.routing_order == "zip_first";
                            let c_order = c.clone();
                            let live_count = live.len();
                            view! {
                                <div class="page-head">
                                    <h1>"Offices"</h1>
                                    <a class="button" href=add_href>"Add an office"</a>
                                </div>
                                <h2>"Where requests go"</h2>
                                <ol class="hint routing-rules">
                                    <li>"The office the visitor chose in the form;"</li>
                                    {if zip_first {
                                        view! {
                                            <li>"else the office whose ZIP codes include the visitor's ZIP code (the first in the list below when several do);"</li>
                                            <li>"else the office whose page the form was on;"</li>
                                        }.into_any()
                                    } else {
                                        view! {
                                            <li>"else the office whose page the form was on;"</li>
                                            <li>"else the office whose ZIP codes include the visitor's ZIP code (the first in the list below when several do);"</li>
                                        }.into_any()
                                    }}
                                    <li>"else the clinic's default inbox below."</li>
                                </ol>
                                <ActionForm action=order attr:class="panel stack routing-order">
                                    <input type="hidden" name="clinic" value=c_order />
                                    <fieldset>
                                        <legend>"When the visitor chose no office, what decides first?"</legend>
                                        <label class="check">
                                            <input type="radio" name="order" value="page_first" checked=!zip_first />
                                            " The office page the form is on (a visitor reading about Concord writes to Concord)"
                                        </label>
                                        <label class="check">
                                            <input type="radio" name="order" value="zip_first" checked=zip_first />
                                            " The visitor's ZIP code (each office serves its own area, whatever page they read)"
                                        </label>
                                    </fieldset>
                                    <div role="status">{move || order_saved().map(|m| view! { <p class="notice">{m}</p> })}</div>
                                    <button class="button" type="submit">"Save the order"</button>
                                </ActionForm>
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
                                        {live.into_iter().enumerate().map(|(i, o)| view! {
                                            <OfficeLine o=o clinic=c.clone() moved first=i == 0 last=i + 1 == live_count />
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <RoutingTester clinic=c_tester offices=choices />
                                {(!archived.is_empty()).then(|| view! {
                                    <h2>"Archived offices"</h2>
                                    <p class="hint">"Not on the public site, in the forms or in routing. Their requests and staff stay; open one to restore it."</p>
                                    <ul class="plain-list">
                                        {archived.into_iter().map(|o| view! {
                                            <li><a href=format!("/admin/{}/offices/{}", c.clone(), o.id)>{o.name.clone()}</a>" "<span class="muted">{o.address.clone()}</span></li>
                                        }).collect_view()}
                                    </ul>
                                })}
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
fn OfficeLine(o: OfficeRow, clinic: String, moved: ServerAction<MoveOffice>, first: bool, last: bool) -> impl IntoView {
    let open_days: Vec<String> =
        o.hours.iter().filter(|(_, h)| h != "Closed").map(|(d, h)| format!("{}: {h}", &d[..3])).collect();
    let zips = if o.zip_codes.is_empty() { "—".to_string() } else { o.zip_codes.join(", ") };
    let inbox = if o.inbox.is_empty() { "the default inbox".to_string() } else { o.inbox.join(", ") };
    let mover_clinic = clinic.clone();
    let office_id = o.id;
    let mover = move |direction: &'static str, label: String| {
        let (clinic, office) = (mover_clinic.clone(), office_id.to_string());
        view! {
            <ActionForm action=moved attr:class="inline-form">
                <input type="hidden" name="clinic" value=clinic />
                <input type="hidden" name="office" value=office />
                <input type="hidden" name="direction" value=direction />
                <button class="link-button" type="submit" aria-label=label>{if direction == "up" { "Move up" } else { "Move down" }}</button>
            </ActionForm>
        }
    };
    let up = (!first).then(|| mover("up", format!("Move {} up", o.name)));
    let down = (!last).then(|| mover("down", format!("Move {} down", o.name)));
    view! {
        <tr>
            <td>
                <a href=format!("/admin/{clinic}/offices/{}", o.id)><strong>{o.name.clone()}</strong></a><br/>
                <span class="muted">{o.address.clone()}</span><br/>
                <span class="muted">{format!("{} · {}", o.phone, o.timezone)}</span><br/>
                <a href=o.url.clone() rel="external">{format!("Public page of {}", o.name)}</a>
                <div class="move-office">{up}{down}</div>
            </td>
            <td>{inbox}</td>
            <td class="zip-list">{zips}</td>
            <td>
                {if open_days.is_empty() {
                    view! { <span class="muted">"No opening hours"</span> }.into_any()
                } else {
                    view! { <ul class="plain-list">{open_days.into_iter().map(|d| view! { <li>{d}</li> }).collect_view()}</ul> }.into_any()
                }}
                {(!o.closures.is_empty()).then(|| view! {
                    <p class="muted">"Closed: " {o.closures.join("; ")}</p>
                })}
            </td>
        </tr>
    }
}

/// "Where would this request go?": the live form's routing, asked by an admin.
#[component]
fn RoutingTester(clinic: String, offices: Vec<(String, String)>) -> impl IntoView {
    let try_it = ServerAction::<TryRouting>::new();
    seed_done(try_it);
    let kept = Kept::of::<TryRouting>();
    let answer = move || try_it.value().get().and_then(|r| r.ok());
    let error = move || try_it.value().get().and_then(|r| r.err());
    let asked =
        try_it.value().get_untracked().and_then(|r| r.ok()).map(|a: RouteAnswer| a.question).unwrap_or_default();
    let office = kept.text("question[office]", asked.office);
    let page = kept.text("question[page]", asked.page);
    let zip = kept.text("question[zip]", asked.zip);
    let err = move |field: &'static str| move || error().map(|e| e.field(field)).unwrap_or_default();
    let invalid = move |field: &'static str| move || error().and_then(|e| e.field(field)).is_some().to_string();
    view! {
        <h2 id="routing-tester">"Where would a request go?"</h2>
        <p class="hint">"Try a request: the answer comes from the same rules the live forms use, with the offices as saved now."</p>
        <ActionForm action=try_it attr:class="panel stack routing-tester">
            <input type="hidden" name="clinic" value=clinic />
            <label for="route-office">"Office the visitor chose"</label>
            <select id="route-office" name="question[office]" aria-describedby="route-office-error" aria-invalid=invalid("office")>
                <option value="" selected=office.is_empty()>"No choice"</option>
                {offices.into_iter().map(|(slug, name)| {
                    let selected = slug == office;
                    view! { <option value=slug selected=selected>{name}</option> }
                }).collect_view()}
            </select>
            <p id="route-office-error" class="field-error">{err("office")}</p>
            <label for="route-page">"Page the form is on " <span class="muted">"(like /contact or /locations/concord)"</span></label>
            <input id="route-page" name="question[page]" value=page maxlength="500" placeholder="/contact"
                aria-describedby="route-page-error" aria-invalid=invalid("page") />
            <p id="route-page-error" class="field-error">{err("page")}</p>
            <label for="route-zip">"Visitor's ZIP code"</label>
            <input id="route-zip" name="question[zip]" value=zip maxlength="10" autocomplete="off"
                aria-describedby="route-zip-error" aria-invalid=invalid("zip") />
            <p id="route-zip-error" class="field-error">{err("zip")}</p>
            <button class="button" type="submit">"Where would it go?"</button>
            <div role="status" aria-live="polite">
                {move || answer().map(|a| view! {
                    <p class="notice route-answer">
                        "It would go to " <strong>{a.destination.clone()}</strong> ", by " {a.rule.clone()} ". "
                        {format!("Told: {}.", a.inbox.join(", "))}
                    </p>
                })}
                {move || error().filter(|e| !matches!(e, AppError::Fields(_))).map(|e| view! { <p class="form-error">{e.to_string()}</p> })}
            </div>
        </ActionForm>
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

/// The time zone picker: common US zones first, then every zone by region.
/// A value that is not a zone (a refused form) stays selectable, so the
/// message next to it makes sense.
#[component]
fn TimezoneSelect(zones: Vec<String>, current: String, invalid: Signal<String>) -> impl IntoView {
    let common_pick = COMMON_ZONES.contains(&current.as_str());
    let known = zones.contains(&current);
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for zone in zones {
        let region = zone.split_once('/').map_or("Other", |(r, _)| r).to_string();
        match groups.iter_mut().find(|(r, _)| *r == region) {
            Some((_, list)) => list.push(zone),
            None => groups.push((region, vec![zone])),
        }
    }
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    let cur = current.clone();
    view! {
        <select id="office-timezone" name="form[timezone]" required
            aria-describedby="office-timezone-hint office-timezone-error" aria-invalid=invalid>
            <option value="" selected=current.is_empty()>"Choose a time zone"</option>
            {(!known && !current.is_empty()).then(|| view! { <option value=current.clone() selected=true>{current.clone()}</option> })}
            <optgroup label="Common in the US">
                {COMMON_ZONES.iter().map(|z| view! { <option value=*z selected=common_pick && *z == cur>{z.replace('_', " ")}</option> }).collect_view()}
            </optgroup>
            {groups.into_iter().map(|(region, list)| {
                let cur = cur.clone();
                view! {
                    <optgroup label=region>
                        {list.into_iter().map(|z| {
                            let selected = !common_pick && z == cur;
                            let label = z.replace('_', " ");
                            view! { <option value=z selected=selected>{label}</option> }
                        }).collect_view()}
                    </optgroup>
                }
            }).collect_view()}
        </select>
    }
}

/// How visitors would see the office, from the form as typed.
#[component]
fn OfficePreviewView(p: OfficePreview) -> impl IntoView {
    view! {
        <section class="office-preview" aria-labelledby="office-preview-heading">
            <h2 id="office-preview-heading">"Preview — as visitors see it now"</h2>
            <p class="hint">"Not saved yet: save the office to publish these details."</p>
            <div class="location-detail">
                <LocationCard location=p.card link_name=false level=3 />
                <div class="hours">
                    <table>
                        <caption>{format!("Opening hours, {}", p.timezone_label)}</caption>
                        <tbody>
                            {p.week.into_iter().map(|(day, hours)| view! {
                                <tr><th scope="row">{day}</th><td>{hours}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    {(!p.closures.is_empty()).then(|| view! {
                        <h3>"Holiday closures"</h3>
                        <ul class="closures">{p.closures.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
                    })}
                </div>
            </div>
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
    let previewed = |a: &Option<Result<OfficeAnswer, AppError>>| match a {
        Some(Ok(OfficeAnswer { preview: Some(p), .. })) => Some(p.clone()),
        _ => None,
    };
    // A preview without JavaScript comes back after a redirect: its form is what was typed.
    let stored: OfficeForm =
        save.value().with_untracked(|a| previewed(a).map(|p| p.form)).unwrap_or_else(|| editor.form.clone());
    let f = OfficeForm {
        id: editor.form.id.clone(),
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
        closures: kept.text("form[closures]", stored.closures.clone()),
    };
    let error = move || save.value().get().and_then(|r| r.err());
    let saved = move || matches!(save.value().get(), Some(Ok(OfficeAnswer { id: Some(_), .. })));
    let preview = move || save.value().with(previewed);
    let clinic_nav = clinic.clone();
    Effect::new(move |_| {
        if is_new && let Some(Ok(OfficeAnswer { id: Some(id), .. })) = save.value().get() {
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
    let title = if is_new { "Add an office".to_string() } else { format!("Office: {}", editor.form.name) };
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
    let office_id: Option<i32> = editor.form.id.parse().ok();
    let clinic_tools = clinic.clone();
    let form = view! {
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
            <TimezoneSelect zones=editor.timezones current=f.timezone.clone() invalid=Signal::derive(invalid("timezone")) />
            <p id="office-timezone-hint" class="hint">"Opening hours and “open now” are read in this zone, daylight saving time included."</p>
            <p id="office-timezone-error" class="field-error">{err("timezone")}</p>
            <fieldset class="hours-fields">
                <legend>"Opening hours"</legend>
                <p id="office-hours-hint" class="hint">"24-hour times, like 08:00-17:00, or two ranges like 08:00-12:00, 13:00-17:00. Leave a day empty when the office is closed. The response clock for requests counts only these hours."</p>
                {days}
            </fieldset>
            <label for="office-closures">"Holiday closures " <span class="muted">"(one per line)"</span></label>
            <textarea id="office-closures" name="form[closures]" rows="4" maxlength="6000"
                placeholder="2026-12-25 Christmas Day"
                aria-describedby="office-closures-hint office-closures-error" aria-invalid=invalid("closures")
                inner_html=crate::text::textarea_text(&f.closures)></textarea>
            <p id="office-closures-hint" class="hint">"A date and a name, like 2026-12-25 Christmas Day, or a range: 2026-12-24 to 2026-12-26 Winter break. On these days the office shows as closed and the response clock stops."</p>
            <p id="office-closures-error" class="field-error">{err("closures")}</p>
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
            <div class="form-actions">
                <button class="button" type="submit" name="intent" value="save">{if is_new { "Add the office" } else { "Save the office" }}</button>
                <button class="button secondary" type="submit" name="intent" value="preview">"Preview"</button>
            </div>
        </ActionForm>
    }
    .into_any();
    view! {
        <h1>{title}</h1>
        {summary}
        <div role="status">
            {move || (saved() && !is_new).then(|| view! { <p class="notice">"Saved. The public page shows the change now."</p> })}
            {just_added.then(|| view! { <p class="notice">"The office was added."</p> })}
            {move || preview().map(|_| view! { <p class="notice"><a href="#office-preview-heading">"The preview is below the form"</a>" — nothing is saved yet."</p> })}
        </div>
        {editor.archived.then(|| view! {
            <p class="notice archived-notice">"This office is archived: it is not on the public site, in the forms or in routing. Restore it below."</p>
        })}
        {form}
        <div aria-live="polite">{move || preview().map(|p| view! { <OfficePreviewView p /> })}</div>
        {office_id.map(|id| view! {
            <OfficeTools clinic=clinic_tools.clone() office=id archived=editor.archived inbox=editor.saved_inbox.clone() />
        })}
    }
}

/// The test e-mail and archive/restore of a saved office.
#[component]
fn OfficeTools(clinic: String, office: i32, archived: bool, inbox: Vec<String>) -> impl IntoView {
    let test = ServerAction::<SendOfficeTest>::new();
    seed_done(test);
    let archive = ServerAction::<ArchiveOffice>::new();
    seed_done(archive);
    let test_answer = move || test.value().get();
    let archived_now = move || archive.value().get().and_then(|r| r.ok()).map_or(archived, |a| a.archived);
    let to = if inbox.is_empty() { "the clinic's default inbox".to_string() } else { inbox.join(", ") };
    let c2 = clinic.clone();
    view! {
        <section class="panel stack" aria-labelledby="office-test-heading">
            <h2 id="office-test-heading">"Test the inbox"</h2>
            <p>"Send a test message to " {to} ", the way request notices go (saved addresses only)."</p>
            <ActionForm action=test>
                <input type="hidden" name="clinic" value=clinic.clone() />
                <input type="hidden" name="office" value=office.to_string() />
                <button class="button secondary" type="submit">"Send a test e-mail"</button>
            </ActionForm>
            <div role="status">
                {move || test_answer().map(|r| match r {
                    Ok(message) => view! { <p class="notice">{message}</p> }.into_any(),
                    Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                })}
            </div>
        </section>
        <section class="panel stack" aria-labelledby="office-archive-heading">
            <h2 id="office-archive-heading">{move || if archived_now() { "Restore this office" } else { "Archive this office" }}</h2>
            <p class="hint">{move || if archived_now() {
                "Restoring puts the office back on the public site, in the forms and in routing."
            } else {
                "An archived office leaves the public site, the forms and routing. Its requests, history and staff stay, and you can restore it."
            }}</p>
            <ActionForm action=archive>
                <input type="hidden" name="clinic" value=c2 />
                <input type="hidden" name="office" value=office.to_string() />
                <input type="hidden" name="archived" value=move || (!archived_now()).to_string() />
                <button class="button secondary" type="submit">{move || if archived_now() { "Restore the office" } else { "Archive the office" }}</button>
            </ActionForm>
            <div role="status">
                {move || archive.value().get().map(|r| match r {
                    Ok(a) if a.archived => view! { <p class="notice">{format!("{} is archived.", a.name)}</p> }.into_any(),
                    Ok(a) => view! { <p class="notice">{format!("{} is back on the public site.", a.name)}</p> }.into_any(),
                    Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                })}
            </div>
        </section>
    }
    .into_any()
}
