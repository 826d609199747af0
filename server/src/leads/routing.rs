//! Which office a lead goes to. The rules, in order:
//!
//! 1. the office the visitor chose (it must be one of the clinic's: an
//!    unknown slug, or another clinic's, is an error for the `office` field,
//!    never a silent fallback);
//! 2. the office of the page the form was on;
//! 3. the office whose ZIP codes include the visitor's ZIP (the first by
//!    position when several do);
//! 4. the clinic's default inbox (no office).
//!
//! A clinic may put 3 before 2 ([`RuleOrder::ZipFirst`]): a group whose
//! offices serve strict areas wants the visitor's ZIP to win over the page
//! they happened to read. The visitor's own choice always comes first and
//! the default inbox last.
//!
//! The caller passes the clinic's offices only, so another clinic's office
//! is simply unknown here. The lead stores [`RoutedBy::as_str`].

use std::fmt;

/// What routing needs to know about one of the clinic's offices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Office {
    pub id: i32,
    pub slug: String,
    /// As the admin typed them: "97201", "97201-1234" (the first five digits
    /// count), or other postal codes (compared without spaces, any case).
    pub zip_codes: Vec<String>,
    /// The clinic's order of its offices (lowest first).
    pub position: i32,
}

/// The rule that routed a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoutedBy {
    ChosenOffice,
    PageOffice,
    ZipCode,
    ClinicDefault,
}

impl RoutedBy {
    pub const ALL: [RoutedBy; 4] =
        [RoutedBy::ChosenOffice, RoutedBy::PageOffice, RoutedBy::ZipCode, RoutedBy::ClinicDefault];

    /// Stored text: `chosen_office`, `page_office`, `zip_code`, `clinic_default`.
    pub const fn as_str(self) -> &'static str {
        match self {
            RoutedBy::ChosenOffice => "chosen_office",
            RoutedBy::PageOffice => "page_office",
            RoutedBy::ZipCode => "zip_code",
            RoutedBy::ClinicDefault => "clinic_default",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// For the lead's history: "Routed by {label}".
    pub const fn label(self) -> &'static str {
        match self {
            RoutedBy::ChosenOffice => "the office the visitor chose",
            RoutedBy::PageOffice => "the office of the page the form was on",
            RoutedBy::ZipCode => "the visitor\u{2019}s ZIP code",
            RoutedBy::ClinicDefault => "the clinic\u{2019}s default inbox",
        }
    }
}

impl fmt::Display for RoutedBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Which office page (if any) a form path is: `Some(Some(slug))` for
/// `/locations/{slug}`, `Some(None)` for `/contact`, `None` when the path
/// has no lead form.
pub fn form_page(path: &str) -> Option<Option<String>> {
    if path == "/contact" {
        return Some(None);
    }
    let slug = path.strip_prefix("/locations/")?;
    (!slug.is_empty() && !slug.contains('/')).then(|| Some(slug.to_string()))
}

/// Whether the page's office or the ZIP code decides first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RuleOrder {
    #[default]
    PageFirst,
    ZipFirst,
}

impl RuleOrder {
    pub const fn as_str(self) -> &'static str {
        match self {
            RuleOrder::PageFirst => "page_first",
            RuleOrder::ZipFirst => "zip_first",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [RuleOrder::PageFirst, RuleOrder::ZipFirst].into_iter().find(|o| o.as_str() == s)
    }
}

/// Where a lead goes: an office, or `None` for the clinic's default inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub office: Option<i32>,
    pub by: RoutedBy,
}

/// The visitor chose an office that is not one of this clinic's. The
/// caller shows it on the `office` field (see `form::OFFICE_MESSAGE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Choose one of our offices from the list.")]
pub struct UnknownOffice;

