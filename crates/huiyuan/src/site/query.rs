//! Reads for the public site and the back-office landing page: the latest notices and the
//! active cities, and the figures of the actor's part of the tree.

use crate::audit::{self, AuditFilter, AuditRow};
use crate::auth::{Actor, OrgScope};
use crate::error::{AppError, AppResult};
use crate::notices::model::Notice;
use crate::orgs::{self, Org};
use crate::storage::{Conn, Sql};

/// The latest published notices (at most `n`).
pub async fn latest_notices(conn: &mut Conn, n: i64) -> AppResult<Vec<Notice>> {
    Ok(crate::notices::store::list_published(conn, "", 0, n).await?.0)
}

/// The active city associations, in the settings' order.
pub async fn cities(conn: &mut Conn) -> AppResult<Vec<Org>> {
    let root = orgs::store::root(conn).await?;
    Ok(orgs::store::children(conn, root.id).await?.into_iter().filter(|o| o.active()).collect())
}

/// What the landing page counts in the actor's part of the tree; None for what they may
/// not see.
pub struct Figures {
    pub orgs: i64,
    pub accounts: Option<i64>,
    pub notices: i64,
    pub mail_waiting: Option<i64>,
    /// The latest changes, for those who read the audit log.
    pub recent: Vec<AuditRow>,
    /// The names of the nodes the actor's roles cover (None: the whole tree).
    pub scope: Option<Vec<String>>,
}

pub async fn figures(conn: &mut Conn, actor: &Actor) -> AppResult<Figures> {
    if !actor.is_staff() {
        return Err(AppError::Forbidden);
    }
    let scope = actor.org_scope();
    let mut sql = Sql::new("SELECT COUNT(*) FROM org o WHERE o.is_active = 1");
    scope.push_filter(&mut sql, "o.path");
    let (orgs,): (i64,) = sql.fetch_one(conn).await?;
    let accounts = if actor.can_list_users() {
        let mut sql = Sql::new("SELECT COUNT(*) FROM app_user u WHERE u.is_active = 1");
        if scope != OrgScope::All {
            sql.push(" AND EXISTS (SELECT 1 FROM role_grant g JOIN org o ON o.id = g.org_id WHERE g.user_id = u.id");
            scope.push_filter(&mut sql, "o.path");
            sql.push(")");
        }
        Some(sql.fetch_one::<(i64,)>(conn).await?.0)
    } else {
        None
    };
    let (notices,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM notice WHERE status = 'published'").fetch_one(&mut *conn).await?;
    let mail_waiting = if actor.can_read_outbox() {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM mail_message WHERE status IN ('queued', 'failed')")
            .fetch_one(&mut *conn)
            .await?;
        Some(n)
    } else {
        None
    };
    let recent =
        if actor.can_read_audit() { audit::list(conn, &AuditFilter::default(), 0, 8).await?.0 } else { Vec::new() };
    let scope = match &scope {
        OrgScope::All => None,
        _ => Some(actor.grants.iter().filter(|g| scope.covers(&g.org_path)).map(|g| g.org_name.clone()).collect()),
    };
    Ok(Figures { orgs, accounts, notices, mail_waiting, recent, scope })
}
