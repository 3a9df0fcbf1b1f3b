//! A slot asked for: a local day with a start and an end time, checked against the resource's
//! opening hours and closed days, the settings' slot steps, and the booker's window (members
//! book further ahead than others). Pure: the caller brings the clock and the closed days.

use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::Resource;
use crate::config::StudioSettings;
use crate::error::FieldErrors;
use crate::i18n::Msg;

/// The slot as asked for in a form or the API.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SlotInput {
    /// YYYY-MM-DD, local.
    pub day: String,
    /// HH:MM, local.
    pub starts: String,
    pub ends: String,
}

/// What the check needs to know besides the slot.
pub struct Context<'a> {
    pub settings: &'a StudioSettings,
    pub offset: UtcOffset,
    pub now: OffsetDateTime,
    /// Is the booker a member (books within the members' window)?
    pub member: bool,
    /// Days the studio or this resource is closed beyond its weekdays.
    pub closed_days: &'a [Date],
}

/// A checked slot: UTC milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub starts_at: i64,
    pub ends_at: i64,
}

pub fn parse_day(s: &str) -> Option<Date> {
    Date::parse(s.trim(), time::macros::format_description!("[year]-[month]-[day]")).ok()
}

pub fn parse_time(s: &str) -> Option<Time> {
    Time::parse(s.trim(), time::macros::format_description!("[hour]:[minute]")).ok()
}

fn minutes(t: Time) -> i64 {
    i64::from(t.hour()) * 60 + i64::from(t.minute())
}

/// The local moment of a day and time as UTC milliseconds.
pub fn at(day: Date, t: Time, offset: UtcOffset) -> i64 {
    let local = PrimitiveDateTime::new(day, t).assume_offset(offset);
    i64::try_from(local.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// Check a slot of `resource`; field errors name `day`, `starts` or `ends`.
pub fn check(input: &SlotInput, resource: &Resource, cx: &Context<'_>) -> Result<Slot, FieldErrors> {
    let mut e = FieldErrors::new();
    let day = parse_day(&input.day);
    let (starts, ends) = (parse_time(&input.starts), parse_time(&input.ends));
    if day.is_none() {
        e.add("day", Msg::new("err.date_required"));
    }
    let step = cx.settings.slot_minutes;
    for (field, t) in [("starts", starts), ("ends", ends)] {
        match t {
            None => e.add(field, Msg::new("err.studio_time")),
            Some(t) if minutes(t) % step != 0 => e.add(field, Msg::new("err.studio_step").arg("n", step)),
            Some(_) => {}
        }
    }
    let (Some(day), Some(starts), Some(ends)) = (day, starts, ends) else { return Err(e) };
    if !e.is_empty() {
        return Err(e);
    }
    if ends <= starts {
        e.add("ends", Msg::new("err.studio_order"));
        return Err(e);
    }
    let (opens, closes) = (parse_time(&resource.opens_at), parse_time(&resource.closes_at));
    if let (Some(opens), Some(closes)) = (opens, closes)
        && (starts < opens || ends > closes)
    {
        let hours = format!("{}–{}", resource.opens_at, resource.closes_at);
        e.add("starts", Msg::new("err.studio_hours").arg("hours", hours));
        return Err(e);
    }
    if resource.closed_on(day.weekday()) || cx.closed_days.contains(&day) {
        e.add("day", Msg::new("err.studio_closed"));
        return Err(e);
    }
    let today = cx.now.to_offset(cx.offset).date();
    let window = if cx.member { cx.settings.member_days_ahead } else { cx.settings.others_days_ahead };
    let slot = Slot { starts_at: at(day, starts, cx.offset), ends_at: at(day, ends, cx.offset) };
    let now_ms = i64::try_from(cx.now.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
    if slot.starts_at <= now_ms {
        e.add("day", Msg::new("err.studio_past"));
    } else if day > today + Duration::days(window) {
        let key = if cx.member { "err.studio_window" } else { "err.studio_window_members" };
        e.add("day", Msg::new(key).arg("n", window).arg("members", cx.settings.member_days_ahead));
    }
    if e.is_empty() { Ok(slot) } else { Err(e) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{Flag, ResourceId};
    use time::macros::{date, datetime, offset};

    fn room() -> Resource {
        Resource {
            id: ResourceId(1),
            name: "展厅".into(),
            kind: "space".into(),
            description: String::new(),
            capacity: 40,
            purposes: String::new(),
            opens_at: "09:00".into(),
            closes_at: "17:00".into(),
            closed_weekdays: "7".into(),
            active: Flag(true),
        }
    }

    fn settings() -> StudioSettings {
        StudioSettings {
            member_days_ahead: 30,
            others_days_ahead: 7,
            cancel_hours_before: 24,
            slot_minutes: 30,
            purposes: vec!["展品交流".into()],
        }
    }

    fn try_slot(day: &str, starts: &str, ends: &str, member: bool) -> Result<Slot, FieldErrors> {
        let s = settings();
        let closed = [date!(2026 - 12 - 25)];
        // Monday 7 December 2026, 10:00 in Beijing.
        let cx = Context {
            settings: &s,
            offset: offset!(+8),
            now: datetime!(2026-12-07 02:00 UTC),
            member,
            closed_days: &closed,
        };
        check(&SlotInput { day: day.into(), starts: starts.into(), ends: ends.into() }, &room(), &cx)
    }

    fn key(r: Result<Slot, FieldErrors>, field: &str) -> &'static str {
        r.unwrap_err().get(field).map(|m| m.key).unwrap_or("none")
    }

    #[test]
    fn a_slot_in_opening_hours_is_kept_as_utc_milliseconds() {
        let slot = try_slot("2026-12-08", "09:00", "11:30", false).unwrap();
        assert_eq!(slot.starts_at, datetime!(2026-12-08 01:00 UTC).unix_timestamp() * 1000);
        assert_eq!(slot.ends_at - slot.starts_at, 150 * 60_000);
    }

    #[test]
    fn members_book_further_ahead_than_others() {
        assert!(try_slot("2026-12-19", "09:00", "10:00", true).is_ok(), "12 days ahead: a member may");
        assert_eq!(key(try_slot("2026-12-19", "09:00", "10:00", false), "day"), "err.studio_window_members");
        assert_eq!(key(try_slot("2027-01-08", "09:00", "10:00", true), "day"), "err.studio_window");
    }

    #[test]
    fn hours_steps_closed_days_and_the_past_are_refused_each_with_its_own_message() {
        assert_eq!(key(try_slot("2026-12-08", "08:30", "10:00", true), "starts"), "err.studio_hours");
        assert_eq!(key(try_slot("2026-12-08", "16:00", "17:30", true), "starts"), "err.studio_hours");
        assert_eq!(key(try_slot("2026-12-08", "09:10", "10:00", true), "starts"), "err.studio_step");
        assert_eq!(key(try_slot("2026-12-08", "11:00", "10:00", true), "ends"), "err.studio_order");
        assert_eq!(key(try_slot("2026-12-13", "09:00", "10:00", true), "day"), "err.studio_closed", "a Sunday");
        assert_eq!(key(try_slot("2026-12-25", "09:00", "10:00", true), "day"), "err.studio_closed", "a closed day");
        assert_eq!(key(try_slot("2026-12-07", "09:00", "10:00", true), "day"), "err.studio_past");
        assert_eq!(key(try_slot("2026-13-01", "09:00", "10:00", true), "day"), "err.date_required");
        assert_eq!(key(try_slot("2026-12-08", "9点", "10:00", true), "starts"), "err.studio_time");
    }
}
