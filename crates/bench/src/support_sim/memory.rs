//! What requesters remember. Owners remember their own life imperfectly: a former nickname,
//! the enterprise's short or English name, the colleagues they write with most (sometimes by an
//! old name, in pinyin, with a slip, or someone they rarely write with), their devices in their
//! own words, the city, roughly when they joined; and they file from wherever they are. The
//! impostors know what their position gives them: an outsider the public facts and guesses, a
//! colleague inside the enterprise what one sees at the office (and maybe the phone number), a
//! SIM-swapper the phone number and the public facts.

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use serde_json::{Value, json};

use super::catalog::{
    ENTERPRISES, GUESSES, Gadget, HOME_POOLS, MOBILE_POOLS, OUTSIDE_POOL, QUESTIONS,
};
use super::world::{Member, address};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Owner,
    Outsider,
    Insider,
    /// An insider colleague who also knows the victim's phone number.
    InsiderPhone,
    SimSwapper,
}

impl Kind {
    /// An insider colleague, with or without the phone number.
    pub fn is_insider(self) -> bool {
        matches!(self, Kind::Insider | Kind::InsiderPhone)
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Owner => "owners",
            Kind::Outsider => "outsiders",
            Kind::Insider => "insider colleagues",
            Kind::InsiderPhone => "insider colleagues who know the phone",
            Kind::SimSwapper => "SIM-swappers (phone + public facts)",
        }
    }
}

/// A ticket to file: about whom, by what kind of requester, with which claims, from where.
pub struct Filing {
    pub kind: Kind,
    /// The account the requester claims (the victim for impostors).
    pub subject: usize,
    /// The insider's own index.
    pub actor: Option<usize>,
    pub claims: Value,
    pub ua: &'static str,
    pub ip: String,
    pub device_id: Option<String>,
    /// The account's holder still has a device signed in (the owner: the phone or computer
    /// the ticket is filed from; an impostor's victim: always), on which the server asks
    /// "did you ask support to recover this account?".
    pub signed_in: bool,
    /// Answers to security questions, without the questions.
    pub answers: Vec<String>,
}

/// An owner's answers to the questions they set: given by 60 % of those who set them, each
/// remembered exactly 80 % of the time (else another popular answer).
fn own_answers(rng: &mut StdRng, m: &Member) -> Vec<String> {
    if m.answers.is_empty() || !rng.random_bool(0.6) {
        return Vec::new();
    }
    m.answers
        .iter()
        .map(|(q, a)| {
            if rng.random_bool(0.8) {
                a.clone()
            } else {
                (*QUESTIONS[*q].1.choose(rng).unwrap_or(&"小黑")).to_owned()
            }
        })
        .collect()
}

/// An impostor's guesses, now and then (`p`): one or two popular answers to questions they do
/// not see.
fn guessed_answers(rng: &mut StdRng, m: &Member, p: f64) -> Vec<String> {
    if m.answers.is_empty() || !rng.random_bool(p) {
        return Vec::new();
    }
    (0..rng.random_range(1..=2))
        .map(|_| {
            let q = rng.random_range(0..QUESTIONS.len());
            (*QUESTIONS[q].1.choose(rng).unwrap_or(&"小黑")).to_owned()
        })
        .collect()
}

const PC_UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36";
const NEW_PHONE_UA: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

/// A slip of the keyboard or the pen: a doubled or dropped letter in Latin text, a homophone
/// or a neighbouring character in Chinese.
fn slip(rng: &mut StdRng, s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 2 {
        return s.to_owned();
    }
    if s.is_ascii() {
        let i = rng.random_range(1..chars.len());
        let mut out: Vec<char> = chars.clone();
        if rng.random_bool(0.5) {
            out.insert(i, chars[i - 1]);
        } else {
            out.swap(i - 1, i);
        }
        return out.into_iter().collect();
    }
    const HOMOPHONES: &[(char, char)] = &[
        ('伟', '卫'),
        ('娜', '纳'),
        ('芳', '方'),
        ('静', '晶'),
        ('丽', '莉'),
        ('洋', '阳'),
        ('杰', '洁'),
        ('涛', '韬'),
        ('明', '铭'),
        ('敏', '民'),
        ('磊', '蕾'),
    ];
    let mut out = String::new();
    let mut done = false;
    for c in chars {
        match HOMOPHONES.iter().find(|(a, _)| *a == c) {
            Some((_, b)) if !done => {
                out.push(*b);
                done = true;
            }
            _ => out.push(c),
        }
    }
    out
}

/// How a person writes a colleague's name.
fn name_of(rng: &mut StdRng, m: &Member) -> String {
    let current = m.nickname().to_owned();
    let former = m.names.len() > 1;
    let x: f64 = rng.random();
    if former && x < 0.35 {
        // The name they knew them by.
        m.names[m.names.len() - 2].clone()
    } else if x < 0.45 {
        m.pinyin.clone()
    } else if x < 0.55 {
        slip(rng, &m.names[0])
    } else {
        current
    }
}

