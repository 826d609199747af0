//! Lead references like `PMC-4F7K2Q`, shown on the thank-you page and
//! typed by staff into the inbox search.
//!
//! A reference is the clinic's prefix (2–5 capital letters, see
//! [`Prefix::for_clinic`]), a hyphen, and 6 characters of Crockford base32
//! (digits and capitals without I, L, O, U) from the operating system's
//! random generator: about a billion codes, not guessable in sequence. The
//! whole reference is stored with the lead; storage keeps it unique (a
//! unique index) and draws again on the rare clash.

use std::fmt;

/// Crockford's base32 alphabet.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in the random part.
pub const CODE_LEN: usize = 6;
/// Used when neither the clinic's name nor its slug gives two letters.
const FALLBACK_PREFIX: &str = "CP";
const SMALL_WORDS: [&str; 8] = ["AND", "OF", "THE", "FOR", "AT", "IN", "ON", "A"];

/// A clinic's reference prefix: 2 to 5 capital letters A–Z.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Prefix(String);

impl Prefix {
    /// The prefix for a clinic:
    ///
    /// 1. the initials of the words of its name, skipping small words
    ///    (and, of, the, for, at, in, on, a) and words that do not start
    ///    with a letter A–Z, at most five: "Pacific Medical Clinic" → `PMC`,
    ///    "The Clinic of Harbor & Bay" → `CHB`;
    /// 2. with fewer than two initials, the same from the slug's words:
    ///    "Élan Santé" (`elan-sante`) → `ES`;
    /// 3. then the first three letters of the slug: `harborview` → `HAR`;
    /// 4. else `CP`.
    ///
    /// Renaming a clinic changes the prefix of new leads only.
    pub fn for_clinic(name: &str, slug: &str) -> Prefix {
        let initials = |s: &str| -> String {
            s.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty() && !SMALL_WORDS.contains(&w.to_uppercase().as_str()))
                .filter_map(|w| w.chars().next().filter(char::is_ascii_alphabetic))
                .map(|c| c.to_ascii_uppercase())
                .take(5)
                .collect()
        };
        for candidate in [initials(name), initials(slug)] {
            if candidate.len() >= 2 {
                return Prefix(candidate);
            }
        }
        let letters: String =
            slug.chars().take_while(char::is_ascii_alphabetic).take(3).map(|c| c.to_ascii_uppercase()).collect();
        if letters.len() >= 2 { Prefix(letters) } else { Prefix(FALLBACK_PREFIX.to_string()) }
    }

    /// A prefix as stored or configured: 2–5 letters A–Z, any case.
    pub fn parse(s: &str) -> Option<Prefix> {
        let s = s.trim();
        ((2..=5).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphabetic()))
            .then(|| Prefix(s.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A lead reference in its one written form, `PMC-4F7K2Q`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference(String);

impl Reference {
    /// A new random reference with the clinic's prefix.
    pub fn generate(prefix: &Prefix) -> Reference {
        let mut bytes = [0u8; 4];
        getrandom::getrandom(&mut bytes).expect("the operating system's random number generator failed");
        Reference::from_bits(prefix, u32::from_be_bytes(bytes))
    }

    /// The code from the top 30 bits of `bits`, 5 bits a character.
    fn from_bits(prefix: &Prefix, bits: u32) -> Reference {
        let mut s = String::with_capacity(prefix.0.len() + 1 + CODE_LEN);
        s.push_str(&prefix.0);
        s.push('-');
        for i in 0..CODE_LEN {
            let index = (bits >> (27 - 5 * i)) & 0x1f;
            s.push(ALPHABET[index as usize] as char);
        }
        Reference(s)
    }

    /// A reference as people type it: any case, with a hyphen, space or
    /// underscore after the prefix or none at all (`pmc 4f7k2q`,
    /// `PMC4F7K2Q`; without one the last six characters are the code),
    /// separators inside the code ignored, and in the code `O` read as zero,
    /// `I` and `L` as one. `None` when it cannot be a reference.
    pub fn parse(input: &str) -> Option<Reference> {
        let input = input.trim();
        if input.len() > 40 {
            return None;
        }
        let (prefix, code) = match input.find([' ', '-', '_']) {
            Some(i) => input.split_at(i),
            None if input.len() > CODE_LEN && input.is_ascii() => input.split_at(input.len() - CODE_LEN),
            None => return None,
        };
        let prefix = Prefix::parse(prefix)?;
        let code = normalise_code(code)?;
        Some(Reference(format!("{prefix}-{code}")))
    }

    /// `PMC-4F7K2Q`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `PMC`.
    pub fn prefix(&self) -> &str {
        &self.0[..self.0.len() - CODE_LEN - 1]
    }

    /// `4F7K2Q`.
    pub fn code(&self) -> &str {
        &self.0[self.0.len() - CODE_LEN..]
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Only the code part, typed without its prefix (`4f7k2q`, `4F7-K2Q`):
/// the canonical six characters, for a search by code. `None` otherwise.
pub fn normalise_code(input: &str) -> Option<String> {
    let compact = compact(input)?;
    if compact.len() != CODE_LEN {
        return None;
    }
    compact
        .chars()
        .map(|c| match c {
            'O' => Some('0'),
            'I' | 'L' => Some('1'),
            c if ALPHABET.contains(&(c as u8)) => Some(c),
            _ => None,
        })
        .collect()
}

/// Upper case without spaces, hyphens or underscores; `None` if anything
/// else is not an ASCII letter or digit, or the text is absurdly long.
fn compact(input: &str) -> Option<String> {
    if input.len() > 40 {
        return None;
    }
    let mut out = String::with_capacity(input.len());
    for c in input.trim().chars() {
        match c {
            ' ' | '-' | '_' => {}
            c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_uppercase()),
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefix(s: &str) -> Prefix {
        Prefix::parse(s).unwrap()
    }

    #[test]
    fn prefixes_come_from_the_clinic_name_then_its_slug() {
        let p = |name: &str, slug: &str| Prefix::for_clinic(name, slug).as_str().to_string();
        assert_eq!(p("Pacific Medical Clinic", "pacific-medical"), "PMC");
        assert_eq!(p("The Clinic of Harbor & Bay", "harbor-bay"), "CHB");
        assert_eq!(p("Harbor Family Dental and Wellness Center of Oregon", "x"), "HFDWC");
        assert_eq!(p("Élan Santé", "elan-sante"), "ES");
        assert_eq!(p("24 Hour Care", "care-24"), "HC");
        assert_eq!(p("Harborview", "harborview"), "HAR");
        assert_eq!(p("Ox", "ox"), "OX");
        assert_eq!(p("", "x"), "CP");
        assert_eq!(p("日本", "1"), "CP");
        for (name, slug) in [("Pacific Medical Clinic", "pm"), ("Élan", "élan"), ("a-b", "a-b")] {
            assert!(Prefix::parse(Prefix::for_clinic(name, slug).as_str()).is_some(), "{name}");
        }
    }

    #[test]
    fn prefixes_parse_two_to_five_letters() {
        assert_eq!(Prefix::parse(" pmc ").unwrap().as_str(), "PMC");
        for bad in ["P", "ABCDEF", "P1", "P-M", "", "ÉS"] {
            assert_eq!(Prefix::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn generated_references_have_the_documented_shape() {
        let p = prefix("PMC");
        for _ in 0..200 {
            let r = Reference::generate(&p);
            assert_eq!(r.prefix(), "PMC");
            assert_eq!(r.code().len(), CODE_LEN);
            assert!(r.code().bytes().all(|b| ALPHABET.contains(&b)), "{r}");
            assert!(!r.code().contains(['I', 'L', 'O', 'U']));
            assert_eq!(Reference::parse(r.as_str()).as_ref(), Some(&r));
        }
        assert_ne!(Reference::generate(&p), Reference::generate(&p));
    }

    #[test]
    fn codes_use_thirty_bits_five_at_a_time() {
        let p = prefix("PMC");
        assert_eq!(Reference::from_bits(&p, 0).as_str(), "PMC-000000");
        assert_eq!(Reference::from_bits(&p, u32::MAX).as_str(), "PMC-ZZZZZZ");
        // 4F7K2Q: 4=4, F=15, 7=7, K=19, 2=2, Q=23.
        let bits = ((4 << 25) | (15 << 20) | (7 << 15) | (19 << 10) | (2 << 5) | 23) << 2;
        assert_eq!(Reference::from_bits(&p, bits).as_str(), "PMC-4F7K2Q");
        assert_eq!(Reference::from_bits(&p, bits).to_string(), "PMC-4F7K2Q");
    }

    #[test]
    fn staff_may_type_references_loosely() {
        for typed in
            ["PMC-4F7K2Q", "pmc-4f7k2q", " pmc 4f7k2q ", "PMC4F7K2Q", "pmc-4f7-k2q", "PMC_4F7K2Q", "PMC - 4F7K2Q"]
        {
            assert_eq!(Reference::parse(typed).unwrap().as_str(), "PMC-4F7K2Q", "{typed}");
        }
        assert_eq!(Reference::parse("pmc-o1ilo0").unwrap().as_str(), "PMC-011100");
        assert_eq!(Reference::parse("OHC-OOOOOO").unwrap().as_str(), "OHC-000000");
        let r = Reference::parse("ab-zzzzzz").unwrap();
        assert_eq!((r.prefix(), r.code()), ("AB", "ZZZZZZ"));
        assert_eq!(r.into_string(), "AB-ZZZZZZ");
    }

    #[test]
    fn things_that_are_not_references() {
        for bad in [
            "",
            "4F7K2Q",
            "P-4F7K2Q",
            "PMCDEF-4F7K2Q",
            "PMC-4F7K2",
            "PMC - ",
            "PMC-4F7K2QQ",
            "PMC-4F7K2U",
            "P1C-4F7K2Q",
            "PMC/4F7K2Q",
            "PMC-4F7K2É",
            "ana@example.com",
            &"A".repeat(1000),
        ] {
            assert_eq!(Reference::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_code_alone_normalises_for_search() {
        assert_eq!(normalise_code("4f7-k2q").as_deref(), Some("4F7K2Q"));
        assert_eq!(normalise_code("o0ilIL").as_deref(), Some("001111"));
        assert_eq!(normalise_code("4F7K2U"), None);
        assert_eq!(normalise_code("4F7K2"), None);
        assert_eq!(normalise_code("PMC-4F7K2Q"), None);
    }
}
