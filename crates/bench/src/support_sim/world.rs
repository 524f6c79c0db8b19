//! The simulated world, built through the server's JSON API as people would build it: members
//! register from their phones at home, log in from their phones, computers and tablets at the
//! office, at home and on mobile networks; enterprises are created, renamed, joined by
//! invitation and left; people rename themselves and change their phone numbers; colleagues
//! write each other in direct conversations, team groups and one big group per enterprise; and
//! most choose trusted colleagues. Two things only a calendar could do are written directly:
//! the accounts' creation dates are spread over the past years, and (in `mod.rs`) unanswered
//! vouch requests are aged past the deadline.

use std::collections::HashMap;

use futures_util::StreamExt;
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use serde_json::{Value, json};
use testkit::{Resp, StatusCode, TestApp, link_token};

use super::catalog::{
    DEPARTMENTS, ENGLISH, ENTERPRISES, GIVEN, Gadget, HOME_POOLS, MOBILE_POOLS, PHONES, QUESTIONS,
    SURNAMES,
};

pub const PASSWORD: &str = "blue lantern over quiet harbor";
const DAY_MS: i64 = 86_400_000;

/// A device a member owns: what it is, its user agent and its install/cookie id.
#[derive(Clone, Debug)]
pub struct Device {
    pub gadget: Gadget,
    pub ua: &'static str,
    pub id: String,
}

#[derive(Clone, Debug)]
pub struct Member {
    pub account_id: String,
    pub token: String,
    /// Bound now (E.164, e-mail).
    pub phone: Option<String>,
    pub email: Option<String>,
    /// A phone bound before.
    pub old_phone: Option<String>,
    /// Every nickname, the current one last.
    pub names: Vec<String>,
    /// The name in pinyin ("Zhang Wei").
    pub pinyin: String,
    pub org: usize,
    /// An enterprise the member left.
    pub former_org: Option<usize>,
    pub team: usize,
    pub devices: Vec<Device>,
    /// The member's home /24, e.g. "116.224.37.".
    pub home: String,
    pub home_pool: usize,
    pub created_at: i64,
    /// Messages with each person (direct both ways, own mentions in groups), most first.
    pub talk: Vec<(usize, u32)>,
    pub trusted: Vec<usize>,
    /// Security questions set (index into `QUESTIONS`) with their answers; most set none.
    pub answers: Vec<(usize, String)>,
}

impl Member {
    pub fn nickname(&self) -> &str {
        self.names.last().map_or("", String::as_str)
    }
    pub fn phone_device(&self) -> &Device {
        &self.devices[0]
    }
}

pub struct World {
    pub members: Vec<Member>,
    pub org_ids: Vec<String>,
    /// The agent's token (role and two-factor on).
    pub agent: String,
}

/// Requests as a person's device sends them: its user agent, its address (the server runs with
/// `behind_proxy`, so `X-Forwarded-For` is the client's address), a language.
pub async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
    ua: &str,
    ip: &str,
) -> Resp {
    let mut req = app
        .client
        .request(method, format!("{}{}", app.base, path))
        .header("user-agent", ua)
        .header("x-forwarded-for", ip)
        .header("accept-language", "en");
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    TestApp::read(req.send().await.expect("request sent")).await
}

fn must(r: &Resp, want: StatusCode, what: &str) {
    assert_eq!(r.status, want, "{what}: {:?}", r.body);
}

fn weighted<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0..total);
    for (v, w) in items {
        if x < *w {
            return *v;
        }
        x -= w;
    }
    items[0].0
}

/// A random address in a /24 ("116.224.37.") or a /16 ("223.104.").
pub fn address(rng: &mut StdRng, prefix: &str) -> String {
    if prefix.matches('.').count() == 3 {
        format!("{prefix}{}", rng.random_range(2..250))
    } else {
        format!(
            "{prefix}{}.{}",
            rng.random_range(0..256),
            rng.random_range(2..250)
        )
    }
}

/// The code in the newest message to `destination` that arrived after the first `before`.
async fn code_after(app: &TestApp, destination: &str, before: usize) -> String {
    let m = app.wait_for_messages(destination, before + 1).await;
    m.iter()
        .take(m.len() - before)
        .find_map(|m| m["code"].as_str())
        .expect("a code")
        .to_owned()
}

