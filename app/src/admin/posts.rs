//! The admin home (which clinic) and the post list of a clinic.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use super::api::{CreatePost, get_admin_context, list_posts};
use super::model::{AdminClinicLink, EditorStatus, PostQuery};
use crate::text::url_encode;
use crate::ui::{ErrorView, TimeAgo};

/// `/admin`: the clinics this user works in.
#[component]
pub fn AdminHome() -> impl IntoView {
    let context = Resource::new(|| (), |_| get_admin_context(None));
    view! {
        <Title text="Your clinics · Clinicpress" />
        <section class="wrap admin-page">
            <h1>"Your clinics"</h1>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match context.await {
                        Ok(ctx) if ctx.is_owner => view! {
                            <p><a class="button" href="/admin/network">"Manage clinics"</a>" "<span class="muted">"Add, change or archive the clinics of this deployment."</span></p>
                            <ClinicList clinics=ctx.clinics />
                        }.into_any(),
                        Ok(ctx) if ctx.clinics.is_empty() => view! {
                            <p>"Your account has no role in any clinic yet. Ask your clinic's administrator to add you."</p>
                        }.into_any(),
                        Ok(ctx) => view! { <ClinicList clinics=ctx.clinics /> }.into_any(),
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The clinics an account works in, each with its roles.
#[component]
fn ClinicList(clinics: Vec<AdminClinicLink>) -> impl IntoView {
    view! {
        <ul class="clinic-list">
            {clinics.into_iter().map(|c| view! {
                <li>
                    <a href=format!("/admin/{}/dashboard", c.slug)>{c.name}</a>
                    <span class="muted">{format!(" — {}", c.roles.join(", "))}</span>
                </li>
            }).collect_view()}
        </ul>
    }
}

fn status_query(status: Option<EditorStatus>, q: &str) -> String {
    let mut parts = Vec::new();
    if let Some(s) = status {
        parts.push(format!("status={}", s.as_str()));
    }
    if !q.is_empty() {
        parts.push(format!("q={}", url_encode(q)));
    }
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}

/// `/admin/:clinic/posts`: filter by status, search titles and authors, start a post.
#[component]
pub fn PostsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let clinic = move || params.with(|p| p.get("clinic").unwrap_or_default());
    let filters = move || {
        query.with(|q| PostQuery {
            status: q.get("status").and_then(|s| EditorStatus::parse(&s)),
            q: q.get("q").unwrap_or_default(),
            page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
        })
    };
    let data = Resource::new(move || (clinic(), filters()), |(c, f)| list_posts(c, f));
    let create = ServerAction::<CreatePost>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            navigate(&format!("/admin/{}/posts/{id}", clinic()), Default::default());
        }
    });
    let create_error = move || match create.value().get() {
        Some(Err(e)) => e.field("title").or_else(|| Some(e.to_string())),
        _ => None,
    };
    view! {
        <Title text="Posts · Clinicpress" />
        <section class="wrap admin-page">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let f = filters();
                    let typed_title = super::replay::Kept::of::<CreatePost>().text("title", "");
                    match data.await {
                        Ok(list) => {
                            let c = clinic();
                            let total: u64 = list.counts.iter().map(|(_, n)| n).sum();
                            let now = list.now;
                            view! {
                            <div class="page-head">
                                <h1>"Posts"</h1>
                                <ActionForm action=create attr:class="new-post">
                                    <input type="hidden" name="clinic" value=clinic />
                                    <label for="new-title">"New post title"</label>
                                    <input id="new-title" name="title" required maxlength="200" value=typed_title
                                        aria-invalid=move || create_error().is_some().to_string()
                                        aria-describedby="new-title-error" />
                                    <button class="button" type="submit">"Start writing"</button>
                                    <p id="new-title-error" class="field-error" role="alert">{create_error}</p>
                                </ActionForm>
                            </div>
                                <nav class="status-tabs" aria-label="Filter by status">
                                    <a href=format!("/admin/{c}/posts{}", status_query(None, &f.q))
                                        aria-current=(f.status.is_none()).then_some("page")>{format!("All ({total})")}</a>
                                    {list.counts.iter().map(|(s, n)| view! {
                                        <a href=format!("/admin/{c}/posts{}", status_query(Some(*s), &f.q))
                                            aria-current=(f.status == Some(*s)).then_some("page")>{format!("{} ({n})", s.label())}</a>
                                    }).collect_view()}
                                </nav>
                                <form class="search-posts" method="get" action=format!("/admin/{c}/posts")>
                                    {f.status.map(|s| view! { <input type="hidden" name="status" value=s.as_str() /> })}
                                    <label for="post-search">"Search by title or author"</label>
                                    <input id="post-search" type="search" name="q" value=f.q.clone() />
                                    <button class="button secondary" type="submit">"Search"</button>
                                </form>
                                {if list.rows.is_empty() {
                                    view! { <p class="empty">"No posts match. Clear the search or choose another status."</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="post-table">
                                            <caption class="visually-hidden">"Posts"</caption>
                                            <thead><tr><th scope="col">"Title"</th><th scope="col">"Status"</th><th scope="col">"Author"</th><th scope="col">"Updated"</th></tr></thead>
                                            <tbody>
                                                {list.rows.into_iter().map(|r| {
                                                    let when = r.published_at.map(|t| (r.status, t));
                                                    view! {
                                                        <tr>
                                                            <td><a href=format!("/admin/{c}/posts/{}", r.id)>{r.title}</a><br/><span class="muted">{format!("/blog/{}", r.slug)}</span></td>
                                                            <td>
                                                                <span class=format!("badge badge-{}", r.status.as_str())>{r.status.label()}</span>
                                                                {when.filter(|(s, _)| *s == EditorStatus::Scheduled).map(|(_, t)| view! { <br/><span class="muted">"for "<TimeAgo at=t now /></span> })}
                                                            </td>
                                                            <td>{r.author.unwrap_or_else(|| "—".into())}</td>
                                                            <td><TimeAgo at=r.updated_at now /></td>
                                                        </tr>
                                                    }
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                        {(list.pages > 1).then(|| {
                                            let base = format!("/admin/{c}/posts{}", status_query(f.status, &f.q));
                                            let sep = if base.contains('?') { '&' } else { '?' };
                                            view! {
                                                <nav class="pagination" aria-label="Pages">
                                                    {(list.page > 1).then(|| view! { <a rel="prev" href=format!("{base}{sep}page={}", list.page - 1)>"← Previous"</a> })}
                                                    <span>{format!("Page {} of {}", list.page, list.pages)}</span>
                                                    {(list.page < list.pages).then(|| view! { <a rel="next" href=format!("{base}{sep}page={}", list.page + 1)>"Next →"</a> })}
                                                </nav>
                                            }
                                        })}
                                    }.into_any()
                                }}
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
