//! Account types. Logins parse into `Username`, `Email` or `Mobile` (normalised, so the
//! database's UNIQUE constraints see one spelling); a bad value yields a message key.

use serde::Serialize;
use sqlx::FromRow;

use crate::i18n::Msg;
use crate::storage::{Flag, UserId};
use crate::text::{has_control, normalize, normalize_line};

/// A user name: 3–32 of a–z, 0–9, `_ . -`, starting with a letter; stored lower-case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Username, Msg> {
        let s = normalize(raw).to_lowercase();
        if s.is_empty() {
            return Err(Msg::new("err.required"));
        }
        let ok_chars = s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'));
        let starts_with_letter = s.chars().next().is_some_and(|c| c.is_ascii_lowercase());
        if !(3..=32).contains(&s.len()) || !ok_chars || !starts_with_letter {
            return Err(Msg::new("err.username"));
        }
        Ok(Username(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address, stored lower-case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, Msg> {
        let s = normalize(raw).to_lowercase();
        if s.is_empty() {
            return Err(Msg::new("err.required"));
        }
        if s.chars().count() > 254 {
            return Err(Msg::new("err.too_long").arg("max", 254));
        }
        let valid = match s.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
                    && !s.chars().any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\"\\".contains(c))
            }
            None => false,
        };
        if !valid {
            return Err(Msg::new("err.email"));
        }
        Ok(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A mainland China mobile number: 11 digits starting 13–19; `+86`, spaces and dashes
/// are dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mobile(String);

impl Mobile {
    pub fn parse(raw: &str) -> Result<Mobile, Msg> {
        let s: String = normalize(raw).chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if s.is_empty() {
            return Err(Msg::new("err.required"));
        }
        let s = s.strip_prefix("+86").or_else(|| s.strip_prefix("0086")).unwrap_or(&s);
        let valid = s.len() == 11
            && s.bytes().all(|b| b.is_ascii_digit())
            && s.starts_with('1')
            && matches!(s.as_bytes()[1], b'3'..=b'9');
        if !valid {
            return Err(Msg::new("err.mobile"));
        }
        Ok(Mobile(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's name as shown (张伟): 1–50 characters on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<DisplayName, Msg> {
        let s = normalize_line(raw);
        if s.is_empty() {
            return Err(Msg::new("err.required"));
        }
        if s.chars().count() > 50 {
            return Err(Msg::new("err.too_long").arg("max", 50));
        }
        if has_control(&s) {
            return Err(Msg::new("err.invalid_chars"));
        }
        Ok(DisplayName(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What somebody typed in the sign-in box, normalised the way it was stored: a mobile
/// number's digits, otherwise lower-case.
pub fn login_key(raw: &str) -> String {
    match Mobile::parse(raw) {
        Ok(m) => m.0,
        Err(_) => normalize(raw).to_lowercase(),
    }
}

/// An account row.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub locale: String,
    #[serde(skip)]
    pub is_active: Flag,
    pub created_at: i64,
    pub last_sign_in_at: Option<i64>,
}

impl User {
    pub fn active(&self) -> bool {
        self.is_active.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(Username::parse(" ZhangWei ").unwrap().as_str(), "zhangwei");
        for bad in ["", "ab", "1abc", "张伟", "a b c", "abc@x", &"a".repeat(33)] {
            assert!(Username::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(Email::parse(" Zhang@Example.COM ").unwrap().as_str(), "zhang@example.com");
        assert_eq!(Email::parse("ｚｗ＠ｑｑ．ｃｏｍ").unwrap().as_str(), "zw@qq.com");
        for bad in ["", "zhang", "zhang@", "@qq.com", "a@b", "a@@b.com", "a b@c.com", "a@.com", "a@b..com"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn mobiles() {
        for good in ["13800138000", "１３８００１３８０００", "138 0013 8000", "+86 138-0013-8000"] {
            assert_eq!(Mobile::parse(good).unwrap().as_str(), "13800138000", "{good}");
        }
        for bad in ["", "1380013800", "12800138000", "23800138000", "1380013800a", "138001380001"] {
            assert!(Mobile::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn display_names() {
        assert_eq!(DisplayName::parse("  张  伟 ").unwrap().as_str(), "张 伟");
        assert!(DisplayName::parse(" ").is_err());
        assert!(DisplayName::parse(&"张".repeat(51)).is_err());
    }

    #[test]
    fn login_keys_match_how_logins_are_stored() {
        assert_eq!(login_key("ZhangWei"), "zhangwei");
        assert_eq!(login_key("Zhang@QQ.com"), "zhang@qq.com");
        assert_eq!(login_key("１３８ ００１３ ８０００"), "13800138000");
    }
}
