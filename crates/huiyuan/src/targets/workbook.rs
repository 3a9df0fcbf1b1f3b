//! The year's figures as an .xlsx workbook: a summary sheet (one row per city, the province's
//! totals, new members by month, and a chart) and one sheet per city (its figures against its
//! target, the report and its frozen figures, new members by month, the group members short
//! of individual members). Text is in Chinese, the documents' language.

use rust_xlsxwriter::{Chart, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::figures::{CityYear, ShortGroup, Totals, YearFigures, stages, standing};
use super::progress::Months;
use crate::cpu::OffRuntime;
use crate::i18n::Lang;

const ZH: Lang = Lang::Zh;

/// What the workbook needs besides the figures.
pub struct Context<'a> {
    pub association: &'a str,
    /// When it was made, local time (2026-11-29 15:40).
    pub generated: &'a str,
    /// Each city's group members short of individual members, in the figures' order.
    pub short: &'a [Vec<ShortGroup>],
    /// Formats a moment (ms) as local date and time.
    pub datetime: &'a dyn Fn(i64) -> String,
}

struct Formats {
    title: Format,
    note: Format,
    head: Format,
    cell: Format,
    number: Format,
    total: Format,
}

impl Formats {
    fn new() -> Formats {
        let base = Format::new().set_font_name("宋体").set_font_size(11);
        let boxed = base.clone().set_border(FormatBorder::Thin).set_align(FormatAlign::VerticalCenter);
        Formats {
            title: base.clone().set_font_size(16).set_bold(),
            note: base.clone().set_font_size(10).set_font_color(0x5F6B7A),
            head: boxed
                .clone()
                .set_bold()
                .set_background_color(0xF2F2F2)
                .set_text_wrap()
                .set_align(FormatAlign::Center),
            cell: boxed.clone().set_text_wrap(),
            number: boxed.clone().set_align(FormatAlign::Right),
            total: boxed.set_bold().set_background_color(0xF7F9FB),
        }
    }
}

fn standing_text(s: super::Standing) -> &'static str {
    ZH.t(standing(s).0)
}

/// The report's state in words: (status, handed in at, late).
fn report_cells(c: &CityYear, today: time::Date, ctx: &Context) -> (String, String, String) {
    let (key, _) = c.report_state(today);
    let at = c.report.as_ref().map(|r| (ctx.datetime)(r.submitted_at)).unwrap_or_default();
    let late = if c.late() { ZH.t("report.late").to_string() } else { String::new() };
    (ZH.t(key).to_string(), at, late)
}

const SUMMARY_HEADS: [&str; 21] = [
    "member.city",
    "target.groups",
    "workbook.groups_min",
    "workbook.groups_max",
    "report.standing",
    "target.individuals",
    "workbook.individuals_min",
    "workbook.individuals_max",
    "report.standing",
    "workbook.groups",
    "dash.groups_in_range",
    "dash.stage_submitted",
    "dash.stage_returned",
    "dash.stage_recommended",
    "dash.stage_forwarded",
    "dash.stage_on_agenda",
    "dash.report",
    "workbook.submitted_at",
    "report.late",
    "workbook.last_groups",
    "workbook.last_individuals",
];

/// The year's workbook (off the async runtime).
pub fn render(f: &YearFigures, ctx: &Context, _: &OffRuntime) -> Result<Vec<u8>, XlsxError> {
    let fm = Formats::new();
    let mut workbook = Workbook::new();
    let summary_name = ZH.t("workbook.summary");
    let ws = workbook.add_worksheet();
    ws.set_name(summary_name)?;
    summary_sheet(ws, f, ctx, &fm)?;
    let mut taken = vec![summary_name.to_lowercase()];
    for (i, c) in f.cities.iter().enumerate() {
        let ws = workbook.add_worksheet();
        ws.set_name(sheet_name(&c.city, &mut taken))?;
        city_sheet(ws, f, c, ctx.short.get(i).map(Vec::as_slice).unwrap_or(&[]), ctx, &fm)?;
    }
    workbook.save_to_buffer()
}

