//! What the drivers log: the provider, a masked destination, error codes — never a secret, a
//! code, a message text or a full number.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use domain::identifier::Channel;
use domain::outbox::Driver;
use serde_json::json;

use crate::common::*;
use crate::smtp::{Behavior, start};
use crate::webhook::webhook_toml;

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buf {
    type Writer = Buf;

    fn make_writer(&'a self) -> Buf {
        self.clone()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn logs_carry_no_secret_code_text_or_full_number() {
    let buf = Buf::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(buf.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let primary = fake(|_| Resp::json(503, json!({"error": "busy"}))).await;
    let fallback = fake(|_| Resp::json(200, json!({"id": "f-1"}))).await;
    let smtp = start(Behavior {
        auth: Some(("mailer".into(), "SMTP-PASSWORD-XYZ".into(), "PLAIN")),
        ..Behavior::default()
    })
    .await;
    let r = router(&format!(
        r#"
        timeout_secs = 2
        [email]
        host = "127.0.0.1"
        port = {}
        security = "plain"
        username = "mailer"
        password = "SMTP-PASSWORD-XYZ"
        {}{}"#,
        smtp.port,
        webhook_toml("sms.primary", &primary.url, "WEBHOOK-SECRET-XYZ"),
        webhook_toml("sms.fallback", &fallback.url, "WEBHOOK-SECRET-XYZ"),
    ));
    let (msg, rendered) = code_msg(Channel::Sms, "+8613812345678");
    r.send(&msg, &rendered).await.unwrap();
    let (msg, rendered) = code_msg(Channel::Email, "alice@example.com");
    r.send(&msg, &rendered).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;

    let logs = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("webhook"), "{logs}");
    assert!(logs.contains("+86138****5678"), "{logs}");
    assert!(logs.contains("a***@example.com"), "{logs}");
    for forbidden in [
        "SMTP-PASSWORD-XYZ",
        "WEBHOOK-SECRET-XYZ",
        "482913",
        "+8613812345678",
        "alice@example.com",
        rendered.text.as_str(),
    ] {
        assert!(!logs.contains(forbidden), "{forbidden:?} in logs:\n{logs}");
    }
}
