//! The audit log (审计日志): who changed what, when, from where, with a before/after summary.
//!
//! Invariants: every state change in huiyuan calls [`record`] inside the transaction that
//! makes the change, so the change and its record commit or roll back together. The table is
//! append-only — triggers in both dialects refuse UPDATE and DELETE — and the product offers
//! no way to edit it. The secretariat and the system administrator browse and filter it.

pub mod query;
pub mod routes;
mod store;
mod views;

use serde_json::Value;

use crate::storage::{Conn, OrgId, UserId, now_ms};

pub use query::action_label;
pub use store::{AuditFilter, AuditRow, find, list};

/// Who is acting, and from where: taken from the request (or "system" for the CLI and jobs).
#[derive(Debug, Clone)]
pub struct Who {
    pub user_id: Option<UserId>,
    pub name: String,
    pub client_addr: String,
    pub request_id: String,
}

impl Who {
    /// The platform itself (first run, command line, background jobs).
    pub fn system(what: &str) -> Who {
        Who { user_id: None, name: format!("system:{what}"), client_addr: String::new(), request_id: String::new() }
    }
}

/// One audit record, built up and then written with [`record`].
#[derive(Debug, Clone)]
pub struct Entry {
    pub action: &'static str,
    pub target_type: &'static str,
    pub target_id: String,
    pub target_label: String,
    pub org_id: Option<OrgId>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Entry {
    pub fn new(
        action: &'static str,
        target_type: &'static str,
        target_id: impl ToString,
        target_label: impl Into<String>,
    ) -> Entry {
        Entry {
            action,
            target_type,
            target_id: target_id.to_string(),
            target_label: target_label.into(),
            org_id: None,
            before: None,
            after: None,
        }
    }

    pub fn org(mut self, org_id: OrgId) -> Entry {
        self.org_id = Some(org_id);
        self
    }

    /// The org, when there is one (province-direct applications have none).
    pub fn org_opt(mut self, org_id: Option<OrgId>) -> Entry {
        self.org_id = org_id;
        self
    }

    pub fn before(mut self, v: Value) -> Entry {
        self.before = Some(v);
        self
    }

    pub fn after(mut self, v: Value) -> Entry {
        self.after = Some(v);
        self
    }
}

/// Write an audit record on `conn` — call it inside the change's transaction.
pub async fn record(conn: &mut Conn, who: &Who, entry: Entry) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_user_id, actor_name, action, target_type, target_id,
            target_label, org_id, before_json, after_json, client_addr, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(now_ms())
    .bind(who.user_id)
    .bind(&who.name)
    .bind(entry.action)
    .bind(entry.target_type)
    .bind(entry.target_id)
    .bind(entry.target_label)
    .bind(entry.org_id)
    .bind(entry.before.map(|v| v.to_string()))
    .bind(entry.after.map(|v| v.to_string()))
    .bind(&who.client_addr)
    .bind(&who.request_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every action huiyuan records, for the filter's choice list (label key: `audit.action.<a>`).
pub const ACTIONS: &[&str] = &[
    "auth.sign_in",
    "auth.sign_out",
    "auth.sign_up",
    "auth.password_change",
    "auth.password_reset_request",
    "auth.password_reset",
    "user.create",
    "user.update",
    "user.activate",
    "user.deactivate",
    "user.grant",
    "user.revoke",
    "token.create",
    "token.revoke",
    "org.create",
    "org.update",
    "org.activate",
    "org.deactivate",
    "org.delete",
    "notice.create",
    "notice.update",
    "notice.publish",
    "notice.withdraw",
    "notice.file_add",
    "notice.file_remove",
    "mail.retry",
    "webhook.create",
    "webhook.remove",
    "webhook.resend",
    "application.create",
    "application.submit",
    "application.withdraw",
    "application.recommend",
    "application.return",
    "application.reject",
    "application.forward",
    "application.send_back",
    "application.file",
    "application.schedule",
    "application.unschedule",
    "application.approve",
    "application.decline",
    "application.dossier",
    "application.save",
    "application.file_add",
    "application.file_remove",
    "application.id_view",
    "batch.create",
    "batch.remove",
    "batch.forward",
    "council.create",
    "council.vote",
    "council.close",
    "member.create",
    "member.status",
    "member.category",
    "member.certificate",
    "member.reissue",
    "member.id_view",
    "member.export",
    "member.import_preview",
    "member.import",
    "member.duplicate_scan",
    "member.merge",
    "member.propose",
    "member.proposal_decision",
    "member.data_export",
    "member.correction_request",
    "member.certificates",
    "census.open",
    "census.remind",
    "census.respond",
    "census.lapse",
    "target.update",
    "target.remind",
    "report.submit",
    "report.return",
    "report.accept",
    "studio.resource_save",
    "studio.closed_day",
    "studio.book",
    "studio.approve",
    "studio.decline",
    "studio.cancel",
    "system.first_run",
    "system.demo",
];
