//! Webhooks: a clinic with a `webhook_url` (and `webhook_secret`) in its
//! lead settings gets an HTTP POST for every new lead that is not
//! suspected spam. The call is an outbox row (channel `webhook`) written in
//! the lead's own transaction, so it is delivered with the same retries,
//! backoff and dead-lettering as the office e-mails, and its state shows on
//! the lead's page.
//!
//! The body is JSON ([`Payload`]) and, like the office e-mail, carries no
//! lead content: no name, contact details or message, only what arrived
//! where (reference, clinic, office, kind, status, time, routing rule) and
//! a link to the request in the inbox. The receiver (a CRM, a chat channel)
//! learns that a request is waiting; people read it after signing in. This
//! keeps personal and possibly medical data inside Clinicpress, and the
//! outbox row holds nothing that erasing a lead would have to find.
//!
//! Each attempt is signed: `X-Clinicpress-Timestamp` is the Unix time of
//! the attempt, and `X-Clinicpress-Signature` is `sha256=` followed by the
//! hex HMAC-SHA256 of `"{timestamp}.{body}"` under the clinic's secret (see
//! [`sign`]; receivers should also refuse timestamps more than a few
//! minutes old). `X-Clinicpress-Delivery` (the outbox row id) stays the
//! same across retries, so a receiver can ignore a repeat: delivery is at
//! least once.
//!
//! The URL and the secret are read when the call is made, so fixing a wrong
//! address or rotating the secret applies to calls still waiting. Calls go
//! only to `https://` addresses (`http://` only to this machine, for
//! development and tests) — never to a private, link-local or otherwise
//! non-public network address, whether written as an IP address (refused
//! when saved) or reached through a host name (refused when connecting, by
//! [`PublicResolver`]), so a webhook cannot be aimed at services inside
//! the clinic's network. They never follow redirects, and give up after
//! [`TIMEOUT`]. Any answer but 2xx, a timeout or an unreachable server is
//! retried; a missing secret or an unusable address is not.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use http::{Method, Request, Uri, header};
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::rt::TokioExecutor;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, Set};
use serde::Serialize;
use sha2::Sha256;

use super::outbox::PENDING;
use crate::entities::{clinic, lead, lead_settings, outbox};

/// How long one call may take, connecting included.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The only event so far.
pub const EVENT: &str = "lead.received";
/// Outbox channel (`kind`) and purpose of webhook rows.
pub const CHANNEL: &str = "webhook";

pub const TIMESTAMP_HEADER: &str = "x-clinicpress-timestamp";
pub const SIGNATURE_HEADER: &str = "x-clinicpress-signature";
pub const EVENT_HEADER: &str = "x-clinicpress-event";
pub const DELIVERY_HEADER: &str = "x-clinicpress-delivery";

/// The JSON body of a `lead.received` call.
#[derive(Debug, Clone, Serialize)]
pub struct Payload<'a> {
    pub event: &'a str,
    pub reference: &'a str,
    /// The clinic's slug.
    pub clinic: &'a str,
    /// The office's slug; `null` for the clinic's default inbox.
    pub office: Option<&'a str>,
    /// `contact` or `appointment`.
    pub kind: &'a str,
    /// `new` (suspected spam is never sent).
    pub status: &'a str,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// `chosen_office`, `page_office`, `service_area` or `default_inbox`.
    pub routed_by: &'a str,
    /// The request in the inbox (staff sign in to read it).
    pub url: String,
}

/// The body for a lead.
pub fn body(clinic: &clinic::Model, office: Option<&str>, lead: &lead::Model, base_url: &str) -> String {
    let payload = Payload {
        event: EVENT,
        reference: &lead.reference,
        clinic: &clinic.slug,
        office,
        kind: &lead.kind,
        status: &lead.status,
        created_at: lead.received_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        routed_by: &lead.routed_by,
        url: format!("{}/admin/{}/leads/{}", base_url.trim_end_matches('/'), clinic.slug, lead.reference),
    };
    serde_json::to_string(&payload).expect("the payload serialises")
}

