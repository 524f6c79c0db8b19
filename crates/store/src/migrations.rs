//! The migrations: one file each under `migrations/`, shared by both backends.
//!
//! Where the dialects differ, a file holds both variants as marked lines: a line that starts
//! with `-- [sqlite] ` is kept (without the marker) only on SQLite, one that starts with
//! `-- [postgres] ` only on PostgreSQL; every other line is kept on both. The SQL a backend runs
//! must stay byte for byte what it was when the migration was released, because databases
//! store each applied migration's SHA-384 checksum (sqlx's `_sqlx_migrations` table) and refuse
//! to go on when it changes; a test below pins the released checksums.
//!
//! PostgreSQL is migrated by sqlx's `Migrator`; SQLite by [`apply_sqlite`], which keeps the same
//! table in the same format sqlx-sqlite used, so existing databases keep migrating.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::Instant;

use rusqlite::{Connection, TransactionBehavior};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AssertSqlSafe, SqlSafeStr};

use domain::store::{StoreError, StoreResult};

use crate::connect::{Backend, SqlStore};
use crate::tx::Dialect;

/// `(version, description, SQL)`; the description is the file name's, as sqlx derived it.
const SOURCES: &[(i64, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../migrations/0001_foundation.sql"),
    ),
    (
        2,
        "recovery",
        include_str!("../migrations/0002_recovery.sql"),
    ),
    (
        3,
        "delivery",
        include_str!("../migrations/0003_delivery.sql"),
    ),
    (4, "mfa", include_str!("../migrations/0004_mfa.sql")),
    (
        5,
        "login records",
        include_str!("../migrations/0005_login_records.sql"),
    ),
    (
        6,
        "passkeys",
        include_str!("../migrations/0006_passkeys.sql"),
    ),
    (
        7,
        "security questions",
        include_str!("../migrations/0007_security_questions.sql"),
    ),
    (
        8,
        "send purpose",
        include_str!("../migrations/0008_send_purpose.sql"),
    ),
    (9, "chat", include_str!("../migrations/0009_chat.sql")),
    (
        10,
        "support",
        include_str!("../migrations/0010_support.sql"),
    ),
    (
        11,
        "support evidence",
        include_str!("../migrations/0011_support_evidence.sql"),
    ),
    (12, "search", include_str!("../migrations/0012_search.sql")),
    (13, "files", include_str!("../migrations/0013_files.sql")),
    (
        15,
        "org policy",
        include_str!("../migrations/0015_org_policy.sql"),
    ),
    (
        16,
        "search queue",
        include_str!("../migrations/0016_search_queue.sql"),
    ),
    (
        18,
        "file blobs",
        include_str!("../migrations/0018_file_blobs.sql"),
    ),
    (
        19,
        "search compact",
        include_str!("../migrations/0019_search_compact.sql"),
    ),
    (
        21,
        "account time zone",
        include_str!("../migrations/0021_account_time_zone.sql"),
    ),
    (
        22,
        "org reverify",
        include_str!("../migrations/0022_org_reverify.sql"),
    ),
    (
        23,
        "conversation org backfill",
        include_str!("../migrations/0023_conversation_org_backfill.sql"),
    ),
    (
        24,
        "search postings",
        include_str!("../migrations/0024_search_postings.sql"),
    ),
    (
        25,
        "vouch subject key",
        include_str!("../migrations/0025_vouch_subject_key.sql"),
    ),
    (
        26,
        "search without docs",
        include_str!("../migrations/0026_search_without_docs.sql"),
    ),
    (
        27,
        "support answers",
        include_str!("../migrations/0027_support_answers.sql"),
    ),
];

/// The SQL of one migration for one backend.
fn render(sql: &'static str, dialect: Dialect) -> Cow<'static, str> {
    const SQLITE: &str = "-- [sqlite] ";
    const POSTGRES: &str = "-- [postgres] ";
    if !sql.contains(SQLITE) && !sql.contains(POSTGRES) {
        return Cow::Borrowed(sql);
    }
    let (mine, other) = match dialect {
        Dialect::Sqlite => (SQLITE, POSTGRES),
        Dialect::Postgres => (POSTGRES, SQLITE),
    };
    let mut out = String::with_capacity(sql.len());
    for line in sql.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix(mine) {
            out.push_str(rest);
        } else if !line.starts_with(other) {
            out.push_str(line);
        }
    }
    Cow::Owned(out)
}

