//! Organisation tree types.

use serde::Serialize;
use sqlx::FromRow;

use crate::i18n::Msg;
use crate::storage::{Flag, OrgId};
use crate::text::{has_control, normalize, normalize_line};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Province,
    City,
    County,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::City => "city",
            Level::County => "county",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        [Level::Province, Level::City, Level::County].into_iter().find(|l| l.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Level::Province => "org.level_province",
            Level::City => "org.level_city",
            Level::County => "org.level_county",
        }
    }

    /// The level of a node created under this one (counties have no children).
    pub fn child(self) -> Option<Level> {
        match self {
            Level::Province => Some(Level::City),
            Level::City => Some(Level::County),
            Level::County => None,
        }
    }

    /// How many leading digits of the parent's GB/T 2260 code a child's code repeats.
    fn code_prefix_len(self) -> usize {
        match self {
            Level::Province => 2,
            Level::City => 4,
            Level::County => 6,
        }
    }
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Org {
    pub id: OrgId,
    pub parent_id: Option<OrgId>,
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub level: String,
    pub path: String,
    pub sort_order: i64,
    #[serde(serialize_with = "flag_as_bool")]
    pub is_active: Flag,
    pub created_at: i64,
    pub updated_at: i64,
}

fn flag_as_bool<S: serde::Serializer>(f: &Flag, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_bool(f.0)
}

impl Org {
    pub fn level(&self) -> Level {
        Level::parse(&self.level).unwrap_or(Level::County)
    }

    pub fn active(&self) -> bool {
        self.is_active.0
    }

    /// Depth in the tree: 0 for the root.
    pub fn depth(&self) -> usize {
        self.path.matches('/').count().saturating_sub(2)
    }
}

/// What the org form sends.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct OrgInput {
    pub parent_id: String,
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub sort_order: String,
}

/// A validated name pair and code.
pub struct OrgFields {
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub sort_order: i64,
}

/// Check the form against the parent node; `code` must extend the parent's code (GB/T 2260).
pub fn parse_fields(input: &OrgInput, parent: Option<&Org>) -> Result<OrgFields, crate::error::FieldErrors> {
    let mut errors = crate::error::FieldErrors::new();
    let code = normalize(&input.code);
    if code.is_empty() {
        errors.add("code", Msg::new("err.required"));
    } else if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        errors.add("code", Msg::new("err.region_code"));
    } else if let Some(p) = parent {
        let n = p.level().code_prefix_len();
        if p.code.len() >= n && code[..n] != p.code[..n] || code == p.code {
            errors.add("code", Msg::new("err.region_code_parent").arg("prefix", p.code.get(..n).unwrap_or("")));
        }
    }
    let name = one_line(&input.name, 60, "name", &mut errors);
    let short_name = one_line(&input.short_name, 20, "short_name", &mut errors);
    let sort_order = match normalize(&input.sort_order) {
        s if s.is_empty() => 0,
        s => s.parse().unwrap_or_else(|_| {
            errors.add("sort_order", Msg::new("err.integer"));
            0
        }),
    };
    if errors.is_empty() { Ok(OrgFields { code, name, short_name, sort_order }) } else { Err(errors) }
}

fn one_line(raw: &str, max: usize, field: &'static str, errors: &mut crate::error::FieldErrors) -> String {
    let s = normalize_line(raw);
    if s.is_empty() {
        errors.add(field, Msg::new("err.required"));
    } else if s.chars().count() > max {
        errors.add(field, Msg::new("err.too_long").arg("max", max));
    } else if has_control(&s) {
        errors.add(field, Msg::new("err.invalid_chars"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(code: &str, level: &str) -> Org {
        Org {
            id: OrgId(2),
            parent_id: Some(OrgId(1)),
            code: code.into(),
            name: "太原市青少年科技教育协会".into(),
            short_name: "太原市".into(),
            level: level.into(),
            path: "/1/2/".into(),
            sort_order: 0,
            is_active: Flag(true),
            created_at: 0,
            updated_at: 0,
        }
    }

    fn input(code: &str, name: &str, short: &str) -> OrgInput {
        OrgInput { code: code.into(), name: name.into(), short_name: short.into(), ..OrgInput::default() }
    }

    #[test]
    fn a_county_code_extends_its_city_code() {
        let city = org("140100", "city");
        assert!(parse_fields(&input("140105", "小店区青少年科技教育协会", "小店区"), Some(&city)).is_ok());
        let e = parse_fields(&input("140205", "x", "x"), Some(&city)).err().unwrap();
        assert_eq!(e.get("code").unwrap().key, "err.region_code_parent");
        let e = parse_fields(&input("14010", "", ""), Some(&city)).err().unwrap();
        assert_eq!(e.get("code").unwrap().key, "err.region_code");
        assert_eq!(e.get("name").unwrap().key, "err.required");
    }

    #[test]
    fn full_width_codes_and_long_names() {
        let province = org("140000", "province");
        let ok = parse_fields(&input("１４１２００", " 新 市 ", "新市"), Some(&province)).unwrap();
        assert_eq!(ok.code, "141200");
        assert_eq!(ok.name, "新 市");
        let e = parse_fields(&input("141200", &"长".repeat(61), "新"), Some(&province)).err().unwrap();
        assert_eq!(e.get("name").unwrap().key, "err.too_long");
    }

    #[test]
    fn depth_follows_the_path() {
        let mut o = org("140100", "city");
        assert_eq!(o.depth(), 1);
        o.path = "/1/".into();
        assert_eq!(o.depth(), 0);
    }
}