/// `sha256=<hex HMAC-SHA256 of "{timestamp}.{body}">`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// What a receiver does: the signature matches (compared in constant
/// time) and the timestamp is within `tolerance` of `now`.
pub fn verify(
    secret: &[u8],
    timestamp: &str,
    body: &[u8],
    signature: &str,
    now: DateTime<Utc>,
    tolerance: chrono::Duration,
) -> bool {
    let Ok(ts) = timestamp.trim().parse::<i64>() else {
        return false;
    };
    if (now.timestamp() - ts).abs() > tolerance.num_seconds() {
        return false;
    }
    let Some(hex) = signature.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Some(tag) = decode_hex(hex) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(ts.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&tag).is_ok()
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// The address as shown in the lead's history: no query string or user info.
pub fn shown_url(url: &str) -> String {
    match url.trim().parse::<Uri>() {
        Ok(u) => match (u.scheme_str(), u.host()) {
            (Some(scheme), Some(host)) => {
                let port = u.port_u16().map(|p| format!(":{p}")).unwrap_or_default();
                format!("{scheme}://{host}{port}{}", u.path())
            }
            _ => "(an unusable address)".into(),
        },
        Err(_) => "(an unusable address)".into(),
    }
}

/// Queue the call for a lead (inside the caller's transaction), when the
/// clinic has a webhook address.
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    settings: &lead_settings::Model,
    clinic: &clinic::Model,
    office: Option<&str>,
    lead: &lead::Model,
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<Option<outbox::Model>, DbErr> {
    let Some(url) = settings.webhook_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) else {
        return Ok(None);
    };
    let row = outbox::ActiveModel {
        clinic_id: Set(lead.clinic_id),
        lead_id: Set(Some(lead.id)),
        kind: Set(CHANNEL.into()),
        purpose: Set(CHANNEL.into()),
        target: Set(shown_url(url)),
        subject: Set(EVENT.into()),
        payload: Set(body(clinic, office, lead, base_url)),
        state: Set(PENDING.into()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        claimed_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(Some(row))
}

/// Why a call did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("the clinic no longer has a webhook address")]
    NoAddress,
    #[error("the clinic has no webhook secret; webhook calls are only made signed")]
    NoSecret,
    #[error("the webhook address is unusable: {0}")]
    BadAddress(String),
    #[error("no answer within {0} s")]
    Timeout(u64),
    #[error("cannot reach the webhook: {0}")]
    Unreachable(String),
    #[error("the webhook answered HTTP {0}")]
    Status(u16),
    #[error("cannot read the clinic's settings: {0}")]
    Db(#[from] DbErr),
}

impl WebhookError {
    /// Worth trying again: the receiver may be down, slow or being fixed.
    /// A missing secret or an unusable address needs a person first.
    pub fn is_transient(&self) -> bool {
        !matches!(self, WebhookError::NoAddress | WebhookError::NoSecret | WebhookError::BadAddress(_))
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.to_ascii_lowercase().ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// An address on the public internet: not loopback, private, link-local,
/// shared (CGNAT), multicast, documentation, benchmarking or reserved.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            !(v4.is_unspecified()
                || v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (18..20).contains(&b))
                || (a == 192 && b == 0 && c == 0))
        }
        IpAddr::V6(v6) => {
            let seg = v6.segments();
            // IPv6 forms that carry an IPv4 address: judge that address.
            let embedded = |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            if seg[..6] == [0; 6] && !v6.is_loopback() && !v6.is_unspecified() {
                // IPv4-compatible `::a.b.c.d` (deprecated).
                return is_public(IpAddr::V4(embedded(seg[6], seg[7])));
            }
            if seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                // NAT64 (RFC 6052): fine when the IPv4 address behind it is.
                return is_public(IpAddr::V4(embedded(seg[6], seg[7])));
            }
            if seg[0] == 0x2002 {
                // 6to4 carries its IPv4 address in the next 32 bits.
                return is_public(IpAddr::V4(embedded(seg[1], seg[2])));
            }
            !(v6.is_unspecified()
                || v6.is_loopback()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00 // unique local
                || (seg[0] & 0xffc0) == 0xfe80 // link-local
                || (seg[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
                || (seg[0] == 0x2001 && seg[1] == 0x0db8) // documentation
                || (seg[0] == 0x2001 && seg[1] == 0x0000) // Teredo
                || (seg[0] == 0x2001 && seg[1] == 0x0002 && seg[2] == 0) // benchmarking
                || (seg[0] == 0x0064 && seg[1] == 0xff9b && seg[2] == 0x0001) // local-use NAT64
                || (seg[..4] == [0x0100, 0, 0, 0])) // discard-only
        }
    }
}

