//! Languages and message catalogs. Chinese (zh-CN) is the default; English is switchable per
//! user. Every user-visible string — page text, form errors, e-mails — comes from
//! `locales/<lang>.toml` by key; a unit test checks both catalogs carry the same keys and that
//! every key the code and templates use exists.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh-CN" | "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// A settings text in this language: its English form in English when the settings give
    /// one, else the text as the settings have it.
    pub fn pick<'a>(self, text: &'a str, english: &'a str) -> &'a str {
        if self == Lang::En && !english.trim().is_empty() { english } else { text }
    }

    /// A settings text (an education level, a checklist item, a purpose …) as a reader of
    /// this language sees it: its `[english]` form in English when the settings give one.
    pub fn setting<'a>(self, settings: &'a crate::config::Settings, text: &'a str) -> &'a str {
        match settings.english_of(text) {
            Some(english) => self.pick(text, english),
            None => text,
        }
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Zh => "中文",
            Lang::En => "English",
        }
    }

    /// Look up `key`; a key missing from English falls back to Chinese, then to the key.
    pub fn t(self, key: &str) -> &'static str {
        let own = match self {
            Lang::Zh => &*ZH,
            Lang::En => &*EN,
        };
        own.get(key).or_else(|| ZH.get(key)).map(String::as_str).unwrap_or_else(|| unknown_key(key))
    }

    /// Render a message with its arguments (`{name}` placeholders).
    pub fn render(self, msg: &Msg) -> String {
        let mut out = self.t(msg.key).to_string();
        for (name, value) in &msg.args {
            let english = msg.english.iter().find(|(n, _)| n == name).map(|(_, v)| v);
            let value = match english {
                Some(e) if self == Lang::En => e,
                _ => value,
            };
            out = out.replace(&format!("{{{name}}}"), value);
        }
        for (name, key) in &msg.keys {
            out = out.replace(&format!("{{{name}}}"), self.t(key));
        }
        out
    }
}

/// A user-facing message: a catalog key and its arguments, rendered in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
    /// English forms of arguments that are settings texts (an education level …).
    pub english: Vec<(&'static str, String)>,
    /// Arguments that are catalog keys, worded in the reader's language (a status).
    pub keys: Vec<(&'static str, &'static str)>,
}

impl Msg {
    pub fn new(key: &'static str) -> Msg {
        Msg { key, args: Vec::new(), english: Vec::new(), keys: Vec::new() }
    }

    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Msg {
        self.args.push((name, value.to_string()));
        self
    }

    /// An argument that is a catalog key: worded in the reader's language when rendered.
    pub fn arg_key(mut self, name: &'static str, key: &'static str) -> Msg {
        self.keys.push((name, key));
        self
    }

    /// An argument that is a settings text: shown in English where the settings give an
    /// English form (`[english]`).
    pub fn arg_setting(mut self, name: &'static str, settings: &crate::config::Settings, text: &str) -> Msg {
        if let Some(english) = settings.english_of(text) {
            self.english.push((name, english.to_string()));
        }
        self.args.push((name, text.to_string()));
        self
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&Lang::Zh.render(self))
    }
}

fn unknown_key(key: &str) -> &'static str {
    tracing::warn!(key, "missing message key");
    "?"
}

static ZH: LazyLock<HashMap<String, String>> = LazyLock::new(|| load(include_str!("../locales/zh-CN.toml")));
static EN: LazyLock<HashMap<String, String>> = LazyLock::new(|| load(include_str!("../locales/en.toml")));

fn load(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    match text.parse::<toml::Table>() {
        Ok(table) => flatten("", &table, &mut out),
        Err(e) => tracing::error!("message catalog is not valid TOML: {e}"),
    }
    out
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

/// All keys of a catalog (tests).
#[cfg(test)]
pub(crate) fn keys(lang: Lang) -> Vec<String> {
    let map = match lang {
        Lang::Zh => &*ZH,
        Lang::En => &*EN,
    };
    let mut keys: Vec<_> = map.keys().cloned().collect();
    keys.sort();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogs_carry_the_same_keys() {
        let zh = keys(Lang::Zh);
        let en = keys(Lang::En);
        let only_zh: Vec<_> = zh.iter().filter(|k| !en.contains(k)).collect();
        let only_en: Vec<_> = en.iter().filter(|k| !zh.contains(k)).collect();
        assert!(only_zh.is_empty() && only_en.is_empty(), "zh only: {only_zh:?}\nen only: {only_en:?}");
        assert!(zh.len() > 50);
    }

    #[test]
    fn every_key_used_in_code_and_templates_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let zh = keys(Lang::Zh);
        let sections: std::collections::HashSet<&str> = zh.iter().filter_map(|k| k.split('.').next()).collect();
        let mut missing = Vec::new();
        for dir in ["src", "templates"] {
            for path in walk(&root.join(dir)) {
                if path.components().any(|c| c.as_os_str() == "config") {
                    continue; // settings keys, not message keys
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for key in quoted_keys(&text) {
                    let section = key.split('.').next().unwrap_or("");
                    // In code, audit action names look like keys; templates use only keys.
                    let in_code = path.extension().is_some_and(|e| e == "rs");
                    // So do job kinds and the webhooks' event names.
                    let is_action = in_code
                        && (crate::audit::ACTIONS.contains(&key.as_str())
                            || key == crate::mail::JOB_SEND
                            || key == crate::webhooks::JOB
                            || crate::webhooks::EVENTS.contains(&key.as_str()));
                    if sections.contains(section) && !is_action && !zh.contains(&key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys missing from the catalogs:\n{}", missing.join("\n"));
    }

    /// String literals that look like catalog keys: `section.name` in lower case.
    fn quoted_keys(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        // Every stretch between two consecutive quotes, whatever the nesting (HTML attributes
        // hold template expressions with their own quotes).
        for piece in text.split('"') {
            let looks_like_key = piece.contains('.')
                && piece.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
                && !piece.starts_with('.')
                && !piece.ends_with('.')
                && ![
                    ".html", ".txt", ".css", ".js", ".svg", ".db", ".rs", ".toml", ".md", ".json", ".com", ".org",
                    ".invalid",
                ]
                .iter()
                .any(|ext| piece.ends_with(ext));
            if looks_like_key {
                out.push(piece.to_string());
            }
        }
        out
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else if path.extension().is_some_and(|e| e == "rs" || e == "html" || e == "txt") {
                out.push(path);
            }
        }
        out
    }

    #[test]
    fn messages_fill_in_their_arguments() {
        let msg = Msg::new("err.too_long").arg("max", 50);
        assert_eq!(Lang::Zh.render(&msg), "不能超过 50 个字");
        assert_eq!(Lang::En.render(&msg), "Must be at most 50 characters");
    }
}
