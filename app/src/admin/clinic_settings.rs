//! `/admin/:clinic/settings`: how the clinic's public site presents it —
//! name, tagline, brand colour (white text on it must reach WCAG AA,
//! 4.5:1) and logo. Clinic admins only. The form disclaimer, the lead
//! API's origins, retention and the response target stay on the request
//! settings page, the default inbox on the offices page; this page links
//! to both.
//!
//! Two plain HTML forms posting to this page's address (the details
//! url-encoded, the logo as multipart): the server checks them
//! (`clinics::settings`) and answers 303 back here when saved, or renders
//! this page again with what was typed and a message at each field (422).
//! They work the same with and without JavaScript; with it, the contrast
//! of the typed colour is shown as it is typed.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::get_clinic_settings;
use super::model::ClinicSettingsPage as PageData;
use crate::colors::{AA_NORMAL, WHITE, contrast, parse_hex, ratio_text, to_hex};
use crate::ui::ErrorView;

/// Field keys in page order (the error summary lists messages in this order).
const FIELDS: [&str; 4] = ["name", "tagline", "brand_color", "logo"];

fn id_of(field: &str) -> String {
    format!("cs-{field}")
}

/// What the colour field's hint says about `typed`.
fn contrast_line(typed: &str) -> String {
    match parse_hex(typed) {
        Some(rgb) => {
            let r = contrast(WHITE, rgb);
            let verdict = if r >= AA_NORMAL { "meets WCAG AA (4.5:1)" } else { "too low: WCAG AA needs 4.5:1" };
            format!("White text on {}: {} — {verdict}.", to_hex(rgb), ratio_text(r))
        }
        None => "Write the colour as # and six hexadecimal digits, like #1f5f8b.".to_string(),
    }
}

