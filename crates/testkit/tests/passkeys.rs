//! WebAuthn passkeys end to end over the API, with a software authenticator: registration,
//! login's second step, recovery's second factor, list/rename/remove, and refusal of a wrong
//! origin and of a replayed or foreign challenge.

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use testkit::{Backend, StatusCode, TestApp, json, on_both_backends};
use webauthn_authenticator_rs::prelude::Url;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_authenticator_rs::{AuthenticatorBackend, WebauthnAuthenticator};
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse};

const PW: &str = "blue lantern over quiet harbor";
const NEW_PW: &str = "seven green kites at dawn";

/// A browser with a platform passkey on `origin`.
struct Browser {
    key: SoftPasskey,
    origin: String,
}

impl Browser {
    fn new(origin: &str) -> Self {
        Self {
            key: SoftPasskey::new(true),
            origin: origin.to_owned(),
        }
    }
    fn create(&mut self, options: &Value) -> Value {
        let o: CreationChallengeResponse = serde_json::from_value(options.clone()).unwrap();
        serde_json::to_value(
            self.key
                .do_registration(Url::parse(&self.origin).unwrap(), o)
                .unwrap(),
        )
        .unwrap()
    }
    fn get(&mut self, options: &Value) -> Value {
        let o: RequestChallengeResponse = serde_json::from_value(options.clone()).unwrap();
        serde_json::to_value(
            self.key
                .do_authentication(Url::parse(&self.origin).unwrap(), o)
                .unwrap(),
        )
        .unwrap()
    }
    /// A client that signs for our rp id but reports another origin (a phishing relay that
    /// skips the browser's checks).
    fn get_for(&mut self, options: &Value, origin: &str) -> Value {
        let o: RequestChallengeResponse = serde_json::from_value(options.clone()).unwrap();
        let r = AuthenticatorBackend::perform_auth(
            &mut self.key,
            Url::parse(origin).unwrap(),
            o.public_key,
            60_000,
        )
        .unwrap();
        serde_json::to_value(r).unwrap()
    }
}

/// An app whose public URL is `http://localhost:<port>`, a valid WebAuthn origin.
async fn spawn(b: Backend) -> (TestApp, String) {
    let mut origin = String::new();
    let app = TestApp::spawn_with(b, |c| {
        c.public_url = format!("http://localhost:{}", c.listen.rsplit(':').next().unwrap());
        c.codes.resend_interval_secs = 0;
        origin = c.public_url.clone();
    })
    .await;
    (app, origin)
}

async fn enrol(app: &TestApp, browser: &mut Browser, token: &str, name: &str) -> Value {
    let s = app
        .post_auth(
            "/api/v1/me/mfa/webauthn/register/start",
            token,
            json!({"current_password": PW}),
        )
        .await;
    assert_eq!(s.status, StatusCode::OK, "{:?}", s.body);
    let credential = browser.create(&s.body["options"]);
    let f = app
        .post_auth(
            "/api/v1/me/mfa/webauthn/register/finish",
            token,
            json!({"registration_id": s.str("registration_id"), "name": name, "credential": credential}),
        )
        .await;
    assert_eq!(f.status, StatusCode::CREATED, "{:?}", f.body);
    f.body
}

