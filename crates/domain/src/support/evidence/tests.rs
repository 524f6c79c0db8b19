//! The rules on a small hand-made history, and the recommendation's guards.

use super::rules::points;
use super::*;

fn person(names: &[&str], messages: i64) -> Person {
    Person {
        names: names.iter().map(|n| (*n).to_owned()).collect(),
        colleague: true,
        messages,
    }
}

fn dev(os: &str, family: &str, maker: Option<&str>, model: Option<&str>) -> DeviceFacts {
    DeviceFacts {
        os: os.into(),
        browser: "Chrome".into(),
        family: family.into(),
        maker: maker.map(Into::into),
        model: model.map(Into::into),
    }
}

fn owner() -> Evidence {
    Evidence {
        nickname: "张伟".into(),
        former_nicknames: vec!["Wei Zhang".into()],
        phone: Some("+8613800138000".into()),
        email: Some("wei@example.com".into()),
        former_bindings: vec!["+8613900139000".into()],
        orgs: vec![OrgFacts {
            names: vec!["星海商贸".into(), "旺商网络科技有限公司".into()],
            active: true,
        }],
        people: vec![
            person(&["李娜"], 40),
            person(&["王芳（财务）", "王芳"], 25),
            person(&["刘洋"], 9),
            person(&["陈静"], 6),
            person(&["赵磊"], 4),
            person(&["孙丽"], 2),
            person(&["周杰"], 0),
        ]
        .into_iter()
        // A company of thirty: frequent contacts count in full.
        .chain((0..23).map(|i| person(&[&format!("同事{i}")], 0)))
        .collect(),
        strangers: vec!["马云".into()],
        devices: vec![
            dev("HarmonyOS", "mobile", Some("Huawei"), Some("Mate")),
            dev("macOS", "desktop", Some("Apple"), Some("Mac")),
            dev("Unknown", "unknown", None, None),
        ],
        networks: vec!["203.0.113.0/24".into()],
        places: vec!["CN/Shanghai".into(), "Shanghai, CN".into()],
        created_at: date_range("2023-05-10").unwrap().0 + 3_600_000,
        ..Evidence::default()
    }
}

fn cfg() -> SupportConfig {
    SupportConfig::default()
}

fn only(claims: &Claims, e: &Evidence, claim: &str) -> Item {
    items(claims, e, &cfg())
        .into_iter()
        .find(|i| i.claim == claim)
        .unwrap()
}

fn contacts(names: &[&str]) -> Claims {
    Claims {
        contacts: names.iter().map(|n| (*n).to_owned()).collect(),
        ..Claims::default()
    }
}

fn contact_items(names: &[&str], e: &Evidence) -> Vec<Item> {
    items(&contacts(names), e, &cfg())
}

#[test]
fn colleagues_by_current_and_former_names_pinyin_and_slips() {
    let e = owner();
    let it = contact_items(&["李娜", "王芳", "liu yang", "陈晶", "Zhao Lie"], &e);
    let codes: Vec<&str> = it.iter().map(|i| i.code).collect();
    assert_eq!(
        codes,
        [
            "contact_top",
            "contact_top",
            "contact_top",
            "contact_top",
            "contact_top"
        ],
        "{it:?}"
    );
    // 王芳 is a former name of "王芳（财务）".
    assert_eq!(it[1].arg("how"), Some("former"));
    assert_eq!(it[2].arg("how"), Some("similar"));
    assert_eq!(it[0].arg("rank"), Some("1"));
    assert_eq!(it[0].weight, points::CONTACT_FIRST);
    assert_eq!(
        it[2].weight,
        points::CONTACT_TOP.min(points::CONTACTS_CAP - 2 * points::CONTACT_FIRST)
    );
    assert_eq!(
        contact_items(&["liu yang"], &e)[0].weight,
        points::CONTACT_TOP
    );
    // Five top contacts are worth at most the cap together.
    assert_eq!(
        it.iter().map(|i| i.weight).sum::<i32>(),
        points::CONTACTS_CAP
    );
}

#[test]
fn a_colleague_one_rarely_writes_with_counts_little_or_against() {
    let e = owner();
    let it = contact_items(&["孙丽", "周杰"], &e);
    assert_eq!(
        (it[0].code, it[0].weight),
        ("contact_writes", points::CONTACT_WRITES)
    );
    // A match never counts against.
    assert!(it[0].weight >= 0 && it[0].result == Outcome::Matched);
    assert_eq!(
        (it[1].code, it[1].result),
        ("contact_silent", Outcome::Contradicted)
    );
    assert!(it[1].weight < 0);
}

#[test]
fn nobody_of_that_name_is_unknown_someone_never_known_is_against() {
    let e = owner();
    let it = contact_items(&["欧阳娜娜", "马云"], &e);
    assert_eq!(
        (it[0].result, it[0].weight, it[0].code),
        (Outcome::Unknown, 0, "contact_not_found")
    );
    assert_eq!(
        (it[1].result, it[1].code),
        (Outcome::Contradicted, "contact_never_known")
    );
}

#[test]
fn one_person_named_twice_counts_once() {
    let e = owner();
    let it = contact_items(&["李娜", "Li Na"], &e);
    assert_eq!(it[0].weight, points::CONTACT_FIRST);
    assert_eq!((it[1].weight, it[1].code), (0, "contact_named_twice"));
}

