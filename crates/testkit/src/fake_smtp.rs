//! A local SMTP relay for tests at the network boundary: plain SMTP (EHLO, MAIL, RCPT, DATA,
//! QUIT) whose connections follow a script — stall mid-conversation, refuse, or accept — so the
//! delivery worker meets the faults a real relay shows. It records every message it accepted.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// What one connection does.
#[derive(Clone, Copy, Debug)]
pub enum Conduct {
    /// Greets, answers EHLO, then never answers `MAIL FROM` (a relay that hangs mid-way).
    StallAfterEhlo,
    /// Greets with `421` and closes (a relay refusing service for now).
    Refuse,
    /// A well-behaved relay.
    Accept,
}

pub struct SmtpFake {
    pub port: u16,
    /// The DATA of each accepted message.
    pub received: Arc<Mutex<Vec<String>>>,
    /// Connections made so far.
    pub connections: Arc<Mutex<usize>>,
}

/// Starts the relay: connection i follows `script[i]`, later ones [`Conduct::Accept`].
pub async fn start(script: &[Conduct]) -> SmtpFake {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let connections = Arc::new(Mutex::new(0));
    let script = Arc::new(Mutex::new(script.iter().copied().collect::<VecDeque<_>>()));
    let (r, c) = (received.clone(), connections.clone());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            *c.lock().expect("lock") += 1;
            let conduct = script
                .lock()
                .expect("lock")
                .pop_front()
                .unwrap_or(Conduct::Accept);
            let r = r.clone();
            tokio::spawn(async move {
                let _ = session(stream, conduct, r).await;
            });
        }
    });
    SmtpFake {
        port,
        received,
        connections,
    }
}

async fn session(
    stream: tokio::net::TcpStream,
    conduct: Conduct,
    received: Arc<Mutex<Vec<String>>>,
) -> std::io::Result<()> {
    let (rd, mut wr) = stream.into_split();
    let mut rd = BufReader::new(rd);
    if let Conduct::Refuse = conduct {
        wr.write_all(b"421 4.3.2 fake.test busy, try again later\r\n")
            .await?;
        return Ok(());
    }
    wr.write_all(b"220 fake.test ESMTP\r\n").await?;
    let mut data: Option<String> = None;
    let mut line = String::new();
    loop {
        line.clear();
        if rd.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        if let Some(body) = data.as_mut() {
            if line == ".\r\n" {
                received.lock().expect("lock").push(std::mem::take(body));
                data = None;
                wr.write_all(b"250 2.0.0 queued as fake\r\n").await?;
            } else {
                body.push_str(&line);
            }
            continue;
        }
        let upper = line.trim_end().to_ascii_uppercase();
        let answer: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            b"250-fake.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        } else if upper.starts_with("MAIL") {
            if let Conduct::StallAfterEhlo = conduct {
                // Never answer; the client must give up on its own.
                std::future::pending::<()>().await;
            }
            b"250 2.1.0 ok\r\n"
        } else if upper.starts_with("RCPT") {
            b"250 2.1.5 ok\r\n"
        } else if upper == "DATA" {
            data = Some(String::new());
            b"354 go ahead\r\n"
        } else if upper == "QUIT" {
            wr.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"250 ok\r\n"
        };
        wr.write_all(answer).await?;
    }
}
