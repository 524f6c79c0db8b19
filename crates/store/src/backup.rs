//! `wangshang admin backup`: a consistent copy of a live SQLite database.

use std::path::Path;

use domain::store::{StoreError, StoreResult};

use crate::sqlite;
use crate::tx::Dialect;

/// Writes a consistent online copy of the SQLite database at `url` to `dest` (`VACUUM INTO`:
/// one read transaction, so writers carry on and the copy is a single point in time). The copy
/// is written beside `dest` first and renamed into place, so a failed backup never leaves a
/// half file under the name. PostgreSQL is backed up with `pg_dump`, not here.
pub fn backup(url: &str, dest: &Path) -> StoreResult<()> {
    if Dialect::from_url(url) != Some(Dialect::Sqlite) {
        return Err(StoreError::Database(
            "backup copies SQLite databases; for PostgreSQL use pg_dump (e.g. pg_dump -Fc DBNAME > FILE)"
                .into(),
        ));
    }
    if dest.exists() {
        return Err(StoreError::Database(format!(
            "{} exists already; choose a new file",
            dest.display()
        )));
    }
    let partial = dest.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let conn = sqlite::open_connection(&sqlite::target(url)?, false)?;
    let to = partial
        .to_str()
        .ok_or_else(|| StoreError::Database(format!("{} is not UTF-8", partial.display())))?;
    conn.execute("VACUUM INTO ?1", [to])
        .map_err(sqlite::error)?;
    std::fs::rename(&partial, dest)
        .map_err(|e| StoreError::Database(format!("renaming to {}: {e}", dest.display())))
}
