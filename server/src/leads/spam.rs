//! Spam defences without a CAPTCHA: a honeypot field, a minimum fill time,
//! a signed one-use form token, and rate limits.
//!
//! Suspected spam is still stored (status spam, never notified), so
//! [`assess`] returns reasons, not errors. Rate limits are different: a
//! submission over the limit is refused with 429 and `Retry-After`
//! ([`RateLimit`]); the storage layer counts, this module decides.
//!
//! The form token is `base64url(version ‖ clinic id ‖ issued-at ‖ nonce ‖
//! HMAC-SHA256)`: it proves the form was rendered by this server for this
//! clinic, says when (which gives the fill time without another hidden
//! field), and carries a random nonce the storage layer records to refuse a
//! second use.

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The honeypot's field name. The page hides it from people (off-screen,
/// `tabindex="-1"`, `autocomplete="off"`, labelled "Leave this field
/// empty" for screen readers); browsers do not autofill a field so named.
pub const HONEYPOT_FIELD: &str = "website";
/// The hidden field carrying the form token.
pub const TOKEN_FIELD: &str = "form_token";
/// People take longer than this to fill in a form.
pub const DEFAULT_MIN_FILL_SECONDS: i64 = 3;
/// A token is accepted for this long after the form was shown.
pub const TOKEN_MAX_AGE_SECONDS: i64 = 24 * 60 * 60;
/// Clock difference tolerated between the servers that issue and verify a
/// token (several processes may run behind a load balancer).
pub const TOKEN_CLOCK_SKEW_SECONDS: i64 = 60;

const TOKEN_VERSION: u8 = 1;
const NONCE_LEN: usize = 16;
const PAYLOAD_LEN: usize = 1 + 8 + 8 + NONCE_LEN;
const TOKEN_LEN: usize = PAYLOAD_LEN + 32;
/// Base64 length of a token; anything longer is not decoded at all.
const TOKEN_TEXT_LEN: usize = (TOKEN_LEN * 4).div_ceil(3);
const MAC_CONTEXT: &[u8] = b"clinicpress form token\0";

/// What a valid form token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenClaims {
    pub clinic_id: i32,
    /// When the form was rendered (whole seconds).
    pub issued_at: DateTime<Utc>,
    /// Random; store it (see [`TokenClaims::nonce_key`]) to refuse a second use.
    pub nonce: [u8; NONCE_LEN],
}

impl TokenClaims {
    /// The nonce as 32 lower-case hex digits, for a unique column.
    pub fn nonce_key(&self) -> String {
        self.nonce.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Why a form token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the form token was missing")]
    Missing,
    #[error("the form token was not one this site makes")]
    Malformed,
    #[error("the form token had been changed")]
    Tampered,
    #[error("the form token was made for another clinic")]
    OtherClinic,
    #[error("the form token was more than 24 hours old")]
    Expired,
    #[error("the form token was dated in the future")]
    FromFuture,
}

impl TokenError {
    /// Stored text: `token_missing`, `token_malformed`, `token_tampered`,
    /// `token_other_clinic`, `token_expired`, `token_from_future`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TokenError::Missing => "token_missing",
            TokenError::Malformed => "token_malformed",
            TokenError::Tampered => "token_tampered",
            TokenError::OtherClinic => "token_other_clinic",
            TokenError::Expired => "token_expired",
            TokenError::FromFuture => "token_from_future",
        }
    }
}

/// Issues and checks form tokens. The secret is the server's (at least 32
/// random bytes, the same on every process); rotating it turns forms that
/// are open in browsers into suspected spam for a day, nothing worse.
pub struct FormToken;