#[test]
fn devices_in_chinese_and_english() {
    let e = owner();
    let one = |d: &str| {
        let c = Claims {
            devices: vec![d.into()],
            ..Claims::default()
        };
        only(&c, &e, "device")
    };
    for (claim, code) in [
        ("华为手机", "device_specific"),
        ("华为", "device_specific"),
        ("Huawei Mate", "device_model"),
        ("华为Mate 60", "device_model"),
        ("鸿蒙", "device_specific"),
        ("苹果电脑", "device_specific"),
        ("MacBook", "device_specific"),
        ("Mac", "device_specific"),
        ("电脑", "device_kind"),
        ("手机", "device_kind"),
        ("安卓手机", "device_common"),
        ("iPhone", "device_never"),
        ("苹果手机", "device_never"),
        ("Windows", "device_never"),
        ("小米", "device_never"),
        ("不记得", "device_unrecognised"),
    ] {
        assert_eq!(one(claim).code, code, "{claim}");
    }
    // A phone whose user agent names no maker: a Huawei claim fits its system.
    let mut plain = owner();
    plain.devices = vec![dev("Android", "mobile", None, None)];
    let c = Claims {
        devices: vec!["华为手机".into()],
        ..Claims::default()
    };
    assert_eq!(only(&c, &plain, "device").code, "device_system_fits");
}

#[test]
fn one_device_named_twice_counts_once_and_devices_are_capped() {
    let e = owner();
    let c = Claims {
        devices: vec![
            "华为手机".into(),
            "Huawei".into(),
            "苹果电脑".into(),
            "Mac".into(),
        ],
        ..Claims::default()
    };
    let it: Vec<Item> = items(&c, &e, &cfg());
    let w: Vec<i32> = it.iter().map(|i| i.weight).collect();
    let d = points::DEVICE_SPECIFIC;
    // Two devices, each counted once, together at most the cap.
    assert_eq!(w, [d, 0, points::DEVICES_CAP - d, 0], "{it:?}");
    assert_eq!(it[1].code, "device_same_as_before");
}

#[test]
fn enterprise_short_forms_pinyin_and_english_are_the_name() {
    let mut e = owner();
    e.orgs = vec![OrgFacts {
        names: vec!["旺达贸易有限公司".into()],
        active: true,
    }];
    let one = |x: &str| {
        let c = Claims {
            enterprise: Some(x.into()),
            ..Claims::default()
        };
        only(&c, &e, "enterprise")
    };
    assert_eq!(one("旺达贸易有限公司").code, "org_member_now");
    for x in ["旺达", "Wangda Trading", "wangda", "旺达贸易"] {
        let it = one(x);
        assert_eq!(
            (it.result, it.code),
            (Outcome::Matched, "org_member_short"),
            "{x}"
        );
    }
    assert_eq!(one("Wangdda Trading").result, Outcome::Partial);
    assert_eq!(one("星海科技").result, Outcome::Contradicted);
}

#[test]
fn former_names_and_memberships_are_partial() {
    let e = owner();
    let c = Claims {
        nicknames: vec!["wei zhang".into()],
        enterprise: Some("星海商贸".into()),
        ..Claims::default()
    };
    let it = items(&c, &e, &cfg());
    assert_eq!(it[0].code, "nickname_former");
    assert_eq!(it[1].code, "org_former_name");
    let mut left = e.clone();
    left.orgs[0].active = false;
    let c = Claims {
        enterprise: Some("旺商网络科技有限公司".into()),
        ..Claims::default()
    };
    assert_eq!(only(&c, &left, "enterprise").code, "org_left");
}

#[test]
fn dates_by_their_precision() {
    let e = owner();
    let one = |d: &str| {
        let c = Claims {
            created_around: Some(d.into()),
            ..Claims::default()
        };
        only(&c, &e, "created_around")
    };
    let year = one("2023");
    let month = one("2023-05");
    let day = one("2023-05-12");
    assert_eq!(year.result, Outcome::Matched);
    assert!(year.weight < month.weight && month.weight <= day.weight);
    // A bare year, right, says less than a month a few weeks off.
    assert_eq!(one("2023-06").code, "date_near");
    assert!(
        year.weight < one("2023-06").weight,
        "a bare year is weak evidence"
    );
    assert_eq!(one("2023-07").code, "date_close");
    assert_eq!(one("2023-10").code, "date_far");
    assert_eq!(one("2021-01").result, Outcome::Contradicted);
    assert_eq!(one("2021").result, Outcome::Contradicted);
    // A year off by one, four months from its end: memory, not evidence either way.
    assert_eq!(one("2022").result, Outcome::Unknown);
    assert!(date_range("2023-13").is_none());
    assert!(date_range("yesterday").is_none());
}

