//! Enterprise security policy (SPEC §11): owners set it, admins read it, nobody else sees it;
//! every path to the enterprise's conversations meets it — a second factor after the grace
//! period, allowed networks, session lifetime and idle limits — and nothing else is affected:
//! the member's own account, sign-out, and other enterprises' and external chats.

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use testkit::{Backend, Resp, StatusCode, TestApp, json, on_both_backends};
use totp_rs::{Builder, Secret};

const PW: &str = "blue lantern over quiet harbor";
const OWNER: &str = "owner@example.com";
const MEMBER: &str = "member@example.com";

/// An enterprise with an owner and a member who share a direct conversation.
struct Org {
    id: String,
    owner: String,
    member: String,
    member_id: String,
    conversation: String,
}

async fn org(app: &TestApp) -> Org {
    let c = app.colleagues(OWNER, MEMBER, PW).await;
    let orgs = app.get("/api/v1/orgs", Some(&c.first_token)).await;
    let me = app.get("/api/v1/me", Some(&c.second_token)).await;
    Org {
        id: orgs.body["orgs"][0]["id"].as_str().unwrap().to_owned(),
        owner: c.first_token,
        member: c.second_token,
        member_id: me.str("account_id"),
        conversation: c.conversation_id,
    }
}

fn policy(extra: Value) -> Value {
    let mut p = json!({"require_second_factor": "off", "grace_days": 0, "allowed_networks": [],
                       "support_needs_admin": false});
    for (k, v) in extra.as_object().unwrap() {
        p[k] = v.clone();
    }
    p
}

async fn put_policy(app: &TestApp, o: &Org, token: &str, extra: Value) -> Resp {
    app.put_auth(
        &format!("/api/v1/orgs/{}/policy", o.id),
        token,
        policy(extra),
    )
    .await
}

