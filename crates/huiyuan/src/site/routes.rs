//! Home, contact and the back-office landing page.

use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::views::*;
use crate::audit::{self, AuditFilter};
use crate::auth::OrgScope;
use crate::error::AppResult;
use crate::notices;
use crate::orgs;
use crate::paths;
use crate::state::AppState;
use crate::state::Routes;
use crate::storage::Sql;
use crate::web::{PageCtx, Staff, render};

pub fn routes() -> Routes {
    Routes::new().get(paths::HOME, home).get(paths::CONTACT, contact).get(paths::ADMIN, dashboard)
}

async fn home(State(state): State<AppState>, page: PageCtx) -> AppResult<Response> {
    let mut conn = state.db.pool().acquire().await?;
    let (latest, _) = notices::store::list_published(&mut conn, "", 0, 6).await?;
    let notices = latest
        .into_iter()
        .map(|n| {
            let href = paths::with_id(paths::NOTICE, n.id);
            (n, href)
        })
        .collect();
    let root = orgs::store::root(&mut conn).await?;
    let cities = orgs::store::children(&mut conn, root.id)
        .await?
        .into_iter()
        .filter(|o| o.active())
        .map(|o| o.short_name)
        .collect();
    let view = HomePage { ctx: page, assoc: state.settings.association.clone(), notices, cities };
    Ok(render(&view)?.into_response())
}

async fn contact(State(state): State<AppState>, page: PageCtx) -> AppResult<Response> {
    let mut conn = state.db.pool().acquire().await?;
    let root = orgs::store::root(&mut conn).await?;
    let cities = orgs::store::children(&mut conn, root.id)
        .await?
        .into_iter()
        .filter(|o| o.active())
        .map(|o| (o.name, o.code))
        .collect();
    let view = ContactPage { ctx: page.title("site.contact"), assoc: state.settings.association.clone(), cities };
    Ok(render(&view)?.into_response())
}

async fn dashboard(State(state): State<AppState>, Staff(actor, _): Staff, page: PageCtx) -> AppResult<Response> {
    let scope = actor.org_scope();
    let mut conn = state.db.pool().acquire().await?;
    let mut stats = Vec::new();

    let mut sql = Sql::new("SELECT COUNT(*) FROM org o WHERE o.is_active = 1");
    scope.push_filter(&mut sql, "o.path");
    let (orgs_n,): (i64,) = sql.fetch_one(&mut conn).await?;
    stats.push(Stat { label: "dash.orgs", value: orgs_n, href: paths::ADMIN_ORGS });

    if actor.can_list_users() {
        let mut sql = Sql::new("SELECT COUNT(*) FROM app_user u WHERE u.is_active = 1");
        if scope != OrgScope::All {
            sql.push(" AND EXISTS (SELECT 1 FROM role_grant g JOIN org o ON o.id = g.org_id WHERE g.user_id = u.id");
            scope.push_filter(&mut sql, "o.path");
            sql.push(")");
        }
        let (n,): (i64,) = sql.fetch_one(&mut conn).await?;
        stats.push(Stat { label: "dash.accounts", value: n, href: paths::ADMIN_USERS });
    }
    let (published,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM notice WHERE status = 'published'").fetch_one(&mut *conn).await?;
    stats.push(Stat {
        label: "dash.notices",
        value: published,
        href: if actor.can_manage_notices() { paths::ADMIN_NOTICES } else { paths::NOTICES },
    });
    if actor.can_read_outbox() {
        let (waiting,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM mail_message WHERE status IN ('queued', 'failed')")
                .fetch_one(&mut *conn)
                .await?;
        stats.push(Stat { label: "dash.mail_waiting", value: waiting, href: paths::ADMIN_OUTBOX });
    }

    let recent = if actor.can_read_audit() {
        let (rows, _) = audit::list(&mut conn, &AuditFilter::default(), 0, 8).await?;
        rows.into_iter()
            .map(|r| RecentChange {
                at: r.at,
                actor: r.actor_name,
                action: audit::action_label(page.lang, &r.action),
                target: r.target_label,
            })
            .collect()
    } else {
        Vec::new()
    };
    let scope_name = match &scope {
        OrgScope::All => state.settings.association.name.clone(),
        _ => actor
            .grants
            .iter()
            .filter(|g| scope.covers(&g.org_path))
            .map(|g| g.org_name.clone())
            .collect::<Vec<_>>()
            .join("、"),
    };
    let view =
        DashboardPage { ctx: page.title("dash.title"), scope_name, stats, recent, recent_href: paths::ADMIN_AUDIT };
    Ok(render(&view)?.into_response())
}
