//! The search index (`search_scopes`, `search_postings`, `search_meta`): see migrations 0012,
//! 0019, 0024 and 0026.

use std::collections::HashMap;

use async_trait::async_trait;

use domain::store::{
    IndexSource, MessageVersion, SearchBatch, SearchCandidate, SearchDoc, SearchFilter, SearchRepo,
    StoreError, StoreResult, TermLookup,
};

use super::messages::{FILE_JOIN, MESSAGE_COLUMNS, message, values_list};
use super::{Row, col, query};
use crate::tx::{Dialect, SqlTx};

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

/// The SQL that reads a posting list (`expr`, a `docs` column or a subquery giving one) as rows
/// of `alias.value`, one per document id: a JSON array on SQLite, an array on PostgreSQL.
fn docs_of(dialect: Dialect, expr: &str, alias: &str) -> String {
    match dialect {
        Dialect::Sqlite => format!("json_each({expr}) AS {alias}"),
        Dialect::Postgres => format!("unnest({expr}) AS {alias}(value)"),
    }
}

/// A posting list as bound to the `docs` column (through [`docs_param`]).
fn encode_docs(dialect: Dialect, ids: &[i64]) -> String {
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    match dialect {
        Dialect::Sqlite => format!("[{list}]"),
        Dialect::Postgres => format!("{{{list}}}"),
    }
}

/// Parameter `n` as a `docs` value: PostgreSQL reads the bound text as an array.
fn docs_param(dialect: Dialect, n: usize) -> String {
    match dialect {
        Dialect::Sqlite => format!("${n}"),
        Dialect::Postgres => format!("${n}::bigint[]"),
    }
}

/// The `docs` column as text that [`decode_docs`] reads.
fn docs_text(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "docs",
        Dialect::Postgres => "array_to_string(docs, ',')",
    }
}

/// Reads what [`docs_text`] selected: `[1,2,3]` or `1,2,3`.
fn decode_docs(text: &str) -> StoreResult<Vec<i64>> {
    text.trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse()
                .map_err(|_| StoreError::Database(format!("a posting list holds {t:?}")))
        })
        .collect()
}

/// One posting row to write: conversation key, term, and its documents (ascending).
type Posting<'a> = ((i64, &'a str), Vec<i64>);

