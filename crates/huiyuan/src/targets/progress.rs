//! Where each city stands in a year: the figures the dashboards and the progress report
//! show, counted from the registry and the applications in a few grouped queries.
//!
//! - New members: members of the city whose membership began in the year (local time),
//!   by kind, whatever their status now.
//! - The pipeline: open applications to the city by stage, as they stand now.
//! - Group members: the city's active group members, and how many of them have a number of
//!   active individual members within the year's per-group range.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{Standing, Target};
use crate::storage::{Conn, OrgId};

/// Open applications by stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pipeline {
    /// Handed in, waiting for the city's review (待市协会审核).
    pub submitted: i64,
    /// Back with the applicant or the city for correction (退回修改、省协会退回).
    pub returned: i64,
    /// Recommended by the city, not yet forwarded (已推荐待报送).
    pub recommended: i64,
    /// With the province: forwarded, or filed and ready for the council (已报送省协会).
    pub forwarded: i64,
    /// On a council meeting's agenda (常务理事会审议中).
    pub on_agenda: i64,
}

impl Pipeline {
    fn add(&mut self, status: &str, n: i64) {
        match status {
            "submitted" => self.submitted += n,
            "returned" | "sent_back" => self.returned += n,
            "recommended" => self.recommended += n,
            "forwarded" | "ready" => self.forwarded += n,
            "on_agenda" => self.on_agenda += n,
            _ => {}
        }
    }

    pub fn total(&self) -> i64 {
        self.submitted + self.returned + self.recommended + self.forwarded + self.on_agenda
    }
}

/// New members of one city by month of the year (January first), by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Months {
    pub groups: [i64; 12],
    pub individuals: [i64; 12],
}

impl Months {
    pub fn groups_total(&self) -> i64 {
        self.groups.iter().sum()
    }

    pub fn individuals_total(&self) -> i64 {
        self.individuals.iter().sum()
    }

    /// Both kinds, month by month.
    pub fn both(&self) -> [i64; 12] {
        std::array::from_fn(|m| self.groups[m] + self.individuals[m])
    }

    fn add(&mut self, other: &Months) {
        for m in 0..12 {
            self.groups[m] += other.groups[m];
            self.individuals[m] += other.individuals[m];
        }
    }

    /// The months of several cities added up.
    pub fn sum<'a>(all: impl IntoIterator<Item = &'a Months>) -> Months {
        let mut total = Months::default();
        for m in all {
            total.add(m);
        }
        total
    }
}

/// One city's figures for one year, beside its target.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CityProgress {
    pub org_id: OrgId,
    pub new_groups: i64,
    pub new_individuals: i64,
    /// The new members by month.
    pub months: Months,
    pub pipeline: Pipeline,
    /// Active group members of the city.
    pub groups: i64,
    /// … of which have an active individual membership count within the per-group range.
    pub groups_in_range: i64,
    pub groups_standing: Standing,
    pub individuals_standing: Standing,
}

/// The first moment of each month of `year` and of the next year, in ms since the epoch.
fn month_starts(year: i32, offset: time::UtcOffset) -> [i64; 13] {
    std::array::from_fn(|i| {
        let (y, m) = if i == 12 { (year + 1, 1) } else { (year, i as u8 + 1) };
        time::Month::try_from(m)
            .and_then(|m| time::Date::from_calendar_date(y, m, 1))
            .map(|d| d.midnight().assume_offset(offset).unix_timestamp() * 1000)
            .unwrap_or(0)
    })
}

/// Each city's new members of `year` by month and kind (membership begun in the year, in
/// the association's time zone, whatever the status now), for the cities `orgs`: read from the
/// counts the database keeps ([`super::enrolment`]) when they were made for `offset`, and
/// counted from the members otherwise.
pub async fn enrolments(
    conn: &mut Conn,
    year: i32,
    offset: time::UtcOffset,
    orgs: &[OrgId],
) -> Result<HashMap<OrgId, Months>, sqlx::Error> {
    if orgs.is_empty() {
        return Ok(HashMap::new());
    }
    if super::enrolment::clock(&mut *conn).await? != i64::from(offset.whole_seconds()) {
        return enrolments_counted(conn, year, offset, orgs).await;
    }
    let months = super::enrolment::months_of(year);
    let mut sql = crate::storage::Sql::new("SELECT month - ");
    sql.bind(months[0]).push(" AS month, org_id, kind, n FROM enrolment_count WHERE org_id IN ");
    sql.list(orgs.iter().copied());
    sql.push(" AND kind IN ('group', 'individual') AND month >= ").bind(months[0]);
    sql.push(" AND month <= ").bind(months[11]).push(" AND n <> 0");
    let rows: Vec<(i64, OrgId, String, i64)> = sql.fetch_all(conn).await?;
    Ok(by_city(rows))
}

