//! Certificates (会员证, and the plaque of a group member): issued on first need, valid for
//! the settings' years, reissued (补办) with a new serial that revokes the old one; the PDF
//! of a member's certificate for staff who see the member and for the member themselves;
//! the public verification of a number (and serial) a QR code points at.

use serde_json::json;
use time::Date;

use super::query::{self, Visible, category_label};
use super::store::{self, Certificate, Member};
use crate::audit::{self, Entry, Who};
use crate::auth::Actor;
use crate::config::Settings;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::{Lang, Msg};
use crate::print::certificate::{CertificateText, Layout};
use crate::state::AppState;
use crate::storage::{MemberId, UserId};

/// Why a member in this status gets no certificate.
pub fn certificate_refusal(status: &str) -> Msg {
    Msg::new(match status {
        "suspended" => "err.certificate_suspended",
        "lapsed" => "err.certificate_lapsed",
        "withdrawn" => "err.certificate_withdrawn",
        "expelled" => "err.certificate_expelled",
        _ => "err.certificate_deceased",
    })
}

/// The last day of validity of a certificate issued `on`.
pub fn valid_until(on: Date, years: i32) -> Date {
    let year = on.year() + years.max(1);
    let end = Date::from_calendar_date(year, on.month(), on.day())
        .or_else(|_| Date::from_calendar_date(year, on.month(), 28))
        .unwrap_or(on);
    end.previous_day().unwrap_or(end)
}

/// The member's valid certificate, issued now when there is none. Refused (with the reason)
/// for a member who is not active.
pub async fn current_certificate(
    state: &AppState,
    by: Option<UserId>,
    who: &Who,
    member: &Member,
) -> AppResult<Certificate> {
    if member.status != "active" {
        return Err(AppError::Conflict(certificate_refusal(&member.status)));
    }
    let mut conn = state.db.pool().acquire().await?;
    let today = state.settings.locale.today().to_string();
    if let Some(c) = store::certificates(&mut conn, member.id).await?.into_iter().find(|c| c.valid_on(&today)) {
        return Ok(c);
    }
    drop(conn);
    issue(state, by, who, member.id, None).await
}

/// Reissue (补办): revoke the valid certificate with the reason, issue a new serial.
pub async fn reissue(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    v: &Visible,
    reason: &str,
) -> AppResult<Result<Certificate, FieldErrors>> {
    if !actor.can_manage_members() {
        return Err(AppError::Forbidden);
    }
    let member = &v.member;
    let reason = crate::text::normalize_line(reason);
    if let Some(e) = super::service::reason_errors(&reason) {
        return Ok(Err(e));
    }
    if member.status != "active" {
        return Err(AppError::Conflict(certificate_refusal(&member.status)));
    }
    Ok(Ok(issue(state, Some(actor.user_id), who, member.id, Some(&reason)).await?))
}

/// Issue a certificate in one transaction (the member re-read under the write lock);
/// `reissue` carries the reason that revokes the old one.
async fn issue(
    state: &AppState,
    by: Option<UserId>,
    who: &Who,
    id: MemberId,
    reissue: Option<&str>,
) -> AppResult<Certificate> {
    let today = state.settings.locale.today();
    let until = valid_until(today, state.settings.print.certificate_years);
    let mut tx = state.db.begin().await?;
    let member = store::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if reissue.is_none() {
        // Someone else may have issued it meanwhile.
        let today = today.to_string();
        if let Some(c) = store::certificates(&mut tx, id).await?.into_iter().find(|c| c.valid_on(&today)) {
            return Ok(c);
        }
    }
    let revoked = store::revoke_certificates(&mut tx, id, reissue.unwrap_or("")).await?;
    let cert =
        store::insert_certificate(&mut tx, (member.id, &member.number), &today.to_string(), &until.to_string(), by)
            .await?;
    let actor = by.map(|u| (u, who.name.as_str()));
    store::event(&mut tx, id, "certificate", "", &cert.serial, reissue.unwrap_or(""), actor).await?;
    audit::record(
        &mut tx,
        who,
        Entry::new(if reissue.is_some() { "member.reissue" } else { "member.certificate" }, "member", id, &member.name)
            .org_opt(member.org_id)
            .after(json!({ "serial": cert.serial, "valid_until": cert.valid_until, "revoked": revoked, "reason": reissue })),
    )
    .await?;
    tx.commit().await?;
    Ok(cert)
}

