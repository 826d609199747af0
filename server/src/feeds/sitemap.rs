//! Sitemaps (sitemaps.org protocol 0.9) and robots.txt, from plain lists.
//!
//! A clinic's `/sitemap.xml` lists every public page when there are at most
//! `limit` of them (the protocol's maximum, 50,000, unless configured
//! lower); beyond that it is a sitemap index naming `/sitemap/1.xml`,
//! `/sitemap/2.xml`, … of `limit` addresses each.

use chrono::{DateTime, Utc};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::document::{rfc3339, xml_safe};

/// The protocol's limit of addresses in one sitemap file.
pub const MAX_URLS: usize = 50_000;

const NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// One address in a sitemap, or one sitemap in an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub loc: String,
    pub lastmod: Option<DateTime<Utc>>,
}

/// What `/sitemap.xml` or `/sitemap/{n}.xml` answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A `<urlset>` of these entries.
    Urls(Vec<Entry>),
    /// A `<sitemapindex>` of these parts.
    Index(Vec<Entry>),
    NotFound,
}

/// How many files of at most `limit` addresses `total` addresses need (at least one).
pub fn parts(total: usize, limit: usize) -> usize {
    total.div_ceil(limit.max(1)).max(1)
}

/// `/sitemap.xml`: every entry, or an index of the parts when there are
/// more than `limit`. Each part's `lastmod` is the newest of its entries.
pub fn root(entries: Vec<Entry>, limit: usize, base_url: &str) -> Answer {
    let limit = limit.max(1);
    if entries.len() <= limit {
        return Answer::Urls(entries);
    }
    let index = entries
        .chunks(limit)
        .enumerate()
        .map(|(i, chunk)| Entry {
            loc: format!("{base_url}/sitemap/{}.xml", i + 1),
            lastmod: chunk.iter().filter_map(|e| e.lastmod).max(),
        })
        .collect();
    Answer::Index(index)
}

/// `/sitemap/{file}`: part `n` (from 1) of `limit` entries; `file` is `{n}.xml`.
pub fn part(entries: Vec<Entry>, limit: usize, file: &str) -> Answer {
    let limit = limit.max(1);
    // Only the names the index gives out: `01.xml` or `+1.xml` would repeat part 1 under another address.
    let number = file.strip_suffix(".xml").filter(|n| !n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit()));
    let Some(n) = number.and_then(|n| n.parse::<usize>().ok()).filter(|n| *n >= 1) else {
        return Answer::NotFound;
    };
    if n > parts(entries.len(), limit) {
        return Answer::NotFound;
    }
    Answer::Urls(entries.into_iter().skip((n - 1) * limit).take(limit).collect())
}

