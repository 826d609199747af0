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

/// The smallest brotli window (log2 of its bytes, 16 to 24) that holds
/// `len` bytes. A larger one compresses no better, and the encoder's
/// memory grows with it: at quality 11 a 16 MiB window (24) takes over
/// 100 MB to compress a 1 MB bundle, and a process keeps that memory.
pub fn window(len: usize) -> i32 {
    let bits = usize::BITS - len.saturating_sub(1).leading_zeros();
    bits.clamp(16, 24) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_fits_the_data() {
        assert_eq!(window(0), 16);
        assert_eq!(window(40_000), 16);
        assert_eq!(window(65_536), 16);
        assert_eq!(window(65_537), 17);
        assert_eq!(window(1_000_000), 20);
        assert_eq!(window(usize::MAX), 24);
        // Data larger than the smallest window round-trips.
        let html = (0..4_000).map(|i| format!("<p>Visit {i}: knee pain, follow-up</p>")).collect::<String>();
        assert!(html.len() > 65_536);
        for quality in [6, 11] {
            let mut plain = Vec::new();
            ::brotli::BrotliDecompress(&mut &brotli(html.as_bytes(), quality)[..], &mut plain).unwrap();
            assert_eq!(plain, html.as_bytes());
        }
    }
}