#[test]
fn places_and_networks() {
    let e = owner();
    let one = |p: &str| {
        let c = Claims {
            places: vec![p.into()],
            ..Claims::default()
        };
        only(&c, &e, "place")
    };
    assert_eq!(one("上海").result, Outcome::Matched);
    assert_eq!(one("上海市").result, Outcome::Matched);
    assert_eq!(one("上海浦东").result, Outcome::Matched);
    assert_eq!(one("shanghai").result, Outcome::Matched);
    assert_eq!(one("203.0.113.77").code, "place_network_seen");
    assert_eq!(one("198.51.100.1").result, Outcome::Contradicted);
    assert_eq!(one("北京").result, Outcome::Contradicted);
    // "At home" cannot be checked against the records: unknown, not a contradiction.
    assert_eq!(one("家里").code, "place_vague");
    assert_eq!(one("Office").result, Outcome::Unknown);
    let mut none = e.clone();
    none.places.clear();
    let c = Claims {
        places: vec!["Beijing".into()],
        ..Claims::default()
    };
    assert_eq!(only(&c, &none, "place").result, Outcome::Unknown);
}

#[test]
fn places_split_by_the_networks_they_were_seen_on() {
    let seen = vec![
        // The office network, used by forty accounts; the home network by this one only; a
        // phone's carrier address in the office's city.
        ("Shanghai, CN".to_owned(), 40),
        ("Suzhou, CN".to_owned(), 1),
        ("Shanghai, CN".to_owned(), 1),
        ("Suzhou, CN".to_owned(), 2),
    ];
    let (home, shared) = rules::split_places(&seen);
    assert_eq!(home, vec!["Suzhou, CN".to_owned()]);
    assert_eq!(shared, vec!["Shanghai, CN".to_owned()]);
    // A place seen only on shared networks is never home.
    let (home, _) = rules::split_places(&[("Hangzhou, CN".to_owned(), 3)]);
    assert!(home.is_empty());
}

#[test]
fn the_home_city_counts_more_than_the_office_city() {
    let mut e = owner();
    e.places.push("Suzhou, CN".into());
    e.home_places = vec!["Suzhou, CN".into()];
    e.shared_places = vec!["Shanghai, CN".into()];
    let one = |e: &Evidence, p: &str| {
        let c = Claims {
            places: vec![p.into()],
            ..Claims::default()
        };
        only(&c, e, "place")
    };
    let home = one(&e, "苏州");
    assert_eq!(home.code, "place_home");
    assert_eq!(home.weight, points::PLACE_HOME);
    assert_eq!(one(&e, "江苏苏州").code, "place_home");
    // The office's city is what every colleague knows: only a place seen.
    let office = one(&e, "上海");
    assert_eq!(office.code, "place_seen");
    assert_eq!(office.weight, points::PLACE_SEEN);
    // ... a public fact, no private evidence: it neither counts towards the private minimum
    // nor lifts a ticket of public facts over their cap.
    assert_eq!(office.class, Class::Public);
    assert_eq!(home.class, Class::Private);
    let colleague = Claims {
        nicknames: vec!["张伟".into()],
        enterprise: Some("旺商网络科技有限公司".into()),
        places: vec!["上海".into()],
        ..Claims::default()
    };
    let a = assess(&colleague, &e, &cfg());
    assert_eq!(a.private_points, 0);
    assert!(a.score <= cfg().public_facts_cap);
    // A home in the office's city says no more than the office does.
    let mut same = e.clone();
    same.home_places = vec!["Shanghai, CN".into()];
    same.shared_places = vec!["Shanghai, CN".into()];
    assert_eq!(one(&same, "上海").code, "place_seen");
    // Without the split (no network of the login records known), a city is only seen.
    let mut flat = e.clone();
    flat.home_places.clear();
    flat.shared_places.clear();
    assert_eq!(one(&flat, "苏州").code, "place_seen");
}

#[test]
fn the_home_city_is_a_kind_of_private_evidence_that_corroborates() {
    let mut e = owner();
    e.places.push("Suzhou, CN".into());
    e.home_places = vec!["Suzhou, CN".into()];
    e.shared_places = vec!["Shanghai, CN".into()];
    let claims = |place: &str| Claims {
        contacts: vec!["李娜".into()],
        places: vec![place.into()],
        ..Claims::default()
    };
    let kinds = |c: &Claims| {
        items(c, &e, &cfg())
            .into_iter()
            .find(|i| i.claim == "corroboration")
            .and_then(|i| i.arg("kinds").map(str::to_owned))
    };
    assert_eq!(kinds(&claims("苏州")).as_deref(), Some("2"));
    // The office's city does not corroborate.
    assert_eq!(kinds(&claims("上海")), None);
}