async fn passkeys_register_sign_in_and_recover(b: Backend) {
    let (app, origin) = spawn(b).await;
    app.register("email", "pk@example.com", "pk", PW).await;
    let token = app.token("pk@example.com", PW).await;
    let mut browser = Browser::new(&origin);
    let added = enrol(&app, &mut browser, &token, "MacBook Touch ID").await;
    assert_eq!(added["name"], "MacBook Touch ID");
    assert_eq!(added["recovery_codes"].as_array().unwrap().len(), 10);
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.body["mfa"]["webauthn"], true);
    // A second passkey on another device: no new recovery codes.
    let mut phone = Browser::new(&origin);
    let second = enrol(&app, &mut phone, &token, "Phone").await;
    assert_eq!(second["recovery_codes"], json!([]));
    let list = app.get("/api/v1/me/mfa/webauthn", Some(&token)).await;
    assert_eq!(list.body.as_array().unwrap().len(), 2);

    // Login: the password alone gives a challenge with request options.
    let l = app.login("pk@example.com", PW).await;
    assert_eq!(l.status, StatusCode::ACCEPTED);
    assert_eq!(l.body["methods"], json!(["webauthn", "recovery_code"]));
    let options = l.body["webauthn"].clone();
    assert!(options["publicKey"]["challenge"].is_string());
    let assertion = browser.get(&options);
    let path = format!("/api/v1/sessions/challenges/{}", l.str("challenge_id"));
    let s = app
        .post(&path, json!({"method": "webauthn", "assertion": assertion}))
        .await;
    assert_eq!(s.status, StatusCode::CREATED, "{:?}", s.body);
    // The same assertion again is refused (the ceremony is spent).
    let l2 = app.login("pk@example.com", PW).await;
    let path2 = format!("/api/v1/sessions/challenges/{}", l2.str("challenge_id"));
    let replay = app
        .post(
            &path2,
            json!({"method": "webauthn", "assertion": assertion}),
        )
        .await;
    assert!(replay.status.is_client_error(), "{:?}", replay.body);
    // A response made for another origin is refused.
    let l3 = app.login("pk@example.com", PW).await;
    let phished = browser.get_for(&l3.body["webauthn"], "https://evil.example");
    let path3 = format!("/api/v1/sessions/challenges/{}", l3.str("challenge_id"));
    let r = app
        .post(&path3, json!({"method": "webauthn", "assertion": phished}))
        .await;
    assert_eq!(r.code(), "invalid_code", "{:?}", r.body);

    // Recovery: the code, then the passkey, then the new password.
    let r = app
        .post(
            "/api/v1/password-resets",
            json!({"identifier": "pk@example.com"}),
        )
        .await;
    let id = r.str("reset_id");
    // Registration code, two "passkey added" notices, then the recovery code.
    let code = app.code_sent_to("pk@example.com", 4).await;
    let v = app
        .post(
            &format!("/api/v1/password-resets/{id}/verify"),
            json!({"code": code}),
        )
        .await;
    assert_eq!(v.status, StatusCode::OK, "{:?}", v.body);
    let sf = &v.body["second_factor"];
    assert_eq!(sf["methods"], json!(["webauthn", "recovery_code"]));
    let assertion = phone.get(&sf["webauthn"]);
    let ok = app
        .post(
            &format!("/api/v1/password-resets/{id}/second-factor"),
            json!({"reset_token": v.str("reset_token"), "method": "webauthn", "assertion": assertion}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    let done = app
        .post(
            &format!("/api/v1/password-resets/{id}/complete"),
            json!({"reset_token": ok.str("reset_token"), "new_password": NEW_PW}),
        )
        .await;
    assert_eq!(done.status, StatusCode::NO_CONTENT);

    // Rename and remove.
    let t = {
        let l = app.login("pk@example.com", NEW_PW).await;
        let a = phone.get(&l.body["webauthn"]);
        let s = app
            .post(
                &format!("/api/v1/sessions/challenges/{}", l.str("challenge_id")),
                json!({"method": "webauthn", "assertion": a}),
            )
            .await;
        s.str("token")
    };
    let first = second["credential_id"].as_str().unwrap();
    let r = app
        .request(
            reqwest::Method::PATCH,
            &format!("/api/v1/me/mfa/webauthn/{first}"),
            Some(&t),
            Some(json!({"name": "Work phone"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let list = app.get("/api/v1/me/mfa/webauthn", Some(&t)).await;
    assert!(
        list.body
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "Work phone")
    );
    for p in list.body.as_array().unwrap() {
        let id = p["credential_id"].as_str().unwrap();
        let r = app
            .delete_json(
                &format!("/api/v1/me/mfa/webauthn/{id}"),
                &t,
                json!({"current_password": NEW_PW}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    }
    let me = app.get("/api/v1/me", Some(&t)).await;
    assert_eq!(
        me.body["mfa"],
        json!({"totp": false, "webauthn": false, "recovery_codes_left": 0})
    );
    assert_eq!(
        app.login("pk@example.com", NEW_PW).await.status,
        StatusCode::CREATED
    );
}

/// Issue 13: `verify_reset` is one transaction with its passkey options. A store error while
/// saving the options (the step's last write, which once ran after the commit) leaves the code
/// unused and no token stored, so the same code works on the next try.
async fn a_recovery_failing_at_its_passkey_options_can_be_retried(b: Backend) {
    let (app, origin) = spawn(b).await;
    app.register("email", "pk2@example.com", "pk", PW).await;
    let token = app.token("pk2@example.com", PW).await;
    let mut browser = Browser::new(&origin);
    enrol(&app, &mut browser, &token, "Laptop").await;
    let r = app
        .post(
            "/api/v1/password-resets",
            json!({"identifier": "pk2@example.com"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let id = r.str("reset_id");
    // Registration code, the "passkey added" notice, then the recovery code.
    let code = app.code_sent_to("pk2@example.com", 3).await;
    let path = format!("/api/v1/password-resets/{id}/verify");
    let verify = || app.post(&path, json!({"code": code}));
    app.arm_fault("INSERT INTO webauthn_states");
    let failed = verify().await;
    app.disarm_fault();
    assert!(failed.status.is_server_error(), "{:?}", failed.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM password_resets WHERE token_hash IS NOT NULL")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM verifications WHERE purpose = 'password_reset' AND consumed_at IS NOT NULL")
            .await,
        0
    );
    let v = verify().await;
    assert_eq!(v.status, StatusCode::OK, "{:?}", v.body);
    assert!(v.body["second_factor"]["webauthn"]["publicKey"]["challenge"].is_string());
    assert!(!v.str("reset_token").is_empty());
}

on_both_backends!(
    passkeys_register_sign_in_and_recover,
    a_recovery_failing_at_its_passkey_options_can_be_retried,
);
