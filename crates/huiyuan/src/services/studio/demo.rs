//! The studio in the demo: two resources (a room and the exhibition hall) and the coming
//! week's bookings — approved, waiting, declined — each made by the service as the account
//! whose act it is, so the calendar, a member's services page and the managers' queue all
//! have something to show.

use time::Duration;

use super::resources::{self, ResourceForm};
use super::service::{self, BookingInput, Decision};
use super::slot::SlotInput;
use crate::applications::demo::acting;
use crate::state::AppState;
use crate::storage::ResourceId;

fn resource(name: &str, kind: &str, capacity: u32, purposes: &str, closed: &str, description: &str) -> ResourceForm {
    ResourceForm {
        name: name.into(),
        kind: kind.into(),
        description: description.into(),
        capacity: capacity.to_string(),
        purposes: purposes.into(),
        opens_at: "09:00".into(),
        closes_at: "17:00".into(),
        closed_weekdays: vec![closed.into()],
        active: "1".into(),
    }
}

/// A booking of the demo: (day from today, resource, who, from, to, purpose, people, then).
type Planned = (i64, usize, &'static str, &'static str, &'static str, &'static str, u32, Option<Decision>);

/// Add the studio's resources and a week of bookings; answers how many bookings.
pub async fn seed(state: &AppState) -> anyhow::Result<usize> {
    let (sec, sec_who) = acting(state, "secretariat").await?;
    let fail = |what: &str, e: &dyn std::fmt::Debug| anyhow::anyhow!("demo studio {what} refused: {e:?}");
    let mut ids: Vec<ResourceId> = Vec::new();
    for f in [
        resource(
            "多功能活动室",
            "room",
            40,
            "",
            "7",
            "可容纳 40 人，配投影、音响和可移动桌椅，适合科技活动、培训讲座和研讨。",
        ),
        resource(
            "科技展厅",
            "space",
            80,
            "展品交流\n科技活动",
            "1",
            "约 200 平方米，展台 12 个，用于青少年科技作品和教具展品的交流展示。",
        ),
    ] {
        ids.push(resources::save(state, &sec, &sec_who, None, &f).await?.map_err(|e| fail("resource", &e))?);
    }
    let today = state.settings.locale.today();
    let plan: [Planned; 6] = [
        (1, 0, "teacher", "09:00", "11:00", "科技活动", 30, Some(Decision::Approve)),
        (2, 1, "wuhao", "09:30", "11:30", "展品交流", 25, Some(Decision::Approve)),
        (2, 0, "applicant", "14:00", "16:00", "培训讲座", 20, None),
        (3, 1, "teacher", "14:00", "16:30", "展品交流", 40, None),
        (4, 0, "chenjing", "14:00", "15:00", "研讨会议", 12, Some(Decision::Decline)),
        (5, 0, "teacher", "09:00", "10:30", "培训讲座", 35, Some(Decision::Approve)),
    ];
    let mut made = 0;
    for (offset, which, username, starts, ends, purpose, people, then) in plan {
        // Move off the resource's closed weekday.
        let closed = if which == 0 { time::Weekday::Sunday } else { time::Weekday::Monday };
        let mut day = today + Duration::days(offset);
        if day.weekday() == closed {
            day += Duration::days(1);
        }
        let (actor, who) = acting(state, username).await?;
        let input = BookingInput {
            resource: ids[which].to_string(),
            slot: SlotInput { day: day.to_string(), starts: starts.into(), ends: ends.into() },
            purpose: purpose.into(),
            participants: people.to_string(),
            note: String::new(),
        };
        let booking = match service::book(state, &actor, &who, &input).await {
            Ok(Ok(b)) => b,
            // A slot the demo cannot have today (a day moved onto another booking): skip it.
            Err(crate::error::AppError::Conflict(_)) => continue,
            Ok(Err(e)) => return Err(fail("booking", &e)),
            Err(e) => return Err(e.into()),
        };
        made += 1;
        if let Some(d) = then {
            let note = if d == Decision::Decline {
                "当天下午展厅布展，活动室暂停使用，请改约其他时间。"
            } else {
                ""
            };
            service::decide(state, &sec, &sec_who, booking.id, d, note).await?.map_err(|e| fail("decision", &e))?;
        }
    }
    Ok(made)
}
