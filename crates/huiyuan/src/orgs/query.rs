//! Reads of the organisation tree with the reader's scope, for the pages and the API alike:
//! the nodes in scope (filtered as the list page filters), one node, and what a node's page
//! shows.

use std::collections::HashMap;

use serde::Deserialize;

use super::model::Org;
use super::store::{self, OrgPerson};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::storage::{Conn, Db, OrgId};

/// The tree list's filters, as the page's query string and the API's parameters carry them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OrgFilters {
    /// Part of a name, short name or code.
    pub q: String,
    /// `1` (or `true`): deactivated nodes too.
    pub inactive: String,
}

impl OrgFilters {
    pub fn query(&self) -> String {
        crate::text::normalize_line(&self.q)
    }

    pub fn include_inactive(&self) -> bool {
        matches!(self.inactive.trim(), "1" | "true")
    }
}

/// The nodes the actor sees, in tree order (staff only).
pub async fn list(conn: &mut Conn, actor: &Actor, filters: &OrgFilters) -> AppResult<Vec<Org>> {
    if !actor.is_staff() {
        return Err(AppError::Forbidden);
    }
    Ok(store::list(conn, &actor.org_scope(), &filters.query(), filters.include_inactive()).await?)
}

/// How many active staff accounts each node has.
pub async fn staff_counts(conn: &mut Conn) -> AppResult<HashMap<OrgId, i64>> {
    Ok(store::staff_counts(conn).await?)
}

/// The node, if the actor may see it (404 when it does not exist, 403 outside scope).
pub async fn visible(db: &Db, actor: &Actor, id: OrgId) -> AppResult<Org> {
    load_visible(&mut *db.pool().acquire().await?, actor, id).await
}

pub async fn load_visible(conn: &mut Conn, actor: &Actor, id: OrgId) -> AppResult<Org> {
    let org = store::find(conn, id).await?.ok_or(AppError::NotFound)?;
    if !actor.can_view_org(&org.path) {
        return Err(AppError::Forbidden);
    }
    Ok(org)
}

/// A node to change, for those who change the tree.
pub async fn for_edit(db: &Db, actor: &Actor, id: OrgId) -> AppResult<Org> {
    if !actor.can_manage_org_tree() {
        return Err(AppError::Forbidden);
    }
    visible(db, actor, id).await
}

/// What a node's page shows: its parent (when the actor sees it), children and people.
pub struct Detail {
    pub parent: Option<Org>,
    pub children: Vec<Org>,
    pub people: Vec<OrgPerson>,
}

pub async fn detail(db: &Db, actor: &Actor, org: &Org) -> AppResult<Detail> {
    let mut conn = db.pool().acquire().await?;
    let parent = match org.parent_id {
        Some(p) => store::find(&mut conn, p).await?.filter(|p| actor.can_view_org(&p.path)),
        None => None,
    };
    Ok(Detail {
        parent,
        children: store::children(&mut conn, org.id).await?,
        people: store::people(&mut conn, org.id).await?,
    })
}

/// The node a new node goes under (the root when none is named), for those who change the
/// tree.
pub async fn new_parent(db: &Db, actor: &Actor, parent: Option<OrgId>) -> AppResult<Org> {
    if !actor.can_manage_org_tree() {
        return Err(AppError::Forbidden);
    }
    let mut conn = db.pool().acquire().await?;
    Ok(match parent {
        Some(id) => store::find(&mut conn, id).await?.ok_or(AppError::NotFound)?,
        None => store::root(&mut conn).await?,
    })
}
