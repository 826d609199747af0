//! `POST /api/v1/leads` on each clinic host: the contact and appointment
//! forms as a JSON API, for a form on another site (a landing page, a
//! partner's site) or a server-side integration. Same rules as the HTML
//! form: [`store::submit`] validates, routes, rate-limits, checks for spam
//! and stores the lead with its outbox rows in one transaction.
//!
//! * Body: a JSON object with the form's fields (`kind`, `name`, `email`,
//!   `phone`, `contact_method`, `message`, `office`, `zip`, `consent`,
//!   `patient`, `preferred_days`, `preferred_times`, `receipt`), plus the
//!   optional `website` (honeypot), `form_token`, `page` (the page the
//!   form is on, stored as the lead's source) and `utm_source`,
//!   `utm_medium`, `utm_campaign`. Numbers are taken as text (a ZIP code
//!   or phone sent as a number); `consent` and `receipt` may be booleans.
//! * Answers: 201 `{"reference", "office"}`; 422 `{"errors": {field:
//!   message}}`; 400/413/415 `{"error"}` for a body that is not a JSON
//!   object, too large, or not `application/json`; 429 `{"error",
//!   "retry_after"}` with `Retry-After`; 503 `{"error", "offices"}` when
//!   the database cannot take it (nothing was saved; the offices' phones
//!   to offer instead).
//! * Spam: the rate limits always apply (per sender address and per
//!   e-mail address). A form on another site cannot carry a token this
//!   server rendered, so the token is optional: `GET /api/v1/leads/token`
//!   gives one (fetch it when the form is shown); sent, it is checked like
//!   the HTML form's (one use, at least 3 s between fetching and sending,
//!   24 h at most), and a bad one marks the lead as suspected spam. A
//!   filled `website` does too. Suspected spam is answered 201 like any
//!   lead (the sender is not told) and is never notified.
//! * CORS: only the origins in the clinic's `lead_settings.cors_origins`
//!   (a JSON array such as `["https://www.pmc.example"]`) get CORS headers
//!   and an answered preflight; a browser request from any other origin
//!   (an `Origin` that is neither listed nor this host) is refused with 403
//!   and no CORS headers. Requests without `Origin` (servers) are taken.
//!   No cookies are read, so the CSRF check exempts exactly this endpoint.

use std::net::SocketAddr;

use app::leads::form::{FormKind, RawLead};
use app::model::{ClinicInfo, Site};
use axum::Json;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use sea_orm::EntityTrait;
use serde_json::{Map, Value, json};

use super::AppState;
use crate::content_api::model::ApiError;
use crate::entities::clinic;
use crate::leads::spam::{DEFAULT_MIN_FILL_SECONDS, TOKEN_MAX_AGE_SECONDS};
use crate::leads::store::{self, Hidden, Origin, SubmitError};

/// The path; the CSRF check exempts POSTs to exactly this.
pub const PATH: &str = "/api/v1/leads";
/// Bodies up to this size reach the form's own rules (a 5,000-character message).
pub const BODY_LIMIT: usize = 256 * 1024;
/// How long a browser may remember a preflight answer.
const PREFLIGHT_MAX_AGE: &str = "600";

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

fn unavailable(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "database error in the lead API");
    error(StatusCode::SERVICE_UNAVAILABLE, "The service is unavailable; nothing was saved. Try again in a moment.")
}

/// An origin as compared: lower case, no trailing slash.
fn normalise(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

/// Whether `origin` is one of the clinic's allowed origins (a JSON array).
pub fn listed(cors_origins: &str, origin: &str) -> bool {
    let list: Vec<String> = serde_json::from_str(cors_origins).unwrap_or_default();
    let origin = normalise(origin);
    origin != "null" && list.iter().any(|o| normalise(o) == origin)
}

/// `scheme://host[:port]` with `http` or `https` and nothing after it (a
/// trailing `/` is tolerated): what a browser sends as `Origin`.
pub fn valid_origin(origin: &str) -> bool {
    let o = origin.trim().trim_end_matches('/');
    let Ok(uri) = o.parse::<axum::http::Uri>() else {
        return false;
    };
    matches!(uri.scheme_str(), Some("http" | "https"))
        && uri.authority().is_some_and(|a| !a.as_str().contains('@') && !a.host().is_empty())
        && uri.path_and_query().is_none_or(|p| p.as_str().is_empty() || p.as_str() == "/")
}

/// What the request's `Origin` means for it.
enum Cors {
    /// No `Origin`, or this host's own: no CORS headers needed.
    NotNeeded,
    /// A listed origin: answer with CORS headers for it.
    Allowed(HeaderValue),
    /// Another site's page: refused.
    Refused,
}

fn cors(headers: &HeaderMap, cors_origins: &str) -> Cors {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Cors::NotNeeded;
    };
    match origin.to_str() {
        Ok(o) if listed(cors_origins, o) => Cors::Allowed(origin.clone()),
        _ if super::auth::same_origin(headers) => Cors::NotNeeded,
        _ => Cors::Refused,
    }
}

