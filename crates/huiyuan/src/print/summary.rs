//! A year's summary as a PDF for the province's annual work report: A4 landscape, a table of
//! the cities' figures with the province's totals, then charts drawn as vector shapes — new
//! group and individual members per city against the target range, and new members by month
//! against last year — in the same colours as the pages' charts.

use krilla::Document;
use krilla::geom::{PathBuilder, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::text::Font;

use super::pdf::{PdfError, Pen, text_width};
use crate::cpu::OffRuntime;

const PAGE: (f32, f32) = (841.89, 595.28);
const MARGIN: f32 = 40.0;

pub type Rgb = (u8, u8, u8);

/// A table: relative column widths, the heading row, the rows (the last one may be a total).
pub struct Table {
    pub columns: Vec<f32>,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// The last row is a total (drawn shaded and bold-ish).
    pub total_last: bool,
}

/// One bar of a progress chart: label, count, target min and max, colour of its standing.
pub struct Bar {
    pub label: String,
    pub count: i64,
    pub min: i64,
    pub max: i64,
    pub colour: Rgb,
}

pub struct BarChart {
    pub title: String,
    /// The band's and the bar's names.
    pub legend: [String; 2],
    pub bars: Vec<Bar>,
}

pub struct MonthChart {
    pub title: String,
    /// Twelve month names, then the legend: individuals, groups, last year.
    pub labels: [String; 15],
    pub individuals: [i64; 12],
    pub groups: [i64; 12],
    pub last: [i64; 12],
}

pub struct Summary {
    pub heading: String,
    pub title: String,
    pub subtitle: String,
    pub table: Table,
    pub notes: String,
    pub charts: [BarChart; 2],
    pub months: MonthChart,
}

const BAND: Rgb = (217, 236, 221);
const INDIVIDUALS: Rgb = (127, 167, 217);
const GROUPS: Rgb = (29, 79, 145);
const GRID: Rgb = (214, 220, 228);
const MUTED: Rgb = (95, 107, 122);

impl Pen<'_, '_> {
    fn fill_rgb(&mut self, rect: Rect, rgb: Rgb) {
        let mut pb = PathBuilder::new();
        pb.push_rect(rect);
        let Some(path) = pb.finish() else { return };
        self.surface.set_stroke(None);
        self.surface.set_fill(Some(Fill {
            paint: krilla::color::rgb::Color::new(rgb.0, rgb.1, rgb.2).into(),
            opacity: NormalizedF32::ONE,
            rule: FillRule::default(),
        }));
        self.surface.draw_path(&path);
    }

    fn line(&mut self, points: &[(f32, f32)], width: f32, rgb: Rgb) {
        let mut pb = PathBuilder::new();
        for (i, (x, y)) in points.iter().enumerate() {
            if i == 0 {
                pb.move_to(*x, *y);
            } else {
                pb.line_to(*x, *y);
            }
        }
        if let Some(path) = pb.finish() {
            self.stroke(&path, width, rgb);
        }
    }
}

fn rect(x: f32, y: f32, w: f32, h: f32) -> Option<Rect> {
    Rect::from_xywh(x, y, w.max(0.01), h.max(0.01))
}

/// The table from `top`; returns where it ends.
fn table(pen: &mut Pen, t: &Table, top: f32) -> f32 {
    let width = PAGE.0 - 2.0 * MARGIN;
    let total: f32 = t.columns.iter().sum();
    let xs: Vec<f32> = std::iter::once(MARGIN)
        .chain(t.columns.iter().scan(MARGIN, |acc, c| {
            *acc += c / total * width;
            Some(*acc)
        }))
        .collect();
    let (head_h, row_h, size) = (30.0, 19.0, 8.5);
    let mut y = top;
    let draw_row = |pen: &mut Pen, cells: &[String], y: f32, h: f32, shade: Option<u8>| {
        for (i, text) in cells.iter().enumerate() {
            let Some(r) = rect(xs[i], y, xs[i + 1] - xs[i], h) else { continue };
            pen.rect(r, shade);
            let lines = super::pdf::wrap(text, r.width() - 4.0, size);
            let block = lines.len() as f32 * size * 1.25;
            for (n, line) in lines.iter().enumerate() {
                let baseline = y + (h - block) / 2.0 + (n as f32 + 1.0) * size * 1.25 - size * 0.3;
                if i == 0 {
                    pen.text(r.left() + 3.0, baseline, size, line);
                } else {
                    pen.centered(r.left() + r.width() / 2.0, baseline, size, line);
                }
            }
        }
    };
    draw_row(pen, &t.head, y, head_h, Some(242));
    y += head_h;
    for (i, row) in t.rows.iter().enumerate() {
        let total_row = t.total_last && i + 1 == t.rows.len();
        draw_row(pen, row, y, row_h, total_row.then_some(247));
        y += row_h;
    }
    y
}

fn legend(pen: &mut Pen, x: f32, y: f32, items: &[(Rgb, &str, bool)]) {
    let mut x = x;
    for (rgb, text, is_line) in items {
        if *is_line {
            pen.line(&[(x, y - 3.0), (x + 14.0, y - 3.0)], 1.5, *rgb);
        } else if let Some(r) = rect(x, y - 7.0, 14.0, 8.0) {
            pen.fill_rgb(r, *rgb);
        }
        pen.text_in(MUTED, x + 18.0, y, 8.0, text);
        x += 18.0 + text_width(text, 8.0) + 14.0;
    }
}

/// A progress chart in the box at (x, y) of width w.
fn bar_chart(pen: &mut Pen, c: &BarChart, x: f32, y: f32, w: f32) {
    pen.text(x, y + 10.0, 11.0, &c.title);
    legend(pen, x, y + 26.0, &[(BAND, &c.legend[0], false), ((26, 127, 55), &c.legend[1], false)]);
    let top = c.bars.iter().map(|b| b.count.max(b.max)).max().unwrap_or(0);
    let (top, step) = crate::targets::chart::axis(top);
    let label_w = 52.0;
    let plot_x = x + label_w;
    let plot_w = w - label_w - 20.0;
    let at = |v: i64| plot_x + plot_w * v as f32 / top as f32;
    let row_h = 17.0;
    let base = y + 36.0;
    let bottom = base + row_h * c.bars.len() as f32;
    let mut v = 0;
    while v <= top {
        pen.line(&[(at(v), base), (at(v), bottom)], 0.5, GRID);
        pen.centered(at(v), bottom + 10.0, 7.5, &v.to_string());
        v += step;
    }
    for (i, b) in c.bars.iter().enumerate() {
        let ry = base + row_h * i as f32;
        pen.text(x, ry + 12.0, 8.5, &b.label);
        if let Some(r) = rect(at(b.min), ry + 2.0, (at(b.max) - at(b.min)).max(1.5), row_h - 4.0) {
            pen.fill_rgb(r, BAND);
        }
        if let Some(r) = rect(plot_x, ry + 5.0, at(b.count) - plot_x, row_h - 10.0) {
            pen.fill_rgb(r, b.colour);
        }
        pen.text(at(b.count) + 3.0, ry + 12.0, 8.0, &b.count.to_string());
    }
}

fn month_chart(pen: &mut Pen, c: &MonthChart, x: f32, y: f32, w: f32) {
    pen.text(x, y + 10.0, 11.0, &c.title);
    legend(
        pen,
        x,
        y + 26.0,
        &[(INDIVIDUALS, &c.labels[12], false), (GROUPS, &c.labels[13], false), (MUTED, &c.labels[14], true)],
    );
    let peak = (0..12).map(|m| (c.individuals[m] + c.groups[m]).max(c.last[m])).max().unwrap_or(0);
    let (top, step) = crate::targets::chart::axis(peak);
    let (left, base, plot_h) = (x + 28.0, y + 40.0, 150.0);
    let plot_w = w - 36.0;
    let bottom = base + plot_h;
    let at = |v: i64| bottom - plot_h * v as f32 / top as f32;
    let slot = plot_w / 12.0;
    let mut v = 0;
    while v <= top {
        pen.line(&[(left, at(v)), (left + plot_w, at(v))], 0.5, GRID);
        pen.text_in(MUTED, left - 6.0 - text_width(&v.to_string(), 7.5), at(v) + 3.0, 7.5, &v.to_string());
        v += step;
    }
    let bar_w = slot * 0.56;
    for m in 0..12 {
        let x0 = left + slot * m as f32 + (slot - bar_w) / 2.0;
        let (yi, yg) = (at(c.individuals[m]), at(c.individuals[m] + c.groups[m]));
        if let Some(r) = rect(x0, yi, bar_w, bottom - yi) {
            pen.fill_rgb(r, INDIVIDUALS);
        }
        if let Some(r) = rect(x0, yg, bar_w, yi - yg) {
            pen.fill_rgb(r, GROUPS);
        }
        let n = c.individuals[m] + c.groups[m];
        if n > 0 {
            pen.centered(x0 + bar_w / 2.0, yg - 3.0, 7.5, &n.to_string());
        }
        pen.centered(x0 + bar_w / 2.0, bottom + 11.0, 7.5, &c.labels[m]);
    }
    let points: Vec<(f32, f32)> = (0..12).map(|m| (left + slot * (m as f32 + 0.5), at(c.last[m]))).collect();
    pen.line(&points, 1.2, MUTED);
}

/// Render the summary with `font` (off the async runtime).
pub fn render(s: &Summary, font: &Font, _: &OffRuntime) -> Result<Vec<u8>, PdfError> {
    let (w, h) = PAGE;
    let mut document = Document::new();
    document.set_metadata(Metadata::new().title(s.title.clone()).language("zh-CN".into()).creator("huiyuan".into()));
    // Page 1: the table.
    {
        let settings = PageSettings::from_wh(w, h).ok_or_else(|| PdfError::Write("page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        let mut pen = Pen { surface: &mut surface, font: font.clone() };
        pen.centered(w / 2.0, MARGIN + 4.0, 12.0, &s.heading);
        pen.centered(w / 2.0, MARGIN + 28.0, 17.0, &s.title);
        pen.centered(w / 2.0, MARGIN + 46.0, 9.0, &s.subtitle);
        let end = table(&mut pen, &s.table, MARGIN + 58.0);
        for (i, line) in super::pdf::wrap(&s.notes, w - 2.0 * MARGIN, 8.0).iter().enumerate() {
            pen.text_in(MUTED, MARGIN, end + 14.0 + i as f32 * 11.0, 8.0, line);
        }
        pen.centered(w / 2.0, h - MARGIN / 2.0, 8.5, "第 1 页 / 共 2 页");
        surface.finish();
        page.finish();
    }
    // Page 2: the charts.
    {
        let settings = PageSettings::from_wh(w, h).ok_or_else(|| PdfError::Write("page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        let mut pen = Pen { surface: &mut surface, font: font.clone() };
        let half = (w - 2.0 * MARGIN - 30.0) / 2.0;
        bar_chart(&mut pen, &s.charts[0], MARGIN, MARGIN - 10.0, half);
        bar_chart(&mut pen, &s.charts[1], MARGIN + half + 30.0, MARGIN - 10.0, half);
        let chart_h = 36.0 + 17.0 * s.charts[0].bars.len().max(s.charts[1].bars.len()) as f32 + 20.0;
        month_chart(&mut pen, &s.months, MARGIN, MARGIN + chart_h + 6.0, w - 2.0 * MARGIN);
        pen.centered(w / 2.0, h - MARGIN / 2.0, 8.5, "第 2 页 / 共 2 页");
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| PdfError::Write(format!("{e:?}")))
}
