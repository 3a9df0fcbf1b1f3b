//! The applicant's pages: the two forms with their choices, the attachments panel, the
//! status page with the steps of joining, and the list of their applications.

use super::*;
use crate::applications::attachments::{self, Attachment};
use crate::applications::fields::ID_TYPES;
use crate::applications::group::{CODE_TYPES, CONDITION_FIELDS, PERSON_FIELDS};
use crate::applications::individual::ETHNICITIES;
use crate::applications::model::EventRow;
use crate::applications::model::{Application, Kind};
use crate::applications::query;
use crate::applications::state::{Action, transition};
use crate::config::{CategoryKind, Settings};
use crate::i18n::Msg;
use crate::paths;
use crate::storage::OrgId;

/// Choices kept as the settings write them, labelled in the page's language.
fn options<S: AsRef<str>>(settings: &Settings, page: &PageCtx, list: &[S]) -> Options {
    list.iter().map(|s| (s.as_ref().to_string(), page.lang.setting(settings, s.as_ref()).to_string())).collect()
}

/// The city associations to choose from, and province-direct.
fn city_options(page: &PageCtx, cities: &[(OrgId, String)]) -> Options {
    let mut out: Options = cities.iter().map(|(id, name)| (id.to_string(), name.clone())).collect();
    out.push(("direct".into(), page.t("app.direct_option").to_string()));
    out
}

/// The categories an applicant of this kind may ask for, in the page's language.
fn category_options(settings: &Settings, page: &PageCtx, kind: Kind) -> Options {
    let excluded = match kind {
        Kind::Individual => CategoryKind::Group,
        Kind::Group => CategoryKind::Individual,
    };
    settings
        .categories
        .iter()
        .filter(|c| c.requestable && c.kind != excluded)
        .map(|c| (c.code.clone(), page.lang.pick(&c.name, &c.english_name).to_string()))
        .collect()
}

/// A form page's surroundings: where it posts, what the reviewer asked to fix, and the
/// attachments panel (None before the first save).
pub struct FormFrame {
    pub action: String,
    pub returned_note: Option<String>,
    pub attachments: Option<AttachmentsView>,
}

impl FormFrame {
    /// A form not saved yet, posting to `action`.
    pub fn new(action: &str) -> FormFrame {
        FormFrame { action: action.to_string(), returned_note: None, attachments: None }
    }
}

/// The individual form, as typed, with what is wrong with it.
pub fn individual_page(
    settings: &Settings,
    page: PageCtx,
    cities: &[(OrgId, String)],
    form: IndividualForm,
    errors: FieldErrors,
    frame: FormFrame,
) -> IndividualFormPage {
    let j = &settings.joining;
    let choices = FormChoices {
        genders: vec![("male".into(), page.t("form.male").into()), ("female".into(), page.t("form.female").into())],
        ethnicities: options(settings, &page, &ETHNICITIES),
        political: options(settings, &page, &j.political_statuses),
        id_types: ID_TYPES.iter().map(|(v, k)| (v.to_string(), page.t(k).to_string())).collect(),
        education: options(settings, &page, &j.education_levels),
        degrees: options(settings, &page, &j.degrees),
        service: vec![
            ("in_service".into(), page.t("app.in_service").into()),
            ("retired".into(), page.t("app.retired").into()),
        ],
        cities: city_options(&page, cities),
        categories: category_options(settings, &page, Kind::Individual),
    };
    let min_education = page.lang.setting(settings, &j.min_education).to_string();
    IndividualFormPage {
        ctx: page.title("app.individual_title").crumb("app.apply_title", paths::APPLY),
        form,
        errors,
        choices,
        action: frame.action,
        returned_note: frame.returned_note,
        attachments: frame.attachments,
        min_education,
    }
}

