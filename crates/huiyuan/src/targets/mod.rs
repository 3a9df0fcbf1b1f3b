//! City development targets (目标任务, §一.(一).4 of the source document): for each year and
//! each city association, a range of new group members, a range of new individual members, a
//! range of individual members within each group member, and the day the city's progress
//! report (发展情况报告) is due.
//!
//! Targets are data: a year's rows start from the settings (`[targets]`, and the joining
//! settings' group range) the first time the year is used, and the secretariat changes them
//! per city and per year with a reason; every change is kept (`city_target_change`) and
//! audited.

pub mod chart;
pub mod documents;
pub mod enrolment;
pub mod figures;
pub mod generate;
pub mod progress;
pub mod query;
pub mod reminders;
pub mod report;
pub mod routes;
pub mod service;
pub mod store;
pub mod views;
pub mod workbook;

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::config::Settings;
use crate::error::FieldErrors;
use crate::i18n::Msg;
use crate::storage::OrgId;

/// One city's target for one year.
#[derive(Debug, Clone, PartialEq, Eq, FromRow, Serialize)]
pub struct Target {
    pub year: i64,
    pub org_id: OrgId,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub ranges: Ranges,
    pub updated_at: i64,
}

/// What a target sets: three ranges and the report deadline (`YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Eq, FromRow, Serialize, Deserialize)]
pub struct Ranges {
    pub groups_min: i64,
    pub groups_max: i64,
    pub individuals_min: i64,
    pub individuals_max: i64,
    pub per_group_min: i64,
    pub per_group_max: i64,
    pub report_deadline: String,
}

impl Ranges {
    /// The report deadline as a date (it is stored as `YYYY-MM-DD`).
    pub fn deadline(&self) -> Option<time::Date> {
        time::Date::parse(&self.report_deadline, &time::format_description::well_known::Iso8601::DATE).ok()
    }

