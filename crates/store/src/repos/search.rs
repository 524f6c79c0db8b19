//! The search index (`search_scopes`, `search_docs`, `search_terms`, `search_meta`): see
//! migrations 0012 and 0019.

use std::collections::HashMap;

use async_trait::async_trait;

use domain::store::{
    Message, MessageVersion, SearchCandidate, SearchDoc, SearchFilter, SearchRepo, StoreError,
    StoreResult, TermLookup,
};

use super::messages::{FILE_JOIN, MESSAGE_COLUMNS, message, values_list};
use super::{Row, col, query};
use crate::tx::{Dialect, SqlTx};

/// Documents per INSERT (6 parameters each).
const DOC_CHUNK: usize = 200;
/// Queue entries (or message ids) per statement.
const QUEUE_CHUNK: usize = 500;

/// Rows per statement for a batch of `width` values a row. On SQLite a statement of up to 64
/// values stays prepared between calls ([`crate::sqlite::CACHE_MAX_VALUES`]), where a longer one is
/// parsed afresh each time, which cost the indexer more than the rows' binding; PostgreSQL
/// prepares on the server and pays a round trip per statement, so it takes long batches.
fn chunk(dialect: Dialect, width: usize, postgres_rows: usize) -> usize {
    match dialect {
        Dialect::Sqlite => (crate::sqlite::CACHE_MAX_VALUES / width).max(1),
        Dialect::Postgres => postgres_rows,
    }
}

/// `$from, $from+1, …` (n of them).
fn params(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The smallest text above every text that starts with `prefix`.
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}{}", char::MAX)
}

async fn insert_terms(tx: &mut SqlTx, rows: &[(i64, &str, i64)]) -> StoreResult<()> {
    for chunk in rows.chunks(chunk(tx.dialect, 3, 1000)) {
        let sql = format!(
            "INSERT INTO search_terms (scope, term, doc_id) VALUES {} ON CONFLICT DO NOTHING",
            values_list(tx.dialect, chunk.len(), 3, 0)
        );
        let mut q = query(sql);
        for (c, t, d) in chunk {
            q = q.bind(*c).bind(*t).bind(*d);
        }
        q.execute(&mut tx.conn).await?;
    }
    Ok(())
}

/// The index's keys of these conversations (sorted, without repeats), given to those it has not
/// met before.
async fn scopes(tx: &mut SqlTx, conversations: &[&str]) -> StoreResult<HashMap<String, i64>> {
    let mut out = HashMap::with_capacity(conversations.len());
    for chunk in conversations.chunks(QUEUE_CHUNK) {
        let sql = format!(
            "SELECT id, conversation_id FROM search_scopes WHERE conversation_id IN ({})",
            params(1, chunk.len())
        );
        let mut q = query(sql);
        for c in chunk {
            q = q.bind(*c);
        }
        for r in q.fetch_all(&mut tx.conn).await? {
            out.insert(col(&r, "conversation_id")?, col(&r, "id")?);
        }
        let new: Vec<&str> = chunk
            .iter()
            .copied()
            .filter(|c| !out.contains_key(*c))
            .collect();
        if new.is_empty() {
            continue;
        }
        // Index writes hold the index's lock, so no other writer adds these meanwhile.
        let sql = format!(
            "INSERT INTO search_scopes (conversation_id) VALUES {} RETURNING id, conversation_id",
            values_list(tx.dialect, new.len(), 1, 0)
        );
        let mut q = query(sql);
        for c in &new {
            q = q.bind(*c);
        }
        for r in q.fetch_all(&mut tx.conn).await? {
            out.insert(col(&r, "conversation_id")?, col(&r, "id")?);
        }
    }
    Ok(out)
}

/// A document's id and its conversation's key.
async fn doc_key(tx: &mut SqlTx, kind: &str, ref_id: &str) -> StoreResult<Option<(i64, i64)>> {
    let row = query("SELECT id, scope FROM search_docs WHERE kind = $1 AND ref_id = $2")
        .bind(kind)
        .bind(ref_id)
        .fetch_optional(&mut tx.conn)
        .await?;
    row.map(|r| Ok((col(&r, "id")?, col(&r, "scope")?)))
        .transpose()
}