/// Every migration as the backend runs it, with its checksum.
pub(crate) fn migrations(dialect: Dialect) -> Vec<Migration> {
    SOURCES
        .iter()
        .map(|&(version, description, sql)| {
            let sql = match render(sql, dialect) {
                Cow::Borrowed(s) => s.into_sql_str(),
                Cow::Owned(s) => AssertSqlSafe(s).into_sql_str(),
            };
            Migration::new(
                version,
                Cow::Borrowed(description),
                MigrationType::Simple,
                sql,
                false,
            )
        })
        .collect()
}

/// Applies the backend's pending migrations.
pub async fn migrate(store: &SqlStore) -> StoreResult<()> {
    match &store.engine {
        Backend::Sqlite(db) => {
            let mut conn = db.writer().await;
            apply_sqlite(&mut conn, &migrations(Dialect::Sqlite))
        }
        Backend::Postgres(pool) => Migrator::with_migrations(migrations(Dialect::Postgres))
            .run(pool)
            .await
            .map_err(|e| StoreError::Database(format!("migration failed: {e}"))),
    }
}

/// sqlx-sqlite's bookkeeping table, as it creates it.
const SQLITE_TABLE: &str = "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
);";

/// Applies the pending migrations on the SQLite writer, each in its own transaction, checking
/// that those applied before are the ones this build knows.
fn apply_sqlite(conn: &mut Connection, migrations: &[Migration]) -> StoreResult<()> {
    let fail = |e: rusqlite::Error| StoreError::Database(format!("migration failed: {e}"));
    conn.execute_batch(SQLITE_TABLE).map_err(fail)?;
    let dirty: Option<i64> = conn
        .prepare(
            "SELECT version FROM _sqlx_migrations WHERE success = false ORDER BY version LIMIT 1",
        )
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.next().transpose())
        .map_err(fail)?;
    if let Some(version) = dirty {
        return Err(StoreError::Database(format!(
            "migration {version} was left partially applied; repair the database by hand"
        )));
    }
    let applied: BTreeMap<i64, Vec<u8>> = conn
        .prepare("SELECT version, checksum FROM _sqlx_migrations ORDER BY version")
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()
        })
        .map_err(fail)?;
    if let Some(version) = applied
        .keys()
        .find(|v| !migrations.iter().any(|m| m.version == **v))
    {
        return Err(StoreError::Database(format!(
            "the database has migration {version}, which this build does not know \
             (was it written by a newer version?)"
        )));
    }
    for m in migrations {
        if let Some(checksum) = applied.get(&m.version) {
            if checksum[..] != m.checksum[..] {
                return Err(StoreError::Database(format!(
                    "migration {} ({}) differs from the one applied to this database \
                     (checksum mismatch): a released migration must not change",
                    m.version, m.description
                )));
            }
            continue;
        }
        let started = Instant::now();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        tx.execute_batch(m.sql.as_str())
            .map_err(|e| StoreError::Database(format!("migration {} failed: {e}", m.version)))?;
        let elapsed = i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX);
        tx.execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (?1, ?2, TRUE, ?3, ?4)",
            (m.version, &*m.description, &*m.checksum, elapsed),
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)?;
        tracing::debug!(version = m.version, description = %m.description, "migrated");
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::query::{Conn, col, query};
    use crate::sqlite;

    /// Opens `url` and migrates it on one connection of its own.
    fn migrate_sqlite_file(url: &str) -> StoreResult<()> {
        let mut conn = sqlite::open_connection(&sqlite::target(url)?, false)?;
        apply_sqlite(&mut conn, &migrations(Dialect::Sqlite))
    }

    /// The SHA-384 of each migration as released (`sha384sum migrations/{sqlite,postgres}/*`
    /// before the two directories became one). A database that applied them stores these.
    const RELEASED_SUMS: &[(i64, &str, &str)] = &[
        (
            1,
            "21f49e0e090ce3be7ded5e986916b69920c786bf6cce9aaaf6c27840630e2da1c5278a7e0af5ad03eceed09cb1e071e3",
            "a84a18a1c5944d4c1af6fa0d7beda5013d0bf0a6594130d5680515cd33f04a23c69d83692d22d128c20b9bbe93a5fd81",
        ),
        (2, SAME_2, SAME_2),
        (3, SAME_3, SAME_3),
        (4, SAME_4, SAME_4),
        (5, SAME_5, SAME_5),
        (6, SAME_6, SAME_6),
        (7, SAME_7, SAME_7),
        (8, SAME_8, SAME_8),
        (9, SAME_9, SAME_9),
        (10, SAME_10, SAME_10),
        (11, SAME_11, SAME_11),
        (12, SEARCH_SQLITE, SEARCH_POSTGRES),
        (13, SAME_13, SAME_13),
        (15, SAME_15, SAME_15),
        (16, QUEUE_SQLITE, QUEUE_POSTGRES),
        (18, SAME_18, SAME_18),
        (19, COMPACT_SQLITE, COMPACT_POSTGRES),
        (21, SAME_21, SAME_21),
        (22, SAME_22, SAME_22),
        (
            23,
            "15a09385b65761b862f796925a81d49afb66079ee89f485ee94afb7ad8f26613b97e29ff1b67ca9f07e28a00db314afc",
            "bd9bc4f4e258c3f072e45c65b0cbd935986a84caf3c833c5b4e7dd15b363965c4863e2c3bf95619677c8401bc17cade9",
        ),
        (
            24,
            "3362c317c0eaa342a49a79152a4059148ab43e143a2704a468215b55a6de308a44ad03ace2bfaf08fdbf658a6071aed8",
            "a2be105aee94866a4f5f7b9cfeb093bd9f10168d26ef7f73b1953c7f5078759d6fe17f36741afa808d80e87100db6746",
        ),
        (25, SAME_25, SAME_25),
        (26, SAME_26, SAME_26),
        (27, SAME_27, SAME_27),
    ];
    const SAME_27: &str = "e1e74b9df1e29818d3d8f0764acc6f619bdd4f2f57c4b995379a1def07efd6bc967fa4d4b3afad7edc278f56d2a1af74";
    const SAME_26: &str = "a4904e89d7a05b9a0cac85f8b8562ba5eec884816291975826fb44642e8b39049e27264a11e4114fd682a7f82a6625cc";
    const SAME_25: &str = "5fb8eacba455ed28dae4ce227def6357a8a8220e2a25c82d9a37a0f69708f546658dd3a9d72184857178df72dd9229f7";
    const SAME_22: &str = "059efc7d29642515d058ea3506b358fef6e992998a32f6393319cd616cfb5bc6a1f838f1938942de7384931f9a893501";
    const SAME_21: &str = "6107d1063f08a18f00d1d55f38e8477801811e88611026cf30ae3208bb5d6a77074bb552e38c33db868545c2dd74e8f9";
    const SAME_2: &str = "07953012a46b91b4af810058c79e50f5321b35cb388be0aab4c1934efc9123c8541166c46086aca32b7c16d868a51469";
    const SAME_3: &str = "a316f6a86f04698b7731533ec7c11520401b4e32dab646e5591d805dc5885faf62ecf511d81ed5abaaa5c263fffa27ac";
    const SAME_4: &str = "fcc2535ea551b1f3d0ca33410bfb0a68d47f6c84630d2a9238a6a5511116e44f1448672ae24eb768983a379df8771ebc";
    const SAME_5: &str = "d7cb18c0a10ea12865fad8dc5ef62e42db28784e52a15ed41be751d765716f7bb345c0a6abde6d48f69246c837d3cc80";
    const SAME_6: &str = "e43ec9f1200eed4638f929a4fdb0c4e13a899ce6c8a16b63b890eb77267e8715e6153841658307bf7e6466c7d2d88b91";
    const SAME_7: &str = "a117f146a1f4e99f8780f9cf041ea07ae76ed77e5f31b33f1cd8a8f30dc90b15be3eb0acdb685d06a277198f7a77ec19";
    const SAME_8: &str = "4fc3d7706c564c700b25028e517ff7e9849aba2b8c4b2f648d8c246b478a2453c5d1573a4f68012ef711bcc05b7c6101";
    const SAME_9: &str = "3b61319efe14109a662df9f6a76e5d7ef11a63fe81fef5689443ab48060ec751ba2f79848566a8d38363c1a4b5be62c4";
    const SAME_10: &str = "9632ae2de047dd9ab9fa8a267a1ea8759888a5ee9a79d30fcbbd5b3c301a0dd664949b800014fd09be8023c55e294570";
    const SAME_11: &str = "87d2ffa495056f2c05d5cfd5a59d56d3e5b17f54e09a5fe1c308e6e55661887cef4a8c7b542d53ff08e185a023371aa9";
    const SAME_18: &str = "308e90607a31f87d28c6352d57d02fa9f352dd5e0580c9582147641c490d891e3e3ba38eba7acfc48a9dc7c42b1317fa";
    const SAME_15: &str = "9dd42b2c0d6bd83fd6bed25dac82e7cd0e8fe06ac0131b086a388500296ad00c8e5dc9df5a81492b59bf833869013ea1";

    const SEARCH_SQLITE: &str = "97d678117e67e6a212fa6fe8d88c39ee2a9e3c4454681884c13c35d6a69dc7b6f2c30553c264b2125db957a53149c114";
    const SEARCH_POSTGRES: &str = "bc177e69e11d722952189a64cfa43cf9d3ff3c4e9f1fd274a8b8649dc4cd7eafebd32e1f17c4d0a1cf905b87d18b864f";

    const QUEUE_SQLITE: &str = "0eb8d2db6ffb979db41b765683bdf84d0e10178e593572f44674af5db6cdc2176641a4ae762cdd983c48fd1f5e18dee6";
    const QUEUE_POSTGRES: &str = "da6b860c421aaabecf83da6bf653a18a273cd3de0eb732a17ab8f3e3b41d346bf36588ceae7ec0eddd7e3ba65b591ae8";

    const COMPACT_SQLITE: &str = "4890d20940fd8655ab8d694cc4b5439b4d607531e2359f6bd64c4956ac3b1966701b17ecd246c171f209cf6ce9ee4d81";
    const COMPACT_POSTGRES: &str = "7ae3d85b2216a2d8e2435a43df81b7ee0f18ef1aecc5525cda7ed6d81fcc74d2eb7b257cbe7d7365a7820b2f373f71a9";

    const SAME_13: &str = "5c9c9998ff3cb8e534183ff157b18425b84a2baa3939bf0b77acc88bc59573532cf20a5159b9fcbec8b53a82f4c86161";

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn released_migrations_keep_their_checksums() {
        let sqlite = migrations(Dialect::Sqlite);
        let postgres = migrations(Dialect::Postgres);
        for (version, sqlite_sum, postgres_sum) in RELEASED_SUMS {
            let s = sqlite.iter().find(|m| m.version == *version).unwrap();
            let p = postgres.iter().find(|m| m.version == *version).unwrap();
            assert_eq!(hex(&s.checksum), *sqlite_sum, "sqlite {version}");
            assert_eq!(hex(&p.checksum), *postgres_sum, "postgres {version}");
        }
        assert_eq!(sqlite.len(), RELEASED_SUMS.len());
    }

    #[test]
    fn unmarked_files_run_as_they_are() {
        assert!(matches!(
            render("CREATE TABLE a (id TEXT);\n", Dialect::Sqlite),
            Cow::Borrowed(_)
        ));
        let sql = "A\n-- [sqlite] B\n-- [postgres] C\nD";
        assert_eq!(render(sql, Dialect::Sqlite), "A\nB\nD");
        assert_eq!(render(sql, Dialect::Postgres), "A\nC\nD");
    }

    /// What the two schemas are compared on: tables, their columns in order, and the indexes
    /// created by name. Left out: SQLite's own tables (`sqlite_sequence`), the indexes either
    /// engine makes by itself for primary keys and UNIQUE constraints (`sqlite_autoindex_…`,
    /// PostgreSQL's `…_pkey`/`…_key`, which are named differently), column types (the dialects
    /// spell them differently: INTEGER vs BIGINT identity) and triggers (SQLite has two, one per
    /// event; PostgreSQL one trigger and its function).
    #[derive(Debug, PartialEq, Eq)]
    struct Schema {
        columns: BTreeMap<String, Vec<String>>,
        indexes: BTreeSet<String>,
    }

    async fn schema(store: &SqlStore) -> Schema {
        let (columns_sql, indexes_sql) = match store.dialect() {
            Dialect::Sqlite => (
                "SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid",
                "SELECT name AS i FROM sqlite_master \
                 WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%'",
            ),
            Dialect::Postgres => (
                "SELECT c.table_name::text AS t, c.column_name::text AS c \
                 FROM information_schema.columns c JOIN information_schema.tables t \
                   ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
                 WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
                 ORDER BY c.table_name, c.ordinal_position",
                "SELECT indexname::text AS i FROM pg_indexes WHERE schemaname = current_schema() \
                 AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            ),
        };
        let mut conn = Conn::new("schema-test".into(), store.autocommit().await.unwrap());
        let mut columns: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for r in query(columns_sql).fetch_all(&mut conn).await.unwrap() {
            columns
                .entry(col(&r, "t").unwrap())
                .or_default()
                .push(col(&r, "c").unwrap());
        }
        let indexes = query(indexes_sql)
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .iter()
            .map(|r| col(r, "i").unwrap())
            .collect();
        Schema { columns, indexes }
    }

    /// Creates an empty database on the server of `TEST_POSTGRES_URL`, as testkit does.
    pub(crate) async fn fresh_postgres_database(base: &str) -> String {
        use sqlx::{Connection as _, Executor as _};
        let base = base.trim_end_matches('/');
        let mut admin = sqlx::PgConnection::connect(&format!("{base}/postgres"))
            .await
            .expect("connect to PostgreSQL");
        let name = format!("wstest_{}", domain::random::id());
        admin
            .execute(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .unwrap();
        admin.close().await.unwrap();
        format!("{base}/{name}")
    }

    #[tokio::test]
    async fn both_backends_migrate_to_the_same_schema() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("m.db").display());
        let lite = crate::connect(&url).await.unwrap();
        crate::migrate(&lite).await.unwrap();
        // A second run finds nothing to do.
        crate::migrate(&lite).await.unwrap();
        let lite_schema = schema(&lite).await;
        assert!(lite_schema.columns.contains_key("accounts"));
        assert!(lite_schema.columns.contains_key("_sqlx_migrations"));
        assert!(lite_schema.indexes.contains("security_events_account"));

        let Ok(base) = std::env::var("TEST_POSTGRES_URL") else {
            assert!(
                std::env::var("TEST_SKIP_POSTGRES").is_ok_and(|v| v == "1"),
                "this test needs TEST_POSTGRES_URL (or TEST_SKIP_POSTGRES=1)"
            );
            return;
        };
        let pg = crate::connect(&fresh_postgres_database(&base).await)
            .await
            .unwrap();
        crate::migrate(&pg).await.unwrap();
        crate::migrate(&pg).await.unwrap();
        assert_eq!(schema(&pg).await, lite_schema);
    }

    #[tokio::test]
    async fn a_changed_migration_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("m.db").display());
        migrate_sqlite_file(&url).unwrap();
        crate::exec_raw(
            &url,
            "UPDATE _sqlx_migrations SET checksum = X'00' WHERE version = 3",
        )
        .await
        .unwrap();
        let e = migrate_sqlite_file(&url).unwrap_err().to_string();
        assert!(e.contains("migration 3") && e.contains("checksum"), "{e}");
    }
}
