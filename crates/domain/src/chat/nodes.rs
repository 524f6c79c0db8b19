//! What one node tells the others over PostgreSQL `NOTIFY` (sent at commit, so only committed
//! changes are announced), in one place: the format is written and read here and nowhere else.
//!
//! A payload is the sending node's id, then space-separated notices: `account:seq` (the account's
//! stream moved to `seq`: read the events from the database) or `!account` (sessions of the
//! account were revoked: its sockets re-check theirs now) or `~conversation:account:to,to…` (the
//! account is typing in the conversation: tell those members' sockets). Payloads stay under PostgreSQL's
//! 8000-byte limit; a long list is split over several. A lost notification is made good by the
//! sockets' periodic catch-up and session check (the heartbeat).

/// The most bytes one payload carries (PostgreSQL refuses 8000 and more).
const MAX_PAYLOAD: usize = 7000;

/// One thing a node announces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// The account's stream reached `seq`.
    Moved { account_id: String, seq: i64 },
    /// Sessions of the account were revoked.
    Revoked { account_id: String },
    /// The account is typing in the conversation; `to` are the members told.
    Typing {
        conversation_id: String,
        account_id: String,
        to: Vec<String>,
    },
}

/// The payloads that carry `notices` from `node` (none for no notices).
pub fn encode<'a>(node: &str, notices: impl IntoIterator<Item = &'a Notice>) -> Vec<String> {
    let mut out = Vec::new();
    let mut payload = String::from(node);
    for n in notices {
        let part = match n {
            Notice::Moved { account_id, seq } => format!("{account_id}:{seq}"),
            Notice::Revoked { account_id } => format!("!{account_id}"),
            Notice::Typing {
                conversation_id,
                account_id,
                to,
            } => format!("~{conversation_id}:{account_id}:{}", to.join(",")),
        };
        if payload.len() + 1 + part.len() > MAX_PAYLOAD && payload.len() > node.len() {
            out.push(std::mem::replace(&mut payload, String::from(node)));
        }
        payload.push(' ');
        payload.push_str(&part);
    }
    if payload.len() > node.len() {
        out.push(payload);
    }
    out
}

/// The sending node and its notices; parts that do not parse are skipped.
pub fn decode(payload: &str) -> (&str, Vec<Notice>) {
    let mut parts = payload.split(' ');
    let node = parts.next().unwrap_or_default();
    let notices = parts
        .filter_map(|part| {
            if let Some(typing) = part.strip_prefix('~') {
                let mut fields = typing.splitn(3, ':');
                let (c, a, to) = (fields.next()?, fields.next()?, fields.next()?);
                return (!c.is_empty() && !a.is_empty()).then(|| Notice::Typing {
                    conversation_id: c.to_owned(),
                    account_id: a.to_owned(),
                    to: to
                        .split(',')
                        .filter(|t| !t.is_empty())
                        .map(str::to_owned)
                        .collect(),
                });
            }
            if let Some(account) = part.strip_prefix('!') {
                return (!account.is_empty()).then(|| Notice::Revoked {
                    account_id: account.to_owned(),
                });
            }
            let (account, seq) = part.split_once(':')?;
            Some(Notice::Moved {
                account_id: account.to_owned(),
                seq: seq.parse().ok()?,
            })
        })
        .collect();
    (node, notices)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_round_trip() {
        let notices = vec![
            Notice::Moved {
                account_id: "acc1".into(),
                seq: 42,
            },
            Notice::Revoked {
                account_id: "acc2".into(),
            },
            Notice::Moved {
                account_id: "acc2".into(),
                seq: 7,
            },
            Notice::Typing {
                conversation_id: "conv1".into(),
                account_id: "acc1".into(),
                to: vec!["acc2".into(), "acc3".into()],
            },
        ];
        let payloads = encode("nodeA", &notices);
        assert_eq!(
            payloads,
            vec!["nodeA acc1:42 !acc2 acc2:7 ~conv1:acc1:acc2,acc3".to_owned()]
        );
        let (node, back) = decode(&payloads[0]);
        assert_eq!(node, "nodeA");
        assert_eq!(back, notices);
    }

    #[test]
    fn long_lists_are_split_under_the_limit_and_lose_nothing() {
        let notices: Vec<Notice> = (0..2000)
            .map(|i| Notice::Moved {
                account_id: format!("account{i:010}"),
                seq: i,
            })
            .collect();
        let payloads = encode("n1", &notices);
        assert!(payloads.len() > 1);
        assert!(
            payloads
                .iter()
                .all(|p| p.len() < 8000 && p.starts_with("n1 "))
        );
        let back: Vec<Notice> = payloads.iter().flat_map(|p| decode(p).1).collect();
        assert_eq!(back, notices);
    }

    #[test]
    fn nothing_to_say_sends_nothing_and_junk_is_skipped() {
        assert!(encode("n1", &[]).is_empty());
        assert_eq!(
            decode("n2 x:notanumber ! ~ ~c ~:a:b acc:5"),
            (
                "n2",
                vec![Notice::Moved {
                    account_id: "acc".into(),
                    seq: 5
                }]
            )
        );
    }
}
