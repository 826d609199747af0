//! `/admin/:clinic/searches`: what visitors searched for and did not find
//! (marketers) — ideas for the next articles.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::api::list_search_misses;
use crate::ui::ErrorView;

#[component]
pub fn SearchesPage() -> impl IntoView {
    let params = use_params_map();
    let clinic = move || params.with(|p| p.get("clinic").unwrap_or_default());
    let data = Resource::new(clinic, list_search_misses);
    view! {
        <Title text="Searches that found nothing · Clinicpress" />
        <section class="wrap admin-page">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                        Ok(page) => view! {
                            <h1>"Searches that found nothing"</h1>
                            <p class="hint">{format!(
                                "What visitors searched for on your site in the last {} days without finding an article — ideas for what to write next. Only the words are kept, nothing about who searched.",
                                page.days
                            )}</p>
                            {if page.rows.is_empty() {
                                view! { <p class="empty">"No searches without results in this period."</p> }.into_any()
                            } else {
                                view! {
                                    <table class="post-table">
                                        <caption class="visually-hidden">"Searches without results, most asked first"</caption>
                                        <thead><tr><th scope="col">"Searched for"</th><th scope="col">"Times"</th><th scope="col">"Day"</th></tr></thead>
                                        <tbody>
                                            {page.rows.into_iter().map(|r| view! {
                                                <tr>
                                                    <td>{r.query}</td>
                                                    <td>{r.count}</td>
                                                    <td><time datetime=r.day.to_string()>{r.day.format("%b %-d, %Y").to_string()}</time></td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any()
                            }}
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
