//! The search box in the header and the `/search` page. Both are plain
//! GET forms (they work without JavaScript); with JavaScript the box
//! also suggests matching titles as you type (ARIA combobox).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::{search_posts, suggest_titles};
use super::model::{FacetCount, MatchMode, SearchQuery, SearchResults, SortOrder, Suggestion};
use crate::error::AppError;
use crate::model::ClinicInfo;
use crate::site::current_clinic;
use crate::text::long_date;
use crate::ui::{ErrorView, PageMeta};

/// The search query in the address bar.
fn query_from_url() -> Memo<SearchQuery> {
    let q = use_query_map();
    Memo::new(move |_| {
        q.with(|m| {
            let opt = |k: &str| m.get(k).filter(|v| !v.trim().is_empty());
            SearchQuery {
                q: m.get("q").unwrap_or_default(),
                category: opt("category"),
                tag: opt("tag"),
                author: opt("author"),
                location: opt("location"),
                sort: m.get("sort").and_then(|s| SortOrder::parse(&s)).unwrap_or_default(),
                page: m.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
            }
        })
    })
}

/// The header's search box: `GET /search?q=`, with title suggestions.
#[component]
pub fn SearchBox() -> impl IntoView {
    // Public pages hydrate when the box is first used: keep what was typed
    // while the bundle loaded.
    let text = RwSignal::new(typed_before_hydration());
    let suggestions = RwSignal::new(Vec::<Suggestion>::new());
    let active = RwSignal::new(None::<usize>);
    let open = move || !suggestions.with(Vec::is_empty);
    // Only the newest request's answer is shown.
    let generation = StoredValue::new(0u64);
    let navigate = StoredValue::new(leptos_router::hooks::use_navigate());
    let go = move |url: String| {
        suggestions.set(Vec::new());
        active.set(None);
        navigate.with_value(|nav| nav(&url, Default::default()));
    };

    let on_input = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        text.set(value.clone());
        active.set(None);
        let this = generation.get_value() + 1;
        generation.set_value(this);
        if value.trim().chars().count() < 2 {
            suggestions.set(Vec::new());
            return;
        }
        set_timeout(
            move || {
                if generation.get_value() != this {
                    return;
                }
                leptos::task::spawn_local(async move {
                    let found = suggest_titles(value).await.unwrap_or_default();
                    if generation.get_value() == this {
                        suggestions.set(found);
                    }
                });
            },
            std::time::Duration::from_millis(150),
        );
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let n = suggestions.with(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" if n > 0 => {
                ev.prevent_default();
                active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % n)));
            }
            "ArrowUp" if n > 0 => {
                ev.prevent_default();
                active.update(|a| *a = Some(a.map_or(n - 1, |i| (i + n - 1) % n)));
            }
            // With suggestions open, Escape closes them and keeps the text
            // (a search input would otherwise clear itself); closed, the
            // browser's own Escape (clear the box) applies.
            "Escape" if n > 0 => {
                ev.prevent_default();
                suggestions.set(Vec::new());
                active.set(None);
            }
            "Enter" => {
                if let Some(url) = active.get().and_then(|i| suggestions.with(|s| s.get(i).map(|s| s.url.clone()))) {
                    ev.prevent_default();
                    go(url);
                }
            }
            _ => {}
        }
    };

    // Words typed before hydration get their suggestions once it is done.
    let typed = text.get_untracked();
    if typed.trim().chars().count() >= 2 {
        Effect::new(move |_| {
            let this = generation.get_value();
            let typed = typed.clone();
            leptos::task::spawn_local(async move {
                let found = suggest_titles(typed).await.unwrap_or_default();
                // Unless the visitor typed on meanwhile (a newer request).
                if generation.get_value() == this {
                    suggestions.set(found);
                }
            });
        });
    }

    view! {
        <form class="search-box" role="search" method="get" action="/search">
            <label for="site-search" class="visually-hidden">"Search articles"</label>
            <div class="combo">
                <input
                    id="site-search"
                    type="search"
                    name="q"
                    placeholder="Search articles"
                    autocomplete="off"
                    maxlength="200"
                    role="combobox"
                    aria-autocomplete="list"
                    aria-controls="site-search-list"
                    aria-expanded=move || open().to_string()
                    aria-activedescendant=move || active.get().map(|i| format!("site-search-option-{i}"))
                    prop:value=move || text.get()
                    on:input=on_input
                    on:keydown=on_keydown
                    on:blur=move |_| {
                        // Let a click on a suggestion land first.
                        set_timeout(move || suggestions.set(Vec::new()), std::time::Duration::from_millis(200));
                    }
                />
                <ul id="site-search-list" role="listbox" aria-label="Suggested articles" class="suggestions" hidden=move || !open()>
                    <For
                        each=move || suggestions.get().into_iter().enumerate()
                        key=|(i, s)| (*i, s.url.clone())
                        children=move |(i, s)| {
                            // No link inside an option (an option must not hold another
                            // interactive element): a press on it goes to the article.
                            let url = s.url.clone();
                            view! {
                                <li
                                    id=format!("site-search-option-{i}")
                                    role="option"
                                    aria-selected=move || (active.get() == Some(i)).to_string()
                                    on:mousedown=move |ev| {
                                        // Before the box's blur closes the list.
                                        ev.prevent_default();
                                        go(url.clone());
                                    }
                                >
                                    {s.title.clone()}
                                </li>
                            }
                        }
                    />
                </ul>
            </div>
            <button class="button search-button" type="submit">"Search"</button>
        </form>
    }
}