/// Proves a destination with a code of `purpose` from a device; returns `(id, code)`.
pub async fn prove(
    app: &TestApp,
    purpose: &str,
    channel: &str,
    destination: &str,
    ua: &str,
    ip: &str,
) -> (String, String) {
    let before = app.messages_to(destination).await.len();
    let r = call(
        app,
        reqwest::Method::POST,
        "/api/v1/verifications",
        None,
        Some(json!({"purpose": purpose, "channel": channel, "destination": destination})),
        ua,
        ip,
    )
    .await;
    must(&r, StatusCode::ACCEPTED, "verification");
    let code = code_after(app, destination, before).await;
    (r.str("verification_id"), code)
}

/// Draws the people of the world (nothing is sent yet).
fn draw(rng: &mut StdRng, members: usize) -> Vec<Member> {
    let sizes: Vec<usize> = {
        // About half, a third and the rest.
        let a = members * 5 / 10;
        let b = members * 35 / 100;
        vec![a, b, members - a - b]
    };
    let mut out = Vec::new();
    for (org, size) in sizes.iter().enumerate() {
        let spec = &ENTERPRISES[org];
        for i in 0..*size {
            // Names from the head of the lists collide, as Chinese names do.
            let s = SURNAMES[rng
                .random_range(0..SURNAMES.len())
                .min(rng.random_range(0..SURNAMES.len()))];
            let g = GIVEN[rng.random_range(0..GIVEN.len())];
            let name = format!("{}{}", s.0, g.0);
            let pinyin = format!("{} {}", s.1, g.1);
            let mut devices = Vec::new();
            let phone = weighted(rng, PHONES);
            devices.push(phone);
            if rng.random_bool(0.8) {
                devices.push(if rng.random_bool(0.68) {
                    Gadget::Windows
                } else {
                    Gadget::Mac
                });
            }
            if rng.random_bool(0.12) {
                devices.push(Gadget::Ipad);
            }
            let home_pool = weighted(rng, spec.homes);
            let home = format!("{}{}.", HOME_POOLS[home_pool].0, rng.random_range(1..255));
            let n = out.len();
            let by_phone = rng.random_bool(0.65);
            let phone_no = format!("+86139{:08}", 10_000_000 + n * 7919 % 89_999_999);
            let email = format!("m{n}@staff.example.com");
            out.push(Member {
                account_id: String::new(),
                token: String::new(),
                phone: by_phone.then(|| phone_no.clone()),
                email: (!by_phone).then(|| email.clone()),
                old_phone: None,
                names: vec![name],
                pinyin,
                org,
                former_org: None,
                team: i / 6,
                devices: devices
                    .into_iter()
                    .map(|g| Device {
                        gadget: g,
                        ua: g.user_agents()[rng.random_range(0..g.user_agents().len())],
                        id: format!("dev-{n}-{}", domain::random::id()),
                    })
                    .collect(),
                home,
                home_pool,
                created_at: 0,
                talk: Vec::new(),
                trusted: Vec::new(),
                answers: Vec::new(),
            });
        }
    }
    out
}

/// Registers a member from their phone at home.
async fn register(app: &TestApp, rng: &mut StdRng, m: &mut Member) {
    let (channel, dest) = match (&m.phone, &m.email) {
        (Some(p), _) => ("sms", p.clone()),
        (_, Some(e)) => ("email", e.clone()),
        _ => unreachable!("every member has a phone or an e-mail"),
    };
    let phone = m.phone_device().clone();
    let ip = address(rng, &m.home);
    let (vid, code) = prove(app, "register", channel, &dest, phone.ua, &ip).await;
    let r = call(
        app,
        reqwest::Method::POST,
        "/api/v1/accounts",
        None,
        Some(
            json!({"verification_id": vid, "code": code, "nickname": m.nickname(),
                    "password": PASSWORD, "device_id": phone.id}),
        ),
        phone.ua,
        &ip,
    )
    .await;
    must(&r, StatusCode::CREATED, "register");
    m.account_id = r.str("account_id");
}

