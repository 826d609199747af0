//! A streaming reader of WordPress eXtended RSS (WXR) exports, the file
//! WordPress writes under Tools → Export.
//!
//! The file is read one XML event at a time (quick-xml) and handed out one
//! author or item at a time, so memory stays bounded whatever the file's
//! size: at most one item's text is held, one XML text run may not exceed
//! [`MAX_EVENT_BYTES`] and one item's text may not exceed [`MAX_ITEM_BYTES`].
//!
//! Entities are never expanded. Only XML's five predefined entities and
//! numeric character references are understood; a DOCTYPE declaring
//! entities (the "billion laughs" XML bomb and its relatives) refuses the
//! whole file, and an item using an undefined entity is reported as a bad
//! item while the items around it are still read.

use std::io::{self, BufRead, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use quick_xml::Reader;
use quick_xml::errors::{Error as XmlError, SyntaxError};
use quick_xml::events::{BytesStart, Event};

/// Largest single run of text (or CDATA section, or tag) read at once.
pub const MAX_EVENT_BYTES: u64 = 64 * 1024 * 1024;
/// Largest total text of one item; a bigger item is skipped with a reason.
pub const MAX_ITEM_BYTES: usize = 8 * 1024 * 1024;
/// Largest single tag (name and attributes); a bigger one stops the file.
pub const MAX_TAG_BYTES: usize = 64 * 1024;
/// Deepest element nesting accepted (WXR needs six).
const MAX_DEPTH: usize = 48;

/// An author listed in the export's header (`<wp:author>`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WpAuthor {
    pub login: String,
    pub email: String,
    pub display_name: String,
    pub first_name: String,
    pub last_name: String,
}

/// A category or tag of an item, as `<category domain nicename>Name</category>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WpTerm {
    pub nicename: String,
    pub name: String,
}

/// One `<item>`: a post, page, attachment or any other post type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WpItem {
    pub title: String,
    pub link: String,
    pub pub_date: String,
    pub creator: String,
    pub guid: String,
    pub content: String,
    pub excerpt: String,
    pub post_id: Option<i64>,
    pub post_date: String,
    pub post_date_gmt: String,
    pub modified_gmt: String,
    pub post_name: String,
    pub status: String,
    pub post_type: String,
    pub post_parent: Option<i64>,
    pub attachment_url: String,
    pub categories: Vec<WpTerm>,
    pub tags: Vec<WpTerm>,
}

impl WpItem {
    /// How the summary names this item: its title and WordPress id.
    pub fn label(&self) -> String {
        label(self.title.trim(), self.post_id)
    }
}

fn label(title: &str, post_id: Option<i64>) -> String {
    match (title.is_empty(), post_id) {
        (false, Some(id)) => format!("\"{title}\" (WordPress post {id})"),
        (false, None) => format!("\"{title}\""),
        (true, Some(id)) => format!("WordPress post {id} (no title)"),
        (true, None) => "an item with no title and no id".to_string(),
    }
}

/// What the reader hands out, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// The blog's address (`<wp:base_blog_url>`, else the channel's `<link>`).
    SiteUrl(String),
    Author(WpAuthor),
    Item(Box<WpItem>),
    /// An item that could not be read; the reader goes on with the next one.
    BadItem {
        label: String,
        reason: String,
    },
}

/// A problem that stops the reading of the file. Entries handed out before
/// it stay valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WxrError {
    #[error("cannot read the file: {0}")]
    Io(String),
    #[error(
        "the file declares XML entities in a DOCTYPE; WordPress exports never do, and entities are never expanded here (an \"XML bomb\" looks like this), so the file is refused"
    )]
    Entities,
    #[error("this is not a WordPress export: {0}")]
    NotWxr(String),
    #[error("the file is cut short at byte {position} (inside {inside}); everything before that point was read")]
    Truncated { position: u64, inside: String },
    #[error("the XML is malformed at byte {position}: {message}")]
    Malformed { position: u64, message: String },
    #[error("a single piece of text at byte {position} is larger than {} MB; the rest of the file cannot be read", MAX_EVENT_BYTES / 1024 / 1024)]
    TooLarge { position: u64 },
    #[error("a tag at byte {position} is larger than {} KB (WordPress writes short tags); the rest of the file cannot be read", MAX_TAG_BYTES / 1024)]
    TagTooLarge { position: u64 },
}