async fn set_policy(app: &TestApp, o: &Org, extra: Value) {
    let r = put_policy(app, o, &o.owner, extra).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

async fn history(app: &TestApp, token: &str, conversation: &str) -> Resp {
    app.get(
        &format!("/api/v1/conversations/{conversation}/messages"),
        Some(token),
    )
    .await
}

async fn send(app: &TestApp, token: &str, conversation: &str, id: &str) -> Resp {
    app.post_auth(
        &format!("/api/v1/conversations/{conversation}/messages"),
        token,
        json!({"client_msg_id": id, "body": "hello"}),
    )
    .await
}

/// Asserts a policy refusal naming the enterprise.
fn refused(r: &Resp, code: &str, org_id: &str) {
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    assert_eq!(r.code(), code, "{:?}", r.body);
    assert_eq!(r.body["org_id"], org_id);
}

/// A second enterprise of the member, with a colleague and a direct conversation.
async fn second_org(app: &TestApp, member: &str) -> String {
    let colleague = "colleague@example.com";
    let colleague_id = app.register("email", colleague, "colleague", PW).await;
    let colleague_token = app.token(colleague, PW).await;
    let b = app
        .post_auth("/api/v1/orgs", member, json!({"name": "乙公司"}))
        .await;
    app.join_org(&b.str("id"), member, colleague, &colleague_token)
        .await;
    let c = app
        .post_auth(
            "/api/v1/conversations",
            member,
            json!({"member_ids": [colleague_id]}),
        )
        .await;
    assert_eq!(c.status, StatusCode::CREATED, "{:?}", c.body);
    c.str("conversation_id")
}

fn totp_now(secret: &str) -> String {
    let secret = Secret::try_from_base32(secret).unwrap().as_ref().to_vec();
    let step = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 30;
    Builder::new()
        .with_secret(Secret::from(secret))
        .build()
        .unwrap()
        .generate(step * 30)
        .to_string()
}

async fn policy_is_for_owners_and_admins_only(b: Backend) {
    let app = TestApp::spawn(b).await;
    let o = org(&app).await;
    let path = format!("/api/v1/orgs/{}/policy", o.id);
    // Nothing set yet: the server's rules only.
    let p = app.get(&path, Some(&o.owner)).await;
    assert_eq!(p.status, StatusCode::OK, "{:?}", p.body);
    assert_eq!(p.body["require_second_factor"], "off");
    assert!(p.body["updated_at"].is_null());
    // A member neither reads nor changes it; a stranger does not learn the enterprise exists.
    assert_eq!(
        app.get(&path, Some(&o.member)).await.code(),
        "not_org_admin"
    );
    assert_eq!(
        put_policy(&app, &o, &o.member, json!({})).await.code(),
        "not_org_admin"
    );
    app.register("email", "stranger@example.com", "s", PW).await;
    let stranger = app.token("stranger@example.com", PW).await;
    assert_eq!(
        app.get(&path, Some(&stranger)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        put_policy(&app, &o, &stranger, json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    // Bad values are refused whole.
    for (bad, code) in [
        (json!({"grace_days": 91}), "invalid_policy"),
        (json!({"password_min_length": 4}), "invalid_policy"),
        (json!({"password_min_score": 5}), "invalid_policy"),
        (json!({"session_idle_minutes": 1}), "invalid_policy"),
        (json!({"session_max_age_hours": 0}), "invalid_policy"),
        (
            json!({"allowed_networks": ["10.0.0.0/33"]}),
            "invalid_network",
        ),
        (json!({"allowed_networks": ["office"]}), "invalid_network"),
    ] {
        let r = put_policy(&app, &o, &o.owner, bad.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(r.code(), code, "{bad}");
    }
    let r = put_policy(
        &app,
        &o,
        &o.owner,
        json!({"require_second_factor": "sometimes"}),
    )
    .await;
    assert_eq!(r.code(), "invalid_request");
    assert!(
        app.get(&path, Some(&o.owner)).await.body["updated_at"].is_null(),
        "nothing half-applied"
    );
    // The owner sets it: a security event for the owner, a notice to the owners and admins.
    let before = app.messages_to(OWNER).await.len();
    let r = put_policy(
        &app,
        &o,
        &o.owner,
        json!({"require_second_factor": "any", "grace_days": 7,
               "allowed_networks": ["10.1.2.3/8", "127.0.0.1"], "session_idle_minutes": 60}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        r.body["allowed_networks"],
        json!(["10.0.0.0/8", "127.0.0.1/32"])
    );
    assert!(r.body["second_factor_since"].is_string());
    let events = app.get("/api/v1/me/security-events", Some(&o.owner)).await;
    assert_eq!(events.body["events"][0]["kind"], "org_policy_changed");
    let notices = app.wait_for_messages(OWNER, before + 1).await;
    assert!(
        notices[0]["body"].as_str().unwrap().contains("旺商科技"),
        "{notices:?}"
    );
    // An admin reads it but cannot change it; a member's notice count stays.
    let member_before = app.messages_to(MEMBER).await.len();
    let r = app
        .client
        .patch(format!(
            "{}/api/v1/orgs/{}/members/{}",
            app.base, o.id, o.member_id
        ))
        .bearer_auth(&o.owner)
        .json(&json!({"role": "admin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let p = app.get(&path, Some(&o.member)).await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.body["grace_days"], 7);
    assert_eq!(
        put_policy(&app, &o, &o.member, json!({})).await.code(),
        "owner_only"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.messages_to(MEMBER).await.len(), member_before);
}

async fn second_factor_is_required_after_the_grace_period(b: Backend) {
    let app = TestApp::spawn(b).await;
    let o = org(&app).await;
    let other = second_org(&app, &o.member).await;
    assert_eq!(
        send(&app, &o.member, &o.conversation, "m1").await.status,
        StatusCode::CREATED
    );
    // Within the grace period the member keeps access.
    set_policy(
        &app,
        &o,
        json!({"require_second_factor": "any", "grace_days": 3}),
    )
    .await;
    assert_eq!(
        history(&app, &o.member, &o.conversation).await.status,
        StatusCode::OK
    );
    // Every page shows the member a banner with the deadline and the way to set it up; the
    // owner (who has no second factor either) sees it too — and nobody outside.
    let banner = |html: &str| html.contains("id=\"policy-2fa-banner\"");
    let (_, html) = web_get(&app, &o.member, "/chat").await;
    assert!(banner(&html), "{html}");
    assert!(html.contains("Set it up before"), "{html}");
    assert!(html.contains("href=\"/settings/security\""));
    app.register("email", "stranger@example.com", "s", PW).await;
    let stranger = app.token("stranger@example.com", PW).await;
    let (_, html) = web_get(&app, &stranger, "/chat").await;
    assert!(!banner(&html));
    // Once it is over, this enterprise's conversations are closed to the member...
    app.exec(&format!(
        "UPDATE org_policies SET second_factor_since = second_factor_since - 4 * 86400000 WHERE org_id = '{}'",
        o.id
    ))
    .await;
    app.exec("UPDATE org_members SET joined_at = joined_at - 4 * 86400000")
        .await;
    refused(
        &history(&app, &o.member, &o.conversation).await,
        "policy_requires_2fa",
        &o.id,
    );
    let (_, html) = web_get(&app, &o.member, "/settings").await;
    assert!(banner(&html), "{html}");
    assert!(html.contains("closed to you until you set it up"), "{html}");
    refused(
        &send(&app, &o.member, &o.conversation, "m2").await,
        "policy_requires_2fa",
        &o.id,
    );
    let c = &o.conversation;
    refused(
        &app.get(&format!("/api/v1/conversations/{c}"), Some(&o.member))
            .await,
        "policy_requires_2fa",
        &o.id,
    );
    refused(
        &app.post_auth(
            &format!("/api/v1/conversations/{c}/read"),
            &o.member,
            json!({"seq": 1}),
        )
        .await,
        "policy_requires_2fa",
        &o.id,
    );
    // ...and over the socket too.
    let mut ws = app.stream(&o.member, None).await;
    ws.send_json(&json!({"type": "message.send", "conversation_id": c,
                         "client_msg_id": "ws1", "body": "hi"}))
        .await;
    let f = ws
        .next_of("message.failed", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(f["data"]["code"], "policy_requires_2fa", "{f:?}");
    // The list keeps the conversation, marked, without its last message.
    let list = app.get("/api/v1/conversations", Some(&o.member)).await;
    let row = |id: &str| {
        list.body["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["conversation_id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(row(c)["policy_block"], "policy_requires_2fa");
    assert_eq!(row(c)["org_id"], o.id.as_str());
    assert!(row(c)["last_message"].is_null());
    assert!(row(&other)["policy_block"].is_null());
    // The other enterprise, the account itself and its sessions are untouched.
    assert_eq!(
        history(&app, &o.member, &other).await.status,
        StatusCode::OK
    );
    assert_eq!(
        send(&app, &o.member, &other, "b1").await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&o.member)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/sessions", Some(&o.member)).await.status,
        StatusCode::OK
    );
    // Setting up a second factor opens the way again.
    let e = app
        .post_auth(
            "/api/v1/me/mfa/totp",
            &o.member,
            json!({"current_password": PW}),
        )
        .await;
    assert_eq!(e.status, StatusCode::OK, "{:?}", e.body);
    let r = app
        .post_auth(
            "/api/v1/me/mfa/totp/confirm",
            &o.member,
            json!({"code": totp_now(&e.str("secret"))}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        history(&app, &o.member, &o.conversation).await.status,
        StatusCode::OK
    );
    let (_, html) = web_get(&app, &o.member, "/chat").await;
    assert!(!banner(&html), "set up: no banner");
    // Passkeys only: an authenticator app is not enough.
    set_policy(
        &app,
        &o,
        json!({"require_second_factor": "passkey", "grace_days": 0}),
    )
    .await;
    refused(
        &history(&app, &o.member, &o.conversation).await,
        "policy_requires_2fa",
        &o.id,
    );
    // Off again: open to all.
    set_policy(&app, &o, json!({})).await;
    assert_eq!(
        history(&app, &o.member, &o.conversation).await.status,
        StatusCode::OK
    );
    assert_eq!(
        history(&app, &o.owner, &o.conversation).await.status,
        StatusCode::OK
    );
}

async fn allowed_networks_refuse_other_addresses(b: Backend) {
    let app = TestApp::spawn(b).await;
    let o = org(&app).await;
    // Tests reach the server from 127.0.0.1.
    set_policy(
        &app,
        &o,
        json!({"allowed_networks": ["10.0.0.0/8", "2001:db8::/32"]}),
    )
    .await;
    refused(
        &history(&app, &o.member, &o.conversation).await,
        "policy_network",
        &o.id,
    );
    refused(
        &send(&app, &o.member, &o.conversation, "n1").await,
        "policy_network",
        &o.id,
    );
    // Policy management itself is not the enterprise's conversations: the owner can fix it.
    set_policy(&app, &o, json!({"allowed_networks": ["127.0.0.0/8"]})).await;
    assert_eq!(
        history(&app, &o.member, &o.conversation).await.status,
        StatusCode::OK
    );
    assert_eq!(
        send(&app, &o.member, &o.conversation, "n2").await.status,
        StatusCode::CREATED
    );
}

async fn session_limits_end_access_to_the_enterprise_only(b: Backend) {
    let app = TestApp::spawn(b).await;
    let o = org(&app).await;
    let other = second_org(&app, &o.member).await;
    let member_id = &o.member_id;
    // Absolute lifetime.
    set_policy(&app, &o, json!({"session_max_age_hours": 8})).await;
    assert_eq!(
        history(&app, &o.member, &o.conversation).await.status,
        StatusCode::OK
    );
    app.exec(&format!(
        "UPDATE sessions SET created_at = created_at - 9 * 3600000 WHERE account_id = '{member_id}'"
    ))
    .await;
    refused(
        &history(&app, &o.member, &o.conversation).await,
        "policy_session_expired",
        &o.id,
    );
    assert_eq!(
        history(&app, &o.member, &other).await.status,
        StatusCode::OK
    );
    let fresh = app.token(MEMBER, PW).await;
    assert_eq!(
        history(&app, &fresh, &o.conversation).await.status,
        StatusCode::OK
    );
    // Idle limit: a pause longer than it closes the enterprise to this session for good.
    set_policy(&app, &o, json!({"session_idle_minutes": 30})).await;
    assert_eq!(
        history(&app, &fresh, &o.conversation).await.status,
        StatusCode::OK
    );
    app.exec(&format!(
        "UPDATE sessions SET last_seen_at = last_seen_at - 31 * 60000 WHERE account_id = '{member_id}'"
    ))
    .await;
    refused(
        &history(&app, &fresh, &o.conversation).await,
        "policy_session_expired",
        &o.id,
    );
    // The use just now refreshed the session, but the pause stays on record.
    refused(
        &history(&app, &fresh, &o.conversation).await,
        "policy_session_expired",
        &o.id,
    );
    assert_eq!(history(&app, &fresh, &other).await.status, StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/me", Some(&fresh)).await.status,
        StatusCode::OK
    );
    let newest = app.token(MEMBER, PW).await;
    assert_eq!(
        history(&app, &newest, &o.conversation).await.status,
        StatusCode::OK
    );
}

async fn conversations_belong_to_the_enterprise_their_members_share(b: Backend) {
    let app = TestApp::spawn(b).await;
    let o = org(&app).await;
    let list = app.get("/api/v1/conversations", Some(&o.owner)).await;
    assert_eq!(list.body["conversations"][0]["org_id"], o.id.as_str());
    // An enterprise the members do not share is as unknown as any id.
    let b2 = app
        .post_auth("/api/v1/orgs", &o.owner, json!({"name": "丙公司"}))
        .await;
    let r = app
        .post_auth(
            "/api/v1/conversations",
            &o.owner,
            json!({"member_ids": [o.member_id], "title": "g", "org_id": b2.str("id")}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    let r = app
        .post_auth(
            "/api/v1/conversations",
            &o.owner,
            json!({"member_ids": [o.member_id], "title": "g", "org_id": o.id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    // A new group of a blocked enterprise cannot be started either.
    set_policy(&app, &o, json!({"allowed_networks": ["10.0.0.0/8"]})).await;
    let r = app
        .post_auth(
            "/api/v1/conversations",
            &o.member,
            json!({"member_ids": [app.get("/api/v1/me", Some(&o.owner)).await.str("account_id")], "title": "h"}),
        )
        .await;
    refused(&r, "policy_network", &o.id);
}

/// Reads frames until the socket ends; how it ended.
async fn socket_end(ws: &mut testkit::stream::StreamClient) -> testkit::stream::Ended {
    loop {
        match ws.next(Duration::from_secs(5)).await {
            Ok(_) => continue,
            Err(e) => break e,
        }
    }
}

fn path(o: &Org, member: &str, action: &str) -> String {
    format!("/api/v1/orgs/{}/members/{member}/{action}", o.id)
}

async fn owners_and_admins_sign_a_member_out_everywhere(b: Backend) {
    let app = TestApp::spawn(b).await;
    let o = org(&app).await;
    let owner_id = app
        .get("/api/v1/me", Some(&o.owner))
        .await
        .str("account_id");
    let second_device = app.token(MEMBER, PW).await;
    let mut ws = app.stream(&o.member, None).await;
    assert_eq!(
        ws.next(Duration::from_secs(5)).await.unwrap()["type"],
        "hello"
    );
    // A member cannot act on colleagues; nobody acts on themselves; a stranger learns nothing.
    let r = app
        .post_auth(&path(&o, &owner_id, "sign-out"), &o.member, json!({}))
        .await;
    assert_eq!(r.code(), "not_org_admin");
    let r = app
        .post_auth(&path(&o, &owner_id, "sign-out"), &o.owner, json!({}))
        .await;
    assert_eq!(r.code(), "own_membership");
    app.register("email", "stranger@example.com", "s", PW).await;
    let stranger = app.token("stranger@example.com", PW).await;
    let r = app
        .post_auth(&path(&o, &o.member_id, "sign-out"), &stranger, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The owner of another enterprise cannot reach this one's members.
    let other_org = app
        .post_auth("/api/v1/orgs", &stranger, json!({"name": "丁公司"}))
        .await;
    let r = app
        .post_auth(
            &format!(
                "/api/v1/orgs/{}/members/{}/sign-out",
                other_org.str("id"),
                o.member_id
            ),
            &stranger,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/api/v1/me", Some(&o.member)).await.status,
        StatusCode::OK
    );

    let before = app.messages_to(MEMBER).await.len();
    let r = app
        .post_auth(&path(&o, &o.member_id, "sign-out"), &o.owner, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    for t in [&o.member, &second_device] {
        assert_eq!(
            app.get("/api/v1/me", Some(t)).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        socket_end(&mut ws).await,
        testkit::stream::Ended::Closed(Some(4001))
    );
    // Told to the member, and in their security records (without the admin's address).
    let notices = app.wait_for_messages(MEMBER, before + 1).await;
    assert!(notices[0]["body"].as_str().unwrap().contains("旺商科技"));
    let again = app.token(MEMBER, PW).await;
    let ev = app
        .get("/api/v1/me/security-events?limit=5", Some(&again))
        .await;
    let kinds: Vec<&str> = ev.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"org_member_signed_out"), "{kinds:?}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM org_audit WHERE kind = 'org_member_signed_out'")
            .await,
        1
    );
    // An admin cannot sign an owner out.
    let r = app
        .client
        .patch(format!(
            "{}/api/v1/orgs/{}/members/{}",
            app.base, o.id, o.member_id
        ))
        .bearer_auth(&o.owner)
        .json(&json!({"role": "admin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .post_auth(&path(&o, &owner_id, "sign-out"), &again, json!({}))
        .await;
    assert_eq!(r.code(), "owner_only");
    assert_eq!(
        app.get("/api/v1/me", Some(&o.owner)).await.status,
        StatusCode::OK
    );
}

async fn suspended_members_lose_the_enterprise_only_until_reinstated(b: Backend) {
    let app = TestApp::spawn(b).await;
    let o = org(&app).await;
    let other = second_org(&app, &o.member).await;
    assert_eq!(
        send(&app, &o.member, &o.conversation, "s1").await.status,
        StatusCode::CREATED
    );
    let mut ws = app.stream(&o.member, None).await;
    assert_eq!(
        ws.next(Duration::from_secs(5)).await.unwrap()["type"],
        "hello"
    );
    let r = app
        .post_auth(&path(&o, &o.member_id, "reinstate"), &o.owner, json!({}))
        .await;
    assert_eq!(r.code(), "not_suspended");
    let r = app
        .post_auth(&path(&o, &o.member_id, "suspend"), &o.owner, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let r = app
        .post_auth(&path(&o, &o.member_id, "suspend"), &o.owner, json!({}))
        .await;
    assert_eq!(r.code(), "already_suspended");
    // The socket closes at once; the account still logs in.
    assert_eq!(
        socket_end(&mut ws).await,
        testkit::stream::Ended::Closed(Some(4001))
    );
    let t = app.token(MEMBER, PW).await;
    assert_eq!(app.get("/api/v1/me", Some(&t)).await.status, StatusCode::OK);
    refused(
        &history(&app, &t, &o.conversation).await,
        "member_suspended",
        &o.id,
    );
    refused(
        &send(&app, &t, &o.conversation, "s2").await,
        "member_suspended",
        &o.id,
    );
    assert_eq!(history(&app, &t, &other).await.status, StatusCode::OK);
    // Their messages stay for the colleagues.
    let h = history(&app, &o.owner, &o.conversation).await;
    assert_eq!(h.body["messages"][0]["client_msg_id"], "s1");
    let r = app
        .post_auth(&path(&o, &o.member_id, "reinstate"), &o.owner, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(
        history(&app, &t, &o.conversation).await.status,
        StatusCode::OK
    );
    assert_eq!(
        send(&app, &t, &o.conversation, "s3").await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM org_audit WHERE kind IN ('org_member_suspended', 'org_member_reinstated')"
        )
        .await,
        2
    );
}

/// The codes `destination` has received.
async fn codes_to(app: &TestApp, destination: &str) -> Vec<String> {
    app.messages_to(destination)
        .await
        .iter()
        .filter_map(|m| m["code"].as_str().map(str::to_owned))
        .collect()
}

fn violation_codes(r: &Resp) -> Vec<String> {
    r.body["violations"]
        .as_array()
        .map(|v| {
            v.iter()
                .map(|x| x["code"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn enterprise_password_rules_apply_at_change_and_reset(b: Backend) {
    let app = TestApp::spawn(b).await;
    let o = org(&app).await;
    let short = "violet harbor lantern";
    let long = "violet harbor lanterns 7";
    set_policy(
        &app,
        &o,
        json!({"password_min_length": 24, "require_second_factor": "any"}),
    )
    .await;
    let r = app
        .put_auth(
            "/api/v1/me/password",
            &o.member,
            json!({"current_password": PW, "new_password": short}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(violation_codes(&r), ["too_short"]);
    let r = app
        .put_auth(
            "/api/v1/me/password",
            &o.member,
            json!({"current_password": PW, "new_password": long}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    // Recovery works although the enterprise requires a second factor the member lacks, and
    // the enterprise's rules hold for the new password.
    // Notices of the change may still arrive: the code is the one not seen before.
    let seen = codes_to(&app, MEMBER).await;
    let r = app
        .post("/api/v1/password-resets", json!({"identifier": MEMBER}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let id = r.str("reset_id");
    let mut code = None;
    for _ in 0..200 {
        code = codes_to(&app, MEMBER)
            .await
            .into_iter()
            .find(|c| !seen.contains(c));
        if code.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let code = code.expect("a reset code");
    let v = app
        .post(
            &format!("/api/v1/password-resets/{id}/verify"),
            json!({"code": code}),
        )
        .await;
    assert_eq!(v.status, StatusCode::OK, "{:?}", v.body);
    let complete_path = format!("/api/v1/password-resets/{id}/complete");
    let reset_token = v.str("reset_token");
    let complete = |pw: &str| {
        app.post(
            &complete_path,
            json!({"reset_token": reset_token, "new_password": pw}),
        )
    };
    let r = complete(short).await;
    assert_eq!(violation_codes(&r), ["too_short"], "{:?}", r.body);
    let r = complete("violet harbor lanterns 8").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let t = app.token(MEMBER, "violet harbor lanterns 8").await;
    refused(
        &history(&app, &t, &o.conversation).await,
        "policy_requires_2fa",
        &o.id,
    );
    // Another enterprise's member is held to the server's rules only.
    let r = app
        .put_auth(
            "/api/v1/me/password",
            &o.owner,
            json!({"current_password": PW, "new_password": short}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the owner is a member too"
    );
    app.register("email", "outsider@example.com", "o", PW).await;
    let outsider = app.token("outsider@example.com", PW).await;
    let r = app
        .put_auth(
            "/api/v1/me/password",
            &outsider,
            json!({"current_password": PW, "new_password": short}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
}

/// Proves `contact` with a support-contact code and opens a ticket with these claims; returns
/// the ticket number.
async fn support_ticket(app: &TestApp, contact: &str, claims: Value) -> String {
    let v = app
        .post(
            "/api/v1/verifications",
            json!({"purpose": "support_contact", "channel": "email", "destination": contact}),
        )
        .await;
    assert_eq!(v.status, StatusCode::ACCEPTED, "{:?}", v.body);
    let code = app.code_sent_to(contact, 1).await;
    let r = app
        .post(
            "/api/v1/support/tickets",
            json!({"contact_verification_id": v.str("verification_id"), "contact_code": code,
                   "claims": claims, "description": "I lost my phone"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.str("ticket_no")
}

async fn support_recovery_waits_for_an_admin_when_the_policy_says_so(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.support.waiting_period_secs = 0).await;
    let o = org(&app).await;
    set_policy(&app, &o, json!({"support_needs_admin": true})).await;
    let no = support_ticket(
        &app,
        "me@example.net",
        json!({"email": MEMBER, "nicknames": ["second"], "enterprise": "旺商科技"}),
    )
    .await;
    let agent_id = app
        .register("email", "agent@example.com", "agent", PW)
        .await;
    let agent = app.token("agent@example.com", PW).await;
    app.app()
        .set_support_agent("agent@example.com", true)
        .await
        .unwrap();
    app.exec(&format!(
        "INSERT INTO totp_secrets (account_id, sealed_secret, confirmed_at, last_step, created_at) \
         VALUES ('{agent_id}', 'sealed', 1, 0, 1)"
    ))
    .await;
    let t = app
        .get(&format!("/api/v1/agent/tickets/{no}"), Some(&agent))
        .await;
    assert_eq!(t.body["account_id"], o.member_id.as_str(), "{:?}", t.body);
    // The ticket about the member is a line of the enterprise's audit log.
    let about = audit_kinds(&app, &o, "org_member_support_ticket").await;
    assert_eq!(about, vec![o.member_id.clone()]);
    let decision_path = format!("/api/v1/agent/tickets/{no}/decision");
    let decide = || {
        app.post_auth(
            &decision_path,
            &agent,
            json!({"decision": "approve", "note": "checked"}),
        )
    };
    let r = decide().await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert_eq!(r.code(), "org_admin_confirmation_required");
    // A confirmation from the enterprise's owner is what it waits for.
    let r = app
        .post_auth(
            &format!("/api/v1/orgs/{}/recovery-requests/{no}", o.id),
            &o.owner,
            json!({"answer": "confirm"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let r = decide().await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

/// The subjects of the enterprise's audit lines of `kind`, newest first.
async fn audit_kinds(app: &TestApp, o: &Org, kind: &str) -> Vec<String> {
    let r = app
        .get(
            &format!("/api/v1/orgs/{}/audit?kind={kind}", o.id),
            Some(&o.owner),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["subject_id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The member's security events that concern the enterprise are in its audit log: each login,
/// and a policy refusal once an hour however often it happens (written just after, as refusals
/// happen on paths that write nothing); a member of another enterprise only in that one's log.
async fn the_audit_log_tells_logins_and_refusals(b: Backend) {
    let app = TestApp::spawn(b).await;
    let o = org(&app).await;
    let other = second_org(&app, &o.member).await;
    let before = audit_kinds(&app, &o, "org_member_login").await.len();
    let t = app.token(MEMBER, PW).await;
    assert_eq!(
        audit_kinds(&app, &o, "org_member_login").await.len(),
        before + 1
    );
    assert_eq!(
        audit_kinds(&app, &o, "org_member_login").await[0],
        o.member_id
    );
    set_policy(&app, &o, json!({"allowed_networks": ["10.0.0.0/8"]})).await;
    for _ in 0..3 {
        refused(
            &history(&app, &t, &o.conversation).await,
            "policy_network",
            &o.id,
        );
    }
    // Another enterprise's conversation is not refused and writes nothing here.
    assert_eq!(history(&app, &t, &other).await.status, StatusCode::OK);
    let mut blocked = Vec::new();
    for _ in 0..100 {
        blocked = audit_kinds(&app, &o, "org_blocked_policy_network").await;
        if !blocked.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(blocked, vec![o.member_id.clone()]);
    // Refused again within the hour: still one line.
    refused(
        &history(&app, &t, &o.conversation).await,
        "policy_network",
        &o.id,
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM org_audit WHERE kind LIKE 'org_blocked_%'")
            .await,
        1
    );
    // The web's audit view names the lines in the page's language.
    let (status, html) = web_get(&app, &o.owner, &format!("/orgs/{}/security", o.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Kept out: outside the allowed networks") && html.contains("Signed in"),
        "{html}"
    );
    assert!(!html.contains("⟦"), "{html}");
}

/// An owner asks the member to re-verify the bound e-mail: the code goes there (never to the
/// owner), only the member can enter it, the binding stays as it was with a new verification
/// time, and the request and its confirmation are in the audit log.
async fn members_are_asked_to_reverify_a_binding(b: Backend) {
    // Two codes go to one address in a moment here (the send limits apply as to every code).
    let app = TestApp::spawn_with(b, |c| c.codes.resend_interval_secs = 0).await;
    let o = org(&app).await;
    let ask = |token: String, channel: &'static str| {
        let path = format!("/api/v1/orgs/{}/members/{}/reverify", o.id, o.member_id);
        let app = &app;
        async move {
            app.post_auth(&path, &token, json!({ "channel": channel }))
                .await
        }
    };
    // The member has no phone; a member cannot ask; nobody asks themselves.
    let r = ask(o.owner.clone(), "sms").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "channel_not_bound")
    );
    let r = ask(o.member.clone(), "email").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let before_owner = app.messages_to(OWNER).await.len();
    let before = app.messages_to(MEMBER).await.len();
    let r = ask(o.owner.clone(), "email").await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let id = r.str("request_id");
    assert_eq!(
        r.str("destination"),
        app.get("/api/v1/me", Some(&o.member)).await.str("email")
    );
    let code = app.code_sent_to(MEMBER, before + 1).await;
    assert_eq!(app.messages_to(OWNER).await.len(), before_owner);
    // The member sees the request, named by the enterprise.
    let open = app.get("/api/v1/me/reverify", Some(&o.member)).await;
    assert_eq!(open.body["requests"][0]["request_id"], id.as_str());
    assert_eq!(open.body["requests"][0]["org_name"], "旺商科技");
    assert_eq!(
        app.get("/api/v1/me/reverify", Some(&o.owner)).await.body["requests"],
        json!([])
    );
    let confirm = format!("/api/v1/me/reverify/{id}");
    // Not the owner's to answer, even with the code.
    let r = app
        .post_auth(&confirm, &o.owner, json!({ "code": code }))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    let r = app
        .post_auth(&confirm, &o.member, json!({ "code": "000000" }))
        .await;
    assert_eq!(r.code(), "invalid_code");
    let verified_before = app
        .count(&format!(
            "SELECT email_verified_at FROM accounts WHERE id = '{}'",
            o.member_id
        ))
        .await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let r = app
        .post_auth(&confirm, &o.member, json!({ "code": code }))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let r = app
        .post_auth(&confirm, &o.member, json!({ "code": code }))
        .await;
    assert_eq!(r.code(), "code_expired");
    assert!(
        app.count(&format!(
            "SELECT email_verified_at FROM accounts WHERE id = '{}'",
            o.member_id
        ))
        .await
            > verified_before
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM accounts WHERE id = '{}' AND email = '{MEMBER}'",
            o.member_id
        ))
        .await,
        1
    );
    assert_eq!(
        app.get("/api/v1/me/reverify", Some(&o.member)).await.body["requests"],
        json!([])
    );
    assert_eq!(
        audit_kinds(&app, &o, "org_member_reverify_requested").await,
        vec![o.member_id.clone()]
    );
    assert_eq!(
        audit_kinds(&app, &o, "org_member_reverified").await,
        vec![o.member_id.clone()]
    );
    // From the web: the owner asks in the security view; the member answers on the bindings page.
    let (status, _) = web_post(
        &app,
        &o.owner,
        &format!("/orgs/{}/security/members/{}/act", o.id, o.member_id),
        &[("action", "reverify"), ("channel", "email")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let code = app.code_sent_to(MEMBER, before + 2).await;
    let (_, html) = web_get(&app, &o.member, "/settings/bindings").await;
    assert!(html.contains("asks you to confirm"), "{html}");
    let rid =
        app.get("/api/v1/me/reverify", Some(&o.member)).await.body["requests"][0]["request_id"]
            .as_str()
            .unwrap()
            .to_owned();
    let (status, html) = web_post(
        &app,
        &o.member,
        "/settings/bindings/reverify",
        &[("request_id", &rid), ("code", &code)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("the binding is confirmed"), "{html}");
}

async fn the_security_view_and_audit_log_show_posture_never_secrets(b: Backend) {
    let app = TestApp::spawn(b).await;
    let o = org(&app).await;
    let owner_id = app
        .get("/api/v1/me", Some(&o.owner))
        .await
        .str("account_id");
    let members = format!("/api/v1/orgs/{}/security/members", o.id);
    let audit = format!("/api/v1/orgs/{}/audit", o.id);
    assert_eq!(
        app.get(&members, Some(&o.member)).await.code(),
        "not_org_admin"
    );
    assert_eq!(
        app.get(&audit, Some(&o.member)).await.code(),
        "not_org_admin"
    );
    app.register("email", "stranger@example.com", "s", PW).await;
    let stranger = app.token("stranger@example.com", PW).await;
    assert_eq!(
        app.get(&members, Some(&stranger)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&audit, Some(&stranger)).await.status,
        StatusCode::NOT_FOUND
    );

    let e = app
        .post_auth(
            "/api/v1/me/mfa/totp",
            &o.owner,
            json!({"current_password": PW}),
        )
        .await;
    let r = app
        .post_auth(
            "/api/v1/me/mfa/totp/confirm",
            &o.owner,
            json!({"code": totp_now(&e.str("secret"))}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let all = app.get(&members, Some(&o.owner)).await;
    assert_eq!(all.status, StatusCode::OK, "{:?}", all.body);
    let list = all.body.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let row = |id: &str| list.iter().find(|m| m["account_id"] == id).unwrap().clone();
    let owner = row(&owner_id);
    assert_eq!(owner["second_factor"], json!(["totp"]));
    assert_eq!(owner["status"], "active");
    let member = row(&o.member_id);
    assert_eq!(member["second_factor"], json!([]));
    assert_eq!(member["password_age_days"], 0);
    assert_eq!(member["active_sessions"], 1);
    assert!(member["last_login_at"].is_string());
    let mut keys: Vec<&str> = member
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "account_id",
            "active_sessions",
            "last_login_at",
            "nickname",
            "password_age_days",
            "role",
            "second_factor",
            "status"
        ],
        "nothing else: no addresses, codes or secrets"
    );
    let no2fa = app
        .get(
            &format!("{members}?filter=no_second_factor"),
            Some(&o.owner),
        )
        .await;
    let ids: Vec<&str> = no2fa
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["account_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [o.member_id.as_str()]);
    let inactive = app
        .get(&format!("{members}?filter=inactive_30d"), Some(&o.owner))
        .await;
    assert_eq!(inactive.body, json!([]));
    app.exec(&format!(
        "UPDATE sessions SET created_at = created_at - 2678400000 WHERE account_id = '{}'",
        o.member_id
    ))
    .await;
    let inactive = app
        .get(&format!("{members}?filter=inactive_30d"), Some(&o.owner))
        .await;
    assert_eq!(inactive.body.as_array().unwrap().len(), 1);
    assert_eq!(inactive.body[0]["account_id"], o.member_id.as_str());
    let r = app
        .get(&format!("{members}?filter=everyone"), Some(&o.owner))
        .await;
    assert_eq!(r.code(), "invalid_request");

    // The audit log: newest first, filterable, exportable.
    set_policy(&app, &o, json!({"grace_days": 1})).await;
    // The log orders by time in milliseconds: the next line is a later one.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let r = app
        .post_auth(&path(&o, &o.member_id, "suspend"), &o.owner, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let st = app.get(&members, Some(&o.owner)).await;
    assert!(
        st.body
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["status"] == "suspended")
    );
    let page = app.get(&audit, Some(&o.owner)).await;
    assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
    let kinds: Vec<&str> = page.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["org_member_suspended", "org_policy_changed"]);
    assert_eq!(page.body["entries"][0]["subject_id"], o.member_id.as_str());
    assert_eq!(page.body["entries"][0]["actor_id"], owner_id.as_str());
    assert!(page.body["next_cursor"].is_null());
    let only = app
        .get(&format!("{audit}?kind=org_policy_changed"), Some(&o.owner))
        .await;
    assert_eq!(only.body["entries"].as_array().unwrap().len(), 1);
    let future = app
        .get(
            &format!("{audit}?after=2999-01-01T00:00:00Z"),
            Some(&o.owner),
        )
        .await;
    assert_eq!(future.body["entries"], json!([]));
    let bad = app
        .get(&format!("{audit}?after=yesterday"), Some(&o.owner))
        .await;
    assert_eq!(bad.code(), "invalid_request");
    let jsonl = app
        .client
        .get(
            format!("{audit}/export?format=jsonl&account_id={}", o.member_id)
                .replace("/api", &format!("{}/api", app.base)),
        )
        .bearer_auth(&o.owner)
        .send()
        .await
        .unwrap();
    assert_eq!(jsonl.status(), StatusCode::OK);
    let text = jsonl.text().await.unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert_eq!(lines[0]["kind"], "org_member_suspended");
    let csv = app
        .client
        .get(format!("{}{audit}/export?format=csv", app.base))
        .bearer_auth(&o.owner)
        .send()
        .await
        .unwrap();
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 3, "{text}");
    assert_eq!(rows[0], "id,at,kind,actor_id,subject_id");
    assert!(rows[1].contains(",org_member_suspended,"));
}

async fn a_blocked_session_gets_no_events_of_the_enterprise(b: Backend) {
    let app = TestApp::spawn(b).await;
    let o = org(&app).await;
    let other = second_org(&app, &o.member).await;
    let colleague = app.token("colleague@example.com", PW).await;
    // The owner has a second factor, the member has none.
    let e = app
        .post_auth(
            "/api/v1/me/mfa/totp",
            &o.owner,
            json!({"current_password": PW}),
        )
        .await;
    let r = app
        .post_auth(
            "/api/v1/me/mfa/totp/confirm",
            &o.owner,
            json!({"code": totp_now(&e.str("secret"))}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    set_policy(&app, &o, json!({"require_second_factor": "any"})).await;
    let mut ws = app.stream(&o.member, None).await;
    assert_eq!(
        ws.next(Duration::from_secs(5)).await.unwrap()["type"],
        "hello"
    );
    assert_eq!(
        send(&app, &o.owner, &o.conversation, "a1").await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        send(&app, &colleague, &other, "b1").await.status,
        StatusCode::CREATED
    );
    let e = ws
        .next_of("message.created", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(e["conversation_id"], other.as_str(), "{e:?}");
    // Replayed from the database, the same.
    let mut again = app.stream(&o.member, Some(0)).await;
    let mut seen = Vec::new();
    while let Ok(f) = again.next(Duration::from_millis(500)).await {
        if f["type"] == "message.created" {
            seen.push(f["conversation_id"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(seen, std::slice::from_ref(&other));
    // Allowed again: the events come.
    set_policy(&app, &o, json!({})).await;
    let mut open = app.stream(&o.member, None).await;
    assert_eq!(
        open.next(Duration::from_secs(5)).await.unwrap()["type"],
        "hello"
    );
    assert_eq!(
        send(&app, &o.owner, &o.conversation, "a2").await.status,
        StatusCode::CREATED
    );
    let e = open
        .next_of("message.created", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(e["conversation_id"], o.conversation.as_str());
}

/// A page of the web client for the session `token` (English), as `(status, html)`.
async fn web_get(app: &TestApp, token: &str, path: &str) -> (StatusCode, String) {
    let r = app
        .client
        .get(format!("{}{path}", app.base))
        .header("cookie", format!("ws_session={token}; ws_lang=en"))
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Posts a form of the web client (with the CSRF cookie and field), as `(status, html)`.
async fn web_post(
    app: &TestApp,
    token: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let mut fields = vec![("csrf", "test-csrf")];
    fields.extend_from_slice(form);
    let r = app
        .client
        .post(format!("{}{path}", app.base))
        .header(
            "cookie",
            format!("ws_session={token}; ws_csrf=test-csrf; ws_lang=en"),
        )
        .form(&fields)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn web_pages_show_and_set_the_policy_and_act_on_members(b: Backend) {
    let app = TestApp::spawn(b).await;
    let o = org(&app).await;
    let (status, html) = web_get(&app, &o.owner, &format!("/orgs/{}", o.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("/orgs/{}/policy", o.id)),
        "the enterprise page links to it"
    );
    // A member is told they may not; the owner sees the form.
    let (status, html) = web_get(&app, &o.member, &format!("/orgs/{}/policy", o.id)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
    let (status, html) = web_get(&app, &o.owner, &format!("/orgs/{}/policy", o.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"org-policy\""));
    let (status, html) = web_post(
        &app,
        &o.owner,
        &format!("/orgs/{}/policy", o.id),
        &[
            ("require_second_factor", "any"),
            ("grace_days", "0"),
            ("password_min_length", "20"),
            ("allowed_networks", "127.0.0.0/8\n10.0.0.0/8"),
            ("support_needs_admin", "on"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"policy-saved\""), "{html}");
    let p = app
        .get(&format!("/api/v1/orgs/{}/policy", o.id), Some(&o.owner))
        .await;
    assert_eq!(p.body["require_second_factor"], "any");
    assert_eq!(p.body["password_min_length"], 20);
    assert_eq!(
        p.body["allowed_networks"],
        json!(["127.0.0.0/8", "10.0.0.0/8"])
    );
    assert_eq!(p.body["support_needs_admin"], true);
    let (status, html) = web_post(
        &app,
        &o.owner,
        &format!("/orgs/{}/policy", o.id),
        &[
            ("require_second_factor", "any"),
            ("allowed_networks", "office"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    // The member: the enterprise's chat explains and points to the set-up; the password page
    // tells the enterprise's rule.
    let (status, html) = web_get(&app, &o.member, &format!("/chat/{}", o.conversation)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        html.contains("requires two-factor authentication"),
        "{html}"
    );
    assert!(html.contains("href=\"/settings/security\""), "{html}");
    let (_, html) = web_get(&app, &o.member, "/settings/password").await;
    assert!(html.contains("at least 20 characters"), "{html}");
    // The security view, and an action on a member from it.
    let (status, html) = web_get(&app, &o.owner, &format!("/orgs/{}/security", o.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Policy changed"), "{html}");
    let (status, _) = web_post(
        &app,
        &o.owner,
        &format!("/orgs/{}/security/members/{}/act", o.id, o.member_id),
        &[("action", "suspend")],
    )
    .await;
    assert!(
        status.is_redirection() || status == StatusCode::OK,
        "{status}"
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&o.member)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let (_, html) = web_get(
        &app,
        &o.owner,
        &format!("/orgs/{}/security?filter=no_second_factor", o.id),
    )
    .await;
    assert!(html.contains("suspended"), "{html}");
    // Offboarding from the page: the form names who takes the groups over; then undone.
    let (third_id, _) = join(&app, &o, "third@example.com").await;
    let (_, html) = web_get(&app, &o.owner, &format!("/orgs/{}/security", o.id)).await;
    assert!(html.contains("class=\"member-offboard\""), "{html}");
    let act = format!("/orgs/{}/security/members/{third_id}/act", o.id);
    let status_of = |body: &Value, id: &str| {
        body.as_array()
            .unwrap()
            .iter()
            .find(|m| m["account_id"] == id)
            .map(|m| m["status"].as_str().unwrap().to_owned())
    };
    let posture = format!("/api/v1/orgs/{}/security/members", o.id);
    let (status, _) = web_post(
        &app,
        &o.owner,
        &act,
        &[("action", "offboard"), ("successor_id", &third_id)],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "not to themselves");
    let (status, _) = web_post(
        &app,
        &o.owner,
        &act,
        &[("action", "offboard"), ("successor_id", &o.member_id)],
    )
    .await;
    // Back to the security view (the client follows the redirect).
    assert_eq!(status, StatusCode::OK);
    let p = app.get(&posture, Some(&o.owner)).await;
    assert_eq!(status_of(&p.body, &third_id).as_deref(), Some("offboarded"));
    let (_, html) = web_get(&app, &o.owner, &format!("/orgs/{}/security", o.id)).await;
    assert!(html.contains("class=\"member-undo-offboard\""), "{html}");
    let (status, _) = web_post(&app, &o.owner, &act, &[("action", "undo-offboard")]).await;
    assert_eq!(status, StatusCode::OK);
    let p = app.get(&posture, Some(&o.owner)).await;
    assert_eq!(status_of(&p.body, &third_id).as_deref(), Some("active"));
}

/// Invites `email` (registered now) into the enterprise; returns `(account_id, token)`.
async fn join(app: &TestApp, o: &Org, email: &str) -> (String, String) {
    let id = app.register("email", email, "third", PW).await;
    let token = app.token(email, PW).await;
    app.join_org(&o.id, &o.owner, email, &token).await;
    (id, token)
}

async fn offboarding_hands_groups_over_keeps_messages_and_can_be_undone(b: Backend) {
    let app = TestApp::spawn(b).await;
    let o = org(&app).await;
    let owner_id = app
        .get("/api/v1/me", Some(&o.owner))
        .await
        .str("account_id");
    let (third_id, third) = join(&app, &o, "third@example.com").await;
    // The member owns a group of the enterprise and wrote in the direct chat.
    let g = app
        .post_auth(
            "/api/v1/conversations",
            &o.member,
            json!({"member_ids": [owner_id, third_id], "title": "销售部"}),
        )
        .await;
    assert_eq!(g.status, StatusCode::CREATED, "{:?}", g.body);
    let group = g.str("conversation_id");
    assert_eq!(
        send(&app, &o.member, &group, "g1").await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        send(&app, &o.member, &o.conversation, "d1").await.status,
        StatusCode::CREATED
    );
    let offboard = path(&o, &o.member_id, "offboard");
    // The successor must be a member of the enterprise; nobody offboards themselves.
    app.register("email", "stranger@example.com", "s", PW).await;
    let stranger_id = app
        .get(
            "/api/v1/me",
            Some(&app.token("stranger@example.com", PW).await),
        )
        .await
        .str("account_id");
    let r = app
        .post_auth(&offboard, &o.owner, json!({"successor_id": stranger_id}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    let r = app
        .post_auth(
            &path(&o, &owner_id, "offboard"),
            &o.owner,
            json!({"successor_id": third_id}),
        )
        .await;
    assert_eq!(r.code(), "own_membership");
    let r = app
        .post_auth(&offboard, &o.owner, json!({"successor_id": third_id}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let r = app
        .post_auth(&offboard, &o.owner, json!({"successor_id": third_id}))
        .await;
    assert_eq!(r.code(), "already_offboarded");
    // The group: the successor owns it, the member is out, their message stays.
    let d = app
        .get(&format!("/api/v1/conversations/{group}"), Some(&third))
        .await;
    let roles: Vec<(String, String)> = d.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["account_id"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        roles.contains(&(third_id.clone(), "owner".into())),
        "{roles:?}"
    );
    assert!(!roles.iter().any(|(id, _)| *id == o.member_id), "{roles:?}");
    let h = history(&app, &third, &group).await;
    assert_eq!(h.body["messages"][0]["client_msg_id"], "g1");
    // The direct chat stays readable for the colleague; the member is shut out.
    let h = history(&app, &o.owner, &o.conversation).await;
    assert_eq!(h.body["messages"][0]["client_msg_id"], "d1");
    let t = app.token(MEMBER, PW).await;
    refused(
        &history(&app, &t, &o.conversation).await,
        "member_suspended",
        &o.id,
    );
    let st = app
        .get(
            &format!("/api/v1/orgs/{}/security/members", o.id),
            Some(&o.owner),
        )
        .await;
    assert!(
        st.body
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["account_id"] == o.member_id.as_str() && m["status"] == "offboarded"),
        "{:?}",
        st.body
    );
    assert_eq!(
        app.post_auth(&path(&o, &o.member_id, "reinstate"), &o.owner, json!({}))
            .await
            .code(),
        "offboarded"
    );
    // Undo: back in the group with the former role, the chats open again.
    let undo = format!("{offboard}/undo");
    let r = app.post_auth(&undo, &o.owner, json!({})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(
        app.post_auth(&undo, &o.owner, json!({})).await.code(),
        "not_offboarded"
    );
    let d = app
        .get(&format!("/api/v1/conversations/{group}"), Some(&t))
        .await;
    assert_eq!(d.status, StatusCode::OK, "{:?}", d.body);
    let mine = d.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["account_id"] == o.member_id.as_str())
        .cloned()
        .unwrap();
    assert_eq!(mine["role"], "owner");
    assert_eq!(
        history(&app, &t, &o.conversation).await.status,
        StatusCode::OK
    );
    // After 30 days there is no undo.
    let r = app
        .post_auth(&offboard, &o.owner, json!({"successor_id": third_id}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    app.exec("UPDATE org_offboardings SET undo_until = undo_until - 2678400000")
        .await;
    assert_eq!(
        app.post_auth(&undo, &o.owner, json!({})).await.code(),
        "undo_expired"
    );
}

/// Search and files are reads of the enterprise's conversations too: a session the policy
/// refuses finds nothing there and fetches none of its files, and the refusal names the rule
/// when it asks for that conversation by id.
async fn search_and_files_meet_the_policy(b: Backend) {
    let app = TestApp::spawn(b).await;
    let o = org(&app).await;
    let r = app
        .post_auth(
            &format!("/api/v1/conversations/{}/messages", o.conversation),
            &o.owner,
            json!({"client_msg_id": "q1", "body": "报价单下午发你"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"quote 1: 12 units".to_vec())
            .file_name("报价单.txt")
            .mime_str("text/plain")
            .unwrap(),
    );
    let up = app.upload_form(&o.owner, &o.conversation, "", form).await;
    assert_eq!(up.status, StatusCode::CREATED, "{:?}", up.body);
    let file = up.body["attachment"]["file_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let search = |conversation: Option<&str>| {
        let path = match conversation {
            Some(c) => {
                format!("/api/v1/search/messages?q=%E6%8A%A5%E4%BB%B7%E5%8D%95&conversation_id={c}")
            }
            None => "/api/v1/search/messages?q=%E6%8A%A5%E4%BB%B7%E5%8D%95".to_owned(),
        };
        let app = &app;
        let token = o.member.clone();
        async move { app.get(&path, Some(&token)).await }
    };
    let download = |token: String| {
        let url = format!("{}/api/v1/files/{file}", app.base);
        let client = app.client.clone();
        async move {
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    // Admitted: the message and the file (by its name) are found, the file is served.
    let found = search(None).await;
    assert_eq!(found.status, StatusCode::OK, "{:?}", found.body);
    assert_eq!(
        found.body["hits"].as_array().unwrap().len(),
        2,
        "{:?}",
        found.body
    );
    assert_eq!(download(o.member.clone()).await, StatusCode::OK);

    set_policy(&app, &o, json!({"allowed_networks": ["10.0.0.0/8"]})).await;
    let hidden = search(None).await;
    assert_eq!(hidden.status, StatusCode::OK, "{:?}", hidden.body);
    assert!(
        hidden.body["hits"].as_array().unwrap().is_empty(),
        "{:?}",
        hidden.body
    );
    refused(
        &search(Some(&o.conversation)).await,
        "policy_network",
        &o.id,
    );
    assert_eq!(download(o.member.clone()).await, StatusCode::FORBIDDEN);

    set_policy(&app, &o, json!({"allowed_networks": []})).await;
    assert_eq!(search(None).await.body["hits"].as_array().unwrap().len(), 2);
    assert_eq!(download(o.member.clone()).await, StatusCode::OK);
}

on_both_backends!(
    search_and_files_meet_the_policy,
    offboarding_hands_groups_over_keeps_messages_and_can_be_undone,
    web_pages_show_and_set_the_policy_and_act_on_members,
    a_blocked_session_gets_no_events_of_the_enterprise,
    the_security_view_and_audit_log_show_posture_never_secrets,
    the_audit_log_tells_logins_and_refusals,
    members_are_asked_to_reverify_a_binding,
    conversations_from_before_policy_get_their_enterprise,
    support_recovery_waits_for_an_admin_when_the_policy_says_so,
    enterprise_password_rules_apply_at_change_and_reset,
    owners_and_admins_sign_a_member_out_everywhere,
    suspended_members_lose_the_enterprise_only_until_reinstated,
    policy_is_for_owners_and_admins_only,
    second_factor_is_required_after_the_grace_period,
    allowed_networks_refuse_other_addresses,
    session_limits_end_access_to_the_enterprise_only,
    conversations_belong_to_the_enterprise_their_members_share,
);

/// Whether the conversation belongs to the enterprise.
async fn in_org(app: &TestApp, o: &Org, conversation: &str) -> bool {
    app.count(&format!(
        "SELECT COUNT(*) FROM conversations WHERE id = '{conversation}' AND org_id = '{}'",
        o.id
    ))
    .await
        == 1
}

/// Migration 0023: a conversation from before enterprise policy gets the one enterprise all its
/// members share now; none or several shared, or made since policy existed: left alone. (The
/// rows are written as an older version left them, then the migration runs again.)
async fn conversations_from_before_policy_get_their_enterprise(b: Backend) {
    let app = TestApp::spawn(b).await;
    let o = org(&app).await;
    let ids: Vec<String> = {
        let owner = app
            .get("/api/v1/me", Some(&o.owner))
            .await
            .str("account_id");
        vec![owner, o.member_id.clone()]
    };
    let old = |id: &str, members: &[&str]| {
        let mut sql = format!(
            "INSERT INTO conversations (id, kind, title, created_by, created_at, last_seq) \
             VALUES ('{id}', 'group', 'old', '{}', 1, 0);",
            members[0]
        );
        for m in members {
            sql.push_str(&format!(
                "INSERT INTO conversation_members (conversation_id, account_id, role, joined_at, \
                 read_seq) VALUES ('{id}', '{m}', 'member', 1, 0);"
            ));
        }
        sql
    };
    let loner = app
        .register("email", "loner@example.com", "loner", PW)
        .await;
    // The member and `twice` share two enterprises: which one is not for a migration to guess.
    let twice = app
        .register("email", "twice@example.com", "twice", PW)
        .await;
    let twice_token = app.token("twice@example.com", PW).await;
    for name in ["乙公司", "丙公司"] {
        let org = app
            .post_auth("/api/v1/orgs", &o.member, json!({ "name": name }))
            .await;
        app.join_org(&org.str("id"), &o.member, "twice@example.com", &twice_token)
            .await;
    }
    for sql in [
        old("oldshared", &[&ids[0], &ids[1]]),
        old("oldexternal", &[&ids[0], &loner]),
        old("oldtwo", &[&ids[1], &twice]),
    ] {
        for stmt in sql.split(';').filter(|s| !s.trim().is_empty()) {
            app.exec(stmt).await;
        }
    }
    // The conversation the test set-up made just now, without an enterprise as an older
    // version would have: made since policy existed, so it stays as it is.
    app.exec(&format!(
        "UPDATE conversations SET org_id = NULL WHERE id = '{}'",
        o.conversation
    ))
    .await;
    app.exec("DELETE FROM _sqlx_migrations WHERE version = 23")
        .await;
    let store = store::connect(&app.database_url).await.unwrap();
    store::migrate(&store).await.unwrap();
    assert!(in_org(&app, &o, "oldshared").await);
    assert!(!in_org(&app, &o, "oldexternal").await);
    assert!(!in_org(&app, &o, &o.conversation).await);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM conversations WHERE id IN ('oldexternal', 'oldtwo') \
             AND org_id IS NULL"
        )
        .await,
        2
    );
    // The backfilled conversation now meets the enterprise's policy.
    set_policy(&app, &o, json!({"allowed_networks": ["10.0.0.0/8"]})).await;
    refused(
        &history(&app, &o.member, "oldshared").await,
        "policy_network",
        &o.id,
    );
}