/// A sheet name by Excel's rules — at most 31 characters, none of []:*?/\, no apostrophe at
/// either end — and unlike every name in `taken` (compared without case), which it joins.
fn sheet_name(name: &str, taken: &mut Vec<String>) -> String {
    let clean: String = name.chars().filter(|c| !"[]:*?/\\".contains(*c)).collect();
    let clean = clean.trim_matches('\'').trim();
    let base = if clean.is_empty() { "-" } else { clean };
    let mut n = 1;
    loop {
        let suffix = if n == 1 { String::new() } else { format!(" ({n})") };
        let room = 31 - suffix.chars().count();
        let candidate: String = base.chars().take(room).collect::<String>() + &suffix;
        if !taken.contains(&candidate.to_lowercase()) {
            taken.push(candidate.to_lowercase());
            return candidate;
        }
        n += 1;
    }
}

fn summary_sheet(ws: &mut Worksheet, f: &YearFigures, ctx: &Context, fm: &Formats) -> Result<(), XlsxError> {
    let title =
        format!("{} {}", ctx.association, ZH.render(&crate::i18n::Msg::new("workbook.title").arg("year", f.year)));
    ws.write_string_with_format(0, 0, &title, &fm.title)?;
    ws.write_string_with_format(1, 0, format!("{}：{}", ZH.t("workbook.generated"), ctx.generated), &fm.note)?;
    ws.write_string_with_format(2, 0, ZH.t("dash.counting_rules"), &fm.note)?;
    let head_row = 4;
    ws.set_row_height(head_row, 42)?;
    ws.set_column_width(0, 12)?;
    for c in 1..SUMMARY_HEADS.len() as u16 {
        ws.set_column_width(c, 10)?;
    }
    ws.set_column_width(17, 17)?;
    for (c, key) in SUMMARY_HEADS.iter().enumerate() {
        ws.write_string_with_format(head_row, c as u16, ZH.t(key), &fm.head)?;
    }
    let mut r = head_row + 1;
    for c in &f.cities {
        let (report, at, late) = report_cells(c, f.today, ctx);
        let p = &c.p;
        let s = stages(&p.pipeline);
        let numbers: [(u16, i64); 15] = [
            (1, p.new_groups),
            (2, c.target.groups_min),
            (3, c.target.groups_max),
            (5, p.new_individuals),
            (6, c.target.individuals_min),
            (7, c.target.individuals_max),
            (9, p.groups),
            (10, p.groups_in_range),
            (11, s[0].2),
            (12, s[1].2),
            (13, s[2].2),
            (14, s[3].2),
            (15, s[4].2),
            (19, c.last.groups_total()),
            (20, c.last.individuals_total()),
        ];
        ws.write_string_with_format(r, 0, &c.city, &fm.cell)?;
        for (col, n) in numbers {
            ws.write_number_with_format(r, col, n as f64, &fm.number)?;
        }
        ws.write_string_with_format(r, 4, standing_text(p.groups_standing), &fm.cell)?;
        ws.write_string_with_format(r, 8, standing_text(p.individuals_standing), &fm.cell)?;
        ws.write_string_with_format(r, 16, report, &fm.cell)?;
        ws.write_string_with_format(r, 17, at, &fm.cell)?;
        ws.write_string_with_format(r, 18, late, &fm.cell)?;
        r += 1;
    }
    let t = Totals::of(&f.cities);
    let s = stages(&t.pipeline);
    ws.write_string_with_format(r, 0, ZH.t("dash.total"), &fm.total)?;
    for (col, n) in [
        (1, t.new_groups),
        (2, t.groups_min),
        (3, t.groups_max),
        (5, t.new_individuals),
        (6, t.individuals_min),
        (7, t.individuals_max),
        (9, t.groups),
        (10, t.groups_in_range),
        (11, s[0].2),
        (12, s[1].2),
        (13, s[2].2),
        (14, s[3].2),
        (15, s[4].2),
        (16, i64::try_from(t.reports_in).unwrap_or(0)),
        (19, t.last_groups),
        (20, t.last_individuals),
    ] {
        ws.write_number_with_format(r, col, n as f64, &fm.total)?;
    }
    for col in [4, 8, 17, 18] {
        ws.write_blank(r, col, &fm.total)?;
    }
    let last_city_row = r - 1;
    // New members by month, the province.
    let months_row = r + 2;
    let end = monthly_table(ws, months_row, &f.months(), &f.last_months(), fm)?;
    // A chart of each city's new members.
    let sheet = ZH.t("workbook.summary");
    let mut chart = Chart::new_column();
    let chart_title = ZH.render(&crate::i18n::Msg::new("workbook.chart_title").arg("year", f.year));
    chart.title().set_name(chart_title.as_str());
    for (col, key) in [(1u16, "dash.legend_groups"), (5u16, "dash.legend_individuals")] {
        chart.add_series().set_name(ZH.t(key)).set_categories((sheet, head_row + 1, 0, last_city_row, 0)).set_values((
            sheet,
            head_row + 1,
            col,
            last_city_row,
            col,
        ));
    }
    ws.insert_chart(end + 2, 0, &chart)?;
    Ok(())
}