    /// Where `year` starts: the settings' ranges and deadline.
    pub fn from_settings(settings: &Settings, year: i32) -> Ranges {
        let t = &settings.targets;
        let j = &settings.joining;
        let deadline =
            t.deadline_in(year).or_else(|| time::Date::from_calendar_date(year, time::Month::March, 31).ok());
        Ranges {
            groups_min: t.new_groups[0],
            groups_max: t.new_groups[1],
            individuals_min: t.new_individuals[0],
            individuals_max: t.new_individuals[1],
            per_group_min: i64::try_from(j.group_individuals_min).unwrap_or(0),
            per_group_max: i64::try_from(j.group_individuals_max).unwrap_or(0),
            report_deadline: deadline.map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

/// A target as typed into the form: every field as text, so bad input is kept and explained.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct TargetInput {
    #[serde(default)]
    pub groups_min: String,
    #[serde(default)]
    pub groups_max: String,
    #[serde(default)]
    pub individuals_min: String,
    #[serde(default)]
    pub individuals_max: String,
    #[serde(default)]
    pub per_group_min: String,
    #[serde(default)]
    pub per_group_max: String,
    #[serde(default)]
    pub report_deadline: String,
    #[serde(default)]
    pub reason: String,
}

/// The largest number a range may name (a typo guard: no city develops thousands a year).
pub const MAX_COUNT: i64 = 9_999;
/// [`MAX_COUNT`] as messages show it.
const MAX_COUNT_TEXT: &str = "9,999";

impl TargetInput {
    /// The form filled with a target's values.
    pub fn of(r: &Ranges) -> TargetInput {
        TargetInput {
            groups_min: r.groups_min.to_string(),
            groups_max: r.groups_max.to_string(),
            individuals_min: r.individuals_min.to_string(),
            individuals_max: r.individuals_max.to_string(),
            per_group_min: r.per_group_min.to_string(),
            per_group_max: r.per_group_max.to_string(),
            report_deadline: r.report_deadline.clone(),
            reason: String::new(),
        }
    }

    /// The ranges for `year`, or a message for every field that is wrong: a count that is
    /// not a whole number from 0 to [`MAX_COUNT`], a lower bound above the upper one, a
    /// deadline that is not a date of `year`, a missing reason.
    pub fn check(&self, year: i64) -> Result<(Ranges, String), FieldErrors> {
        let mut errors = FieldErrors::new();
        let count = |errors: &mut FieldErrors, field: &'static str, text: &str| -> Option<i64> {
            match crate::text::normalize(text).trim().parse::<i64>() {
                Ok(n) if (0..=MAX_COUNT).contains(&n) => Some(n),
                _ => {
                    errors.add(field, Msg::new("target.err_count").arg("max", MAX_COUNT_TEXT));
                    None
                }
            }
        };
        let pairs = [
            ("groups_min", "groups_max", &self.groups_min, &self.groups_max),
            ("individuals_min", "individuals_max", &self.individuals_min, &self.individuals_max),
            ("per_group_min", "per_group_max", &self.per_group_min, &self.per_group_max),
        ];
        let mut values = Vec::new();
        for (low_field, high_field, low, high) in pairs {
            let (low, high) = (count(&mut errors, low_field, low), count(&mut errors, high_field, high));
            if let (Some(l), Some(h)) = (low, high)
                && l > h
            {
                errors.add(low_field, Msg::new("target.err_order").arg("low", l).arg("high", h));
            }
            values.push((low.unwrap_or(0), high.unwrap_or(0)));
        }
        let deadline = crate::text::normalize(&self.report_deadline).trim().to_string();
        let parsed = crate::domain::parse_date(&deadline).ok();
        match parsed {
            Some(d) if i64::from(d.year()) == year => {}
            Some(_) => errors.add("report_deadline", Msg::new("target.err_deadline_year").arg("year", year)),
            None => errors.add("report_deadline", Msg::new("target.err_deadline")),
        }
        let reason = crate::text::normalize_line(&self.reason);
        if reason.is_empty() {
            errors.add("reason", Msg::new("target.err_reason"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let ranges = Ranges {
            groups_min: values[0].0,
            groups_max: values[0].1,
            individuals_min: values[1].0,
            individuals_max: values[1].1,
            per_group_min: values[2].0,
            per_group_max: values[2].1,
            report_deadline: parsed.map(|d| d.to_string()).unwrap_or_default(),
        };
        Ok((ranges, reason))
    }
}

/// Where a count stands against its range: below, within or above.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Below,
    Within,
    Above,
}

impl Standing {
    pub fn of(count: i64, min: i64, max: i64) -> Standing {
        if count < min {
            Standing::Below
        } else if count > max {
            Standing::Above
        } else {
            Standing::Within
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(groups: (&str, &str), deadline: &str) -> TargetInput {
        TargetInput {
            groups_min: groups.0.into(),
            groups_max: groups.1.into(),
            individuals_min: "5".into(),
            individuals_max: "10".into(),
            per_group_min: "3".into(),
            per_group_max: "5".into(),
            report_deadline: deadline.into(),
            reason: "省协会年度工作要点".into(),
        }
    }

    #[test]
    fn a_good_target_passes_with_its_deadline_normalised() {
        let (r, reason) = input(("３", "6"), "2026/3/31").check(2026).expect("valid");
        assert_eq!((r.groups_min, r.groups_max, r.report_deadline.as_str()), (3, 6, "2026-03-31"));
        assert_eq!(reason, "省协会年度工作要点");
    }

    #[test]
    fn a_lower_bound_above_the_upper_one_is_refused() {
        let e = input(("6", "3"), "2026-03-31").check(2026).unwrap_err();
        assert_eq!(e.get("groups_min").map(|m| m.key), Some("target.err_order"));
    }

    #[test]
    fn counts_must_be_whole_numbers_in_range() {
        for bad in ["", "-1", "2.5", "三", "100000"] {
            let e = input((bad, "5"), "2026-03-31").check(2026).unwrap_err();
            assert_eq!(e.get("groups_min").map(|m| m.key), Some("target.err_count"), "{bad:?}");
        }
    }

    #[test]
    fn the_deadline_must_be_a_date_of_the_year() {
        let e = input(("3", "5"), "2027-03-31").check(2026).unwrap_err();
        assert_eq!(e.get("report_deadline").map(|m| m.key), Some("target.err_deadline_year"));
        let e = input(("3", "5"), "2026-02-30").check(2026).unwrap_err();
        assert_eq!(e.get("report_deadline").map(|m| m.key), Some("target.err_deadline"));
    }

    #[test]
    fn a_reason_is_required() {
        let mut i = input(("3", "5"), "2026-03-31");
        i.reason = "  ".into();
        assert_eq!(i.check(2026).unwrap_err().get("reason").map(|m| m.key), Some("target.err_reason"));
    }

    #[test]
    fn standing_against_a_range() {
        assert_eq!(Standing::of(2, 3, 5), Standing::Below);
        assert_eq!(Standing::of(3, 3, 5), Standing::Within);
        assert_eq!(Standing::of(5, 3, 5), Standing::Within);
        assert_eq!(Standing::of(6, 3, 5), Standing::Above);
    }
}