/// Logs a device in from an address; returns the token.
async fn login(app: &TestApp, m: &Member, d: &Device, ip: &str) -> String {
    let identifier = m.phone.clone().or(m.email.clone()).unwrap_or_default();
    let r = call(
        app,
        reqwest::Method::POST,
        "/api/v1/sessions",
        None,
        Some(json!({"identifier": identifier, "password": PASSWORD, "device_id": d.id})),
        d.ua,
        ip,
    )
    .await;
    must(&r, StatusCode::CREATED, "login");
    r.str("token")
}

/// Invites a member into an enterprise and accepts; returns nothing (the membership is the
/// server's).
async fn join(app: &TestApp, org_id: &str, owner: &Member, m: &Member) {
    let dest = m.phone.clone().or(m.email.clone()).unwrap_or_default();
    let before = app.messages_to(&dest).await.len();
    let r = app
        .post_auth(
            &format!("/api/v1/orgs/{org_id}/invites"),
            &owner.token,
            json!({"destination": dest}),
        )
        .await;
    must(&r, StatusCode::CREATED, "invite");
    let msgs = app.wait_for_messages(&dest, before + 1).await;
    let body = msgs[0]["body"].as_str().unwrap_or_default();
    let code = link_token(body, "/invites/");
    let r = app
        .post_auth(
            &format!("/api/v1/invites/{code}/accept"),
            &m.token,
            json!({}),
        )
        .await;
    must(&r, StatusCode::OK, "accept invite");
}

/// A new nickname people choose: a department tag, an English name, or a familiar form.
fn new_name(rng: &mut StdRng, m: &Member) -> String {
    let base = m.names[0].clone();
    let surname_py = m.pinyin.split(' ').next().unwrap_or("");
    match rng.random_range(0..4) {
        0 => format!(
            "{base}（{}）",
            DEPARTMENTS.choose(rng).copied().unwrap_or("销售部")
        ),
        1 => format!(
            "{} {surname_py}",
            ENGLISH.choose(rng).copied().unwrap_or("David")
        ),
        2 => format!(
            "{base}-{}",
            DEPARTMENTS.choose(rng).copied().unwrap_or("市场")
        ),
        _ => {
            let given = base.chars().skip(1).collect::<String>();
            format!("阿{given}")
        }
    }
}

