//! Security answers as support-desk evidence (SPEC §5: "usable only as extra evidence").
//!
//! A requester may give the answers to the security questions they set, without the questions:
//! a ticket never shows account data. Once the ticket is opened (the contact's code used, the
//! candidates found), a task of its own compares each answer — Argon2id, after the response, so
//! neither SQLite's one writer nor the requester waits on it, and the time of the answer says
//! nothing about whether an answer fits — with the questions of the ticket's first candidates.
//! A candidate's row keeps only how many answers were compared with its questions and how many
//! of them were answered right; the answers are never stored, logged or shown.
//!
//! Guessing is bounded by a lock of its own per account (`support_answers:{id}`, with the login
//! lock's limits): it is checked before each answer, and each answer that fits none of the
//! account's questions counts a failure at once. It is not the login lock, so a stranger who
//! only knows a nickname cannot lock anyone out of signing in, and an owner's right answers
//! cost a namesake candidate nothing but a count on that lock.

use crate::app::Wangshang;
use crate::error::{Error, Result};
use crate::mfa::questions::normalise_answer;
use crate::password::Password;
use crate::password::hashing::Verified;
use crate::store::Account;

/// Answers a ticket may give (as many as an account may have questions).
pub const MAX_ANSWERS: usize = crate::mfa::questions::MAX_QUESTIONS;
/// Candidates whose questions are compared: the ticket's best few, as for "was it you?".
pub(crate) const ANSWER_CHECKS: usize = 3;

/// The throttle key that bounds guesses at an account's answers.
pub fn answers_key(account_id: &str) -> String {
    format!("support_answers:{account_id}")
}

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
    /// Starts comparing a ticket's answers with its first candidates' questions, after the
    /// ticket's unit has committed; the request does not wait for it. Should it fail (or the
    /// node stop), the ticket stands without them.
    pub(crate) fn check_ticket_answers_later(
        &self,
        ticket_id: String,
        candidates: Vec<Account>,
        answers: Vec<String>,
    ) {
        if answers.is_empty() {
            return;
        }
        let app = self.clone();
        tokio::spawn(async move {
            if let Err(e) = app
                .check_ticket_answers(&ticket_id, &candidates, &answers)
                .await
            {
                tracing::warn!(error = %e, "security answers of a ticket were not compared");
            }
        });
    }

    /// Compares the answers with the questions of each of the first candidates and keeps the
    /// counts on its row.
    async fn check_ticket_answers(
        &self,
        ticket_id: &str,
        candidates: &[Account],
        answers: &[String],
    ) -> Result<()> {
        let secrets = answers
            .iter()
            .map(|a| self.answer_secret(a))
            .collect::<Result<Vec<_>>>()?;
        for account in candidates.iter().take(ANSWER_CHECKS) {
            let questions = {
                let mut tx = self.read().await?;
                let q = tx.security_questions(&account.id).await?;
                tx.commit().await?;
                q
            };
            if questions.is_empty() {
                continue;
            }
            let key = [answers_key(&account.id)];
            let mut given = 0;
            let mut right: Vec<u32> = Vec::new();
            for secret in &secrets {
                // Before each answer: a locked or delayed key stops the comparison.
                match self.check_locks(&key).await {
                    Ok(()) => {}
                    Err(Error::Throttled { .. }) => break,
                    Err(e) => return Err(e),
                }
                given += 1;
                if let Some(position) = self.fitting_question(secret, &questions, &right).await? {
                    right.push(position);
                } else {
                    self.record_failures(&key).await?;
                }
            }
            if given == 0 {
                continue;
            }
            let mut tx = self.write().await?;
            tx.set_candidate_answers(
                ticket_id,
                &account.id,
                given,
                i64::try_from(right.len()).unwrap_or(0),
            )
            .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// The position of a question (not yet answered right) whose answer this is.
    async fn fitting_question(
        &self,
        secret: &Password,
        questions: &[crate::store::SecurityQuestion],
        right: &[u32],
    ) -> Result<Option<u32>> {
        for q in questions.iter().filter(|q| !right.contains(&q.position)) {
            if self.hasher.verify(secret, Some(&q.answer_hash)).await? != Verified::No {
                return Ok(Some(q.position));
            }
        }
        Ok(None)
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
