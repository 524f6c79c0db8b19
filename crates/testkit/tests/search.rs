//! Search (SPEC §10, issue 18): a fixed Chinese business corpus with the hits each query must
//! give (compared with a plain substring oracle over the corpus), filters, orders and cursors;
//! never a conversation the member is not in now (also on a second node), never a recalled
//! message, never the text before an edit; hostile queries; people and conversations by name,
//! pinyin and initials.

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "fixtures/search_corpus.rs"]
mod search_corpus;

use std::collections::{BTreeSet, HashMap};

use testkit::{Backend, Resp, StatusCode, TestApp, json, on_both_backends};

const PW: &str = "blue lantern over quiet harbor";

struct Member {
    id: String,
    email: String,
    token: String,
}

async fn member(app: &TestApp, login: &str, nickname: &str) -> Member {
    let email = format!("{login}@example.com");
    let id = app.register("email", &email, nickname, PW).await;
    let token = app.token(&email, PW).await;
    Member { id, email, token }
}

/// An enterprise of the first member that every other member joined.
async fn team(app: &TestApp, people: &[(&str, &str)]) -> Vec<Member> {
    let mut members = Vec::new();
    for (login, nickname) in people {
        members.push(member(app, login, nickname).await);
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
        app.join_org(&org_id, &members[0].token, &m.email, &m.token)
            .await;
    }
    members
}

async fn conversation(
    app: &TestApp,
    owner: &Member,
    others: &[&Member],
    title: Option<&str>,
) -> String {
    let ids: Vec<&str> = others.iter().map(|m| m.id.as_str()).collect();
    let mut body = json!({"member_ids": ids});
    if let Some(t) = title {
        body["title"] = json!(t);
    }
    let r = app
        .post_auth("/api/v1/conversations", &owner.token, body)
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);
    r.str("conversation_id")
}