fn with_cors(mut res: Response, allowed: &Option<HeaderValue>) -> Response {
    let h = res.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(origin) = allowed {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("Retry-After"));
    }
    res
}

/// The clinic this host serves, and its CORS verdict for the request.
async fn clinic_and_cors(
    state: &AppState,
    req: &Parts,
) -> Result<(ClinicInfo, clinic::Model, Option<HeaderValue>), Response> {
    let Some(Site::Clinic(info)) = req.extensions.get::<Site>().cloned() else {
        return Err(error(StatusCode::NOT_FOUND, "Requests are taken on a clinic's own address."));
    };
    let db = &state.leads.db;
    let clinic = match clinic::Entity::find_by_id(info.id).one(db).await {
        Ok(Some(c)) => c,
        Ok(None) => return Err(error(StatusCode::NOT_FOUND, "Requests are taken on a clinic's own address.")),
        Err(e) => return Err(not_saved(state, info.id, e)),
    };
    let settings = store::settings(db, clinic.id).await.map_err(|e| not_saved(state, info.id, e))?;
    let allowed = match cors(&req.headers, &settings.cors_origins) {
        Cors::NotNeeded => None,
        Cors::Allowed(o) => Some(o),
        Cors::Refused => {
            tracing::info!(clinic = clinic.id, "lead API: refused a browser request from an origin not allowed");
            return Err(with_cors(
                error(
                    StatusCode::FORBIDDEN,
                    "Requests from this web site are not accepted. The clinic can add it to its allowed origins.",
                ),
                &None,
            ));
        }
    };
    Ok((info, clinic, allowed))
}

/// `OPTIONS /api/v1/leads` (and `/token`): the preflight. Listed origins
/// may POST JSON; others get no CORS headers, so the browser stops there.
pub async fn preflight(State(state): State<AppState>, req: Request) -> Response {
    let (req, _) = req.into_parts();
    let (_, _, allowed) = match clinic_and_cors(&state, &req).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let method_ok = req
        .headers
        .get(header::ACCESS_CONTROL_REQUEST_METHOD)
        .and_then(|m| m.to_str().ok())
        .is_none_or(|m| m.eq_ignore_ascii_case("POST") || m.eq_ignore_ascii_case("GET"));
    let mut res = with_cors(StatusCode::NO_CONTENT.into_response(), &allowed.filter(|_| method_ok));
    if res.headers().contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN) {
        let h = res.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, OPTIONS"));
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("Content-Type"));
        h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(PREFLIGHT_MAX_AGE));
    }
    res
}

/// `GET /api/v1/leads/token`: a one-use form token, to fetch when the form
/// is shown and send back as `form_token`.
#[utoipa::path(
    get,
    path = "/api/v1/leads/token",
    tag = "leads",
    responses(
        (status = 200, description = "A one-use form token", body = schema::LeadToken),
        (status = 403, description = "A browser request from an origin the clinic has not listed", body = ApiError),
        (status = 404, description = "Not a clinic's address", body = ApiError),
        (status = 503, description = "The database is unavailable", body = ApiError),
    )
)]
pub async fn token(State(state): State<AppState>, req: Request) -> Response {
    let (req, _) = req.into_parts();
    let (_, clinic, allowed) = match clinic_and_cors(&state, &req).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let res = match store::issue_token(&state.leads.db, clinic.id, Utc::now()).await {
        Ok(t) => Json(schema::LeadToken {
            form_token: t,
            expires_in: TOKEN_MAX_AGE_SECONDS,
            min_fill_seconds: DEFAULT_MIN_FILL_SECONDS,
        })
        .into_response(),
        Err(e) => unavailable(e),
    };
    with_cors(res, &allowed)
}

