//! The contact and appointment forms: what a visitor posts ([`RawLead`]),
//! and [`validate`], which turns it into a [`ValidLead`] or a list of
//! per-field messages written for the patient.
//!
//! `validate` borrows the raw input, so the caller still has everything that
//! was typed to put back into the form next to the errors. HTML is not
//! rejected: it is kept as text and escaped wherever it is shown. Control
//! characters are rejected (tabs and line breaks are fine in the message),
//! and so are the invisible bidirectional override characters in one-line
//! fields, which can make a name or address read differently in the inbox.
//!
//! Error messages never repeat what was typed, so they are safe to log.

use std::fmt;

use chrono::Weekday;
use serde::{Deserialize, Serialize};

use super::status::ContactMethod;

/// Weekday keys, Monday first (as office hours store them).
const DAY_KEYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Lowercase letters, digits and single inner hyphens (an office's slug).
fn valid_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The form field names, shared by the pages (`name=`, `id=`, the error
/// summary links) and by [`FieldErrors`].
pub mod field {
    pub const NAME: &str = "name";
    pub const EMAIL: &str = "email";
    pub const PHONE: &str = "phone";
    pub const CONTACT_METHOD: &str = "contact_method";
    pub const OFFICE: &str = "office";
    pub const ZIP: &str = "zip";
    pub const PATIENT: &str = "patient";
    pub const PREFERRED_DAYS: &str = "preferred_days";
    pub const PREFERRED_TIMES: &str = "preferred_times";
    pub const MESSAGE: &str = "message";
    pub const CONSENT: &str = "consent";
    /// The hidden field saying which form was sent (not validated here).
    pub const KIND: &str = "kind";
    /// "E-mail me the reference" (not validated here).
    pub const RECEIPT: &str = "receipt";

    /// Every field in form order; [`super::FieldErrors`] keeps its errors in
    /// this order, so the error summary reads top to bottom like the form.
    pub const ALL: [&str; 11] =
        [NAME, EMAIL, PHONE, CONTACT_METHOD, OFFICE, ZIP, PATIENT, PREFERRED_DAYS, PREFERRED_TIMES, MESSAGE, CONSENT];
}

/// Longest name, in characters.
pub const MAX_NAME: usize = 200;
/// Longest e-mail address (the SMTP limit), in characters.
pub const MAX_EMAIL: usize = 254;
/// Longest phone number as typed, spaces and punctuation included.
pub const MAX_PHONE: usize = 40;
/// Fewest and most digits in a phone number (E.164 allows 15).
pub const MIN_PHONE_DIGITS: usize = 7;
pub const MAX_PHONE_DIGITS: usize = 15;
/// Longest message, in characters (after line endings become `\n`).
pub const MAX_MESSAGE: usize = 5_000;
/// Longest office slug.
pub const MAX_OFFICE: usize = 100;
/// Most entries accepted in the preferred days or times lists.
const MAX_LIST: usize = 14;

/// Which form was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormKind {
    Contact,
    Appointment,
}

impl FormKind {
    /// Stored text and form value: `contact`, `appointment`.
    pub const fn as_str(self) -> &'static str {
        match self {
            FormKind::Contact => "contact",
            FormKind::Appointment => "appointment",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "contact" => Some(FormKind::Contact),
            "appointment" => Some(FormKind::Appointment),
            _ => None,
        }
    }

    /// "Contact request", "Appointment request".
    pub const fn label(self) -> &'static str {
        match self {
            FormKind::Contact => "Contact request",
            FormKind::Appointment => "Appointment request",
        }
    }
}

/// New or returning patient (appointment requests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatientKind {
    New,
    Returning,
}

impl PatientKind {
    /// Form value and stored text: `new`, `returning`.
    pub const fn as_str(self) -> &'static str {
        match self {
            PatientKind::New => "new",
            PatientKind::Returning => "returning",
        }
    }

    /// Trims and ignores case; `existing` is taken as returning.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "new" => Some(PatientKind::New),
            "returning" | "existing" => Some(PatientKind::Returning),
            _ => None,
        }
    }

    /// "New patient", "Returning patient".
    pub const fn label(self) -> &'static str {
        match self {
            PatientKind::New => "New patient",
            PatientKind::Returning => "Returning patient",
        }
    }
}

/// Part of the day an appointment is preferred in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TimeOfDay {
    Morning,
    Afternoon,
    Evening,
}

impl TimeOfDay {
    pub const ALL: [TimeOfDay; 3] = [TimeOfDay::Morning, TimeOfDay::Afternoon, TimeOfDay::Evening];

