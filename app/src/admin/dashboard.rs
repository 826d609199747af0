//! `/admin/:clinic/dashboard`: the clinic's figures at a glance — are
//! requests answered in time, how many come in per office, what is
//! overdue, how much was published, what visitors did not find. The charts
//! arrive as SVG drawn (and escaped) on the server; each has its figures
//! as a table underneath, so the page works without JavaScript and for
//! screen readers.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::api::get_dashboard;
use super::model::{DashboardCount, DashboardOffice, DashboardPage};
use crate::ui::ErrorView;

/// "45 min", "2 h", "3 h 05 min" (business time), or a dash.
fn minutes_text(m: Option<u32>) -> String {
    match m {
        None => "–".into(),
        Some(m) => match (m / 60, m % 60) {
            (0, m) => format!("{m} min"),
            (h, 0) => format!("{h} h"),
            (h, m) => format!("{h} h {m:02} min"),
        },
    }
}

/// How an office does against the target, in words (never colour alone).
fn verdict(o: &DashboardOffice, target: u32) -> (&'static str, &'static str) {
    match (o.median_minutes, o.p90_minutes) {
        _ if o.overdue_now > 0 => ("Requests overdue", "is-bad"),
        (Some(_), Some(p)) if p <= target => ("On target", "is-good"),
        (Some(m), Some(_)) if m <= target => ("Mostly on target", "is-warn"),
        (Some(_), Some(_)) => ("Slower than the target", "is-bad"),
        _ => ("No requests", "is-none"),
    }
}

