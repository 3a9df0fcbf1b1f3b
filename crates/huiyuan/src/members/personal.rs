//! A member's own data (个人信息保护法): everything the registry keeps about them, as a file
//! they can download; and a request to correct it, which goes to the people who keep the
//! record (their city's administrators, or the secretariat for province-direct members).

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::store::{self, Member};
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::{MemberId, UserId};
use crate::web::{CurrentUser, PageCtx, download, redirect_flash, render_refused};

pub fn routes() -> Routes {
    Routes::new().get(paths::ME_DATA, data).post(paths::ME_CORRECTION, correction)
}

/// The signed-in user's own member record.
async fn own(state: &AppState, user: UserId, id: MemberId) -> AppResult<Member> {
    let mut conn = state.db.pool().acquire().await?;
    let m = store::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    if m.user_id != Some(user) {
        return Err(AppError::NotFound);
    }
    Ok(m)
}

async fn data(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    Path(id): Path<MemberId>,
) -> AppResult<Response> {
    let m = own(&state, actor.user_id, id).await?;
    let mut conn = state.db.pool().acquire().await?;
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
    audit::record(&mut conn, &ctx.who(), Entry::new("member.data_export", "member", m.id, &m.name).org_opt(m.org_id))
        .await?;
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
    Ok(download(
        text,
        "application/json; charset=utf-8",
        "attachment",
        &format!("我的会员信息-{}.json", m.number),
        "private, no-store",
    ))
}

#[derive(Debug, Deserialize, Default)]
struct CorrectionForm {
    #[serde(default)]
    text: String,
}

async fn correction(
    State(state): State<AppState>,
    CurrentUser(actor, ctx): CurrentUser,
    page: PageCtx,
    Path(id): Path<MemberId>,
    Form(f): Form<CorrectionForm>,
) -> AppResult<Response> {
    let m = own(&state, actor.user_id, id).await?;
    let text = crate::text::normalize(&f.text);
    if text.is_empty() || text.chars().count() > 1000 {
        let key = if text.is_empty() { "err.required" } else { "err.too_long" };
        let errors = crate::error::FieldErrors::single("text", Msg::new(key).arg("max", 1000));
        let mut view = super::routes::mine_page(&state, &actor, page, None).await?;
        view.correction = Some((m.id, text, errors));
        return render_refused(&view);
    }
    let mut tx = state.db.begin().await?;
    // Whoever keeps the record: the city's administrators, else the secretariat.
    let keepers: Vec<(i64,)> = match m.org_id {
        Some(org) => {
            sqlx::query_as("SELECT DISTINCT user_id FROM role_grant WHERE role = 'city_admin' AND org_id = $1")
                .bind(org)
                .fetch_all(&mut *tx)
                .await?
        }
        None => {
            sqlx::query_as("SELECT DISTINCT user_id FROM role_grant WHERE role = 'secretariat'")
                .fetch_all(&mut *tx)
                .await?
        }
    };
    let title = page.msg(&Msg::new("member.correction_title").arg("name", &m.name).arg("number", &m.number));
    let link = paths::with_id(paths::ADMIN_MEMBER, m.id);
    for (user,) in &keepers {
        crate::notifications::notify(&mut tx, UserId(*user), &title, &text, &link).await?;
    }
    store::event(&mut tx, m.id, "correction", "", "", &text, Some((actor.user_id, &ctx.who().name))).await?;
    audit::record(
        &mut tx,
        &ctx.who(),
        Entry::new("member.correction_request", "member", m.id, &m.name)
            .org_opt(m.org_id)
            .after(json!({ "text": text, "notified": keepers.len() })),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_flash(&state, paths::ME_MEMBERSHIP, &Msg::new("flash.correction_sent")))
}
