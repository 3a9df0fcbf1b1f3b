//! The roster template (花名册模板): a workbook whose heading row holds every column the
//! import reads, the required ones marked, with a sheet saying what each column may also be
//! called and what it takes; and the same list for the import page. Both come from the
//! import's own field list, so the template always reads back as it was meant.

use rust_xlsxwriter::{Format, FormatBorder, Workbook};

use super::roster::{FIELDS, Field};
use crate::config::Settings;
use crate::cpu::OffRuntime;
use crate::i18n::Lang;

/// One column of a roster as the import reads it.
pub struct Column {
    pub field: Field,
    /// The heading the template writes (the first name the import knows it by).
    pub heading: &'static str,
    pub required: bool,
    /// The other headings the import takes for it, separated for reading.
    pub also: String,
}

/// The columns in the template's order; the ID number is required when the settings say
/// a row without one may not be imported.
pub fn columns(settings: &Settings, lang: Lang) -> Vec<Column> {
    FIELDS
        .iter()
        .map(|&field| {
            let names = field.synonyms();
            Column {
                field,
                heading: names[0],
                required: field == Field::Name || (field == Field::IdNumber && settings.import.require_id_number),
                also: names[1..].join(lang.t("import.template_also_sep")),
            }
        })
        .collect()
}

/// The template workbook (in Chinese, the roster's own language).
pub fn workbook(columns: &[Column], _: &OffRuntime) -> anyhow::Result<Vec<u8>> {
    let zh = Lang::Zh;
    let mut book = Workbook::new();
    let head = Format::new().set_bold().set_background_color("#E8EEF6").set_border(FormatBorder::Thin);
    let text = Format::new().set_num_format("@");
    let roster = book.add_worksheet().set_name(zh.t("import.template_sheet"))?;
    for (c, col) in columns.iter().enumerate() {
        let c = u16::try_from(c)?;
        let heading = if col.required { format!("{}*", col.heading) } else { col.heading.to_string() };
        roster.write_string_with_format(0, c, &heading, &head)?;
        // ID numbers, mobiles and numbers as text, so a spreadsheet keeps every digit.
        roster.set_column_format(c, &text)?;
        roster.set_column_width(c, if matches!(col.field, Field::IdNumber | Field::Employer) { 24 } else { 14 })?;
    }
    roster.set_freeze_panes(1, 0)?;
    let notes = book.add_worksheet().set_name(zh.t("import.template_notes_sheet"))?;
    for (c, key) in ["import.template_column", "import.template_required", "import.template_also"].iter().enumerate() {
        notes.write_string_with_format(0, u16::try_from(c)?, zh.t(key), &head)?;
    }
    for (r, col) in columns.iter().enumerate() {
        let r = u32::try_from(r + 1)?;
        notes.write_string(r, 0, col.heading)?;
        notes.write_string(r, 1, zh.t(if col.required { "import.template_yes" } else { "import.template_no" }))?;
        notes.write_string(r, 2, &col.also)?;
    }
    let last = u32::try_from(columns.len() + 2)?;
    notes.write_string(last, 0, zh.t("import.template_note"))?;
    notes.set_column_width(0, 14)?;
    notes.set_column_width(1, 10)?;
    notes.set_column_width(2, 70)?;
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::members::import::roster::{auto_mapping, find_heading};

    #[test]
    fn the_template_s_headings_are_read_back_as_every_field() {
        let settings = Settings::defaults();
        let cols = columns(&settings, Lang::Zh);
        let heading: Vec<String> =
            cols.iter().map(|c| if c.required { format!("{}*", c.heading) } else { c.heading.to_string() }).collect();
        assert_eq!(find_heading(std::slice::from_ref(&heading)).ok(), Some(0));
        let mapping = auto_mapping(&heading, &Default::default());
        assert_eq!(mapping.len(), FIELDS.len(), "every column is recognised: {mapping:?}");
        assert!(cols.iter().find(|c| c.field == Field::Name).is_some_and(|c| c.required));
    }
}