/// Builds the world. Progress goes to stderr.
pub async fn build(app: &TestApp, rng: &mut StdRng, size: usize) -> World {
    let mut members = draw(rng, size);
    let n = members.len();
    eprintln!("world: registering {n} members");
    for m in members.iter_mut() {
        register(app, rng, m).await;
    }
    // Every device logs in, from the office, at home or on the move.
    eprintln!("world: logins from phones, computers and tablets");
    for m in members.iter_mut() {
        let spec = &ENTERPRISES[m.org];
        let devices = m.devices.clone();
        for (k, d) in devices.iter().enumerate() {
            let places: Vec<String> = match d.gadget {
                Gadget::Windows | Gadget::Mac => {
                    let mut v = vec![address(rng, spec.office), address(rng, spec.office)];
                    if rng.random_bool(0.4) {
                        v.push(address(rng, &m.home));
                    }
                    v
                }
                Gadget::Ipad => vec![address(rng, &m.home)],
                _ => vec![
                    address(rng, &m.home),
                    address(rng, spec.office),
                    address(rng, MOBILE_POOLS[spec.mobile].0),
                ],
            };
            for ip in places {
                let token = login(app, m, d, &ip).await;
                if k == 0 {
                    m.token = token;
                }
            }
        }
    }
    // Enterprises: the first member of each creates it; the second is renamed later.
    eprintln!("world: enterprises, invitations, departures");
    let mut org_ids = Vec::new();
    for (o, spec) in ENTERPRISES.iter().enumerate() {
        let owner = members.iter().position(|m| m.org == o).expect("an owner");
        let r = app
            .post_auth(
                "/api/v1/orgs",
                &members[owner].token,
                json!({"name": spec.names[0]}),
            )
            .await;
        must(&r, StatusCode::CREATED, "create org");
        org_ids.push(r.str("id"));
    }
    // Some members of the first enterprise came from the third and left it.
    let owners: Vec<usize> = (0..ENTERPRISES.len())
        .map(|o| members.iter().position(|m| m.org == o).unwrap_or(0))
        .collect();
    for i in 0..n {
        let o = members[i].org;
        if owners[o] != i {
            join(app, &org_ids[o], &members[owners[o]], &members[i]).await;
        }
        if o == 0 && owners[2] != i && rng.random_bool(0.12) {
            join(app, &org_ids[2], &members[owners[2]], &members[i]).await;
            let r = app
                .delete(
                    &format!(
                        "/api/v1/orgs/{}/members/{}",
                        org_ids[2], members[i].account_id
                    ),
                    &members[i].token,
                )
                .await;
            assert!(r.status.is_success(), "leave: {:?}", r.body);
            members[i].former_org = Some(2);
        }
    }
    for (o, spec) in ENTERPRISES.iter().enumerate() {
        for name in &spec.names[1..] {
            let r = app
                .request(
                    reqwest::Method::PATCH,
                    &format!("/api/v1/orgs/{}", org_ids[o]),
                    Some(&members[owners[o]].token),
                    Some(json!({"name": name})),
                )
                .await;
            must(&r, StatusCode::OK, "rename org");
        }
    }
    // A fifth rename themselves (some twice); a tenth change their phone number.
    eprintln!("world: renames and new phone numbers");
    for (i, m) in members.iter_mut().enumerate() {
        let times = if rng.random_bool(0.2) {
            1 + usize::from(rng.random_bool(0.25))
        } else {
            0
        };
        for _ in 0..times {
            let name = new_name(rng, m);
            if m.names.contains(&name) {
                continue;
            }
            let r = app
                .request(
                    reqwest::Method::PATCH,
                    "/api/v1/me",
                    Some(&m.token),
                    Some(json!({"nickname": name})),
                )
                .await;
            must(&r, StatusCode::OK, "rename");
            m.names.push(name);
        }
        if m.phone.is_some() && rng.random_bool(0.1) {
            let new_phone = format!("+86137{:08}", 10_000_000 + i * 104_729 % 89_999_999);
            let r = app
                .post_auth(
                    "/api/v1/me/bindings/phone",
                    &m.token,
                    json!({"destination": new_phone, "current_password": PASSWORD}),
                )
                .await;
            must(&r, StatusCode::ACCEPTED, "bind phone");
            let code = code_after(app, &new_phone, 0).await;
            let c = app
                .post_auth(
                    "/api/v1/me/bindings/phone/confirm",
                    &m.token,
                    json!({"verification_id": r.str("verification_id"), "code": code}),
                )
                .await;
            must(&c, StatusCode::OK, "confirm phone");
            m.old_phone = m.phone.replace(new_phone);
        }
    }
    chat(app, rng, &mut members).await;
    // Most choose two or three trusted colleagues among those they write with most.
    eprintln!("world: trusted colleagues");
    for i in 0..n {
        if !rng.random_bool(0.95) {
            continue;
        }
        let mut pick: Vec<usize> = members[i]
            .talk
            .iter()
            .map(|(j, _)| *j)
            .filter(|j| members[*j].org == members[i].org)
            .take(4)
            .collect();
        pick.shuffle(rng);
        pick.truncate(if rng.random_bool(0.6) { 3 } else { 2 });
        if pick.len() < 2 {
            continue;
        }
        let ids: Vec<&str> = pick
            .iter()
            .map(|j| members[*j].account_id.as_str())
            .collect();
        let r = app
            .put_auth(
                "/api/v1/me/trusted-contacts",
                &members[i].token,
                json!({"account_ids": ids}),
            )
            .await;
        must(&r, StatusCode::OK, "trusted contacts");
        members[i].trusted = pick;
    }
    // A quarter set two security questions.
    eprintln!("world: security questions");
    for m in members.iter_mut() {
        if !rng.random_bool(0.25) {
            continue;
        }
        let mut qs: Vec<usize> = (0..QUESTIONS.len()).collect();
        qs.shuffle(rng);
        qs.truncate(2);
        let answers: Vec<(usize, String)> = qs
            .iter()
            .map(|&q| {
                (
                    q,
                    (*QUESTIONS[q].1.choose(rng).unwrap_or(&"小黑")).to_owned(),
                )
            })
            .collect();
        let body: Vec<Value> = answers
            .iter()
            .map(|(q, a)| json!({"question": QUESTIONS[*q].0, "answer": a}))
            .collect();
        let r = app
            .request(
                reqwest::Method::PUT,
                "/api/v1/me/security-questions",
                Some(&m.token),
                Some(json!({"current_password": PASSWORD, "questions": body})),
            )
            .await;
        must(&r, StatusCode::NO_CONTENT, "security questions");
        m.answers = answers;
    }
    // Accounts were opened over the past years (the only history written directly).
    let now = domain::clock::now_ms();
    for m in members.iter_mut() {
        let days = rng.random_range(30..(7 * 365));
        m.created_at = now - days * DAY_MS - rng.random_range(0..DAY_MS);
        app.exec(&format!(
            "UPDATE accounts SET created_at = {} WHERE id = '{}'",
            m.created_at, m.account_id
        ))
        .await;
    }
    let agent = agent(app).await;
    World {
        members,
        org_ids,
        agent,
    }
}