    /// Form value and stored text: `morning`, `afternoon`, `evening`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TimeOfDay::Morning => "morning",
            TimeOfDay::Afternoon => "afternoon",
            TimeOfDay::Evening => "evening",
        }
    }

    /// Trims and ignores case.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL.into_iter().find(|t| t.as_str().eq_ignore_ascii_case(s))
    }

    /// "Morning", "Afternoon", "Evening".
    pub const fn label(self) -> &'static str {
        match self {
            TimeOfDay::Morning => "Morning",
            TimeOfDay::Afternoon => "Afternoon",
            TimeOfDay::Evening => "Evening",
        }
    }
}

/// A weekday from a form value: `mon` … `sun` (the hours' day keys) or the
/// full English name, any case.
pub fn parse_weekday(s: &str) -> Option<Weekday> {
    const FULL: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    let s = s.trim();
    let i = DAY_KEYS
        .iter()
        .position(|k| k.eq_ignore_ascii_case(s))
        .or_else(|| FULL.iter().position(|k| k.eq_ignore_ascii_case(s)))?;
    Some(Weekday::try_from(i as u8).expect("0..7 is a weekday"))
}

/// The form key of a weekday, `mon` … `sun` (what [`parse_weekday`] reads).
pub fn weekday_key(day: Weekday) -> &'static str {
    DAY_KEYS[day.num_days_from_monday() as usize]
}

/// The form as posted: every field as text, exactly as typed. Also the shape
/// to keep in the session (or send back as JSON) to redisplay the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RawLead {
    /// The hidden `kind` field (`contact` or `appointment`, see
    /// [`FormKind::parse`]); kept for redisplay. [`validate`] takes the kind
    /// as its own argument and does not read this.
    pub kind: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    /// `phone`, `email`, `text`, or empty (then taken from what was given).
    pub contact_method: String,
    pub message: String,
    /// An office slug, or empty for "no preference".
    pub office: String,
    pub zip: String,
    /// The checkbox: `on` when ticked (also `true`, `yes`, `1`), else empty.
    pub consent: String,
    /// Appointment only: weekday values (`mon`…`sun` or full names).
    pub preferred_days: Vec<String>,
    /// Appointment only: `morning`, `afternoon`, `evening`.
    pub preferred_times: Vec<String>,
    /// Appointment only: `new` or `returning`.
    pub patient: String,
    /// The "e-mail me the reference" checkbox: `on` when ticked.
    pub receipt: String,
}

impl RawLead {
    /// Build from decoded form pairs (`application/x-www-form-urlencoded`),
    /// where the day and time checkboxes repeat their key (`preferred_days`
    /// or `preferred_days[]`). Other keys (the honeypot, the form token, UTM
    /// fields) are ignored; a repeated one-value key keeps the last value.
    pub fn from_pairs<K: AsRef<str>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> RawLead {
        let mut raw = RawLead::default();
        for (k, v) in pairs {
            let slot = match k.as_ref().trim_end_matches("[]") {
                field::NAME => &mut raw.name,
                field::EMAIL => &mut raw.email,
                field::PHONE => &mut raw.phone,
                field::CONTACT_METHOD => &mut raw.contact_method,
                field::MESSAGE => &mut raw.message,
                field::OFFICE => &mut raw.office,
                field::ZIP => &mut raw.zip,
                field::CONSENT => &mut raw.consent,
                field::PATIENT => &mut raw.patient,
                field::KIND => &mut raw.kind,
                field::RECEIPT => &mut raw.receipt,
                field::PREFERRED_DAYS => {
                    raw.preferred_days.push(v.into());
                    continue;
                }
                field::PREFERRED_TIMES => {
                    raw.preferred_times.push(v.into());
                    continue;
                }
                _ => continue,
            };
            *slot = v.into();
        }
        raw
    }

    /// Set a one-value field by its form name (unknown names are ignored).
    pub fn set(&mut self, name: &str, value: String) {
        let slot = match name {
            field::NAME => &mut self.name,
            field::EMAIL => &mut self.email,
            field::PHONE => &mut self.phone,
            field::CONTACT_METHOD => &mut self.contact_method,
            field::MESSAGE => &mut self.message,
            field::OFFICE => &mut self.office,
            field::ZIP => &mut self.zip,
            field::CONSENT => &mut self.consent,
            field::PATIENT => &mut self.patient,
            field::KIND => &mut self.kind,
            field::RECEIPT => &mut self.receipt,
            _ => return,
        };
        *slot = value;
    }

    /// Tick or untick a checkbox: a value of a list field, or a one-value
    /// checkbox (`consent`, `receipt`) whose value is `value` when ticked.
    pub fn toggle(&mut self, name: &str, value: &str, on: bool) {
        let list = match name {
            field::PREFERRED_DAYS => &mut self.preferred_days,
            field::PREFERRED_TIMES => &mut self.preferred_times,
            _ => return self.set(name, if on { value.to_string() } else { String::new() }),
        };
        list.retain(|v| v != value);
        if on {
            list.push(value.to_string());
        }
    }

