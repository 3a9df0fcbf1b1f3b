//! Roster import pages: upload a roster, preview each row's verdict, map columns, download
//! the verdicts, commit.

use std::collections::HashSet;

use axum::Form;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;

use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::members::import::roster::{FIELDS, Field, Mapping};
use crate::members::import::{query, room, service};
use crate::members::query::OrgLabels;
use crate::members::views::Options;
use crate::members::views::import::{ImportPage, PreviewPage, VERDICTS, verdict_tag};
use crate::paths;
use crate::paths::encode_filters;
use crate::state::{AppState, Routes};
use crate::storage::OrgId;
use crate::web::pagination::{PageQuery, Pager};
use crate::web::{PageCtx, Staff, download, redirect_flash, render, render_refused};

pub fn routes(upload_limit: usize) -> Routes {
    Routes::new()
        .get(paths::ADMIN_MEMBERS_IMPORT, page)
        .route(
            paths::ADMIN_MEMBERS_IMPORT,
            Method::POST,
            post(upload).layer(DefaultBodyLimit::max(upload_limit + 1_048_576)),
        )
        .get(paths::ADMIN_IMPORT, preview)
        .post(paths::ADMIN_IMPORT_MAPPING, remap)
        .post(paths::ADMIN_IMPORT_COMMIT, commit)
        .get(paths::ADMIN_IMPORT_XLSX, verdicts)
        .get(paths::ADMIN_IMPORT_TEMPLATE, template)
}

/// The roster template workbook.
async fn template(State(state): State<AppState>, Staff(actor, _): Staff) -> AppResult<Response> {
    let bytes = service::template(&state, &actor).await?;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "attachment",
        "会员花名册模板.xlsx",
        "private, no-store",
    ))
}

/// The orgs the actor may import into, as the form's choices (`direct`: province-direct).
async fn import_targets(state: &AppState, actor: &Actor, page: &PageCtx) -> AppResult<Options> {
    let targets = query::targets(&mut *state.db.pool().acquire().await?, &state.org_names, actor).await?;
    Ok(targets
        .into_iter()
        .map(|(org, name)| match org {
            Some(id) => (id.to_string(), name),
            None => ("direct".into(), page.t("member.direct").into()),
        })
        .collect())
}

async fn import_page(
    state: &AppState,
    actor: &Actor,
    page: PageCtx,
    city: String,
    error: Option<String>,
) -> AppResult<ImportPage> {
    let cities = import_targets(state, actor, &page).await?;
    let mut conn = state.db.pool().acquire().await?;
    let orgs = OrgLabels::read(&mut conn, &state.org_names, page.t("member.direct")).await?;
    let batches = query::recent(&mut conn, &actor.org_scope())
        .await?
        .into_iter()
        .map(|b| {
            let place = orgs.place(b.org_id);
            let status = page.t(match b.status.as_str() {
                "committed" => "import.s_committed",
                "discarded" => "import.s_discarded",
                _ => "import.s_preview",
            });
            (b, place, status)
        })
        .collect();
    let max_size = crate::files::human_size(i64::try_from(state.settings.uploads.max_bytes).unwrap_or(i64::MAX));
    let city = if city.is_empty() { cities.first().map(|c| c.0.clone()).unwrap_or_default() } else { city };
    let columns = crate::members::import::template::columns(&state.settings, page.lang)
        .into_iter()
        .map(|c| (page.t(c.field.label_key()), c.heading, c.required, c.also))
        .collect();
    Ok(ImportPage {
        columns,
        ctx: page.title("import.title").crumb("menu.registry", paths::ADMIN_MEMBERS),
        cities,
        city,
        error,
        batches,
        max_size,
    })
}

async fn page(State(state): State<AppState>, Staff(actor, _): Staff, page: PageCtx) -> AppResult<Response> {
    Ok(render(&import_page(&state, &actor, page, String::new(), None).await?)?.into_response())
}

async fn upload(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let max = state.settings.uploads.max_bytes;
    let too_large = || {
        AppError::TooLarge(
            Msg::new("err.file_too_large").arg("max", crate::files::human_size(i64::try_from(max).unwrap_or(i64::MAX))),
        )
    };
    let (mut city, mut file) = (String::new(), None);
    while let Some(field) = multipart.next_field().await.map_err(|_| too_large())? {
        match field.name() {
            Some("city") => city = field.text().await.map_err(|_| too_large())?,
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                file = Some((name, field.bytes().await.map_err(|_| too_large())?));
            }
            _ => {}
        }
    }
    let targets = import_targets(&state, &actor, &page).await?;
    if !targets.iter().any(|(v, _)| *v == city) {
        let msg = page.msg(&Msg::new("import.err_city"));
        return render_refused(&import_page(&state, &actor, page, city, Some(msg)).await?);
    }
    let org = city.parse::<i64>().ok().map(OrgId);
    let outcome = match file {
        Some((name, bytes)) if !name.is_empty() && !bytes.is_empty() => {
            if bytes.len() > max {
                return Err(too_large());
            }
            service::upload(&state, &actor, &ctx.who(), page.lang, org, &name, &bytes).await?
        }
        _ => Err(Msg::new("err.file_missing")),
    };
    match outcome {
        Ok(id) => Ok(redirect_flash(&state, &paths::with_id(paths::ADMIN_IMPORT, id), &Msg::new("flash.import_read"))),
        Err(msg) => {
            let msg = page.msg(&msg);
            render_refused(&import_page(&state, &actor, page, city, Some(msg)).await?)
        }
    }
}