/// The group form, as typed, with what is wrong with it.
pub fn group_page(
    settings: &Settings,
    page: PageCtx,
    cities: &[(OrgId, String)],
    form: GroupForm,
    errors: FieldErrors,
    frame: FormFrame,
) -> GroupFormPage {
    let j = &settings.joining;
    let choices = GroupChoices {
        institution_types: options(settings, &page, &j.institution_types),
        code_types: CODE_TYPES.iter().map(|(v, k)| (v.to_string(), page.t(k).to_string())).collect(),
        cities: city_options(&page, cities),
        categories: category_options(settings, &page, Kind::Group),
        conditions: j
            .group_conditions
            .iter()
            .zip(CONDITION_FIELDS)
            .enumerate()
            .map(|(i, (c, field))| (i, field, page.lang.setting(settings, c).to_string(), form.condition(i)))
            .collect(),
        people: PERSON_FIELDS
            .iter()
            .take(j.group_individuals_max)
            .enumerate()
            .map(|(i, f)| (i, *f, form.person(i)))
            .collect(),
        people_range: format!("{}–{}", j.group_individuals_min, j.group_individuals_max),
    };
    GroupFormPage {
        ctx: page.title("app.group_title").crumb("app.apply_title", paths::APPLY),
        form,
        errors,
        choices,
        action: frame.action,
        returned_note: frame.returned_note,
        attachments: frame.attachments,
    }
}

/// The attachments panel of `app`; `mine`: the viewer is the applicant; `file_error`: a
/// refused upload (message, purpose chosen).
pub fn attachments_view(
    settings: &Settings,
    page: &PageCtx,
    app: &Application,
    files: Vec<Attachment>,
    mine: bool,
    file_error: Option<(String, String)>,
) -> AttachmentsView {
    let items = files
        .into_iter()
        .map(|a| AttachmentItem {
            id: a.file.id.to_string(),
            size: a.file.size_label(),
            name: a.file.original_name,
            purpose: page.lang.setting(settings, &a.purpose).to_string(),
        })
        .collect();
    let limits = &settings.joining.attachments;
    let max = crate::files::human_size(i64::try_from(limits.max_bytes).unwrap_or(i64::MAX));
    let (error, chosen) = file_error.map(|(e, c)| (Some(e), c)).unwrap_or_default();
    AttachmentsView {
        app_id: app.id.to_string(),
        items,
        purposes: options(settings, page, attachments::purposes(settings, app.kind())),
        can_change: mine && app.status().is_editable(),
        error,
        chosen,
        accept: attachments::ACCEPTED,
        rule: page.lang.render(&Msg::new("app.attachment_rule").arg("max", max).arg("count", limits.max_count)),
    }
}

/// The applicant's applications.
pub fn apply_page(page: PageCtx, mine: Vec<Application>) -> ApplyPage {
    let mine = mine
        .into_iter()
        .map(|a| MyApplication {
            id: a.id.to_string(),
            kind: page.t(a.kind().label_key()),
            status: page.t(a.status().label_key()),
            tag: a.status().tag(),
            updated_at: a.updated_at,
            name: a.name,
        })
        .collect();
    ApplyPage { ctx: page.title("app.apply_title"), mine }
}

/// The timeline: when, what, by which body, and the note.
pub fn event_views(page: &PageCtx, events: Vec<EventRow>) -> Vec<EventView> {
    events
        .into_iter()
        .map(|e| EventView {
            at: e.at,
            action: Action::parse(&e.action).map(|a| page.t(a.label_key())).unwrap_or(""),
            body: e.acting_org.unwrap_or_else(|| page.t("app.by_applicant").to_string()),
            note: e.note,
        })
        .collect()
}

/// The applicant's status page of their application.
pub fn status_page(settings: &Settings, page: PageCtx, app: &Application, d: query::Detail) -> StatusPage {
    let status = app.status();
    let reviewer =
        if app.version > 0 { d.reviewer.unwrap_or_else(|| page.t("app.direct").to_string()) } else { String::new() };
    StatusPage {
        id: app.id.to_string(),
        kind: page.t(app.kind().label_key()),
        status: page.t(status.label_key()),
        tag: status.tag(),
        next: page.t(status.next_step_key()),
        steps: app.steps(&d.events),
        editable: status.is_editable(),
        withdrawable: transition(status, Action::Withdraw).is_ok(),
        reviewer,
        member_number: d.member_number,
        attachments: Some(attachments_view(settings, &page, app, d.attachments, true, None)),
        events: event_views(&page, d.events),
        name: app.name.clone(),
        ctx: page.title("app.status_title").crumb("app.apply_title", paths::APPLY),
    }
}
