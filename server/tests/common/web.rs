//! Requests to the real router as a browser on `pmc.localhost:3000` sends
//! them (same-origin posts, the session cookie), for the admin HTTP tests.

use axum::Router;
use axum::body::Body;
use clinicpress::accounts::users::{self, RoleArg};
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use sea_orm::DatabaseConnection;
use tower::ServiceExt;

pub const PMC: &str = "pmc.localhost:3000";
pub const ORIGIN: &str = "http://pmc.localhost:3000";
/// The password of the accounts [`user`] makes.
pub const PASSWORD: &str = "a long enough password";

pub struct Answer {
    pub status: StatusCode,
    pub location: String,
    /// The `cp_session=…` pair a response set, if any.
    pub cookie: Option<String>,
    pub set_cookie: String,
    pub content_type: String,
    pub body: String,
}

pub async fn send(app: &Router, req: Request<Body>) -> Answer {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let header = |name: &str| res.headers().get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let location = header("location");
    let set_cookie = header("set-cookie");
    let content_type = header("content-type");
    let cookie = set_cookie.split(';').next().filter(|c| c.starts_with("cp_session=")).map(str::to_string);
    let body = res.into_body().collect().await.unwrap().to_bytes();
    Answer { status, location, cookie, set_cookie, content_type, body: String::from_utf8_lossy(&body).into_owned() }
}

pub fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::builder().uri(path).header("host", PMC);
    if let Some(c) = cookie {
        b = b.header("cookie", c);
    }
    b.body(Body::empty()).unwrap()
}

/// A same-origin form post (no `Accept`: what the sign-in form sends).
pub fn form_post(path: &str, cookie: Option<&str>, body: &str) -> Request<Body> {
    let mut b = Request::builder()
        .method("POST")
        .uri(path)
        .header("host", PMC)
        .header("origin", ORIGIN)
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        b = b.header("cookie", c);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

/// A form post as a browser without JavaScript sends it (`Accept: text/html`).
pub fn html_post(path: &str, cookie: Option<&str>, body: &str) -> Request<Body> {
    let mut r = form_post(path, cookie, body);
    r.headers_mut().insert("accept", "text/html".parse().unwrap());
    r
}

pub fn json_post(path: &str, cookie: Option<&str>, body: serde_json::Value) -> Request<Body> {
    let mut b = Request::builder()
        .method("POST")
        .uri(path)
        .header("host", PMC)
        .header("origin", ORIGIN)
        .header("accept", "application/json")
        .header("content-type", "application/json");
    if let Some(c) = cookie {
        b = b.header("cookie", c);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

/// A server function request as the hydrated page sends it (form-encoded, JSON answer).
pub fn fn_post(path: &str, cookie: Option<&str>, body: &str) -> Request<Body> {
    let mut r = form_post(path, cookie, body);
    r.headers_mut().insert("accept", "application/json".parse().unwrap());
    r
}

/// A server function called by a signed-in user (see [`fn_post`]).
pub async fn call(app: &Router, cookie: &str, path: &str, body: &str) -> Answer {
    send(app, fn_post(path, Some(cookie), body)).await
}

pub fn enc(s: &str) -> String {
    app::text::url_encode(s)
}

/// An account with [`PASSWORD`] and these roles (`pmc:admin`, `pmc:staff:concord`…).
pub async fn user(db: &DatabaseConnection, email: &str, roles: &[&str]) {
    let roles: Vec<RoleArg> = roles.iter().map(|r| r.parse().unwrap()).collect();
    users::create(db, email, "Test User", Some(PASSWORD), &roles, false).await.unwrap();
}

/// Sign in with [`PASSWORD`]; the session cookie.
pub async fn sign_in(app: &Router, email: &str) -> String {
    let a = send(
        app,
        form_post("/admin/login", None, &format!("email={}&password={}&next=/admin", enc(email), enc(PASSWORD))),
    )
    .await;
    assert_eq!((a.status, a.location.as_str()), (StatusCode::SEE_OTHER, "/admin"), "signed in as {email}");
    a.cookie.expect("a session cookie")
}