/// A month of chat: each member writes with a few colleagues (mostly their team) in direct
/// conversations, a little in the team's group (sometimes mentioning someone), and some post
/// a lot in the enterprise's big group.
async fn chat(app: &TestApp, rng: &mut StdRng, members: &mut [Member]) {
    let n = members.len();
    let mut talk: HashMap<(usize, usize), u32> = HashMap::new();
    // (sender token, conversation to resolve, client id, body, mentions)
    let mut sends: Vec<(usize, Conv, String, Vec<usize>)> = Vec::new();
    for i in 0..n {
        let partners = rng.random_range(2..=4);
        let mut mates: Vec<usize> = (0..n)
            .filter(|&j| {
                j != i && members[j].org == members[i].org && members[j].team == members[i].team
            })
            .collect();
        let mut others: Vec<usize> = (0..n)
            .filter(|&j| {
                j != i && members[j].org == members[i].org && members[j].team != members[i].team
            })
            .collect();
        mates.shuffle(rng);
        others.shuffle(rng);
        let weights = [24u32, 14, 8, 5, 3, 2];
        for (k, w) in weights.iter().take(partners).enumerate() {
            let pool = if rng.random_bool(0.6) && !mates.is_empty() {
                &mut mates
            } else if !others.is_empty() {
                &mut others
            } else {
                &mut mates
            };
            let Some(j) = pool.pop() else { continue };
            let count = (*w as f64 * rng.random_range(0.6..1.4)).round().max(1.0) as u32;
            let count = count / 2 + 1;
            for c in 0..count {
                let from = if c % 2 == 0 { i } else { j };
                let to = if from == i { j } else { i };
                sends.push((from, Conv::Direct(to), format!("d{i}-{j}-{k}-{c}"), vec![]));
            }
            let key = (i.min(j), i.max(j));
            *talk.entry(key).or_default() += count;
        }
    }
    // Groups: one per team, one per enterprise.
    let mut team_groups: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    let mut org_groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, m) in members.iter().enumerate() {
        team_groups.entry((m.org, m.team)).or_default().push(i);
        org_groups.entry(m.org).or_default().push(i);
    }
    let mut own_mentions: HashMap<(usize, usize), u32> = HashMap::new();
    for (key, group) in &team_groups {
        for &i in group {
            for p in 0..rng.random_range(1..5) {
                let mention = if rng.random_bool(0.3) {
                    group
                        .iter()
                        .copied()
                        .filter(|&j| j != i)
                        .collect::<Vec<_>>()
                        .choose(rng)
                        .copied()
                } else {
                    None
                };
                if let Some(j) = mention {
                    *own_mentions.entry((i, j)).or_default() += 1;
                }
                sends.push((
                    i,
                    Conv::Team(*key),
                    format!("t{i}-{p}"),
                    mention.into_iter().collect(),
                ));
            }
        }
    }
    for (o, group) in &org_groups {
        for &i in group {
            let posts = if rng.random_bool(0.15) {
                rng.random_range(10..20)
            } else {
                rng.random_range(0..3)
            };
            for p in 0..posts {
                sends.push((i, Conv::Org(*o), format!("o{i}-{p}"), vec![]));
            }
        }
    }
    eprintln!("world: {} chat messages", sends.len());
    // Conversations first.
    let mut ids: HashMap<Conv, String> = HashMap::new();
    let mut directs: Vec<(usize, usize)> = talk.keys().copied().collect();
    directs.sort_unstable();
    for (a, b) in directs {
        let r = app
            .post_auth(
                "/api/v1/conversations",
                &members[a].token,
                json!({"member_ids": [members[b].account_id]}),
            )
            .await;
        assert!(r.status.is_success(), "direct: {:?}", r.body);
        ids.insert(Conv::Pair(a, b), r.str("conversation_id"));
    }
    let mut groups: Vec<(Conv, Vec<usize>, String)> = team_groups
        .iter()
        .map(|(k, g)| (Conv::Team(*k), g.clone(), format!("{}组", k.1 + 1)))
        .collect();
    groups.extend(
        org_groups
            .iter()
            .map(|(o, g)| (Conv::Org(*o), g.clone(), "全员群".to_owned())),
    );
    groups.sort_by_key(|g| format!("{:?}", g.0));
    for (key, group, title) in groups {
        if group.len() < 2 {
            continue;
        }
        let others: Vec<&str> = group[1..]
            .iter()
            .map(|j| members[*j].account_id.as_str())
            .collect();
        let r = app
            .post_auth(
                "/api/v1/conversations",
                &members[group[0]].token,
                json!({"member_ids": others, "title": title}),
            )
            .await;
        must(&r, StatusCode::CREATED, "group");
        ids.insert(key, r.str("conversation_id"));
    }
    let jobs: Vec<(String, String, Value)> = sends
        .into_iter()
        .filter_map(|(from, conv, cid, mentions)| {
            let key = match conv {
                Conv::Direct(to) => Conv::Pair(from.min(to), from.max(to)),
                other => other,
            };
            let conv_id = ids.get(&key)?.clone();
            let mentions: Vec<&str> = mentions
                .iter()
                .map(|j| members[*j].account_id.as_str())
                .collect();
            Some((
                members[from].token.clone(),
                conv_id,
                json!({"client_msg_id": cid, "body": "消息", "mentions": mentions}),
            ))
        })
        .collect();
    let sent = futures_util::stream::iter(jobs)
        .map(|(token, conv, body)| async move {
            app.post_auth(
                &format!("/api/v1/conversations/{conv}/messages"),
                &token,
                body,
            )
            .await
            .status
        })
        .buffer_unordered(8)
        .filter(|s| std::future::ready(*s == StatusCode::CREATED))
        .count()
        .await;
    eprintln!("world: {sent} messages sent");
    for (i, m) in members.iter_mut().enumerate() {
        let mut t: Vec<(usize, u32)> = (0..n)
            .filter(|&j| j != i)
            .map(|j| {
                let direct = talk.get(&(i.min(j), i.max(j))).copied().unwrap_or(0);
                (j, direct + own_mentions.get(&(i, j)).copied().unwrap_or(0))
            })
            .filter(|(_, c)| *c > 0)
            .collect();
        t.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        m.talk = t;
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Conv {
    Direct(usize),
    Pair(usize, usize),
    Team((usize, usize)),
    Org(usize),
}

/// The support agent: the role (as `wangshang admin agent add` gives it) and two-factor on.
async fn agent(app: &TestApp) -> String {
    let id = app
        .register("email", "agent@support.example.com", "客服小王", PASSWORD)
        .await;
    // Signed in before two-factor is on (a later login would ask for the second step).
    let token = app.token("agent@support.example.com", PASSWORD).await;
    app.app()
        .set_support_agent(&id, true)
        .await
        .expect("agent role");
    app.exec(&format!(
        "INSERT INTO totp_secrets (account_id, sealed_secret, confirmed_at, last_step, created_at) \
         VALUES ('{id}', 'sealed', 1, 0, 1)"
    ))
    .await;
    token
}
