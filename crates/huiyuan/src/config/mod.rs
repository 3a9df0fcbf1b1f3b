//! Settings as data: one typed `Settings`, loaded once and passed in the application state.
//!
//! Layers, later wins: the built-in defaults (`config/huiyuan.toml`, which describe the
//! Shanxi association), then an optional settings file, then `HUIYUAN_<SECTION>__<KEY>`
//! environment variables. Tables merge; lists replace. Loading collects *every* problem
//! (unknown keys, wrong types, invalid values) with its key, so `huiyuan check-config` can
//! report them all at once and `serve` can refuse to start and say why.

mod check;
mod load;

use std::fmt;

use serde::Deserialize;

/// At most this many numbered rows on the group form — registered people and conditions
/// (the joining settings are checked against it).
pub const MAX_GROUP_ROWS: usize = 10;

/// The built-in defaults; also the documented example settings file.
pub const DEFAULT_SETTINGS: &str = include_str!("../../config/huiyuan.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub association: Association,
    pub cities: Vec<CitySetting>,
    pub categories: Vec<CategorySetting>,
    pub joining: JoiningSettings,
    pub council: CouncilSettings,
    pub targets: TargetSettings,
    pub numbering: NumberingSettings,
    pub import: ImportSettings,
    pub studio: StudioSettings,
    pub webhooks: WebhookSettings,
    pub server: ServerSettings,
    pub security: SecuritySettings,
    pub uploads: UploadSettings,
    pub mail: MailSettings,
    pub locale: LocaleSettings,
    pub print: PrintSettings,
    /// English forms of the settings' texts that pages show (education levels, conditions,
    /// checklists, kinds of attachment …): `"中文" = "English"`. A text without one shows as
    /// it is in every language.
    #[serde(default)]
    pub english: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Association {
    pub name: String,
    pub short_name: String,
    #[serde(default)]
    pub english_name: String,
    /// The short name in English (the header on a phone), when there is one.
    #[serde(default)]
    pub english_short_name: String,
    pub region_code: String,
    pub address: String,
    pub postcode: String,
    pub phones: Vec<String>,
    pub email: String,
    #[serde(default)]
    pub contacts: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CitySetting {
    pub code: String,
    pub name: String,
    pub short_name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CategorySetting {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub english_name: String,
    pub kind: CategoryKind,
    /// May an applicant ask for it?
    #[serde(default)]
    pub requestable: bool,
    /// The letter ending member numbers of this category.
    pub number_class: String,
    /// A plausible age for its members, [youngest, oldest] (individual categories).
    #[serde(default)]
    pub ages: Option<[u32; 2]>,
}

impl CategorySetting {
    /// The age of someone born on `birth` at `today`, when it is outside this category's
    /// range.
    pub fn age_outside(&self, birth: time::Date, today: time::Date) -> Option<u32> {
        let [youngest, oldest] = self.ages?;
        let mut age = today.year() - birth.year();
        if (today.month(), today.day()) < (birth.month(), birth.day()) {
            age -= 1;
        }
        let age = u32::try_from(age).unwrap_or(0);
        (age < youngest || age > oldest).then_some(age)
    }
}

/// Where each year's city targets (目标任务) start.
#[derive(Debug, Clone, Deserialize)]
pub struct TargetSettings {
    /// New group members a city develops in a year: [at least, at most].
    pub new_groups: [i64; 2],
    /// New individual members a city develops in a year.
    pub new_individuals: [i64; 2],
    /// The progress report's deadline in the year, `MM-DD`.
    pub report_deadline: String,
    /// Days before the deadline when cities whose report is not in, or who are below
    /// target, are reminded (e-mail and in-app); each reminder goes out once.
    #[serde(default = "default_reminder_days")]
    pub reminder_days: Vec<i64>,
}

fn default_reminder_days() -> Vec<i64> {
    vec![14, 3]
}

impl TargetSettings {
    /// The report deadline of `year`, if the setting names a day of it.
    pub fn deadline_in(&self, year: i32) -> Option<time::Date> {
        let (m, d) = self.report_deadline.trim().split_once('-')?;
        let month = time::Month::try_from(m.parse::<u8>().ok()?).ok()?;
        time::Date::from_calendar_date(year, month, d.parse().ok()?).ok()
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct CouncilSettings {
    pub quorum_share: f64,
    pub approval_share: f64,
}

impl CouncilSettings {
    /// More than `quorum_share` of the council present?
    pub fn quorate(&self, present: i64, council_size: i64) -> bool {
        council_size > 0 && (present as f64) > self.quorum_share * council_size as f64
    }

    /// More than `approval_share` of the votes cast in favour?
    pub fn passes(&self, approve: i64, reject: i64, abstain: i64) -> bool {
        let cast = approve + reject + abstain;
        cast > 0 && (approve as f64) > self.approval_share * cast as f64
    }
}

/// Printed documents.
#[derive(Debug, Clone, Deserialize)]
pub struct PrintSettings {
    /// Fonts with Chinese glyphs for PDFs, tried in order: "path" or "path#face-index".
    pub fonts: Vec<String>,
    /// Titles of the registration forms and the batch summary, as the association words them.
    pub individual_title: String,
    pub group_title: String,
    pub summary_title: String,
    /// Printed under the registration forms.
    pub form_note: String,
    /// The member certificate's title (会员证) and the group plaque's (团体会员单位).
    pub certificate_title: String,
    pub plaque_title: String,
    /// How long a certificate is valid, in years from its issue.
    pub certificate_years: i32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NumberingSettings {
    pub association_code: String,
    pub direct_unit: i64,
    pub first_city_unit: i64,
    /// Digits of the sequence within a unit (4: up to 9,999 members per unit and class).
    pub sequence_digits: u32,
}

impl NumberingSettings {
    /// The largest sequence number the format holds.
    pub fn max_sequence(&self) -> i64 {
        10_i64.saturating_pow(self.sequence_digits) - 1
    }
}

impl Settings {
    /// The numbering unit of a city (by its region code), or of the province for direct
    /// members. Cities not in the settings have none.
    pub fn number_unit(&self, city_code: Option<&str>) -> Option<i64> {
        match city_code {
            None => Some(self.numbering.direct_unit),
            Some(code) => {
                let i = self.cities.iter().position(|c| c.code == code)?;
                Some(self.numbering.first_city_unit + i64::try_from(i).ok()?)
            }
        }
    }

    /// A member number: SXK1010001M.
    pub fn member_number(&self, unit: i64, seq: i64, class: &str) -> String {
        let width = self.numbering.sequence_digits as usize;
        format!("{}{unit:03}{seq:0width$}{class}", self.numbering.association_code)
    }
}

/// The roster import.
#[derive(Debug, Clone, Deserialize)]
pub struct ImportSettings {
    /// Refuse rows without an ID number (else import them, the number to be completed).
    pub require_id_number: bool,
}

/// The provincial youth science studio (青少年科学工作室): who may book how far ahead, and
/// what for. Its resources, opening hours and closed days are kept by the secretariat in the
/// product.
#[derive(Debug, Clone, Deserialize)]
pub struct StudioSettings {
    /// Members may book a slot starting up to this many days ahead (members first).
    pub member_days_ahead: i64,
    /// Everyone else, up to this many days ahead (fewer than members).
    pub others_days_ahead: i64,
    /// A booking may be cancelled by its booker until this many hours before it starts.
    pub cancel_hours_before: i64,
    /// Slots start and end on steps of this many minutes.
    pub slot_minutes: i64,
    /// What a booking may be for.
    pub purposes: Vec<String>,
}

/// The application forms' choices and the reviewers' checklists.
#[derive(Debug, Clone, Deserialize)]
pub struct JoiningSettings {
    /// Lowest first.
    pub education_levels: Vec<String>,
    pub min_education: String,
    /// Other words rosters use for a level (中专 → 高中（中专）), read by the import.
    #[serde(default)]
    pub education_aliases: std::collections::BTreeMap<String, String>,
    pub degrees: Vec<String>,
    pub political_statuses: Vec<String>,
    pub institution_types: Vec<String>,
    pub group_conditions: Vec<String>,
    pub group_individuals_min: usize,
    pub group_individuals_max: usize,
    pub city_checklist: Checklists,
    pub dossier: DossierSettings,
    pub attachments: AttachmentSettings,
}

/// Scans an applicant attaches (signed form, certificates, licence, photo).
#[derive(Debug, Clone, Deserialize)]
pub struct AttachmentSettings {
    /// What an attachment is, per kind of application.
    pub individual: Vec<String>,
    pub group: Vec<String>,
    pub max_bytes: usize,
    pub max_count: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DossierSettings {
    pub checklist: Vec<String>,
    pub paper_copies: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Checklists {
    pub individual: Vec<String>,
    pub group: Vec<String>,
}

impl JoiningSettings {
    /// Is `level` at or above the minimum education? Unknown levels are not.
    pub fn education_sufficient(&self, level: &str) -> bool {
        let rank = |l: &str| self.education_levels.iter().position(|x| x == l);
        matches!((rank(level), rank(&self.min_education)), (Some(a), Some(b)) if a >= b)
    }

    /// The level a roster's word for an education means: the level itself, an alias, a part
    /// of a level's name (中专 in 高中（中专）), or the one level it is part of or contains
    /// (大学本科, 硕士). None when unknown or ambiguous.
    pub fn education_level(&self, text: &str) -> Option<&str> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let level = |name: &str| self.education_levels.iter().find(|l| *l == name).map(String::as_str);
        if let Some(l) = level(text).or_else(|| self.education_aliases.get(text).and_then(|a| level(a))) {
            return Some(l);
        }
        let parts = |l: &str| {
            l.split(['（', '）', '(', ')', '、', '/']).filter(|p| !p.is_empty()).map(str::to_string).collect::<Vec<_>>()
        };
        if let Some(l) = self.education_levels.iter().find(|l| parts(l).iter().any(|p| p == text)) {
            return Some(l);
        }
        let near: Vec<&String> = self
            .education_levels
            .iter()
            .filter(|l| l.contains(text) || parts(l).iter().any(|p| text.contains(p.as_str())))
            .collect();
        match near.as_slice() {
            [one] => Some(one.as_str()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CategoryKind {
    Individual,
    Group,
    Any,
}

impl CategoryKind {
    /// Does a category of this kind apply to a member of `member_kind` ("individual"/"group")?
    pub fn fits(self, member_kind: &str) -> bool {
        match self {
            CategoryKind::Any => true,
            CategoryKind::Individual => member_kind == "individual",
            CategoryKind::Group => member_kind == "group",
        }
    }
}

/// Outbound webhooks: how long a receiver may take and how often a delivery is tried.
#[derive(Debug, Clone, Deserialize)]
pub struct WebhookSettings {
    /// Attempts before a delivery is failed (the job queue's back-off between them: 30 s,
    /// 1 min, 2 min, … up to an hour).
    pub max_attempts: i64,
    pub timeout_seconds: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    pub base_url: String,
    pub trust_forwarded_for: bool,
    pub max_form_bytes: usize,
    /// When set, `/metrics` answers only to `Authorization: Bearer <token>`.
    #[serde(default)]
    pub metrics_token: Option<Secret>,
}

impl ServerSettings {
    /// Cookies carry `Secure` when people reach huiyuan over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct SecuritySettings {
    pub session_idle_minutes: i64,
    pub session_max_hours: i64,
    pub password_min_length: usize,
    pub login_window_minutes: i64,
    pub login_max_failures_per_account: i64,
    pub login_max_failures_per_address: i64,
    pub reset_link_valid_minutes: i64,
    /// Public certificate verification: look-ups per minute from one address.
    pub verify_per_minute: u32,
    /// Every public route that reads the database or renders (home page, notices, blank
    /// forms, sign-up, verification…): requests per minute from one address; signed-in staff
    /// are not counted.
    pub public_per_minute: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UploadSettings {
    pub max_bytes: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MailSettings {
    pub from_address: String,
    pub from_name: String,
    pub smtp: Option<SmtpSettings>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: Secret,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    Tls,
    Starttls,
    None,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LocaleSettings {
    pub default_language: String,
    pub utc_offset_hours: i8,
}

impl LocaleSettings {
    /// The association's local time offset (validated to be within ±14 h).
    pub fn utc_offset(&self) -> time::UtcOffset {
        time::UtcOffset::from_hms(self.utc_offset_hours, 0, 0).unwrap_or(time::UtcOffset::UTC)
    }

    /// Today's date where the association is.
    pub fn today(&self) -> time::Date {
        time::OffsetDateTime::now_utc().to_offset(self.utc_offset()).date()
    }
}

/// A secret value that never appears in `Debug` output or logs.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "\"[redacted]\"" })
    }
}

/// One thing wrong with the settings: the key it concerns and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub key: String,
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.reason)
    }
}

/// Every problem found while loading settings.
#[derive(Debug, Clone)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.0 {
            writeln!(f, "  {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

impl Settings {
    /// The English form of a settings text, when `[english]` gives one.
    pub fn english_of(&self, text: &str) -> Option<&str> {
        self.english.get(text).map(String::as_str)
    }

    pub fn category(&self, code: &str) -> Option<&CategorySetting> {
        self.categories.iter().find(|c| c.code == code)
    }
}
