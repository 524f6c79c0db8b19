//! `search_bench`: message search latency over a large corpus on SQLite (issue 18).
//!
//! It starts the real server in-process on a fresh SQLite database (testkit's `TestApp`),
//! registers the searching member through the real flow, then writes the corpus straight into
//! the database with SQL in bulk (a million sends through HTTP would take hours here):
//! `--conversations` conversations of which the member is in `--member-of`, `--messages` messages
//! of Chinese business chat (templates with rotating products, companies, days and numbers),
//! each with its search index rows made by the server's own tokenizer
//! (`domain::search::text::terms`) and grouped into posting rows as the indexer groups a pass's
//! messages (`--pass` messages of a conversation per row; by default 1, the most rows). Then it
//! runs each query of a fixed set `--runs` times through `GET /api/v1/search/messages` (first page,
//! newest first, and once more in relevance order) and prints p50/p99 per query and over all,
//! beside the SQLite calibration of the same run (single-row commits/s) and their ratio: how many
//! commits one search costs.
//!
//! While loading it also measures the storage side of indexing: messages/s of batches of 500
//! (the group commit's size) written with and without their index rows, and the ratio. That is
//! the rows the send adds, not the chat benchmark's end-to-end send throughput.
//!
//! With `--postgres URL` the same runs on a fresh PostgreSQL database on that server: the corpus
//! is written with multi-row INSERTs (500 messages, their documents and their terms per batch,
//! the first 10 batches alternating without and with index rows, as on SQLite), then ANALYZE.

// This is a benchmark binary: a failed setup should abort loudly rather than be reported as a
// measurement.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use testkit::{Backend, TestApp};
use wangshang_bench::{calibrate, number, percentile, read_flags};

const USAGE: &str = "\
search_bench: message search p50/p99 over a large corpus on SQLite or PostgreSQL

