//! The reviewers' pages: the queue with its tabs and the batch form, and an application's
//! review page with its sections, decisions and the secretariat's dossier form.

use super::applicant::{attachments_view, event_views};
use super::*;
use crate::applications::dossiers::{self, DossierInput};
use crate::applications::fields::ID_TYPES;
use crate::applications::group::CODE_TYPES;
use crate::applications::model::{Application, Kind, Readable};
use crate::applications::query::{self, Queue};
use crate::applications::service::Decision;
use crate::applications::state::Status;
use crate::auth::Actor;
use crate::config::Settings;
use crate::paths;
use crate::storage::{ApplicationId, OrgId};

/// The tabs of the queue, in the order applications move.
const TABS: [Status; 11] = [
    Status::Submitted,
    Status::Returned,
    Status::Recommended,
    Status::Forwarded,
    Status::SentBack,
    Status::Ready,
    Status::OnAgenda,
    Status::Approved,
    Status::Rejected,
    Status::NotApproved,
    Status::Withdrawn,
];

/// What the batch form sent, shown again when it was refused: (name, picked, errors).
pub type BatchAttempt = (String, Vec<ApplicationId>, FieldErrors);

/// The queue as the filters asked (`filters`: the query's own words), with the cities to
/// narrow it to, the default name of a new batch, and a refused batch form to show again.
pub struct QueueInput {
    pub status: String,
    pub kind: String,
    pub city: String,
    pub sort: String,
    pub cities: Vec<(OrgId, String)>,
    pub batch_name: Option<String>,
    pub attempt: Option<BatchAttempt>,
}

pub fn queue_page(actor: &Actor, page: PageCtx, pager: Pager, queue: Queue, input: QueueInput) -> QueuePage {
    let Queue { filter, rows, total, counts } = queue;
    let count = |s: &str| counts.iter().find(|(k, _)| k == s).map(|(_, n)| *n).unwrap_or(0);
    let mut tabs =
        vec![(String::new(), page.t("list.all"), counts.iter().map(|(_, n)| n).sum(), filter.statuses.is_empty())];
    for s in TABS {
        tabs.push((s.as_str().to_string(), page.t(s.label_key()), count(s.as_str()), filter.statuses == [s]));
    }
    // A stage with nothing in it is left out (unless it is the one shown).
    tabs.retain(|(value, _, n, active)| value.is_empty() || *n > 0 || *active);
    // Province staff narrow the queue to a city; a city's own staff see only theirs anyway.
    let mut cities: Options = input.cities.into_iter().map(|(id, name)| (id.to_string(), name)).collect();
    if actor.sees_everything() {
        cities.push(("direct".into(), page.t("app.direct").to_string()));
    }
    let attempt = input.attempt;
    let picked = |id: ApplicationId| attempt.as_ref().is_none_or(|(_, picked, _)| picked.contains(&id));
    let rows = rows
        .into_iter()
        .map(|r| {
            let kind = Kind::parse(&r.kind).map(|k| page.t(k.label_key())).unwrap_or("");
            let status = Status::parse(&r.status).unwrap_or(Status::Submitted);
            let checked = picked(r.id);
            (r, kind, page.t(status.label_key()), status.tag(), checked)
        })
        .collect();
    let batching = filter.statuses == [Status::Recommended] && actor.administered_city().is_some() && total > 0;
    let (batch_name, batch_errors) = match attempt {
        Some((name, _, errors)) => (name, errors),
        None if batching => (input.batch_name.unwrap_or_default(), FieldErrors::new()),
        None => (String::new(), FieldErrors::new()),
    };
    QueuePage {
        ctx: page.title("app.queue_title").crumb("menu.joining", paths::ADMIN_APPLICATIONS),
        batching,
        batch_name,
        batch_errors,
        rows,
        pager: pager.with_total(total),
        tabs,
        q: filter.q,
        kind: input.kind,
        sort: input.sort,
        status: input.status,
        city: input.city,
        cities,
    }
}

