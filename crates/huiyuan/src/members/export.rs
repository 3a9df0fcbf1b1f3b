//! Exporting a filtered member list (导出): CSV streamed as it is read (UTF-8 with a byte
//! order mark, so Excel and WPS open Chinese correctly), and .xlsx written row by row in
//! constant memory to a temporary file, then sent. ID numbers are masked unless the
//! exporter may read them in full; cells that a spreadsheet would take for a formula are
//! defused; every export is recorded in the audit log with its row count.

use axum::body::{Body, Bytes};
use futures_util::StreamExt;
use serde_json::json;

use super::query::{self, MemberFilters, OrgLabels};
use super::store::{self, Filter, Row};
use crate::audit::{self, Entry, Who};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::state::AppState;

/// The workbook's content type.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An export's file name: 会员名册-<today>.<ext>.
pub fn file_name(state: &AppState, ext: &str) -> String {
    format!("会员名册-{}.{ext}", state.settings.locale.today())
}

/// The columns, in order.
pub const HEADERS: [&str; 13] = [
    "会员编号",
    "姓名/单位名称",
    "会员类型",
    "会员类别",
    "所属协会",
    "会籍状态",
    "性别",
    "出生日期",
    "证件号码",
    "手机",
    "电子邮箱",
    "工作单位/联系人",
    "入会日期",
];

/// What an export knows besides the rows.
pub struct Labels {
    pub full_ids: bool,
    pub orgs: OrgLabels,
    pub offset: time::UtcOffset,
}

/// An export the actor may make: their list's filter, the labels, the filters as written
/// (for the audit record).
pub struct Export {
    filter: Filter,
    labels: Labels,
    filters: String,
}

/// The export of the actor's list with these filters (403 for who may not read the
/// registry). Full ID numbers only for those who keep the dossiers.
pub async fn prepare(state: &AppState, actor: &Actor, filters: &MemberFilters) -> AppResult<Export> {
    let filter = query::filter_for(&state.settings, actor, filters)?;
    let mut conn = state.db.pool().acquire().await?;
    // Exports are the association's documents: in Chinese whatever the page language.
    let orgs = OrgLabels::read(&mut conn, &state.org_names, Lang::Zh.t("member.direct")).await?;
    let labels = Labels { full_ids: actor.can_export_id_numbers(), orgs, offset: state.settings.locale.utc_offset() };
    Ok(Export { filter, labels, filters: filters.encoded() })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// One row as the export's cells.
pub fn cells(state: &AppState, labels: &Labels, r: &Row, extra: &RowExtra) -> [String; 13] {
    let category = query::category_label(&state.settings, Lang::Zh, &r.category);
    let status = Lang::Zh.t(super::model::status_label_key(&r.status)).to_string();
    let kind = if r.kind == "group" { "团体" } else { "个人" };
    let city = labels.orgs.place(r.org_id);
    let id_number = if labels.full_ids { r.id_number.clone() } else { crate::domain::mask_document(&r.id_number) };
    let gender = match extra.gender.as_str() {
        "male" => "男",
        "female" => "女",
        _ => "",
    };
    let joined = time::OffsetDateTime::from_unix_timestamp(r.joined_at / 1000)
        .map(|t| t.to_offset(labels.offset).date().to_string())
        .unwrap_or_default();
    [
        r.number.clone(),
        r.name.clone(),
        kind.into(),
        category,
        city,
        status,
        gender.into(),
        extra.birth_date.clone(),
        id_number,
        r.mobile.clone(),
        extra.email.clone(),
        r.employer.clone(),
        joined,
    ]
}

/// Columns the list rows do not carry.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct RowExtra {
    pub gender: String,
    pub birth_date: String,
    pub email: String,
}

/// A full export row: the list row and the extra columns.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportRow {
    #[sqlx(flatten)]
    pub row: Row,
    #[sqlx(flatten)]
    pub extra: RowExtra,
}

/// A spreadsheet takes a cell starting with = + - @ for a formula: prefix those with '.
pub fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => std::borrow::Cow::Owned(format!("'{cell}")),
        _ => std::borrow::Cow::Borrowed(cell),
    }
}

/// One CSV line (RFC 4180 quoting) with a CRLF.
pub fn csv_line(out: &mut String, cells: &[String]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let cell = defuse(cell);
        if cell.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&cell);
        }
    }
    out.push_str("\r\n");
}

/// Record the export (who, what, how many rows).
async fn record(state: &AppState, who: &Who, format: Format, filters: &str, rows: usize, full_ids: bool) {
    let entry = Entry::new("member.export", "member", "list", "会员名册")
        .after(json!({ "format": format.name(), "filters": filters, "rows": rows, "full_id_numbers": full_ids }));
    let recorded = async {
        let mut conn = state.db.pool().acquire().await?;
        audit::record(&mut conn, who, entry).await
    }
    .await;
    if let Err(e) = recorded {
        tracing::error!("recording a member export: {e}");
    }
}

