//! Outgoing mail. With no SMTP server configured (the default), every
//! message is written as an `.eml` file under `DATA_DIR/mail/`, so the
//! product works offline and nothing is lost; the leads issue adds SMTP.

use std::path::PathBuf;

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncFileTransport, AsyncTransport, Message, Tokio1Executor};

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
}

/// Where mail goes.
#[derive(Debug, Clone)]
pub enum Mailer {
    /// One `.eml` file per message in this folder.
    Files(PathBuf),
}

/// A plain-text message.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

pub const FROM: &str = "Clinicpress <no-reply@clinicpress.invalid>";

impl Mailer {
    pub fn files(dir: PathBuf) -> Self {
        Mailer::Files(dir)
    }

    pub async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let to: Mailbox = mail.to.parse().map_err(|_| MailError::Address(mail.to.clone()))?;
        let message = Message::builder()
            .from(FROM.parse().map_err(|_| MailError::Address(FROM.into()))?)
            .to(to)
            .subject(&mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())?;
        match self {
            Mailer::Files(dir) => {
                tokio::fs::create_dir_all(dir).await.map_err(|e| MailError::Folder(dir.display().to_string(), e))?;
                AsyncFileTransport::<Tokio1Executor>::new(dir).send(message).await?;
                Ok(())
            }
        }
    }
}
