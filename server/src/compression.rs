//! Brotli for answers compressed once and kept (kept pages, `/pkg/` assets),
//! with a window fitted to the input.

/// `data` compressed with brotli at `quality` (0–11).
pub fn brotli(data: &[u8], quality: i32) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 4);
    let params = ::brotli::enc::BrotliEncoderParams {
        quality,
        lgwin: window(data.len()),
        size_hint: data.len(),
        ..Default::default()
    };
    ::brotli::BrotliCompress(&mut &data[..], &mut out, &params).expect("compressing into memory");
    out
}

/// The smallest brotli window (log2 of its bytes, 17 to 24) that holds
/// `len` bytes (a window holds 16 bytes less than its size). A larger one
/// compresses no better and makes the encoder allocate more. Not 16: at
/// qualities 5 to 9 brotli 9 then picks a hasher it does not implement and
/// falls back to one of 32 MiB (2^23 buckets); at 17 and quality 6 it
/// uses one of 2 MiB.
pub fn window(len: usize) -> i32 {
    let bits = usize::BITS - len.saturating_add(16).saturating_sub(1).leading_zeros();
    bits.clamp(17, 24) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_fits_the_data() {
        assert_eq!(window(0), 17);
        assert_eq!(window(40_000), 17);
        assert_eq!(window(131_056), 17);
        assert_eq!(window(131_057), 18);
        assert_eq!(window(1_000_000), 20);
        assert_eq!(window(usize::MAX), 24);
        // Data larger than the smallest window round-trips.
        let html = (0..4_000).map(|i| format!("<p>Visit {i}: knee pain, follow-up</p>")).collect::<String>();
        assert!(html.len() > 131_072);
        for quality in [6, 11] {
            let mut plain = Vec::new();
            ::brotli::BrotliDecompress(&mut &brotli(html.as_bytes(), quality)[..], &mut plain).unwrap();
            assert_eq!(plain, html.as_bytes());
        }
    }
}