/// Whether plain-http calls to this machine (`http://localhost:9000/…`, a
/// test receiver) are made. Off unless the operator turns it on
/// (`--local-webhooks`): a clinic admin must not be able to make the
/// server post to services listening on its own loopback interface.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LocalHttp {
    #[default]
    Refused,
    Allowed,
}

/// The address to call, checked: https to a public address, or http to
/// this machine when `local` allows it.
pub fn checked_uri(url: &str, local: LocalHttp) -> Result<Uri, WebhookError> {
    let uri: Uri = url.trim().parse().map_err(|_| WebhookError::BadAddress("not a URL".into()))?;
    let host = uri.host().ok_or_else(|| WebhookError::BadAddress("no host name".into()))?;
    let literal = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().ok();
    match uri.scheme_str() {
        Some("https") if literal.is_some_and(|ip| !is_public(ip)) => {
            Err(WebhookError::BadAddress("it points to a private or local network address".into()))
        }
        Some("https") => Ok(uri),
        Some("http") if is_loopback(host) && local == LocalHttp::Allowed => Ok(uri),
        Some("http") if is_loopback(host) => Err(WebhookError::BadAddress(
            "it must use https (http to this machine is only for a test receiver, and this server does not allow it)"
                .into(),
        )),
        Some("http") => Err(WebhookError::BadAddress("it must use https".into())),
        _ => Err(WebhookError::BadAddress("it must start with https://".into())),
    }
}

/// Looks host names up like the system does, then keeps only public
/// addresses: a name that leads into a private network (or that someone
/// points there later) fails to connect instead.
#[derive(Clone, Debug, Default)]
pub struct PublicResolver;

impl tower::Service<Name> for PublicResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let host = name.as_str().to_string();
        Box::pin(async move { public_addresses(&host).await.map(Vec::into_iter) })
    }
}

/// The public addresses of `host`; an error when it has none.
pub async fn public_addresses(host: &str) -> std::io::Result<Vec<SocketAddr>> {
    let all: Vec<SocketAddr> = tokio::net::lookup_host((host, 0)).await?.collect();
    let public: Vec<SocketAddr> = all.iter().copied().filter(|a| is_public(a.ip())).collect();
    if public.is_empty() && !all.is_empty() {
        return Err(std::io::Error::other(PrivateAddress(host.to_string())));
    }
    Ok(public)
}

/// [`PublicResolver`]'s refusal: the host has only non-public addresses.
#[derive(Debug, thiserror::Error)]
#[error("{0} leads to a private or local network address")]
pub struct PrivateAddress(pub String);

/// Makes the calls: one connection pool per process.
#[derive(Clone)]
pub struct WebhookClient {
    /// https, public addresses only.
    public: Client<HttpsConnector<HttpConnector<PublicResolver>>, Full<Bytes>>,
    /// http to this machine (development and tests), when allowed.
    local: Option<Client<HttpConnector, Full<Bytes>>>,
    timeout: Duration,
}

impl std::fmt::Debug for WebhookClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookClient").field("timeout", &self.timeout).finish_non_exhaustive()
    }
}

impl Default for WebhookClient {
    fn default() -> Self {
        Self::new(TIMEOUT, LocalHttp::Refused)
    }
}

