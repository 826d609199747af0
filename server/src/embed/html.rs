//! The embed page, written with a tiny HTML writer in which nothing
//! dynamic can become markup: element and attribute names and fixed
//! markup are `&'static str`, and every text and attribute value passes
//! through `escape`.

use super::load::Recent;

/// Escape text or an attribute value (double-quoted): `& < > " '`.
pub fn escape(s: &str, out: &mut String) {
    out.push_str(&app::text::escape_html(s));
}

/// An HTML document being written.
#[derive(Default)]
pub struct Html {
    out: String,
}

impl Html {
    /// Fixed markup, known at compile time.
    pub fn markup(&mut self, s: &'static str) -> &mut Self {
        self.out.push_str(s);
        self
    }

    /// `<tag a="v"…>`, every value escaped.
    pub fn open(&mut self, tag: &'static str, attrs: &[(&'static str, &str)]) -> &mut Self {
        self.out.push('<');
        self.out.push_str(tag);
        for (name, value) in attrs {
            self.out.push(' ');
            self.out.push_str(name);
            self.out.push_str("=\"");
            escape(value, &mut self.out);
            self.out.push('"');
        }
        self.out.push('>');
        self
    }

    pub fn close(&mut self, tag: &'static str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push('>');
        self
    }

    /// Escaped text.
    pub fn text(&mut self, s: &str) -> &mut Self {
        escape(s, &mut self.out);
        self
    }

    /// `<tag …>text</tag>`.
    pub fn element(&mut self, tag: &'static str, attrs: &[(&'static str, &str)], text: &str) -> &mut Self {
        self.open(tag, attrs).text(text).close(tag)
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// The page's CSS: the clinic colour comes in as `--brand` and `--link`
/// on `<body>`; nothing else varies.
const CSS: &str = "*{box-sizing:border-box}\
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}\
body{margin:0;background:#fff;color:#1f2328;font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif}\
main{padding:.75rem 1rem 1rem;border-top:4px solid var(--brand)}\
h2{margin:0 0 .25rem;font-size:1.125rem;line-height:1.3}\
h2 a{color:#1f2328;text-decoration:none}\
h2 a:hover{text-decoration:underline}\
ul{list-style:none;margin:0;padding:0}\
li{padding:.625rem 0;border-bottom:1px solid #d0d7de}\
li:last-child{border-bottom:0}\
.cp-link{color:var(--link);font-weight:600;text-decoration:underline;text-underline-offset:.15em;overflow-wrap:anywhere}\
.cp-link:hover{text-decoration-thickness:2px}\
a:focus-visible{outline:3px solid var(--link);outline-offset:2px;border-radius:2px}\
.cp-meta{margin:.125rem 0 0;font-size:.875rem;color:#57606a}\
.cp-excerpt{margin:.25rem 0 0;font-size:.9375rem}\
.cp-more,.cp-empty{margin:.5rem 0 0;font-size:.9375rem}\
.cp-more a{color:var(--link)}\
.cp-vh{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}";

/// The link colour: the clinic's when it reads well on white (4.5:1,
/// `app::colors`), else the text colour (links stay underlined either way).
pub fn link_color(brand: &str) -> &str {
    use app::colors::{AA_NORMAL, WHITE, contrast, parse_hex};
    match parse_hex(brand) {
        Some(rgb) if contrast(WHITE, rgb) >= AA_NORMAL => brand,
        _ => "#1f2328",
    }
}

fn start(h: &mut Html, title: &str, brand: &str) {
    let style = format!("--brand:{brand};--link:{}", link_color(brand));
    h.markup("<!DOCTYPE html>")
        .open("html", &[("lang", "en")])
        .markup("<head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\">")
        .element("title", &[], title)
        .markup("<style>")
        .markup(CSS)
        .markup("</style></head>")
        .open("body", &[("style", &style)])
        .markup("<main>");
}

fn end(h: &mut Html) {
    h.markup("</main></body></html>");
}

/// The list as a page for an `<iframe>`: heading (linking to the blog or
/// the category), one item per article (title link, date, category,
/// excerpt), a link to all articles. Links open in the top window.
pub fn page(r: &Recent) -> String {
    let mut h = Html::default();
    start(&mut h, &r.title, &r.brand);
    h.open("h2", &[]).element("a", &[("href", &r.url), ("target", "_top")], &r.title).close("h2");
    if r.items.is_empty() {
        h.element("p", &[("class", "cp-empty")], "No articles yet.");
    } else {
        h.markup("<ul>");
        for item in &r.items {
            h.markup("<li>").element(
                "a",
                &[("class", "cp-link"), ("href", &item.url), ("target", "_top")],
                &item.title,
            );
            h.open("p", &[("class", "cp-meta")]).element("time", &[("datetime", &item.published_at)], &item.date);
            if let Some(c) = &item.category {
                h.text(" · ").text(c);
            }
            h.close("p").element("p", &[("class", "cp-excerpt")], &item.excerpt).markup("</li>");
        }
        h.markup("</ul>");
    }
    h.open("p", &[("class", "cp-more")])
        .open("a", &[("href", &r.url), ("target", "_top")])
        .text("All articles")
        .element("span", &[("class", "cp-vh")], &format!(" from {}", r.clinic))
        .text(" →")
        .close("a")
        .close("p");
    end(&mut h);
    h.finish()
}

/// The 404 page for a category the clinic does not have.
pub fn no_category(clinic: &str, brand: &str, blog_url: &str, slug: &str) -> String {
    let mut h = Html::default();
    start(&mut h, &format!("No such category · {clinic}"), brand);
    h.element("h2", &[], "No such category")
        .element("p", &[("class", "cp-empty")], &format!("{clinic} has no category “{slug}”."))
        .open("p", &[("class", "cp-more")])
        .element("a", &[("href", blog_url), ("target", "_top")], &format!("All articles from {clinic}"))
        .close("p");
    end(&mut h);
    h.finish()
}

/// The 404 page on a host that is not a clinic's (the network index).
pub fn no_site() -> String {
    let mut h = Html::default();
    start(&mut h, "No articles here", super::load::FALLBACK_BRAND);
    h.element("h2", &[], "No articles here").element(
        "p",
        &[("class", "cp-empty")],
        "This address is not a clinic's site; use the address of the clinic whose articles you want to show.",
    );
    end(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::super::load::Entry;
    use super::*;

    fn recent(title: &str) -> Recent {
        Recent {
            clinic: "PMC".into(),
            brand: "#1f5f8b".into(),
            title: "Recent articles from PMC".into(),
            url: "https://pmc.example/blog".into(),
            items: vec![Entry {
                title: title.into(),
                url: "https://pmc.example/blog/a\"b".into(),
                excerpt: "x < y & z…".into(),
                published_at: "2026-03-02T09:00:00Z".into(),
                date: "March 2, 2026".into(),
                category: Some("Joints & <Bones>".into()),
            }],
        }
    }

    #[test]
    fn text_and_attributes_are_escaped() {
        let page = page(&recent("</a><script>alert('x')</script>"));
        assert!(!page.contains("<script"), "{page}");
        assert!(page.contains("&lt;/a&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(page.contains("href=\"https://pmc.example/blog/a&quot;b\""));
        assert!(page.contains("x &lt; y &amp; z…"));
        assert!(page.contains("Joints &amp; &lt;Bones&gt;"));
        assert!(page.contains("target=\"_top\""));
        let lost = no_category("PMC", "#1f5f8b", "https://pmc.example/blog", "<b>nope</b>");
        assert!(lost.contains("“&lt;b&gt;nope&lt;/b&gt;”") && !lost.contains("<b>"));
    }

    #[test]
    fn an_empty_list_says_so() {
        let mut r = recent("A");
        r.items.clear();
        assert!(page(&r).contains("No articles yet."));
    }

    #[test]
    fn light_brand_colours_do_not_colour_link_text() {
        assert_eq!(link_color("#1f5f8b"), "#1f5f8b");
        assert_eq!(link_color("#7a3b69"), "#7a3b69");
        assert_eq!(link_color("#ffcc00"), "#1f2328");
        assert_eq!(link_color("#fff"), "#1f2328");
    }
}