USAGE:
    search_bench [--messages N] [--conversations N] [--member-of N] [--runs N] [--pass N]
                 [--postgres URL]

    --messages N        messages in the database (default 200000)
    --conversations N   conversations they are spread over (default 2000)
    --member-of N       conversations the searching member is in (default 50)
    --runs N            runs of each query (default 30)
    --pass N            messages of a conversation indexed together, one posting row per term
                        for them (default 1: each message alone, the most rows, as when
                        messages come one at a time; a pass under load holds up to 5,000)
    --postgres URL      a PostgreSQL server (postgres://user:pw@host:port, no database name):
                        the corpus goes into a fresh database there instead of SQLite";

#[derive(Clone)]
struct Args {
    /// `--postgres URL`: a PostgreSQL server (a fresh database is made on it) instead of SQLite.
    postgres: Option<String>,
    messages: usize,
    conversations: usize,
    member_of: usize,
    runs: usize,
    pass: usize,
}

fn parse_args(it: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut a = Args {
        postgres: None,
        messages: 200_000,
        conversations: 2_000,
        member_of: 50,
        runs: 30,
        pass: 1,
    };
    let go = read_flags(it, |flag, value| {
        match flag {
            "--postgres" => a.postgres = Some(value),
            "--messages" => a.messages = number(flag, &value)?,
            "--conversations" => a.conversations = number(flag, &value)?.max(1),
            "--member-of" => a.member_of = number(flag, &value)?,
            "--runs" => a.runs = number(flag, &value)?.max(1),
            "--pass" => a.pass = number(flag, &value)?.max(1),
            _ => return Err(format!("unknown flag {flag}")),
        }
        Ok(())
    })?;
    if !go {
        return Ok(None);
    }
    a.member_of = a.member_of.min(a.conversations);
    Ok(Some(a))
}

const PRODUCTS: &[&str] = &[
    "不锈钢阀门",
    "LED灯带",
    "包装纸箱",
    "电机控制器",
    "办公椅",
    "茶叶礼盒",
    "光伏组件",
    "打印耗材",
    "液压油缸",
    "无纺布",
    "锂电池",
    "数控刀具",
];
const COMPANIES: &[&str] = &[
    "上海恒丰贸易有限公司",
    "杭州云帆科技",
    "深圳华强电子",
    "Acme Trading Ltd",
    "苏州精工制造",
    "宁波港联物流",
    "成都天府软件",
];
const DAYS: &[&str] = &["周三", "月底", "明天上午", "下周五", "国庆前", "今天下班前"];
const TEMPLATES: &[&str] = &[
    "{p}的合同已经盖章，请查收。",
    "报价单第{n}版已发，{p}按九五折计算。",
    "发票抬头是{c}，税号稍后发你。",
    "张总说{d}开会讨论{p}的交期。",
    "订单 PO-2026-{n} 已发货，物流单号 SF{n}{n}。",
    "Please review the quarterly report for {c}.",
    "下周一开会，议程：{p}报价和回款。",
    "{p}库存还剩{n}件，要不要补货？",
    "收到，谢谢！",
    "客户要求在{d}前提供{p}样品。",
    "报价已经发过了，{p}单价不变。",
    "合作愉快，期待下次和{c}合作。",
    "Invoice INV-{n} is overdue, 请尽快付款。",
    "{c}的对账单有出入，差额{n}元。",
    "这批{p}能不能再打个九五折？",
    "好的，我这边{d}确认一下再回复你。",
    "仓库说{p}的包装有破损，拍照发群里了。",
    "麻烦把{c}的联系人电话发我一下。",
    "{c}的合同价按九五折走，张总已经同意。",
];

fn body(rng: &mut StdRng) -> String {
    let t = TEMPLATES[rng.random_range(0..TEMPLATES.len())];
    t.replace("{p}", PRODUCTS[rng.random_range(0..PRODUCTS.len())])
        .replace("{c}", COMPANIES[rng.random_range(0..COMPANIES.len())])
        .replace("{d}", DAYS[rng.random_range(0..DAYS.len())])
        .replace("{n}", &rng.random_range(100..200).to_string())
}

/// Writes the corpus; returns the storage-side messages/s of batches without and with index
/// rows, measured on the first batches.
fn load(path: &str, member: &str, a: &Args) -> (f64, f64) {
    let mut conn = rusqlite::Connection::open(path).expect("open the database");
    conn.execute_batch("PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;")
        .expect("pragmas");
    let mut rng = StdRng::seed_from_u64(18);
    let now = 1_780_000_000_000i64;
    let conversations: Vec<String> = (0..a.conversations).map(|_| domain::random::id()).collect();
    {
        let tx = conn.transaction().expect("begin");
        for (i, c) in conversations.iter().enumerate() {
            tx.execute(
                "INSERT INTO conversations (id, kind, title, direct_key, created_by, created_at, \
                 last_seq, last_message_at) VALUES (?1, 'group', ?2, NULL, ?3, ?4, 0, NULL)",
                rusqlite::params![c, format!("群{i}"), member, now],
            )
            .expect("conversation");
            tx.execute(
                "INSERT INTO search_scopes (id, conversation_id) VALUES (?1, ?2)",
                rusqlite::params![i as i64 + 1, c],
            )
            .expect("scope");
            // The member is in the first `member_of`; others are not (no member row needed).
            if i < a.member_of {
                tx.execute(
                    "INSERT INTO conversation_members (conversation_id, account_id, role, \
                     joined_at, read_seq) VALUES (?1, ?2, 'member', ?3, 0)",
                    rusqlite::params![c, member, now],
                )
                .expect("member");
            }
        }
        tx.commit().expect("commit");
    }
    let per_conversation = a.messages.div_ceil(a.conversations);
    let mut seqs = vec![0i64; a.conversations];
    let mut unindexed: Vec<(i64, String, i64)> = Vec::new();
    let mut written = 0usize;
    let (mut plain_rate, mut indexed_rate) = (0.0, 0.0);
    let started = Instant::now();
    // Conversation by conversation in batches of 500, as the group commit writes them.
    let mut batch_no = 0;
    'outer: for (ci, c) in conversations.iter().enumerate() {
        let mut left = per_conversation;
        while left > 0 {
            let n = left.min(500).min(a.messages - written);
            if n == 0 {
                break 'outer;
            }
            let msgs: Vec<(String, i64, String, i64)> = (0..n)
                .map(|_| {
                    seqs[ci] += 1;
                    let sent = now + (written as i64) * 1000 + rng.random_range(0..1000);
                    (domain::random::id(), seqs[ci], body(&mut rng), sent)
                })
                .collect();
            // The first 10 batches alternate without and with index rows, timed.
            let with_index = batch_no >= 10 || batch_no % 2 == 1;
            let t0 = Instant::now();
            let tx = conn.transaction().expect("begin");
            {
                let mut m = tx
                    .prepare_cached(
                        "INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, \
                         body, mentions, sent_at) VALUES (?1, ?2, ?3, ?4, ?1, ?5, '[]', ?6)",
                    )
                    .expect("prepare");
                let mut indexed = Vec::new();
                for (id, seq, text, sent) in &msgs {
                    m.execute(rusqlite::params![id, c, seq, member, text, sent])
                        .expect("message");
                    if with_index {
                        indexed.push((ci as i64 + 1, text.as_str(), *seq));
                    } else {
                        unindexed.push((ci as i64 + 1, text.clone(), *seq));
                    }
                }
                insert_postings_sqlite(&tx, &posting_rows(&indexed, a.pass));
            }
            tx.commit().expect("commit");
            let rate = n as f64 / t0.elapsed().as_secs_f64();
            if batch_no < 10 {
                if with_index {
                    indexed_rate += rate / 5.0;
                } else {
                    plain_rate += rate / 5.0;
                }
            }
            batch_no += 1;
            written += n;
            left -= n;
            if written % 50_000 < n {
                eprintln!(
                    "  {written} messages written ({:.0} s)",
                    started.elapsed().as_secs_f64()
                );
            }
        }
    }
    // The messages of the timed plain batches get their index rows too, so every query sees
    // the whole corpus.
    let tx = conn.transaction().expect("begin");
    let indexed: Vec<(i64, &str, i64)> = unindexed
        .iter()
        .map(|(scope, text, seq)| (*scope, text.as_str(), *seq))
        .collect();
    insert_postings_sqlite(&tx, &posting_rows(&indexed, a.pass));
    tx.execute_batch(INDEXED_SEQ).expect("indexed seq");
    tx.commit().expect("commit");
    conn.execute_batch("ANALYZE;").expect("analyze");
    (plain_rate, indexed_rate)
}