/// What the header's search box holds when the page hydrates (nothing
/// when rendered on the server or by client-side navigation).
fn typed_before_hydration() -> String {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        document()
            .get_element_by_id("site-search")
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
            .map(|input| input.value())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}

/// `/search?q=…&category=…&tag=…&author=…&location=…&sort=newest&page=2`
#[component]
pub fn SearchPage() -> impl IntoView {
    let query = query_from_url();
    let results = Resource::new(move || query.get(), search_posts);
    view! {
        <Suspense fallback=|| view! { <p class="wrap loading">"Searching…"</p> }>
            {move || Suspend::new(async move {
                let clinic = current_clinic().await;
                match results.await {
                    Ok(r) => {
                        match clinic {
                            Some(clinic) => view! { <ResultsView r clinic /> }.into_any(),
                            None => view! { <ErrorView error=AppError::NotFound /> }.into_any(),
                        }
                    }
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ResultsView(r: SearchResults, clinic: ClinicInfo) -> impl IntoView {
    let q = r.query.clone();
    let typed = q.q.trim().to_string();
    let title = if typed.is_empty() { "Search".to_string() } else { format!("“{typed}” · Search") };
    let description = format!("Search the articles of {}.", clinic.name);
    let summary = match (typed.is_empty(), r.total) {
        (true, 0) => String::new(),
        (true, 1) if q.has_filters() => "1 article with these filters.".to_string(),
        (true, n) if q.has_filters() => format!("{n} articles with these filters."),
        (true, _) => String::new(),
        (false, 0) => format!("No articles found for “{typed}”."),
        (false, 1) => format!("1 article found for “{typed}”."),
        (false, n) => format!("{n} articles found for “{typed}”."),
    };
    let facets = r.facets.clone();
    let show_facets = r.total > 0 || q.has_filters();
    view! {
        // Result pages are endless (any words, any filters) and thin: not
        // indexed, but their links followed; every one of them names the
        // query-less /search as its canonical address.
        <PageMeta clinic title description path="/search" noindex=true />
        <div class="wrap search-page">
            <SearchForm q=q.clone() />
            {r.notice.clone().map(|n| view! { <p class="notice" role="status">{n}</p> })}
            <p class="result-count" role="status">{summary}</p>
            {r.suggestion.clone().map(|s| {
                let href = SearchQuery { q: s.clone(), page: 1, ..q.clone() }.href_page(1);
                view! { <p class="did-you-mean">"Did you mean " <a href=href><strong>{s}</strong></a> "?"</p> }
            })}
            {(r.mode == MatchMode::Any).then(|| view! {
                <p class="hint">"No article has all of these words, so these have some of them."</p>
            })}
            <div class=if show_facets { "search-layout" } else { "search-layout no-facets" }>
                {show_facets.then(|| view! { <FacetsAside facets=facets.clone() q=q.clone() /> })}
                <div class="results">
                    {if r.hits.is_empty() {
                        view! { <NoResults r=r.clone() /> }.into_any()
                    } else {
                        view! { <HitList r=r.clone() q=q.clone() /> }.into_any()
                    }}
                </div>
            </div>
        </div>
    }
    .into_any()
}

#[component]
fn SearchForm(q: SearchQuery) -> impl IntoView {
    view! {
        <header class="page-header">
            <h1>"Search"</h1>
            <form class="search-form" role="search" method="get" action="/search">
                <label for="search-q">"Search the articles"</label>
                <div class="search-row">
                    <input id="search-q" type="search" name="q" value=q.q.clone() maxlength="200" />
                    {q.category.clone().map(|v| view! { <input type="hidden" name="category" value=v /> })}
                    {q.tag.clone().map(|v| view! { <input type="hidden" name="tag" value=v /> })}
                    {q.author.clone().map(|v| view! { <input type="hidden" name="author" value=v /> })}
                    {q.location.clone().map(|v| view! { <input type="hidden" name="location" value=v /> })}
                    <button class="button" type="submit">"Search"</button>
                </div>
                <p class="hint">"Tip: put words in \"quotes\" to find them together; put a minus before a word to leave it out."</p>
            </form>
        </header>
    }
    .into_any()
}

#[component]
fn HitList(r: SearchResults, q: SearchQuery) -> impl IntoView {
    view! {
        <ol class="hit-list" start=((r.page.saturating_sub(1)) * super::model::PER_PAGE + 1).to_string()>
            {r.hits.into_iter().map(|h| view! {
                <li class="hit">
                    <h2 class="hit-title"><a href=h.url.clone()>{h.title.clone()}</a></h2>
                    <p class="meta">
                        <time datetime=crate::text::iso(h.published_at)>{long_date(h.published_at)}</time>
                        {h.category.clone().map(|c| view! { " · " <a href=format!("/blog/category/{}", c.slug)>{c.name}</a> })}
                    </p>
                    <p class="snippet" inner_html=h.snippet_html.clone()></p>
                </li>
            }).collect_view()}
        </ol>
        {(r.pages > 1).then(|| view! {
            <nav class="pagination" aria-label="Result pages">
                {(r.page > 1).then(|| view! { <a rel="prev" href=q.href_page(r.page - 1)>"← Previous"</a> })}
                <span>{format!("Page {} of {}", r.page, r.pages)}</span>
                {(r.page < r.pages).then(|| view! { <a rel="next" href=q.href_page(r.page + 1)>"Next →"</a> })}
            </nav>
        })}
    }
    .into_any()
}

#[component]
fn FacetsAside(facets: super::model::Facets, q: SearchQuery) -> impl IntoView {
    view! {
        <aside class="facets" aria-label="Filter the results">
            <SortLinks q=q.clone() />
            <FacetGroup title="Category" key="category" items=facets.categories.clone() chosen=q.category.clone() q=q.clone() />
            <FacetGroup title="Topic" key="tag" items=facets.tags.clone() chosen=q.tag.clone() q=q.clone() />
            <FacetGroup title="Location" key="location" items=facets.locations.clone() chosen=q.location.clone() q=q.clone() />
            <FacetGroup title="Author" key="author" items=facets.authors.clone() chosen=q.author.clone() q=q.clone() />
        </aside>
    }
    .into_any()
}

#[component]
fn SortLinks(q: SearchQuery) -> impl IntoView {
    let by = |s: SortOrder, label: &'static str| {
        let current = q.sort == s;
        view! {
            <li><a href=q.href_with("sort", Some(s.as_str())) aria-current=current.then_some("true")>{label}</a></li>
        }
    };
    view! {
        <section class="facet">
            <h2>"Sort"</h2>
            <ul>{by(SortOrder::Relevance, "Best match")}{by(SortOrder::Newest, "Newest first")}</ul>
        </section>
    }
}

#[component]
fn FacetGroup(
    title: &'static str,
    key: &'static str,
    items: Vec<FacetCount>,
    chosen: Option<String>,
    q: SearchQuery,
) -> impl IntoView {
    if items.is_empty() && chosen.is_none() {
        return ().into_any();
    }
    let clear = chosen.as_ref().map(|_| q.href_with(key, None));
    view! {
        <section class="facet">
            <h2>{title}</h2>
            <ul>
                {items.into_iter().map(|f| {
                    let selected = chosen.as_deref() == Some(f.slug.as_str());
                    let href = if selected { q.href_with(key, None) } else { q.href_with(key, Some(&f.slug)) };
                    view! {
                        <li>
                            <a href=href aria-current=selected.then_some("true")>
                                {f.name}
                                <span class="count">
                                    <span class="visually-hidden">" ("</span>{f.count}
                                    <span class="visually-hidden">{if f.count == 1 { " article)" } else { " articles)" }}</span>
                                </span>
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {clear.map(|h| view! { <a class="clear-filter" href=h>{format!("Any {}", title.to_lowercase())}</a> })}
        </section>
    }
    .into_any()
}

#[component]
fn NoResults(r: SearchResults) -> impl IntoView {
    let typed = !r.query.q.trim().is_empty();
    view! {
        <div class="no-results">
            {typed.then(|| view! {
                <h2>"Nothing matched"</h2>
                <ul>
                    <li>"Check the spelling, or try fewer or more general words."</li>
                    {r.query.has_filters().then(|| view! { <li><a href=SearchQuery { q: r.query.q.clone(), ..SearchQuery::default() }.href_page(1)>"Search again without the filters"</a></li> })}
                </ul>
            })}
            {(!r.browse.is_empty()).then(|| view! {
                <h2>"Browse by category"</h2>
                <ul class="browse">
                    {r.browse.iter().cloned().map(|c| view! { <li><a href=format!("/blog/category/{}", c.slug)>{c.name}</a></li> }).collect_view()}
                </ul>
            })}
        </div>
    }
}
