//! SMTP e-mail against the in-process server: plain, STARTTLS, AUTH, errors, timeouts.

use std::time::{Duration, Instant};

use domain::identifier::Channel;
use domain::outbox::{Driver, Permanent, SendError};
use mail_parser::MessageParser;

use crate::common::*;
use crate::smtp::{Behavior, Received, start};

fn email_router(port: u16, extra: &str) -> wangshang_delivery::Router {
    router(&format!(
        r#"
        timeout_secs = 1
        [email]
        host = "127.0.0.1"
        port = {port}
        from = "Wangshang <no-reply@example.com>"
        {extra}
        "#
    ))
}

async fn send(r: &wangshang_delivery::Router) -> Result<Option<String>, SendError> {
    let (msg, rendered) = code_msg(Channel::Email, "alice@example.com");
    r.send(&msg, &rendered).await
}

/// Parses what the server received and checks the message a user gets.
fn check_message(got: &Received) -> String {
    assert_eq!(got.mail_from, "no-reply@example.com");
    assert_eq!(got.rcpt_to, vec!["alice@example.com".to_owned()]);
    let raw = String::from_utf8_lossy(&got.data).to_string();
    assert!(
        raw.to_ascii_lowercase().contains("multipart/alternative"),
        "{raw}"
    );
    let m = MessageParser::default().parse(&got.data).unwrap();
    let from = m.from().and_then(|a| a.first()).unwrap();
    assert_eq!(from.address(), Some("no-reply@example.com"));
    assert_eq!(from.name(), Some("Wangshang"));
    let to = m.to().and_then(|a| a.first()).unwrap();
    assert_eq!(to.address(), Some("alice@example.com"));
    assert_eq!(m.subject(), Some("Your Wangshang sign-up code"));
    assert_eq!(m.text_body_count(), 1);
    assert_eq!(m.html_body_count(), 1);
    let text = m.body_text(0).unwrap().to_string();
    let html = m.body_html(0).unwrap().to_string();
    assert!(html.contains("<p>"), "{html}");
    assert!(!html.contains("<p>[Wangshang]") || html.contains("482913"));
    let code = six_digits(&text).unwrap();
    assert_eq!(six_digits(&html).as_deref(), Some(code.as_str()));
    assert!(text.contains("never ask"), "{text}");
    m.message_id().unwrap().to_owned()
}

fn six_digits(s: &str) -> Option<String> {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(5)).find_map(|i| {
        let w = &b[i..i + 6];
        let before = i
            .checked_sub(1)
            .map(|j| b[j].is_ascii_digit())
            .unwrap_or(false);
        let after = b.get(i + 6).map(u8::is_ascii_digit).unwrap_or(false);
        (w.iter().all(u8::is_ascii_digit) && !before && !after)
            .then(|| String::from_utf8(w.to_vec()).unwrap())
    })
}

