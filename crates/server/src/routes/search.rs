//! Search: messages the caller can read now, and people, conversations and enterprises by name,
//! pinyin or initials. The domain decides what is found (`domain::search`); this maps the wire.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use domain::clock::{Millis, to_datetime};
use domain::search::{MessageSearch, Order};
use proto::chat::ContactView;
use proto::search::{ConversationHits, MessageHit, MessageHits, OrgHits, PeopleHits, SearchOrder};

use super::conversations::conversation_view;
use super::orgs::org_view;
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiQuery, Auth};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/search/messages", get(messages))
        .route("/search/people", get(people))
        .route("/search/conversations", get(conversations))
        .route("/search/orgs", get(orgs))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageQuery {
    q: String,
    conversation_id: Option<String>,
    sender_id: Option<String>,
    after: Option<String>,
    before: Option<String>,
    has_file: Option<bool>,
    order: Option<SearchOrder>,
    cursor: Option<String>,
    limit: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameQuery {
    q: String,
}

/// An id or cursor given in the query: no control characters (no id has one, and PostgreSQL
/// refuses NUL in text).
fn plain(name: &str, v: Option<String>) -> Result<Option<String>, ApiError> {
    match v {
        Some(s) if s.chars().any(char::is_control) => Err(ApiError::invalid_request(format!(
            "`{name}` must not contain control characters."
        ))),
        other => Ok(other),
    }
}

fn time_param(name: &str, v: Option<&str>) -> Result<Option<Millis>, ApiError> {
    v.map(|s| {
        OffsetDateTime::parse(s, &Rfc3339)
            .ok()
            .and_then(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok())
            .ok_or_else(|| ApiError::invalid_request(format!("`{name}` must be an RFC 3339 time.")))
    })
    .transpose()
}

/// A byte offset of `s` as UTF-16 code units.
fn utf16_at(s: &str, byte: usize) -> u32 {
    let n = s.get(..byte).map_or(0, |p| p.encode_utf16().count());
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Messages the caller can read now (current membership; never recalled messages, never the
/// text before an edit) that contain every word and quoted phrase of `q`: Chinese of any
/// length, words (a word finds the words it starts: `invoice` finds `invoices`), numbers and
/// codes such as `PO-2026-118`, case- and width-insensitive. Quote a phrase with `"…"`, `“…”` or
/// `「…」`. A query without any letter, digit or Chinese character finds nothing.
#[utoipa::path(get, path = "/api/v1/search/messages", tag = "search",
    params(
        ("q" = String, Query, description = "Words and quoted phrases, at most 256 characters."),
        ("conversation_id" = Option<String>, Query, description = "Only this conversation (`404` unless the caller is a member)."),
        ("sender_id" = Option<String>, Query, description = "Only messages of this sender."),
        ("after" = Option<String>, Query, description = "Only messages sent at or after this RFC 3339 time."),
        ("before" = Option<String>, Query, description = "Only messages sent before this RFC 3339 time."),
        ("has_file" = Option<bool>, Query, description = "Only messages with (true) or without (false) a file."),
        ("order" = Option<SearchOrder>, Query, description = "`newest` (default) or `relevance` (how often the query occurs for the message's length, among the newest 500 hits)."),
        ("cursor" = Option<String>, Query, description = "The `next_cursor` of the previous page (with the same query and order)."),
        ("limit" = Option<i64>, Query, description = "Hits per page, default 20; taken as 1–50."),
    ),
    responses((status = 200, body = MessageHits), (status = 404, description = "not_found"), (status = 409, description = "search_disabled")),
    security(("bearer" = [])))]
pub async fn messages(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiQuery(q): ApiQuery<MessageQuery>,
) -> Result<Json<MessageHits>, ApiError> {
    let search = MessageSearch {
        q: q.q,
        conversation_id: plain("conversation_id", q.conversation_id)?,
        sender_id: plain("sender_id", q.sender_id)?,
        after: time_param("after", q.after.as_deref())?,
        before: time_param("before", q.before.as_deref())?,
        has_file: q.has_file,
        order: match q.order {
            Some(SearchOrder::Relevance) => Order::Relevance,
            _ => Order::Newest,
        },
        cursor: plain("cursor", q.cursor)?,
        limit: super::page_size(q.limit, 20, domain::search::MAX_PAGE),
    };
    let found = s.app.search_messages(&auth, &search).await?;
    Ok(Json(MessageHits {
        hits: found
            .hits
            .into_iter()
            .map(|h| MessageHit {
                highlights: h
                    .highlights
                    .iter()
                    .map(|(a, b)| [utf16_at(&h.snippet, *a), utf16_at(&h.snippet, *b)])
                    .collect(),
                message_id: h.message.id,
                conversation_id: h.message.conversation_id,
                seq: h.message.seq,
                sender_id: h.message.sender_id,
                sent_at: to_datetime(h.message.sent_at),
                snippet: h.snippet,
            })
            .collect(),
        next_cursor: found.next_cursor,
    }))
}

/// The caller's colleagues and external contacts by nickname, pinyin (`zhangwei`, `wei`) or
/// initials (`zw`), best match first, at most 50.
#[utoipa::path(get, path = "/api/v1/search/people", tag = "search",
    params(("q" = String, Query, description = "A name, its pinyin or initials, at most 64 characters.")),
    responses((status = 200, body = PeopleHits), (status = 409, description = "search_disabled")),
    security(("bearer" = [])))]
pub async fn people(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiQuery(q): ApiQuery<NameQuery>,
) -> Result<Json<PeopleHits>, ApiError> {
    let found = s.app.search_people(&auth.account_id, &q.q).await?;
    Ok(Json(PeopleHits {
        people: found
            .into_iter()
            .map(|c| ContactView {
                account_id: c.account_id,
                nickname: c.nickname,
                colleague: c.colleague,
                external: c.external,
            })
            .collect(),
    }))
}

/// The caller's conversations by group title (or, for a direct conversation, the other
/// member's nickname), pinyin or initials, best match first, at most 50.
#[utoipa::path(get, path = "/api/v1/search/conversations", tag = "search",
    params(("q" = String, Query, description = "A title or name, its pinyin or initials, at most 64 characters.")),
    responses((status = 200, body = ConversationHits), (status = 409, description = "search_disabled")),
    security(("bearer" = [])))]
pub async fn conversations(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiQuery(q): ApiQuery<NameQuery>,
) -> Result<Json<ConversationHits>, ApiError> {
    let found = s.app.search_conversations(&auth, &q.q).await?;
    Ok(Json(ConversationHits {
        conversations: found.into_iter().map(conversation_view).collect(),
    }))
}

/// The caller's enterprises by name, its pinyin (`hangzhouwangshang`) or initials (`hzws`), best
/// match first, at most 50.
#[utoipa::path(get, path = "/api/v1/search/orgs", tag = "search",
    params(("q" = String, Query, description = "An enterprise name, its pinyin or initials, at most 64 characters.")),
    responses((status = 200, body = OrgHits), (status = 409, description = "search_disabled")),
    security(("bearer" = [])))]
pub async fn orgs(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiQuery(q): ApiQuery<NameQuery>,
) -> Result<Json<OrgHits>, ApiError> {
    let found = s.app.search_orgs(&auth.account_id, &q.q).await?;
    Ok(Json(OrgHits {
        orgs: found.into_iter().map(org_view).collect(),
    }))
}
