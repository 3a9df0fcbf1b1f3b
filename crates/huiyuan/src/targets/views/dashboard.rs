//! The dashboards' presenters: the province's table of every city with its charts, and a
//! city's own page.

use super::{CityPage, ProvincePage, ProvinceRow};
use crate::applications::model::Kind;
use crate::applications::state::Status;
use crate::paths;
use crate::targets::Standing;
use crate::targets::chart::{self, Bar};
use crate::targets::figures::{CityYear, Totals, YearFigures, standing};
use crate::targets::progress::Months;
use crate::targets::query::CityDashboard;
use crate::web::PageCtx;

/// The monthly chart's legend.
fn monthly_legend(page: &PageCtx, year: i32) -> String {
    let last = page.t1("dash.legend_last_year", "year", year - 1);
    chart::monthly_legend([page.t("dash.legend_individuals"), page.t("dash.legend_groups"), &last])
}

fn progress_chart(page: &PageCtx, title: &'static str, bars: &[Bar]) -> String {
    let legend = ["dash.legend_target", "dash.legend_below", "dash.legend_within", "dash.legend_above"];
    chart::progress(page.t(title), legend.map(|k| page.t(k)), bars)
}

fn monthly_chart(page: &PageCtx, year: i32, now: &Months, last: &Months, shape: chart::Shape) -> String {
    let last = last.both();
    let data = chart::Monthly { individuals: &now.individuals, groups: &now.groups, last: &last };
    let months = std::array::from_fn(|i| page.t1("dash.month", "m", i + 1));
    chart::monthly(&page.t1("dash.monthly_title", "year", year), &months, &data, shape)
}

/// One bar per city: `pick` gives (count, min, max, standing).
fn city_bars(cities: &[CityYear], pick: fn(&CityYear) -> (i64, i64, i64, Standing)) -> Vec<Bar<'_>> {
    cities
        .iter()
        .map(|c| {
            let (count, min, max, standing) = pick(c);
            Bar { label: &c.city, count, min, max, standing }
        })
        .collect()
}

/// The province's dashboard of a year.
pub fn province_page(page: PageCtx, years: Vec<i32>, figures: YearFigures) -> ProvincePage {
    let year = figures.year;
    let today = figures.today;
    let groups_chart = progress_chart(
        &page,
        "dash.groups_chart",
        &city_bars(&figures.cities, |c| {
            (c.p.new_groups, c.target.groups_min, c.target.groups_max, c.p.groups_standing)
        }),
    );
    let individuals_chart = progress_chart(
        &page,
        "dash.individuals_chart",
        &city_bars(&figures.cities, |c| {
            (c.p.new_individuals, c.target.individuals_min, c.target.individuals_max, c.p.individuals_standing)
        }),
    );
    let (months, last_months) = (figures.months(), figures.last_months());
    // Drawn twice: a whole row on a wide screen, the width of a phone on a phone.
    let mut monthly_chart = [chart::Shape::Wide, chart::Shape::Narrow]
        .map(|shape| monthly_chart(&page, year, &months, &last_months, shape))
        .concat();
    monthly_chart.push_str(&monthly_legend(&page, year));
    let totals = Totals::of(&figures.cities);
    // The nearest deadline among the cities whose report is not in.
    let next_deadline = figures
        .cities
        .iter()
        .filter(|c| !c.report_in())
        .filter_map(|c| Some((c.deadline?, c.days_left(today)?)))
        .min_by_key(|(d, _)| *d)
        .map(|(d, days)| (d.to_string(), days));
    let rows = figures
        .cities
        .into_iter()
        .map(|c| {
            let (report_key, report_tag) = c.report_state(today);
            ProvinceRow { days: c.days_left(today), report_key, report_tag, c }
        })
        .collect();
    ProvincePage {
        ctx: page.title("dash.progress_title").crumb("menu.targets", paths::ADMIN_PROGRESS),
        year,
        years,
        rows,
        totals,
        next_deadline,
        groups_chart,
        individuals_chart,
        monthly_chart,
    }
}

/// A city's dashboard of a year; `is_province`: the viewer came from the province's page.
pub fn city_page(page: PageCtx, (year, years): (i32, Vec<i32>), d: CityDashboard, is_province: bool) -> CityPage {
    let CityDashboard { c, today, short: (short, short_total), waiting: (rows, waiting_total) } = d;
    let waiting = rows
        .into_iter()
        .map(|r| {
            let kind = Kind::parse(&r.kind).map(|k| page.t(k.label_key())).unwrap_or("");
            let status = Status::parse(&r.status).unwrap_or(Status::Submitted);
            (r.id.0, r.name, kind, page.t(status.label_key()), status.tag(), page.opt_datetime(&r.submitted_at))
        })
        .collect();
    let bars = [
        Bar {
            label: page.t("dash.kind_groups"),
            count: c.p.new_groups,
            min: c.target.groups_min,
            max: c.target.groups_max,
            standing: c.p.groups_standing,
        },
        Bar {
            label: page.t("dash.kind_individuals"),
            count: c.p.new_individuals,
            min: c.target.individuals_min,
            max: c.target.individuals_max,
            standing: c.p.individuals_standing,
        },
    ];
    let chart = progress_chart(&page, "dash.city_chart", &bars);
    let monthly_chart =
        monthly_chart(&page, year, &c.p.months, &c.last, chart::Shape::Narrow) + &monthly_legend(&page, year);
    let (report_key, report_tag) = c.report_state(today);
    let mut ctx = page.title_text(format!("{} {year}", c.city));
    ctx = if is_province {
        ctx.crumb("dash.progress_title", &format!("{}?year={year}", paths::ADMIN_PROGRESS))
    } else {
        ctx.crumb("menu.targets", paths::ADMIN_PROGRESS)
    };
    CityPage {
        ctx,
        year,
        years,
        report_key,
        report_tag,
        days: c.days_left(today),
        groups_tag: standing(c.p.groups_standing),
        individuals_tag: standing(c.p.individuals_standing),
        chart,
        monthly_chart,
        short,
        short_total,
        waiting,
        waiting_total,
        c,
    }
}