#[test]
fn where_the_ticket_was_filed() {
    let with = |f: Filing| rules::filing(&f);
    let own = with(Filing {
        network: Some(NetworkUse {
            known: true,
            accounts: 1,
        }),
        same_agent: true,
        device: DeviceUse::Unknown,
    });
    assert_eq!(
        own.iter().map(|i| i.weight).sum::<i32>(),
        points::FILED_OWN_NETWORK + points::FILED_SAME_AGENT
    );
    let office = with(Filing {
        network: Some(NetworkUse {
            known: true,
            accounts: 30,
        }),
        ..Filing::default()
    });
    assert_eq!(office[0].code, "filed_from_shared_network");
    assert_eq!(office[0].result, Outcome::Unknown);
    let elsewhere = with(Filing {
        device: DeviceUse::Elsewhere,
        ..Filing::default()
    });
    assert_eq!(elsewhere[0].result, Outcome::Contradicted);
    // Filing items are capped: evidence, not proof.
    let mut e = owner();
    e.filing = Filing {
        network: Some(NetworkUse {
            known: true,
            accounts: 1,
        }),
        same_agent: true,
        device: DeviceUse::Known,
    };
    let total: i32 = items(&Claims::default(), &e, &cfg())
        .iter()
        .map(|i| i.weight)
        .sum();
    assert_eq!(total, points::FILING_CAP);
    // Where it was filed is never enough private evidence alone: a thief holding the owner's
    // unlocked phone files from its device and network, knowing the number and the names.
    assert!(points::FILING_CAP < i32::try_from(cfg().private_evidence_min).unwrap());
    let thief = Claims {
        phone: Some("+8613800138000".into()),
        nicknames: vec!["张伟".into()],
        enterprise: Some("旺商网络科技有限公司".into()),
        created_around: Some("2023".into()),
        ..Claims::default()
    };
    let a = assess(&thief, &e, &cfg());
    assert!(a.score >= cfg().owner_score / 2, "{a:?}");
    assert_ne!(a.recommendation, Recommendation::LikelyOwner, "{a:?}");
    // The thief also answers "yes, it was me" on the phone's signed-in session: that is the
    // same possession of a device, in the same budget, so nothing changes.
    e.own_answer = OwnAnswer::Confirmed;
    let b = assess(&thief, &e, &cfg());
    assert_eq!((b.score, b.recommendation), (a.score, a.recommendation));
}

#[test]
fn a_signed_in_sessions_answer_counts_as_a_device_of_the_accounts() {
    let claims = Claims {
        nicknames: vec!["张伟".into()],
        created_around: Some("2023-05".into()),
        ..Claims::default()
    };
    let mut e = owner();
    let quiet = assess(&claims, &e, &cfg());
    e.own_answer = OwnAnswer::Confirmed;
    let yes = assess(&claims, &e, &cfg());
    let it = yes.items.iter().find(|i| i.claim == "own_session").unwrap();
    assert_eq!(
        (it.result, it.weight, it.class),
        (Outcome::Matched, points::OWN_CONFIRMED, Class::Private)
    );
    // It agrees with the date: two kinds of private evidence corroborate.
    assert!(yes.items.iter().any(|i| i.code == "corroborated"));
    assert!(yes.score > quiet.score + 24 - 1, "{quiet:?} {yes:?}");
    e.own_answer = OwnAnswer::Denied;
    let no = assess(&claims, &e, &cfg());
    let it = no.items.iter().find(|i| i.claim == "own_session").unwrap();
    assert_eq!(
        (it.result, it.weight),
        (Outcome::Contradicted, -points::OWN_DENIED)
    );
    assert_eq!(no.recommendation, Recommendation::LikelyImpostor, "{no:?}");
}

#[test]
fn public_facts_alone_never_reach_likely_owner() {
    let claims = Claims {
        nicknames: vec!["张伟".into(), "Wei Zhang".into()],
        enterprise: Some("旺商网络科技有限公司".into()),
        ..Claims::default()
    };
    // Even with thresholds that would otherwise let it through.
    let lax = SupportConfig {
        owner_score: 5,
        public_facts_cap: 90,
        private_evidence_min: 0,
        ..cfg()
    };
    for c in [cfg(), lax] {
        let a = assess(&claims, &owner(), &c);
        assert_ne!(a.recommendation, Recommendation::LikelyOwner, "{a:?}");
        assert!(a.items.iter().all(|i| i.result == Outcome::Matched));
    }
    let a = assess(&claims, &owner(), &cfg());
    assert!(a.score <= cfg().public_facts_cap);
    assert_eq!(a.recommendation, Recommendation::LikelyImpostor);
}

#[test]
fn the_phone_and_public_facts_never_reach_likely_owner() {
    // What a SIM-swapper or a colleague knows: the number, the e-mail, the names.
    let claims = Claims {
        phone: Some("+8613800138000".into()),
        email: Some("wei@example.com".into()),
        nicknames: vec!["张伟".into()],
        enterprise: Some("旺商网络科技有限公司".into()),
        created_around: Some("2023".into()),
        ..Claims::default()
    };
    // Even where the score alone would do, the private minimum keeps it out.
    let lax = SupportConfig {
        owner_score: 20,
        ..cfg()
    };
    for c in [cfg(), lax.clone()] {
        let a = assess(&claims, &owner(), &c);
        assert_ne!(a.recommendation, Recommendation::LikelyOwner, "{a:?}");
    }
    assert!(assess(&claims, &owner(), &lax).score >= lax.owner_score);
    // The current number itself counts nothing: the SIM-swapper has it.
    assert_eq!(only(&claims, &owner(), "phone").weight, 0);
}

#[test]
fn an_owner_without_phone_or_email_gets_through_on_what_they_remember() {
    let claims = Claims {
        nicknames: vec!["张伟".into()],
        enterprise: Some("旺商".into()),
        contacts: vec!["李娜".into(), "王芳".into(), "刘洋".into()],
        devices: vec!["华为手机".into(), "苹果电脑".into()],
        created_around: Some("2023-05".into()),
        ..Claims::default()
    };
    let a = assess(&claims, &owner(), &cfg());
    assert_eq!(a.recommendation, Recommendation::LikelyOwner, "{a:?}");
    assert!(a.private_points >= cfg().private_evidence_min);
}