/// SQL text literal (the corpus is the benchmark's own text; quotes doubled all the same).
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Writes the corpus into PostgreSQL with multi-row INSERTs; returns the storage-side
/// messages/s of batches without and with index rows, measured on the first batches.
async fn load_postgres(app: &TestApp, member: &str, a: &Args) -> (f64, f64) {
    let mut rng = StdRng::seed_from_u64(18);
    let now = 1_780_000_000_000i64;
    let conversations: Vec<String> = (0..a.conversations).map(|_| domain::random::id()).collect();
    for (k, chunk) in conversations.chunks(1000).enumerate() {
        let rows: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(j, c)| {
                format!(
                    "({}, 'group', {}, NULL, {}, {now}, 0, NULL)",
                    lit(c),
                    lit(&format!("群{}", k * 1000 + j)),
                    lit(member)
                )
            })
            .collect();
        app.exec(&format!(
            "INSERT INTO conversations (id, kind, title, direct_key, created_by, created_at, \
             last_seq, last_message_at) VALUES {}",
            rows.join(", ")
        ))
        .await;
        let scopes: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(j, c)| format!("({}, {})", k * 1000 + j + 1, lit(c)))
            .collect();
        app.exec(&format!(
            "INSERT INTO search_scopes (id, conversation_id) OVERRIDING SYSTEM VALUE VALUES {}",
            scopes.join(", ")
        ))
        .await;
    }
    let scopes: HashMap<String, usize> = conversations
        .iter()
        .enumerate()
        .map(|(i, c)| (c.clone(), i + 1))
        .collect();
    let members: Vec<String> = conversations[..a.member_of]
        .iter()
        .map(|c| format!("({}, {}, 'member', {now}, 0)", lit(c), lit(member)))
        .collect();
    if !members.is_empty() {
        app.exec(&format!(
            "INSERT INTO conversation_members (conversation_id, account_id, role, joined_at, \
             read_seq) VALUES {}",
            members.join(", ")
        ))
        .await;
    }
    let per_conversation = a.messages.div_ceil(a.conversations);
    let mut written = 0usize;
    let (mut plain_rate, mut indexed_rate) = (0.0, 0.0);
    let started = Instant::now();
    let mut batch_no = 0;
    let mut unindexed: Vec<(String, String, String, i64, i64)> = Vec::new();
    'outer: for c in &conversations {
        let mut left = per_conversation;
        let mut seq = 0i64;
        while left > 0 {
            let n = left.min(500).min(a.messages - written);
            if n == 0 {
                break 'outer;
            }
            let msgs: Vec<(String, String, String, i64, i64)> = (0..n)
                .map(|_| {
                    seq += 1;
                    let sent = now + (written as i64) * 1000 + rng.random_range(0..1000);
                    (domain::random::id(), c.clone(), body(&mut rng), sent, seq)
                })
                .collect();
            let with_index = batch_no >= 10 || batch_no % 2 == 1;
            let t0 = Instant::now();
            let rows: Vec<String> = msgs
                .iter()
                .map(|(id, c, text, sent, seq)| {
                    format!(
                        "({}, {}, {seq}, {}, {}, {}, '[]', {sent})",
                        lit(id),
                        lit(c),
                        lit(member),
                        lit(id),
                        lit(text)
                    )
                })
                .collect();
            app.exec(&format!(
                "INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, body, \
                 mentions, sent_at) VALUES {}",
                rows.join(", ")
            ))
            .await;
            if with_index {
                index_rows(app, &scopes, a.pass, &msgs).await;
            } else {
                unindexed.extend(msgs);
            }
            let rate = n as f64 / t0.elapsed().as_secs_f64();
            if batch_no < 10 {
                if with_index {
                    indexed_rate += rate / 5.0;
                } else {
                    plain_rate += rate / 5.0;
                }
            }
            batch_no += 1;
            written += n;
            left -= n;
            if written % 50_000 < n {
                eprintln!(
                    "  {written} messages written ({:.0} s)",
                    started.elapsed().as_secs_f64()
                );
            }
        }
    }
    // The timed plain batches get their index rows too, so every query sees the whole corpus.
    index_rows(app, &scopes, a.pass, &unindexed).await;
    app.exec(INDEXED_SEQ).await;
    app.exec("ANALYZE").await;
    (plain_rate, indexed_rate)
}

