//! A printed sheet as a grid of cells: what the PDF and the spreadsheet both draw.

/// How a cell's text sits in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A field name: centred, shaded.
    Label,
    /// A filled-in value: left, vertically centred, wrapped.
    Value,
    /// Longer text: from the top left, wrapped, smaller.
    Note,
    /// A box to sign or seal: any text at the top left, the signature line at the bottom right.
    Sign,
    /// A table heading: centred, bold-ish (shaded).
    Head,
}

#[derive(Debug, Clone)]
pub struct Cell {
    /// First column (0-based) and how many columns and rows it covers.
    pub col: usize,
    pub span: usize,
    pub rows: usize,
    pub text: String,
    /// For `Sign` cells: the line at the bottom right (e.g. "（盖章）  年  月  日").
    pub foot: String,
    pub style: Style,
}

#[derive(Debug, Clone)]
pub struct Row {
    /// Height in points.
    pub height: f32,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone)]
pub struct Sheet {
    /// The association, above the title.
    pub heading: String,
    pub title: String,
    /// A line under the title (e.g. the batch's city and date), may be empty.
    pub subtitle: String,
    /// Left of the table's top edge ("编号：…"), may be empty.
    pub top_left: String,
    /// Relative column widths.
    pub columns: Vec<f32>,
    pub rows: Vec<Row>,
    /// Rows repeated at the top of each page (table headings).
    pub header_rows: usize,
    /// A line under the table (notes on how to file the form).
    pub footnote: String,
    pub landscape: bool,
    /// Printed as a QR code at the top right, with its caption.
    pub qr: Option<(String, String)>,
}

impl Sheet {
    pub fn new(heading: &str, title: &str, columns: Vec<f32>) -> Sheet {
        Sheet {
            heading: heading.to_string(),
            title: title.to_string(),
            subtitle: String::new(),
            top_left: String::new(),
            columns,
            rows: Vec::new(),
            header_rows: 0,
            footnote: String::new(),
            landscape: false,
            qr: None,
        }
    }

    /// Start a row of `height` points; add its cells with the builder.
    pub fn row(&mut self, height: f32) -> RowBuilder<'_> {
        self.rows.push(Row { height, cells: Vec::new() });
        let col = 0;
        RowBuilder { sheet: self, col }
    }
}

/// Cells of the row being built, left to right (`skip` leaves room for a cell spanning down
/// from an earlier row).
pub struct RowBuilder<'a> {
    sheet: &'a mut Sheet,
    col: usize,
}

impl RowBuilder<'_> {
    fn push(mut self, span: usize, rows: usize, text: &str, foot: &str, style: Style) -> Self {
        let cell = Cell { col: self.col, span, rows, text: text.to_string(), foot: foot.to_string(), style };
        if let Some(row) = self.sheet.rows.last_mut() {
            row.cells.push(cell);
        }
        self.col += span;
        self
    }

    pub fn label(self, text: &str) -> Self {
        self.push(1, 1, text, "", Style::Label)
    }

    pub fn label_span(self, span: usize, text: &str) -> Self {
        self.push(span, 1, text, "", Style::Label)
    }

    pub fn value(self, span: usize, text: &str) -> Self {
        self.push(span, 1, text, "", Style::Value)
    }

    pub fn note(self, span: usize, text: &str) -> Self {
        self.push(span, 1, text, "", Style::Note)
    }

    pub fn sign(self, span: usize, text: &str, foot: &str) -> Self {
        self.push(span, 1, text, foot, Style::Sign)
    }

    pub fn head(self, text: &str) -> Self {
        self.push(1, 1, text, "", Style::Head)
    }

    /// A cell covering `rows` rows downwards from this one (a photo box).
    pub fn tall(self, span: usize, rows: usize, text: &str) -> Self {
        self.push(span, rows, text, "", Style::Label)
    }

    pub fn skip(mut self, span: usize) -> Self {
        self.col += span;
        self
    }
}
