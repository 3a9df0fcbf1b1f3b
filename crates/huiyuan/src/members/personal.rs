//! A member's own data (个人信息保护法): everything the registry keeps about them, as a file
//! they can download; and a request to correct it, which goes to the people who keep the
//! record (their city's administrators, or the secretariat for province-direct members).
//! Only the member themselves may do either.

use serde_json::json;

use super::query;
use super::store;
use crate::audit::{self, Entry, Who};
use crate::auth::{Actor, Role};
use crate::error::{AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::notifications::Body;
use crate::paths;
use crate::state::AppState;
use crate::storage::MemberId;

/// Longest correction request, in characters.
const CORRECTION_MAX: usize = 1000;

/// Everything kept about the actor's own member record, as pretty JSON, with its file name.
/// Each download is audited.
pub async fn export(state: &AppState, actor: &Actor, who: &Who, id: MemberId) -> AppResult<(String, String)> {
    let mut conn = state.db.pool().acquire().await?;
    let m = query::load_own(&mut conn, actor, id).await?;
    let events = store::events(&mut conn, m.id).await?;
    let periods = store::periods(&mut conn, m.id).await?;
    let certificates = store::certificates(&mut conn, m.id).await?;
    let census: Vec<(i64, String, String, Option<i64>)> = sqlx::query_as(
        "SELECT x.census_id, c.title, x.status, x.responded_at FROM census_member x JOIN census c ON c.id = x.census_id
         WHERE x.member_id = $1 ORDER BY x.census_id",
    )
    .bind(m.id)
    .fetch_all(&mut *conn)
    .await?;
    let city = match m.org_id {
        Some(o) => crate::orgs::store::find(&mut conn, o).await?.map(|o| o.name),
        None => None,
    };
    audit::record(&mut conn, who, Entry::new("member.data_export", "member", m.id, &m.name).org_opt(m.org_id)).await?;
    drop(conn);
    let body = json!({
        "association": state.settings.association.name,
        "exported_at": crate::storage::now_ms(),
        "member": {
            "number": m.number, "name": m.name, "kind": m.kind, "category": m.category, "status": m.status,
            "association": city, "channel": m.channel, "joined_at": m.joined_at, "resolution": m.resolution,
            "gender": m.gender, "birth_date": m.birth_date, "id_number": m.id_number, "mobile": m.mobile,
            "email": m.email, "employer": m.employer, "application_id": m.application_id,
        },
        "history": events,
        "periods": periods,
        "certificates": certificates,
        "census": census.iter().map(|(id, title, status, at)| json!({ "id": id, "title": title, "status": status, "answered_at": at })).collect::<Vec<_>>(),
    });
    let text = serde_json::to_string_pretty(&body).map_err(anyhow::Error::from)?;
    Ok((text, format!("我的会员信息-{}.json", m.number)))
}

/// The member asks for a correction of their record: the keepers of the record are told
/// (each in their language), the request is kept in the record's history and audited.
pub async fn request_correction(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    id: MemberId,
    text: &str,
) -> AppResult<Result<(), FieldErrors>> {
    let m = query::load_own(&mut *state.db.pool().acquire().await?, actor, id).await?;
    let text = crate::text::normalize(text);
    if text.is_empty() || text.chars().count() > CORRECTION_MAX {
        let key = if text.is_empty() { "err.required" } else { "err.too_long" };
        return Ok(Err(FieldErrors::single("text", Msg::new(key).arg("max", CORRECTION_MAX))));
    }
    let mut tx = state.db.begin().await?;
    // Whoever keeps the record: the city's administrators, else the secretariat.
    let keepers = match m.org_id {
        Some(org) => crate::auth::store::holders(&mut tx, Role::CityAdmin, Some(org)).await?,
        None => crate::auth::store::holders(&mut tx, Role::Secretariat, None).await?,
    };
    let title = Msg::new("member.correction_title").arg("name", &m.name).arg("number", &m.number);
    let link = paths::with_id(paths::ADMIN_MEMBER, m.id);
    crate::notifications::send(&mut tx, &keepers, &title, Body::Text(&text), &link).await?;
    store::event(&mut tx, m.id, "correction", "", "", &text, Some((actor.user_id, &who.name))).await?;
    audit::record(
        &mut tx,
        who,
        Entry::new("member.correction_request", "member", m.id, &m.name)
            .org_opt(m.org_id)
            .after(json!({ "text": text, "notified": keepers.len() })),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}
