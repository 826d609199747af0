//! Revisions of a post: list, compare any two (line diff), restore one.
//! Comparing is a GET form and restoring a form post, so both work
//! without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use super::api::{RestoreRevision, diff_revisions, list_revisions};
use super::model::DiffLine;
use crate::ui::{ErrorView, TimeAgo};

#[component]
pub fn RevisionsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let clinic = move || params.with(|p| p.get("clinic").unwrap_or_default());
    let id = move || params.with(|p| p.get("id").and_then(|i| i.parse::<i32>().ok()).unwrap_or(0));
    let pair = move || {
        query.with(|q| {
            let from = q.get("from").and_then(|v| v.parse::<i32>().ok());
            let to = q.get("to").and_then(|v| v.parse::<i32>().ok());
            from.zip(to)
        })
    };
    let list = Resource::new(move || (clinic(), id()), |(c, i)| list_revisions(c, i));
    let diff = Resource::new(
        move || (clinic(), id(), pair()),
        |(c, i, p)| async move {
            match p {
                Some((from, to)) => Some(diff_revisions(c, i, from, to).await),
                None => None,
            }
        },
    );
    let restore = ServerAction::<RestoreRevision>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = restore.value().get() {
            navigate(&format!("/admin/{}/posts/{}", clinic(), id()), Default::default());
        }
    });
    view! {
        <Title text="Revisions · Clinicpress" />
        <section class="wrap admin-page">
            <p class="crumbs"><a href=move || format!("/admin/{}/posts/{}", clinic(), id())>"← Back to the editor"</a></p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let chosen = pair();
                    match list.await {
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                        Ok(page) => {
                            let now = page.now;
                            let newest = page.rows.first().map(|r| r.id);
                            let second = page.rows.get(1).map(|r| r.id);
                            let ids: Vec<i32> = page.rows.iter().map(|r| r.id).collect();
                            let (from_default, to_default) = chosen.map(|(a, b)| (Some(a), Some(b))).unwrap_or((second, newest));
                            view! {
                                <h1>{format!("Revisions of \u{201c}{}\u{201d}", page.post_title)}</h1>
                                <p class="hint">"Every save is kept. Restoring makes a new revision, so nothing is lost."</p>
                                {move || restore.value().get().and_then(|r| r.err()).map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
                                <form method="get" class="revisions">
                                    <table class="post-table">
                                        <caption class="visually-hidden">"Revisions, newest first"</caption>
                                        <thead><tr><th scope="col">"From"</th><th scope="col">"To"</th><th scope="col">"Saved"</th><th scope="col">"By"</th><th scope="col">"Title and note"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                        <tbody>
                                            {page.rows.into_iter().map(|r| {
                                                let rid = r.id;
                                                view! {
                                                    <tr>
                                                        <td><input type="radio" name="from" value=rid.to_string() checked=from_default == Some(rid) aria-label=format!("Compare from revision {rid}") /></td>
                                                        <td><input type="radio" name="to" value=rid.to_string() checked=to_default == Some(rid) aria-label=format!("Compare to revision {rid}") /></td>
                                                        <td><TimeAgo at=r.created_at now /><br/><span class="muted">{format!("#{rid}")}</span></td>
                                                        <td>{r.user_name}</td>
                                                        <td>{r.title}{r.note.map(|n| view! { <br/><span class="muted">{n}</span> })}</td>
                                                        <td>
                                                            <button class="link-button" type="submit" form=format!("restore-{rid}")>{format!("Restore #{rid}")}</button>
                                                        </td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    <button class="button" type="submit">"Compare the chosen revisions"</button>
                                </form>
                                {ids.into_iter().map(|rid| {
                                    view! {
                                        <ActionForm action=restore attr:id=format!("restore-{rid}") attr:class="visually-hidden">
                                            <input type="hidden" name="clinic" value=clinic() />
                                            <input type="hidden" name="id" value=id().to_string() />
                                            <input type="hidden" name="revision" value=rid.to_string() />
                                        </ActionForm>
                                    }
                                }).collect_view()}
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    diff.await.map(|d| match d {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(d) => view! {
                            <section class="diff" aria-labelledby="diff-title">
                                <h2 id="diff-title">{format!("Changes from #{} to #{}", d.from.id, d.to.id)}</h2>
                                {d.title_changed.then(|| view! { <p>"Title: " <del>{d.from.title.clone()}</del> " → " <ins>{d.to.title.clone()}</ins></p> })}
                                {(!d.fields.is_empty()).then(|| view! {
                                    <table class="post-table">
                                        <caption>"Other fields"</caption>
                                        <thead><tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                                        <tbody>{d.fields.iter().map(|(f, a, b)| view! { <tr><td>{f.clone()}</td><td>{a.clone()}</td><td>{b.clone()}</td></tr> }).collect_view()}</tbody>
                                    </table>
                                })}
                                <pre class="diff-lines">
                                    {d.lines.into_iter().map(|l| match l {
                                        DiffLine::Same(t) => view! { <span class="same">{format!("  {t}\n")}</span> }.into_any(),
                                        DiffLine::Added(t) => view! { <ins>{format!("+ {t}\n")}</ins> }.into_any(),
                                        DiffLine::Removed(t) => view! { <del>{format!("- {t}\n")}</del> }.into_any(),
                                    }).collect_view()}
                                </pre>
                            </section>
                        }.into_any(),
                    })
                })}
            </Suspense>
        </section>
    }
}