/// The months table from `row`: month, individuals, groups, both, last year. Returns the
/// row after it.
fn monthly_table(ws: &mut Worksheet, row: u32, now: &Months, last: &Months, fm: &Formats) -> Result<u32, XlsxError> {
    let heads =
        ["workbook.month", "dash.legend_individuals", "dash.legend_groups", "workbook.both", "workbook.last_year"];
    for (c, key) in heads.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, ZH.t(key), &fm.head)?;
    }
    let both = now.both();
    let last = last.both();
    for m in 0..12u32 {
        let i = m as usize;
        let r = row + 1 + m;
        ws.write_string_with_format(r, 0, ZH.render(&crate::i18n::Msg::new("dash.month").arg("m", m + 1)), &fm.cell)?;
        for (c, n) in [(1, now.individuals[i]), (2, now.groups[i]), (3, both[i]), (4, last[i])] {
            ws.write_number_with_format(r, c, n as f64, &fm.number)?;
        }
    }
    let r = row + 13;
    ws.write_string_with_format(r, 0, ZH.t("dash.total"), &fm.total)?;
    for (c, n) in
        [(1, now.individuals_total()), (2, now.groups_total()), (3, both.iter().sum()), (4, last.iter().sum::<i64>())]
    {
        ws.write_number_with_format(r, c, n as f64, &fm.total)?;
    }
    Ok(r + 1)
}