/// `POST /api/v1/leads`.
#[utoipa::path(
    post,
    path = "/api/v1/leads",
    tag = "leads",
    request_body(content = schema::LeadRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "Stored; the reference to quote and the office it went to", body = schema::LeadAccepted),
        (status = 400, description = "The body is not a JSON object", body = ApiError),
        (status = 403, description = "A browser request from an origin the clinic has not listed", body = ApiError),
        (status = 404, description = "Not a clinic's address", body = ApiError),
        (status = 413, description = "The body is larger than 256 KB", body = ApiError),
        (status = 415, description = "Not sent as application/json", body = ApiError),
        (status = 422, description = "A message per refused field", body = schema::LeadInvalid),
        (status = 429, description = "Too many requests; see Retry-After", body = schema::LeadRateLimited),
        (status = 503, description = "Nothing was saved; the offices' phones to offer instead", body = schema::LeadUnavailable),
    )
)]
pub async fn submit(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let (info, clinic, allowed) = match clinic_and_cors(&state, &parts).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let res = take(&state, info, clinic, parts, body).await;
    with_cors(res, &allowed)
}

async fn take(state: &AppState, info: ClinicInfo, clinic: clinic::Model, req: Parts, body: Body) -> Response {
    let json_body = req
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json_body {
        return error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Send the request as JSON (Content-Type: application/json).");
    }
    let connect = req.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let ip = super::auth::client_ip(&req.headers, connect, state.settings.trust_proxy);
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return error(StatusCode::PAYLOAD_TOO_LARGE, format!("The request is larger than {} KB.", BODY_LIMIT / 1024));
    };
    let body: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        // The parser's message names a line and column, never the content.
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("The body is not valid JSON: {e}.")),
    };
    let Value::Object(fields) = body else {
        return error(StatusCode::BAD_REQUEST, "The body must be a JSON object with the form's fields.");
    };
    let input = match read(&fields) {
        Ok(i) => i,
        Err(errors) => return invalid(errors),
    };
    let origin = Origin {
        page_path: input.page.clone().unwrap_or_else(|| PATH.to_string()),
        page_office: None,
        ip,
        utm_source: input.utm[0].clone(),
        utm_medium: input.utm[1].clone(),
        utm_campaign: input.utm[2].clone(),
        base_url: info.base_url.clone(),
    };
    let hidden = Hidden {
        honeypot: input.honeypot,
        token: input.token,
        receipt: input.raw.has("receipt", "on"),
        token_optional: true,
    };
    match store::submit(&state.leads.db, &clinic, &input.raw, &hidden, &origin, Utc::now()).await {
        Ok(accepted) => {
            state.leads.outbox.wake();
            (StatusCode::CREATED, Json(schema::LeadAccepted { reference: accepted.reference, office: accepted.office }))
                .into_response()
        }
        Err(SubmitError::Invalid(errors)) => invalid(errors),
        Err(SubmitError::RateLimited { retry_after }) => {
            let mut res = (
                StatusCode::TOO_MANY_REQUESTS,
                Json(json!({
                    "error": format!("Too many requests from this address or e-mail address; try again in {retry_after} seconds."),
                    "retry_after": retry_after,
                })),
            )
                .into_response();
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            res
        }
        Err(SubmitError::Unavailable(e)) => not_saved(state, info.id, e),
    }
}

/// 503 when the database cannot take a request: nothing was saved, and
/// the clinic's offices (as last read) to call instead. Never the lead's
/// fields in the log.
fn not_saved(state: &AppState, clinic_id: i32, e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, clinic = clinic_id, "a lead sent to the API could not be saved");
    let offices: Vec<Value> = state
        .leads
        .remembered_offices(clinic_id)
        .into_iter()
        .map(|o| json!({ "slug": o.slug, "name": o.name, "phone": o.phone }))
        .collect();
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({
            "error": "The request could not be saved and has not reached the clinic. Try again in a moment, or call an office.",
            "offices": offices,
        })),
    )
        .into_response()
}

fn invalid(errors: Vec<(String, String)>) -> Response {
    let map: Map<String, Value> = errors.into_iter().map(|(f, m)| (f, Value::String(m))).collect();
    (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({ "errors": map }))).into_response()
}

/// What the body says, beyond the form's fields.
#[derive(Debug, Default)]
struct Input {
    raw: RawLead,
    honeypot: String,
    token: String,
    page: Option<String>,
    utm: [Option<String>; 3],
}

/// A text field: a string, a number (as typed), or absent/null.
fn text(v: Option<&Value>) -> Result<String, &'static str> {
    match v {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(_) => Err("Send this as text."),
    }
}