/// The PDF of a member's certificate (card) or plaque (group members), issued on first
/// need: (bytes, file name).
async fn pdf(state: &AppState, by: UserId, who: &Who, m: &Member, layout: Layout) -> AppResult<(Vec<u8>, String)> {
    if layout == Layout::Plaque && m.kind != "group" {
        return Err(AppError::NotFound);
    }
    let font = state.printer.font().ok_or_else(|| AppError::Missing(Msg::new("err.no_font")))?;
    let cert = current_certificate(state, Some(by), who, m).await?;
    let text = text(&state.settings, m, &cert, layout);
    let font = font.0.clone();
    let bytes = crate::cpu::run(move |off| crate::print::certificate::render(&text, layout, &font, off))
        .await?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("certificate PDF: {e}")))?;
    let name = match layout {
        Layout::Card => format!("会员证-{}-{}.pdf", m.number, m.name),
        Layout::Plaque => format!("团体会员牌-{}-{}.pdf", m.number, m.name),
    };
    Ok((bytes, name))
}

/// A member's certificate or plaque, for staff who see the member.
pub async fn for_staff(
    state: &AppState,
    actor: &Actor,
    who: &Who,
    id: MemberId,
    layout: Layout,
) -> AppResult<(Vec<u8>, String)> {
    let v = query::visible(&state.db, actor, id).await?;
    pdf(state, actor.user_id, who, &v.member, layout).await
}

/// The member's own certificate (404 for anyone else's).
pub async fn own(state: &AppState, actor: &Actor, who: &Who, id: MemberId) -> AppResult<(Vec<u8>, String)> {
    let m = query::load_own(&mut *state.db.pool().acquire().await?, actor, id).await?;
    pdf(state, actor.user_id, who, &m, Layout::Card).await
}

/// What a certificate says (always in Chinese: it is the association's document).
pub fn text(s: &Settings, m: &Member, cert: &Certificate, layout: Layout) -> CertificateText {
    let name_label = if m.kind == "group" { "单位名称" } else { "姓　　名" };
    let date = |iso: &str| -> String {
        let mut parts = iso.splitn(3, '-');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(y), Some(mo), Some(d)) => {
                format!("{y}年{}月{}日", mo.trim_start_matches('0'), d.trim_start_matches('0'))
            }
            _ => iso.to_string(),
        }
    };
    CertificateText {
        association: s.association.name.clone(),
        title: match layout {
            Layout::Card => s.print.certificate_title.clone(),
            Layout::Plaque => s.print.plaque_title.clone(),
        },
        lines: vec![
            (name_label.into(), m.name.clone()),
            ("会员类别".into(), category_label(s, Lang::Zh, &m.category)),
            ("会员编号".into(), m.number.clone()),
            ("发证日期".into(), date(&cert.issued_on)),
            ("有效期至".into(), date(&cert.valid_until)),
        ],
        name: m.name.clone(),
        serial: cert.serial.clone(),
        verify_url: verify_url(s, &m.number, Some(&cert.serial)),
        qr_caption: "扫码验证真伪".into(),
        issuer: format!("{}（盖章）", s.association.name),
        issued_on: date(&cert.issued_on),
    }
}

/// The public verification link of a member number (and certificate serial).
pub fn verify_url(settings: &Settings, number: &str, serial: Option<&str>) -> String {
    let base = format!("{}{}", settings.server.base_url, crate::paths::fill(crate::paths::VERIFY, &[&number]));
    match serial {
        Some(s) => format!("{base}?s={s}"),
        None => base,
    }
}

/// What the public verification says of a number.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub number: String,
    /// "valid", "revoked", "expired", "inactive" or "unknown".
    pub verdict: &'static str,
    /// The name masked (a group's in full); empty when unknown.
    pub masked_name: String,
    /// The member's category and status (codes); empty when unknown.
    pub category: String,
    pub status: String,
    /// The certificate checked, if any: its serial and last day.
    pub serial: String,
    pub valid_until: String,
}

