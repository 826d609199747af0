//! Offices as visitors see them: address, phone, today's hours and
//! whether they are open now, in each office's own time zone.

use app::model::{LocationDetail, LocationSummary, PostSummary};
use app::text::url_encode;
use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::hours::{WeeklyHours, local_now};
use crate::entities::location;
use crate::slugs::phone_href;

/// The office's stored weekly hours and holiday closures.
pub fn hours_of(m: &location::Model) -> WeeklyHours {
    let mut hours = serde_json::from_str::<std::collections::BTreeMap<String, String>>(&m.hours)
        .ok()
        .and_then(|map| WeeklyHours::parse(map.iter().map(|(k, v)| (k.as_str(), v.as_str()))).ok())
        .unwrap_or_default();
    hours.closures = serde_json::from_str(&m.closures).unwrap_or_default();
    hours
}

/// How far ahead an office card announces a closure, in days.
const CLOSURE_NOTICE_DAYS: i64 = 21;

pub fn tz_of(m: &location::Model) -> Tz {
    m.timezone.parse().unwrap_or(chrono_tz::UTC)
}

pub fn json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

pub fn summary(m: &location::Model, now: DateTime<Utc>) -> LocationSummary {
    let hours = hours_of(m);
    let tz = tz_of(m);
    let status = hours.status_at(tz, now);
    let today = local_now(tz, now).date_naive();
    let closure_notice = hours
        .upcoming_closures(today)
        .find(|c| c.from > today && (c.from - today).num_days() <= CLOSURE_NOTICE_DAYS)
        .map(|c| format!("Closed {}", c.text()));
    LocationSummary {
        slug: m.slug.clone(),
        name: m.name.clone(),
        address: m.address.clone(),
        phone: m.phone.clone(),
        phone_href: phone_href(&m.phone).unwrap_or_default(),
        today_hours: hours.day_text_on(today),
        open_now: status.is_open(),
        status_text: status.to_string(),
        map_url: format!("https://www.openstreetmap.org/search?query={}", url_encode(&m.address)),
        closure_notice,
    }
}

pub fn detail(m: &location::Model, now: DateTime<Utc>, recent_posts: Vec<PostSummary>) -> LocationDetail {
    let hours = hours_of(m);
    let tz = tz_of(m);
    let today = local_now(tz, now).weekday();
    LocationDetail {
        summary: summary(m, now),
        weekly_hours: hours.table(),
        today: hours.table()[today.num_days_from_monday() as usize].0.clone(),
        timezone: m.timezone.clone(),
        timezone_label: super::hours::zone_label(tz, now),
        zip_codes: json_list(&m.zip_codes),
        closures: hours.upcoming_closures(local_now(tz, now).date_naive()).map(|c| c.text()).collect(),
        recent_posts,
        now: crate::posts::read::shown_time(now),
        json_ld: String::new(),
    }
}

/// The clinic's offices on its public site (archived ones are not), in order.
pub async fn all<C: ConnectionTrait>(db: &C, clinic_id: i32) -> Result<Vec<location::Model>, DbErr> {
    location::Entity::find()
        .filter(location::Column::ClinicId.eq(clinic_id))
        .filter(location::Column::ArchivedAt.is_null())
        .order_by_asc(location::Column::Position)
        .order_by_asc(location::Column::Name)
        .all(db)
        .await
}

/// One office of the public site (an archived one is not found).
pub async fn by_slug<C: ConnectionTrait>(db: &C, clinic_id: i32, slug: &str) -> Result<Option<location::Model>, DbErr> {
    location::Entity::find()
        .filter(location::Column::ClinicId.eq(clinic_id))
        .filter(location::Column::ArchivedAt.is_null())
        .filter(location::Column::Slug.eq(slug))
        .one(db)
        .await
}