#[test]
fn contradictions_count_against() {
    let right = Claims {
        phone: Some("+8613800138000".into()),
        nicknames: vec!["张伟".into()],
        contacts: vec!["李娜".into()],
        devices: vec!["Huawei".into()],
        ..Claims::default()
    };
    let mut wrong = right.clone();
    wrong.contacts = vec!["马云".into()];
    wrong.devices = vec!["Windows PC".into()];
    let e = owner();
    let good = assess(&right, &e, &cfg());
    let bad = assess(&wrong, &e, &cfg());
    assert_eq!(only(&wrong, &e, "contact").result, Outcome::Contradicted);
    assert_eq!(only(&wrong, &e, "device").result, Outcome::Contradicted);
    assert!(
        bad.items
            .iter()
            .filter(|i| i.result == Outcome::Contradicted)
            .all(|i| i.weight < 0)
    );
    assert!(
        bad.score + 20 < good.score,
        "{} vs {}",
        bad.score,
        good.score
    );
}

#[test]
fn bindings_now_before_and_never() {
    let e = owner();
    let c = |p: &str| Claims {
        phone: Some(p.into()),
        ..Claims::default()
    };
    assert_eq!(
        only(&c("+8613800138000"), &e, "phone").result,
        Outcome::Matched
    );
    assert_eq!(
        only(&c("+8613900139000"), &e, "phone").result,
        Outcome::Partial
    );
    assert_eq!(
        only(&c("+8613700137000"), &e, "phone").result,
        Outcome::Contradicted
    );
}

#[test]
fn a_bound_address_with_a_slip_is_neither_proof_nor_a_contradiction() {
    let e = owner();
    let mail = |m: &str| {
        only(
            &Claims {
                email: Some(m.into()),
                ..Claims::default()
            },
            &e,
            "email",
        )
    };
    // A letter doubled or changed, two swapped: the owner's own address, mistyped.
    for m in ["weii@example.com", "wie@example.com", "wei@exmaple.com"] {
        let it = mail(m);
        assert_eq!(
            (it.result, it.code, it.weight),
            (Outcome::Unknown, "bound_similar", 0),
            "{m}"
        );
    }
    // Two slips, or another address: never bound.
    assert_eq!(mail("iew@exmaple.com").code, "never_bound");
    assert_eq!(mail("li.na@example.com").code, "never_bound");
    // A former number with one digit changed.
    let phone = Claims {
        phone: Some("+8613900139001".into()),
        ..Claims::default()
    };
    assert_eq!(only(&phone, &e, "phone").code, "bound_similar");
    assert!(rules::typed_with_slip("+8613800138000", "+8613800183000"));
    assert!(!rules::typed_with_slip("a@b.c", "a@b.d"));
}

#[test]
fn the_nickname_in_pinyin_is_the_current_name() {
    let mut e = owner();
    e.former_nicknames.clear();
    let nick = |n: &str| {
        only(
            &Claims {
                nicknames: vec![n.into()],
                ..Claims::default()
            },
            &e,
            "nickname",
        )
    };
    for n in ["zhang wei", "Wei Zhang", "ZHANGWEI"] {
        let it = nick(n);
        assert_eq!(it.code, "nickname_pinyin", "{n}");
        assert_eq!(it.weight, points::NICKNAME_CURRENT);
    }
    // A slip or another character is only like it.
    assert_eq!(nick("zhang wie").code, "nickname_similar");
    assert_eq!(nick("章伟").code, "nickname_similar");
    assert_eq!(nick("zhang wie").weight, points::NICKNAME_OTHER);
    // Still a public fact: alone it stays capped.
    let a = assess(
        &Claims {
            nicknames: vec!["zhang wei".into()],
            ..Claims::default()
        },
        &e,
        &cfg(),
    );
    assert_eq!(a.recommendation, Recommendation::LikelyImpostor);
}

/// A ticket with the phone, the names, a colleague and a device: short of the line on its own.
fn borderline() -> Claims {
    Claims {
        phone: Some("+8613800138000".into()),
        nicknames: vec!["张伟".into()],
        enterprise: Some("旺商网络科技有限公司".into()),
        contacts: vec!["李娜".into()],
        devices: vec!["华为手机".into()],
        ..Claims::default()
    }
}

#[test]
fn trusted_colleagues_k_of_n_move_a_borderline_ticket() {
    let c = borderline();
    let mut e = owner();
    e.vouches.asked = 3;
    let before = assess(&c, &e, &cfg());
    assert_eq!(
        before.recommendation,
        Recommendation::Uncertain,
        "{before:?}"
    );
    e.vouches.confirmed = 2;
    let after = assess(&c, &e, &cfg());
    assert_eq!(after.recommendation, Recommendation::LikelyOwner);
    let vouch = after
        .items
        .iter()
        .find(|i| i.claim == rules::TRUSTED)
        .unwrap();
    assert!(vouch.decisive);
    e.vouches.denied = 1;
    let denied = assess(&c, &e, &cfg());
    let vouch = denied
        .items
        .iter()
        .find(|i| i.claim == rules::TRUSTED)
        .unwrap();
    assert_eq!(vouch.result, Outcome::Contradicted);
    assert_ne!(denied.recommendation, Recommendation::LikelyOwner);
}