/// A group application as the reviewers read it, in the order of the paper form.
fn group_sections(settings: &Settings, page: &PageCtx, app: &Application, reveal: bool) -> Vec<DetailSection> {
    let f = app.group_form();
    let d = |label: &'static str, value: String| Detail { label, value };
    let code_type = CODE_TYPES.iter().find(|(v, _)| *v == f.code_type).map(|(_, k)| page.t(k)).unwrap_or("");
    let conditions = settings
        .joining
        .group_conditions
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let declared = f.condition(i);
            let mark = if declared.met { page.t("app.declared") } else { page.t("app.not_declared") };
            let (open, close) = (page.t("punct.open"), page.t("punct.close"));
            let c = page.lang.setting(settings, c);
            Detail { label: "", value: format!("{}. {c}{open}{mark}{close}\n{}", i + 1, declared.text) }
        })
        .collect();
    let people = f
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let number = if reveal { p.id_number.clone() } else { crate::domain::mask_document(&p.id_number) };
            Detail { label: "", value: format!("{}. {} {number}", i + 1, p.name) }
        })
        .collect();
    vec![
        DetailSection {
            title: "app.section_institution",
            rows: vec![
                d("app.g_name", f.name.clone()),
                d("app.g_type", f.institution_type.clone()),
                d("app.g_code_type", code_type.to_string()),
                d("app.g_code", f.code.clone()),
                d("app.g_legal_rep", f.legal_rep.clone()),
                d("app.g_science_head", f.science_head.clone()),
            ],
        },
        DetailSection {
            title: "app.section_contact",
            rows: vec![
                d("app.g_contact_name", f.contact_name.clone()),
                d("app.g_contact_post", f.contact_post.clone()),
                d("app.f_mobile", f.contact_mobile.clone()),
                d("app.f_email", f.contact_email.clone()),
                d("app.f_address", f.address.clone()),
                d("app.f_postcode", f.postcode.clone()),
            ],
        },
        DetailSection {
            title: "app.section_size",
            rows: vec![
                d("app.g_students", f.students.clone()),
                d("app.g_staff", f.staff.clone()),
                d("app.g_counsellors_full", f.counsellors_full.clone()),
                d("app.g_counsellors_part", f.counsellors_part.clone()),
            ],
        },
        DetailSection { title: "app.section_conditions", rows: conditions },
        DetailSection { title: "app.section_people", rows: people },
        DetailSection {
            title: "app.section_record",
            rows: vec![
                d("app.f_category", app.category.clone()),
                d("app.g_activities", f.activities.clone()),
                d("app.f_awards", f.awards.clone()),
            ],
        },
    ]
}

fn detail_sections(page: &PageCtx, app: &Application, reveal: bool) -> Vec<DetailSection> {
    let f = app.individual_form();
    let d = |label: &'static str, value: String| Detail { label, value };
    let id_number = if reveal { f.id_number.clone() } else { crate::domain::mask_document(&f.id_number) };
    let id_type = ID_TYPES.iter().find(|(v, _)| *v == f.id_type).map(|(_, k)| page.t(k)).unwrap_or("");
    let gender = crate::domain::Gender::parse(&f.gender).map(|g| page.t(g.label_key())).unwrap_or("");
    let service = match f.in_service.as_str() {
        "in_service" => page.t("app.in_service"),
        "retired" => page.t("app.retired"),
        _ => "",
    };
    vec![
        DetailSection {
            title: "app.section_basic",
            rows: vec![
                d("app.f_name", f.name.clone()),
                d("app.f_gender", gender.to_string()),
                d("app.f_birth_date", f.birth_date.clone()),
                d("app.f_ethnicity", f.ethnicity.clone()),
                d("app.f_political", f.political_status.clone()),
                d("app.f_id_type", id_type.to_string()),
                d("app.f_id_number", id_number),
            ],
        },
        DetailSection {
            title: "app.section_work",
            rows: vec![
                d("app.f_education", f.education.clone()),
                d("app.f_degree", f.degree.clone()),
                d("app.f_title", f.title.clone()),
                d("app.f_post", f.post.clone()),
                d("app.f_employer", f.employer.clone()),
                d("app.f_in_service", service.to_string()),
                d("app.f_subject", f.subject.clone()),
                d("app.f_years", f.years.clone()),
            ],
        },
        DetailSection {
            title: "app.section_contact",
            rows: vec![
                d("app.f_mobile", f.mobile.clone()),
                d("app.f_email", f.email.clone()),
                d("app.f_address", f.address.clone()),
                d("app.f_postcode", f.postcode.clone()),
            ],
        },
        DetailSection {
            title: "app.section_record",
            rows: vec![
                d("app.f_category", app.category.clone()),
                d("app.f_achievements", f.achievements.clone()),
                d("app.f_awards", f.awards.clone()),
            ],
        },
    ]
}

