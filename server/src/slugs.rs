//! Slugs, host names, colours and phone numbers: small validation rules.

/// `lowercase-words-and-digits`, 1–200 characters, no leading/trailing/double hyphen.
pub fn valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 200
        && s.split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// A URL slug made from a title: "Ketamine & PTSD: What's New?" → "ketamine-ptsd-what-s-new".
pub fn slugify(title: &str) -> String {
    let mut s = slug::slugify(title);
    if s.len() > 120 {
        s.truncate(120);
        while s.ends_with('-') {
            s.pop();
        }
    }
    s
}

/// A DNS host name (no port), lower case.
pub fn valid_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// `#1f5f8b` (six hex digits).
pub fn valid_hex_color(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// `tel:` link target: "+1 925 555 0100" → "tel:+19255550100". None if there
/// are too few digits to be a phone number.
pub fn phone_href(phone: &str) -> Option<String> {
    let trimmed = phone.trim();
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 7 || digits.len() > 15 || trimmed.chars().any(|c| c.is_alphabetic()) {
        return None;
    }
    let plus = if trimmed.starts_with('+') { "+" } else { "" };
    Some(format!("tel:{plus}{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(valid_slug("what-to-expect-2"));
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "é", "a_b"] {
            assert!(!valid_slug(bad), "{bad}");
        }
        assert_eq!(slugify("Ketamine & PTSD: What's New?"), "ketamine-ptsd-what-s-new");
        assert_eq!(slugify("Crème brûlée — ok"), "creme-brulee-ok");
        assert!(valid_slug(&slugify(&"long title ".repeat(40))));
    }

    #[test]
    fn hosts() {
        assert!(valid_host("pmc.localhost"));
        assert!(valid_host("www.pmc.example"));
        for bad in ["", "a..b", "-a.b", "a_b.c", "Caps.com", "a b"] {
            assert!(!valid_host(bad), "{bad}");
        }
    }

    #[test]
    fn colours_and_phones() {
        assert!(valid_hex_color("#1f5f8B"));
        assert!(!valid_hex_color("1f5f8b"));
        assert!(!valid_hex_color("#12345g"));
        assert_eq!(phone_href("+1 925 555 0100").as_deref(), Some("tel:+19255550100"));
        assert_eq!(phone_href("(925) 555-0100").as_deref(), Some("tel:9255550100"));
        assert_eq!(phone_href("call us"), None);
        assert_eq!(phone_href("12"), None);
    }
}
