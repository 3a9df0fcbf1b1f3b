//! The webhooks' pages (事件推送): the subscriptions with their delivery counts and the form
//! to add one (its secret shown once), a subscription's deliveries with "send again", and
//! stopping it.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::service::{self, WebhookInput};
use super::views::*;
use crate::auth::Actor;
use crate::error::{AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::paths;
use crate::state::{AppState, Routes};
use crate::storage::{DeliveryId, OrgId, WebhookId};
use crate::web::pagination::{PageQuery, Pager};
use crate::web::{PageCtx, Staff, redirect_flash, render, render_refused};

pub fn routes() -> Routes {
    Routes::new()
        .get(paths::ADMIN_WEBHOOKS, list)
        .post(paths::ADMIN_WEBHOOKS, create)
        .get(paths::ADMIN_WEBHOOK, show)
        .post(paths::ADMIN_WEBHOOK_REMOVE, remove)
        .post(paths::ADMIN_WEBHOOK_RESEND, resend)
}

async fn list_page(
    state: &AppState,
    actor: &Actor,
    page: PageCtx,
    form: HookForm,
    errors: FieldErrors,
) -> AppResult<ListPage> {
    let rows = service::list(state, actor)
        .await?
        .into_iter()
        .map(|(hook, counts)| HookRow {
            events: hook.event_list().iter().map(|e| event_label(e)).collect(),
            href: paths::with_id(paths::ADMIN_WEBHOOK, hook.id),
            hook,
            pending: counts[0],
            delivered: counts[1],
            failed: counts[2],
        })
        .collect();
    // The province's roles choose the org; a city's administrator subscribes for their city.
    let orgs = if actor.sees_everything() {
        let mut conn = state.db.pool().acquire().await?;
        let root = crate::orgs::store::root(&mut conn).await?;
        let mut orgs = vec![(root.id.to_string(), page.t("webhook.whole_province").to_string())];
        orgs.extend(
            crate::applications::query::cities(&state.db).await?.into_iter().map(|(id, n)| (id.to_string(), n)),
        );
        orgs
    } else {
        Vec::new()
    };
    let events = super::EVENTS.iter().map(|e| (*e, event_label(e))).collect();
    Ok(ListPage {
        ctx: page.title("webhook.title").crumb("menu.system", paths::ADMIN),
        rows,
        events,
        orgs,
        form,
        errors,
    })
}

async fn list(State(state): State<AppState>, Staff(actor, _): Staff, page: PageCtx) -> AppResult<Response> {
    Ok(render(&list_page(&state, &actor, page, HookForm::default(), FieldErrors::new()).await?)?.into_response())
}

async fn create(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    page: PageCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let form = HookForm {
        org: get("org"),
        url: get("url"),
        description: get("description"),
        events: pairs.iter().filter(|(n, _)| n == "events").map(|(_, v)| v.clone()).collect(),
    };
    let input = WebhookInput {
        org: form.org.parse::<i64>().ok().map(OrgId),
        url: form.url.clone(),
        description: form.description.clone(),
        events: form.events.clone(),
    };
    match service::create(&state, &actor, &ctx.who(), &input).await? {
        Ok((hook, secret)) => {
            let href = paths::with_id(paths::ADMIN_WEBHOOK, hook.id);
            let view = CreatedPage { ctx: page.title("webhook.created_title"), hook, secret, href };
            let mut resp = render(&view)?.into_response();
            resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(resp)
        }
        Err(errors) => render_refused(&list_page(&state, &actor, page, form, errors).await?),
    }
}

async fn show(
    State(state): State<AppState>,
    Staff(actor, _): Staff,
    page: PageCtx,
    Path(id): Path<WebhookId>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let pager = Pager::new(&q, &paths::with_id(paths::ADMIN_WEBHOOK, id), String::new());
    let (hook, rows, total) = service::deliveries(&state, &actor, id, (pager.offset(), pager.limit())).await?;
    let rows = rows
        .into_iter()
        .map(|d| {
            let (status_label, status_tag) = status_of(&d.status);
            DeliveryRow { event_label: event_label(&d.event), d, status_label, status_tag }
        })
        .collect();
    let view = ShowPage {
        ctx: page.title_text(hook.url.clone()).crumb("webhook.title", paths::ADMIN_WEBHOOKS),
        events: hook.event_list().iter().map(|e| event_label(e)).collect(),
        hook,
        rows,
        pager: pager.with_total(total),
    };
    Ok(render(&view)?.into_response())
}

async fn remove(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<WebhookId>,
) -> AppResult<Response> {
    let hook = service::remove(&state, &actor, &ctx.who(), id).await?;
    let to = paths::with_id(paths::ADMIN_WEBHOOK, id);
    Ok(redirect_flash(&state, &to, &Msg::new("flash.webhook_removed").arg("name", &hook.url)))
}

async fn resend(
    State(state): State<AppState>,
    Staff(actor, ctx): Staff,
    Path(id): Path<DeliveryId>,
) -> AppResult<Response> {
    let d = service::resend(&state, &actor, &ctx.who(), id).await?;
    let to = paths::with_id(paths::ADMIN_WEBHOOK, d.webhook_id);
    Ok(redirect_flash(&state, &to, &Msg::new("flash.webhook_resent").arg("name", &d.event)))
}
