//! The bare host's index of every clinic in this deployment.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use crate::model::ClinicLink;

#[component]
pub fn NetworkIndex(clinics: Vec<ClinicLink>) -> impl IntoView {
    view! {
        <Title text="Clinicpress — clinics on this server" />
        <Meta name="description" content="Every clinic site served by this Clinicpress deployment." />
        <div class="wrap">
            <header class="page-header">
                <h1>"Clinics on this server"</h1>
                <p class="lede">"Each clinic has its own site, articles and offices. Choose one to visit it."</p>
            </header>
            {if clinics.is_empty() {
                view! {
                    <p>"No clinics yet. Add one with " <code>"clinicpress provision FILE.toml"</code> "."</p>
                }
                    .into_any()
            } else {
                view! {
                    <ul class="clinic-list">
                        {clinics
                            .into_iter()
                            .map(|c| {
                                view! {
                                    <li class="clinic-card" style=format!("--brand: {};", c.brand_color)>
                                        <h2><a href=c.url.clone()>{c.name.clone()}</a></h2>
                                        {c.tagline.clone().map(|t| view! { <p>{t}</p> })}
                                        <p class="meta">{c.url.clone()}</p>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </div>
    }
}