#[component]
pub fn ClinicSettingsPage() -> impl IntoView {
    let params = use_params_map();
    let clinic = move || params.with(|p| p.get("clinic").unwrap_or_default());
    let saved = use_query_map().with_untracked(|q| q.get("saved"));
    let data = Resource::new(clinic, get_clinic_settings);
    view! {
        <Title text="Clinic settings · Clinicpress" />
        <section class="wrap admin-page">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                    let saved = saved.clone();
                    Suspend::new(async move {
                        match data.await {
                            Err(e) => view! { <ErrorView error=e /> }.into_any(),
                            Ok(page) => view! { <SettingsForms page clinic=clinic() saved /> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn SettingsForms(page: PageData, clinic: String, saved: Option<String>) -> impl IntoView {
    let PageData { form: f, brand_color, logo_url, logo_size, site_url, refused } = page;
    let errors = refused.as_ref().map(|r| r.errors.clone()).unwrap_or_default();
    let err = |field: &str| errors.iter().find(|(k, _)| k == field).map(|(_, m)| m.clone());
    let invalid = |field: &str| err(field).is_some().to_string();
    let error_line = |field: &str| {
        let id = format!("{}-error", id_of(field));
        view! { <p id=id class="field-error">{err(field)}</p> }
    };
    let mut ordered: Vec<(String, String)> = Vec::new();
    for key in FIELDS {
        ordered.extend(errors.iter().filter(|(k, _)| k == key).cloned());
    }
    ordered.extend(errors.iter().filter(|(k, _)| !FIELDS.contains(&k.as_str())).cloned());
    let summary = (!ordered.is_empty()).then(|| {
        view! {
            <div class="error-summary" role="alert" tabindex="-1">
                <h2>"Nothing was saved"</h2>
                <ul>
                    {ordered
                        .into_iter()
                        .map(|(field, message)| view! { <li><a href=format!("#{}", id_of(&field))>{message}</a></li> })
                        .collect_view()}
                </ul>
            </div>
        }
    });
    let notice = match saved.as_deref() {
        Some("logo") => Some("The logo is saved; the site's header shows it now."),
        Some("logo-removed") => Some("The logo is removed; the header shows the first letter of the name again."),
        Some("none") => Some("Nothing changed."),
        Some(_) => Some("Saved. The site shows the new settings now."),
        None => None,
    };
    let typed = RwSignal::new(f.brand_color.clone());
    let action = format!("/admin/{clinic}/settings");
    let swatch = format!("background: {brand_color};");
    let has_logo = logo_url.is_some();
    let current_logo = match logo_url {
        Some(url) => {
            let (w, h) = logo_size.map(|(w, h)| (Some(w), Some(h))).unwrap_or((None, None));
            view! {
                <p class="logo-current">
                    <img src=url alt=format!("The current logo of {}", f.name) width=w height=h />
                </p>
            }
            .into_any()
        }
        None => view! { <p class="hint">"No logo yet: the header shows the first letter of the clinic's name on the brand colour."</p> }.into_any(),
    };
    view! {
        <div class="page-head">
            <h1>"Clinic settings"</h1>
            <a href=site_url rel="external">"View site"</a>
        </div>
        <p class="hint">"How the clinic's public site presents it: the name, the line under it, the colour and the logo."</p>
        {summary}
        <div role="status">{notice.map(|n| view! { <p class="notice">{n}</p> })}</div>
        <form method="post" action=action.clone() class="panel stack settings-form" novalidate>
            <fieldset>
                <legend>"Name and colour"</legend>
                <label for="cs-name">"Clinic name"</label>
                <input id="cs-name" name="name" maxlength="120" required autocomplete="organization"
                    value=f.name.clone()
                    aria-describedby="cs-name-error" aria-invalid=invalid("name") />
                {error_line("name")}
                <label for="cs-tagline">"Tagline " <span class="muted">"(optional)"</span></label>
                <input id="cs-tagline" name="tagline" maxlength="160" value=f.tagline.clone()
                    aria-describedby="cs-tagline-hint cs-tagline-error" aria-invalid=invalid("tagline") />
                <p id="cs-tagline-hint" class="hint">"One line under the name on the home page, for example “Unhurried care for chronic pain.”"</p>
                {error_line("tagline")}
                <label for="cs-brand_color">"Brand colour"</label>
                <div class="color-field">
                    <span class="swatch" aria-hidden="true" style=swatch></span>
                    <input id="cs-brand_color" name="brand_color" class="short" maxlength="7" required
                        spellcheck="false" autocomplete="off" value=f.brand_color.clone()
                        on:input=move |ev| typed.set(event_target_value(&ev))
                        aria-describedby="cs-brand_color-hint cs-brand_color-contrast cs-brand_color-error"
                        aria-invalid=invalid("brand_color") />
                </div>
                <p id="cs-brand_color-hint" class="hint">"Buttons, the home page's banner and the letter mark are white text on this colour, so it must be dark enough: white on it needs a contrast of at least 4.5:1 (WCAG AA)."</p>
                <p id="cs-brand_color-contrast" class="hint" aria-live="polite">{move || contrast_line(&typed.get())}</p>
                {error_line("brand_color")}
            </fieldset>
            <button class="button" type="submit">"Save name and colour"</button>
        </form>
        <form method="post" action=action enctype="multipart/form-data" class="panel stack settings-form" novalidate>
            <fieldset>
                <legend>"Logo"</legend>
                {current_logo}
                <label for="cs-logo">{if has_logo { "Replace the logo" } else { "Upload a logo" }}</label>
                <input id="cs-logo" name="file" type="file" accept="image/png,image/jpeg,image/webp"
                    aria-describedby="cs-logo-hint cs-logo-error" aria-invalid=invalid("logo") />
                <p id="cs-logo-hint" class="hint">"PNG, JPEG or WebP, at most 2 MB (SVG is not accepted). The header shows it about 40 pixels high, with the clinic's name as its text alternative; a PNG with a transparent background looks best."</p>
                {error_line("logo")}
            </fieldset>
            <div class="actions">
                <button class="button" type="submit" name="action" value="upload">"Upload the logo"</button>
                {has_logo.then(|| view! {
                    <button class="link-button" type="submit" name="action" value="remove">"Remove the logo"</button>
                })}
            </div>
        </form>
        <section class="panel stack">
            <h2>"Elsewhere"</h2>
            <ul>
                <li>
                    <a href=format!("/admin/{clinic}/lead-settings") rel="external">"Request settings"</a>
                    ": the note shown on the contact and appointment forms, the response target, how long closed requests are kept, and the sites allowed to use the lead API."
                </li>
                <li>
                    <a href=format!("/admin/{clinic}/offices") rel="external">"Offices"</a>
                    ": the offices and the default inbox for requests no office takes."
                </li>
            </ul>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::contrast_line;

    #[test]
    fn the_hint_gives_the_ratio_of_what_is_typed() {
        assert_eq!(contrast_line("#1F5F8B"), "White text on #1f5f8b: 6.8:1 — meets WCAG AA (4.5:1).");
        assert!(contrast_line("#7fd3ff").contains("1.6:1 — too low"));
        assert!(contrast_line("teal").contains("six hexadecimal digits"));
    }
}
