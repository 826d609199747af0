//! Searches that found nothing, counted per clinic, day and query text —
//! what visitors wanted and the clinic has not written yet. Only the text
//! and a count are kept: no address, cookie or anything about the visitor.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entities::search_miss;

/// The form a query is counted under: trimmed, lower-case, single spaces,
/// no control characters, at most 200 characters.
pub fn normalise(q: &str) -> String {
    let text: String = q.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase().chars().take(200).collect()
}

/// Count one search that found nothing. Failures are logged, not raised:
/// the visitor still gets their (empty) results.
pub async fn record<C: ConnectionTrait>(db: &C, clinic_id: i32, q: &str, now: DateTime<Utc>) {
    let query = normalise(q);
    if query.is_empty() {
        return;
    }
    if let Err(e) = bump(db, clinic_id, now.date_naive(), &query).await {
        tracing::warn!(error = %e, "search: cannot count a search without results");
    }
}

async fn bump<C: ConnectionTrait>(db: &C, clinic_id: i32, day: NaiveDate, query: &str) -> Result<(), DbErr> {
    for _ in 0..2 {
        let updated = search_miss::Entity::update_many()
            .col_expr(search_miss::Column::Count, Expr::col(search_miss::Column::Count).add(1))
            .filter(search_miss::Column::ClinicId.eq(clinic_id))
            .filter(search_miss::Column::Day.eq(day))
            .filter(search_miss::Column::Query.eq(query))
            .exec(db)
            .await?;
        if updated.rows_affected > 0 {
            return Ok(());
        }
        let inserted = search_miss::Entity::insert(search_miss::ActiveModel {
            clinic_id: Set(clinic_id),
            day: Set(day),
            query: Set(query.to_string()),
            count: Set(1),
            ..Default::default()
        })
        .exec_without_returning(db)
        .await;
        match inserted {
            Ok(_) => return Ok(()),
            // Someone inserted the same row meanwhile: count on it.
            Err(_) => continue,
        }
    }
    Ok(())
}

/// A clinic's misses since `since`, most asked first (then newest).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    clinic_id: i32,
    since: NaiveDate,
    limit: u64,
) -> Result<Vec<search_miss::Model>, DbErr> {
    search_miss::Entity::find()
        .filter(search_miss::Column::ClinicId.eq(clinic_id))
        .filter(search_miss::Column::Day.gte(since))
        .order_by_desc(search_miss::Column::Count)
        .order_by_desc(search_miss::Column::Day)
        .order_by_asc(search_miss::Column::Query)
        .limit(limit)
        .all(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_counted_in_one_form() {
        assert_eq!(normalise("  Ketamine   for\tPTSD \u{0}"), "ketamine for ptsd");
        assert_eq!(normalise(&"x".repeat(500)).len(), 200);
    }
}