#[test]
fn an_admin_confirmation_is_one_of_the_k_never_enough_alone() {
    let c = borderline();
    let mut e = owner();
    e.vouches.asked = 3;
    e.admins_confirmed = 1;
    // Alone (k = 2) it is the admin's own item, and the ticket stays where it was.
    let alone = assess(&c, &e, &cfg());
    assert_ne!(
        alone.recommendation,
        Recommendation::LikelyOwner,
        "{alone:?}"
    );
    assert!(alone.items.iter().any(|i| i.code == "admin_confirmed"));
    // With one trusted colleague's confirmation it makes the two needed.
    e.vouches.confirmed = 1;
    let two = assess(&c, &e, &cfg());
    assert_eq!(two.recommendation, Recommendation::LikelyOwner, "{two:?}");
    let vouch = two
        .items
        .iter()
        .find(|i| i.claim == rules::TRUSTED)
        .unwrap();
    assert_eq!(vouch.code, "vouches_confirmed_admin");
    assert_eq!(vouch.weight, points::VOUCH_CONFIRMED);
    // Counted there, the admin's own item adds nothing more.
    let admin = two
        .items
        .iter()
        .find(|i| i.claim == "enterprise_admin")
        .unwrap();
    assert_eq!((admin.code, admin.weight), ("admin_counted", 0));
    // Both made the difference: without the admin the colleague alone is fewer than k, and
    // without the colleague the admin alone is.
    assert!(vouch.decisive, "{two:?}");
    assert!(admin.decisive, "{two:?}");
    // k colleagues without it: the admin is its own +15 again.
    e.vouches.confirmed = 2;
    let both = assess(&c, &e, &cfg());
    let admin = both
        .items
        .iter()
        .find(|i| i.claim == "enterprise_admin")
        .unwrap();
    assert_eq!(
        (admin.code, admin.weight),
        ("admin_confirmed", points::ADMIN_CONFIRMED)
    );
    let vouch = both
        .items
        .iter()
        .find(|i| i.claim == rules::TRUSTED)
        .unwrap();
    assert_eq!(vouch.code, "vouches_confirmed");
    // With k = 3, one colleague and the admin are two: not enough.
    e.vouches.confirmed = 1;
    let three = SupportConfig {
        vouches_needed: 3,
        ..cfg()
    };
    let k3 = assess(&c, &e, &three);
    assert_ne!(k3.recommendation, Recommendation::LikelyOwner, "{k3:?}");
    assert!(
        k3.items.iter().any(|i| i.code == "vouches_partial"),
        "{k3:?}"
    );
    assert!(
        k3.items.iter().any(|i| i.code == "admin_confirmed"),
        "{k3:?}"
    );
    // A colleague's denial, or an admin's, outweighs it; the admin's confirmation is then its
    // own item, not counted among the k.
    e.vouches.denied = 1;
    let denied = assess(&c, &e, &cfg());
    assert_ne!(denied.recommendation, Recommendation::LikelyOwner);
    assert!(
        denied.items.iter().any(|i| i.code == "admin_confirmed"),
        "{denied:?}"
    );
    e.vouches.denied = 0;
    e.admins_denied = 1;
    assert_ne!(
        assess(&c, &e, &cfg()).recommendation,
        Recommendation::LikelyOwner
    );
    // It stands in for one colleague, never for all: with k = 1 and no colleague's
    // confirmation it is the admin's own item.
    e.admins_denied = 0;
    e.vouches.confirmed = 0;
    let one = SupportConfig {
        vouches_needed: 1,
        ..cfg()
    };
    let k1 = assess(&c, &e, &one);
    assert!(
        k1.items.iter().any(|i| i.code == "admin_confirmed"),
        "{k1:?}"
    );
    assert_ne!(k1.recommendation, Recommendation::LikelyOwner, "{k1:?}");
    // Nobody asked: an admin and nothing else is not k.
    e.vouches = Vouches::default();
    let none = assess(&c, &e, &cfg());
    assert!(none.items.iter().all(|i| i.claim != rules::TRUSTED));
    assert_ne!(none.recommendation, Recommendation::LikelyOwner, "{none:?}");
}

#[test]
fn confirmations_do_not_carry_a_ticket_without_private_evidence() {
    // A SIM-swapper's ticket: the number and the names; two colleagues confirm (carelessly, or
    // a friend of the requester's).
    let c = Claims {
        phone: Some("+8613800138000".into()),
        nicknames: vec!["张伟".into()],
        enterprise: Some("旺商网络科技有限公司".into()),
        places: vec!["上海".into()],
        ..Claims::default()
    };
    let mut e = owner();
    e.vouches.asked = 2;
    e.vouches.confirmed = 2;
    // A line low enough for the confirmations and the names to reach it.
    let low = SupportConfig {
        owner_score: 55,
        ..cfg()
    };
    let a = assess(&c, &e, &low);
    assert!(a.score >= low.owner_score, "{a:?}");
    assert!(a.private_points < u32::try_from(points::CORROBORATION_MIN).unwrap());
    assert_ne!(a.recommendation, Recommendation::LikelyOwner, "{a:?}");
    // One real piece of private evidence (a colleague the account writes with most) and the
    // confirmations carry it.
    let mut with = c.clone();
    with.contacts = vec!["李娜".into()];
    let b = assess(&with, &e, &cfg());
    assert_eq!(b.recommendation, Recommendation::LikelyOwner, "{b:?}");
}