/// A checkbox: `true`/`false`, or the form's text values (`on`, `yes`…).
fn flag(v: Option<&Value>) -> Result<String, &'static str> {
    match v {
        Some(Value::Bool(b)) => Ok(if *b { "on".into() } else { String::new() }),
        other => text(other).map_err(|_| "Send true or false."),
    }
}

/// A list of choices: an array of strings, or one string.
fn list(v: Option<&Value>) -> Result<Vec<String>, &'static str> {
    const MSG: &str = "Send a list of texts, like [\"mon\", \"tue\"].";
    match v {
        None | Some(Value::Null) => Ok(vec![]),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => {
            items.iter().map(|i| i.as_str().map(str::to_string).ok_or(MSG)).collect::<Result<_, _>>()
        }
        Some(_) => Err(MSG),
    }
}

/// The body's fields, or a message per field of the wrong type.
fn read(fields: &Map<String, Value>) -> Result<Input, Vec<(String, String)>> {
    use app::leads::form::field;
    let mut errors = Vec::new();
    let mut input = Input::default();
    let mut note = |name: &str, e: &str| errors.push((name.to_string(), e.to_string()));
    for name in [
        field::NAME,
        field::EMAIL,
        field::PHONE,
        field::CONTACT_METHOD,
        field::MESSAGE,
        field::OFFICE,
        field::ZIP,
        field::PATIENT,
        field::KIND,
    ] {
        match text(fields.get(name)) {
            Ok(v) => input.raw.set(name, v),
            Err(e) => note(name, e),
        }
    }
    for name in [field::CONSENT, field::RECEIPT] {
        match flag(fields.get(name)) {
            Ok(v) => input.raw.set(name, v),
            Err(e) => note(name, e),
        }
    }
    match list(fields.get(field::PREFERRED_DAYS)) {
        Ok(v) => input.raw.preferred_days = v,
        Err(e) => note(field::PREFERRED_DAYS, e),
    }
    match list(fields.get(field::PREFERRED_TIMES)) {
        Ok(v) => input.raw.preferred_times = v,
        Err(e) => note(field::PREFERRED_TIMES, e),
    }
    if input.raw.kind.trim().is_empty() {
        input.raw.kind = FormKind::Contact.as_str().into();
    } else if FormKind::parse(input.raw.kind.trim()).is_none() {
        note(field::KIND, "Use \"contact\" or \"appointment\".");
    } else {
        input.raw.kind = input.raw.kind.trim().to_string();
    }
    let mut other = |name: &str| match text(fields.get(name)) {
        Ok(v) => Some(v.trim().to_string()).filter(|v| !v.is_empty()),
        Err(e) => {
            note(name, e);
            None
        }
    };
    input.honeypot = other(crate::leads::spam::HONEYPOT_FIELD).unwrap_or_default();
    input.token = other(crate::leads::spam::TOKEN_FIELD).unwrap_or_default();
    input.page = other("page");
    input.utm = [other("utm_source"), other("utm_medium"), other("utm_campaign")];
    if errors.is_empty() { Ok(input) } else { Err(errors) }
}

/// Whether a request is the API's POST (the CSRF check lets exactly it through).
pub fn is_api_post(method: &Method, path: &str) -> bool {
    method == Method::POST && path == PATH
}

/// The API's bodies as the OpenAPI document describes them. The request
/// is read field by field (`read`), leniently; these are what to send.
pub mod schema {
    use serde::Serialize;
    use utoipa::ToSchema;

    /// A contact or appointment request. Fields not needed for the kind or
    /// the clinic's form may be left out.
    #[derive(ToSchema)]
    #[allow(dead_code)]
    pub struct LeadRequest {
        /// "contact" (default) or "appointment".
        pub kind: Option<String>,
        pub name: String,
        pub email: Option<String>,
        pub phone: Option<String>,
        /// "email" or "phone".
        pub contact_method: Option<String>,
        pub message: Option<String>,
        /// The chosen office's slug.
        pub office: Option<String>,
        /// ZIP code, for routing to an office when none is chosen.
        pub zip: Option<String>,
        /// The consent checkbox: true, or "on".
        pub consent: bool,
        /// Appointment requests: "new" or "returning".
        pub patient: Option<String>,
        /// Appointment requests: "mon" … "sun".
        pub preferred_days: Option<Vec<String>>,
        /// Appointment requests: "morning", "afternoon", "evening".
        pub preferred_times: Option<Vec<String>>,
        /// Send the visitor a receipt by e-mail.
        pub receipt: Option<bool>,
        /// Honeypot: leave empty.
        pub website: Option<String>,
        /// From `GET /api/v1/leads/token`.
        pub form_token: Option<String>,
        /// The page the form is on (stored as the request's source).
        pub page: Option<String>,
        pub utm_source: Option<String>,
        pub utm_medium: Option<String>,
        pub utm_campaign: Option<String>,
    }

