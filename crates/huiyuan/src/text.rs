//! Text clean-up every form needs: Chinese input methods produce full-width digits and
//! letters (１３８…, ＠) and ideographic spaces; people paste stray spaces.

/// For machine-read fields (user names, e-mail, phone numbers, codes): full-width ASCII to
/// ASCII (１３８ → 138, ＠ → @), ideographic space to space, then trim.
pub fn normalize(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// For text people read (names, titles): full-width digits and letters to ASCII, white space
/// trimmed and collapsed; Chinese punctuation such as （） and ，stays as typed.
pub fn normalize_line(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            _ => c,
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// For text of several paragraphs (a report, a comment): line endings made `\n`, control
/// characters other than line breaks and tabs dropped, trailing spaces of each line and
/// blank lines at both ends removed; what people typed stays otherwise as typed.
pub fn normalize_block(s: &str) -> String {
    let text: String =
        s.replace("\r\n", "\n").chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t')).collect();
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    lines.join("\n").trim_matches('\n').to_string()
}

/// Has a control character that has no business in a one-line field?
pub fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// A whole number with its thousands grouped: 30,000.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_input_is_normalised() {
        assert_eq!(normalize("　１３８００１３８０００ "), "13800138000");
        assert_eq!(normalize("ＺＨＡＮＧ＠ｅｘａｍｐｌｅ．ｃｏｍ"), "ZHANG@example.com");
        assert_eq!(normalize_line(" 张  伟 "), "张 伟");
        assert_eq!(normalize_line("太原市（科技辅导员）协会，２０２６"), "太原市（科技辅导员）协会，2026");
        assert!(has_control("a\u{0}b"));
        assert_eq!(normalize_block("\r\n一、发展情况 \r\n\r\n  二、下一步\u{0}\n\n"), "一、发展情况\n\n  二、下一步");
        assert!(!has_control("张伟"));
    }
}
