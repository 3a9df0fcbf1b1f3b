//! What the API sends and receives: explicit shapes, separate from database rows.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Actor;
use crate::auth::model::User;
use crate::orgs::Org;

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Machine-readable: unauthorized, forbidden, not_found, bad_request, validation_failed,
    /// conflict, too_large, too_many_requests, unavailable, internal.
    pub code: String,
    /// For people, in the user's language.
    pub message: String,
    /// Per-field problems (validation_failed only).
    #[schema(value_type = Option<Object>)]
    pub fields: Option<serde_json::Value>,
    /// A transition that does not apply (conflict): the status the object is in now.
    pub current_status: Option<String>,
    pub request_id: String,
}

#[derive(Serialize, ToSchema)]
pub struct GrantOut {
    pub id: i64,
    /// sysadmin, secretariat, council, city_admin or member.
    pub role: String,
    pub org_id: i64,
    pub org_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeOut {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub locale: String,
    pub grants: Vec<GrantOut>,
    /// Send as `X-CSRF-Token` with state-changing requests that use the session cookie.
    pub csrf_token: Option<String>,
}

impl MeOut {
    pub fn new(actor: &Actor, csrf_token: Option<String>) -> MeOut {
        MeOut {
            id: actor.user_id.0,
            username: actor.username.clone(),
            display_name: actor.display_name.clone(),
            locale: actor.locale.clone(),
            grants: actor
                .grants
                .iter()
                .map(|g| GrantOut {
                    id: g.id.0,
                    role: g.role.as_str().into(),
                    org_id: g.org_id.0,
                    org_name: g.org_name.clone(),
                })
                .collect(),
            csrf_token,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct SignInBody {
    /// User name, e-mail or mobile number.
    pub login: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct OrgOut {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// GB/T 2260 region code.
    pub code: String,
    pub name: String,
    pub short_name: String,
    /// province, city or county.
    pub level: String,
    pub active: bool,
    pub sort_order: i64,
}

impl From<Org> for OrgOut {
    fn from(o: Org) -> OrgOut {
        OrgOut {
            id: o.id.0,
            parent_id: o.parent_id.map(|p| p.0),
            active: o.active(),
            code: o.code,
            name: o.name,
            short_name: o.short_name,
            level: o.level,
            sort_order: o.sort_order,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct OrgCreate {
    pub parent_id: i64,
    pub code: String,
    pub name: String,
    pub short_name: String,
    #[serde(default)]
    pub sort_order: i64,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct OrgPatch {
    pub code: Option<String>,
    pub name: Option<String>,
    pub short_name: Option<String>,
    pub sort_order: Option<i64>,
    /// false deactivates the node and everything under it.
    pub active: Option<bool>,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct OrgQuery {
    /// Part of a name, short name or code.
    pub q: String,
    /// Include deactivated nodes.
    pub include_inactive: bool,
    /// The list page's name for `include_inactive`: `1` includes deactivated nodes.
    pub inactive: String,
}

impl OrgQuery {
    /// The tree list's filters, as the page reads them.
    pub fn filters(self) -> crate::orgs::query::OrgFilters {
        let OrgQuery { q, include_inactive, inactive } = self;
        let inactive = if include_inactive { "1".to_string() } else { inactive };
        crate::orgs::query::OrgFilters { q, inactive }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserOut {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub active: bool,
    pub last_sign_in_at: Option<i64>,
    pub grants: Vec<GrantOut>,
}

impl UserOut {
    pub fn new(u: User, grants: Vec<GrantOut>) -> UserOut {
        UserOut {
            id: u.id.0,
            active: u.active(),
            username: u.username,
            display_name: u.display_name,
            email: u.email,
            mobile: u.mobile,
            last_sign_in_at: u.last_sign_in_at,
            grants,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Part of a name, user name, e-mail or mobile number.
    pub q: String,
    pub role: String,
    pub org: Option<i64>,
    /// active or inactive.
    pub status: String,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl UserQuery {
    /// The account list's filters, every one of them (as the list page reads them).
    pub fn filters(self) -> crate::users::query::UserFilters {
        let UserQuery { q, role, org, status, page: _, per_page: _ } = self;
        crate::users::query::UserFilters { q, role, org: org.map(|o| o.to_string()).unwrap_or_default(), status }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct GrantCreate {
    pub role: String,
    pub org_id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct FileOut {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub url: String,
}

#[derive(Serialize, ToSchema)]
pub struct NoticeOut {
    pub id: i64,
    pub doc_number: String,
    pub title: String,
    /// Markdown.
    pub body: String,
    /// draft, published or withdrawn.
    pub status: String,
    pub pinned: bool,
    pub published_at: Option<i64>,
    pub files: Vec<FileOut>,
}

#[derive(Deserialize, ToSchema)]
pub struct NoticeCreate {
    #[serde(default)]
    pub doc_number: String,
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub pinned: bool,
    /// Publish at once (otherwise a draft).
    #[serde(default)]
    pub publish: bool,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub q: String,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditOut {
    pub id: i64,
    /// Milliseconds since the Unix epoch.
    pub at: i64,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub target_label: String,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub client_addr: String,
    pub request_id: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenOut {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenCreated {
    pub id: i64,
    pub name: String,
    /// The secret: shown this once, never again.
    pub token: String,
}

#[derive(Deserialize, ToSchema)]
pub struct TokenCreate {
    pub name: String,
}

/// Page numbers of a list that has no filters.
#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Page numbers for API lists: 1-based, 1–100 per page (default 20).
pub fn paging(page: Option<i64>, per_page: Option<i64>) -> (i64, i64) {
    let max = crate::web::pagination::MAX_PAGE;
    (page.filter(|p| (1..=max).contains(p)).unwrap_or(1), per_page.filter(|p| (1..=100).contains(p)).unwrap_or(20))
}

/// A member in the registry. The ID number is masked unless the caller may read it in full.
#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    pub id: i64,
    /// individual | group
    pub kind: String,
    pub number: String,
    pub name: String,
    pub category: String,
    pub org_id: Option<i64>,
    /// active | suspended | lapsed | withdrawn | expelled | deceased
    pub status: String,
    /// Milliseconds since the Unix epoch.
    pub joined_at: i64,
    pub employer: String,
    pub mobile: String,
    pub id_number_masked: String,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct MemberQuery {
    /// Name part, pinyin or initials, member number, mobile (or its last four digits), employer.
    pub q: String,
    /// An org id, or `direct` for province-direct members.
    pub city: String,
    pub category: String,
    /// individual | group
    pub kind: String,
    pub status: String,
    /// The year joined.
    pub year: String,
    /// A group member's id: the individual members registered with it.
    pub group: String,
    /// number (default) | name | newest | oldest; searches are newest first.
    pub sort: String,
    /// A mark a member was imported with: education_below | age_outside | id_to_complete
    pub mark: String,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl MemberQuery {
    /// The list's filters, every one of them: a filter added to the list is a compile error
    /// here until the API carries it too.
    pub fn filters(self) -> crate::members::query::MemberFilters {
        let MemberQuery { q, city, category, kind, status, year, group, sort, mark, page: _, per_page: _ } = self;
        crate::members::query::MemberFilters { q, city, category, kind, status, year, group, sort, mark }
    }
}

/// A page of members; `total` is counted up to 10,000 (1,000 for a search) and `total_capped`
/// says there are more.
#[derive(Serialize, ToSchema)]
pub struct MemberPage {
    pub items: Vec<MemberOut>,
    pub total: i64,
    pub total_capped: bool,
    pub page: i64,
    pub per_page: i64,
}

/// The caller's own home (the twin of the `/me` page): their memberships, their applications
/// still under way, and what waits for their action.
#[derive(Serialize, ToSchema)]
pub struct HomeOut {
    pub memberships: Vec<HomeMembershipOut>,
    pub applications: Vec<HomeApplicationOut>,
    /// Studio bookings still to come that hold their slot.
    pub bookings: Vec<HomeBookingOut>,
    pub actions: Vec<HomeActionOut>,
}

#[derive(Serialize, ToSchema)]
pub struct HomeMembershipOut {
    pub id: i64,
    pub number: String,
    pub name: String,
    /// The category's code and its name in the caller's language.
    pub category: String,
    pub category_label: String,
    /// The city association keeping the record (or the province).
    pub association: String,
    /// active, suspended, lapsed, …
    pub status: String,
    pub joined_at: i64,
    /// The valid certificate's last day (YYYY-MM-DD), when there is one.
    pub valid_until: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct HomeApplicationOut {
    pub id: i64,
    pub name: String,
    /// individual or group.
    pub kind: String,
    pub status: String,
    /// What happens next, in the caller's language.
    pub next_step: String,
}

#[derive(Serialize, ToSchema)]
pub struct HomeBookingOut {
    pub id: i64,
    pub resource: String,
    /// Local day and times, "2026-12-08 09:00–11:00".
    pub when: String,
    /// pending or approved.
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct HomeActionOut {
    pub text: String,
    pub detail: String,
    /// The page where it is done.
    pub href: String,
}

impl From<crate::site::home::Home> for HomeOut {
    fn from(h: crate::site::home::Home) -> HomeOut {
        HomeOut {
            memberships: h
                .memberships
                .into_iter()
                .map(|m| HomeMembershipOut {
                    id: m.id.0,
                    number: m.number,
                    name: m.name,
                    category: m.category_code,
                    category_label: m.category,
                    association: m.keeper,
                    status: m.status_code,
                    joined_at: m.joined_at,
                    valid_until: m.valid_until,
                })
                .collect(),
            applications: h
                .applications
                .into_iter()
                .map(|a| HomeApplicationOut {
                    id: a.id.0,
                    name: a.name,
                    kind: a.kind_code.to_string(),
                    status: a.status_code.to_string(),
                    next_step: a.next.to_string(),
                })
                .collect(),
            bookings: h
                .bookings
                .into_iter()
                .map(|b| HomeBookingOut {
                    id: b.id.0,
                    resource: b.resource,
                    when: b.when,
                    status: b.status_code.to_string(),
                })
                .collect(),
            actions: h
                .todos
                .into_iter()
                .map(|t| HomeActionOut { text: t.text, detail: t.detail, href: t.href })
                .collect(),
        }
    }
}
