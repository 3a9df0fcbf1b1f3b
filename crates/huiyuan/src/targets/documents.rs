//! A year's figures as files: the workbook (.xlsx: a summary sheet and a sheet per city, with
//! every group member short of individual members) and the PDF summary with its charts, of
//! the cities the actor sees. In Chinese, the association's documents.

use super::{query, workbook};
use crate::auth::Actor;
use crate::cpu;
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Msg};
use crate::print::Document;
use crate::state::AppState;

/// 2026-11-29 15:40 in the association's time.
fn local_datetime(offset: time::UtcOffset, ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(offset);
    format!("{:04}-{:02}-{:02} {:02}:{:02}", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
}

/// The year's workbook (`pdf` false) or PDF summary, of the cities the actor sees.
pub async fn year(state: &AppState, actor: &Actor, year: i32, pdf: bool) -> AppResult<Document> {
    let mut conn = state.db.pool().acquire().await?;
    let (figures, short) = query::year_download(&mut conn, &state.settings, actor, year, !pdf).await?;
    drop(conn);
    let title = Lang::Zh.render(&Msg::new("workbook.title").arg("year", year));
    let scope = match figures.cities.as_slice() {
        [one] => one.city.clone(),
        _ => String::new(),
    };
    let name = format!("{scope}{title}");
    let offset = state.settings.locale.utc_offset();
    let association = state.settings.association.name.clone();
    let font = match pdf {
        true => Some(state.printer.font().ok_or_else(|| AppError::Missing(Msg::new("err.no_font")))?.0.clone()),
        false => None,
    };
    cpu::run(move |off| {
        let generated = local_datetime(offset, crate::storage::now_ms());
        let datetime = |ms: i64| local_datetime(offset, ms);
        let ctx =
            workbook::Context { association: &association, generated: &generated, short: &short, datetime: &datetime };
        match font {
            Some(font) => crate::print::summary::render(&workbook::pdf_summary(&figures, &ctx), &font, off)
                .map(|bytes| Document::pdf(bytes, name))
                .map_err(|e| AppError::Internal(anyhow::anyhow!(e))),
            None => workbook::render(&figures, &ctx, off)
                .map(|bytes| Document::xlsx(bytes, name))
                .map_err(|e| AppError::Internal(anyhow::anyhow!("writing a workbook: {e}"))),
        }
    })
    .await?
}
