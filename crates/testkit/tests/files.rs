//! Files in conversations (SPEC §9, issue 17): upload and download, the same `404` for everyone
//! who may not see a file, types from the content and never served as something a browser runs,
//! the size limit while streaming, the daily quota, interrupted uploads, ranges, and images
//! losing their metadata.

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::multipart::{Form, Part};
use sha2::{Digest, Sha256};
use testkit::{Backend, Resp, StatusCode, TestApp, json, on_both_backends};

const PW: &str = "blue lantern over quiet harbor";

struct Member {
    id: String,
    token: String,
}

async fn member(app: &TestApp, name: &str) -> Member {
    let email = format!("{name}@example.com");
    let id = app.register("email", &email, name, PW).await;
    let token = app.token(&email, PW).await;
    Member { id, token }
}

/// An enterprise of `names` (the first owns it) and a group conversation of all of them.
async fn group(app: &TestApp, names: &[&str]) -> (String, Vec<Member>) {
    let mut m = Vec::new();
    for n in names {
        m.push(member(app, n).await);
    }
    let org = app
        .post_auth("/api/v1/orgs", &m[0].token, json!({"name": "旺商科技"}))
        .await;
    assert_eq!(org.status, StatusCode::CREATED, "{:?}", org.body);
    for (x, n) in m.iter().zip(names).skip(1) {
        let email = format!("{n}@example.com");
        app.join_org(&org.str("id"), &m[0].token, &email, &x.token)
            .await;
    }
    let ids: Vec<&str> = m[1..].iter().map(|x| x.id.as_str()).collect();
    let r = app
        .post_auth(
            "/api/v1/conversations",
            &m[0].token,
            json!({"member_ids": ids, "title": "报价"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    (r.str("conversation_id"), m)
}

/// A server whose files live in a directory the test can look into.
async fn spawn(
    b: Backend,
    tweak: impl FnOnce(&mut testkit::Config),
) -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().to_path_buf();
    let app = TestApp::spawn_with(b, |c| {
        c.files.dir = Some(files);
        tweak(c);
    })
    .await;
    (app, dir)
}

fn part(bytes: Vec<u8>, name: &str, mime: Option<&str>) -> Part {
    let p = Part::bytes(bytes).file_name(name.to_owned());
    match mime {
        Some(m) => p.mime_str(m).unwrap(),
        None => p,
    }
}

async fn upload(
    app: &TestApp,
    token: &str,
    conversation: &str,
    bytes: &[u8],
    name: &str,
    mime: Option<&str>,
) -> Resp {
    let form = Form::new()
        .text("caption", "见附件")
        .part("file", part(bytes.to_vec(), name, mime));
    app.upload_form(token, conversation, "", form).await
}

/// An upload with this `client_msg_id`.
async fn upload_as(
    app: &TestApp,
    token: &str,
    conversation: &str,
    bytes: &[u8],
    name: &str,
    client_msg_id: &str,
) -> Resp {
    let form = Form::new()
        .text("client_msg_id", client_msg_id.to_owned())
        .part("file", part(bytes.to_vec(), name, None));
    app.upload_form(token, conversation, "", form).await
}

/// Blobs stored under a files directory (its two-character folders; not `tmp`).
fn stored_blobs(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().len() == 2 && e.path().is_dir())
        .map(|e| std::fs::read_dir(e.path()).unwrap().count())
        .sum()
}

/// A stream from now on: returns once the server sent `hello`, so an event after this call is
/// one the socket delivers (a stream opened without `since` starts where the server stands when
/// it says hello).
async fn listening(app: &TestApp, token: &str) -> testkit::stream::StreamClient {
    let mut s = app.stream(token, None).await;
    let hello = s.next(Duration::from_secs(10)).await.expect("hello");
    assert_eq!(hello["type"], "hello");
    s
}

/// A download's status, headers and raw bytes.
struct Got {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    bytes: Vec<u8>,
}

impl Got {
    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }
}

