//! Roster import pages: the upload with the recent imports, and a batch's preview with the
//! verdict of every row and the column mapping.

use askama::Template;

use super::Options;
use crate::members::import::{Batch, RowView};
use crate::web::PageCtx;
use crate::web::pagination::Pager;

/// A field of the mapping form: (field key, label, [(column, heading, chosen)]).
pub type FieldChoice = (&'static str, &'static str, Vec<(usize, String, bool)>);

#[derive(Template)]
#[template(path = "members/import.html")]
pub struct ImportPage {
    pub ctx: PageCtx,
    pub cities: Options,
    pub city: String,
    pub error: Option<String>,
    /// (batch, where, status label)
    pub batches: Vec<(Batch, String, &'static str)>,
    pub max_size: String,
    /// The columns the import reads: (field, heading, required, other headings).
    pub columns: Vec<(&'static str, &'static str, bool, String)>,
}

#[derive(Template)]
#[template(path = "members/import_preview.html")]
pub struct PreviewPage {
    pub ctx: PageCtx,
    pub b: Batch,
    pub city: String,
    pub heading: Vec<String>,
    pub fields: Vec<FieldChoice>,
    pub rows: Vec<(RowView, Vec<String>, &'static str, &'static str)>,
    pub tabs: Vec<(&'static str, &'static str, i64, bool)>,
    pub pager: Pager,
    pub preview: bool,
    pub importable: i64,
    /// The summary line's findings, in words ("学历低于入会要求 58 行").
    pub findings: Vec<String>,
    /// Room in the number sequences, a line per class; and why the commit would fail, if so.
    pub rooms: Vec<String>,
    pub room_short: Option<String>,
    /// The imported members' search terms are still being written.
    pub indexing: bool,
    /// The command that writes them, when the job has given up.
    pub reindex: Option<String>,
}

pub const VERDICTS: [(&str, &str); 5] = [
    ("new", "import.v_new_label"),
    ("flagged", "import.v_flagged_label"),
    ("probable", "import.v_probable_label"),
    ("duplicate", "import.v_duplicate_label"),
    ("invalid", "import.v_invalid_label"),
];

pub fn verdict_tag(v: &str) -> &'static str {
    match v {
        "new" => "tag-green",
        "flagged" | "probable" => "tag-orange",
        "duplicate" => "tag-grey",
        _ => "tag-red",
    }
}