/// How a person writes an enterprise's name.
fn enterprise_of(rng: &mut StdRng, org: usize, insider_like: bool) -> String {
    let spec = &ENTERPRISES[org];
    let current = spec.names[spec.names.len() - 1];
    let x: f64 = rng.random();
    let list: &[&str] = if insider_like {
        if x < 0.5 { &[current] } else { spec.short }
    } else if x < 0.3 {
        &[current]
    } else if x < 0.65 {
        spec.short
    } else if x < 0.8 {
        spec.english
    } else if x < 0.9 && spec.names.len() > 1 {
        &spec.names[..spec.names.len() - 1]
    } else {
        spec.misspelt
    };
    list.choose(rng).copied().unwrap_or(current).to_owned()
}

/// "2023", "2023-05", "2023-05-17", as remembered: often right, sometimes months off.
fn date_of(rng: &mut StdRng, created_at: i64) -> Option<String> {
    let x: f64 = rng.random();
    if x < 0.1 {
        return None;
    }
    let mut ms = created_at;
    if rng.random_bool(0.25) {
        let months: i64 = rng.random_range(1..=3) * if rng.random_bool(0.5) { 1 } else { -1 };
        ms += months * 30 * 86_400_000;
    }
    let human = domain::clock::human(ms);
    Some(if x < 0.4 {
        human[..4].to_owned()
    } else if x < 0.9 {
        human[..7].to_owned()
    } else {
        human[..10].to_owned()
    })
}

fn word(rng: &mut StdRng, g: Gadget) -> String {
    g.words().choose(rng).copied().unwrap_or("手机").to_owned()
}

/// An owner's ticket.
pub fn owner(rng: &mut StdRng, members: &[Member], i: usize) -> Filing {
    let m = &members[i];
    let mut c = serde_json::Map::new();
    // A quarter have lost both their phone and their e-mail, and give neither.
    let lost_all = rng.random_bool(0.25);
    if !lost_all {
        if let Some(p) = &m.phone
            && rng.random_bool(0.75)
        {
            let p = match &m.old_phone {
                Some(old) if rng.random_bool(0.4) => old.clone(),
                _ => p.clone(),
            };
            c.insert("phone".into(), json!(p));
        }
        if let Some(e) = &m.email
            && rng.random_bool(0.7)
        {
            let e = if rng.random_bool(0.08) {
                slip(rng, e)
            } else {
                e.clone()
            };
            c.insert("email".into(), json!(e));
        }
    }
    // Nicknames: the current one, a former one, both, or in pinyin.
    let mut nicknames = Vec::new();
    let x: f64 = rng.random();
    if m.names.len() > 1 && x < 0.35 {
        nicknames.push(m.names[m.names.len() - 2].clone());
        if rng.random_bool(0.4) {
            nicknames.push(m.nickname().to_owned());
        }
    } else if x < 0.45 {
        nicknames.push(m.pinyin.clone());
    } else {
        nicknames.push(m.nickname().to_owned());
    }
    c.insert("nicknames".into(), json!(nicknames));
    if rng.random_bool(0.85) {
        let org = match m.former_org {
            Some(f) if rng.random_bool(0.1) => f,
            _ => m.org,
        };
        c.insert("enterprise".into(), json!(enterprise_of(rng, org, false)));
    }
    // Colleagues: mostly those they write with most, some they only know.
    let k = *[0usize, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4]
        .choose(rng)
        .unwrap_or(&2);
    let mut names = Vec::new();
    let mut chosen = Vec::new();
    for _ in 0..k {
        let top: Vec<usize> = m
            .talk
            .iter()
            .take(5)
            .map(|(j, _)| *j)
            .filter(|j| !chosen.contains(j))
            .collect();
        let j = if rng.random_bool(0.75) && !top.is_empty() {
            *top.choose(rng).unwrap_or(&top[0])
        } else {
            let mates: Vec<usize> = (0..members.len())
                .filter(|&j| j != i && members[j].org == m.org && !chosen.contains(&j))
                .collect();
            match mates.choose(rng) {
                Some(j) => *j,
                None => continue,
            }
        };
        chosen.push(j);
        names.push(name_of(rng, &members[j]));
    }
    if !names.is_empty() {
        c.insert("contacts".into(), json!(names));
    }
    // Devices in their own words; now and then one they no longer have.
    let mut devices = Vec::new();
    let n = *[0usize, 1, 1, 1, 2, 2, 2, 2, 2, 2]
        .choose(rng)
        .unwrap_or(&1);
    for d in m.devices.iter().take(n) {
        devices.push(word(rng, d.gadget));
    }
    if rng.random_bool(0.07) {
        devices.push(GUESSES.choose(rng).copied().unwrap_or("手机").to_owned());
    }
    if !devices.is_empty() {
        c.insert("devices".into(), json!(devices));
    }
    let mut places = Vec::new();
    if rng.random_bool(0.5) {
        let city = HOME_POOLS[m.home_pool].3;
        places.push(city.choose(rng).copied().unwrap_or("上海").to_owned());
    }
    if rng.random_bool(0.2) {
        places.push(
            ["家里", "公司", "办公室"]
                .choose(rng)
                .copied()
                .unwrap_or("公司")
                .to_owned(),
        );
    }
    if !places.is_empty() {
        c.insert("places".into(), json!(places));
    }
    if let Some(d) = date_of(rng, m.created_at) {
        c.insert("created_around".into(), json!(d));
    }
    // Where they file from: their own phone or computer (at home, at the office), or a new
    // phone on the mobile network.
    let spec = &ENTERPRISES[m.org];
    let x: f64 = rng.random();
    let (ua, ip, device_id) = if x < 0.3 {
        let d = m.phone_device();
        let ip = address(rng, MOBILE_POOLS[spec.mobile].0);
        (d.ua, ip, rng.random_bool(0.5).then(|| d.id.clone()))
    } else if x < 0.55 {
        let d = m.devices.last().unwrap_or(m.phone_device());
        let ip = address(rng, &m.home);
        (d.ua, ip, rng.random_bool(0.5).then(|| d.id.clone()))
    } else if x < 0.65 {
        let d = m.devices.get(1).unwrap_or(m.phone_device());
        (d.ua, address(rng, spec.office), None)
    } else {
        (
            NEW_PHONE_UA,
            address(rng, MOBILE_POOLS[spec.mobile].0),
            None,
        )
    };
    Filing {
        kind: Kind::Owner,
        subject: i,
        actor: None,
        answers: own_answers(rng, m),
        claims: Value::Object(c),
        signed_in: ua != NEW_PHONE_UA,
        ua,
        ip,
        device_id,
    }
}

