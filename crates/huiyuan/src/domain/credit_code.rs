//! Unified social credit codes (统一社会信用代码), GB 32100-2015: 18 characters from
//! 0–9 and A–Z without I, O, S, V, Z — registering authority, organisation type, six-digit
//! region code, nine-character organisation code — and a check character (MOD 31).

use std::fmt;

use crate::i18n::Msg;
use crate::text::normalize;

const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [usize; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditCode(String);

impl CreditCode {
    pub fn parse(raw: &str) -> Result<CreditCode, Msg> {
        let s: String =
            normalize(raw).chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_uppercase();
        if s.is_empty() {
            return Err(Msg::new("err.required"));
        }
        let values: Option<Vec<usize>> = s.chars().map(|c| ALPHABET.find(c)).collect();
        let Some(values) = values.filter(|v| v.len() == 18) else {
            return Err(Msg::new("err.credit_code_format"));
        };
        let sum: usize = values.iter().take(17).zip(WEIGHTS).map(|(v, w)| v * w).sum();
        let check = (31 - sum % 31) % 31;
        if values[17] != check {
            return Err(Msg::new("err.credit_code_check"));
        }
        Ok(CreditCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_codes_pass() {
        for code in ["91110000710926094P", "91110000802100433B", "12100000400000624D", " 9144 0300 7084 6113 6t "] {
            assert!(CreditCode::parse(code).is_ok(), "{code}");
        }
        assert_eq!(CreditCode::parse("９１１１００００８０２１００４３３Ｂ").unwrap().as_str(), "91110000802100433B");
    }

    #[test]
    fn bad_codes_say_what_is_wrong() {
        assert_eq!(CreditCode::parse("").unwrap_err().key, "err.required");
        assert_eq!(CreditCode::parse("9111000080210043").unwrap_err().key, "err.credit_code_format");
        assert_eq!(CreditCode::parse("91110000802100433I").unwrap_err().key, "err.credit_code_format");
        assert_eq!(CreditCode::parse("91110000802100433C").unwrap_err().key, "err.credit_code_check");
    }
}
