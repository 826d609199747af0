use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::api::{get_location, get_locations};
use crate::error::AppError;
use crate::leads::model::LeadFormData;
use crate::leads::pages::{LeadFormBlock, lead_form_resource};
use crate::model::{ClinicInfo, LocationDetail, LocationSummary};
use crate::site::current_clinic;
use crate::ui::{ErrorView, PageMeta, PostCard};

/// Address, phone, today's hours and open/closed for one office.
#[component]
pub fn LocationCard(
    location: LocationSummary,
    #[prop(default = true)] link_name: bool,
    /// Heading level of the office name (2 or 3).
    #[prop(default = 3)]
    level: u8,
) -> impl IntoView {
    let l = location;
    let href = format!("/locations/{}", l.slug);
    let status_class = if l.open_now { "status open" } else { "status closed" };
    view! {
        <article class="location-card">
            {
                let name = if link_name {
                    view! { <a href=href.clone()>{l.name.clone()}</a> }.into_any()
                } else {
                    view! { <span>{l.name.clone()}</span> }.into_any()
                };
                if level == 2 { view! { <h2>{name}</h2> }.into_any() } else { view! { <h3>{name}</h3> }.into_any() }
            }
            <p class=status_class>{l.status_text.clone()}</p>
            <address>{l.address.clone()}</address>
            <p>
                <a href=l.phone_href.clone()>
                    <span class="visually-hidden">"Call " {l.name.clone()} ": "</span>
                    {l.phone.clone()}
                </a>
            </p>
            <p class="meta">"Today: " {l.today_hours.clone()}</p>
            {l.closure_notice.clone().map(|n| view! { <p class="closure-notice">{n}</p> })}
            <p>
                <a href=l.map_url.clone() rel="noopener noreferrer">
                    "Open in a map"
                    <span class="visually-hidden">" (" {l.name.clone()} ", OpenStreetMap)"</span>
                </a>
            </p>
        </article>
    }
}

