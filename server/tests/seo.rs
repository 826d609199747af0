//! Search-engine and sharing tags of the public pages over HTTP through
//! the real router, on SQLite and PostgreSQL: schema.org JSON-LD of the
//! clinic and its offices, canonical links on the clinic's primary host
//! (whichever of its hosts was asked), OpenGraph and Twitter tags, and a
//! title and description of its own on every page.

mod common;

use std::collections::BTreeSet;

use axum::Router;
use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use common::each_db;

const PMC: &str = "pmc.localhost:3000";

async fn get(app: &Router, host: &str, path: &str) -> (StatusCode, String) {
    let req = Request::builder().uri(path).header("host", host).body(Body::empty()).unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// The value of `attr` in the first tag containing `marker`.
fn attr_of(html: &str, marker: &str, attr: &str) -> Option<String> {
    let at = html.find(marker)?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    let tag = &html[start..end];
    let from = tag.find(&format!("{attr}=\""))? + attr.len() + 2;
    let value = &tag[from..from + tag[from..].find('"')?];
    Some(value.replace("&amp;", "&"))
}

fn meta(html: &str, key: &str) -> Option<String> {
    attr_of(html, &format!("=\"{key}\""), "content")
}

fn canonical(html: &str) -> Option<String> {
    attr_of(html, "rel=\"canonical\"", "href")
}

fn title(html: &str) -> String {
    let start = html.find("<title>").map(|i| i + 7).unwrap_or(0);
    let end = html[start..].find("</title>").map(|i| start + i).unwrap_or(start);
    html[start..end].to_string()
}

/// Every JSON-LD block of the page, parsed.
fn json_ld(html: &str) -> Vec<Value> {
    let open = "<script type=\"application/ld+json\">";
    html.match_indices(open)
        .map(|(i, _)| {
            let from = i + open.len();
            let text = &html[from..from + html[from..].find("</script>").unwrap()];
            serde_json::from_str(text).unwrap_or_else(|e| panic!("JSON-LD does not parse: {e}: {text}"))
        })
        .collect()
}

/// The required properties of an office as a `MedicalClinic`.
fn check_office(o: &Value) {
    assert_eq!(o["@type"], "MedicalClinic", "{o}");
    assert!(o["name"].as_str().is_some_and(|n| n.starts_with("Pain Medicine Consultants — ")), "{o}");
    let a = &o["address"];
    assert_eq!(a["@type"], "PostalAddress");
    for key in ["streetAddress", "addressLocality", "postalCode"] {
        assert!(a[key].as_str().is_some_and(|v| !v.is_empty()), "{key} in {a}");
    }
    assert!(o["telephone"].as_str().is_some_and(|t| t.starts_with('+')), "{o}");
    let hours = o["openingHoursSpecification"].as_array().expect("opening hours");
    assert!(!hours.is_empty());
    for spec in hours {
        assert_eq!(spec["@type"], "OpeningHoursSpecification");
        assert!(spec["dayOfWeek"].as_array().is_some_and(|d| !d.is_empty()), "{spec}");
        assert!(spec["opens"].as_str().is_some_and(|t| t.len() == 5), "{spec}");
        assert!(spec["closes"].as_str().is_some_and(|t| t.len() == 5), "{spec}");
    }
    assert_eq!(o["geo"]["@type"], "GeoCoordinates");
    assert!(o["url"].as_str().is_some_and(|u| u.starts_with("http://pmc.localhost:3000/locations/")));
}

/// One demo router per database, the checks in turn. (As three tests in
/// parallel, each with its own router building its search index, the
/// canonical check twice stalled for minutes; alone it takes seconds.)
#[test]
fn public_pages_carry_structured_data_canonical_links_and_sharing_tags() {
    common::block_on(each_db(|t| async move {
        let (app, _) = common::demo_app(&t.db).await;
        the_clinic_and_its_offices_are_described_for_search_engines(&app).await;
        canonical_links_name_the_primary_host(&app).await;
        every_public_page_has_sharing_tags_and_its_own_title_and_description(&app).await;
        t
    }));
}

async fn the_clinic_and_its_offices_are_described_for_search_engines(app: &Router) {
    {
        let (_, home) = get(app, PMC, "/").await;
        let blocks = json_ld(&home);
        assert_eq!(blocks.len(), 1, "one JSON-LD block on the home page");
        let org = &blocks[0]["@graph"][0];
        assert_eq!(org["@type"], "MedicalOrganization");
        assert_eq!(org["name"], "Pain Medicine Consultants");
        assert_eq!(org["url"], "http://pmc.localhost:3000/");
        let offices = org["department"].as_array().expect("offices as departments");
        assert_eq!(offices.len(), 3);
        offices.iter().for_each(check_office);
        assert_eq!(blocks[0]["@graph"][1]["@type"], "WebSite");

        let (s, page) = get(app, PMC, "/locations/pleasant-hill").await;
        assert_eq!(s, StatusCode::OK);
        let blocks = json_ld(&page);
        assert_eq!(blocks.len(), 1);
        let graph = blocks[0]["@graph"].as_array().unwrap();
        let office = &graph[0];
        check_office(office);
        assert_eq!(office["name"], "Pain Medicine Consultants — Pleasant Hill");
        assert_eq!(office["address"]["streetAddress"], "100 Example Ave");
        assert_eq!(office["address"]["addressLocality"], "Pleasant Hill");
        assert_eq!(office["address"]["postalCode"], "94523");
        assert_eq!(office["telephone"], "+19255550100");
        assert_eq!(office["geo"]["latitude"], 37.948);
        // Wednesday's split shift is two spans; Saturday and Sunday are closed.
        let hours = office["openingHoursSpecification"].as_array().unwrap();
        let on = |day: &str| -> Vec<(String, String)> {
            hours
                .iter()
                .filter(|s| s["dayOfWeek"].as_array().unwrap().iter().any(|d| d == day))
                .map(|s| (s["opens"].as_str().unwrap().to_string(), s["closes"].as_str().unwrap().to_string()))
                .collect()
        };
        assert_eq!(on("Wednesday"), [("08:00".into(), "12:00".into()), ("13:00".into(), "17:00".into())]);
        assert_eq!(on("Friday"), [("08:00".to_string(), "16:00".to_string())]);
        assert_eq!(on("Sunday"), [("00:00".to_string(), "00:00".to_string())], "closed all day");
        assert_eq!(graph[1]["@type"], "MedicalOrganization");
        let crumbs = graph[2]["itemListElement"].as_array().unwrap();
        assert_eq!(graph[2]["@type"], "BreadcrumbList");
        assert_eq!(
            crumbs.iter().map(|c| c["name"].as_str().unwrap()).collect::<Vec<_>>(),
            ["Home", "Locations", "Pleasant Hill"]
        );
    }
}

const PUBLIC: [&str; 11] = [
    "/",
    "/blog",
    "/blog?page=2",
    "/blog/category/treatments",
    "/blog/tag/back-pain",
    "/blog/author/james-taggart",
    "/blog/what-to-expect-at-your-first-visit",
    "/locations",
    "/locations/pleasant-hill",
    "/contact",
    "/search?q=knee",
];

async fn canonical_links_name_the_primary_host(app: &Router) {
    {
        // On a development host the primary address is that host with its port…
        let (_, blog2) = get(app, PMC, "/blog?page=2").await;
        assert_eq!(canonical(&blog2).as_deref(), Some("http://pmc.localhost:3000/blog?page=2"));
        // …and asked on another of the clinic's host names, it is the first
        // listed one (pmc.localhost in the demo provision file), as in the sitemap.
        for path in PUBLIC {
            let (s, page) = get(app, "www.pmc.example", path).await;
            assert_eq!(s, StatusCode::OK, "{path}");
            let expected = match path {
                "/" => "http://www.pmc.example/".to_string(),
                p if p.starts_with("/search") => "http://www.pmc.example/search".to_string(),
                p => format!("http://www.pmc.example{p}"),
            };
            assert_eq!(canonical(&page).as_deref(), Some(expected.as_str()), "{path}");
            assert_eq!(meta(&page, "og:url").as_deref(), Some(expected.as_str()), "{path}");
            assert_eq!(page.matches("rel=\"canonical\"").count(), 1, "one canonical link on {path}");
        }
        let (_, post) = get(app, "www.pmc.example", "/blog/what-to-expect-at-your-first-visit").await;
        let ld = json_ld(&post);
        assert_eq!(ld[0]["@graph"][0]["url"], "http://www.pmc.example/blog/what-to-expect-at-your-first-visit");
        // Search result pages are not indexed; their links are followed.
        let (_, search) = get(app, PMC, "/search?q=knee&category=treatments").await;
        assert_eq!(meta(&search, "robots").as_deref(), Some("noindex, follow"));
        assert_eq!(canonical(&search).as_deref(), Some("http://pmc.localhost:3000/search"));
    }
}

async fn every_public_page_has_sharing_tags_and_its_own_title_and_description(app: &Router) {
    {
        let mut titles = BTreeSet::new();
        let mut descriptions = BTreeSet::new();
        for path in PUBLIC {
            let (_, page) = get(app, PMC, path).await;
            let t = title(&page);
            assert!(t.contains("Pain Medicine Consultants"), "{path}: {t}");
            assert!(titles.insert(t.clone()), "{path}: the title {t} is used twice");
            let d = meta(&page, "description").unwrap_or_else(|| panic!("{path}: no description"));
            assert!(!d.trim().is_empty(), "{path}");
            assert!(descriptions.insert(d.clone()), "{path}: the description {d} is used twice");
            for key in ["og:title", "og:description", "og:url", "og:site_name", "twitter:card", "twitter:title"] {
                assert!(meta(&page, key).is_some_and(|v| !v.is_empty()), "{path}: {key}");
            }
            assert_eq!(page.matches("property=\"og:title\"").count(), 1, "{path}: og:title once");
            assert_eq!(page.matches("name=\"description\"").count(), 1, "{path}: one description");
            let kind = meta(&page, "og:type").unwrap();
            let expected = match path {
                "/blog/what-to-expect-at-your-first-visit" => "article",
                "/blog/author/james-taggart" => "profile",
                _ => "website",
            };
            assert_eq!(kind, expected, "{path}");
        }
        // Page two of a list says so in its description too.
        let (_, blog2) = get(app, PMC, "/blog?page=2").await;
        assert!(meta(&blog2, "description").unwrap().contains("page 2 of 2"));
    }
}
