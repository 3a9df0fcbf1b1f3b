//! Member search terms: what users type to find a member, made from the record when it is
//! written, and what a search box's text means.
//!
//! Most Chinese names are two or three characters, too short for trigram indexes, so the
//! registry indexes exactly what people type: each character of the name and each pair of
//! neighbouring characters (any part of the name is then a conjunction of pairs), the
//! pinyin in full and as initials (`zhangwei`, `zw` find 张伟; so do the surname `zhang` and
//! the given name `wei`), pairs of the employer's name, the member number, the mobile number
//! and its last four digits (尾号). Characters with several readings (曾 zēng/céng, 单
//! shàn/dān) are indexed under each.

use std::collections::BTreeSet;

use pinyin::ToPinyinMulti;

/// At most this many reading combinations of one name are indexed.
const MAX_COMBINATIONS: usize = 8;
/// At most this many words of a search are used.
const MAX_WORDS: usize = 4;

/// What a member is found by.
pub struct Indexed<'a> {
    pub name: &'a str,
    pub number: &'a str,
    pub employer: &'a str,
    pub mobile: &'a str,
}

pub fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

/// The search terms of a record.
pub fn terms(r: &Indexed<'_>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let name = crate::text::normalize_line(r.name).to_lowercase();
    let han: Vec<char> = name.chars().filter(|c| !c.is_whitespace()).collect();
    for (i, c) in han.iter().enumerate() {
        if is_han(*c) {
            out.insert(c.to_string());
        }
        if let Some(next) = han.get(i + 1) {
            out.insert([*c, *next].iter().collect());
        }
    }
    // Latin names (foreign members): each word.
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| w.len() >= 2) {
        out.insert(word.to_string());
    }
    let syllables = readings(&name);
    if !syllables.is_empty() {
        for full in combinations(&syllables, |s| s.to_string()) {
            out.insert(full);
        }
        for initials in combinations(&syllables, |s| s.chars().next().map(String::from).unwrap_or_default()) {
            out.insert(initials);
        }
        // Any run of a personal name's syllables: the surname (zhang, ouyang), the given
        // name (wei, xiaoming) and so on. Institutions' long names get full and initials only.
        if syllables.len() <= 4 {
            for start in 0..syllables.len() {
                for end in start + 1..=syllables.len() {
                    out.extend(combinations(&syllables[start..end], |s| s.to_string()));
                }
            }
        }
    }
    let employer: Vec<char> = crate::text::normalize_line(r.employer).to_lowercase().chars().collect();
    for pair in employer.windows(2) {
        if pair.iter().all(|c| !c.is_whitespace()) {
            out.insert(pair.iter().collect());
        }
    }
    let number = r.number.trim().to_lowercase();
    if !number.is_empty() {
        out.insert(number);
    }
    let mobile: String = crate::text::normalize(r.mobile).chars().filter(char::is_ascii_digit).collect();
    if mobile.len() >= 7 {
        out.insert(mobile[mobile.len() - 4..].to_string());
        out.insert(mobile);
    }
    out
}

/// Surnames whose reading differs from the character's everyday one (曾 is céng in 曾经 but
/// Zēng as a surname).
const SURNAMES: &[(char, &str)] = &[
    ('曾', "zeng"),
    ('单', "shan"),
    ('仇', "qiu"),
    ('区', "ou"),
    ('查', "zha"),
    ('解', "xie"),
    ('朴', "piao"),
    ('盖', "ge"),
    ('乐', "yue"),
    ('缪', "miao"),
    ('翟', "zhai"),
    ('覃', "qin"),
    ('召', "shao"),
    ('种', "chong"),
    ('尉', "yu"),
    ('秘', "bi"),
    ('繁', "po"),
    ('折', "she"),
    ('员', "yun"),
];

fn surname_reading(c: char) -> Option<&'static str> {
    SURNAMES.iter().find(|(s, _)| *s == c).map(|(_, r)| *r)
}

/// The full pinyin of a name (the surname reading for the first character), for sorting.
pub fn sort_key(name: &str) -> String {
    let name = crate::text::normalize_line(name).to_lowercase();
    let mut out = String::with_capacity(name.len() * 2);
    for (i, (c, readings)) in name.chars().zip(name.as_str().to_pinyin_multi()).enumerate() {
        match (i, surname_reading(c), readings.and_then(|r| r.into_iter().next())) {
            (0, Some(surname), _) => out.push_str(surname),
            (_, _, Some(p)) => out.push_str(p.plain()),
            _ => out.push(c),
        }
    }
    out
}

