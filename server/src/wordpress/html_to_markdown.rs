//! WordPress post HTML (classic editor or Gutenberg block markup) → the
//! Markdown source Clinicpress stores.
//!
//! 1. WordPress shortcodes with an equivalent are rewritten (`[caption]`
//!    becomes a figure, `[embed]` a link); gallery/audio/video/playlist are
//!    left out with a note.
//! 2. The HTML goes through ammonia with a small allow-list: scripts, styles
//!    and everything that could run or embed code are removed with their
//!    content, as are event handlers and `javascript:` addresses. html5ever
//!    repairs the nesting on the way.
//! 3. The clean HTML is tokenized (html5ever's tokenizer) into a small tree,
//!    which is written out as Markdown: headings, paragraphs, line breaks,
//!    emphasis, links, lists (nested, numbered with their start), quotes,
//!    code blocks, tables and rules. Images become reference-style images
//!    (`![alt][image-1]` with `[image-1]: URL` at the end), still pointing at
//!    their WordPress address. Text is escaped, so no HTML reaches the
//!    Markdown; the Markdown is sanitised again when it is rendered.
//!
//! Classic-editor content has no `<p>` tags: WordPress adds them when it
//! shows a post (`wpautop`). Without Gutenberg block comments, a blank line
//! in text is a paragraph break and a single newline a line break, as there.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};

/// A line break inside a paragraph (private-use character, removed from input text).
const BR: char = '\u{E000}';
/// A paragraph break found in classic-editor text.
const PARA: char = '\u{E001}';

/// The Markdown of a post and what the conversion had to leave out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    pub markdown: String,
    /// Sentences for the import summary ("a script was removed", …).
    pub notes: Vec<String>,
}

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::empty();
    b.add_tags([
        "a",
        "abbr",
        "address",
        "article",
        "aside",
        "b",
        "blockquote",
        "br",
        "center",
        "cite",
        "code",
        "dd",
        "del",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "i",
        "iframe",
        "img",
        "ins",
        "kbd",
        "li",
        "main",
        "mark",
        "nav",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "section",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    ]);
    b.clean_content_tags(HashSet::from(["script", "style", "noscript", "template", "textarea", "select", "button"]));
    b.add_tag_attributes("a", ["href", "title"]);
    b.add_tag_attributes("img", ["src", "alt", "title"]);
    b.add_tag_attributes("iframe", ["src"]);
    b.add_tag_attributes("ol", ["start"]);
    b.add_tag_attributes("pre", ["class"]);
    b.add_tag_attributes("code", ["class"]);
    b.add_tag_attributes("div", ["class"]);
    b.url_schemes(HashSet::from(["http", "https", "mailto", "tel"]));
    b.link_rel(None);
    b.strip_comments(false);
    b
});

/// Convert a post's HTML. `site` is the old blog's address: links to it
/// become site-relative (`/2024/05/slug/`), which the old-permalink
/// redirects then answer.
pub fn convert(html: &str, site: Option<&ammonia::Url>) -> Converted {
    let mut notes = Vec::new();
    let lower = html.to_ascii_lowercase();
    if lower.contains("<script") {
        notes.push("a script was removed".to_string());
    }
    if lower.contains("<iframe") {
        notes.push("an embedded frame became a link".to_string());
    }
    for block in dynamic_blocks(html) {
        notes.push(format!("the block {block} has no saved content and was left out"));
    }
    let classic = !html.contains("<!-- wp:");
    let html = shortcodes(html, &mut notes);
    let clean = CLEANER.clean(&html).to_string();
    let tree = parse(&clean);
    let mut w = Writer { classic, site: site.cloned(), images: Vec::new() };
    let blocks = w.blocks(&tree);
    let mut markdown = join_blocks(&blocks);
    if !w.images.is_empty() {
        markdown.push_str("\n\n");
        for (i, url) in w.images.iter().enumerate() {
            markdown.push_str(&format!("[image-{}]: {}\n", i + 1, destination(url)));
        }
    }
    let markdown = markdown.trim_end().to_string();
    Converted { markdown: if markdown.is_empty() { markdown } else { markdown + "\n" }, notes }
}

/// Gutenberg blocks saved without HTML (`<!-- wp:latest-posts /-->`): they
/// are drawn by PHP at view time, so there is nothing to convert.
fn dynamic_blocks(html: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<!-- wp:") {
        rest = &rest[i + 5..];
        let Some(end) = rest.find("-->") else { break };
        let inner = &rest[..end];
        if inner.trim_end().ends_with('/') {
            let name: String =
                inner.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '/' | '_')).collect();
            let name = name.trim_end_matches('/').to_string();
            if !matches!(name.as_str(), "wp:more" | "wp:nextpage" | "wp:spacer") && !found.contains(&name) {
                found.push(name);
            }
        }
        rest = &rest[end..];
    }
    found
}

