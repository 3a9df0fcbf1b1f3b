//! A member's own pages and the public verification page.

use askama::Template;

use crate::config::Settings;
use crate::error::FieldErrors;
use crate::members::census::{Census, Correction};
use crate::members::certificates::Verdict;
use crate::members::model::{status_label_key, status_tag};
use crate::members::query::{Own, category_label};
use crate::members::store::{Certificate, Member};
use crate::paths;
use crate::storage::MemberId;
use crate::web::PageCtx;

/// One of the member's own records, with its certificate and census task.
pub struct MineItem {
    pub m: Member,
    pub category: String,
    pub status: &'static str,
    pub tag: &'static str,
    pub cert: Option<Certificate>,
    pub task: Option<Census>,
    /// The census correction form, as shown (or as typed when refused).
    pub form: Correction,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "members/mine.html")]
pub struct MinePage {
    pub ctx: PageCtx,
    pub members: Vec<MineItem>,
    /// A refused correction request: (member, text, errors).
    pub correction: Option<(MemberId, String, FieldErrors)>,
}

#[derive(Template)]
#[template(path = "members/verify.html")]
pub struct VerifyPage {
    pub ctx: PageCtx,
    pub number: String,
    /// "valid", "revoked", "expired", "inactive" or "unknown".
    pub verdict: &'static str,
    pub masked_name: String,
    pub category: String,
    pub status_label: &'static str,
    pub serial: String,
    pub valid_until: String,
    pub association: String,
    /// Whether a number was checked (the search page alone shows only its box).
    pub checked: bool,
    /// What the search box shows: the text typed into it, as typed.
    pub typed: String,
}

/// A census correction refused: (member, what was typed, what is wrong).
pub type CensusAttempt = (MemberId, Correction, FieldErrors);

/// The member's own page: each record with its certificate and census task; `attempt`
/// re-shows a refused census answer as typed.
pub fn mine_page(settings: &Settings, page: PageCtx, own: Vec<Own>, attempt: Option<CensusAttempt>) -> MinePage {
    let members = own
        .into_iter()
        .map(|o| {
            let m = o.member;
            let (form, errors) = match &attempt {
                Some((id, c, e)) if *id == m.id => (c.clone(), e.clone()),
                _ => (
                    Correction {
                        mobile: m.mobile.clone(),
                        email: m.email.clone(),
                        employer: m.employer.clone(),
                        note: String::new(),
                        id_number: String::new(),
                    },
                    FieldErrors::new(),
                ),
            };
            MineItem {
                category: category_label(settings, page.lang, &m.category),
                status: page.t(status_label_key(&m.status)),
                tag: status_tag(&m.status),
                cert: o.certificate,
                task: o.task,
                form,
                errors,
                m,
            }
        })
        .collect();
    MinePage { ctx: page.title("member.mine_title").crumb("menu.me", paths::ME), members, correction: None }
}

/// The public verification page of a verdict.
pub fn verify_page(settings: &Settings, page: PageCtx, v: Verdict, typed: String) -> VerifyPage {
    let known = v.verdict != "unknown";
    VerifyPage {
        checked: true,
        typed,
        category: if known { category_label(settings, page.lang, &v.category) } else { String::new() },
        status_label: if known { page.t(status_label_key(&v.status)) } else { "" },
        number: v.number,
        verdict: v.verdict,
        masked_name: v.masked_name,
        serial: v.serial,
        valid_until: v.valid_until,
        association: settings.association.name.clone(),
        ctx: page.title("verify.title"),
    }
}

/// The verification page before anything is checked: the box to type a number into.
pub fn verify_search_page(settings: &Settings, page: PageCtx) -> VerifyPage {
    VerifyPage {
        checked: false,
        typed: String::new(),
        category: String::new(),
        status_label: "",
        number: String::new(),
        verdict: "unknown",
        masked_name: String::new(),
        serial: String::new(),
        valid_until: String::new(),
        association: settings.association.name.clone(),
        ctx: page.title("verify.title"),
    }
}
