//! Feed documents from plain structs: RSS 2.0, Atom 1.0 and JSON Feed 1.1.
//!
//! Pure functions: the loader (`load.rs`) fills a [`Feed`] with absolute
//! URLs and sanitised HTML; these only write it out. XML goes through
//! quick-xml's writer (every text and attribute escaped), JSON through serde.

use chrono::{DateTime, SecondsFormat, Utc};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use serde::Serialize;

/// What a feed reader needs to show a clinic's articles.
#[derive(Debug, Clone, PartialEq)]
pub struct Feed {
    pub title: String,
    pub description: String,
    /// The page this feed follows: the clinic's home or an archive page.
    pub home_url: String,
    /// The feed's own addresses, one per format.
    pub urls: FeedUrls,
    /// The clinic: the feed's author when an article has none.
    pub publisher: Person,
    /// The clinic's logo, absolute.
    pub icon: Option<String>,
    /// The newest `updated` of the items (for an empty feed, the clinic's last change).
    pub updated: DateTime<Utc>,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedUrls {
    pub rss: String,
    pub atom: String,
    pub json: String,
}

impl FeedUrls {
    /// The three feeds next to `prefix` (`https://host` or `https://host/blog/tag/x`).
    pub fn under(prefix: &str) -> Self {
        FeedUrls {
            rss: format!("{prefix}/{}", Format::Rss.file_name()),
            atom: format!("{prefix}/{}", Format::Atom.file_name()),
            json: format!("{prefix}/{}", Format::Json.file_name()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// "James Taggart, MD"
    pub name: String,
    pub url: String,
}

/// A category or tag of an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub name: String,
    /// Its archive page.
    pub url: String,
    /// The archive pages of its kind (`https://host/blog/tag/`), the Atom `scheme`.
    pub scheme: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Stable across slug changes: a `tag:` URI (RFC 4151).
    pub id: String,
    pub url: String,
    pub title: String,
    /// The excerpt, plain text.
    pub summary: String,
    /// The whole article, sanitised, with absolute URLs.
    pub content_html: String,
    pub image: Option<String>,
    pub published: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub author: Option<Person>,
    /// Category first, then tags.
    pub terms: Vec<Term>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Rss,
    Atom,
    Json,
}

impl Format {
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Rss => "feed.xml",
            Format::Atom => "atom.xml",
            Format::Json => "feed.json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Json => "application/feed+json; charset=utf-8",
        }
    }

    /// The words after the feed's title in `<link rel="alternate" title=…>`.
    pub fn label(self) -> &'static str {
        match self {
            Format::Rss => "RSS",
            Format::Atom => "Atom",
            Format::Json => "JSON Feed",
        }
    }
}

/// The document in `format`.
pub fn render(feed: &Feed, format: Format) -> String {
    match format {
        Format::Rss => rss(feed),
        Format::Atom => atom(feed),
        Format::Json => json(feed),
    }
}

/// RFC 822 (as RSS 2.0 asks, with a four-digit year): `Tue, 03 Jun 2025 09:00:00 +0000`.
pub fn rfc822(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// RFC 3339 in UTC, whole seconds: `2025-06-03T09:00:00Z`.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A `tag:` URI for a post (RFC 4151): the clinic's host name (without a
/// port), the day the post was created, its clinic and id. It survives a
/// slug change, so readers do not show a renamed article twice.
pub fn post_id(base_url: &str, created: DateTime<Utc>, clinic_slug: &str, post_id: i32) -> String {
    let host = base_url.split_once("://").map_or(base_url, |(_, rest)| rest);
    let host = host.split(['/', ':']).next().unwrap_or(host);
    format!("tag:{host},{}:{clinic_slug}/post/{post_id}", created.format("%Y-%m-%d"))
}

/// Characters XML 1.0 cannot carry at all (most C0 controls, U+FFFE,
/// U+FFFF) are dropped; escaping cannot save them.
pub fn xml_safe(s: &str) -> std::borrow::Cow<'_, str> {
    fn allowed(c: char) -> bool {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
    }
    if s.chars().all(allowed) { s.into() } else { s.chars().filter(|&c| allowed(c)).collect::<String>().into() }
}