/// Rewrite the WordPress shortcodes that have an equivalent; drop the ones
/// that do not (with a note). Other bracketed text is left alone.
fn shortcodes(html: &str, notes: &mut Vec<String>) -> String {
    const DROPPED: [&str; 4] = ["gallery", "audio", "video", "playlist"];
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    // Closers (and a `]`) once found missing are missing in all the rest of
    // the text too: remembered, so that no search is repeated (linear time).
    let mut no_bracket = false;
    let mut no_closer: HashSet<String> = HashSet::new();
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let name: String = rest[1..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let after = rest[1 + name.len()..].chars().next();
        let known = matches!(name.as_str(), "caption" | "wp_caption" | "embed") || DROPPED.contains(&name.as_str());
        let shaped = known && matches!(after, Some(' ' | ']' | '/'));
        let open_end = if shaped && !no_bracket { rest.find(']') } else { None };
        no_bracket |= shaped && open_end.is_none();
        let Some(open_end) = open_end else {
            out.push('[');
            rest = &rest[1..];
            continue;
        };
        let close = format!("[/{name}]");
        let body_start = open_end + 1;
        let found = if no_closer.contains(&name) { None } else { rest[body_start..].find(&close) };
        let (inner, next) = match found {
            Some(j) => (&rest[body_start..body_start + j], body_start + j + close.len()),
            None => {
                no_closer.insert(name.clone());
                ("", body_start)
            }
        };
        match name.as_str() {
            "caption" | "wp_caption" => {
                // The image (maybe inside a link) comes first, the caption text after it.
                let split = inner
                    .to_ascii_lowercase()
                    .find("<img")
                    .and_then(|k| inner[k..].find('>').map(|e| k + e + 1))
                    .map(|e| {
                        let tail = &inner[e..];
                        let trimmed = tail.trim_start();
                        if trimmed.to_ascii_lowercase().starts_with("</a>") {
                            e + (tail.len() - trimmed.len()) + 4
                        } else {
                            e
                        }
                    })
                    .unwrap_or(0);
                out.push_str("<figure>");
                out.push_str(&inner[..split]);
                out.push_str("<figcaption>");
                out.push_str(&inner[split..]);
                out.push_str("</figcaption></figure>");
            }
            "embed" => {
                let url = inner.trim();
                out.push_str(&format!("<p><a href=\"{url}\">{url}</a></p>"));
            }
            _ => {
                let note = format!("the [{name}] shortcode was left out (there is no equivalent here)");
                if !notes.contains(&note) {
                    notes.push(note);
                }
                out.push_str(inner);
            }
        }
        rest = &rest[next..];
    }
    out.push_str(rest);
    out
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    El(El),
    Text(String),
}

