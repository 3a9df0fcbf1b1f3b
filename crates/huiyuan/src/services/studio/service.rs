//! What people do with the studio, for the pages and the API alike: book a slot (members
//! within their longer window), decide a booking (a manager), cancel one (its booker until
//! the settings' time before it starts, or a manager). Each change is one transaction with
//! its audit record, its notification and its `service_use` record.

use serde::Deserialize;
use serde_json::json;

use super::slot::{self, Context, SlotInput};
use super::store::{self, NewBooking};
use super::{Booking, Status};
use crate::audit::{self, Entry, Who};
use crate::auth::{Actor, Role};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::notifications::{self, Body};
use crate::paths;
use crate::services::{Use, record_use};
use crate::state::AppState;
use crate::storage::{BookingId, Conn, MemberId, OrgId, ResourceId};

/// A booking as asked for.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BookingInput {
    pub resource: String,
    #[serde(flatten)]
    pub slot: SlotInput,
    pub purpose: String,
    pub participants: String,
    pub note: String,
}

/// Longest note, in characters.
const NOTE_MAX: usize = 500;

/// The booker's active membership and its city, if any: members book first.
pub async fn membership(conn: &mut Conn, actor: &Actor) -> AppResult<Option<(MemberId, Option<OrgId>)>> {
    let rows = crate::members::store::by_user(conn, actor.user_id).await?;
    Ok(rows.into_iter().find(|m| m.status == "active").map(|m| (m.id, m.org_id)))
}

/// "2026-12-08 09:00–11:00", the local day and times of a slot.
pub fn slot_label(state: &AppState, starts_at: i64, ends_at: i64) -> String {
    let offset = state.settings.locale.utc_offset();
    let local = |ms: i64| {
        time::OffsetDateTime::from_unix_timestamp(ms / 1000)
            .map(|t| t.to_offset(offset))
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    };
    let (a, b) = (local(starts_at), local(ends_at));
    format!("{} {:02}:{:02}–{:02}:{:02}", a.date(), a.hour(), a.minute(), b.hour(), b.minute())
}

/// Book a slot. Field errors for what was typed (422); `Conflict` naming the slot it meets
/// when another booking holds part of it (409). The slot is decided under the resource's
/// lock, so two people asking for one slot at the same moment get it once.
pub async fn book(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    input: &BookingInput,
) -> AppResult<Result<Booking, FieldErrors>> {
    let settings = &state.settings.studio;
    let mut conn = state.db.pool().acquire().await?;
    let resource = match input.resource.trim().parse::<i64>().ok().map(ResourceId) {
        Some(id) => store::resource(&mut conn, id).await?.filter(|r| r.active.0),
        None => None,
    };
    let Some(resource) = resource else {
        return Ok(Err(FieldErrors::single("resource", Msg::new("err.studio_resource"))));
    };
    let member = membership(&mut conn, actor).await?;
    let today = state.settings.locale.today().to_string();
    let closed = store::closed_days(&mut conn, resource.id, &today).await?;
    drop(conn);
    let cx = Context {
        settings,
        offset: state.settings.locale.utc_offset(),
        now: time::OffsetDateTime::now_utc(),
        member: member.is_some(),
        closed_days: &closed,
    };
    let mut errors = FieldErrors::new();
    let slot = match slot::check(&input.slot, &resource, &cx) {
        Ok(s) => Some(s),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    let purpose = input.purpose.trim();
    if !resource.purposes_from(&settings.purposes).contains(&purpose) {
        errors.add("purpose", Msg::new("err.studio_purpose"));
    }
    let participants = input.participants.trim().parse::<i64>().unwrap_or(0);
    if participants < 1 || participants > resource.capacity {
        errors.add("participants", Msg::new("err.studio_participants").arg("max", resource.capacity));
    }
    let note = crate::text::normalize(&input.note);
    if note.chars().count() > NOTE_MAX {
        errors.add("note", Msg::new("err.too_long").arg("max", NOTE_MAX));
    }
    let Some(slot) = slot.filter(|_| errors.is_empty()) else { return Ok(Err(errors)) };

    let mut tx = state.db.begin().await?;
    store::hold(&mut tx, resource.id).await?;
    if let Some(other) = store::overlapping(&mut tx, resource.id, slot).await? {
        return Err(AppError::Conflict(
            Msg::new("err.studio_taken").arg("slot", slot_label(state, other.starts_at, other.ends_at)),
        ));
    }
    let new = NewBooking {
        resource: resource.id,
        user: actor.user_id,
        booker_name: &actor.display_name,
        member: member.map(|(m, _)| m),
        org: member.and_then(|(_, o)| o),
        slot,
        purpose,
        participants,
        note: &note,
    };
    let id = store::insert_booking(&mut tx, &new).await?;
    let label = format!("{} {}", resource.name, slot_label(state, slot.starts_at, slot.ends_at));
    audit::record(
        &mut tx,
        who,
        Entry::new("studio.book", "studio_booking", id, &label).org_opt(new.org).after(json!({
            "resource": resource.id, "starts_at": slot.starts_at, "ends_at": slot.ends_at,
            "purpose": purpose, "participants": participants, "member": new.member.is_some(),
        })),
    )
    .await?;
    record_use(
        &mut tx,
        &Use {
            service: "studio",
            action: "booked",
            ref_id: id.0,
            user: Some(actor.user_id),
            member: new.member,
            org: new.org,
        },
    )
    .await?;
    let managers = crate::auth::store::holders(&mut tx, Role::Secretariat, None).await?;
    let title = Msg::new("studio.n_requested").arg("name", &actor.display_name).arg("what", &label);
    notifications::send(&mut tx, &managers, &title, Body::Text(purpose), paths::ADMIN_STUDIO).await?;
    let booking = store::booking(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    announce(&mut tx, &booking, &resource.name).await?;
    tx.commit().await?;
    Ok(Ok(booking))
}

/// Other systems subscribed to bookings hear of each change (no booker's name: the member's
/// city reads whether a member booked).
async fn announce(tx: &mut crate::storage::Conn, b: &Booking, resource: &str) -> AppResult<()> {
    let data = json!({
        "booking_id": b.id, "resource": resource, "starts_at": b.starts_at, "ends_at": b.ends_at,
        "status": b.status, "purpose": b.purpose, "member_id": b.member_id,
    });
    crate::webhooks::emit(tx, "booking.status_changed", b.org_id, data).await?;
    Ok(())
}

/// A manager's decision on a pending booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Decline,
}

/// Approve or decline a pending booking (409 when it is no longer pending). A decline needs
/// a reason; the booker is told either way.
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    id: BookingId,
    decision: Decision,
    note: &str,
) -> AppResult<Result<Booking, FieldErrors>> {
    if !actor.can_manage_studio() {
        return Err(AppError::Forbidden);
    }
    let note = crate::text::normalize(note);
    if decision == Decision::Decline && note.is_empty() {
        return Ok(Err(FieldErrors::single("note", Msg::new("err.studio_reason"))));
    }
    let to = match decision {
        Decision::Approve => Status::Approved,
        Decision::Decline => Status::Declined,
    };
    change(state, actor, who, id, (Status::Pending, to), &note).await.map(Ok)
}