/// The CSV body: rows are read and sent as they come.
pub fn csv(state: AppState, who: Who, export: Export) -> Body {
    let Export { filter, labels, filters } = export;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    tokio::spawn(async move {
        let mut sent = 0usize;
        let result: Result<(), sqlx::Error> = async {
            let mut buf = String::with_capacity(80 * 1024);
            buf.push('\u{FEFF}');
            csv_line(&mut buf, &HEADERS.map(String::from));
            let mut conn = state.db.pool().acquire().await?;
            let (text, args) = store::export_query(&mut conn, &filter).await?.into_parts();
            let mut rows = sqlx::query_as_with::<_, ExportRow, _>(&text, args).fetch(&mut *conn);
            while let Some(row) = rows.next().await {
                let row = row?;
                csv_line(&mut buf, &cells(&state, &labels, &row.row, &row.extra));
                sent += 1;
                if buf.len() >= 64 * 1024 {
                    if tx.send(Ok(Bytes::from(std::mem::take(&mut buf)))).await.is_err() {
                        return Ok(()); // the client went away
                    }
                    buf.reserve(80 * 1024);
                }
            }
            let _ = tx.send(Ok(Bytes::from(buf))).await;
            Ok(())
        }
        .await;
        if let Err(e) = result {
            tracing::error!("member export: {e}");
            let _ = tx.send(Err(std::io::Error::other("export failed"))).await;
        }
        record(&state, &who, Format::Csv, &filters, sent, labels.full_ids).await;
    });
    Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) }))
}

/// The .xlsx file: written row by row (constant memory) to a temporary file, then sent.
pub async fn xlsx(state: AppState, who: Who, export: Export) -> anyhow::Result<(Body, usize)> {
    let Export { filter, labels, filters } = export;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("members.xlsx");
    let (tx, mut rx) = tokio::sync::mpsc::channel::<[String; 13]>(1024);
    let writer_path = path.clone();
    let writer = tokio::spawn(crate::cpu::run(move |_| -> anyhow::Result<usize> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let temp = writer_path.parent().map(std::path::Path::to_path_buf).unwrap_or_default();
        workbook.set_tempdir(&temp)?;
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let sheet = workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name("会员名册")?;
        for (c, h) in HEADERS.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (c, width) in [14, 18, 8, 10, 10, 8, 6, 12, 22, 14, 24, 24, 12].iter().enumerate() {
            sheet.set_column_width(c as u16, *width)?;
        }
        let mut n = 0u32;
        while let Some(cells) = rx.blocking_recv() {
            n += 1;
            for (c, cell) in cells.iter().enumerate() {
                if !cell.is_empty() {
                    sheet.write_string(n, c as u16, defuse(cell))?;
                }
            }
        }
        workbook.save(&writer_path)?;
        Ok(n as usize)
    }));
    let read: Result<(), sqlx::Error> = async {
        let mut conn = state.db.pool().acquire().await?;
        let (text, args) = store::export_query(&mut conn, &filter).await?.into_parts();
        let mut rows = sqlx::query_as_with::<_, ExportRow, _>(&text, args).fetch(&mut *conn);
        // An .xlsx sheet holds 1,048,576 rows including the heading.
        let mut left = 1_048_575usize;
        while let Some(row) = rows.next().await {
            let row = row?;
            if left == 0 || tx.send(cells(&state, &labels, &row.row, &row.extra)).await.is_err() {
                break;
            }
            left -= 1;
        }
        Ok(())
    }
    .await;
    drop(tx);
    let written = writer.await???;
    read?;
    record(&state, &who, Format::Xlsx, &filters, written, labels.full_ids).await;
    let file = tokio::fs::File::open(&path).await?;
    // The directory goes when the body is done (the file stays readable while open).
    let stream = futures_util::stream::unfold((file, dir), |(mut file, dir)| async move {
        use tokio::io::AsyncReadExt;
        let mut chunk = vec![0u8; 64 * 1024];
        match file.read(&mut chunk).await {
            Ok(0) => None,
            Ok(n) => {
                chunk.truncate(n);
                Some((Ok::<_, std::io::Error>(Bytes::from(chunk)), (file, dir)))
            }
            Err(e) => Some((Err(e), (file, dir))),
        }
    });
    Ok((Body::from_stream(stream), written))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting_and_defuses_formulas() {
        let mut out = String::new();
        csv_line(&mut out, &["张伟".into(), "太原市,第五中学".into(), "=HYPERLINK(\"x\")".into(), "-1".into()]);
        assert_eq!(out, "张伟,\"太原市,第五中学\",\"'=HYPERLINK(\"\"x\"\")\",'-1\r\n");
    }
}
