//! A test hook: makes statements fail on purpose, so tests can show that a flow failing midway
//! leaves nothing half-written.
//!
//! While a fault is armed for a database, every statement that a [`crate::SqlStore`] connected
//! to exactly that URL runs (including `COMMIT`) fails with
//! [`StoreError::Database`]`("injected fault …")` before it reaches the database, if its SQL
//! contains the armed fragment. Other databases (other tests running in the same process) are
//! not affected. Nothing is armed in production; the check is then one relaxed atomic load.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use domain::store::{StoreError, StoreResult};

/// Whether any fault is armed: the fast path of [`check`].
static ANY_ARMED: AtomicBool = AtomicBool::new(false);

/// `(database URL, SQL fragment)` pairs.
static ARMED: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

fn armed() -> MutexGuard<'static, Vec<(String, String)>> {
    // The list stays consistent even if a holder panicked: every change is one push or retain.
    ARMED.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Makes every later statement on `database_url` whose SQL contains `sql_fragment` fail, until
/// [`disarm`]. `database_url` is the URL the store was connected with, byte for byte.
pub fn arm(database_url: &str, sql_fragment: &str) {
    let mut list = armed();
    list.push((database_url.to_owned(), sql_fragment.to_owned()));
    ANY_ARMED.store(true, Ordering::SeqCst);
}

/// Removes every fault armed for `database_url`.
pub fn disarm(database_url: &str) {
    let mut list = armed();
    list.retain(|(url, _)| url != database_url);
    ANY_ARMED.store(!list.is_empty(), Ordering::SeqCst);
}

/// Fails when a fault armed for `database_url` matches `sql`.
pub(crate) fn check(database_url: &str, sql: &str) -> StoreResult<()> {
    if !ANY_ARMED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let list = armed();
    match list
        .iter()
        .find(|(url, fragment)| url == database_url && sql.contains(fragment.as_str()))
    {
        Some((_, fragment)) => Err(StoreError::Database(format!(
            "injected fault: statement contains {fragment:?}"
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_armed_database_and_fragment_fail() {
        let a = "sqlite:///faults-test-a.db";
        let b = "sqlite:///faults-test-b.db";
        assert!(check(a, "INSERT INTO accounts").is_ok());
        arm(a, "INTO accounts");
        assert!(matches!(
            check(a, "INSERT INTO accounts (id) VALUES ($1)"),
            Err(StoreError::Database(m)) if m.starts_with("injected fault")
        ));
        assert!(check(a, "INSERT INTO sessions").is_ok());
        assert!(check(b, "INSERT INTO accounts").is_ok());
        disarm(a);
        assert!(check(a, "INSERT INTO accounts").is_ok());
    }
}