async fn fetch(app: &TestApp, path: &str, token: Option<&str>, range: Option<&str>) -> Got {
    let mut req = app.client.get(format!("{}{path}", app.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(r) = range {
        req = req.header("range", r);
    }
    let res = req.send().await.expect("download sent");
    Got {
        status: res.status(),
        headers: res.headers().clone(),
        bytes: res.bytes().await.expect("body").to_vec(),
    }
}

fn file_path(id: &str) -> String {
    format!("/api/v1/files/{id}")
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Every regular file under `dir` (the blobs and whatever is left in `tmp`).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

on_both_backends!(
    a_member_sends_and_the_others_download,
    everyone_else_gets_the_same_404,
    nothing_a_browser_would_run_is_served_as_such,
    a_claim_the_content_contradicts_is_refused,
    an_upload_over_the_limit_is_stopped_while_it_streams,
    an_interrupted_upload_leaves_nothing,
    the_daily_quota_counts_what_was_stored,
    ranges_are_served,
    a_jpeg_loses_its_gps_position_unless_sent_as_original,
    files_wait_for_clamd_and_eicar_is_never_served,
    files_live_in_an_s3_compatible_store,
    signed_links_are_short_lived_and_act_for_the_member,
    orphaned_blobs_and_uploads_are_swept,
    the_web_client_sends_and_fetches_with_its_session,
    a_file_is_found_by_its_name_and_caption,
);

async fn a_member_sends_and_the_others_download(b: Backend) {
    let (app, dir) = spawn(b, |_| {}).await;
    let (conv, m) = group(&app, &["ann", "ben"]).await;
    let mut stream = listening(&app, &m[1].token).await;
    let content = "季度报价：¥12,800\n".repeat(100).into_bytes();
    let form = Form::new()
        .text("caption", "见附件")
        .text("client_msg_id", "q3-quote")
        .part(
            "file",
            part(content.clone(), "报价/../Q3 报价.txt", Some("text/plain")),
        );
    let r = app.upload_form(&m[0].token, &conv, "", form).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["body"], "见附件");
    assert_eq!(r.body["sender_id"], m[0].id.as_str());
    let a = &r.body["attachment"];
    assert_eq!(a["name"], "Q3 报价.txt", "no directory part is kept");
    assert_eq!(a["size"], content.len());
    assert_eq!(a["content_type"], "text/plain");
    assert_eq!(a["sha256"], sha(&content));
    assert_eq!(a["status"], "ready");
    assert_eq!(a["thumbnail"], false);
    let file_id = a["file_id"].as_str().unwrap().to_owned();

    // The others are told on the stream, with the attachment.
    let e = stream
        .next_of("message.created", Duration::from_secs(10))
        .await
        .expect("event");
    assert_eq!(e["message"]["attachment"]["file_id"], file_id.as_str());

    // History carries it; a retry with the same client_msg_id creates nothing.
    let h = app
        .get(
            &format!("/api/v1/conversations/{conv}/messages"),
            Some(&m[1].token),
        )
        .await;
    assert_eq!(
        h.body["messages"][0]["attachment"]["file_id"],
        file_id.as_str()
    );
    let form = Form::new()
        .text("client_msg_id", "q3-quote")
        .part("file", part(content.clone(), "Q3 报价.txt", None));
    let again = app.upload_form(&m[0].token, &conv, "", form).await;
    assert_eq!(again.status, StatusCode::OK, "{:?}", again.body);
    assert_eq!(again.body["message_id"], r.body["message_id"]);
    assert_eq!(app.count("SELECT COUNT(*) FROM files").await, 1);

    // The other member downloads exactly the bytes, as an attachment, sandboxed.
    let g = fetch(&app, &file_path(&file_id), Some(&m[1].token), None).await;
    assert_eq!(g.status, StatusCode::OK);
    assert_eq!(g.bytes, content);
    assert_eq!(g.header("content-type"), "text/plain");
    assert!(g.header("content-disposition").starts_with("attachment;"));
    assert!(
        g.header("content-disposition")
            .contains("filename*=UTF-8''Q3%20%E6%8A%A5%E4%BB%B7.txt"),
        "{}",
        g.header("content-disposition")
    );
    assert_eq!(g.header("x-content-type-options"), "nosniff");
    assert_eq!(g.header("content-security-policy"), "sandbox");
    assert_eq!(g.header("accept-ranges"), "bytes");
    // No thumbnail for text.
    let t = fetch(
        &app,
        &format!("{}/thumbnail", file_path(&file_id)),
        Some(&m[1].token),
        None,
    )
    .await;
    assert_eq!(t.status, StatusCode::NOT_FOUND);

    // Stored once, under its hash; nothing left in the staging directory.
    let stored = files_under(dir.path());
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(
        stored[0].file_name().unwrap().to_str().unwrap(),
        sha(&content)
    );
    app.stop().await;
}

async fn everyone_else_gets_the_same_404(b: Backend) {
    let (app, _dir) = spawn(b, |_| {}).await;
    let (conv, m) = group(&app, &["ann", "ben", "cy"]).await;
    let outsider = member(&app, "dee").await;
    let r = upload(
        &app,
        &m[0].token,
        &conv,
        b"contract text",
        "contract.txt",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let file_id = r.body["attachment"]["file_id"].as_str().unwrap().to_owned();
    let message_id = r.str("message_id");
    let path = file_path(&file_id);

    let ok = fetch(&app, &path, Some(&m[2].token), None).await;
    assert_eq!(ok.status, StatusCode::OK);
    let unknown = fetch(&app, &file_path("no-such-file"), Some(&m[1].token), None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let same = |g: &Got, who: &str| {
        assert_eq!(g.status, StatusCode::NOT_FOUND, "{who}");
        assert_eq!(
            g.bytes, unknown.bytes,
            "{who}: the answer differs from an unknown id's"
        );
        assert_eq!(
            g.header("content-type"),
            unknown.header("content-type"),
            "{who}"
        );
    };
    same(
        &fetch(&app, &path, Some(&outsider.token), None).await,
        "a non-member",
    );
    same(&fetch(&app, &path, None, None).await, "signed out");
    same(
        &fetch(&app, &path, Some("not-a-token"), None).await,
        "a dead token",
    );
    same(
        &fetch(
            &app,
            &format!("{path}/thumbnail"),
            Some(&outsider.token),
            None,
        )
        .await,
        "a non-member's thumbnail",
    );
    // A non-member can neither upload into the conversation.
    let r = upload(&app, &outsider.token, &conv, b"x", "x.txt", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // A former member.
    let r = app
        .delete(
            &format!("/api/v1/conversations/{conv}/members/{}", m[2].id),
            &m[0].token,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    same(
        &fetch(&app, &path, Some(&m[2].token), None).await,
        "a former member",
    );
    // Signed out after being a member.
    let r = app.delete("/api/v1/sessions/current", &m[1].token).await;
    assert!(r.status.is_success(), "{:?}", r.body);
    same(
        &fetch(&app, &path, Some(&m[1].token), None).await,
        "a signed-out member",
    );

    // A recalled message's file is served to nobody, and the tombstone shows no file.
    let r = app
        .post_auth(
            &format!("/api/v1/conversations/{conv}/messages/{message_id}/recall"),
            &m[0].token,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(r.body["attachment"].is_null());
    same(
        &fetch(&app, &path, Some(&m[0].token), None).await,
        "the sender, after recall",
    );
    app.stop().await;
}

async fn nothing_a_browser_would_run_is_served_as_such(b: Backend) {
    let (app, _dir) = spawn(b, |_| {}).await;
    let (conv, m) = group(&app, &["ann", "ben"]).await;
    let html = b"<!DOCTYPE html><html><body><script>fetch('/api/v1/me')</script></body></html>";
    let svg = b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
    for (bytes, name, mime) in [
        (&html[..], "page.html", "text/html"),
        (&svg[..], "logo.svg", "image/svg+xml"),
        (&html[..], "page.txt", "text/plain"),
    ] {
        let r = upload(&app, &m[0].token, &conv, bytes, name, Some(mime)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{name}: {:?}", r.body);
        let id = r.body["attachment"]["file_id"].as_str().unwrap().to_owned();
        let g = fetch(&app, &file_path(&id), Some(&m[1].token), None).await;
        assert_eq!(g.status, StatusCode::OK);
        let ct = g.header("content-type");
        assert!(
            ct == "application/octet-stream" || ct == "text/plain",
            "{name} served as {ct}"
        );
        assert!(!ct.contains("html") && !ct.contains("svg") && !ct.contains("xml"));
        assert!(
            g.header("content-disposition").starts_with("attachment;"),
            "{name}"
        );
        assert_eq!(g.header("x-content-type-options"), "nosniff");
        assert_eq!(g.header("content-security-policy"), "sandbox");
    }
    app.stop().await;
}

async fn a_claim_the_content_contradicts_is_refused(b: Backend) {
    let (app, dir) = spawn(b, |_| {}).await;
    let (conv, m) = group(&app, &["ann", "ben"]).await;
    let html = b"<html><body><script>alert(document.cookie)</script></body></html>";
    let r = upload(&app, &m[0].token, &conv, html, "x.jpg", Some("image/jpeg")).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{:?}", r.body);
    assert_eq!(r.code(), "type_mismatch");
    let png = png_bytes(8, 8);
    let r = upload(
        &app,
        &m[0].token,
        &conv,
        &png,
        "photo.jpg",
        Some("image/jpeg"),
    )
    .await;
    assert_eq!(r.code(), "type_mismatch");
    // Nothing was stored or sent.
    assert_eq!(app.count("SELECT COUNT(*) FROM files").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM messages").await, 0);
    assert!(
        files_under(dir.path()).is_empty(),
        "{:?}",
        files_under(dir.path())
    );
    // The same PNG sent as what it is, or with no claim, is taken as a PNG.
    let r = upload(&app, &m[0].token, &conv, &png, "photo.png", None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["attachment"]["content_type"], "image/png");
    assert_eq!(r.body["attachment"]["width"], 8);
    let id = r.body["attachment"]["file_id"].as_str().unwrap().to_owned();
    let g = fetch(&app, &file_path(&id), Some(&m[1].token), None).await;
    assert_eq!(g.header("content-type"), "image/png");
    assert!(g.header("content-disposition").starts_with("inline;"));
    app.stop().await;
}

async fn an_upload_over_the_limit_is_stopped_while_it_streams(b: Backend) {
    let (app, dir) = spawn(b, |c| c.files.max_file_bytes = 256 * 1024).await;
    let (conv, m) = group(&app, &["ann", "ben"]).await;
    // A declared length over the limit is refused before anything is read.
    let r = upload(
        &app,
        &m[0].token,
        &conv,
        &vec![b'a'; 300 * 1024],
        "big.txt",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.body);
    assert_eq!(r.code(), "file_too_large");
    // A body of unknown length that never ends: the server stops reading at the limit and
    // answers (were it reading on, this request would never finish).
    let endless = futures::stream::iter(std::iter::repeat_with(|| {
        Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b'z'; 64 * 1024]))
    }));
    let body = reqwest::Body::wrap_stream(endless);
    let form = Form::new().part(
        "file",
        Part::stream(body)
            .file_name("endless.txt")
            .mime_str("text/plain")
            .unwrap(),
    );
    let res = tokio::time::timeout(
        Duration::from_secs(30),
        app.client
            .post(format!("{}/api/v1/conversations/{conv}/files", app.base))
            .bearer_auth(&m[0].token)
            .multipart(form)
            .send(),
    )
    .await
    .expect("the server stopped reading");
    match res {
        Ok(res) => {
            let r = TestApp::read(res).await;
            assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.body);
            assert_eq!(r.code(), "file_too_large");
        }
        // The server may close the connection before the client reads its answer.
        Err(e) => assert!(!e.is_timeout(), "{e}"),
    }
    // Nothing stored, sent or left behind.
    assert_eq!(app.count("SELECT COUNT(*) FROM files").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM messages").await, 0);
    wait_until_empty(dir.path()).await;
    // Exactly the limit is fine.
    let r = upload(
        &app,
        &m[0].token,
        &conv,
        &vec![b'a'; 256 * 1024],
        "limit.txt",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    app.stop().await;
}

/// The staging file of an aborted request goes when its handler is dropped.
async fn wait_until_empty(dir: &Path) {
    for _ in 0..100 {
        if files_under(dir).is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("left behind: {:?}", files_under(dir));
}

async fn an_interrupted_upload_leaves_nothing(b: Backend) {
    let (app, dir) = spawn(b, |c| c.files.daily_quota_bytes = 1024 * 1024).await;
    let (conv, m) = group(&app, &["ann", "ben"]).await;
    // 600 KiB, then the connection breaks.
    let mut n = 0;
    let broken = futures::stream::iter(std::iter::from_fn(move || {
        n += 1;
        Some(if n <= 10 {
            Ok(bytes::Bytes::from(vec![b'q'; 60 * 1024]))
        } else {
            Err(std::io::Error::other("the network went away"))
        })
    }));
    let form = Form::new().part(
        "file",
        Part::stream(reqwest::Body::wrap_stream(broken)).file_name("half.txt"),
    );
    let res = app
        .client
        .post(format!("{}/api/v1/conversations/{conv}/files", app.base))
        .bearer_auth(&m[0].token)
        .multipart(form)
        .send()
        .await;
    assert!(res.is_err(), "the upload broke off");
    wait_until_empty(dir.path()).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM files").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM messages").await, 0);
    // Nothing counted: 900 KiB still fit in the 1 MiB quota.
    let r = upload(
        &app,
        &m[0].token,
        &conv,
        &vec![b'w'; 900 * 1024],
        "whole.txt",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    app.stop().await;
}

async fn the_daily_quota_counts_what_was_stored(b: Backend) {
    let (app, dir) = spawn(b, |c| c.files.daily_quota_bytes = 100 * 1024).await;
    let (conv, m) = group(&app, &["ann", "ben"]).await;
    let r = upload_as(
        &app,
        &m[0].token,
        &conv,
        &vec![b'a'; 60 * 1024],
        "a.txt",
        "first",
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let r = upload(
        &app,
        &m[0].token,
        &conv,
        &vec![b'b'; 60 * 1024],
        "b.txt",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "storage_quota_exceeded");
    assert_eq!(app.count("SELECT COUNT(*) FROM files").await, 1);
    // Refused before its bytes were stored: only the first file's blob is there.
    assert_eq!(stored_blobs(dir.path()), 1);
    // A repeat of the first upload is the message already sent, not a new file.
    let r = upload_as(
        &app,
        &m[0].token,
        &conv,
        &vec![b'a'; 60 * 1024],
        "a.txt",
        "first",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // Another account has its own quota.
    let r = upload(
        &app,
        &m[1].token,
        &conv,
        &vec![b'c'; 60 * 1024],
        "c.txt",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    // A day later the first account may store again.
    app.exec("UPDATE files SET created_at = created_at - 86400001")
        .await;
    let r = upload(
        &app,
        &m[0].token,
        &conv,
        &vec![b'd'; 60 * 1024],
        "d.txt",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    app.stop().await;
}

async fn ranges_are_served(b: Backend) {
    let (app, _dir) = spawn(b, |_| {}).await;
    let (conv, m) = group(&app, &["ann", "ben"]).await;
    let content: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let r = upload(&app, &m[0].token, &conv, &content, "data.bin", None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(
        r.body["attachment"]["content_type"],
        "application/octet-stream"
    );
    let path = file_path(r.body["attachment"]["file_id"].as_str().unwrap());
    let g = fetch(&app, &path, Some(&m[1].token), Some("bytes=1000-1999")).await;
    assert_eq!(g.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(g.bytes, &content[1000..2000]);
    assert_eq!(g.header("content-range"), "bytes 1000-1999/100000");
    let g = fetch(&app, &path, Some(&m[1].token), Some("bytes=99990-")).await;
    assert_eq!(g.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(g.bytes, &content[99_990..]);
    let g = fetch(&app, &path, Some(&m[1].token), Some("bytes=-10")).await;
    assert_eq!(g.bytes, &content[99_990..]);
    let g = fetch(&app, &path, Some(&m[1].token), Some("bytes=200000-")).await;
    assert_eq!(g.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(g.header("content-range"), "bytes */100000");
    // A range is no way around the membership check.
    let outsider = member(&app, "cy").await;
    let g = fetch(&app, &path, Some(&outsider.token), Some("bytes=0-10")).await;
    assert_eq!(g.status, StatusCode::NOT_FOUND);
    app.stop().await;
}

fn png_bytes(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(w, h, image::Rgb([10, 120, 200]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A JPEG from a phone: EXIF with a GPS IFD (latitude 31°14' N, longitude 121°28' E) and a
/// camera serial number.
fn jpeg_with_gps() -> Vec<u8> {
    use img_parts::ImageEXIF;
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&img)
        .unwrap();
    // Big-endian TIFF: IFD0 with BodySerialNumber (ASCII) and the GPS IFD pointer; the GPS IFD
    // with GPSLatitudeRef 'N' and GPSLongitudeRef 'E' (values that fit in the entries).
    let mut t: Vec<u8> = b"MM\0\x2A\0\0\0\x08".to_vec();
    let serial = b"SN-4417-WANGSHANG\0";
    let ifd0_len = 2 + 2 * 12 + 4;
    let serial_at = 8 + ifd0_len;
    let gps_at = serial_at + serial.len();
    t.extend_from_slice(&2u16.to_be_bytes());
    t.extend_from_slice(&0xA431u16.to_be_bytes()); // BodySerialNumber
    t.extend_from_slice(&2u16.to_be_bytes()); // ASCII
    t.extend_from_slice(&(serial.len() as u32).to_be_bytes());
    t.extend_from_slice(&(serial_at as u32).to_be_bytes());
    t.extend_from_slice(&0x8825u16.to_be_bytes()); // GPS IFD pointer
    t.extend_from_slice(&4u16.to_be_bytes()); // LONG
    t.extend_from_slice(&1u32.to_be_bytes());
    t.extend_from_slice(&(gps_at as u32).to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes());
    t.extend_from_slice(serial);
    t.extend_from_slice(&2u16.to_be_bytes());
    t.extend_from_slice(&1u16.to_be_bytes()); // GPSLatitudeRef
    t.extend_from_slice(&2u16.to_be_bytes());
    t.extend_from_slice(&2u32.to_be_bytes());
    t.extend_from_slice(b"N\0\0\0");
    t.extend_from_slice(&3u16.to_be_bytes()); // GPSLongitudeRef
    t.extend_from_slice(&2u16.to_be_bytes());
    t.extend_from_slice(&2u32.to_be_bytes());
    t.extend_from_slice(b"E\0\0\0");
    t.extend_from_slice(&0u32.to_be_bytes());
    let mut jpeg = img_parts::jpeg::Jpeg::from_bytes(bytes::Bytes::from(out)).unwrap();
    jpeg.set_exif(Some(bytes::Bytes::from(t)));
    jpeg.encoder().bytes().to_vec()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

async fn a_jpeg_loses_its_gps_position_unless_sent_as_original(b: Backend) {
    use img_parts::ImageEXIF;
    let (app, _dir) = spawn(b, |c| c.files.thumbnail_px = 32).await;
    let (conv, m) = group(&app, &["ann", "ben"]).await;
    let photo = jpeg_with_gps();
    let exif = img_parts::jpeg::Jpeg::from_bytes(bytes::Bytes::from(photo.clone()))
        .unwrap()
        .exif()
        .expect("the test photo has EXIF");
    assert!(contains(&exif, &0x8825u16.to_be_bytes()) && contains(&photo, b"SN-4417-WANGSHANG"));

    let r = upload(
        &app,
        &m[0].token,
        &conv,
        &photo,
        "IMG_0001.jpg",
        Some("image/jpeg"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let a = &r.body["attachment"];
    assert_eq!(a["content_type"], "image/jpeg");
    assert_eq!(
        (a["width"].as_i64(), a["height"].as_i64()),
        (Some(64), Some(48))
    );
    assert_eq!(a["thumbnail"], true);
    let id = a["file_id"].as_str().unwrap().to_owned();
    let g = fetch(&app, &file_path(&id), Some(&m[1].token), None).await;
    assert_eq!(g.status, StatusCode::OK);
    let served = img_parts::jpeg::Jpeg::from_bytes(bytes::Bytes::from(g.bytes.clone())).unwrap();
    assert!(served.exif().is_none(), "EXIF left in the served photo");
    assert!(!contains(&g.bytes, b"SN-4417-WANGSHANG"));
    assert!(!contains(&g.bytes, b"Exif\0\0"));
    assert_eq!(
        a["sha256"],
        sha(&g.bytes),
        "the hash is that of the bytes served"
    );
    assert_eq!(a["size"], g.bytes.len());
    assert!(g.header("content-disposition").starts_with("inline;"));
    // Still the same picture.
    let decoded = image::load_from_memory(&g.bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (64, 48));
    // A thumbnail, on the same terms.
    let t = fetch(
        &app,
        &format!("{}/thumbnail", file_path(&id)),
        Some(&m[1].token),
        None,
    )
    .await;
    assert_eq!(t.status, StatusCode::OK);
    assert_eq!(t.header("content-type"), "image/jpeg");
    let thumb = image::load_from_memory(&t.bytes).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (32, 24));

    // "Send original" keeps every byte.
    let form = Form::new().part(
        "file",
        part(photo.clone(), "IMG_0002.jpg", Some("image/jpeg")),
    );
    let r = app
        .upload_form(&m[0].token, &conv, "?original=true", form)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["attachment"]["file_id"].as_str().unwrap().to_owned();
    let g = fetch(&app, &file_path(&id), Some(&m[1].token), None).await;
    assert_eq!(g.bytes, photo);
    app.stop().await;
}

async fn files_wait_for_clamd_and_eicar_is_never_served(b: Backend) {
    let Some(mut clamd) = testkit::clamd::Clamd::new() else {
        eprintln!(
            "SKIPPED files_wait_for_clamd_and_eicar_is_never_served: clamd is not installed \
             (apt-get install clamav-daemon)"
        );
        return;
    };
    let addr = clamd.address();
    let (app, _dir) = spawn(b, |c| {
        c.files.clamd = Some(addr);
        c.files.scan_retry_secs = 1;
    })
    .await;
    let (conv, m) = group(&app, &["ann", "ben"]).await;
    let outsider = member(&app, "cy").await;

    // clamd is not running yet: the file waits, listed but not served.
    let r = upload(
        &app,
        &m[0].token,
        &conv,
        b"invoice 2024-117",
        "invoice.txt",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["attachment"]["status"], "scanning");
    let clean = file_path(r.body["attachment"]["file_id"].as_str().unwrap());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let g = fetch(&app, &clean, Some(&m[1].token), None).await;
    assert_eq!(g.status, StatusCode::CONFLICT);
    assert!(String::from_utf8_lossy(&g.bytes).contains("\"scanning\""));
    let g = fetch(&app, &clean, Some(&outsider.token), None).await;
    assert_eq!(
        g.status,
        StatusCode::NOT_FOUND,
        "outsiders do not learn it exists"
    );

    // clamd comes up: the file is found clean and served; members are told.
    let mut ben = listening(&app, &m[1].token).await;
    clamd.start().await;
    let e = ben
        .next_of("attachment.updated", Duration::from_secs(20))
        .await
        .expect("attachment.updated");
    assert_eq!(e["message"]["attachment"]["status"], "ready");
    let g = fetch(&app, &clean, Some(&m[1].token), None).await;
    assert_eq!(g.status, StatusCode::OK);
    assert_eq!(g.bytes, b"invoice 2024-117");

    // EICAR, sent by a plain member: blocked for good; the sender and the enterprise's owner
    // are told, a security event is written and the enterprise's audit log has a line.
    let mut ann = listening(&app, &m[0].token).await;
    let eicar = testkit::clamd::EICAR;
    let r = upload(&app, &m[1].token, &conv, eicar, "eicar.com.txt", None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["attachment"]["status"], "scanning");
    let bad_id = r.body["attachment"]["file_id"].as_str().unwrap().to_owned();
    // Every member's stream says it is blocked (the conversation's update, first)…
    let e = ann
        .next_of("attachment.updated", Duration::from_secs(20))
        .await
        .expect("attachment.updated");
    assert_eq!(e["message"]["attachment"]["status"], "blocked");
    // … and the sender and the enterprise's owner are told why.
    for (who, stream) in [("the sender", &mut ben), ("the owner", &mut ann)] {
        let told = stream
            .next_of("file.blocked", Duration::from_secs(20))
            .await
            .unwrap_or_else(|_| panic!("{who} is told"));
        assert_eq!(told["data"]["file_id"], bad_id.as_str());
        assert_eq!(told["data"]["name"], "eicar.com.txt");
        assert!(
            told["data"]["signature"]
                .as_str()
                .unwrap()
                .contains("Eicar-Test-Signature")
        );
    }
    let unknown = fetch(&app, &file_path("no-such-file"), Some(&m[0].token), None).await;
    for who in [&m[0], &m[1]] {
        for path in [
            file_path(&bad_id),
            format!("{}/thumbnail", file_path(&bad_id)),
        ] {
            let g = fetch(&app, &path, Some(&who.token), None).await;
            assert_eq!(g.status, StatusCode::NOT_FOUND);
            assert_eq!(g.bytes, unknown.bytes);
        }
    }
    let h = app
        .get(
            &format!("/api/v1/conversations/{conv}/messages"),
            Some(&m[0].token),
        )
        .await;
    assert_eq!(h.body["messages"][0]["attachment"]["status"], "blocked");
    let ev = app
        .get("/api/v1/me/security-events", Some(&m[1].token))
        .await;
    let kinds: Vec<&str> = ev.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"malware_blocked"), "{kinds:?}");
    let list = app.get("/api/v1/conversations", Some(&m[0].token)).await;
    let org = list.body["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["conversation_id"] == conv.as_str())
        .and_then(|c| c["org_id"].as_str())
        .expect("an enterprise's conversation");
    let audit = app
        .get(&format!("/api/v1/orgs/{org}/audit"), Some(&m[0].token))
        .await;
    assert_eq!(audit.status, StatusCode::OK, "{:?}", audit.body);
    let blocked: Vec<&serde_json::Value> = audit.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "file_blocked")
        .collect();
    assert_eq!(blocked.len(), 1, "{:?}", audit.body);
    assert_eq!(blocked[0]["subject_id"], m[1].id.as_str());
    app.stop().await;
}

async fn files_live_in_an_s3_compatible_store(b: Backend) {
    let s3 = testkit::s3::FakeS3::start().await;
    let (app, dir) = spawn(b, |c| s3.configure(c)).await;
    let (conv, m) = group(&app, &["ann", "ben"]).await;
    // Larger than one part: a multipart upload.
    let big: Vec<u8> = (0..20 * 1024 * 1024u32).map(|i| (i % 253) as u8).collect();
    let r = upload(&app, &m[0].token, &conv, &big, "video.bin", None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let big_path = file_path(r.body["attachment"]["file_id"].as_str().unwrap());
    let photo = jpeg_with_gps();
    let r = upload(
        &app,
        &m[0].token,
        &conv,
        &photo,
        "IMG.jpg",
        Some("image/jpeg"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let photo_id = r.body["attachment"]["file_id"].as_str().unwrap().to_owned();
    let photo_sha = r.body["attachment"]["sha256"].as_str().unwrap().to_owned();

    let g = fetch(&app, &big_path, Some(&m[1].token), None).await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(g.bytes == big, "the big file came back changed");
    let g = fetch(
        &app,
        &big_path,
        Some(&m[1].token),
        Some("bytes=10000000-10000099"),
    )
    .await;
    assert_eq!(g.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(g.bytes, &big[10_000_000..10_000_100]);
    let g = fetch(&app, &file_path(&photo_id), Some(&m[1].token), None).await;
    assert_eq!(sha(&g.bytes), photo_sha);
    assert!(!contains(&g.bytes, b"SN-4417-WANGSHANG"));
    let t = fetch(
        &app,
        &format!("{}/thumbnail", file_path(&photo_id)),
        Some(&m[1].token),
        None,
    )
    .await;
    assert_eq!(t.status, StatusCode::OK);
    assert!(image::load_from_memory(&t.bytes).is_ok());
    let outsider = member(&app, "cy").await;
    let g = fetch(&app, &big_path, Some(&outsider.token), None).await;
    assert_eq!(g.status, StatusCode::NOT_FOUND);

    // The bytes are in the bucket (the big file, the photo, its thumbnail), not on local disk.
    let objects = s3.objects();
    assert_eq!(objects.len(), 3, "{objects:?}");
    assert!(
        objects
            .iter()
            .any(|o| o == &format!("files/{}/{photo_sha}", &photo_sha[..2]))
    );
    assert!(
        files_under(dir.path()).is_empty(),
        "{:?}",
        files_under(dir.path())
    );
    app.stop().await;
}

async fn signed_links_are_short_lived_and_act_for_the_member(b: Backend) {
    let (app, _dir) = spawn(b, |c| c.files.link_ttl_secs = 2).await;
    let (conv, m) = group(&app, &["ann", "ben", "cy"]).await;
    let outsider = member(&app, "dee").await;
    let r = upload(&app, &m[0].token, &conv, b"price list", "prices.txt", None).await;
    let id = r.body["attachment"]["file_id"].as_str().unwrap().to_owned();
    let r2 = upload(&app, &m[0].token, &conv, b"other", "other.txt", None).await;
    let other = r2.body["attachment"]["file_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let l = app
        .post_auth(&format!("/api/v1/files/{id}/link"), &m[2].token, json!({}))
        .await;
    assert_eq!(l.status, StatusCode::CREATED, "{:?}", l.body);
    let url = l.str("url");
    assert!(
        url.starts_with(&format!("{}/api/v1/files/{id}?link=", app.base)),
        "{url}"
    );
    assert!(l.body["expires_at"].is_string());
    let token = url.split("link=").nth(1).unwrap().to_owned();
    // Opened without any session.
    let res = app.client.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"price list");
    // Not for another file; not forged; not for a non-member to make.
    let g = fetch(
        &app,
        &format!("/api/v1/files/{other}?link={token}"),
        None,
        None,
    )
    .await;
    assert_eq!(g.status, StatusCode::NOT_FOUND);
    let mut forged = token.clone();
    forged.pop();
    forged.push(if token.ends_with('0') { '1' } else { '0' });
    let g = fetch(
        &app,
        &format!("/api/v1/files/{id}?link={forged}"),
        None,
        None,
    )
    .await;
    assert_eq!(g.status, StatusCode::NOT_FOUND);
    let r = app
        .post_auth(
            &format!("/api/v1/files/{id}/link"),
            &outsider.token,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Leaving the conversation ends the link at once.
    let r = app
        .delete(
            &format!("/api/v1/conversations/{conv}/members/{}", m[2].id),
            &m[0].token,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let res = app.client.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // And a link expires.
    let l = app
        .post_auth(&format!("/api/v1/files/{id}/link"), &m[1].token, json!({}))
        .await;
    let url = l.str("url");
    assert_eq!(
        app.client.get(&url).send().await.unwrap().status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(2300)).await;
    assert_eq!(
        app.client.get(&url).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}

async fn orphaned_blobs_and_uploads_are_swept(b: Backend) {
    let (app, dir) = spawn(b, |c| c.files.daily_quota_bytes = 100_000).await;
    let (conv, m) = group(&app, &["ann", "ben"]).await;
    let r = upload(
        &app,
        &m[0].token,
        &conv,
        &png_bytes(64, 48),
        "a.png",
        Some("image/png"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let kept = file_path(r.body["attachment"]["file_id"].as_str().unwrap());
    // Bytes stored whose message was never written: the node stopped between the two, or the
    // writer refused the message (the sender left the conversation, or the quota filled
    // meanwhile). An orphaned blob, stored as the blob store stores them.
    let over: Vec<u8> = (0..150_000u32).map(|i| (i % 251) as u8).collect();
    let key = sha(&over);
    let orphan = dir.path().join(&key[..2]).join(&key);
    std::fs::create_dir_all(orphan.parent().unwrap()).unwrap();
    std::fs::write(&orphan, &over).unwrap();
    // A temporary file a killed process left behind.
    let left = dir.path().join("tmp").join(".tmpLEFTOVER");
    std::fs::write(&left, b"half an upload").unwrap();

    // Nothing was written before the cutoff (a day ago): nothing goes.
    let now = domain::clock::now_ms();
    let s = app
        .app()
        .sweep_orphan_files(now - 86_400_000)
        .await
        .unwrap();
    assert_eq!((s.temporary, s.blobs), (0, 0));
    assert!(orphan.exists() && left.exists());
    // Past it: the orphan and the leftover go; the sent file and its thumbnail stay.
    let s = app.app().sweep_orphan_files(now + 60_000).await.unwrap();
    assert_eq!((s.temporary, s.blobs), (1, 1));
    assert!(!orphan.exists() && !left.exists());
    for path in [kept.clone(), format!("{kept}/thumbnail")] {
        let g = fetch(&app, &path, Some(&m[1].token), None).await;
        assert_eq!(g.status, StatusCode::OK, "{path}");
    }
    app.stop().await;
}

/// The web client's own routes: a multipart form whose first part is the CSRF field, and files
/// fetched with the session cookie — the same rules as the API's.
async fn the_web_client_sends_and_fetches_with_its_session(b: Backend) {
    let (app, _dir) = spawn(b, |_| {}).await;
    let (conv, m) = group(&app, &["ann", "ben"]).await;
    let outsider = member(&app, "cy").await;
    // The page's session is a cookie (an API token is one too); redirects are looked at, not
    // followed.
    let web = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    const CSRF: &str = "test-csrf";
    let cookie = |token: &str| format!("ws_session={token}; ws_csrf={CSRF}; ws_lang=en");
    let form = |csrf: &str, bytes: &[u8], name: &str, mime: Option<&str>| {
        Form::new()
            .text("csrf", csrf.to_owned())
            .part("file", part(bytes.to_vec(), name, mime))
    };
    let post = |form: Form, json: bool| {
        let mut r = web
            .post(format!("{}/chat/{conv}/files", app.base))
            .header("cookie", cookie(&m[0].token))
            .multipart(form);
        if json {
            r = r.header("accept", "application/json");
        }
        r.send()
    };
    let get = |path: String, token: Option<&str>| {
        let mut r = web.get(format!("{}{path}", app.base));
        if let Some(t) = token {
            r = r.header("cookie", cookie(t));
        }
        r.send()
    };

    // A wrong CSRF field, or one that does not come first: refused before the file is read.
    let r = post(form("wrong", b"offer", "offer.txt", None), true)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let late = Form::new()
        .part("file", part(b"offer".to_vec(), "offer.txt", None))
        .text("csrf", CSRF);
    let r = post(late, true).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The script's way: the message back as JSON.
    let r = post(form(CSRF, b"offer v2", "offer.txt", None), true)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let sent: serde_json::Value = r.json().await.unwrap();
    let file_id = sent["attachment"]["file_id"].as_str().unwrap().to_owned();
    // A refused type: the page's words, with the code.
    let r = post(form(CSRF, b"<html>", "x.jpg", Some("image/jpeg")), true)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["code"], "type_mismatch");
    assert!(!e["message"].as_str().unwrap().starts_with('⟦'), "{e}");
    // Without the script: the form posts, and the answer leads back to the message.
    let r = post(form(CSRF, b"offer v3", "offer3.txt", None), false)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with(&format!("/chat/{conv}#m-")), "{to}");

    // Fetched with the cookie: the bytes, under the API's headers.
    let r = get(format!("/chat/files/{file_id}"), Some(&m[1].token))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-security-policy"], "sandbox");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let disposition = r.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"offer v2");
    // The conversation's page draws the file's card.
    let page = get(format!("/chat/{conv}"), Some(&m[1].token))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("href=\"/chat/files/{file_id}\"")),
        "{page}"
    );

    // Anyone else — another member's session, no session — gets the same page as for no file.
    let none = get("/chat/files/no-such-file".into(), Some(&outsider.token))
        .await
        .unwrap();
    assert_eq!(none.status(), StatusCode::NOT_FOUND);
    // The page's own links name its address; what it says is the same.
    let said = |html: String| {
        html.split_once("<main>")
            .map(|(_, m)| m.to_owned())
            .unwrap()
    };
    let none = said(none.text().await.unwrap());
    for token in [Some(outsider.token.as_str()), None] {
        let r = get(format!("/chat/files/{file_id}"), token).await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        if token.is_some() {
            assert_eq!(said(r.text().await.unwrap()), none);
        }
    }
    app.stop().await;
}

/// The message ids a search of the caller's conversations finds (first page of 50).
async fn found(app: &TestApp, token: &str, params: &[(&str, &str)]) -> Vec<String> {
    let url = reqwest::Url::parse_with_params("http://x/api/v1/search/messages", params).unwrap();
    let path = format!("{}?{}", url.path(), url.query().unwrap());
    let r = app.get(&path, Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["message_id"].as_str().unwrap().to_owned())
        .collect()
}

/// Issue 18: a file is found by its name and its caption, and `has_file` tells messages with a
/// file from those without.
async fn a_file_is_found_by_its_name_and_caption(b: Backend) {
    let (app, _dir) = spawn(b, |_| {}).await;
    let (conv, m) = group(&app, &["ann", "ben"]).await;
    let form = Form::new().text("caption", "请审阅合同草稿").part(
        "file",
        part(
            "第一条 双方约定\n".repeat(20).into_bytes(),
            "旺达贸易采购框架协议.txt",
            Some("text/plain"),
        ),
    );
    let r = app.upload_form(&m[0].token, &conv, "", form).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let with_file = r.str("message_id");
    let r = app
        .post_auth(
            &format!("/api/v1/conversations/{conv}/messages"),
            &m[0].token,
            json!({"client_msg_id": "plain", "body": "合同的框架协议明天发"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let plain = r.str("message_id");

    let ben = &m[1].token;
    // By the file's name (words of it, and the extension), and by the caption.
    assert_eq!(
        found(&app, ben, &[("q", "采购框架协议")]).await,
        [with_file.as_str()]
    );
    assert_eq!(
        found(&app, ben, &[("q", "旺达贸易")]).await,
        [with_file.as_str()]
    );
    assert_eq!(
        found(&app, ben, &[("q", "txt")]).await,
        [with_file.as_str()]
    );
    assert_eq!(
        found(&app, ben, &[("q", "审阅")]).await,
        [with_file.as_str()]
    );
    // Both say 框架协议; the filter tells them apart.
    assert_eq!(
        found(&app, ben, &[("q", "框架协议")]).await,
        [plain.as_str(), with_file.as_str()]
    );
    assert_eq!(
        found(&app, ben, &[("q", "框架协议"), ("has_file", "true")]).await,
        [with_file.as_str()]
    );
    assert_eq!(
        found(&app, ben, &[("q", "框架协议"), ("has_file", "false")]).await,
        [plain.as_str()]
    );
}