#[derive(Debug, Clone, PartialEq)]
struct El {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

impl El {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

const VOID: [&str; 5] = ["br", "hr", "img", "wbr", "col"];

/// Deeper elements are flattened into their ancestor at this depth, so that
/// writing the Markdown (recursive) never runs out of stack on hostile HTML.
const MAX_DEPTH: usize = 40;

/// Builds the tree from the (already well-formed) sanitised HTML.
struct TreeSink {
    stack: RefCell<Vec<El>>,
}

impl TreeSink {
    fn push_node(stack: &mut [El], node: Node) {
        let top = stack.last_mut().expect("the root stays");
        if let (Node::Text(t), Some(Node::Text(last))) = (&node, top.children.last_mut()) {
            last.push_str(t);
            return;
        }
        top.children.push(node);
    }
}

impl TokenSink for TreeSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut stack = self.stack.borrow_mut();
        match token {
            Token::TagToken(tag) => {
                let name = tag.name.to_string();
                match tag.kind {
                    TagKind::StartTag => {
                        let attrs = tag.attrs.iter().map(|a| (a.name.local.to_string(), a.value.to_string())).collect();
                        let el = El { name: name.clone(), attrs, children: Vec::new() };
                        if VOID.contains(&name.as_str()) || tag.self_closing {
                            Self::push_node(&mut stack, Node::El(el));
                        } else if stack.len() >= MAX_DEPTH {
                            // Too deep: the element's content joins its ancestor.
                        } else {
                            stack.push(el);
                        }
                    }
                    TagKind::EndTag => {
                        if stack.len() > 1 && stack[1..].iter().any(|e| e.name == name) {
                            while stack.len() > 1 {
                                let el = stack.pop().expect("not the root");
                                let done = el.name == name;
                                Self::push_node(&mut stack, Node::El(el));
                                if done {
                                    break;
                                }
                            }
                        }
                    }
                }
            }
            Token::CharacterTokens(t) => {
                let t: String = t.chars().filter(|c| *c != BR && *c != PARA).collect();
                Self::push_node(&mut stack, Node::Text(t));
            }
            // Comments (Gutenberg block delimiters, <!--more-->) carry no text.
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

fn parse(html: &str) -> Vec<Node> {
    let sink =
        TreeSink { stack: RefCell::new(vec![El { name: String::new(), attrs: Vec::new(), children: Vec::new() }]) };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let mut stack = tokenizer.sink.stack.take();
    while stack.len() > 1 {
        let el = stack.pop().expect("not the root");
        TreeSink::push_node(&mut stack, Node::El(el));
    }
    stack.pop().map(|root| root.children).unwrap_or_default()
}

/// Deepest nesting of HTML elements converted. The HTML parser's work grows
/// with the square of the depth, so a hostile post nested thousands of
/// levels deep is refused (its item fails) instead of taking minutes.
pub const MAX_NESTING: usize = 1000;

/// How deeply the tags of `html` nest, counted roughly: an upper bound for
/// the parser's depth. Every start tag of a non-void element opens one
/// level, also when written `<div/>` (HTML ignores the slash there); an end
/// tag closes the innermost open element of its name and those inside it,
/// and is ignored when no element of that name is open. Linear in the
/// length of `html`: a tag is read only as far as its name.
pub fn nesting_depth(html: &str) -> usize {
    let bytes = html.as_bytes();
    let mut open: Vec<String> = Vec::new();
    let mut open_count: HashMap<String, usize> = HashMap::new();
    let mut max = 0usize;
    let mut i = 0;
    let name_at = |i: usize| -> (String, usize) {
        let end = bytes[i..].iter().position(|b| !b.is_ascii_alphanumeric()).map_or(bytes.len(), |p| i + p);
        (html[i..end].to_ascii_lowercase(), end)
    };
    while let Some(off) = memchr_lt(&bytes[i..]) {
        i += off + 1;
        match bytes.get(i) {
            Some(b'/') if bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) => {
                let (name, end) = name_at(i + 1);
                i = end;
                if open_count.get(&name).copied().unwrap_or(0) == 0 {
                    continue;
                }
                while let Some(top) = open.pop() {
                    let n = open_count.get_mut(&top).expect("counted when opened");
                    *n -= 1;
                    if top == name {
                        break;
                    }
                }
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let (name, end) = name_at(i);
                i = end;
                if !matches!(
                    name.as_str(),
                    "br" | "hr"
                        | "img"
                        | "wbr"
                        | "col"
                        | "input"
                        | "meta"
                        | "link"
                        | "source"
                        | "area"
                        | "base"
                        | "embed"
                        | "param"
                        | "track"
                ) {
                    *open_count.entry(name.clone()).or_default() += 1;
                    open.push(name);
                    max = max.max(open.len());
                }
            }
            _ => {}
        }
    }
    max
}

fn memchr_lt(b: &[u8]) -> Option<usize> {
    b.iter().position(|c| *c == b'<')
}

/// Collects the text of an HTML fragment, character references decoded.
struct TextSink {
    text: RefCell<String>,
}

impl TokenSink for TextSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        if let Token::CharacterTokens(t) = token {
            self.text.borrow_mut().push_str(&t);
        }
        TokenSinkResult::Continue
    }
}