#[derive(Debug, Deserialize, Default)]
struct PreviewQuery {
    #[serde(default)]
    verdict: String,
    #[serde(flatten)]
    page: PageQuery,
}

async fn preview(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path(id): Path<i64>,
    Query(q): Query<PreviewQuery>,
) -> AppResult<Response> {
    let mut conn = state.db.pool().acquire().await?;
    let b = query::visible(&mut conn, &actor, id).await?;
    let verdict = VERDICTS.iter().find(|(v, _)| *v == q.verdict).map(|(v, _)| *v);
    let pager =
        Pager::new(&q.page, &paths::with_id(paths::ADMIN_IMPORT, id), encode_filters(&[("verdict", &q.verdict)]));
    let rows = query::rows(&mut conn, id, verdict, pager.offset(), pager.limit()).await?;
    let city = match b.org_id {
        Some(o) => crate::orgs::store::find(&mut conn, o).await?.map(|o| o.short_name).unwrap_or_default(),
        None => page.t("member.direct").into(),
    };
    let query::Terms { indexing, reindex } = query::terms(&mut conn, id).await?;
    let unit = if b.status == "preview" { service::unit_of(&state, &mut conn, b.org_id).await? } else { 0 };
    let room::Summary { findings, rooms, room_short } =
        room::summary(&mut conn, &state.settings, page.lang, &b, (unit, &city)).await?;
    drop(conn);
    let count = |v: &str| match v {
        "new" => b.new_rows,
        "flagged" => b.flagged_rows,
        "probable" => b.probable_rows,
        "duplicate" => b.duplicate_rows,
        _ => b.invalid_rows,
    };
    let all = b.new_rows + b.flagged_rows + b.probable_rows + b.duplicate_rows + b.invalid_rows;
    let total = verdict.map(count).unwrap_or(all);
    let mut tabs = vec![("", "list.all", all, verdict.is_none())];
    tabs.extend(VERDICTS.iter().map(|(v, label)| (*v, *label, count(v), verdict == Some(*v))));
    let mapping = b.mapping();
    let heading = b.heading();
    let fields = FIELDS
        .iter()
        .map(|f| {
            let chosen = mapping.get(f).copied();
            let columns = heading.iter().enumerate().map(|(i, h)| (i, h.clone(), chosen == Some(i))).collect();
            (f.key(), f.label_key(), columns)
        })
        .collect();
    let rows = rows
        .into_iter()
        .map(|r| {
            let mut cells = r.cells();
            cells.resize(heading.len(), String::new());
            let label =
                VERDICTS.iter().find(|(v, _)| *v == r.verdict).map(|(_, l)| *l).unwrap_or("import.v_invalid_label");
            let tag = verdict_tag(&r.verdict);
            (r, cells, label, tag)
        })
        .collect();
    Ok(render(&PreviewPage {
        ctx: page
            .title_text(b.file_name.clone())
            .crumb("menu.registry", paths::ADMIN_MEMBERS)
            .crumb("import.title", paths::ADMIN_MEMBERS_IMPORT),
        city,
        heading,
        fields,
        rows,
        tabs,
        pager: pager.with_total(total),
        preview: b.status == "preview",
        importable: b.new_rows,
        findings,
        rooms,
        room_short,
        indexing,
        reindex,
        b,
    })?
    .into_response())
}

async fn remap(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let b = query::visible(&mut *state.db.pool().acquire().await?, &actor, id).await?;
    let width = b.heading().len();
    let mut mapping = Mapping::new();
    for (k, v) in &pairs {
        if let (Some(field), Ok(col)) = (k.strip_prefix("col_").and_then(Field::parse), v.parse::<usize>())
            && col < width
            && !mapping.values().any(|c| *c == col)
        {
            mapping.insert(field, col);
        }
    }
    service::remap(&state, &actor, &ctx.who(), page.lang, id, &mapping).await?;
    Ok(redirect_flash(&state, &paths::with_id(paths::ADMIN_IMPORT, id), &Msg::new("flash.import_remapped")))
}

async fn commit(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    // probable_{row}=import, flagged_{row}=import, flagged_all=import.
    let rows: HashSet<i64> = pairs
        .iter()
        .filter(|(_, v)| v == "import")
        .filter_map(|(k, _)| k.strip_prefix("probable_").or_else(|| k.strip_prefix("flagged_")))
        .filter_map(|row| row.parse().ok())
        .collect();
    let all_flagged = pairs.iter().any(|(k, v)| k == "flagged_all" && v == "import");
    let choices = service::Choices { rows, all_flagged };
    let added = service::commit(&state, &actor, &ctx.who(), page.lang, id, &choices).await?;
    Ok(redirect_flash(
        &state,
        &paths::with_id(paths::ADMIN_IMPORT, id),
        &Msg::new("flash.import_committed").arg("name", added),
    ))
}

async fn verdicts(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (bytes, name) = service::verdicts_xlsx(&state, &actor, page.lang, id).await?;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "attachment",
        &name,
        "private, no-store",
    ))
}
