//! Reads of the registry with the reader's scope, for the pages, the API, exports,
//! certificate batches and jobs alike: the list and its filters, one member as a reader may
//! see them (with everything their page shows), a member's own records, and the labels the
//! pages print (a member's city, a category's name).

use std::collections::HashMap;

use serde::Deserialize;
use time::{Date, Month};

use super::census::{self, Census};
use super::model::{Proposal, STATUSES};
use super::search;
use super::store::{self, Certificate, Event, Filter, Linked, Member, Period, Row, Sort};
use crate::audit::{AuditFilter, AuditRow};
use crate::auth::{Actor, OrgScope};
use crate::config::Settings;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::orgs::names::OrgNames;
use crate::paths::encode_filters;
use crate::storage::{Conn, Db, MemberId, OrgId, UserId};

/// The marks the list filters by, with their words.
pub const MARKS: [(&str, &str); 3] = [
    ("education_below", "mark.education_below"),
    ("age_outside", "mark.age_outside"),
    ("id_to_complete", "mark.id_to_complete"),
];

/// The filters of the member list, as the page's query string and the API's parameters
/// carry them (every one of them, on both).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MemberFilters {
    /// Name part, pinyin or initials, number, mobile (or its last four digits), employer.
    pub q: String,
    /// An org id, or `direct` for province-direct members.
    pub city: String,
    pub category: String,
    /// `individual` or `group`.
    pub kind: String,
    pub status: String,
    /// The year joined.
    pub year: String,
    /// A group member's id: the individual members registered with it.
    pub group: String,
    /// `number` (default), `name`, `newest`, `oldest`.
    pub sort: String,
    /// A mark the member was imported with: `education_below`, `age_outside`, or
    /// `id_to_complete` (imported without an ID number, not yet completed).
    pub mark: String,
}

impl MemberFilters {
    /// The filters as a query string (empty ones left out), for links and exports.
    pub fn encoded(&self) -> String {
        encode_filters(&[
            ("q", &self.q),
            ("city", &self.city),
            ("category", &self.category),
            ("kind", &self.kind),
            ("status", &self.status),
            ("year", &self.year),
            ("group", &self.group),
            ("sort", &self.sort),
            ("mark", &self.mark),
        ])
    }

    /// The store's filter for these filters within `scope`.
    fn filter(&self, settings: &Settings, scope: OrgScope) -> Filter {
        let offset = settings.locale.utc_offset();
        let joined = self.year.trim().parse::<i32>().ok().and_then(|y| {
            let start = Date::from_calendar_date(y, Month::January, 1).ok()?.midnight().assume_offset(offset);
            let end = Date::from_calendar_date(y + 1, Month::January, 1).ok()?.midnight().assume_offset(offset);
            Some((start.unix_timestamp() * 1000, end.unix_timestamp() * 1000))
        });
        Filter {
            scope,
            org: self.city.parse::<i64>().ok().map(OrgId),
            direct: self.city == "direct",
            category: settings.category(&self.category).map(|c| c.code.clone()),
            kind: ["individual", "group"].contains(&self.kind.as_str()).then(|| self.kind.clone()),
            status: STATUSES.contains(&self.status.as_str()).then(|| self.status.clone()),
            joined,
            group: self.group.parse::<i64>().ok().map(MemberId),
            words: search::parse(&self.q),
            sort: Sort::parse(&self.sort),
            mark: MARKS.iter().find(|(m, _)| *m == self.mark).map(|(m, _)| *m),
        }
    }
}

/// The store's filter for the actor's list (403 for anyone who may not read the registry).
pub fn filter_for(settings: &Settings, actor: &Actor, filters: &MemberFilters) -> AppResult<Filter> {
    if !actor.can_view_members() {
        return Err(AppError::Forbidden);
    }
    Ok(filters.filter(settings, actor.org_scope()))
}

/// A page of the actor's list: the rows, the total (counted up to the filter's cap + 1) and
/// the filter it used.
pub struct Listed {
    pub rows: Vec<Row>,
    pub total: i64,
    pub filter: Filter,
}

impl Listed {
    /// The total as far as it was counted, and whether there are more.
    pub fn capped_total(&self) -> (i64, bool) {
        let cap = self.filter.count_cap();
        (self.total.min(cap), self.total > cap)
    }
}

pub async fn list(
    conn: &mut Conn,
    settings: &Settings,
    actor: &Actor,
    filters: &MemberFilters,
    offset: i64,
    limit: i64,
) -> AppResult<Listed> {
    let filter = filter_for(settings, actor, filters)?;
    let (rows, total) = store::list(conn, &filter, offset, limit).await?;
    Ok(Listed { rows, total, filter })
}

/// A member the actor may see, with the path of their city (None: province-direct). Only
/// [`load_visible`] makes one, so a service given one knows the reader's scope was checked.
pub struct Visible {
    pub member: Member,
    pub org_path: Option<String>,
    /// Whose scope it was checked against.
    reader: UserId,
}

impl Visible {
    /// The account whose scope this member was checked against.
    pub fn reader(&self) -> UserId {
        self.reader
    }
}

/// The path of a member's city (None for province-direct members).
pub async fn org_path(conn: &mut Conn, org: Option<OrgId>) -> AppResult<Option<String>> {
    Ok(match org {
        Some(org) => Some(crate::orgs::store::find(conn, org).await?.ok_or(AppError::NotFound)?.path),
        None => None,
    })
}

