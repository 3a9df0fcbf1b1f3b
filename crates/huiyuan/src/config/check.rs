//! Checking loaded settings: every value that must hold, each problem with its key.

use super::{MAX_GROUP_ROWS, Problem, Settings};

impl Settings {
    pub(super) fn validate(&self, out: &mut Vec<Problem>) {
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
        if !(1..=50).contains(&self.webhooks.max_attempts) {
            p("webhooks.max_attempts", "must be between 1 and 50");
        }
        if !(1..=120).contains(&self.webhooks.timeout_seconds) {
            p("webhooks.timeout_seconds", "must be between 1 and 120");
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
        let st = &self.studio;
        if st.others_days_ahead < 0 || st.member_days_ahead < st.others_days_ahead {
            p("studio.member_days_ahead", "members book at least as far ahead as others (others_days_ahead ≥ 0)");
        }
        if st.slot_minutes <= 0 || 1440 % st.slot_minutes != 0 {
            p("studio.slot_minutes", "must divide a day (e.g. 15, 30, 60)");
        }
        if st.cancel_hours_before < 0 {
            p("studio.cancel_hours_before", "must not be negative");
        }
        if st.purposes.iter().all(|x| x.trim().is_empty()) {
            p("studio.purposes", "list at least one purpose");
        }
        let j = &self.joining;
        if j.education_levels.is_empty() {
            p("joining.education_levels", "list at least one level");
        } else if !j.education_levels.contains(&j.min_education) {
            p("joining.min_education", "must be one of joining.education_levels");
        }
        for (word, level) in &j.education_aliases {
            if !j.education_levels.contains(level) {
                p(&format!("joining.education_aliases.{word}"), "must name one of joining.education_levels");
            }
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
        if self.security.public_per_minute == 0 {
            p("security.public_per_minute", "must be at least 1");
        }
        for (i, c) in self.categories.iter().enumerate() {
            if c.number_class.len() != 1 || !c.number_class.chars().all(|ch| ch.is_ascii_uppercase()) {
                p(&format!("categories[{i}].number_class"), "must be one capital letter");
            }
            if c.ages.is_some_and(|[youngest, oldest]| youngest > oldest) {
                p(&format!("categories[{i}].ages"), "must be [youngest, oldest] with youngest <= oldest");
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
        let rows = MAX_GROUP_ROWS;
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
}

fn is_region_code(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_postcode(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())
}
