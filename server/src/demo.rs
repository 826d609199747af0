//! `serve --demo`: on an empty database, load the demo clinics and posts
//! that ship in `server/demo/` (compiled into the binary).

use include_dir::{Dir, include_dir};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::clinics::provision;
use crate::entities::clinic;
use crate::posts::{front_matter, store};

/// The password of the demo users (documented in the README; demo only).
pub const DEMO_PASSWORD: &str = "demo-password-2026";

static DEMO: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/demo");

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Provision(#[from] provision::ProvisionError),
    #[error("demo post {file}: {message}")]
    Post { file: String, message: String },
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// Load the demo if there is no clinic yet. Returns whether it loaded.
pub async fn load_if_empty(db: &DatabaseConnection) -> Result<bool, DemoError> {
    if clinic::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    load(db).await?;
    sample_leads(db, chrono::Utc::now()).await?;
    Ok(true)
}

/// Invented requests of the last 12 weeks for `serve --demo`, so the inbox
/// and the dashboard have something to show: most answered within the
/// target (the answer placed in the office's opening hours), Walnut Creek
/// slower, a few waiting now, a little spam. Every name and message is
/// made up here; the addresses are `example.com`. Old unanswered ones are
/// marked as already escalated, so starting the demo sends no e-mails.
pub async fn sample_leads(db: &DatabaseConnection, now: chrono::DateTime<chrono::Utc>) -> Result<(), DemoError> {
    use chrono::{Datelike, Duration, TimeZone};
    use sea_orm::{ActiveModelTrait, QueryOrder, Set};

    use crate::entities::{lead, location};
    use crate::leads::{Prefix, Reference, clock, inbox::office_clock};

    const NAMES: [&str; 12] = [
        "Alex Rivera",
        "Priya Natarajan",
        "Tom Becker",
        "Grace Liu",
        "Samuel Osei",
        "Hannah Kowalski",
        "Diego Marín",
        "Aisha Bello",
        "Peter Lund",
        "Noor Haddad",
        "Claire Dubois",
        "Ken Watanabe",
    ];
    const MESSAGES: [&str; 8] = [
        "I would like a first appointment for lower back pain that has lasted about three months.",
        "Do you accept new patients in the mornings? Tuesdays and Thursdays suit me best.",
        "Could someone call me about moving my follow-up visit to next week?",
        "My doctor referred me to you. What should I bring to the first visit?",
        "Is there parking near the office, and is the entrance step-free?",
        "I have a question about the forms I was sent before my visit.",
        "Could I get an appointment for my father? He prefers afternoons.",
        "Please send me information about the physical therapy programme.",
    ];
    /// A small deterministic generator (the demo looks the same every time).
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }

    let txn = crate::db::begin_write(db).await?;
    let clinics = clinic::Entity::find().order_by_asc(clinic::Column::Id).all(&txn).await?;
    let mut rng = Rng(2026);
    for c in clinics {
        let prefix = Prefix::for_clinic(&c.name, &c.slug);
        let offices = location::Entity::find()
            .filter(sea_orm::ColumnTrait::eq(&location::Column::ClinicId, c.id))
            .order_by_asc(location::Column::Id)
            .all(&txn)
            .await?;
        for (n, office) in offices.iter().enumerate() {
            let (hours, tz) = office_clock(Some(office));
            // Walnut Creek answers slowly; everyone else mostly within 4 business hours.
            let slow = office.slug == "walnut-creek";
            let mut forgot = false;
            for day_back in (0..84i64).rev() {
                let day = (now.with_timezone(&tz) - Duration::days(day_back)).date_naive();
                let weekend = day.weekday().num_days_from_monday() >= 5;
                // About one request a working day per office, fewer at the weekend.
                let chance = if weekend { 2 } else { 6 + n as u64 % 3 };
                if rng.below(10) >= chance {
                    continue;
                }
                let minute = 7 * 60 + rng.below(13 * 60) as u32;
                let Some(received) = tz
                    .with_ymd_and_hms(day.year(), day.month(), day.day(), minute / 60, minute % 60, 0)
                    .earliest()
                    .map(|t| t.with_timezone(&chrono::Utc))
                else {
                    continue;
                };
                if received >= now {
                    continue;
                }
                let spam = rng.below(25) == 0;
                // Business minutes to the first answer: each office has its own pace.
                let business = match (slow, n % 3) {
                    (true, _) => 60 + rng.below(420),
                    (false, 0) => 10 + rng.below(130),
                    (false, 1) => 30 + rng.below(260),
                    _ => 20 + rng.below(190),
                } as u32;
                // In every other office (Walnut Creek, Oak Park) a request from
                // three to nine days ago was overlooked (overdue now), now and
                // then another one.
                let forgotten = n % 2 == 1 && (3..10).contains(&day_back) && !spam && (!forgot || rng.below(12) == 0);
                forgot |= forgotten;
                let answer =
                    clock::due_at(received, business, &hours, tz).filter(|at| *at < now && !spam && !forgotten);
                let status = match (spam, answer, rng.below(3)) {
                    (true, _, _) => "spam",
                    (_, None, _) => "new",
                    (_, Some(_), 0) => "contacted",
                    (_, Some(_), 1) => "scheduled",
                    _ => "closed",
                };
                let escalated = match answer {
                    None if !spam => {
                        clock::due_at(received, clock::DEFAULT_TARGET_MINUTES, &hours, tz).filter(|due| *due <= now)
                    }
                    _ => None,
                };
                // Not answered yet and not yet due: left out, so the demo never
                // sends an escalation e-mail (every waiting request is overdue and
                // already marked escalated).
                if !spam && answer.is_none() && escalated.is_none() {
                    continue;
                }
                let name = NAMES[rng.below(NAMES.len() as u64) as usize];
                let first = name.split(' ').next().unwrap_or("patient").to_lowercase();
                let kind = if rng.below(2) == 0 { "appointment" } else { "contact" };
                let l = lead::ActiveModel {
                    clinic_id: Set(c.id),
                    location_id: Set(Some(office.id)),
                    reference: Set(Reference::generate(&prefix).into_string()),
                    kind: Set(kind.into()),
                    status: Set(status.into()),
                    name: Set(if spam { "Best SEO Offer".into() } else { name.into() }),
                    email: Set(format!("{first}.{}@example.com", rng.below(900) + 100)),
                    phone: Set(format!("(555) 010-{:04}", rng.below(10_000))),
                    contact_method: Set(if rng.below(2) == 0 { "email" } else { "phone" }.into()),
                    message: Set(if spam {
                        "Cheap backlinks for your website, reply for prices.".into()
                    } else {
                        MESSAGES[rng.below(MESSAGES.len() as u64) as usize].into()
                    }),
                    zip: Set(String::new()),
                    preferred_days: Set("[]".into()),
                    preferred_times: Set("[]".into()),
                    patient: Set(if kind == "contact" {
                        ""
                    } else if rng.below(2) == 0 {
                        "new"
                    } else {
                        "returning"
                    }
                    .into()),
                    wants_receipt: Set(false),
                    consent_version: Set(crate::leads::store::DEFAULT_CONSENT_VERSION.into()),
                    consent_text: Set(crate::leads::store::DEFAULT_CONSENT.into()),
                    source_path: Set(format!("/locations/{}", office.slug)),
                    utm_source: Set(None),
                    utm_medium: Set(None),
                    utm_campaign: Set(None),
                    routed_by: Set("chosen_office".into()),
                    spam_reasons: Set(spam.then(|| r#"["sent 1 second after the form was shown"]"#.to_string())),
                    ip_hash: Set(format!("{:016x}", rng.below(u64::MAX >> 1))),
                    assignee_id: Set(None),
                    received_at: Set(received),
                    first_response_at: Set(answer),
                    closed_at: Set(answer.filter(|_| status == "closed").map(|a| a + Duration::hours(1))),
                    escalated_at: Set(escalated),
                    erased_at: Set(None),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                let from = if spam { "Received; held as spam" } else { "Received (demo request)" };
                crate::leads::store::event(&txn, &l, received, "received", from).await?;
            }
        }
    }
    // Searches that found nothing, for the dashboard and the Searches page.
    let searches: [(&str, &[(&str, i32)]); 2] = [
        (
            "pmc",
            &[
                ("ketamine infusion", 6),
                ("sciatica exercises", 4),
                ("medicare coverage", 3),
                ("parking", 2),
                ("tens unit", 1),
            ],
        ),
        ("lakeside", &[("botox price", 5), ("mole check cost", 4), ("laser hair removal", 3), ("rosacea diet", 2)]),
    ];
    for (slug, rows) in searches {
        let Some(c) =
            clinic::Entity::find().filter(sea_orm::ColumnTrait::eq(&clinic::Column::Slug, slug)).one(&txn).await?
        else {
            continue;
        };
        for (i, (query, count)) in rows.iter().enumerate() {
            crate::entities::search_miss::ActiveModel {
                clinic_id: Set(c.id),
                day: Set((now - Duration::days(i as i64 * 3)).date_naive()),
                query: Set((*query).to_string()),
                count: Set(*count),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

pub async fn load(db: &DatabaseConnection) -> Result<(), DemoError> {
    let source =
        DEMO.get_file("provision.toml").and_then(|f| f.contents_utf8()).expect("demo/provision.toml is compiled in");
    let plan = provision::plan("demo/provision.toml", source, |var| {
        (var == "CLINICPRESS_DEMO_PASSWORD").then(|| DEMO_PASSWORD.to_string())
    })?;
    provision::apply(db, plan).await?;

    let now = chrono::Utc::now();
    let posts = DEMO.get_dir("posts").expect("demo/posts is compiled in");
    let txn = crate::db::begin_write(db).await?;
    for clinic_dir in posts.dirs() {
        let slug = clinic_dir.path().file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let Some(c) =
            clinic::Entity::find().filter(sea_orm::ColumnTrait::eq(&clinic::Column::Slug, slug)).one(&txn).await?
        else {
            continue;
        };
        let mut files: Vec<_> = clinic_dir.files().collect();
        files.sort_by_key(|f| f.path());
        for f in files {
            let name = f.path().display().to_string();
            let mut draft = front_matter::parse_file(f.contents())
                .map_err(|e| DemoError::Post { file: name.clone(), message: e.to_string() })?;
            keep_scheduled_ahead(&mut draft, now);
            store::save(&txn, c.id, &draft, now)
                .await
                .map_err(|e| DemoError::Post { file: name.clone(), message: e.to_string() })?;
        }
    }
    txn.commit().await?;
    Ok(())
}

use sea_orm::QueryFilter;

/// A demo post marked "scheduled" whose date has passed would be published
/// by the background publisher seconds after start; keep it two weeks
/// ahead so the demo always shows a scheduled post.
fn keep_scheduled_ahead(draft: &mut front_matter::PostDraft, now: chrono::DateTime<chrono::Utc>) {
    if draft.status == crate::entities::PostStatus::Scheduled && draft.published_at.is_none_or(|at| at <= now) {
        draft.published_at = Some(now + chrono::Duration::days(14));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_scheduled_demo_posts_move_ahead() {
        let src = "---\ntitle: T\ndate: 2020-01-01T00:00:00Z\nstatus: scheduled\n---\nBody\n";
        let mut d = front_matter::parse_file(src.as_bytes()).unwrap();
        let now = chrono::Utc::now();
        keep_scheduled_ahead(&mut d, now);
        assert_eq!(d.published_at, Some(now + chrono::Duration::days(14)));
        let future = now + chrono::Duration::days(30);
        d.published_at = Some(future);
        keep_scheduled_ahead(&mut d, now);
        assert_eq!(d.published_at, Some(future), "a future date is kept");
    }
}
