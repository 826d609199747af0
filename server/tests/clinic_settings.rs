//! The clinic settings page (`/admin/{clinic}/settings`) over HTTP through
//! the real router, on SQLite and PostgreSQL: a clinic admin changes the
//! name, tagline and brand colour (a colour white text cannot be read on is
//! refused with its contrast ratio), uploads and removes a logo (refused when
//! not an image or too large), and the public site shows it; other roles
//! and other clinics' admins are denied and change nothing.

mod common;

use axum::body::Body;
use clinicpress::entities::{audit_log, clinic};
use common::each_db;
use common::web::*;
use http::{Request, StatusCode};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

const PAGE: &str = "/admin/pmc/settings";

/// The logo form as a browser sends it: the file, then the button pressed.
fn logo_post(cookie: &str, clinic: &str, file: Option<(&str, &[u8])>, action: &str) -> Request<Body> {
    let boundary = "cplogo42";
    let mut body = Vec::new();
    let (name, bytes) = file.unwrap_or(("", b""));
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(
        format!(
            "\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\n{action}\r\n--{boundary}--\r\n"
        )
        .as_bytes(),
    );
    Request::builder()
        .method("POST")
        .uri(format!("/admin/{clinic}/settings"))
        .header("host", PMC)
        .header("origin", ORIGIN)
        .header("sec-fetch-site", "same-origin")
        .header("accept", "text/html")
        .header("cookie", cookie)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from_stream(futures_util::stream::iter(
            body.chunks(64 * 1024)
                .map(|c| Ok::<_, std::io::Error>(bytes::Bytes::copy_from_slice(c)))
                .collect::<Vec<_>>(),
        )))
        .unwrap()
}

/// A small real PNG (with transparency, so it stays PNG).
fn logo_png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(w, h, |x, _| image::Rgba([20, 80, 140, if x % 2 == 0 { 255 } else { 200 }]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgba8(img).write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn pmc(db: &DatabaseConnection) -> clinic::Model {
    clinic::Entity::find().filter(clinic::Column::Slug.eq("pmc")).one(db).await.unwrap().unwrap()
}

async fn audit_lines(db: &DatabaseConnection) -> Vec<String> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.starts_with("clinic."))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| format!("{} {}", a.action, a.summary))
        .collect()
}

/// The text of the element with this id (up to its first `<`), for messages.
fn text_of(body: &str, id: &str) -> String {
    let Some(at) = body.find(&format!("id=\"{id}\"")) else { return String::new() };
    let rest = &body[at..];
    let start = rest.find('>').map(|i| i + 1).unwrap_or(0);
    rest[start..].split('<').next().unwrap_or_default().to_string()
}