/// Public verification of a member number (and the certificate serial from its QR code):
/// valid, revoked, expired, not active, or unknown — with the category and a masked name,
/// nothing else. Limited per address (`client`) against enumeration.
pub async fn verify(state: &AppState, client: &str, number: &str, serial: &str) -> AppResult<Verdict> {
    if !state.throttle.allow(&format!("verify:{client}"), state.settings.security.verify_per_minute) {
        return Err(AppError::TooManyRequests(Msg::new("err.verify_throttled")));
    }
    // As typed or printed: full-width characters, spaces and lower case are the same number.
    let typed = typed_number(number);
    // A serial sent (even a blank one) must be one of the member's; none checks the member.
    let (mut asked, mut serial) = (!serial.is_empty(), typed_number(serial));
    let mut v = Verdict {
        number: typed.clone(),
        verdict: "unknown",
        masked_name: String::new(),
        category: String::new(),
        status: String::new(),
        serial: String::new(),
        valid_until: String::new(),
    };
    let mut conn = state.db.pool().acquire().await?;
    let mut member = if typed.len() <= 40 { store::by_number(&mut conn, &typed).await? } else { None };
    // A certificate's printed serial (SXK1010008M-01) typed where the number goes: the
    // member is the part before the serial's suffix, and that certificate is the one checked.
    if member.is_none()
        && !asked
        && let Some(number) = serial_number(&typed)
    {
        member = store::by_number(&mut conn, number).await?;
        if member.is_some() {
            (asked, serial) = (true, typed.clone());
            v.number = number.to_string();
        }
    }
    let Some(m) = member else { return Ok(v) };
    let certs = store::certificates(&mut conn, m.id).await?;
    drop(conn);
    let today = state.settings.locale.today().to_string();
    let scanned =
        if asked { certs.iter().find(|c| c.serial == serial) } else { certs.iter().find(|c| c.revoked_at.is_none()) };
    v.verdict = match scanned {
        _ if asked && scanned.is_none() => "unknown",
        Some(c) if c.revoked_at.is_some() => "revoked",
        _ if m.status != "active" => "inactive",
        Some(c) if c.valid_until < today => "expired",
        _ => "valid",
    };
    if v.verdict == "unknown" {
        // Say which text was not found: a serial typed in stays the serial.
        v.number = typed;
    } else {
        v.masked_name = if m.kind == "group" { m.name.clone() } else { crate::domain::mask_name(&m.name) };
        v.category = m.category;
        v.status = m.status;
        if let Some(c) = scanned {
            v.serial = c.serial.clone();
            v.valid_until = c.valid_until.clone();
        }
    }
    Ok(v)
}

/// A member number or certificate serial as people type or print it: full-width characters
/// to ASCII, spaces dropped, upper case.
pub fn typed_number(s: &str) -> String {
    crate::text::normalize(s).chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase()
}

/// The member number a certificate serial belongs to (`SXK1010008M-01` → `SXK1010008M`).
fn serial_number(serial: &str) -> Option<&str> {
    let (number, suffix) = serial.rsplit_once('-')?;
    (!number.is_empty() && !suffix.is_empty() && suffix.chars().all(|c| c.is_ascii_digit())).then_some(number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn numbers_and_serials_are_read_as_typed_or_printed() {
        assert_eq!(typed_number(" sxk 101 0008m "), "SXK1010008M");
        assert_eq!(typed_number("ＳＸＫ１０１０００８Ｍ－０１"), "SXK1010008M-01");
        assert_eq!(serial_number("SXK1010008M-01"), Some("SXK1010008M"));
        assert_eq!(serial_number("SXK1010008M"), None);
        assert_eq!(serial_number("SXK1010008M-"), None);
        assert_eq!(serial_number("-01"), None);
    }

    #[test]
    fn certificates_are_valid_for_whole_years() {
        assert_eq!(valid_until(date!(2026 - 11 - 29), 5), date!(2031 - 11 - 28));
        assert_eq!(valid_until(date!(2028 - 02 - 29), 1), date!(2029 - 02 - 27));
        assert_eq!(valid_until(date!(2026 - 01 - 01), 0), date!(2026 - 12 - 31));
    }
}
