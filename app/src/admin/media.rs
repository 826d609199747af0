//! `/admin/:clinic/media`: upload images (a plain multipart form, so it
//! works without JavaScript) and see what has been uploaded.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::api::list_media;
use crate::ui::{ErrorView, TimeAgo};

#[component]
pub fn MediaPage() -> impl IntoView {
    let params = use_params_map();
    let clinic = move || params.with(|p| p.get("clinic").unwrap_or_default());
    let data = Resource::new(clinic, list_media);
    view! {
        <Title text="Images · Clinicpress" />
        <section class="wrap admin-page">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                        Ok(page) => {
                            let flash = page.flash.clone().unwrap_or_default();
                            let now = page.now;
                            view! {
                                <h1>"Images"</h1>
                                {flash.error.clone().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                                {flash.notice.clone().map(|n| view! { <p class="notice" role="status">{n}</p> })}
                                <form class="panel upload stack" method="post" action=format!("/admin/{}/media", clinic()) enctype="multipart/form-data">
                                    <h2>"Upload an image"</h2>
                                    // Alt text first: the browser sends fields in this order, so what was
                                    // typed reaches the server even when the file is refused as too large.
                                    <label for="alt">"Alt text"</label>
                                    <p class="hint" id="alt-hint">"Describe the image for people who cannot see it, e.g. \u{201c}A physiotherapist guiding a patient through a knee stretch\u{201d}."</p>
                                    <input id="alt" name="alt" required maxlength="300" aria-describedby="alt-hint" value=flash.email.clone() />
                                    <label for="file">"Image file"</label>
                                    <p class="hint" id="file-hint">{format!("JPEG, PNG or WebP, up to {} MB. Smaller copies for phones and screens are made automatically.", page.max_mb)}</p>
                                    <input id="file" name="file" type="file" accept="image/jpeg,image/png,image/webp" required aria-describedby="file-hint" />
                                    <button class="button" type="submit">"Upload"</button>
                                </form>
                                {if page.items.is_empty() {
                                    view! { <p class="empty">"No images yet."</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="media-grid">
                                            {page.items.into_iter().map(|m| view! {
                                                <li>
                                                    <img src=m.thumb_url.clone() srcset=m.srcset.clone() sizes="12rem" alt=m.alt.clone() loading="lazy" />
                                                    <p class="muted">{m.original_name.clone()}" · "{format!("{} × {} px", m.width, m.height)}" · "<TimeAgo at=m.created_at now /></p>
                                                    <label class="muted" for=format!("media-url-{}", m.id)>"Address"</label>
                                                    <input id=format!("media-url-{}", m.id) readonly value=m.url.clone() />
                                                </li>
                                            }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                            }
                            .into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}
