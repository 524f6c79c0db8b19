//! Support-desk recovery (SPEC §4, SECURITY 40–44): tickets from a proven contact, the status
//! link that tells nothing about the account, evidence and its public-facts cap, trusted
//! colleagues and enterprise admins, agents with the role and two-factor on, the audit trail,
//! the cancel link, and completion after the waiting period.

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use testkit::{Backend, Config, StatusCode, TestApp, json, link_token, on_both_backends};

const PW: &str = "blue lantern over quiet harbor";
const NEW_PW: &str = "seven green kites at dawn";

/// Tests open several tickets from one contact; codes may follow each other at once.
fn fast(c: &mut Config) {
    c.codes.resend_interval_secs = 0;
    c.support.trusted_activation_secs = 0;
    c.support.waiting_period_secs = 0;
}

async fn spawn(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
    TestApp::spawn_with(backend, |c| {
        fast(c);
        tweak(c);
    })
    .await
}

/// Proves `contact` with a `support_contact` code and opens a ticket; returns the answer.
async fn file(app: &TestApp, contact: &str, claims: Value) -> testkit::Resp {
    let seen = codes(app, contact).await;
    let v = app
        .post(
            "/api/v1/verifications",
            json!({"purpose": "support_contact", "channel": "email", "destination": contact}),
        )
        .await;
    if v.status != StatusCode::ACCEPTED {
        return v;
    }
    let code = fresh_code(app, contact, &seen).await;
    app.post(
        "/api/v1/support/tickets",
        json!({"contact_verification_id": v.str("verification_id"), "contact_code": code,
               "claims": claims, "description": "I lost my phone"}),
    )
    .await
}

/// The codes `contact` has received.
async fn codes(app: &TestApp, contact: &str) -> Vec<String> {
    app.messages_to(contact)
        .await
        .iter()
        .filter_map(|m| m["code"].as_str().map(str::to_owned))
        .collect()
}

