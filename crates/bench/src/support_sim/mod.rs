//! `support_sim`: how well the support desk's evidence tells real owners from impostors.
//!
//! It starts a real server (testkit: port 0, fresh database, a GeoIP city database for the
//! world's networks, `behind_proxy` so each request says where it comes from), builds a world
//! through the JSON API ([`world`]), then files tickets through the API — from owners with
//! imperfect memories and from outsiders, insider colleagues and SIM-swappers ([`memory`]) —
//! and reads each ticket's evidence in the agent API, as an agent would see it:
//!
//! 1. **before vouching**: right after filing;
//! 2. **after vouching**: the agent picks the best candidate when the ticket has no account
//!    yet, the account's trusted colleagues answer (owners' colleagues confirm, mostly; an
//!    impostor's mostly deny or stay silent, and one may collude), unanswered requests are aged
//!    past the deadline, and the ticket is read again.
//!
//! It prints the acceptance table: owners `likely_owner` / uncertain / not found, and per kind
//! of impostor how many reached `likely_owner`. Everything is bounded: the world's size, the
//! tickets, and `--max-secs`.

pub mod catalog;
pub mod memory;
pub mod world;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use testkit::{Backend, StatusCode, TestApp};

use memory::{Filing, Kind};
use world::{World, call, prove};

/// What to simulate.
#[derive(Clone, Debug)]
pub struct Options {
    pub seed: u64,
    pub members: usize,
    pub owners: usize,
    pub outsiders: usize,
    pub insiders: usize,
    pub sim_swappers: usize,
    pub backend: Backend,
    pub max_secs: u64,
    /// Print the evidence of up to this many misjudged tickets.
    pub explain: usize,
    /// Write each ticket's kind and evidence codes (before vouching) as JSON lines here.
    pub dump: Option<std::path::PathBuf>,
    /// Whether the account's holder answers "was it you?" on a signed-in device.
    pub own_answers: bool,
    /// Whether the enterprise's admin answers after vouching.
    pub admins: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            seed: 16,
            members: 60,
            owners: 300,
            outsiders: 100,
            insiders: 200,
            sim_swappers: 100,
            backend: Backend::Sqlite,
            max_secs: 600,
            explain: 0,
            dump: None,
            own_answers: true,
            admins: true,
        }
    }
}

/// How one ticket was judged for the account it is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    LikelyOwner,
    Uncertain,
    LikelyImpostor,
    /// The account is not among the candidates.
    NotFound,
}

impl Verdict {
    fn of(view: &Value, account_id: &str) -> Verdict {
        let c = view["candidates"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["account_id"] == account_id);
        match c.and_then(|c| c["evidence"]["recommendation"].as_str()) {
            Some("likely_owner") => Verdict::LikelyOwner,
            Some("uncertain") => Verdict::Uncertain,
            Some(_) => Verdict::LikelyImpostor,
            None => Verdict::NotFound,
        }
    }
}

/// One ticket's outcome.
pub struct Outcome {
    pub kind: Kind,
    pub before: Verdict,
    pub after: Verdict,
    /// The subject candidate's items before vouching: (claim, code, weight).
    pub items: Vec<(String, String, i64)>,
    /// The subject candidate's score and private points before vouching.
    pub score: Option<(u64, u64)>,
    /// Another account was `likely_owner` (an owner's ticket pointing at someone else).
    pub wrong_account: bool,
    /// How many trusted colleagues the subject has (0: nobody can vouch).
    pub trusted: usize,
    /// The subject candidate's detail codes after vouching.
    pub after_codes: Vec<String>,
    /// What the ticket claimed, and whether it was filed with a device id (for `--dump`).
    pub claims: Value,
    pub device_id_sent: bool,
}

/// The whole run.
pub struct Report {
    pub outcomes: Vec<Outcome>,
    pub members: usize,
    pub messages: i64,
    pub build_secs: f64,
    pub tickets_secs: f64,
    pub timed_out: bool,
}

