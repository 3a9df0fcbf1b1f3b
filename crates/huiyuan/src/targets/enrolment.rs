//! New members by city, kind and local month, kept by the database (`enrolment_count`,
//! maintained by triggers on `member`): the dashboards read a year of a city as at most
//! twenty-four small rows instead of counting a year of the enrolment index.
//!
//! A month is the association's local month, so the counts depend on the UTC offset in the
//! settings. The database keeps the offset they were made with (`enrolment_clock`);
//! [`align`] counts everything again when the settings say otherwise (the server calls it
//! when it starts), and a reader whose offset differs from the clock's counts the members
//! themselves ([`super::progress::enrolments`]), so a figure is never off by a time zone.

use crate::storage::{Backend, Conn, Db};

/// The offset the counts were made with, in seconds east of UTC.
pub async fn clock(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    let (offset,): (i64,) =
        sqlx::query_as("SELECT offset_seconds FROM enrolment_clock WHERE id = 1").fetch_one(&mut *conn).await?;
    Ok(offset)
}

/// Make the counts those of `offset`: when the clock says otherwise, count every member
/// again in one transaction (writers of members wait meanwhile). Answers whether it counted.
pub async fn align(db: &Db, offset: time::UtcOffset) -> Result<bool, sqlx::Error> {
    let wanted = i64::from(offset.whole_seconds());
    if clock(&mut *db.pool().acquire().await?).await? == wanted {
        return Ok(false);
    }
    let mut tx = db.begin().await?;
    if db.backend() == Backend::Postgres {
        // Members written meanwhile would be counted with the old clock by their triggers.
        sqlx::query("LOCK TABLE member IN SHARE ROW EXCLUSIVE MODE").execute(&mut *tx).await?;
    }
    if clock(&mut tx).await? == wanted {
        return Ok(false);
    }
    sqlx::query("UPDATE enrolment_clock SET offset_seconds = $1 WHERE id = 1").bind(wanted).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM enrolment_count").execute(&mut *tx).await?;
    let month = match db.backend() {
        Backend::Postgres => "enrolment_month(joined_at)",
        Backend::Sqlite => "CAST(strftime('%Y%m', joined_at / 1000 + $1, 'unixepoch') AS INTEGER)",
    };
    let recount = format!(
        "INSERT INTO enrolment_count (org_id, kind, month, n)
         SELECT org_id, kind, {month}, COUNT(*) FROM member WHERE org_id IS NOT NULL GROUP BY 1, 2, 3"
    );
    let mut query = sqlx::query(&recount);
    if db.backend() == Backend::Sqlite {
        query = query.bind(wanted);
    }
    query.execute(&mut *tx).await?;
    tx.commit().await?;
    tracing::info!(offset_seconds = wanted, "new members by month counted again for the settings' time zone");
    Ok(true)
}

/// `year * 100 + month` of the months of `year`, January first.
pub fn months_of(year: i32) -> [i64; 12] {
    std::array::from_fn(|m| i64::from(year) * 100 + m as i64 + 1)
}
