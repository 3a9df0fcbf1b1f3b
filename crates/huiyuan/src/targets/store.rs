//! SQL for city targets and their history.

use serde::Serialize;
use serde_json::json;
use sqlx::FromRow;

use super::{Ranges, Target};
use crate::audit::{self, Entry, Who};
use crate::config::Settings;
use crate::storage::{Conn, OrgId, now_ms};

const COLUMNS: &str = "year, org_id, groups_min, groups_max, individuals_min, individuals_max, \
                       per_group_min, per_group_max, report_deadline, updated_at";

/// Give every active city a target for `year` from the settings, where it has none yet;
/// returns how many were added.
pub async fn ensure_year(conn: &mut Conn, settings: &Settings, year: i32) -> Result<u64, sqlx::Error> {
    let r = Ranges::from_settings(settings, year);
    let done = sqlx::query(
        "INSERT INTO city_target (year, org_id, groups_min, groups_max, individuals_min, individuals_max,
             per_group_min, per_group_max, report_deadline, updated_at)
         SELECT $1, o.id, $2, $3, $4, $5, $6, $7, $8, $9 FROM org o
         WHERE o.level = 'city' AND o.is_active = 1
         ON CONFLICT (year, org_id) DO NOTHING",
    )
    .bind(i64::from(year))
    .bind(r.groups_min)
    .bind(r.groups_max)
    .bind(r.individuals_min)
    .bind(r.individuals_max)
    .bind(r.per_group_min)
    .bind(r.per_group_max)
    .bind(&r.report_deadline)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// The targets `ensure_year` would give `year`: every active city's from the settings, in
/// the cities' order (nothing is written).
pub async fn from_settings(conn: &mut Conn, settings: &Settings, year: i32) -> Result<Vec<Target>, sqlx::Error> {
    let ranges = Ranges::from_settings(settings, year);
    let cities: Vec<(OrgId,)> =
        sqlx::query_as("SELECT id FROM org WHERE level = 'city' AND is_active = 1 ORDER BY sort_order, code")
            .fetch_all(&mut *conn)
            .await?;
    Ok(cities
        .into_iter()
        .map(|(org_id,)| Target { year: i64::from(year), org_id, ranges: ranges.clone(), updated_at: 0 })
        .collect())
}

/// The targets of `year`, in the cities' order.
pub async fn for_year(conn: &mut Conn, year: i32) -> Result<Vec<Target>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {} FROM city_target t JOIN org o ON o.id = t.org_id
         WHERE t.year = $1 ORDER BY o.sort_order, o.code",
        COLUMNS.split(", ").map(|c| format!("t.{}", c.trim())).collect::<Vec<_>>().join(", ")
    ))
    .bind(i64::from(year))
    .fetch_all(&mut *conn)
    .await
}

pub async fn find(conn: &mut Conn, year: i32, org: OrgId) -> Result<Option<Target>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM city_target WHERE year = $1 AND org_id = $2"))
        .bind(i64::from(year))
        .bind(org)
        .fetch_optional(&mut *conn)
        .await
}

/// A change of a city's target, as the history shows it.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Change {
    pub id: i64,
    pub before_values: String,
    pub after_values: String,
    pub reason: String,
    pub actor_name: String,
    pub at: i64,
}

impl Change {
    pub fn before(&self) -> Option<Ranges> {
        serde_json::from_str(&self.before_values).ok()
    }

    pub fn after(&self) -> Option<Ranges> {
        serde_json::from_str(&self.after_values).ok()
    }
}

/// The changes of a city's target for `year`, newest first.
pub async fn changes(conn: &mut Conn, year: i32, org: OrgId) -> Result<Vec<Change>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, before_values, after_values, reason, actor_name, at FROM city_target_change
         WHERE year = $1 AND org_id = $2 ORDER BY id DESC",
    )
    .bind(i64::from(year))
    .bind(org)
    .fetch_all(&mut *conn)
    .await
}

/// Set a city's target for `year` (already checked), keeping the change and an audit
/// record; `None` when the city has no target that year (not a city, or the year unused).
/// Setting the same values again changes nothing and records nothing.
pub async fn set(
    tx: &mut Conn,
    who: &Who,
    year: i32,
    org: (OrgId, &str),
    ranges: &Ranges,
    reason: &str,
) -> Result<Option<Target>, sqlx::Error> {
    let Some(before) = find(tx, year, org.0).await? else {
        return Ok(None);
    };
    if before.ranges == *ranges {
        return Ok(Some(before));
    }
    let now = now_ms();
    sqlx::query(
        "UPDATE city_target SET groups_min = $3, groups_max = $4, individuals_min = $5, individuals_max = $6,
             per_group_min = $7, per_group_max = $8, report_deadline = $9, updated_at = $10
         WHERE year = $1 AND org_id = $2",
    )
    .bind(i64::from(year))
    .bind(org.0)
    .bind(ranges.groups_min)
    .bind(ranges.groups_max)
    .bind(ranges.individuals_min)
    .bind(ranges.individuals_max)
    .bind(ranges.per_group_min)
    .bind(ranges.per_group_max)
    .bind(&ranges.report_deadline)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let (before_json, after_json) = (json!(before.ranges), json!(ranges));
    sqlx::query(
        "INSERT INTO city_target_change (year, org_id, before_values, after_values, reason, actor_id, actor_name, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(i64::from(year))
    .bind(org.0)
    .bind(before_json.to_string())
    .bind(after_json.to_string())
    .bind(reason)
    .bind(who.user_id)
    .bind(&who.name)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let label = format!("{} {year}", org.1);
    audit::record(
        tx,
        who,
        Entry::new("target.update", "target", format!("{year}/{}", org.0.0), label)
            .org(org.0)
            .before(before_json)
            .after(json!({ "values": after_json, "reason": reason })),
    )
    .await?;
    find(tx, year, org.0).await
}