type W = Writer<Vec<u8>>;

fn text(w: &mut W, name: &str, value: &str) -> std::io::Result<()> {
    w.create_element(name).write_text_content(BytesText::new(&xml_safe(value)))?;
    Ok(())
}

fn finish(w: W) -> String {
    // quick-xml writes only what it was given as `&str`: always UTF-8.
    String::from_utf8(w.into_inner()).unwrap_or_default()
}

/// In-memory writes cannot fail; a failure would be a bug in this file.
fn written(r: std::io::Result<()>) {
    if let Err(e) = r {
        tracing::error!(error = %e, "writing a feed in memory failed");
    }
}

/// RSS 2.0 with `content:encoded` (the full article), `dc:creator` (RSS's
/// own `author` must be an e-mail address) and an `atom:link rel="self"`.
pub fn rss(feed: &Feed) -> String {
    let mut w = Writer::new(Vec::with_capacity(16 * 1024));
    written((|| {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.create_element("rss")
            .with_attributes([
                ("version", "2.0"),
                ("xmlns:atom", "http://www.w3.org/2005/Atom"),
                ("xmlns:content", "http://purl.org/rss/1.0/modules/content/"),
                ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
            ])
            .write_inner_content(|w| {
                w.create_element("channel").write_inner_content(|w| {
                    text(w, "title", &feed.title)?;
                    text(w, "link", &feed.home_url)?;
                    let description = if feed.description.is_empty() { &feed.title } else { &feed.description };
                    text(w, "description", description)?;
                    text(w, "language", "en")?;
                    w.create_element("atom:link")
                        .with_attributes([
                            ("href", xml_safe(&feed.urls.rss).as_ref()),
                            ("rel", "self"),
                            ("type", "application/rss+xml"),
                        ])
                        .write_empty()?;
                    if !feed.items.is_empty() {
                        text(w, "lastBuildDate", &rfc822(feed.updated))?;
                    }
                    text(w, "generator", "Clinicpress")?;
                    if let Some(icon) = &feed.icon {
                        w.create_element("image").write_inner_content(|w| {
                            text(w, "url", icon)?;
                            text(w, "title", &feed.title)?;
                            text(w, "link", &feed.home_url)
                        })?;
                    }
                    for item in &feed.items {
                        w.create_element("item").write_inner_content(|w| {
                            text(w, "title", &item.title)?;
                            text(w, "link", &item.url)?;
                            w.create_element("guid")
                                .with_attribute(("isPermaLink", "false"))
                                .write_text_content(BytesText::new(&xml_safe(&item.id)))?;
                            text(w, "pubDate", &rfc822(item.published))?;
                            if let Some(a) = &item.author {
                                text(w, "dc:creator", &a.name)?;
                            }
                            for t in &item.terms {
                                text(w, "category", &t.name)?;
                            }
                            text(w, "description", &item.summary)?;
                            text(w, "content:encoded", &item.content_html)
                        })?;
                    }
                    Ok(())
                })?;
                Ok(())
            })?;
        Ok(())
    })());
    finish(w)
}

fn person(w: &mut W, p: &Person) -> std::io::Result<()> {
    w.create_element("author").write_inner_content(|w| {
        text(w, "name", &p.name)?;
        text(w, "uri", &p.url)
    })?;
    Ok(())
}

fn link(w: &mut W, rel: &str, kind: &str, href: &str) -> std::io::Result<()> {
    w.create_element("link")
        .with_attributes([("rel", rel), ("type", kind), ("href", &xml_safe(href))])
        .write_empty()?;
    Ok(())
}