async fn delete_terms(tx: &mut SqlTx, scope: i64, doc: i64, terms: &[String]) -> StoreResult<()> {
    for chunk in terms.chunks(1000) {
        let sql = format!(
            "DELETE FROM search_terms WHERE scope = $1 AND doc_id = $2 AND term IN ({})",
            params(3, chunk.len())
        );
        let mut q = query(sql).bind(scope).bind(doc);
        for t in chunk {
            q = q.bind(t);
        }
        q.execute(&mut tx.conn).await?;
    }
    Ok(())
}

/// The conversations `$1` is a member of now, as the index's keys.
const MEMBER_SCOPES: &str = "SELECT s.id FROM search_scopes s JOIN conversation_members cm \
     ON cm.conversation_id = s.conversation_id WHERE cm.account_id = $1";

/// The condition on `alias.term` for a lookup, binding from `$n`; returns it and the next n.
fn term_condition<'a>(
    alias: &str,
    lookup: &'a TermLookup,
    n: usize,
    binds: &mut Vec<Bound<'a>>,
) -> (String, usize) {
    match lookup {
        TermLookup::Exact(t) => {
            binds.push(Bound::Text(t.clone()));
            (format!("{alias}.term = ${n}"), n + 1)
        }
        TermLookup::Prefix(p) => {
            binds.push(Bound::Text(p.clone()));
            binds.push(Bound::Text(prefix_end(p)));
            (
                format!("{alias}.term >= ${n} AND {alias}.term < ${}", n + 1),
                n + 2,
            )
        }
    }
}

/// A value of the dynamically built search statement.
enum Bound<'a> {
    Text(String),
    Str(&'a str),
    Int(i64),
}

/// Runs `select` (ending in `IN`) over `ids` in batches, reading each row with `read`.
async fn by_ids<T>(
    tx: &mut SqlTx,
    select: &str,
    ids: &[String],
    read: impl Fn(&Row) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(chunk(tx.dialect, 1, QUEUE_CHUNK)) {
        let mut q = query(format!("{select} ({})", params(1, chunk.len())));
        for id in chunk {
            q = q.bind(id);
        }
        for r in q.fetch_all(&mut tx.conn).await? {
            out.push(read(&r)?);
        }
    }
    Ok(out)
}

fn candidate(r: &Row) -> StoreResult<SearchCandidate> {
    Ok(SearchCandidate {
        doc: col(r, "doc")?,
        message: message(r)?,
    })
}

#[async_trait]
impl SearchRepo for SqlTx {
    async fn index_docs(&mut self, docs: &[SearchDoc]) -> StoreResult<()> {
        let mut conversations: Vec<&str> =
            docs.iter().map(|d| d.conversation_id.as_str()).collect();
        conversations.sort_unstable();
        conversations.dedup();
        let scopes = scopes(self, &conversations).await?;
        let scope_of = |c: &str| {
            scopes
                .get(c)
                .copied()
                .ok_or_else(|| StoreError::Database(format!("no index key for conversation {c}")))
        };
        let mut ids: HashMap<(String, String), i64> = HashMap::new();
        for chunk in docs.chunks(DOC_CHUNK) {
            let sql = format!(
                "INSERT INTO search_docs (kind, ref_id, scope, sender_id, sent_at, has_file) \
                 VALUES {} ON CONFLICT (kind, ref_id) DO NOTHING RETURNING id, kind, ref_id",
                values_list(self.dialect, chunk.len(), 6, 0)
            );
            let mut q = query(sql);
            for d in chunk {
                q = q
                    .bind(d.kind)
                    .bind(&d.ref_id)
                    .bind(scope_of(&d.conversation_id)?)
                    .bind(&d.sender_id)
                    .bind(d.sent_at)
                    .bind(i64::from(d.has_file));
            }
            for r in q.fetch_all(&mut self.conn).await? {
                ids.insert((col(&r, "kind")?, col(&r, "ref_id")?), col(&r, "id")?);
            }
        }
        let mut rows: Vec<(i64, &str, i64)> = Vec::new();
        for d in docs {
            // Absent: indexed already (an entry queued twice).
            let Some(&id) = ids.get(&(d.kind.to_owned(), d.ref_id.clone())) else {
                continue;
            };
            let scope = scope_of(&d.conversation_id)?;
            for t in &d.terms {
                rows.push((scope, t, id));
            }
        }
        // In the index's order, so the inserts walk its pages once instead of jumping about.
        rows.sort_unstable();
        insert_terms(self, &rows).await
    }