fn city_sheet(
    ws: &mut Worksheet,
    f: &YearFigures,
    c: &CityYear,
    short: &[ShortGroup],
    ctx: &Context,
    fm: &Formats,
) -> Result<(), XlsxError> {
    ws.set_column_width(0, 26)?;
    for col in 1..5 {
        ws.set_column_width(col, 14)?;
    }
    let title = format!("{} {}", c.city, ZH.render(&crate::i18n::Msg::new("dash.city_title").arg("year", f.year)));
    ws.write_string_with_format(0, 0, &title, &fm.title)?;
    ws.write_string_with_format(1, 0, format!("{}：{}", ZH.t("workbook.generated"), ctx.generated), &fm.note)?;
    let mut r = 3;
    for (c0, key) in ["report.item", "workbook.now", "dash.target", "report.standing"].iter().enumerate() {
        ws.write_string_with_format(r, c0 as u16, ZH.t(key), &fm.head)?;
    }
    r += 1;
    let p = &c.p;
    let t = &c.target;
    let rows: [(&str, String, String, &str); 3] = [
        (
            "target.groups",
            p.new_groups.to_string(),
            format!("{}–{}", t.groups_min, t.groups_max),
            standing_text(p.groups_standing),
        ),
        (
            "target.individuals",
            p.new_individuals.to_string(),
            format!("{}–{}", t.individuals_min, t.individuals_max),
            standing_text(p.individuals_standing),
        ),
        (
            "dash.groups_in_range",
            format!("{} / {}", p.groups_in_range, p.groups),
            format!("{} {}–{}", ZH.t("dash.per_group"), t.per_group_min, t.per_group_max),
            "",
        ),
    ];
    for (key, now, target, s) in rows {
        ws.write_string_with_format(r, 0, ZH.t(key), &fm.cell)?;
        ws.write_string_with_format(r, 1, now, &fm.number)?;
        ws.write_string_with_format(r, 2, target, &fm.cell)?;
        ws.write_string_with_format(r, 3, s, &fm.cell)?;
        r += 1;
    }
    for (key, _, n) in stages(&p.pipeline) {
        ws.write_string_with_format(r, 0, format!("{} · {}", ZH.t("dash.pipeline"), ZH.t(key)), &fm.cell)?;
        ws.write_number_with_format(r, 1, n as f64, &fm.number)?;
        ws.write_blank(r, 2, &fm.cell)?;
        ws.write_blank(r, 3, &fm.cell)?;
        r += 1;
    }
    let (report, at, late) = report_cells(c, f.today, ctx);
    r += 1;
    for (key, value) in [
        ("dash.report", report),
        ("workbook.submitted_at", at),
        ("report.late", late),
        ("target.deadline", t.report_deadline.clone()),
    ] {
        ws.write_string_with_format(r, 0, ZH.t(key), &fm.head)?;
        ws.write_string_with_format(r, 1, value, &fm.cell)?;
        r += 1;
    }
    if let Some(frozen) = c.report.as_ref().and_then(|rep| rep.frozen()) {
        let fp = &frozen.progress;
        ws.write_string_with_format(r, 0, ZH.t("workbook.frozen"), &fm.head)?;
        let text = format!(
            "{} {}，{} {}，{} {} / {}",
            ZH.t("target.groups"),
            fp.new_groups,
            ZH.t("target.individuals"),
            fp.new_individuals,
            ZH.t("dash.groups_in_range"),
            fp.groups_in_range,
            fp.groups
        );
        ws.merge_range(r, 1, r, 4, &text, &fm.cell)?;
        r += 1;
    }
    if let Some(rep) = &c.report {
        ws.write_string_with_format(r, 0, ZH.t("report.narrative"), &fm.head)?;
        let lines = rep.narrative.lines().count().clamp(1, 30) as f64;
        ws.set_row_height(r, 16.0 * lines)?;
        ws.merge_range(r, 1, r, 4, &rep.narrative, &fm.cell.clone().set_align(FormatAlign::Top))?;
        r += 1;
    }
    r += 1;
    let end = monthly_table(ws, r, &c.p.months, &c.last, fm)?;
    let mut r = end + 1;
    ws.write_string_with_format(r, 0, ZH.t("dash.short_groups"), &fm.title.clone().set_font_size(12))?;
    r += 1;
    for (c0, key) in
        ["member.name", "member.number", "dash.individuals_now", "dash.individuals_needed"].iter().enumerate()
    {
        ws.write_string_with_format(r, c0 as u16, ZH.t(key), &fm.head)?;
    }
    r += 1;
    if short.is_empty() {
        let key = if c.p.groups == 0 { "dash.no_groups" } else { "dash.no_short_groups" };
        ws.merge_range(r, 0, r, 3, ZH.t(key), &fm.cell)?;
    }
    for (_, number, name, n) in short {
        ws.write_string_with_format(r, 0, name, &fm.cell)?;
        ws.write_string_with_format(r, 1, number, &fm.cell)?;
        ws.write_number_with_format(r, 2, *n as f64, &fm.number)?;
        ws.write_number_with_format(r, 3, (t.per_group_min - n) as f64, &fm.number)?;
        r += 1;
    }
    Ok(())
}

