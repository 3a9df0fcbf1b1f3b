//! A [`Sheet`] as an .xlsx workbook: the same grid with merged cells and borders, set up to
//! print on A4, so an association can fill it in on a computer or print it blank.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use super::sheet::{Sheet, Style};
use crate::cpu::OffRuntime;

/// Excel's A4 paper code.
const PAPER_A4: u8 = 9;

/// The workbook of `sheet`, its one tab named `tab_name` (off the async runtime).
pub fn render(sheet: &Sheet, tab_name: &str, _: &OffRuntime) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let ws = workbook.add_worksheet();
    // Excel's rules for a sheet name: at most 31 characters, none of []:*?/\.
    let tab: String = tab_name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    ws.set_name(if tab.is_empty() { "Sheet1" } else { &tab })?;
    ws.set_paper_size(PAPER_A4);
    if sheet.landscape {
        ws.set_landscape();
    }
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    let cols = sheet.columns.len() as u16;
    let total: f32 = sheet.columns.iter().sum();
    // About 95 characters across an A4 page in portrait, 135 in landscape.
    let across = if sheet.landscape { 135.0 } else { 95.0 };
    for (i, c) in sheet.columns.iter().enumerate() {
        ws.set_column_width(i as u16, f64::from(c / total * across))?;
    }
    let base = Format::new().set_font_name("宋体").set_font_size(11);
    let heading = base.clone().set_font_size(13).set_align(FormatAlign::Center);
    let title = base.clone().set_font_size(18).set_bold().set_align(FormatAlign::Center);
    let plain = base.clone();
    let boxed = base.clone().set_border(FormatBorder::Thin).set_text_wrap().set_align(FormatAlign::VerticalCenter);
    let label = boxed.clone().set_align(FormatAlign::Center).set_background_color(0xF2F2F2);
    let note = boxed.clone().set_align(FormatAlign::Top).set_font_size(10);

    let last_col = cols.saturating_sub(1);
    let mut r: u32 = 0;
    ws.merge_range(r, 0, r, last_col, &sheet.heading, &heading)?;
    r += 1;
    ws.set_row_height(r, 28)?;
    ws.merge_range(r, 0, r, last_col, &sheet.title, &title)?;
    r += 1;
    if !sheet.subtitle.is_empty() {
        ws.merge_range(r, 0, r, last_col, &sheet.subtitle, &heading.clone().set_font_size(11))?;
        r += 1;
    }
    if !sheet.top_left.is_empty() {
        ws.merge_range(r, 0, r, last_col, &sheet.top_left, &plain)?;
        r += 1;
    }
    let first = r;
    for row in &sheet.rows {
        ws.set_row_height(r, f64::from(row.height))?;
        r += 1;
    }
    if sheet.header_rows > 0 {
        ws.set_repeat_rows(first, first + sheet.header_rows as u32 - 1)?;
    }
    for (i, row) in sheet.rows.iter().enumerate() {
        let y = first + i as u32;
        for cell in &row.cells {
            let format = match cell.style {
                Style::Label | Style::Head => &label,
                Style::Value => &boxed,
                Style::Note | Style::Sign => &note,
            };
            let text = if cell.foot.is_empty() { cell.text.clone() } else { format!("{}\n\n{}", cell.text, cell.foot) };
            let (c0, c1) = (cell.col as u16, (cell.col + cell.span).max(1) as u16 - 1);
            let y1 = y + cell.rows.max(1) as u32 - 1;
            if c0 == c1 && y == y1 {
                ws.write_string_with_format(y, c0, &text, format)?;
            } else {
                ws.merge_range(y, c0, y1, c1, &text, format)?;
            }
        }
    }
    if !sheet.footnote.is_empty() {
        ws.merge_range(r, 0, r, last_col, &sheet.footnote, &plain.clone().set_font_size(9).set_text_wrap())?;
        ws.set_row_height(r, 30)?;
    }
    workbook.save_to_buffer()
}