impl FormToken {
    /// A new token for a form of `clinic_id` rendered at `now`: 87
    /// characters of URL-safe base64, no padding.
    pub fn issue(secret: &[u8], clinic_id: i32, now: DateTime<Utc>) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::getrandom(&mut nonce).expect("the operating system's random number generator failed");
        issue_with_nonce(secret, clinic_id, now, nonce)
    }

    /// Check a token from a form post for `clinic_id` at `now`. The
    /// signature is checked first, so a changed token is `Tampered` whatever
    /// was changed. One-use is the caller's: refuse (or mark spam) when
    /// [`TokenClaims::nonce_key`] was stored before.
    pub fn verify(secret: &[u8], token: &str, clinic_id: i32, now: DateTime<Utc>) -> Result<TokenClaims, TokenError> {
        let token = token.trim();
        if token.is_empty() {
            return Err(TokenError::Missing);
        }
        if token.len() != TOKEN_TEXT_LEN {
            return Err(TokenError::Malformed);
        }
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| TokenError::Malformed)?;
        if bytes.len() != TOKEN_LEN || bytes[0] != TOKEN_VERSION {
            return Err(TokenError::Malformed);
        }
        let (payload, tag) = bytes.split_at(PAYLOAD_LEN);
        mac(secret, payload).verify_slice(tag).map_err(|_| TokenError::Tampered)?;

        let int = |at: usize| i64::from_be_bytes(payload[at..at + 8].try_into().expect("8 bytes"));
        let claims = TokenClaims {
            clinic_id: i32::try_from(int(1)).map_err(|_| TokenError::Malformed)?,
            issued_at: DateTime::from_timestamp(int(9), 0).ok_or(TokenError::Malformed)?,
            nonce: payload[17..].try_into().expect("16 bytes"),
        };
        if claims.clinic_id != clinic_id {
            return Err(TokenError::OtherClinic);
        }
        let age = now - claims.issued_at;
        if age < -Duration::seconds(TOKEN_CLOCK_SKEW_SECONDS) {
            return Err(TokenError::FromFuture);
        }
        if age > Duration::seconds(TOKEN_MAX_AGE_SECONDS) {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

fn mac(secret: &[u8], payload: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(MAC_CONTEXT);
    mac.update(payload);
    mac
}

fn issue_with_nonce(secret: &[u8], clinic_id: i32, now: DateTime<Utc>, nonce: [u8; NONCE_LEN]) -> String {
    let mut bytes = Vec::with_capacity(TOKEN_LEN);
    bytes.push(TOKEN_VERSION);
    bytes.extend_from_slice(&i64::from(clinic_id).to_be_bytes());
    bytes.extend_from_slice(&now.timestamp().to_be_bytes());
    bytes.extend_from_slice(&nonce);
    let tag = mac(secret, &bytes).finalize().into_bytes();
    bytes.extend_from_slice(&tag);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Why a submission looks automated. Stored with the lead for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpamReason {
    /// The hidden field people never see was filled in.
    Honeypot,
    /// Sent this many whole seconds after the form was shown.
    TooFast { seconds: i64 },
    /// The form token was missing or not valid.
    Token(TokenError),
    /// The form token had been used for an earlier lead.
    TokenReused,
}

impl SpamReason {
    /// Stored text: `honeypot`, `too_fast`, `token_reused`, or the
    /// [`TokenError::as_str`] text.
    pub const fn as_str(self) -> &'static str {
        match self {
            SpamReason::Honeypot => "honeypot",
            SpamReason::TooFast { .. } => "too_fast",
            SpamReason::Token(e) => e.as_str(),
            SpamReason::TokenReused => "token_reused",
        }
    }

    /// For staff reviewing the spam folder, e.g. "sent 1 second after the
    /// form was shown".
    pub fn describe(self) -> String {
        match self {
            SpamReason::Honeypot => "a hidden field that people never see was filled in".to_string(),
            SpamReason::TooFast { seconds } => {
                format!("sent {seconds} second{} after the form was shown", if seconds == 1 { "" } else { "s" })
            }
            SpamReason::Token(e) => e.to_string(),
            SpamReason::TokenReused => "the form had already been sent once (its token was used before)".to_string(),
        }
    }
}

/// What [`assess`] concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpamVerdict {
    Clean,
    /// Store with status spam, do not notify; the reasons are never empty.
    Suspected(Vec<SpamReason>),
}

impl SpamVerdict {
    pub fn is_spam(&self) -> bool {
        matches!(self, SpamVerdict::Suspected(_))
    }

