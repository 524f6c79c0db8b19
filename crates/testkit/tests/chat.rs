//! Business chat (SPEC §6): enterprises and invitations, contacts and blocks, conversations,
//! messages (idempotency, seq, edit and recall, read markers and receipts), frequent contacts,
//! and the event stream: exactly once and in order across reconnects, `resync`, authentication,
//! revocation, and a second node.

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::time::Duration;

use testkit::stream::{Ended, StreamClient};
use testkit::{Backend, Resp, StatusCode, TestApp, json, link_token, on_both_backends};

const PW: &str = "blue lantern over quiet harbor";
const WAIT: Duration = Duration::from_secs(10);

struct Member {
    id: String,
    email: String,
    token: String,
}

async fn member(app: &TestApp, name: &str) -> Member {
    let email = format!("{name}@example.com");
    let id = app.register("email", &email, name, PW).await;
    let token = app.token(&email, PW).await;
    Member { id, email, token }
}

/// An enterprise owned by the first member, which every other member joined by invitation.
async fn team(app: &TestApp, names: &[&str]) -> (String, Vec<Member>) {
    let mut members = Vec::new();
    for n in names {
        members.push(member(app, n).await);
    }
    let org = app
        .post_auth(
            "/api/v1/orgs",
            &members[0].token,
            json!({"name": "旺商科技"}),
        )
        .await;
    assert_eq!(org.status, StatusCode::CREATED, "{:?}", org.body);
    let org_id = org.str("id");
    for m in &members[1..] {
        join(app, &org_id, &members[0], m).await;
    }
    (org_id, members)
}

async fn join(app: &TestApp, org_id: &str, inviter: &Member, m: &Member) {
    app.join_org(org_id, &inviter.token, &m.email, &m.token)
        .await;
}

async fn direct(app: &TestApp, a: &Member, b: &Member) -> String {
    let r = app
        .post_auth(
            "/api/v1/conversations",
            &a.token,
            json!({"member_ids": [b.id]}),
        )
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);
    r.str("conversation_id")
}

async fn send(app: &TestApp, who: &Member, conversation: &str, cid: &str, body: &str) -> Resp {
    app.post_auth(
        &format!("/api/v1/conversations/{conversation}/messages"),
        &who.token,
        json!({"client_msg_id": cid, "body": body}),
    )
    .await
}

async fn patch(app: &TestApp, path: &str, token: &str, body: serde_json::Value) -> Resp {
    app.request(reqwest::Method::PATCH, path, Some(token), Some(body))
        .await
}

on_both_backends!(
    enterprise_roles_and_invitations,
    invitations_belong_to_their_destination,
    pending_invitations_are_listed_and_can_be_withdrawn,
    contacts_requests_and_blocks,
    non_members_learn_nothing,
    repeated_client_msg_id_creates_nothing,
    seq_has_no_gaps_under_concurrency,
    edit_and_recall_within_the_window,
    read_markers_unread_counts_and_receipts,
    group_membership,
    frequent_contacts_are_colleagues_by_messages,
    stream_delivers_exactly_once_across_reconnects,
    stream_resyncs_when_events_were_pruned,
    stream_needs_a_live_session,
    stream_reaches_sockets_on_another_node,
    message_limits,
    messages_can_be_sent_over_the_socket,
    typing_reaches_the_other_members_only,
    group_size_and_invitation_lifetime_are_bounded,
);

async fn group_size_and_invitation_lifetime_are_bounded(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.chat.max_group_members = 3).await;
    let (org, m) = team(&app, &["ann", "ben", "cy", "dee"]).await;
    let ids: Vec<&str> = m[1..].iter().map(|x| x.id.as_str()).collect();
    let r = app
        .post_auth(
            "/api/v1/conversations",
            &m[0].token,
            json!({"member_ids": ids, "title": "g"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let g = app
        .post_auth(
            "/api/v1/conversations",
            &m[0].token,
            json!({"member_ids": [m[1].id, m[2].id], "title": "g"}),
        )
        .await
        .str("conversation_id");
    let r = app
        .post_auth(
            &format!("/api/v1/conversations/{g}/members"),
            &m[0].token,
            json!({"account_ids": [m[3].id]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM conversation_members WHERE conversation_id = '{g}'"
        ))
        .await,
        3
    );

    // An invitation past its lifetime is a dead link.
    let eve = member(&app, "eve").await;
    app.post_auth(
        &format!("/api/v1/orgs/{org}/invites"),
        &m[0].token,
        json!({"destination": eve.email}),
    )
    .await;
    let msgs = app.wait_for_messages(&eve.email, 2).await;
    let code = link_token(msgs[0]["body"].as_str().unwrap(), "/invites/");
    app.exec("UPDATE org_invites SET expires_at = 0").await;
    let r = app
        .post_auth(
            &format!("/api/v1/invites/{code}/accept"),
            &eve.token,
            json!({}),
        )
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::GONE, "link_expired"));
}

