//! A minimal in-process SMTP server: EHLO/HELO, STARTTLS (self-signed, from `rcgen`),
//! AUTH PLAIN/LOGIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT. It records what it accepted.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// How the server behaves.
#[derive(Clone, Default)]
pub struct Behavior {
    /// Offer STARTTLS with a self-signed certificate.
    pub starttls: bool,
    /// Speak TLS from the first byte (SMTPS), with the same self-signed certificate.
    pub implicit_tls: bool,
    /// Require AUTH with these credentials, offering these mechanisms (`"PLAIN LOGIN"`).
    pub auth: Option<(String, String, &'static str)>,
    /// Reply to every RCPT TO with this line instead of 250.
    pub rcpt_reply: Option<&'static str>,
    /// After the message body, never answer.
    pub hang_after_data: bool,
}

/// One accepted message.
#[derive(Clone, Debug)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    pub data: Vec<u8>,
    pub tls: bool,
    pub authenticated_as: Option<String>,
}

pub struct SmtpServer {
    pub port: u16,
    pub received: Arc<Mutex<Vec<Received>>>,
}

pub async fn start(behavior: Behavior) -> SmtpServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let acceptor = (behavior.starttls || behavior.implicit_tls).then(tls_acceptor);
    let (b, r) = (Arc::new(behavior), received.clone());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (b, r, a) = (b.clone(), r.clone(), acceptor.clone());
            tokio::spawn(async move {
                let _ = session(Box::new(stream), b, r, a).await;
            });
        }
    });
    SmtpServer { port, received }
}