    pub fn reasons(&self) -> &[SpamReason] {
        match self {
            SpamVerdict::Clean => &[],
            SpamVerdict::Suspected(r) => r,
        }
    }

    /// The verdict without one reason (e.g. a missing token, which the
    /// JSON API does not require); clean when none is left.
    pub fn without(self, reason: SpamReason) -> SpamVerdict {
        match self {
            SpamVerdict::Clean => SpamVerdict::Clean,
            SpamVerdict::Suspected(mut r) => {
                r.retain(|x| *x != reason);
                if r.is_empty() { SpamVerdict::Clean } else { SpamVerdict::Suspected(r) }
            }
        }
    }
}

/// What a submission showed, for [`assess`].
#[derive(Debug, Clone, Copy)]
pub struct Signals<'a> {
    /// The [`HONEYPOT_FIELD`] value as posted.
    pub honeypot: &'a str,
    /// What [`FormToken::verify`] said.
    pub token: &'a Result<TokenClaims, TokenError>,
    /// The token's nonce was stored with an earlier lead.
    pub token_reused: bool,
    pub now: DateTime<Utc>,
    /// Usually `Duration::seconds(DEFAULT_MIN_FILL_SECONDS)`.
    pub min_fill_time: Duration,
}

/// Every reason to suspect the submission, in a fixed order (honeypot,
/// fill time, token). The fill time is measured from the token's
/// `issued_at`, so it is only checked when the token is valid.
pub fn assess(signals: &Signals<'_>) -> SpamVerdict {
    let mut reasons = Vec::new();
    if !signals.honeypot.trim().is_empty() {
        reasons.push(SpamReason::Honeypot);
    }
    match signals.token {
        Ok(claims) => {
            let took = signals.now - claims.issued_at;
            if took < signals.min_fill_time {
                reasons.push(SpamReason::TooFast { seconds: took.num_seconds().max(0) });
            }
            if signals.token_reused {
                reasons.push(SpamReason::TokenReused);
            }
        }
        Err(e) => reasons.push(SpamReason::Token(*e)),
    }
    if reasons.is_empty() { SpamVerdict::Clean } else { SpamVerdict::Suspected(reasons) }
}

/// At most `max` submissions per key within a sliding window of
/// `window_seconds`. The storage layer counts the earlier submissions
/// received after [`RateLimit::window_start`] for the key ([`ip_key`],
/// [`email_key`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u32,
    pub window_seconds: i64,
}

impl RateLimit {
    /// 10 a quarter of an hour per address: a clinic's waiting-room Wi-Fi
    /// or a family sharing a connection still gets through.
    pub const PER_IP: RateLimit = RateLimit { max: 10, window_seconds: 15 * 60 };
    /// 5 an hour per e-mail address.
    pub const PER_EMAIL: RateLimit = RateLimit { max: 5, window_seconds: 60 * 60 };

    /// Count submissions received after this instant.
    pub fn window_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - Duration::seconds(self.window_seconds)
    }

    /// Whether one more submission, after `earlier` within the window, is
    /// over the limit.
    pub fn exceeded(&self, earlier: u64) -> bool {
        earlier >= u64::from(self.max)
    }

    /// Seconds for `Retry-After` (at least 1): until the oldest counted
    /// submission leaves the window.
    pub fn retry_after(&self, oldest_counted: DateTime<Utc>, now: DateTime<Utc>) -> u64 {
        let wait = oldest_counted + Duration::seconds(self.window_seconds) - now;
        let secs = wait.num_seconds() + i64::from(wait.subsec_nanos() > 0);
        u64::try_from(secs).unwrap_or(0).max(1)
    }
}

/// The rate-limit key of a client address: an IPv4 address as is, an IPv6
/// address by its /64 network (one subscriber usually has a whole /64),
/// an IPv4-mapped IPv6 address as the IPv4 address.
pub fn ip_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{net}/64")
            }
        },
    }
}

