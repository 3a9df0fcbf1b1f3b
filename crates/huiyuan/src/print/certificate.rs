//! Member certificates (会员证) as PDF: a card-sized certificate for every member (A5
//! landscape, to print and fold into a cover or laminate) and, for group members, a
//! plaque-style certificate (铜牌证书, A4 landscape) to frame or engrave. Both carry a QR
//! code that opens the public verification page.

use krilla::Document;
use krilla::geom::Rect;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::text::Font;

use super::pdf::{PdfError, Pen, text_width};
use crate::cpu::OffRuntime;

const RED: (u8, u8, u8) = (166, 28, 36);
const GOLD: (u8, u8, u8) = (176, 138, 62);
const INK: (u8, u8, u8) = (30, 30, 30);
const GRAY: (u8, u8, u8) = (110, 110, 110);

/// What a certificate says.
pub struct CertificateText {
    pub association: String,
    /// 会员证 / 团体会员单位
    pub title: String,
    /// (label, value) lines: 姓名, 会员类别, 会员编号, 发证日期, 有效期至…
    pub lines: Vec<(String, String)>,
    /// Shown large on the plaque: the institution's name.
    pub name: String,
    pub serial: String,
    /// The verification link in the QR code.
    pub verify_url: String,
    /// Under the QR code: 扫码验证真伪.
    pub qr_caption: String,
    /// Bottom right: the issuing association and 盖章 line.
    pub issuer: String,
    pub issued_on: String,
}

/// Which layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Card,
    Plaque,
}

pub fn render(c: &CertificateText, layout: Layout, font: &Font, _: &OffRuntime) -> Result<Vec<u8>, PdfError> {
    let (w, h) = match layout {
        Layout::Card => (595.28, 419.53),
        Layout::Plaque => (841.89, 595.28),
    };
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new().title(format!("{} {}", c.title, c.serial)).language("zh-CN".into()).creator("huiyuan".into()),
    );
    let settings = PageSettings::from_wh(w, h).ok_or_else(|| PdfError::Write("page size".into()))?;
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    let mut pen = Pen { surface: &mut surface, font: font.clone() };
    // Double border.
    for (inset, width, color) in [(16.0, 3.0, RED), (24.0, 0.8, GOLD)] {
        if let Some(r) = Rect::from_xywh(inset, inset, w - 2.0 * inset, h - 2.0 * inset) {
            pen.frame(r, width, color);
        }
    }
    match layout {
        Layout::Card => card(&mut pen, c, w, h),
        Layout::Plaque => plaque(&mut pen, c, w, h),
    }
    surface.finish();
    page.finish();
    document.finish().map_err(|e| PdfError::Write(format!("{e:?}")))
}

fn centered_in(pen: &mut Pen<'_, '_>, rgb: (u8, u8, u8), cx: f32, baseline: f32, size: f32, text: &str) {
    pen.text_in(rgb, cx - text_width(text, size) / 2.0, baseline, size, text);
}

/// The largest size up to `max` at which `text` fits `width`.
fn fit(text: &str, width: f32, max: f32) -> f32 {
    let mut size = max;
    while size > 8.0 && text_width(text, size) > width {
        size -= 0.5;
    }
    size
}

fn card(pen: &mut Pen<'_, '_>, c: &CertificateText, w: f32, h: f32) {
    let cx = w / 2.0;
    centered_in(pen, RED, cx, 70.0, fit(&c.association, w - 120.0, 17.0), &c.association);
    centered_in(pen, RED, cx, 118.0, 34.0, &spaced(&c.title));
    // The fields sit right of the QR code's column, so neither covers the other.
    let label_x = 160.0;
    let value_x = 240.0;
    let mut y = 165.0;
    for (label, value) in &c.lines {
        pen.text_in(GRAY, label_x, y, 12.0, label);
        let size = fit(value, w - value_x - 60.0, 14.0);
        pen.text_in(INK, value_x, y, size, value);
        y += 28.0;
    }
    let qr = 78.0;
    let (qx, qy) = (48.0, h - 48.0 - qr - 12.0);
    pen.qr(qx, qy, qr, &c.verify_url);
    centered_in(pen, GRAY, qx + qr / 2.0, qy + qr + 11.0, 7.5, &c.qr_caption);
    let right = w - 56.0;
    pen.text_in(INK, right - text_width(&c.issuer, 12.0), h - 78.0, 12.0, &c.issuer);
    pen.text_in(INK, right - text_width(&c.issued_on, 11.0), h - 58.0, 11.0, &c.issued_on);
    let serial = format!("No. {}", c.serial);
    pen.text_in(GRAY, right - text_width(&serial, 8.0), 46.0, 8.0, &serial);
}

fn plaque(pen: &mut Pen<'_, '_>, c: &CertificateText, w: f32, h: f32) {
    let cx = w / 2.0;
    centered_in(pen, RED, cx, 120.0, fit(&c.association, w - 160.0, 30.0), &c.association);
    centered_in(pen, RED, cx, 230.0, fit(&c.title, w - 160.0, 64.0), &spaced(&c.title));
    centered_in(pen, INK, cx, 320.0, fit(&c.name, w - 160.0, 30.0), &c.name);
    let details: Vec<String> = c.lines.iter().skip(1).map(|(l, v)| format!("{l} {v}")).collect();
    centered_in(pen, GRAY, cx, 372.0, 13.0, &details.join("    "));
    let qr = 84.0;
    let (qx, qy) = (64.0, h - 64.0 - qr - 12.0);
    pen.qr(qx, qy, qr, &c.verify_url);
    centered_in(pen, GRAY, qx + qr / 2.0, qy + qr + 11.0, 8.0, &c.qr_caption);
    let right = w - 72.0;
    pen.text_in(INK, right - text_width(&c.issuer, 15.0), h - 96.0, 15.0, &c.issuer);
    pen.text_in(INK, right - text_width(&c.issued_on, 13.0), h - 72.0, 13.0, &c.issued_on);
}

/// Short titles are letter-spaced, as printed certificates are (会 员 证).
fn spaced(title: &str) -> String {
    if title.chars().count() <= 4 {
        title.chars().map(String::from).collect::<Vec<_>>().join(" ")
    } else {
        title.to_string()
    }
}