/// The dossier form, when it is the viewer's to fill in now: as saved, or as typed when
/// refused.
fn dossier_form(
    settings: &Settings,
    lang: crate::i18n::Lang,
    actor: &Actor,
    app: &Application,
    saved: Option<&dossiers::Dossier>,
    input: Option<(&DossierInput, FieldErrors)>,
) -> Option<DossierForm> {
    if !actor.can_keep_dossier() || !dossiers::open_for_dossier(app) {
        return None;
    }
    let list: Vec<String> =
        dossiers::checklist(settings, app).iter().map(|c| lang.setting(settings, c).to_string()).collect();
    let expected = settings.joining.dossier.paper_copies;
    Some(match input {
        Some((i, errors)) => DossierForm {
            checklist: list.into_iter().enumerate().map(|(n, c)| (n, c, i.ticks.contains(&n))).collect(),
            copies: i.copies.clone(),
            expected,
            note: i.note.clone(),
            can_send_back: !app.is_direct(),
            errors,
        },
        None => {
            let ticked = saved.map(|d| d.ticked()).unwrap_or_default();
            DossierForm {
                checklist: list.into_iter().enumerate().map(|(n, c)| (n, c, ticked.contains(&n))).collect(),
                copies: saved.map(|d| d.copies_received.to_string()).unwrap_or_else(|| "0".into()),
                expected,
                note: saved.map(|d| d.note.clone()).unwrap_or_default(),
                can_send_back: !app.is_direct(),
                errors: FieldErrors::new(),
            }
        }
    })
}

/// A refused form on the review page, shown again as typed.
#[derive(Default)]
pub enum ReviewAttempt {
    #[default]
    None,
    Decision(Decision, FieldErrors),
    Dossier(DossierInput, FieldErrors),
}

/// The review page of an application the viewer may see.
pub fn review_page(
    settings: &Settings,
    actor: &Actor,
    page: PageCtx,
    r: &Readable,
    d: query::Detail,
    attempt: ReviewAttempt,
    revealed: bool,
) -> ReviewPage {
    let (app, path) = (&r.app, r.org_path.as_deref());
    let checklist = match app.kind() {
        Kind::Individual => &settings.joining.city_checklist.individual,
        Kind::Group => &settings.joining.city_checklist.group,
    };
    let (decided, errors, dossier_input) = match attempt {
        ReviewAttempt::None => (Decision::default(), FieldErrors::new(), None),
        ReviewAttempt::Decision(d, e) => (d, e, None),
        ReviewAttempt::Dossier(i, e) => (Decision::default(), FieldErrors::new(), Some((i, e))),
    };
    let category = crate::members::query::category_label(settings, page.lang, &app.category);
    // Masked for everyone until a reviewer asks to read them in full (which is logged), as
    // on a member's page.
    let may_reveal = actor.can_read_id_numbers(path);
    let reveal = may_reveal && revealed;
    let mut sections = match app.kind() {
        Kind::Individual => detail_sections(&page, app, reveal),
        Kind::Group => group_sections(settings, &page, app, reveal),
    };
    if let Some(s) = sections.last_mut()
        && let Some(first) = s.rows.first_mut()
    {
        first.value = category;
    }
    let dossier = dossier_form(
        settings,
        page.lang,
        actor,
        app,
        d.dossier.as_ref(),
        dossier_input.as_ref().map(|(i, e)| (i, e.clone())),
    );
    ReviewPage {
        may_reveal: may_reveal && !reveal,
        revealed: reveal,
        id: app.id.to_string(),
        name: app.name.clone(),
        kind: page.t(app.kind().label_key()),
        status: page.t(app.status().label_key()),
        tag: app.status().tag(),
        reviewer: d.reviewer.unwrap_or_else(|| page.t("app.direct").to_string()),
        sections,
        events: event_views(&page, d.events),
        actions: actor.review_actions(app, path).into_iter().map(|a| (a.as_str(), a.label_key())).collect(),
        checklist: checklist
            .iter()
            .enumerate()
            .map(|(i, c)| (i, page.lang.setting(settings, c).to_string(), decided.ticks.contains(&i)))
            .collect(),
        note: decided.note.clone(),
        chosen: decided.action.map(|a| a.as_str().to_string()).unwrap_or_default(),
        errors,
        versions: app.version,
        dossier,
        batch: d.batch.map(|(id, name)| (id.to_string(), name)),
        member_number: d.member_number,
        attachments: Some(attachments_view(settings, &page, app, d.attachments, false, None)),
        ctx: page.title_text(app.name.clone()).crumb("app.queue_title", paths::ADMIN_APPLICATIONS),
    }
}