/// The rate-limit key of an e-mail address: trimmed, lower case.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 16, 12, 0, 0).unwrap() + Duration::seconds(secs)
    }

    #[test]
    fn a_token_verifies_for_its_clinic_and_carries_its_claims() {
        let token = issue_with_nonce(SECRET, 7, t(0), [9; 16]);
        assert_eq!(token.len(), TOKEN_TEXT_LEN);
        assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        let claims = FormToken::verify(SECRET, &token, 7, t(30)).unwrap();
        assert_eq!(claims, TokenClaims { clinic_id: 7, issued_at: t(0), nonce: [9; 16] });
        assert_eq!(claims.nonce_key(), "09".repeat(16));
        // Surrounding spaces from a sloppy client do not matter.
        assert!(FormToken::verify(SECRET, &format!(" {token}\n"), 7, t(30)).is_ok());
    }

    #[test]
    fn issued_tokens_are_random() {
        let a = FormToken::issue(SECRET, 7, t(0));
        let b = FormToken::issue(SECRET, 7, t(0));
        assert_ne!(a, b);
        let (ca, cb) =
            (FormToken::verify(SECRET, &a, 7, t(5)).unwrap(), FormToken::verify(SECRET, &b, 7, t(5)).unwrap());
        assert_ne!(ca.nonce, cb.nonce);
    }

    #[test]
    fn any_change_to_a_token_is_tampering() {
        let token = issue_with_nonce(SECRET, 7, t(0), [1; 16]);
        for i in 0..token.len() {
            let mut bytes = token.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let changed = String::from_utf8(bytes).unwrap();
            if changed == token {
                continue;
            }
            let err = FormToken::verify(SECRET, &changed, 7, t(5)).unwrap_err();
            // The last character carries only some bits; a change there may
            // not decode at all.
            assert!(matches!(err, TokenError::Tampered | TokenError::Malformed), "position {i}: {err:?}");
        }
        // A token made with another secret.
        let other = issue_with_nonce(b"another secret", 7, t(0), [1; 16]);
        assert_eq!(FormToken::verify(SECRET, &other, 7, t(5)), Err(TokenError::Tampered));
    }

    #[test]
    fn another_clinics_token_is_refused() {
        let token = FormToken::issue(SECRET, 7, t(0));
        assert_eq!(FormToken::verify(SECRET, &token, 8, t(5)), Err(TokenError::OtherClinic));
    }

    #[test]
    fn tokens_expire_after_a_day_and_may_not_come_from_the_future() {
        let token = FormToken::issue(SECRET, 7, t(0));
        assert!(FormToken::verify(SECRET, &token, 7, t(TOKEN_MAX_AGE_SECONDS)).is_ok());
        assert_eq!(FormToken::verify(SECRET, &token, 7, t(TOKEN_MAX_AGE_SECONDS + 1)), Err(TokenError::Expired));
        assert!(FormToken::verify(SECRET, &token, 7, t(-TOKEN_CLOCK_SKEW_SECONDS)).is_ok());
        assert_eq!(FormToken::verify(SECRET, &token, 7, t(-TOKEN_CLOCK_SKEW_SECONDS - 1)), Err(TokenError::FromFuture));
    }

    #[test]
    fn junk_tokens_are_malformed_or_missing() {
        assert_eq!(FormToken::verify(SECRET, "", 7, t(0)), Err(TokenError::Missing));
        assert_eq!(FormToken::verify(SECRET, "   ", 7, t(0)), Err(TokenError::Missing));
        assert_eq!(FormToken::verify(SECRET, "abc", 7, t(0)), Err(TokenError::Malformed));
        assert_eq!(FormToken::verify(SECRET, &"A".repeat(1_000_000), 7, t(0)), Err(TokenError::Malformed));
        assert_eq!(FormToken::verify(SECRET, &"!".repeat(TOKEN_TEXT_LEN), 7, t(0)), Err(TokenError::Malformed));
        assert_eq!(FormToken::verify(SECRET, &"é".repeat(TOKEN_TEXT_LEN / 2), 7, t(0)), Err(TokenError::Malformed));
        // Right length, wrong version byte.
        let mut bytes = URL_SAFE_NO_PAD.decode(FormToken::issue(SECRET, 7, t(0))).unwrap();
        bytes[0] = 2;
        assert_eq!(FormToken::verify(SECRET, &URL_SAFE_NO_PAD.encode(bytes), 7, t(0)), Err(TokenError::Malformed));
    }

    fn signals<'a>(honeypot: &'a str, token: &'a Result<TokenClaims, TokenError>, now: i64) -> Signals<'a> {
        Signals { honeypot, token, token_reused: false, now: t(now), min_fill_time: Duration::seconds(3) }
    }

    #[test]
    fn a_person_filling_the_form_is_clean() {
        let token = FormToken::verify(SECRET, &FormToken::issue(SECRET, 7, t(0)), 7, t(40));
        assert_eq!(assess(&signals("", &token, 40)), SpamVerdict::Clean);
        assert_eq!(assess(&signals("  ", &token, 3)), SpamVerdict::Clean);
        assert!(!SpamVerdict::Clean.is_spam());
        assert!(SpamVerdict::Clean.reasons().is_empty());
    }

    #[test]
    fn every_reason_is_reported() {
        let token = FormToken::verify(SECRET, &FormToken::issue(SECRET, 7, t(0)), 7, t(1));
        let verdict = assess(&Signals { token_reused: true, ..signals("http://spam.example", &token, 1) });
        assert_eq!(
            verdict,
            SpamVerdict::Suspected(vec![
                SpamReason::Honeypot,
                SpamReason::TooFast { seconds: 1 },
                SpamReason::TokenReused
            ])
        );
        assert!(verdict.is_spam());
        let stored: Vec<&str> = verdict.reasons().iter().map(|r| r.as_str()).collect();
        assert_eq!(stored, ["honeypot", "too_fast", "token_reused"]);
        assert_eq!(verdict.reasons()[1].describe(), "sent 1 second after the form was shown");
    }

    #[test]
    fn a_reason_can_be_waived() {
        let missing = Err(TokenError::Missing);
        let waived = assess(&signals("", &missing, 0)).without(SpamReason::Token(TokenError::Missing));
        assert_eq!(waived, SpamVerdict::Clean);
        let both = assess(&signals("bot", &missing, 0)).without(SpamReason::Token(TokenError::Missing));
        assert_eq!(both.reasons(), [SpamReason::Honeypot]);
    }

    #[test]
    fn a_bad_token_is_a_reason_and_skips_the_fill_time() {
        let bad = Err(TokenError::Tampered);
        let verdict = assess(&signals("", &bad, 0));
        assert_eq!(verdict.reasons(), [SpamReason::Token(TokenError::Tampered)]);
        assert_eq!(verdict.reasons()[0].as_str(), "token_tampered");
        assert_eq!(verdict.reasons()[0].describe(), "the form token had been changed");
        assert_eq!(assess(&signals("", &Err(TokenError::Missing), 0)).reasons()[0].as_str(), "token_missing");
    }

    #[test]
    fn rate_limits() {
        let limit = RateLimit { max: 3, window_seconds: 60 };
        assert!(!limit.exceeded(0));
        assert!(!limit.exceeded(2));
        assert!(limit.exceeded(3));
        assert!(RateLimit { max: 0, window_seconds: 60 }.exceeded(0));
        assert_eq!(limit.window_start(t(60)), t(0));
        assert_eq!(limit.retry_after(t(0), t(20)), 40);
        assert_eq!(limit.retry_after(t(0), t(20) + Duration::milliseconds(500)), 40);
        assert_eq!(limit.retry_after(t(0), t(60)), 1);
        assert_eq!(limit.retry_after(t(0), t(500)), 1);
        assert!(RateLimit::PER_IP.exceeded(100));
    }

    #[test]
    fn rate_limit_keys() {
        assert_eq!(ip_key("203.0.113.9".parse().unwrap()), "203.0.113.9");
        assert_eq!(ip_key("2001:db8:1:2:3:4:5:6".parse().unwrap()), "2001:db8:1:2::/64");
        assert_eq!(ip_key("2001:db8:1:2:ffff::1".parse().unwrap()), "2001:db8:1:2::/64");
        assert_eq!(ip_key("::ffff:203.0.113.9".parse().unwrap()), "203.0.113.9");
        assert_eq!(email_key("  Ana@Example.COM "), "ana@example.com");
    }
}