/// The agent's view once the ticket's security answers (compared after the response) show on
/// the account's candidate — or after two seconds, when they never will (the account is not
/// among the first candidates, or guesses at it are delayed).
async fn answered_view(app: &TestApp, agent: &str, no: &str, account_id: &str) -> Value {
    let mut view = agent_view(app, agent, no).await;
    for _ in 0..40 {
        if subject_items(&view, account_id)
            .iter()
            .any(|i| i["claim"] == "security_answers")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        view = agent_view(app, agent, no).await;
    }
    view
}

/// Reads a ticket as the agent (in English).
async fn agent_view(app: &TestApp, agent: &str, no: &str) -> Value {
    let r = call(
        app,
        reqwest::Method::GET,
        &format!("/api/v1/agent/tickets/{no}"),
        Some(agent),
        None,
        "wangshang-support-sim",
        "10.0.0.1",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "agent view: {:?}", r.body);
    r.body
}

/// Files a ticket from a fresh contact address, as the requester's device.
async fn file(app: &TestApp, f: &Filing, n: usize) -> String {
    let contact = format!("requester{n}@mail.example.net");
    let (vid, code) = prove(app, "support_contact", "email", &contact, f.ua, &f.ip).await;
    let mut body = json!({"contact_verification_id": vid, "contact_code": code,
                          "claims": f.claims, "description": "我的账号登不上了，请帮忙找回"});
    if let Some(d) = &f.device_id {
        body["device_id"] = json!(d);
    }
    if !f.answers.is_empty() {
        body["security_answers"] = json!(f.answers);
    }
    let r = call(
        app,
        reqwest::Method::POST,
        "/api/v1/support/tickets",
        None,
        Some(body),
        f.ua,
        &f.ip,
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "ticket: {:?} {}",
        r.body,
        f.claims
    );
    r.str("ticket_no")
}

/// The admin of the account's enterprise (the member who created it) answers the request on the
/// enterprise's recovery page (SPEC §4: evidence, not a bypass). For an owner they reach the
/// member and confirm (70 %), do not get to it, or deny by mistake (0.5 %); for anyone else
/// they ask the member at work and deny (40 %), do not get to it (55 %) or confirm carelessly
/// (5 %) — and an insider who is the admin confirms their own ticket.
async fn admin_answer(
    app: &TestApp,
    rng: &mut StdRng,
    w: &World,
    f: &Filing,
    account: usize,
    no: &str,
) {
    let m = &w.members[account];
    let Some(admin) = w.members.iter().position(|x| x.org == m.org) else {
        return;
    };
    if admin == account {
        return;
    }
    let genuine = f.kind == Kind::Owner && account == f.subject;
    let x: f64 = rng.random();
    let answer = if genuine {
        if x < 0.7 {
            Some("confirm")
        } else if x < 0.995 {
            None
        } else {
            Some("deny")
        }
    } else if f.actor == Some(admin) {
        Some("confirm")
    } else if x < 0.4 {
        Some("deny")
    } else if x < 0.95 {
        None
    } else {
        Some("confirm")
    };
    let Some(answer) = answer else { return };
    let r = app
        .post_auth(
            &format!("/api/v1/orgs/{}/recovery-requests/{no}", w.org_ids[m.org]),
            &w.members[admin].token,
            json!({"answer": answer}),
        )
        .await;
    // A ticket the victim stopped ("not me") is no longer open: nothing to answer.
    if r.status == StatusCode::NOT_FOUND || r.status == StatusCode::CONFLICT {
        return;
    }
    assert_eq!(r.status, StatusCode::NO_CONTENT, "admin: {:?}", r.body);
}