    async fn unindex_doc(&mut self, kind: &str, ref_id: &str, terms: &[String]) -> StoreResult<()> {
        let Some((id, scope)) = doc_key(self, kind, ref_id).await? else {
            return Ok(());
        };
        delete_terms(self, scope, id, terms).await?;
        query("DELETE FROM search_docs WHERE id = $1")
            .bind(id)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn search_candidates(&mut self, f: &SearchFilter) -> StoreResult<Vec<SearchCandidate>> {
        let Some((first, rest)) = f.lookups.split_first() else {
            return Ok(Vec::new());
        };
        let mut binds: Vec<Bound<'_>> = vec![Bound::Str(&f.account_id)];
        let (driving, mut n) = term_condition("t", first, 2, &mut binds);
        let mut inner = format!(
            "SELECT t.doc_id FROM search_terms t WHERE t.scope IN ({MEMBER_SCOPES}) AND {driving}"
        );
        if let Some(c) = &f.conversation_id {
            inner.push_str(&format!(
                " AND t.scope = (SELECT s.id FROM search_scopes s WHERE s.conversation_id = ${n})"
            ));
            binds.push(Bound::Str(c));
            n += 1;
        }
        let mut sql = format!(
            "SELECT d.id AS doc, {MESSAGE_COLUMNS} FROM search_docs d \
             JOIN messages m ON m.id = d.ref_id {FILE_JOIN} \
             WHERE d.kind = 'message' AND d.id IN ({inner}) AND m.recalled_at IS NULL"
        );
        for l in rest {
            let (cond, next) = term_condition("t2", l, n, &mut binds);
            n = next;
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM search_terms t2 WHERE \
                 t2.scope = d.scope AND t2.doc_id = d.id AND {cond})"
            ));
        }
        if let Some(s) = &f.sender_id {
            sql.push_str(&format!(" AND d.sender_id = ${n}"));
            binds.push(Bound::Str(s));
            n += 1;
        }
        if let Some(a) = f.after {
            sql.push_str(&format!(" AND d.sent_at >= ${n}"));
            binds.push(Bound::Int(a));
            n += 1;
        }
        if let Some(b) = f.before {
            sql.push_str(&format!(" AND d.sent_at < ${n}"));
            binds.push(Bound::Int(b));
            n += 1;
        }
        if let Some(h) = f.has_file {
            sql.push_str(&format!(" AND d.has_file = ${n}"));
            binds.push(Bound::Int(i64::from(h)));
            n += 1;
        }
        if let Some((at, doc)) = f.below {
            sql.push_str(&format!(
                " AND (d.sent_at < ${n} OR (d.sent_at = ${n} AND d.id < ${}))",
                n + 1
            ));
            binds.push(Bound::Int(at));
            binds.push(Bound::Int(doc));
            n += 2;
        }
        sql.push_str(&format!(" ORDER BY d.sent_at DESC, d.id DESC LIMIT ${n}"));
        binds.push(Bound::Int(i64::from(f.limit)));
        let mut q = query(sql);
        for b in binds {
            q = match b {
                Bound::Text(t) => q.bind(t),
                Bound::Str(s) => q.bind(s),
                Bound::Int(i) => q.bind(i),
            };
        }
        q.fetch_all(&mut self.conn)
            .await?
            .iter()
            .map(candidate)
            .collect()
    }

    async fn search_term_count(
        &mut self,
        account_id: &str,
        conversation_id: Option<&str>,
        lookup: &TermLookup,
        cap: u32,
    ) -> StoreResult<i64> {
        let mut binds: Vec<Bound<'_>> = vec![Bound::Str(account_id)];
        let (cond, mut n) = term_condition("t", lookup, 2, &mut binds);
        let mut inner =
            format!("SELECT 1 FROM search_terms t WHERE t.scope IN ({MEMBER_SCOPES}) AND {cond}");
        if let Some(c) = conversation_id {
            inner.push_str(&format!(
                " AND t.scope = (SELECT s.id FROM search_scopes s WHERE s.conversation_id = ${n})"
            ));
            binds.push(Bound::Str(c));
            n += 1;
        }
        binds.push(Bound::Int(i64::from(cap)));
        let mut q = query(format!(
            "SELECT COUNT(*) AS n FROM ({inner} LIMIT ${n}) capped"
        ));
        for b in binds {
            q = match b {
                Bound::Text(t) => q.bind(t),
                Bound::Str(s) => q.bind(s),
                Bound::Int(i) => q.bind(i),
            };
        }
        let row = q.fetch_one(&mut self.conn).await?;
        col(&row, "n")
    }

    async fn clear_search_index(&mut self) -> StoreResult<()> {
        query("DELETE FROM search_terms")
            .execute(&mut self.conn)
            .await?;
        query("DELETE FROM search_docs")
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn search_meta(&mut self, key: &str) -> StoreResult<Option<String>> {
        let row = query("SELECT value FROM search_meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&mut self.conn)
            .await?;
        row.map(|r| col(&r, "value")).transpose()
    }

    async fn set_search_meta(&mut self, key: &str, value: &str) -> StoreResult<()> {
        query(
            "INSERT INTO search_meta (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn queue_for_index(&mut self, message_ids: &[String]) -> StoreResult<()> {
        for chunk in message_ids.chunks(QUEUE_CHUNK) {
            let sql = format!(
                "INSERT INTO search_pending (message_id) VALUES {}",
                values_list(self.dialect, chunk.len(), 1, 0)
            );
            let mut q = query(sql);
            for id in chunk {
                q = q.bind(id);
            }
            q.execute(&mut self.conn).await?;
        }
        Ok(())
    }

    async fn queue_all_for_index(&mut self) -> StoreResult<u64> {
        let n = query(
            "INSERT INTO search_pending (message_id) SELECT id FROM messages \
             WHERE recalled_at IS NULL ORDER BY conversation_id, seq",
        )
        .execute(&mut self.conn)
        .await?;
        Ok(n)
    }

    async fn queued_for_index(&mut self, limit: u32) -> StoreResult<Vec<(i64, String)>> {
        query("SELECT id, message_id FROM search_pending ORDER BY id LIMIT $1")
            .bind(i64::from(limit))
            .fetch_all(&mut self.conn)
            .await?
            .iter()
            .map(|r| Ok((col(r, "id")?, col(r, "message_id")?)))
            .collect()
    }

    async fn take_queued(&mut self, entries: &[i64]) -> StoreResult<Vec<String>> {
        let mut out = Vec::new();
        for chunk in entries.chunks(chunk(self.dialect, 1, QUEUE_CHUNK)) {
            let sql = format!(
                "DELETE FROM search_pending WHERE id IN ({}) RETURNING message_id",
                params(1, chunk.len())
            );
            let mut q = query(sql);
            for e in chunk {
                q = q.bind(*e);
            }
            for r in q.fetch_all(&mut self.conn).await? {
                out.push(col(&r, "message_id")?);
            }
        }
        Ok(out)
    }

    async fn messages_by_ids(&mut self, ids: &[String]) -> StoreResult<Vec<Message>> {
        let select = format!("SELECT {MESSAGE_COLUMNS} FROM messages m {FILE_JOIN} WHERE m.id IN");
        by_ids(self, &select, ids, message).await
    }

    async fn message_versions(&mut self, ids: &[String]) -> StoreResult<Vec<MessageVersion>> {
        let select = "SELECT id, body, edited_at, recalled_at FROM messages WHERE id IN";
        by_ids(self, select, ids, |r| {
            Ok(MessageVersion {
                id: col(r, "id")?,
                body: col(r, "body")?,
                edited_at: col(r, "edited_at")?,
                recalled_at: col(r, "recalled_at")?,
            })
        })
        .await
    }
}
