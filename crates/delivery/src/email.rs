//! E-mail over SMTP with `lettre`: plain, STARTTLS (required, never downgraded) or implicit TLS,
//! optional `AUTH PLAIN`/`AUTH LOGIN`, and a `multipart/alternative` body with the text and an
//! HTML part (escaped from the text into `<p>` paragraphs when the template has no HTML).
//!
//! The SMTP dialogue is driven phase by phase on a `lettre` connection rather than through
//! `AsyncSmtpTransport::send`, because the outcome of a failure depends on *when* it happens:
//!
//! | failure | outcome |
//! | --- | --- |
//! | connect, TLS, greeting, `AUTH` 4xx, any 4xx reply, or a timeout before the message body went out | `Retry` |
//! | 550/551/553 to `RCPT TO` (no such mailbox, mailbox name not allowed) | `Permanent(InvalidDestination)` |
//! | any other 5xx (rejected sender, content, `AUTH` 535, …) | `Permanent(Rejected)` |
//! | a timeout or broken connection after the body was sent, before the final reply | `Unknown` |
//!
//! Each phase is bounded by `timeout_secs`. The `Message-ID` is derived from the outbox id, so a
//! retry of the same message carries the same id and the same text.

use std::time::Duration;

use async_trait::async_trait;
use domain::messages::Rendered;
use domain::outbox::{Driver, Permanent, SendError};
use domain::store::OutboxMessage;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::{Address, Message};
use secrecy::ExposeSecret;

use crate::config::{SmtpConfig, SmtpSecurity};
use crate::util::mask;

/// The SMTP e-mail driver.
pub struct Email {
    cfg: SmtpConfig,
    from: Mailbox,
    tls: Option<TlsParameters>,
    hello: ClientId,
    timeout: Duration,
}

impl Email {
    pub fn new(cfg: SmtpConfig, timeout: Duration) -> Result<Self, String> {
        if cfg.host.is_empty() {
            return Err("email: `host` is required".into());
        }
        let from: Mailbox = cfg
            .from
            .parse()
            .map_err(|e| format!("email: bad `from` {:?}: {e}", cfg.from))?;
        if cfg.password.is_some() && cfg.username.is_none() {
            return Err("email: `password` is set without `username`".into());
        }
        let tls = match cfg.security {
            SmtpSecurity::Plain => None,
            SmtpSecurity::Starttls | SmtpSecurity::Tls => Some(
                TlsParameters::builder(cfg.host.clone())
                    .dangerous_accept_invalid_certs(cfg.accept_invalid_certs)
                    .build_rustls()
                    .map_err(|e| format!("email: TLS setup: {e}"))?,
            ),
        };
        Ok(Email {
            cfg,
            from,
            tls,
            hello: ClientId::default(),
            timeout,
        })
    }

    fn build(&self, msg: &OutboxMessage, rendered: &Rendered) -> Result<Message, SendError> {
        let to: Mailbox = msg.destination.parse().map_err(|_| {
            SendError::Permanent(
                Permanent::InvalidDestination,
                "smtp: destination is not an e-mail address".into(),
            )
        })?;
        let html = rendered
            .html
            .clone()
            .unwrap_or_else(|| text_to_html(&rendered.text));
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(rendered.subject.clone())
            .message_id(Some(format!("<{}@{}>", msg.id, self.from.email.domain())))
            .multipart(MultiPart::alternative_plain_html(
                rendered.text.clone(),
                html,
            ))
            .map_err(|e| SendError::Permanent(Permanent::Rejected, format!("smtp: message: {e}")))
    }

