//! The query string of `GET /api/v1/posts`, read and checked.

use utoipa::IntoParams;

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 50;

/// `GET /api/v1/posts` parameters. Filters are slugs and combine (a post
/// must match all of them); a slug this clinic does not have answers 404.
/// Unknown parameters are ignored; an empty value counts as absent.
#[derive(Debug, Clone, PartialEq, Eq, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Page number, from 1 (default 1). A page past the end is empty.
    #[param(minimum = 1, default = 1, required = false)]
    pub page: u32,
    /// Posts per page, 1 to 50 (default 20).
    #[param(minimum = 1, maximum = 50, default = 20, required = false)]
    pub limit: u32,
    /// A category's slug.
    pub category: Option<String>,
    /// A tag's slug.
    pub tag: Option<String>,
    /// An author's slug.
    pub author: Option<String>,
    /// An office's slug.
    pub location: Option<String>,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery { page: 1, limit: DEFAULT_LIMIT, category: None, tag: None, author: None, location: None }
    }
}

/// A whole number within `min..=max`, or the message saying what it must be.
fn number(name: &str, value: &str, min: u32, max: u32) -> Result<u32, String> {
    let range = if max == u32::MAX { format!("from {min} up") } else { format!("from {min} to {max}") };
    value
        .parse::<u32>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| format!("\"{name}\" must be a whole number {range}, not \"{}\".", shorten(value)))
}

/// A value quoted back in a message: at most 40 characters.
pub fn shorten(value: &str) -> String {
    let mut s: String = value.chars().take(40).collect();
    if value.chars().count() > 40 {
        s.push('…');
    }
    s
}

/// Read the decoded query pairs (the last of a repeated name counts).
pub fn parse(pairs: &[(String, String)]) -> Result<ListQuery, String> {
    let mut q = ListQuery::default();
    for (name, value) in pairs {
        let value = value.trim();
        let text = (!value.is_empty()).then(|| value.to_string());
        match name.as_str() {
            "page" if !value.is_empty() => q.page = number("page", value, 1, u32::MAX)?,
            "limit" if !value.is_empty() => q.limit = number("limit", value, 1, MAX_LIMIT)?,
            "category" => q.category = text,
            "tag" => q.tag = text,
            "author" => q.author = text,
            "location" => q.location = text,
            _ => {}
        }
    }
    Ok(q)
}

/// The query string's pairs, percent-decoded; a malformed one is a message.
pub fn pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, String> {
    serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|_| "The query string could not be read.".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Result<ListQuery, String> {
        parse(&pairs(Some(s)).unwrap())
    }

    #[test]
    fn defaults_and_values() {
        assert_eq!(q("").unwrap(), ListQuery::default());
        assert_eq!(q("page=&limit=&category=").unwrap(), ListQuery::default(), "empty values count as absent");
        let got = q("page=3&limit=50&category=treatments&tag=back-pain&author=a&location=concord&x=1").unwrap();
        assert_eq!(
            got,
            ListQuery {
                page: 3,
                limit: 50,
                category: Some("treatments".into()),
                tag: Some("back-pain".into()),
                author: Some("a".into()),
                location: Some("concord".into()),
            }
        );
        assert_eq!(q("limit=1").unwrap().limit, 1);
        assert_eq!(q("page=%201%20").unwrap().page, 1, "spaces around are forgiven");
    }

    #[test]
    fn bad_numbers_say_what_they_must_be() {
        for (s, field) in [
            ("limit=500", "limit"),
            ("limit=0", "limit"),
            ("limit=-5", "limit"),
            ("limit=100000", "limit"),
            ("limit=2.5", "limit"),
            ("page=0", "page"),
            ("page=-1", "page"),
            ("page=abc", "page"),
            ("page=99999999999999999999", "page"),
        ] {
            let e = q(s).unwrap_err();
            assert!(e.starts_with(&format!("\"{field}\" must be a whole number")), "{s}: {e}");
        }
        assert_eq!(q("limit=500").unwrap_err(), "\"limit\" must be a whole number from 1 to 50, not \"500\".");
        assert_eq!(q("page=abc").unwrap_err(), "\"page\" must be a whole number from 1 up, not \"abc\".");
        let long = q(&format!("page={}", "9".repeat(100))).unwrap_err();
        assert!(long.chars().count() < 100, "the value is shortened: {long}");
    }
}
