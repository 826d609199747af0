//! `/admin/:clinic/leads`: the requests of the offices this user works
//! (office staff: their office; clinic admins: every office and the
//! default inbox), with filters; `/admin/:clinic/leads/:reference`: one
//! request, its history and deliveries, and what staff do with it.
//! Plain forms throughout, so the inbox also works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{EraseLead, LeadAction, get_lead, list_leads};
use super::replay::{Kept, seed_done};
use crate::leads::model::{InboxQuery, InboxRow, LeadDetail};
use crate::leads::status::LeadStatus;
use crate::ui::{ErrorView, TimeAgo};

fn status_label(s: &str) -> &'static str {
    LeadStatus::parse(s).map_or("Unknown", LeadStatus::label)
}

fn kind_label(k: &str) -> &'static str {
    if k == "appointment" { "Appointment request" } else { "Message" }
}

#[component]
pub fn LeadsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let clinic = move || params.with(|p| p.get("clinic").unwrap_or_default());
    let filters = move || {
        query.with(|q| InboxQuery {
            status: q.get("status").unwrap_or_default(),
            office: q.get("office").unwrap_or_default(),
            q: q.get("q").unwrap_or_default(),
            page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
        })
    };
    let data = Resource::new(move || (clinic(), filters()), |(c, f)| list_leads(c, f));
    view! {
        <Title text="Requests · Clinicpress" />
        <section class="wrap admin-page">
            <h1>"Requests"</h1>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                        Ok(page) => {
                            let f = filters();
                            let c = clinic();
                            let base = format!("/admin/{c}/leads");
                            let link = {
                                let (base, f) = (base.clone(), f.clone());
                                move |p: u32| {
                                    format!(
                                        "{base}?status={}&office={}&q={}&page={p}",
                                        crate::text::url_encode(&f.status),
                                        crate::text::url_encode(&f.office),
                                        crate::text::url_encode(&f.q)
                                    )
                                }
                            };
                            let hours = page.target_minutes / 60;
                            view! {
                                <p class="hint">{format!("Newest first. Requests waiting longer than {hours} business hours for a first answer are marked overdue; the clock counts only the office's opening hours.")}</p>
                                <form method="get" action=base.clone() class="panel filters" role="search" aria-label="Filter the requests">
                                    <div class="filter">
                                    <label for="lf-status">"Status"</label>
                                    <select id="lf-status" name="status">
                                        {[("open", "Open (new, contacted, scheduled)"), ("new", "New"), ("contacted", "Contacted"), ("scheduled", "Scheduled"), ("closed", "Closed"), ("spam", "Spam"), ("all", "All")]
                                            .into_iter()
                                            .map(|(v, l)| {
                                                let sel = f.status == v || (f.status.is_empty() && v == "open");
                                                view! { <option value=v selected=sel>{l}</option> }
                                            })
                                            .collect_view()}
                                    </select>
                                    </div>
                                    <div class="filter">
                                    <label for="lf-office">"Office"</label>
                                    <select id="lf-office" name="office">
                                        <option value="" selected=f.office.is_empty()>"All my offices"</option>
                                        {page.offices.iter().map(|o| {
                                            let sel = f.office == o.slug;
                                            view! { <option value=o.slug.clone() selected=sel>{o.name.clone()}</option> }
                                        }).collect_view()}
                                        {page.default_inbox.then(|| view! { <option value="default" selected=f.office == "default">"Default inbox"</option> })}
                                    </select>
                                    </div>
                                    <div class="filter">
                                    <label for="lf-q">"Name, e-mail, phone or reference"</label>
                                    <input id="lf-q" name="q" type="search" value=f.q.clone() maxlength="100" />
                                    </div>
                                    <button class="button" type="submit">"Show"</button>
                                    <a class="button secondary" href=format!("/admin/{c}/leads.csv?status={}&office={}&q={}", crate::text::url_encode(&f.status), crate::text::url_encode(&f.office), crate::text::url_encode(&f.q)) rel="external">"Export as CSV"</a>
                                </form>
                                <table class="post-table leads">
                                    <caption>{if page.total == 1 { "1 request".to_string() } else { format!("{} requests", page.total) }}</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">"Request"</th>
                                            <th scope="col">"Office"</th>
                                            <th scope="col">"Status"</th>
                                            <th scope="col">"Waiting"</th>
                                            <th scope="col">"Assigned to"</th>
                                            <th scope="col">"Received"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {page.rows.into_iter().map(|r| view! { <LeadLine r clinic=c.clone() now=page.now /> }).collect_view()}
                                    </tbody>
                                </table>
                                {(page.pages > 1).then(|| view! {
                                    <nav class="pagination" aria-label="Pages">
                                        {(page.page > 1).then(|| view! { <a rel="prev" href=link(page.page - 1)>"← Newer"</a> })}
                                        <span>{format!("Page {} of {}", page.page, page.pages)}</span>
                                        {(page.page < page.pages).then(|| view! { <a rel="next" href=link(page.page + 1)>"Older →"</a> })}
                                    </nav>
                                })}
                            }
                            .into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn LeadLine(r: InboxRow, clinic: String, now: chrono::DateTime<chrono::Utc>) -> impl IntoView {
    let class = if r.overdue { "overdue" } else { "" };
    view! {
        <tr class=class>
            <td>
                <a href=format!("/admin/{clinic}/leads/{}", r.reference)><strong>{r.name.clone()}</strong></a><br/>
                <span class="muted">{format!("{} · {}", kind_label(&r.kind), r.reference)}</span>
            </td>
            <td>{r.office.clone().unwrap_or_else(|| "Default inbox".into())}</td>
            <td><span class=format!("badge status-{}", r.status)>{status_label(&r.status)}</span></td>
            <td>
                {r.waiting.clone().unwrap_or_else(|| "—".into())}
                {r.overdue.then(|| view! { " " <span class="badge overdue-badge">"Overdue"</span> })}
            </td>
            <td>{r.assignee.clone().unwrap_or_else(|| "—".into())}</td>
            <td><TimeAgo at=r.received_at now /></td>
        </tr>
    }
}

#[component]
pub fn LeadPage() -> impl IntoView {
    let params = use_params_map();
    let clinic = move || params.with(|p| p.get("clinic").unwrap_or_default());
    let reference = move || params.with(|p| p.get("reference").unwrap_or_default());
    let act = ServerAction::<LeadAction>::new();
    let erase = ServerAction::<EraseLead>::new();
    seed_done(act);
    seed_done(erase);
    let data = Resource::new(
        move || (clinic(), reference(), act.version().get(), erase.version().get()),
        |(c, r, _, _)| get_lead(c, r),
    );
    let outcome = move || act.value().get().or_else(|| erase.value().get());
    view! {
        <Title text="Request · Clinicpress" />
        <section class="wrap admin-page">
            <p><a href=move || format!("/admin/{}/leads", clinic())>"← All requests"</a></p>
            <div role="status">{move || outcome().and_then(|r| r.ok()).map(|m| view! { <p class="notice">{m}</p> })}</div>
            <div role="alert">{move || outcome().and_then(|r| r.err()).map(|e| view! { <p class="form-error">{e.field("lead").or_else(|| e.field("confirm")).unwrap_or_else(|| e.to_string())}</p> })}</div>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                        Ok(d) => view! { <LeadView d clinic=clinic() act erase /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn LeadView(
    d: LeadDetail,
    clinic: String,
    act: ServerAction<LeadAction>,
    erase: ServerAction<EraseLead>,
) -> impl IntoView {
    let now = d.now;
    // Without JavaScript, a refused note or erase comes back with what was typed.
    let kept_note = Kept::of::<LeadAction>().text_when("action", "note", "value");
    let kept_confirm = Kept::of::<EraseLead>().text("confirm", "");
    let hidden = || {
        view! {
            <input type="hidden" name="clinic" value=clinic.clone() />
            <input type="hidden" name="reference" value=d.reference.clone() />
        }
    };
    let (h1, h2, h3, h4, h5) = (hidden(), hidden(), hidden(), hidden(), hidden());
    let (erased_at, shown_reference) = (d.erased_at, d.reference.clone());
    let json = format!("/admin/{clinic}/leads/{shown_reference}.json");
    let data_panel = d.can_manage_data.then(move || {
        let erased = match erased_at {
            Some(at) => view! { <p>"The personal data was erased " <TimeAgo at now />"."</p> }.into_any(),
            None => view! {
                <ActionForm action=erase attr:class="stack">
                    {h5}
                    <label for="lead-erase-confirm">
                        "To erase the name, contact details, message and notes for good, type the reference "
                        <strong>{shown_reference}</strong>
                    </label>
                    <input id="lead-erase-confirm" name="confirm" required autocomplete="off" spellcheck="false" maxlength="40" value=kept_confirm />
                    <button class="button secondary" type="submit">"Erase the personal data"</button>
                </ActionForm>
            }
            .into_any(),
        };
        view! {
            <section class="panel stack" aria-labelledby="lead-data">
                <h2 id="lead-data">"Personal data"</h2>
                <p class="hint">"When the person asks to see or delete what they sent. Both are recorded in the audit log; after erasing, the reference, office, status and dates remain."</p>
                <p><a class="button secondary" href=json rel="external" download="">"Download everything as JSON"</a></p>
                {erased}
            </section>
        }
    });
    let email_href = format!("mailto:{}", d.email);
    let tel: String = d.phone.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
    let fields: Vec<(&str, String)> = [
        ("Kind", kind_label(&d.kind).to_string()),
        ("Office", d.office.clone().unwrap_or_else(|| "Default inbox".into())),
        ("Routed by", d.routed_by.clone()),
        ("Prefers", d.contact_method.clone()),
        ("ZIP code", d.zip.clone()),
        ("Patient", d.patient.clone()),
        ("Preferred days", d.preferred_days.join(", ")),
        ("Preferred times", d.preferred_times.join(", ")),
        ("Sent from", d.source_path.clone()),
        ("Consent", format!("{} (version {})", d.consent_text, d.consent_version)),
    ]
    .into_iter()
    .chain(d.utm.iter().map(|(k, v)| ("Campaign", format!("{k}: {v}"))))
    .filter(|(_, v)| !v.is_empty())
    .collect();
    view! {
        <h1>{format!("{} — {}", d.name, d.reference)}</h1>
        <p>
            <span class=format!("badge status-{}", d.status)>{status_label(&d.status)}</span>
            " Received " <TimeAgo at=d.received_at now />
            {d.waiting.clone().map(|w| view! { {format!(" · waiting {w}")} })}
            {d.overdue.then(|| view! { " " <span class="badge overdue-badge">"Overdue"</span> })}
            {format!(" · assigned to {}", d.assignee.clone().unwrap_or_else(|| "nobody".into()))}
        </p>
        <div class="lead-grid">
            <section class="panel" aria-labelledby="lead-contact">
                <h2 id="lead-contact">"Contact"</h2>
                <dl class="facts">
                    <dt>"E-mail"</dt><dd>{if d.email.is_empty() { view! { <span class="muted">"none given"</span> }.into_any() } else { view! { <a href=email_href.clone()>{d.email.clone()}</a> }.into_any() }}</dd>
                    <dt>"Phone"</dt><dd>{if d.phone.is_empty() { view! { <span class="muted">"none given"</span> }.into_any() } else { view! { <a href=format!("tel:{tel}")>{d.phone.clone()}</a> }.into_any() }}</dd>
                    {fields.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
                </dl>
                <h2>"Message"</h2>
                <p class="lead-message">{if d.message.is_empty() { "(no message)".to_string() } else { d.message.clone() }}</p>
            </section>
            <section class="panel stack" aria-labelledby="lead-work">
                <h2 id="lead-work">"Work on it"</h2>
                <ActionForm action=act attr:class="stack">
                    {h1}
                    <input type="hidden" name="action" value="status" />
                    <label for="lead-status">"Change the status to"</label>
                    <select id="lead-status" name="value">
                        {d.next_statuses.iter().map(|s| view! { <option value=s.clone()>{status_label(s)}</option> }).collect_view()}
                    </select>
                    <button class="button" type="submit">"Change the status"</button>
                </ActionForm>
                <ActionForm action=act attr:class="stack">
                    {h2}
                    <input type="hidden" name="action" value="assign" />
                    <label for="lead-assignee">"Assign to"</label>
                    <select id="lead-assignee" name="value">
                        <option value="">"Nobody"</option>
                        {d.assignable.iter().map(|(id, n)| view! { <option value=id.to_string()>{n.clone()}</option> }).collect_view()}
                    </select>
                    <button class="button" type="submit">"Assign"</button>
                </ActionForm>
                <ActionForm action=act attr:class="stack">
                    {h3}
                    <input type="hidden" name="action" value="note" />
                    <label for="lead-note">"Add a note " <span class="muted">"(staff only)"</span></label>
                    <textarea id="lead-note" name="value" rows="3" maxlength="5000" inner_html=crate::text::textarea_text(&kept_note)></textarea>
                    <button class="button" type="submit">"Add the note"</button>
                </ActionForm>
            </section>
        </div>
        <section aria-labelledby="lead-deliveries">
            <h2 id="lead-deliveries">"Notifications"</h2>
            <table class="post-table">
                <caption class="visually-hidden">"E-mails and webhook calls about this request"</caption>
                <thead><tr><th scope="col">"What"</th><th scope="col">"To"</th><th scope="col">"State"</th><th scope="col">"Attempts"</th></tr></thead>
                <tbody>
                    {d.deliveries.iter().map(|r| view! {
                        <tr>
                            <td>{r.what.clone()}</td>
                            <td>{r.target.clone()}</td>
                            <td>{r.state.clone()}{r.last_error.clone().map(|e| view! { <br/><span class="muted">{e}</span> })}</td>
                            <td>{r.attempts}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <ActionForm action=act attr:class="inline-form">
                {h4}
                <input type="hidden" name="action" value="resend" />
                <input type="hidden" name="value" value="" />
                <button class="button secondary" type="submit" title="Sends the office notice again, and retries a webhook call that was given up">"Send the notice again"</button>
            </ActionForm>
        </section>
        {data_panel}
        <section aria-labelledby="lead-history">
            <h2 id="lead-history">"History"</h2>
            <ol class="history">
                {d.history.iter().map(|h| view! {
                    <li>
                        <TimeAgo at=h.at now />
                        {match &h.who {
                            Some(w) => format!(" · {w}: {}", h.detail),
                            None => format!(": {}", h.detail),
                        }}
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}
