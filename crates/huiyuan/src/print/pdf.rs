//! A [`Sheet`] as a PDF: A4, bordered cells, Chinese text in the embedded (subset) font, page
//! breaks that keep tall cells whole and repeat the table heading, page numbers, and a
//! vector QR code.

use krilla::Document;
use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

use super::sheet::{Cell, Sheet, Style};
use crate::cpu::OffRuntime;

const A4: (f32, f32) = (595.28, 841.89);
const MARGIN_X: f32 = 42.0;
const MARGIN_TOP: f32 = 36.0;
const MARGIN_BOTTOM: f32 = 42.0;
const QR_SIZE: f32 = 64.0;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("no Chinese font is installed")]
    NoFont,
    #[error("writing the PDF: {0}")]
    Write(String),
}

/// The width of `text` at `size` points: CJK and full-width characters are one em, the rest
/// a little over half (the CJK fonts' Latin glyphs are proportional; this errs wide).
pub fn text_width(text: &str, size: f32) -> f32 {
    text.chars()
        .map(|c| match c {
            ' ' => 0.3,
            c if c.is_ascii() => 0.58,
            _ => 1.0,
        })
        .sum::<f32>()
        * size
}

/// `text` broken into lines no wider than `width` (at any character: Chinese has no spaces;
/// Latin words are kept whole when they fit).
pub fn wrap(text: &str, width: f32, size: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut word = String::new();
        let push = |line: &mut String, piece: &str, lines: &mut Vec<String>| {
            if !line.is_empty() && text_width(line, size) + text_width(piece, size) > width {
                lines.push(std::mem::take(line));
            }
            for c in piece.chars() {
                if !line.is_empty() && text_width(line, size) + text_width(&c.to_string(), size) > width {
                    lines.push(std::mem::take(line));
                }
                line.push(c);
            }
        };
        for c in paragraph.chars() {
            if c.is_ascii_alphanumeric() {
                word.push(c);
            } else {
                push(&mut line, &word, &mut lines);
                word.clear();
                push(&mut line, &c.to_string(), &mut lines);
            }
        }
        push(&mut line, &word, &mut lines);
        lines.push(line);
    }
    lines
}

/// Where each row goes: (page, top y).
fn paginate(sheet: &Sheet, page_h: f32, first_top: f32) -> Vec<(usize, f32)> {
    let header_h: f32 = sheet.rows.iter().take(sheet.header_rows).map(|r| r.height).sum();
    let bottom = page_h - MARGIN_BOTTOM;
    let mut out = Vec::with_capacity(sheet.rows.len());
    let (mut page, mut y) = (0, first_top);
    let mut i = 0;
    while i < sheet.rows.len() {
        // A cell spanning rows downwards keeps its rows together.
        let block = sheet.rows[i].cells.iter().map(|c| c.rows).max().unwrap_or(1).max(1);
        let end = (i + block).min(sheet.rows.len());
        let block_h: f32 = sheet.rows[i..end].iter().map(|r| r.height).sum();
        if y + block_h > bottom && i >= sheet.header_rows && y > MARGIN_TOP + header_h + 1.0 {
            page += 1;
            y = MARGIN_TOP + header_h;
        }
        for row in &sheet.rows[i..end] {
            out.push((page, y));
            y += row.height;
        }
        i = end;
    }
    out
}

pub(super) struct Pen<'a, 'b> {
    pub(super) surface: &'a mut Surface<'b>,
    pub(super) font: Font,
}

impl Pen<'_, '_> {
    pub(super) fn color(&mut self, gray: u8) {
        self.surface.set_fill(Some(Fill {
            paint: luma::Color::new(gray).into(),
            opacity: NormalizedF32::ONE,
            rule: FillRule::default(),
        }));
    }

    pub(super) fn text(&mut self, x: f32, baseline: f32, size: f32, text: &str) {
        self.text_in((0, 0, 0), x, baseline, size, text);
    }

    /// Text in an RGB colour.
    pub(super) fn text_in(&mut self, rgb: (u8, u8, u8), x: f32, baseline: f32, size: f32, text: &str) {
        if !text.is_empty() {
            self.surface.set_fill(Some(Fill {
                paint: krilla::color::rgb::Color::new(rgb.0, rgb.1, rgb.2).into(),
                opacity: NormalizedF32::ONE,
                rule: FillRule::default(),
            }));
            self.surface.draw_text(
                Point::from_xy(x, baseline),
                self.font.clone(),
                size,
                text,
                false,
                TextDirection::Auto,
            );
        }
    }

    pub(super) fn centered(&mut self, center_x: f32, baseline: f32, size: f32, text: &str) {
        self.text(center_x - text_width(text, size) / 2.0, baseline, size, text);
    }

