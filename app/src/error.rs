//! The public, serialisable error every server function returns.
//!
//! Detailed errors (database, I/O) stay on the server, are logged there and
//! are mapped to `Internal` at the edge: no SQL text or stack trace ever
//! reaches a page.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// It existed but is no longer available, e.g. an expired preview link (410).
    #[error("{0}")]
    Gone(String),
    /// The page lives at another path now (answered with 301).
    #[error("moved to {0}")]
    Moved(String),
    #[error("you must sign in")]
    Unauthorized,
    #[error("you may not do that")]
    Forbidden,
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    /// Several fields at once (a whole form): (field, message) pairs.
    #[error("please correct the highlighted fields")]
    Fields(Vec<(String, String)>),
    #[error("{0}")]
    Conflict(String),
    /// The request itself could not be read (missing or malformed arguments).
    #[error("the request could not be read: {0}")]
    BadRequest(String),
    #[error("something went wrong on our side; please try again")]
    Internal,
    #[error("the server could not be reached; check your connection and try again")]
    Unavailable,
}

impl AppError {
    /// The message for `field`, if this error names it.
    pub fn field(&self, field: &str) -> Option<String> {
        match self {
            AppError::Validation { field: f, message } if f == field => Some(message.clone()),
            AppError::Fields(list) => list.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone()),
            _ => None,
        }
    }

    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Validation { field: field.into(), message: message.into() }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::Moved(_) => 301,
            AppError::Gone(_) => 410,
            AppError::Unauthorized => 401,
            AppError::Forbidden => 403,
            AppError::Validation { .. } | AppError::Fields(_) => 422,
            AppError::Conflict(_) => 409,
            AppError::BadRequest(_) => 400,
            AppError::Internal => 500,
            AppError::Unavailable => 503,
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            E::Request(_) | E::Response(_) => AppError::Unavailable,
            E::Args(m) | E::MissingArg(m) | E::Deserialization(m) => AppError::BadRequest(m),
            _ => AppError::Internal,
        }
    }
}
