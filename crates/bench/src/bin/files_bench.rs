//! `files_bench`: upload and download throughput of one big file through the real server, against
//! `dd` writing and reading the same size on the same disk in the same run, and concurrent small
//! image uploads per second (issue 17's benchmark; a measurement, not a test).
//!
//! It starts the server in-process on SQLite with local file storage in a directory under
//! `--dir` (default: the system's temp directory), where `dd` also writes, registers two
//! colleagues with a direct conversation, then:
//!
//! 1. `dd if=/dev/zero of=DIR/dd.bin bs=1M count=N conv=fsync` and `dd if=DIR/dd.bin of=/dev/null
//!    bs=1M`, timed around the process;
//! 2. uploads an N MiB file (`POST /conversations/{id}/files`, multipart) and downloads it (`GET
//!    /files/{id}`), `--rounds` times each, taking the median; every round checks the bytes'
//!    SHA-256;
//! 3. uploads `--images` small PNGs with `--concurrency` clients (each stripped, measured and
//!    thumbnailed by the server).
//!
//! Prints a markdown table with MB/s and the ratio to `dd`. The upload includes what the server
//! does with a file before answering: streaming to a temporary file, the type read from its head,
//! hashing (off the runtime), flushing and renaming into place, and the message written.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::multipart::{Form, Part};
use testkit::{Backend, TestApp};

const PW: &str = "blue lantern over quiet harbor";

struct Args {
    mib: usize,
    rounds: usize,
    images: usize,
    concurrency: usize,
    dir: PathBuf,
}

