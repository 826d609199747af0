//! The clinic dashboard: how many requests each office gets per week, how
//! quickly they are answered against the clinic's target, what is overdue
//! now, how many posts went out per month and what visitors searched for
//! without finding anything.
//!
//! Rules, all plain functions unit tests reach without a database:
//! - Weeks are the last 12 ISO weeks (Monday to Sunday) in the clinic's
//!   time zone (that of its first office), the current week last, weeks
//!   without requests counted as zero. Months likewise, the last 12.
//! - Time to first response is business time, measured like the
//!   escalation ([`crate::leads::clock::business_time`] in the office's
//!   opening hours and time zone; the default inbox counts every hour).
//!   A request still open without a first response counts with the time it
//!   has waited so far (so a backlog pulls the figures up rather than
//!   vanishing from them); a request closed or marked spam without an
//!   answer is left out. Spam never counts as a request.
//! - Percentiles use the nearest-rank method: always a time some request
//!   actually took.
//! - Overdue now: every open request without a first response whose due
//!   time ([`crate::leads::clock::due_at`], the clinic's target) has
//!   passed, whatever its age and whether or not it was escalated.
//!
//! Who sees what is decided by `accounts::authz::authorize` with
//! `Action::ViewDashboard`: clinic admins and marketers the whole clinic,
//! staff only the offices of their roles (and no clinic-wide figures).
//! Queries are bounded: the leads of the last 12 weeks, the open unanswered
//! ones, a year of published posts, 30 days of searches.

pub mod svg;

use std::collections::BTreeMap;

use app::admin::model::{DashboardCount, DashboardOffice, DashboardPage};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::accounts::authz::{Action, Decision, Principal, authorize};
use crate::entities::{PostStatus, clinic, lead, location, post};
use crate::leads::clock;
use crate::leads::escalation::{target_minutes, target_text};
use crate::leads::inbox::office_clock;
use crate::locations::hours::WeeklyHours;

/// How many weeks and months the charts show.
pub const WEEKS: usize = 12;
pub const MONTHS: usize = 12;
/// Searches without results: this many days, this many queries.
pub const SEARCH_DAYS: i64 = 30;
pub const TOP_SEARCHES: usize = 10;
/// Most open unanswered requests read for "overdue now".
const MAX_OPEN: u64 = 5_000;

/// What one viewer may see of a clinic's figures.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct View {
    /// Every office and the default inbox.
    pub clinic_wide: bool,
    /// The offices whose figures the viewer sees (all of them when clinic-wide).
    pub offices: Vec<i32>,
    /// The clinic's searches without results (those who write posts).
    pub searches: bool,
    /// Links to the inbox.
    pub can_read_leads: bool,
}

impl View {
    /// Ask the one permission rule about the clinic and each of its
    /// offices. `None`: nothing to show (403).
    pub fn of(who: &Principal, clinic_id: i32, office_ids: &[i32]) -> Option<View> {
        let may = |action| authorize(who, clinic_id, action) == Decision::Allow;
        let clinic_wide = may(Action::ViewDashboard { location_id: None });
        let offices: Vec<i32> =
            office_ids.iter().copied().filter(|id| may(Action::ViewDashboard { location_id: Some(*id) })).collect();
        if !clinic_wide && offices.is_empty() {
            return None;
        }
        Some(View { clinic_wide, offices, searches: may(Action::EditPosts), can_read_leads: may(Action::ReadLeads) })
    }

    /// Does the viewer see the figures of requests routed to `location_id`?
    pub fn covers(&self, location_id: Option<i32>) -> bool {
        self.clinic_wide || location_id.is_some_and(|id| self.offices.contains(&id))
    }
}

/// The `p`-th percentile (0–100) of `values` by the nearest-rank method;
/// `None` for no values.
pub fn percentile(values: &[i64], p: u32) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    let rank = (u64::from(p.min(100)) * n as u64).div_ceil(100).max(1) as usize;
    Some(sorted[rank.min(n) - 1])
}