/// The text of a short piece of WordPress HTML — a title, a category or tag
/// name, an author's name, which WordPress stores with entities (`&amp;`)
/// and shows as HTML: tags dropped, references decoded, spaces collapsed.
pub fn html_text(s: &str) -> String {
    if !s.contains(['&', '<']) {
        return s.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    let tokenizer = Tokenizer::new(TextSink { text: RefCell::new(String::new()) }, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(s));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let text = tokenizer.sink.text.take();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Block {
    text: String,
    list: bool,
    /// A numbered list (two lists of the same kind in a row would merge).
    ordered: bool,
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "li"
            | "blockquote"
            | "pre"
            | "hr"
            | "table"
            | "figure"
            | "figcaption"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "aside"
            | "main"
            | "center"
            | "nav"
            | "address"
            | "dl"
            | "dt"
            | "dd"
            | "iframe"
            | "tr"
            | "thead"
            | "tbody"
            | "tfoot"
    )
}

struct Writer {
    classic: bool,
    site: Option<ammonia::Url>,
    /// Image addresses, in order of first use: `image-1` is the first.
    images: Vec<String>,
}

impl Writer {
    fn blocks(&mut self, nodes: &[Node]) -> Vec<Block> {
        let mut out = Vec::new();
        let mut inline = String::new();
        for node in nodes {
            match node {
                Node::Text(t) => self.text(t, &mut inline),
                Node::El(e) if is_block(&e.name) => {
                    flush(&mut inline, &mut out);
                    self.block(e, &mut out);
                }
                Node::El(e) => self.inline(e, &mut inline),
            }
        }
        flush(&mut inline, &mut out);
        out
    }

    fn block(&mut self, e: &El, out: &mut Vec<Block>) {
        match e.name.as_str() {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = e.name[1..].parse::<usize>().unwrap_or(2);
                let mut s = String::new();
                self.inline_children(e, &mut s);
                let mut text = single_line(&s);
                if text.ends_with('#') {
                    let at = text.trim_end_matches('#').len();
                    text.insert(at, '\\');
                }
                if !text.is_empty() {
                    out.push(Block { text: format!("{} {text}", "#".repeat(level)), list: false, ordered: false });
                }
            }
            "ul" | "ol" => {
                if let Some(b) = self.list(e) {
                    out.push(b);
                }
            }
            "blockquote" => {
                let inner = join_blocks(&self.blocks(&e.children));
                if !inner.is_empty() {
                    let quoted: Vec<String> =
                        inner.lines().map(|l| if l.is_empty() { ">".to_string() } else { format!("> {l}") }).collect();
                    out.push(Block { text: quoted.join("\n"), list: false, ordered: false });
                }
            }
            "pre" => {
                let mut code = String::new();
                raw_text(&e.children, &mut code);
                let code = code.strip_prefix('\n').unwrap_or(&code).trim_end().to_string();
                if code.trim().is_empty() {
                    return;
                }
                let lang = language(e).unwrap_or_default();
                let longest = longest_run(&code, '`');
                let fence = "`".repeat(longest.max(2) + 1);
                out.push(Block { text: format!("{fence}{lang}\n{code}\n{fence}"), list: false, ordered: false });
            }
            "hr" => out.push(Block { text: "---".into(), list: false, ordered: false }),
            "table" => {
                if let Some(b) = self.table(e) {
                    out.push(b);
                }
            }
            "figcaption" => {
                let mut s = String::new();
                self.inline_children(e, &mut s);
                let text = single_line(&s);
                if !text.is_empty() {
                    out.push(Block { text: format!("*{text}*"), list: false, ordered: false });
                }
            }
            "iframe" => {
                if let Some(src) = e.attr("src").filter(|s| !s.is_empty()) {
                    let host = ammonia::Url::parse(src).ok().and_then(|u| u.host_str().map(str::to_string));
                    let label = match host {
                        Some(h) => format!("Embedded content from {}", escape(&h)),
                        None => "Embedded content".to_string(),
                    };
                    out.push(Block {
                        text: format!("[{label}]({})", destination(&self.href(src))),
                        list: false,
                        ordered: false,
                    });
                }
            }
            "div" if e.attr("class").is_some_and(|c| c.contains("wp-block-embed__wrapper")) => {
                let mut url = String::new();
                raw_text(&e.children, &mut url);
                let url = url.trim();
                if url.starts_with("https://") || url.starts_with("http://") {
                    out.push(Block {
                        text: format!("<{}>", url.replace(['<', '>', ' '], "")),
                        list: false,
                        ordered: false,
                    });
                }
            }
            _ => out.extend(self.blocks(&e.children)),
        }
    }

    fn list(&mut self, e: &El) -> Option<Block> {
        let ordered = e.name == "ol";
        let mut number = e.attr("start").and_then(|s| s.trim().parse::<u64>().ok()).unwrap_or(1);
        let mut items = Vec::new();
        let mut loose = false;
        for child in &e.children {
            let blocks = match child {
                Node::El(li) if li.name == "li" => self.blocks(&li.children),
                Node::Text(t) if t.trim().is_empty() => continue,
                // Anything else directly in a list is an item of its own.
                other => self.blocks(std::slice::from_ref(other)),
            };
            if blocks.iter().filter(|b| !b.list).count() > 1 {
                loose = true;
            }
            let marker = if ordered { format!("{number}. ") } else { "- ".to_string() };
            number += 1;
            let mut body = String::new();
            for (i, b) in blocks.iter().enumerate() {
                if i > 0 {
                    body.push_str(if b.list { "\n" } else { "\n\n" });
                }
                body.push_str(&b.text);
            }
            let indent = " ".repeat(marker.len());
            let mut text = String::new();
            for (i, line) in body.lines().enumerate() {
                if i == 0 {
                    text.push_str(marker.trim_end());
                    if !line.is_empty() {
                        text.push(' ');
                        text.push_str(line);
                    }
                } else {
                    text.push('\n');
                    if !line.is_empty() {
                        text.push_str(&indent);
                        text.push_str(line);
                    }
                }
            }
            if body.is_empty() {
                text.push_str(marker.trim_end());
            }
            items.push(text);
        }
        if items.is_empty() {
            return None;
        }
        Some(Block { text: items.join(if loose { "\n\n" } else { "\n" }), list: true, ordered })
    }

    fn table(&mut self, e: &El) -> Option<Block> {
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut ordered: Vec<&El> = Vec::new();
        collect_rows(e, &mut ordered);
        for tr in ordered {
            let mut cells = Vec::new();
            for cell in &tr.children {
                if let Node::El(c) = cell
                    && (c.name == "td" || c.name == "th")
                {
                    let mut s = String::new();
                    self.inline_children(c, &mut s);
                    cells.push(single_line(&s).replace('|', "\\|"));
                }
            }
            if !cells.is_empty() {
                rows.push(cells);
            }
        }
        let width = rows.iter().map(Vec::len).max()?;
        let mut text = String::new();
        for (i, row) in rows.iter().enumerate() {
            let mut cells = row.clone();
            cells.resize(width, String::new());
            text.push_str(&format!("| {} |\n", cells.join(" | ")));
            if i == 0 {
                text.push_str(&format!("|{}\n", " --- |".repeat(width)));
            }
        }
        Some(Block { text: text.trim_end().to_string(), list: false, ordered: false })
    }

    fn inline_children(&mut self, e: &El, out: &mut String) {
        for child in &e.children {
            match child {
                Node::Text(t) => self.text(t, out),
                Node::El(c) => self.inline(c, out),
            }
        }
    }

    fn inline(&mut self, e: &El, out: &mut String) {
        match e.name.as_str() {
            "strong" | "b" => self.wrap(e, "**", out),
            "em" | "i" | "cite" => self.wrap(e, "*", out),
            "del" | "s" | "strike" => self.wrap(e, "~~", out),
            "code" | "kbd" => {
                let mut code = String::new();
                raw_text(&e.children, &mut code);
                let code = code.replace(['\n', '\r'], " ");
                if !code.is_empty() {
                    let fence = "`".repeat(longest_run(&code, '`') + 1);
                    let pad = if code.starts_with('`') || code.ends_with('`') { " " } else { "" };
                    out.push_str(&format!("{fence}{pad}{code}{pad}{fence}"));
                }
            }
            "br" => out.push(BR),
            "img" => {
                let Some(src) = e.attr("src").filter(|s| !s.trim().is_empty()) else { return };
                // Images stay at their WordPress address (they are not downloaded).
                let src = src.trim().to_string();
                let n = match self.images.iter().position(|u| *u == src) {
                    Some(i) => i + 1,
                    None => {
                        self.images.push(src);
                        self.images.len()
                    }
                };
                let alt = single_line(&escape(e.attr("alt").unwrap_or_default()));
                out.push_str(&format!("![{alt}][image-{n}]"));
            }
            "a" => {
                let mut inner = String::new();
                self.inline_children(e, &mut inner);
                let inner = inner.replace(PARA, &BR.to_string());
                let Some(href) = e.attr("href").map(str::trim).filter(|h| !h.is_empty()) else {
                    out.push_str(&inner);
                    return;
                };
                let href = self.href(href);
                let (lead, core, trail) = split_space(&inner);
                let core = if core.is_empty() { escape(&href) } else { core.to_string() };
                let title = e
                    .attr("title")
                    .map(|t| t.trim())
                    .filter(|t| !t.is_empty())
                    .map(|t| format!(" \"{}\"", t.replace('\\', "\\\\").replace('"', "\\\"")))
                    .unwrap_or_default();
                out.push_str(&format!("{lead}[{core}]({}{title}){trail}", destination(&href)));
            }
            _ if is_block(&e.name) => {
                // A block inside inline content: keep its text on a line of its own.
                out.push(BR);
                self.inline_children(e, out);
                out.push(BR);
            }
            _ => self.inline_children(e, out),
        }
    }

    fn wrap(&mut self, e: &El, marker: &str, out: &mut String) {
        let mut inner = String::new();
        self.inline_children(e, &mut inner);
        let inner = inner.replace(PARA, &BR.to_string());
        let (lead, core, trail) = split_space(&inner);
        if core.is_empty() {
            out.push_str(&inner);
        } else {
            out.push_str(&format!("{lead}{marker}{core}{marker}{trail}"));
        }
    }

    /// Text: escaped; in classic content, newlines become breaks.
    fn text(&mut self, t: &str, out: &mut String) {
        if !self.classic {
            out.push_str(&escape(t));
            return;
        }
        let mut run = String::new();
        let mut newlines = 0;
        let mut spaces = false;
        for c in t.chars() {
            if c == '\n' {
                newlines += 1;
            } else if c == ' ' || c == '\t' || c == '\r' {
                spaces = true;
            } else {
                if newlines > 0 || spaces {
                    out.push_str(&escape(&run));
                    run.clear();
                    out.push(match newlines {
                        0 => ' ',
                        1 => BR,
                        _ => PARA,
                    });
                    newlines = 0;
                    spaces = false;
                }
                run.push(c);
            }
        }
        out.push_str(&escape(&run));
        if newlines > 0 || spaces {
            out.push(match newlines {
                0 => ' ',
                1 => BR,
                _ => PARA,
            });
        }
    }

    /// A link target: the old site's own addresses become site-relative.
    fn href(&self, href: &str) -> String {
        if let (Some(site), Ok(url)) = (&self.site, ammonia::Url::parse(href))
            && url.host_str().is_some()
            && url.host_str() == site.host_str()
            && url.port_or_known_default() == site.port_or_known_default()
        {
            let mut relative = url.path().to_string();
            if let Some(q) = url.query() {
                relative.push('?');
                relative.push_str(q);
            }
            if let Some(f) = url.fragment() {
                relative.push('#');
                relative.push_str(f);
            }
            return relative;
        }
        href.to_string()
    }
}