    /// One SMTP session: connect, (STARTTLS), (AUTH), MAIL, RCPT, DATA, body, QUIT.
    async fn deliver(
        &self,
        from: Option<Address>,
        to: &[Address],
        body: &[u8],
    ) -> Result<(), SendError> {
        let t = self.timeout;
        let wrapper = match self.cfg.security {
            SmtpSecurity::Tls => self.tls.clone(),
            _ => None,
        };
        let mut conn = step(
            t,
            Phase::Connect,
            AsyncSmtpConnection::connect_tokio1(
                (self.cfg.host.as_str(), self.cfg.port),
                Some(t),
                &self.hello,
                wrapper,
                None,
            ),
        )
        .await?;
        if let (SmtpSecurity::Starttls, Some(tls)) = (self.cfg.security, &self.tls) {
            step(t, Phase::Connect, conn.starttls(tls.clone(), &self.hello)).await?;
        }
        if let Some(user) = &self.cfg.username {
            let password = self
                .cfg
                .password
                .as_ref()
                .map(|p| p.expose_secret().to_owned())
                .unwrap_or_default();
            let credentials = Credentials::new(user.clone(), password);
            step(
                t,
                Phase::Auth,
                conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials),
            )
            .await?;
        }
        let mut options = Vec::new();
        let info = conn.server_info();
        if !body.is_ascii() && info.supports_feature(Extension::EightBitMime) {
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        let non_ascii = from
            .iter()
            .chain(to)
            .any(|a: &Address| !AsRef::<str>::as_ref(a).is_ascii());
        if non_ascii && info.supports_feature(Extension::SmtpUtfEight) {
            options.push(MailParameter::SmtpUtfEight);
        }
        step(t, Phase::Mail, conn.command(Mail::new(from, options))).await?;
        for rcpt in to {
            step(
                t,
                Phase::Rcpt,
                conn.command(Rcpt::new(rcpt.clone(), vec![])),
            )
            .await?;
        }
        step(t, Phase::Data, conn.command(Data)).await?;
        step(t, Phase::Body, conn.message(body)).await?;
        // The message is accepted; a failing QUIT changes nothing.
        let _ = tokio::time::timeout(t, conn.quit()).await;
        Ok(())
    }
}

/// Where in the SMTP dialogue a failure happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Connect,
    Auth,
    Mail,
    Rcpt,
    Data,
    /// After the message body went out, waiting for the final reply.
    Body,
}

async fn step<T>(
    t: Duration,
    phase: Phase,
    fut: impl Future<Output = Result<T, lettre::transport::smtp::Error>>,
) -> Result<T, SendError> {
    match tokio::time::timeout(t, fut).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(map_error(phase, &e)),
        Err(_) if phase == Phase::Body => Err(SendError::Unknown(
            "smtp: no reply in time after the message was sent".into(),
        )),
        Err(_) => Err(SendError::Retry(format!("smtp: timed out at {phase:?}"))),
    }
}

fn map_error(phase: Phase, e: &lettre::transport::smtp::Error) -> SendError {
    let text = format!("smtp: {phase:?}: {e}");
    if e.is_permanent() {
        let code = e.status().map(u16::from);
        match (phase, code) {
            (Phase::Rcpt, Some(550 | 551 | 553)) => {
                SendError::Permanent(Permanent::InvalidDestination, text)
            }
            _ => SendError::Permanent(Permanent::Rejected, text),
        }
    } else if e.is_transient() || phase != Phase::Body {
        SendError::Retry(text)
    } else {
        // The body went out and the connection broke or timed out before the final reply.
        SendError::Unknown(text)
    }
}

/// The text as HTML: escaped, a `<p>` per paragraph (blank-line separated), `<br>` for the
/// remaining line breaks.
pub fn text_to_html(text: &str) -> String {
    let mut html =
        String::from("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n");
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        html.push_str("<p>");
        html.push_str(&escape(para).replace('\n', "<br>\n"));
        html.push_str("</p>\n");
    }
    html.push_str("</body></html>\n");
    html
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[async_trait]
impl Driver for Email {
    fn name(&self) -> &'static str {
        "smtp"
    }

    async fn send(
        &self,
        msg: &OutboxMessage,
        rendered: &Rendered,
    ) -> Result<Option<String>, SendError> {
        let email = self.build(msg, rendered)?;
        let envelope = email.envelope().clone();
        let message_id = email.headers().get_raw("Message-ID").map(str::to_owned);
        let body = email.formatted();
        let result = self
            .deliver(envelope.from().cloned(), envelope.to(), &body)
            .await;
        match &result {
            Ok(()) => {
                tracing::info!(provider = "smtp", to = %mask(&msg.destination), "e-mail accepted")
            }
            Err(e) => {
                tracing::warn!(provider = "smtp", to = %mask(&msg.destination), error = ?e, "e-mail not accepted")
            }
        }
        result.map(|()| message_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_and_splits_paragraphs() {
        let html = text_to_html("Code <123> & more\nline two\n\nsecond \"para\"");
        assert!(html.contains("<p>Code &lt;123&gt; &amp; more<br>\nline two</p>"));
        assert!(html.contains("<p>second &quot;para&quot;</p>"));
    }
}
