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

const LABEL_W: f64 = 64.0;
/// The target range's pale band.
const BAND: &str = "#d9ecdd";

/// About how wide a legend's text is drawn at the largest chart text (14 px on phones).
fn text_width(text: &str) -> f64 {
    text.chars().map(|c| if c.is_ascii() { 8.4 } else { 14.0 }).sum()
}
const WIDTH: f64 = 400.0;
const ROW_H: f64 = 26.0;

/// Horizontal bars, one per city: the target range as a pale band, the count as a bar in
/// the colour of its standing (below: amber, within: green, above: blue).
/// `legend`: the band's label, then the three standings' (below, within, above).
pub fn progress(title: &str, legend: [&str; 4], bars: &[Bar]) -> String {
    let top = bars.iter().map(|b| b.count.max(b.max)).max().unwrap_or(0);
    let (top, step) = axis(top);
    let plot_w = WIDTH - LABEL_W - 28.0;
    let x = |v: i64| LABEL_W + plot_w * v as f64 / top as f64;
    let height = 44.0 + ROW_H * bars.len() as f64 + 24.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = esc(title)
    );
    // Legend: the band, then each standing's colour, so the bars' colours are explained.
    let swatches =
        [BAND, standing_colour(Standing::Below), standing_colour(Standing::Within), standing_colour(Standing::Above)];
    let mut lx = 4.0;
    for (colour, label) in swatches.iter().zip(legend) {
        let _ = write!(
            s,
            r##"<rect x="{lx}" y="6" width="18" height="10" fill="{colour}"/><text x="{tx}" y="15" class="legend">{t}</text>"##,
            tx = lx + 24.0,
            t = esc(label),
        );
        lx += 24.0 + text_width(label) + 14.0;
    }
    let base = 30.0;
    let bottom = base + ROW_H * bars.len() as f64;
    let mut v = 0;
    while v <= top {
        let gx = x(v);
        let _ = write!(
            s,
            r##"<line x1="{gx:.1}" y1="{base}" x2="{gx:.1}" y2="{bottom}" stroke="#e3e7ed"/><text x="{gx:.1}" y="{ty}" class="tick" text-anchor="middle">{v}</text>"##,
            ty = bottom + 16.0
        );
        v += step;
    }
    for (i, b) in bars.iter().enumerate() {
        let y = base + ROW_H * i as f64;
        let _ = write!(
            s,
            r##"<text x="{lx}" y="{ty}" class="label" text-anchor="end">{l}</text><rect x="{x0:.1}" y="{by}" width="{bw:.1}" height="{bh}" fill="{BAND}"/><rect x="{LABEL_W}" y="{cy}" width="{cw:.1}" height="10" fill="{c}"/><text x="{vx:.1}" y="{ty}" class="value">{n}</text>"##,
            lx = LABEL_W - 8.0,
            ty = y + 17.0,
            l = esc(b.label),
            x0 = x(b.min),
            by = y + 4.0,
            bw = (x(b.max) - x(b.min)).max(2.0),
            bh = ROW_H - 8.0,
            cy = y + 8.0,
            cw = x(b.count) - LABEL_W,
            c = standing_colour(b.standing),
            vx = x(b.count) + 4.0,
            n = b.count,
        );
    }
    s.push_str("</svg>");
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

/// New members month by month: this year's columns (groups stacked on individuals) and last
/// year's as a dashed line. `labels`: the twelve month names, then the legend's three
/// entries (individuals, groups, last year).
pub fn monthly(title: &str, labels: &[String; 15], data: &Monthly, shape: Shape) -> String {
    let Monthly { individuals, groups, last } = *data;
    let (width, class) = match shape {
        Shape::Narrow => (WIDTH, "chart narrow"),
        Shape::Wide => (2.0 * WIDTH, "chart wide"),
    };
    let totals: Vec<i64> = (0..12).map(|m| individuals[m] + groups[m]).collect();
    let peak = totals.iter().chain(last.iter()).copied().max().unwrap_or(0);
    let (top, step) = axis(peak);
    let (left, plot_w, base, plot_h) = (32.0, width - 40.0, 34.0, 160.0);
    let bottom = base + plot_h;
    let y = |v: i64| bottom - plot_h * v as f64 / top as f64;
    let slot = plot_w / 12.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="{class}" viewBox="0 0 {width} {h}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        h = bottom + 28.0,
        t = esc(title)
    );
    let _ = write!(
        s,
        r##"<rect x="{left}" y="6" width="18" height="10" fill="#7fa7d9"/><text x="{a}" y="15" class="legend">{l0}</text><rect x="{b}" y="6" width="18" height="10" fill="#1d4f91"/><text x="{c}" y="15" class="legend">{l1}</text><line x1="{d}" y1="11" x2="{e}" y2="11" stroke="#5f6b7a" stroke-width="2" stroke-dasharray="4 3"/><text x="{f}" y="15" class="legend">{l2}</text>"##,
        a = left + 24.0,
        l0 = esc(&labels[12]),
        b = left + 100.0,
        c = left + 124.0,
        l1 = esc(&labels[13]),
        d = left + 200.0,
        e = left + 220.0,
        f = left + 226.0,
        l2 = esc(&labels[14]),
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
            r##"<rect x="{x0:.1}" y="{yi:.1}" width="{bar_w:.1}" height="{hi:.1}" fill="#7fa7d9"/><rect x="{x0:.1}" y="{yg:.1}" width="{bar_w:.1}" height="{hg:.1}" fill="#1d4f91"/><text x="{cx:.1}" y="{ly}" class="tick" text-anchor="middle">{l}</text>"##,
            hi = bottom - yi,
            hg = yi - yg,
            cx = x0 + bar_w / 2.0,
            ly = bottom + 16.0,
            l = esc(&labels[m]),
        );
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
        r##"<polyline points="{}" fill="none" stroke="#5f6b7a" stroke-width="2" stroke-dasharray="4 3"/>"##,
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
        assert!(svg.contains(">超过目标</text>"));
    }
}
