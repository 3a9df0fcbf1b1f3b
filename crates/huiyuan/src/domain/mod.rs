//! Domain values that parse, never merely validate: a value of one of these types is known
//! to be well-formed. Each has one fallible constructor that returns the message to show.

mod credit_code;
mod id_card;

pub use credit_code::CreditCode;
pub use id_card::ResidentId;

use crate::i18n::Msg;
use time::{Date, Month};

use crate::text::normalize;

pub use crate::auth::model::{Email, Mobile};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn parse(s: &str) -> Result<Gender, Msg> {
        match s {
            "male" => Ok(Gender::Male),
            "female" => Ok(Gender::Female),
            "" => Err(Msg::new("err.required")),
            _ => Err(Msg::new("err.choice")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Gender::Male => "form.male",
            Gender::Female => "form.female",
        }
    }
}

/// A six-digit postcode (邮政编码).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Postcode(String);

impl Postcode {
    pub fn parse(raw: &str) -> Result<Postcode, Msg> {
        let s: String = normalize(raw).chars().filter(|c| !c.is_whitespace()).collect();
        if s.is_empty() {
            return Err(Msg::new("err.required"));
        }
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Msg::new("err.postcode"));
        }
        Ok(Postcode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Any document number with all but its first and last four characters hidden (resident IDs
/// come out as `1401**********4910`); short numbers are hidden entirely.
pub fn mask_document(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let hidden = chars.len() - 8;
    chars[..4].iter().chain(std::iter::repeat_n(&'*', hidden)).chain(chars[chars.len() - 4..].iter()).collect()
}

/// A person's name with all but its first and last characters hidden (张*伟, 张*, 欧**明), as
/// the public may see it.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// A 2026-03-31 (or 2026/3/31, 2026年3月31日) date.
pub fn parse_date(raw: &str) -> Result<Date, Msg> {
    let s = normalize(raw);
    if s.is_empty() {
        // Say what is expected, not only that something is.
        return Err(Msg::new("err.date_required"));
    }
    let cleaned: String = s.replace(['年', '月', '/', '.'], "-").trim_end_matches('日').to_string();
    let parts: Vec<&str> = cleaned.split('-').collect();
    let date = match parts.as_slice() {
        [y, m, d] => (|| {
            let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
            Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
        })(),
        _ => None,
    };
    match date {
        Some(d) if (1900..=2100).contains(&d.year()) => Ok(d),
        _ => Err(Msg::new("err.date")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcodes_are_six_digits() {
        assert_eq!(Postcode::parse(" ０３００１２ ").unwrap().as_str(), "030012");
        assert_eq!(Postcode::parse("03001").unwrap_err().key, "err.postcode");
        assert_eq!(Postcode::parse("").unwrap_err().key, "err.required");
        assert_eq!(Gender::parse("other").unwrap_err().key, "err.choice");
    }

    #[test]
    fn names_keep_their_first_and_last_characters() {
        assert_eq!(mask_name("张小伟"), "张*伟");
        assert_eq!(mask_name("张伟"), "张*");
        assert_eq!(mask_name("欧阳晓明"), "欧**明");
    }

    #[test]
    fn documents_are_masked_whatever_their_kind() {
        assert_eq!(super::mask_document("140105199003074910"), "1401**********4910");
        assert_eq!(super::mask_document("E12345678"), "E123*5678");
        assert_eq!(super::mask_document("1234"), "****");
    }
}