/// Someone who only knows the public facts, and guesses.
pub fn outsider(rng: &mut StdRng, members: &[Member], victim: usize) -> Filing {
    let m = &members[victim];
    let mut c = serde_json::Map::new();
    let nick = if rng.random_bool(0.8) {
        m.nickname().to_owned()
    } else {
        m.pinyin.clone()
    };
    c.insert("nicknames".into(), json!([nick]));
    if rng.random_bool(0.85) {
        c.insert("enterprise".into(), json!(enterprise_of(rng, m.org, true)));
    }
    // Common names, which may be somebody's.
    let k = rng.random_range(0..=3);
    let guesses: Vec<String> = (0..k)
        .map(|_| {
            let s = super::catalog::SURNAMES[rng.random_range(0..6)].0;
            let g = super::catalog::GIVEN[rng.random_range(0..8)].0;
            format!("{s}{g}")
        })
        .collect();
    if !guesses.is_empty() {
        c.insert("contacts".into(), json!(guesses));
    }
    let howmany = rng.random_range(0..=2);
    let d: Vec<&str> = GUESSES.choose_multiple(rng, howmany).copied().collect();
    if !d.is_empty() {
        c.insert("devices".into(), json!(d));
    }
    if rng.random_bool(0.5) {
        let city = ENTERPRISES[m.org].city;
        c.insert(
            "places".into(),
            json!([city.choose(rng).copied().unwrap_or("上海")]),
        );
    }
    if rng.random_bool(0.5) {
        c.insert(
            "created_around".into(),
            json!(format!("{}", rng.random_range(2019..=2025))),
        );
    }
    Filing {
        signed_in: true,
        answers: guessed_answers(rng, m, 0.1),
        kind: Kind::Outsider,
        subject: victim,
        actor: None,
        claims: Value::Object(c),
        ua: PC_UA,
        ip: address(rng, OUTSIDE_POOL.0),
        device_id: None,
    }
}