/// Each Chinese character's distinct plain readings, in order (other characters skipped);
/// the first character's surname reading comes first.
fn readings(name: &str) -> Vec<Vec<&'static str>> {
    let first = name.chars().next().and_then(surname_reading);
    name.to_pinyin_multi()
        .flatten()
        .enumerate()
        .map(|(i, multi)| {
            let mut plain: Vec<&'static str> = Vec::new();
            if let Some(surname) = first.filter(|_| i == 0) {
                plain.push(surname);
            }
            for p in multi {
                if !plain.contains(&p.plain()) {
                    plain.push(p.plain());
                }
            }
            plain.truncate(3);
            plain
        })
        .collect()
}

/// The concatenations of one choice per position (at most [`MAX_COMBINATIONS`]; the first
/// is always the default readings).
fn combinations(syllables: &[Vec<&'static str>], piece: impl Fn(&str) -> String) -> Vec<String> {
    let mut out = vec![String::new()];
    for choices in syllables {
        let mut next = Vec::with_capacity(out.len() * choices.len());
        for prefix in &out {
            for choice in choices {
                if next.len() < MAX_COMBINATIONS {
                    next.push(format!("{prefix}{}", piece(choice)));
                }
            }
        }
        out = next;
    }
    out
}

/// One word of a search: every term must be present; `contains`, when set, must also appear
/// in the name or employer (a run of three or more characters, checked after the pairs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub terms: Vec<String>,
    pub contains: Option<String>,
}

/// What a search box's text asks for: words separated by spaces, each a part of a name or
/// employer, a pinyin spelling or initials, a member number, a mobile number or its last four
/// digits. Full-width letters and digits count as ASCII; case is ignored.
pub fn parse(q: &str) -> Vec<Word> {
    let q = crate::text::normalize_line(q).to_lowercase();
    let mut words = Vec::new();
    for word in q.split_whitespace().take(MAX_WORDS) {
        let chars: Vec<char> = word.chars().filter(|c| is_han(*c) || c.is_ascii_alphanumeric()).collect();
        if chars.is_empty() {
            continue;
        }
        if chars.iter().all(char::is_ascii_alphanumeric) {
            words.push(Word { terms: vec![chars.iter().collect()], contains: None });
        } else if chars.len() == 1 {
            words.push(Word { terms: vec![chars[0].to_string()], contains: None });
        } else {
            let mut terms: Vec<String> = chars.windows(2).map(|p| p.iter().collect()).collect();
            terms.dedup();
            let contains = (chars.len() > 2).then(|| chars.iter().collect());
            words.push(Word { terms, contains });
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(name: &str, employer: &str) -> BTreeSet<String> {
        terms(&Indexed { name, number: "SXK1010001M", employer, mobile: "138 0013 8000" })
    }

    #[test]
    fn a_name_is_found_by_any_part_its_pinyin_and_initials() {
        let t = of("张伟", "");
        for term in ["张", "伟", "张伟", "zhangwei", "zw", "zhang", "wei", "sxk1010001m", "13800138000", "8000"] {
            assert!(t.contains(term), "{term} missing from {t:?}");
        }
        let t = of("欧阳晓明", "太原市第五中学");
        for term in ["欧阳", "阳晓", "晓明", "ouyangxiaoming", "oyxm", "xiaoming", "太原", "五中", "中学"] {
            assert!(t.contains(term), "{term} missing");
        }
        assert!(!t.contains("太"), "single employer characters would match half the registry");
    }

    #[test]
    fn surnames_with_two_readings_are_found_by_both() {
        let t = of("曾华", "");
        assert!(t.contains("zeng") && t.contains("zenghua") && t.contains("zh"), "{t:?}");
    }

    #[test]
    fn search_words_become_required_terms() {
        assert_eq!(parse("张"), vec![Word { terms: vec!["张".into()], contains: None }]);
        assert_eq!(parse(" 张伟 "), vec![Word { terms: vec!["张伟".into()], contains: None }]);
        assert_eq!(
            parse("太原五中"),
            vec![Word {
                terms: vec!["太原".into(), "原五".into(), "五中".into()], contains: Some("太原五中".into())
            }]
        );
        assert_eq!(parse("ＺＷ  sxk1010001M")[1].terms, ["sxk1010001m"]);
        assert_eq!(parse("ZW")[0].terms, ["zw"]);
        assert!(parse(" ， ").is_empty());
    }

    #[test]
    fn the_sort_key_is_the_pinyin() {
        assert_eq!(sort_key("张伟"), "zhangwei");
        assert!(sort_key("安然") < sort_key("赵敏"));
        assert_eq!(sort_key("曾华"), "zenghua");
        assert_eq!(sort_key("单雄"), "shanxiong");
    }
}