/// The instant a local day starts in `tz` (the first moment of that date,
/// also when midnight is skipped by a clock change).
pub fn day_start(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    for hour in 0..4 {
        if let Some(t) = tz.from_local_datetime(&(midnight + Duration::hours(hour))).earliest() {
            return t.with_timezone(&Utc);
        }
    }
    Utc.from_utc_datetime(&midnight)
}

/// The Mondays of the last `n` ISO weeks in `tz`, oldest first, the week of `now` last.
pub fn week_starts(now: DateTime<Utc>, tz: Tz, n: usize) -> Vec<NaiveDate> {
    let today = now.with_timezone(&tz).date_naive();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    (0..n).rev().map(|back| monday - Duration::weeks(back as i64)).collect()
}

/// Which of `weeks` (Mondays from [`week_starts`]) `at` falls in, in `tz`.
pub fn week_of(weeks: &[NaiveDate], at: DateTime<Utc>, tz: Tz) -> Option<usize> {
    let day = at.with_timezone(&tz).date_naive();
    let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
    weeks.iter().position(|w| *w == monday)
}

/// The first days of the last `n` months in `tz`, oldest first, the month of `now` last.
pub fn month_starts(now: DateTime<Utc>, tz: Tz, n: usize) -> Vec<NaiveDate> {
    let today = now.with_timezone(&tz).date_naive();
    let this = today.year() * 12 + today.month0() as i32;
    (0..n as i32)
        .rev()
        .filter_map(|back| {
            let m = this - back;
            NaiveDate::from_ymd_opt(m.div_euclid(12), m.rem_euclid(12) as u32 + 1, 1)
        })
        .collect()
}

/// Which of `months` (from [`month_starts`]) `at` falls in, in `tz`.
pub fn month_of(months: &[NaiveDate], at: DateTime<Utc>, tz: Tz) -> Option<usize> {
    let day = at.with_timezone(&tz).date_naive();
    months.iter().position(|m| m.year() == day.year() && m.month() == day.month())
}

/// Open: may still get a first response.
fn is_open(l: &lead::Model) -> bool {
    matches!(l.status.as_str(), "new" | "contacted" | "scheduled")
}

/// An office's clock: its opening hours and time zone (see
/// [`crate::leads::inbox::office_clock`]; the default inbox counts every hour).
pub type Clock = (WeeklyHours, Tz);

/// Business minutes from arrival to the first response; for an open
/// request without one, to `now`; `None` for a request closed (or spam)
/// without an answer.
pub fn response_minutes(l: &lead::Model, (hours, tz): &Clock, now: DateTime<Utc>) -> Option<i64> {
    let end = match l.first_response_at {
        Some(at) => at,
        None if is_open(l) && l.erased_at.is_none() => now,
        None => return None,
    };
    Some(clock::business_time(l.received_at, end, hours, *tz).num_minutes())
}

/// Open, unanswered and past its due time at `now` (escalated or not).
pub fn overdue_now(l: &lead::Model, (hours, tz): &Clock, target: u32, now: DateTime<Utc>) -> bool {
    if l.first_response_at.is_some() || l.erased_at.is_some() || !is_open(l) {
        return false;
    }
    clock::due_at(l.received_at, target, hours, *tz).is_some_and(|due| due <= now)
}

/// One office's figures. `recent`: its requests of the weeks (spam left
/// out); `open`: its open requests without a first response (any age).
#[allow(clippy::too_many_arguments)]
pub fn office_figures(
    office_id: Option<i32>,
    name: &str,
    office_clock: &Clock,
    recent: &[&lead::Model],
    open: &[&lead::Model],
    weeks: &[NaiveDate],
    tz: Tz,
    target: u32,
    now: DateTime<Utc>,
) -> DashboardOffice {
    let mut per_week = vec![0u32; weeks.len()];
    let mut times = Vec::new();
    let (mut answered, mut waiting) = (0, 0);
    for l in recent {
        if let Some(i) = week_of(weeks, l.received_at, tz) {
            per_week[i] += 1;
        }
        if l.first_response_at.is_some() {
            answered += 1;
        } else if is_open(l) {
            waiting += 1;
        }
        if let Some(m) = response_minutes(l, office_clock, now) {
            times.push(m);
        }
    }
    let minutes = |p| percentile(&times, p).map(|m| m.clamp(0, i64::from(u32::MAX)) as u32);
    DashboardOffice {
        office_id,
        name: name.to_string(),
        per_week,
        answered,
        waiting,
        median_minutes: minutes(50),
        p90_minutes: minutes(90),
        overdue_now: open.iter().filter(|l| overdue_now(l, office_clock, target, now)).count() as u32,
    }
}

