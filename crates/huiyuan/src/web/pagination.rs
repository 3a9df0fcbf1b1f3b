//! Pagination for list pages and API lists: `?page=2&per_page=20`, "共 N 条", page links
//! that keep the list's filters.

use serde::Deserialize;

pub const PER_PAGE_CHOICES: [i64; 4] = [10, 20, 50, 100];
/// Pages beyond this are refused (the offset must stay a small positive number).
pub const MAX_PAGE: i64 = 100_000;

#[derive(Debug, Clone, Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub per_page: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Pager {
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
    /// The total was capped: there are more than `total` rows ("10,000+").
    pub capped: bool,
    /// The list's other query parameters, already URL-encoded (`status=x&q=y`).
    pub filters: String,
    pub base: String,
}

impl Pager {
    /// Read `page`/`per_page` leniently: anything unusable becomes the default.
    pub fn new(q: &PageQuery, base: &str, filters: String) -> Pager {
        let page = q.page.as_deref().and_then(|p| p.parse().ok()).filter(|p| (1..=MAX_PAGE).contains(p)).unwrap_or(1);
        let per_page =
            q.per_page.as_deref().and_then(|p| p.parse().ok()).filter(|p| PER_PAGE_CHOICES.contains(p)).unwrap_or(20);
        Pager { page, per_page, total: 0, capped: false, filters, base: base.to_string() }
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    pub fn limit(&self) -> i64 {
        self.per_page
    }

    pub fn with_total(mut self, total: i64) -> Pager {
        self.total = total;
        self
    }

    /// A total counted up to `cap`: beyond it the list says "cap+" and offers cap rows' pages.
    pub fn with_capped_total(mut self, total: i64, cap: i64) -> Pager {
        self.capped = total > cap;
        self.total = total.min(cap);
        self
    }

    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }

    /// Nothing to page through: the list fits on its first page (its total is still said).
    pub fn is_single_page(&self) -> bool {
        self.page == 1 && self.pages() <= 1
    }

    /// A page size changes something: there are more rows than the smallest size holds.
    pub fn may_resize(&self) -> bool {
        self.total > PER_PAGE_CHOICES[0]
    }

    pub fn has_prev(&self) -> bool {
        self.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.page < self.pages()
    }

    pub fn href(&self, page: impl super::page::Int) -> String {
        let page = page.int();
        let mut q = format!("page={page}&per_page={}", self.per_page);
        if !self.filters.is_empty() {
            q = format!("{}&{q}", self.filters);
        }
        format!("{}?{q}", self.base)
    }

    pub fn prev(&self) -> i64 {
        self.page - 1
    }

    pub fn next(&self) -> i64 {
        self.page + 1
    }

    /// Page numbers to show: first, last, and two either side of the current one; 0 = gap.
    pub fn window(&self) -> Vec<i64> {
        let last = self.pages();
        let mut out = Vec::new();
        for p in 1..=last {
            if p == 1 || p == last || (p - self.page).abs() <= 2 {
                out.push(p);
            } else if out.last() != Some(&0) {
                out.push(0);
            }
        }
        out
    }

    /// The filters as pairs, for the page-size form's hidden fields.
    pub fn filter_pairs(&self) -> Vec<(String, String)> {
        serde_urlencoded::from_str(&self.filters).unwrap_or_default()
    }

    pub fn choices(&self) -> [i64; 4] {
        PER_PAGE_CHOICES
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paths::encode_filters;

    fn pager(page: &str, per_page: &str, total: i64) -> Pager {
        Pager::new(
            &PageQuery { page: Some(page.into()), per_page: Some(per_page.into()) },
            "/admin/audit",
            encode_filters(&[("action", "org.create"), ("actor", "")]),
        )
        .with_total(total)
    }

    #[test]
    fn a_list_that_fits_one_page_has_nothing_to_page() {
        assert!(pager("1", "20", 20).is_single_page() && !pager("1", "20", 21).is_single_page());
        assert!(!pager("2", "20", 5).is_single_page(), "past the end: the way back is offered");
        assert!(!pager("1", "20", 10).may_resize() && pager("1", "20", 11).may_resize());
    }

    #[test]
    fn bad_numbers_fall_back_to_defaults() {
        let p = pager("abc", "7", 0);
        assert_eq!((p.page, p.per_page, p.pages()), (1, 20, 1));
        assert_eq!(pager("-3", "50", 0).page, 1);
    }

    #[test]
    fn links_keep_the_filters_and_the_window_has_gaps() {
        let p = pager("6", "10", 200);
        assert_eq!(p.offset(), 50);
        assert_eq!(p.href(7_i64), "/admin/audit?action=org.create&page=7&per_page=10");
        assert_eq!(p.window(), vec![1, 0, 4, 5, 6, 7, 8, 0, 20]);
        assert!(p.has_prev() && p.has_next());
    }
}