    /// A rectangle outline in an RGB colour.
    pub(super) fn frame(&mut self, rect: Rect, width: f32, rgb: (u8, u8, u8)) {
        let mut pb = PathBuilder::new();
        pb.push_rect(rect);
        if let Some(path) = pb.finish() {
            self.stroke(&path, width, rgb);
        }
    }

    /// A path's outline (not filled) in an RGB colour.
    pub(super) fn stroke(&mut self, path: &krilla::geom::Path, width: f32, rgb: (u8, u8, u8)) {
        self.surface.set_fill(None);
        self.surface.set_stroke(Some(Stroke {
            width,
            paint: krilla::color::rgb::Color::new(rgb.0, rgb.1, rgb.2).into(),
            ..Stroke::default()
        }));
        self.surface.draw_path(path);
        self.surface.set_stroke(None);
    }

    pub(super) fn rect(&mut self, rect: Rect, shade: Option<u8>) {
        let mut pb = PathBuilder::new();
        pb.push_rect(rect);
        let Some(path) = pb.finish() else { return };
        if let Some(gray) = shade {
            self.color(gray);
            self.surface.set_stroke(None);
            self.surface.draw_path(&path);
        }
        self.surface.set_fill(None);
        self.surface.set_stroke(Some(Stroke { width: 0.6, ..Stroke::default() }));
        self.surface.draw_path(&path);
        self.surface.set_stroke(None);
    }

    /// Lines of text in a box, shrinking the size until they fit (then cutting with …).
    fn fill_box(&mut self, r: Rect, text: &str, style: Style, reserve_bottom: f32) {
        let pad = 5.0;
        let (mut size, min) = match style {
            Style::Note | Style::Sign => (9.5, 6.5),
            _ => (10.5, 6.5),
        };
        let width = r.width() - 2.0 * pad;
        let height = r.height() - 2.0 * pad - reserve_bottom;
        // A field name stays on one line when a slightly smaller size lets it.
        if matches!(style, Style::Label | Style::Head) && !text.contains('\n') {
            let one_line =
                [size, size - 0.5, size - 1.0, size - 1.5].into_iter().find(|s| text_width(text, *s) <= width);
            size = one_line.unwrap_or(size);
        }
        let mut lines = wrap(text, width, size);
        while size > min && lines.len() as f32 * size * 1.35 > height {
            size -= 0.5;
            lines = wrap(text, width, size);
        }
        let line_h = size * 1.35;
        let fit = ((height / line_h).floor() as usize).max(1);
        if lines.len() > fit {
            lines.truncate(fit);
            if let Some(last) = lines.last_mut() {
                last.pop();
                last.push('…');
            }
        }
        let block = lines.len() as f32 * line_h;
        let top = match style {
            Style::Note | Style::Sign => r.top() + pad,
            _ => r.top() + (r.height() - block) / 2.0,
        };
        for (i, line) in lines.iter().enumerate() {
            let baseline = top + (i as f32 + 1.0) * line_h - (line_h - size) / 2.0 - size * 0.12;
            match style {
                Style::Label | Style::Head => self.centered(r.left() + r.width() / 2.0, baseline, size, line),
                _ => self.text(r.left() + pad, baseline, size, line),
            }
        }
    }

    pub(super) fn qr(&mut self, x: f32, y: f32, size: f32, data: &str) {
        let Ok(code) = qrcode::QrCode::new(data.as_bytes()) else { return };
        let n = code.width();
        let module = size / n as f32;
        let mut pb = PathBuilder::new();
        for (i, color) in code.to_colors().iter().enumerate() {
            if *color == qrcode::Color::Dark {
                let (cx, cy) = ((i % n) as f32, (i / n) as f32);
                if let Some(r) = Rect::from_xywh(x + cx * module, y + cy * module, module, module) {
                    pb.push_rect(r);
                }
            }
        }
        if let Some(path) = pb.finish() {
            self.color(0);
            self.surface.set_stroke(None);
            self.surface.draw_path(&path);
        }
    }
}

