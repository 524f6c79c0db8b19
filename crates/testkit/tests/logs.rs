//! No secret reaches the log in production mode: not the codes, not the passwords, not the
//! tokens, not the provider's key — at debug level, through registration, login and recovery.

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use domain::config::delivery::{SmsProvider, WebhookConfig};
use testkit::fake_sms::{Mode, WebhookFake};
use testkit::{Backend, StatusCode, TestApp, json, on_both_backends};

const PW: &str = "blue lantern over quiet harbor";
const NEW_PW: &str = "seven green kites at dawn";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every log line of this test process, at debug level.
fn captured() -> Captured {
    static LOG: OnceLock<Captured> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Captured::default();
        let writer = log.clone();
        tracing_subscriber::fmt()
            .with_env_filter("debug")
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .without_time()
            .init();
        log
    })
    .clone()
}

async fn nothing_secret_is_logged(b: Backend) {
    let log = captured();
    let gateway = WebhookFake::start(Mode::Accept).await;
    let app = TestApp::spawn_with(b, |c| {
        c.dev = false;
        c.outbox.driver = Some("providers".into());
        c.codes.resend_interval_secs = 0;
        c.delivery.sms.primary = Some(SmsProvider::Webhook(WebhookConfig {
            url: gateway.url.clone(),
            secret: gateway.secret.clone().into(),
        }));
    })
    .await;
    let v = app
        .post(
            "/api/v1/verifications",
            json!({"purpose": "register", "channel": "sms", "destination": "13612340001"}),
        )
        .await;
    let calls = gateway.wait_for_calls(1).await;
    let c1 = calls[0]["params"]["code"].as_str().unwrap().to_owned();
    let a = app
        .post(
            "/api/v1/accounts",
            json!({"verification_id": v.str("verification_id"), "code": c1, "nickname": "n1", "password": PW}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED);
    let token = app.token("13612340001", PW).await;
    let r = app
        .post(
            "/api/v1/password-resets",
            json!({"identifier": "13612340001"}),
        )
        .await;
    let calls = gateway.wait_for_calls(2).await;
    let c2 = calls[1]["params"]["code"].as_str().unwrap().to_owned();
    let id = r.str("reset_id");
    let t = app
        .post(
            &format!("/api/v1/password-resets/{id}/verify"),
            json!({"code": c2}),
        )
        .await;
    let reset_token = t.str("reset_token");
    let done = app
        .post(
            &format!("/api/v1/password-resets/{id}/complete"),
            json!({"reset_token": reset_token, "new_password": NEW_PW}),
        )
        .await;
    assert_eq!(done.status, StatusCode::NO_CONTENT);
    gateway.wait_for_calls(3).await;
    app.stop().await;
    let text = String::from_utf8_lossy(&log.0.lock().unwrap()).into_owned();
    assert!(
        text.len() > 1000,
        "the log was captured: {} bytes",
        text.len()
    );
    // A code is six digits: it counts only as a number of its own, not inside a longer one or
    // after a decimal point (durations are logged as `1.234567ms`).
    for code in [&c1, &c2] {
        assert!(!logged_number(&text, code), "code {code} is in the log");
    }
    for secret in [PW, NEW_PW, &token, &reset_token, &gateway.secret] {
        assert!(!text.contains(secret), "{secret:?} is in the log");
    }
}

fn logged_number(text: &str, digits: &str) -> bool {
    text.match_indices(digits).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + digits.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit() || c == '.')
            && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

on_both_backends!(nothing_secret_is_logged);