    #[derive(Serialize, ToSchema)]
    pub struct LeadAccepted {
        /// The request's reference, to quote when calling the clinic.
        pub reference: String,
        /// The office's slug (absent: the clinic's default inbox).
        pub office: Option<String>,
    }

    #[derive(Serialize, ToSchema)]
    pub struct LeadToken {
        pub form_token: String,
        /// Seconds the token is good for.
        pub expires_in: i64,
        /// Send no sooner than this many seconds after fetching it.
        pub min_fill_seconds: i64,
    }

    #[derive(ToSchema)]
    #[allow(dead_code)]
    pub struct LeadInvalid {
        /// Field name → message.
        pub errors: std::collections::BTreeMap<String, String>,
    }

    #[derive(ToSchema)]
    #[allow(dead_code)]
    pub struct LeadRateLimited {
        pub error: String,
        /// Seconds to wait.
        pub retry_after: u64,
    }

    #[derive(ToSchema)]
    #[allow(dead_code)]
    pub struct OfficePhone {
        pub slug: String,
        pub name: String,
        pub phone: String,
    }

    #[derive(ToSchema)]
    #[allow(dead_code)]
    pub struct LeadUnavailable {
        pub error: String,
        pub offices: Vec<OfficePhone>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_compared_exactly_but_for_case_and_a_trailing_slash() {
        let list = r#"["https://www.pmc.example", "http://localhost:5173/"]"#;
        assert!(listed(list, "https://www.pmc.example"));
        assert!(listed(list, "HTTPS://WWW.PMC.EXAMPLE"));
        assert!(listed(list, "http://localhost:5173"));
        assert!(!listed(list, "https://pmc.example"));
        assert!(!listed(list, "http://www.pmc.example"));
        assert!(!listed(list, "https://www.pmc.example.evil.example"));
        assert!(!listed("[]", "https://www.pmc.example"));
        assert!(!listed("not json", "https://www.pmc.example"));
        assert!(!listed(r#"["null"]"#, "null"));
        assert!(valid_origin("https://www.pmc.example") && valid_origin("http://localhost:5173/"));
        for bad in ["www.pmc.example", "https://www.pmc.example/contact", "ftp://x.example", "https://u@x.example", ""]
        {
            assert!(!valid_origin(bad), "{bad}");
        }
    }

    #[test]
    fn the_body_is_read_leniently_but_wrong_types_are_named() {
        let body = json!({
            "name": "Ann", "zip": 94520, "consent": true, "receipt": false,
            "preferred_days": "mon", "preferred_times": ["morning", "evening"],
            "kind": "appointment", "website": "", "page": "https://www.pmc.example/book",
        });
        let input = read(body.as_object().unwrap()).unwrap();
        assert_eq!(input.raw.zip, "94520");
        assert!(input.raw.has("consent", "on") && !input.raw.has("receipt", "on"));
        assert_eq!(input.raw.preferred_days, ["mon"]);
        assert_eq!(input.raw.preferred_times, ["morning", "evening"]);
        assert_eq!(input.raw.kind, "appointment");
        assert_eq!(input.page.as_deref(), Some("https://www.pmc.example/book"));

        let body = json!({ "name": {"first": "Ann"}, "preferred_days": [1], "kind": "complaint", "consent": [] });
        let errors = read(body.as_object().unwrap()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["name", "consent", "preferred_days", "kind"]);

        assert_eq!(read(&Map::new()).unwrap().raw.kind, "contact", "a contact request unless said");
    }

    #[test]
    fn only_the_api_post_is_exempt() {
        assert!(is_api_post(&Method::POST, "/api/v1/leads"));
        assert!(!is_api_post(&Method::POST, "/api/v1/leads/token"));
        assert!(!is_api_post(&Method::POST, "/api/admin/lead_action"));
        assert!(!is_api_post(&Method::PUT, "/api/v1/leads"));
    }
}
