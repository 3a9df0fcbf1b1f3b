//! Back-office pages of the organisation tree (组织机构).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::model::{Org, OrgInput};
use super::query::{self, OrgFilters};
use super::service;
use super::views::*;
use crate::auth::Role;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::OrgId;
use crate::web::{PageCtx, Staff, redirect_flash, render, render_refused};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::ADMIN_ORGS, list)
        .post(paths::ADMIN_ORGS, create)
        .get(paths::ADMIN_ORG_NEW, new_form)
        .get(paths::ADMIN_ORG, show)
        .get(paths::ADMIN_ORG_EDIT, edit_form)
        .post(paths::ADMIN_ORG_EDIT, update)
        .post(paths::ADMIN_ORG_ACTIVATION, set_active)
        .post(paths::ADMIN_ORG_DELETE, delete)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    parent: String,
}

async fn list(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Query(q): Query<OrgFilters>,
) -> AppResult<Response> {
    let mut conn = state.db.pool().acquire().await?;
    let orgs = query::list(&mut conn, &actor, &q).await?;
    let counts = query::staff_counts(&mut conn).await?;
    let base_depth = orgs.iter().map(Org::depth).min().unwrap_or(0);
    let rows = orgs
        .into_iter()
        .map(|org| OrgRow {
            level: page.t(org.level().label_key()),
            depth: org.depth() - base_depth,
            staff: counts.get(&org.id).copied().unwrap_or(0),
            org,
        })
        .collect();
    let view = OrgListPage {
        ctx: page.title("org.list_title").crumb("menu.system", paths::ADMIN),
        rows,
        q: q.query(),
        inactive: q.include_inactive(),
        can_manage: actor.can_manage_org_tree(),
    };
    Ok(render(&view)?.into_response())
}

async fn new_form(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let parent = query::new_parent(&state.db, &actor, q.parent.parse::<OrgId>().ok()).await?;
    if parent.level().child().is_none() {
        return Err(AppError::Conflict(Msg::new("err.org_too_deep")));
    }
    let form = OrgInput { parent_id: parent.id.to_string(), ..OrgInput::default() };
    let view = OrgFormPage {
        ctx: page.title("org.new_title").crumb("org.list_title", paths::ADMIN_ORGS),
        form,
        errors: FieldErrors::new(),
        parent_name: Some(parent.name),
        action: paths::ADMIN_ORGS.to_string(),
        cancel: paths::with_id(paths::ADMIN_ORG, parent.id),
    };
    Ok(render(&view)?.into_response())
}

async fn create(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Form(form): Form<OrgInput>,
) -> AppResult<Response> {
    match service::create(&state, &actor, &ctx.who(), &form).await? {
        Ok(org) => Ok(redirect_flash(
            &state,
            &paths::with_id(paths::ADMIN_ORG, org.id),
            &Msg::new("flash.org_created").arg("name", &form.name),
        )),
        Err(errors) => {
            let parent = match form.parent_id.parse::<OrgId>() {
                Ok(id) => query::visible(&state.db, &actor, id).await.ok(),
                Err(_) => None,
            };
            let view = OrgFormPage {
                ctx: page.title("org.new_title").crumb("org.list_title", paths::ADMIN_ORGS),
                cancel: parent
                    .as_ref()
                    .map(|p| paths::with_id(paths::ADMIN_ORG, p.id))
                    .unwrap_or_else(|| paths::ADMIN_ORGS.to_string()),
                parent_name: parent.map(|p| p.name),
                form,
                errors,
                action: paths::ADMIN_ORGS.to_string(),
            };
            render_refused(&view)
        }
    }
}

async fn show(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path(id): Path<OrgId>,
) -> AppResult<Response> {
    let org = query::visible(&state.db, &actor, id).await?;
    let query::Detail { parent, children, people } = query::detail(&state.db, &actor, &org).await?;
    let people: Vec<_> = people
        .into_iter()
        .map(|p| {
            let role = Role::parse(&p.role).map(|r| page.t(r.label_key())).unwrap_or("");
            (p, role)
        })
        .collect();
    let view = OrgPage {
        ctx: page.title_text(org.name.clone()).crumb("org.list_title", paths::ADMIN_ORGS),
        level: crate::i18n::Lang::Zh.t(org.level().label_key()),
        can_add_child: actor.can_manage_org_tree() && org.level().child().is_some() && org.active(),
        can_delete: actor.can_manage_org_tree() && org.parent_id.is_some() && children.is_empty() && people.is_empty(),
        can_manage: actor.can_manage_org_tree(),
        org,
        parent,
        children,
        people,
    };
    Ok(render(&view)?.into_response())
}

async fn edit_form(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path(id): Path<OrgId>,
) -> AppResult<Response> {
    let org = query::for_edit(&state.db, &actor, id).await?;
    let form = OrgInput {
        parent_id: org.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        code: org.code.clone(),
        name: org.name.clone(),
        short_name: org.short_name.clone(),
        sort_order: org.sort_order.to_string(),
    };
    let view = edit_view(page, &org, form, FieldErrors::new());
    Ok(render(&view)?.into_response())
}

fn edit_view(page: PageCtx, org: &Org, form: OrgInput, errors: FieldErrors) -> OrgFormPage {
    let href = paths::with_id(paths::ADMIN_ORG, org.id);
    OrgFormPage {
        ctx: page
            .title("org.edit_title")
            .crumb("org.list_title", paths::ADMIN_ORGS)
            .crumb_text(org.name.clone(), &href),
        form,
        errors,
        parent_name: None,
        action: paths::with_id(paths::ADMIN_ORG_EDIT, org.id),
        cancel: href,
    }
}

async fn update(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Path(id): Path<OrgId>,
    Form(form): Form<OrgInput>,
) -> AppResult<Response> {
    let change = service::OrgChange {
        code: Some(form.code.clone()),
        name: Some(form.name.clone()),
        short_name: Some(form.short_name.clone()),
        sort_order: Some(form.sort_order.clone()),
        active: None,
    };
    match service::change(&state, &actor, &ctx.who(), id, &change).await? {
        Ok(_) => Ok(redirect_flash(&state, &paths::with_id(paths::ADMIN_ORG, id), &Msg::new("flash.saved"))),
        Err(errors) => {
            let org = query::visible(&state.db, &actor, id).await?;
            render_refused(&edit_view(page, &org, form, errors))
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ActivationForm {
    active: String,
}

async fn set_active(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<OrgId>,
    Form(form): Form<ActivationForm>,
) -> AppResult<Response> {
    let active = form.active == "1";
    let org = service::set_active(&state, &actor, &ctx.who(), id, active).await?;
    let key = if active { "flash.org_activated" } else { "flash.org_deactivated" };
    Ok(redirect_flash(&state, &paths::with_id(paths::ADMIN_ORG, id), &Msg::new(key).arg("name", &org.name)))
}

async fn delete(State(state): State<AppState>, Staff(actor, ctx): Staff, Path(id): Path<OrgId>) -> AppResult<Response> {
    let org = service::delete(&state, &actor, &ctx.who(), id).await?;
    Ok(redirect_flash(&state, paths::ADMIN_ORGS, &Msg::new("flash.org_deleted").arg("name", &org.name)))
}
