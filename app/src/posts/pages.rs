//! Public pages for posts.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{get_archive, get_blog, get_home, get_post, get_preview};
use super::feed_links::FeedLinks;
use crate::error::AppError;
use crate::leads::model::LeadFormData;
use crate::leads::pages::{LeadFormBlock, lead_form_resource};
use crate::locations::pages::LocationCard;
use crate::model::{ArchiveKind, ClinicInfo, PostList, PostPage, Site, parse_page};
use crate::network::NetworkIndex;
use crate::site::{SiteResource, current_clinic};
use crate::text::{iso, long_date, url_encode};
use crate::ui::{ErrorView, PageMeta, Pagination, PostCard, TimeAgo, paged, set_status};

fn page_from_query() -> Memo<u32> {
    let query = use_query_map();
    Memo::new(move |_| parse_page(query.read().get("page").as_deref()))
}

fn slug_from_path() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("slug").unwrap_or_default())
}

/// `/`: the clinic's home page, or the network index on the bare host.
#[component]
pub fn HomeRoute() -> impl IntoView {
    let SiteResource(site) = expect_context::<SiteResource>();
    view! {
        <Suspense fallback=|| view! { <p class="wrap loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match site.await {
                    Ok(Site::Network { clinics }) => view! { <NetworkIndex clinics /> }.into_any(),
                    Ok(Site::Clinic(_)) => view! { <ClinicHome /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ClinicHome() -> impl IntoView {
    let home = Resource::new(|| (), |_| get_home());
    view! {
        <Suspense fallback=|| view! { <p class="wrap loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let clinic = current_clinic().await;
                match (home.await, clinic) {
                    (Ok(home), Some(clinic)) => {
                        let now = home.now;
                        let description = clinic
                            .tagline
                            .clone()
                            .unwrap_or_else(|| format!("Articles and locations of {}", clinic.name));
                        view! {
                            <PageMeta
                                clinic=clinic.clone()
                                title=clinic.name.clone()
                                description
                                path="/"
                                json_ld=home.json_ld.clone()
                            />
                            <section class="hero" style=format!("--brand: {};", clinic.brand_color)>
                                <div class="wrap">
                                    <h1>{clinic.name.clone()}</h1>
                                    {clinic.tagline.clone().map(|t| view! { <p class="lede">{t}</p> })}
                                    <p class="actions">
                                        <a class="button" href="/locations">"Find an office"</a>
                                        <a class="button secondary" href="/blog">"Read our articles"</a>
                                    </p>
                                </div>
                            </section>
                            <div class="wrap home-grid">
                                <section aria-labelledby="recent-heading">
                                    <h2 id="recent-heading" class="section-title">"Recent articles"</h2>
                                    <div class="post-list">
                                        {home
                                            .recent
                                            .into_iter()
                                            .map(|p| view! { <PostCard post=p now level=3 /> })
                                            .collect_view()}
                                    </div>
                                    <p><a href="/blog">"All articles →"</a></p>
                                </section>
                                <section aria-labelledby="offices-heading">
                                    <h2 id="offices-heading" class="section-title">"Our offices"</h2>
                                    <div class="location-list">
                                        {home
                                            .locations
                                            .into_iter()
                                            .map(|l| view! { <LocationCard location=l /> })
                                            .collect_view()}
                                    </div>
                                </section>
                            </div>
                        }
                            .into_any()
                    }
                    (Err(e), _) => view! { <ErrorView error=e /> }.into_any(),
                    (_, None) => view! { <ErrorView error=crate::error::AppError::NotFound /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PostListView(list: PostList, base: String) -> impl IntoView {
    let now = list.now;
    view! {
        <div class="post-list">
            {list.posts.into_iter().map(|p| view! { <PostCard post=p now /> }).collect_view()}
        </div>
        <Pagination base page=list.page total_pages=list.total_pages />
    }
}

/// `/blog?page=N`
#[component]
pub fn BlogPage() -> impl IntoView {
    let page = page_from_query();
    let list = Resource::new(move || page.get(), get_blog);
    view! {
        <Suspense fallback=|| view! { <p class="wrap loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let clinic = current_clinic().await;
                match (list.await, clinic) {
                    (Ok(list), Some(clinic)) => {
                        let name = clinic.name.clone();
                        let (title, description) = if list.page > 1 {
                            (
                                format!("Articles, page {}", list.page),
                                format!(
                                    "Articles from {name}: {} posts, page {} of {}.",
                                    list.total,
                                    list.page,
                                    list.total_pages,
                                ),
                            )
                        } else {
                            ("Articles".to_string(), format!("Articles from {name}: {} posts.", list.total))
                        };
                        view! {
                            <PageMeta
                                clinic
                                title
                                description
                                path=paged("/blog", list.page)
                                noindex={list.page > 1}
                            />
                            <div class="wrap">
                                <header class="page-header">
                                    <h1>"Articles"</h1>
                                    <p class="lede">{format!("{} articles from our clinicians", list.total)}</p>
                                </header>
                                <PostListView list base="/blog".to_string() />
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

#[component]
pub fn CategoryRoute() -> impl IntoView {
    view! { <Archive kind=ArchiveKind::Category /> }
}

#[component]
pub fn TagRoute() -> impl IntoView {
    view! { <Archive kind=ArchiveKind::Tag /> }
}

#[component]
pub fn AuthorRoute() -> impl IntoView {
    view! { <Archive kind=ArchiveKind::Author /> }
}

/// `/blog/{category|tag|author}/{slug}?page=N`
#[component]
fn Archive(kind: ArchiveKind) -> impl IntoView {
    let slug = slug_from_path();
    let page = page_from_query();
    let data = Resource::new(move || (slug.get(), page.get()), move |(s, p)| get_archive(kind, s, p));
    view! {
        <Suspense fallback=|| view! { <p class="wrap loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let clinic = current_clinic().await;
                match (data.await, clinic) {
                    (Ok(a), Some(clinic)) => {
                        let clinic_name = clinic.name.clone();
                        let (label, heading) = match a.kind {
                            ArchiveKind::Category => ("Category", a.name.clone()),
                            ArchiveKind::Tag => ("Tag", format!("Articles tagged “{}”", a.name)),
                            ArchiveKind::Author => ("Author", a.name.clone()),
                        };
                        let base = format!("/blog/{}/{}", a.kind.path_segment(), a.slug);
                        let title = if a.list.page > 1 {
                            format!("{heading}, page {}", a.list.page)
                        } else {
                            heading.clone()
                        };
                        let mut description = a
                            .description
                            .clone()
                            .or_else(|| a.author.as_ref().and_then(|p| p.bio.clone()))
                            .unwrap_or_else(|| format!("{} articles: {heading}.", a.list.total));
                        if a.list.page > 1 {
                            description = format!("Page {} of {}. {description}", a.list.page, a.list.total_pages);
                        }
                        let kind = if a.kind == ArchiveKind::Author { "profile" } else { "website" };
                        let photo = a.author.as_ref().and_then(|p| p.photo_url.clone());
                        // Categories and tags have their own feeds (not authors).
                        let feeds = (a.kind != ArchiveKind::Author).then(|| {
                            view! { <FeedLinks prefix=base.clone() title=format!("{clinic_name}: {}", a.name) /> }
                        });
                        view! {
                            <PageMeta
                                clinic
                                title
                                description
                                path=paged(&base, a.list.page)
                                kind
                                image=photo
                                image_alt=Some(a.name.clone())
                            />
                            {feeds}
                            <div class="wrap">
                                <header class="page-header">
                                    <p class="eyebrow">{label}</p>
                                    <h1>{heading}</h1>
                                    {a
                                        .author
                                        .clone()
                                        .map(|p| {
                                            view! {
                                                {p.author.credentials.clone().map(|c| view! { <p class="credentials">{c}</p> })}
                                                {p.bio.clone().map(|b| view! { <p class="lede">{b}</p> })}
                                            }
                                        })}
                                    {a.description.clone().map(|d| view! { <p class="lede">{d}</p> })}
                                    <p class="meta">
                                        {format!(
                                            "{} article{}",
                                            a.list.total,
                                            if a.list.total == 1 { "" } else { "s" },
                                        )}
                                    </p>
                                </header>
                                <PostListView list=a.list base />
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

/// `/blog/{slug}`
#[component]
pub fn PostRoute() -> impl IntoView {
    let slug = slug_from_path();
    let data = Resource::new(move || slug.get(), get_post);
    // The question form's data, created here at the page's top level (not
    // inside the post's Suspense) so hydration finds it.
    let form = lead_form_resource();
    view! {
        <Suspense fallback=|| view! { <p class="wrap loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let clinic = current_clinic().await;
                match (data.await, clinic) {
                    (Ok(page), Some(clinic)) => view! { <PostView page clinic form /> }.into_any(),
                    (Err(e), _) => view! { <ErrorView error=e /> }.into_any(),
                    (_, None) => view! { <ErrorView error=AppError::NotFound /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/preview/:token`: a post behind a private link, exactly as its public
/// page, with a note that it is not public and `noindex`.
#[component]
pub fn PreviewRoute() -> impl IntoView {
    let params = use_params_map();
    let token = Memo::new(move |_| params.with(|p| p.get("token").unwrap_or_default()));
    let data = Resource::new(move || token.get(), get_preview);
    view! {
        <Meta name="robots" content="noindex, nofollow" />
        <Suspense fallback=|| view! { <p class="wrap loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let clinic = current_clinic().await;
                match (data.await, clinic) {
                    (Ok(page), Some(clinic)) => view! {
                        <p class="preview-banner wrap narrow" role="note">
                            "Preview: this post is not public. Please do not share this link further."
                        </p>
                        <PostView page clinic />
                    }
                    .into_any(),
                    (Ok(_), None) => view! { <ErrorView error=AppError::NotFound /> }.into_any(),
                    (Err(AppError::Gone(message)), _) => {
                        set_status(410);
                        view! {
                            <Title text="Preview link expired" />
                            <section class="wrap narrow error-page">
                                <p class="eyebrow">"Preview"</p>
                                <h1>"This preview link has expired"</h1>
                                <p>{message}</p>
                            </section>
                        }
                        .into_any()
                    }
                    (Err(e), _) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A post page; `form`: the short question form after the article (not on previews).
#[component]
fn PostView(
    page: PostPage,
    clinic: ClinicInfo,
    #[prop(optional)] form: Option<Resource<Result<LeadFormData, AppError>>>,
) -> impl IntoView {
    let PostPage { post, related, url, now, json_ld } = page;
    let s = post.summary.clone();
    let title = post.seo_title.clone().unwrap_or_else(|| s.title.clone());
    let description = post.seo_description.clone().unwrap_or_else(|| s.excerpt.clone());
    let updated = (post.updated_at.date_naive() > s.published_at.date_naive()).then_some(post.updated_at);
    let share_text = url_encode(&s.title);
    let share_url = url_encode(&url);
    // OpenGraph and Twitter cards: the SEO fields, the featured image (made
    // absolute on the primary host), the canonical address of the post.
    view! {
        <PageMeta
            clinic
            title
            description
            url=url.clone()
            kind="article"
            image=post.featured_image.clone()
            image_alt=post.featured_image_alt.clone()
            json_ld
        />
        <Meta property="article:published_time" content=iso(s.published_at) />
        <Meta property="article:modified_time" content=iso(post.updated_at.max(s.published_at)) />
        <article class="post">
            <header class="wrap narrow post-header">
                {s.category.clone().map(|c| {
                    view! { <a class="eyebrow" href=format!("/blog/category/{}", c.slug)>{c.name}</a> }
                })}
                <h1>{s.title.clone()}</h1>
                <p class="byline">
                    {s.author.clone().map(|a| {
                        view! {
                            "By "
                            <a class="nowrap" href=format!("/blog/author/{}", a.slug) rel="author">{a.display_name()}</a>
                            " · "
                        }
                    })}
                    <span>"Published "</span>
                    <time datetime=iso(s.published_at)>{long_date(s.published_at)}</time>
                    " ("
                    <TimeAgo at=s.published_at now />
                    ")"
                    {updated.map(|u| view! {
                        " · Updated "
                        <time datetime=iso(u)>{long_date(u)}</time>
                    })}
                    " · "
                    <span class="nowrap">{format!("{} min read", s.reading_minutes)}</span>
                </p>
            </header>
            {post.featured_image.clone().map(|src| view! {
                <figure class="wrap narrow featured">
                    <img src=src srcset=post.featured_srcset.clone() sizes="(min-width: 48rem) 44rem, 100vw"
                        alt=post.featured_image_alt.clone().unwrap_or_default() />
                </figure>
            })}
            <div class="wrap narrow prose" inner_html=post.body_html.clone()></div>
            <footer class="wrap narrow post-footer">
                {(!post.tags.is_empty()).then(|| {
                    view! {
                        <nav class="tags" aria-label="Tags">
                            <span class="label">"Tags:"</span>
                            <ul>
                                {post
                                    .tags
                                    .iter()
                                    .map(|t| view! { <li><a href=format!("/blog/tag/{}", t.slug)>{t.name.clone()}</a></li> })
                                    .collect_view()}
                            </ul>
                        </nav>
                    }
                })}
                <nav class="share" aria-label="Share this article">
                    <span class="label">"Share:"</span>
                    <ul>
                        <li><a href=format!("mailto:?subject={share_text}&body={share_url}")>"E-mail"</a></li>
                        <li><a href=format!("https://www.facebook.com/sharer/sharer.php?u={share_url}") rel="noopener noreferrer">"Facebook"</a></li>
                        <li><a href=format!("https://twitter.com/intent/tweet?url={share_url}&text={share_text}") rel="noopener noreferrer">"X (Twitter)"</a></li>
                        <li><a href=format!("https://www.linkedin.com/sharing/share-offsite/?url={share_url}") rel="noopener noreferrer">"LinkedIn"</a></li>
                    </ul>
                </nav>
                {post.author.clone().map(|p| {
                    view! {
                        <aside class="author-box" aria-label="About the author">
                            <h2>
                                "About "
                                <a href=format!("/blog/author/{}", p.author.slug)>{p.author.display_name()}</a>
                            </h2>
                            {p.bio.clone().map(|b| view! { <p>{b}</p> })}
                        </aside>
                    }
                })}
                <aside class="cta" aria-label="Contact us">
                    <h2>"Would you like to see one of our clinicians?"</h2>
                    <p>
                        "Request an appointment online, or call the office nearest to you; our team will help you decide on a next step."
                    </p>
                    <p class="actions">
                        <a class="button" href="/contact">"Contact us"</a>
                    </p>
                </aside>
            </footer>
        </article>
        {form.map(|form| view! {
            <section class="wrap narrow post-question" aria-labelledby="post-question-heading">
                <h2 id="post-question-heading">"Questions about this? Ask our team"</h2>
                <p class="hint">"A short message is enough; our team answers during opening hours."</p>
                <LeadFormBlock data=form compact=true action="/contact" />
            </section>
        })}
        {(!related.is_empty()).then(|| {
            view! {
                <section class="wrap related" aria-labelledby="related-heading">
                    <h2 id="related-heading" class="section-title">"You might also enjoy"</h2>
                    <div class="post-grid">
                        {related.into_iter().map(|p| view! { <PostCard post=p now level=3 /> }).collect_view()}
                    </div>
                </section>
            }
        })}
    }
}
