//! Colours and WCAG contrast: one implementation for the server (clinic
//! settings, the provision file, the network form, the embed's link
//! colour) and the browser. Pure functions, no dependencies.
//!
//! The site's stylesheet puts white text on the brand colour (buttons, the
//! home page's hero, the letter mark), so a brand colour is accepted only
//! when white on it reaches WCAG AA for normal text, 4.5:1.

/// WCAG AA contrast for normal-size text.
pub const AA_NORMAL: f64 = 4.5;

/// The colour the stylesheet writes on the brand colour.
pub const WHITE: [u8; 3] = [255, 255, 255];

/// `#rgb` or `#rrggbb` (any case, surrounding spaces ignored; the `#` may
/// be left out) → its red, green and blue.
pub fn parse_hex(s: &str) -> Option<[u8; 3]> {
    let h = s.trim();
    let h = h.strip_prefix('#').unwrap_or(h);
    if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let full: String = match h.len() {
        3 => h.chars().flat_map(|c| [c, c]).collect(),
        6 => h.to_string(),
        _ => return None,
    };
    let byte = |i: usize| u8::from_str_radix(&full[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// `#rrggbb`, lower case.
pub fn to_hex([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// WCAG 2 relative luminance (0 = black, 1 = white).
pub fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let channel = |v: u8| {
        let v = v as f64 / 255.0;
        if v <= 0.03928 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

/// WCAG contrast ratio of two colours, 1 to 21 (order does not matter).
pub fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la >= lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// A ratio as people read it: "4.5:1", "21:1". Rounded down to one
/// decimal, so a refused colour never shows as "4.5:1".
pub fn ratio_text(ratio: f64) -> String {
    let tenths = (ratio * 10.0 + 1e-9).floor() as i64;
    if tenths % 10 == 0 { format!("{}:1", tenths / 10) } else { format!("{}.{}:1", tenths / 10, tenths % 10) }
}

/// Check a brand colour as typed: the colour as `#rrggbb` when white text
/// on it reaches 4.5:1, else a sentence saying why not (with the ratio).
pub fn check_brand_color(typed: &str) -> Result<String, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err("Choose a brand colour, like #1f5f8b.".into());
    }
    let Some(rgb) = parse_hex(typed) else {
        return Err(format!("\"{typed}\" is not a colour: write # and six hexadecimal digits, like #1f5f8b."));
    };
    let hex = to_hex(rgb);
    let ratio = contrast(WHITE, rgb);
    if ratio < AA_NORMAL {
        return Err(format!(
            "White text on {hex} has a contrast of {}; WCAG AA needs 4.5:1. Choose a darker colour.",
            ratio_text(ratio)
        ));
    }
    Ok(hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratio(a: &str, b: &str) -> f64 {
        contrast(parse_hex(a).unwrap(), parse_hex(b).unwrap())
    }

    #[test]
    fn known_ratios() {
        assert!((ratio("#fff", "#000") - 21.0).abs() < 1e-9);
        assert!((ratio("#000000", "#FFFFFF") - 21.0).abs() < 1e-9, "order does not matter");
        assert!((ratio("#fff", "#767676") - 4.54).abs() < 0.01, "{}", ratio("#fff", "#767676"));
        assert!((ratio("#777", "#fff") - 4.48).abs() < 0.01, "{}", ratio("#777", "#fff"));
        assert!((ratio("#1f5f8b", "#fff") - 6.9).abs() < 0.1, "{}", ratio("#1f5f8b", "#fff"));
        assert_eq!(ratio("#abcdef", "#abcdef"), 1.0);
        assert_eq!(luminance([0, 0, 0]), 0.0);
        assert!((luminance(WHITE) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn colours_are_read_as_typed() {
        assert_eq!(parse_hex("#1F5F8B"), Some([0x1f, 0x5f, 0x8b]));
        assert_eq!(parse_hex(" 1f5f8b "), Some([0x1f, 0x5f, 0x8b]));
        assert_eq!(parse_hex("#abc"), Some([0xaa, 0xbb, 0xcc]));
        for bad in ["", "#", "#12345", "#1234567", "#12345g", "red", "#ééé", "rgb(0,0,0)"] {
            assert_eq!(parse_hex(bad), None, "{bad}");
        }
        assert_eq!(to_hex([0x1f, 0x5f, 0x8b]), "#1f5f8b");
    }

    #[test]
    fn ratios_are_shown_rounded_down() {
        assert_eq!(ratio_text(21.0), "21:1");
        assert_eq!(ratio_text(4.54), "4.5:1");
        assert_eq!(ratio_text(4.499), "4.4:1");
        assert_eq!(ratio_text(1.66), "1.6:1");
    }

    #[test]
    fn brand_colours_need_white_text_to_read() {
        assert_eq!(check_brand_color(" #1F5F8B "), Ok("#1f5f8b".into()));
        assert_eq!(check_brand_color("#767676"), Ok("#767676".into()));
        assert_eq!(check_brand_color("#000"), Ok("#000000".into()));
        assert_eq!(
            check_brand_color("#7fd3ff"),
            Err("White text on #7fd3ff has a contrast of 1.6:1; WCAG AA needs 4.5:1. Choose a darker colour.".into())
        );
        let e = check_brand_color("#777777").unwrap_err();
        assert!(e.contains("4.4:1") && e.contains("4.5:1"), "{e}");
        assert!(check_brand_color("#fff").unwrap_err().contains("1:1"));
        assert!(check_brand_color("").unwrap_err().contains("Choose a brand colour"));
        assert!(check_brand_color("blue").unwrap_err().contains("not a colour"));
    }
}