/// A `BufRead` that counts the bytes consumed (for progress) and refuses to
/// hand quick-xml more than [`MAX_EVENT_BYTES`] for one event.
struct Counted<R> {
    inner: R,
    consumed: u64,
    event_start: u64,
    limit: u64,
    tripped: bool,
    progress: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed += n as u64;
        self.progress.store(self.consumed, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.consumed - self.event_start > self.limit {
            self.tripped = true;
            return Err(io::Error::other("event too large"));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
        self.consumed += amt as u64;
        self.progress.store(self.consumed, Ordering::Relaxed);
    }
}

/// Which field the text being collected belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    None,
    Channel,
    Author,
    Item,
}

/// Reads entries from a WXR export; an iterator of `Result<Entry, WxrError>`
/// that ends after the first error.
pub struct WxrReader<R: BufRead> {
    reader: Reader<Counted<R>>,
    buf: Vec<u8>,
    stack: Vec<String>,
    text: String,
    text_too_big: bool,
    item: Option<WpItem>,
    item_bytes: usize,
    item_error: Option<String>,
    author: Option<WpAuthor>,
    term_attrs: Option<(String, String)>,
    site_url_sent: bool,
    channel_link: String,
    done: bool,
}

impl<R: BufRead> WxrReader<R> {
    /// A reader over `input`; `progress` is set to the bytes read so far.
    pub fn new(input: R, progress: Arc<AtomicU64>) -> Self {
        let counted =
            Counted { inner: input, consumed: 0, event_start: 0, limit: MAX_EVENT_BYTES, tripped: false, progress };
        let mut reader = Reader::from_reader(counted);
        let config = reader.config_mut();
        config.trim_text(false);
        config.check_end_names = true;
        config.expand_empty_elements = true;
        WxrReader {
            reader,
            buf: Vec::with_capacity(64 * 1024),
            stack: Vec::new(),
            text: String::new(),
            text_too_big: false,
            item: None,
            item_bytes: 0,
            item_error: None,
            author: None,
            term_attrs: None,
            site_url_sent: false,
            channel_link: String::new(),
            done: false,
        }
    }

    fn offset(&self) -> u64 {
        self.reader.buffer_position()
    }

    fn inside(&self) -> String {
        if self.stack.is_empty() { "the document".to_string() } else { self.stack.join(" > ") }
    }

    fn field(&self) -> Field {
        if self.item.is_some() {
            // Comments on the post are not imported: their text is not kept.
            if self.stack.iter().any(|n| n == "wp:comment" || n == "wp:postmeta") {
                return Field::None;
            }
            return Field::Item;
        }
        if self.author.is_some() {
            return Field::Author;
        }
        if self.stack.len() == 3 && self.stack[1] == "channel" {
            return Field::Channel;
        }
        Field::None
    }

    fn push_text(&mut self, s: &str) {
        if self.field() == Field::None {
            return;
        }
        if self.item.is_some() {
            if !self.charge(s.len()) {
                self.text_too_big = true;
                return;
            }
        } else if self.text.len() + s.len() > 64 * 1024 {
            // Header fields are short; a huge one is cut, not kept.
            self.text_too_big = true;
            return;
        }
        self.text.push_str(s);
    }

    /// Count `n` bytes against the current item's budget; false (and the
    /// item marked as failed) once it is over.
    fn charge(&mut self, n: usize) -> bool {
        self.item_bytes = self.item_bytes.saturating_add(n);
        if self.item_bytes > MAX_ITEM_BYTES {
            if self.item_error.is_none() {
                self.item_error = Some(format!(
                    "the item is larger than {} MB of text; it was skipped",
                    MAX_ITEM_BYTES / 1024 / 1024
                ));
            }
            return false;
        }
        true
    }

