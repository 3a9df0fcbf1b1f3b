//! Reads of accounts with the reader's scope, for the pages and the API alike: the account
//! list and its filters, one account with the roles the reader may see, and the nodes a role
//! may be given over.

use std::collections::HashMap;

use serde::Deserialize;

use super::store::{self, UserFilter, UserListRow};
use crate::auth::model::User;
use crate::auth::{Actor, Grant, Role, store as auth_store};
use crate::error::{AppError, AppResult};
use crate::orgs::Org;
use crate::paths::encode_filters;
use crate::storage::{Conn, Db, UserId};

/// The account list's filters, as the page's query string and the API's parameters carry
/// them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UserFilters {
    /// Part of a name, user name, e-mail or mobile number.
    pub q: String,
    /// A role held within the reader's scope.
    pub role: String,
    /// A node the role is held over.
    pub org: String,
    /// `active` or `inactive`.
    pub status: String,
}

impl UserFilters {
    pub fn filter(&self) -> UserFilter {
        UserFilter {
            q: crate::text::normalize_line(&self.q),
            role: Role::parse(&self.role).map(|r| r.as_str().to_string()),
            org: self.org.trim().parse().ok(),
            active: match self.status.as_str() {
                "active" => Some(true),
                "inactive" => Some(false),
                _ => None,
            },
        }
    }

    pub fn encoded(&self) -> String {
        let f = self.filter();
        encode_filters(&[("q", &f.q), ("role", &self.role), ("org", &self.org), ("status", &self.status)])
    }
}

/// The roles of `grants` the actor may see (those within their part of the tree).
pub fn visible_grants(actor: &Actor, grants: Vec<Grant>) -> Vec<Grant> {
    grants.into_iter().filter(|g| actor.can_view_org(&g.org_path)).collect()
}

/// A page of the accounts the actor may list, each with the roles they may see, and the
/// total.
pub async fn list(
    conn: &mut Conn,
    actor: &Actor,
    filters: &UserFilters,
    (offset, limit): (i64, i64),
) -> AppResult<(Vec<(UserListRow, Vec<Grant>)>, i64)> {
    if !actor.can_list_users() {
        return Err(AppError::Forbidden);
    }
    let (rows, total) = store::list(conn, &actor.org_scope(), &filters.filter(), offset, limit).await?;
    let ids: Vec<UserId> = rows.iter().map(|r| r.id).collect();
    let mut grants: HashMap<UserId, Vec<Grant>> = auth_store::grants_of_many(conn, &ids).await?;
    let rows = rows
        .into_iter()
        .map(|row| {
            let g = visible_grants(actor, grants.remove(&row.id).unwrap_or_default());
            (row, g)
        })
        .collect();
    Ok((rows, total))
}

/// The account, if the actor may see it: staff with the whole tree see everyone; narrower
/// scopes see accounts holding a role inside them.
pub async fn load_visible(conn: &mut Conn, actor: &Actor, id: UserId) -> AppResult<User> {
    if !actor.can_list_users() {
        return Err(AppError::Forbidden);
    }
    let user = auth_store::find_user(conn, id).await?.ok_or(AppError::NotFound)?;
    if !actor.sees_everything() {
        let scope = actor.org_scope();
        let grants = auth_store::grants_of(conn, id).await?;
        if !grants.iter().any(|g| scope.covers(&g.org_path)) {
            return Err(AppError::Forbidden);
        }
    }
    Ok(user)
}

pub async fn visible(db: &Db, actor: &Actor, id: UserId) -> AppResult<User> {
    load_visible(&mut *db.pool().acquire().await?, actor, id).await
}

/// An account the actor may see, with every role it holds (the page decides what of them
/// to show, and whether the actor may manage the account at all).
pub async fn with_grants(db: &Db, actor: &Actor, id: UserId) -> AppResult<(User, Vec<Grant>)> {
    let mut conn = db.pool().acquire().await?;
    let user = load_visible(&mut conn, actor, id).await?;
    let grants = auth_store::grants_of(&mut conn, id).await?;
    Ok((user, grants))
}

/// The active nodes in the actor's scope (where they may give roles), in tree order.
pub async fn nodes(db: &Db, actor: &Actor) -> AppResult<Vec<Org>> {
    Ok(crate::orgs::store::list(&mut *db.pool().acquire().await?, &actor.org_scope(), "", false).await?)
}