fn tls_acceptor() -> tokio_rustls::TlsAcceptor {
    let ck =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let cert = ck.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(ck.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

enum Next {
    Quit,
    StartTls,
}

struct State {
    tls: bool,
    authenticated_as: Option<String>,
    mail_from: Option<String>,
    rcpt_to: Vec<String>,
}

async fn session(
    mut stream: Box<dyn Io>,
    b: Arc<Behavior>,
    received: Arc<Mutex<Vec<Received>>>,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
) -> std::io::Result<()> {
    let implicit = b.implicit_tls;
    if let (true, Some(a)) = (implicit, &acceptor) {
        stream = Box::new(a.accept(stream).await?);
    }
    stream.write_all(b"220 fake.test ESMTP ready\r\n").await?;
    let mut st = State {
        tls: implicit,
        authenticated_as: None,
        mail_from: None,
        rcpt_to: vec![],
    };
    loop {
        let mut reader = BufReader::new(stream);
        let next = dialogue(&mut reader, &b, &received, &mut st).await?;
        stream = reader.into_inner();
        match (next, &acceptor) {
            (Next::StartTls, Some(a)) => {
                stream = Box::new(a.accept(stream).await?);
                st = State {
                    tls: true,
                    authenticated_as: None,
                    mail_from: None,
                    rcpt_to: vec![],
                };
            }
            _ => return Ok(()),
        }
    }
}

async fn line(r: &mut BufReader<Box<dyn Io>>) -> std::io::Result<Option<String>> {
    let mut s = String::new();
    if r.read_line(&mut s).await? == 0 {
        return Ok(None);
    }
    Ok(Some(s.trim_end_matches(['\r', '\n']).to_owned()))
}

async fn reply(r: &mut BufReader<Box<dyn Io>>, text: &str) -> std::io::Result<()> {
    r.get_mut().write_all(text.as_bytes()).await?;
    r.get_mut().write_all(b"\r\n").await?;
    r.get_mut().flush().await
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn unb64(s: &str) -> String {
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(s.trim())
            .unwrap_or_default(),
    )
    .unwrap_or_default()
}

async fn dialogue(
    r: &mut BufReader<Box<dyn Io>>,
    b: &Behavior,
    received: &Mutex<Vec<Received>>,
    st: &mut State,
) -> std::io::Result<Next> {
    while let Some(cmd) = line(r).await? {
        let upper = cmd.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            let mut ext = vec![
                "250-fake.test".to_owned(),
                "250-8BITMIME".into(),
                "250-SMTPUTF8".into(),
            ];
            if b.starttls && !st.tls {
                ext.push("250-STARTTLS".into());
            }
            if let Some((_, _, mechs)) = &b.auth {
                ext.push(format!("250-AUTH {mechs}"));
            }
            ext.push("250 SIZE 10485760".into());
            reply(r, &ext.join("\r\n")).await?;
        } else if upper.starts_with("HELO") {
            reply(r, "250 fake.test").await?;
        } else if upper == "STARTTLS" && b.starttls && !st.tls {
            reply(r, "220 2.0.0 Ready to start TLS").await?;
            return Ok(Next::StartTls);
        } else if upper.starts_with("AUTH ") {
            let Some((user, pass, _)) = &b.auth else {
                reply(r, "502 5.5.1 AUTH not available").await?;
                continue;
            };
            let parts: Vec<&str> = cmd.split_whitespace().collect();
            let (got_user, got_pass) = match parts.get(1).map(|m| m.to_ascii_uppercase()).as_deref()
            {
                Some("PLAIN") => {
                    let initial = match parts.get(2) {
                        Some(i) => (*i).to_owned(),
                        None => {
                            reply(r, "334 ").await?;
                            line(r).await?.unwrap_or_default()
                        }
                    };
                    let decoded = unb64(&initial);
                    let mut it = decoded.split('\0');
                    let _authzid = it.next();
                    (
                        it.next().unwrap_or("").to_owned(),
                        it.next().unwrap_or("").to_owned(),
                    )
                }
                Some("LOGIN") => {
                    let u = match parts.get(2) {
                        Some(i) => unb64(i),
                        None => {
                            reply(r, &format!("334 {}", b64("Username:"))).await?;
                            unb64(&line(r).await?.unwrap_or_default())
                        }
                    };
                    reply(r, &format!("334 {}", b64("Password:"))).await?;
                    (u, unb64(&line(r).await?.unwrap_or_default()))
                }
                _ => {
                    reply(r, "504 5.5.4 Unrecognized authentication type").await?;
                    continue;
                }
            };
            if &got_user == user && &got_pass == pass {
                st.authenticated_as = Some(got_user);
                reply(r, "235 2.7.0 Authentication successful").await?;
            } else {
                reply(r, "535 5.7.8 Authentication credentials invalid").await?;
            }
        } else if upper.starts_with("MAIL FROM:") {
            if b.auth.is_some() && st.authenticated_as.is_none() {
                reply(r, "530 5.7.0 Authentication required").await?;
                continue;
            }
            st.mail_from = Some(address(&cmd));
            st.rcpt_to.clear();
            reply(r, "250 2.1.0 Ok").await?;
        } else if upper.starts_with("RCPT TO:") {
            if let Some(text) = b.rcpt_reply {
                reply(r, text).await?;
                continue;
            }
            st.rcpt_to.push(address(&cmd));
            reply(r, "250 2.1.5 Ok").await?;
        } else if upper == "DATA" {
            if st.mail_from.is_none() || st.rcpt_to.is_empty() {
                reply(r, "503 5.5.1 Bad sequence of commands").await?;
                continue;
            }
            reply(r, "354 End data with <CR><LF>.<CR><LF>").await?;
            let mut data = Vec::new();
            loop {
                let mut raw = Vec::new();
                if r.read_until(b'\n', &mut raw).await? == 0 {
                    return Ok(Next::Quit);
                }
                if raw == b".\r\n" {
                    break;
                }
                let unstuffed = if raw.starts_with(b"..") {
                    &raw[1..]
                } else {
                    &raw[..]
                };
                data.extend_from_slice(unstuffed);
            }
            if b.hang_after_data {
                tokio::time::sleep(Duration::from_secs(30)).await;
                return Ok(Next::Quit);
            }
            received.lock().unwrap().push(Received {
                mail_from: st.mail_from.take().unwrap_or_default(),
                rcpt_to: std::mem::take(&mut st.rcpt_to),
                data,
                tls: st.tls,
                authenticated_as: st.authenticated_as.clone(),
            });
            reply(r, "250 2.0.0 Ok: queued as 4F1A2B3C").await?;
        } else if upper == "RSET" || upper == "NOOP" {
            reply(r, "250 2.0.0 Ok").await?;
        } else if upper == "QUIT" {
            reply(r, "221 2.0.0 Bye").await?;
            return Ok(Next::Quit);
        } else {
            reply(r, "502 5.5.2 Command not recognized").await?;
        }
    }
    Ok(Next::Quit)
}

fn address(cmd: &str) -> String {
    let start = cmd.find('<').map(|i| i + 1).unwrap_or(0);
    let end = cmd.find('>').unwrap_or(cmd.len());
    cmd[start..end].to_owned()
}
