//! The JSON-LD of a clinic and its offices: each office a schema.org
//! `MedicalClinic` (name, `PostalAddress`, telephone, weekly
//! `openingHoursSpecification` with split shifts and closed days, `geo`
//! when the office has coordinates, url), the clinic a
//! `MedicalOrganization` with its offices as `department`s (home page),
//! and the office page's `BreadcrumbList` (home › locations › office).

use app::model::ClinicInfo;
use serde_json::{Map, Value, json};

use super::{absolute, breadcrumbs, script_safe};
use crate::entities::location;
use crate::locations::hours::{Span, WeeklyHours};
use crate::locations::read::hours_of;
use crate::slugs::phone_href;

const DAY_NAMES: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// `@id` of the clinic's organisation node, shared by every page's graph.
pub fn organization_id(clinic: &ClinicInfo) -> String {
    format!("{}/#organization", clinic.primary())
}

/// The clinic as a `MedicalOrganization`: name, home page, tagline, logo.
pub fn organization(clinic: &ClinicInfo) -> Value {
    let base = clinic.primary();
    let mut org = json!({
        "@type": "MedicalOrganization",
        "@id": organization_id(clinic),
        "name": clinic.name,
        "url": format!("{base}/"),
    });
    if let Some(t) = clinic.tagline.as_deref().filter(|t| !t.trim().is_empty()) {
        org["description"] = json!(t);
    }
    if let Some(logo) = &clinic.logo_url {
        org["logo"] = json!(absolute(base, logo));
    }
    org
}

/// An address written on one line, read the US way when it is one:
/// "2250 Sample Blvd, Suite 310, Walnut Creek, CA 94596" → street
/// "2250 Sample Blvd, Suite 310", locality "Walnut Creek", region "CA",
/// postal code "94596", country "US". Anything else stays whole as the
/// street address (still a valid `PostalAddress`).
pub fn postal_address(text: &str) -> Value {
    let mut parts: Vec<&str> = text.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    if parts.last().is_some_and(|p| ["us", "usa", "united states"].contains(&p.to_ascii_lowercase().as_str())) {
        parts.pop();
    }
    let us_zip = |z: &str| {
        let (five, plus4) = z.split_once('-').unwrap_or((z, ""));
        five.len() == 5
            && five.bytes().all(|b| b.is_ascii_digit())
            && (plus4.is_empty() || (plus4.len() == 4 && plus4.bytes().all(|b| b.is_ascii_digit())))
    };
    if parts.len() >= 3
        && let Some((region, zip)) = parts[parts.len() - 1].split_once(' ')
        && region.len() == 2
        && region.bytes().all(|b| b.is_ascii_uppercase())
        && us_zip(zip.trim())
    {
        return json!({
            "@type": "PostalAddress",
            "streetAddress": parts[..parts.len() - 2].join(", "),
            "addressLocality": parts[parts.len() - 2],
            "addressRegion": region,
            "postalCode": zip.trim(),
            "addressCountry": "US",
        });
    }
    json!({ "@type": "PostalAddress", "streetAddress": text.trim() })
}

