//! Progress reports (发展情况报告): each city hands in one report a year. The figures are
//! copied from the data at the moment it is handed in (frozen), beside the city's narrative
//! and attached files; the secretariat returns it with a comment (the city hands it in
//! again, with the figures of that moment) or accepts it, after which it no longer changes.

use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::FromRow;

use super::Ranges;
use super::progress::CityProgress;
use crate::audit::{self, Entry, Who};
use crate::files::StoredFile;
use crate::i18n::Msg;
use crate::storage::{Conn, Flag, OrgId, now_ms};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportStatus {
    /// Handed in, waiting for the secretariat (已提交，待审阅).
    Submitted,
    /// Returned to the city with a comment (已退回).
    Returned,
    /// Accepted by the secretariat (已接收): final.
    Accepted,
}

impl ReportStatus {
    pub fn parse(s: &str) -> Option<ReportStatus> {
        match s {
            "submitted" => Some(ReportStatus::Submitted),
            "returned" => Some(ReportStatus::Returned),
            "accepted" => Some(ReportStatus::Accepted),
            _ => None,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            ReportStatus::Submitted => "report.status_submitted",
            ReportStatus::Returned => "report.status_returned",
            ReportStatus::Accepted => "report.status_accepted",
        }
    }

    /// The tag colour of the status.
    pub fn tag(self) -> &'static str {
        match self {
            ReportStatus::Submitted => "tag-blue",
            ReportStatus::Returned => "tag-orange",
            ReportStatus::Accepted => "tag-green",
        }
    }
}

/// What a report holds of the data: the target and the figures when it was handed in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Frozen {
    pub target: Ranges,
    pub progress: CityProgress,
}

#[derive(Debug, Clone, FromRow)]
pub struct Report {
    pub id: i64,
    pub year: i64,
    pub org_id: OrgId,
    pub status: String,
    pub figures: String,
    pub narrative: String,
    pub first_submitted_at: i64,
    pub submitted_at: i64,
    pub submitted_name: String,
    pub late: Flag,
    pub review_note: String,
    pub reviewed_at: Option<i64>,
    pub reviewed_name: String,
    pub version: i64,
}

impl Report {
    pub fn status(&self) -> ReportStatus {
        ReportStatus::parse(&self.status).unwrap_or(ReportStatus::Submitted)
    }

    /// The figures as they were handed in.
    pub fn frozen(&self) -> Option<Frozen> {
        serde_json::from_str(&self.figures).ok()
    }

    pub fn is_late(&self) -> bool {
        self.late.0
    }
}

/// One step of a report's history.
#[derive(Debug, Clone, FromRow)]
pub struct Event {
    pub action: String,
    pub note: String,
    pub actor_name: String,
    pub at: i64,
}

const COLUMNS: &str = "id, year, org_id, status, figures, narrative, first_submitted_at, submitted_at, submitted_name,
     late, review_note, reviewed_at, reviewed_name, version";

/// Every city's report of `year` (cities that have not handed one in have none).
pub async fn for_year(conn: &mut Conn, year: i32) -> Result<Vec<Report>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM progress_report WHERE year = $1"))
        .bind(i64::from(year))
        .fetch_all(&mut *conn)
        .await
}

pub async fn find(conn: &mut Conn, year: i32, org: OrgId) -> Result<Option<Report>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM progress_report WHERE year = $1 AND org_id = $2"))
        .bind(i64::from(year))
        .bind(org)
        .fetch_optional(&mut *conn)
        .await
}

pub async fn events(conn: &mut Conn, report: i64) -> Result<Vec<Event>, sqlx::Error> {
    sqlx::query_as(
        "SELECT action, note, actor_name, at FROM progress_report_event WHERE report_id = $1 ORDER BY id DESC",
    )
    .bind(report)
    .fetch_all(&mut *conn)
    .await
}

pub async fn files(conn: &mut Conn, report: i64) -> Result<Vec<StoredFile>, sqlx::Error> {
    sqlx::query_as(
        "SELECT f.id, f.storage_key, f.original_name, f.content_type, f.size_bytes, f.sha256, f.created_at
         FROM progress_report_file r JOIN stored_file f ON f.id = r.file_id WHERE r.report_id = $1 ORDER BY f.id",
    )
    .bind(report)
    .fetch_all(&mut *conn)
    .await
}