fn collect_rows<'a>(e: &'a El, out: &mut Vec<&'a El>) {
    for child in &e.children {
        if let Node::El(c) = child {
            match c.name.as_str() {
                "tr" => out.push(c),
                "thead" | "tbody" | "tfoot" => collect_rows(c, out),
                _ => {}
            }
        }
    }
}

fn language(pre: &El) -> Option<String> {
    let from = |class: &str| {
        class.split_whitespace().find_map(|c| c.strip_prefix("language-").or_else(|| c.strip_prefix("lang-"))).map(
            |l| {
                l.chars()
                    .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '#' | '_'))
                    .collect::<String>()
            },
        )
    };
    if let Some(l) = pre.attr("class").and_then(from) {
        return Some(l);
    }
    pre.children.iter().find_map(|c| match c {
        Node::El(code) if code.name == "code" => code.attr("class").and_then(from),
        _ => None,
    })
}

fn raw_text(nodes: &[Node], out: &mut String) {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::El(e) if e.name == "br" => out.push('\n'),
            Node::El(e) => raw_text(&e.children, out),
        }
    }
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for ch in s.chars() {
        if ch == c {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | BR | PARA)
}

/// Leading whitespace, the rest, trailing whitespace.
fn split_space(s: &str) -> (&str, &str, &str) {
    let core_start = s.len() - s.trim_start_matches(is_space).len();
    let core_end = s.trim_end_matches(is_space).len().max(core_start);
    (&s[..core_start], &s[core_start..core_end], &s[core_end..])
}

