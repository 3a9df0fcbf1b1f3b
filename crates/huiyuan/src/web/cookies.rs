//! Reading request cookies and writing the small non-session ones (language, flash).

use axum::http::{HeaderMap, HeaderValue, header};

/// The value of cookie `name`, if the request carries it.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub const LANG: &str = "hy_lang";
pub const FLASH: &str = "hy_flash";

/// A plain cookie (language, flash): HttpOnly, SameSite=Lax, for `max_age` seconds.
pub fn plain(name: &str, value: &str, max_age: u32, secure: bool) -> HeaderValue {
    let secure_attr = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure_attr}"))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_cookie_among_several() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; hy_lang=en; b=2"));
        assert_eq!(get(&h, "hy_lang"), Some("en"));
        assert_eq!(get(&h, "c"), None);
    }
}
