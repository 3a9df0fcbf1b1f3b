//! The secretariat keeps the studio: its resources (what each is, how many it holds, when it
//! opens, what it may be used for) and the days it is closed. Each change is audited.

use serde_json::json;

use super::slot::{parse_day, parse_time};
use super::store::{self, ResourceRow};
use crate::audit::{self, Entry, Who};
use crate::auth::Actor;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::storage::ResourceId;

/// The resource form (new or edit), as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ResourceForm {
    pub name: String,
    pub kind: String,
    pub description: String,
    pub capacity: String,
    pub purposes: String,
    pub opens_at: String,
    pub closes_at: String,
    /// ISO weekday numbers (1 = Monday).
    pub closed_weekdays: Vec<String>,
    pub active: String,
}

impl ResourceForm {
    /// Is weekday `d` (1 = Monday) ticked as closed?
    pub fn closed_on(&self, d: &str) -> bool {
        self.closed_weekdays.iter().any(|x| x == d)
    }
}

pub const KINDS: [&str; 3] = ["room", "space", "equipment"];

/// Add (`id` None) or change a resource; answers its id.
pub async fn save(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    id: Option<ResourceId>,
    f: &ResourceForm,
) -> AppResult<Result<ResourceId, FieldErrors>> {
    if !actor.can_manage_studio() {
        return Err(AppError::Forbidden);
    }
    let mut e = FieldErrors::new();
    let name = crate::text::normalize(&f.name);
    if name.is_empty() || name.chars().count() > 60 {
        e.add("name", Msg::new(if name.is_empty() { "err.required" } else { "err.too_long" }).arg("max", 60));
    }
    if !KINDS.contains(&f.kind.as_str()) {
        e.add("kind", Msg::new("err.choice"));
    }
    let capacity = f.capacity.trim().parse::<i64>().unwrap_or(0);
    if !(1..=10_000).contains(&capacity) {
        e.add("capacity", Msg::new("err.studio_participants").arg("max", 10_000));
    }
    let (opens, closes) = (parse_time(&f.opens_at), parse_time(&f.closes_at));
    if opens.is_none() {
        e.add("opens_at", Msg::new("err.studio_time"));
    }
    match (opens, closes) {
        (_, None) => e.add("closes_at", Msg::new("err.studio_time")),
        (Some(o), Some(c)) if c <= o => e.add("closes_at", Msg::new("err.studio_order")),
        _ => {}
    }
    let settings = &state.settings.studio.purposes;
    let purposes: Vec<&str> = f.purposes.lines().map(str::trim).filter(|p| !p.is_empty()).collect();
    if purposes.iter().any(|p| !settings.iter().any(|s| s == p)) {
        e.add("purposes", Msg::new("err.studio_purpose"));
    }
    let mut days: Vec<u8> =
        f.closed_weekdays.iter().filter_map(|d| d.parse().ok()).filter(|d| (1..=7).contains(d)).collect();
    days.sort_unstable();
    days.dedup();
    if !e.is_empty() {
        return Ok(Err(e));
    }
    let description = crate::text::normalize(&f.description);
    let closed = days.iter().map(u8::to_string).collect::<Vec<_>>().join(" ");
    let (opens_at, closes_at) = (f.opens_at.trim(), f.closes_at.trim());
    let purposes = purposes.join("\n");
    let row = ResourceRow {
        name: &name,
        kind: &f.kind,
        description: &description,
        capacity,
        purposes: &purposes,
        opens_at,
        closes_at,
        closed_weekdays: &closed,
        active: !f.active.is_empty(),
    };
    let mut tx = state.db.begin().await?;
    let id = match id {
        Some(id) => {
            if !store::update_resource(&mut tx, id, &row).await? {
                return Err(AppError::NotFound);
            }
            id
        }
        None => store::insert_resource(&mut tx, &row).await?,
    };
    let after = json!({ "name": name, "kind": f.kind, "capacity": capacity, "opens_at": opens_at,
        "closes_at": closes_at, "closed_weekdays": closed, "purposes": purposes, "active": row.active });
    audit::record(&mut tx, who, Entry::new("studio.resource_save", "studio_resource", id, &name).after(after)).await?;
    tx.commit().await?;
    Ok(Ok(id))
}

/// Close the studio (`resource` None) or one resource on a day, with a reason.
pub async fn close_day(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    resource: Option<ResourceId>,
    (day, reason): (&str, &str),
) -> AppResult<Result<(), FieldErrors>> {
    if !actor.can_manage_studio() {
        return Err(AppError::Forbidden);
    }
    let Some(date) = parse_day(day) else {
        return Ok(Err(FieldErrors::single("day", Msg::new("err.date_required"))));
    };
    let reason = crate::text::normalize(reason);
    if reason.chars().count() > 100 {
        return Ok(Err(FieldErrors::single("reason", Msg::new("err.too_long").arg("max", 100))));
    }
    let mut tx = state.db.begin().await?;
    if let Some(id) = resource
        && store::resource(&mut tx, id).await?.is_none()
    {
        return Ok(Err(FieldErrors::single("resource", Msg::new("err.studio_resource"))));
    }
    store::add_closed_day(&mut tx, resource, &date.to_string(), &reason).await?;
    let label = format!("{date} {reason}");
    audit::record(
        &mut tx,
        who,
        Entry::new("studio.closed_day", "studio_resource", resource.map_or(0, |r| r.0), label)
            .after(json!({ "day": date.to_string(), "reason": reason, "resource": resource })),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}