/// The posting rows of `msgs` (id, conversation, text, sent_at, seq), multi-row.
async fn index_rows(
    app: &TestApp,
    scopes: &HashMap<String, usize>,
    pass: usize,
    msgs: &[(String, String, String, i64, i64)],
) {
    for chunk in msgs.chunks(500) {
        let indexed: Vec<(i64, &str, i64)> = chunk
            .iter()
            .map(|(_, c, text, _, doc)| (scopes[c] as i64, text.as_str(), *doc))
            .collect();
        let rows: Vec<String> = posting_rows(&indexed, pass)
            .into_iter()
            .map(|(scope, term, docs)| {
                let list: Vec<String> = docs.iter().map(i64::to_string).collect();
                format!(
                    "({scope}, {}, {}, {}, '{{{}}}')",
                    lit(&term),
                    docs[docs.len() - 1],
                    docs[0],
                    list.join(",")
                )
            })
            .collect();
        for rows in rows.chunks(5000) {
            app.exec(&format!(
                "INSERT INTO search_postings (scope, term, last_doc, first_doc, docs) VALUES {}",
                rows.join(", ")
            ))
            .await;
        }
    }
}

/// Sets each conversation's highest indexed seq (migration 0026) once the corpus is indexed.
const INDEXED_SEQ: &str = "UPDATE search_scopes SET indexed_seq = \
     (SELECT COALESCE(MAX(m.seq), 0) FROM messages m WHERE m.conversation_id = search_scopes.conversation_id)";

/// The posting rows of `(scope, text, doc)` (docs ascending) indexed `pass` messages at a time,
/// as the server's indexer writes them: one row per conversation and term of each pass, with
/// the pass's documents that have the term.
fn posting_rows(msgs: &[(i64, &str, i64)], pass: usize) -> Vec<(i64, String, Vec<i64>)> {
    let mut out = Vec::new();
    for chunk in msgs.chunks(pass) {
        // A run: consecutive seqs of one conversation. Rows never span two runs, so the rows of
        // a conversation and term cover ranges that do not overlap, as the server keeps them.
        let mut rows: std::collections::BTreeMap<(i64, String, usize), Vec<i64>> =
            Default::default();
        let mut run = 0;
        let mut last: Option<(i64, i64)> = None;
        for (scope, text, doc) in chunk {
            if last.is_some_and(|(s, d)| s != *scope || d + 1 != *doc) {
                run += 1;
            }
            last = Some((*scope, *doc));
            for term in domain::search::text::terms(text) {
                rows.entry((*scope, term, run)).or_default().push(*doc);
            }
        }
        out.extend(rows.into_iter().map(|((s, t, _), d)| (s, t, d)));
    }
    out
}