/// `/locations`
#[component]
pub fn LocationsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_locations());
    view! {
        <Suspense fallback=|| view! { <p class="wrap loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let clinic = current_clinic().await;
                match (data.await, clinic) {
                    (Ok(list), Some(clinic)) => {
                        let name = clinic.name.clone();
                        let description = format!(
                            "Addresses, phone numbers and opening hours of the {} offices of {name}.",
                            list.len(),
                        );
                        view! {
                            <PageMeta clinic title="Locations" description path="/locations" />
                            <div class="wrap">
                                <header class="page-header">
                                    <h1>"Our locations"</h1>
                                    <p class="lede">"Call the office nearest to you, or visit during opening hours."</p>
                                </header>
                                <div class="location-grid">
                                    {list.into_iter().map(|l| view! { <LocationCard location=l level=2 /> }).collect_view()}
                                </div>
                            </div>
                        }
                            .into_any()
                    }
                    (Err(e), _) => view! { <ErrorView error=e /> }.into_any(),
                    (_, None) => view! { <ErrorView error=AppError::NotFound /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/locations/{slug}`
#[component]
pub fn LocationPage() -> impl IntoView {
    let params = use_params_map();
    let slug = Memo::new(move |_| params.read().get("slug").unwrap_or_default());
    let data = Resource::new(move || slug.get(), get_location);
    let form = lead_form_resource();
    view! {
        <Suspense fallback=|| view! { <p class="wrap loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let clinic = current_clinic().await;
                match (data.await, clinic) {
                    (Ok(detail), Some(clinic)) => view! { <LocationView detail clinic form /> }.into_any(),
                    (Err(e), _) => view! { <ErrorView error=e /> }.into_any(),
                    (_, None) => view! { <ErrorView error=AppError::NotFound /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn LocationView(
    detail: LocationDetail,
    clinic: ClinicInfo,
    form: Resource<Result<LeadFormData, AppError>>,
) -> impl IntoView {
    let LocationDetail {
        summary,
        weekly_hours,
        today,
        timezone,
        timezone_label,
        zip_codes,
        closures,
        recent_posts,
        now,
        json_ld,
    } = detail;
    let name = summary.name.clone();
    let slug = summary.slug.clone();
    let clinic_name = clinic.name.clone();
    let description = format!("{clinic_name} in {name}: {}. Phone {}.", summary.address, summary.phone);
    view! {
        <PageMeta
            clinic
            title=format!("{name} office")
            description
            path=format!("/locations/{slug}")
            json_ld
        />
        <div class="wrap">
            <header class="page-header">
                <p class="eyebrow"><a href="/locations">"Locations"</a></p>
                <h1>{format!("{clinic_name} — {name}")}</h1>
            </header>
            <div class="location-detail">
                <LocationCard location=summary link_name=false level=2 />
                <section class="hours" aria-labelledby="hours-heading">
                    <h2 id="hours-heading">"Opening hours"</h2>
                    <table>
                        <caption class="visually-hidden">{format!("Weekly opening hours, {timezone_label}")}</caption>
                        <tbody>
                            {weekly_hours
                                .into_iter()
                                .map(|(day, hours)| {
                                    let is_today = day == today;
                                    view! {
                                        <tr class:today=is_today>
                                            <th scope="row">
                                                {day}
                                                {is_today.then(|| view! { <span class="today-label">" (today)"</span> })}
                                            </th>
                                            <td>{hours}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                    <p class="meta" title=timezone>{format!("Times are local: {timezone_label}.")}</p>
                    {(!closures.is_empty()).then(|| view! {
                        <h3 id="closures-heading">"Holiday closures"</h3>
                        <ul class="closures" aria-labelledby="closures-heading">
                            {closures.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}
                        </ul>
                    })}
                    {(!zip_codes.is_empty()).then(|| {
                        view! { <p class="meta">"Serving ZIP codes " {zip_codes.join(", ")}</p> }
                    })}
                </section>
            </div>
            <section class="lead-section" aria-labelledby="loc-form-heading">
                <h2 id="loc-form-heading">{format!("Write to the {name} office")}</h2>
                <p class="hint">"Ask a question or request an appointment; the front desk answers during opening hours."</p>
                <LeadFormBlock data=form office=slug.clone() action=format!("/locations/{slug}") />
            </section>
            {(!recent_posts.is_empty()).then(|| {
                view! {
                    <section class="related" aria-labelledby="loc-posts-heading">
                        <h2 id="loc-posts-heading" class="section-title">{format!("Articles for patients in {name}")}</h2>
                        <div class="post-grid">
                            {recent_posts.into_iter().map(|p| view! { <PostCard post=p now level=3 /> }).collect_view()}
                        </div>
                    </section>
                }
            })}
        </div>
    }
}

/// `/contact`: how to reach each office.
#[component]
pub fn ContactPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_locations());
    let form = lead_form_resource();
    // The form sits outside the offices' Suspense, so its own data (offices,
    // token, disclaimer) loads and hydrates independently.
    view! {
        <div class="wrap">
            <header class="page-header">
                <h1>"Contact us"</h1>
                <p class="lede">
                    "Call the office nearest to you during opening hours; our front desk will help you book a visit or answer questions about your care."
                </p>
            </header>
            <section class="lead-section" aria-labelledby="contact-form-heading">
                <h2 id="contact-form-heading">"Send us a message or request an appointment"</h2>
                <LeadFormBlock data=form action="/contact" />
            </section>
            <h2 class="section-title">"Our offices"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let clinic = current_clinic().await;
                    match (data.await, clinic) {
                        (Ok(list), Some(clinic)) => {
                            let description = format!(
                                "Write to {} or call one of its offices: phone numbers, addresses and opening hours.",
                                clinic.name,
                            );
                            view! {
                                <PageMeta clinic title="Contact us" description path="/contact" />
                                <div class="location-grid">
                                    {list.into_iter().map(|l| view! { <LocationCard location=l level=3 /> }).collect_view()}
                                </div>
                            }
                                .into_any()
                        }
                        (Err(e), _) => view! { <ErrorView error=e /> }.into_any(),
                        (_, None) => view! { <ErrorView error=AppError::NotFound /> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}