/// The member, if the actor may see them (404 when there is none, 403 outside scope).
pub async fn load_visible(conn: &mut Conn, actor: &Actor, id: MemberId) -> AppResult<Visible> {
    let member = store::find(conn, id).await?.ok_or(AppError::NotFound)?;
    let org_path = org_path(conn, member.org_id).await?;
    if !actor.can_view_member(org_path.as_deref()) {
        return Err(AppError::Forbidden);
    }
    Ok(Visible { member, org_path, reader: actor.user_id })
}

/// [`load_visible`] on a connection of its own.
pub async fn visible(db: &Db, actor: &Actor, id: MemberId) -> AppResult<Visible> {
    load_visible(&mut *db.pool().acquire().await?, actor, id).await
}

/// The actor's own member record (404 for anyone else's, so ids reveal nothing).
pub async fn load_own(conn: &mut Conn, actor: &Actor, id: MemberId) -> AppResult<Member> {
    let member = store::find(conn, id).await?.ok_or(AppError::NotFound)?;
    if !actor.owns_member_record(member.user_id) {
        return Err(AppError::NotFound);
    }
    Ok(member)
}

/// The name of the group member whose individuals a list shows, if the actor may see it.
pub async fn group_name(conn: &mut Conn, actor: &Actor, group: Option<MemberId>) -> AppResult<Option<String>> {
    let Some(group) = group else { return Ok(None) };
    match load_visible(conn, actor, group).await {
        Ok(v) => Ok(Some(v.member.name)),
        Err(AppError::NotFound | AppError::Forbidden) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Everything a member's page shows besides the record.
pub struct Detail {
    /// The short name of the member's city (None: province-direct).
    pub city: Option<String>,
    pub events: Vec<Event>,
    pub periods: Vec<Period>,
    pub certificates: Vec<Certificate>,
    pub linked: Vec<Linked>,
    pub proposals: Vec<Proposal>,
    /// The member's and their application's audit entries, newest first (for those who
    /// read the audit log; empty for anyone else).
    pub audit: Vec<AuditRow>,
}

pub async fn detail(conn: &mut Conn, actor: &Actor, v: &Visible) -> AppResult<Detail> {
    let m = &v.member;
    let mut audit = Vec::new();
    if actor.can_read_audit() {
        let mine = AuditFilter {
            target_type: Some("member".into()),
            target_id: Some(m.id.to_string()),
            ..AuditFilter::default()
        };
        audit = crate::audit::list(conn, &mine, 0, 50).await?.0;
        if let Some(app) = m.application_id {
            let joining = AuditFilter {
                target_type: Some("application".into()),
                target_id: Some(app.to_string()),
                ..AuditFilter::default()
            };
            audit.extend(crate::audit::list(conn, &joining, 0, 50).await?.0);
        }
        audit.sort_by_key(|r| std::cmp::Reverse(r.id));
    }
    let city = match m.org_id {
        Some(org) => crate::orgs::store::find(conn, org).await?.map(|o| o.short_name),
        None => None,
    };
    Ok(Detail {
        city,
        events: store::events(conn, m.id).await?,
        periods: store::periods(conn, m.id).await?,
        certificates: store::certificates(conn, m.id).await?,
        linked: store::linked(conn, m.id, m.kind == "group").await?,
        proposals: store::proposals(conn, m.id).await?,
        audit,
    })
}

/// One of the actor's own member records with its valid certificate and open census task.
pub struct Own {
    pub member: Member,
    pub certificate: Option<Certificate>,
    pub task: Option<Census>,
}

/// The actor's own member records (a person may be an individual member and a group's
/// contact), for their membership page.
pub async fn own_records(conn: &mut Conn, settings: &Settings, actor: &Actor) -> AppResult<Vec<Own>> {
    let today = settings.locale.today();
    let today_s = today.to_string();
    let mut out = Vec::new();
    for member in store::by_user(conn, actor.user_id).await? {
        let certificate = store::certificates(conn, member.id).await?.into_iter().find(|c| c.valid_on(&today_s));
        let task = census::query::open_task(conn, member.id, today).await?;
        out.push(Own { member, certificate, task });
    }
    Ok(out)
}

/// The category's name in a language (its code when the settings no longer have it).
pub fn category_label(settings: &Settings, lang: Lang, code: &str) -> String {
    settings.category(code).map_or_else(|| code.to_string(), |c| lang.pick(&c.name, &c.english_name).to_string())
}

/// The org tree as the registry's pages label it, read once per page.
pub struct OrgLabels {
    names: HashMap<OrgId, String>,
    /// The cities in the settings' order: (id, short name, path).
    pub cities: Vec<(OrgId, String, String)>,
    direct: String,
}

impl OrgLabels {
    /// `direct`: the label of province-direct members in the reader's language; the names
    /// from those kept in memory (read again when stale).
    pub async fn read(conn: &mut Conn, kept: &OrgNames, direct: &str) -> AppResult<OrgLabels> {
        let orgs = kept.all(conn).await?;
        Ok(OrgLabels {
            names: orgs.iter().map(|o| (o.id, o.short_name.clone())).collect(),
            cities: orgs
                .iter()
                .filter(|o| o.level == "city")
                .map(|o| (o.id, o.short_name.clone(), o.path.clone()))
                .collect(),
            direct: direct.to_string(),
        })
    }

    /// A member's (or batch's) place: its city's short name, or 省直属.
    pub fn place(&self, org: Option<OrgId>) -> String {
        org.and_then(|o| self.names.get(&o).cloned()).unwrap_or_else(|| self.direct.clone())
    }

    /// The cities within `scope`: (id, short name).
    pub fn cities_in(&self, scope: &OrgScope) -> impl Iterator<Item = (OrgId, &str)> {
        self.cities.iter().filter(|(_, _, path)| scope.covers(path)).map(|(id, name, _)| (*id, name.as_str()))
    }
}
