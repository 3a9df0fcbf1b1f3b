//! Flash messages: one short message shown at the top of the next page after an action
//! (操作成功 / 已退回，已通知申请人). The cookie holds a catalog key and at most one argument,
//! never markup; the page escapes it like any other text.

use axum::http::HeaderValue;

use super::cookies;
use crate::i18n::Msg;

/// A `Set-Cookie` header carrying `msg` to the next page.
pub fn set(msg: &Msg, secure: bool) -> HeaderValue {
    let mut value = msg.key.to_string();
    if let Some((_, arg)) = msg.args.first() {
        value.push('|');
        value.push_str(&percent_encode(arg));
    }
    cookies::plain(cookies::FLASH, &value, 60, secure)
}

pub fn clear(secure: bool) -> HeaderValue {
    cookies::plain(cookies::FLASH, "", 0, secure)
}

/// Read a flash cookie back into a message; unknown keys are dropped.
pub fn parse(raw: &str) -> Option<Msg> {
    let (key, arg) = match raw.split_once('|') {
        Some((k, a)) => (k, Some(percent_decode(a))),
        None => (raw, None),
    };
    let key = FLASH_KEYS.iter().find(|k| **k == key)?;
    let msg = Msg::new(key);
    Some(match arg {
        Some(a) => msg.arg("name", a.chars().take(100).collect::<String>()),
        None => msg,
    })
}

/// Only these keys travel in the flash cookie.
const FLASH_KEYS: &[&str] = &[
    "flash.studio_booked",
    "flash.studio_cancelled",
    "flash.studio_decided",
    "flash.studio_saved",
    "flash.studio_closed_day",
    "flash.saved",
    "flash.member_status",
    "flash.proposal_sent",
    "flash.proposal_accepted",
    "flash.proposal_declined",
    "flash.correction_sent",
    "flash.certificates_queued",
    "flash.census_opened",
    "flash.target_saved",
    "flash.report_submitted",
    "flash.report_accepted",
    "flash.report_returned",
    "flash.census_confirmed",
    "flash.census_lapsed",
    "flash.census_answered",
    "flash.duplicates_found",
    "flash.members_merged",
    "flash.import_read",
    "flash.import_remapped",
    "flash.import_committed",
    "flash.member_category",
    "flash.certificate_reissued",
    "flash.signed_in",
    "flash.signed_out",
    "flash.signed_up",
    "flash.password_changed",
    "flash.password_reset",
    "flash.language_changed",
    "flash.org_created",
    "flash.org_deactivated",
    "flash.org_activated",
    "flash.org_deleted",
    "flash.user_created",
    "flash.user_deactivated",
    "flash.user_activated",
    "flash.role_granted",
    "flash.role_revoked",
    "flash.reset_sent",
    "flash.notice_published",
    "flash.notice_withdrawn",
    "flash.notice_saved",
    "flash.file_added",
    "flash.file_removed",
    "flash.token_revoked",
    "flash.mail_requeued",
    "flash.webhook_removed",
    "flash.webhook_resent",
    "flash.app_submitted",
    "flash.app_draft_saved",
    "flash.app_withdrawn",
    "flash.app_recommended",
    "flash.app_returned",
    "flash.app_rejected",
    "flash.app_filed",
    "flash.app_sent_back",
    "flash.batch_created",
    "flash.batch_forwarded",
    "flash.batch_item_removed",
    "flash.meeting_created",
    "flash.votes_saved",
    "flash.meeting_closed",
    "flash.agenda_item_removed",
];

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flash_round_trips_with_its_argument() {
        let header = set(&Msg::new("flash.user_created").arg("name", "张伟; x=1"), false);
        let value = header.to_str().unwrap();
        let raw = value.split(';').next().unwrap().trim_start_matches("hy_flash=");
        let msg = parse(raw).unwrap();
        assert_eq!(msg.key, "flash.user_created");
        assert_eq!(msg.args[0].1, "张伟; x=1");
    }

    #[test]
    fn unknown_keys_are_dropped() {
        assert!(parse("x.anything").is_none());
        assert!(parse("flash.saved").is_some());
    }
}
