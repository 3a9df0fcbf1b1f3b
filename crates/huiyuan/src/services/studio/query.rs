//! Reads of the studio for the pages and the API: its resources, a resource's bookings over a
//! span of days, a person's own bookings, the bookings waiting for a manager.

use time::{Date, Duration};

use super::slot::at;
use super::{Booking, Resource, store};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::storage::ResourceId;

/// The resources people may book (a manager sees the inactive ones too).
pub async fn resources(state: &AppState, actor: Option<&Actor>) -> AppResult<Vec<Resource>> {
    let managing = actor.is_some_and(Actor::can_manage_studio);
    Ok(store::resources(&mut *state.db.pool().acquire().await?, !managing).await?)
}

/// One resource; an inactive one only for its managers.
pub async fn resource(state: &AppState, actor: Option<&Actor>, id: ResourceId) -> AppResult<Resource> {
    let r = store::resource(&mut *state.db.pool().acquire().await?, id).await?.ok_or(AppError::NotFound)?;
    if !r.active.0 && !actor.is_some_and(Actor::can_manage_studio) {
        return Err(AppError::NotFound);
    }
    Ok(r)
}

/// A resource's bookings that hold a slot over `days` local days from `first` (others see when
/// it is taken; the names are the pages' to show or not).
pub async fn days(state: &AppState, id: ResourceId, first: Date, days: i64) -> AppResult<Vec<Booking>> {
    let offset = state.settings.locale.utc_offset();
    let from = at(first, time::Time::MIDNIGHT, offset);
    let to = at(first + Duration::days(days), time::Time::MIDNIGHT, offset);
    let rows = store::in_range(&mut *state.db.pool().acquire().await?, id, (from, to)).await?;
    Ok(rows.into_iter().filter(|b| b.status().holds_slot()).collect())
}

/// A booking with its resource's name.
pub struct Line {
    pub booking: Booking,
    pub resource: String,
}

async fn with_names(state: &AppState, rows: Vec<Booking>) -> AppResult<Vec<Line>> {
    let names = store::resources(&mut *state.db.pool().acquire().await?, false).await?;
    Ok(rows
        .into_iter()
        .map(|b| {
            let resource = names.iter().find(|r| r.id == b.resource_id).map(|r| r.name.clone()).unwrap_or_default();
            Line { booking: b, resource }
        })
        .collect())
}

/// The actor's own bookings, the latest first.
pub async fn mine(state: &AppState, actor: &Actor) -> AppResult<Vec<Line>> {
    let rows = store::for_user(&mut *state.db.pool().acquire().await?, actor.user_id).await?;
    with_names(state, rows).await
}

/// A member's bookings, for staff who may see the member (the caller holds the `Visible`
/// that says so).
pub async fn for_member(state: &AppState, member: &crate::members::query::Visible) -> AppResult<Vec<Line>> {
    let rows = store::for_member(&mut *state.db.pool().acquire().await?, member.member.id).await?;
    with_names(state, rows).await
}

/// Bookings waiting for a decision (managers only).
pub async fn pending(state: &AppState, actor: &Actor) -> AppResult<Vec<Line>> {
    if !actor.can_manage_studio() {
        return Err(AppError::Forbidden);
    }
    let rows = store::pending(&mut *state.db.pool().acquire().await?).await?;
    with_names(state, rows).await
}

/// One booking, for its booker or a manager (anyone else: not found).
pub async fn booking(state: &AppState, actor: &Actor, id: crate::storage::BookingId) -> AppResult<Booking> {
    let b = store::booking(&mut *state.db.pool().acquire().await?, id).await?.ok_or(AppError::NotFound)?;
    if !actor.can_see_booking(b.user_id) {
        return Err(AppError::NotFound);
    }
    Ok(b)
}
