//! `/admin/:clinic/terms`: categories, tags and authors — add, rename (old
//! addresses answer 301), merge tags, delete unused ones. Plain forms, so
//! this page also works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::api::{DeleteTerm, MergeTags, SaveTerm, list_terms};
use super::model::TermRow;
use super::replay::Kept;
use crate::error::AppError;
use crate::model::ArchiveKind;
use crate::ui::ErrorView;

fn kind_value(kind: ArchiveKind) -> &'static str {
    match kind {
        ArchiveKind::Category => "Category",
        ArchiveKind::Tag => "Tag",
        ArchiveKind::Author => "Author",
    }
}

fn error_text(e: &AppError) -> String {
    match e {
        AppError::Fields(list) => list.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>().join(" "),
        other => other.to_string(),
    }
}

#[component]
pub fn TermsPage() -> impl IntoView {
    let params = use_params_map();
    let clinic = move || params.with(|p| p.get("clinic").unwrap_or_default());
    let save = ServerAction::<SaveTerm>::new();
    let delete = ServerAction::<DeleteTerm>::new();
    let merge = ServerAction::<MergeTags>::new();
    let data = Resource::new(
        move || (clinic(), save.version().get(), delete.version().get(), merge.version().get()),
        |(c, ..)| list_terms(c),
    );
    let problem = move || {
        [
            save.value().get().and_then(|r| r.err()),
            delete.value().get().and_then(|r| r.err()),
            merge.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|e| error_text(&e))
    };
    view! {
        <Title text="Categories, tags and authors · Clinicpress" />
        <section class="wrap admin-page">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                        Ok(page) => {
                            let c = clinic();
                            let tags_for_merge = page.tags.clone();
                            view! {
                                <h1>"Categories, tags and authors"</h1>
                                <p class="hint">"Renaming keeps old addresses working: they redirect to the new one."</p>
                                <div role="alert">{move || problem().map(|m| view! { <p class="form-error">{m}</p> })}</div>
                                <TermSection title="Categories" kind=ArchiveKind::Category rows=page.categories clinic=c.clone() save delete merge others=vec![] />
                                <TermSection title="Tags" kind=ArchiveKind::Tag rows=page.tags clinic=c.clone() save delete merge others=tags_for_merge />
                                <TermSection title="Authors" kind=ArchiveKind::Author rows=page.authors clinic=c save delete merge others=vec![] />
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
fn TermSection(
    title: &'static str,
    kind: ArchiveKind,
    rows: Vec<TermRow>,
    clinic: String,
    save: ServerAction<SaveTerm>,
    delete: ServerAction<DeleteTerm>,
    merge: ServerAction<MergeTags>,
    /// Tags to merge into (tags only).
    others: Vec<TermRow>,
) -> impl IntoView {
    let k = kind_value(kind);
    let section_id = format!("{}-section", kind.path_segment());
    let add_id = format!("new-{}", kind.path_segment());
    let add_label = match kind {
        ArchiveKind::Category => "New category",
        ArchiveKind::Tag => "New tag",
        ArchiveKind::Author => "New author's name",
    };
    let heading_id = section_id.clone();
    let clinic_add = clinic.clone();
    // Without JavaScript, a refused add or rename comes back with what was typed.
    let kept = Kept::of::<SaveTerm>();
    let kept = if kept.picked("kind", k) { kept } else { Kept::default() };
    let add_value = if kept.get("id").is_none() { kept.text("form[name]", "") } else { String::new() };
    view! {
        <section class="panel terms" aria-labelledby=section_id>
            <h2 id=heading_id>{title}</h2>
            <ActionForm action=save attr:class="new-term">
                <input type="hidden" name="clinic" value=clinic_add />
                <input type="hidden" name="kind" value=k />
                <label for=add_id.clone()>{add_label}</label>
                <input id=add_id name="form[name]" required maxlength="80" value=add_value />
                <button class="button secondary" type="submit">"Add"</button>
            </ActionForm>
            {if rows.is_empty() {
                view! { <p class="empty">"None yet."</p> }.into_any()
            } else {
                view! {
                    <table class="post-table">
                        <caption class="visually-hidden">{title}</caption>
                        <thead><tr><th scope="col">"Name"</th><th scope="col">"Posts"</th><th scope="col">"Change"</th></tr></thead>
                        <tbody>
                            {rows.into_iter().map(|r| {
                                let rid = r.id;
                                let (c_rename, c_merge, c_delete) = (clinic.clone(), clinic.clone(), clinic.clone());
                                let (name_rename, name_merge, name_delete) = (r.name.clone(), r.name.clone(), r.name.clone());
                                let renamed = if kept.picked("id", &rid.to_string()) { kept.clone() } else { Kept::default() };
                                let credentials = renamed.text("form[credentials]", r.credentials.clone().unwrap_or_default());
                                let (typed_name, typed_slug) = (renamed.text("form[name]", r.name.clone()), renamed.text("form[slug]", r.slug.clone()));
                                let targets: Vec<TermRow> = others.iter().filter(|o| o.id != rid).cloned().collect();
                                let name_id = format!("{}-{rid}-name", kind.path_segment());
                                let slug_id = format!("{}-{rid}-slug", kind.path_segment());
                                let cred_id = format!("{}-{rid}-cred", kind.path_segment());
                                let into_id = format!("{}-{rid}-into", kind.path_segment());
                                view! {
                                    <tr>
                                        <td>{r.name.clone()}<br/><span class="muted">{format!("/blog/{}/{}", kind.path_segment(), r.slug)}</span></td>
                                        <td>{r.posts}</td>
                                        <td class="term-actions">
                                            <details open=renamed.refused()>
                                                <summary>{format!("Rename \u{201c}{}\u{201d}", name_rename)}</summary>
                                                <ActionForm action=save attr:class="stack">
                                                    <input type="hidden" name="clinic" value=c_rename />
                                                    <input type="hidden" name="kind" value=k />
                                                    <input type="hidden" name="id" value=rid.to_string() />
                                                    <label for=name_id.clone()>"Name"</label>
                                                    <input id=name_id name="form[name]" required maxlength="80" value=typed_name />
                                                    <label for=slug_id.clone()>"Address (slug)"</label>
                                                    <input id=slug_id name="form[slug]" maxlength="200" value=typed_slug />
                                                    {(kind == ArchiveKind::Author).then(|| view! {
                                                        <label for=cred_id.clone()>"Credentials"</label>
                                                        <input id=cred_id.clone() name="form[credentials]" maxlength="80" value=credentials.clone() />
                                                    })}
                                                    <button class="button secondary" type="submit">"Save"</button>
                                                </ActionForm>
                                            </details>
                                            {(kind == ArchiveKind::Tag && !targets.is_empty()).then(|| view! {
                                                <details>
                                                    <summary>{format!("Merge \u{201c}{}\u{201d}", name_merge)}</summary>
                                                    <ActionForm action=merge attr:class="stack">
                                                        <input type="hidden" name="clinic" value=c_merge.clone() />
                                                        <input type="hidden" name="from" value=rid.to_string() />
                                                        <label for=into_id.clone()>"Into tag"</label>
                                                        <select id=into_id name="into">
                                                            {targets.into_iter().map(|t| view! { <option value=t.id.to_string()>{t.name}</option> }).collect_view()}
                                                        </select>
                                                        <button class="button secondary" type="submit">"Merge"</button>
                                                    </ActionForm>
                                                </details>
                                            })}
                                            {if r.posts == 0 {
                                                view! {
                                                    <ActionForm action=delete>
                                                        <input type="hidden" name="clinic" value=c_delete.clone() />
                                                        <input type="hidden" name="kind" value=k />
                                                        <input type="hidden" name="id" value=rid.to_string() />
                                                        <button class="link-button" type="submit">{format!("Delete \u{201c}{}\u{201d}", name_delete)}</button>
                                                    </ActionForm>
                                                }.into_any()
                                            } else {
                                                view! { <p class="muted">"In use: cannot be deleted"</p> }.into_any()
                                            }}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