/// The configuration with `owner_score` 70, for tickets built to fall just short of it.
fn line70() -> SupportConfig {
    SupportConfig {
        owner_score: 70,
        ..cfg()
    }
}

#[test]
fn one_confirmation_alone_never_carries_a_ticket_when_k_is_two() {
    // Just short of the line without a phone: one colluding colleague must not lift it. (The
    // line is set where this ticket falls just short.)
    let c = Claims {
        nicknames: vec!["张伟".into()],
        enterprise: Some("旺商网络科技有限公司".into()),
        contacts: vec!["李娜".into(), "王芳".into()],
        devices: vec!["华为手机".into()],
        ..Claims::default()
    };
    let mut e = owner();
    let a = assess(&c, &e, &line70());
    assert!(
        a.score < line70().owner_score && a.score + 8 >= line70().owner_score,
        "{a:?}"
    );
    assert!(a.private_points >= line70().private_evidence_min, "{a:?}");
    e.vouches = Vouches {
        asked: 3,
        confirmed: 1,
        ..Vouches::default()
    };
    let one = assess(&c, &e, &line70());
    assert!(one.score >= line70().owner_score, "{one:?}");
    assert_eq!(one.recommendation, Recommendation::Uncertain);
    // With k = 1 the one confirmation is the k.
    let k1 = SupportConfig {
        vouches_needed: 1,
        ..line70()
    };
    assert_eq!(
        assess(&c, &e, &k1).recommendation,
        Recommendation::LikelyOwner
    );
}

#[test]
fn silence_after_the_deadline_counts_a_little() {
    let c = borderline();
    let mut e = owner();
    e.vouches = Vouches {
        asked: 3,
        confirmed: 1,
        silent: 2,
        ..Vouches::default()
    };
    let it = items(&c, &e, &cfg());
    let silent = it.iter().find(|i| i.code == "vouches_silent").unwrap();
    assert_eq!(silent.weight, -10);
    e.vouches.confirmed = 2;
    e.vouches.silent = 1;
    let it = items(&c, &e, &cfg());
    assert!(it.iter().all(|i| i.code != "vouches_silent"));
}

#[test]
fn decisive_items_are_marked() {
    let claims = Claims {
        phone: Some("+8613800138000".into()),
        email: Some("wei@example.com".into()),
        nicknames: vec!["张伟".into()],
        contacts: vec!["李娜".into()],
        devices: vec!["华为手机".into()],
        // A month off: close, not exact.
        created_around: Some("2023-06".into()),
        ..Claims::default()
    };
    // A line this ticket only just passes, so that each kind of private evidence carries it.
    let a = assess(&claims, &owner(), &line70());
    assert_eq!(a.recommendation, Recommendation::LikelyOwner, "{a:?}");
    let decisive: Vec<&str> = a
        .items
        .iter()
        .filter(|i| i.decisive)
        .map(|i| i.claim)
        .collect();
    for claim in ["contact", "device", "created_around"] {
        assert!(decisive.contains(&claim), "{claim}: {decisive:?}");
    }
    // The nickname alone would not change it, nor the current phone (it counts nothing).
    for claim in ["nickname", "phone", "email"] {
        assert!(!decisive.contains(&claim), "{claim}: {decisive:?}");
    }
}

#[test]
fn every_code_is_listed() {
    // Every code the rules produce on a rich history is in `CODES` (the catalogs test uses it).
    let e = owner();
    let claims = Claims {
        phone: Some("+8613900139000".into()),
        email: Some("wie@example.com".into()),
        nicknames: vec!["nobody".into(), "zhangwei".into()],
        enterprise: Some("旺商".into()),
        contacts: vec!["李娜".into(), "周杰".into(), "马云".into(), "未知".into()],
        devices: vec!["华为".into(), "iPhone".into(), "??".into()],
        places: vec!["上海".into(), "北京".into(), "203.0.113.1".into()],
        created_around: Some("2023-07".into()),
    };
    for it in items(&claims, &e, &cfg()) {
        assert!(rules::CODES.contains(&it.code), "{}", it.code);
    }
    // And the colleagues' and admins' answers, each way they can be counted.
    let mut seen = Vec::new();
    for (confirmed, denied, silent, admins_confirmed, admins_denied, admins_as_colleagues) in [
        (2, 0, 0, 1, 0, 0),
        (1, 0, 0, 1, 0, 0),
        (1, 0, 1, 0, 0, 1),
        (0, 1, 0, 0, 1, 0),
        (0, 0, 0, 0, 0, 0),
    ] {
        let e = Evidence {
            vouches: Vouches {
                asked: 3,
                confirmed,
                denied,
                silent,
            },
            admins_confirmed,
            admins_denied,
            admins_as_colleagues,
            ..owner()
        };
        for it in items(&claims, &e, &cfg()) {
            assert!(rules::CODES.contains(&it.code), "{}", it.code);
            seen.push(it.code);
        }
    }
    for code in [
        "vouches_confirmed",
        "vouches_confirmed_admin",
        "vouches_partial",
        "vouches_silent",
        "vouches_denied",
        "vouches_pending",
        "admin_confirmed",
        "admin_counted",
        "admin_denied",
        "admin_as_colleague",
    ] {
        assert!(seen.contains(&code), "{code}");
    }
}