impl WebhookClient {
    /// A client giving each call at most `timeout` (normally [`TIMEOUT`]),
    /// calling http on this machine only when `local` allows it.
    pub fn new(timeout: Duration, local: LocalHttp) -> Self {
        let mut http = HttpConnector::new_with_resolver(PublicResolver);
        http.enforce_http(false);
        http.set_connect_timeout(Some(timeout));
        http.set_nodelay(true);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_only()
            .enable_http1()
            .wrap_connector(http);
        let pool = || {
            let mut b = Client::builder(TokioExecutor::new());
            b.pool_idle_timeout(Duration::from_secs(30));
            b
        };
        let local = (local == LocalHttp::Allowed).then(|| {
            let mut plain = HttpConnector::new();
            plain.set_connect_timeout(Some(timeout));
            plain.set_nodelay(true);
            pool().build(plain)
        });
        WebhookClient { public: pool().build(https), local, timeout }
    }

    /// Deliver an outbox row of channel `webhook`, signed at `now`.
    pub async fn deliver<C: ConnectionTrait>(
        &self,
        db: &C,
        row: &outbox::Model,
        now: DateTime<Utc>,
    ) -> Result<(), WebhookError> {
        let settings = lead_settings::Entity::find_by_id(row.clinic_id).one(db).await?;
        let settings = settings.ok_or(WebhookError::NoAddress)?;
        let url = settings.webhook_url.as_deref().map(str::trim).filter(|u| !u.is_empty());
        let local = if self.local.is_some() { LocalHttp::Allowed } else { LocalHttp::Refused };
        let uri = checked_uri(url.ok_or(WebhookError::NoAddress)?, local)?;
        let secret = settings.webhook_secret.as_deref().filter(|s| !s.trim().is_empty());
        let secret = secret.ok_or(WebhookError::NoSecret)?;
        let timestamp = now.timestamp();
        let body = Bytes::from(row.payload.clone());
        let req = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::USER_AGENT, concat!("Clinicpress-Webhook/", env!("CARGO_PKG_VERSION")))
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(SIGNATURE_HEADER, sign(secret.as_bytes(), timestamp, &body))
            .header(EVENT_HEADER, row.subject.as_str())
            .header(DELIVERY_HEADER, row.id.to_string())
            .body(Full::new(body))
            .map_err(|e| WebhookError::BadAddress(e.to_string()))?;
        let call = async {
            match (&self.local, req.uri().scheme_str()) {
                (Some(local), Some("http")) => local.request(req).await,
                // https only: checked_uri let no other http through.
                _ => self.public.request(req).await,
            }
        };
        let res = match tokio::time::timeout(self.timeout, call).await {
            Err(_) => return Err(WebhookError::Timeout(self.timeout.as_secs().max(1))),
            Ok(Err(e)) if refused_address(&e) => return Err(WebhookError::BadAddress(chain(&e))),
            Ok(Err(e)) => return Err(WebhookError::Unreachable(chain(&e))),
            Ok(Ok(res)) => res,
        };
        if res.status().is_success() { Ok(()) } else { Err(WebhookError::Status(res.status().as_u16())) }
    }
}

/// Whether a call failed because [`PublicResolver`] refused the address
/// (not worth retrying: a person must change the address first).
fn refused_address(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.downcast_ref::<PrivateAddress>().is_some()
            || s.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()).is_some_and(|e| e.is::<PrivateAddress>())
        {
            return true;
        }
        source = s.source();
    }
    false
}

