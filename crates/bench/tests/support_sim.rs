//! A small run of the support-desk simulation: the world builds through the API, every ticket
//! is filed and judged twice, and the table adds up. (The acceptance figures come from the full
//! run, `cargo run --release -p wangshang-bench --bin support_sim`; see the README.)

// Tests: a failed expectation should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use wangshang_bench::support_sim::memory::Kind;
use wangshang_bench::support_sim::{Options, Verdict, run, table};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_world_is_built_and_judged() {
    let o = Options {
        seed: 7,
        members: 16,
        owners: 6,
        outsiders: 4,
        insiders: 4,
        sim_swappers: 3,
        max_secs: 120,
        ..Options::default()
    };
    let r = run(&o).await;
    assert!(!r.timed_out);
    assert_eq!(r.members, 16);
    assert!(r.messages > 50, "{} messages", r.messages);
    let count = |k: Kind| r.outcomes.iter().filter(|x| x.kind == k).count();
    assert_eq!(count(Kind::Owner), 6);
    assert_eq!(count(Kind::Outsider), 4);
    assert_eq!(count(Kind::Insider) + count(Kind::InsiderPhone), 4);
    assert!(count(Kind::SimSwapper) <= 3);
    // Owners' accounts are found (a ticket always names them somehow), and an outsider with
    // public facts and guesses is never taken for the owner.
    assert!(
        r.outcomes
            .iter()
            .filter(|x| x.kind == Kind::Owner)
            .any(|x| x.before != Verdict::NotFound)
    );
    assert!(
        r.outcomes
            .iter()
            .filter(|x| x.kind == Kind::Outsider)
            .all(|x| x.after != Verdict::LikelyOwner)
    );
    let t = table(&r);
    assert!(t.contains("| owners | 6 | before vouching |"), "{t}");
    assert!(t.contains("| owners | 6 | after vouching |"), "{t}");
}
