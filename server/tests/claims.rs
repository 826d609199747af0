//! Background work shared by several server processes on one database, on
//! SQLite and PostgreSQL: the outbox's claims are leases judged by the
//! database's clock (a process whose clock runs ahead takes nothing
//! another holds; a claim left by a killed process is taken over once it
//! has run out), two outbox workers at once deliver each row once, two
//! scheduled publishers at once publish a post once, and two retention
//! runs at once delete each old lead once, and two escalation runs at once,
//! each by the database's clock, escalate an overdue lead once (at given
//! instants: leads_lifecycle.rs). A process clock ten minutes ahead of the
//! database's is warned about once, and its return within bounds noted.

mod common;

use chrono::{Duration, SubsecRound, Utc};
use clinicpress::db::clock;
use clinicpress::entities::{audit_log, clinic, lead, outbox, post};
use clinicpress::leads::outbox::{Notice, Outbox, SENT, enqueue_test};
use clinicpress::leads::{escalation, retention, store};
use clinicpress::mail::Mailer;
use common::each_db;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};

async fn pmc(db: &DatabaseConnection) -> clinic::Model {
    clinic::Entity::find().filter(clinic::Column::Slug.eq("pmc")).one(db).await.unwrap().unwrap()
}

async fn queue(db: &DatabaseConnection, clinic_id: i32, n: usize) -> Vec<outbox::Model> {
    let mut rows = Vec::new();
    for i in 0..n {
        let notice = Notice { subject: format!("Test {i}"), body: "A test.".into() };
        rows.push(enqueue_test(db, clinic_id, &format!("inbox-{i}@pmc.example"), &notice, Utc::now()).await.unwrap());
    }
    rows
}

fn mails_in(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.flatten().count()).unwrap_or(0)
}

