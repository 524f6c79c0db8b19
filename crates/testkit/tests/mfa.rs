//! Two-factor authentication (SPEC §5): TOTP enrolment, login with a second step, replay
//! refusal, recovery codes, brute force on the challenge, recovery's second factor, and the
//! new-device step.

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{SystemTime, UNIX_EPOCH};

use testkit::{Backend, Resp, StatusCode, TestApp, json, on_both_backends};
use totp_rs::{Builder, Secret};

const PW: &str = "blue lantern over quiet harbor";
const NEW_PW: &str = "seven green kites at dawn";

/// An authenticator app: gives each code for a time step after the last one it gave, within
/// the server's ±1 step window (so a test never waits 30 s).
struct Authenticator {
    secret: Vec<u8>,
    last: u64,
}

impl Authenticator {
    fn new(base32: &str) -> Self {
        let secret = Secret::try_from_base32(base32).unwrap().as_ref().to_vec();
        Self { secret, last: 0 }
    }
    fn step_now() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            / 30
    }
    fn code_at(&self, step: u64) -> String {
        let t = Builder::new()
            .with_secret(Secret::from(self.secret.clone()))
            .build()
            .unwrap();
        t.generate(step * 30).to_string()
    }
    /// A fresh code (a step never used before).
    fn next(&mut self) -> String {
        let now = Self::step_now();
        let step = (now - 1).max(self.last + 1);
        assert!(step <= now + 1, "out of fresh steps in this window");
        self.last = step;
        self.code_at(step)
    }
    /// The code last given again (a replay).
    fn again(&self) -> String {
        self.code_at(self.last)
    }
}

/// Registers by e-mail, turns TOTP on; returns (token, authenticator, recovery codes).
async fn with_totp(app: &TestApp, email: &str) -> (String, Authenticator, Vec<String>) {
    app.register("email", email, "two factor", PW).await;
    let token = app.token(email, PW).await;
    let e = app
        .post_auth(
            "/api/v1/me/mfa/totp",
            &token,
            json!({"current_password": PW}),
        )
        .await;
    assert_eq!(e.status, StatusCode::OK, "{:?}", e.body);
    assert!(
        e.str("otpauth_uri")
            .starts_with("otpauth://totp/Wangshang:")
    );
    assert!(e.str("qr_svg").contains("<svg"));
    let mut auth = Authenticator::new(&e.str("secret"));
    let c = app
        .post_auth(
            "/api/v1/me/mfa/totp/confirm",
            &token,
            json!({"code": auth.next()}),
        )
        .await;
    assert_eq!(c.status, StatusCode::OK, "{:?}", c.body);
    let codes: Vec<String> = c.body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    (token, auth, codes)
}

async fn answer(app: &TestApp, challenge: &str, method: &str, code: &str) -> Resp {
    app.post(
        &format!("/api/v1/sessions/challenges/{challenge}"),
        json!({"method": method, "code": code}),
    )
    .await
}