/// Atom 1.0 (RFC 4287): the article as escaped HTML in `<content type="html">`.
pub fn atom(feed: &Feed) -> String {
    let mut w = Writer::new(Vec::with_capacity(16 * 1024));
    written((|| {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.create_element("feed")
            .with_attributes([("xmlns", "http://www.w3.org/2005/Atom"), ("xml:lang", "en")])
            .write_inner_content(|w| {
                text(w, "id", &feed.urls.atom)?;
                text(w, "title", &feed.title)?;
                if !feed.description.is_empty() {
                    text(w, "subtitle", &feed.description)?;
                }
                text(w, "updated", &rfc3339(feed.updated))?;
                link(w, "alternate", "text/html", &feed.home_url)?;
                link(w, "self", "application/atom+xml", &feed.urls.atom)?;
                person(w, &feed.publisher)?;
                text(w, "generator", "Clinicpress")?;
                if let Some(icon) = &feed.icon {
                    text(w, "logo", icon)?;
                }
                for item in &feed.items {
                    w.create_element("entry").write_inner_content(|w| {
                        text(w, "id", &item.id)?;
                        text(w, "title", &item.title)?;
                        link(w, "alternate", "text/html", &item.url)?;
                        text(w, "published", &rfc3339(item.published))?;
                        text(w, "updated", &rfc3339(item.updated))?;
                        if let Some(a) = &item.author {
                            person(w, a)?;
                        }
                        for t in &item.terms {
                            w.create_element("category")
                                .with_attributes([
                                    ("term", xml_safe(&t.name).as_ref()),
                                    ("scheme", xml_safe(&t.scheme).as_ref()),
                                ])
                                .write_empty()?;
                        }
                        if !item.summary.is_empty() {
                            text(w, "summary", &item.summary)?;
                        }
                        w.create_element("content")
                            .with_attribute(("type", "html"))
                            .write_text_content(BytesText::new(&xml_safe(&item.content_html)))?;
                        Ok(())
                    })?;
                }
                Ok(())
            })?;
        Ok(())
    })());
    finish(w)
}

#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    icon: Option<&'a str>,
    language: &'static str,
    authors: [JsonAuthor<'a>; 1],
    items: Vec<JsonItem<'a>>,
}

#[derive(Serialize)]
struct JsonAuthor<'a> {
    name: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: &'a str,
    url: &'a str,
    title: &'a str,
    content_html: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    summary: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    date_published: String,
    date_modified: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<JsonAuthor<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<&'a str>,
}

