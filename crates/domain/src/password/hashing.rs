//! Argon2id password storage (OWASP baseline m = 19 MiB, t = 2, p = 1), run on tokio's blocking
//! pool so that hashing never stalls the async workers.

use std::sync::Arc;

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};

use crate::config::PasswordConfig;
use crate::error::{Error, Result};
use crate::password::Password;

/// Hashes and verifies passwords with the configured parameters and optional pepper.
#[derive(Clone)]
pub struct Hasher {
    inner: Arc<Inner>,
}

struct Inner {
    params: Params,
    pepper: Option<Vec<u8>>,
    /// A hash of a random password, verified for unknown accounts so that timing is the same.
    dummy: String,
}

/// The result of a verification.
#[derive(Debug, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes,
    /// Correct, and the hash should be replaced because the parameters changed.
    YesRehash(String),
}

impl Hasher {
    pub fn new(cfg: &PasswordConfig) -> Result<Self> {
        let params = Params::new(
            cfg.argon2_memory_kib,
            cfg.argon2_iterations,
            cfg.argon2_parallelism,
            None,
        )
        .map_err(|e| Error::Internal(format!("argon2 parameters: {e}")))?;
        let pepper = cfg.pepper.as_ref().map(|p| p.expose().as_bytes().to_vec());
        let mut inner = Inner {
            params,
            pepper,
            dummy: String::new(),
        };
        inner.dummy = inner.hash(crate::random::token().as_bytes())?;
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// Hashes a password on the blocking pool.
    pub async fn hash(&self, password: &Password) -> Result<String> {
        let inner = self.inner.clone();
        let pw = password.as_bytes().to_vec();
        tokio::task::spawn_blocking(move || inner.hash(&pw))
            .await
            .map_err(|e| Error::Internal(format!("hash task: {e}")))?
    }

    /// Verifies a password against a stored hash, or against the dummy hash when there is none,
    /// so that an unknown account costs the same time as a known one.
    pub async fn verify(&self, password: &Password, stored: Option<&str>) -> Result<Verified> {
        let inner = self.inner.clone();
        let pw = password.as_bytes().to_vec();
        let stored = stored.map(str::to_owned);
        tokio::task::spawn_blocking(move || inner.verify(&pw, stored.as_deref()))
            .await
            .map_err(|e| Error::Internal(format!("verify task: {e}")))?
    }

    /// Hashes synchronously (benchmarks measure the raw rate with this).
    pub fn hash_blocking(&self, password: &[u8]) -> Result<String> {
        self.inner.hash(password)
    }
}

impl Inner {
    fn argon2(&self) -> Result<Argon2<'_>> {
        match &self.pepper {
            Some(p) => {
                Argon2::new_with_secret(p, Algorithm::Argon2id, Version::V0x13, self.params.clone())
                    .map_err(|e| Error::Internal(format!("argon2 pepper: {e}")))
            }
            None => Ok(Argon2::new(
                Algorithm::Argon2id,
                Version::V0x13,
                self.params.clone(),
            )),
        }
    }

    fn hash(&self, pw: &[u8]) -> Result<String> {
        let hash = self
            .argon2()?
            .hash_password(pw)
            .map_err(|e| Error::Internal(format!("argon2 hash: {e}")))?;
        Ok(hash.to_string())
    }

    fn verify(&self, pw: &[u8], stored: Option<&str>) -> Result<Verified> {
        let (target, real) = match stored {
            Some(s) => (s, true),
            None => (self.dummy.as_str(), false),
        };
        let parsed = PasswordHash::new(target)
            .map_err(|e| Error::Internal(format!("stored hash unreadable: {e}")))?;
        let ok = self.argon2()?.verify_password(pw, &parsed).is_ok();
        if !(ok && real) {
            return Ok(Verified::No);
        }
        let current = Params::try_from(&parsed).ok();
        let same = current.is_some_and(|p| {
            p.m_cost() == self.params.m_cost()
                && p.t_cost() == self.params.t_cost()
                && p.p_cost() == self.params.p_cost()
        }) && parsed.algorithm.as_str() == "argon2id";
        if same {
            Ok(Verified::Yes)
        } else {
            Ok(Verified::YesRehash(self.hash(pw)?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(m: u32) -> PasswordConfig {
        PasswordConfig {
            argon2_memory_kib: m,
            argon2_iterations: 1,
            ..PasswordConfig::default()
        }
    }

    #[tokio::test]
    async fn verifies_and_rehashes_when_parameters_change() {
        let pw = Password::new("a long enough password", &cfg(64)).unwrap();
        let old = Hasher::new(&cfg(64)).unwrap();
        let h = old.hash(&pw).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        assert_eq!(old.verify(&pw, Some(&h)).await.unwrap(), Verified::Yes);
        let wrong = Password::new("another password!", &cfg(64)).unwrap();
        assert_eq!(old.verify(&wrong, Some(&h)).await.unwrap(), Verified::No);
        assert_eq!(old.verify(&pw, None).await.unwrap(), Verified::No);
        let new = Hasher::new(&cfg(128)).unwrap();
        match new.verify(&pw, Some(&h)).await.unwrap() {
            Verified::YesRehash(n) => assert!(n.contains("m=128")),
            other => panic!("expected a rehash, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn pepper_is_part_of_the_hash() {
        let mut c = cfg(64);
        c.pepper = Some(crate::secret::Secret::new("pepper"));
        let pw = Password::new("a long enough password", &c).unwrap();
        let peppered = Hasher::new(&c).unwrap();
        let h = peppered.hash(&pw).await.unwrap();
        assert_eq!(peppered.verify(&pw, Some(&h)).await.unwrap(), Verified::Yes);
        assert_eq!(
            Hasher::new(&cfg(64))
                .unwrap()
                .verify(&pw, Some(&h))
                .await
                .unwrap(),
            Verified::No
        );
    }
}