#[test]
fn private_points_count_each_kind_by_its_net_points() {
    let it = |claim: &'static str, result: Outcome, weight: i32| {
        rules::item(claim, result, weight, "x", vec![])
    };
    let items = vec![
        it("contact", Outcome::Matched, 14),
        it("contact", Outcome::Contradicted, 8),
        it("device", Outcome::Matched, 10),
        // A contradiction never takes points from another kind.
        it("filed_from", Outcome::Contradicted, 12),
        // Public facts and identifiers are not private evidence.
        it("nickname", Outcome::Matched, 10),
        it("phone", Outcome::Matched, 20),
    ];
    assert_eq!(rules::private_points(&items), 6 + 10);
}

#[test]
fn a_colleague_who_names_the_team_shows_no_private_knowledge() {
    let e = owner();
    // The phone, the names, the victim's phone brand, and five teammates of whom two are the
    // people the account writes with most.
    let team = Claims {
        phone: Some("+8613800138000".into()),
        nicknames: vec!["张伟".into()],
        enterprise: Some("旺商网络科技有限公司".into()),
        contacts: vec![
            "李娜".into(),
            "王芳".into(),
            "周杰".into(),
            "同事1".into(),
            "同事2".into(),
        ],
        devices: vec!["华为手机".into()],
        ..Claims::default()
    };
    let a = assess(&team, &e, &cfg());
    let hits: i32 = a
        .items
        .iter()
        .filter(|i| i.claim == "contact" && i.weight > 0)
        .map(|i| i.weight)
        .sum();
    let net: i32 = a
        .items
        .iter()
        .filter(|i| i.claim == "contact")
        .map(|i| i.weight)
        .sum();
    assert_eq!(hits, 2 * points::CONTACT_FIRST);
    assert!(net < points::CORROBORATION_MIN, "{a:?}");
    // The hits do not count as private evidence without the misses.
    assert!(a.private_points < cfg().private_evidence_min, "{a:?}");
    assert_ne!(a.recommendation, Recommendation::LikelyOwner);
    // The owner who names the two people they write with most shows more.
    let owner_like = Claims {
        contacts: vec!["李娜".into(), "王芳".into()],
        ..team.clone()
    };
    let b = assess(&owner_like, &e, &cfg());
    assert!(b.private_points >= cfg().private_evidence_min, "{b:?}");
}

#[test]
fn independent_kinds_of_private_evidence_corroborate() {
    let e = owner();
    let only_contacts = contacts(&["李娜", "王芳", "刘洋"]);
    assert!(
        items(&only_contacts, &e, &cfg())
            .iter()
            .all(|i| i.claim != "corroboration")
    );
    let broad = Claims {
        contacts: vec!["李娜".into()],
        devices: vec!["华为手机".into()],
        created_around: Some("2023-05".into()),
        // The city is what everyone at the office knows: not a kind of its own.
        places: vec!["上海".into()],
        ..Claims::default()
    };
    let it = items(&broad, &e, &cfg());
    let c = it.iter().find(|i| i.claim == "corroboration").unwrap();
    assert_eq!(c.arg("kinds"), Some("3"));
    assert_eq!(c.weight, 2 * points::CORROBORATION);
}

#[test]
fn frequent_contacts_say_less_in_a_small_circle() {
    let mut small = owner();
    small.people.truncate(7);
    let big = contact_items(&["李娜"], &owner())[0].weight;
    let little = contact_items(&["李娜"], &small)[0].weight;
    assert_eq!(big, points::CONTACT_FIRST);
    assert!(little < big && little > 0, "{little} vs {big}");
}

#[test]
fn security_answers_are_extra_evidence_only() {
    let claims = Claims {
        nicknames: vec!["张伟".into()],
        enterprise: Some("旺商网络科技有限公司".into()),
        ..Claims::default()
    };
    let mut e = owner();
    let none = assess(&claims, &e, &cfg());
    assert!(none.items.iter().all(|i| i.claim != "security_answers"));
    // Given, but the account has no questions (nothing compared): nothing either way.
    e.answers = Answers { given: 0, right: 0 };
    assert_eq!(assess(&claims, &e, &cfg()).items, none.items);
    e.answers = Answers { given: 2, right: 1 };
    let one = assess(&claims, &e, &cfg());
    let it = one
        .items
        .iter()
        .find(|i| i.claim == "security_answers")
        .unwrap();
    assert_eq!(
        (it.result, it.weight, it.class),
        (Outcome::Matched, points::ANSWER_RIGHT, Class::Private)
    );
    e.answers = Answers { given: 3, right: 3 };
    let all = assess(&claims, &e, &cfg());
    let it = all
        .items
        .iter()
        .find(|i| i.claim == "security_answers")
        .unwrap();
    assert_eq!(it.weight, points::ANSWERS_RIGHT);
    // Every answer right and the public facts are still not enough: below the private minimum.
    assert!(all.private_points < cfg().private_evidence_min, "{all:?}");
    assert_ne!(all.recommendation, Recommendation::LikelyOwner, "{all:?}");
    e.answers = Answers { given: 2, right: 0 };
    let wrong = assess(&claims, &e, &cfg());
    let it = wrong
        .items
        .iter()
        .find(|i| i.claim == "security_answers")
        .unwrap();
    assert_eq!(
        (it.result, it.weight),
        (Outcome::Contradicted, -points::ANSWERS_WRONG)
    );
}