fn hhmm(minutes: u16) -> String {
    // schema.org times stop at 23:59; an office open until midnight closes then.
    let m = minutes.min(23 * 60 + 59);
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// The week as `OpeningHoursSpecification`s: one per distinct opening
/// span with every day that has it (a split shift is two spans, so two
/// entries for that day), and the closed days together with opens and
/// closes both "00:00" (how schema.org consumers read "closed all day").
/// Empty when the office has no hours at all (unknown, rather than closed).
pub fn opening_hours(hours: &WeeklyHours) -> Vec<Value> {
    if hours.days.iter().all(Vec::is_empty) {
        return Vec::new();
    }
    // (span, days), in order of the first day and the opening time.
    let mut groups: Vec<(Span, Vec<&str>)> = Vec::new();
    let mut closed: Vec<&str> = Vec::new();
    for (i, spans) in hours.days.iter().enumerate() {
        if spans.is_empty() {
            closed.push(DAY_NAMES[i]);
        }
        for span in spans {
            match groups.iter_mut().find(|(s, _)| s == span) {
                Some((_, days)) => days.push(DAY_NAMES[i]),
                None => groups.push((*span, vec![DAY_NAMES[i]])),
            }
        }
    }
    let spec = |days: Vec<&str>, opens: String, closes: String| json!({ "@type": "OpeningHoursSpecification", "dayOfWeek": days, "opens": opens, "closes": closes });
    let mut out: Vec<Value> = groups.into_iter().map(|(s, days)| spec(days, hhmm(s.open), hhmm(s.close))).collect();
    if !closed.is_empty() {
        out.push(spec(closed, "00:00".into(), "00:00".into()));
    }
    out
}

/// Holiday closures not over by `today`, as schema.org says "closed":
/// opening and closing at 00:00 from `validFrom` through `validThrough`.
pub fn closures(hours: &WeeklyHours, today: chrono::NaiveDate) -> Vec<Value> {
    hours
        .upcoming_closures(today)
        .map(|c| {
            json!({
                "@type": "OpeningHoursSpecification",
                "validFrom": c.from.to_string(),
                "validThrough": c.to.to_string(),
                "opens": "00:00",
                "closes": "00:00",
            })
        })
        .collect()
}

/// The address of an office's page on the primary host.
pub fn office_url(clinic: &ClinicInfo, m: &location::Model) -> String {
    format!("{}/locations/{}", clinic.primary(), m.slug)
}

/// One office as a `MedicalClinic`, part of the clinic's organisation.
pub fn office(clinic: &ClinicInfo, m: &location::Model) -> Value {
    let url = office_url(clinic, m);
    let telephone = phone_href(&m.phone)
        .and_then(|h| h.strip_prefix("tel:").filter(|n| n.starts_with('+')).map(str::to_string))
        .unwrap_or_else(|| m.phone.trim().to_string());
    let mut node = Map::new();
    node.insert("@type".into(), json!("MedicalClinic"));
    node.insert("@id".into(), json!(format!("{url}#office")));
    node.insert("name".into(), json!(format!("{} — {}", clinic.name, m.name)));
    node.insert("url".into(), json!(url));
    node.insert("address".into(), postal_address(&m.address));
    if !telephone.is_empty() {
        node.insert("telephone".into(), json!(telephone));
    }
    let weekly = hours_of(m);
    let hours = opening_hours(&weekly);
    if !hours.is_empty() {
        node.insert("openingHoursSpecification".into(), json!(hours));
    }
    let special = closures(&weekly, chrono::Utc::now().date_naive());
    if !special.is_empty() {
        node.insert("specialOpeningHoursSpecification".into(), json!(special));
    }
    if let (Some(lat), Some(lon)) = (m.latitude, m.longitude)
        && lat.is_finite()
        && lon.is_finite()
    {
        node.insert("geo".into(), json!({ "@type": "GeoCoordinates", "latitude": lat, "longitude": lon }));
    }
    if let Some(logo) = &clinic.logo_url {
        node.insert("image".into(), json!(absolute(clinic.primary(), logo)));
    }
    node.insert("parentOrganization".into(), json!({ "@id": organization_id(clinic) }));
    Value::Object(node)
}

/// The home page's JSON-LD: the clinic as a `MedicalOrganization` whose
/// `department`s are its offices, and the `WebSite` with its search.
pub fn home_json_ld(clinic: &ClinicInfo, offices: &[location::Model]) -> String {
    let base = clinic.primary();
    let mut org = organization(clinic);
    if !offices.is_empty() {
        org["department"] = json!(offices.iter().map(|m| office(clinic, m)).collect::<Vec<_>>());
    }
    let site = json!({
        "@type": "WebSite",
        "@id": format!("{base}/#website"),
        "name": clinic.name,
        "url": format!("{base}/"),
        "publisher": { "@id": organization_id(clinic) },
        "potentialAction": {
            "@type": "SearchAction",
            "target": { "@type": "EntryPoint", "urlTemplate": format!("{base}/search?q={{search_term_string}}") },
            "query-input": "required name=search_term_string",
        },
    });
    script_safe(&json!({ "@context": "https://schema.org", "@graph": [org, site] }))
}

/// An office page's JSON-LD: the office as a `MedicalClinic`, the clinic
/// it belongs to, and the breadcrumbs home › locations › office.
pub fn location_json_ld(clinic: &ClinicInfo, m: &location::Model) -> String {
    let base = clinic.primary();
    let crumbs = breadcrumbs(vec![
        ("Home".to_string(), format!("{base}/")),
        ("Locations".to_string(), format!("{base}/locations")),
        (m.name.clone(), office_url(clinic, m)),
    ]);
    script_safe(
        &json!({ "@context": "https://schema.org", "@graph": [office(clinic, m), organization(clinic), crumbs] }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clinic() -> ClinicInfo {
        ClinicInfo {
            id: 1,
            slug: "pmc".into(),
            name: "Pain Medicine </script> & Co".into(),
            tagline: Some("Unhurried care.".into()),
            brand_color: "#1f5f8b".into(),
            logo_url: Some("/media/logo.png".into()),
            logo_size: None,
            disclaimer: None,
            base_url: "http://pmc.example:8080".into(),
            primary_url: "https://www.pmc.example".into(),
        }
    }

    fn office_model() -> location::Model {
        location::Model {
            id: 7,
            clinic_id: 1,
            slug: "walnut-creek".into(),
            name: "Walnut Creek".into(),
            address: "2250 Sample Blvd, Suite 310, Walnut Creek, CA 94596".into(),
            phone: "+1 925-555-0114".into(),
            timezone: "America/Los_Angeles".into(),
            hours: r#"{"mon":"08:00-12:00,13:00-17:00","tue":"08:00-17:00","wed":"08:00-17:00","fri":"09:00-24:00","sat":"closed"}"#
                .into(),
            inbox: "[]".into(),
            zip_codes: "[\"94596\"]".into(),
            latitude: Some(37.906),
            longitude: Some(-122.065),
            position: 0,
            closures: "[]".into(),
            archived_at: None,
        }
    }

    #[test]
    fn addresses_are_read_the_us_way_or_kept_whole() {
        let a = postal_address("2250 Sample Blvd, Suite 310, Walnut Creek, CA 94596");
        assert_eq!(a["streetAddress"], "2250 Sample Blvd, Suite 310");
        assert_eq!(a["addressLocality"], "Walnut Creek");
        assert_eq!(a["addressRegion"], "CA");
        assert_eq!(a["postalCode"], "94596");
        assert_eq!(a["addressCountry"], "US");
        let b = postal_address("815 Demo Street, Evanston, IL 60201-1234, USA");
        assert_eq!((b["addressLocality"].as_str(), b["postalCode"].as_str()), (Some("Evanston"), Some("60201-1234")));
        let c = postal_address("Hauptstraße 5, 10115 Berlin");
        assert_eq!(c["streetAddress"], "Hauptstraße 5, 10115 Berlin");
        assert!(c.get("postalCode").is_none());
    }

    #[test]
    fn hours_group_days_and_show_split_shifts_and_closed_days() {
        let specs = opening_hours(&hours_of(&office_model()));
        let rows: Vec<(Vec<&str>, &str, &str)> = specs
            .iter()
            .map(|s| {
                let days = s["dayOfWeek"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
                (days, s["opens"].as_str().unwrap(), s["closes"].as_str().unwrap())
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                (vec!["Monday"], "08:00", "12:00"),
                (vec!["Monday"], "13:00", "17:00"),
                (vec!["Tuesday", "Wednesday"], "08:00", "17:00"),
                (vec!["Friday"], "09:00", "23:59"),
                (vec!["Thursday", "Saturday", "Sunday"], "00:00", "00:00"),
            ]
        );
        assert!(opening_hours(&WeeklyHours::default()).is_empty(), "no hours at all: unknown, not closed");
    }

    #[test]
    fn holiday_closures_are_special_opening_hours() {
        let mut hours = hours_of(&office_model());
        hours.closures = crate::locations::hours::parse_closures(
            "2026-11-26 Thanksgiving\n2026-12-24 to 2026-12-25 Winter holidays",
        )
        .unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let special = closures(&hours, today);
        assert_eq!(special.len(), 1, "past closures are left out: {special:?}");
        assert_eq!(special[0]["validFrom"], "2026-12-24");
        assert_eq!(special[0]["validThrough"], "2026-12-25");
        assert_eq!((special[0]["opens"].as_str(), special[0]["closes"].as_str()), (Some("00:00"), Some("00:00")));
    }

    #[test]
    fn an_office_is_a_medical_clinic_on_the_primary_host() {
        let c = clinic();
        let text = location_json_ld(&c, &office_model());
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'), "{text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        let o = &v["@graph"][0];
        assert_eq!(o["@type"], "MedicalClinic");
        assert_eq!(o["name"], "Pain Medicine </script> & Co — Walnut Creek");
        assert_eq!(o["url"], "https://www.pmc.example/locations/walnut-creek");
        assert_eq!(o["telephone"], "+19255550114");
        assert_eq!(o["geo"]["latitude"], 37.906);
        assert_eq!(o["address"]["postalCode"], "94596");
        assert_eq!(o["image"], "https://www.pmc.example/media/logo.png");
        assert_eq!(o["parentOrganization"]["@id"], "https://www.pmc.example/#organization");
        assert_eq!(v["@graph"][1]["@id"], "https://www.pmc.example/#organization");
        let crumbs = v["@graph"][2]["itemListElement"].as_array().unwrap();
        assert_eq!(crumbs.len(), 3);
        assert_eq!(crumbs[2]["item"], "https://www.pmc.example/locations/walnut-creek");
        let no_geo = location::Model { latitude: None, ..office_model() };
        assert!(office(&c, &no_geo).get("geo").is_none());
    }

    #[test]
    fn the_home_page_has_the_organization_with_its_offices() {
        let c = clinic();
        let other = location::Model { id: 8, slug: "concord".into(), name: "Concord".into(), ..office_model() };
        let v: Value = serde_json::from_str(&home_json_ld(&c, &[office_model(), other])).unwrap();
        let org = &v["@graph"][0];
        assert_eq!(org["@type"], "MedicalOrganization");
        assert_eq!(org["url"], "https://www.pmc.example/");
        assert_eq!(org["description"], "Unhurried care.");
        let departments = org["department"].as_array().unwrap();
        assert_eq!(departments.len(), 2);
        assert_eq!(departments[1]["url"], "https://www.pmc.example/locations/concord");
        assert_eq!(v["@graph"][1]["@type"], "WebSite");
        assert_eq!(
            v["@graph"][1]["potentialAction"]["target"]["urlTemplate"],
            "https://www.pmc.example/search?q={search_term_string}"
        );
    }
}
