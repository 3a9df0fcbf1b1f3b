//! Notice types.

use serde::Serialize;
use sqlx::FromRow;

use crate::error::FieldErrors;
use crate::i18n::Msg;
use crate::storage::{Flag, NoticeId, OrgId, UserId};
use crate::text::{has_control, normalize_line};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NoticeStatus {
    Draft,
    Published,
    Withdrawn,
}

impl NoticeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeStatus::Draft => "draft",
            NoticeStatus::Published => "published",
            NoticeStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<NoticeStatus> {
        [NoticeStatus::Draft, NoticeStatus::Published, NoticeStatus::Withdrawn].into_iter().find(|x| x.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            NoticeStatus::Draft => "notice.status_draft",
            NoticeStatus::Published => "notice.status_published",
            NoticeStatus::Withdrawn => "notice.status_withdrawn",
        }
    }

    /// The status tag colour (ui.md: green done, grey withdrawn, orange pending).
    pub fn tag(self) -> &'static str {
        match self {
            NoticeStatus::Draft => "tag-orange",
            NoticeStatus::Published => "tag-green",
            NoticeStatus::Withdrawn => "tag-grey",
        }
    }

    /// Publishing and withdrawing: draft → published → withdrawn → published.
    pub fn transition(self, to: NoticeStatus) -> Result<NoticeStatus, Msg> {
        match (self, to) {
            (NoticeStatus::Draft | NoticeStatus::Withdrawn, NoticeStatus::Published)
            | (NoticeStatus::Published, NoticeStatus::Withdrawn) => Ok(to),
            _ => Err(Msg::new("err.notice_transition")),
        }
    }
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Notice {
    pub id: NoticeId,
    pub org_id: OrgId,
    pub doc_number: String,
    pub title: String,
    pub body: String,
    pub status: String,
    #[serde(skip)]
    pub pinned: Flag,
    pub published_at: Option<i64>,
    pub author_id: Option<UserId>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Notice {
    pub fn status(&self) -> NoticeStatus {
        NoticeStatus::parse(&self.status).unwrap_or(NoticeStatus::Draft)
    }

    pub fn is_pinned(&self) -> bool {
        self.pinned.0
    }

    pub fn is_published(&self) -> bool {
        self.status() == NoticeStatus::Published
    }
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct NoticeInput {
    pub doc_number: String,
    pub title: String,
    pub body: String,
    pub pinned: String,
    /// "publish" publishes at once; anything else saves a draft.
    pub intent: String,
}

impl From<&Notice> for NoticeInput {
    /// The form filled in with a saved notice.
    fn from(n: &Notice) -> NoticeInput {
        NoticeInput {
            doc_number: n.doc_number.clone(),
            title: n.title.clone(),
            body: n.body.clone(),
            pinned: if n.is_pinned() { "1".into() } else { String::new() },
            intent: String::new(),
        }
    }
}

pub struct NoticeFields {
    pub doc_number: String,
    pub title: String,
    pub body: String,
    pub pinned: bool,
}

pub const BODY_MAX: usize = 50_000;

pub fn parse(input: &NoticeInput) -> Result<NoticeFields, FieldErrors> {
    let mut errors = FieldErrors::new();
    let title = normalize_line(&input.title);
    if title.is_empty() {
        errors.add("title", Msg::new("err.required"));
    } else if title.chars().count() > 120 {
        errors.add("title", Msg::new("err.too_long").arg("max", 120));
    } else if has_control(&title) {
        errors.add("title", Msg::new("err.invalid_chars"));
    }
    let doc_number = normalize_line(&input.doc_number);
    if doc_number.chars().count() > 60 {
        errors.add("doc_number", Msg::new("err.too_long").arg("max", 60));
    }
    let body = input.body.replace("\r\n", "\n").trim().to_string();
    if body.is_empty() {
        errors.add("body", Msg::new("err.required"));
    } else if body.chars().count() > BODY_MAX {
        errors.add("body", Msg::new("err.too_long").arg("max", BODY_MAX));
    }
    if errors.is_empty() {
        Ok(NoticeFields { doc_number, title, body, pinned: matches!(input.pinned.as_str(), "1" | "on" | "true") })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_transitions() {
        use NoticeStatus::*;
        assert_eq!(Draft.transition(Published), Ok(Published));
        assert_eq!(Published.transition(Withdrawn), Ok(Withdrawn));
        assert_eq!(Withdrawn.transition(Published), Ok(Published));
        assert!(Published.transition(Published).is_err());
        assert!(Draft.transition(Withdrawn).is_err());
        assert!(Published.transition(Draft).is_err());
    }

    #[test]
    fn a_notice_needs_a_title_and_a_body() {
        let e = parse(&NoticeInput::default()).err().unwrap();
        assert!(e.get("title").is_some() && e.get("body").is_some());
        let long = NoticeInput { title: "x".repeat(121), body: "b".into(), ..Default::default() };
        assert_eq!(parse(&long).err().unwrap().get("title").unwrap().key, "err.too_long");
        let ok = parse(&NoticeInput {
            title: " 关于 ".into(),
            body: "正文\r\n".into(),
            pinned: "on".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!((ok.title.as_str(), ok.body.as_str(), ok.pinned), ("关于", "正文", true));
    }
}
