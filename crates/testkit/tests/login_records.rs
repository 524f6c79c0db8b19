//! Login records (SPEC §5): device from the user agent, place from a GeoIP database the test
//! builds, the flags `new_device`, `new_network`, `new_place`, `failed`, and the new-login notice
//! whose "this wasn't me" link signs that session out.

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use testkit::{Backend, Resp, StatusCode, TestApp, json, on_both_backends};

const PW: &str = "blue lantern over quiet harbor";
const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/// A request from `ip` (behind the trusted proxy) with a desktop Chrome user agent.
async fn post_from(app: &TestApp, ip: &str, path: &str, body: Value) -> Resp {
    let res = app
        .client
        .post(format!("{}{path}", app.base))
        .header("x-forwarded-for", ip)
        .header("user-agent", CHROME)
        .json(&body)
        .send()
        .await
        .unwrap();
    TestApp::read(res).await
}

async fn login(app: &TestApp, ip: &str, device: &str, password: &str) -> Resp {
    post_from(
        app,
        ip,
        "/api/v1/sessions",
        json!({"identifier": "rec@example.com", "password": password, "device_id": device}),
    )
    .await
}

/// The newest security event.
async fn newest(app: &TestApp, token: &str) -> Value {
    let e = app
        .get("/api/v1/me/security-events?limit=1", Some(token))
        .await;
    e.body["events"][0].clone()
}

async fn logins_are_recorded_with_device_place_and_flags(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("city.mmdb");
    std::fs::write(
        &db,
        loginmeta::testdata::city_db(&[
            ("203.0.113.0/24", "CN", Some("Shanghai"), Some("Shanghai")),
            (
                "198.51.100.0/24",
                "US",
                Some("California"),
                Some("San Jose"),
            ),
        ]),
    )
    .unwrap();
    let app = TestApp::spawn_with(b, |c| {
        c.behind_proxy = true;
        c.geoip_database = Some(db.clone());
        c.login.notify_new_login = true;
        c.login.base_delay_ms = 0;
    })
    .await;
    let vid = {
        let r = post_from(
            &app,
            "203.0.113.5",
            "/api/v1/verifications",
            json!({"purpose": "register", "channel": "email", "destination": "rec@example.com"}),
        )
        .await;
        r.str("verification_id")
    };
    let code = app.code_sent_to("rec@example.com", 1).await;
    let r = post_from(&app, "203.0.113.5", "/api/v1/accounts", json!({"verification_id": vid, "code": code, "nickname": "rec", "password": PW, "device_id": "desktop-device-01"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    // Same device, network and place as registration: nothing new, no notice.
    let home = login(&app, "203.0.113.5", "desktop-device-01", PW).await;
    let token = home.str("token");
    let e = newest(&app, &token).await;
    assert_eq!(e["kind"], "login");
    assert_eq!(e["flags"], json!([]));
    assert_eq!(e["device"], "Chrome on Windows");
    assert_eq!(e["place"], "Shanghai, CN");
    // Same /24: still nothing new.
    login(&app, "203.0.113.77", "desktop-device-01", PW).await;
    assert_eq!(newest(&app, &token).await["flags"], json!([]));
    assert_eq!(app.messages_to("rec@example.com").await.len(), 1);
    // Another network in another country.
    let away = login(&app, "198.51.100.9", "desktop-device-01", PW).await;
    let e = newest(&app, &token).await;
    assert_eq!(e["flags"], json!(["new_network", "new_place"]));
    assert_eq!(e["place"], "San Jose, US");
    // A new device at home.
    login(&app, "203.0.113.5", "laptop-device-02", PW).await;
    assert_eq!(newest(&app, &token).await["flags"], json!(["new_device"]));
    // A failed login is recorded too.
    login(
        &app,
        "198.51.100.9",
        "laptop-device-02",
        "wrong password entirely",
    )
    .await;
    let e = newest(&app, &token).await;
    assert_eq!(
        (e["kind"].as_str(), &e["flags"]),
        (Some("login_failed"), &json!(["failed"]))
    );
    // The notice of the login from abroad carries a link that signs that session out.
    let notices = app.wait_for_messages("rec@example.com", 3).await;
    let abroad = notices
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .find(|b| b.contains("198.51.100.9"))
        .expect("a notice of the login from abroad");
    assert!(
        abroad.contains("San Jose, US") && abroad.contains("Windows 上的 Chrome"),
        "{abroad}"
    );
    let dispute = testkit::link_token(abroad, "/sessions/dispute?token=");
    let r = app
        .post("/api/v1/sessions/dispute", json!({"token": dispute}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/me", Some(&away.str("token"))).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status,
        StatusCode::OK
    );
    assert_eq!(newest(&app, &token).await["kind"], "login_disputed");
    let forged = app
        .post("/api/v1/sessions/dispute", json!({"token": "forged"}))
        .await;
    assert_eq!(forged.status, StatusCode::GONE);
}

on_both_backends!(logins_are_recorded_with_device_place_and_flags);
