//! Markdown → sanitised HTML, plain text, excerpts and reading time.
//!
//! Bodies are written in Markdown by marketers (or imported). We render them
//! with pulldown-cmark and pass the HTML through ammonia's allow-list, so no
//! script, iframe, event handler, `javascript:` URL, SVG or MathML survives.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

/// Words per minute used for the reading-time estimate.
const WORDS_PER_MINUTE: usize = 220;

/// Longest excerpt shown in lists, in characters (an ellipsis is added).
pub const EXCERPT_CHARS: usize = 180;

fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(allow_list);

/// The allow-list every rendered body goes through.
fn allow_list() -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    // Default allow-list minus anything that could embed or execute content.
    b.rm_tags(["img"]);
    b.add_tags(["img"]);
    b.add_tag_attributes("img", ["src", "alt", "title", "width", "height", "loading"]);
    b.add_tag_attributes("th", ["align"]);
    b.add_tag_attributes("td", ["align"]);
    b.url_schemes(HashSet::from(["http", "https", "mailto", "tel"]));
    b.link_rel(Some("noopener noreferrer"));
    b
}

/// Render Markdown to HTML that is safe to insert into a page.
pub fn render_html(markdown: &str) -> String {
    let parser = Parser::new_ext(markdown, parser_options());
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, parser);
    sanitize_html(&raw)
}

/// Clean untrusted HTML through the allow-list.
pub fn sanitize_html(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// Rendered (already sanitised) HTML with every relative link and image
/// address resolved against `base` (the post's own address), for pages read
/// away from the site, like feeds. Goes through the same allow-list again.
pub fn absolute_urls(html: &str, base: &ammonia::Url) -> String {
    let mut b = allow_list();
    b.url_relative(ammonia::UrlRelative::RewriteWithBase(base.clone()));
    b.clean(html).to_string()
}

/// The readable text of a Markdown document: no markup, no HTML, one space
/// between blocks. Used for excerpts, reading time and (later) search.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, parser_options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableCell
                | TagEnd::BlockQuote(_),
            ) => out.push(' '),
            Event::Start(Tag::Item) => out.push(' '),
            // Raw HTML in Markdown is never part of the text.
            _ => {}
        }
    }
    collapse_whitespace(&out)
}

/// The headings (any level) of a Markdown document, in order.
pub fn headings(markdown: &str) -> Vec<String> {
    let mut result = Vec::new();
    let mut current: Option<String> = None;
    for event in Parser::new_ext(markdown, parser_options()) {
        match event {
            Event::Start(Tag::Heading { .. }) => current = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                if let Some(h) = current.take() {
                    let h = collapse_whitespace(&h);
                    if !h.is_empty() {
                        result.push(h);
                    }
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = current.as_mut() {
                    h.push_str(&t);
                }
            }
            _ => {}
        }
    }
    result
}

fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Estimated reading time in whole minutes (at least one).
pub fn reading_minutes(plain: &str) -> u32 {
    let words = plain.split_whitespace().count();
    words.div_ceil(WORDS_PER_MINUTE).max(1) as u32
}

/// A list excerpt: the author's own excerpt, or the start of the text, cut at
/// a word boundary to at most `max_chars` characters and always ending in "…".
pub fn display_excerpt(explicit: Option<&str>, plain: &str, max_chars: usize) -> String {
    let source = explicit.map(str::trim).filter(|s| !s.is_empty()).unwrap_or(plain);
    let source = collapse_whitespace(source);
    let mut cut = if source.chars().count() <= max_chars {
        source
    } else {
        let mut end = 0;
        let mut last_space = None;
        for (n, (i, c)) in source.char_indices().enumerate() {
            if n == max_chars {
                break;
            }
            if c.is_whitespace() {
                last_space = Some(i);
            }
            end = i + c.len_utf8();
        }
        let stop = last_space.filter(|&s| s > end / 2).unwrap_or(end);
        source[..stop].to_string()
    };
    while cut.ends_with(|c: char| c.is_ascii_punctuation() || c.is_whitespace() || c == '…') {
        cut.pop();
    }
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_basic_markdown() {
        let html = render_html("## Hello\n\nSome **bold** text and a [link](/locations).");
        assert!(html.contains("<h2>Hello</h2>"), "{html}");
        assert!(html.contains("<strong>bold</strong>"));
        assert!(html.contains(r#"<a href="/locations" rel="noopener noreferrer">link</a>"#), "{html}");
    }

    #[test]
    fn removes_scripts_and_iframes() {
        let html = render_html("Hi<script>alert(1)</script>\n\n<iframe src=\"https://x.test\"></iframe>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("alert(1)"), "{html}");
        assert!(!html.contains("<iframe"), "{html}");
    }

    #[test]
    fn removes_event_handlers() {
        let html = render_html(r#"<p onclick="steal()">x</p><img src="/a.png" onerror="steal()" alt="a">"#);
        assert!(!html.contains("onclick"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("steal"), "{html}");
        assert!(html.contains(r#"<img src="/a.png" alt="a">"#), "{html}");
    }

    #[test]
    fn removes_javascript_urls() {
        let html = render_html("[click](javascript:alert(1)) <a href=\"JaVaScRiPt:alert(2)\">x</a>");
        assert!(!html.to_lowercase().contains("javascript:"), "{html}");
        assert!(html.contains("click"));
    }

    #[test]
    fn removes_svg_and_math() {
        let html =
            render_html("<svg onload=\"x()\"><script>y()</script><circle r=\"2\"/></svg>\n\n<math><mi>x</mi></math>");
        assert!(!html.contains("<svg"), "{html}");
        assert!(!html.contains("<circle"), "{html}");
        assert!(!html.contains("<math"), "{html}");
        assert!(!html.contains("<mi>"), "{html}");
        assert!(!html.contains("y()"), "{html}");
    }

    #[test]
    fn removes_style_and_forms() {
        let html = render_html("<style>body{display:none}</style><form action=/x><input name=a></form>");
        assert!(!html.contains("<style"), "{html}");
        assert!(!html.contains("<form"), "{html}");
        assert!(!html.contains("<input"), "{html}");
    }

    #[test]
    fn plain_text_strips_markup_and_html() {
        let text = plain_text("# Title\n\nA *quick* `code` <b>bold</b> word.\n\n- one\n- two");
        assert_eq!(text, "Title A quick code bold word. one two");
    }

    #[test]
    fn headings_are_listed() {
        assert_eq!(
            headings("# A\ntext\n## B *c*\n\nmore\n### D"),
            vec!["A".to_string(), "B c".to_string(), "D".to_string()]
        );
    }

    #[test]
    fn reading_time_rounds_up_and_is_at_least_one() {
        assert_eq!(reading_minutes(""), 1);
        assert_eq!(reading_minutes(&"word ".repeat(220)), 1);
        assert_eq!(reading_minutes(&"word ".repeat(221)), 2);
        assert_eq!(reading_minutes(&"word ".repeat(1000)), 5);
    }

    #[test]
    fn excerpt_prefers_explicit_and_ends_in_ellipsis() {
        assert_eq!(display_excerpt(Some("Short one."), "body", 100), "Short one…");
        assert_eq!(display_excerpt(Some("  "), "Body text", 100), "Body text…");
    }

    #[test]
    fn excerpt_cuts_at_word_boundary() {
        let text = "alpha beta gamma delta epsilon";
        assert_eq!(display_excerpt(None, text, 13), "alpha beta…");
        let e = display_excerpt(None, &"ä".repeat(50), 10);
        assert_eq!(e.chars().count(), 11);
    }
}