async fn totp_guards_login_and_refuses_replays(b: Backend) {
    let app = TestApp::spawn(b).await;
    let other_session = {
        app.register("email", "t@example.com", "t", PW).await;
        app.token("t@example.com", PW).await
    };
    let token = app.token("t@example.com", PW).await;
    let wrong = app
        .post_auth(
            "/api/v1/me/mfa/totp",
            &token,
            json!({"current_password": "not it at all"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let e = app
        .post_auth(
            "/api/v1/me/mfa/totp",
            &token,
            json!({"current_password": PW}),
        )
        .await;
    let mut auth = Authenticator::new(&e.str("secret"));
    let bad = app
        .post_auth(
            "/api/v1/me/mfa/totp/confirm",
            &token,
            json!({"code": "000000"}),
        )
        .await;
    assert_eq!(bad.code(), "invalid_code");
    let c = app
        .post_auth(
            "/api/v1/me/mfa/totp/confirm",
            &token,
            json!({"code": auth.next()}),
        )
        .await;
    assert_eq!(c.status, StatusCode::OK);
    // Turning it on ended the other session and told the owner.
    assert_eq!(
        app.get("/api/v1/me", Some(&other_session)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(
        me.body["mfa"],
        json!({"totp": true, "webauthn": false, "recovery_codes_left": 10})
    );
    let notices = app.wait_for_messages("t@example.com", 2).await;
    assert!(notices[0]["body"].as_str().unwrap().contains("两步验证"));
    // The password alone never yields a session.
    let l = app.login("t@example.com", PW).await;
    assert_eq!(l.status, StatusCode::ACCEPTED, "{:?}", l.body);
    assert_eq!(l.str("reason"), "mfa");
    assert_eq!(l.body["methods"], json!(["totp", "recovery_code"]));
    assert!(l.body.get("token").is_none());
    let s = answer(&app, &l.str("challenge_id"), "totp", &auth.next()).await;
    assert_eq!(s.status, StatusCode::CREATED, "{:?}", s.body);
    assert!(!s.str("token").is_empty());
    // The same code again (same time step): refused.
    let l2 = app.login("t@example.com", PW).await;
    let replay = answer(&app, &l2.str("challenge_id"), "totp", &auth.again()).await;
    assert_eq!(
        (replay.status, replay.code()),
        (StatusCode::BAD_REQUEST, "invalid_code")
    );
    // An unknown method is refused without costing an attempt.
    let m = answer(&app, &l2.str("challenge_id"), "sms", "123456").await;
    assert_eq!(m.code(), "invalid_method");
    // Disabling needs the password and a fresh code.
    let t = s.str("token");
    let d = app
        .delete_json(
            "/api/v1/me/mfa/totp",
            &t,
            json!({"current_password": PW, "code": auth.again()}),
        )
        .await;
    assert_eq!(d.code(), "invalid_code");
    let d = app
        .delete_json(
            "/api/v1/me/mfa/totp",
            &t,
            json!({"current_password": PW, "code": auth.next()}),
        )
        .await;
    assert_eq!(d.status, StatusCode::NO_CONTENT, "{:?}", d.body);
    let me = app.get("/api/v1/me", Some(&t)).await;
    assert_eq!(
        me.body["mfa"],
        json!({"totp": false, "webauthn": false, "recovery_codes_left": 0})
    );
    assert_eq!(
        app.login("t@example.com", PW).await.status,
        StatusCode::CREATED
    );
}

async fn each_recovery_code_works_once(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (token, _auth, codes) = with_totp(&app, "rc@example.com").await;
    let l = app.login("rc@example.com", PW).await;
    let s = answer(
        &app,
        &l.str("challenge_id"),
        "recovery_code",
        &codes[0].to_uppercase(),
    )
    .await;
    assert_eq!(s.status, StatusCode::CREATED, "{:?}", s.body);
    let l = app.login("rc@example.com", PW).await;
    let again = answer(&app, &l.str("challenge_id"), "recovery_code", &codes[0]).await;
    assert_eq!(again.code(), "invalid_code");
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.body["mfa"]["recovery_codes_left"], 9);
    // A new set voids the old one.
    let fresh = app
        .post_auth(
            "/api/v1/me/mfa/recovery-codes",
            &token,
            json!({"current_password": PW}),
        )
        .await;
    assert_eq!(fresh.status, StatusCode::OK);
    let l = app.login("rc@example.com", PW).await;
    let old = answer(&app, &l.str("challenge_id"), "recovery_code", &codes[1]).await;
    assert_eq!(old.code(), "invalid_code");
    let new_code = fresh.body["recovery_codes"][0].as_str().unwrap();
    let ok = answer(&app, &l.str("challenge_id"), "recovery_code", new_code).await;
    assert_eq!(ok.status, StatusCode::CREATED);
}

async fn five_wrong_answers_kill_the_challenge(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_token, mut auth, _codes) = with_totp(&app, "bf@example.com").await;
    let l = app.login("bf@example.com", PW).await;
    let id = l.str("challenge_id");
    for left in (0..5).rev() {
        let r = answer(&app, &id, "totp", "000000").await;
        if left > 0 {
            assert_eq!(r.body["attempts_left"], left, "{:?}", r.body);
        } else {
            assert_eq!(
                (r.status, r.code()),
                (StatusCode::GONE, "challenge_expired")
            );
        }
    }
    let r = answer(&app, &id, "totp", &auth.next()).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::GONE, "challenge_expired")
    );
    // A right password followed by a failed second factor: the owner is told.
    let m = app.wait_for_messages("bf@example.com", 3).await;
    assert!(
        m.iter()
            .any(|m| m["body"].as_str().unwrap().contains("两步验证多次失败")),
        "{m:?}"
    );
}

async fn recovery_never_bypasses_the_second_factor(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.codes.resend_interval_secs = 0).await;
    let (_token, mut auth, codes) = with_totp(&app, "rs@example.com").await;
    let r = app
        .post(
            "/api/v1/password-resets",
            json!({"identifier": "rs@example.com"}),
        )
        .await;
    let id = r.str("reset_id");
    // Registration code, the "two-factor on" notice, then the recovery code.
    let code = app.code_sent_to("rs@example.com", 3).await;
    let v = app
        .post(
            &format!("/api/v1/password-resets/{id}/verify"),
            json!({"code": code}),
        )
        .await;
    assert_eq!(v.status, StatusCode::OK, "{:?}", v.body);
    assert_eq!(
        v.body["second_factor"]["methods"],
        json!(["totp", "recovery_code"])
    );
    let token = v.str("reset_token");
    let complete = |t: String| {
        let app = &app;
        let id = id.clone();
        async move {
            app.post(
                &format!("/api/v1/password-resets/{id}/complete"),
                json!({"reset_token": t, "new_password": NEW_PW}),
            )
            .await
        }
    };
    let r = complete(token.clone()).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "second_factor_required")
    );
    assert_eq!(r.body["methods"], json!(["totp", "recovery_code"]));
    let sf = format!("/api/v1/password-resets/{id}/second-factor");
    let wrong = app
        .post(
            &sf,
            json!({"reset_token": token, "method": "totp", "code": "000000"}),
        )
        .await;
    assert_eq!(
        (wrong.code(), wrong.body["attempts_left"].as_u64()),
        ("invalid_code", Some(4))
    );
    let used_code = app
        .post(
            &sf,
            json!({"reset_token": token, "method": "recovery_code", "code": "aaaaa-bbbbb"}),
        )
        .await;
    assert_eq!(used_code.code(), "invalid_code");
    let ok = app
        .post(
            &sf,
            json!({"reset_token": token, "method": "totp", "code": auth.next()}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    let fresh = ok.str("reset_token");
    assert_ne!(fresh, token);
    assert_eq!(complete(token).await.status, StatusCode::GONE);
    assert_eq!(complete(fresh).await.status, StatusCode::NO_CONTENT);
    // Two-factor still guards the next login, and the recovery codes still work.
    let l = app.login("rs@example.com", NEW_PW).await;
    assert_eq!(l.status, StatusCode::ACCEPTED);
    let s = answer(&app, &l.str("challenge_id"), "recovery_code", &codes[3]).await;
    assert_eq!(s.status, StatusCode::CREATED);
}

async fn a_new_device_needs_a_code_once(b: Backend) {
    let app = TestApp::spawn_with(b, |c| {
        c.login.new_device_challenge = true;
        c.codes.resend_interval_secs = 0;
    })
    .await;
    let vid = app.start_registration("sms", "13512340001").await;
    let code = app.code_sent_to("+8613512340001", 1).await;
    let r = app.post("/api/v1/accounts", json!({"verification_id": vid, "code": code, "nickname": "nd", "password": PW, "device_id": "phone-install-0001"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let login = |device: &'static str| {
        let app = &app;
        async move {
            app.post(
                "/api/v1/sessions",
                json!({"identifier": "13512340001", "password": PW, "device_id": device}),
            )
            .await
        }
    };
    // The device that registered is known.
    assert_eq!(
        login("phone-install-0001").await.status,
        StatusCode::CREATED
    );
    let l = login("laptop-browser-0002").await;
    assert_eq!(l.status, StatusCode::ACCEPTED, "{:?}", l.body);
    assert_eq!(l.str("reason"), "new_device");
    assert_eq!(l.body["methods"], json!(["sms"]));
    assert_eq!(l.str("masked_destination"), "135****0001");
    let id = l.str("challenge_id");
    let code = app.code_sent_to("+8613512340001", 2).await;
    let wrong = if code == "111111" { "222222" } else { "111111" };
    assert_eq!(
        answer(&app, &id, "sms", wrong).await.body["attempts_left"],
        4
    );
    // A resend sends a new code to the same phone.
    let again = app
        .post(
            &format!("/api/v1/sessions/challenges/{id}/resend"),
            json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::ACCEPTED, "{:?}", again.body);
    assert_eq!(again.str("masked_destination"), "135****0001");
    let code = app.code_sent_to("+8613512340001", 3).await;
    let s = answer(&app, &id, "sms", &code).await;
    assert_eq!(s.status, StatusCode::CREATED, "{:?}", s.body);
    assert_eq!(s.str("device_id"), "laptop-browser-0002");
    // Known from now on.
    assert_eq!(
        login("laptop-browser-0002").await.status,
        StatusCode::CREATED
    );
    // Five wrong codes kill a new-device challenge too.
    let l = login("tablet-app-00003").await;
    let id = l.str("challenge_id");
    for _ in 0..4 {
        answer(&app, &id, "sms", "000000").await;
    }
    let last = answer(&app, &id, "sms", "000000").await;
    assert_eq!(last.status, StatusCode::GONE);
}

on_both_backends!(
    totp_guards_login_and_refuses_replays,
    each_recovery_code_works_once,
    five_wrong_answers_kill_the_challenge,
    recovery_never_bypasses_the_second_factor,
    a_new_device_needs_a_code_once,
);

async fn security_questions_are_kept_only_as_hashes(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.login.base_delay_ms = 0).await;
    let _ = app.register("email", "sq@example.com", "sq", PW).await;
    let token = app.token("sq@example.com", PW).await;
    let put = |body: serde_json::Value| {
        let app = &app;
        let token = token.clone();
        async move {
            app.request(
                reqwest::Method::PUT,
                "/api/v1/me/security-questions",
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    let qa = |q: &str, a: &str| json!({"question": q, "answer": a});
    let wrong =
        put(json!({"current_password": "not it at all", "questions": [qa("Q", "A")]})).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let four = put(json!({"current_password": PW, "questions": [qa("1", "a"), qa("2", "b"), qa("3", "c"), qa("4", "d")]})).await;
    assert_eq!(four.status, StatusCode::BAD_REQUEST);
    let ok = put(json!({"current_password": PW, "questions": [qa("第一所小学？", "Ｂｅｉｊｉｎｇ  Road No.1"), qa("First pet?", "Mimi")]})).await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT, "{:?}", ok.body);
    let got = app.get("/api/v1/me/security-questions", Some(&token)).await;
    assert_eq!(
        got.body,
        json!({"questions": ["第一所小学？", "First pet?"]})
    );
    assert_eq!(
        // (Probes long enough that a random Argon2 hash cannot contain them by chance: SQLite's
        // LIKE ignores case, and a three-letter probe matched base64 about once in 250 runs.)
        app.count("SELECT COUNT(*) FROM security_questions WHERE answer_hash NOT LIKE '$argon2id$%' OR answer_hash LIKE '%beijing road%' OR answer_hash LIKE '%mimi%'").await,
        0
    );
    // The support desk compares answers (folded) with these hashes, under a lock of its own:
    // `support::security_answers_are_extra_evidence_and_never_kept`.
}

mod questions {
    use super::*;
    on_both_backends!(security_questions_are_kept_only_as_hashes);
}
