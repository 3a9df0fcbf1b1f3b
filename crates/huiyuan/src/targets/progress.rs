//! Where each city stands in a year: the figures the dashboards and the progress report
//! show, counted from the registry and the applications in a few grouped queries.
//!
//! - New members: members of the city whose membership began in the year (local time),
//!   by kind, whatever their status now.
//! - The pipeline: open applications to the city by stage, as they stand now.
//! - Group members: the city's active group members, and how many of them have a number of
//!   active individual members within the year's per-group range.

use std::collections::HashMap;

use serde::Serialize;

use super::{Standing, Target};
use crate::storage::{Conn, OrgId};

/// Open applications by stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
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

/// One city's figures for one year, beside its target.
#[derive(Debug, Clone, Serialize)]
pub struct CityProgress {
    pub org_id: OrgId,
    pub new_groups: i64,
    pub new_individuals: i64,
    pub pipeline: Pipeline,
    /// Active group members of the city.
    pub groups: i64,
    /// … of which have an active individual membership count within the per-group range.
    pub groups_in_range: i64,
    pub groups_standing: Standing,
    pub individuals_standing: Standing,
}

/// The figures of `year` for each target's city, in the targets' order; `offset`: the
/// association's time zone, which decides the year's first and last moment.
pub async fn for_year(
    conn: &mut Conn,
    year: i32,
    offset: time::UtcOffset,
    targets: &[Target],
) -> Result<Vec<CityProgress>, sqlx::Error> {
    let bound = |y: i32| {
        time::Date::from_calendar_date(y, time::Month::January, 1)
            .map(|d| d.midnight().assume_offset(offset).unix_timestamp() * 1000)
            .unwrap_or(0)
    };
    let joined: Vec<(OrgId, String, i64)> = sqlx::query_as(
        "SELECT org_id, kind, COUNT(*) FROM member
         WHERE org_id IS NOT NULL AND joined_at >= $1 AND joined_at < $2 GROUP BY org_id, kind",
    )
    .bind(bound(year))
    .bind(bound(year + 1))
    .fetch_all(&mut *conn)
    .await?;
    let open: Vec<(OrgId, String, i64)> = sqlx::query_as(
        "SELECT org_id, status, COUNT(*) FROM application
         WHERE org_id IS NOT NULL
           AND status IN ('submitted', 'returned', 'sent_back', 'recommended', 'forwarded', 'ready', 'on_agenda')
         GROUP BY org_id, status",
    )
    .fetch_all(&mut *conn)
    .await?;
    let groups: Vec<(OrgId, i64)> = sqlx::query_as(
        "SELECT g.org_id, (SELECT COUNT(*) FROM member_link l JOIN member i ON i.id = l.individual_member_id
                           WHERE l.group_member_id = g.id AND i.status = 'active')
         FROM member g WHERE g.kind = 'group' AND g.status = 'active' AND g.org_id IS NOT NULL",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut new: HashMap<(OrgId, String), i64> = HashMap::new();
    for (org, kind, n) in joined {
        *new.entry((org, kind)).or_default() += n;
    }
    let mut pipelines: HashMap<OrgId, Pipeline> = HashMap::new();
    for (org, status, n) in open {
        pipelines.entry(org).or_default().add(&status, n);
    }
    let range: HashMap<OrgId, (i64, i64)> =
        targets.iter().map(|t| (t.org_id, (t.ranges.per_group_min, t.ranges.per_group_max))).collect();
    let mut group_counts: HashMap<OrgId, (i64, i64)> = HashMap::new();
    for (org, individuals) in groups {
        let entry = group_counts.entry(org).or_default();
        entry.0 += 1;
        if let Some((min, max)) = range.get(&org)
            && (*min..=*max).contains(&individuals)
        {
            entry.1 += 1;
        }
    }
    Ok(targets
        .iter()
        .map(|t| {
            let count = |kind: &str| new.get(&(t.org_id, kind.to_string())).copied().unwrap_or(0);
            let (new_groups, new_individuals) = (count("group"), count("individual"));
            let (groups, groups_in_range) = group_counts.get(&t.org_id).copied().unwrap_or((0, 0));
            let r = &t.ranges;
            CityProgress {
                org_id: t.org_id,
                new_groups,
                new_individuals,
                pipeline: pipelines.get(&t.org_id).copied().unwrap_or_default(),
                groups,
                groups_in_range,
                groups_standing: Standing::of(new_groups, r.groups_min, r.groups_max),
                individuals_standing: Standing::of(new_individuals, r.individuals_min, r.individuals_max),
            }
        })
        .collect())
}
