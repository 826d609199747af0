//! Admin forms without JavaScript.
//!
//! With JavaScript, an `ActionForm` calls its server function and the page
//! shows the answer in place. Without it, the browser posts the form to the
//! server function's address. The server's `form_replay` layer then:
//! - on a refusal, renders the page the form was on again, with the
//!   message (through Leptos's `__err` URL parameters) and what was typed
//!   ([`FormReplay`] in the request) — nothing typed is stored or put into a
//!   URL;
//! - on success, redirects back (post/redirect/get) and keeps the answer for
//!   that one next page ([`FormDone`] in the session), so "Saved" shows too.
//!
//! Pages read both through [`Kept`] and [`seed_done`].

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::{Deserialize, Serialize};

/// What a refused plain-HTML post to `action` held (passwords and secrets
/// left out by the server).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormReplay {
    /// The server function's path, like `/api/admin/save_office`.
    pub action: String,
    pub fields: Vec<(String, String)>,
}

/// The answer of a successful plain-HTML post to `action`, as the JSON the
/// server function returned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormDone {
    pub action: String,
    pub output: String,
}

/// The typed values of a refused post to one server function, if this page
/// render answers one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kept(Option<FormReplay>);

impl Kept {
    /// The replay for server function `S` in this request (always empty in
    /// the browser: a hydrated page posts with JavaScript).
    pub fn of<S: ServerFn>() -> Self {
        Self::matching(current::<FormReplay>(), S::PATH)
    }

    fn matching(replay: Option<FormReplay>, path: &str) -> Self {
        Kept(replay.filter(|r| r.action == path))
    }

    /// Whether a refused post to this server function is being shown.
    pub fn refused(&self) -> bool {
        self.0.is_some()
    }

    /// The typed value of field `name` (the last one when sent twice).
    pub fn get(&self, name: &str) -> Option<String> {
        self.0.as_ref()?.fields.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    /// The typed value of field `name`, else `default` (the stored value).
    pub fn text(&self, name: &str, default: impl Into<String>) -> String {
        self.get(name).unwrap_or_else(|| default.into())
    }

    /// For one of several forms sharing a server function: the typed value
    /// of `name` only when field `key` was `value` (which form was sent).
    pub fn text_when(&self, key: &str, value: &str, name: &str) -> String {
        if self.get(key).as_deref() == Some(value) { self.get(name).unwrap_or_default() } else { String::new() }
    }

    /// Whether `value` was the one picked in the select `name`.
    pub fn picked(&self, name: &str, value: &str) -> bool {
        self.get(name).as_deref() == Some(value)
    }
}

/// Show the answer of a successful plain-HTML post to `S` (kept for this
/// one page) as if the action had run in the page.
pub fn seed_done<S>(action: ServerAction<S>)
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: for<'de> Deserialize<'de> + Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    if let Some(done) = current::<FormDone>().filter(|d| d.action == S::PATH)
        && let Some(output) = decode::<S::Output>(&done.output)
    {
        action.value().set(Some(Ok(output)));
    }
}

#[cfg(feature = "ssr")]
fn current<T: Clone + Send + Sync + 'static>() -> Option<T> {
    use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<T>().cloned())
}

#[cfg(not(feature = "ssr"))]
fn current<T>() -> Option<T> {
    None
}

#[cfg(feature = "ssr")]
fn decode<T: for<'de> Deserialize<'de>>(json: &str) -> Option<T> {
    serde_json::from_str(json).ok()
}

#[cfg(not(feature = "ssr"))]
fn decode<T>(_json: &str) -> Option<T> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replay() -> FormReplay {
        FormReplay {
            action: "/api/admin/lead_action".into(),
            fields: vec![
                ("action".into(), "note".into()),
                ("value".into(), "first".into()),
                ("value".into(), "Called back, left a message".into()),
                ("form[role]".into(), "staff".into()),
            ],
        }
    }

    #[test]
    fn only_the_matching_action_is_kept() {
        assert!(!Kept::matching(Some(replay()), "/api/admin/save_office").refused());
        let kept = Kept::matching(Some(replay()), "/api/admin/lead_action");
        assert!(kept.refused());
        assert_eq!(kept.text("value", "stored"), "Called back, left a message");
        assert_eq!(kept.text("missing", "stored"), "stored");
        assert!(kept.picked("form[role]", "staff"));
        assert!(!kept.picked("form[role]", "admin"));
    }

    #[test]
    fn a_shared_action_fills_only_the_form_that_was_sent() {
        let kept = Kept::matching(Some(replay()), "/api/admin/lead_action");
        assert_eq!(kept.text_when("action", "note", "value"), "Called back, left a message");
        assert_eq!(kept.text_when("action", "assign", "value"), "");
        assert_eq!(Kept::default().text("value", "x"), "x");
    }
}
