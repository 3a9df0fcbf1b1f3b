//! The census import (普查导入) of a city's existing roster: upload → preview with a verdict
//! per row (new; flagged — education below the minimum or an age outside the category's
//! range, imported with a mark if the city says so; duplicate of member X; probable duplicate
//! of a member or another row, needing a decision; invalid, with the reasons) → commit every
//! importable row in one transaction, or nothing. The preview says whether the city's number
//! sequences have room for the rows before anyone commits.
//!
//! Importing the same file again changes nothing: its people are members by then, so every
//! row comes back a duplicate. Old unified numbers are kept when they are the city's and
//! free (the sequence moves past them); everyone else is numbered by the allocator's
//! sequences. The commit re-checks every row inside its transaction, so members added
//! between preview and commit are not imported twice.

//!
//! `roster` reads the file (pure), `evaluate` judges each row against the registry and the
//! rest of the file, `service` runs upload, remapping and commit, `query` reads batches for
//! the people who may import into their org.

pub mod evaluate;
pub mod file;
pub mod query;
pub mod room;
pub mod roster;
pub mod service;
pub mod template;

use std::collections::BTreeMap;

use crate::storage::OrgId;
use roster::{Field, Mapping};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Batch {
    pub id: i64,
    pub org_id: Option<OrgId>,
    pub created_by_name: String,
    pub file_name: String,
    pub file_sha256: String,
    pub heading_json: String,
    pub mapping_json: String,
    pub status: String,
    pub total_rows: i64,
    pub blank_rows: i64,
    pub new_rows: i64,
    pub duplicate_rows: i64,
    pub probable_rows: i64,
    pub invalid_rows: i64,
    pub flagged_rows: i64,
    pub findings_json: String,
    pub imported_rows: i64,
    pub created_at: i64,
    pub committed_at: Option<i64>,
}

impl Batch {
    pub fn heading(&self) -> Vec<String> {
        serde_json::from_str(&self.heading_json).unwrap_or_default()
    }

    /// How many rows each finding concerns (education_below, age_outside, id_to_complete,
    /// probable_without_id).
    pub fn findings(&self) -> BTreeMap<String, i64> {
        serde_json::from_str(&self.findings_json).unwrap_or_default()
    }

    pub fn mapping(&self) -> Mapping {
        let by_key: BTreeMap<String, usize> = serde_json::from_str(&self.mapping_json).unwrap_or_default();
        by_key.into_iter().filter_map(|(k, c)| Field::parse(&k).map(|f| (f, c))).collect()
    }
}

pub(crate) fn mapping_json(m: &Mapping) -> String {
    let by_key: BTreeMap<&str, usize> = m.iter().map(|(f, c)| (f.key(), *c)).collect();
    serde_json::to_string(&by_key).unwrap_or_else(|_| "{}".into())
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct RowView {
    pub row_no: i64,
    pub cells_json: String,
    pub verdict: String,
    pub message: String,
    pub match_member_id: Option<i64>,
    /// 0: shown, but not importable (a probable duplicate without a required ID number).
    pub can_import: i64,
}

impl RowView {
    pub fn cells(&self) -> Vec<String> {
        serde_json::from_str(&self.cells_json).unwrap_or_default()
    }
}