/// "45 min", "2 h", "3 h 05 min" (business time).
pub fn minutes_text(m: u32) -> String {
    match (m / 60, m % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m:02} min"),
    }
}

/// The top searches without results since `since`, summed over days.
pub fn top_searches(rows: &[(String, i32)], n: usize) -> Vec<DashboardCount> {
    let mut sums: BTreeMap<&str, u32> = BTreeMap::new();
    for (q, c) in rows {
        *sums.entry(q.as_str()).or_default() += (*c).max(0) as u32;
    }
    let mut all: Vec<(&str, u32)> = sums.into_iter().collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    all.into_iter()
        .take(n)
        .map(|(q, c)| DashboardCount { key: q.to_string(), label: q.to_string(), count: c })
        .collect()
}

/// The clinic's dashboard as `view` may see it, at `now`.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    clinic: &clinic::Model,
    all_offices: &[location::Model],
    view: &View,
    now: DateTime<Utc>,
) -> Result<DashboardPage, DbErr> {
    let tz = crate::posts::editor::clinic_tz(db, clinic.id).await?;
    let target = target_minutes(db, clinic.id).await?;
    let weeks = week_starts(now, tz, WEEKS);
    let since = day_start(weeks[0], tz);

    let scoped = |q: sea_orm::Select<lead::Entity>| {
        let q = q.filter(lead::Column::ClinicId.eq(clinic.id)).filter(lead::Column::Status.ne("spam"));
        if view.clinic_wide { q } else { q.filter(lead::Column::LocationId.is_in(view.offices.clone())) }
    };
    let recent = scoped(lead::Entity::find())
        .filter(lead::Column::ReceivedAt.gte(since))
        .filter(lead::Column::ReceivedAt.lte(now))
        .all(db)
        .await?;
    let open = scoped(lead::Entity::find())
        .filter(lead::Column::FirstResponseAt.is_null())
        .filter(lead::Column::ErasedAt.is_null())
        .filter(lead::Column::Status.is_in(["new", "contacted", "scheduled"]))
        .order_by_asc(lead::Column::ReceivedAt)
        .limit(MAX_OPEN)
        .all(db)
        .await?;

    let mut offices = Vec::new();
    let shown: Vec<&location::Model> = all_offices.iter().filter(|o| view.covers(Some(o.id))).collect();
    for o in shown {
        let mine: Vec<&lead::Model> = recent.iter().filter(|l| l.location_id == Some(o.id)).collect();
        let open_here: Vec<&lead::Model> = open.iter().filter(|l| l.location_id == Some(o.id)).collect();
        if o.archived_at.is_some() && mine.is_empty() && open_here.is_empty() {
            continue;
        }
        let clock = office_clock(Some(o));
        offices.push(office_figures(Some(o.id), &o.name, &clock, &mine, &open_here, &weeks, tz, target, now));
    }
    if view.clinic_wide {
        // Requests no office took (and those of offices since deleted).
        let known = |id: Option<i32>| id.is_some_and(|id| all_offices.iter().any(|o| o.id == id));
        let mine: Vec<&lead::Model> = recent.iter().filter(|l| !known(l.location_id)).collect();
        let open_here: Vec<&lead::Model> = open.iter().filter(|l| !known(l.location_id)).collect();
        if !mine.is_empty() || !open_here.is_empty() {
            let clock = office_clock(None);
            offices.push(office_figures(None, "Default inbox", &clock, &mine, &open_here, &weeks, tz, target, now));
        }
    }

    let months = month_starts(now, tz, MONTHS);
    let published: Vec<Option<DateTime<Utc>>> = post::Entity::find()
        .select_only()
        .column(post::Column::PublishedAt)
        .filter(post::Column::ClinicId.eq(clinic.id))
        .filter(post::Column::Status.eq(PostStatus::Published))
        .filter(post::Column::PublishedAt.gte(day_start(months[0], tz)))
        .filter(post::Column::PublishedAt.lte(now))
        .into_tuple()
        .all(db)
        .await?;
    let mut per_month = vec![0u32; months.len()];
    for at in published.into_iter().flatten() {
        if let Some(i) = month_of(&months, at, tz) {
            per_month[i] += 1;
        }
    }

    let searches = if view.searches {
        let since = (now.with_timezone(&tz).date_naive()) - Duration::days(SEARCH_DAYS - 1);
        let rows = crate::search::misses::list(db, clinic.id, since, 5_000).await?;
        let rows: Vec<(String, i32)> = rows.into_iter().map(|r| (r.query, r.count)).collect();
        Some(top_searches(&rows, TOP_SEARCHES))
    } else {
        None
    };

    let weeks: Vec<DashboardCount> = weeks
        .iter()
        .enumerate()
        .map(|(i, w)| DashboardCount {
            key: w.to_string(),
            label: w.format("%b %-d").to_string(),
            count: offices.iter().map(|o| o.per_week[i]).sum(),
        })
        .collect();
    let months: Vec<DashboardCount> = months
        .iter()
        .zip(per_month)
        .map(|(m, count)| DashboardCount {
            key: m.format("%Y-%m").to_string(),
            label: m.format("%b %Y").to_string(),
            count,
        })
        .collect();

    let mut page = DashboardPage {
        clinic_name: clinic.name.clone(),
        timezone: tz.name().to_string(),
        clinic_wide: view.clinic_wide,
        target_minutes: target,
        target_text: target_text(target),
        weeks,
        offices,
        months,
        searches,
        can_read_leads: view.can_read_leads,
        ..Default::default()
    };
    page.leads_chart = svg::leads_chart(&page);
    page.response_chart = svg::response_chart(&page);
    page.posts_chart = svg::posts_chart(&page);
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::authz::{Grant, Role};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[], 90), None);
        assert_eq!(percentile(&[42], 50), Some(42));
        assert_eq!(percentile(&[42], 90), Some(42));
        assert_eq!(percentile(&[30, 10], 50), Some(10));
        assert_eq!(percentile(&[5, 1, 4, 2, 3], 50), Some(3));
        let hundred: Vec<i64> = (1..=100).rev().collect();
        assert_eq!(percentile(&hundred, 90), Some(90));
        assert_eq!(percentile(&hundred, 50), Some(50));
        assert_eq!(percentile(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90), Some(10));
        assert_eq!(percentile(&[7, 8], 0), Some(7));
        assert_eq!(percentile(&[7, 8], 100), Some(8));
    }

    #[test]
    fn twelve_iso_weeks_across_the_new_year() {
        let tz: Tz = "America/Los_Angeles".parse().unwrap();
        // Friday 2027-01-08, 03:00 UTC is still Thursday the 7th in California.
        let now = at("2027-01-08T03:00:00Z");
        let weeks = week_starts(now, tz, 12);
        assert_eq!(weeks.len(), 12);
        assert_eq!(weeks[11], NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(), "ISO week 1 of 2027 starts Monday Jan 4");
        assert_eq!(weeks[10], NaiveDate::from_ymd_opt(2026, 12, 28).unwrap(), "week 53 of 2026 spans the new year");
        assert_eq!(weeks[0], NaiveDate::from_ymd_opt(2026, 10, 19).unwrap());
        assert!(weeks.iter().all(|w| w.weekday() == chrono::Weekday::Mon));
        // New Year's Day (a Friday) belongs to the week of Monday Dec 28.
        assert_eq!(week_of(&weeks, at("2027-01-01T18:00:00Z"), tz), Some(10));
        // Sunday Jan 3, 23:30 in California is Monday Jan 4 in UTC: still the old week.
        assert_eq!(week_of(&weeks, at("2027-01-04T07:30:00Z"), tz), Some(10));
        assert_eq!(week_of(&weeks, at("2027-01-04T08:30:00Z"), tz), Some(11));
        // Before the first week: not counted.
        assert_eq!(week_of(&weeks, at("2026-10-19T06:59:00Z"), tz), None);
        assert_eq!(week_of(&weeks, at("2026-10-19T07:00:00Z"), tz), Some(0));
        assert_eq!(day_start(weeks[0], tz), at("2026-10-19T07:00:00Z"));
    }

    #[test]
    fn weeks_across_a_clock_change() {
        let tz: Tz = "America/Chicago".parse().unwrap();
        // Clocks fall back on Sunday 2026-11-01 at 02:00 CDT.
        let now = at("2026-11-04T15:00:00Z");
        let weeks = week_starts(now, tz, 12);
        assert_eq!(weeks[11], NaiveDate::from_ymd_opt(2026, 11, 2).unwrap());
        // Sunday Nov 1, 23:30 CST (= 05:30 UTC Monday) is still the week of Oct 26.
        assert_eq!(week_of(&weeks, at("2026-11-02T05:30:00Z"), tz), Some(10));
        assert_eq!(week_of(&weeks, at("2026-11-02T06:00:00Z"), tz), Some(11));
        // The week before started at midnight CDT (05:00 UTC), the new one at midnight CST (06:00 UTC).
        assert_eq!(day_start(weeks[10], tz), at("2026-10-26T05:00:00Z"));
        assert_eq!(day_start(weeks[11], tz), at("2026-11-02T06:00:00Z"));
        // A zone whose clocks skip midnight: the day starts at 01:00.
        let santiago: Tz = "America/Santiago".parse().unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 9, 6).unwrap();
        assert_eq!(day_start(d, santiago).with_timezone(&santiago).format("%H:%M").to_string(), "01:00");
    }

    #[test]
    fn twelve_months_across_the_new_year() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let months = month_starts(at("2026-12-31T23:30:00Z"), tz, 12);
        assert_eq!(months[11], NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(), "already January in Berlin");
        assert_eq!(months[0], NaiveDate::from_ymd_opt(2026, 2, 1).unwrap());
        assert_eq!(month_of(&months, at("2026-12-31T22:59:00Z"), tz), Some(10));
        assert_eq!(month_of(&months, at("2026-01-31T12:00:00Z"), tz), None);
    }

    /// Weekdays 09:00–17:00 in UTC.
    fn weekdays() -> Clock {
        let days = ["mon", "tue", "wed", "thu", "fri"].map(|d| (d, "09:00-17:00"));
        (WeeklyHours::parse(days).unwrap(), Tz::UTC)
    }

    fn lead(received: &str, answered: Option<&str>, status: &str) -> lead::Model {
        lead::Model {
            id: 1,
            clinic_id: 1,
            location_id: Some(10),
            reference: "T-1".into(),
            kind: "contact".into(),
            status: status.into(),
            name: String::new(),
            email: String::new(),
            phone: String::new(),
            contact_method: String::new(),
            message: String::new(),
            zip: String::new(),
            preferred_days: "[]".into(),
            preferred_times: "[]".into(),
            patient: String::new(),
            wants_receipt: false,
            consent_version: String::new(),
            consent_text: String::new(),
            source_path: String::new(),
            utm_source: None,
            utm_medium: None,
            utm_campaign: None,
            routed_by: String::new(),
            spam_reasons: None,
            ip_hash: String::new(),
            assignee_id: None,
            received_at: at(received),
            first_response_at: answered.map(at),
            closed_at: None,
            escalated_at: None,
            erased_at: None,
        }
    }

    #[test]
    fn figures_in_business_time_with_waiting_requests_still_running() {
        let o = weekdays();
        let tz = Tz::UTC;
        // Wednesday 2026-12-09, 15:00 UTC.
        let now = at("2026-12-09T15:00:00Z");
        let weeks = week_starts(now, tz, 12);
        let leads = [
            // Monday 10:00 → 11:00: 60 business minutes.
            lead("2026-12-07T10:00:00Z", Some("2026-12-07T11:00:00Z"), "contacted"),
            // Friday 16:00 → Monday 10:00: one hour on Friday and one on Monday, not the weekend.
            lead("2026-12-04T16:00:00Z", Some("2026-12-07T10:00:00Z"), "closed"),
            // Still waiting since Tuesday 09:00: 8 h Tuesday + 6 h Wednesday so far.
            lead("2026-12-08T09:00:00Z", None, "new"),
            // Closed without an answer: not a response time.
            lead("2026-12-08T09:00:00Z", None, "closed"),
        ];
        let recent: Vec<&lead::Model> = leads.iter().collect();
        let open: Vec<&lead::Model> = leads.iter().filter(|l| l.first_response_at.is_none() && is_open(l)).collect();
        let f = office_figures(Some(10), "Office 10", &o, &recent, &open, &weeks, tz, 240, now);
        assert_eq!(f.per_week[11], 3);
        assert_eq!(f.per_week[10], 1);
        assert_eq!(f.per_week.iter().sum::<u32>(), 4);
        assert_eq!((f.answered, f.waiting), (2, 1));
        assert_eq!(f.median_minutes, Some(120));
        assert_eq!(f.p90_minutes, Some(14 * 60));
        assert_eq!(f.overdue_now, 1, "waiting 14 business hours against a 4-hour target");
        let none = office_figures(Some(10), "Office 10", &o, &[], &[], &weeks, tz, 240, now);
        assert_eq!((none.median_minutes, none.p90_minutes, none.overdue_now), (None, None, 0));
        assert_eq!(none.per_week, vec![0; 12]);
    }

    #[test]
    fn overdue_counts_escalated_requests_too() {
        let o = weekdays();
        let mut l = lead("2026-12-07T09:00:00Z", None, "new");
        l.escalated_at = Some(at("2026-12-07T13:00:00Z"));
        assert!(overdue_now(&l, &o, 240, at("2026-12-07T13:00:00Z")));
        assert!(!overdue_now(&l, &o, 240, at("2026-12-07T12:59:00Z")));
        l.status = "spam".into();
        assert!(!overdue_now(&l, &o, 240, at("2026-12-08T13:00:00Z")));
    }

    #[test]
    fn staff_see_their_offices_marketers_and_admins_all() {
        let grant = |role, location_id| Grant { clinic_id: 1, role, location_id };
        let staff = Principal { user_id: 1, grants: vec![grant(Role::Staff, Some(10))], ..Principal::default() };
        let v = View::of(&staff, 1, &[10, 11]).unwrap();
        assert!(!v.clinic_wide && !v.searches && v.can_read_leads);
        assert_eq!(v.offices, vec![10]);
        assert!(v.covers(Some(10)) && !v.covers(Some(11)) && !v.covers(None));
        assert_eq!(View::of(&staff, 2, &[20]), None, "another clinic");
        let marketer = Principal { user_id: 2, grants: vec![grant(Role::Marketer, None)], ..Principal::default() };
        let v = View::of(&marketer, 1, &[10, 11]).unwrap();
        assert!(v.clinic_wide && v.searches && !v.can_read_leads);
        assert!(v.covers(None) && v.covers(Some(11)));
        let admin = Principal { user_id: 3, grants: vec![grant(Role::Admin, None)], ..Principal::default() };
        assert!(View::of(&admin, 1, &[]).unwrap().clinic_wide);
        let owner = Principal { user_id: 4, owner: true, ..Principal::default() };
        assert!(View::of(&owner, 1, &[10]).unwrap().clinic_wide);
    }

    #[test]
    fn searches_summed_over_days_top_first() {
        let rows =
            vec![("knee".to_string(), 2), ("back".to_string(), 1), ("knee".to_string(), 3), ("acne".to_string(), 1)];
        let top = top_searches(&rows, 2);
        assert_eq!(top.iter().map(|c| (c.label.as_str(), c.count)).collect::<Vec<_>>(), [("knee", 5), ("acne", 1)]);
    }

    #[test]
    fn business_minutes_in_words() {
        assert_eq!(minutes_text(45), "45 min");
        assert_eq!(minutes_text(120), "2 h");
        assert_eq!(minutes_text(185), "3 h 05 min");
    }
}