async fn enterprise_roles_and_invitations(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (org, m) = team(&app, &["owner", "bob"]).await;
    let (owner, bob) = (&m[0], &m[1]);

    let r = app
        .get(&format!("/api/v1/orgs/{org}/members"), Some(&bob.token))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let roles: Vec<(String, String)> = r.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["nickname"].as_str().unwrap().into(),
                x["role"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        vec![
            ("owner".into(), "owner".into()),
            ("bob".into(), "member".into())
        ]
    );

    // A member may not rename or invite; the owner makes them admin, then they may.
    let path = format!("/api/v1/orgs/{org}");
    let r = patch(&app, &path, &bob.token, json!({"name": "x"})).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "not_org_admin")
    );
    let r = app
        .post_auth(
            &format!("{path}/invites"),
            &bob.token,
            json!({"destination": "z@example.com"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = patch(
        &app,
        &format!("{path}/members/{}", bob.id),
        &owner.token,
        json!({"role": "admin"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = patch(&app, &path, &bob.token, json!({"name": "旺商集团"})).await;
    assert_eq!(
        (r.status, r.str("name")),
        (StatusCode::OK, "旺商集团".into())
    );
    // An admin cannot make themselves owner; a bad role is a 400.
    let r = patch(
        &app,
        &format!("{path}/members/{}", bob.id),
        &bob.token,
        json!({"role": "owner"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = patch(
        &app,
        &format!("{path}/members/{}", bob.id),
        &owner.token,
        json!({"role": "king"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // The last owner cannot leave; a member can, and then sees nothing.
    let r = app
        .delete(&format!("{path}/members/{}", owner.id), &owner.token)
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "last_owner"));
    let r = app
        .delete(&format!("{path}/members/{}", bob.id), &bob.token)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.get(&path, Some(&bob.token)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Names and membership are kept as history.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM org_names WHERE org_id = '{org}'"
        ))
        .await,
        2
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM org_members WHERE org_id = '{org}' AND left_at IS NOT NULL"
        ))
        .await,
        1
    );
}

async fn invitations_belong_to_their_destination(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = member(&app, "owner").await;
    let bob = member(&app, "bob").await;
    let eve = member(&app, "eve").await;
    let org = app
        .post_auth("/api/v1/orgs", &owner.token, json!({"name": "Acme"}))
        .await
        .str("id");
    let r = app
        .post_auth(
            &format!("/api/v1/orgs/{org}/invites"),
            &owner.token,
            json!({"destination": bob.email}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert!(r.str("masked_destination").contains('*'));
    // Inviting oneself sends nothing: the inviter is a member already.
    let r = app
        .post_auth(
            &format!("/api/v1/orgs/{org}/invites"),
            &owner.token,
            json!({"destination": owner.email}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert_eq!(r.str("code"), "already_member");
    let msgs = app.wait_for_messages(&bob.email, 2).await;
    let code = link_token(msgs[0]["body"].as_str().unwrap(), "/invites/");
    // Someone else holding the link cannot use it.
    let r = app
        .post_auth(
            &format!("/api/v1/invites/{code}/accept"),
            &eve.token,
            json!({}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "invite_for_someone_else")
    );
    let r = app
        .post_auth(
            &format!("/api/v1/invites/{code}/accept"),
            &bob.token,
            json!({}),
        )
        .await;
    assert_eq!((r.status, r.str("role")), (StatusCode::OK, "member".into()));
    // Bob is a member now: no second invitation.
    let r = app
        .post_auth(
            &format!("/api/v1/orgs/{org}/invites"),
            &owner.token,
            json!({"destination": bob.email}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "already_member")
    );
    // Single use, and a made-up code is the same answer.
    let r = app
        .post_auth(
            &format!("/api/v1/invites/{code}/accept"),
            &bob.token,
            json!({}),
        )
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::GONE, "link_expired"));
    let r = app
        .post_auth("/api/v1/invites/nonsense/accept", &bob.token, json!({}))
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::GONE, "link_expired"));
}

async fn contacts_requests_and_blocks(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, m) = team(&app, &["ann", "ben"]).await;
    let (ann, ben) = (&m[0], &m[1]);
    let cat = member(&app, "cat").await;

    // Colleagues are contacts by themselves; an outsider is not, and cannot be messaged.
    let r = app.get("/api/v1/contacts", Some(&ann.token)).await;
    let ids: Vec<&str> = r.body["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["account_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![ben.id.as_str()]);
    assert_eq!(r.body["contacts"][0]["colleague"], true);
    let r = app
        .post_auth(
            "/api/v1/conversations",
            &ann.token,
            json!({"member_ids": [cat.id]}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "not_a_contact")
    );

    // By e-mail, the answer is the same for a registered and an unknown address.
    let known = app
        .post_auth(
            "/api/v1/contacts/requests",
            &ann.token,
            json!({"identifier": cat.email}),
        )
        .await;
    let unknown = app
        .post_auth(
            "/api/v1/contacts/requests",
            &ann.token,
            json!({"identifier": "nobody@example.com"}),
        )
        .await;
    assert_eq!(known.status, StatusCode::ACCEPTED);
    assert_eq!((known.status, &known.body), (unknown.status, &unknown.body));
    let r = app.get("/api/v1/contacts", Some(&cat.token)).await;
    assert_eq!(r.body["requests"][0]["from_nickname"], "ann");
    let id = r.body["requests"][0]["id"].as_str().unwrap().to_owned();
    // Only the addressee can accept.
    let r = app
        .post_auth(
            &format!("/api/v1/contacts/requests/{id}/accept"),
            &ann.token,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .post_auth(
            &format!("/api/v1/contacts/requests/{id}/accept"),
            &cat.token,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.get("/api/v1/contacts", Some(&cat.token)).await;
    assert_eq!(r.body["contacts"][0]["external"], true);
    let conv = direct(&app, ann, &cat).await;
    assert_eq!(
        send(&app, ann, &conv, "c1", "hi").await.status,
        StatusCode::CREATED
    );

    // A block stops direct messages both ways and new conversations.
    let r = app
        .put_auth(
            &format!("/api/v1/contacts/blocks/{}", ann.id),
            &cat.token,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = send(&app, ann, &conv, "c2", "hello?").await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "blocked"));
    let r = send(&app, &cat, &conv, "c3", "bye").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post_auth(
            "/api/v1/conversations",
            &ann.token,
            json!({"member_ids": [cat.id], "title": "g"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .delete(&format!("/api/v1/contacts/blocks/{}", ann.id), &cat.token)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        send(&app, ann, &conv, "c4", "again").await.status,
        StatusCode::CREATED
    );
}

async fn non_members_learn_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, m) = team(&app, &["ann", "ben", "eve"]).await;
    let (ann, ben, eve) = (&m[0], &m[1], &m[2]);
    let conv = direct(&app, ann, ben).await;
    let r = send(&app, ann, &conv, "m1", "secret plan").await;
    let msg = r.str("message_id");

    // Eve is a colleague but not a member: every call answers exactly like a made-up id.
    for id in [conv.as_str(), "0123456789abcdef0123456789abcdef"] {
        let calls = [
            app.get(&format!("/api/v1/conversations/{id}"), Some(&eve.token))
                .await,
            app.get(
                &format!("/api/v1/conversations/{id}/messages"),
                Some(&eve.token),
            )
            .await,
            send(&app, eve, id, "x1", "let me in").await,
            app.post_auth(
                &format!("/api/v1/conversations/{id}/read"),
                &eve.token,
                json!({"seq": 1}),
            )
            .await,
            app.get(
                &format!("/api/v1/conversations/{id}/messages/{msg}/receipts"),
                Some(&eve.token),
            )
            .await,
            app.post_auth(
                &format!("/api/v1/conversations/{id}/messages/{msg}/recall"),
                &eve.token,
                json!({}),
            )
            .await,
            patch(
                &app,
                &format!("/api/v1/conversations/{id}/messages/{msg}"),
                &eve.token,
                json!({"body": "x"}),
            )
            .await,
            app.post_auth(
                &format!("/api/v1/conversations/{id}/members"),
                &eve.token,
                json!({"account_ids": [eve.id]}),
            )
            .await,
        ];
        for r in calls {
            assert_eq!(
                (r.status, r.code()),
                (StatusCode::NOT_FOUND, "not_found"),
                "{id}: {:?}",
                r.body
            );
        }
    }
    let r = app.get("/api/v1/conversations", Some(&eve.token)).await;
    assert_eq!(r.body["conversations"].as_array().unwrap().len(), 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM messages").await, 1);
}

async fn repeated_client_msg_id_creates_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, m) = team(&app, &["ann", "ben"]).await;
    let conv = direct(&app, &m[0], &m[1]).await;
    let first = send(&app, &m[0], &conv, "same-id", "hello").await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = send(&app, &m[0], &conv, "same-id", "hello (retry)").await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body, first.body);
    // Many concurrent retries of one id: one message.
    let sends = (0..20).map(|_| send(&app, &m[0], &conv, "burst", "once"));
    let results = futures::future::join_all(sends).await;
    let ids: HashSet<String> = results.iter().map(|r| r.str("message_id")).collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(
        results
            .iter()
            .filter(|r| r.status == StatusCode::CREATED)
            .count(),
        1
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM messages").await, 2);
    // The same client id from the other member is a different message.
    assert_eq!(
        send(&app, &m[1], &conv, "same-id", "mine").await.status,
        StatusCode::CREATED
    );
    // Two stream events per message (one per member), none for the retries.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM stream_events WHERE kind = 'message.created'")
            .await,
        6
    );
}

async fn seq_has_no_gaps_under_concurrency(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, m) = team(&app, &["ann", "ben"]).await;
    let conv = direct(&app, &m[0], &m[1]).await;
    let sends = (0..100).map(|i| {
        let who = &m[i % 2];
        let cid = format!("c{i}");
        let conv = conv.clone();
        let app = &app;
        async move { send(app, who, &conv, &cid, &format!("n{i}")).await }
    });
    let results = futures::future::join_all(sends).await;
    let mut seqs: Vec<i64> = results
        .iter()
        .map(|r| {
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
            r.body["seq"].as_i64().unwrap()
        })
        .collect();
    seqs.sort();
    assert_eq!(seqs, (1..=100).collect::<Vec<_>>());
    // History pages by cursor, newest first, every message once.
    let mut seen = Vec::new();
    let mut before: Option<i64> = None;
    loop {
        let q = match before {
            Some(n) => format!("?limit=30&before={n}"),
            None => "?limit=30".into(),
        };
        let r = app
            .get(
                &format!("/api/v1/conversations/{conv}/messages{q}"),
                Some(&m[1].token),
            )
            .await;
        for x in r.body["messages"].as_array().unwrap() {
            seen.push(x["seq"].as_i64().unwrap());
        }
        match r.body["next_before"].as_i64() {
            Some(n) => before = Some(n),
            None => break,
        }
    }
    assert_eq!(seen, (1..=100).rev().collect::<Vec<_>>());
}

async fn edit_and_recall_within_the_window(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, m) = team(&app, &["ann", "ben", "cy"]).await;
    let (ann, ben) = (&m[0], &m[1]);
    let conv = direct(&app, ann, ben).await;
    let msg = send(&app, ann, &conv, "m1", "typo").await.str("message_id");
    let path = format!("/api/v1/conversations/{conv}/messages/{msg}");
    let r = patch(&app, &path, &ben.token, json!({"body": "hijack"})).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "not_your_message")
    );
    let r = patch(&app, &path, &ann.token, json!({"body": "fixed"})).await;
    assert_eq!((r.status, r.str("body")), (StatusCode::OK, "fixed".into()));
    assert!(r.body["edited_at"].is_string());
    let r = app
        .post_auth(&format!("{path}/recall"), &ben.token, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post_auth(&format!("{path}/recall"), &ann.token, json!({}))
        .await;
    assert_eq!(
        (r.status, r.body["recalled"].clone(), r.str("body")),
        (StatusCode::OK, json!(true), String::new())
    );
    // A tombstone stays in history; it cannot be edited or recalled again.
    let h = app
        .get(
            &format!("/api/v1/conversations/{conv}/messages"),
            Some(&ben.token),
        )
        .await;
    assert_eq!(h.body["messages"][0]["recalled"], true);
    assert_eq!(h.body["messages"][0]["body"], "");
    assert_eq!(
        patch(&app, &path, &ann.token, json!({"body": "x"}))
            .await
            .code(),
        "message_recalled"
    );

    // Past the window (24 h) the sender can neither edit nor recall…
    let old = send(&app, ann, &conv, "m2", "old news")
        .await
        .str("message_id");
    app.exec(&format!(
        "UPDATE messages SET sent_at = sent_at - 90000000 WHERE id = '{old}'"
    ))
    .await;
    let old_path = format!("/api/v1/conversations/{conv}/messages/{old}");
    let r = patch(&app, &old_path, &ann.token, json!({"body": "late"})).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "edit_window_closed")
    );
    let r = app
        .post_auth(&format!("{old_path}/recall"), &ann.token, json!({}))
        .await;
    assert_eq!(r.code(), "edit_window_closed");

    // …but a group's owner recalls anyone's message at any time; a member cannot.
    let g = app
        .post_auth(
            "/api/v1/conversations",
            &ann.token,
            json!({"member_ids": [ben.id, m[2].id], "title": "项目组"}),
        )
        .await
        .str("conversation_id");
    let gm = send(&app, ben, &g, "g1", "oops").await.str("message_id");
    app.exec(&format!(
        "UPDATE messages SET sent_at = sent_at - 90000000 WHERE id = '{gm}'"
    ))
    .await;
    let r = app
        .post_auth(
            &format!("/api/v1/conversations/{g}/messages/{gm}/recall"),
            &m[2].token,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post_auth(
            &format!("/api/v1/conversations/{g}/messages/{gm}/recall"),
            &ann.token,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM messages WHERE id = '{gm}' AND recalled_by IS NOT NULL"
        ))
        .await,
        1
    );
}