/// Route a lead among the clinic's `offices`.
///
/// * `chosen`: the office slug the visitor picked (empty or `None`: no
///   choice); compared ignoring case and surrounding spaces.
/// * `page_office`: the office of the page the form was on; ignored when it
///   is not one of `offices` (it is not the visitor's doing, so it is never
///   an error, and a forged id cannot reach another clinic).
/// * `zip`: the visitor's ZIP code, as validated (`97201` or `97201-1234`).
pub fn route(
    offices: &[Office],
    chosen: Option<&str>,
    page_office: Option<i32>,
    zip: Option<&str>,
    order: RuleOrder,
) -> Result<Route, UnknownOffice> {
    if let Some(slug) = chosen.map(str::trim).filter(|s| !s.is_empty()) {
        let office = offices.iter().find(|o| o.slug.eq_ignore_ascii_case(slug)).ok_or(UnknownOffice)?;
        return Ok(Route { office: Some(office.id), by: RoutedBy::ChosenOffice });
    }
    let by_page = || {
        page_office
            .filter(|id| offices.iter().any(|o| o.id == *id))
            .map(|id| Route { office: Some(id), by: RoutedBy::PageOffice })
    };
    let by_zip = || {
        let zip = zip.map(zip_key).filter(|z| !z.is_empty())?;
        offices
            .iter()
            .filter(|o| o.zip_codes.iter().any(|z| zip_key(z) == zip))
            .min_by_key(|o| (o.position, o.id))
            .map(|o| Route { office: Some(o.id), by: RoutedBy::ZipCode })
    };
    let found = match order {
        RuleOrder::PageFirst => by_page().or_else(by_zip),
        RuleOrder::ZipFirst => by_zip().or_else(by_page),
    };
    Ok(found.unwrap_or(Route { office: None, by: RoutedBy::ClinicDefault }))
}