/// Render `sheet` with `font` (off the async runtime).
pub fn render(sheet: &Sheet, font: &Font, _: &OffRuntime) -> Result<Vec<u8>, PdfError> {
    let (w, h) = if sheet.landscape { (A4.1, A4.0) } else { A4 };
    let content_w = w - 2.0 * MARGIN_X;
    let total: f32 = sheet.columns.iter().sum();
    let col_x: Vec<f32> = std::iter::once(0.0)
        .chain(sheet.columns.iter().scan(0.0, |acc, c| {
            *acc += c / total * content_w;
            Some(*acc)
        }))
        .map(|x| MARGIN_X + x)
        .collect();
    // The heading block: association, title, subtitle, and the line above the table.
    let mut top = MARGIN_TOP + 14.0;
    let heading_y = top;
    top += 26.0;
    let title_y = top;
    let subtitle_y = top + 18.0;
    top += if sheet.subtitle.is_empty() { 10.0 } else { 30.0 };
    if sheet.qr.is_some() {
        top = top.max(MARGIN_TOP + QR_SIZE + 14.0);
    }
    let top_left_y = top + 4.0;
    top += if sheet.top_left.is_empty() { 4.0 } else { 12.0 };
    let places = paginate(sheet, h, top);
    let pages = places.last().map(|p| p.0 + 1).unwrap_or(1);

    let mut document = Document::new();
    document
        .set_metadata(Metadata::new().title(sheet.title.clone()).language("zh-CN".into()).creator("huiyuan".into()));
    for page_no in 0..pages {
        let settings = PageSettings::from_wh(w, h).ok_or_else(|| PdfError::Write("page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        let mut pen = Pen { surface: &mut surface, font: font.clone() };
        if page_no == 0 {
            pen.centered(w / 2.0, heading_y, 13.0, &sheet.heading);
            pen.centered(w / 2.0, title_y, 19.0, &sheet.title);
            pen.centered(w / 2.0, subtitle_y, 10.5, &sheet.subtitle);
            pen.text(MARGIN_X, top_left_y, 10.5, &sheet.top_left);
            if let Some((data, caption)) = &sheet.qr {
                let x = w - MARGIN_X - QR_SIZE;
                pen.qr(x, MARGIN_TOP - 6.0, QR_SIZE, data);
                pen.centered(x + QR_SIZE / 2.0, MARGIN_TOP + QR_SIZE + 2.0, 7.5, caption);
            }
        } else {
            // Later pages repeat the table heading rows.
            let mut y = MARGIN_TOP;
            for row in sheet.rows.iter().take(sheet.header_rows) {
                for cell in &row.cells {
                    draw_cell(&mut pen, &col_x, y, row.height, cell);
                }
                y += row.height;
            }
        }
        for (i, row) in sheet.rows.iter().enumerate() {
            let (p, y) = places[i];
            if p != page_no {
                continue;
            }
            for cell in &row.cells {
                let height: f32 = sheet.rows[i..(i + cell.rows).min(sheet.rows.len())].iter().map(|r| r.height).sum();
                draw_cell(&mut pen, &col_x, y, height, cell);
            }
        }
        if page_no + 1 == pages && !sheet.footnote.is_empty() {
            let end =
                places.last().map(|(_, y)| *y).unwrap_or(top) + sheet.rows.last().map(|r| r.height).unwrap_or(0.0);
            for (i, line) in wrap(&sheet.footnote, content_w, 8.5).iter().enumerate() {
                pen.text(MARGIN_X, end + 14.0 + i as f32 * 12.0, 8.5, line);
            }
        }
        if pages > 1 {
            pen.centered(w / 2.0, h - MARGIN_BOTTOM / 2.0, 8.5, &format!("第 {} 页 / 共 {pages} 页", page_no + 1));
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| PdfError::Write(format!("{e:?}")))
}

fn draw_cell(pen: &mut Pen<'_, '_>, col_x: &[f32], y: f32, height: f32, cell: &Cell) {
    let last = (cell.col + cell.span).min(col_x.len() - 1);
    let (x0, x1) = (col_x[cell.col.min(last)], col_x[last]);
    let Some(r) = Rect::from_xywh(x0, y, x1 - x0, height) else { return };
    let shade = matches!(cell.style, Style::Label | Style::Head).then_some(242);
    pen.rect(r, shade);
    let reserve = if cell.foot.is_empty() { 0.0 } else { 18.0 };
    pen.fill_box(r, &cell.text, cell.style, reserve);
    if !cell.foot.is_empty() {
        let size = 10.5;
        pen.text(r.right() - 8.0 - text_width(&cell.foot, size), r.bottom() - 9.0, size, &cell.foot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_wraps_at_any_character_and_latin_words_stay_whole() {
        let lines = wrap("指导学生获全国青少年科技创新大赛二等奖", 50.0, 10.0);
        assert_eq!(lines, ["指导学生获", "全国青少年", "科技创新大", "赛二等奖"]);
        let lines = wrap("编号 SXK1010001M 已发", 80.0, 10.0);
        assert!(lines.iter().any(|l| l.contains("SXK1010001M")), "{lines:?}");
        assert_eq!(wrap("一\n二", 100.0, 10.0), ["一", "二"]);
    }
}