/// Escape text so that Markdown reads it as text.
fn escape(t: &str) -> String {
    let mut out = String::with_capacity(t.len() + 8);
    let chars: Vec<char> = t.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '&' => {
                // Only what would read as an entity: "&copy;", "&#169;".
                let rest: String = chars[i + 1..].iter().take(33).collect();
                let name_len = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '#').count();
                if name_len > 0 && rest[name_len..].starts_with(';') {
                    out.push('\\');
                }
                out.push('&');
            }
            _ => out.push(c),
        }
    }
    out
}

/// Escape what would start a block at the beginning of a line.
fn escape_line_start(line: &str) -> String {
    let first = line.chars().next();
    let needs = match first {
        Some('#' | '-' | '+' | '=' | '|') => true,
        Some(c) if c.is_ascii_digit() => {
            let digits = line.chars().take_while(char::is_ascii_digit).count();
            digits <= 9 && matches!(line[digits..].chars().next(), Some('.' | ')'))
        }
        _ => false,
    };
    if !needs {
        return line.to_string();
    }
    if first.is_some_and(|c| c.is_ascii_digit()) {
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        return format!("{}\\{}", &line[..digits], &line[digits..]);
    }
    format!("\\{line}")
}

/// Collapse whitespace; line breaks become Markdown hard breaks.
fn finish(s: &str) -> String {
    let lines: Vec<String> = s
        .split(BR)
        .map(|part| part.split_ascii_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .map(|l| escape_line_start(&l))
        .collect();
    lines.join("\\\n")
}

/// One line (headings, table cells, captions): breaks become spaces.
fn single_line(s: &str) -> String {
    let s = s.replace([BR, PARA], " ");
    s.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
}

fn flush(inline: &mut String, out: &mut Vec<Block>) {
    for para in inline.split(PARA) {
        let text = finish(para);
        if !text.is_empty() {
            out.push(Block { text, list: false, ordered: false });
        }
    }
    inline.clear();
}

/// Blocks with blank lines between; two lists in a row are kept apart.
fn join_blocks(blocks: &[Block]) -> String {
    let mut out = String::new();
    for (i, b) in blocks.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
            if b.list && blocks[i - 1].list && b.ordered == blocks[i - 1].ordered {
                out.push_str("<!-- -->\n\n");
            }
        }
        out.push_str(&b.text);
    }
    out
}