    fn start(&mut self, e: &BytesStart<'_>) -> Result<Option<Entry>, WxrError> {
        if e.len() > MAX_TAG_BYTES {
            return Err(WxrError::TagTooLarge { position: self.reader.get_ref().event_start });
        }
        let name = e.name().as_ref().to_string();
        if self.stack.is_empty() {
            if name != "rss" {
                return Err(WxrError::NotWxr(format!("the document starts with <{name}>, not <rss>")));
            }
            let has_wp = e.attributes().flatten().any(|a| a.key.as_ref().starts_with("xmlns:wp"));
            if !has_wp {
                return Err(WxrError::NotWxr(
                    "an RSS feed without the WordPress export namespace (xmlns:wp)".to_string(),
                ));
            }
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(WxrError::Malformed {
                position: self.offset(),
                message: format!("elements are nested more than {MAX_DEPTH} deep"),
            });
        }
        let mut out = None;
        let depth = self.stack.len();
        if depth == 2 && self.stack[1] == "channel" {
            match name.as_str() {
                "item" => {
                    out = self.site_url_entry();
                    self.item = Some(WpItem::default());
                    self.item_bytes = 0;
                    self.item_error = None;
                }
                "wp:author" => {
                    out = self.site_url_entry();
                    self.author = Some(WpAuthor::default());
                }
                _ => {}
            }
        }
        // The tag's name and attributes count against the item's budget
        // (its end tag repeats the name, which quick-xml keeps meanwhile).
        if self.item.is_some() {
            self.charge(2 * e.len());
        }
        if self.item.is_some() && depth == 3 && name == "category" && self.item_error.is_none() {
            let mut domain = String::new();
            let mut nicename = String::new();
            for a in e.attributes().flatten() {
                let value =
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map(|v| v.into_owned()).unwrap_or_default();
                match a.key.as_ref() {
                    "domain" => domain = value,
                    "nicename" => nicename = value,
                    _ => {}
                }
            }
            self.term_attrs = Some((domain, nicename));
        }
        self.stack.push(name);
        self.text.clear();
        self.text_too_big = false;
        Ok(out)
    }

    fn site_url_entry(&mut self) -> Option<Entry> {
        if self.site_url_sent {
            return None;
        }
        self.site_url_sent = true;
        let url = std::mem::take(&mut self.channel_link);
        (!url.trim().is_empty()).then(|| Entry::SiteUrl(url.trim().to_string()))
    }

