//! The WordPress export reader on a large generated file (120 MB, made on
//! the fly, never written to disk): every item comes out and memory stays
//! bounded. A test binary of its own, so no other test's memory is counted.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use clinicpress::wordpress::wxr::{Entry, WxrReader};

/// An endless-looking export made on the fly: `items` posts of `body` bytes each.
struct Generated {
    items: usize,
    next: usize,
    pending: Vec<u8>,
    at: usize,
    body: String,
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.pending.len() {
            self.pending.clear();
            self.at = 0;
            if self.next == 0 {
                self.pending.extend_from_slice(
                    b"<?xml version=\"1.0\"?><rss xmlns:wp=\"http://wordpress.org/export/1.2/\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>",
                );
            }
            if self.next < self.items {
                let i = self.next;
                self.pending.extend_from_slice(
                    format!(
                        "<item><title>Post {i}</title><content:encoded><![CDATA[{}]]></content:encoded><wp:post_id>{i}</wp:post_id><wp:post_type>post</wp:post_type><wp:status>publish</wp:status></item>\n",
                        self.body
                    )
                    .as_bytes(),
                );
            } else if self.next == self.items {
                self.pending.extend_from_slice(b"</channel></rss>");
            }
            self.next += 1;
        }
        let n = buf.len().min(self.pending.len() - self.at);
        buf[..n].copy_from_slice(&self.pending[self.at..n + self.at]);
        self.at += n;
        Ok(n)
    }
}

fn resident_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_large_export_streams_in_bounded_memory() {
    // 2,000 items of 60 KB: 120 MB of XML, never held at once.
    let body = "<p>Words about posture and sleep. </p>".repeat(60 * 1024 / 38);
    let source = Generated { items: 2000, next: 0, pending: Vec::new(), at: 0, body };
    let read = Arc::new(AtomicU64::new(0));
    let start_rss = resident_kb();
    let mut peak_growth = 0;
    let mut items = 0;
    for (i, entry) in WxrReader::new(std::io::BufReader::new(source), read.clone()).enumerate() {
        match entry.unwrap() {
            Entry::Item(item) => {
                assert_eq!(item.title, format!("Post {items}"));
                items += 1;
            }
            other => panic!("{other:?}"),
        }
        if i % 200 == 0
            && let (Some(a), Some(b)) = (start_rss, resident_kb())
        {
            peak_growth = peak_growth.max(b.saturating_sub(a));
        }
    }
    assert_eq!(items, 2000);
    assert!(read.load(std::sync::atomic::Ordering::Relaxed) > 120_000_000);
    assert!(peak_growth < 48 * 1024, "memory grew by {peak_growth} KB while reading 120 MB");
}
