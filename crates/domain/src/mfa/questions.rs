//! Optional security questions: up to three, answers normalised (NFKC width folding, case,
//! spaces) and hashed with Argon2id. They are evidence for the support desk only — never enough
//! to reset anything; the desk compares a ticket's answers under a lock of their own
//! ([`crate::support::answers`]).

use unicode_normalization::UnicodeNormalization;

use crate::app::{Client, Wangshang};
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::events::{self, kind};
use crate::password::Password;
use crate::sessions::Authenticated;
use crate::store::SecurityQuestion;

pub const MAX_QUESTIONS: usize = 3;

/// How an answer is compared: NFKC (full-width → half-width), lower case, no spaces at all.
pub fn normalise_answer(answer: &str) -> String {
    answer
        .nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace())
        .collect()
}

impl Wangshang {
    pub(crate) fn answer_secret(&self, answer: &str) -> Result<Password> {
        let n = normalise_answer(answer);
        if n.is_empty() || n.len() > 256 {
            return Err(Error::InvalidRequest(
                "an answer is 1–256 characters".into(),
            ));
        }
        // Hashed like a password (Argon2id with the pepper), but never under the password policy.
        Ok(Password::secret(&n))
    }

    /// `GET /me/security-questions`: the questions, never the answers.
    pub async fn security_questions(&self, auth: &Authenticated) -> Result<Vec<String>> {
        let mut tx = self.read().await?;
        let q = tx.security_questions(&auth.account_id).await?;
        tx.commit().await?;
        Ok(q.into_iter().map(|q| q.question).collect())
    }

    /// `PUT /me/security-questions`: replaces them all (an empty list removes them); needs the
    /// password.
    pub async fn set_security_questions(
        &self,
        auth: &Authenticated,
        current_password: &str,
        questions: &[(String, String)],
        client: &Client,
    ) -> Result<()> {
        if questions.len() > MAX_QUESTIONS {
            return Err(Error::InvalidRequest("at most 3 security questions".into()));
        }
        let account = self.load_account(&auth.account_id).await?;
        self.reauthenticate(&account, current_password).await?;
        let mut rows = Vec::new();
        for (i, (question, answer)) in questions.iter().enumerate() {
            let q = question.trim();
            if q.is_empty() || q.chars().count() > 200 || q.chars().any(char::is_control) {
                return Err(Error::InvalidRequest(
                    "a question is 1–200 characters".into(),
                ));
            }
            let secret = self.answer_secret(answer)?;
            rows.push(SecurityQuestion {
                position: u32::try_from(i).unwrap_or(0),
                question: q.to_owned(),
                answer_hash: self.hasher.hash(&secret).await?,
            });
        }
        let now = now_ms();
        let mut tx = self.write().await?;
        tx.replace_security_questions(&account.id, &rows, now)
            .await?;
        events::record(
            &mut tx,
            &account.id,
            kind::SECURITY_QUESTIONS_CHANGED,
            client,
            &[],
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_fold_width_case_and_spaces() {
        assert_eq!(normalise_answer("  Ｂｅｉｊｉｎｇ  Road "), "beijingroad");
        assert_eq!(normalise_answer("张 三"), normalise_answer("张三"));
        assert_eq!(normalise_answer("ＡＢＣ１２３"), "abc123");
    }
}
