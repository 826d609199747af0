//! `/admin/network`: the network owner's clinics — add one, change its
//! name, host names and default inbox, archive it (its site answers 410
//! Gone, its data stays) or restore it. Clinic admins are appointed on each
//! clinic's People page. Plain forms: everything works with JavaScript off.

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{ArchiveClinic, SaveClinic, get_network};
use super::model::{ClinicForm, NetworkClinicRow};
use super::replay::{Kept, seed_done};
use crate::error::AppError;
use crate::ui::ErrorView;

#[component]
pub fn NetworkPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_network());
    view! {
        <Title text="Clinics · Clinicpress" />
        <section class="wrap admin-page">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                        Ok(page) => {
                            let count = page.clinics.len();
                            view! {
                                <h1>"Clinics"</h1>
                                <p class="hint">"Every clinic this deployment serves. Each answers on its host names — the first is its main address — and on "<code>"slug.localhost"</code>" for testing. Appoint a clinic's admins on its People page."</p>
                                <ClinicEditor row=None />
                                <h2>{format!("{count} clinics")}</h2>
                                <ul class="plain-list network-clinics">
                                    {page.clinics.into_iter().map(|row| view! { <ClinicCard row /> }).collect_view()}
                                </ul>
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
fn ClinicCard(row: NetworkClinicRow) -> impl IntoView {
    let archive = ServerAction::<ArchiveClinic>::new();
    seed_done(archive);
    let slug = row.slug.clone();
    let own_name = row.name.clone();
    let answer = move || archive.value().get().and_then(|r| r.ok()).filter(|a| a.name == own_name);
    let archived_now = {
        let answer = answer.clone();
        let was = row.archived;
        move || answer().map(|a| a.archived).unwrap_or(was)
    };
    let done = {
        let answer = answer.clone();
        move || {
            answer().map(|a| {
                if a.archived {
                    format!("{} is archived: its site answers 410 Gone; nothing was deleted.", a.name)
                } else {
                    format!("{} is restored: its site answers again.", a.name)
                }
            })
        }
    };
    // A refused archive (only ever a lost session or a vanished clinic) shows on every card.
    let failed = move || archive.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    let hosts = if row.hosts.is_empty() { "none (only the test address)".to_string() } else { row.hosts.join(", ") };
    let admins = if row.admins.is_empty() { "nobody yet".to_string() } else { row.admins.join(", ") };
    let heading_id = format!("clinic-{}", row.slug);
    let change = format!("Change {}", row.name);
    let labelled_by = heading_id.clone();
    let name = row.name.clone();
    let button_name = row.name.clone();
    let button = {
        let archived_now = archived_now.clone();
        move || if archived_now() { format!("Restore {button_name}") } else { format!("Archive {button_name}") }
    };
    let next = {
        let archived_now = archived_now.clone();
        move || if archived_now() { "false" } else { "true" }
    };
    let badge = {
        let archived_on = row.archived_on.clone();
        move || {
            archived_now().then(|| {
                let on = archived_on.clone().map(|d| format!(" Archived {d}")).unwrap_or_else(|| " Archived".into());
                view! { <span class="badge">{on}</span> }
            })
        }
    };
    view! {
        <li class="panel stack" aria-labelledby=labelled_by>
            <h3 id=heading_id>
                {name}
                {badge}
            </h3>
            <dl class="facts">
                <dt>"Slug"</dt><dd><code>{row.slug.clone()}</code></dd>
                <dt>"Site"</dt><dd><a href=row.site_url.clone() rel="external">{row.site_url.clone()}</a></dd>
                <dt>"Host names"</dt><dd>{hosts}</dd>
                <dt>"Default inbox"</dt><dd>{row.default_inbox.clone()}</dd>
                <dt>"Admins"</dt><dd>{admins}" · "<a href=format!("/admin/{}/people", row.slug) rel="external">"People"</a></dd>
                <dt>"Content"</dt><dd>{format!("{} offices, {} posts", row.offices, row.posts)}</dd>
            </dl>
            <div role="status">{move || done().map(|m| view! { <p class="notice">{m}</p> })}</div>
            {move || failed().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            <ActionForm action=archive attr:class="inline-form">
                <input type="hidden" name="slug" value=slug.clone() />
                <input type="hidden" name="archived" value=next />
                <button class="button secondary" type="submit">{button}</button>
            </ActionForm>
            <details>
                <summary>{change}</summary>
                <ClinicEditor row=Some(row) />
            </details>
        </li>
    }
}

/// The form for a new clinic (`row` = None) or one clinic's changes.
#[component]
fn ClinicEditor(row: Option<NetworkClinicRow>) -> impl IntoView {
    let save = ServerAction::<SaveClinic>::new();
    seed_done(save);
    let kept = Kept::of::<SaveClinic>();
    let is_new = row.is_none();
    let id = row.as_ref().map(|r| r.id.to_string()).unwrap_or_default();
    // Several forms share the server function: typed values and messages go
    // back to the one that was sent (its id, "" for the new clinic).
    let mine = kept.refused() && kept.get("form[id]").unwrap_or_default() == id;
    let typed = |name: &str, stored: String| if mine { kept.text(name, stored) } else { stored };
    let f = ClinicForm {
        id: id.clone(),
        slug: typed("form[slug]", String::new()),
        name: typed("form[name]", row.as_ref().map(|r| r.name.clone()).unwrap_or_default()),
        hosts: typed("form[hosts]", row.as_ref().map(|r| r.hosts.join("\n")).unwrap_or_default()),
        default_inbox: typed("form[default_inbox]", row.as_ref().map(|r| r.default_inbox.clone()).unwrap_or_default()),
    };
    let own_slug = row.as_ref().map(|r| r.slug.clone());
    // With JavaScript each form's action holds only its own answer; a page
    // answering a plain post shows that answer to every form of the kind,
    // so each keeps only what is its own.
    let replayed_elsewhere = kept.refused() && !mine;
    let error = move || save.value().get().and_then(|r| r.err()).filter(|_| !replayed_elsewhere);
    let saved = move || {
        save.value().get().and_then(|r| r.ok()).filter(|s| match &own_slug {
            Some(own) => !s.created && own == &s.slug,
            None => s.created,
        })
    };
    let p = if is_new { "new-clinic".to_string() } else { format!("clinic-{id}") };
    let fid = move |field: &str| format!("{p}-{field}");
    let err = move |field: &'static str| move || error().and_then(|e| e.field(field));
    let invalid = move |field: &'static str| move || error().and_then(|e| e.field(field)).is_some().to_string();
    let other_error = move || error().filter(|e| !matches!(e, AppError::Fields(_))).map(|e| e.to_string());
    let heading = if is_new { "Add a clinic" } else { "Change the clinic" };
    let button = if is_new { "Add the clinic" } else { "Save the clinic" };
    view! {
        <ActionForm action=save attr:class="panel stack clinic-form">
            <h2 class="form-title">{heading}</h2>
            <div role="status">
                {move || saved().map(|s| if is_new {
                    let slug = s.slug;
                    view! { <p class="notice">"The clinic was added. Next: "<a href=format!("/admin/{slug}/people") rel="external">"appoint its admins"</a>" and "<a href=format!("/admin/{slug}/offices") rel="external">"add its offices"</a>"."</p> }.into_any()
                } else {
                    view! { <p class="notice">"Saved. The site answers on the new host names now."</p> }.into_any()
                })}
            </div>
            {move || other_error().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            <input type="hidden" name="form[id]" value=f.id.clone() />
            {is_new.then(|| view! {
                <label for=fid("slug")>"Slug " <span class="muted">"(lower-case letters, digits and hyphens; fixed once added)"</span></label>
                <input id=fid("slug") name="form[slug]" required maxlength="40" pattern="[a-z0-9]+(-[a-z0-9]+)*" value=f.slug.clone()
                    autocomplete="off" aria-describedby=fid("slug-error") aria-invalid=invalid("slug") />
                <p id=fid("slug-error") class="field-error">{err("slug")}</p>
            })}
            <label for=fid("name")>"Name"</label>
            <input id=fid("name") name="form[name]" required maxlength="120" value=f.name.clone()
                aria-describedby=fid("name-error") aria-invalid=invalid("name") />
            <p id=fid("name-error") class="field-error">{err("name")}</p>
            <label for=fid("hosts")>"Host names " <span class="muted">"(one per line, like www.clinic.example)"</span></label>
            <textarea id=fid("hosts") name="form[hosts]" rows="3" maxlength="2000"
                aria-describedby=fid("hosts-error") aria-invalid=invalid("hosts") inner_html=crate::text::textarea_text(&f.hosts)></textarea>
            <p id=fid("hosts-error") class="field-error">{err("hosts")}</p>
            <label for=fid("default_inbox")>"Default inbox " <span class="muted">"(requests no office takes)"</span></label>
            <input id=fid("default_inbox") name="form[default_inbox]" type="email" required maxlength="254" value=f.default_inbox.clone()
                autocomplete="off" aria-describedby=fid("default_inbox-error") aria-invalid=invalid("default_inbox") />
            <p id=fid("default_inbox-error") class="field-error">{err("default_inbox")}</p>
            <button class="button" type="submit">{button}</button>
        </ActionForm>
    }
}