    fn end(&mut self) -> Option<Entry> {
        let name = self.stack.pop()?;
        let depth = self.stack.len();
        let text = std::mem::take(&mut self.text);
        if depth == 2 && name == "item" {
            let item = self.item.take().unwrap_or_default();
            if let Some(reason) = self.item_error.take() {
                return Some(Entry::BadItem { label: item.label(), reason });
            }
            return Some(Entry::Item(Box::new(item)));
        }
        if depth == 2 && name == "wp:author" {
            return self.author.take().map(Entry::Author);
        }
        if depth == 2 {
            match name.as_str() {
                "wp:base_blog_url" => self.channel_link = text,
                "link" if self.channel_link.is_empty() => self.channel_link = text,
                _ => {}
            }
            return None;
        }
        if depth == 3
            && let Some(author) = self.author.as_mut()
        {
            match name.as_str() {
                "wp:author_login" => author.login = text,
                "wp:author_email" => author.email = text,
                "wp:author_display_name" => author.display_name = text,
                "wp:author_first_name" => author.first_name = text,
                "wp:author_last_name" => author.last_name = text,
                _ => {}
            }
            return None;
        }
        if depth == 3
            && let Some(item) = self.item.as_mut()
        {
            let id = |s: &str| s.trim().parse::<i64>().ok();
            match name.as_str() {
                "title" => item.title = text,
                "link" => item.link = text,
                "pubDate" => item.pub_date = text,
                "dc:creator" => item.creator = text,
                "guid" => item.guid = text,
                "content:encoded" => item.content = text,
                "excerpt:encoded" => item.excerpt = text,
                "wp:post_id" => item.post_id = id(&text),
                "wp:post_date" => item.post_date = text,
                "wp:post_date_gmt" => item.post_date_gmt = text,
                "wp:post_modified_gmt" => item.modified_gmt = text,
                "wp:post_name" => item.post_name = text,
                "wp:status" => item.status = text,
                "wp:post_type" => item.post_type = text,
                "wp:post_parent" => item.post_parent = id(&text),
                "wp:attachment_url" => item.attachment_url = text,
                "category" => {
                    let (domain, nicename) = self.term_attrs.take().unwrap_or_default();
                    let term = WpTerm { nicename, name: text };
                    match domain.as_str() {
                        "category" => item.categories.push(term),
                        "post_tag" => item.tags.push(term),
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        None
    }

    fn entity(&mut self, name: &str) {
        let resolved = match name {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "apos" => Some('\''),
            "quot" => Some('"'),
            _ => None,
        };
        match resolved {
            Some(c) => self.push_text(c.encode_utf8(&mut [0; 4])),
            None => {
                if self.item.is_some() && self.item_error.is_none() {
                    self.item_error = Some(format!(
                        "it uses the entity &{name}; which XML does not define (entities are never expanded)"
                    ));
                }
            }
        }
    }

    /// The next entry, or the error that ends the file.
    fn step(&mut self) -> Result<Option<Entry>, WxrError> {
        loop {
            {
                let counted = self.reader.get_mut();
                counted.event_start = counted.consumed;
            }
            if self.buf.capacity() > 1024 * 1024 {
                self.buf = Vec::with_capacity(64 * 1024);
            }
            self.buf.clear();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(e) => e.into_owned(),
                Err(e) => return Err(self.error(e)),
            };
            let entry = match event {
                Event::Start(e) => self.start(&e)?,
                Event::End(e) => {
                    if e.len() > MAX_TAG_BYTES {
                        return Err(WxrError::TagTooLarge { position: self.reader.get_ref().event_start });
                    }
                    self.end()
                }
                Event::Empty(_) => None,
                Event::Text(t) => {
                    let raw = t.xml10_content();
                    match quick_xml::escape::unescape(&raw) {
                        Ok(s) => self.push_text(&s),
                        Err(e) => self.bad_text(e.to_string()),
                    }
                    None
                }
                Event::CData(c) => {
                    let s = c.xml10_content();
                    self.push_text(&s);
                    None
                }
                Event::GeneralRef(r) => {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => self.push_text(c.encode_utf8(&mut [0; 4])),
                        Ok(None) => {
                            let name = r.xml10_content().into_owned();
                            self.entity(&name);
                        }
                        Err(e) => self.bad_text(e.to_string()),
                    }
                    None
                }
                Event::DocType(d) => {
                    if d.to_ascii_uppercase().contains("<!ENTITY") {
                        return Err(WxrError::Entities);
                    }
                    None
                }
                Event::Eof => {
                    if !self.stack.is_empty() {
                        return Err(self.truncated());
                    }
                    if self.stack.is_empty() && !self.site_url_sent && self.offset() == 0 {
                        return Err(WxrError::NotWxr("the file is empty".to_string()));
                    }
                    return Ok(self.site_url_entry());
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) => None,
            };
            if let Some(entry) = entry {
                return Ok(Some(entry));
            }
        }
    }

    fn bad_text(&mut self, reason: String) {
        if self.item.is_some() && self.item_error.is_none() {
            self.item_error = Some(format!("its text cannot be read: {reason}"));
        }
    }

    fn truncated(&self) -> WxrError {
        WxrError::Truncated { position: self.offset(), inside: self.inside_label() }
    }

    fn inside_label(&self) -> String {
        match &self.item {
            Some(item) => format!("{} of the item {}", self.inside(), item.label()),
            None => self.inside(),
        }
    }

    fn error(&self, e: XmlError) -> WxrError {
        if self.reader.get_ref().tripped {
            return WxrError::TooLarge { position: self.reader.get_ref().event_start };
        }
        // quick-xml reports an unclosed construct only when the input ends inside it.
        match e {
            XmlError::Syntax(
                SyntaxError::UnclosedPI
                | SyntaxError::UnclosedXmlDecl
                | SyntaxError::UnclosedComment
                | SyntaxError::UnclosedDoctype
                | SyntaxError::UnclosedCData
                | SyntaxError::UnclosedTag
                | SyntaxError::UnclosedSingleQuotedAttributeValue
                | SyntaxError::UnclosedDoubleQuotedAttributeValue,
            ) => self.truncated(),
            XmlError::Io(io) => WxrError::Io(io.to_string()),
            other => WxrError::Malformed {
                position: self.reader.error_position(),
                message: format!("{other} (inside {})", self.inside_label()),
            },
        }
    }
}

impl<R: BufRead> Iterator for WxrReader<R> {
    type Item = Result<Entry, WxrError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.step() {
            Ok(Some(entry)) => Some(Ok(entry)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(xml: &str) -> Vec<Result<Entry, WxrError>> {
        WxrReader::new(xml.as_bytes(), Arc::default()).collect()
    }

    const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Old site</title><link>https://old.example</link>
<wp:base_blog_url>https://old.example/news</wp:base_blog_url>
<wp:author><wp:author_id>2</wp:author_id><wp:author_login><![CDATA[ann]]></wp:author_login><wp:author_display_name><![CDATA[Ann Lee & co]]></wp:author_display_name></wp:author>
"#;

    fn item(title: &str, extra: &str) -> String {
        format!(
            "<item><title>{title}</title><link>https://old.example/a/</link><dc:creator><![CDATA[ann]]></dc:creator><guid isPermaLink=\"false\">https://old.example/?p=7</guid><content:encoded><![CDATA[<p>Hi & bye</p>]]></content:encoded><wp:post_id>7</wp:post_id><wp:post_name><![CDATA[a]]></wp:post_name><wp:status><![CDATA[publish]]></wp:status><wp:post_type><![CDATA[post]]></wp:post_type><category domain=\"category\" nicename=\"news\"><![CDATA[News]]></category><category domain=\"post_tag\" nicename=\"x-y\"><![CDATA[X & Y]]></category><wp:comment><wp:comment_content><![CDATA[nice]]></wp:comment_content></wp:comment>{extra}</item>\n"
        )
    }

    #[test]
    fn reads_authors_and_items_in_order() {
        let xml = format!("{HEAD}{}{}</channel></rss>", item("One &amp; &#8220;two&#8221;", ""), item("Three", ""));
        let out: Vec<Entry> = read(&xml).into_iter().map(Result::unwrap).collect();
        assert_eq!(out[0], Entry::SiteUrl("https://old.example/news".into()));
        let Entry::Author(a) = &out[1] else { panic!("{out:?}") };
        assert_eq!((a.login.as_str(), a.display_name.as_str()), ("ann", "Ann Lee & co"));
        let Entry::Item(i) = &out[2] else { panic!("{out:?}") };
        assert_eq!(i.title, "One & \u{201c}two\u{201d}");
        assert_eq!(i.content, "<p>Hi & bye</p>");
        assert_eq!(i.post_id, Some(7));
        assert_eq!(i.categories, vec![WpTerm { nicename: "news".into(), name: "News".into() }]);
        assert_eq!(i.tags, vec![WpTerm { nicename: "x-y".into(), name: "X & Y".into() }]);
        assert_eq!(i.guid, "https://old.example/?p=7");
        assert!(matches!(&out[3], Entry::Item(i) if i.title == "Three"));
        assert_eq!(out.len(), 4);
    }

    #[test]
    fn an_undefined_entity_fails_its_item_only() {
        let xml = format!("{HEAD}{}{}</channel></rss>", item("Bad &nbsp; one", ""), item("Good", ""));
        let out: Vec<Entry> = read(&xml).into_iter().map(Result::unwrap).collect();
        assert!(
            matches!(&out[2], Entry::BadItem { reason, .. } if reason.contains("&nbsp;") && reason.contains("never expanded")),
            "{out:?}"
        );
        assert!(matches!(&out[3], Entry::Item(i) if i.title == "Good"));
    }

    #[test]
    fn refuses_entity_declarations() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><rss xmlns:wp="x"><channel><item><title>&b;</title></item></channel></rss>"#;
        let out = read(bomb);
        assert_eq!(out, vec![Err(WxrError::Entities)]);
        // A DOCTYPE without entities is ignored.
        let plain = format!("<!DOCTYPE rss>{}", &HEAD[HEAD.find("<rss").unwrap()..]);
        let out = read(&format!("{plain}{}</channel></rss>", item("T", "")));
        assert!(out.iter().all(Result::is_ok), "{out:?}");
    }

    #[test]
    fn a_cut_file_keeps_what_came_before() {
        let xml = format!("{HEAD}{}{}</channel></rss>", item("First", ""), item("Second", ""));
        let cut = &xml[..xml.find("Second").unwrap() + 20];
        let out = read(cut);
        assert!(matches!(&out[2], Ok(Entry::Item(i)) if i.title == "First"));
        let last = out.last().unwrap();
        assert!(matches!(last, Err(WxrError::Truncated { inside, .. }) if inside.contains("Second")), "{last:?}");
        // Cut in the middle of a tag.
        let cut = &xml[..xml.find("<wp:post_name>").unwrap() + 5];
        assert!(matches!(read(cut).last().unwrap(), Err(WxrError::Truncated { .. })));
    }

    #[test]
    fn rejects_what_is_not_an_export() {
        assert!(matches!(read("<html><body/></html>")[0], Err(WxrError::NotWxr(_))));
        assert!(matches!(read("<rss><channel/></rss>")[0], Err(WxrError::NotWxr(_))));
        assert!(matches!(read("")[0], Err(WxrError::NotWxr(_))));
        assert!(matches!(
            read(&format!("{HEAD}<item><title>x</titel></item>")).last().unwrap(),
            Err(WxrError::Malformed { .. })
        ));
    }

    #[test]
    fn attributes_and_names_count_against_the_item_budget() {
        // 200 categories with 50 KB nicenames: 10 MB of attributes, no text.
        let nice = "n".repeat(50 * 1024);
        let cats: String =
            (0..200).map(|i| format!("<category domain=\"post_tag\" nicename=\"{nice}{i}\">t</category>")).collect();
        // Long element names too (nested in postmeta, whose text is not kept).
        let name = format!("x{}", "y".repeat(60 * 1024));
        let meta: String = (0..20).map(|_| format!("<wp:postmeta><{name}>v</{name}></wp:postmeta>")).collect();
        let xml = format!(
            "{HEAD}{}{}{}</channel></rss>",
            item("Fat", &cats),
            item("Names", &meta.repeat(4)),
            item("After", "")
        );
        let out: Vec<Entry> = read(&xml).into_iter().map(Result::unwrap).collect();
        // (Only the kind is printed on failure: the items are megabytes long.)
        let kind = |e: &Entry| if matches!(e, Entry::Item(_)) { "an item" } else { "not an item" };
        assert!(
            matches!(&out[2], Entry::BadItem { reason, .. } if reason.contains("larger than")),
            "{}",
            kind(&out[2])
        );
        assert!(
            matches!(&out[3], Entry::BadItem { reason, .. } if reason.contains("larger than")),
            "{}",
            kind(&out[3])
        );
        assert!(matches!(&out[4], Entry::Item(i) if i.title == "After"));
    }

    #[test]
    fn a_huge_tag_stops_the_file_with_a_clear_error() {
        let attr = "a".repeat(MAX_TAG_BYTES + 1);
        let xml = format!(
            "{HEAD}{}{}</channel></rss>",
            item("First", ""),
            item("Second", &format!("<wp:x v=\"{attr}\">1</wp:x>"))
        );
        let out = read(&xml);
        assert!(matches!(&out[2], Ok(Entry::Item(i)) if i.title == "First"));
        let last = out.last().unwrap();
        assert!(matches!(last, Err(WxrError::TagTooLarge { .. })), "{last:?}");
        assert!(last.as_ref().unwrap_err().to_string().contains("64 KB"));
    }

    #[test]
    fn huge_items_are_skipped_and_huge_text_stops() {
        let big = "x".repeat(MAX_ITEM_BYTES + 10);
        let xml = format!(
            "{HEAD}{}{}</channel></rss>",
            item("Big", &format!("<excerpt:encoded>{big}</excerpt:encoded>")),
            item("After", "")
        );
        let out: Vec<Entry> = read(&xml).into_iter().map(Result::unwrap).collect();
        assert!(matches!(&out[2], Entry::BadItem { reason, .. } if reason.contains("larger than")));
        assert!(matches!(&out[3], Entry::Item(i) if i.title == "After"));
    }
}