async fn read_markers_unread_counts_and_receipts(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, m) = team(&app, &["ann", "ben", "cy"]).await;
    let (ann, ben, cy) = (&m[0], &m[1], &m[2]);
    let g = app
        .post_auth(
            "/api/v1/conversations",
            &ann.token,
            json!({"member_ids": [ben.id, cy.id], "title": "周会"}),
        )
        .await
        .str("conversation_id");
    let first = send(&app, ann, &g, "a1", "one").await.str("message_id");
    send(&app, ann, &g, "a2", "two").await;
    let r = app
        .post_auth(
            &format!("/api/v1/conversations/{g}/messages"),
            &ann.token,
            json!({"client_msg_id": "a3", "body": "@ben three", "mentions": [ben.id]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    // Mentions must be members.
    let r = app
        .post_auth(
            &format!("/api/v1/conversations/{g}/messages"),
            &ann.token,
            json!({"client_msg_id": "a4", "body": "x", "mentions": ["nobody"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    let list = |t: String| {
        let app = &app;
        async move { app.get("/api/v1/conversations", Some(&t)).await.body["conversations"][0].clone() }
    };
    let c = list(ben.token.clone()).await;
    assert_eq!(
        (c["unread"].as_i64(), c["unread_mentions"].as_i64()),
        (Some(3), Some(1))
    );
    assert_eq!(c["last_message"]["body"], "@ben three");
    assert_eq!(list(ann.token.clone()).await["unread"], 0);

    let r = app
        .post_auth(
            &format!("/api/v1/conversations/{g}/read"),
            &ben.token,
            json!({"seq": 2}),
        )
        .await;
    assert_eq!(r.body["read_seq"], 2);
    assert_eq!(list(ben.token.clone()).await["unread"], 1);
    // A marker never moves back, and is capped at the newest message.
    let r = app
        .post_auth(
            &format!("/api/v1/conversations/{g}/read"),
            &ben.token,
            json!({"seq": 1}),
        )
        .await;
    assert_eq!(r.body["read_seq"], 2);
    let r = app
        .post_auth(
            &format!("/api/v1/conversations/{g}/read"),
            &cy.token,
            json!({"seq": 99}),
        )
        .await;
    assert_eq!(r.body["read_seq"], 3);

    let r = app
        .get(
            &format!("/api/v1/conversations/{g}/messages/{first}/receipts"),
            Some(&ann.token),
        )
        .await;
    let names = |k: &str| -> Vec<String> {
        let mut v: Vec<String> = r.body[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["nickname"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("read_by"), vec!["ben", "cy"]);
    assert!(names("unread_by").is_empty());
    let third = app
        .get(
            &format!("/api/v1/conversations/{g}/messages?limit=1"),
            Some(&ann.token),
        )
        .await
        .body["messages"][0]["message_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .get(
            &format!("/api/v1/conversations/{g}/messages/{third}/receipts"),
            Some(&ann.token),
        )
        .await;
    assert_eq!(r.body["read_by"][0]["nickname"], "cy");
    assert_eq!(r.body["unread_by"][0]["nickname"], "ben");
}

async fn group_membership(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, m) = team(&app, &["ann", "ben", "cy", "dee"]).await;
    let (ann, ben, cy, dee) = (&m[0], &m[1], &m[2], &m[3]);
    let g = app
        .post_auth(
            "/api/v1/conversations",
            &ann.token,
            json!({"member_ids": [ben.id], "title": "小组"}),
        )
        .await
        .str("conversation_id");
    // Only the owner/admins add; new members join with earlier messages read.
    send(&app, ann, &g, "a1", "before cy").await;
    let r = app
        .post_auth(
            &format!("/api/v1/conversations/{g}/members"),
            &ben.token,
            json!({"account_ids": [cy.id]}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "not_group_admin")
    );
    let r = app
        .post_auth(
            &format!("/api/v1/conversations/{g}/members"),
            &ann.token,
            json!({"account_ids": [cy.id, dee.id]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["members"].as_array().unwrap().len(), 4);
    let c = app.get("/api/v1/conversations", Some(&cy.token)).await;
    assert_eq!(c.body["conversations"][0]["unread"], 0);
    // A member cannot remove others; anyone can leave; the owner removes.
    let r = app
        .delete(
            &format!("/api/v1/conversations/{g}/members/{}", dee.id),
            &ben.token,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .delete(
            &format!("/api/v1/conversations/{g}/members/{}", ben.id),
            &ben.token,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app
        .delete(
            &format!("/api/v1/conversations/{g}/members/{}", dee.id),
            &ann.token,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        send(&app, dee, &g, "d1", "still here?").await.status,
        StatusCode::NOT_FOUND
    );
    // A direct conversation has no member management, and one pair has one.
    let d = direct(&app, ann, ben).await;
    let again = app
        .post_auth(
            "/api/v1/conversations",
            &ben.token,
            json!({"member_ids": [ann.id]}),
        )
        .await;
    assert_eq!(
        (again.status, again.str("conversation_id")),
        (StatusCode::OK, d.clone())
    );
    let r = app
        .post_auth(
            &format!("/api/v1/conversations/{d}/members"),
            &ann.token,
            json!({"account_ids": [cy.id]}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "direct_conversation")
    );
}

async fn frequent_contacts_are_colleagues_by_messages(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, m) = team(&app, &["ann", "ben", "cy"]).await;
    let (ann, ben, cy) = (&m[0], &m[1], &m[2]);
    let ab = direct(&app, ann, ben).await;
    let ac = direct(&app, ann, cy).await;
    for i in 0..5 {
        send(
            &app,
            if i % 2 == 0 { ann } else { ben },
            &ab,
            &format!("ab{i}"),
            "x",
        )
        .await;
    }
    for i in 0..2 {
        send(&app, cy, &ac, &format!("ac{i}"), "y").await;
    }
    // Messages older than 90 days do not count.
    let old = send(&app, cy, &ac, "old", "z").await.str("message_id");
    app.exec(&format!(
        "UPDATE messages SET sent_at = sent_at - 8640000000 WHERE id = '{old}'"
    ))
    .await;
    let r = app
        .get("/api/v1/me/frequent-contacts", Some(&ann.token))
        .await;
    let got: Vec<(String, i64)> = r.body["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["nickname"].as_str().unwrap().into(),
                c["messages"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, vec![("ben".into(), 5), ("cy".into(), 2)]);
    assert_eq!(r.body["days"], 90);
    // Messages in a group count only when they are ann's own and mention the person: cy
    // writing a lot in a group ann is in does not make cy a frequent contact of ann's.
    let g = app
        .post_auth(
            "/api/v1/conversations",
            &ann.token,
            json!({"member_ids": [ben.id, cy.id], "title": "all"}),
        )
        .await
        .str("conversation_id");
    for i in 0..6 {
        send(&app, cy, &g, &format!("g{i}"), "noise").await;
    }
    let r = app
        .post_auth(
            &format!("/api/v1/conversations/{g}/messages"),
            &ann.token,
            json!({"client_msg_id": "m1", "body": "@cy please", "mentions": [cy.id]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let r = app
        .get("/api/v1/me/frequent-contacts", Some(&ann.token))
        .await;
    let got: Vec<(String, i64)> = r.body["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["nickname"].as_str().unwrap().into(),
                c["messages"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, vec![("ben".into(), 5), ("cy".into(), 3)]);
}

/// Reads events until `count` message events arrived or the stream ends; returns the frames.
async fn collect(
    s: &mut StreamClient,
    count: usize,
    frames: &mut Vec<serde_json::Value>,
) -> Result<(), Ended> {
    while frames
        .iter()
        .filter(|f| f["type"] == "message.created")
        .count()
        < count
    {
        let f = s.next_event(WAIT).await?;
        frames.push(f);
    }
    Ok(())
}

async fn stream_delivers_exactly_once_across_reconnects(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, m) = team(&app, &["ann", "ben", "cy"]).await;
    let (ann, ben, cy) = (&m[0], &m[1], &m[2]);
    let ab = direct(&app, ann, ben).await;
    let g = app
        .post_auth(
            "/api/v1/conversations",
            &cy.token,
            json!({"member_ids": [ann.id, ben.id], "title": "g"}),
        )
        .await
        .str("conversation_id");
    let mut s = app.stream(&ben.token, Some(0)).await;
    // Ben's stream so far: two `member.joined`… replayed from the database.
    let mut frames = Vec::new();
    let total = 60;
    let sender = {
        let (app_base, ann_t, cy_t, ab, g) = (
            app.base.clone(),
            ann.token.clone(),
            cy.token.clone(),
            ab.clone(),
            g.clone(),
        );
        tokio::spawn(async move {
            let c = reqwest::Client::new();
            for i in 0..total {
                let (t, conv) = if i % 3 == 0 {
                    (&cy_t, &g)
                } else {
                    (&ann_t, &ab)
                };
                let r = c
                    .post(format!("{app_base}/api/v1/conversations/{conv}/messages"))
                    .bearer_auth(t)
                    .json(&json!({"client_msg_id": format!("s{i}"), "body": format!("{i}")}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201);
                if i % 7 == 0 {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        })
    };
    // Mid-stream, the connection drops without a goodbye; resume from the last seq handled.
    collect(&mut s, 20, &mut frames).await.unwrap();
    s.drop_connection();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let last = frames.last().unwrap()["seq"].as_i64().unwrap();
    let mut s = app.stream(&ben.token, Some(last)).await;
    collect(&mut s, total, &mut frames).await.unwrap();
    sender.await.unwrap();
    // Nothing more arrives: no duplicate of anything.
    assert_eq!(
        s.next_event(Duration::from_millis(300)).await.unwrap_err(),
        Ended::Timeout
    );

    let seqs: Vec<i64> = frames.iter().map(|f| f["seq"].as_i64().unwrap()).collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as i64).collect::<Vec<_>>(),
        "account seq without gaps or repeats"
    );
    for conv in [&ab, &g] {
        let bodies: Vec<i64> = frames
            .iter()
            .filter(|f| f["type"] == "message.created" && f["conversation_id"] == json!(conv))
            .map(|f| f["message"]["seq"].as_i64().unwrap())
            .collect();
        assert_eq!(
            bodies,
            (1..=bodies.len() as i64).collect::<Vec<_>>(),
            "in order per conversation"
        );
    }
    let ids: HashSet<&str> = frames
        .iter()
        .filter(|f| f["type"] == "message.created")
        .map(|f| f["message"]["client_msg_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), total);

    // Edits, recalls and read markers arrive as events too.
    let msg = frames
        .iter()
        .find(|f| f["type"] == "message.created" && f["conversation_id"] == json!(ab))
        .unwrap()["message"]["message_id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post_auth(
        &format!("/api/v1/conversations/{ab}/messages/{msg}/recall"),
        &ann.token,
        json!({}),
    )
    .await;
    let f = s.next_event(WAIT).await.unwrap();
    assert_eq!(
        (f["type"].as_str(), f["message"]["recalled"].as_bool()),
        (Some("message.recalled"), Some(true))
    );
    app.post_auth(
        &format!("/api/v1/conversations/{ab}/read"),
        &ann.token,
        json!({"seq": 3}),
    )
    .await;
    let f = s.next_event(WAIT).await.unwrap();
    assert_eq!(
        (f["type"].as_str(), f["data"]["read_seq"].as_i64()),
        (Some("read.updated"), Some(3))
    );
    assert_eq!(f["data"]["account_id"], json!(ann.id));
}

async fn stream_resyncs_when_events_were_pruned(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, m) = team(&app, &["ann", "ben"]).await;
    let conv = direct(&app, &m[0], &m[1]).await;
    for i in 0..3 {
        send(&app, &m[0], &conv, &format!("p{i}"), "x").await;
    }
    // Events past retention are pruned; resuming from before them asks the client to reload.
    app.exec("UPDATE stream_events SET created_at = 0").await;
    assert!(app.app().prune_streams().await.unwrap() >= 6);
    let mut s = app.stream(&m[1].token, Some(1)).await;
    let hello = s.next(WAIT).await.unwrap();
    assert_eq!(hello["type"], "hello");
    let head = hello["head"].as_i64().unwrap();
    let f = s.next(WAIT).await.unwrap();
    assert_eq!(
        (f["type"].as_str(), f["head"].as_i64()),
        (Some("resync"), Some(head))
    );
    // From the head on, events flow again; `since` beyond the head is a resync too.
    send(&app, &m[0], &conv, "p9", "after").await;
    assert_eq!(s.next_event(WAIT).await.unwrap()["seq"], head + 1);
    let mut s2 = app.stream(&m[1].token, Some(head + 100)).await;
    s2.next(WAIT).await.unwrap();
    assert_eq!(s2.next(WAIT).await.unwrap()["type"], "resync");
}

async fn stream_needs_a_live_session(b: Backend) {
    // The heartbeat (30 s) is longer than the wait: revocation itself closes the socket.
    let app = TestApp::spawn(b).await;
    let (_, m) = team(&app, &["ann", "ben"]).await;
    let no = StreamClient::connect(&app.base, None, &[]).await.err();
    assert_eq!(no, Some(401));
    let bad = StreamClient::connect(&app.base, None, &[("authorization", "Bearer nope")])
        .await
        .err();
    assert_eq!(bad, Some(401));
    // The session cookie counts only from this site's own pages (no cross-site hijacking).
    let cookie = format!("ws_session={}", m[1].token);
    let foreign = StreamClient::connect(
        &app.base,
        None,
        &[("cookie", &cookie), ("origin", "https://evil.example")],
    )
    .await
    .err();
    assert_eq!(foreign, Some(401));
    let mut own = StreamClient::connect(
        &app.base,
        None,
        &[("cookie", &cookie), ("origin", &app.base)],
    )
    .await
    .unwrap();
    assert_eq!(own.next(WAIT).await.unwrap()["type"], "hello");
    // Signing the session out closes its socket.
    let r = app.delete("/api/v1/sessions/current", &m[1].token).await;
    assert!(r.status.is_success(), "{:?}", r.body);
    let end = loop {
        match own.next(WAIT).await {
            Ok(_) => continue,
            Err(e) => break e,
        }
    };
    assert_eq!(end, Ended::Closed(Some(4001)));

    // A password change ends the other sessions, and their sockets with them.
    let mut other = app.stream(&m[0].token, None).await;
    assert_eq!(other.next(WAIT).await.unwrap()["type"], "hello");
    let current = app.token(&m[0].email, PW).await;
    let r = app
        .request(
            reqwest::Method::PUT,
            "/api/v1/me/password",
            Some(&current),
            Some(json!({"current_password": PW, "new_password": "seven green kites at dawn"})),
        )
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);
    let end = loop {
        match other.next(WAIT).await {
            Ok(_) => continue,
            Err(e) => break e,
        }
    };
    assert_eq!(end, Ended::Closed(Some(4001)));
}

async fn stream_reaches_sockets_on_another_node(b: Backend) {
    // On PostgreSQL the other node hears NOTIFY at once; the heartbeat's catch-up covers SQLite.
    let app = TestApp::spawn_with(b, |c| c.chat.heartbeat_secs = 1).await;
    let (_, m) = team(&app, &["ann", "ben"]).await;
    let conv = direct(&app, &m[0], &m[1]).await;
    let node2 = app.another_node().await;
    let base2 = format!("http://{}", node2.addr);
    let mut s = StreamClient::connect(
        &base2,
        None,
        &[("authorization", &format!("Bearer {}", m[1].token))],
    )
    .await
    .unwrap();
    s.next(WAIT).await.unwrap();
    for i in 0..5 {
        assert_eq!(
            send(&app, &m[0], &conv, &format!("n{i}"), &format!("{i}"))
                .await
                .status,
            StatusCode::CREATED
        );
    }
    let mut bodies = Vec::new();
    while bodies.len() < 5 {
        let f = s.next_event(WAIT).await.unwrap();
        bodies.push(f["message"]["body"].as_str().unwrap().to_owned());
    }
    assert_eq!(bodies, vec!["0", "1", "2", "3", "4"]);
    node2.stop().await;
}

async fn message_limits(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, m) = team(&app, &["ann", "ben"]).await;
    let conv = direct(&app, &m[0], &m[1]).await;
    let long = "长".repeat(4001);
    let r = send(&app, &m[0], &conv, "l1", &long).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        send(&app, &m[0], &conv, "l2", &"长".repeat(4000))
            .await
            .status,
        StatusCode::CREATED
    );
    assert_eq!(
        send(&app, &m[0], &conv, "l3", "   ").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        send(&app, &m[0], &conv, "bad id!", "x").await.status,
        StatusCode::BAD_REQUEST
    );
    let r = app
        .post_auth(
            &format!("/api/v1/conversations/{conv}/messages"),
            &m[0].token,
            json!({"client_msg_id": "u", "body": "x", "extra": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app
        .post_auth(
            "/api/v1/conversations",
            &m[0].token,
            json!({"member_ids": []}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.count("SELECT COUNT(*) FROM messages").await, 1);
}

async fn messages_can_be_sent_over_the_socket(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, m) = team(&app, &["ann", "ben", "eve"]).await;
    let (ann, ben, eve) = (&m[0], &m[1], &m[2]);
    let conv = direct(&app, ann, ben).await;
    let mut a = app.stream(&ann.token, None).await;
    let mut bs = app.stream(&ben.token, None).await;
    // Without `since`, a stream starts at the head its `hello` names: wait for it before sending.
    assert_eq!(a.next(WAIT).await.unwrap()["type"], "hello");
    assert_eq!(bs.next(WAIT).await.unwrap()["type"], "hello");
    let send = json!({"type": "message.send", "conversation_id": conv, "client_msg_id": "ws-1", "body": "over the socket"});
    a.send_json(&send).await;
    let ack = a.next_of("message.sent", WAIT).await.unwrap();
    assert_eq!(
        (
            ack["data"]["client_msg_id"].as_str(),
            ack["data"]["seq"].as_i64(),
            ack["data"]["created"].as_bool()
        ),
        (Some("ws-1"), Some(1), Some(true))
    );
    let f = bs.next_event(WAIT).await.unwrap();
    assert_eq!(
        (f["type"].as_str(), f["message"]["body"].as_str()),
        (Some("message.created"), Some("over the socket"))
    );
    // The same rules as over HTTP: a repeated id creates nothing, a non-member learns nothing.
    a.send_json(&send).await;
    let again = a.next_of("message.sent", WAIT).await.unwrap();
    assert_eq!(
        (
            again["data"]["message_id"].clone(),
            again["data"]["created"].as_bool()
        ),
        (ack["data"]["message_id"].clone(), Some(false))
    );
    let mut e = app.stream(&eve.token, None).await;
    e.send_json(&json!({"type": "message.send", "conversation_id": conv, "client_msg_id": "x", "body": "let me in"})).await;
    let refused = e.next_of("message.failed", WAIT).await.unwrap();
    assert_eq!(
        (
            refused["data"]["code"].as_str(),
            refused["data"]["status"].as_u64()
        ),
        (Some("not_found"), Some(404))
    );
    e.send_json(&json!({"type": "message.send", "conversation_id": conv, "client_msg_id": "y", "body": "", "extra": 1})).await;
    assert_eq!(
        e.next_of("message.failed", WAIT).await.unwrap()["data"]["code"],
        "invalid_request"
    );
    e.send_json(&json!({"type": "nonsense"})).await;
    assert_eq!(
        e.next_of("message.failed", WAIT).await.unwrap()["data"]["code"],
        "invalid_request"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM messages").await, 1);
}

/// The other members see who is typing, with no seq and nothing stored; the typist, outsiders
/// and a second signal within the throttle see nothing; on PostgreSQL it crosses nodes.
async fn typing_reaches_the_other_members_only(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, m) = team(&app, &["ann", "ben", "eve"]).await;
    let (ann, ben, eve) = (&m[0], &m[1], &m[2]);
    let conv = direct(&app, ann, ben).await;
    let mut a = app.stream(&ann.token, None).await;
    let mut bs = app.stream(&ben.token, None).await;
    let mut es = app.stream(&eve.token, None).await;
    for s in [&mut a, &mut bs, &mut es] {
        assert_eq!(s.next(WAIT).await.unwrap()["type"], "hello");
    }
    let events = app.count("SELECT COUNT(*) FROM stream_events").await;
    let typing = json!({"type": "typing", "conversation_id": conv});
    a.send_json(&typing).await;
    let f = bs.next(WAIT).await.unwrap();
    assert_eq!(
        (
            f["type"].as_str(),
            f["conversation_id"].as_str(),
            f["data"]["account_id"].as_str(),
            f.get("seq")
        ),
        (
            Some("typing"),
            Some(conv.as_str()),
            Some(ann.id.as_str()),
            None
        )
    );
    // Again at once: within the throttle, not passed on; the next frame ben sees is the message.
    a.send_json(&typing).await;
    assert_eq!(
        send(&app, ann, &conv, "t-1", "hi").await.status,
        StatusCode::CREATED
    );
    assert_eq!(bs.next(WAIT).await.unwrap()["type"], "message.created");
    // The typist's own stream and an outsider's get no typing frame.
    assert_eq!(a.next(WAIT).await.unwrap()["type"], "message.created");
    // An outsider's signal is dropped without an answer, over the socket and refused over HTTP.
    es.send_json(&typing).await;
    let path = format!("/api/v1/conversations/{conv}/typing");
    let r = app.post_auth(&path, &eve.token, json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    // Over HTTP, from ben: ann sees it.
    let r = app.post_auth(&path, &ben.token, json!({})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let f = a.next(WAIT).await.unwrap();
    assert_eq!(
        (f["type"].as_str(), f["data"]["account_id"].as_str()),
        (Some("typing"), Some(ben.id.as_str()))
    );
    assert_eq!(
        es.next(Duration::from_millis(500)).await,
        Err(testkit::stream::Ended::Timeout)
    );
    // Nothing of it was stored: only the message's events.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM stream_events").await,
        events + 2
    );
    // A socket passes on at most 5 signals a second over all conversations: naming many others
    // first uses them up (once the conversation's own 2 s have passed).
    tokio::time::sleep(Duration::from_millis(2100)).await;
    for i in 0..5 {
        a.send_json(&json!({"type": "typing", "conversation_id": format!("other{i}")}))
            .await;
    }
    a.send_json(&typing).await;
    assert_eq!(
        bs.next(Duration::from_millis(700)).await,
        Err(testkit::stream::Ended::Timeout)
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    a.send_json(&typing).await;
    assert_eq!(bs.next(WAIT).await.unwrap()["type"], "typing");
    if b == Backend::Postgres {
        let node2 = app.another_node().await;
        let remote = TestApp::remote(&format!("http://{}", node2.addr), b, &app.database_url);
        let mut far = remote.stream(&ben.token, None).await;
        assert_eq!(far.next(WAIT).await.unwrap()["type"], "hello");
        let r = app.post_auth(&path, &ann.token, json!({})).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
        let f = far.next_of("typing", WAIT).await.unwrap();
        assert_eq!(f["data"]["account_id"], ann.id.as_str());
        node2.stop().await;
    }
}

async fn pending_invitations_are_listed_and_can_be_withdrawn(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (org, m) = team(&app, &["ann", "ben"]).await;
    let dee = member(&app, "dee").await;
    let list_path = format!("/api/v1/orgs/{org}/invites");
    let invite = |to: &str| app.post_auth(&list_path, &m[0].token, json!({"destination": to}));
    let before = app.messages_to(&dee.email).await.len();
    let r = invite(&dee.email).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let dee_invite = r.str("invite_id");
    let r = invite("+8613800138000").await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);

    // The owner sees both, newest first, addresses masked; ben's accepted one is not listed.
    let l = app.get(&list_path, Some(&m[0].token)).await;
    assert_eq!(l.status, StatusCode::OK, "{:?}", l.body);
    let invites = l.body["invites"].as_array().unwrap();
    assert_eq!(invites.len(), 2, "{:?}", l.body);
    assert_eq!(invites[0]["masked_destination"], "138****8000");
    assert_eq!(invites[0]["channel"], "sms");
    assert_eq!(invites[1]["invite_id"], dee_invite.as_str());
    assert_eq!(invites[1]["masked_destination"], "d***@example.com");
    assert_eq!(invites[1]["inviter_nickname"], "ann");
    assert!(!l.body.to_string().contains("dee@example.com"));
    // The enterprise page lists them for the owner, each with a form to withdraw it.
    let page = app
        .client
        .get(format!("{}/orgs/{org}", app.base))
        .header("cookie", format!("ws_session={}; ws_lang=en", m[0].token))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("d***@example.com"), "{page}");
    assert!(
        page.contains(&format!("/invites/{dee_invite}/revoke")),
        "{page}"
    );
    // A plain member may not look, nor withdraw; an outsider learns nothing.
    let r = app.get(&list_path, Some(&m[1].token)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.str("code"), "not_org_admin");
    let r = app.get(&list_path, Some(&dee.token)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let one = format!("{list_path}/{dee_invite}");
    let r = app.delete(&one, &m[1].token).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Withdrawn: its link is dead, and it leaves the list.
    let r = app.delete(&one, &m[0].token).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let msgs = app.wait_for_messages(&dee.email, before + 1).await;
    let code = testkit::invite_code(&msgs);
    let r = app
        .post_auth(
            &format!("/api/v1/invites/{code}/accept"),
            &dee.token,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::GONE, "{:?}", r.body);
    assert_eq!(r.str("code"), "link_expired");
    let l = app.get(&list_path, Some(&m[0].token)).await;
    assert_eq!(l.body["invites"].as_array().unwrap().len(), 1);
    // Withdrawing again, or an unknown one: not found.
    let r = app.delete(&one, &m[0].token).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    app.stop().await;
}