#[component]
pub fn ClinicDashboard() -> impl IntoView {
    let params = use_params_map();
    let clinic = move || params.with(|p| p.get("clinic").unwrap_or_default());
    let data = Resource::new(clinic, get_dashboard);
    view! {
        <Title text="Dashboard · Clinicpress" />
        <section class="wrap admin-page dashboard">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                        Ok(page) => view! { <Dashboard page=page clinic=clinic() /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Dashboard(page: DashboardPage, clinic: String) -> impl IntoView {
    let scope = if page.clinic_wide {
        "All offices".to_string()
    } else {
        let names: Vec<&str> = page.offices.iter().map(|o| o.name.as_str()).collect();
        format!("Your office{}: {}", if names.len() == 1 { "" } else { "s" }, names.join(", "))
    };
    let intro = format!("{} · {scope} · weeks and months in {} time", page.clinic_name, page.timezone);
    let searches = page.searches.clone();
    view! {
        <h1>"Dashboard"</h1>
        <p class="hint">{intro}</p>
        {view! { <Tiles page=page.clone() clinic=clinic.clone() /> }.into_any()}
        <div class="dash-grid">
            {view! { <ResponseCard page=page.clone() /> }.into_any()}
            {view! { <LeadsCard page=page.clone() /> }.into_any()}
            {view! { <PostsCard page=page /> }.into_any()}
            {searches.map(|rows| view! { <SearchesCard rows=rows clinic=clinic /> }.into_any())}
        </div>
    }
}

#[component]
fn Tiles(page: DashboardPage, clinic: String) -> impl IntoView {
    let total: u32 = page.weeks.iter().map(|w| w.count).sum();
    let overdue: u32 = page.offices.iter().map(|o| o.overdue_now).sum();
    let overdue_class = if overdue > 0 { "dash-tile is-bad" } else { "dash-tile is-good" };
    let this_month = page.months.last().map(|m| m.count).unwrap_or(0);
    let inbox = (page.can_read_leads && overdue > 0).then(|| format!("/admin/{clinic}/leads"));
    view! {
        <h2 class="visually-hidden">"At a glance"</h2>
        <ul class="dash-tiles">
            <li class=overdue_class>
                <span class="dash-figure">{overdue}</span>
                <span class="dash-label">{if overdue == 1 { "request overdue now" } else { "requests overdue now" }}</span>
                {inbox.map(|href| view! { <a href=href rel="external">"Open the inbox"</a> })}
            </li>
            <li class="dash-tile">
                <span class="dash-figure">{total}</span>
                <span class="dash-label">"requests in the last 12 weeks"</span>
            </li>
            <li class="dash-tile">
                <span class="dash-figure">{page.target_text}</span>
                <span class="dash-label">"target for a first response"</span>
            </li>
            <li class="dash-tile">
                <span class="dash-figure">{this_month}</span>
                <span class="dash-label">{if this_month == 1 { "post published this month" } else { "posts published this month" }}</span>
            </li>
        </ul>
    }
}

#[component]
fn ResponseCard(page: DashboardPage) -> impl IntoView {
    let target = page.target_minutes;
    let offices = page.offices;
    let verdicts = offices
        .iter()
        .map(|o| {
            let (text, class) = verdict(o, target);
            view! { <li class=format!("dash-verdict {class}")><strong>{o.name.clone()}</strong>": "{text}</li> }
        })
        .collect_view();
    let rows = offices
        .iter()
        .map(|o| {
            view! {
                <tr>
                    <th scope="row">{o.name.clone()}</th>
                    <td>{minutes_text(o.median_minutes)}</td>
                    <td>{minutes_text(o.p90_minutes)}</td>
                    <td>{o.answered}</td>
                    <td>{o.waiting}</td>
                    <td>{o.overdue_now}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="dash-card" aria-labelledby="dash-response">
            <h2 id="dash-response">"Are requests answered in time?"</h2>
            <p class="hint">{format!(
                "Time from a request to its first answer, counted in each office's opening hours (business time), as for the clinic's target of {}. Half of the requests were answered within the median, nine in ten within the 90th percentile. Requests still waiting count with the time they have waited so far; requests closed without an answer, and spam, are left out.",
                page.target_text
            )}</p>
            <div class="chart-box" inner_html=page.response_chart></div>
            <ul class="dash-verdicts">{verdicts}</ul>
            <details class="chart-data">
                <summary>"Show the figures as a table"</summary>
                <div class="table-scroll" tabindex="0">
                    <table class="dash-table">
                        <caption>{format!("Time to first response per office, last 12 weeks (target {})", page.target_text)}</caption>
                        <thead><tr>
                            <th scope="col">"Office"</th>
                            <th scope="col">"Median"</th>
                            <th scope="col">"90th percentile"</th>
                            <th scope="col">"Answered"</th>
                            <th scope="col">"Still waiting"</th>
                            <th scope="col">"Overdue now"</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        </section>
    }
}

#[component]
fn LeadsCard(page: DashboardPage) -> impl IntoView {
    let offices = page.offices;
    let heads = offices.iter().map(|o| view! { <th scope="col">{o.name.clone()}</th> }).collect_view();
    let rows = page
        .weeks
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let cells =
                offices.iter().map(|o| view! { <td>{o.per_week.get(i).copied().unwrap_or(0)}</td> }).collect_view();
            view! {
                <tr>
                    <th scope="row"><time datetime=w.key.clone()>{w.label.clone()}</time></th>
                    {cells}
                    <td>{w.count}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="dash-card" aria-labelledby="dash-leads">
            <h2 id="dash-leads">"Requests per office"</h2>
            <p class="hint">"Contact and appointment requests received each week (Monday to Sunday), the current week last. Spam is not counted."</p>
            <div class="chart-box" inner_html=page.leads_chart></div>
            <details class="chart-data">
                <summary>"Show the figures as a table"</summary>
                <div class="table-scroll" tabindex="0">
                    <table class="dash-table">
                        <caption>"Requests per office and week, last 12 weeks"</caption>
                        <thead><tr><th scope="col">"Week of"</th>{heads}<th scope="col">"All"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        </section>
    }
}

#[component]
fn PostsCard(page: DashboardPage) -> impl IntoView {
    let rows = page
        .months
        .iter()
        .map(|m| {
            view! { <tr><th scope="row"><time datetime=m.key.clone()>{m.label.clone()}</time></th><td>{m.count}</td></tr> }
        })
        .collect_view();
    view! {
        <section class="dash-card" aria-labelledby="dash-posts">
            <h2 id="dash-posts">"Posts published"</h2>
            <p class="hint">"Articles published on the site per month, the current month last."</p>
            <div class="chart-box" inner_html=page.posts_chart></div>
            <details class="chart-data">
                <summary>"Show the figures as a table"</summary>
                <table class="dash-table">
                    <caption>"Posts published per month, last 12 months"</caption>
                    <thead><tr><th scope="col">"Month"</th><th scope="col">"Posts"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        </section>
    }
}

#[component]
fn SearchesCard(rows: Vec<DashboardCount>, clinic: String) -> impl IntoView {
    let list = if rows.is_empty() {
        view! { <p class="empty">"No searches without results in this period."</p> }.into_any()
    } else {
        let body = rows
            .into_iter()
            .map(|r| view! { <tr><th scope="row">{r.label}</th><td>{r.count}</td></tr> })
            .collect_view();
        view! {
            <table class="dash-table">
                <caption class="visually-hidden">"Top searches without results, last 30 days"</caption>
                <thead><tr><th scope="col">"Searched for"</th><th scope="col">"Times"</th></tr></thead>
                <tbody>{body}</tbody>
            </table>
            <p><a href=format!("/admin/{clinic}/searches") rel="external">"All searches without results"</a></p>
        }
        .into_any()
    };
    view! {
        <section class="dash-card" aria-labelledby="dash-searches">
            <h2 id="dash-searches">"Searches that found nothing"</h2>
            <p class="hint">"What visitors searched for most often in the last 30 days without finding an article — ideas for what to write next."</p>
            {list}
        </section>
    }
}