async fn event(tx: &mut Conn, who: &Who, report: i64, action: &str, note: &str, at: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO progress_report_event (report_id, action, note, actor_id, actor_name, at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(report)
    .bind(action)
    .bind(note)
    .bind(who.user_id)
    .bind(&who.name)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// What a submission is: whose report, which figures, the narrative, and whether it is late.
pub struct Submission<'a> {
    pub year: i32,
    pub org: (OrgId, &'a str),
    pub frozen: &'a Frozen,
    pub narrative: &'a str,
    /// The deadline has passed (kept from the first hand-in: a report returned and handed in
    /// again after the deadline was still on time if it first came in on time).
    pub late: bool,
}

/// Hand the report in (or in again after a return), inside the caller's transaction.
/// `Ok(Err(msg))`: refused — already handed in and waiting, or accepted; nothing changes.
pub async fn submit(tx: &mut Conn, who: &Who, s: &Submission<'_>) -> Result<Result<i64, Msg>, sqlx::Error> {
    let now = now_ms();
    let figures = serde_json::to_string(s.frozen).unwrap_or_default();
    let existing = find(tx, s.year, s.org.0).await?;
    let id = match existing {
        Some(r) if r.status() == ReportStatus::Submitted => return Ok(Err(Msg::new("report.err_already_in"))),
        Some(r) if r.status() == ReportStatus::Accepted => return Ok(Err(Msg::new("report.err_accepted"))),
        Some(r) => {
            // Returned: hand it in again, guarded so two hand-ins at once make one.
            let changed = sqlx::query(
                "UPDATE progress_report SET status = 'submitted', figures = $2, narrative = $3, submitted_at = $4,
                     submitted_by = $5, submitted_name = $6, version = version + 1
                 WHERE id = $1 AND status = 'returned'",
            )
            .bind(r.id)
            .bind(&figures)
            .bind(s.narrative)
            .bind(now)
            .bind(who.user_id)
            .bind(&who.name)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Ok(Err(Msg::new("report.err_already_in")));
            }
            r.id
        }
        None => {
            let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
                "INSERT INTO progress_report (year, org_id, status, figures, narrative, first_submitted_at,
                     submitted_at, submitted_by, submitted_name, late)
                 VALUES ($1, $2, 'submitted', $3, $4, $5, $5, $6, $7, $8) RETURNING id",
            )
            .bind(i64::from(s.year))
            .bind(s.org.0)
            .bind(&figures)
            .bind(s.narrative)
            .bind(now)
            .bind(who.user_id)
            .bind(&who.name)
            .bind(Flag(s.late))
            .fetch_one(&mut *tx)
            .await;
            match inserted {
                Ok((id,)) => id,
                Err(e) if crate::storage::is_unique_violation(&e, "progress_report", &["year", "org_id"]) => {
                    return Ok(Err(Msg::new("report.err_already_in")));
                }
                Err(e) => return Err(e),
            }
        }
    };
    event(tx, who, id, "submit", "", now).await?;
    audit::record(
        tx,
        who,
        Entry::new("report.submit", "report", format!("{}/{}", s.year, s.org.0.0), format!("{} {}", s.org.1, s.year))
            .org(s.org.0)
            .after(json!({ "figures": s.frozen, "narrative": s.narrative, "late": s.late })),
    )
    .await?;
    Ok(Ok(id))
}

/// Record a file attached to a report (stored by the caller in the same transaction).
pub async fn attach(tx: &mut Conn, report: i64, file: &StoredFile) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO progress_report_file (report_id, file_id) VALUES ($1, $2)")
        .bind(report)
        .bind(file.id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// The secretariat's decision on the hand-in it has read (`seen`: the report's version on the
/// page): accept it, or return it with a comment. `Ok(Err(msg))` when the report is not
/// waiting (returned or accepted already), or has been handed in again since.
pub async fn review(
    tx: &mut Conn,
    who: &Who,
    (report, seen): (&Report, i64),
    city: &str,
    accept: bool,
    note: &str,
) -> Result<Result<(), Msg>, sqlx::Error> {
    let now = now_ms();
    let status = if accept { "accepted" } else { "returned" };
    let changed = sqlx::query(
        "UPDATE progress_report SET status = $2, review_note = $3, reviewed_at = $4, reviewed_name = $5
         WHERE id = $1 AND status = 'submitted' AND version = $6",
    )
    .bind(report.id)
    .bind(status)
    .bind(note)
    .bind(now)
    .bind(&who.name)
    .bind(seen)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(Err(Msg::new(if report.status() == ReportStatus::Accepted {
            "report.err_accepted"
        } else if report.version != seen {
            "report.err_changed"
        } else {
            "report.err_not_waiting"
        })));
    }
    let action = if accept { "accept" } else { "return" };
    event(tx, who, report.id, action, note, now).await?;
    audit::record(
        tx,
        who,
        Entry::new(
            if accept { "report.accept" } else { "report.return" },
            "report",
            format!("{}/{}", report.year, report.org_id.0),
            format!("{city} {}", report.year),
        )
        .org(report.org_id)
        .before(json!({ "status": report.status }))
        .after(json!({ "status": status, "note": note })),
    )
    .await?;
    Ok(Ok(()))
}
