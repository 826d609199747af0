//! The admin bar: product name, clinic switcher, section links, the user
//! and "Sign out". Links are full page loads, so the editor's
//! "unsaved changes" warning always gets its chance.

use leptos::prelude::*;
use leptos_meta::Body;
use leptos_router::hooks::use_location;

use super::api::get_admin_context;
use super::{clinic_of_path, is_public_admin_path};

#[component]
pub fn AdminBar() -> impl IntoView {
    let location = use_location();
    let clinic = Memo::new(move |_| clinic_of_path(&location.pathname.get()));
    let public = Memo::new(move |_| is_public_admin_path(&location.pathname.get()));
    let context = Resource::new(
        move || (clinic.get(), public.get()),
        |(clinic, public)| async move { if public { None } else { get_admin_context(clinic).await.ok() } },
    );
    view! {
        <Body {..} class="admin" />
        <header class="admin-bar">
            <div class="wrap admin-bar-inner">
                <a class="admin-brand" href="/admin" rel="external">"Clinicpress"</a>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        context.await.map(|ctx| {
                            let current = ctx.clinic.clone();
                            let here = current.as_ref().map(|c| c.name.clone()).unwrap_or_else(|| "Choose a clinic".into());
                            let others: Vec<_> = ctx.clinics.iter().filter(|c| Some(&c.slug) != current.as_ref().map(|c| &c.slug)).cloned().collect();
                            view! {
                                <details class="clinic-switcher">
                                    <summary>
                                        <span class="visually-hidden">"Clinic: "</span>
                                        {here}
                                    </summary>
                                    <ul>
                                        {others.into_iter().map(|c| view! {
                                            <li><a href=format!("/admin/{}/dashboard", c.slug) rel="external">{c.name}<span class="muted">{format!(" · {}", c.roles.join(", "))}</span></a></li>
                                        }).collect_view()}
                                        <li><a href="/admin" rel="external">"All my clinics"</a></li>
                                        {ctx.is_owner.then(|| view! { <li><a href="/admin/network" rel="external">"Manage clinics"</a></li> })}
                                    </ul>
                                </details>
                                <nav class="admin-nav" aria-label="Admin sections">
                                    {current.map(|c| view! {
                                        <a href=format!("/admin/{}/dashboard", c.slug) rel="external">"Dashboard"</a>
                                        {c.can_edit_posts.then(|| view! { <a href=format!("/admin/{}/posts", c.slug) rel="external">"Posts"</a> })}
                                        {c.can_edit_posts.then(|| view! { <a href=format!("/admin/{}/terms", c.slug) rel="external">"Categories & tags"</a> })}
                                        {c.can_edit_posts.then(|| view! { <a href=format!("/admin/{}/media", c.slug) rel="external">"Images"</a> })}
                                        {c.can_edit_posts.then(|| view! { <a href=format!("/admin/{}/searches", c.slug) rel="external">"Searches"</a> })}
                                        {c.can_manage_people.then(|| view! { <a href=format!("/admin/{}/people", c.slug) rel="external">"People"</a> })}
                                        {c.can_read_leads.then(|| view! { <a href=format!("/admin/{}/leads", c.slug) rel="external">"Requests"</a> })}
                                        {c.can_manage_offices.then(|| view! { <a href=format!("/admin/{}/offices", c.slug) rel="external">"Offices"</a> })}
                                        {c.can_manage_lead_settings.then(|| view! { <a href=format!("/admin/{}/lead-settings", c.slug) rel="external">"Request settings"</a> })}
                                        {c.can_manage_offices.then(|| view! { <a href=format!("/admin/{}/settings", c.slug) rel="external">"Clinic settings"</a> })}
                                        {c.can_view_audit.then(|| view! { <a href=format!("/admin/{}/audit", c.slug) rel="external">"Audit log"</a> })}
                                        <a href=c.site_url.clone() rel="external">"View site"</a>
                                    })}
                                </nav>
                                <form class="admin-user" method="post" action="/admin/logout">
                                    <span class="muted">{ctx.viewer.name.clone()}</span>
                                    <button class="link-button" type="submit">"Sign out"</button>
                                </form>
                            }
                        })
                    })}
                </Suspense>
            </div>
        </header>
    }
}
