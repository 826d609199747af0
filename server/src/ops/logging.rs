//! Request logging: every request gets an id (`x-request-id`, kept from a
//! proxy when it looks like one, else a new UUID, and sent back in the
//! response) and runs inside a span carrying the method, the matched route
//! template and that id, so any log line written while answering it names
//! the request. One line per response gives the status and the latency.
//!
//! What a span may carry is deliberately little: the route *template*
//! (`/admin/reset/{token}`, never the token), or for requests no route
//! matched the path with long opaque segments masked
//! ([`crate::web::auth::loggable_path`]); never a query string, a header
//! value, a cookie or a body. The line format (text or JSON) is chosen at
//! start (`--log-format`).

use axum::extract::{MatchedPath, Request};
use std::time::Duration;

use axum::http::{HeaderName, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::classify::ServerErrorsFailureClass;
use tracing::Span;

/// The request id header.
pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Is an incoming request id (from a proxy) fit to keep? Short, and only
/// characters that need no escaping anywhere.
pub fn acceptable_request_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Middleware: drop an incoming `x-request-id` that is not acceptable, so a new one is made.
pub async fn screen_request_id(mut req: Request, next: Next) -> Response {
    let keep = req.headers().get(&X_REQUEST_ID).map(|v| v.to_str().is_ok_and(acceptable_request_id));
    if keep == Some(false) {
        req.headers_mut().remove(&X_REQUEST_ID);
    }
    next.run(req).await
}

/// What the log calls the request's route: the matched template, or the
/// masked path when no route matched.
pub fn route_for_log(matched: Option<&MatchedPath>, path: &str) -> String {
    match matched {
        Some(m) => m.as_str().to_string(),
        None => crate::web::auth::loggable_path(path),
    }
}

/// The span each request runs in.
pub fn request_span<B>(req: &axum::http::Request<B>) -> Span {
    // The fields are worked out only when the span is enabled.
    tracing::info_span!(
        "request",
        method = %req.method(),
        route = %route_for_log(req.extensions().get::<MatchedPath>(), req.uri().path()),
        request_id = %req.headers().get(&X_REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-")
    )
}

/// How bad a failed answer is for the log: 503 (not ready yet, shutting
/// down, the database away) is a state the operator watches, not a bug,
/// so it is a warning; other server errors and errors of the connection
/// are errors.
pub fn failure_level(class: &ServerErrorsFailureClass) -> tracing::Level {
    match class {
        ServerErrorsFailureClass::StatusCode(StatusCode::SERVICE_UNAVAILABLE) => tracing::Level::WARN,
        _ => tracing::Level::ERROR,
    }
}

/// The trace layer's failure line, at [`failure_level`].
pub fn on_failure(class: ServerErrorsFailureClass, latency: Duration, _span: &Span) {
    let ms = latency.as_millis();
    if failure_level(&class) == tracing::Level::WARN {
        tracing::warn!(classification = %class, latency = %format!("{ms} ms"), "response failed");
    } else {
        tracing::error!(classification = %class, latency = %format!("{ms} ms"), "response failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unavailable_is_a_warning_and_other_failures_are_errors() {
        use ServerErrorsFailureClass::{Error, StatusCode as Status};
        assert_eq!(failure_level(&Status(StatusCode::SERVICE_UNAVAILABLE)), tracing::Level::WARN);
        assert_eq!(failure_level(&Status(StatusCode::INTERNAL_SERVER_ERROR)), tracing::Level::ERROR);
        assert_eq!(failure_level(&Error("connection reset".into())), tracing::Level::ERROR);
    }

    #[test]
    fn only_short_plain_request_ids_are_kept() {
        assert!(acceptable_request_id("3f2a8c1e-0b7d-4e59-9a51-2c0d7f7e6b11"));
        assert!(acceptable_request_id("lb-1234.abc"));
        assert!(!acceptable_request_id(""));
        assert!(!acceptable_request_id(&"a".repeat(65)));
        assert!(!acceptable_request_id("has space"));
        assert!(!acceptable_request_id("quote\"inside"));
    }

    #[test]
    fn unmatched_paths_are_logged_with_tokens_masked_and_no_query() {
        let token = "Zx8Qw2Lk9Rt5Yu7Io3Pa";
        assert_eq!(route_for_log(None, &format!("/admin/reset/{token}")), "/admin/reset/:token");
        assert_eq!(route_for_log(None, "/pkg/clinicpress.css"), "/pkg/clinicpress.css");
    }
}
