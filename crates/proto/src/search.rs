//! Search (SPEC §10): messages the member can read now, and people, conversations and
//! enterprises by name,
//! pinyin (全拼) or initials (首字母).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::chat::{ContactView, ConversationView, OrgView};

/// A message found.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MessageHit {
    pub message_id: String,
    pub conversation_id: String,
    pub seq: i64,
    pub sender_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    /// Up to about 100 characters of the message around the first match, on one line, with `…`
    /// where it was cut.
    pub snippet: String,
    /// `[start, end)` ranges of `snippet` to highlight, in UTF-16 code units (as JavaScript,
    /// Java/Kotlin and Swift's `NSString` count), in order.
    pub highlights: Vec<[u32; 2]>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MessageHits {
    pub hits: Vec<MessageHit>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PeopleHits {
    /// Colleagues and external contacts, best match first.
    pub people: Vec<ContactView>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ConversationHits {
    /// The caller's conversations, best match first.
    pub conversations: Vec<ConversationView>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OrgHits {
    /// The caller's enterprises, best match first.
    pub orgs: Vec<OrgView>,
}

/// The order of message hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SearchOrder {
    Newest,
    Relevance,
}