/// An error with its causes ("client error (Connect): tcp connect error: Connection refused").
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn signatures_are_hmac_sha256_of_timestamp_dot_body() {
        // Known answer: HMAC-SHA256("secret", "1700000000.{}").
        let sig = sign(b"secret", 1_700_000_000, b"{}");
        assert_eq!(sig, "sha256=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163");
        let now = Utc.timestamp_opt(1_700_000_030, 0).unwrap();
        let five = chrono::Duration::minutes(5);
        assert!(verify(b"secret", "1700000000", b"{}", &sig, now, five));
        assert!(!verify(b"other", "1700000000", b"{}", &sig, now, five), "another secret");
        assert!(!verify(b"secret", "1700000000", b"{ }", &sig, now, five), "another body");
        assert!(!verify(b"secret", "1700000001", b"{}", &sig, now, five), "another timestamp");
        let late = Utc.timestamp_opt(1_700_000_000 + 301, 0).unwrap();
        assert!(!verify(b"secret", "1700000000", b"{}", &sig, late, five), "too old");
        assert!(!verify(b"secret", "1700000000", b"{}", "sha256=zz", now, five));
        assert!(!verify(b"secret", "x", b"{}", &sig, now, five));
    }

    #[test]
    fn only_public_addresses_over_https() {
        for private in [
            "https://10.1.2.3/hook",
            "https://192.168.0.10/hook",
            "https://172.16.5.4/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://127.0.0.1/hook",
            "https://100.64.0.1/hook",
            "https://0.0.0.0/hook",
            "https://[::1]/hook",
            "https://[fd12:3456::1]/hook",
            "https://[fe80::1]/hook",
            "https://[::ffff:10.0.0.1]/hook",
            "https://[::10.0.0.1]/hook",
            "https://[2002:a00:1::1]/hook",
            "https://[2001:0:4136:e378::1]/hook",
            "https://[fec0::1]/hook",
            "https://[64:ff9b:1::a00:1]/hook",
            "https://[64:ff9b::a00:1]/hook",
            "https://[100::1]/hook",
        ] {
            let e = checked_uri(private, LocalHttp::Allowed).unwrap_err();
            assert!(e.to_string().contains("private or local"), "{private}: {e}");
            assert!(!e.is_transient());
        }
        assert!(checked_uri("https://93.184.215.14/hook", LocalHttp::Refused).is_ok());
        assert!(checked_uri("https://[2606:4700::1]/hook", LocalHttp::Refused).is_ok());
        assert!(
            checked_uri("https://[64:ff9b::5db8:d70e]/hook", LocalHttp::Refused).is_ok(),
            "NAT64 of a public IPv4 address"
        );
        assert!(
            checked_uri("https://[2002:5db8:d70e::1]/hook", LocalHttp::Refused).is_ok(),
            "6to4 of a public IPv4 address"
        );
        assert!(is_public("8.8.8.8".parse().unwrap()) && !is_public("198.18.0.1".parse().unwrap()));
    }

    #[test]
    fn host_names_leading_into_the_local_network_are_refused_when_connecting() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let e = public_addresses("localhost").await.unwrap_err();
            assert!(e.to_string().contains("private or local network"), "{e}");
            let wrapped: Box<dyn std::error::Error + Send + Sync> = Box::new(e);
            assert!(refused_address(wrapped.as_ref()));
            let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
            assert!(!refused_address(&refused));
            let firewall = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
            assert!(!refused_address(&firewall), "a local firewall is worth retrying");
        });
    }

    #[test]
    fn only_https_or_this_machine() {
        assert!(checked_uri("https://crm.example/hooks/leads", LocalHttp::Refused).is_ok());
        for local in ["http://127.0.0.1:9000/hook", "http://localhost/hook", "http://[::1]:8080/hook"] {
            assert!(checked_uri(local, LocalHttp::Allowed).is_ok(), "{local}");
            let e = checked_uri(local, LocalHttp::Refused).unwrap_err();
            assert!(e.to_string().contains("does not allow") && !e.is_transient(), "{local}: {e}");
        }
        for bad in ["http://crm.example/hook", "ftp://crm.example/", "not a url", "/relative"] {
            let e = checked_uri(bad, LocalHttp::Allowed).unwrap_err();
            assert!(!e.is_transient(), "{bad}: {e}");
        }
        assert!(WebhookError::Timeout(10).is_transient() && WebhookError::Status(500).is_transient());
        assert!(WebhookError::Status(404).is_transient(), "a receiver being deployed answers 404 for a while");
    }

    #[test]
    fn the_shown_address_drops_query_and_user_info() {
        assert_eq!(shown_url("https://u:p@crm.example:8443/h?token=abc"), "https://crm.example:8443/h");
        assert_eq!(shown_url("nonsense"), "(an unusable address)");
    }
}