async fn set_claim(db: &DatabaseConnection, row: &outbox::Model, until: chrono::DateTime<Utc>) {
    let mut am = row.clone().into_active_model();
    am.claimed_until = Set(Some(until));
    am.update(db).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbox_leases_are_judged_by_the_database_clock() {
    each_db(|t| async move {
        let db = &t.db;
        common::with_demo(db).await;
        let c = pmc(db).await;
        let row = queue(db, c.id, 1).await.remove(0);
        let mail = tempfile::tempdir().unwrap();
        let worker = Outbox::new(db.clone(), Mailer::files(mail.path().to_path_buf()));
        let db_now = clinicpress::db::clock::now(db).await.unwrap();
        assert!((db_now - Utc::now()).abs() < Duration::seconds(5), "the database's clock: {db_now}");

        // Another process holds the row for another minute. A process whose
        // clock runs ten minutes ahead finds it due, but not unclaimed.
        let held = (db_now + Duration::seconds(60)).trunc_subsecs(0);
        set_claim(db, &row, held).await;
        assert_eq!(
            worker.run_once(Utc::now() + Duration::minutes(10)).await.unwrap(),
            0,
            "a skewed clock takes nothing"
        );
        let still = outbox::Entity::find_by_id(row.id).one(db).await.unwrap().unwrap();
        assert_eq!((still.state.as_str(), still.claimed_until), ("pending", Some(held)));
        assert_eq!(mails_in(mail.path()), 0);

        // The holder was killed: once its lease has run out, the row is taken over and sent once.
        set_claim(db, &row, db_now - Duration::seconds(1)).await;
        assert_eq!(worker.run_once(Utc::now()).await.unwrap(), 1, "an expired claim is taken over");
        let sent = outbox::Entity::find_by_id(row.id).one(db).await.unwrap().unwrap();
        assert_eq!((sent.state.as_str(), sent.claimed_until, sent.attempts), (SENT, None, 1));
        assert_eq!(mails_in(mail.path()), 1);
        assert_eq!(worker.run_due().await.unwrap(), 0, "nothing left");
        t
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_clock_off_from_the_database_clock_is_warned_about_once() {
    each_db(|t| async move {
        let db = &t.db;
        // This process and the database agree (on PostgreSQL, one machine's clock read twice).
        let reading = clock::read(db, Utc::now).await.unwrap().expect("the database answers within the tolerance");
        assert!(reading.skew().abs() <= clock::SKEW_TOLERANCE, "{reading:?}");
        assert_eq!(clock::skew_verdict(reading, None), (None, None), "nothing to say");

        // The process's clock jumps ten minutes ahead: one WARN line, with both times.
        let ahead = || Utc::now() + Duration::minutes(10);
        let reading = clock::read(db, ahead).await.unwrap().unwrap();
        let (warned, line) = clock::skew_verdict(reading, None);
        let line = line.expect("a warning");
        assert_eq!(line.level, tracing::Level::WARN);
        assert!(line.message.contains("s ahead of the database's"), "{}", line.message);
        let db_time = reading.db.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        assert!(line.message.contains(&format!("the database {db_time}")), "{}", line.message);
        let skew = warned.expect("remembered");
        assert!((skew - Duration::minutes(10)).abs() <= clock::SKEW_TOLERANCE, "{skew}");
        // A minute later the skew is the same: not said again.
        let reading = clock::read(db, ahead).await.unwrap().unwrap();
        assert_eq!(clock::skew_verdict(reading, warned), (warned, None));

        // The clock is set right: one INFO line.
        let reading = clock::read(db, Utc::now).await.unwrap().unwrap();
        let (state, line) = clock::skew_verdict(reading, warned);
        assert_eq!(state, None);
        let line = line.expect("an all-clear");
        assert_eq!(line.level, tracing::Level::INFO);
        assert!(line.message.contains("agrees with the database's again"), "{}", line.message);
        t
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_outbox_workers_deliver_each_row_once() {
    each_db(|t| async move {
        let db = &t.db;
        common::with_demo(db).await;
        let c = pmc(db).await;
        let rows = queue(db, c.id, 30).await;
        let mail = tempfile::tempdir().unwrap();
        let a = Outbox::new(db.clone(), Mailer::files(mail.path().to_path_buf()));
        let b = Outbox::new(db.clone(), Mailer::files(mail.path().to_path_buf()));
        let mut tried = 0;
        // Rounds of 20: run both until nothing is left.
        for _ in 0..5 {
            let (x, y) = tokio::join!(a.run_due(), b.run_due());
            tried += x.unwrap() + y.unwrap();
        }
        assert_eq!(tried, rows.len(), "each row tried by exactly one worker");
        let sent = outbox::Entity::find().filter(outbox::Column::State.eq(SENT)).all(db).await.unwrap();
        assert_eq!(sent.len(), rows.len());
        assert!(sent.iter().all(|r| r.attempts == 1), "no row sent twice");
        assert_eq!(mails_in(mail.path()), rows.len(), "one mail per row");
        t
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_publishers_publish_a_due_post_once() {
    each_db(|t| async move {
        let db = &t.db;
        common::with_demo(db).await;
        let c = pmc(db).await;
        let p = post::Entity::find().filter(post::Column::ClinicId.eq(c.id)).one(db).await.unwrap().unwrap();
        // Scheduled for a minute ago by the database's clock: due.
        let due = clinicpress::db::clock::now(db).await.unwrap() - Duration::minutes(1);
        let mut am = p.clone().into_active_model();
        am.status = Set(clinicpress::entities::post::PostStatus::Scheduled);
        am.published_at = Set(Some(due));
        am.update(db).await.unwrap();
        let before =
            audit_log::Entity::find().filter(audit_log::Column::Action.eq("post.publish")).count(db).await.unwrap();

        let (x, y) =
            tokio::join!(clinicpress::posts::publisher::run_once(db), clinicpress::posts::publisher::run_once(db));
        assert_eq!(x + y, 1, "published by exactly one of them");
        let after =
            audit_log::Entity::find().filter(audit_log::Column::Action.eq("post.publish")).count(db).await.unwrap();
        assert_eq!(after, before + 1, "one audit line");
        let now = post::Entity::find_by_id(p.id).one(db).await.unwrap().unwrap();
        assert_eq!(now.status, clinicpress::entities::post::PostStatus::Published);
        assert_eq!(now.version, p.version + 1, "changed once");
        t
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_escalation_runs_by_the_database_clock_escalate_once() {
    each_db(|t| async move {
        let db = &t.db;
        common::with_demo(db).await;
        let c = pmc(db).await;
        // Sent to the default inbox (which counts every hour) five hours ago
        // by the database's clock: past the 4-hour target.
        let received = clinicpress::db::clock::now(db).await.unwrap() - Duration::hours(5);
        let prefix = clinicpress::leads::Prefix::for_clinic(&c.name, &c.slug);
        let l = lead::ActiveModel {
            clinic_id: Set(c.id),
            location_id: Set(None),
            reference: Set(clinicpress::leads::Reference::generate(&prefix).into_string()),
            kind: Set("contact".into()),
            status: Set("new".into()),
            name: Set("Ann Example".into()),
            email: Set("ann@example.com".into()),
            phone: Set(String::new()),
            contact_method: Set("email".into()),
            message: Set("Is the office open on Saturdays?".into()),
            zip: Set(String::new()),
            preferred_days: Set("[]".into()),
            preferred_times: Set("[]".into()),
            patient: Set(String::new()),
            wants_receipt: Set(false),
            consent_version: Set(store::DEFAULT_CONSENT_VERSION.into()),
            consent_text: Set(store::DEFAULT_CONSENT.into()),
            source_path: Set("/contact".into()),
            utm_source: Set(None),
            utm_medium: Set(None),
            utm_campaign: Set(None),
            routed_by: Set("clinic_default".into()),
            spam_reasons: Set(None),
            ip_hash: Set("0123456789abcdef".into()),
            assignee_id: Set(None),
            received_at: Set(received),
            first_response_at: Set(None),
            closed_at: Set(None),
            escalated_at: Set(None),
            erased_at: Set(None),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        let links = escalation::Links { https: false, port: 3000 };

        let (x, y) = tokio::join!(escalation::run_now(db, links), escalation::run_now(db, links));
        let mut both = x.unwrap();
        both.extend(y.unwrap());
        assert_eq!(both, [l.reference.as_str()], "escalated by exactly one run");
        let rows = outbox::Entity::find()
            .filter(outbox::Column::LeadId.eq(l.id))
            .filter(outbox::Column::Purpose.eq("escalation"))
            .count(db)
            .await
            .unwrap();
        assert!(rows >= 1, "the admins' e-mails are queued");
        assert!(escalation::run_now(db, links).await.unwrap().is_empty(), "and never again");
        let again = outbox::Entity::find()
            .filter(outbox::Column::LeadId.eq(l.id))
            .filter(outbox::Column::Purpose.eq("escalation"))
            .count(db)
            .await
            .unwrap();
        assert_eq!(again, rows, "no second set of e-mails");
        t
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_retention_runs_delete_each_lead_once() {
    each_db(|t| async move {
        let db = &t.db;
        common::with_demo(db).await;
        let now = Utc::now();
        // Twelve weeks of invented requests, some closed or spam long ago.
        clinicpress::demo::sample_leads(db, now).await.unwrap();
        let c = pmc(db).await;
        let mut s = store::settings(db, c.id).await.unwrap().into_active_model();
        s.retention_days = Set(Some(7));
        s.update(db).await.unwrap();
        let count = || lead::Entity::find().filter(lead::Column::ClinicId.eq(c.id)).count(db);
        let before = count().await.unwrap();

        let (x, y) = tokio::join!(retention::run(db, now), retention::run(db, now));
        // SQLite has no row locks: the run that loses the write lock fails
        // (and would run again the next day); PostgreSQL's waits, then finds the rows gone.
        assert!(x.is_ok() || y.is_ok(), "{x:?} {y:?}");
        let runs: Vec<u64> =
            [x, y].into_iter().filter_map(Result::ok).flatten().filter(|(id, _)| *id == c.id).map(|(_, n)| n).collect();
        let deleted: u64 = runs.iter().sum();
        let after = count().await.unwrap();
        assert!(deleted > 0, "the demo has old closed and spam requests");
        assert_eq!(before - after, deleted, "each deleted lead counted once");
        let lines = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("lead.retention"))
            .filter(audit_log::Column::ClinicId.eq(c.id))
            .count(db)
            .await
            .unwrap();
        assert_eq!(lines, runs.len() as u64, "one audit line per run that deleted something");
        assert!(retention::run(db, now).await.unwrap().is_empty(), "nothing left to delete");
        t
    })
    .await;
}