/// [`enrolments`] counted from the members: a count per month, each over one range of the
/// enrolment index per city and kind (twelve plain counts read less than one pass that sorts
/// every row into its month).
pub async fn enrolments_counted(
    conn: &mut Conn,
    year: i32,
    offset: time::UtcOffset,
    orgs: &[OrgId],
) -> Result<HashMap<OrgId, Months>, sqlx::Error> {
    // No cities: `list` writes `(NULL)`, which matches nothing.
    let starts = month_starts(year, offset);
    let mut sql = crate::storage::Sql::new("");
    for m in 0..12 {
        if m > 0 {
            sql.push(" UNION ALL ");
        }
        sql.push(&format!("SELECT CAST({m} AS BIGINT) AS month, org_id, kind, COUNT(*) FROM member WHERE org_id IN "));
        sql.list(orgs.iter().copied());
        sql.push(" AND kind IN ('group', 'individual') AND joined_at >= ").bind(starts[m]);
        sql.push(" AND joined_at < ").bind(starts[m + 1]).push(" GROUP BY org_id, kind");
    }
    let rows: Vec<(i64, OrgId, String, i64)> = sql.fetch_all(conn).await?;
    Ok(by_city(rows))
}

/// Rows of (month index from 0, city, kind, count) sorted into each city's months.
fn by_city(rows: Vec<(i64, OrgId, String, i64)>) -> HashMap<OrgId, Months> {
    let mut by_city: HashMap<OrgId, Months> = HashMap::new();
    for (month, org, kind, n) in rows {
        let months = by_city.entry(org).or_default();
        let slot = usize::try_from(month).unwrap_or(0).min(11);
        match kind.as_str() {
            "group" => months.groups[slot] += n,
            _ => months.individuals[slot] += n,
        }
    }
    by_city
}

/// The figures of `year` for each target's city, in the targets' order; `offset`: the
/// association's time zone, which decides the year's first and last moment.
pub async fn for_year(
    conn: &mut Conn,
    year: i32,
    offset: time::UtcOffset,
    targets: &[Target],
) -> Result<Vec<CityProgress>, sqlx::Error> {
    let orgs: Vec<OrgId> = targets.iter().map(|t| t.org_id).collect();
    let joined = enrolments(conn, year, offset, &orgs).await?;
    let mut sql = crate::storage::Sql::new(
        "SELECT org_id, status, COUNT(*) FROM application
         WHERE status IN ('submitted', 'returned', 'sent_back', 'recommended', 'forwarded', 'ready', 'on_agenda')
           AND org_id IN ",
    );
    sql.list(orgs.iter().copied()).push(" GROUP BY org_id, status");
    let open: Vec<(OrgId, String, i64)> = sql.fetch_all(&mut *conn).await?;
    // The targets' cities' active groups by their count of active individual members (kept
    // by the database), from the active-group index.
    let mut sql = crate::storage::Sql::new(
        "SELECT org_id, active_individuals, COUNT(*) FROM member
         WHERE kind = 'group' AND status = 'active' AND org_id IN ",
    );
    sql.list(orgs.iter().copied()).push(" GROUP BY org_id, active_individuals");
    let groups: Vec<(OrgId, i64, i64)> = sql.fetch_all(&mut *conn).await?;
    let mut pipelines: HashMap<OrgId, Pipeline> = HashMap::new();
    for (org, status, n) in open {
        pipelines.entry(org).or_default().add(&status, n);
    }
    let range: HashMap<OrgId, (i64, i64)> =
        targets.iter().map(|t| (t.org_id, (t.ranges.per_group_min, t.ranges.per_group_max))).collect();
    let mut group_counts: HashMap<OrgId, (i64, i64)> = HashMap::new();
    for (org, individuals, n) in groups {
        let entry = group_counts.entry(org).or_default();
        entry.0 += n;
        if let Some((min, max)) = range.get(&org)
            && (*min..=*max).contains(&individuals)
        {
            entry.1 += n;
        }
    }
    Ok(targets
        .iter()
        .map(|t| {
            let months = joined.get(&t.org_id).copied().unwrap_or_default();
            let (new_groups, new_individuals) = (months.groups_total(), months.individuals_total());
            let (groups, groups_in_range) = group_counts.get(&t.org_id).copied().unwrap_or((0, 0));
            let r = &t.ranges;
            CityProgress {
                org_id: t.org_id,
                new_groups,
                new_individuals,
                months,
                pipeline: pipelines.get(&t.org_id).copied().unwrap_or_default(),
                groups,
                groups_in_range,
                groups_standing: Standing::of(new_groups, r.groups_min, r.groups_max),
                individuals_standing: Standing::of(new_individuals, r.individuals_min, r.individuals_max),
            }
        })
        .collect())
}