fn args() -> Args {
    let mut a = Args {
        mib: 50,
        rounds: 3,
        images: 200,
        concurrency: 16,
        dir: std::env::temp_dir(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let v = it.next().unwrap_or_default();
        match k.as_str() {
            "--mib" => a.mib = v.parse().expect("--mib N"),
            "--rounds" => a.rounds = v.parse().expect("--rounds N"),
            "--images" => a.images = v.parse().expect("--images N"),
            "--concurrency" => a.concurrency = v.parse().expect("--concurrency N"),
            "--dir" => a.dir = PathBuf::from(v),
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

/// Seconds `dd` took with these operands.
fn dd(operands: &[String]) -> f64 {
    let t = Instant::now();
    let out = Command::new("dd").args(operands).output().expect("dd runs");
    assert!(
        out.status.success(),
        "dd failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    t.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn mbps(bytes: usize, secs: f64) -> f64 {
    bytes as f64 / 1e6 / secs
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let a = args();
    let work = tempfile::tempdir_in(&a.dir).expect("work dir");
    let files_dir = work.path().join("files");
    let size = a.mib * 1024 * 1024;
    eprintln!(
        "files_bench: {} MiB, {} rounds, in {}",
        a.mib,
        a.rounds,
        work.path().display()
    );

    // dd on the same disk.
    let dd_file = work.path().join("dd.bin");
    let mut dd_write = Vec::new();
    let mut dd_read = Vec::new();
    for _ in 0..a.rounds {
        dd_write.push(dd(&[
            "if=/dev/zero".into(),
            format!("of={}", dd_file.display()),
            "bs=1M".into(),
            format!("count={}", a.mib),
            "conv=fsync".into(),
        ]));
        // Read back at once: from the page cache, as the server's download below is too.
        dd_read.push(dd(&[
            format!("if={}", dd_file.display()),
            "of=/dev/null".into(),
            "bs=1M".into(),
        ]));
    }
    let _ = std::fs::remove_file(&dd_file);

    let fd = files_dir.clone();
    let app = TestApp::spawn_with(Backend::Sqlite, move |c| {
        c.files.dir = Some(fd);
        c.files.max_file_bytes = (size as u64) * 2;
        c.files.daily_quota_bytes = u64::MAX / 2;
    })
    .await;
    let pair = app
        .colleagues("fb1@example.com", "fb2@example.com", PW)
        .await;
    let conv = pair.conversation_id.clone();
    let client = reqwest::Client::new();

    // Incompressible, deterministic content, different per round (so each round stores a blob).
    let content = |round: usize| -> Vec<u8> {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ round as u64;
        (0..size)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    };
    let mut up = Vec::new();
    let mut down = Vec::new();
    for round in 0..a.rounds {
        let bytes = content(round);
        let form = Form::new().part(
            "file",
            Part::bytes(bytes.clone()).file_name(format!("big-{round}.bin")),
        );
        let t = Instant::now();
        let res = client
            .post(format!("{}/api/v1/conversations/{conv}/files", app.base))
            .bearer_auth(&pair.first_token)
            .multipart(form)
            .send()
            .await
            .expect("upload");
        let status = res.status();
        let body: serde_json::Value = res.json().await.expect("json");
        up.push(t.elapsed().as_secs_f64());
        assert_eq!(status.as_u16(), 201, "{body}");
        let id = body["attachment"]["file_id"].as_str().unwrap().to_owned();
        let t = Instant::now();
        let res = client
            .get(format!("{}/api/v1/files/{id}", app.base))
            .bearer_auth(&pair.second_token)
            .send()
            .await
            .expect("download");
        let got = res.bytes().await.expect("bytes");
        down.push(t.elapsed().as_secs_f64());
        assert!(got.as_ref() == bytes.as_slice(), "the download differs");
    }

    // Concurrent small image uploads.
    let png = {
        let img = image_png();
        std::sync::Arc::new(img)
    };
    let t = Instant::now();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..a.concurrency {
        let (client, base, token, conv, png, next) = (
            client.clone(),
            app.base.clone(),
            pair.first_token.clone(),
            conv.clone(),
            png.clone(),
            next.clone(),
        );
        let total = a.images;
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= total {
                    return;
                }
                let form = Form::new().part(
                    "file",
                    Part::bytes(png.as_ref().clone())
                        .file_name(format!("shot-{i}.png"))
                        .mime_str("image/png")
                        .unwrap(),
                );
                let res = client
                    .post(format!("{base}/api/v1/conversations/{conv}/files"))
                    .bearer_auth(&token)
                    .multipart(form)
                    .timeout(Duration::from_secs(60))
                    .send()
                    .await
                    .expect("image upload");
                assert_eq!(res.status().as_u16(), 201);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let images_secs = t.elapsed().as_secs_f64();
    app.stop().await;

    let (ddw, ddr, u, d) = (median(dd_write), median(dd_read), median(up), median(down));
    println!(
        "| {} MiB, median of {} | seconds | MB/s | ratio to dd |",
        a.mib, a.rounds
    );
    println!("| --- | --- | --- | --- |");
    println!(
        "| dd write (conv=fsync) | {ddw:.3} | {:.0} | 1.00 |",
        mbps(size, ddw)
    );
    println!(
        "| upload (POST …/files) | {u:.3} | {:.0} | {:.2} |",
        mbps(size, u),
        ddw / u
    );
    println!("| dd read | {ddr:.3} | {:.0} | 1.00 |", mbps(size, ddr));
    println!(
        "| download (GET /files/{{id}}) | {d:.3} | {:.0} | {:.2} |",
        mbps(size, d),
        ddr / d
    );
    println!();
    println!(
        "| small images ({} × {} KiB PNG, {} clients) | {images_secs:.2} s | {:.0} uploads/s | |",
        a.images,
        png.len() / 1024,
        a.concurrency,
        a.images as f64 / images_secs
    );
}

/// A 256×192 PNG screenshot-like image with a text chunk (stripped by the server).
fn image_png() -> Vec<u8> {
    let mut out = Vec::new();
    let w = 256u32;
    let h = 192u32;
    // A hand-made PNG would be code to keep; the server's own dependency makes one.
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}
