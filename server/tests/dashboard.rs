//! The clinic dashboard over HTTP through the real router, on SQLite and
//! PostgreSQL: requests in two offices across the weeks, some answered,
//! give the figures in the server function's JSON; the page carries the
//! charts (SVG with title and description) and their tables; staff of one
//! office see only that office; other clinics' people and visitors are
//! refused.

mod common;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use clinicpress::dashboard::{self, week_starts};
use clinicpress::entities::{clinic, lead, location, search_miss};
use clinicpress::leads::{Prefix, Reference};
use common::each_db;
use common::web::*;
use http::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, Set};

const LA: chrono_tz::Tz = chrono_tz::America::Los_Angeles;

async fn office(db: &DatabaseConnection, clinic_id: i32, slug: &str) -> location::Model {
    location::Entity::find()
        .filter(location::Column::ClinicId.eq(clinic_id))
        .filter(location::Column::Slug.eq(slug))
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

/// `date` at `h:m` in California.
fn la(date: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    LA.from_local_datetime(&date.and_hms_opt(h, m, 0).unwrap()).earliest().unwrap().with_timezone(&Utc)
}

/// A request received at `at`, first answered at `answered`.
async fn lead_at(
    db: &DatabaseConnection,
    c: &clinic::Model,
    office: &location::Model,
    status: &str,
    at: DateTime<Utc>,
    answered: Option<DateTime<Utc>>,
) {
    lead::ActiveModel {
        clinic_id: Set(c.id),
        location_id: Set(Some(office.id)),
        reference: Set(Reference::generate(&Prefix::for_clinic(&c.name, &c.slug)).into_string()),
        kind: Set("contact".into()),
        status: Set(status.into()),
        name: Set("Ann Example".into()),
        email: Set("ann@example.com".into()),
        phone: Set(String::new()),
        contact_method: Set("email".into()),
        message: Set("A question.".into()),
        zip: Set(String::new()),
        preferred_days: Set("[]".into()),
        preferred_times: Set("[]".into()),
        patient: Set(String::new()),
        wants_receipt: Set(false),
        consent_version: Set("2026-12-01".into()),
        consent_text: Set("I agree.".into()),
        source_path: Set("/contact".into()),
        utm_source: Set(None),
        utm_medium: Set(None),
        utm_campaign: Set(None),
        routed_by: Set("chosen_office".into()),
        spam_reasons: Set(None),
        ip_hash: Set("0123456789abcdef".into()),
        assignee_id: Set(None),
        received_at: Set(at),
        first_response_at: Set(answered),
        closed_at: Set(None),
        escalated_at: Set(None),
        erased_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
}

fn office_json<'a>(page: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    page["offices"].as_array().unwrap().iter().find(|o| o["name"] == name).unwrap_or_else(|| panic!("{name} in {page}"))
}

#[test]
fn dashboard_figures_charts_and_who_sees_them() {
    common::block_on(each_db(|t| async move {
        let (app, _data) = common::demo_app(&t.db).await;
        let db = &t.db;
        let pmc = clinic::Entity::find().filter(clinic::Column::Slug.eq("pmc")).one(db).await.unwrap().unwrap();
        // Concord gets a name that must be escaped everywhere.
        let mut concord = office(db, pmc.id, "concord").await.into_active_model();
        concord.name = Set("Concord <O'Brien> & Co".into());
        let concord = concord.update(db).await.unwrap();
        let walnut = office(db, pmc.id, "walnut-creek").await;

        let now = Utc::now();
        let weeks = week_starts(now, LA, 12);
        let (mon9, mon8, mon10) = (weeks[9], weeks[8], weeks[10]);
        // Concord (Mon 08:30–17:00, Tue 08:30–12:30 and 13:30–17:00): 90, 180 and 30 business minutes.
        lead_at(db, &pmc, &concord, "contacted", la(mon9, 10, 0), Some(la(mon9, 11, 30))).await;
        let tue9 = mon9 + Duration::days(1);
        lead_at(db, &pmc, &concord, "closed", la(tue9, 10, 0), Some(la(tue9, 14, 0))).await;
        lead_at(db, &pmc, &concord, "scheduled", la(mon10, 9, 0), Some(la(mon10, 9, 30))).await;
        lead_at(db, &pmc, &concord, "spam", la(mon10, 9, 5), None).await;
        // Older than the 12 weeks: not counted.
        lead_at(db, &pmc, &concord, "closed", la(weeks[0] - Duration::days(3), 10, 0), Some(la(weeks[0], 9, 0))).await;
        // Walnut Creek: one answered in 45 minutes, one still waiting (long overdue).
        let thu8 = mon8 + Duration::days(3);
        lead_at(db, &pmc, &walnut, "contacted", la(thu8, 10, 0), Some(la(thu8, 10, 45))).await;
        lead_at(db, &pmc, &walnut, "new", la(mon8 + Duration::days(2), 9, 0), None).await;
        // Searches without results.
        for (query, count) in [("knee brace", 3), ("knee brace", 2), ("<script>alert(1)</script>", 1)] {
            let day = if count == 2 { now.date_naive() - Duration::days(1) } else { now.date_naive() };
            search_miss::ActiveModel {
                clinic_id: Set(pmc.id),
                day: Set(day),
                query: Set(query.into()),
                count: Set(count),
                ..Default::default()
            }
            .insert(db)
            .await
            .unwrap();
        }

        user(db, "boss@pmc.example", &["pmc:admin"]).await;
        user(db, "desk@pmc.example", &["pmc:staff:concord"]).await;
        user(db, "writer@lakeside.example", &["lakeside:marketer"]).await;
        let boss = sign_in(&app, "boss@pmc.example").await;

        // The figures, as the admin sees them.
        let a = send(&app, fn_post("/api/admin/get_dashboard", Some(&boss), "clinic=pmc")).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let page: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        assert_eq!(page["clinic_wide"], true);
        assert_eq!(page["timezone"], "America/Los_Angeles");
        assert_eq!(page["target_minutes"], 240);
        assert_eq!(page["weeks"].as_array().unwrap().len(), 12);
        assert_eq!(page["weeks"][9]["key"], mon9.to_string());
        assert_eq!(page["offices"].as_array().unwrap().len(), 3, "every office, also one without requests");
        let c = office_json(&page, "Concord <O'Brien> & Co");
        let per_week: Vec<u64> = c["per_week"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
        assert_eq!(per_week, [0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0], "spam and older requests left out");
        assert_eq!((c["median_minutes"].as_u64(), c["p90_minutes"].as_u64()), (Some(90), Some(180)));
        assert_eq!(
            (c["answered"].as_u64(), c["waiting"].as_u64(), c["overdue_now"].as_u64()),
            (Some(3), Some(0), Some(0))
        );
        let w = office_json(&page, "Walnut Creek");
        assert_eq!(w["per_week"][8], 2);
        assert_eq!(
            (w["answered"].as_u64(), w["waiting"].as_u64(), w["overdue_now"].as_u64()),
            (Some(1), Some(1), Some(1))
        );
        assert_eq!(w["median_minutes"], 45);
        assert!(w["p90_minutes"].as_u64().unwrap() > 240, "the waiting request counts with its time so far");
        let quiet = office_json(&page, "Pleasant Hill");
        assert_eq!((quiet["median_minutes"].is_null(), quiet["overdue_now"].as_u64()), (true, Some(0)));
        assert_eq!(page["weeks"][9]["count"], 2);
        let searches = page["searches"].as_array().expect("searches for an admin");
        assert_eq!((searches[0]["label"].as_str(), searches[0]["count"].as_u64()), (Some("knee brace"), Some(5)));
        assert_eq!(searches.len(), 2);
        // Posts per month: the demo's published posts of the last 12 months.
        let months = page["months"].as_array().unwrap();
        assert_eq!(months.len(), 12);
        let first = dashboard::day_start(
            NaiveDate::parse_from_str(&format!("{}-01", months[0]["key"].as_str().unwrap()), "%Y-%m-%d").unwrap(),
            LA,
        );
        let published = clinicpress::entities::post::Entity::find()
            .filter(clinicpress::entities::post::Column::ClinicId.eq(pmc.id))
            .filter(clinicpress::entities::post::Column::Status.eq(clinicpress::entities::PostStatus::Published))
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .filter(|p| p.published_at.is_some_and(|at| at >= first && at <= now))
            .count() as u64;
        assert_eq!(months.iter().map(|m| m["count"].as_u64().unwrap()).sum::<u64>(), published);
        for chart in ["leads_chart", "response_chart", "posts_chart"] {
            let svg = page[chart].as_str().unwrap();
            assert!(svg.starts_with("<svg") && svg.contains(r#"role="img""#), "{chart}");
            assert!(!svg.contains("<O'Brien>"), "{chart} escapes office names");
        }

        // The page, rendered on the server (works without JavaScript).
        let a = send(&app, get("/admin/pmc/dashboard", Some(&boss))).await;
        assert_eq!(a.status, StatusCode::OK);
        let html = a.body;
        for id in ["chart-leads", "chart-response", "chart-posts"] {
            assert!(html.contains(&format!(r#"aria-labelledby="{id}-title {id}-desc""#)), "{id} in the page");
            assert!(html.contains(&format!(r#"<title id="{id}-title">"#)), "{id} title");
            assert!(html.contains(&format!(r#"<desc id="{id}-desc">"#)), "{id} desc");
        }
        assert!(html.contains("Requests per office, last 12 weeks"));
        assert!(html.contains("<caption>Requests per office and week, last 12 weeks</caption>"));
        assert!(html.contains(r#"<th scope="col">Median</th>"#));
        assert!(html.contains("<details"), "tables in a disclosure under each chart");
        assert!(!html.contains("<O'Brien>") && !html.contains("<script>alert"), "names and searches escaped");
        assert!(html.contains("knee brace"));
        assert!(html.contains("business time"), "the page says how time is counted");
        assert!(html.contains(r#"href="/admin/pmc/dashboard""#), "linked from the admin bar");

        // Staff of Concord: only Concord, nothing clinic-wide.
        let desk = sign_in(&app, "desk@pmc.example").await;
        let a = send(&app, fn_post("/api/admin/get_dashboard", Some(&desk), "clinic=pmc")).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let page: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        assert_eq!(page["clinic_wide"], false);
        let names: Vec<&str> =
            page["offices"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Concord <O'Brien> & Co"]);
        assert!(page["searches"].is_null());
        assert_eq!(page["weeks"][8]["count"], 0, "Walnut Creek's requests are not counted for Concord's staff");
        assert!(!page["leads_chart"].as_str().unwrap().contains("Walnut Creek"));
        assert!(!page["response_chart"].as_str().unwrap().contains("Walnut Creek"));
        let a = send(&app, get("/admin/pmc/dashboard", Some(&desk))).await;
        assert_eq!(a.status, StatusCode::OK);
        // Office names may appear elsewhere on the page (the public site's links); never in the figures.
        let figures = a.body.split(r#"class="dash-grid""#).nth(1).expect("the figures");
        assert!(figures.contains("Concord &lt;O") && !figures.contains("Walnut Creek"));

        // Another clinic's marketer: 404; nobody signed in: 401 and the page asks to sign in.
        let writer = sign_in(&app, "writer@lakeside.example").await;
        let a = send(&app, fn_post("/api/admin/get_dashboard", Some(&writer), "clinic=pmc")).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.body);
        assert!(!a.body.contains("Concord"));
        let a = send(&app, fn_post("/api/admin/get_dashboard", None, "clinic=pmc")).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.body);
        let a = send(&app, get("/admin/pmc/dashboard", None)).await;
        assert!(
            a.status == StatusCode::SEE_OTHER && a.location.starts_with("/admin/login")
                || !a.body.contains("chart-response"),
            "anonymous: {} {}",
            a.status,
            a.location
        );
        t
    }));
}

/// `serve --demo` gives every office 12 weeks of requests, some waiting
/// and some overdue, and the clinics searches that found nothing.
#[test]
fn the_demo_gives_the_dashboard_something_to_show() {
    common::block_on(each_db(|t| async move {
        let db = &t.db;
        assert!(clinicpress::demo::load_if_empty(db).await.unwrap());
        for slug in ["pmc", "lakeside"] {
            let c = clinic::Entity::find().filter(clinic::Column::Slug.eq(slug)).one(db).await.unwrap().unwrap();
            let offices = location::Entity::find().filter(location::Column::ClinicId.eq(c.id)).all(db).await.unwrap();
            let view = dashboard::View { clinic_wide: true, searches: true, ..Default::default() };
            let page = dashboard::page(db, &c, &offices, &view, Utc::now()).await.unwrap();
            assert_eq!(page.offices.len(), offices.len(), "{slug}");
            for o in &page.offices {
                assert!(o.per_week.iter().sum::<u32>() >= 20, "{slug} {}: {:?}", o.name, o.per_week);
                assert!(o.median_minutes.is_some() && o.p90_minutes >= o.median_minutes);
            }
            assert!(page.offices.iter().map(|o| o.overdue_now).sum::<u32>() >= 1, "{slug}: something overdue");
            assert!(!page.searches.unwrap_or_default().is_empty(), "{slug}: searches");
            // Nothing waits to be escalated at start: no e-mails on the first minute.
            let due = clinicpress::leads::escalation::run(
                db,
                clinicpress::leads::escalation::Links { https: false, port: 3000 },
                Utc::now(),
            )
            .await
            .unwrap();
            assert!(due.is_empty(), "{slug}: {due:?}");
        }
        t
    }));
}
