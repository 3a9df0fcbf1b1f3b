//! Printed documents: the registration forms (filled and blank) and the batch summary sheet,
//! as PDF with Chinese text and as .xlsx.
//!
//! A document is described once as a [`Sheet`] — a grid of bordered cells, like the paper
//! form — and rendered by [`pdf`] (krilla, with a CJK system font embedded as a subset) and by
//! [`xlsx`] (rust_xlsxwriter, merged cells). The font is found once from the settings' list
//! and kept; without one, PDFs are refused with a clear message and everything else works.

pub mod certificate;
pub mod pdf;
pub mod sheet;
pub mod shelf;
pub mod summary;
pub mod xlsx;

use std::sync::{Arc, OnceLock};

pub use sheet::{Cell, Row, Sheet, Style};
pub use shelf::{Kept, Shelf};

pub const PDF: &str = "application/pdf";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file to send: its bytes, type, whether it opens in the browser, and its name.
pub struct Document {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    /// `inline` (PDF) or `attachment` (.xlsx).
    pub disposition: &'static str,
    pub name: String,
}

impl Document {
    /// A PDF named `{name}.pdf`, opened in the browser.
    pub fn pdf(bytes: Vec<u8>, name: String) -> Document {
        Document { bytes, content_type: PDF, disposition: "inline", name: format!("{name}.pdf") }
    }

    /// A workbook named `{name}.xlsx`, downloaded.
    pub fn xlsx(bytes: Vec<u8>, name: String) -> Document {
        Document { bytes, content_type: XLSX, disposition: "attachment", name: format!("{name}.xlsx") }
    }
}

/// The loaded font, shared by every PDF.
pub struct Printer {
    fonts: Vec<String>,
    font: OnceLock<Option<(krilla::text::Font, String)>>,
}

impl Printer {
    /// `fonts`: "path" or "path#index" (a face of a collection), tried in order.
    pub fn new(fonts: Vec<String>) -> Arc<Printer> {
        Arc::new(Printer { fonts, font: OnceLock::new() })
    }

    /// The first font of the list that exists and parses, and which one it was.
    pub fn font(&self) -> Option<&(krilla::text::Font, String)> {
        self.font
            .get_or_init(|| {
                for entry in &self.fonts {
                    let (path, index) = match entry.rsplit_once('#') {
                        Some((p, i)) => (p, i.parse().unwrap_or(0)),
                        None => (entry.as_str(), 0),
                    };
                    let Ok(bytes) = std::fs::read(path) else { continue };
                    if let Some(font) = krilla::text::Font::new(bytes.into(), index) {
                        tracing::info!(font = %entry, "PDF font loaded");
                        return Some((font, entry.clone()));
                    }
                    tracing::warn!(font = %entry, "not a usable font");
                }
                tracing::warn!(tried = ?self.fonts, "no Chinese font for PDFs: install fonts-noto-cjk or fonts-wqy-microhei");
                None
            })
            .as_ref()
    }
}
