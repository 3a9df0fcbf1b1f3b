//! Reading a spreadsheet or CSV file into rows of text: .xlsx and .xls (the first sheet),
//! CSV in UTF-8 (with or without a byte order mark) or GBK; dates as YYYY-MM-DD.

use time::{Date, Duration, Month};

use crate::cpu::OffRuntime;
use crate::i18n::Msg;

/// Why a file cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    NotSpreadsheet,
    Unreadable,
    Empty,
    NoHeading,
}

impl FileProblem {
    pub fn msg(&self) -> Msg {
        Msg::new(match self {
            FileProblem::NotSpreadsheet => "import.err_not_spreadsheet",
            FileProblem::Unreadable => "import.err_unreadable",
            FileProblem::Empty => "import.err_empty",
            FileProblem::NoHeading => "import.err_no_heading",
        })
    }
}

/// The cells of the first sheet (or the CSV) as text, row by row (off the async runtime).
pub fn read(bytes: &[u8], _: &OffRuntime) -> Result<Vec<Vec<String>>, FileProblem> {
    let rows = if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        read_workbook(bytes)?
    } else if looks_like_text(bytes) {
        parse_csv(&decode_text(bytes))
    } else {
        return Err(FileProblem::NotSpreadsheet);
    };
    if rows.iter().all(|r| r.iter().all(|c| c.trim().is_empty())) {
        return Err(FileProblem::Empty);
    }
    Ok(rows)
}

fn read_workbook(bytes: &[u8]) -> Result<Vec<Vec<String>>, FileProblem> {
    use calamine::Reader;
    let mut book =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|_| FileProblem::Unreadable)?;
    let range = book.worksheet_range_at(0).ok_or(FileProblem::Empty)?.map_err(|_| FileProblem::Unreadable)?;
    Ok(range.rows().map(|row| row.iter().map(cell_text).collect()).collect())
}

/// A cell as the text a person would read in it. Dates become YYYY-MM-DD; whole numbers lose
/// their ".0"; numbers too large for their digits to have survived keep Excel's E notation,
/// so the ID check can say what happened.
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) if f.abs() >= 1e15 => format!("{f:E}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => serial_date(dt.as_f64()).map(|d| d.to_string()).unwrap_or_default(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.chars().take(10).collect(),
        Data::Error(_) => String::new(),
    }
}

/// An Excel serial day number (1900 date system) as a date.
pub fn serial_date(serial: f64) -> Option<Date> {
    let base = Date::from_calendar_date(1899, Month::December, 30).ok()?;
    base.checked_add(Duration::days(serial.floor() as i64))
}

fn looks_like_text(bytes: &[u8]) -> bool {
    !bytes.iter().take(8192).any(|b| *b == 0)
}

/// UTF-8 (with or without a byte order mark), else GBK/GB18030 as older Excel and WPS save.
fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

/// RFC 4180 CSV: quoted fields with doubled quotes and line breaks inside, CRLF or LF.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}