async fn send(app: &TestApp, who: &Member, conversation: &str, cid: &str, body: &str) -> String {
    let r = app
        .post_auth(
            &format!("/api/v1/conversations/{conversation}/messages"),
            &who.token,
            json!({"client_msg_id": cid, "body": body}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.str("message_id")
}

/// `/api/v1/search/{what}?…` with the parameters percent-encoded.
fn search_path(what: &str, params: &[(&str, &str)]) -> String {
    let url =
        reqwest::Url::parse_with_params(&format!("http://x/api/v1/search/{what}"), params).unwrap();
    format!("{}?{}", url.path(), url.query().unwrap_or(""))
}

async fn search(app: &TestApp, token: &str, params: &[(&str, &str)]) -> Resp {
    app.get(&search_path("messages", params), Some(token)).await
}

/// Every hit of a query over all pages, as message ids, checking each page's highlights.
async fn all_hits(app: &TestApp, token: &str, params: &[(&str, &str)]) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let mut p: Vec<(&str, &str)> = params.to_vec();
        p.push(("limit", "50"));
        if let Some(c) = &cursor {
            p.push(("cursor", c));
        }
        let r = search(app, token, &p).await;
        assert_eq!(r.status, StatusCode::OK, "{params:?}: {:?}", r.body);
        for h in r.body["hits"].as_array().unwrap() {
            let snippet: Vec<u16> = h["snippet"].as_str().unwrap().encode_utf16().collect();
            let marks = h["highlights"].as_array().unwrap();
            assert!(!marks.is_empty(), "{h}");
            for m in marks {
                let (a, b) = (
                    m[0].as_u64().unwrap() as usize,
                    m[1].as_u64().unwrap() as usize,
                );
                assert!(a < b && b <= snippet.len(), "{h}");
                assert!(
                    !String::from_utf16(&snippet[a..b])
                        .unwrap()
                        .trim()
                        .is_empty()
                );
            }
            out.push(h["message_id"].as_str().unwrap().to_owned());
        }
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
    panic!("more than 100 pages for {params:?}");
}

fn set(v: &[String]) -> BTreeSet<String> {
    v.iter().cloned().collect()
}

on_both_backends!(
    corpus_queries_find_exactly_what_they_should,
    filters_orders_and_cursors,
    removed_members_stop_finding_at_once_on_every_node,
    hostile_queries_get_an_answer_not_an_error,
    people_and_conversations_by_name_pinyin_and_initials,
    enterprises_by_name_pinyin_and_initials,
    queued_messages_are_indexed_after_a_crash,
    messages_indexed_together_leave_their_shared_rows_one_by_one,
);

/// The corpus, sent by three colleagues into a group and a direct conversation the searcher is
/// in, and a group the searcher is not in; every query is compared with the oracle.
async fn corpus_queries_find_exactly_what_they_should(b: Backend) {
    let app = TestApp::spawn(b).await;
    let m = team(&app, &[("ann", "张伟"), ("ben", "李娜"), ("cat", "王芳")]).await;
    let (ann, ben, cat) = (&m[0], &m[1], &m[2]);
    let group = conversation(&app, ann, &[ben, cat], Some("华东销售群")).await;
    let direct = conversation(&app, ann, &[ben], None).await;
    let hidden = conversation(&app, ben, &[cat], Some("财务对账")).await;

    // Message id → (body, readable by ann).
    let mut corpus: HashMap<String, (String, bool)> = HashMap::new();
    for (i, body) in search_corpus::messages().iter().enumerate() {
        let (who, conv, readable) = match (i + i / 7) % 5 {
            0 | 1 => (&m[i % 3], &group, true),
            2 => (if i % 2 == 0 { ann } else { ben }, &direct, true),
            3 => (&m[(i / 5) % 3], &group, true),
            _ => (if i % 2 == 0 { ben } else { cat }, &hidden, false),
        };
        let id = send(&app, who, conv, &format!("c{i}"), body).await;
        corpus.insert(id, (body.clone(), readable));
    }
    assert!(corpus.len() >= 300, "{}", corpus.len());

    // A recalled message and an edited one, both of ann's group messages with 合同.
    let recalled = send(
        &app,
        ann,
        &group,
        "recall-me",
        "合同草稿发错了，PO-2026-118 作废",
    )
    .await;
    let r = app
        .post_auth(
            &format!("/api/v1/conversations/{group}/messages/{recalled}/recall"),
            &ann.token,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let edited = send(&app, ann, &group, "edit-me", "合同第三条要改，发票下周开").await;
    let r = app
        .request(
            reqwest::Method::PATCH,
            &format!("/api/v1/conversations/{group}/messages/{edited}"),
            Some(&ann.token),
            Some(json!({"body": "协议第三条要改，收据下周开"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    corpus.insert(edited.clone(), ("协议第三条要改，收据下周开".into(), true));

    let oracle = |needle: &str, who_reads: Option<bool>| -> BTreeSet<String> {
        let needle = search_corpus::fold(needle);
        corpus
            .iter()
            .filter(|(_, (body, readable))| {
                who_reads.is_none_or(|r| r == *readable)
                    && search_corpus::fold(body).contains(&needle)
            })
            .map(|(id, _)| id.clone())
            .collect()
    };

    for (query, needle) in [
        ("合同", "合同"),
        ("报价单", "报价单"),
        ("发票", "发票"),
        ("张总", "张总"),
        ("九五折", "九五折"),
        ("\"PO-2026-118\"", "PO-2026-118"),
        ("PO-2026-118", "PO-2026-118"),
        ("po-2026-118", "PO-2026-118"),
        ("「下周一 开会」", "下周一开会"),
        ("quarterly", "quarterly"),
        ("REPORT", "report"),
        ("ｑｕａｒｔｅｒｌｙ", "quarterly"),
        ("样品", "样品"),
        ("补", "补"),
        ("SF", "sf"),
    ] {
        let expected = oracle(needle, Some(true));
        assert!(!expected.is_empty(), "the corpus has {needle}");
        let got = all_hits(&app, &ann.token, &[("q", query)]).await;
        assert_eq!(got.len(), set(&got).len(), "{query}: a hit twice");
        assert_eq!(set(&got), expected, "{query}");
    }
    // Words and phrases together: every part must be there.
    let both: BTreeSet<String> = oracle("合同", Some(true))
        .intersection(&oracle("张总", Some(true)))
        .cloned()
        .collect();
    assert!(!both.is_empty());
    assert_eq!(
        set(&all_hits(&app, &ann.token, &[("q", "张总 合同")]).await),
        both
    );
    // The phrase is stricter than its words apart.
    let apart = set(&all_hits(&app, &ann.token, &[("q", "下周一 开会")]).await);
    let phrase = set(&all_hits(&app, &ann.token, &[("q", "「下周一 开会」")]).await);
    assert!(
        phrase.is_subset(&apart) && phrase.len() < apart.len(),
        "{phrase:?} {apart:?}"
    );
    // A word finds the words it starts, not words it ends.
    assert_eq!(
        set(&all_hits(&app, &ann.token, &[("q", "invoice")]).await),
        oracle("invoice", Some(true))
    );
    assert!(
        all_hits(&app, &ann.token, &[("q", "nvoice")])
            .await
            .is_empty()
    );

    // The hidden group's messages are indexed (its members find them), but never for ann.
    let hidden_contracts = oracle("合同", Some(false));
    assert!(!hidden_contracts.is_empty());
    let ben_hits = set(&all_hits(&app, &ben.token, &[("q", "合同")]).await);
    assert!(hidden_contracts.is_subset(&ben_hits));
    let ann_hits = set(&all_hits(&app, &ann.token, &[("q", "合同")]).await);
    assert!(ann_hits.is_disjoint(&hidden_contracts));
    let r = search(
        &app,
        &ann.token,
        &[("q", "合同"), ("conversation_id", &hidden)],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);

    // Never the recalled message, never the text before the edit; the new text is found.
    for q in ["合同", "PO-2026-118", "作废", "草稿"] {
        assert!(
            !all_hits(&app, &ann.token, &[("q", q)])
                .await
                .contains(&recalled),
            "{q}"
        );
    }
    assert!(
        !all_hits(&app, &ann.token, &[("q", "合同第三条")])
            .await
            .contains(&edited)
    );
    assert!(
        all_hits(&app, &ann.token, &[("q", "协议第三条")])
            .await
            .contains(&edited)
    );
    assert!(
        all_hits(&app, &ann.token, &[("q", "收据")])
            .await
            .contains(&edited)
    );

    app.stop().await;
}

async fn filters_orders_and_cursors(b: Backend) {
    let app = TestApp::spawn(b).await;
    let m = team(&app, &[("ann", "张伟"), ("ben", "李娜")]).await;
    let (ann, ben) = (&m[0], &m[1]);
    let group = conversation(&app, ann, &[ben], Some("项目群")).await;
    let direct = conversation(&app, ann, &[ben], None).await;
    let mut ids = Vec::new();
    for i in 0..12 {
        let (who, conv) = if i % 2 == 0 {
            (ann, &group)
        } else {
            (ben, &direct)
        };
        // Hits sent in the same millisecond in two conversations have no order between them
        // (the conversation's key decides, see the store): these come a millisecond apart.
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        ids.push(
            send(
                &app,
                who,
                conv,
                &format!("f{i}"),
                &format!("第{i}份合同的附件说明，请看一下这份合同的条款"),
            )
            .await,
        );
    }
    let triple = send(&app, ann, &group, "t", "合同，合同，还是合同").await;
    ids.push(triple.clone());

    // Newest first by default, pages of 5 with cursors, every hit once.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut p = vec![("q", "合同"), ("limit", "5")];
        if let Some(c) = &cursor {
            p.push(("cursor", c));
        }
        let r = search(&app, &ann.token, &p).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let hits = r.body["hits"].as_array().unwrap();
        assert!(hits.len() <= 5);
        seen.extend(
            hits.iter()
                .map(|h| h["message_id"].as_str().unwrap().to_owned()),
        );
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first);

    // Relevance: the same hits, the message that is mostly 合同 first.
    let rel = all_hits(&app, &ann.token, &[("q", "合同"), ("order", "relevance")]).await;
    assert_eq!(set(&rel), set(&ids));
    assert_eq!(rel[0], triple);
    let r = search(
        &app,
        &ann.token,
        &[("q", "合同"), ("order", "relevance"), ("limit", "5")],
    )
    .await;
    let next = r.body["next_cursor"].as_str().unwrap().to_owned();
    let r2 = search(
        &app,
        &ann.token,
        &[
            ("q", "合同"),
            ("order", "relevance"),
            ("limit", "5"),
            ("cursor", &next),
        ],
    )
    .await;
    let page2: Vec<&str> = r2.body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["message_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        page2,
        rel[5..10].iter().map(String::as_str).collect::<Vec<_>>()
    );
    // A newest-first cursor is not a relevance cursor.
    let r = search(
        &app,
        &ann.token,
        &[("q", "合同"), ("order", "relevance"), ("cursor", "bi4xLjE")],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // Filters.
    let in_group = set(&all_hits(
        &app,
        &ann.token,
        &[("q", "合同"), ("conversation_id", &group)],
    )
    .await);
    assert_eq!(in_group.len(), 7);
    let from_ben = set(&all_hits(&app, &ann.token, &[("q", "合同"), ("sender_id", &ben.id)]).await);
    assert_eq!(from_ben.len(), 6);
    assert!(in_group.is_disjoint(&from_ben));
    assert!(
        all_hits(&app, &ann.token, &[("q", "合同"), ("has_file", "true")])
            .await
            .is_empty()
    );
    assert_eq!(
        all_hits(&app, &ann.token, &[("q", "合同"), ("has_file", "false")])
            .await
            .len(),
        13
    );
    assert_eq!(
        all_hits(
            &app,
            &ann.token,
            &[("q", "合同"), ("after", "2999-01-01T00:00:00Z")]
        )
        .await
        .len(),
        0
    );
    assert_eq!(
        all_hits(
            &app,
            &ann.token,
            &[("q", "合同"), ("before", "2999-01-01T00:00:00Z")]
        )
        .await
        .len(),
        13
    );
    assert_eq!(
        all_hits(
            &app,
            &ann.token,
            &[("q", "合同"), ("before", "2000-01-01T00:00:00+08:00")]
        )
        .await
        .len(),
        0
    );

    // The snippet is cut around the first hit of a long message, with the hit highlighted.
    let long = format!("{}请核对报价单{}", "前文".repeat(200), "后文".repeat(200));
    send(&app, ann, &group, "long", &long).await;
    let r = search(&app, &ann.token, &[("q", "报价单")]).await;
    let h = &r.body["hits"][0];
    let snippet: Vec<u16> = h["snippet"].as_str().unwrap().encode_utf16().collect();
    assert!(snippet.len() < 120, "{h}");
    let (a, b) = (
        h["highlights"][0][0].as_u64().unwrap() as usize,
        h["highlights"][0][1].as_u64().unwrap() as usize,
    );
    assert_eq!(String::from_utf16(&snippet[a..b]).unwrap(), "报价单");
    app.stop().await;
}

async fn removed_members_stop_finding_at_once_on_every_node(b: Backend) {
    let app = TestApp::spawn(b).await;
    let m = team(&app, &[("ann", "张伟"), ("ben", "李娜")]).await;
    let (ann, ben) = (&m[0], &m[1]);
    let group = conversation(&app, ann, &[ben], Some("机密项目")).await;
    let id = send(&app, ann, &group, "s1", "新合同的价格是九五折").await;
    let node2 = app.another_node().await;
    let remote = TestApp::remote(&format!("http://{}", node2.addr), b, &app.database_url);
    for a in [&app, &remote] {
        assert_eq!(
            all_hits(a, &ben.token, &[("q", "九五折")]).await,
            vec![id.clone()]
        );
    }
    let r = app
        .delete(
            &format!("/api/v1/conversations/{group}/members/{}", ben.id),
            &ann.token,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    for a in [&app, &remote] {
        assert!(all_hits(a, &ben.token, &[("q", "九五折")]).await.is_empty());
        assert!(all_hits(a, &ben.token, &[("q", "合同")]).await.is_empty());
        let r = search(a, &ben.token, &[("q", "合同"), ("conversation_id", &group)]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // The owner still finds it.
        assert_eq!(
            all_hits(a, &ann.token, &[("q", "九五折")]).await,
            vec![id.clone()]
        );
    }
    node2.stop().await;
    app.stop().await;
}

async fn hostile_queries_get_an_answer_not_an_error(b: Backend) {
    let app = TestApp::spawn(b).await;
    let m = team(&app, &[("ann", "张伟"), ("ben", "李娜")]).await;
    let (ann, ben) = (&m[0], &m[1]);
    let conv = conversation(&app, ann, &[ben], None).await;
    let id = send(
        &app,
        ann,
        &conv,
        "h1",
        "合同 drop table messages; -- .*(a+)+$ %_%",
    )
    .await;
    let long_ascii = "a' OR 1=1 -- ".repeat(800);
    // As many as a URL can carry (the client refuses one over 64 KiB).
    let long_cjk = "合".repeat(5_000);
    let queries: Vec<&str> = vec![
        "'; DROP TABLE messages; --",
        "\" OR \"\"=\"",
        ".*(a+)+$",
        "%_%",
        "\\",
        "\"unbalanced",
        "「",
        "」」「「",
        "\u{1}\u{7f}\u{9f}合同\u{0}",
        "AND OR NOT NEAR( * ) ^2 ~1",
        "\u{FFFD}",
        "𠀀𠀁🙂",
        "",
        "   ",
        &long_ascii,
        &long_cjk,
    ];
    for q in queries {
        for order in ["newest", "relevance"] {
            let r = search(&app, &ann.token, &[("q", q), ("order", order)]).await;
            assert!(
                r.status.is_success() || r.status.is_client_error(),
                "{q:?}: {}",
                r.status
            );
            if !r.status.is_success() {
                assert!(
                    !r.code().is_empty() || r.status == StatusCode::URI_TOO_LONG,
                    "{q:?}: {:?}",
                    r.body
                );
            }
        }
    }
    // Raw encodings a client might send: a lone surrogate, NUL, broken percent-encoding.
    for raw in [
        "q=%ED%A0%80",
        "q=%00%00",
        "q=%E5%90",
        "q=%",
        "q=a&q=b",
        "q=%E5%90%88%E5%90%8C&conversation_id=%00",
        "q=x&cursor=%00",
        "q=x&cursor=!!!",
        "q=x&order=best",
        "q=x&after=yesterday",
        "q=x&limit=-5",
        "q=x&has_file=maybe",
        "q=x&unknown=1",
        "nothing=1",
    ] {
        let r = app
            .get(&format!("/api/v1/search/messages?{raw}"), Some(&ann.token))
            .await;
        assert!(
            r.status.is_success() || r.status.is_client_error(),
            "{raw}: {}",
            r.status
        );
        if !r.status.is_success() {
            assert_eq!(r.code(), "invalid_request", "{raw}: {:?}", r.body);
        }
        for what in ["people", "conversations"] {
            let r = app
                .get(&format!("/api/v1/search/{what}?{raw}"), Some(&ann.token))
                .await;
            assert!(
                r.status.is_success() || r.status.is_client_error(),
                "{what} {raw}: {}",
                r.status
            );
        }
    }
    // Syntax is text: the message with it is found by its words, and nothing broke.
    assert_eq!(
        all_hits(&app, &ann.token, &[("q", "drop table")]).await,
        vec![id.clone()]
    );
    assert_eq!(
        all_hits(&app, &ann.token, &[("q", "\"%_%\" 合同")]).await,
        vec![id.clone()]
    );
    assert_eq!(
        all_hits(&app, &ann.token, &[("q", "'; DROP TABLE messages; --")])
            .await
            .len(),
        0
    );
    let r = search(&app, &ann.token, &[("q", &"合".repeat(257))]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "invalid_request");
    // Without a session: 401.
    let r = app
        .get(&search_path("messages", &[("q", "合同")]), None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

/// `/search/{what}?q=`: the `field` of each result.
async fn names(app: &TestApp, token: &str, what: &str, field: &str, q: &str) -> Vec<String> {
    let r = app.get(&search_path(what, &[("q", q)]), Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{q}: {:?}", r.body);
    r.body[what]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[field].as_str().unwrap().to_owned())
        .collect()
}

async fn people_and_conversations_by_name_pinyin_and_initials(b: Backend) {
    let app = TestApp::spawn(b).await;
    let m = team(
        &app,
        &[
            ("ann", "王芳"),
            ("zw", "张伟"),
            ("ln", "李娜"),
            ("sh", "单华"),
        ],
    )
    .await;
    let ann = &m[0];
    // Someone who is not ann's contact is never found.
    let stranger = member(&app, "other", "张伟伟").await;
    let people = |q: &'static str| names(&app, &ann.token, "people", "nickname", q);
    for q in [
        "张伟",
        "zhangwei",
        "zw",
        "ZW",
        "zhangw",
        "wei",
        "ｚｈａｎｇ",
    ] {
        assert_eq!(people(q).await, vec!["张伟"], "{q}");
    }
    assert_eq!(people("shanhua").await, vec!["单华"]);
    assert_eq!(people("danhua").await, vec!["单华"]);
    assert_eq!(people("ln").await, vec!["李娜"]);
    assert!(people("xyz").await.is_empty());
    assert!(!people("张").await.contains(&"张伟伟".to_owned()));
    let _ = stranger.id;

    let g1 = conversation(&app, ann, &[&m[1], &m[2]], Some("华东销售群")).await;
    conversation(&app, ann, &[&m[3]], None).await;
    conversation(&app, &m[1], &[&m[2]], Some("华南销售群")).await;
    let conversations =
        |q: &'static str| names(&app, &ann.token, "conversations", "conversation_id", q);
    for q in ["华东销售群", "销售", "hdxs", "huadong", "HuaDongXiaoShou"] {
        assert_eq!(conversations(q).await, vec![g1.clone()], "{q}");
    }
    // A direct conversation by the other member's name; ann's group is not 华南.
    assert_eq!(conversations("shanhua").await.len(), 1);
    assert!(conversations("huanan").await.is_empty());
    app.stop().await;
}

/// The caller's enterprises by name, full pinyin and initials (the rule people and conversations
/// are found by); an enterprise the caller is not in is never found.
async fn enterprises_by_name_pinyin_and_initials(b: Backend) {
    let app = TestApp::spawn(b).await;
    let m = team(&app, &[("ann", "王芳"), ("zw", "张伟")]).await;
    let ann = &m[0];
    let create = |token: String, name: &'static str| {
        let app = &app;
        async move {
            let r = app
                .post_auth("/api/v1/orgs", &token, json!({"name": name}))
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
            r.str("id")
        }
    };
    let beijing = create(ann.token.clone(), "北京华信贸易").await;
    // Not ann's enterprise: another member's own.
    create(m[1].token.clone(), "杭州旺商物流").await;
    let orgs = |q: &'static str| names(&app, &ann.token, "orgs", "name", q);
    for q in [
        "旺商科技",
        "旺商",
        "wangshang",
        "wangshangkeji",
        "wskj",
        "WSKJ",
        "wangsk",
        "ｗｓｋｊ",
        "keji",
    ] {
        assert_eq!(orgs(q).await, vec!["旺商科技"], "{q}");
    }
    for q in ["北京华信贸易", "beijing", "bjhxmy", "huaxin", "hx"] {
        assert_eq!(orgs(q).await, vec!["北京华信贸易"], "{q}");
    }
    let ids = names(&app, &ann.token, "orgs", "id", "bjhx").await;
    assert_eq!(ids, vec![beijing]);
    // 杭州旺商物流 is 张伟's alone: ann never finds it, 张伟 does.
    assert!(orgs("hangzhou").await.is_empty());
    assert!(orgs("wuliu").await.is_empty());
    assert_eq!(
        names(&app, &m[1].token, "orgs", "name", "hzws").await,
        vec!["杭州旺商物流"]
    );
    assert!(orgs("xyz").await.is_empty());
    // The best match first: the same name before pinyin from a later syllable.
    assert_eq!(
        names(&app, &m[1].token, "orgs", "name", "wangshang").await,
        vec!["旺商科技", "杭州旺商物流"]
    );
    let r = app.get(&search_path("orgs", &[("q", "ws")]), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

/// Sends commit their messages to the index's queue, and the indexer takes them after commit.
/// With indexing failing (a fault on the index's inserts, as a crash between the send's commit
/// and the indexer's would leave it), the messages stay queued; an edit and a recall meanwhile
/// still apply. After a crash and restart the server indexes the queue by itself, without a
/// search asking: the new text is found, the old text and the recalled message are not.
async fn queued_messages_are_indexed_after_a_crash(b: Backend) {
    let mut app = TestApp::spawn(b).await;
    let m = team(&app, &[("ann", "张伟"), ("ben", "李娜")]).await;
    let (ann, ben) = (&m[0], &m[1]);
    let conv = conversation(&app, ann, &[ben], None).await;
    let before = send(&app, ann, &conv, "c0", "崩溃之前已经索引的发票").await;
    assert_eq!(
        all_hits(&app, &ben.token, &[("q", "发票")]).await,
        vec![before.clone()]
    );
    // The highest seq indexed in the conversation.
    let indexed = "SELECT MAX(indexed_seq) FROM search_scopes";
    let indexed_before = app.count(indexed).await;
    assert!(indexed_before > 0);
    app.arm_fault("INSERT INTO search_postings");
    let kept = send(&app, ann, &conv, "c1", "崩溃之前发出的报价单").await;
    let edited = send(&app, ann, &conv, "c2", "旧的交货期是周一").await;
    let recalled = send(&app, ben, &conv, "c3", "这条报价单要撤回").await;
    let r = app
        .request(
            reqwest::Method::PATCH,
            &format!("/api/v1/conversations/{conv}/messages/{edited}"),
            Some(&ann.token),
            Some(json!({"body": "新的交货期是周五"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .post_auth(
            &format!("/api/v1/conversations/{conv}/messages/{recalled}/recall"),
            &ben.token,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // The indexer tried (woken by the sends) and failed: everything is still queued.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let queued = "SELECT COUNT(*) FROM search_pending";
    assert!(app.count(queued).await >= 3);
    assert_eq!(app.count(indexed).await, indexed_before);
    app.disarm_fault();
    app.kill_and_restart().await;
    // Indexed at start, without a search.
    let mut left = app.count(queued).await;
    for _ in 0..100 {
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        left = app.count(queued).await;
    }
    assert_eq!(left, 0, "the queue was not indexed at start");
    assert!(app.count(indexed).await > indexed_before);
    assert_eq!(
        all_hits(&app, &ben.token, &[("q", "报价单")]).await,
        vec![kept.clone()]
    );
    assert_eq!(
        all_hits(&app, &ben.token, &[("q", "交货期 周五")]).await,
        vec![edited.clone()]
    );
    assert!(
        all_hits(&app, &ben.token, &[("q", "周一")])
            .await
            .is_empty()
    );
    assert!(
        all_hits(&app, &ben.token, &[("q", "撤回")])
            .await
            .is_empty()
    );
    assert_eq!(
        all_hits(&app, &ben.token, &[("q", "崩溃之前")]).await,
        vec![kept, before]
    );
    app.stop().await;
}

/// `ids` of `sent`, newest first (the order of hits).
fn newest_first(sent: &[String], ids: &[usize]) -> Vec<String> {
    ids.iter().rev().map(|i| sent[*i].clone()).collect()
}

/// Hits as a set: messages sent in the same millisecond have no order between them here.
fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

/// One index pass writes one posting row per term for all its messages (migration 0024). Six
/// messages indexed together share their rows: editing one and recalling another takes only
/// those two out of the shared rows, and a query of two terms finds a message whether its row of
/// the second term is the newest or an older one.
async fn messages_indexed_together_leave_their_shared_rows_one_by_one(b: Backend) {
    let app = TestApp::spawn(b).await;
    let m = team(&app, &[("ann", "张伟"), ("ben", "李娜")]).await;
    let (ann, ben) = (&m[0], &m[1]);
    let conv = conversation(&app, ann, &[ben], None).await;
    // The indexer fails meanwhile, so the first search indexes all six in one pass.
    app.arm_fault("INSERT INTO search_postings");
    let mut sent = Vec::new();
    for (i, body) in [
        "合同草稿今天发给张总",
        "合同第二版请张总过目",
        "报价单和合同一起发",
        "合同盖章后寄回",
        "张总说合同没问题",
        "明天讨论合同",
    ]
    .iter()
    .enumerate()
    {
        sent.push(send(&app, ann, &conv, &format!("c{i}"), body).await);
    }
    app.disarm_fault();
    assert_eq!(
        all_hits(&app, &ben.token, &[("q", "合同")]).await,
        newest_first(&sent, &[0, 1, 2, 3, 4, 5])
    );
    let shared = "SELECT COUNT(*) FROM search_postings WHERE term = '合同'";
    assert_eq!(app.count(shared).await, 1, "one row for the pass");
    let r = app
        .request(
            reqwest::Method::PATCH,
            &format!("/api/v1/conversations/{conv}/messages/{}", sent[1]),
            Some(&ann.token),
            Some(json!({"body": "报价单第二版请过目"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .post_auth(
            &format!("/api/v1/conversations/{conv}/messages/{}/recall", sent[3]),
            &ann.token,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // A later pass: a newer row of 合同 and of 张总.
    sent.push(send(&app, ann, &conv, "c6", "张总的合同已归档").await);
    assert_eq!(
        sorted(all_hits(&app, &ben.token, &[("q", "合同")]).await),
        sorted(newest_first(&sent, &[0, 2, 4, 5, 6]))
    );
    assert_eq!(
        sorted(all_hits(&app, &ben.token, &[("q", "报价单")]).await),
        sorted(newest_first(&sent, &[1, 2]))
    );
    // The edited message, indexed again, joined the row of 报价 that holds its place (that of
    // message 2, the next one) rather than a row of its own.
    let quote = "SELECT COUNT(*) FROM search_postings WHERE term = '报价'";
    assert_eq!(app.count(quote).await, 1);
    for q in ["张总 合同", "合同 张总", "张 合同", "归档 合同"] {
        let want = if q.contains("归档") {
            vec![6]
        } else {
            vec![0, 4, 6]
        };
        assert_eq!(
            sorted(all_hits(&app, &ben.token, &[("q", q)]).await),
            sorted(newest_first(&sent, &want)),
            "{q}"
        );
    }
    // Terms only the edited message's old text and the recalled message had: their rows,
    // left empty, are gone.
    for term in ["同第", "盖章"] {
        let rows = format!("SELECT COUNT(*) FROM search_postings WHERE term = '{term}'");
        assert_eq!(app.count(&rows).await, 0, "{term}");
    }
}
