//! The document shell, the router, and the site (clinic or network) the
//! request's host resolved to.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::admin::{
    AdminBar, AdminHome, AuditLogPage, EditorPage, LeadPage, LeadSettingsPage, LeadsPage, LoginPage, MediaPage,
    NetworkPage, OfficeEditPage, OfficesPage, PeoplePage, PostsPage, ResetPasswordPage, ResetRequestPage,
    RevisionsPage, SearchesPage, TermsPage,
};
use crate::error::AppError;
use crate::leads::pages::ThanksPage;
use crate::locations::pages::{ContactPage, LocationPage, LocationsPage};
use crate::model::{ClinicInfo, Site};
use crate::posts::feed_links::FeedLinks;
use crate::posts::pages::{AuthorRoute, BlogPage, CategoryRoute, HomeRoute, PostRoute, PreviewRoute, TagRoute};
use crate::search::pages::SearchPage;
use crate::ui::{NotFound, SiteFooter, SiteHeader};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options />
                <link rel="stylesheet" id="leptos" href=crate::assets::url("clinicpress.css") />
                <HydrationLinks />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Load the browser bundle and hydrate (Leptos's `HydrationScripts`, with
/// versioned addresses that browsers may keep for a year).
///
/// The admin area hydrates at once. Public pages are complete without the
/// bundle (their forms post, their links load pages), so they load it only
/// when a visitor starts using what it improves: on the first focus, press
/// or key in the header's search box or a request form (suggestions as you
/// type, the form checking itself), or when the page dispatches
/// [`crate::assets::HYDRATE_EVENT`]. A visitor who only reads downloads no
/// script or WebAssembly at all.
#[component]
fn HydrationLinks() -> impl IntoView {
    let (js, wasm) = (crate::assets::url("clinicpress.js"), crate::assets::url(crate::assets::wasm_file()));
    if hydrates_at_once() {
        view! {
            <link rel="modulepreload" href=js />
            <link rel="preload" href=wasm r#as="fetch" r#type="application/wasm" crossorigin="" />
            <script type="module">{crate::assets::hydration_script()}</script>
        }
        .into_any()
    } else {
        view! { <script type="module">{crate::assets::hydration_on_demand_script()}</script> }.into_any()
    }
}

/// Whether this page hydrates as soon as it loads: the admin area does.
fn hydrates_at_once() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().is_none_or(|p| crate::assets::hydrates_at_once(p.uri.path()))
    }
    #[cfg(not(feature = "ssr"))]
    {
        true
    }
}

/// The site this request is for, resolved from the Host header by the
/// server's tenancy layer.
#[server]
pub async fn get_site() -> Result<Site, AppError> {
    ssr::site()
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use leptos::prelude::*;

    use crate::error::AppError;
    use crate::model::{ClinicInfo, Site};
    use crate::ports::Backend;

    pub fn site() -> Result<Site, AppError> {
        let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
        parts.extensions.get::<Site>().cloned().ok_or(AppError::NotFound)
    }

    /// The backend and the clinic of this request; `NotFound` on the network host.
    pub fn clinic() -> Result<(Backend, ClinicInfo), AppError> {
        let backend = use_context::<Backend>().ok_or(AppError::Internal)?;
        match site()? {
            Site::Clinic(c) => Ok((backend, c)),
            Site::Network { .. } => Err(AppError::NotFound),
        }
    }
}

/// Above (`top`) or below the page: the admin bar on /admin pages, the
/// clinic's header and footer everywhere else.
#[component]
fn Chrome(top: bool) -> impl IntoView {
    let admin = leptos_router::hooks::use_location().pathname.get_untracked().starts_with("/admin");
    match (admin, top) {
        (true, true) => view! { <AdminBar /> }.into_any(),
        (true, false) => ().into_any(),
        (false, true) => view! { <SiteHeader /> }.into_any(),
        (false, false) => view! { <SiteFooter /> }.into_any(),
    }
}

/// The clinic's feeds, advertised in the head of every public page.
#[component]
fn SiteFeeds() -> impl IntoView {
    let admin = leptos_router::hooks::use_location().pathname.get_untracked().starts_with("/admin");
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                current_clinic()
                    .await
                    .filter(|_| !admin)
                    .map(|c| view! { <FeedLinks prefix=String::new() title=c.name /> })
            })}
        </Suspense>
    }
}

/// The site resource, shared by the layout and the pages.
#[derive(Clone, Copy)]
pub struct SiteResource(pub Resource<Result<Site, AppError>>);

/// The clinic, once the site resource has resolved (inside `Suspend`).
pub async fn current_clinic() -> Option<ClinicInfo> {
    let SiteResource(site) = expect_context::<SiteResource>();
    match site.await {
        Ok(Site::Clinic(c)) => Some(c),
        _ => None,
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let site = Resource::new(|| (), |_| get_site());
    provide_context(SiteResource(site));

    view! {
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml" />
        <Meta name="color-scheme" content="light dark" />
        <Title formatter=|t: String| t />
        <Router>
            <a class="skip-link" href="#main" rel="external">"Skip to content"</a>
            <Chrome top=true />
            <SiteFeeds />
            <main id="main" tabindex="-1">
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/admin/login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/reset") view=ResetRequestPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/reset/:token") view=ResetPasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/admin") view=AdminHome ssr=SsrMode::Async />
                    <Route path=path!("/admin/network") view=NetworkPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/:clinic/dashboard") view=crate::admin::ClinicDashboard ssr=SsrMode::Async />
                    <Route path=path!("/admin/:clinic/posts") view=PostsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/:clinic/posts/:id") view=EditorPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/:clinic/posts/:id/revisions") view=RevisionsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/:clinic/audit") view=AuditLogPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/:clinic/terms") view=TermsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/:clinic/media") view=MediaPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/:clinic/searches") view=SearchesPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/:clinic/people") view=PeoplePage ssr=SsrMode::Async />
                    <Route path=path!("/admin/:clinic/offices") view=OfficesPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/:clinic/lead-settings") view=LeadSettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/:clinic/settings") view=crate::admin::ClinicSettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/:clinic/leads") view=LeadsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/:clinic/leads/:reference") view=LeadPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/:clinic/offices/:office") view=OfficeEditPage ssr=SsrMode::Async />
                    <Route path=path!("/") view=HomeRoute ssr=SsrMode::Async />
                    <Route path=path!("/blog") view=BlogPage ssr=SsrMode::Async />
                    <Route path=path!("/blog/category/:slug") view=CategoryRoute ssr=SsrMode::Async />
                    <Route path=path!("/blog/tag/:slug") view=TagRoute ssr=SsrMode::Async />
                    <Route path=path!("/blog/author/:slug") view=AuthorRoute ssr=SsrMode::Async />
                    <Route path=path!("/blog/:slug") view=PostRoute ssr=SsrMode::Async />
                    <Route path=path!("/locations") view=LocationsPage ssr=SsrMode::Async />
                    <Route path=path!("/locations/:slug") view=LocationPage ssr=SsrMode::Async />
                    <Route path=path!("/contact") view=ContactPage ssr=SsrMode::Async />
                    <Route path=path!("/contact/thanks") view=ThanksPage ssr=SsrMode::Async />
                    <Route path=path!("/preview/:token") view=PreviewRoute ssr=SsrMode::Async />
                    <Route path=path!("/search") view=SearchPage ssr=SsrMode::Async />
                </Routes>
            </main>
            <Chrome top=false />
        </Router>
    }
}
