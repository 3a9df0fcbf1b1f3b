//! Settings as data: one typed `Settings`, loaded once and passed in the application state.
//!
//! Layers, later wins: the built-in defaults (`config/huiyuan.toml`, which describe the
//! Shanxi association), then an optional settings file, then `HUIYUAN_<SECTION>__<KEY>`
//! environment variables. Tables merge; lists replace. Loading collects *every* problem
//! (unknown keys, wrong types, invalid values) with its key, so `huiyuan check-config` can
//! report them all at once and `serve` can refuse to start and say why.

use std::fmt;
use std::path::Path;

use serde::Deserialize;
use toml::Value;

/// The built-in defaults; also the documented example settings file.
pub const DEFAULT_SETTINGS: &str = include_str!("../config/huiyuan.toml");

const ENV_PREFIX: &str = "HUIYUAN_";

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub association: Association,
    pub cities: Vec<CitySetting>,
    pub categories: Vec<CategorySetting>,
    pub joining: JoiningSettings,
    pub council: CouncilSettings,
    pub targets: TargetSettings,
    pub numbering: NumberingSettings,
    pub server: ServerSettings,
    pub security: SecuritySettings,
    pub uploads: UploadSettings,
    pub mail: MailSettings,
    pub locale: LocaleSettings,
    pub print: PrintSettings,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Association {
    pub name: String,
    pub short_name: String,
    #[serde(default)]
    pub english_name: String,
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

/// The application forms' choices and the reviewers' checklists.
#[derive(Debug, Clone, Deserialize)]
pub struct JoiningSettings {
    /// Lowest first.
    pub education_levels: Vec<String>,
    pub min_education: String,
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
    /// Defaults, then `file` when given, then the process environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, Problems> {
        let text = match file {
            Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
                Problems(vec![Problem {
                    key: path.display().to_string(),
                    reason: format!("cannot read the settings file: {e}"),
                }])
            })?),
            None => None,
        };
        Self::from_layers(text.as_deref(), std::env::vars())
    }

    /// The built-in defaults alone (tests and tools).
    pub fn defaults() -> Settings {
        match Self::from_layers(None, std::iter::empty()) {
            Ok(s) => s,
            // The defaults are checked by a unit test; failing here is a build mistake.
            #[allow(clippy::panic)]
            Err(p) => panic!("built-in settings are invalid:\n{p}"),
        }
    }

    pub fn from_layers(file: Option<&str>, env: impl Iterator<Item = (String, String)>) -> Result<Settings, Problems> {
        let mut merged = parse_toml(DEFAULT_SETTINGS, "built-in defaults")?;
        if let Some(text) = file {
            merge(&mut merged, parse_toml(text, "settings file")?);
        }
        apply_env(&mut merged, env);

        let mut problems = Vec::new();
        let mut track = serde_path_to_error::Track::new();
        let settings: Option<Settings> = {
            let de = serde_path_to_error::Deserializer::new(merged, &mut track);
            let mut unknown = |path: serde_ignored::Path<'_>| {
                problems.push(Problem { key: path.to_string(), reason: "unknown key".into() });
            };
            let de = serde_ignored::Deserializer::new(de, &mut unknown);
            Settings::deserialize(de).ok()
        };
        if settings.is_none() {
            problems.push(type_problem(track));
        }
        if let Some(s) = &settings {
            s.validate(&mut problems);
        }
        match settings {
            Some(s) if problems.is_empty() => Ok(s),
            _ => Err(Problems(problems)),
        }
    }

    fn validate(&self, out: &mut Vec<Problem>) {
        let mut p = |key: &str, reason: &str| out.push(Problem { key: key.into(), reason: reason.into() });
        let a = &self.association;
        if a.name.trim().is_empty() {
            p("association.name", "must not be empty");
        }
        if a.short_name.trim().is_empty() {
            p("association.short_name", "must not be empty");
        }
        if !is_region_code(&a.region_code) {
            p("association.region_code", "must be a 6-digit GB/T 2260 code");
        }
        if !is_postcode(&a.postcode) {
            p("association.postcode", "must be 6 digits");
        }
        if !a.email.contains('@') {
            p("association.email", "is not an e-mail address");
        }
        if self.cities.is_empty() {
            p("cities", "list at least one city association");
        }
        let mut seen = std::collections::HashSet::new();
        for (i, c) in self.cities.iter().enumerate() {
            if !is_region_code(&c.code) {
                p(&format!("cities[{i}].code"), "must be a 6-digit GB/T 2260 code");
            } else if c.code == a.region_code {
                p(&format!("cities[{i}].code"), "is the province's own code");
            }
            if !seen.insert(c.code.as_str()) {
                p(&format!("cities[{i}].code"), "appears twice");
            }
            if c.name.trim().is_empty() {
                p(&format!("cities[{i}].name"), "must not be empty");
            }
            if c.short_name.trim().is_empty() {
                p(&format!("cities[{i}].short_name"), "must not be empty");
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (i, c) in self.categories.iter().enumerate() {
            let ok = !c.code.is_empty()
                && c.code.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_' || ch.is_ascii_digit());
            if !ok {
                p(&format!("categories[{i}].code"), "use lowercase letters, digits and _");
            }
            if !seen.insert(c.code.as_str()) {
                p(&format!("categories[{i}].code"), "appears twice");
            }
            if c.name.trim().is_empty() {
                p(&format!("categories[{i}].name"), "must not be empty");
            }
        }
        if self.categories.is_empty() {
            p("categories", "list at least one member category");
        }
        let j = &self.joining;
        if j.education_levels.is_empty() {
            p("joining.education_levels", "list at least one level");
        } else if !j.education_levels.contains(&j.min_education) {
            p("joining.min_education", "must be one of joining.education_levels");
        }
        for (key, list) in [
            ("joining.degrees", &j.degrees),
            ("joining.political_statuses", &j.political_statuses),
            ("joining.institution_types", &j.institution_types),
            ("joining.city_checklist.individual", &j.city_checklist.individual),
            ("joining.city_checklist.group", &j.city_checklist.group),
        ] {
            if list.is_empty() {
                p(key, "list at least one entry");
            }
        }
        if j.dossier.checklist.is_empty() {
            p("joining.dossier.checklist", "list at least one entry");
        }
        if !(1..=10).contains(&j.dossier.paper_copies) {
            p("joining.dossier.paper_copies", "must be between 1 and 10");
        }
        for (key, share) in [
            ("council.quorum_share", self.council.quorum_share),
            ("council.approval_share", self.council.approval_share),
        ] {
            if !(0.0..1.0).contains(&share) {
                p(key, "must be at least 0 and below 1 (a share that must be exceeded)");
            }
        }
        let n = &self.numbering;
        if n.association_code.is_empty() || !n.association_code.chars().all(|c| c.is_ascii_uppercase()) {
            p("numbering.association_code", "use capital letters A–Z");
        }
        if !(0..=999).contains(&n.direct_unit)
            || !(0..=999).contains(&(n.first_city_unit + self.cities.len() as i64 - 1))
        {
            p("numbering.first_city_unit", "units must fit in 3 digits");
        }
        if !(3..=8).contains(&n.sequence_digits) {
            p("numbering.sequence_digits", "must be 3 to 8");
        }
        if self.print.certificate_years < 1 {
            p("print.certificate_years", "must be at least 1");
        }
        if self.security.verify_per_minute == 0 {
            p("security.verify_per_minute", "must be at least 1");
        }
        for (i, c) in self.categories.iter().enumerate() {
            if c.number_class.len() != 1 || !c.number_class.chars().all(|ch| ch.is_ascii_uppercase()) {
                p(&format!("categories[{i}].number_class"), "must be one capital letter");
            }
        }
        let t = &self.targets;
        for (key, [low, high]) in [("targets.new_groups", t.new_groups), ("targets.new_individuals", t.new_individuals)]
        {
            if low < 0 || low > high {
                p(key, "must be [at least, at most] with 0 <= at least <= at most");
            }
        }
        if t.reminder_days.iter().any(|d| !(1..=365).contains(d)) {
            p("targets.reminder_days", "must be days before the deadline, each from 1 to 365");
        }
        // Every year must have the day (so not 29 February).
        if t.deadline_in(2025).is_none() {
            p("targets.report_deadline", "must be a day of every year as MM-DD, e.g. 03-31");
        }
        if j.group_individuals_min == 0 || j.group_individuals_min > j.group_individuals_max {
            p("joining.group_individuals_min", "must be at least 1 and at most joining.group_individuals_max");
        }
        let rows = crate::applications::group::MAX_ROWS;
        if j.group_individuals_max > rows {
            p("joining.group_individuals_max", &format!("must be at most {rows}"));
        }
        if j.group_conditions.is_empty() || j.group_conditions.len() > rows {
            p("joining.group_conditions", &format!("must list 1 to {rows} conditions"));
        }
        let url = &self.server.base_url;
        if !(url.starts_with("http://") || url.starts_with("https://")) || url.ends_with('/') {
            p("server.base_url", "must start with http:// or https:// and not end with /");
        }
        if self.server.max_form_bytes < 4096 {
            p("server.max_form_bytes", "must be at least 4096");
        }
        let s = &self.security;
        for (key, v) in [
            ("security.session_idle_minutes", s.session_idle_minutes),
            ("security.session_max_hours", s.session_max_hours),
            ("security.login_window_minutes", s.login_window_minutes),
            ("security.login_max_failures_per_account", s.login_max_failures_per_account),
            ("security.login_max_failures_per_address", s.login_max_failures_per_address),
            ("security.reset_link_valid_minutes", s.reset_link_valid_minutes),
        ] {
            if v <= 0 {
                p(key, "must be greater than 0");
            }
        }
        if !(8..=128).contains(&s.password_min_length) {
            p("security.password_min_length", "must be between 8 and 128");
        }
        if self.uploads.max_bytes < 1024 {
            p("uploads.max_bytes", "must be at least 1024");
        }
        if !self.mail.from_address.contains('@') {
            p("mail.from_address", "is not an e-mail address");
        }
        if let Some(smtp) = &self.mail.smtp {
            if smtp.host.trim().is_empty() {
                p("mail.smtp.host", "must not be empty");
            }
            if smtp.port == 0 {
                p("mail.smtp.port", "must be a port number");
            }
        }
        if !matches!(self.locale.default_language.as_str(), "zh-CN" | "en") {
            p("locale.default_language", "must be zh-CN or en");
        }
        if !(-12..=14).contains(&self.locale.utc_offset_hours) {
            p("locale.utc_offset_hours", "must be between -12 and 14");
        }
    }

    pub fn category(&self, code: &str) -> Option<&CategorySetting> {
        self.categories.iter().find(|c| c.code == code)
    }
}

fn is_region_code(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_postcode(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())
}

fn parse_toml(text: &str, what: &str) -> Result<Value, Problems> {
    text.parse::<toml::Table>().map(Value::Table).map_err(|e| {
        let key = match e.span() {
            Some(span) => {
                let line = text[..span.start.min(text.len())].lines().count().max(1);
                format!("{what}, line {line}")
            }
            None => what.to_string(),
        };
        Problems(vec![Problem { key, reason: format!("not valid TOML: {}", e.message()) }])
    })
}

fn type_problem(track: serde_path_to_error::Track) -> Problem {
    let path = track.path().to_string();
    Problem {
        key: if path == "." || path.is_empty() { "settings".into() } else { path },
        reason: "has the wrong type or is missing".into(),
    }
}

/// Merge `overlay` into `base`: tables key by key, anything else replaced whole.
fn merge(base: &mut Value, overlay: Value) {
    match (base, overlay) {
        (Value::Table(b), Value::Table(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) if existing.is_table() && v.is_table() => merge(existing, v),
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

/// `HUIYUAN_MAIL__SMTP__HOST=x` sets `mail.smtp.host = "x"`. Values that read as TOML
/// (numbers, booleans, arrays) keep their type; anything else is a string.
fn apply_env(root: &mut Value, env: impl Iterator<Item = (String, String)>) {
    for (name, raw) in env {
        let Some(rest) = name.strip_prefix(ENV_PREFIX) else {
            continue;
        };
        if !rest.contains("__") {
            continue; // HUIYUAN_BIND and friends belong to the command line.
        }
        let path: Vec<String> = rest.split("__").map(|s| s.to_ascii_lowercase()).collect();
        let value = format!("v = {raw}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or(Value::String(raw));
        let mut node = &mut *root;
        for (i, key) in path.iter().enumerate() {
            let Value::Table(table) = node else { break };
            if i + 1 == path.len() {
                table.insert(key.clone(), value);
                break;
            }
            node = table.entry(key.clone()).or_insert_with(|| Value::Table(toml::Table::new()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(file: &str, env: &[(&str, &str)]) -> Result<Settings, Problems> {
        Settings::from_layers(Some(file), env.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    fn keys(p: Problems) -> Vec<String> {
        p.0.into_iter().map(|p| p.key).collect()
    }

    #[test]
    fn defaults_describe_the_shanxi_association() {
        let s = Settings::defaults();
        assert_eq!(s.association.name, "山西省青少年科技教育协会");
        assert_eq!(s.association.postcode, "030012");
        assert_eq!(s.cities.len(), 11);
        let codes: Vec<_> = s.cities.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(codes[0], "140100");
        assert_eq!(codes[10], "141100");
        let names: Vec<_> = s.categories.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["高级会员", "普通会员", "团体会员", "外籍会员", "荣誉会员", "永久会员"]);
        assert!(s.mail.smtp.is_none());
        assert!(s.joining.education_sufficient("大专") && s.joining.education_sufficient("博士研究生"));
        assert!(!s.joining.education_sufficient("高中（中专）") && !s.joining.education_sufficient("小学"));
        assert_eq!(s.joining.group_conditions.len(), 5);
        assert_eq!(s.number_unit(None), Some(100));
        assert_eq!(s.number_unit(Some("140100")), Some(101));
        assert_eq!(s.number_unit(Some("141100")), Some(111));
        assert_eq!(s.number_unit(Some("140105")), None);
        assert_eq!(s.member_number(101, 1, "M"), "SXK1010001M");
    }

    #[test]
    fn quorum_and_majority_are_more_than_half() {
        let c = Settings::defaults().council;
        assert!(c.quorate(5, 9) && !c.quorate(4, 8) && c.quorate(5, 8));
        assert!(c.passes(3, 2, 0) && !c.passes(2, 2, 0) && !c.passes(2, 1, 1) && !c.passes(0, 0, 0));
    }

    #[test]
    fn a_file_overrides_tables_key_by_key_and_lists_whole() {
        let s = load(
            "[association]\nname = \"某某协会\"\n[[cities]]\ncode = \"110100\"\nname = \"甲\"\nshort_name = \"甲\"\n",
            &[],
        )
        .unwrap();
        assert_eq!(s.association.name, "某某协会");
        assert_eq!(s.association.postcode, "030012");
        assert_eq!(s.cities.len(), 1);
    }

    #[test]
    fn environment_wins_over_the_file_and_keeps_types() {
        let s = load(
            "[security]\npassword_min_length = 10\n",
            &[
                ("HUIYUAN_SECURITY__PASSWORD_MIN_LENGTH", "12"),
                ("HUIYUAN_MAIL__SMTP__HOST", "smtp.example.org"),
                ("HUIYUAN_MAIL__SMTP__PORT", "587"),
                ("HUIYUAN_MAIL__SMTP__TLS", "starttls"),
                ("HUIYUAN_BIND", "0.0.0.0:1"),
            ],
        )
        .unwrap();
        assert_eq!(s.security.password_min_length, 12);
        let smtp = s.mail.smtp.unwrap();
        assert_eq!(smtp.host, "smtp.example.org");
        assert_eq!(smtp.port, 587);
        assert_eq!(smtp.tls, SmtpTls::Starttls);
    }

    #[test]
    fn every_problem_is_reported_with_its_key() {
        let err = load(
            "colour = \"blue\"\n[association]\npostcode = \"0300\"\nregion_code = \"14\"\n[[cities]]\ncode = \"140100\"\nname = \"\"\nshort_name = \"x\"\n[[cities]]\ncode = \"140100\"\nname = \"y\"\nshort_name = \"y\"\n",
            &[],
        )
        .unwrap_err();
        let keys = keys(err);
        for expected in
            ["colour", "association.postcode", "association.region_code", "cities[0].name", "cities[1].code"]
        {
            assert!(keys.iter().any(|k| k == expected), "{expected} missing from {keys:?}");
        }
    }

    #[test]
    fn a_wrong_type_names_the_key() {
        let err = load("[security]\nsession_idle_minutes = \"long\"\n", &[]).unwrap_err();
        assert_eq!(keys(err), ["security.session_idle_minutes"]);
    }

    #[test]
    fn broken_toml_names_the_line() {
        let err = load("[association]\nname = \n", &[]).unwrap_err();
        assert!(err.0[0].key.contains("line 2"), "{:?}", err.0);
    }

    #[test]
    fn smtp_password_is_redacted_in_debug_output() {
        let s = load("[mail.smtp]\nhost = \"h\"\nport = 25\ntls = \"none\"\npassword = \"hunter2\"\n", &[]).unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