/// Waits for a code `contact` had not received before (notices may arrive in between).
async fn fresh_code(app: &TestApp, contact: &str, seen: &[String]) -> String {
    for _ in 0..200 {
        if let Some(c) = codes(app, contact)
            .await
            .into_iter()
            .find(|c| !seen.contains(c))
        {
            return c;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no new code for {contact}");
}

/// Opens a ticket and returns `(ticket_no, status_token)`.
async fn open(app: &TestApp, contact: &str, claims: Value) -> (String, String) {
    let r = file(app, contact, claims).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    (r.str("ticket_no"), r.str("status_token"))
}

async fn status(app: &TestApp, no: &str, token: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/support/tickets/{no}?token={token}"), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

/// Turns TOTP on for an account as a confirmed enrolment would leave it.
async fn with_2fa(app: &TestApp, account_id: &str) {
    app.exec(&format!(
        "INSERT INTO totp_secrets (account_id, sealed_secret, confirmed_at, last_step, created_at) \
         VALUES ('{account_id}', 'sealed', 1, 0, 1)"
    ))
    .await;
}

/// Registers an agent (the role given as `wangshang admin agent add` does), with or without
/// two-factor; returns the agent's token.
async fn agent(app: &TestApp, email: &str, two_factor: bool) -> String {
    let id = app.register("email", email, "agent", PW).await;
    let token = app.token(email, PW).await;
    assert_eq!(app.app().set_support_agent(email, true).await.unwrap(), id);
    if two_factor {
        with_2fa(app, &id).await;
    }
    token
}

/// Registers a member and puts them in the enterprise; returns `(id, token)`.
async fn member(
    app: &TestApp,
    org: &str,
    email: &str,
    nickname: &str,
    role: &str,
) -> (String, String) {
    let id = app.register("email", email, nickname, PW).await;
    let token = app.token(email, PW).await;
    app.exec(&format!(
        "INSERT INTO org_members (org_id, account_id, role, joined_at, left_at) \
         VALUES ('{org}', '{id}', '{role}', 1, NULL)"
    ))
    .await;
    (id, token)
}

/// An enterprise named `name`, created by a fresh owner; returns `(org_id, owner_token)`.
async fn enterprise(app: &TestApp, name: &str) -> (String, String) {
    app.register("email", "boss@example.com", "老板", PW).await;
    let token = app.token("boss@example.com", PW).await;
    let r = app
        .post_auth("/api/v1/orgs", &token, json!({"name": name}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    (r.str("id"), token)
}

/// A borderline ticket from `contact` about owner@example.com of 旺商科技: the e-mail, the
/// nickname, the enterprise and the month the account was opened (confirmations need one kind
/// of private evidence of the ticket's own); returns its number.
async fn open_borderline(app: &TestApp, contact: &str) -> String {
    let month = domain::clock::human(domain::clock::now_ms())[..7].to_owned();
    let claims = json!({"email": "owner@example.com", "nicknames": ["张伟"],
                        "enterprise": "旺商科技", "created_around": month});
    open(app, contact, claims).await.0
}

async fn view(app: &TestApp, agent: &str, no: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/agent/tickets/{no}"), Some(agent))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

async fn decide(app: &TestApp, agent: &str, no: &str, decision: &str) -> testkit::Resp {
    app.post_auth(
        &format!("/api/v1/agent/tickets/{no}/decision"),
        agent,
        json!({"decision": decision, "note": "checked the evidence"}),
    )
    .await
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

async fn requester_view_never_tells_whether_an_account_matched(backend: Backend) {
    let app = spawn(backend, |_| {}).await;
    let owner = app.register("email", "owner@example.com", "张伟", PW).await;
    let (real, real_token) = open(
        &app,
        "me@example.net",
        json!({"email": "owner@example.com", "nicknames": ["张伟"]}),
    )
    .await;
    let (none, none_token) = open(
        &app,
        "other@example.net",
        json!({"email": "nobody@example.com", "nicknames": ["张伟"]}),
    )
    .await;
    let a = status(&app, &real, &real_token).await;
    let b = status(&app, &none, &none_token).await;
    assert_eq!(keys(&a), keys(&b));
    assert_eq!(keys(&a), ["status", "ticket_no", "updated_at"]);
    assert_eq!(a["status"], b["status"]);
    for body in [&a, &b] {
        let text = body.to_string();
        assert!(
            !text.contains(&owner) && !text.contains("张伟") && !text.contains("owner@"),
            "{text}"
        );
    }
    // A wrong token looks like an unknown ticket.
    let wrong = app
        .get(
            &format!("/api/v1/support/tickets/{real}?token={none_token}"),
            None,
        )
        .await;
    let unknown = app
        .get(
            &format!("/api/v1/support/tickets/WS0000000000?token={none_token}"),
            None,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    assert_eq!(wrong.body, unknown.body);
    // The account's channel is told; the requester's contact gets the same notice for both.
    let owner_mail = app.wait_for_messages("owner@example.com", 2).await;
    assert!(owner_mail[0]["body"].as_str().unwrap().contains(&real));
    // (Both contacts got their code and the "ticket opened" notice; wait for the delivery worker.)
    let mine = app.wait_for_messages("me@example.net", 2).await;
    let theirs = app.wait_for_messages("other@example.net", 2).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (mine_now, theirs_now) = (
        app.messages_to("me@example.net").await,
        app.messages_to("other@example.net").await,
    );
    assert_eq!(
        (mine.len(), theirs.len()),
        (mine_now.len(), theirs_now.len())
    );
    assert_eq!(mine.len(), theirs.len());
    // Both end the same way when rejected.
    let agent = agent(&app, "agent@example.com", true).await;
    for no in [&real, &none] {
        assert_eq!(
            decide(&app, &agent, no, "reject").await.status,
            StatusCode::OK
        );
    }
    let a = status(&app, &real, &real_token).await;
    let b = status(&app, &none, &none_token).await;
    assert_eq!(keys(&a), keys(&b));
    assert_eq!(a["status"], "rejected");
    assert_eq!((&a["status"], &a["message"]), (&b["status"], &b["message"]));
    assert!(
        a["message"]
            .as_str()
            .unwrap()
            .contains("could not be verified")
    );
}

async fn public_facts_alone_are_never_likely_owner(backend: Backend) {
    let app = spawn(backend, |_| {}).await;
    let (org, _) = enterprise(&app, "旺商网络科技").await;
    let (victim, _) = member(&app, &org, "victim@example.com", "张伟", "member").await;
    // The impostor knows the nickname (written in pinyin) and the enterprise.
    let (no, _) = open(
        &app,
        "impostor@example.net",
        json!({"nicknames": ["zhang wei"], "enterprise": "旺商网络科技"}),
    )
    .await;
    let agent = agent(&app, "agent@example.com", true).await;
    let v = view(&app, &agent, &no).await;
    let c = v["candidates"].as_array().unwrap();
    assert_eq!(c.len(), 1, "{v}");
    assert_eq!(c[0]["account_id"], victim.as_str());
    assert_eq!(c[0]["reason"], "nickname");
    let rec = c[0]["evidence"]["recommendation"].as_str().unwrap();
    assert!(rec == "likely_impostor" || rec == "uncertain", "{v}");
    assert!(c[0]["evidence"]["score"].as_u64().unwrap() <= 40);
    let items = c[0]["evidence"]["items"].as_array().unwrap();
    // The nickname in pinyin is the current name — and still only a public fact.
    assert!(
        items
            .iter()
            .any(|i| i["claim"] == "nickname" && i["code"] == "nickname_pinyin"),
        "{items:?}"
    );
    assert_eq!(c[0]["evidence"]["private_points"], 0, "{v}");
    // No account is attached before an agent picks it, so no colleague was asked.
    assert!(v.get("account_id").is_none());
}

async fn trusted_colleagues_and_admins_add_evidence(backend: Backend) {
    let app = spawn(backend, |_| {}).await;
    let (org, boss) = enterprise(&app, "旺商科技").await;
    let (owner, owner_token) = member(&app, &org, "owner@example.com", "张伟", "member").await;
    let mut colleagues = Vec::new();
    for (i, name) in ["李娜", "王芳", "刘洋"].iter().enumerate() {
        colleagues.push(member(&app, &org, &format!("c{i}@example.com"), name, "member").await);
    }
    let outsider = app.register("email", "out@example.com", "外人", PW).await;
    // The list: 2–5 colleagues only.
    let ids: Vec<&str> = colleagues.iter().map(|c| c.0.as_str()).collect();
    let r = app
        .put_auth(
            "/api/v1/me/trusted-contacts",
            &owner_token,
            json!({"account_ids": [ids[0]]}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "trusted_contacts_count")
    );
    let r = app
        .put_auth(
            "/api/v1/me/trusted-contacts",
            &owner_token,
            json!({"account_ids": [ids[0], outsider]}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "not_a_colleague")
    );
    let r = app
        .put_auth(
            "/api/v1/me/trusted-contacts",
            &owner_token,
            json!({"account_ids": ids}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["trusted_contacts"].as_array().unwrap().len(), 3);
    assert!(r.body["trusted_contacts"][0]["active_from"].is_string());
    let notice = app.wait_for_messages("owner@example.com", 2).await;
    assert!(
        notice[0]["body"].as_str().unwrap().contains("可信同事"),
        "{notice:?}"
    );

    let no = open_borderline(&app, "me@example.net").await;
    let agent = agent(&app, "agent@example.com", true).await;
    let v = view(&app, &agent, &no).await;
    assert_eq!(v["account_id"], owner.as_str());
    assert_eq!(
        v["candidates"][0]["evidence"]["recommendation"], "uncertain",
        "{v}"
    );
    // Each trusted colleague was asked in-app, seeing who asks and from where.
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM stream_events WHERE kind = 'vouch.requested' AND account_id = '{}'", ids[0])).await, 1);
    let mut requests = Vec::new();
    for (_, token) in &colleagues {
        let r = app.get("/api/v1/me/vouch-requests", Some(token)).await;
        let req = r.body["requests"][0].clone();
        assert_eq!(req["nickname"], "张伟", "{:?}", r.body);
        assert_eq!(req["requester_ip"], "127.0.0.1");
        assert!(!req["requester_device"].as_str().unwrap().is_empty());
        requests.push(req["id"].as_str().unwrap().to_owned());
    }
    // Someone else's request is not theirs to answer.
    let r = app
        .post_auth(
            &format!("/api/v1/me/vouch-requests/{}", requests[0]),
            &colleagues[1].1,
            json!({"answer": "confirm"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    for i in 0..2 {
        let r = app
            .post_auth(
                &format!("/api/v1/me/vouch-requests/{}", requests[i]),
                &colleagues[i].1,
                json!({"answer": "confirm"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    let r = app
        .post_auth(
            &format!("/api/v1/me/vouch-requests/{}", requests[0]),
            &colleagues[0].1,
            json!({"answer": "deny"}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "already_answered")
    );
    let v = view(&app, &agent, &no).await;
    let ev = &v["candidates"][0]["evidence"];
    assert_eq!(ev["recommendation"], "likely_owner", "{v}");
    assert!(
        ev["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["claim"] == "trusted_colleagues" && i["result"] == "matched")
    );
    assert!(v["flags"].as_array().unwrap().is_empty());
    // A deny flags the ticket and counts against.
    let r = app
        .post_auth(
            &format!("/api/v1/me/vouch-requests/{}", requests[2]),
            &colleagues[2].1,
            json!({"answer": "deny"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let v = view(&app, &agent, &no).await;
    assert_eq!(v["flags"], json!(["colleague_denied"]));
    assert_ne!(
        v["candidates"][0]["evidence"]["recommendation"],
        "likely_owner"
    );

    // Enterprise admins: the owner of the enterprise sees it; a plain member may not.
    let r = app
        .get(
            &format!("/api/v1/orgs/{org}/recovery-requests"),
            Some(&colleagues[0].1),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "not_org_admin")
    );
    let r = app
        .get(
            &format!("/api/v1/orgs/{org}/recovery-requests"),
            Some(&boss),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.body["requests"][0]["ticket_no"],
        no.as_str(),
        "{:?}",
        r.body
    );
    assert_eq!(r.body["requests"][0]["nickname"], "张伟");
    let r = app
        .post_auth(
            &format!("/api/v1/orgs/{org}/recovery-requests/{no}"),
            &boss,
            json!({"answer": "deny"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let v = view(&app, &agent, &no).await;
    assert_eq!(v["admin_answers"][0]["answer"], "deny");
    assert_eq!(v["admin_answers"][0]["org_name"], "旺商科技");
    assert!(
        v["flags"]
            .as_array()
            .unwrap()
            .contains(&json!("admin_denied"))
    );
}

async fn a_colleague_helps_at_most_three_times_a_month(backend: Backend) {
    let app = spawn(backend, |c| c.support.tickets_per_ip_day = 100).await;
    let (org, _) = enterprise(&app, "旺商科技").await;
    let (_, owner_token) = member(&app, &org, "owner@example.com", "张伟", "member").await;
    let (a, _) = member(&app, &org, "a@example.com", "李娜", "member").await;
    let (b, _) = member(&app, &org, "b@example.com", "王芳", "member").await;
    let r = app
        .put_auth(
            "/api/v1/me/trusted-contacts",
            &owner_token,
            json!({"account_ids": [a, b]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    for i in 0..4 {
        open(
            &app,
            &format!("r{i}@example.net"),
            json!({"email": "owner@example.com"}),
        )
        .await;
    }
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM support_vouches WHERE voucher_id = '{a}'"
        ))
        .await,
        3
    );
    // A denied request does not use up the colleague's help (tickets filed to exhaust it).
    let first = app
        .count(&format!(
            "SELECT COUNT(*) FROM support_vouches WHERE voucher_id = '{a}' AND answer IS NULL"
        ))
        .await;
    assert_eq!(first, 3);
    app.exec(&format!(
        "UPDATE support_vouches SET answer = 'deny' WHERE voucher_id = '{a}'"
    ))
    .await;
    open(
        &app,
        "r5@example.net",
        json!({"email": "owner@example.com"}),
    )
    .await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM support_vouches WHERE voucher_id = '{a}'"
        ))
        .await,
        4
    );
    // Confirmations count; older than the window they no longer do.
    app.exec(&format!(
        "UPDATE support_vouches SET answer = 'confirm' WHERE voucher_id = '{a}'"
    ))
    .await;
    open(
        &app,
        "r6@example.net",
        json!({"email": "owner@example.com"}),
    )
    .await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM support_vouches WHERE voucher_id = '{a}'"
        ))
        .await,
        4
    );
    app.exec("UPDATE support_vouches SET created_at = 0").await;
    open(
        &app,
        "r9@example.net",
        json!({"email": "owner@example.com"}),
    )
    .await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM support_vouches WHERE voucher_id = '{a}'"
        ))
        .await,
        5
    );
}

async fn agents_need_the_role_and_two_factor_and_every_action_is_audited(backend: Backend) {
    let app = spawn(backend, |_| {}).await;
    let owner = app.register("email", "owner@example.com", "张伟", PW).await;
    let (no, token) = open(&app, "me@example.net", json!({"nicknames": ["张伟"]})).await;
    // Not an agent: nothing.
    let user = app.token("owner@example.com", PW).await;
    let r = app.get("/api/v1/agent/tickets", Some(&user)).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "not_support_agent")
    );
    let r = app
        .get(&format!("/api/v1/agent/tickets/{no}"), Some(&user))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "not_support_agent")
    );
    assert_eq!(
        decide(&app, &user, &no, "approve").await.code(),
        "not_support_agent"
    );
    assert_eq!(
        app.get("/api/v1/agent/tickets", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    // An agent without two-factor cannot view, pick or decide.
    let weak = agent(&app, "weak@example.com", false).await;
    assert_eq!(
        decide(&app, &weak, &no, "approve").await.code(),
        "agent_needs_2fa"
    );
    let r = app
        .post_auth(
            &format!("/api/v1/agent/tickets/{no}/candidate"),
            &weak,
            json!({"account_id": owner}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "agent_needs_2fa")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM support_audit WHERE action <> 'opened'")
            .await,
        0
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM support_tickets WHERE status = 'open' AND account_id IS NULL"
        )
        .await,
        1
    );
    // With two-factor: queue, view, pick, ask for more, each audited.
    let agent_id = app
        .register("email", "agent@example.com", "agent", PW)
        .await;
    let strong = app.token("agent@example.com", PW).await;
    app.app().set_support_agent(&agent_id, true).await.unwrap();
    with_2fa(&app, &agent_id).await;
    let q = app
        .get("/api/v1/agent/tickets?status=open", Some(&strong))
        .await;
    assert_eq!(q.status, StatusCode::OK);
    assert_eq!(q.body["tickets"][0]["ticket_no"], no.as_str());
    view(&app, &strong, &no).await;
    let r = app
        .post_auth(
            &format!("/api/v1/agent/tickets/{no}/candidate"),
            &strong,
            json!({"account_id": owner}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["account_id"], owner.as_str());
    let r = app
        .post_auth(
            &format!("/api/v1/agent/tickets/{no}/decision"),
            &strong,
            json!({"decision": "need_info", "note": "Which city did you sign in from?"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let actions = ["viewed", "picked_candidate", "need_info"];
    for a in actions {
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM support_audit WHERE actor = '{agent_id}' AND action = '{a}'"
            ))
            .await,
            1,
            "{a}"
        );
    }
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM security_events WHERE account_id = '{agent_id}' AND kind LIKE 'support_%'")).await, 4);
    // The requester sees what is needed next and answers through the status link.
    let s = status(&app, &no, &token).await;
    assert_eq!(s["status"], "need_info");
    assert_eq!(s["message"], "Which city did you sign in from?");
    let r = app
        .post(
            &format!("/api/v1/support/tickets/{no}/replies"),
            json!({"status_token": token, "text": "Hangzhou"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["status"], "open");
    let v = view(&app, &strong, &no).await;
    assert_eq!(v["replies"][1]["text"], "Hangzhou");
    // Bad input is a 4xx with a code, never a half-applied change.
    let r = app
        .post_auth(
            &format!("/api/v1/agent/tickets/{no}/decision"),
            &strong,
            json!({"decision": "maybe", "note": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app
        .post_auth(
            &format!("/api/v1/agent/tickets/{no}/candidate"),
            &strong,
            json!({"account_id": "nope"}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "unknown_account")
    );
    // No agent call carries or shows a password.
    assert!(!v.to_string().contains("password"));
}

async fn a_cancel_stops_the_recovery_for_good(backend: Backend) {
    let app = spawn(backend, |c| c.support.waiting_period_secs = 3600).await;
    let owner = app.register("email", "owner@example.com", "张伟", PW).await;
    let (no, token) = open(
        &app,
        "me@example.net",
        json!({"email": "owner@example.com"}),
    )
    .await;
    let agent = agent(&app, "agent@example.com", true).await;
    let r = decide(&app, &agent, &no, "approve").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(status(&app, &no, &token).await["status"], "approved");
    // Before the waiting period ends: 409 waiting.
    let r = app
        .post(
            &format!("/api/v1/support/tickets/{no}/code"),
            json!({"status_token": token}),
        )
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "waiting"));
    let r = app
        .post(
            &format!("/api/v1/support/tickets/{no}/complete"),
            json!({"status_token": token, "code": "123456", "new_password": NEW_PW}),
        )
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "waiting"));
    // The owner's channel got the approval with a cancel link.
    let mail = app.wait_for_messages("owner@example.com", 3).await;
    let body = mail
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .find(|b| b.contains("/support/cancel"))
        .expect("approval notice");
    let cancel = link_token(body, "&token=");
    let r = app
        .post(
            &format!("/api/v1/support/tickets/{no}/cancel"),
            json!({"cancel_token": "wrong"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::GONE);
    let r = app
        .post(
            &format!("/api/v1/support/tickets/{no}/cancel"),
            json!({"cancel_token": cancel}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    // Even after the waiting period, it stays stopped.
    app.exec("UPDATE support_tickets SET wait_until = 0").await;
    let r = app
        .post(
            &format!("/api/v1/support/tickets/{no}/code"),
            json!({"status_token": token}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "ticket_closed")
    );
    let r = app
        .post(
            &format!("/api/v1/support/tickets/{no}/complete"),
            json!({"status_token": token, "code": "123456", "new_password": NEW_PW}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "ticket_closed")
    );
    assert_eq!(status(&app, &no, &token).await["status"], "cancelled");
    // The agent sees it flagged, and the old password still works.
    let v = view(&app, &agent, &no).await;
    assert_eq!(v["flags"], json!(["cancelled_by_owner"]));
    let trail = v["audit"].as_array().unwrap();
    let by = |action: &str| {
        trail
            .iter()
            .find(|a| a["action"] == action)
            .unwrap_or_else(|| panic!("no {action} in {trail:?}"))
    };
    // People in the trail are named as the console shows them: an account by its nickname, the
    // owner's cancel link and the requester by their role.
    assert_eq!(by("cancelled_by_owner")["actor"], "owner");
    assert_eq!(by("cancelled_by_owner")["actor_nickname"], Value::Null);
    assert_eq!(by("opened")["actor_nickname"], Value::Null);
    assert_eq!(by("viewed")["actor_nickname"], "agent");
    assert_eq!(by("approve")["actor_nickname"], "agent");
    assert_eq!(
        decide(&app, &agent, &no, "approve").await.code(),
        "ticket_closed"
    );
    app.token("owner@example.com", PW).await;
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM security_events WHERE account_id = '{owner}' AND kind = 'support_recovery_cancelled'")).await, 1);
}

async fn completion_revokes_sessions_resets_two_factor_and_keeps_trusted_colleagues(
    backend: Backend,
) {
    let app = spawn(backend, |_| {}).await;
    let (org, _) = enterprise(&app, "旺商科技").await;
    let (owner, old_token) = member(&app, &org, "owner@example.com", "张伟", "member").await;
    let (a, _) = member(&app, &org, "a@example.com", "李娜", "member").await;
    let (b, _) = member(&app, &org, "b@example.com", "王芳", "member").await;
    let r = app
        .put_auth(
            "/api/v1/me/trusted-contacts",
            &old_token,
            json!({"account_ids": [a, b]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    with_2fa(&app, &owner).await;
    let r = app.login("owner@example.com", PW).await;
    assert_eq!(
        r.status,
        StatusCode::ACCEPTED,
        "two-factor is on: {:?}",
        r.body
    );
    let (no, token) = open(
        &app,
        "new-me@example.net",
        json!({"email": "owner@example.com"}),
    )
    .await;
    let agent = agent(&app, "agent@example.com", true).await;
    assert_eq!(
        decide(&app, &agent, &no, "approve").await.status,
        StatusCode::OK
    );
    // Completing needs the code first.
    let r = app
        .post(
            &format!("/api/v1/support/tickets/{no}/complete"),
            json!({"status_token": token, "code": "123456", "new_password": NEW_PW}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "code_required")
    );
    let seen = codes(&app, "new-me@example.net").await;
    let r = app
        .post(
            &format!("/api/v1/support/tickets/{no}/code"),
            json!({"status_token": token}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let code = fresh_code(&app, "new-me@example.net", &seen).await;
    // The password policy applies; nothing changes on a refusal.
    let r = app
        .post(
            &format!("/api/v1/support/tickets/{no}/complete"),
            json!({"status_token": token, "code": code, "new_password": "short"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get("/api/v1/me", Some(&old_token)).await.status,
        StatusCode::OK
    );
    let r = app
        .post(
            &format!("/api/v1/support/tickets/{no}/complete"),
            json!({"status_token": token, "code": code, "new_password": NEW_PW}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    // Every session ended; two-factor is off; the proven contact is bound; the list is kept.
    assert_eq!(
        app.get("/api/v1/me", Some(&old_token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    // The proven contact took the e-mail slot (the old address was told, above all).
    let r = app.login("new-me@example.net", NEW_PW).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "no second factor any more: {:?}",
        r.body
    );
    assert_eq!(
        app.login("owner@example.com", NEW_PW).await.status,
        StatusCode::UNAUTHORIZED
    );
    let old = app.wait_for_messages("owner@example.com", 5).await;
    assert!(old[0]["body"].as_str().unwrap().contains("重置"), "{old:?}");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM trusted_contacts WHERE account_id = '{owner}'"
        ))
        .await,
        2
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM totp_secrets WHERE account_id = '{owner}'"
        ))
        .await,
        0
    );
    assert_eq!(status(&app, &no, &token).await["status"], "completed");
    // Once only.
    let r = app.post(&format!("/api/v1/support/tickets/{no}/complete"), json!({"status_token": token, "code": code, "new_password": "another long passphrase here"})).await;
    assert_eq!(r.status.as_u16() / 100, 4);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM security_events WHERE account_id = '{owner}' AND kind = 'support_recovery_completed'")).await, 1);
}

async fn ticket_limits_per_contact_and_ip_answer_429(backend: Backend) {
    let app = spawn(backend, |c| {
        c.support.tickets_per_contact_day = 1;
        c.support.tickets_per_ip_day = 2;
    })
    .await;
    // A ticket with no claim besides the description is refused, and uses up no slot.
    let r = file(&app, "me@example.net", json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.str("code"), "no_claims");
    // A creation date that is no date is named as such, and uses up no slot either.
    let r = file(
        &app,
        "me@example.net",
        json!({"created_around": "last spring"}),
    )
    .await;
    assert_eq!(
        (r.status, r.str("code").as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_date"),
        "{:?}",
        r.body
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM support_tickets").await, 0);
    let claim = || json!({"nicknames": ["老王"]});
    open(&app, "me@example.net", claim()).await;
    let r = file(&app, "me@example.net", claim()).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", r.body);
    assert!(r.retry_after() > 0);
    open(&app, "two@example.net", claim()).await;
    let r = file(&app, "three@example.net", claim()).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", r.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM support_tickets").await, 2);
    // A code is used once, and bad claims are a 400.
    let many: Vec<String> = (0..100).map(|i| format!("同事{i}")).collect();
    let r = file(&app, "four@example.net", json!({"contacts": many})).await;
    assert_eq!(
        (r.status, r.str("code").as_str()),
        (StatusCode::BAD_REQUEST, "invalid_request"),
        "{:?}",
        r.body
    );
}

on_both_backends!(
    requester_view_never_tells_whether_an_account_matched,
    public_facts_alone_are_never_likely_owner,
    trusted_colleagues_and_admins_add_evidence,
    a_colleague_helps_at_most_three_times_a_month,
    agents_need_the_role_and_two_factor_and_every_action_is_audited,
    a_cancel_stops_the_recovery_for_good,
    completion_revokes_sessions_resets_two_factor_and_keeps_trusted_colleagues,
    ticket_limits_per_contact_and_ip_answer_429,
    a_trusted_colleague_counts_only_after_the_activation_delay,
    evidence_follows_how_people_remember,
    rejected_tickets_do_not_use_up_help_and_silence_counts,
    a_signed_in_session_is_asked_whether_it_was_them,
    security_answers_are_extra_evidence_and_never_kept,
    an_admin_confirmation_makes_up_the_confirmations_needed,
    security_answers_are_compared_for_three_candidates_at_most,
);

/// The account's own request ("was it you?") in its list of vouch requests.
async fn own_request(app: &TestApp, token: &str) -> Option<Value> {
    let r = app.get("/api/v1/me/vouch-requests", Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["own"] == true && x["answer"].is_null())
        .cloned()
}

/// Answers a "was it you?" request as the account.
async fn answer_own(app: &TestApp, token: &str, req: &Value, answer: &str) {
    let r = app
        .post_auth(
            &format!("/api/v1/me/vouch-requests/{}", req["id"].as_str().unwrap()),
            token,
            json!({"answer": answer}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

async fn a_signed_in_session_is_asked_whether_it_was_them(backend: Backend) {
    let app = spawn(backend, |_| {}).await;
    let agent = agent(&app, "agent@example.com", true).await;
    let (org, _) = enterprise(&app, "旺商科技").await;
    let (owner, token) = member(&app, &org, "owner@example.com", "张伟", "member").await;
    let claims = json!({"email": "owner@example.com", "nicknames": ["张伟"],
                        "enterprise": "旺商科技"});
    // The owner, still signed in on a phone, answers "yes, it was me".
    let (no, _) = open(&app, "r1@example.net", claims.clone()).await;
    let req = own_request(&app, &token)
        .await
        .expect("asked on its session");
    assert_eq!(req["account_id"], owner.as_str());
    let before = view(&app, &agent, &no).await;
    assert!(
        before["candidates"][0]["evidence"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["claim"] != "own_session"),
        "nothing before it answers: {before}"
    );
    answer_own(&app, &token, &req, "confirm").await;
    let v = view(&app, &agent, &no).await;
    let c = &v["candidates"][0];
    let it = item(c, "own_session", 0);
    assert_eq!(
        (&it["result"], &it["weight"]),
        (&json!("matched"), &json!(24))
    );
    let score = |c: &Value| c["evidence"]["score"].as_i64().unwrap();
    assert_eq!(score(c) - score(&before["candidates"][0]), 24);
    // It is not a trusted colleague's help: no colleague was asked, and none is counted.
    assert!(
        c["evidence"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["claim"] != "trusted_colleagues")
    );
    // Whoever holds the account answers "not me" to someone else's ticket: a strong
    // contradiction, a flag, and the trail says who.
    let (no, _) = open(&app, "r2@example.net", claims.clone()).await;
    let req = own_request(&app, &token).await.expect("asked again");
    answer_own(&app, &token, &req, "deny").await;
    let v = view(&app, &agent, &no).await;
    let it = item(&v["candidates"][0], "own_session", 0);
    assert_eq!(
        (&it["result"], &it["weight"]),
        (&json!("contradicted"), &json!(-50))
    );
    assert_eq!(
        v["candidates"][0]["evidence"]["recommendation"],
        "likely_impostor"
    );
    // The ticket is about this account: "not me" also stops it, as the banner's cancel does.
    assert_eq!(v["flags"], json!(["owner_denied", "cancelled_by_owner"]));
    assert_eq!(v["status"], "cancelled");
    assert!(
        v["audit"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "owner_deny" && a["actor_nickname"] == "张伟")
    );
    // A ticket that names no account by phone or e-mail asks its candidates: "not me" there
    // counts against that candidate only, and stops nothing.
    let (no, _) = open(
        &app,
        "r4@example.net",
        json!({"nicknames": ["张伟"], "enterprise": "旺商科技"}),
    )
    .await;
    let req = own_request(&app, &token)
        .await
        .expect("a candidate is asked");
    answer_own(&app, &token, &req, "deny").await;
    let v = view(&app, &agent, &no).await;
    assert_eq!(v["status"], "open");
    assert_eq!(v["flags"], json!([]));
    let c = v["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["account_id"] == owner.as_str())
        .unwrap();
    assert_eq!(item(c, "own_session", 0)["weight"], -50);
    // A candidate who is also a trusted colleague of the account the agent then picks is asked
    // both: "was it you?" and, as a colleague, about the picked account.
    let (lina, lina_token) = member(&app, &org, "lina@example.com", "李娜", "member").await;
    let (wang, _) = member(&app, &org, "wang@example.com", "王芳", "member").await;
    let r = app
        .put_auth(
            "/api/v1/me/trusted-contacts",
            &token,
            json!({"account_ids": [lina, wang]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    app.exec("UPDATE trusted_contacts SET active_from = 0")
        .await;
    let (no, _) = open(
        &app,
        "r5@example.net",
        json!({"nicknames": ["李娜"], "enterprise": "旺商科技"}),
    )
    .await;
    let r = app
        .post_auth(
            &format!("/api/v1/agent/tickets/{no}/candidate"),
            &agent,
            json!({"account_id": owner}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let asked = app
        .get("/api/v1/me/vouch-requests", Some(&lina_token))
        .await;
    let open_now: Vec<&Value> = asked.body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["answer"].is_null())
        .collect();
    assert!(
        open_now
            .iter()
            .any(|x| x["own"] == true && x["account_id"] == lina.as_str()),
        "{asked:?}"
    );
    assert!(
        open_now
            .iter()
            .any(|x| x["own"] == false && x["account_id"] == owner.as_str()),
        "{asked:?}"
    );
    // Signed in nowhere: nobody to ask.
    app.exec(&format!(
        "UPDATE sessions SET revoked_at = 1 WHERE account_id = '{owner}'"
    ))
    .await;
    let (no, _) = open(&app, "r3@example.net", claims).await;
    let own_checks = app
        .count(&format!(
            "SELECT COUNT(*) FROM support_vouches v JOIN support_tickets t ON t.id = v.ticket_id \
             WHERE t.ticket_no = '{no}' AND v.voucher_id = v.subject_id"
        ))
        .await;
    assert_eq!(own_checks, 0);
}

async fn a_trusted_colleague_counts_only_after_the_activation_delay(backend: Backend) {
    let app = spawn(backend, |c| c.support.trusted_activation_secs = 86_400).await;
    let (org, _) = enterprise(&app, "旺商科技").await;
    let (_, owner_token) = member(&app, &org, "owner@example.com", "张伟", "member").await;
    let (a, _) = member(&app, &org, "a@example.com", "李娜", "member").await;
    let (b, _) = member(&app, &org, "b@example.com", "王芳", "member").await;
    let r = app
        .put_auth(
            "/api/v1/me/trusted-contacts",
            &owner_token,
            json!({"account_ids": [a, b]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // Chosen a moment ago (a stolen session's choice, say): not asked yet.
    open(
        &app,
        "r1@example.net",
        json!({"email": "owner@example.com"}),
    )
    .await;
    // (The owner's own signed-in session is asked "was it you?" either way.)
    let colleagues_asked = "SELECT COUNT(*) FROM support_vouches WHERE voucher_id <> subject_id";
    assert_eq!(app.count(colleagues_asked).await, 0);
    // A day later they are.
    app.exec("UPDATE trusted_contacts SET active_from = 0")
        .await;
    open(
        &app,
        "r2@example.net",
        json!({"email": "owner@example.com"}),
    )
    .await;
    assert_eq!(app.count(colleagues_asked).await, 2);
}

const HUAWEI: &str = "Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AN00; HMSCore 6.11.0.302) \
     AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/14.0.1.300 Mobile \
     Safari/537.36";

/// Logs in with a user agent and a device id, as the owner's phone would.
async fn login_from(app: &TestApp, email: &str, ua: &str, device_id: &str) -> String {
    let res = app
        .client
        .post(format!("{}/api/v1/sessions", app.base))
        .header("user-agent", ua)
        .json(&json!({"identifier": email, "password": PW, "device_id": device_id}))
        .send()
        .await
        .unwrap();
    let r = TestApp::read(res).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.str("token")
}

async fn rename(app: &TestApp, token: &str, name: &str) -> testkit::Resp {
    app.request(
        reqwest::Method::PATCH,
        "/api/v1/me",
        Some(token),
        Some(json!({"nickname": name})),
    )
    .await
}

async fn dm(app: &TestApp, from: &str, to: &str, n: usize, tag: &str) {
    let c = app
        .post_auth("/api/v1/conversations", from, json!({"member_ids": [to]}))
        .await
        .str("conversation_id");
    for i in 0..n {
        let r = app
            .post_auth(
                &format!("/api/v1/conversations/{c}/messages"),
                from,
                json!({"client_msg_id": format!("{tag}{i}"), "body": "hi"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }
}

/// Opens a ticket with a device id (as the web form does with its cookie).
/// Proves `contact` with a `support_contact` code; returns `(verification_id, code)`.
async fn proven(app: &TestApp, contact: &str) -> (String, String) {
    let seen = codes(app, contact).await;
    let v = app
        .post(
            "/api/v1/verifications",
            json!({"purpose": "support_contact", "channel": "email", "destination": contact}),
        )
        .await;
    assert_eq!(v.status, StatusCode::ACCEPTED, "{:?}", v.body);
    (
        v.str("verification_id"),
        fresh_code(app, contact, &seen).await,
    )
}

async fn open_from_device(app: &TestApp, contact: &str, claims: Value, device: &str) -> String {
    let (vid, code) = proven(app, contact).await;
    let r = app
        .post(
            "/api/v1/support/tickets",
            json!({"contact_verification_id": vid, "contact_code": code,
                   "claims": claims, "description": "", "device_id": device}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.str("ticket_no")
}

fn item<'a>(candidate: &'a Value, claim: &str, nth: usize) -> &'a Value {
    candidate["evidence"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["claim"] == claim)
        .nth(nth)
        .unwrap_or_else(|| panic!("no {claim} #{nth} in {candidate}"))
}

async fn evidence_follows_how_people_remember(backend: Backend) {
    let app = spawn(backend, |_| {}).await;
    let (org, _) = enterprise(&app, "旺达贸易有限公司").await;
    let (owner, owner_token) = member(&app, &org, "owner@example.com", "张伟", "member").await;
    let (_, lina) = member(&app, &org, "lina@example.com", "李娜", "member").await;
    let (fang_id, fang) = member(&app, &org, "fang@example.com", "王芳", "member").await;
    let (yang_id, yang) = member(&app, &org, "yang@example.com", "刘洋", "member").await;
    // Both the owner and a colleague rename themselves; the history keeps the old names.
    assert_eq!(
        rename(&app, &owner_token, "张伟（销售部）").await.status,
        StatusCode::OK
    );
    let lina_id = app.get("/api/v1/me", Some(&lina)).await.str("account_id");
    assert_eq!(rename(&app, &lina, "Lina Li").await.status, StatusCode::OK);
    // The owner writes with 李娜 and 王芳; 刘洋 only writes in a big group.
    dm(&app, &owner_token, &lina_id, 4, "l").await;
    dm(&app, &lina, &owner, 3, "m").await;
    dm(&app, &owner_token, &fang_id, 3, "f").await;
    let g = app
        .post_auth(
            "/api/v1/conversations",
            &yang,
            json!({"member_ids": [owner, fang_id], "title": "全员群"}),
        )
        .await
        .str("conversation_id");
    for i in 0..10 {
        app.post_auth(
            &format!("/api/v1/conversations/{g}/messages"),
            &yang,
            json!({"client_msg_id": format!("g{i}"), "body": "通知"}),
        )
        .await;
    }
    let _ = (&fang, yang_id);
    // The owner's phone, a Huawei.
    login_from(&app, "owner@example.com", HUAWEI, "owner-phone-0001").await;
    // "2026-11-23 22:14:23 UTC" → "2026-11".
    let month = domain::clock::human(domain::clock::now_ms())[..7].to_owned();
    let agent = agent(&app, "agent@example.com", true).await;

    // The e-mail, an old name, the enterprise's English name, colleagues (one by a former
    // name), a device in Chinese, the month, from the owner's own phone.
    let no = open_from_device(
        &app,
        "me@example.net",
        json!({"email": "owner@example.com", "nicknames": ["张伟"], "enterprise": "Wangda Trading",
               "contacts": ["李娜", "王芳", "刘洋"], "devices": ["华为手机"],
               "created_around": month}),
        "owner-phone-0001",
    )
    .await;
    let res = app
        .client
        .get(format!("{}/api/v1/agent/tickets/{no}", app.base))
        .bearer_auth(&agent)
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    let v = TestApp::read(res).await;
    assert_eq!(v.status, StatusCode::OK, "{:?}", v.body);
    let c = &v.body["candidates"][0];
    assert_eq!(c["account_id"], owner.as_str(), "{}", v.body);
    assert_eq!(item(c, "nickname", 0)["code"], "nickname_former");
    assert_eq!(item(c, "enterprise", 0)["code"], "org_member_short");
    let lina_item = item(c, "contact", 0);
    assert_eq!(lina_item["code"], "contact_top", "{c}");
    assert_eq!(lina_item["args"]["how"], "former");
    assert!(
        lina_item["detail"]
            .as_str()
            .unwrap()
            .starts_with("Lina Li (by a former name): one of the 5 people"),
        "{lina_item}"
    );
    assert_eq!(item(c, "contact", 1)["code"], "contact_top");
    // A big group's chatter does not make a frequent contact.
    assert_eq!(item(c, "contact", 2)["code"], "contact_silent");
    let device = item(c, "device", 0);
    assert_eq!(device["code"], "device_specific");
    assert_eq!(
        device["detail"],
        "In the login records: Huawei Mate (HarmonyOS)."
    );
    assert_eq!(item(c, "created_around", 0)["code"], "date_exact");
    assert_eq!(item(c, "filed_from", 0)["code"], "filed_from_known_device");
    assert_eq!(c["evidence"]["recommendation"], "likely_owner", "{c}");
    // Every item says whether it made the difference (here nothing alone does).
    assert!(
        c["evidence"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["decisive"].is_boolean()),
        "{c}"
    );
    assert!(c["evidence"]["private_points"].as_u64().unwrap() >= 40);
    // In Chinese by default.
    let zh = view(&app, &agent, &no).await;
    let d = item(&zh["candidates"][0], "device", 0)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(d.starts_with("登录记录中有"), "{d}");

    // Without the enterprise, the nickname and a colleague it knows find the account; an
    // outsider naming people the account never knew is told apart.
    let no = open_from_device(
        &app,
        "two@example.net",
        json!({"nicknames": ["张伟"], "contacts": ["Lina Li"]}),
        "stranger-laptop-01",
    )
    .await;
    let v = view(&app, &agent, &no).await;
    assert_eq!(v["candidates"][0]["account_id"], owner.as_str(), "{v}");
    assert_eq!(v["candidates"][0]["reason"], "nickname_contacts");
    let (no, _) = open(
        &app,
        "three@example.net",
        json!({"nicknames": ["张伟"], "enterprise": "旺达", "contacts": ["老板", "无名氏"]}),
    )
    .await;
    let v = view(&app, &agent, &no).await;
    let c = &v["candidates"][0];
    assert_eq!(c["reason"], "nickname", "{v}");
    // 老板 is the enterprise's owner, a colleague the account never writes with; 无名氏 is
    // nobody: unknown, not a contradiction.
    assert_eq!(item(c, "contact", 0)["code"], "contact_silent", "{c}");
    assert_eq!(item(c, "contact", 1)["code"], "contact_not_found");
    assert_eq!(item(c, "contact", 1)["weight"], 0);
    assert_ne!(c["evidence"]["recommendation"], "likely_owner");
}

async fn rejected_tickets_do_not_use_up_help_and_silence_counts(backend: Backend) {
    let app = spawn(backend, |c| {
        c.support.tickets_per_ip_day = 100;
        c.support.vouch_deadline_secs = 3600;
    })
    .await;
    let (org, _) = enterprise(&app, "旺商科技").await;
    let (_, owner_token) = member(&app, &org, "owner@example.com", "张伟", "member").await;
    let (a, a_token) = member(&app, &org, "a@example.com", "李娜", "member").await;
    let (b, _) = member(&app, &org, "b@example.com", "王芳", "member").await;
    let r = app
        .put_auth(
            "/api/v1/me/trusted-contacts",
            &owner_token,
            json!({"account_ids": [a, b]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let agent = agent(&app, "agent@example.com", true).await;
    // 李娜 confirms on three tickets that agents then reject (an impostor's, say).
    for i in 0..3 {
        let (no, _) = open(
            &app,
            &format!("r{i}@example.net"),
            json!({"email": "owner@example.com"}),
        )
        .await;
        answer_newest(&app, &a_token, "confirm").await;
        assert_eq!(
            decide(&app, &agent, &no, "reject").await.status,
            StatusCode::OK
        );
    }
    // Her help is not used up: the owner's own ticket still reaches her.
    let (no, _) = open(
        &app,
        "owner-new@example.net",
        json!({"email": "owner@example.com"}),
    )
    .await;
    let v = view(&app, &agent, &no).await;
    let colleagues = v["vouches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["voucher_id"] != x["account_id"])
        .count();
    assert_eq!(colleagues, 2, "{v}");
    let t = item(&v["candidates"][0], "trusted_colleagues", 0);
    assert_eq!(t["code"], "vouches_pending");
    // Past the deadline, silence counts a little against.
    app.exec(&format!(
        "UPDATE support_vouches SET created_at = created_at - 7200000 WHERE ticket_id = \
         (SELECT id FROM support_tickets WHERE ticket_no = '{no}')"
    ))
    .await;
    let v = view(&app, &agent, &no).await;
    let t = item(&v["candidates"][0], "trusted_colleagues", 0);
    assert_eq!(t["code"], "vouches_silent", "{v}");
    assert_eq!(t["weight"], -10);
}

/// Proves `contact` and posts a ticket with security answers, the contact's code given by
/// `code` (the right one, or another); returns the answer.
async fn file_with_answers(
    app: &TestApp,
    contact: &str,
    claims: &Value,
    answers: Value,
    code: impl Fn(&str) -> String,
) -> testkit::Resp {
    let (vid, right) = proven(app, contact).await;
    app.post(
        "/api/v1/support/tickets",
        json!({"contact_verification_id": vid, "contact_code": code(&right),
               "claims": claims, "description": "", "security_answers": answers}),
    )
    .await
}

/// Whether the ticket's first candidate has a security-answers item.
fn has_answers(v: &Value) -> bool {
    v["candidates"][0]["evidence"]["items"]
        .as_array()
        .is_some_and(|a| a.iter().any(|i| i["claim"] == "security_answers"))
}

/// The security-answers item of the ticket's first candidate, once the comparison (which runs
/// after the response) has written it.
async fn answers_item(app: &TestApp, agent: &str, no: &str) -> (Value, Value) {
    for _ in 0..200 {
        let v = view(app, agent, no).await;
        let found = v["candidates"][0]["evidence"]["items"]
            .as_array()
            .and_then(|a| a.iter().find(|i| i["claim"] == "security_answers"))
            .cloned();
        if let Some(it) = found {
            return (it, v);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no security answers item for {no}");
}

async fn security_answers_are_extra_evidence_and_never_kept(backend: Backend) {
    // A long delay after the third failure, to see that it stops the comparison.
    let app = spawn(backend, |c| c.login.base_delay_ms = 600_000).await;
    let agent = agent(&app, "agent@example.com", true).await;
    let (org, _) = enterprise(&app, "旺商科技").await;
    let (owner, token) = member(&app, &org, "owner@example.com", "张伟", "member").await;
    let r = app
        .request(
            reqwest::Method::PUT,
            "/api/v1/me/security-questions",
            Some(&token),
            Some(json!({"current_password": PW, "questions": [
                {"question": "第一所小学？", "answer": "Ｐｅａｃｈ Road"},
                {"question": "First pet?", "answer": "Xiaohei"}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let claims = json!({"email": "owner@example.com", "nicknames": ["张伟"],
                        "enterprise": "旺商科技"});
    let failures_sql = format!(
        "SELECT COALESCE(MAX(failures), 0) FROM login_throttle WHERE key = 'support_answers:{owner}'"
    );
    let failures = || app.count(&failures_sql);
    let mut views = Vec::new();
    // (contact, answers, result, points, failures counted after it)
    let cases = [
        // Both right, in any order, width, case and spaces folded: +24, extra evidence only.
        (
            "r1@example.net",
            json!([" XIAOHEI ", "peach road"]),
            "matched",
            24,
            0,
        ),
        // One right and one guess: +20, and the guess counts toward the answers' own lock.
        (
            "r2@example.net",
            json!(["xiaohei", "咪咪"]),
            "matched",
            20,
            1,
        ),
        // Only guesses: a contradiction, each counted.
        (
            "r3@example.net",
            json!(["咪咪", "北京路"]),
            "contradicted",
            -12,
            3,
        ),
    ];
    for (contact, answers, result, points, counted) in cases {
        let r = file_with_answers(&app, contact, &claims, answers, str::to_owned).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let (it, v) = answers_item(&app, &agent, &r.str("ticket_no")).await;
        assert_eq!(
            (&it["result"], &it["weight"]),
            (&json!(result), &json!(points)),
            "{it}"
        );
        views.push(v);
        assert_eq!(failures().await, counted, "{contact}");
    }
    // Not the login lock: the owner still signs in.
    assert_eq!(
        app.login("owner@example.com", PW).await.status,
        StatusCode::CREATED
    );
    // Without the contact's code nothing is compared or counted.
    let r = file_with_answers(
        &app,
        "r4@example.net",
        &claims,
        json!(["咪咪", "Tom"]),
        |c| (if c == "000000" { "111111" } else { "000000" }).to_owned(),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    // Three failures delay further guesses: even right answers are not compared now.
    let r = file_with_answers(
        &app,
        "r5@example.net",
        &claims,
        json!(["xiaohei", "peach road"]),
        str::to_owned,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let v = view(&app, &agent, &r.str("ticket_no")).await;
    assert!(!has_answers(&v), "{v}");
    assert_eq!(failures().await, 3);
    // No answers given: nothing to say.
    let (no, _) = open(&app, "r6@example.net", claims.clone()).await;
    let v = view(&app, &agent, &no).await;
    assert!(!has_answers(&v), "{v}");
    // The answers are never kept, sent or shown to the agent.
    for probe in ["iaohei", "each road", "咪咪", "北京路"] {
        for table in [
            "SELECT COUNT(*) FROM support_tickets WHERE claims LIKE '%P%' OR description LIKE '%P%'",
            "SELECT COUNT(*) FROM support_audit WHERE detail LIKE '%P%'",
            "SELECT COUNT(*) FROM outbox WHERE params LIKE '%P%'",
            "SELECT COUNT(*) FROM dev_messages WHERE body LIKE '%P%'",
        ] {
            assert_eq!(
                app.count(&table.replace('P', probe)).await,
                0,
                "{table} {probe}"
            );
        }
        for v in &views {
            assert!(!v.to_string().contains(probe), "{probe} in {v}");
        }
    }
    // More than three answers is a clear error, and nothing is opened.
    let tickets = app.count("SELECT COUNT(*) FROM support_tickets").await;
    let four = json!(["a", "b", "c", "d"]);
    let r = file_with_answers(&app, "r7@example.net", &claims, four, str::to_owned).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM support_tickets").await,
        tickets
    );
}

/// The id of the newest vouch request `token`'s account was asked.
async fn newest_request(app: &TestApp, token: &str) -> String {
    let r = app.get("/api/v1/me/vouch-requests", Some(token)).await;
    r.body["requests"][0]["id"].as_str().unwrap().to_owned()
}

/// Answers the newest vouch request `token`'s account was asked.
async fn answer_newest(app: &TestApp, token: &str, answer: &str) {
    let id = newest_request(app, token).await;
    let r = app
        .post_auth(
            &format!("/api/v1/me/vouch-requests/{id}"),
            token,
            json!({"answer": answer}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

/// The request ids waiting for each of `colleagues` (their newest).
async fn vouch_requests(app: &TestApp, colleagues: &[(String, String)]) -> Vec<String> {
    let mut ids = Vec::new();
    for (_, token) in colleagues {
        ids.push(newest_request(app, token).await);
    }
    ids
}

fn trusted_item(v: &Value) -> Option<&Value> {
    v["candidates"][0]["evidence"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["claim"] == "trusted_colleagues")
}

async fn an_admin_confirmation_makes_up_the_confirmations_needed(backend: Backend) {
    let app = spawn(backend, |_| {}).await;
    let (org, boss) = enterprise(&app, "旺商科技").await;
    let (owner, owner_token) = member(&app, &org, "owner@example.com", "张伟", "member").await;
    let mut colleagues = Vec::new();
    for (i, name) in ["李娜", "王芳"].iter().enumerate() {
        colleagues.push(member(&app, &org, &format!("c{i}@example.com"), name, "member").await);
    }
    let ids: Vec<&str> = colleagues.iter().map(|c| c.0.as_str()).collect();
    let r = app
        .put_auth(
            "/api/v1/me/trusted-contacts",
            &owner_token,
            json!({"account_ids": ids}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let no = open_borderline(&app, "me@example.net").await;
    let agent = agent(&app, "agent@example.com", true).await;
    let requests = vouch_requests(&app, &colleagues).await;
    // One trusted colleague of the two needed: not enough.
    let r = app
        .post_auth(
            &format!("/api/v1/me/vouch-requests/{}", requests[0]),
            &colleagues[0].1,
            json!({"answer": "confirm"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let v = view(&app, &agent, &no).await;
    assert_eq!(v["account_id"], owner.as_str());
    assert_eq!(
        v["candidates"][0]["evidence"]["recommendation"], "uncertain",
        "{v}"
    );
    assert_eq!(trusted_item(&v).unwrap()["code"], "vouches_partial");
    // The enterprise's owner confirms the member: the second of the two.
    let r = app
        .post_auth(
            &format!("/api/v1/orgs/{org}/recovery-requests/{no}"),
            &boss,
            json!({"answer": "confirm"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let v = view(&app, &agent, &no).await;
    let ev = &v["candidates"][0]["evidence"];
    assert_eq!(ev["recommendation"], "likely_owner", "{v}");
    let trusted = trusted_item(&v).unwrap();
    assert_eq!(trusted["code"], "vouches_confirmed_admin");
    assert_eq!(trusted["result"], "matched");
    assert!(trusted["decisive"].as_bool().unwrap(), "{trusted}");
    let admin = ev["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["claim"] == "enterprise_admin")
        .unwrap();
    assert_eq!(
        (&admin["code"], &admin["weight"]),
        (&json!("admin_counted"), &json!(0))
    );
    // The second colleague's denial outweighs it all.
    let r = app
        .post_auth(
            &format!("/api/v1/me/vouch-requests/{}", requests[1]),
            &colleagues[1].1,
            json!({"answer": "deny"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let v = view(&app, &agent, &no).await;
    assert_ne!(
        v["candidates"][0]["evidence"]["recommendation"], "likely_owner",
        "{v}"
    );
    assert_eq!(trusted_item(&v).unwrap()["code"], "vouches_denied");

    // One person's word counts once: the enterprise's owner as one of the trusted colleagues
    // confirms as the colleague and again as the admin — one confirmation, not two.
    let boss_id = app.get("/api/v1/me", Some(&boss)).await.str("account_id");
    let r = app
        .put_auth(
            "/api/v1/me/trusted-contacts",
            &owner_token,
            json!({"account_ids": [boss_id, ids[0]]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let no = open_borderline(&app, "me2@example.net").await;
    answer_newest(&app, &boss, "confirm").await;
    let r = app
        .post_auth(
            &format!("/api/v1/orgs/{org}/recovery-requests/{no}"),
            &boss,
            json!({"answer": "confirm"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let v = view(&app, &agent, &no).await;
    assert_eq!(v["admin_answers"][0]["answer"], "confirm", "{v}");
    assert_ne!(
        v["candidates"][0]["evidence"]["recommendation"], "likely_owner",
        "{v}"
    );
    assert_eq!(trusted_item(&v).unwrap()["code"], "vouches_partial");
    // The agent is told why the admin's confirmation adds nothing.
    let admin: Vec<_> = v["candidates"][0]["evidence"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["claim"] == "enterprise_admin")
        .map(|i| (i["code"].clone(), i["weight"].clone()))
        .collect();
    assert_eq!(admin, vec![(json!("admin_as_colleague"), json!(0))], "{v}");
}

/// Accounts whose candidate rows hold compared security answers.
async fn answered_candidates(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM support_candidates WHERE answers_given > 0")
        .await
}

async fn security_answers_are_compared_for_three_candidates_at_most(backend: Backend) {
    let app = spawn(backend, |_| {}).await;
    let (org, _) = enterprise(&app, "旺商科技").await;
    // Four namesakes in one enterprise, each with a question: a ticket naming 张伟 of 旺商科技
    // finds all four.
    for i in 0..4 {
        let (_, token) = member(&app, &org, &format!("z{i}@example.com"), "张伟", "member").await;
        let r = app
            .request(
                reqwest::Method::PUT,
                "/api/v1/me/security-questions",
                Some(&token),
                Some(json!({"current_password": PW, "questions": [
                    {"question": "First pet?", "answer": format!("pet{i}")}]})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    }
    let claims = json!({"nicknames": ["张伟"], "enterprise": "旺商科技"});
    let r = file_with_answers(&app, "me@example.net", &claims, json!(["bingo"]), |c| {
        c.to_owned()
    })
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let no = r.str("ticket_no");
    let agent = agent(&app, "agent@example.com", true).await;
    let v = view(&app, &agent, &no).await;
    assert_eq!(v["candidates"].as_array().unwrap().len(), 4, "{v}");
    // Each guess costs every account compared a failure on its own key: three of them, and
    // the fourth is never tried, even once the others are done.
    for _ in 0..200 {
        if answered_candidates(&app).await >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(answered_candidates(&app).await, 3);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM login_throttle WHERE key LIKE 'support_answers:%' AND failures > 0")
            .await,
        3
    );
}
