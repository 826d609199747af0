//! Layout pieces shared by every page.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::{Body, Meta, Title};

use crate::error::AppError;
use crate::model::{PostSummary, Site};
use crate::search::pages::SearchBox;
use crate::site::SiteResource;
use crate::text::{iso, long_date, relative_time};

mod meta;
pub use meta::{PageMeta, paged};

/// Set the response status during server rendering (no-op in the browser).
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let Some(r) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = http::StatusCode::from_u16(code)
    {
        r.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

#[component]
pub fn SiteHeader() -> impl IntoView {
    let SiteResource(site) = expect_context::<SiteResource>();
    view! {
        <header class="site-header">
            <div class="wrap header-inner">
                <Suspense fallback=|| view! { <span class="brand">"Clinicpress"</span> }>
                    {move || Suspend::new(async move {
                        match site.await {
                            Ok(Site::Clinic(c)) => {
                                let style = format!("--brand: {};", c.brand_color);
                                view! {
                                    <Body {..} style=style />
                                    <a class="brand" href="/">
                                        {match c.logo_url.clone() {
                                            // The logo carries the name for screen readers; the visible name beside it is not read twice.
                                            Some(url) => {
                                                let (w, h) = c.logo_size.map(|(w, h)| (Some(w), Some(h))).unwrap_or((None, None));
                                                view! {
                                                    <img class="brand-logo" src=url alt=c.name.clone() width=w height=h />
                                                    <span class="brand-name" aria-hidden="true">{c.name.clone()}</span>
                                                }
                                                    .into_any()
                                            }
                                            None => view! {
                                                <span class="brand-mark" aria-hidden="true">
                                                    {c.name.chars().next().unwrap_or('C').to_string()}
                                                </span>
                                                <span class="brand-name">{c.name.clone()}</span>
                                            }
                                                .into_any(),
                                        }}
                                    </a>
                                    <nav class="site-nav" aria-label="Main">
                                        <a href="/blog">"Articles"</a>
                                        <a href="/locations">"Locations"</a>
                                        <a href="/contact">"Contact"</a>
                                    </nav>
                                    <SearchBox />
                                }
                                    .into_any()
                            }
                            _ => {
                                view! {
                                    <a class="brand" href="/">
                                        <span class="brand-mark" aria-hidden="true">"C"</span>
                                        <span class="brand-name">"Clinicpress"</span>
                                    </a>
                                }
                                    .into_any()
                            }
                        }
                    })}
                </Suspense>
            </div>
        </header>
    }
}

#[component]
pub fn SiteFooter() -> impl IntoView {
    let SiteResource(site) = expect_context::<SiteResource>();
    view! {
        <footer class="site-footer">
            <div class="wrap">
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match site.await {
                            Ok(Site::Clinic(c)) => {
                                view! {
                                    <p>
                                        <strong>{c.name.clone()}</strong>
                                        {c.tagline.clone().map(|t| view! { " · " {t} })}
                                    </p>
                                    <nav aria-label="Footer">
                                        <a href="/">"Home"</a>
                                        <a href="/blog">"Articles"</a>
                                        <a href="/locations">"Locations"</a>
                                        <a href="/contact">"Contact"</a>
                                    </nav>
                                    <p class="fine">
                                        "The articles on this site are general information, not medical advice for you. In an emergency call 911."
                                    </p>
                                }
                                    .into_any()
                            }
                            _ => view! { <p>"Clinicpress · one deployment, many clinics"</p> }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </footer>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <Title text="Page not found" />
        <Meta name="robots" content="noindex" />
        <section class="wrap narrow error-page">
            <p class="eyebrow">"Error 404"</p>
            <h1>"We couldn’t find that page"</h1>
            <p>"The page may have moved, or the address may be mistyped."</p>
            <p class="actions">
                <a class="button" href="/">"Go to the home page"</a>
                <a class="button secondary" href="/blog">"Browse articles"</a>
            </p>
        </section>
    }
}

/// A permanent redirect: 301 with `Location` on the server, a replacing
/// navigation in the browser; a link meanwhile.
#[component]
pub fn MovedTo(to: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        leptos_axum::redirect(&to);
        set_status(301);
    }
    #[cfg(not(feature = "ssr"))]
    {
        let navigate = leptos_router::hooks::use_navigate();
        let target = to.clone();
        request_animation_frame(move || {
            navigate(&target, leptos_router::NavigateOptions { replace: true, ..Default::default() })
        });
    }
    view! {
        <section class="wrap narrow error-page">
            <h1>"This page has moved"</h1>
            <p><a href=to.clone()>"Go to its new address"</a></p>
        </section>
    }
}

/// Any error from a page's data: 404 for `NotFound`, a short message otherwise.
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    if error == AppError::NotFound {
        return view! { <NotFound /> }.into_any();
    }
    if let AppError::Moved(to) = &error {
        return view! { <MovedTo to=to.clone() /> }.into_any();
    }
    set_status(error.status());
    view! {
        <Title text="Something went wrong" />
        <section class="wrap narrow error-page">
            <p class="eyebrow">{format!("Error {}", error.status())}</p>
            <h1>"Something went wrong"</h1>
            <p>{error.to_string()}</p>
            <p class="actions">
                <a class="button" href="/">"Go to the home page"</a>
            </p>
        </section>
    }
    .into_any()
}

/// `<time>` with a relative label ("2 months ago") and the exact date as tooltip.
#[component]
pub fn TimeAgo(at: DateTime<Utc>, now: DateTime<Utc>) -> impl IntoView {
    view! {
        <time datetime=iso(at) title=long_date(at)>
            {relative_time(at, now)}
        </time>
    }
}

#[component]
pub fn PostCard(post: PostSummary, now: DateTime<Utc>, #[prop(default = 2)] level: u8) -> impl IntoView {
    let href = format!("/blog/{}", post.slug);
    let title = post.title.clone();
    let heading = if level == 3 {
        view! { <h3 class="card-title"><a href=href.clone()>{title}</a></h3> }.into_any()
    } else {
        view! { <h2 class="card-title"><a href=href.clone()>{title}</a></h2> }.into_any()
    };
    view! {
        <article class="post-card">
            {post.category.clone().map(|c| {
                view! { <a class="eyebrow" href=format!("/blog/category/{}", c.slug)>{c.name}</a> }
            })}
            {heading}
            <p class="excerpt">{post.excerpt.clone()}</p>
            <p class="meta">
                <TimeAgo at=post.published_at now />
                " · "
                <span class="nowrap">{format!("{} min read", post.reading_minutes)}</span>
                {post.author.clone().map(|a| view! { " · " <span class="nowrap">{a.display_name()}</span> })}
            </p>
        </article>
    }
}

/// Previous / next links for a paginated list at `base` ("/blog", "/blog/tag/x").
#[component]
pub fn Pagination(base: String, page: u32, total_pages: u32) -> impl IntoView {
    let href = move |p: u32| if p <= 1 { base.clone() } else { format!("{base}?page={p}") };
    let prev = (page > 1).then(|| href(page - 1));
    let next = (page < total_pages).then(|| href(page + 1));
    (total_pages > 1).then(|| {
        view! {
            <nav class="pagination" aria-label="Pages">
                {prev.map(|h| view! { <a rel="prev" href=h>"← Newer posts"</a> })}
                <span class="page-of">{format!("Page {page} of {total_pages}")}</span>
                {next.map(|h| view! { <a rel="next" href=h>"Older posts →"</a> })}
            </nav>
        }
    })
}