#[test]
fn clinic_admins_edit_name_colour_and_logo_and_others_cannot() {
    common::block_on(each_db(|t| async move {
        let (app, data) = common::demo_app(&t.db).await;
        let db = &t.db;
        user(db, "chief@pmc.example", &["pmc:admin"]).await;
        user(db, "writer@pmc.example", &["pmc:marketer"]).await;
        user(db, "desk@pmc.example", &["pmc:staff:concord"]).await;
        user(db, "boss@lakeside.example", &["lakeside:admin"]).await;
        let chief = sign_in(&app, "chief@pmc.example").await;
        let writer = sign_in(&app, "writer@pmc.example").await;
        let desk = sign_in(&app, "desk@pmc.example").await;
        let boss = sign_in(&app, "boss@lakeside.example").await;

        // The page: the stored values, links to the other settings; in the admin bar for admins only.
        let html = send(&app, get(PAGE, Some(&chief))).await;
        assert_eq!(html.status, StatusCode::OK, "{}", html.body);
        assert!(html.body.contains("<h1>Clinic settings</h1>"), "{}", html.body);
        assert!(html.body.contains("href=\"/admin/pmc/settings\""), "the admin bar links it");
        assert!(
            html.body.contains("href=\"/admin/pmc/lead-settings\"")
                && html.body.contains("href=\"/admin/pmc/offices\"")
        );
        assert!(html.body.contains("value=\"#1f5f8b\""), "the stored colour");
        assert!(html.body.contains("White text on #1f5f8b: 6.8:1"), "its contrast");
        for cookie in [&writer, &desk] {
            let bar = send(&app, get("/admin/pmc/posts", Some(cookie))).await;
            assert!(!bar.body.contains("href=\"/admin/pmc/settings\""), "not offered to marketers or staff");
        }

        // Saved: the public site shows the new name, tagline and colour.
        let a = send(
            &app,
            html_post(PAGE, Some(&chief), "name=Pine+Medical&tagline=Care+close+to+home&brand_color=%23234E70"),
        )
        .await;
        assert_eq!(
            (a.status, a.location.as_str()),
            (StatusCode::SEE_OTHER, "/admin/pmc/settings?saved=1"),
            "{}",
            a.body
        );
        let c = pmc(db).await;
        assert_eq!(
            (c.name.as_str(), c.tagline.as_deref(), c.brand_color.as_str()),
            ("Pine Medical", Some("Care close to home"), "#234e70")
        );
        let home = send(&app, get("/", None)).await;
        assert!(home.body.contains("<span class=\"brand-name\">Pine Medical</span>"), "{}", home.body);
        assert!(home.body.contains("Care close to home"));
        assert!(home.body.contains("--brand: #234e70;"));
        let page = send(&app, get("/admin/pmc/settings?saved=1", Some(&chief))).await;
        assert!(page.body.contains("Saved. The site shows the new settings now."));
        assert_eq!(audit_lines(db).await.len(), 1);
        assert!(audit_lines(db).await[0].contains("clinic.settings"), "{:?}", audit_lines(db).await);
        // Sending the same again changes nothing and logs nothing.
        let a = send(
            &app,
            html_post(PAGE, Some(&chief), "name=Pine+Medical&tagline=Care+close+to+home&brand_color=%23234e70"),
        )
        .await;
        assert_eq!(a.location, "/admin/pmc/settings?saved=none");
        assert_eq!(audit_lines(db).await.len(), 1);

        // A colour white text cannot be read on: refused with the ratio, what was typed kept, nothing saved.
        let refused = send(&app, html_post(PAGE, Some(&chief), "name=Not+Saved&tagline=&brand_color=%237fd3ff")).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
        assert!(refused.body.contains("<h1>Clinic settings</h1>"));
        assert_eq!(
            text_of(&refused.body, "cs-brand_color-error"),
            "White text on #7fd3ff has a contrast of 1.6:1; WCAG AA needs 4.5:1. Choose a darker colour."
        );
        assert!(refused.body.contains("value=\"Not Saved\"") && refused.body.contains("value=\"#7fd3ff\""));
        assert!(refused.body.contains("aria-invalid=\"true\""));
        let refused = send(&app, html_post(PAGE, Some(&chief), "name=+&brand_color=blue")).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(text_of(&refused.body, "cs-name-error").contains("Give the clinic a name"));
        assert!(text_of(&refused.body, "cs-brand_color-error").contains("not a colour"));
        assert_eq!(pmc(db).await, c, "nothing half-saved");

        // A logo: stored in the clinic's media, drawn in the header with the name as alt text and its size.
        let png = logo_png(120, 60);
        let a = send(&app, logo_post(&chief, "pmc", Some(("logo.png", &png)), "upload")).await;
        assert_eq!(
            (a.status, a.location.as_str()),
            (StatusCode::SEE_OTHER, "/admin/pmc/settings?saved=logo"),
            "{}",
            a.body
        );
        let c = pmc(db).await;
        let url = c.logo_url.clone().expect("a logo");
        assert!(url.starts_with("/media/") && url.ends_with("-120.png"), "{url}");
        assert_eq!((c.logo_width, c.logo_height), (Some(120), Some(60)));
        let home = send(&app, get("/", None)).await;
        let img = format!("<img src=\"{url}\" alt=\"Pine Medical\" width=\"120\" height=\"60\" class=\"brand-logo\">");
        assert!(
            home.body.contains(&img),
            "{img} in {}",
            home.body.split("class=\"brand\"").nth(1).unwrap_or(&home.body).chars().take(600).collect::<String>()
        );
        assert!(!home.body.contains("class=\"brand-mark\""), "the logo replaces the letter mark");
        let file = send(&app, get(&url, None)).await;
        assert_eq!((file.status, file.content_type.as_str()), (StatusCode::OK, "image/png"));
        let file_name = url.trim_start_matches("/media/");
        assert!(data.join("media").join(c.id.to_string()).join(file_name).is_file());
        let page = send(&app, get("/admin/pmc/settings?saved=logo", Some(&chief))).await;
        assert!(page.body.contains(&format!("src=\"{url}\"")) && page.body.contains("Remove the logo"));

        // Not an image, SVG, too large, nothing chosen: a message at the field, the logo unchanged.
        let big = {
            let mut b = logo_png(64, 64);
            b.resize(3 * 1024 * 1024, 0);
            b
        };
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec();
        for (name, bytes, want) in [
            ("notes.png", b"These are my notes, not a picture.".to_vec(), "not a PNG, JPEG or WebP image"),
            ("logo.png", svg, "SVG logos are not accepted"),
            ("huge.png", big, "The file is 3.0 MB; a logo may be at most 2 MB."),
            ("", Vec::new(), "Choose an image file for the logo."),
        ] {
            let file = (!name.is_empty()).then_some((name, bytes.as_slice()));
            let a = send(&app, logo_post(&chief, "pmc", file, "upload")).await;
            assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {}", a.body);
            assert!(text_of(&a.body, "cs-logo-error").contains(want), "{name}: {}", text_of(&a.body, "cs-logo-error"));
            assert!(a.body.contains("value=\"Pine Medical\""), "the stored details are shown");
        }
        assert_eq!(pmc(db).await, c, "the logo is unchanged");

        // Other roles and other clinics: denied, nothing changed (nor half-read).
        for (who, cookie, want) in [
            ("pmc marketer", &writer, StatusCode::FORBIDDEN),
            ("pmc staff", &desk, StatusCode::FORBIDDEN),
            ("lakeside admin", &boss, StatusCode::NOT_FOUND),
        ] {
            assert_eq!(send(&app, get(PAGE, Some(cookie))).await.status, want, "{who} opens the page");
            let a = send(&app, html_post(PAGE, Some(cookie), "name=Hijacked&tagline=&brand_color=%23000000")).await;
            assert_eq!(a.status, want, "{who} saves the details");
            let a = send(&app, logo_post(cookie, "pmc", Some(("evil.png", &logo_png(10, 10))), "upload")).await;
            assert_eq!(a.status, want, "{who} uploads a logo");
            let a = send(&app, logo_post(cookie, "pmc", None, "remove")).await;
            assert_eq!(a.status, want, "{who} removes the logo");
        }
        let api = Request::builder()
            .method("POST")
            .uri("/api/admin/get_clinic_settings")
            .header("host", PMC)
            .header("origin", ORIGIN)
            .header("accept", "application/json")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", &boss)
            .body(Body::from("clinic=pmc"))
            .unwrap();
        assert_eq!(send(&app, api).await.status, StatusCode::NOT_FOUND, "the server function too");
        assert_eq!(pmc(db).await, c, "nothing changed");
        assert_eq!(audit_lines(db).await.len(), 2, "{:?}", audit_lines(db).await);

        // Removing the logo brings the letter mark back.
        let a = send(&app, logo_post(&chief, "pmc", None, "remove")).await;
        assert_eq!((a.status, a.location.as_str()), (StatusCode::SEE_OTHER, "/admin/pmc/settings?saved=logo-removed"));
        let c = pmc(db).await;
        assert_eq!((c.logo_url.as_deref(), c.logo_width), (None, None));
        let home = send(&app, get("/", None)).await;
        assert!(home.body.contains("class=\"brand-mark\"") && !home.body.contains("brand-logo"));
        let lines = audit_lines(db).await;
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(
            lines.iter().any(|l| l.starts_with("clinic.logo "))
                && lines.iter().any(|l| l.starts_with("clinic.logo_remove"))
        );

        // The provision file: what it leaves out stays as the admin set it; what it names wins.
        use clinicpress::clinics::provision;
        let file = "[[clinic]]\nslug = \"pmc\"\nname = \"Pine Medical\"\n\
                    hosts = [\"pmc.localhost\", \"www.pmc.example\"]\ndefault_inbox = \"frontdesk@pmc.example\"\n";
        provision::apply(db, provision::plan("p.toml", file, |_| None).unwrap()).await.unwrap();
        let kept = pmc(db).await;
        assert_eq!((kept.tagline.as_deref(), kept.brand_color.as_str()), (Some("Care close to home"), "#234e70"));
        let named = file.replace("default_inbox", "brand_color = \"#1F5F8B\"\ndefault_inbox");
        provision::apply(db, provision::plan("p.toml", &named, |_| None).unwrap()).await.unwrap();
        assert_eq!(pmc(db).await.brand_color, "#1f5f8b");
        let failing = file.replace("default_inbox", "brand_color = \"#7fd3ff\"\ndefault_inbox");
        let err = provision::plan("p.toml", &failing, |_| None).err().expect("refused").to_string();
        assert!(err.contains("1.6:1"), "{err}");
        t
    }));
}
