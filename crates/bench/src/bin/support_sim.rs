//! `support_sim`: the support desk's acceptance table on a simulated world, through the real
//! server's JSON API. See `wangshang_bench::support_sim` for how the world and the requesters
//! are made; the README has the table measured.

// A simulation binary: a failed setup step should abort loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::ExitCode;

use testkit::Backend;
use wangshang_bench::support_sim::{Options, dump, run, separation, stats, table};

const USAGE: &str = "\
support_sim: how well the support desk's evidence tells owners from impostors

USAGE:
    support_sim [--seed N] [--members N] [--owners N] [--outsiders N] [--insiders N]
                [--sim-swappers N] [--postgres] [--max-secs N] [--explain N] [--stats]
                [--dump FILE] [--no-own-answers] [--no-admins]

OPTIONS:
    --seed N          the world's and the memories' random seed             [default: 16]
    --members N       members of the three enterprises                      [default: 60]
    --owners N        tickets from owners                                   [default: 300]
    --outsiders N     tickets from outsiders (public facts, guesses)        [default: 100]
    --insiders N      tickets from colleagues of the victim                 [default: 200]
    --sim-swappers N  tickets with the victim's phone and public facts      [default: 100]
    --postgres        run on PostgreSQL (TEST_POSTGRES_URL) instead of SQLite
    --max-secs N      stop filing tickets after this long                   [default: 600]
    --explain N       print the evidence of up to N misjudged tickets (and per-kind statistics)
                      to stderr
    --stats           print which findings owners short of `likely_owner` have against
                      insiders who come close (and per-kind statistics) to stderr
    --dump FILE       write each ticket's kind, claims and evidence (before vouching) as JSON
                      lines
    --no-own-answers  nobody answers \"was it you?\" on a signed-in device (by default the
                      owner who still has the device filed from says yes, 60 %, and the victim
                      of someone else's ticket says no, 40 %, before the first reading)
    --no-admins       no enterprise admin answers (by default, after vouching, the admin of the
                      account's enterprise confirms an owner 70 % of the time, denies by
                      mistake 0.5 % and is silent otherwise; for anyone else denies 40 %,
                      is silent 55 %, confirms 5 %, and confirms when the admin is the
                      insider who filed)";

fn main() -> ExitCode {
    let mut o = Options::default();
    let mut stats_wanted = false;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let num = |i: usize| -> Option<u64> { args.get(i + 1)?.parse().ok() };
        let a = args[i].as_str();
        if a == "--dump" {
            match args.get(i + 1) {
                Some(p) => o.dump = Some(p.into()),
                None => {
                    eprintln!("{USAGE}");
                    return ExitCode::FAILURE;
                }
            }
            i += 2;
            continue;
        }
        let value = match a {
            "--stats" => {
                stats_wanted = true;
                i += 1;
                continue;
            }
            "--no-own-answers" => {
                o.own_answers = false;
                i += 1;
                continue;
            }
            "--no-admins" => {
                o.admins = false;
                i += 1;
                continue;
            }
            "--postgres" => {
                o.backend = Backend::Postgres;
                i += 1;
                continue;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ => match num(i) {
                Some(v) => v,
                None => {
                    eprintln!("{USAGE}");
                    return ExitCode::FAILURE;
                }
            },
        };
        let n = usize::try_from(value).unwrap_or(usize::MAX);
        match a {
            "--seed" => o.seed = value,
            "--members" => o.members = n.clamp(12, 400),
            "--owners" => o.owners = n.min(5000),
            "--outsiders" => o.outsiders = n.min(5000),
            "--insiders" => o.insiders = n.min(5000),
            "--sim-swappers" => o.sim_swappers = n.min(5000),
            "--max-secs" => o.max_secs = value,
            "--explain" => o.explain = n,
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::FAILURE;
            }
        }
        i += 2;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let report = rt.block_on(run(&o));
    println!("{}", table(&report));
    if o.explain > 0 || stats_wanted {
        eprintln!("{}", stats(&report));
    }
    if stats_wanted {
        eprintln!("{}", separation(&report));
    }
    if let Some(p) = &o.dump
        && let Err(e) = dump(&report, p)
    {
        eprintln!("cannot write {}: {e}", p.display());
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
