//! `/admin/:clinic/audit`: the clinic's audit log, newest first (admins).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::list_audit;
use crate::ui::{ErrorView, TimeAgo};

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let clinic = move || params.with(|p| p.get("clinic").unwrap_or_default());
    let page = move || query.with(|q| q.get("page").and_then(|p| p.parse::<u32>().ok()).unwrap_or(1));
    let data = Resource::new(move || (clinic(), page()), |(c, p)| list_audit(c, p));
    view! {
        <Title text="Audit log · Clinicpress" />
        <section class="wrap admin-page">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                        Ok(log) => {
                            let now = log.now;
                            let base = format!("/admin/{}/audit", clinic());
                            view! {
                                <h1>"Audit log"</h1>
                                <p class="hint">"Who changed what, and when. Entries cannot be edited or deleted."</p>
                                <table class="post-table">
                                    <caption class="visually-hidden">"Audit log, newest first"</caption>
                                    <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"What"</th></tr></thead>
                                    <tbody>
                                        {log.rows.into_iter().map(|r| view! {
                                            <tr>
                                                <td><TimeAgo at=r.at now /></td>
                                                <td>{r.who}</td>
                                                <td>{r.summary}<br/><span class="muted">{r.action}</span></td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                {(log.pages > 1).then(|| view! {
                                    <nav class="pagination" aria-label="Pages">
                                        {(log.page > 1).then(|| view! { <a rel="prev" href=format!("{base}?page={}", log.page - 1)>"← Newer"</a> })}
                                        <span>{format!("Page {} of {}", log.page, log.pages)}</span>
                                        {(log.page < log.pages).then(|| view! { <a rel="next" href=format!("{base}?page={}", log.page + 1)>"Older →"</a> })}
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
