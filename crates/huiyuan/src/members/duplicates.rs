//! Duplicates (重复会员): exact ones are refused by the database (one member per ID number
//! or credit code); probable ones — the same name with the same mobile, birth date or
//! employer — are found by a scan over the whole registry and merged by hand. A merge keeps
//! the record with the older number, fills its blanks from the other, moves the other's
//! history, periods, certificates and group links onto it, and records what was merged.

use serde_json::json;

use super::store::{self, Member};
use crate::audit::{self, Entry, Who};
use crate::auth::{Actor, OrgScope};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::storage::{Conn, MemberId, Sql, now_ms};

/// What makes two records probably one person: the same name, and one of these the same
/// (the column, and the words for it). The registry's scan and the roster import both judge
/// by this list and [`probably_same`].
pub const SHARED: [(&str, &str); 3] =
    [("mobile", "dup.why_mobile"), ("birth_date", "dup.why_birth"), ("employer", "dup.why_employer")];

/// A person's details as the duplicate rules compare them.
#[derive(Debug, Clone, Copy)]
pub struct Person<'a> {
    pub name: &'a str,
    pub mobile: &'a str,
    pub birth_date: &'a str,
    pub employer: &'a str,
}

impl<'a> Person<'a> {
    /// The detail a rule compares (a column of `SHARED`).
    pub fn detail(&self, column: &str) -> &'a str {
        match column {
            "mobile" => self.mobile,
            "birth_date" => self.birth_date,
            _ => self.employer,
        }
    }
}

/// Are these probably one person? The words for what they share (a message key), if so.
pub fn probably_same(a: &Person, b: &Person) -> Option<&'static str> {
    if a.name.is_empty() || a.name != b.name {
        return None;
    }
    SHARED.iter().find(|(column, _)| !a.detail(column).is_empty() && a.detail(column) == b.detail(column)).map(|s| s.1)
}

/// What a scan found.
#[derive(Debug, Default)]
pub struct Scan {
    pub groups: i64,
    pub members: i64,
    pub millis: u128,
}

/// Find every group of probable duplicates, replacing the last scan's results.
pub async fn scan(state: &AppState, actor: &Actor, who: &Who) -> AppResult<Scan> {
    if !actor.can_scan_duplicates() {
        return Err(AppError::Forbidden);
    }
    let started = std::time::Instant::now();
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query("DELETE FROM duplicate_group").execute(&mut *tx).await?;
    for (column, _) in SHARED {
        let reason = column;
        sqlx::query(&format!(
            "INSERT INTO duplicate_group (reason, name, value, size, found_at)
             SELECT '{reason}', name, {column}, COUNT(*), $1 FROM member WHERE {column} <> ''
             GROUP BY name, {column} HAVING COUNT(*) > 1"
        ))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "INSERT INTO duplicate_member (group_id, member_id)
             SELECT g.id, m.id FROM duplicate_group g JOIN member m ON m.name = g.name AND m.{column} = g.value
             WHERE g.reason = '{reason}'"
        ))
        .execute(&mut *tx)
        .await?;
    }
    let (groups,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM duplicate_group").fetch_one(&mut *tx).await?;
    let (members,): (i64,) =
        sqlx::query_as("SELECT COUNT(DISTINCT member_id) FROM duplicate_member").fetch_one(&mut *tx).await?;
    let millis = started.elapsed().as_millis();
    sqlx::query(
        "INSERT INTO instance (key, value) VALUES ('duplicates_scanned_at', $1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(now.to_string())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        who,
        Entry::new("member.duplicate_scan", "member", "registry", "会员名册")
            .after(json!({ "groups": groups, "members": members, "millis": millis })),
    )
    .await?;
    tx.commit().await?;
    Ok(Scan { groups, members, millis })
}