/// The trusted colleagues of the ticket's account answer. Owners' colleagues confirm (93 %),
/// stay silent (6.5 %) or deny by mistake (0.5 %); for anyone else the account's colleagues
/// deny (60 %), stay silent (35 %) or confirm carelessly (5 %), and for an insider one of them
/// may be a friend who confirms (30 %).
async fn vouch(app: &TestApp, rng: &mut StdRng, w: &World, f: &Filing, account: usize) {
    let m = &w.members[account];
    let genuine = f.kind == Kind::Owner && account == f.subject;
    let colluder = (f.kind.is_insider() && rng.random_bool(0.3))
        .then(|| m.trusted.choose(rng).copied())
        .flatten();
    for &v in &m.trusted {
        let x: f64 = rng.random();
        let answer = if genuine {
            if x < 0.93 {
                Some("confirm")
            } else if x < 0.995 {
                None
            } else {
                Some("deny")
            }
        } else if Some(v) == colluder {
            Some("confirm")
        } else if x < 0.6 {
            Some("deny")
        } else if x < 0.95 {
            None
        } else {
            Some("confirm")
        };
        let Some(answer) = answer else { continue };
        let voucher = &w.members[v];
        let list = app
            .get("/api/v1/me/vouch-requests", Some(&voucher.token))
            .await;
        // Newest first: the first open request about this account is this ticket's.
        let id = list.body["requests"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["account_id"] == m.account_id.as_str() && r["answer"].is_null())
            .and_then(|r| r["id"].as_str())
            .map(str::to_owned);
        if let Some(id) = id {
            let r = app
                .post_auth(
                    &format!("/api/v1/me/vouch-requests/{id}"),
                    &voucher.token,
                    json!({"answer": answer}),
                )
                .await;
            // The victim's own "not me" stops a ticket that named the account by its phone
            // or e-mail: nothing is left to answer.
            if r.status == StatusCode::CONFLICT && r.body["code"] == "ticket_closed" {
                return;
            }
            assert_eq!(r.status, StatusCode::OK, "vouch: {:?}", r.body);
        }
    }
}

/// The ids of the "was it you?" requests waiting on a member's signed-in sessions.
async fn own_requests(app: &TestApp, token: &str) -> Vec<String> {
    let list = app.get("/api/v1/me/vouch-requests", Some(token)).await;
    list.body["requests"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["own"] == true && r["answer"].is_null())
        .filter_map(|r| r["id"].as_str().map(str::to_owned))
        .collect()
}

