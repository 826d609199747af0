//! Sign-in and password-reset pages: plain HTML forms posted to the
//! server's handlers, so they work the same with JavaScript off.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::get_flash;
use super::model::Flash;

#[component]
fn FlashMessages(flash: Flash) -> impl IntoView {
    view! {
        {flash.error.map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        {flash.notice.map(|n| view! { <p class="notice" role="status">{n}</p> })}
    }
}

#[component]
fn AuthFrame(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <Title text=format!("{title} · Clinicpress") />
        <Meta name="robots" content="noindex" />
        <section class="auth-card">
            <p class="eyebrow">"Clinicpress"</p>
            <h1>{title}</h1>
            {children()}
        </section>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let flash = Resource::new(|| (), |_| get_flash());
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next").unwrap_or_else(|| "/admin".into()));
    view! {
        <AuthFrame title="Sign in">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let flash = flash.await.ok().flatten().unwrap_or_default();
                    let email = flash.email.clone();
                    view! {
                        <FlashMessages flash />
                        <form class="stack" method="post" action="/admin/login">
                            <input type="hidden" name="next" value=next />
                            <label for="email">"E-mail address"</label>
                            <input id="email" name="email" type="email" autocomplete="username" required value=email />
                            <label for="password">"Password"</label>
                            <input id="password" name="password" type="password" autocomplete="current-password" required />
                            <button class="button" type="submit">"Sign in"</button>
                        </form>
                    }
                })}
            </Suspense>
            <p class="muted"><a href="/admin/reset">"Forgot your password?"</a></p>
        </AuthFrame>
    }
}

#[component]
pub fn ResetRequestPage() -> impl IntoView {
    let flash = Resource::new(|| (), |_| get_flash());
    view! {
        <AuthFrame title="Reset your password">
            <p>"Type the e-mail address of your account. We will send a link to choose a new password."</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let flash = flash.await.ok().flatten().unwrap_or_default();
                    let email = flash.email.clone();
                    view! {
                        <FlashMessages flash />
                        <form class="stack" method="post" action="/admin/reset">
                            <label for="email">"E-mail address"</label>
                            <input id="email" name="email" type="email" autocomplete="username" required value=email />
                            <button class="button" type="submit">"Send the link"</button>
                        </form>
                    }
                })}
            </Suspense>
            <p class="muted"><a href="/admin/login">"Back to sign in"</a></p>
        </AuthFrame>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let flash = Resource::new(|| (), |_| get_flash());
    let params = use_params_map();
    let action = move || format!("/admin/reset/{}", params.with(|p| p.get("token").unwrap_or_default()));
    view! {
        <AuthFrame title="Choose a new password">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let flash = flash.await.ok().flatten().unwrap_or_default();
                    view! { <FlashMessages flash /> }
                })}
            </Suspense>
            <form class="stack" method="post" action=action>
                <label for="password">"New password"</label>
                <p class="hint" id="password-hint">"At least 12 characters. A few unrelated words make a strong password."</p>
                <input id="password" name="password" type="password" autocomplete="new-password" required minlength="12" aria-describedby="password-hint" />
                <label for="confirm">"The same password again"</label>
                <input id="confirm" name="confirm" type="password" autocomplete="new-password" required minlength="12" />
                <button class="button" type="submit">"Set the password"</button>
            </form>
        </AuthFrame>
    }
}
