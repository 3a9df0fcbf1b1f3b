//! Resident identity card numbers (居民身份证号码), GB 11643-1999: six digits of region
//! code, eight of birth date, three of sequence (the last odd for men, even for women) and a
//! check character (0–9 or X) over ISO 7064 MOD 11-2.

use std::fmt;

use time::{Date, Month};

use super::Gender;
use crate::i18n::Msg;
use crate::text::normalize;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentId(String);

impl ResidentId {
    /// Parse what someone typed: full-width digits, spaces and a lower-case x are fine.
    pub fn parse(raw: &str) -> Result<ResidentId, Msg> {
        let s: String = normalize(raw).chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        if s.is_empty() {
            return Err(Msg::new("err.required"));
        }
        if s.len() != 18 || !s[..17].bytes().all(|b| b.is_ascii_digit()) {
            return Err(Msg::new("err.id_format"));
        }
        let last = s.chars().last().unwrap_or(' ');
        if !(last.is_ascii_digit() || last == 'X') {
            return Err(Msg::new("err.id_format"));
        }
        if birth_date(&s).is_none() {
            return Err(Msg::new("err.id_birth_invalid"));
        }
        if check_char(&s) != last {
            return Err(Msg::new("err.id_check"));
        }
        Ok(ResidentId(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> Date {
        birth_date(&self.0).unwrap_or(Date::MIN)
    }

    pub fn gender(&self) -> Gender {
        match self.0.as_bytes()[16] - b'0' {
            d if d % 2 == 1 => Gender::Male,
            _ => Gender::Female,
        }
    }

    /// The number as staff without the right to see it read it: 1401**********123X.
    pub fn masked(&self) -> String {
        format!("{}{}{}", &self.0[..4], "*".repeat(10), &self.0[14..])
    }
}

impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn check_char(s: &str) -> char {
    let sum: u32 = s.bytes().take(17).zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    CHECK[(sum % 11) as usize]
}

fn birth_date(s: &str) -> Option<Date> {
    let year: i32 = s.get(6..10)?.parse().ok()?;
    let month: u8 = s.get(10..12)?.parse().ok()?;
    let day: u8 = s.get(12..14)?.parse().ok()?;
    let date = Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()?;
    (1900..=2100).contains(&year).then_some(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_numbers_parse_and_tell_birth_date_and_gender() {
        let id = ResidentId::parse("11010519491231002x").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date(), Date::from_calendar_date(1949, Month::December, 31).unwrap());
        assert_eq!(id.gender(), Gender::Female);
        let id = ResidentId::parse("１４０１０５ １９９００３０７ ４９１０").unwrap();
        assert_eq!(id.as_str(), "140105199003074910");
        assert_eq!(id.gender(), Gender::Male);
        assert_eq!(id.masked(), "1401**********4910");
    }

    #[test]
    fn bad_numbers_say_what_is_wrong() {
        let cases = [
            ("", "err.required"),
            ("14010519900307491", "err.id_format"),
            ("1401051990030749100", "err.id_format"),
            ("14010519900307491A", "err.id_format"),
            ("140105199002304910", "err.id_birth_invalid"),
            ("140105199013074910", "err.id_birth_invalid"),
            ("140105199003074914", "err.id_check"),
            ("110105194912310021", "err.id_check"),
        ];
        for (raw, key) in cases {
            assert_eq!(ResidentId::parse(raw).unwrap_err().key, key, "{raw}");
        }
    }
}