/// A link or image destination, in angle brackets when it has spaces or parentheses.
fn destination(url: &str) -> String {
    if url.contains([' ', '(', ')', '<', '>']) || url.is_empty() {
        format!("<{}>", url.replace('<', "%3C").replace('>', "%3E"))
    } else {
        url.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(html: &str) -> String {
        convert(html, None).markdown
    }

    #[test]
    fn gutenberg_blocks_become_markdown() {
        let html = "<!-- wp:heading -->\n<h2 class=\"wp-block-heading\">Before your visit</h2>\n<!-- /wp:heading -->\n\n<!-- wp:paragraph -->\n<p>Bring <strong>your list</strong> of <em>current</em> medicines and <a href=\"https://example.org/form\">the form</a>.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:list -->\n<ul><li>Photo ID</li><li>Insurance card<ul><li>front and back</li></ul></li></ul>\n<!-- /wp:list -->\n\n<!-- wp:list {\"ordered\":true,\"start\":3} -->\n<ol start=\"3\"><li>Third</li><li>Fourth</li></ol>\n<!-- /wp:list -->";
        assert_eq!(
            md(html),
            "## Before your visit\n\nBring **your list** of *current* medicines and [the form](https://example.org/form).\n\n- Photo ID\n- Insurance card\n  - front and back\n\n3. Third\n4. Fourth\n"
        );
    }

    #[test]
    fn classic_text_gets_paragraphs_and_breaks() {
        let html = "First line\nsecond line.\n\nA new paragraph with <b>bold</b>.\n<h3>Title</h3>\nAfter.";
        assert_eq!(md(html), "First line\\\nsecond line.\n\nA new paragraph with **bold**.\n\n### Title\n\nAfter.\n");
    }

    #[test]
    fn images_are_references_at_the_end() {
        let html = "<!-- wp:image --><figure class=\"wp-block-image\"><img src=\"https://old.example/wp-content/uploads/a.jpg\" alt=\"A [waiting] room\"/><figcaption>Our room</figcaption></figure><!-- /wp:image --><p><img src=\"https://old.example/wp-content/uploads/a.jpg\" alt=\"again\"></p>";
        assert_eq!(
            md(html),
            "![A \\[waiting\\] room][image-1]\n\n*Our room*\n\n![again][image-1]\n\n[image-1]: https://old.example/wp-content/uploads/a.jpg\n"
        );
    }

    #[test]
    fn scripts_and_handlers_are_removed() {
        let c = convert(
            "<p onclick=\"steal()\">Hello<script>alert('x')</script> <a href=\"javascript:alert(1)\">there</a></p><style>p{}</style>",
            None,
        );
        assert_eq!(c.markdown, "Hello there\n");
        assert_eq!(c.notes, vec!["a script was removed".to_string()]);
    }

    #[test]
    fn text_is_escaped_not_interpreted() {
        assert_eq!(
            md("<p>2 * 3 = 6, a_b, [x], &lt;b&gt;, AT&amp;T, &amp;copy;</p>"),
            "2 \\* 3 = 6, a\\_b, \\[x\\], \\<b\\>, AT&T, \\&copy;\n"
        );
        assert_eq!(md("<p># not a heading</p><p>1. not a list</p>"), "\\# not a heading\n\n1\\. not a list\n");
    }

    #[test]
    fn captions_embeds_and_dropped_shortcodes() {
        let c = convert(
            "[caption id=\"attachment_9\" align=\"alignright\" width=\"300\"]<a href=\"https://old.example/x/\"><img src=\"https://old.example/x.jpg\" alt=\"X\" /></a> The clinic[/caption]\n\n[embed]https://www.youtube.com/watch?v=abc[/embed]\n\n[gallery ids=\"1,2\"]",
            ammonia::Url::parse("https://old.example").ok().as_ref(),
        );
        assert_eq!(
            c.markdown,
            "[![X][image-1]](/x/)\n\n*The clinic*\n\n[https://www.youtube.com/watch?v=abc](https://www.youtube.com/watch?v=abc)\n\n[image-1]: https://old.example/x.jpg\n"
        );
        assert_eq!(c.notes, vec!["the [gallery] shortcode was left out (there is no equivalent here)".to_string()]);
    }

    #[test]
    fn quotes_code_tables_and_rules() {
        let html = "<!-- wp:quote --><blockquote class=\"wp-block-quote\"><p>Rest.</p><cite>Dr. Ann</cite></blockquote><!-- /wp:quote --><!-- wp:code --><pre class=\"wp-block-code\"><code class=\"language-bash\">echo `hi` &amp;&amp; ls</code></pre><!-- /wp:code --><hr/><table><thead><tr><th>Day</th><th>Hours</th></tr></thead><tbody><tr><td>Mon | Tue</td><td>9–5</td></tr></tbody></table>";
        assert_eq!(
            md(html),
            "> Rest.\n> \n> *Dr. Ann*\n\n```bash\necho `hi` && ls\n```\n\n---\n\n| Day | Hours |\n| --- | --- |\n| Mon \\| Tue | 9–5 |\n"
                .replace("> \n", ">\n")
        );
    }

    #[test]
    fn dynamic_blocks_and_frames_are_noted() {
        let c = convert(
            "<!-- wp:latest-posts /--><!-- wp:more --><!--more--><!-- /wp:more --><p>x</p><iframe src=\"https://www.youtube.com/embed/abc\"></iframe>",
            None,
        );
        assert_eq!(c.markdown, "x\n\n[Embedded content from www.youtube.com](https://www.youtube.com/embed/abc)\n");
        assert!(c.notes.contains(&"the block wp:latest-posts has no saved content and was left out".to_string()));
        assert!(c.notes.contains(&"an embedded frame became a link".to_string()));
    }

    #[test]
    fn short_html_becomes_text() {
        assert_eq!(html_text("Wellness &amp; Prevention"), "Wellness & Prevention");
        assert_eq!(
            html_text("Ice &amp; heat: &#8220;when?&#8221; <em>now</em>"),
            "Ice & heat: \u{201c}when?\u{201d} now"
        );
        assert_eq!(html_text("A & B <3 c"), "A & B <3 c");
        assert_eq!(html_text("  plain   title "), "plain title");
    }

    #[test]
    fn hostile_nesting_is_flattened_not_recursed() {
        let html =
            format!("{}deep{}", "<div><blockquote><ul><li>".repeat(250), "</li></ul></blockquote></div>".repeat(250));
        let md = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || convert(&html, None).markdown)
            .unwrap()
            .join()
            .expect("no stack overflow");
        assert!(md.contains("deep"));
        assert_eq!(nesting_depth("<p>a<br>b<img src=x/><span>c</span></p><div><i>x</i></div>"), 2);
        assert_eq!(nesting_depth(&"<div>".repeat(1200)), 1200);
    }

    #[test]
    fn unmatched_end_tags_and_self_closing_divs_do_not_hide_nesting() {
        // An end tag that closes nothing open does not lower the count.
        assert_eq!(nesting_depth(&"<div></b>".repeat(1200)), 1200);
        // `<div/>` opens a div in HTML.
        assert_eq!(nesting_depth(&"<div/>".repeat(1200)), 1200);
        // A matching end tag closes its element and those inside it.
        assert_eq!(nesting_depth(&"<div><span><i></div>".repeat(1200)), 3);
        assert_eq!(nesting_depth("<p>a<br/>b<img src=x/></p><p>c</p>"), 1);
    }

    #[test]
    fn hostile_input_is_scanned_in_linear_time() {
        let started = std::time::Instant::now();
        // 8 MB of tags that never end: each `<` used to scan to the end for `>`.
        let html = "<a".repeat(4 * 1024 * 1024);
        assert_eq!(nesting_depth(&html), 4 * 1024 * 1024);
        // 2 MB of shortcodes never closed: each used to search the rest for its closer.
        let html = "[audio x]".repeat(200_000);
        let mut notes = Vec::new();
        assert_eq!(shortcodes(&html, &mut notes), "");
        // Openers with no `]` anywhere after them.
        let html = "[audio ".repeat(200_000);
        assert_eq!(shortcodes(&html, &mut notes), html);
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
    }

    #[test]
    fn the_markdown_renders_back_to_the_same_structure() {
        let html = "<h2>Heading</h2><p>Some <em>text</em> with <a href=\"https://example.org/a_(b)\">a link</a>.</p><ul><li>one</li><li>two</li></ul><ul><li>other list</li></ul>";
        let rendered = crate::posts::markdown::render_html(&md(html));
        assert!(rendered.contains("<h2>Heading</h2>"), "{rendered}");
        assert!(rendered.contains("<em>text</em>"));
        assert!(rendered.contains("<a href=\"https://example.org/a_(b)\""), "{rendered}");
        assert_eq!(rendered.matches("<ul>").count(), 2, "{rendered}");
    }
}