/// The year's summary for the PDF: the cities' table with totals, and the charts.
pub fn pdf_summary(f: &YearFigures, ctx: &Context) -> crate::print::summary::Summary {
    use crate::print::summary::{Bar, BarChart, MonthChart, Summary, Table};
    let msg = |key: &'static str| crate::i18n::Msg::new(key);
    let colour = |s: super::Standing| match s {
        super::Standing::Below => (179, 92, 0),
        super::Standing::Within => (26, 127, 55),
        super::Standing::Above => (29, 79, 145),
    };
    let head = [
        "member.city",
        "target.groups",
        "dash.target",
        "report.standing",
        "target.individuals",
        "dash.target",
        "report.standing",
        "dash.groups_in_range",
        "dash.open_applications",
        "dash.report",
        "workbook.last_year_both",
    ];
    let mut rows: Vec<Vec<String>> = f
        .cities
        .iter()
        .map(|c| {
            let (report, _, late) = report_cells(c, f.today, ctx);
            let p = &c.p;
            vec![
                c.city.clone(),
                p.new_groups.to_string(),
                format!("{}–{}", c.target.groups_min, c.target.groups_max),
                standing_text(p.groups_standing).to_string(),
                p.new_individuals.to_string(),
                format!("{}–{}", c.target.individuals_min, c.target.individuals_max),
                standing_text(p.individuals_standing).to_string(),
                format!("{} / {}", p.groups_in_range, p.groups),
                p.pipeline.total().to_string(),
                if late.is_empty() { report } else { format!("{report}（{late}）") },
                format!("{} / {}", c.last.groups_total(), c.last.individuals_total()),
            ]
        })
        .collect();
    let t = Totals::of(&f.cities);
    rows.push(vec![
        ZH.t("dash.total").to_string(),
        t.new_groups.to_string(),
        format!("{}–{}", t.groups_min, t.groups_max),
        String::new(),
        t.new_individuals.to_string(),
        format!("{}–{}", t.individuals_min, t.individuals_max),
        String::new(),
        format!("{} / {}", t.groups_in_range, t.groups),
        t.pipeline.total().to_string(),
        format!("{} / {}", t.reports_in, f.cities.len()),
        format!("{} / {}", t.last_groups, t.last_individuals),
    ]);
    let bars = |pick: fn(&CityYear) -> (i64, i64, i64, super::Standing)| -> Vec<Bar> {
        f.cities
            .iter()
            .map(|c| {
                let (count, min, max, s) = pick(c);
                Bar { label: c.city.clone(), count, min, max, colour: colour(s) }
            })
            .collect()
    };
    let legend = || [ZH.t("dash.legend_target").to_string(), ZH.t("dash.legend_count").to_string()];
    let (now, last) = (f.months(), f.last_months());
    Summary {
        heading: ctx.association.to_string(),
        title: ZH.render(&msg("workbook.title").arg("year", f.year)),
        subtitle: format!("{}：{}", ZH.t("workbook.generated"), ctx.generated),
        table: Table {
            columns: vec![1.3, 1.0, 0.9, 1.0, 1.0, 0.9, 1.0, 1.3, 1.0, 1.5, 1.3],
            head: head.iter().map(|k| ZH.t(k).to_string()).collect(),
            rows,
            total_last: true,
        },
        notes: format!("{}\n{}", ZH.t("dash.counting_rules"), ZH.t("workbook.pdf_note")),
        charts: [
            BarChart {
                title: ZH.t("dash.groups_chart").to_string(),
                legend: legend(),
                bars: bars(|c| (c.p.new_groups, c.target.groups_min, c.target.groups_max, c.p.groups_standing)),
            },
            BarChart {
                title: ZH.t("dash.individuals_chart").to_string(),
                legend: legend(),
                bars: bars(|c| {
                    (c.p.new_individuals, c.target.individuals_min, c.target.individuals_max, c.p.individuals_standing)
                }),
            },
        ],
        months: MonthChart {
            title: ZH.render(&msg("dash.monthly_title").arg("year", f.year)),
            labels: std::array::from_fn(|i| match i {
                0..12 => ZH.render(&msg("dash.month").arg("m", i + 1)),
                12 => ZH.t("dash.legend_individuals").to_string(),
                13 => ZH.t("dash.legend_groups").to_string(),
                _ => ZH.render(&msg("dash.legend_last_year").arg("year", f.year - 1)),
            }),
            individuals: now.individuals,
            groups: now.groups,
            last: last.both(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_follow_excel_s_rules_and_never_repeat() {
        let mut taken = vec!["汇总".to_string()];
        assert_eq!(sheet_name("太原市", &mut taken), "太原市");
        assert_eq!(sheet_name("太原市", &mut taken), "太原市 (2)");
        assert_eq!(sheet_name("汇总", &mut taken), "汇总 (2)");
        assert_eq!(sheet_name("'A/B:C'", &mut taken), "ABC");
        assert_eq!(sheet_name("abc", &mut taken), "abc (2)", "Excel compares without case");
        let long = "长".repeat(40);
        assert_eq!(sheet_name(&long, &mut taken).chars().count(), 31);
        assert_eq!(sheet_name(&long, &mut taken), format!("{} (2)", "长".repeat(27)));
    }
}