    /// Whether a checkbox is ticked (see [`RawLead::toggle`]).
    pub fn has(&self, name: &str, value: &str) -> bool {
        match name {
            field::PREFERRED_DAYS => self.preferred_days.iter().any(|v| v == value),
            field::PREFERRED_TIMES => self.preferred_times.iter().any(|v| v == value),
            field::CONSENT => consented(&self.consent),
            field::RECEIPT => consented(&self.receipt),
            _ => false,
        }
    }
}

/// An appointment request's preferences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentPrefs {
    pub patient: PatientKind,
    /// Monday first, no repeats; empty means "any day".
    pub days: Vec<Weekday>,
    /// Morning first, no repeats; empty means "any time".
    pub times: Vec<TimeOfDay>,
}

/// A form that passed [`validate`]: trimmed, optional fields as `None`.
/// Consent was given (validation requires it); the caller stores which
/// consent text version was shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidLead {
    pub kind: FormKind,
    pub name: String,
    /// As typed, trimmed (case kept).
    pub email: Option<String>,
    /// As typed, trimmed; see [`phone_digits`] for a searchable form.
    pub phone: Option<String>,
    /// Chosen, or taken from what was given: e-mail if an address was
    /// given, else a phone call.
    pub contact_method: ContactMethod,
    /// Line endings as `\n`, trimmed; empty only for appointment requests.
    pub message: String,
    /// The chosen office's slug, lower case; [`super::routing::route`]
    /// checks it belongs to the clinic.
    pub office: Option<String>,
    /// `97201` or `97201-1234`.
    pub zip: Option<String>,
    /// `Some` exactly for appointment requests.
    pub appointment: Option<AppointmentPrefs>,
}

/// One field's problem, in words for the visitor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// One of [`field::ALL`].
    pub field: &'static str,
    pub message: String,
}

/// Per-field problems in form order ([`field::ALL`]), at most one per field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a problem, placed in form order. A field that already has one
    /// keeps its first. Callers use this too, e.g. for routing's unknown
    /// office: `errors.push(field::OFFICE, e.to_string())`.
    pub fn push(&mut self, field: &'static str, message: impl Into<String>) {
        if self.get(field).is_some() {
            return;
        }
        let rank = |f: &str| field::ALL.iter().position(|a| *a == f).unwrap_or(field::ALL.len());
        let at = self.0.iter().position(|e| rank(e.field) > rank(field)).unwrap_or(self.0.len());
        self.0.insert(at, FieldError { field, message: message.into() });
    }

    /// The message for a field, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, FieldError> {
        self.0.iter()
    }

    /// `(field, message)` pairs, the shape the rest of the server uses.
    pub fn into_pairs(self) -> Vec<(String, String)> {
        self.0.into_iter().map(|e| (e.field.to_string(), e.message)).collect()
    }
}

impl<'a> IntoIterator for &'a FieldErrors {
    type Item = &'a FieldError;
    type IntoIter = std::slice::Iter<'a, FieldError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Names the fields only (never what was typed), so it can be logged.
impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|e| e.field).collect();
        write!(f, "the form has {} problem(s): {}", self.0.len(), names.join(", "))
    }
}

impl std::error::Error for FieldErrors {}

