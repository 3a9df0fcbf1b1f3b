//! The member list's SQL: a page of a filtered list in the reader's scope with its capped
//! total in one query, a page without counting, and the export's query. A search is driven
//! by the search-term index.

use serde::Serialize;
use sqlx::FromRow;

use crate::auth::OrgScope;
use crate::members::search::Word;
use crate::storage::{Conn, MemberId, OrgId, Sql};

/// Lists count at most this many rows; beyond it the total shows as "10,000+".
pub const COUNT_CAP: i64 = 10_000;
/// Searches count at most this many matches ("200+": ten pages of hits; narrow the search).
pub const SEARCH_COUNT_CAP: i64 = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// By member number (the default without a search).
    #[default]
    Number,
    /// Newest members first (always the order of a search).
    Newest,
    Oldest,
    /// By pinyin.
    Name,
}

impl Sort {
    pub fn parse(s: &str) -> Sort {
        match s {
            "newest" => Sort::Newest,
            "oldest" => Sort::Oldest,
            "name" => Sort::Name,
            _ => Sort::Number,
        }
    }
}

/// Which members a list shows: within `scope` (a city administrator's subtree, without
/// province-direct members; everything for the province's roles), then the filters.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub scope: OrgScope,
    pub org: Option<OrgId>,
    /// Province-direct members only.
    pub direct: bool,
    pub category: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    /// Joined within [from, to) (milliseconds).
    pub joined: Option<(i64, i64)>,
    /// Individuals registered with this group member.
    pub group: Option<MemberId>,
    /// A mark the member was imported with (`education_below`, `age_outside`, `id_to_complete`).
    pub mark: Option<&'static str>,
    pub words: Vec<Word>,
    pub sort: Sort,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Row {
    pub id: MemberId,
    pub kind: String,
    pub number: String,
    pub name: String,
    pub category: String,
    pub org_id: Option<OrgId>,
    pub status: String,
    pub joined_at: i64,
    pub mobile: String,
    pub employer: String,
    #[serde(skip)]
    pub id_number: String,
}

const ROW_COLUMNS: &str =
    "m.id, m.kind, m.number, m.name, m.category, m.org_id, m.status, m.joined_at, m.mobile, m.employer, m.id_number";

/// `FROM … WHERE …` of a list. A search is driven by its most selective term (the longest),
/// with the filters answered from the term rows; the other terms must be there too. The
/// member table is joined only when the rows are wanted or a filter needs it (`rows`).
fn push_from(sql: &mut Sql, f: &Filter, orgs: &Option<Vec<OrgId>>, rows: bool) {
    let driver = f.words.iter().flat_map(|w| w.terms.iter()).max_by_key(|t| t.chars().count());
    let needs_member = rows
        || f.joined.is_some()
        || f.group.is_some()
        || f.mark.is_some()
        || f.words.iter().any(|w| w.contains.is_some());
    let col = if let Some(term) = driver {
        sql.push(" FROM member_term t");
        if needs_member {
            sql.push(" JOIN member m ON m.id = t.member_id");
        }
        sql.push(" WHERE t.term = ").bind(term.clone());
        for other in f.words.iter().flat_map(|w| w.terms.iter()).filter(|t| *t != term) {
            sql.push(" AND EXISTS (SELECT 1 FROM member_term x WHERE x.term = ")
                .bind(other.clone())
                .push(" AND x.member_id = t.member_id)");
        }
        for contains in f.words.iter().filter_map(|w| w.contains.as_deref()) {
            let pattern = crate::storage::contains_pattern(contains);
            sql.push(" AND (m.name LIKE ").bind(pattern.clone()).push(" ESCAPE '\\' OR m.employer LIKE ");
            sql.bind(pattern).push(" ESCAPE '\\')");
        }
        "t"
    } else {
        sql.push(" FROM member m WHERE 1 = 1");
        "m"
    };
    // The scope's orgs as a list of ids: each database then reads the member list in its
    // (org, number) order, where a subquery would make SQLite walk the whole list by number.
    if let Some(orgs) = orgs {
        sql.push(&format!(" AND {col}.org_id IN ")).list(orgs.iter().copied());
    }
    if let Some(org) = f.org {
        sql.push(&format!(" AND {col}.org_id = ")).bind(org);
    }
    if f.direct {
        sql.push(&format!(" AND {col}.org_id IS NULL"));
    }
    for (column, value) in [("category", &f.category), ("kind", &f.kind), ("status", &f.status)] {
        if let Some(v) = value {
            sql.push(&format!(" AND {col}.{column} = ")).bind(v.clone());
        }
    }
    if let Some((from, to)) = f.joined {
        sql.push(" AND m.joined_at >= ").bind(from).push(" AND m.joined_at < ").bind(to);
    }
    if let Some(group) = f.group {
        sql.push(" AND m.id IN (SELECT individual_member_id FROM member_link WHERE group_member_id = ")
            .bind(group)
            .push(")");
    }
    if let Some(mark) = f.mark {
        // Marks are space-separated codes: match a whole one.
        sql.push(" AND (' ' || m.marks || ' ') LIKE ").bind(format!("% {mark} %"));
    }
}