fn write(root: &str, child: &str, entries: &[Entry]) -> String {
    let mut w = Writer::new(Vec::with_capacity(128 + entries.len() * 120));
    let r: std::io::Result<()> = (|| {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.create_element(root).with_attribute(("xmlns", NS)).write_inner_content(|w| {
            for e in entries {
                w.create_element(child).write_inner_content(|w| {
                    w.create_element("loc").write_text_content(BytesText::new(&xml_safe(&e.loc)))?;
                    if let Some(t) = e.lastmod {
                        w.create_element("lastmod").write_text_content(BytesText::new(&rfc3339(t)))?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })?;
        Ok(())
    })();
    if let Err(e) = r {
        tracing::error!(error = %e, "writing a sitemap in memory failed");
    }
    String::from_utf8(w.into_inner()).unwrap_or_default()
}

/// A `<urlset>` document.
pub fn urlset(entries: &[Entry]) -> String {
    write("urlset", "url", entries)
}

/// A `<sitemapindex>` document.
pub fn index(parts: &[Entry]) -> String {
    write("sitemapindex", "sitemap", parts)
}

/// robots.txt: private areas are not crawled; a clinic's sitemap is named.
/// `base_url` is the clinic's primary address (`None` on the network host).
pub fn robots(base_url: Option<&str>) -> String {
    let mut out = String::from("User-agent: *\nDisallow: /admin\nDisallow: /preview\n");
    if let Some(base) = base_url {
        out.push_str(&format!("\nSitemap: {base}/sitemap.xml\n"));
    }
    out
}

/// Paths whose answers carry `X-Robots-Tag: noindex, nofollow`: the admin
/// area (and its server functions) and preview links of drafts.
pub fn is_private(path: &str) -> bool {
    path == "/admin"
        || path.starts_with("/admin/")
        || path.starts_with("/api/admin/")
        || path == "/preview"
        || path.starts_with("/preview/")
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::feeds::document::tests::texts;

    fn entries(n: usize) -> Vec<Entry> {
        (1..=n)
            .map(|i| Entry {
                loc: format!("https://x.example/blog/p{i}?a=1&b=<2>"),
                lastmod: Some(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::days(i as i64)),
            })
            .collect()
    }

    #[test]
    fn small_sites_get_one_urlset() {
        let Answer::Urls(urls) = root(entries(3), 3, "https://x.example") else { panic!("a urlset") };
        let xml = urlset(&urls);
        assert!(xml.contains("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"));
        let t = texts(&xml);
        let locs: Vec<&str> = t.iter().filter(|(n, _)| n == "loc").map(|(_, s)| s.as_str()).collect();
        assert_eq!(locs[0], "https://x.example/blog/p1?a=1&b=<2>", "escaped in the XML, intact when read");
        assert!(xml.contains("<loc>https://x.example/blog/p1?a=1&amp;b=&lt;2&gt;</loc>"));
        assert!(xml.contains("<lastmod>2025-01-02T00:00:00Z</lastmod>"));
    }

    #[test]
    fn large_sites_get_an_index_and_parts() {
        let Answer::Index(idx) = root(entries(7), 3, "https://x.example") else { panic!("an index") };
        assert_eq!(
            idx.iter().map(|e| e.loc.as_str()).collect::<Vec<_>>(),
            ["https://x.example/sitemap/1.xml", "https://x.example/sitemap/2.xml", "https://x.example/sitemap/3.xml"]
        );
        assert_eq!(idx[0].lastmod, entries(3)[2].lastmod, "newest of its part");
        let xml = index(&idx);
        assert!(xml.contains("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><sitemap><loc>"));
        texts(&xml);

        assert_eq!(part(entries(7), 3, "3.xml"), Answer::Urls(entries(7)[6..].to_vec()));
        assert_eq!(part(entries(7), 3, "2.xml"), Answer::Urls(entries(7)[3..6].to_vec()));
        for bad in ["4.xml", "0.xml", "x.xml", "1", "-1.xml", "", "01.xml", "+1.xml", "002.xml"] {
            assert_eq!(part(entries(7), 3, bad), Answer::NotFound, "{bad}");
        }
        assert_eq!(part(vec![], 3, "1.xml"), Answer::Urls(vec![]), "an empty site still has part 1");
    }

    #[test]
    fn empty_sitemap_is_valid() {
        let xml = urlset(&[]);
        assert!(xml.contains("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"></urlset>"));
    }

    #[test]
    fn robots_names_the_sitemap() {
        let r = robots(Some("https://www.pmc.example"));
        assert!(r.contains("Disallow: /admin\n") && r.contains("Disallow: /preview\n"));
        assert!(r.ends_with("Sitemap: https://www.pmc.example/sitemap.xml\n"));
        assert!(!robots(None).contains("Sitemap"));
    }

    #[test]
    fn private_paths() {
        for p in ["/admin", "/admin/login", "/admin/pmc/posts/3", "/preview/abc", "/api/admin/save_post"] {
            assert!(is_private(p), "{p}");
        }
        for p in ["/", "/blog/admin", "/administrators", "/previewing", "/blog"] {
            assert!(!is_private(p), "{p}");
        }
    }
}