async fn insert_postings(tx: &mut SqlTx, rows: &[Posting<'_>]) -> StoreResult<()> {
    let rows: Vec<&Posting<'_>> = rows.iter().filter(|(_, docs)| !docs.is_empty()).collect();
    for chunk in rows.chunks(chunk(tx.dialect, 5, 1000)) {
        let values = (0..chunk.len())
            .map(|r| {
                let b = r * 5;
                format!(
                    "(${}, ${}, ${}, ${}, {})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    docs_param(tx.dialect, b + 5)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO search_postings (scope, term, last_doc, first_doc, docs) VALUES {values}"
        );
        let mut q = query(sql);
        for ((scope, term), docs) in chunk {
            // Not empty (filtered above); ascending, so the first is the smallest.
            let first = docs.first().copied().unwrap_or_default();
            let last = docs.last().copied().unwrap_or_default();
            q = q
                .bind(*scope)
                .bind(*term)
                .bind(last)
                .bind(first)
                .bind(encode_docs(tx.dialect, docs));
        }
        q.execute(&mut tx.conn).await?;
    }
    Ok(())
}

/// A conversation's key in the index and the highest seq indexed in it (migration 0026).
#[derive(Clone, Copy)]
struct Scope {
    id: i64,
    indexed_seq: i64,
}

/// The index's keys of these conversations (sorted, without repeats), given to those it has not
/// met before.
async fn scopes(tx: &mut SqlTx, conversations: &[&str]) -> StoreResult<HashMap<String, Scope>> {
    let scope = |r: &Row| -> StoreResult<(String, Scope)> {
        Ok((
            col(r, "conversation_id")?,
            Scope {
                id: col(r, "id")?,
                indexed_seq: col(r, "indexed_seq")?,
            },
        ))
    };
    let mut out = HashMap::with_capacity(conversations.len());
    for chunk in conversations.chunks(QUEUE_CHUNK) {
        let sql = format!(
            "SELECT id, conversation_id, indexed_seq FROM search_scopes \
             WHERE conversation_id IN ({})",
            params(1, chunk.len())
        );
        let mut q = query(sql);
        for c in chunk {
            q = q.bind(*c);
        }
        for r in q.fetch_all(&mut tx.conn).await? {
            let (c, s) = scope(&r)?;
            out.insert(c, s);
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
            "INSERT INTO search_scopes (conversation_id) VALUES {} \
             RETURNING id, conversation_id, indexed_seq",
            values_list(tx.dialect, new.len(), 1, 0)
        );
        let mut q = query(sql);
        for c in &new {
            q = q.bind(*c);
        }
        for r in q.fetch_all(&mut tx.conn).await? {
            let (c, s) = scope(&r)?;
            out.insert(c, s);
        }
    }
    Ok(out)
}

/// Raises conversations' `indexed_seq` (key → seq).
async fn set_indexed(tx: &mut SqlTx, highest: &HashMap<i64, i64>) -> StoreResult<()> {
    for (scope, seq) in highest {
        query("UPDATE search_scopes SET indexed_seq = $1 WHERE id = $2 AND indexed_seq < $1")
            .bind(*seq)
            .bind(*scope)
            .execute(&mut tx.conn)
            .await?;
    }
    Ok(())
}

/// The row of `scope` and `term` that holds `doc` if any does: the first whose range ends at
/// or above it. Returns its `last_doc` and documents.
async fn holding_row(
    tx: &mut SqlTx,
    scope: i64,
    term: &str,
    doc: i64,
) -> StoreResult<Option<(i64, Vec<i64>)>> {
    let select = format!(
        "SELECT last_doc, {} AS docs FROM search_postings \
         WHERE scope = $1 AND term = $2 AND last_doc >= $3 ORDER BY last_doc LIMIT 1",
        docs_text(tx.dialect)
    );
    let row = query(select)
        .bind(scope)
        .bind(term)
        .bind(doc)
        .fetch_optional(&mut tx.conn)
        .await?;
    row.map(|r| {
        Ok((
            col(&r, "last_doc")?,
            decode_docs(&col::<String>(&r, "docs")?)?,
        ))
    })
    .transpose()
}

/// Rewrites the row of `scope` and `term` that ended at `last` with `docs` (ascending), or
/// deletes it when `docs` is empty.
async fn rewrite_row(
    tx: &mut SqlTx,
    scope: i64,
    term: &str,
    last: i64,
    docs: &[i64],
) -> StoreResult<()> {
    match (docs.first(), docs.last()) {
        (Some(first), Some(new_last)) => {
            let sql = format!(
                "UPDATE search_postings SET last_doc = $1, first_doc = $2, docs = {} \
                 WHERE scope = $4 AND term = $5 AND last_doc = $6",
                docs_param(tx.dialect, 3)
            );
            query(sql)
                .bind(*new_last)
                .bind(*first)
                .bind(encode_docs(tx.dialect, docs))
                .bind(scope)
                .bind(term)
                .bind(last)
                .execute(&mut tx.conn)
                .await?;
        }
        _ => {
            query("DELETE FROM search_postings WHERE scope = $1 AND term = $2 AND last_doc = $3")
                .bind(scope)
                .bind(term)
                .bind(last)
                .execute(&mut tx.conn)
                .await?;
        }
    }
    Ok(())
}

/// Adds `doc`, at or below its conversation's `indexed_seq`, to the row of `scope` and `term`
/// whose range holds it (its `first_doc` may move down to it), or else as a row of its own,
/// above every row of the term there.
async fn merge_posting(tx: &mut SqlTx, scope: i64, term: &str, doc: i64) -> StoreResult<()> {
    match holding_row(tx, scope, term, doc).await? {
        Some((last, mut docs)) => {
            let Err(at) = docs.binary_search(&doc) else {
                return Ok(());
            };
            docs.insert(at, doc);
            rewrite_row(tx, scope, term, last, &docs).await
        }
        None => insert_postings(tx, &[((scope, term), vec![doc])]).await,
    }
}

/// Takes document `doc` out of the posting lists of `terms` in conversation key `scope`.
async fn delete_postings(
    tx: &mut SqlTx,
    scope: i64,
    doc: i64,
    terms: &[String],
) -> StoreResult<()> {
    for term in terms {
        let Some((last, mut docs)) = holding_row(tx, scope, term, doc).await? else {
            continue;
        };
        let Ok(at) = docs.binary_search(&doc) else {
            continue;
        };
        docs.remove(at);
        rewrite_row(tx, scope, term, last, &docs).await?;
    }
    Ok(())
}

/// A message's key among all documents (in a search, of `s` and `m`): its conversation's key
/// times 2^32 plus its seq there, unique while a conversation holds fewer than four billion
/// messages (and the index fewer than two billion conversations).
const DOC_KEY: &str = "(s.id * 4294967296 + m.seq)";

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
    async fn index_docs(&mut self, batch: &SearchBatch) -> StoreResult<()> {
        let conversations: Vec<&str> = batch.conversations.iter().map(String::as_str).collect();
        let scopes = scopes(self, &conversations).await?;
        // Each conversation's key by its place in the batch.
        let scope_at: Vec<Scope> = conversations
            .iter()
            .map(|c| {
                scopes.get(*c).copied().ok_or_else(|| {
                    StoreError::Database(format!("no index key for conversation {c}"))
                })
            })
            .collect::<StoreResult<_>>()?;
        // Each document's seq by its place in the batch; `None`: left out.
        let seq_at: Vec<Option<i64>> = batch
            .docs
            .iter()
            .map(|d| d.as_ref().map(|d| d.seq))
            .collect();
        let mut rows: Vec<Posting<'_>> = Vec::with_capacity(batch.postings.len());
        let mut merges: Vec<(i64, &str, i64)> = Vec::new();
        // The conversations' new `indexed_seq`.
        let mut highest: HashMap<i64, i64> = HashMap::new();
        for (c, term, places) in &batch.postings {
            let scope = scope_at
                .get(*c)
                .copied()
                .ok_or_else(|| StoreError::Database(format!("no conversation {c} in the batch")))?;
            let mut seqs: Vec<i64> = places
                .iter()
                .filter_map(|p| seq_at.get(*p as usize).copied().flatten())
                .collect();
            seqs.sort_unstable();
            seqs.dedup();
            // Above every row of the conversation: a new row. At or below (indexed again after
            // an edit, or queued twice): into the row that holds its place.
            let (again, new) = seqs.split_at(seqs.partition_point(|s| *s <= scope.indexed_seq));
            merges.extend(again.iter().map(|s| (scope.id, term.as_str(), *s)));
            if let Some(top) = new.last() {
                let h = highest.entry(scope.id).or_insert(*top);
                *h = (*h).max(*top);
                rows.push(((scope.id, term.as_str()), new.to_vec()));
            }
        }
        // In the index's order, so the inserts walk its pages once instead of jumping about.
        rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        insert_postings(self, &rows).await?;
        for (scope, term, doc) in merges {
            merge_posting(self, scope, term, doc).await?;
        }
        set_indexed(self, &highest).await
    }

    async fn unindex_doc(&mut self, doc: &SearchDoc, terms: &[String]) -> StoreResult<()> {
        let scope: Option<i64> = query("SELECT id FROM search_scopes WHERE conversation_id = $1")
            .bind(&doc.conversation_id)
            .fetch_optional(&mut self.conn)
            .await?
            .map(|r| col(&r, "id"))
            .transpose()?;
        if let Some(scope) = scope {
            delete_postings(self, scope, doc.seq, terms).await?;
        }
        Ok(())
    }

    async fn search_candidates(&mut self, f: &SearchFilter) -> StoreResult<Vec<SearchCandidate>> {
        let Some((first, rest)) = f.lookups.split_first() else {
            return Ok(Vec::new());
        };
        let mut binds: Vec<Bound<'_>> = vec![Bound::Str(&f.account_id)];
        let (driving, mut n) = term_condition("t", first, 2, &mut binds);
        let dialect = self.dialect;
        let mut inner = format!(
            "SELECT DISTINCT t.scope AS scope, j.value AS seq FROM search_postings t, {} \
             WHERE t.scope IN ({MEMBER_SCOPES}) AND {driving}",
            docs_of(dialect, "t.docs", "j")
        );
        if let Some(c) = &f.conversation_id {
            inner.push_str(&format!(
                " AND t.scope = (SELECT s.id FROM search_scopes s WHERE s.conversation_id = ${n})"
            ));
            binds.push(Bound::Str(c));
            n += 1;
        }
        // Each other lookup is checked per candidate, in the one row of each term that can hold
        // it (the first whose range ends at or above it), before any message is read: so the
        // planner cannot start from the messages (PostgreSQL did, scanning them all).
        for (i, l) in rest.iter().enumerate() {
            let (p, j) = (format!("p{i}"), format!("j{i}"));
            let (cond, next) = term_condition(&p, l, n, &mut binds);
            n = next;
            let check = match l {
                TermLookup::Exact(_) => {
                    let list = format!(
                        "(SELECT {p}.docs FROM search_postings {p} WHERE {p}.scope = t.scope \
                         AND {cond} AND {p}.last_doc >= j.value ORDER BY {p}.last_doc LIMIT 1)"
                    );
                    format!(
                        " AND j.value IN (SELECT {j}.value FROM {})",
                        docs_of(dialect, &list, &j)
                    )
                }
                TermLookup::Prefix(_) => format!(
                    " AND EXISTS (SELECT 1 FROM search_postings {p}, {} WHERE \
                     {p}.scope = t.scope AND {cond} AND {p}.first_doc <= j.value \
                     AND {p}.last_doc >= j.value AND {j}.value = j.value)",
                    docs_of(dialect, &format!("{p}.docs"), &j)
                ),
            };
            inner.push_str(&check);
        }
        // The candidates first, then each one's message by its place in its conversation.
        let message = match dialect {
            Dialect::Sqlite => {
                "JOIN messages m ON m.conversation_id = s.conversation_id AND m.seq = c.seq"
            }
            // PostgreSQL would rather hash-join every message than look up a few hundred
            // candidates (its estimate of them is high): it does not flatten a LATERAL subquery
            // with a LIMIT, so it looks each one up by its key.
            Dialect::Postgres => {
                "CROSS JOIN LATERAL (SELECT * FROM messages m0 WHERE m0.conversation_id = \
                 s.conversation_id AND m0.seq = c.seq LIMIT 1) m"
            }
        };
        let mut sql = format!(
            "SELECT {DOC_KEY} AS doc, {MESSAGE_COLUMNS} FROM ({inner}) c \
             JOIN search_scopes s ON s.id = c.scope {message} {FILE_JOIN} \
             WHERE m.recalled_at IS NULL"
        );
        if let Some(s) = &f.sender_id {
            sql.push_str(&format!(" AND m.sender_id = ${n}"));
            binds.push(Bound::Str(s));
            n += 1;
        }
        if let Some(a) = f.after {
            sql.push_str(&format!(" AND m.sent_at >= ${n}"));
            binds.push(Bound::Int(a));
            n += 1;
        }
        if let Some(b) = f.before {
            sql.push_str(&format!(" AND m.sent_at < ${n}"));
            binds.push(Bound::Int(b));
            n += 1;
        }
        match f.has_file {
            Some(true) => sql.push_str(" AND f.id IS NOT NULL"),
            Some(false) => sql.push_str(" AND f.id IS NULL"),
            None => {}
        }
        if let Some((at, doc)) = f.below {
            sql.push_str(&format!(
                " AND (m.sent_at < ${n} OR (m.sent_at = ${n} AND {DOC_KEY} < ${}))",
                n + 1
            ));
            binds.push(Bound::Int(at));
            binds.push(Bound::Int(doc));
            n += 2;
        }
        sql.push_str(&format!(" ORDER BY m.sent_at DESC, doc DESC LIMIT ${n}"));
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
        let mut inner = format!(
            "SELECT 1 FROM search_postings t, {} WHERE t.scope IN ({MEMBER_SCOPES}) AND {cond}",
            docs_of(self.dialect, "t.docs", "j")
        );
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
        query("DELETE FROM search_postings")
            .execute(&mut self.conn)
            .await?;
        query("UPDATE search_scopes SET indexed_seq = 0")
            .execute(&mut self.conn)
            .await?;
        // Entries queued before would be indexed first and raise `indexed_seq`, sending the rest
        // of their conversations down the slow path one message at a time.
        query("DELETE FROM search_pending")
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

    async fn queued_sources(&mut self, limit: u32) -> StoreResult<Vec<(i64, Option<IndexSource>)>> {
        query(
            "SELECT q.id AS entry, m.id, m.conversation_id, m.seq, m.body, m.edited_at, \
             m.recalled_at, f.name AS file_name FROM search_pending q \
             LEFT JOIN messages m ON m.id = q.message_id \
             LEFT JOIN files f ON f.message_id = m.id ORDER BY q.id LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&mut self.conn)
        .await?
        .iter()
        .map(|r| {
            let entry = col(r, "entry")?;
            let Some(id) = col::<Option<String>>(r, "id")? else {
                return Ok((entry, None));
            };
            let source = IndexSource {
                id,
                conversation_id: col(r, "conversation_id")?,
                seq: col(r, "seq")?,
                body: col(r, "body")?,
                file_name: col(r, "file_name")?,
                edited_at: col(r, "edited_at")?,
                recalled_at: col(r, "recalled_at")?,
            };
            Ok((entry, Some(source)))
        })
        .collect()
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