/// JSON Feed 1.1 (<https://jsonfeed.org/version/1.1>).
pub fn json(feed: &Feed) -> String {
    let doc = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: &feed.title,
        home_page_url: &feed.home_url,
        feed_url: &feed.urls.json,
        description: &feed.description,
        icon: feed.icon.as_deref(),
        language: "en",
        authors: [JsonAuthor { name: &feed.publisher.name, url: &feed.publisher.url }],
        items: feed
            .items
            .iter()
            .map(|i| JsonItem {
                id: &i.id,
                url: &i.url,
                title: &i.title,
                content_html: &i.content_html,
                summary: &i.summary,
                image: i.image.as_deref(),
                date_published: rfc3339(i.published),
                date_modified: rfc3339(i.updated),
                authors: i.author.iter().map(|a| JsonAuthor { name: &a.name, url: &a.url }).collect(),
                tags: i.terms.iter().map(|t| t.name.as_str()).collect(),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::TimeZone;
    use quick_xml::Reader;
    use quick_xml::events::Event;

    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 5, 9).unwrap()
    }

    fn sample(items: Vec<Item>) -> Feed {
        Feed {
            title: "Aches & <Pains> Clinic".into(),
            description: "Notes \"from\" our team".into(),
            home_url: "https://www.pmc.example/".into(),
            urls: FeedUrls::under("https://www.pmc.example"),
            publisher: Person { name: "Aches & <Pains> Clinic".into(), url: "https://www.pmc.example/".into() },
            icon: None,
            updated: items.first().map_or(at(2025, 1, 1, 0), |i| i.updated),
            items,
        }
    }

    fn item() -> Item {
        Item {
            id: post_id("https://www.pmc.example", at(2025, 3, 2, 8), "pmc", 7),
            url: "https://www.pmc.example/blog/fees".into(),
            title: "Fees & <costs> \u{1}explained".into(),
            summary: "What R&D costs < you think".into(),
            content_html: "<p>See <a href=\"https://www.pmc.example/locations\">our offices</a> &amp; more</p>".into(),
            image: Some("https://www.pmc.example/media/a.jpg".into()),
            published: at(2025, 3, 2, 9),
            updated: at(2025, 4, 10, 17),
            author: Some(Person { name: "Ann Lee, MD".into(), url: "https://www.pmc.example/blog/author/ann".into() }),
            terms: vec![Term {
                name: "Costs & billing".into(),
                url: "https://www.pmc.example/blog/category/costs".into(),
                scheme: "https://www.pmc.example/blog/category/".into(),
            }],
        }
    }

    /// Every element's text (unescaped) with its name, in the order the
    /// elements close; panics if the XML is not well formed.
    pub(crate) fn texts(xml: &str) -> Vec<(String, String)> {
        let mut reader = Reader::from_str(xml);
        let mut stack: Vec<(String, String)> = Vec::new();
        let mut out = Vec::new();
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) => stack.push((e.name().as_ref().to_string(), String::new())),
                Event::End(_) => {
                    let (name, text) = stack.pop().expect("balanced");
                    if !text.trim().is_empty() {
                        out.push((name, text));
                    }
                }
                Event::Text(t) => {
                    if let Some((_, buf)) = stack.last_mut() {
                        buf.push_str(&t.xml10_content());
                    }
                }
                Event::GeneralRef(r) => {
                    // `&amp;` and friends arrive as their own events.
                    let ch = match r.resolve_char_ref().expect("a valid character reference") {
                        Some(c) => c.to_string(),
                        None => quick_xml::escape::resolve_predefined_entity(&r).expect("a predefined entity").into(),
                    };
                    if let Some((_, buf)) = stack.last_mut() {
                        buf.push_str(&ch);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert!(stack.is_empty(), "every element closed");
        out
    }

    fn text_of<'a>(t: &'a [(String, String)], name: &str) -> Vec<&'a str> {
        t.iter().filter(|(n, _)| n == name).map(|(_, s)| s.as_str()).collect()
    }

    #[test]
    fn dates() {
        assert_eq!(rfc822(at(2025, 3, 2, 9)), "Sun, 02 Mar 2025 09:05:09 +0000");
        assert_eq!(rfc3339(at(2025, 3, 2, 9)), "2025-03-02T09:05:09Z");
        let with_nanos = at(2025, 3, 2, 9) + chrono::Duration::nanoseconds(123_456);
        assert_eq!(rfc3339(with_nanos), "2025-03-02T09:05:09Z");
    }

    #[test]
    fn post_ids_are_tag_uris_without_ports() {
        assert_eq!(
            post_id("http://pmc.localhost:3000", at(2025, 3, 2, 9), "pmc", 7),
            "tag:pmc.localhost,2025-03-02:pmc/post/7"
        );
        assert_eq!(
            post_id("https://www.pmc.example", at(2025, 3, 2, 9), "pmc", 7),
            "tag:www.pmc.example,2025-03-02:pmc/post/7"
        );
    }

    #[test]
    fn rss_escapes_and_parses() {
        let xml = rss(&sample(vec![item()]));
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        assert!(xml.contains("<title>Aches &amp; &lt;Pains&gt; Clinic</title>"), "{xml}");
        assert!(!xml.contains('\u{1}'), "control characters dropped");
        let t = texts(&xml);
        assert_eq!(text_of(&t, "title"), ["Aches & <Pains> Clinic", "Fees & <costs> explained"]);
        assert_eq!(text_of(&t, "pubDate"), ["Sun, 02 Mar 2025 09:05:09 +0000"]);
        assert_eq!(text_of(&t, "lastBuildDate"), ["Thu, 10 Apr 2025 17:05:09 +0000"]);
        assert_eq!(text_of(&t, "link"), ["https://www.pmc.example/", "https://www.pmc.example/blog/fees"]);
        assert_eq!(text_of(&t, "dc:creator"), ["Ann Lee, MD"]);
        assert_eq!(text_of(&t, "category"), ["Costs & billing"]);
        assert_eq!(text_of(&t, "guid"), ["tag:www.pmc.example,2025-03-02:pmc/post/7"]);
        let content = text_of(&t, "content:encoded");
        assert_eq!(content, ["<p>See <a href=\"https://www.pmc.example/locations\">our offices</a> &amp; more</p>"]);
        assert!(xml.contains("<atom:link href=\"https://www.pmc.example/feed.xml\" rel=\"self\""));
    }

    #[test]
    fn atom_escapes_and_parses() {
        let xml = atom(&sample(vec![item()]));
        let t = texts(&xml);
        assert_eq!(text_of(&t, "title"), ["Aches & <Pains> Clinic", "Fees & <costs> explained"]);
        assert_eq!(text_of(&t, "updated"), ["2025-04-10T17:05:09Z", "2025-04-10T17:05:09Z"]);
        assert_eq!(text_of(&t, "published"), ["2025-03-02T09:05:09Z"]);
        assert_eq!(text_of(&t, "id")[0], "https://www.pmc.example/atom.xml");
        assert_eq!(text_of(&t, "name"), ["Aches & <Pains> Clinic", "Ann Lee, MD"]);
        assert!(xml.contains("term=\"Costs &amp; billing\""), "{xml}");
        assert!(xml.contains("<content type=\"html\">&lt;p&gt;See &lt;a href="), "{xml}");
        assert!(
            xml.contains(
                "<link rel=\"self\" type=\"application/atom+xml\" href=\"https://www.pmc.example/atom.xml\"/>"
            )
        );
    }

    #[test]
    fn json_feed_has_the_required_fields() {
        let doc: serde_json::Value = serde_json::from_str(&json(&sample(vec![item()]))).unwrap();
        assert_eq!(doc["version"], "https://jsonfeed.org/version/1.1");
        assert_eq!(doc["title"], "Aches & <Pains> Clinic");
        assert_eq!(doc["feed_url"], "https://www.pmc.example/feed.json");
        let i = &doc["items"][0];
        assert_eq!(i["id"], "tag:www.pmc.example,2025-03-02:pmc/post/7");
        assert_eq!(i["title"], "Fees & <costs> \u{1}explained", "JSON escapes control characters itself");
        assert_eq!(i["date_published"], "2025-03-02T09:05:09Z");
        assert_eq!(i["date_modified"], "2025-04-10T17:05:09Z");
        assert_eq!(i["authors"][0]["name"], "Ann Lee, MD");
        assert_eq!(i["tags"][0], "Costs & billing");
        assert_eq!(i["image"], "https://www.pmc.example/media/a.jpg");
        assert!(i["content_html"].as_str().unwrap().contains("https://www.pmc.example/locations"));
    }

    #[test]
    fn empty_feeds_are_valid_documents() {
        let feed = sample(vec![]);
        let rss_xml = rss(&feed);
        let t = texts(&rss_xml);
        assert_eq!(text_of(&t, "title"), ["Aches & <Pains> Clinic"]);
        assert!(!rss_xml.contains("<item>") && !rss_xml.contains("lastBuildDate"));
        let atom_xml = atom(&feed);
        let t = texts(&atom_xml);
        assert_eq!(text_of(&t, "updated"), ["2025-01-01T00:05:09Z"], "Atom requires <updated> even when empty");
        assert!(!atom_xml.contains("<entry>"));
        let doc: serde_json::Value = serde_json::from_str(&json(&feed)).unwrap();
        assert_eq!(doc["items"], serde_json::json!([]));
    }

    #[test]
    fn empty_description_falls_back_to_the_title_in_rss() {
        let mut feed = sample(vec![]);
        feed.description.clear();
        let t = texts(&rss(&feed));
        assert_eq!(text_of(&t, "description"), ["Aches & <Pains> Clinic"]);
    }
}
