//! Home, contact and the back-office landing page.

use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::query;
use super::views::*;
use crate::audit;
use crate::error::AppResult;
use crate::paths;
use crate::state::{AppState, Routes};
use crate::web::{PageCtx, Staff, render};

pub fn routes() -> Routes {
    Routes::new().get(paths::HOME, home).get(paths::CONTACT, contact).public().get(paths::ADMIN, dashboard)
}

async fn home(State(state): State<AppState>, page: PageCtx) -> AppResult<Response> {
    let mut conn = state.db.pool().acquire().await?;
    let notices = query::latest_notices(&mut conn, 6)
        .await?
        .into_iter()
        .map(|n| {
            let href = paths::with_id(paths::NOTICE, n.id);
            (n, href)
        })
        .collect();
    let cities = query::cities(&mut conn).await?.into_iter().map(|o| o.short_name).collect();
    let view = HomePage { ctx: page, assoc: state.settings.association.clone(), notices, cities };
    Ok(render(&view)?.into_response())
}

async fn contact(State(state): State<AppState>, page: PageCtx) -> AppResult<Response> {
    let mut conn = state.db.pool().acquire().await?;
    let cities = query::cities(&mut conn).await?.into_iter().map(|o| (o.name, o.code)).collect();
    let view = ContactPage { ctx: page.title("site.contact"), assoc: state.settings.association.clone(), cities };
    Ok(render(&view)?.into_response())
}

async fn dashboard(State(state): State<AppState>, Staff(actor, _): Staff, page: PageCtx) -> AppResult<Response> {
    let f = query::figures(&mut *state.db.pool().acquire().await?, &actor).await?;
    let mut stats = vec![Stat { label: "dash.orgs", value: f.orgs, href: paths::ADMIN_ORGS }];
    if let Some(n) = f.accounts {
        stats.push(Stat { label: "dash.accounts", value: n, href: paths::ADMIN_USERS });
    }
    stats.push(Stat {
        label: "dash.notices",
        value: f.notices,
        href: if actor.can_manage_notices() { paths::ADMIN_NOTICES } else { paths::NOTICES },
    });
    if let Some(n) = f.mail_waiting {
        stats.push(Stat { label: "dash.mail_waiting", value: n, href: paths::ADMIN_OUTBOX });
    }
    let recent = f
        .recent
        .into_iter()
        .map(|r| RecentChange {
            at: r.at,
            actor: r.actor_name,
            action: audit::action_label(page.lang, &r.action),
            target: r.target_label,
        })
        .collect();
    let scope_name = f.scope.map(|names| names.join("、")).unwrap_or_else(|| state.settings.association.name.clone());
    let todos = crate::site::workbench::todos(&state, &actor, page.lang).await?;
    let view = DashboardPage {
        ctx: page.title("dash.title"),
        scope_name,
        stats,
        recent,
        recent_href: paths::ADMIN_AUDIT,
        todos,
    };
    Ok(render(&view)?.into_response())
}