impl Filter {
    /// How far this list counts: a search stops at [`SEARCH_COUNT_CAP`] (it reads the term
    /// index row by row), a plain list at [`COUNT_CAP`].
    pub fn count_cap(&self) -> i64 {
        if self.words.is_empty() { COUNT_CAP } else { SEARCH_COUNT_CAP }
    }
}

/// A row of a page with the capped total of the whole list.
#[derive(FromRow)]
struct CountedRow {
    #[sqlx(flatten)]
    row: Row,
    total_count: i64,
}

/// A page of the list, and the total (at most the filter's count cap + 1), in one query: the
/// count is an uncorrelated subquery, which both databases run once.
pub async fn list(conn: &mut Conn, f: &Filter, offset: i64, limit: i64) -> Result<(Vec<Row>, i64), sqlx::Error> {
    let orgs = crate::orgs::store::ids_within(conn, &f.scope).await?;
    let mut sql = Sql::new(&format!("SELECT {ROW_COLUMNS}, "));
    push_count(&mut sql, f, &orgs);
    sql.push(" AS total_count");
    push_from(&mut sql, f, &orgs, true);
    push_order(&mut sql, f);
    sql.page(limit, offset);
    let rows: Vec<CountedRow> = sql.fetch_all(&mut *conn).await?;
    let total = match rows.first() {
        Some(first) => first.total_count,
        None if offset == 0 => 0,
        // Past the end: the total still says how far the list goes.
        None => {
            let mut count = Sql::new("SELECT ");
            push_count(&mut count, f, &orgs);
            count.fetch_one::<(i64,)>(conn).await?.0
        }
    };
    Ok((rows.into_iter().map(|r| r.row).collect(), total))
}

/// `(SELECT COUNT(*) …)` of the list, stopping past the filter's cap.
fn push_count(sql: &mut Sql, f: &Filter, orgs: &Option<Vec<OrgId>>) {
    sql.push("(SELECT COUNT(*) FROM (SELECT 1");
    push_from(sql, f, orgs, false);
    sql.limit(f.count_cap() + 1).push(") capped)");
}

fn push_order(sql: &mut Sql, f: &Filter) {
    let searching = f.words.iter().any(|w| !w.terms.is_empty());
    sql.push(match (searching, f.sort) {
        (true, Sort::Oldest) => " ORDER BY t.member_id",
        (true, _) => " ORDER BY t.member_id DESC",
        (false, Sort::Number) => " ORDER BY m.number",
        (false, Sort::Newest) => " ORDER BY m.id DESC",
        (false, Sort::Oldest) => " ORDER BY m.id",
        (false, Sort::Name) => " ORDER BY m.name_key, m.id",
    });
}

/// A page of the list without counting.
pub async fn page(conn: &mut Conn, f: &Filter, offset: i64, limit: i64) -> Result<Vec<Row>, sqlx::Error> {
    let orgs = crate::orgs::store::ids_within(conn, &f.scope).await?;
    let mut sql = Sql::new(&format!("SELECT {ROW_COLUMNS}"));
    push_from(&mut sql, f, &orgs, true);
    push_order(&mut sql, f);
    sql.page(limit, offset);
    sql.fetch_all(conn).await
}

/// The whole list with the export's extra columns, in the list's order (to be streamed).
pub async fn export_query(conn: &mut Conn, f: &Filter) -> Result<Sql, sqlx::Error> {
    let orgs = crate::orgs::store::ids_within(conn, &f.scope).await?;
    let mut sql = Sql::new(&format!("SELECT {ROW_COLUMNS}, m.gender, m.birth_date, m.email"));
    push_from(&mut sql, f, &orgs, true);
    push_order(&mut sql, f);
    Ok(sql)
}
