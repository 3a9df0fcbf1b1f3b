//! Charts drawn on the server as SVG (no script): progress against a target range per city,
//! and new members month by month against last year. The markup is built here and every
//! text in it is escaped; pages embed it as is, and the PDF summary draws the same figures.

use std::fmt::Write;

use super::Standing;

/// One bar of a progress chart: a label, the count so far and its target range.
pub struct Bar<'a> {
    pub label: &'a str,
    pub count: i64,
    pub min: i64,
    pub max: i64,
    pub standing: Standing,
}

/// Escapes text for SVG (the same rules as HTML text and attributes).
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A round upper end for an axis that must show `value`, and its step: 1, 2 or 5 × 10ⁿ,
/// with at most five steps.
pub fn axis(value: i64) -> (i64, i64) {
    let value = value.max(1);
    let mut unit = 1;
    loop {
        for step in [unit, 2 * unit, 5 * unit] {
            if step * 5 >= value {
                let top = (value + step - 1) / step * step;
                return (top, step);
            }
        }
        unit *= 10;
    }
}

fn standing_colour(s: Standing) -> &'static str {
    match s {
        Standing::Below => "#b35c00",
        Standing::Within => "#1a7f37",
        Standing::Above => "#1d4f91",
    }
}

/// The target range's pale band.
const BAND: &str = "#d9ecdd";
const INDIVIDUALS: &str = "#7fa7d9";
const GROUPS: &str = "#1d4f91";
const LAST_YEAR: &str = "#5f6b7a";

/// About how wide a text is drawn at the largest chart text (16 units on phones).
fn text_width(text: &str) -> f64 {
    text.chars().map(|c| if c.is_ascii() { 9.6 } else { 16.0 }).sum()
}
const WIDTH: f64 = 400.0;
const ROW_H: f64 = 28.0;