/// Cancel a booking: its booker until `cancel_hours_before` hours before it starts, a
/// manager at any time before it ends.
pub async fn cancel(state: &AppState, actor: &Actor, who: &Who, id: BookingId) -> AppResult<Booking> {
    let mut conn = state.db.pool().acquire().await?;
    let b = store::booking(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    drop(conn);
    if !actor.can_see_booking(b.user_id) {
        return Err(AppError::NotFound);
    }
    let status = b.status();
    if !status.holds_slot() {
        return Err(AppError::Conflict(Msg::new("err.studio_not_open").arg_key("status", status.label_key())));
    }
    let now = crate::storage::now_ms();
    let limit = b.starts_at - state.settings.studio.cancel_hours_before * 3_600_000;
    let manager = actor.can_manage_studio();
    if (!manager && now > limit) || now >= b.ends_at {
        return Err(AppError::Conflict(
            Msg::new("err.studio_too_late").arg("hours", state.settings.studio.cancel_hours_before),
        ));
    }
    change(state, actor, who, id, (status, Status::Cancelled), "").await
}

/// Move a booking between states in one transaction: audit, `service_use`, and a word to the
/// booker (when someone else acted).
async fn change(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    id: BookingId,
    (from, to): (Status, Status),
    note: &str,
) -> AppResult<Booking> {
    let mut tx = state.db.begin().await?;
    let b = store::booking(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if !store::set_status(&mut tx, id, (from, to), (actor.user_id, &actor.display_name, note)).await? {
        return Err(AppError::Conflict(Msg::new("err.studio_not_open").arg_key("status", b.status().label_key())));
    }
    let resource = store::resource(&mut tx, b.resource_id).await?.map(|r| r.name).unwrap_or_default();
    let label = format!("{resource} {}", slot_label(state, b.starts_at, b.ends_at));
    let (action, used) = match to {
        Status::Approved => ("studio.approve", "approved"),
        Status::Declined => ("studio.decline", "declined"),
        _ => ("studio.cancel", "cancelled"),
    };
    audit::record(
        &mut tx,
        who,
        Entry::new(action, "studio_booking", id, &label)
            .org_opt(b.org_id)
            .before(json!({ "status": from.as_str() }))
            .after(json!({ "status": to.as_str(), "note": note })),
    )
    .await?;
    record_use(
        &mut tx,
        &Use {
            service: "studio",
            action: used,
            ref_id: id.0,
            user: Some(b.user_id),
            member: b.member_id,
            org: b.org_id,
        },
    )
    .await?;
    if !actor.is_user(b.user_id) {
        let title = Msg::new("studio.n_decided").arg("what", &label).arg_key("status", to.label_key());
        let body = if note.is_empty() { Body::Msgs(&[]) } else { Body::Text(note) };
        notifications::send(&mut tx, &[b.user_id], &title, body, paths::ME_SERVICES).await?;
    }
    let booking = store::booking(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    announce(&mut tx, &booking, &resource).await?;
    tx.commit().await?;
    Ok(booking)
}

/// A checked slot's bookings of a resource (for the calendar): in range, every state.
pub async fn in_range(state: &AppState, resource: ResourceId, range: (i64, i64)) -> AppResult<Vec<Booking>> {
    Ok(store::in_range(&mut *state.db.pool().acquire().await?, resource, range).await?)
}
