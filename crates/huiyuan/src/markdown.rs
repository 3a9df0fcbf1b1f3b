//! Markdown (notices, later the forum) to safe HTML: pulldown-cmark renders, ammonia removes
//! anything that could run (scripts, event handlers, `javascript:` links).

use pulldown_cmark::{Options, Parser, html};

pub fn to_safe_html(markdown: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    ammonia::clean(&raw)
}

/// The first `max` characters of the text, without markup (list previews).
pub fn excerpt(markdown: &str, max: usize) -> String {
    let text: String = markdown
        .lines()
        .map(|l| l.trim_start_matches(['#', '>', '-', '*', ' ']).trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_script_links_are_removed() {
        let html = to_safe_html("# 通知\n\n<script>alert(1)</script>\n\n[点我](javascript:alert(1)) **重要**");
        assert!(html.contains("<h1>通知</h1>"));
        assert!(html.contains("<strong>重要</strong>"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("javascript:"));
    }

    #[test]
    fn excerpts_drop_markup_and_cut() {
        assert_eq!(excerpt("# 标题\n\n正文内容很长", 5), "标题 正文…");
    }
}
