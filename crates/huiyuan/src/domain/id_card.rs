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

/// The province-level regions of GB/T 2260 (the first two digits of a region code), with 83
/// for the residence permits of Taiwan residents.
const PROVINCES: [u8; 35] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63,
    64, 65, 71, 81, 82, 83,
];

impl ResidentId {
    /// Parse what someone typed: full-width digits, spaces and a lower-case x are fine. A
    /// birth date that no place on Earth has reached yet is refused.
    pub fn parse(raw: &str) -> Result<ResidentId, Msg> {
        // UTC+14 is the earliest calendar: a day after UTC's date is still the past somewhere.
        let latest = time::OffsetDateTime::now_utc().date().next_day().unwrap_or(Date::MAX);
        ResidentId::parse_on(raw, latest)
    }

    /// Parse as of `today` (the last possible birth date).
    pub fn parse_on(raw: &str, today: Date) -> Result<ResidentId, Msg> {
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
        let Some(born) = birth_date(&s) else {
            return Err(Msg::new("err.id_birth_invalid"));
        };
        if check_char(&s) != last {
            return Err(Msg::new("err.id_check"));
        }
        if !s[..2].parse::<u8>().is_ok_and(|p| PROVINCES.contains(&p)) {
            return Err(Msg::new("err.id_region").arg("code", &s[..6]));
        }
        if born > today {
            return Err(Msg::new("err.id_birth_future").arg("date", born));
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

    /// A well-formed number from its 17 digits (region, birth date, sequence) and the check
    /// character they call for: for generated and demo people.
    pub fn complete(first17: &str) -> String {
        format!("{first17}{}", check_char(first17))
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

    fn with_check(first17: &str) -> String {
        ResidentId::complete(first17)
    }

    #[test]
    fn numbers_that_cannot_exist_are_refused_though_their_check_character_is_right() {
        let today = Date::from_calendar_date(2026, Month::December, 4).unwrap();
        // Born after today.
        let future = with_check("14010520991231001");
        assert_eq!(ResidentId::parse_on(&future, today).unwrap_err().key, "err.id_birth_future");
        assert_eq!(ResidentId::parse(&future).unwrap_err().key, "err.id_birth_future");
        let tomorrow = with_check("14010520261205001");
        assert_eq!(ResidentId::parse_on(&tomorrow, today).unwrap_err().key, "err.id_birth_future");
        assert!(ResidentId::parse_on(&with_check("14010520261204001"), today).is_ok(), "born today");
        // No province-level region starts 00, 19, 39, 72 or 99.
        for region in ["000105", "190105", "390105", "720105", "990105"] {
            let id = with_check(&format!("{region}19900307491"));
            let e = ResidentId::parse_on(&id, today).unwrap_err();
            assert_eq!((e.key, e.args[0].1.as_str()), ("err.id_region", region), "{id}");
        }
        // Every province-level region, Hong Kong, Macao and Taiwan (83: residence permits).
        for p in PROVINCES {
            assert!(ResidentId::parse_on(&with_check(&format!("{p}010519900307491")), today).is_ok(), "{p}");
        }
    }
}