/// The digits of a phone number, for searching and comparing:
/// "+1 (555) 123-4567" → "15551234567".
pub fn phone_digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// Check a posted form. Every problem is reported at once, in form order.
pub fn validate(kind: FormKind, raw: &RawLead) -> Result<ValidLead, FieldErrors> {
    let mut errors = FieldErrors::new();

    let name = raw.name.trim();
    if name.is_empty() {
        errors.push(field::NAME, "Enter your name.");
    } else if let Err(m) = one_line(name, MAX_NAME, "your name", "Shorten your name") {
        errors.push(field::NAME, m);
    }

    let email = opt(&raw.email);
    let phone = opt(&raw.phone);
    let method = match raw.contact_method.trim() {
        "" => match (email, phone) {
            (Some(_), _) => Some(ContactMethod::Email),
            (None, Some(_)) => Some(ContactMethod::Phone),
            (None, None) => {
                errors.push(
                    field::CONTACT_METHOD,
                    "Enter a phone number or an e-mail address, and choose how the office should contact you.",
                );
                None
            }
        },
        m => {
            let parsed = ContactMethod::parse(m);
            if parsed.is_none() {
                errors.push(
                    field::CONTACT_METHOD,
                    "Choose how the office should contact you: phone call, e-mail or text message.",
                );
            }
            parsed
        }
    };

    match email {
        Some(e) => {
            if let Err(m) = check_email(e) {
                errors.push(field::EMAIL, m);
            }
        }
        None if method == Some(ContactMethod::Email) => {
            errors.push(
                field::EMAIL,
                "Enter your e-mail address, like name@example.com, so the office can reply by e-mail.",
            );
        }
        None => {}
    }

    match phone {
        Some(p) => {
            if let Err(m) = check_phone(p) {
                errors.push(field::PHONE, m);
            }
        }
        None => match method {
            Some(ContactMethod::Phone) => errors.push(
                field::PHONE,
                "Enter your phone number with its area code, like (555) 123-4567, so the office can call you.",
            ),
            Some(ContactMethod::Text) => errors.push(
                field::PHONE,
                "Enter your mobile phone number with its area code, like (555) 123-4567, so the office can text you.",
            ),
            _ => {}
        },
    }

    let office = opt(&raw.office).map(str::to_ascii_lowercase);
    if let Some(o) = &office
        && (o.chars().count() > MAX_OFFICE || !valid_slug(o))
    {
        errors.push(field::OFFICE, OFFICE_MESSAGE);
    }

    let zip = match opt(&raw.zip) {
        None => None,
        Some(z) => {
            let parsed = parse_zip(z);
            if parsed.is_none() {
                errors.push(
                    field::ZIP,
                    "Enter a 5-digit ZIP code, like 97201 (or ZIP+4, like 97201-1234), or leave it empty.",
                );
            }
            parsed
        }
    };

    let appointment = match kind {
        FormKind::Contact => None,
        FormKind::Appointment => appointment_prefs(raw, &mut errors),
    };

    let message = normalise_newlines(raw.message.trim());
    let message = message.trim();
    let typed = message.chars().count();
    if message.is_empty() {
        if kind == FormKind::Contact {
            errors.push(field::MESSAGE, "Enter your message: tell the office what you would like to ask.");
        }
    } else if typed > MAX_MESSAGE {
        errors.push(
            field::MESSAGE,
            format!(
                "Your message is {} characters long; shorten it to {} characters or fewer.",
                thousands(typed),
                thousands(MAX_MESSAGE)
            ),
        );
    } else if message.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t')) {
        errors.push(field::MESSAGE, control_message("your message"));
    }

    if !consented(&raw.consent) {
        errors.push(
            field::CONSENT,
            "Tick the box to agree, so the office may keep your request and contact you about it.",
        );
    }

    match method {
        Some(contact_method) if errors.is_empty() => Ok(ValidLead {
            kind,
            name: name.to_string(),
            email: email.map(str::to_string),
            phone: phone.map(str::to_string),
            contact_method,
            message: message.to_string(),
            office,
            zip,
            appointment,
        }),
        _ => Err(errors),
    }
}

/// The message for an office that is not one of the clinic's (also used by
/// callers for routing's unknown-office error).
pub const OFFICE_MESSAGE: &str = "Choose one of our offices from the list.";

fn opt(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

fn consented(s: &str) -> bool {
    matches!(s.trim().to_ascii_lowercase().as_str(), "on" | "true" | "yes" | "1")
}

/// Bidirectional embedding, override and isolate characters (U+202A–U+202E,
/// U+2066–U+2069): invisible, and they reorder the text shown after them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn control_message(what: &str) -> String {
    format!(
        "Remove the invisible control characters from {what} (they sometimes come along when text is copied and pasted)."
    )
}

/// Length and character rules of a one-line field (already trimmed).
fn one_line(s: &str, max: usize, what: &str, shorten: &str) -> Result<(), String> {
    let n = s.chars().count();
    if n > max {
        Err(format!("{shorten} to {} characters or fewer (it is {} now).", thousands(max), thousands(n)))
    } else if s.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        Err(control_message(what))
    } else {
        Ok(())
    }
}

fn check_email(e: &str) -> Result<(), String> {
    one_line(e, MAX_EMAIL, "your e-mail address", "Shorten your e-mail address")?;
    if !e.contains('@') {
        return Err("Enter your whole e-mail address with the @, like name@example.com.".into());
    }
    let ok =
        email_address::EmailAddress::parse_with_options(e, email_address::Options::default().without_display_text())
            .is_ok_and(|a| a.domain().contains('.') && !a.domain().ends_with('.'));
    if ok { Ok(()) } else { Err("Enter your e-mail address, like name@example.com.".into()) }
}

