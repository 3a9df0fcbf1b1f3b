//! Room in the number sequences: before anyone commits, the preview says whether the city's
//! unified numbers (a sequence per unit and class, `numbering.sequence_digits` digits) will
//! suffice for the rows — and the commit refuses in the same words when they do not.

use std::collections::BTreeMap;

use crate::config::Settings;
use crate::i18n::Msg;
use crate::storage::Conn;

/// One class of numbers: what is left and what the rows need.
#[derive(Debug, Clone)]
pub struct Room {
    pub class: String,
    /// The categories numbered in this class (高级会员、普通会员).
    pub categories: String,
    pub left: i64,
    /// For the new rows (what the commit button imports).
    pub need: i64,
    /// For every importable row, flagged and probable ones included.
    pub need_all: i64,
}

impl Room {
    pub fn short(&self) -> bool {
        self.need > self.left
    }

    /// Why the commit cannot go through, in a city secretary's words.
    pub fn refusal(&self, settings: &Settings, city: &str, need: i64) -> Msg {
        Msg::new("import.err_room")
            .arg("city", city)
            .arg("categories", &self.categories)
            .arg("left", self.left)
            .arg("need", need)
            .arg("digits", settings.numbering.sequence_digits)
            .arg("max", settings.numbering.max_sequence())
    }
}

/// How many numbers of `class` the unit has left.
pub async fn left(conn: &mut Conn, settings: &Settings, unit: i64, class: &str) -> Result<i64, sqlx::Error> {
    let next: Option<(i64,)> = sqlx::query_as("SELECT next FROM number_sequence WHERE unit = $1 AND class = $2")
        .bind(unit)
        .bind(class)
        .fetch_optional(&mut *conn)
        .await?;
    Ok((settings.numbering.max_sequence() - next.map_or(1, |n| n.0) + 1).max(0))
}

/// The room of every class the batch's rows need numbers of (`findings`: the batch's figures).
pub async fn rooms(
    conn: &mut Conn,
    settings: &Settings,
    unit: i64,
    findings: &BTreeMap<String, i64>,
) -> Result<Vec<Room>, sqlx::Error> {
    let mut out = Vec::new();
    for (key, need_all) in findings {
        let Some(class) = key.strip_prefix("need_all:") else { continue };
        let categories: Vec<&str> =
            settings.categories.iter().filter(|c| c.number_class == class).map(|c| c.name.as_str()).collect();
        out.push(Room {
            class: class.to_string(),
            categories: categories.join("、"),
            left: left(conn, settings, unit, class).await?,
            need: findings.get(&format!("need:{class}")).copied().unwrap_or(0),
            need_all: *need_all,
        });
    }
    Ok(out)
}

/// The findings of a batch's summary line: (key in the batch's figures, words with the count).
pub const FINDINGS: [(&str, &str); 4] = [
    ("education_below", "import.n_education_below"),
    ("age_outside", "import.n_age_outside"),
    ("id_to_complete", "import.n_id_to_complete"),
    ("probable_without_id", "import.n_probable_without_id"),
];

/// What a batch's preview says above its rows, and its verdicts workbook in its summary
/// sheet: the findings in words, the room in the number sequences (while in preview), and
/// why the commit would fail, if it would.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub findings: Vec<String>,
    pub rooms: Vec<String>,
    pub room_short: Option<String>,
}

pub async fn summary(
    conn: &mut Conn,
    settings: &Settings,
    lang: crate::i18n::Lang,
    batch: &super::Batch,
    (unit, city): (i64, &str),
) -> Result<Summary, sqlx::Error> {
    let found = batch.findings();
    let num = |n: i64| crate::text::thousands(n);
    let findings = FINDINGS
        .iter()
        .filter_map(|(key, words)| {
            found.get(*key).filter(|n| **n > 0).map(|n| lang.render(&Msg::new(words).arg("n", num(*n))))
        })
        .collect();
    let mut out = Summary { findings, ..Summary::default() };
    if batch.status != "preview" {
        return Ok(out);
    }
    for r in rooms(conn, settings, unit, &found).await? {
        let line = Msg::new("import.room")
            .arg("categories", &r.categories)
            .arg("left", num(r.left))
            .arg("need", num(r.need))
            .arg("need_all", num(r.need_all));
        out.rooms.push(lang.render(&line));
        if r.short() && out.room_short.is_none() {
            out.room_short = Some(lang.render(&r.refusal(settings, city, r.need)));
        }
    }
    Ok(out)
}