#[tokio::test]
async fn plain_smtp_delivers_text_and_html() {
    let server = start(Behavior::default()).await;
    let r = email_router(server.port, r#"security = "plain""#);
    let id = send(&r).await.unwrap().unwrap();
    let got = server.received.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert!(!got[0].tls);
    let message_id = check_message(&got[0]);
    assert_eq!(id, format!("smtp:<{message_id}>"));
}

#[tokio::test]
async fn starttls_with_a_self_signed_certificate_and_auth_plain() {
    let server = start(Behavior {
        starttls: true,
        auth: Some((
            "mailer".into(),
            "smtp-pass-do-not-log".into(),
            "PLAIN LOGIN",
        )),
        ..Behavior::default()
    })
    .await;
    let r = email_router(
        server.port,
        r#"
        security = "starttls"
        accept_invalid_certs = true
        username = "mailer"
        password = "smtp-pass-do-not-log"
        "#,
    );
    send(&r).await.unwrap();
    let got = server.received.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert!(got[0].tls, "the message must have gone over TLS");
    assert_eq!(got[0].authenticated_as.as_deref(), Some("mailer"));
    check_message(&got[0]);
}

#[tokio::test]
async fn starttls_refuses_a_self_signed_certificate_by_default() {
    let server = start(Behavior {
        starttls: true,
        ..Behavior::default()
    })
    .await;
    let r = email_router(server.port, r#"security = "starttls""#);
    let err = send(&r).await.unwrap_err();
    assert!(matches!(err, SendError::Retry(_)), "{err:?}");
    assert!(server.received.lock().unwrap().is_empty());
}

#[tokio::test]
async fn implicit_tls_with_a_self_signed_certificate() {
    let server = start(Behavior {
        implicit_tls: true,
        ..Behavior::default()
    })
    .await;
    let r = email_router(
        server.port,
        r#"
        security = "tls"
        accept_invalid_certs = true
        "#,
    );
    send(&r).await.unwrap();
    let got = server.received.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert!(got[0].tls);
    check_message(&got[0]);
}

#[tokio::test]
async fn auth_login_when_only_login_is_offered() {
    let server = start(Behavior {
        auth: Some(("mailer".into(), "pw".into(), "LOGIN")),
        ..Behavior::default()
    })
    .await;
    let r = email_router(
        server.port,
        r#"
        security = "plain"
        username = "mailer"
        password = "pw"
        "#,
    );
    send(&r).await.unwrap();
    let got = server.received.lock().unwrap().clone();
    assert_eq!(got[0].authenticated_as.as_deref(), Some("mailer"));
}

#[tokio::test]
async fn wrong_credentials_are_rejected() {
    let server = start(Behavior {
        auth: Some(("mailer".into(), "pw".into(), "PLAIN")),
        ..Behavior::default()
    })
    .await;
    let r = email_router(
        server.port,
        r#"
        security = "plain"
        username = "mailer"
        password = "nope"
        "#,
    );
    let err = send(&r).await.unwrap_err();
    assert!(
        matches!(err, SendError::Permanent(Permanent::Rejected, _)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_550_on_rcpt_is_an_invalid_destination() {
    let server = start(Behavior {
        rcpt_reply: Some("550 5.1.1 <alice@example.com>: Recipient address rejected: User unknown"),
        ..Behavior::default()
    })
    .await;
    let r = email_router(server.port, r#"security = "plain""#);
    let err = send(&r).await.unwrap_err();
    assert!(
        matches!(err, SendError::Permanent(Permanent::InvalidDestination, _)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_451_on_rcpt_is_retried() {
    let server = start(Behavior {
        rcpt_reply: Some("451 4.7.1 Greylisted, try again later"),
        ..Behavior::default()
    })
    .await;
    let r = email_router(server.port, r#"security = "plain""#);
    let err = send(&r).await.unwrap_err();
    assert!(matches!(err, SendError::Retry(_)), "{err:?}");
}

#[tokio::test]
async fn no_reply_after_the_body_is_unknown() {
    let server = start(Behavior {
        hang_after_data: true,
        ..Behavior::default()
    })
    .await;
    let r = email_router(server.port, r#"security = "plain""#);
    let started = Instant::now();
    let err = send(&r).await.unwrap_err();
    assert!(matches!(err, SendError::Unknown(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_closed_port_is_retried() {
    let url = refused_url().await;
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    let r = email_router(port, r#"security = "plain""#);
    let err = send(&r).await.unwrap_err();
    assert!(matches!(err, SendError::Retry(_)), "{err:?}");
}

#[tokio::test]
async fn a_resend_carries_the_same_message_id_and_code() {
    let server = start(Behavior::default()).await;
    let r = email_router(server.port, r#"security = "plain""#);
    let (msg, rendered) = code_msg(Channel::Email, "alice@example.com");
    let a = r.send(&msg, &rendered).await.unwrap();
    let b = r.send(&msg, &rendered).await.unwrap();
    assert_eq!(a, b);
    let got = server.received.lock().unwrap().clone();
    assert_eq!(check_message(&got[0]), check_message(&got[1]));
}