fn check_phone(p: &str) -> Result<(), String> {
    one_line(p, MAX_PHONE, "your phone number", "Shorten your phone number")?;
    if p.chars().any(|c| !(c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.'))) {
        return Err(
            "Enter your phone number using digits only (spaces and + - ( ) . are fine), like (555) 123-4567.".into()
        );
    }
    if p.rfind('+').is_some_and(|i| i > 0) {
        return Err("Put the + only at the start of the phone number, like +1 555 123 4567.".into());
    }
    let digits = p.chars().filter(char::is_ascii_digit).count();
    if digits < MIN_PHONE_DIGITS {
        Err(format!(
            "Enter the whole phone number with its area code, like (555) 123-4567 (this one has only {digits} digit{}).",
            if digits == 1 { "" } else { "s" }
        ))
    } else if digits > MAX_PHONE_DIGITS {
        Err(format!(
            "Check the phone number: it has {digits} digits, and a phone number has at most {MAX_PHONE_DIGITS}."
        ))
    } else {
        Ok(())
    }
}

/// A US ZIP code: `12345`, `12345-6789`, `12345 6789` or `123456789`,
/// returned as `12345` or `12345-6789`.
fn parse_zip(z: &str) -> Option<String> {
    let digits: String = z.chars().filter(char::is_ascii_digit).collect();
    let shape_ok = match z.len() {
        5 | 9 => digits.len() == z.len(),
        10 => digits.len() == 9 && matches!(z.as_bytes()[5], b'-' | b' '),
        _ => false,
    };
    match (shape_ok, digits.len()) {
        (true, 5) => Some(digits),
        (true, 9) => Some(format!("{}-{}", &digits[..5], &digits[5..])),
        _ => None,
    }
}

fn appointment_prefs(raw: &RawLead, errors: &mut FieldErrors) -> Option<AppointmentPrefs> {
    let patient = match opt(&raw.patient) {
        None => {
            errors.push(field::PATIENT, "Tell us whether you are a new or a returning patient.");
            None
        }
        Some(p) => {
            let parsed = PatientKind::parse(p);
            if parsed.is_none() {
                errors.push(field::PATIENT, "Choose \u{201c}new patient\u{201d} or \u{201c}returning patient\u{201d}.");
            }
            parsed
        }
    };

    let day_values = non_empty(&raw.preferred_days);
    let mut days: Vec<Weekday> = Vec::new();
    if day_values.len() > MAX_LIST || day_values.iter().any(|d| parse_weekday(d).is_none()) {
        errors.push(field::PREFERRED_DAYS, "Choose the days that suit you from Monday to Sunday, or none for any day.");
    } else {
        days = day_values.iter().filter_map(|d| parse_weekday(d)).collect();
        days.sort_by_key(Weekday::num_days_from_monday);
        days.dedup();
    }

    let time_values = non_empty(&raw.preferred_times);
    let mut times: Vec<TimeOfDay> = Vec::new();
    if time_values.len() > MAX_LIST || time_values.iter().any(|t| TimeOfDay::parse(t).is_none()) {
        errors.push(field::PREFERRED_TIMES, "Choose morning, afternoon or evening, or none for any time.");
    } else {
        times = time_values.iter().filter_map(|t| TimeOfDay::parse(t)).collect();
        times.sort();
        times.dedup();
    }

    patient.map(|patient| AppointmentPrefs { patient, days, times })
}

/// The trimmed, non-empty values of a checkbox list.
fn non_empty(list: &[String]) -> Vec<&str> {
    list.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect()
}

fn normalise_newlines(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// 5000 → "5,000".
fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact() -> RawLead {
        RawLead {
            name: "  Ana María O'Neil ".into(),
            email: "ana@example.com".into(),
            phone: String::new(),
            contact_method: "email".into(),
            message: "Do you see children?\r\nThanks".into(),
            consent: "on".into(),
            ..RawLead::default()
        }
    }

    fn appointment() -> RawLead {
        RawLead {
            contact_method: "phone".into(),
            phone: "+1 (555) 123-4567".into(),
            email: String::new(),
            message: String::new(),
            patient: "new".into(),
            preferred_days: vec!["fri".into(), "Monday".into(), "mon".into()],
            preferred_times: vec!["evening".into(), "Morning".into()],
            ..contact()
        }
    }

    fn errors(kind: FormKind, raw: &RawLead) -> FieldErrors {
        validate(kind, raw).expect_err("should be refused")
    }

    #[test]
    fn a_good_contact_request_is_trimmed_and_typed() {
        let raw = RawLead { office: " Downtown ".into(), zip: "97201".into(), ..contact() };
        let v = validate(FormKind::Contact, &raw).unwrap();
        assert_eq!(v.name, "Ana María O'Neil");
        assert_eq!(v.email.as_deref(), Some("ana@example.com"));
        assert_eq!(v.phone, None);
        assert_eq!(v.contact_method, ContactMethod::Email);
        assert_eq!(v.message, "Do you see children?\nThanks");
        assert_eq!(v.office.as_deref(), Some("downtown"));
        assert_eq!(v.zip.as_deref(), Some("97201"));
        assert_eq!(v.appointment, None);
        // The input is only borrowed: still there to redisplay.
        assert_eq!(raw.name, "  Ana María O'Neil ");
    }

    #[test]
    fn a_good_appointment_request_sorts_and_dedups_preferences() {
        let v = validate(FormKind::Appointment, &appointment()).unwrap();
        assert_eq!(v.message, "");
        assert_eq!(v.contact_method, ContactMethod::Phone);
        assert_eq!(v.phone.as_deref(), Some("+1 (555) 123-4567"));
        let prefs = v.appointment.unwrap();
        assert_eq!(prefs.patient, PatientKind::New);
        assert_eq!(prefs.days, vec![Weekday::Mon, Weekday::Fri]);
        assert_eq!(prefs.times, vec![TimeOfDay::Morning, TimeOfDay::Evening]);
    }

    #[test]
    fn an_empty_form_lists_every_required_field_in_form_order() {
        let e = errors(FormKind::Contact, &RawLead::default());
        let fields: Vec<&str> = e.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec![field::NAME, field::CONTACT_METHOD, field::MESSAGE, field::CONSENT]);
        assert_eq!(e.get(field::NAME), Some("Enter your name."));
        let e = errors(FormKind::Appointment, &RawLead::default());
        let fields: Vec<&str> = e.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec![field::NAME, field::CONTACT_METHOD, field::PATIENT, field::CONSENT]);
    }

    #[test]
    fn whitespace_only_counts_as_empty() {
        let raw = RawLead { name: " \t ".into(), message: "\r\n  ".into(), ..contact() };
        let e = errors(FormKind::Contact, &raw);
        assert_eq!(e.get(field::NAME), Some("Enter your name."));
        assert!(e.get(field::MESSAGE).unwrap().starts_with("Enter your message"));
    }

    #[test]
    fn the_chosen_method_needs_its_detail() {
        let e = errors(FormKind::Contact, &RawLead { email: String::new(), phone: "555 123 4567".into(), ..contact() });
        assert!(e.get(field::EMAIL).unwrap().contains("name@example.com"));
        assert_eq!(e.len(), 1);
        let raw = RawLead { contact_method: "text".into(), phone: String::new(), ..contact() };
        assert!(errors(FormKind::Contact, &raw).get(field::PHONE).unwrap().contains("text you"));
        let raw = RawLead { contact_method: "phone".into(), phone: String::new(), ..contact() };
        assert!(errors(FormKind::Contact, &raw).get(field::PHONE).unwrap().contains("call you"));
        let raw = RawLead { contact_method: "pigeon".into(), ..contact() };
        assert!(
            errors(FormKind::Contact, &raw).get(field::CONTACT_METHOD).unwrap().contains("phone call, e-mail or text")
        );
    }

    #[test]
    fn without_a_method_it_is_taken_from_what_was_given() {
        let raw = RawLead { contact_method: String::new(), ..contact() };
        assert_eq!(validate(FormKind::Contact, &raw).unwrap().contact_method, ContactMethod::Email);
        let raw =
            RawLead { contact_method: String::new(), email: String::new(), phone: "5551234567".into(), ..contact() };
        assert_eq!(validate(FormKind::Contact, &raw).unwrap().contact_method, ContactMethod::Phone);
    }

    #[test]
    fn a_detail_given_but_not_chosen_must_still_be_valid() {
        let raw = RawLead { phone: "call me maybe".into(), ..contact() };
        let e = errors(FormKind::Contact, &raw);
        assert_eq!(e.len(), 1);
        assert!(e.get(field::PHONE).unwrap().contains("digits only"));
        let raw = RawLead { email: "ana at example".into(), ..appointment() };
        assert!(errors(FormKind::Appointment, &raw).get(field::EMAIL).unwrap().contains("with the @"));
    }

    #[test]
    fn e_mail_addresses() {
        let check = |e: &str| validate(FormKind::Contact, &RawLead { email: e.into(), ..contact() });
        assert!(check("a.b+tag@sub.example.co.uk").is_ok());
        assert!(check("  spaced@example.com  ").is_ok());
        for bad in ["ana@", "@example.com", "ana@localhost", "ana@example.", "Ana <ana@example.com>", "a b@example.com"]
        {
            assert!(check(bad).unwrap_err().get(field::EMAIL).unwrap().contains("name@example.com"), "{bad}");
        }
        let long = format!("{}@example.com", "a".repeat(300));
        assert!(check(&long).unwrap_err().get(field::EMAIL).unwrap().contains("254 characters or fewer"));
    }

    #[test]
    fn phone_numbers() {
        let check = |p: &str| validate(FormKind::Contact, &RawLead { phone: p.into(), ..contact() });
        for ok in ["5551234", "(555) 123-4567", "+44 20 7946 0958", "555.123.4567", "+123456789012345"] {
            assert!(check(ok).is_ok(), "{ok}");
        }
        assert!(check("555-1234 ext 9").unwrap_err().get(field::PHONE).unwrap().contains("digits only"));
        assert!(check("555+1234567").unwrap_err().get(field::PHONE).unwrap().contains("+ only at the start"));
        assert!(check("555-12").unwrap_err().get(field::PHONE).unwrap().contains("only 5 digits"));
        assert!(check("+1234567890123456").unwrap_err().get(field::PHONE).unwrap().contains("it has 16 digits"));
        assert!(check(&"1 ".repeat(25)).unwrap_err().get(field::PHONE).unwrap().contains("40 characters or fewer"));
        assert_eq!(phone_digits("+1 (555) 123-4567"), "15551234567");
    }

    #[test]
    fn a_long_message_says_how_long_it_is() {
        let raw = RawLead { message: "x".repeat(1_048_576), ..contact() };
        assert_eq!(
            errors(FormKind::Contact, &raw).get(field::MESSAGE),
            Some("Your message is 1,048,576 characters long; shorten it to 5,000 characters or fewer.")
        );
        // Exactly the limit is fine, counted in characters, not bytes.
        let raw = RawLead { message: "é".repeat(MAX_MESSAGE), ..contact() };
        assert!(validate(FormKind::Contact, &raw).is_ok());
        // A Windows line ending counts as one character.
        let raw = RawLead { message: format!("{}\r\n{}", "a".repeat(2_500), "b".repeat(2_499)), ..contact() };
        assert!(validate(FormKind::Contact, &raw).is_ok());
    }

    #[test]
    fn html_is_kept_as_text() {
        let script = "<script>alert('x')</script>";
        let raw = RawLead { name: script.into(), message: format!("<b>hi</b> {script}"), ..contact() };
        let v = validate(FormKind::Contact, &raw).unwrap();
        assert_eq!(v.name, script);
        assert!(v.message.contains("<b>hi</b>"));
    }

    #[test]
    fn control_characters_are_refused_but_tabs_and_newlines_are_fine_in_the_message() {
        let raw = RawLead { name: "Ana\u{0}".into(), ..contact() };
        assert!(
            errors(FormKind::Contact, &raw).get(field::NAME).unwrap().contains("control characters from your name")
        );
        let raw = RawLead { name: "Ana\u{202E}lirpA".into(), ..contact() };
        assert!(errors(FormKind::Contact, &raw).get(field::NAME).is_some());
        let raw = RawLead { email: "ana\u{7}@example.com".into(), ..contact() };
        assert!(errors(FormKind::Contact, &raw).get(field::EMAIL).unwrap().contains("control characters"));
        let raw = RawLead { message: "a\u{1b}[31m".into(), ..contact() };
        assert!(errors(FormKind::Contact, &raw).get(field::MESSAGE).unwrap().contains("control characters"));
        let raw = RawLead { message: "line 1\n\tline 2\r\nline 3".into(), ..contact() };
        assert_eq!(validate(FormKind::Contact, &raw).unwrap().message, "line 1\n\tline 2\nline 3");
    }

    #[test]
    fn names_have_a_length_limit() {
        let raw = RawLead { name: "n".repeat(MAX_NAME), ..contact() };
        assert!(validate(FormKind::Contact, &raw).is_ok());
        let raw = RawLead { name: "n".repeat(MAX_NAME + 1), ..contact() };
        assert_eq!(
            errors(FormKind::Contact, &raw).get(field::NAME),
            Some("Shorten your name to 200 characters or fewer (it is 201 now).")
        );
    }

    #[test]
    fn consent_must_be_ticked() {
        for no in ["", "off", "false", "0", "no", "of"] {
            let raw = RawLead { consent: no.into(), ..contact() };
            assert!(errors(FormKind::Contact, &raw).get(field::CONSENT).unwrap().starts_with("Tick the box"), "{no}");
        }
        for yes in ["on", "ON", "true", "yes", "1"] {
            assert!(validate(FormKind::Contact, &RawLead { consent: yes.into(), ..contact() }).is_ok(), "{yes}");
        }
    }

    #[test]
    fn zip_codes() {
        let zip = |z: &str| validate(FormKind::Contact, &RawLead { zip: z.into(), ..contact() }).map(|v| v.zip);
        assert_eq!(zip("").unwrap(), None);
        assert_eq!(zip(" 97201 ").unwrap().as_deref(), Some("97201"));
        assert_eq!(zip("97201-1234").unwrap().as_deref(), Some("97201-1234"));
        assert_eq!(zip("97201 1234").unwrap().as_deref(), Some("97201-1234"));
        assert_eq!(zip("972011234").unwrap().as_deref(), Some("97201-1234"));
        for bad in ["9720", "972011", "97201-123", "9720a", "SW1A 1AA", "97201--234", "97201-12345", "٩٧٢٠١"] {
            assert!(zip(bad).unwrap_err().get(field::ZIP).unwrap().contains("5-digit ZIP code"), "{bad}");
        }
    }

    #[test]
    fn office_slugs_must_look_like_slugs() {
        let raw = RawLead { office: "../../etc".into(), ..contact() };
        assert_eq!(errors(FormKind::Contact, &raw).get(field::OFFICE), Some(OFFICE_MESSAGE));
        let raw = RawLead { office: "a".repeat(MAX_OFFICE + 1), ..contact() };
        assert_eq!(errors(FormKind::Contact, &raw).get(field::OFFICE), Some(OFFICE_MESSAGE));
        let raw = RawLead { office: "   ".into(), ..contact() };
        assert_eq!(validate(FormKind::Contact, &raw).unwrap().office, None);
    }

    #[test]
    fn appointment_preferences() {
        let raw = RawLead { preferred_days: vec!["funday".into()], ..appointment() };
        assert!(errors(FormKind::Appointment, &raw).get(field::PREFERRED_DAYS).unwrap().contains("Monday to Sunday"));
        let raw = RawLead { preferred_times: vec!["night".into()], ..appointment() };
        assert!(errors(FormKind::Appointment, &raw).get(field::PREFERRED_TIMES).unwrap().contains("morning"));
        let raw = RawLead { preferred_days: vec!["mon".into(); 15], ..appointment() };
        assert!(errors(FormKind::Appointment, &raw).get(field::PREFERRED_DAYS).is_some());
        let raw = RawLead { patient: "maybe".into(), ..appointment() };
        assert!(errors(FormKind::Appointment, &raw).get(field::PATIENT).unwrap().contains("returning patient"));
        let raw = RawLead { preferred_days: vec![], preferred_times: vec!["".into()], ..appointment() };
        let prefs = validate(FormKind::Appointment, &raw).unwrap().appointment.unwrap();
        assert!(prefs.days.is_empty() && prefs.times.is_empty());
        // A contact form ignores appointment fields entirely.
        let raw = RawLead { patient: "maybe".into(), preferred_days: vec!["funday".into()], ..contact() };
        assert_eq!(validate(FormKind::Contact, &raw).unwrap().appointment, None);
    }

    #[test]
    fn field_errors_stay_in_form_order_and_keep_the_first_message() {
        let mut e = FieldErrors::new();
        e.push(field::CONSENT, "c");
        e.push(field::NAME, "n");
        e.push(field::OFFICE, "o");
        e.push(field::NAME, "second");
        e.push("utm_source", "unknown fields go last");
        let fields: Vec<&str> = e.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec![field::NAME, field::OFFICE, field::CONSENT, "utm_source"]);
        assert_eq!(e.get(field::NAME), Some("n"));
        assert_eq!(e.to_string(), "the form has 4 problem(s): name, office, consent, utm_source");
        assert_eq!(e.clone().into_pairs()[0], ("name".to_string(), "n".to_string()));
        assert_eq!(serde_json::to_value(&e).unwrap()[0]["field"], "name");
    }

    #[test]
    fn raw_input_from_form_pairs() {
        let raw = RawLead::from_pairs([
            ("name", "Ana"),
            ("preferred_days[]", "mon"),
            ("preferred_days", "tue"),
            ("preferred_times", "morning"),
            ("website", "spam"),
            ("consent", "on"),
            ("name", "Ana B"),
            ("kind", "appointment"),
        ]);
        assert_eq!(raw.kind, "appointment");
        assert_eq!(raw.name, "Ana B");
        assert_eq!(raw.preferred_days, vec!["mon", "tue"]);
        assert_eq!(raw.preferred_times, vec!["morning"]);
        assert_eq!(raw.consent, "on");
        assert_eq!(raw.email, "");
    }

    #[test]
    fn enum_values_round_trip() {
        for k in [FormKind::Contact, FormKind::Appointment] {
            assert_eq!(FormKind::parse(k.as_str()), Some(k));
        }
        for p in [PatientKind::New, PatientKind::Returning] {
            assert_eq!(PatientKind::parse(p.as_str()), Some(p));
        }
        for t in TimeOfDay::ALL {
            assert_eq!(TimeOfDay::parse(t.as_str()), Some(t));
        }
        assert_eq!(parse_weekday("SUN"), Some(Weekday::Sun));
        assert_eq!(parse_weekday("Wednesday"), Some(Weekday::Wed));
        assert_eq!(parse_weekday("wedn"), None);
        for d in [Weekday::Mon, Weekday::Thu, Weekday::Sun] {
            assert_eq!(parse_weekday(weekday_key(d)), Some(d));
        }
        assert_eq!(weekday_key(Weekday::Tue), "tue");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
