//! Outgoing mail as an interface. The development sender writes each message to the log (and, if
//! configured, appends it as one JSON line to a file, which is how tests read codes); a
//! production deployment plugs in a real sender.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
#[error("mail to {to} was not sent: {reason}")]
pub struct MailError {
    pub to: String,
    pub reason: String,
}

pub trait Mailer: Send + Sync {
    fn send(&self, mail: &Mail) -> Result<(), MailError>;
}

/// Logs every message; with a path, also appends it to that file as a JSON line.
pub struct LogMailer {
    file: Option<Mutex<PathBuf>>,
}

impl LogMailer {
    pub fn new(file: Option<PathBuf>) -> LogMailer {
        LogMailer {
            file: file.map(Mutex::new),
        }
    }
}

impl Mailer for LogMailer {
    fn send(&self, mail: &Mail) -> Result<(), MailError> {
        tracing::info!(to = %mail.to, subject = %mail.subject, body = %mail.body, "mail (development sender)");
        if let Some(path) = &self.file {
            let path = path.lock().unwrap_or_else(|p| p.into_inner());
            let line = serde_json::to_string(mail).expect("mail serializes");
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&*path)
                .and_then(|mut f| writeln!(f, "{line}"))
                .map_err(|e| MailError {
                    to: mail.to.clone(),
                    reason: e.to_string(),
                })?;
        }
        Ok(())
    }
}
