//! A client of clamd's INSTREAM command (a TCP address or `unix:/path/to/clamd.sock`): the bytes
//! go in chunks of a 4-byte big-endian length and the data, a zero length ends them, and clamd
//! answers `stream: OK` or `stream: <signature> FOUND`.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::BlobReader;
use crate::error::{Error, Result};

/// What clamd found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    Infected(String),
}

/// Bytes per INSTREAM chunk.
const CHUNK: usize = 64 * 1024;
/// Longest answer read.
const MAX_REPLY: u64 = 4096;

trait Conn: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Conn for T {}

async fn connect(addr: &str) -> std::io::Result<Box<dyn Conn>> {
    if let Some(path) = addr.strip_prefix("unix:") {
        #[cfg(unix)]
        return Ok(Box::new(tokio::net::UnixStream::connect(path).await?));
        #[cfg(not(unix))]
        return Err(std::io::Error::other(format!(
            "no unix sockets here: {path}"
        )));
    }
    let addr = addr.strip_prefix("tcp:").unwrap_or(addr);
    Ok(Box::new(tokio::net::TcpStream::connect(addr).await?))
}

/// Reads clamd's answer to a scan.
pub fn parse(reply: &str) -> Result<Verdict> {
    let r = reply.trim_end_matches(['\0', '\n', '\r', ' ']);
    let r = r.strip_prefix("stream:").unwrap_or(r).trim();
    if r == "OK" {
        return Ok(Verdict::Clean);
    }
    if let Some(name) = r.strip_suffix(" FOUND") {
        return Ok(Verdict::Infected(name.trim().chars().take(200).collect()));
    }
    Err(Error::Internal(format!(
        "clamd answered: {}",
        r.chars().take(200).collect::<String>()
    )))
}

/// Sends the bytes to clamd and reads its verdict, within `timeout`.
pub async fn scan(addr: &str, bytes: BlobReader, timeout: Duration) -> Result<Verdict> {
    tokio::time::timeout(timeout, scan_inner(addr, bytes))
        .await
        .map_err(|_| Error::Internal("clamd did not answer in time".into()))?
}

async fn scan_inner(addr: &str, mut bytes: BlobReader) -> Result<Verdict> {
    let io = |e: std::io::Error| Error::Internal(format!("clamd at {addr}: {e}"));
    let mut conn = connect(addr).await.map_err(io)?;
    conn.write_all(b"zINSTREAM\0").await.map_err(io)?;
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = bytes
            .read(&mut buf)
            .await
            .map_err(|e| Error::Internal(format!("reading a file to scan: {e}")))?;
        if n == 0 {
            break;
        }
        // `n` is at most CHUNK, so it fits in four bytes.
        let len = u32::try_from(n).unwrap_or(u32::MAX);
        conn.write_all(&len.to_be_bytes()).await.map_err(io)?;
        conn.write_all(&buf[..n]).await.map_err(io)?;
    }
    conn.write_all(&0u32.to_be_bytes()).await.map_err(io)?;
    conn.flush().await.map_err(io)?;
    let mut reply = Vec::new();
    conn.take(MAX_REPLY)
        .read_to_end(&mut reply)
        .await
        .map_err(io)?;
    parse(&String::from_utf8_lossy(&reply))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read() {
        assert_eq!(parse("stream: OK\0").ok(), Some(Verdict::Clean));
        assert_eq!(
            parse("stream: Eicar-Test-Signature.UNOFFICIAL FOUND\0").ok(),
            Some(Verdict::Infected("Eicar-Test-Signature.UNOFFICIAL".into()))
        );
        assert!(parse("INSTREAM size limit exceeded. ERROR\0").is_err());
        assert!(parse("").is_err());
    }
}
