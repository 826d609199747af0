//! Outgoing mail. With `SMTP_URL` set, messages go to that SMTP server
//! (lettre; `smtp://host:port` plain, `smtp://…?tls=required` STARTTLS,
//! `smtps://` TLS, user and password in the URL); with none (the default),
//! every message is written as an `.eml` file under `DATA_DIR/mail/`, so
//! the product works offline and nothing is lost.
//!
//! Lead notifications do not call this directly: they are outbox rows,
//! written with the lead and delivered with retries by `leads::outbox`.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("bad address: {0}")]
    Address(String),
    #[error("cannot build the message: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("cannot write the message: {0}")]
    File(#[from] lettre::transport::file::Error),
    #[error("cannot create the mail folder {0}: {1}")]
    Folder(String, std::io::Error),
    /// The SMTP server could not be reached or refused the message.
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
}

impl MailError {
    /// Worth trying again later (the server is down or said "try later"),
    /// as opposed to a message that can never be sent (a bad address, a
    /// permanent 5xx refusal).
    pub fn is_transient(&self) -> bool {
        match self {
            MailError::Smtp(e) => !e.is_permanent(),
            MailError::File(_) | MailError::Folder(..) => true,
            MailError::Address(_) | MailError::Build(_) => false,
        }
    }
}

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    /// One `.eml` file per message in this folder.
    Files(PathBuf),
    /// An SMTP server; `url` is kept without its password, for logs.
    Smtp { transport: AsyncSmtpTransport<Tokio1Executor>, url: String },
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Files(dir) => write!(f, "Mailer::Files({})", dir.display()),
            Mailer::Smtp { url, .. } => write!(f, "Mailer::Smtp({url})"),
        }
    }
}

/// A plain-text message.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

pub const FROM: &str = "Clinicpress <no-reply@clinicpress.invalid>";

/// How long one SMTP conversation may take before it counts as failed.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// `--smtp-url` / `SMTP_URL`: a URL lettre can send through (empty: no SMTP).
pub fn check_smtp_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    if url.is_empty() {
        return Ok(String::new());
    }
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map(|_| url.to_string()).map_err(|e| {
        format!("not an SMTP URL (like smtp://127.0.0.1:2525 or smtps://user:password@mail.example.com): {e}")
    })
}

impl Mailer {
    pub fn files(dir: PathBuf) -> Self {
        Mailer::Files(dir)
    }

    /// From an SMTP URL such as `smtp://127.0.0.1:2525` or
    /// `smtps://user:pass@mail.example.com`.
    pub fn smtp(url: &str) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.timeout(Some(SMTP_TIMEOUT)).build();
        let shown = match (url.split_once("://"), url.rsplit_once('@')) {
            (Some((scheme, _)), Some((_, host))) => format!("{scheme}://…@{host}"),
            _ => url.to_string(),
        };
        Ok(Mailer::Smtp { transport, url: shown })
    }

    /// Where mail goes, in words (for the start-up log).
    pub fn describe(&self) -> String {
        match self {
            Mailer::Files(dir) => format!(".eml files in {}", dir.display()),
            Mailer::Smtp { url, .. } => format!("SMTP server {url}"),
        }
    }

    pub async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        self.send_with_id(mail, None).await
    }

    /// Send with this `Message-ID` (`<left@right>`), the same on every
    /// attempt: the outbox gives each row its own, so a copy sent again
    /// after a crash (delivered, but not yet recorded as sent) carries the
    /// same id as the first, and mail systems that drop repeated ids show it
    /// once. Without one the relay adds its own.
    pub async fn send_with_id(&self, mail: &Mail, message_id: Option<String>) -> Result<(), MailError> {
        let to: Mailbox = mail.to.parse().map_err(|_| MailError::Address(mail.to.clone()))?;
        let mut builder = Message::builder()
            .from(FROM.parse().map_err(|_| MailError::Address(FROM.into()))?)
            .to(to)
            .subject(&mail.subject)
            .header(ContentType::TEXT_PLAIN);
        if let Some(id) = message_id {
            builder = builder.message_id(Some(id));
        }
        let message = builder.body(mail.body.clone())?;
        match self {
            Mailer::Files(dir) => {
                tokio::fs::create_dir_all(dir).await.map_err(|e| MailError::Folder(dir.display().to_string(), e))?;
                AsyncFileTransport::<Tokio1Executor>::new(dir).send(message).await?;
                Ok(())
            }
            Mailer::Smtp { transport, .. } => {
                transport.send(message).await?;
                Ok(())
            }
        }
    }
}
