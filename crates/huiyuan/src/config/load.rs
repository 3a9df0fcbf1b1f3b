//! Loading the settings: the built-in defaults, a settings file and the environment, merged
//! and then checked, every problem collected with its key.

use std::path::Path;

use serde::Deserialize;
use toml::Value;

use super::{DEFAULT_SETTINGS, Problem, Problems, Settings};

const ENV_PREFIX: &str = "HUIYUAN_";

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
    use crate::config::SmtpTls;

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
        // A roster's words for a level: the level, an alias, a part of its name, a longer name
        // holding one; unknown and ambiguous words are none.
        let level = |t: &str| s.joining.education_level(t);
        assert_eq!(level("本科"), Some("本科"));
        assert_eq!(level("中专"), Some("高中（中专）"));
        assert_eq!(level("职高"), Some("高中（中专）"));
        assert_eq!(level("大学本科"), Some("本科"));
        assert_eq!(level("硕士"), Some("硕士研究生"));
        assert_eq!(level("小学"), Some("初中及以下"));
        assert_eq!((level("其他"), level("")), (None, None));
        // Ages by the category's range, counted to the day.
        let ordinary = s.category("ordinary").unwrap();
        let today = time::macros::date!(2026 - 12 - 04);
        assert_eq!(ordinary.age_outside(time::macros::date!(2008 - 12 - 05), today), Some(17));
        assert_eq!(ordinary.age_outside(time::macros::date!(2008 - 12 - 04), today), None);
        assert_eq!(ordinary.age_outside(time::macros::date!(1926 - 12 - 04), today), None);
        assert_eq!(ordinary.age_outside(time::macros::date!(1925 - 12 - 04), today), Some(101));
        assert_eq!(s.category("group").unwrap().age_outside(time::macros::date!(2020 - 01 - 01), today), None);
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