fn insert_postings_sqlite(tx: &rusqlite::Transaction<'_>, rows: &[(i64, String, Vec<i64>)]) {
    let mut p = tx
        .prepare_cached(
            "INSERT INTO search_postings (scope, term, last_doc, first_doc, docs) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .expect("prepare");
    for (scope, term, docs) in rows {
        let list: Vec<String> = docs.iter().map(i64::to_string).collect();
        p.execute(rusqlite::params![
            scope,
            term,
            docs[docs.len() - 1],
            docs[0],
            format!("[{}]", list.join(","))
        ])
        .expect("posting");
    }
}

/// The `p`th percentile (0–100) of sorted latencies, in ms.
fn ms(sorted: &[Duration], p: f64) -> f64 {
    percentile(sorted, p).as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("{USAGE}");
            return std::process::ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("search_bench: {e}\n\n{USAGE}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let app = match &args.postgres {
        Some(base) => {
            let url = testkit::fresh_postgres_database_on(base).await;
            TestApp::spawn_with(Backend::Sqlite, move |c| c.database_url = url).await
        }
        None => TestApp::spawn(Backend::Sqlite).await,
    };
    let member = app
        .register(
            "email",
            "searcher@example.com",
            "张伟",
            "blue lantern over quiet harbor",
        )
        .await;
    let token = app
        .token("searcher@example.com", "blue lantern over quiet harbor")
        .await;
    let path = app.database_url.trim_start_matches("sqlite://").to_owned();
    eprintln!(
        "loading {} messages in {} conversations (member of {}) …",
        args.messages, args.conversations, args.member_of
    );
    let started = Instant::now();
    let rates = if args.postgres.is_some() {
        load_postgres(&app, &member, &args).await
    } else {
        let (path, member, args) = (path.clone(), member.clone(), args.clone());
        tokio::task::spawn_blocking(move || load(&path, &member, &args))
            .await
            .expect("loader")
    };
    let load_secs = started.elapsed().as_secs_f64();
    eprintln!("loaded in {load_secs:.0} s");
    report(args, rates, load_secs, app, token).await;
    std::process::ExitCode::SUCCESS
}

/// Runs the queries and prints the tables.
async fn report(
    args: Args,
    (plain, indexed): (f64, f64),
    load_secs: f64,
    app: TestApp,
    token: String,
) {
    let backend = if args.postgres.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let db_bytes = if args.postgres.is_some() {
        let size = app
            .count("SELECT pg_database_size(current_database())")
            .await;
        u64::try_from(size).unwrap_or(0)
    } else {
        std::fs::metadata(app.database_url.trim_start_matches("sqlite://"))
            .map(|m| m.len())
            .unwrap_or(0)
    };
    let queries = [
        "合同",
        "报价单",
        "发票",
        "张总",
        "九五折",
        "\"PO-2026-118\"",
        "「下周一 开会」",
        "quarterly",
        "补",
        "的",
        "合同 九五折",
        "不存在的词",
    ];
    let mut all: Vec<Duration> = Vec::new();
    let mut rows = Vec::new();
    for q in queries {
        for order in ["newest", "relevance"] {
            let url = format!("/api/v1/search/messages?q={}&order={order}", percent(q));
            let mut lat = Vec::with_capacity(args.runs);
            let mut hits = 0;
            for _ in 0..args.runs {
                let t0 = Instant::now();
                let r = app.get(&url, Some(&token)).await;
                lat.push(t0.elapsed());
                assert_eq!(r.status, 200, "{q}: {:?}", r.body);
                hits = r.body["hits"].as_array().map_or(0, Vec::len);
            }
            lat.sort();
            all.extend(&lat);
            rows.push((q, order, hits, ms(&lat, 50.0), ms(&lat, 99.0)));
        }
    }
    all.sort();
    let lite = calibrate::sqlite_limits().await;
    let p50 = ms(&all, 50.0);
    let p99 = ms(&all, 99.0);
    println!(
        "\n## search_bench: {} messages, {} conversations, member of {} ({backend}, {:.0} MB, loaded in {load_secs:.0} s)\n",
        args.messages,
        args.conversations,
        args.member_of,
        db_bytes as f64 / 1e6
    );
    println!("| query | order | hits on page 1 | p50 ms | p99 ms |");
    println!("| --- | --- | --- | --- | --- |");
    for (q, order, hits, a, b) in &rows {
        println!("| `{q}` | {order} | {hits} | {a:.2} | {b:.2} |");
    }
    println!("| **all** | | | **{p50:.2}** | **{p99:.2}** |");
    println!();
    println!("| figure | value |");
    println!("| --- | --- |");
    println!(
        "| SQLite calibration, single-row commits/s (same run) | {:.0} |",
        lite.commits_per_sec
    );
    println!(
        "| search p50 in commit times (p50 × commits/s) | {:.1} |",
        p50 / 1000.0 * lite.commits_per_sec
    );
    println!(
        "| search p99 in commit times | {:.1} |",
        p99 / 1000.0 * lite.commits_per_sec
    );
    println!(
        "| storage: messages/s in batches of 500 without / with index rows | {plain:.0} / {indexed:.0} |"
    );
    println!(
        "| storage: with index ÷ without | {:.2} |",
        calibrate::ratio(indexed, plain)
    );
    app.stop().await;
}

/// Percent-encodes a query parameter value.
fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