/// A postal code for comparing: spaces removed, upper case; a US ZIP+4
/// (`97201-1234`, `972011234`) becomes its five-digit ZIP.
fn zip_key(z: &str) -> String {
    let z: String = z.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect();
    let b = z.as_bytes();
    let digits = |r: &[u8]| r.iter().all(u8::is_ascii_digit);
    match b.len() {
        9 if digits(b) => z[..5].to_string(),
        10 if digits(&b[..5]) && b[5] == b'-' && digits(&b[6..]) => z[..5].to_string(),
        _ => z,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default order (the page's office before the ZIP code).
    fn route(
        offices: &[Office],
        chosen: Option<&str>,
        page_office: Option<i32>,
        zip: Option<&str>,
    ) -> Result<Route, UnknownOffice> {
        super::route(offices, chosen, page_office, zip, RuleOrder::PageFirst)
    }

    #[test]
    fn a_clinic_may_let_the_zip_code_decide_before_the_page() {
        // On office 12's page with a ZIP served by office 11.
        let r = super::route(&offices(), None, Some(12), Some("97201"), RuleOrder::ZipFirst).unwrap();
        assert_eq!(r, Route { office: Some(11), by: RoutedBy::ZipCode });
        // No ZIP match: the page still counts.
        let r = super::route(&offices(), None, Some(12), Some("10001"), RuleOrder::ZipFirst).unwrap();
        assert_eq!(r, Route { office: Some(12), by: RoutedBy::PageOffice });
        // The visitor's choice still wins.
        let r = super::route(&offices(), Some("downtown"), Some(12), Some("97201"), RuleOrder::ZipFirst).unwrap();
        assert_eq!(r.by, RoutedBy::ChosenOffice);
        assert_eq!(RuleOrder::parse("zip_first"), Some(RuleOrder::ZipFirst));
        assert_eq!(RuleOrder::parse("random"), None);
    }

    fn office(id: i32, slug: &str, zips: &[&str], position: i32) -> Office {
        Office { id, slug: slug.into(), zip_codes: zips.iter().map(|z| z.to_string()).collect(), position }
    }

    fn offices() -> Vec<Office> {
        vec![
            office(10, "downtown", &["97201", "97204-1234"], 2),
            office(11, "eastside", &["97214", "97201"], 1),
            office(12, "beaverton", &["97005"], 3),
        ]
    }

    #[test]
    fn the_chosen_office_wins() {
        let r = route(&offices(), Some(" Downtown "), Some(12), Some("97005")).unwrap();
        assert_eq!(r, Route { office: Some(10), by: RoutedBy::ChosenOffice });
    }

    #[test]
    fn an_unknown_or_other_clinics_office_is_an_error_not_a_fallback() {
        assert_eq!(route(&offices(), Some("nowhere"), Some(12), Some("97005")), Err(UnknownOffice));
        // Another clinic's office is not in this clinic's list.
        assert_eq!(route(&offices()[..1], Some("beaverton"), None, None), Err(UnknownOffice));
        assert_eq!(route(&[], Some("downtown"), None, None), Err(UnknownOffice));
        assert_eq!(UnknownOffice.to_string(), crate::leads::form::OFFICE_MESSAGE);
    }

    #[test]
    fn no_choice_falls_to_the_page_office() {
        for chosen in [None, Some(""), Some("   ")] {
            let r = route(&offices(), chosen, Some(12), Some("97201")).unwrap();
            assert_eq!(r, Route { office: Some(12), by: RoutedBy::PageOffice });
        }
    }

    #[test]
    fn a_page_office_of_another_clinic_is_ignored() {
        let r = route(&offices(), None, Some(999), Some("97005")).unwrap();
        assert_eq!(r, Route { office: Some(12), by: RoutedBy::ZipCode });
    }

    #[test]
    fn zip_codes_pick_the_first_office_by_position() {
        // Both downtown (position 2) and eastside (position 1) serve 97201.
        assert_eq!(route(&offices(), None, None, Some("97201")).unwrap().office, Some(11));
        // ZIP+4 on either side compares by the five-digit ZIP.
        assert_eq!(route(&offices(), None, None, Some("97201-9999")).unwrap().office, Some(11));
        assert_eq!(route(&offices(), None, None, Some("97204")).unwrap().office, Some(10));
        // Equal positions: the lower id, so the answer never depends on load order.
        let mut tied = offices();
        tied[0].position = 1;
        tied.reverse();
        assert_eq!(route(&tied, None, None, Some("97201")).unwrap().office, Some(10));
    }

    #[test]
    fn other_postal_codes_compare_without_spaces_or_case() {
        let list = vec![office(1, "london", &["SW1A 1AA"], 0)];
        assert_eq!(route(&list, None, None, Some("sw1a1aa")).unwrap().by, RoutedBy::ZipCode);
        // Multi-byte text of ZIP length never panics, it just does not match.
        assert_eq!(route(&list, None, None, Some("ééééé")).unwrap().by, RoutedBy::ClinicDefault);
        assert_eq!(zip_key("éééé-a"), "éééé-A");
        assert_eq!(zip_key("ééééx"), "ééééX");
    }

    #[test]
    fn nothing_matches_goes_to_the_clinic_default() {
        let default = Route { office: None, by: RoutedBy::ClinicDefault };
        assert_eq!(route(&offices(), None, None, Some("10001")).unwrap(), default);
        assert_eq!(route(&offices(), None, None, None).unwrap(), default);
        assert_eq!(route(&offices(), None, None, Some("")).unwrap(), default);
        assert_eq!(route(&[], None, Some(1), Some("97201")).unwrap(), default);
        // An office with an empty ZIP entry does not catch empty ZIPs.
        let list = vec![office(1, "a", &[""], 0)];
        assert_eq!(route(&list, None, None, Some(" ")).unwrap(), default);
    }

    #[test]
    fn routed_by_text_is_stable() {
        let stored: Vec<&str> = RoutedBy::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(stored, ["chosen_office", "page_office", "zip_code", "clinic_default"]);
        for r in RoutedBy::ALL {
            assert_eq!(RoutedBy::parse(r.as_str()), Some(r));
        }
        assert_eq!(RoutedBy::parse("zip"), None);
        assert_eq!(RoutedBy::ChosenOffice.to_string(), "the office the visitor chose");
    }
}
