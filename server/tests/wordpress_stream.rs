//! The WordPress export reader on large generated files (made on the fly,
//! never written to disk): 120 MB of items all come out with memory
//! bounded, and one 80 MB run of text stops the file at the 64 MB limit. A
//! test binary of its own, so no other test's memory is counted.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use clinicpress::wordpress::wxr::{Entry, WxrReader};

/// The tests of this file take turns, so one's buffer is not counted in the other's memory.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

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
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
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

/// One item whose content is a single 80 MB CDATA section, made on the fly.
struct OneHugeItem {
    sent: usize,
    phase: u8,
}

impl Read for OneHugeItem {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        const HEAD: &[u8] = b"<?xml version=\"1.0\"?><rss xmlns:wp=\"http://wordpress.org/export/1.2/\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><item><title>Before</title><wp:post_id>1</wp:post_id></item><item><title>Huge</title><content:encoded><![CDATA[";
        const HUGE: usize = 80 * 1024 * 1024;
        match self.phase {
            0 => {
                let n = buf.len().min(HEAD.len() - self.sent);
                buf[..n].copy_from_slice(&HEAD[self.sent..self.sent + n]);
                self.sent += n;
                if self.sent == HEAD.len() {
                    (self.phase, self.sent) = (1, 0);
                }
                Ok(n)
            }
            1 => {
                let n = buf.len().min(HUGE - self.sent);
                buf[..n].fill(b'x');
                self.sent += n;
                if self.sent == HUGE {
                    self.phase = 2;
                }
                Ok(n)
            }
            _ => Ok(0),
        }
    }
}

#[test]
fn a_single_giant_text_stops_the_file_at_the_limit() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let entries: Vec<_> =
        WxrReader::new(std::io::BufReader::new(OneHugeItem { sent: 0, phase: 0 }), Arc::default()).collect();
    assert!(matches!(&entries[0], Ok(Entry::Item(i)) if i.title == "Before"), "{:?}", entries.first());
    let last = entries.last().unwrap().as_ref().unwrap_err();
    assert!(matches!(last, clinicpress::wordpress::wxr::WxrError::TooLarge { .. }), "{last:?}");
    assert!(last.to_string().contains("larger than 64 MB"), "{last}");
    assert_eq!(entries.len(), 2);
}
