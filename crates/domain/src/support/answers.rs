//! Security answers as support-desk evidence (SPEC §5: "usable only as extra evidence").
//!
//! A requester may give the answers to the security questions they set, without the questions:
//! a ticket never shows account data. Once the ticket is opened (the contact's code used, the
//! candidates found), each answer is compared — Argon2id, outside any unit, so SQLite's one
//! writer never waits on it — with the questions of the ticket's first candidates. A candidate's
//! row keeps only how many answers were compared with its questions and how many of them were
//! answered right; the answers are never stored, logged or shown. Each answer that fits none of
//! a candidate's questions counts toward that account's lock, as a wrong password does, so
//! tickets cannot be used to guess; a locked account's answers are not compared.

use crate::app::Wangshang;
use crate::credentials::throttle_keys;
use crate::error::{Error, Result};
use crate::mfa::questions::normalise_answer;
use crate::password::hashing::Verified;
use crate::store::Account;

/// Answers a ticket may give (as many as an account may have questions).
pub const MAX_ANSWERS: usize = crate::mfa::questions::MAX_QUESTIONS;
/// Candidates whose questions are compared: the ticket's best few, as for "was it you?".
pub(crate) const ANSWER_CHECKS: usize = 3;

/// The answers as given: blank ones dropped, the same answer (as compared) once; at most
/// [`MAX_ANSWERS`], each at most 256 bytes once folded.
pub fn parse_answers(raw: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for a in raw {
        let n = normalise_answer(a);
        if n.is_empty() || out.iter().any(|o| normalise_answer(o) == n) {
            continue;
        }
        // The bound `answer_secret` holds answers to when they are set (bytes, once folded).
        if n.len() > 256 {
            return Err(Error::InvalidRequest(
                "a security answer is at most 256 bytes".into(),
            ));
        }
        out.push(a.clone());
    }
    if out.len() > MAX_ANSWERS {
        return Err(Error::InvalidRequest(format!(
            "at most {MAX_ANSWERS} security answers"
        )));
    }
    Ok(out)
}

impl Wangshang {
    /// Compares a ticket's answers with the questions of its first candidates and keeps the
    /// counts on each candidate's row, with the wrong answers counted toward its lock, in one
    /// unit per candidate.
    pub(crate) async fn check_ticket_answers(
        &self,
        ticket_id: &str,
        candidates: &[Account],
        answers: &[String],
    ) -> Result<()> {
        if answers.is_empty() {
            return Ok(());
        }
        let secrets = answers
            .iter()
            .map(|a| self.answer_secret(a))
            .collect::<Result<Vec<_>>>()?;
        for account in candidates.iter().take(ANSWER_CHECKS) {
            match self.check_account_lock(account).await {
                Ok(()) => {}
                // Locked: nothing is compared (the lock is what stops guessing).
                Err(Error::Throttled { .. }) => continue,
                Err(e) => return Err(e),
            }
            let questions = {
                let mut tx = self.read().await?;
                let q = tx.security_questions(&account.id).await?;
                tx.commit().await?;
                q
            };
            if questions.is_empty() {
                continue;
            }
            let mut right: Vec<u32> = Vec::new();
            let mut wrong = 0;
            for secret in &secrets {
                let mut fits = false;
                for q in questions.iter().filter(|q| !right.contains(&q.position)) {
                    if self.hasher.verify(secret, Some(&q.answer_hash)).await? != Verified::No {
                        right.push(q.position);
                        fits = true;
                        break;
                    }
                }
                if !fits {
                    wrong += 1;
                }
            }
            let now = crate::clock::now_ms();
            let cfg = &self.config.login;
            let mut tx = self.write().await?;
            tx.set_candidate_answers(
                ticket_id,
                &account.id,
                i64::try_from(secrets.len()).unwrap_or(0),
                i64::try_from(right.len()).unwrap_or(0),
            )
            .await?;
            for _ in 0..wrong {
                for key in throttle_keys(account) {
                    crate::throttle::record_failure(
                        &mut tx,
                        &key,
                        cfg,
                        crate::throttle::Limits::identifier(cfg),
                        now,
                    )
                    .await?;
                }
            }
            tx.commit().await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_trimmed_deduplicated_and_bounded() {
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            parse_answers(&s(&["Mimi", " ", "mi mi", "北京"])).unwrap(),
            s(&["Mimi", "北京"])
        );
        assert!(parse_answers(&s(&["a", "b", "c", "d"])).is_err());
        assert!(parse_answers(&s(&[&"x".repeat(257)])).is_err());
        assert!(parse_answers(&[]).unwrap().is_empty());
    }
}
