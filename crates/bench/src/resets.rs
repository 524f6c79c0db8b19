//! Phase 4: `POST /api/v1/password-resets`. Throughput and latency over a mix of identifiers with
//! and without an account, then the timing comparison that matters for enumeration: the median
//! latency of existing vs unknown identifiers, measured one request at a time, interleaved, so
//! both see the same machine state.

use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::clock::now_ms;
use domain::store::Account;
use testkit::TestApp;

use crate::post_from;
use wangshang_bench::{HttpPhase, percentile, run_http};

/// Accounts created straight in the store (setup, not measured): `known{i}@bench.example`.
pub async fn seed_accounts(app: &TestApp, count: usize) {
    let hash = app
        .app()
        .hasher
        .hash(
            &domain::password::Password::new("seed password for the bench", &Default::default())
                .expect("password"),
        )
        .await
        .expect("hash");
    let now = now_ms();
    let mut tx = app.app().write().await.expect("tx");
    for i in 0..count {
        tx.insert_account(&Account {
            id: format!("bench{i:08}"),
            nickname: format!("known {i}"),
            phone: None,
            email: Some(known(i)),
            password_hash: hash.clone(),
            password_changed_at: now,
            locale: "zh-CN".into(),
            created_at: now,
            phone_verified_at: None,
            email_verified_at: Some(now),
            phone_used_at: None,
            time_zone: None,
        })
        .await
        .expect("insert account");
    }
    tx.commit().await.expect("commit");
}

pub fn known(i: usize) -> String {
    format!("known{i}@bench.example")
}

pub fn unknown(i: usize) -> String {
    format!("nobody{i}@bench.example")
}

/// A client address behind the trusted proxy, distinct per request (198.18.0.0/15).
fn client_ip(i: usize) -> String {
    format!("198.19.{}.{}", (i / 250) % 250, i % 250 + 1)
}

/// Throughput: `count` requests, even indices to existing accounts, odd to unknown identifiers.
pub async fn throughput(
    app: &TestApp,
    count: usize,
    concurrency: usize,
    limit: Duration,
) -> HttpPhase {
    let url = Arc::new(format!("{}/api/v1/password-resets", app.base));
    let client = app.client.clone();
    run_http(count, concurrency, limit, move |i| {
        let (client, url) = (client.clone(), url.clone());
        async move {
            let id = if i % 2 == 0 {
                known(i / 2)
            } else {
                unknown(i / 2)
            };
            let body = serde_json::json!({ "identifier": id });
            post_from(&client, &url, &body, 202, Some(client_ip(i))).await
        }
    })
    .await
}

/// Medians of existing and unknown identifiers, one request at a time, interleaved.
pub struct Timing {
    pub existing_median: Duration,
    pub unknown_median: Duration,
    pub samples: usize,
    pub failures: Vec<String>,
}

/// `offset` skips the identifiers the throughput phase used (each may be used once a minute).
pub async fn timing(app: &TestApp, samples: usize, offset: usize) -> Timing {
    let url = format!("{}/api/v1/password-resets", app.base);
    let (mut existing, mut unknown_lat) = (Vec::new(), Vec::new());
    let mut failures = Vec::new();
    for n in 0..samples {
        let i = offset + n;
        // Alternate which goes first, so neither always follows the other.
        let order = if n % 2 == 0 {
            [true, false]
        } else {
            [false, true]
        };
        for is_known in order {
            let id = if is_known { known(i) } else { unknown(i) };
            let body = serde_json::json!({ "identifier": id });
            let t0 = Instant::now();
            let r = post_from(
                &app.client,
                &url,
                &body,
                202,
                Some(client_ip(100_000 + 2 * i + usize::from(is_known))),
            )
            .await;
            let took = t0.elapsed();
            match r {
                Ok(()) if is_known => existing.push(took),
                Ok(()) => unknown_lat.push(took),
                Err(e) => {
                    if failures.len() < 3 {
                        failures.push(e);
                    }
                }
            }
        }
    }
    existing.sort_unstable();
    unknown_lat.sort_unstable();
    Timing {
        existing_median: percentile(&existing, 50.0),
        unknown_median: percentile(&unknown_lat, 50.0),
        samples: existing.len().min(unknown_lat.len()),
        failures,
    }
}