/// When the last scan ran (milliseconds), if ever.
pub async fn scanned_at(conn: &mut Conn) -> Result<Option<i64>, sqlx::Error> {
    let scanned: Option<(String,)> = sqlx::query_as("SELECT value FROM instance WHERE key = 'duplicates_scanned_at'")
        .fetch_optional(&mut *conn)
        .await?;
    Ok(scanned.and_then(|(v,)| v.parse::<i64>().ok()))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Group {
    pub id: i64,
    pub reason: String,
    pub name: String,
    pub value: String,
    pub found_at: i64,
}

/// A page of the groups whose members all lie within the actor's scope, largest first; and
/// how many there are.
pub async fn groups(
    conn: &mut Conn,
    actor: &Actor,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<(Group, Vec<Member>)>, i64)> {
    if !actor.can_view_members() {
        return Err(AppError::Forbidden);
    }
    let orgs = &actor.org_scope();
    let mut count = Sql::new("SELECT COUNT(*) FROM duplicate_group g WHERE 1 = 1");
    push_scope(&mut count, orgs);
    let (total,): (i64,) = count.fetch_one(conn).await?;
    let mut sql = Sql::new("SELECT g.id, g.reason, g.name, g.value, g.found_at FROM duplicate_group g WHERE 1 = 1");
    push_scope(&mut sql, orgs);
    sql.push(" ORDER BY g.size DESC, g.id").page(limit, offset);
    let found: Vec<Group> = sql.fetch_all(conn).await?;
    let mut out = Vec::with_capacity(found.len());
    for g in found {
        let ids: Vec<(MemberId,)> =
            sqlx::query_as("SELECT member_id FROM duplicate_member WHERE group_id = $1 ORDER BY member_id")
                .bind(g.id)
                .fetch_all(&mut *conn)
                .await?;
        let mut members = Vec::with_capacity(ids.len());
        for (id,) in ids {
            if let Some(m) = store::find(conn, id).await? {
                members.push(m);
            }
        }
        members.sort_by_key(|m| (m.joined_at, m.id));
        out.push((g, members));
    }
    Ok((out, total))
}

/// Only groups none of whose members lies outside the scope.
fn push_scope(sql: &mut Sql, scope: &OrgScope) {
    if *scope == OrgScope::All {
        return;
    }
    sql.push(
        " AND NOT EXISTS (SELECT 1 FROM duplicate_member x JOIN member m ON m.id = x.member_id
          WHERE x.group_id = g.id AND (m.org_id IS NULL OR m.org_id NOT IN ",
    );
    scope.push_org_ids(sql);
    sql.push("))");
}

/// The record a merge keeps: the one that joined first (then the lower id).
pub fn survivor<'a>(a: &'a Member, b: &'a Member) -> (&'a Member, &'a Member) {
    if (a.joined_at, a.id) <= (b.joined_at, b.id) { (a, b) } else { (b, a) }
}

/// Merge `other` into the older of the two. The actor must be allowed to change both
/// (`paths`: their cities' org paths).
pub async fn merge(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    a: MemberId,
    b: MemberId,
    reason: &str,
) -> AppResult<Result<MemberId, FieldErrors>> {
    let reason = crate::text::normalize_line(reason);
    if reason.is_empty() {
        return Ok(Err(FieldErrors::single("reason", Msg::new("err.reason_required"))));
    }
    if a == b {
        return Err(AppError::BadRequest(Msg::new("err.merge_same")));
    }
    let mut tx = state.db.begin().await?;
    let ma = store::find(&mut tx, a).await?.ok_or(AppError::NotFound)?;
    let mb = store::find(&mut tx, b).await?.ok_or(AppError::NotFound)?;
    for m in [&ma, &mb] {
        let path = super::query::org_path(&mut tx, m.org_id).await?;
        if !actor.can_merge_members(path.as_deref()) {
            return Err(AppError::Forbidden);
        }
    }
    if ma.kind != mb.kind {
        return Err(AppError::Conflict(Msg::new("err.merge_kinds")));
    }
    let (keep, gone) = survivor(&ma, &mb);
    let (keep, gone) = (keep.clone(), gone.clone());
    // The other's history, periods and certificates move over; its certificates end.
    sqlx::query(
        "UPDATE certificate SET revoked_at = $1, revoke_reason = $2 WHERE member_id = $3 AND revoked_at IS NULL",
    )
    .bind(now_ms())
    .bind(format!("合并入 {}", keep.number))
    .bind(gone.id)
    .execute(&mut *tx)
    .await?;
    for table in ["member_event", "member_period", "certificate"] {
        sqlx::query(&format!("UPDATE {table} SET member_id = $1 WHERE member_id = $2"))
            .bind(keep.id)
            .bind(gone.id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("UPDATE import_row SET match_member_id = $1 WHERE match_member_id = $2")
        .bind(keep.id)
        .bind(gone.id)
        .execute(&mut *tx)
        .await?;
    // Group links: re-pointed, without doubling a link the survivor has already.
    for (mine, theirs) in [("group_member_id", "individual_member_id"), ("individual_member_id", "group_member_id")] {
        sqlx::query(&format!(
            "INSERT INTO member_link ({mine}, {theirs}) SELECT $1, {theirs} FROM member_link WHERE {mine} = $2
             AND {theirs} <> $1 ON CONFLICT DO NOTHING"
        ))
        .bind(keep.id)
        .bind(gone.id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!("DELETE FROM member_link WHERE {mine} = $1")).bind(gone.id).execute(&mut *tx).await?;
    }
    let key_of =
        |id: MemberId| sqlx::query_as::<_, (Option<String>,)>("SELECT identity_key FROM member WHERE id = $1").bind(id);
    let (kept_key,) = key_of(keep.id).fetch_one(&mut *tx).await?;
    let (gone_key,) = key_of(gone.id).fetch_one(&mut *tx).await?;
    sqlx::query("DELETE FROM member WHERE id = $1").bind(gone.id).execute(&mut *tx).await?;
    // The survivor's blanks are filled from the other record.
    let fill = |mine: &str, theirs: &str| if mine.is_empty() { theirs.to_string() } else { mine.to_string() };
    sqlx::query(
        "UPDATE member SET gender = $1, birth_date = $2, id_number = $3, mobile = $4, email = $5, employer = $6,
            updated_at = $7 WHERE id = $8",
    )
    .bind(fill(&keep.gender, &gone.gender))
    .bind(fill(&keep.birth_date, &gone.birth_date))
    .bind(fill(&keep.id_number, &gone.id_number))
    .bind(fill(&keep.mobile, &gone.mobile))
    .bind(fill(&keep.email, &gone.email))
    .bind(fill(&keep.employer, &gone.employer))
    .bind(now_ms())
    .bind(keep.id)
    .execute(&mut *tx)
    .await?;
    if kept_key.is_none()
        && let Some(key) = gone_key
    {
        sqlx::query("UPDATE member SET identity_key = $1 WHERE id = $2")
            .bind(key)
            .bind(keep.id)
            .execute(&mut *tx)
            .await?;
    }
    store::index(&mut tx, keep.id).await?;
    store::event(&mut tx, keep.id, "merge", &gone.number, &keep.number, &reason, Some((actor.user_id, &who.name)))
        .await?;
    audit::record(
        &mut tx,
        who,
        Entry::new("member.merge", "member", keep.id, &keep.name)
            .org_opt(keep.org_id)
            .before(json!({
                "merged": { "id": gone.id, "number": gone.number, "name": gone.name, "org_id": gone.org_id,
                    "application_id": gone.application_id, "mobile": gone.mobile, "employer": gone.employer,
                    "status": gone.status, "category": gone.category }
            }))
            .after(json!({ "kept": keep.number, "reason": reason })),
    )
    .await?;
    tx.commit().await?;
    crate::storage::analyze_soon(
        &state.db,
        &["member", "member_period", "member_event", "member_link", "certificate", "enrolment_count"],
    );
    Ok(Ok(keep.id))
}