/// The account's holder answers the ticket's "did you ask support to recover this account?"
/// on a device still signed in, if they see it in time: an owner who still has the phone or
/// computer they file from says yes (60 %; 20 % of those filing from a new phone still have a
/// signed-in computer and see it); a victim of someone else's ticket says no (40 %).
async fn own_answer(app: &TestApp, rng: &mut StdRng, w: &World, f: &Filing, waiting: &[String]) {
    let m = &w.members[f.subject];
    let owner = f.kind == Kind::Owner;
    let sees = match (owner, f.signed_in) {
        (true, true) => 0.6,
        (true, false) => 0.2,
        (false, _) => 0.4,
    };
    if !rng.random_bool(sees) {
        return;
    }
    let new: Vec<String> = own_requests(app, &m.token)
        .await
        .into_iter()
        .filter(|id| !waiting.contains(id))
        .collect();
    for id in new {
        let r = app
            .post_auth(
                &format!("/api/v1/me/vouch-requests/{id}"),
                &m.token,
                json!({"answer": if owner { "confirm" } else { "deny" }}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "own answer: {:?}", r.body);
    }
}

/// Prints a misjudged ticket's evidence (`--explain`).
fn explain(f: &Filing, view: &Value, w: &World, when: &str) {
    let m = &w.members[f.subject];
    eprintln!(
        "--- {:?} {when}: subject {} ({}) claims {}",
        f.kind,
        m.nickname(),
        m.account_id,
        f.claims
    );
    for c in view["candidates"].as_array().into_iter().flatten() {
        eprintln!(
            "  candidate {} {} score {} {} private {}",
            c["nickname"],
            c["reason"],
            c["evidence"]["score"],
            c["evidence"]["recommendation"],
            c["evidence"]["private_points"]
        );
        for i in c["evidence"]["items"].as_array().into_iter().flatten() {
            eprintln!("    {:+4} {} {}", i["weight"], i["claim"], i["detail"]);
        }
    }
}

/// Runs the simulation.
pub async fn run(o: &Options) -> Report {
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(o.seed);
    // The admins draw from their own stream, so that `--no-admins` leaves every other draw as
    // it was.
    let mut admin_rng = StdRng::seed_from_u64(o.seed ^ 0xad31);
    let dir = tempfile::tempdir().expect("temp dir");
    let geo = dir.path().join("city.mmdb");
    let entries = catalog::geo_entries();
    let refs: Vec<(&str, &str, Option<&str>, Option<&str>)> = entries
        .iter()
        .map(|(c, k, r, t)| (c.as_str(), *k, *r, *t))
        .collect();
    std::fs::write(&geo, loginmeta::testdata::city_db(&refs)).expect("geoip file");
    let deadline_secs = 48 * 3600;
    let app = TestApp::spawn_with(o.backend, |c| {
        c.behind_proxy = true;
        c.geoip_database = Some(geo.clone());
        c.codes.resend_interval_secs = 0;
        c.support.trusted_activation_secs = 0;
        c.support.tickets_per_ip_day = 1_000_000;
        c.support.tickets_per_contact_day = 1_000_000;
        c.support.vouch_deadline_secs = deadline_secs;
        // Each member is the subject of several simulated tickets within minutes, far beyond
        // real life; the help limit would otherwise measure the simulation, not the evidence.
        c.support.vouch_limit = 1_000_000;
        c.chat.nicknames_per_day = 100;
    })
    .await;
    let w = world::build(&app, &mut rng, o.members).await;
    let messages = app.count("SELECT COUNT(*) FROM messages").await;
    let build_secs = started.elapsed().as_secs_f64();
    eprintln!("world built in {build_secs:.1} s ({messages} messages)");

    let n = w.members.len();
    let mut plan: Vec<Filing> = Vec::new();
    for _ in 0..o.owners {
        let i = rng.random_range(0..n);
        plan.push(memory::owner(&mut rng, &w.members, i));
    }
    for _ in 0..o.outsiders {
        let i = rng.random_range(0..n);
        plan.push(memory::outsider(&mut rng, &w.members, i));
    }
    let mut tries = 0;
    while plan.iter().filter(|f| f.kind.is_insider()).count() < o.insiders
        && tries < 10 * o.insiders + 10
    {
        tries += 1;
        let i = rng.random_range(0..n);
        if let Some(f) = memory::insider(&mut rng, &w.members, i) {
            plan.push(f);
        }
    }
    tries = 0;
    while plan.iter().filter(|f| f.kind == Kind::SimSwapper).count() < o.sim_swappers
        && tries < 10 * o.sim_swappers + 10
    {
        tries += 1;
        let i = rng.random_range(0..n);
        if let Some(f) = memory::sim_swapper(&mut rng, &w.members, i) {
            plan.push(f);
        }
    }
    let tickets_started = Instant::now();
    let mut outcomes = Vec::new();
    let mut explained = 0;
    let mut timed_out = false;
    let limit = Duration::from_secs(o.max_secs);
    for (k, f) in plan.iter().enumerate() {
        if started.elapsed() > limit {
            timed_out = true;
            break;
        }
        let subject = &w.members[f.subject].account_id;
        let waiting = own_requests(&app, &w.members[f.subject].token).await;
        let no = file(&app, f, k).await;
        if o.own_answers {
            own_answer(&app, &mut rng, &w, f, &waiting).await;
        }
        let view = if f.answers.is_empty() || w.members[f.subject].answers.is_empty() {
            agent_view(&app, &w.agent, &no).await
        } else {
            answered_view(&app, &w.agent, &no, subject).await
        };
        let before = Verdict::of(&view, subject);
        let items: Vec<(String, String, i64)> = subject_items(&view, subject)
            .into_iter()
            .map(|i| {
                (
                    i["claim"].as_str().unwrap_or("").to_owned(),
                    i["code"].as_str().unwrap_or("").to_owned(),
                    i["weight"].as_i64().unwrap_or(0),
                )
            })
            .collect();
        if o.explain > explained
            && ((f.kind == Kind::Owner && before != Verdict::LikelyOwner)
                || (f.kind != Kind::Owner && before == Verdict::LikelyOwner))
        {
            explained += 1;
            explain(f, &view, &w, "before");
        }
        let score = view["candidates"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["account_id"] == subject.as_str())
            .map(|c| {
                (
                    c["evidence"]["score"].as_u64().unwrap_or(0),
                    c["evidence"]["private_points"].as_u64().unwrap_or(0),
                )
            });
        // The agent picks the best candidate when the ticket has none yet.
        let mut account = view["account_id"].as_str().map(str::to_owned);
        if account.is_none() {
            let best = view["candidates"]
                .as_array()
                .into_iter()
                .flatten()
                .max_by_key(|c| c["evidence"]["score"].as_u64().unwrap_or(0))
                .and_then(|c| c["account_id"].as_str())
                .map(str::to_owned);
            if let Some(id) = &best {
                let r = app
                    .post_auth(
                        &format!("/api/v1/agent/tickets/{no}/candidate"),
                        &w.agent,
                        json!({"account_id": id}),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::OK, "pick: {:?}", r.body);
            }
            account = best;
        }
        if let Some(id) = &account
            && let Some(a) = w.members.iter().position(|m| &m.account_id == id)
        {
            vouch(&app, &mut rng, &w, f, a).await;
            if o.admins {
                admin_answer(&app, &mut admin_rng, &w, f, a, &no).await;
            }
        }
        app.exec(&format!(
            "UPDATE support_vouches SET created_at = created_at - {} WHERE answer IS NULL AND \
             ticket_id IN (SELECT id FROM support_tickets WHERE ticket_no = '{no}')",
            (deadline_secs + 60) * 1000
        ))
        .await;
        let view = agent_view(&app, &w.agent, &no).await;
        let after = Verdict::of(&view, subject);
        let after_codes: Vec<String> = subject_items(&view, subject)
            .into_iter()
            .filter_map(|i| i["code"].as_str().map(str::to_owned))
            .collect();
        let wrong_account = view["candidates"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| {
                c["account_id"] != subject.as_str()
                    && c["evidence"]["recommendation"] == "likely_owner"
            });
        if o.explain > explained
            && ((f.kind == Kind::Owner && after != Verdict::LikelyOwner)
                || (f.kind != Kind::Owner && after == Verdict::LikelyOwner))
        {
            explained += 1;
            explain(f, &view, &w, "after");
        }
        outcomes.push(Outcome {
            kind: f.kind,
            before,
            after,
            items,
            score,
            wrong_account,
            trusted: w.members[f.subject].trusted.len(),
            after_codes,
            claims: f.claims.clone(),
            device_id_sent: f.device_id.is_some(),
        });
        if (k + 1) % 50 == 0 {
            eprintln!("tickets: {} of {}", k + 1, plan.len());
        }
    }
    let tickets_secs = tickets_started.elapsed().as_secs_f64();
    app.stop().await;
    Report {
        outcomes,
        members: n,
        messages,
        build_secs,
        tickets_secs,
        timed_out,
    }
}

fn pct(part: usize, whole: usize) -> String {
    if whole == 0 {
        "–".to_owned()
    } else {
        format!("{:.1} %", 100.0 * part as f64 / whole as f64)
    }
}

/// The acceptance table, in markdown.
pub fn table(r: &Report) -> String {
    let mut by: BTreeMap<Kind, Vec<&Outcome>> = BTreeMap::new();
    for o in &r.outcomes {
        by.entry(o.kind).or_default().push(o);
    }
    let mut s = String::new();
    s.push_str("| requesters | tickets | phase | likely_owner | uncertain | likely_impostor | not found |\n");
    s.push_str("| --- | ---: | --- | ---: | ---: | ---: | ---: |\n");
    for (kind, list) in &by {
        for (phase, pick) in [("before vouching", 0), ("after vouching", 1)] {
            let count = |v: Verdict| {
                list.iter()
                    .filter(|o| {
                        if pick == 0 {
                            o.before == v
                        } else {
                            o.after == v
                        }
                    })
                    .count()
            };
            s.push_str(&format!(
                "| {} | {} | {phase} | {} | {} | {} | {} |\n",
                kind.label(),
                list.len(),
                pct(count(Verdict::LikelyOwner), list.len()),
                pct(count(Verdict::Uncertain), list.len()),
                pct(count(Verdict::LikelyImpostor), list.len()),
                pct(count(Verdict::NotFound), list.len()),
            ));
        }
    }
    let owners: Vec<&&Outcome> = by
        .get(&Kind::Owner)
        .map(|l| l.iter().collect())
        .unwrap_or_default();
    let wrong = owners.iter().filter(|o| o.wrong_account).count();
    s.push_str(&format!(
        "\nOwners' tickets where another account was also `likely_owner`: {wrong} of {}.\n",
        owners.len()
    ));
    // After vouching: who is left out, and why.
    let none = owners.iter().filter(|o| o.trusted == 0).count();
    let none_ok = owners
        .iter()
        .filter(|o| o.trusted == 0 && o.after == Verdict::LikelyOwner)
        .count();
    let left: Vec<&&&Outcome> = owners
        .iter()
        .filter(|o| o.after != Verdict::LikelyOwner)
        .collect();
    let has = |o: &Outcome, code: &str| o.after_codes.iter().any(|c| c == code);
    let why_none = left.iter().filter(|o| o.trusted == 0).count();
    let why_denied = left
        .iter()
        .filter(|o| o.trusted > 0 && has(o, "vouches_denied"))
        .count();
    let why_silent = left
        .iter()
        .filter(|o| o.trusted > 0 && !has(o, "vouches_denied") && has(o, "vouches_silent"))
        .count();
    let why_lost = left
        .iter()
        .filter(|o| o.trusted > 0 && o.after == Verdict::NotFound)
        .count();
    s.push_str(&format!(
        "Owners without trusted colleagues (nobody can vouch): {none} of {} ({none_ok} of them \
         `likely_owner` after vouching).\n",
        owners.len()
    ));
    s.push_str(&format!(
        "Owners not `likely_owner` after vouching: {} — no trusted colleagues {why_none}, a \
         colleague denied by mistake {why_denied}, a colleague silent past the deadline \
         {why_silent}, account not found {why_lost}, other {}.\n",
        left.len(),
        left.len() - why_none - why_denied - why_silent - why_lost
    ));
    s.push_str(&format!(
        "World: {} members, {} messages, built in {:.0} s; tickets judged in {:.0} s{}.\n",
        r.members,
        r.messages,
        r.build_secs,
        r.tickets_secs,
        if r.timed_out {
            " (stopped at --max-secs)"
        } else {
            ""
        }
    ));
    s
}

/// Per kind of requester: the mean points each claim added before vouching, and how often
/// each detail code came up (for tuning; `--stats`).
pub fn stats(r: &Report) -> String {
    let mut by: BTreeMap<Kind, Vec<&Outcome>> = BTreeMap::new();
    for o in &r.outcomes {
        by.entry(o.kind).or_default().push(o);
    }
    let mut s = String::new();
    for (kind, list) in &by {
        let n = list.len().max(1) as f64;
        let mut points: BTreeMap<&str, i64> = BTreeMap::new();
        let mut codes: BTreeMap<&str, usize> = BTreeMap::new();
        for o in list {
            for (claim, code, w) in &o.items {
                *points.entry(claim.as_str()).or_default() += w;
                *codes.entry(code.as_str()).or_default() += 1;
            }
        }
        s.push_str(&format!(
            "{} ({}):\n  points/ticket:",
            kind.label(),
            list.len()
        ));
        for (c, p) in &points {
            s.push_str(&format!(" {c} {:.1}", *p as f64 / n));
        }
        let mut scores: Vec<u64> = list.iter().filter_map(|o| o.score.map(|x| x.0)).collect();
        let mut private: Vec<u64> = list.iter().filter_map(|o| o.score.map(|x| x.1)).collect();
        scores.sort_unstable();
        private.sort_unstable();
        let q = |v: &[u64], p: f64| {
            v.get(((v.len() as f64 - 1.0) * p).round() as usize)
                .copied()
                .unwrap_or(0)
        };
        s.push_str(&format!(
            "\n  score p5/p10/p25/p50/p75/p90/p95: {}/{}/{}/{}/{}/{}/{}; private p10/p50/p90: {}/{}/{}",
            q(&scores, 0.05), q(&scores, 0.1), q(&scores, 0.25), q(&scores, 0.5), q(&scores, 0.75),
            q(&scores, 0.9), q(&scores, 0.95), q(&private, 0.1), q(&private, 0.5), q(&private, 0.9)
        ));
        let hits = codes.get("contact_top").copied().unwrap_or(0)
            + codes.get("contact_writes").copied().unwrap_or(0);
        let named = hits
            + codes.get("contact_silent").copied().unwrap_or(0)
            + codes.get("contact_not_found").copied().unwrap_or(0)
            + codes.get("contact_never_known").copied().unwrap_or(0);
        s.push_str(&format!(
            "\n  colleagues named who are people the account writes with: {hits} of {named}"
        ));
        s.push_str("\n  codes/ticket:");
        for (c, k) in &codes {
            s.push_str(&format!(" {c} {:.2}", *k as f64 / n));
        }
        s.push('\n');
    }
    s
}

/// Which findings separate the owners who stay short of `likely_owner` from the insiders who
/// come close (a score of 50 or more) before vouching: per detail code, the share of tickets
/// of each group that have it, most telling first (for studying the rules; `--stats`).
pub fn separation(r: &Report) -> String {
    let short: Vec<&Outcome> = r
        .outcomes
        .iter()
        .filter(|o| {
            o.kind == Kind::Owner
                && o.before != Verdict::LikelyOwner
                && o.before != Verdict::NotFound
        })
        .collect();
    let accepted: Vec<&Outcome> = r
        .outcomes
        .iter()
        .filter(|o| o.kind == Kind::Owner && o.before == Verdict::LikelyOwner)
        .collect();
    let close: Vec<&Outcome> = r
        .outcomes
        .iter()
        .filter(|o| o.kind.is_insider() && o.score.is_some_and(|s| s.0 >= 50))
        .collect();
    let share = |list: &[&Outcome], code: &str| {
        let n = list
            .iter()
            .filter(|o| o.items.iter().any(|(_, c, _)| c == code))
            .count();
        n as f64 / list.len().max(1) as f64
    };
    let mut codes: Vec<&str> = short
        .iter()
        .chain(&close)
        .chain(&accepted)
        .flat_map(|o| o.items.iter().map(|(_, c, _)| c.as_str()))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let mut rows: Vec<(f64, String)> = codes
        .iter()
        .map(|c| {
            let (a, b, d) = (share(&short, c), share(&close, c), share(&accepted, c));
            (
                (a - b).abs(),
                format!(
                    "| {c} | {:.0} % | {:.0} % | {:.0} % |\n",
                    100.0 * d,
                    100.0 * a,
                    100.0 * b
                ),
            )
        })
        .collect();
    rows.sort_by(|x, y| y.0.total_cmp(&x.0));
    let mut s = format!(
        "Findings before vouching: owners accepted ({}), owners short of `likely_owner` ({}), \
         insiders scoring 50 or more ({})\n\n| finding | owners accepted | owners short | \
         insiders close |\n| --- | ---: | ---: | ---: |\n",
        accepted.len(),
        short.len(),
        close.len()
    );
    for (_, row) in rows {
        s.push_str(&row);
    }
    s
}

/// Writes each ticket's kind, score and items (before vouching), its claims and whether it
/// sent a device id, as JSON lines (`--dump`).
pub fn dump(r: &Report, path: &std::path::Path) -> std::io::Result<()> {
    let mut out = String::new();
    for o in &r.outcomes {
        let line = json!({
            "kind": format!("{:?}", o.kind),
            "score": o.score.map(|s| s.0),
            "private": o.score.map(|s| s.1),
            "before": format!("{:?}", o.before),
            "after": format!("{:?}", o.after),
            "items": o.items.iter().map(|(c, k, w)| json!([c, k, w])).collect::<Vec<_>>(),
            "claims": o.claims,
            "device_id_sent": o.device_id_sent,
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    std::fs::write(path, out)
}

/// The evidence items the agent's view lists for the ticket's subject account.
fn subject_items(view: &serde_json::Value, subject: &str) -> Vec<serde_json::Value> {
    view["candidates"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["account_id"] == subject)
        .flat_map(|c| {
            c["evidence"]["items"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}