/// What a legend entry's swatch is: a filled box in a colour, or the dashed line of last year.
pub enum Swatch {
    Fill(&'static str),
    Dashed,
}

/// A chart's legend, as HTML under the chart: it wraps on a narrow screen and is read at the
/// page's text size, where text drawn inside the chart would shrink with it.
pub fn legend(entries: &[(Swatch, &str)]) -> String {
    let mut s = String::from(r#"<ul class="chart-legend">"#);
    for (swatch, label) in entries {
        let mark = match swatch {
            Swatch::Fill(colour) => format!(r#"<rect width="18" height="10" fill="{colour}"/>"#),
            Swatch::Dashed => {
                format!(
                    r#"<line x1="0" y1="5" x2="18" y2="5" stroke="{LAST_YEAR}" stroke-width="2" stroke-dasharray="4 3"/>"#
                )
            }
        };
        let _ = write!(s, r#"<li><svg width="18" height="10" aria-hidden="true">{mark}</svg>{}</li>"#, esc(label));
    }
    s.push_str("</ul>");
    s
}

/// Horizontal bars, one per city: the target range as a pale band, the count as a bar in
/// the colour of its standing (below: amber, within: green, above: blue), with the legend
/// under it. `legend`: the band's label, then the three standings' (below, within, above).
pub fn progress(title: &str, legend_labels: [&str; 4], bars: &[Bar]) -> String {
    let top = bars.iter().map(|b| b.count.max(b.max)).max().unwrap_or(0);
    let (top, step) = axis(top);
    // Room for the longest label ("Individuals" as much as 太原市).
    let label_w = bars.iter().map(|b| text_width(b.label)).fold(48.0, f64::max) + 12.0;
    let plot_w = WIDTH - label_w - 28.0;
    let x = |v: i64| label_w + plot_w * v as f64 / top as f64;
    let base = 8.0;
    let bottom = base + ROW_H * bars.len() as f64;
    let height = bottom + 26.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = esc(title)
    );
    let mut v = 0;
    while v <= top {
        let gx = x(v);
        let _ = write!(
            s,
            r##"<line x1="{gx:.1}" y1="{base}" x2="{gx:.1}" y2="{bottom}" stroke="#e3e7ed"/><text x="{gx:.1}" y="{ty}" class="tick" text-anchor="middle">{v}</text>"##,
            ty = bottom + 18.0
        );
        v += step;
    }
    for (i, b) in bars.iter().enumerate() {
        let y = base + ROW_H * i as f64;
        let _ = write!(
            s,
            r##"<text x="{lx:.1}" y="{ty}" class="label" text-anchor="end">{l}</text><rect x="{x0:.1}" y="{by}" width="{bw:.1}" height="{bh}" fill="{BAND}"/><rect x="{label_w:.1}" y="{cy}" width="{cw:.1}" height="10" fill="{c}"/><text x="{vx:.1}" y="{ty}" class="value">{n}</text>"##,
            lx = label_w - 8.0,
            ty = y + 19.0,
            l = esc(b.label),
            x0 = x(b.min),
            by = y + 4.0,
            bw = (x(b.max) - x(b.min)).max(2.0),
            bh = ROW_H - 8.0,
            cy = y + 9.0,
            cw = x(b.count) - label_w,
            c = standing_colour(b.standing),
            vx = x(b.count) + 4.0,
            n = b.count,
        );
    }
    s.push_str("</svg>");
    let [band, below, within, above] = legend_labels;
    s.push_str(&legend(&[
        (Swatch::Fill(BAND), band),
        (Swatch::Fill(standing_colour(Standing::Below)), below),
        (Swatch::Fill(standing_colour(Standing::Within)), within),
        (Swatch::Fill(standing_colour(Standing::Above)), above),
    ]));
    s
}

/// The figures of a monthly chart: this year's new members by kind, last year's in total.
pub struct Monthly<'a> {
    pub individuals: &'a [i64; 12],
    pub groups: &'a [i64; 12],
    pub last: &'a [i64; 12],
}

/// A chart's shape: narrow (a phone, or half a page) or wide (a whole row of a page).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Narrow,
    Wide,
}

/// The monthly chart's legend: `labels` are individuals, groups, last year.
pub fn monthly_legend(labels: [&str; 3]) -> String {
    let [individuals, groups, last] = labels;
    legend(&[(Swatch::Fill(INDIVIDUALS), individuals), (Swatch::Fill(GROUPS), groups), (Swatch::Dashed, last)])
}

/// New members month by month: this year's columns (groups stacked on individuals) and last
/// year's as a dashed line (the legend is [`monthly_legend`], once for both shapes).
/// `months`: the twelve month names; a narrow chart names every other month, so that the
/// names stay apart at a readable size.
pub fn monthly(title: &str, months: &[String; 12], data: &Monthly, shape: Shape) -> String {
    let Monthly { individuals, groups, last } = *data;
    let (width, class) = match shape {
        Shape::Narrow => (WIDTH, "chart narrow"),
        Shape::Wide => (2.0 * WIDTH, "chart wide"),
    };
    let totals: Vec<i64> = (0..12).map(|m| individuals[m] + groups[m]).collect();
    let peak = totals.iter().chain(last.iter()).copied().max().unwrap_or(0);
    let (top, step) = axis(peak);
    let (left, plot_w, base, plot_h) = (36.0, width - 44.0, 14.0, 160.0);
    let bottom = base + plot_h;
    let y = |v: i64| bottom - plot_h * v as f64 / top as f64;
    let slot = plot_w / 12.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="{class}" viewBox="0 0 {width} {h}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        h = bottom + 26.0,
        t = esc(title)
    );
    let mut v = 0;
    while v <= top {
        let gy = y(v);
        let _ = write!(
            s,
            r##"<line x1="{left}" y1="{gy:.1}" x2="{r}" y2="{gy:.1}" stroke="#e3e7ed"/><text x="{tx}" y="{ty:.1}" class="tick" text-anchor="end">{v}</text>"##,
            r = left + plot_w,
            tx = left - 6.0,
            ty = gy + 4.0
        );
        v += step;
    }
    let bar_w = slot * 0.56;
    for m in 0..12 {
        let x0 = left + slot * m as f64 + (slot - bar_w) / 2.0;
        let (yi, yg) = (y(individuals[m]), y(individuals[m] + groups[m]));
        let _ = write!(
            s,
            r##"<rect x="{x0:.1}" y="{yi:.1}" width="{bar_w:.1}" height="{hi:.1}" fill="{INDIVIDUALS}"/><rect x="{x0:.1}" y="{yg:.1}" width="{bar_w:.1}" height="{hg:.1}" fill="{GROUPS}"/>"##,
            hi = bottom - yi,
            hg = yi - yg,
        );
        if shape == Shape::Wide || m % 2 == 0 {
            let _ = write!(
                s,
                r#"<text x="{cx:.1}" y="{ly}" class="tick" text-anchor="middle">{l}</text>"#,
                cx = x0 + bar_w / 2.0,
                ly = bottom + 18.0,
                l = esc(&months[m]),
            );
        }
        if totals[m] > 0 {
            let _ = write!(
                s,
                r#"<text x="{cx:.1}" y="{vy:.1}" class="value" text-anchor="middle">{n}</text>"#,
                cx = x0 + bar_w / 2.0,
                vy = yg - 4.0,
                n = totals[m]
            );
        }
    }
    let points: Vec<String> =
        (0..12).map(|m| format!("{:.1},{:.1}", left + slot * (m as f64 + 0.5), y(last[m]))).collect();
    let _ = write!(
        s,
        r##"<polyline points="{}" fill="none" stroke="{LAST_YEAR}" stroke-width="2" stroke-dasharray="4 3"/>"##,
        points.join(" ")
    );
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_axis_ends_on_a_round_number_with_at_most_five_steps() {
        assert_eq!(axis(0), (1, 1));
        assert_eq!(axis(4), (4, 1));
        assert_eq!(axis(7), (8, 2));
        assert_eq!(axis(10), (10, 2));
        assert_eq!(axis(23), (25, 5));
        assert_eq!(axis(480), (500, 100));
        assert_eq!(axis(1001), (1500, 500), "1,200 would take six steps of 200");
    }

    #[test]
    fn city_names_are_escaped_and_each_city_gets_a_bar() {
        let bars = [
            Bar { label: "太原<script>", count: 4, min: 3, max: 5, standing: Standing::Within },
            Bar { label: "大同", count: 0, min: 3, max: 5, standing: Standing::Below },
        ];
        let svg = progress("新发展团体会员", ["目标区间", "未达目标", "达到目标", "超过目标"], &bars);
        assert!(svg.contains("太原&lt;script&gt;") && !svg.contains("<script>"));
        assert_eq!(svg.matches(r##"fill="#1a7f37""##).count(), 2, "the legend's swatch and 太原's");
        assert_eq!(svg.matches(r##"fill="#b35c00""##).count(), 2, "the legend's swatch and 大同, below");
        assert_eq!(svg.matches(r##"fill="#1d4f91""##).count(), 1, "the legend explains the colour of above too");
        assert!(svg.contains("</svg>超过目标</li>"), "the legend is text of the page, under the chart");
    }
}
