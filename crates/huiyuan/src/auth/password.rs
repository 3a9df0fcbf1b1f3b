//! Passwords: argon2id hashes (PHC strings, parameters stored with each hash) and the
//! strength rule every new password must pass.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};

use crate::cpu::OffRuntime;
use crate::i18n::Msg;

/// The longest password accepted (argon2 would take more, but nobody types this much).
pub const MAX_LEN: usize = 128;

/// Passwords people pick first; refused whatever the length rule says.
const COMMON: &[&str] = &[
    "12345678",
    "123456789",
    "1234567890",
    "87654321",
    "11111111",
    "88888888",
    "66666666",
    "password",
    "password1",
    "password123",
    "passw0rd",
    "qwerty123",
    "qwertyui",
    "abc12345",
    "abcd1234",
    "a1234567",
    "a12345678",
    "aa123456",
    "1qaz2wsx",
    "qwe123456",
    "123qwe123",
    "iloveyou",
    "admin123",
    "admin1234",
    "huiyuan123",
    "woaini1314",
    "5201314520",
];

/// The argon2id hash of `password` (tens of milliseconds: off the async runtime).
pub fn hash(password: &str, _: &OffRuntime) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// Does `password` match the stored hash? A malformed hash never matches.
pub fn verify(password: &str, stored: &str, _: &OffRuntime) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash that matches no password, verified when a sign-in names no account so that the
/// answer takes as long as for a real one.
pub fn dummy_hash(off: &OffRuntime) -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&super::secrets::random_token(), off).unwrap_or_default())
}

/// Why `password` is not acceptable for the account `username`, if it is not.
pub fn weakness(password: &str, username: &str, min_len: usize) -> Option<Msg> {
    let len = password.chars().count();
    if len < min_len {
        return Some(Msg::new("err.password_short").arg("min", min_len));
    }
    if len > MAX_LEN {
        return Some(Msg::new("err.too_long").arg("max", MAX_LEN));
    }
    let has_letter = password.chars().any(|c| c.is_alphabetic());
    let has_digit = password.chars().any(|c| c.is_ascii_digit());
    let has_other = password.chars().any(|c| !c.is_alphanumeric());
    if [has_letter, has_digit, has_other].iter().filter(|b| **b).count() < 2 {
        return Some(Msg::new("err.password_classes"));
    }
    let lower = password.to_lowercase();
    if !username.is_empty() && lower.contains(&username.to_lowercase()) {
        return Some(Msg::new("err.password_has_username"));
    }
    if COMMON.contains(&lower.as_str()) || password.chars().all(|c| password.starts_with(c)) {
        return Some(Msg::new("err.password_common"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        crate::cpu::here(|off| {
            let h = hash("kexue-2026", off).unwrap();
            assert!(h.starts_with("$argon2id$"));
            assert!(verify("kexue-2026", &h, off));
            assert!(!verify("kexue-2027", &h, off));
            assert!(!verify("kexue-2026", "not a hash", off));
            assert!(!verify("anything", dummy_hash(off), off));
        });
    }

    #[test]
    fn weak_passwords_are_refused_with_the_reason() {
        let cases = [
            ("short1", Some("err.password_short")),
            ("abcdefghij", Some("err.password_classes")),
            ("1234567890123", Some("err.password_classes")),
            ("zhangwei2026", Some("err.password_has_username")),
            ("abcd1234", Some("err.password_common")),
            ("Password123", Some("err.password_common")),
            ("kexue-jiaoyu", None),
            ("科技教育2026", None),
            ("tyKx9!mq", None),
        ];
        for (pw, expected) in cases {
            assert_eq!(weakness(pw, "zhangwei", 8).map(|m| m.key), expected, "{pw}");
        }
        assert!(weakness(&"a1".repeat(70), "u", 8).is_some());
    }
}