/// A colleague of the victim's: knows the names, what one sees at the office, and sometimes
/// the phone number; files from the office or their own phone.
pub fn insider(rng: &mut StdRng, members: &[Member], victim: usize) -> Option<Filing> {
    let m = &members[victim];
    let mates: Vec<usize> = (0..members.len())
        .filter(|&j| j != victim && members[j].org == m.org)
        .collect();
    let actor = *mates.choose(rng)?;
    let a = &members[actor];
    let same_team = a.team == m.team;
    let mut c = serde_json::Map::new();
    let mut nicks = vec![m.nickname().to_owned()];
    if m.names.len() > 1 && rng.random_bool(0.4) {
        nicks.push(m.names[m.names.len() - 2].clone());
    }
    c.insert("nicknames".into(), json!(nicks));
    c.insert("enterprise".into(), json!(enterprise_of(rng, m.org, true)));
    let mut kind = Kind::Insider;
    if let Some(p) = &m.phone
        && rng.random_bool(0.5)
    {
        c.insert("phone".into(), json!(p));
        kind = Kind::InsiderPhone;
    }
    if let Some(e) = &m.email
        && rng.random_bool(0.3)
    {
        c.insert("email".into(), json!(e));
    }
    // Colleagues: now and then someone one has seen the victim work with, sometimes oneself,
    // otherwise colleagues one knows (a teammate of the victim's more often than not).
    let k = rng.random_range(2..=5);
    let mut names = Vec::new();
    let mut chosen = vec![victim];
    for _ in 0..k {
        let seen: Vec<usize> = m
            .talk
            .iter()
            .map(|(j, _)| *j)
            .filter(|j| !chosen.contains(j))
            .take(5)
            .collect();
        let team: Vec<usize> = mates
            .iter()
            .copied()
            .filter(|j| members[*j].team == m.team && !chosen.contains(j))
            .collect();
        let j = if rng.random_bool(if same_team { 0.2 } else { 0.05 }) && !seen.is_empty() {
            *seen.choose(rng).unwrap_or(&seen[0])
        } else if rng.random_bool(0.15) && !chosen.contains(&actor) {
            actor
        } else if !team.is_empty() && rng.random_bool(0.25) {
            *team.choose(rng).unwrap_or(&team[0])
        } else {
            match mates
                .iter()
                .filter(|j| !chosen.contains(j))
                .collect::<Vec<_>>()
                .choose(rng)
            {
                Some(j) => **j,
                None => continue,
            }
        };
        chosen.push(j);
        names.push(members[j].nickname().to_owned());
    }
    c.insert("contacts".into(), json!(names));
    let mut devices = Vec::new();
    if rng.random_bool(0.6) {
        devices.push(word(rng, m.phone_device().gadget));
    }
    if rng.random_bool(0.2)
        && let Some(d) = m.devices.get(1)
    {
        devices.push(word(rng, d.gadget));
    }
    if !devices.is_empty() {
        c.insert("devices".into(), json!(devices));
    }
    if rng.random_bool(0.5) {
        let city = ENTERPRISES[m.org].city;
        c.insert(
            "places".into(),
            json!([city.choose(rng).copied().unwrap_or("上海")]),
        );
    }
    let x: f64 = rng.random();
    if x < 0.5 {
        // Roughly when the victim joined.
        let off: i64 = rng.random_range(-200..200) * 86_400_000;
        let human = domain::clock::human(m.created_at + off);
        let s = if x < 0.3 { &human[..4] } else { &human[..7] };
        c.insert("created_around".into(), json!(s));
    }
    let spec = &ENTERPRISES[m.org];
    let own = a.phone_device();
    let (ip, device_id) = if rng.random_bool(0.5) {
        (
            address(rng, spec.office),
            rng.random_bool(0.4).then(|| own.id.clone()),
        )
    } else {
        (address(rng, MOBILE_POOLS[spec.mobile].0), None)
    };
    Some(Filing {
        signed_in: true,
        answers: guessed_answers(rng, m, 0.3),
        kind,
        subject: victim,
        actor: Some(actor),
        claims: Value::Object(c),
        ua: own.ua,
        ip,
        device_id,
    })
}

/// Someone who took over the victim's number: the phone and the public facts.
pub fn sim_swapper(rng: &mut StdRng, members: &[Member], victim: usize) -> Option<Filing> {
    let m = &members[victim];
    let phone = m.phone.clone()?;
    let mut c = serde_json::Map::new();
    c.insert("phone".into(), json!(phone));
    c.insert("nicknames".into(), json!([m.nickname()]));
    if rng.random_bool(0.8) {
        c.insert("enterprise".into(), json!(enterprise_of(rng, m.org, true)));
    }
    if rng.random_bool(0.3) {
        c.insert(
            "devices".into(),
            json!([GUESSES.choose(rng).copied().unwrap_or("iPhone")]),
        );
    }
    if rng.random_bool(0.3) {
        c.insert(
            "created_around".into(),
            json!(format!("{}", rng.random_range(2019..=2025))),
        );
    }
    if rng.random_bool(0.3) {
        let city = ENTERPRISES[m.org].city;
        c.insert(
            "places".into(),
            json!([city.choose(rng).copied().unwrap_or("上海")]),
        );
    }
    Some(Filing {
        signed_in: true,
        answers: guessed_answers(rng, m, 0.1),
        kind: Kind::SimSwapper,
        subject: victim,
        actor: None,
        claims: Value::Object(c),
        ua: NEW_PHONE_UA,
        ip: address(rng, MOBILE_POOLS[ENTERPRISES[m.org].mobile].0),
        device_id: None,
    })
}
