//! The chat's rows and repositories: enterprises, contacts, conversations, messages and each
//! account's event stream.

use async_trait::async_trait;

use super::StoreResult;
use crate::clock::Millis;

#[derive(Clone, Debug)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub created_by: String,
    pub created_at: Millis,
}

/// A membership, with the member's nickname; `left_at` is set once they left or were removed.
#[derive(Clone, Debug)]
pub struct OrgMember {
    pub org_id: String,
    pub account_id: String,
    pub nickname: String,
    pub role: String,
    pub joined_at: Millis,
    pub left_at: Option<Millis>,
}

/// An enterprise an account belongs (or belonged) to, with every name it has had.
#[derive(Clone, Debug)]
pub struct Membership {
    pub org_id: String,
    pub org_name: String,
    pub role: String,
    pub joined_at: Millis,
    pub left_at: Option<Millis>,
}

#[derive(Clone, Debug)]
pub struct OrgInvite {
    pub id: String,
    pub code_hash: String,
    pub org_id: String,
    pub channel: String,
    pub destination: String,
    pub role: String,
    pub invited_by: String,
    pub created_at: Millis,
    pub expires_at: Millis,
    pub accepted_by: Option<String>,
    pub accepted_at: Option<Millis>,
}

#[derive(Clone, Debug)]
pub struct ContactRequest {
    pub id: String,
    pub from_id: String,
    pub to_id: String,
    pub status: String,
    pub created_at: Millis,
    pub decided_at: Option<Millis>,
}

/// Another account as a contact: a colleague (shares an enterprise) and/or external (accepted
/// request).
#[derive(Clone, Debug)]
pub struct Contact {
    pub account_id: String,
    pub nickname: String,
    pub colleague: bool,
    pub external: bool,
}

#[derive(Clone, Debug)]
pub struct Conversation {
    pub id: String,
    /// `direct` or `group`.
    pub kind: String,
    pub title: Option<String>,
    pub direct_key: Option<String>,
    pub created_by: String,
    pub created_at: Millis,
    pub last_seq: i64,
    pub last_message_at: Option<Millis>,
    /// The enterprise whose data this is (its policy applies); `None` for external chats.
    pub org_id: Option<String>,
}

#[derive(Clone, Debug)]
pub struct ConversationMember {
    pub conversation_id: String,
    pub account_id: String,
    pub nickname: String,
    /// `owner`, `admin` or `member`.
    pub role: String,
    pub joined_at: Millis,
    pub read_seq: i64,
}

/// A conversation as its member sees it in the list.
#[derive(Clone, Debug)]
pub struct ConversationSummary {
    pub conversation: Conversation,
    pub read_seq: i64,
    pub unread: i64,
    pub unread_mentions: i64,
    pub member_count: i64,
    pub last_message: Option<Message>,
    /// For a direct conversation, the other member's nickname.
    pub peer_nickname: Option<String>,
    /// Set (by the domain, not the store) when the enterprise's policy keeps the caller's
    /// session from this conversation: the policy's code.
    pub policy_block: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Message {
    pub id: String,
    pub conversation_id: String,
    pub seq: i64,
    pub sender_id: String,
    pub client_msg_id: String,
    /// Empty once recalled.
    pub body: String,
    pub mentions: Vec<String>,
    pub sent_at: Millis,
    pub edited_at: Option<Millis>,
    pub recalled_at: Option<Millis>,
    pub recalled_by: Option<String>,
    /// The file the message carries (none once recalled: the tombstone shows no file).
    pub attachment: Option<Attachment>,
}

/// A file attached to a message (SPEC §9). `blob` and `thumb_blob` name the stored bytes
/// (content-addressed); `sha256` is that of the bytes served.
#[derive(Clone, Debug)]
pub struct Attachment {
    pub id: String,
    pub name: String,
    pub size: i64,
    pub content_type: String,
    pub sha256: String,
    pub blob: String,
    pub thumb_blob: Option<String>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// `ready`, `scanning` or `blocked`.
    pub status: String,
}

/// A file row with what its download check needs.
#[derive(Clone, Debug)]
pub struct FileRecord {
    pub attachment: Attachment,
    pub message_id: String,
    pub conversation_id: String,
    pub uploader_id: String,
    pub created_at: Millis,
    pub recalled: bool,
}

/// An event for one account's stream, before it has a seq.
#[derive(Clone, Debug)]
pub struct NewStreamEvent {
    pub account_id: String,
    pub kind: String,
    pub conversation_id: Option<String>,
    pub message_id: Option<String>,
    /// JSON of events that do not point at a message.
    pub data: Option<String>,
    pub created_at: Millis,
}

/// A stored event; message events come with the message in its current state.
#[derive(Clone, Debug)]
pub struct StreamEvent {
    pub seq: i64,
    pub kind: String,
    pub conversation_id: Option<String>,
    pub data: Option<String>,
    pub message: Option<Message>,
    pub created_at: Millis,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct StreamHead {
    pub seq: i64,
    pub pruned_through: i64,
}

/// Messages two accounts exchanged: how many, over the window asked for.
#[derive(Clone, Debug)]
pub struct FrequentContact {
    pub account_id: String,
    pub nickname: String,
    pub messages: i64,
}

#[async_trait]
pub trait OrgRepo {
    async fn insert_org(&mut self, org: &Org) -> StoreResult<()>;
    async fn org(&mut self, id: &str) -> StoreResult<Option<Org>>;
    /// Renames and records the new name in the history.
    async fn rename_org(&mut self, id: &str, name: &str, at: Millis) -> StoreResult<()>;
    /// Every name the enterprise has had, oldest first.
    async fn org_names(&mut self, id: &str) -> StoreResult<Vec<String>>;
    /// Adds or re-activates a membership.
    async fn upsert_org_member(
        &mut self,
        org_id: &str,
        account_id: &str,
        role: &str,
        at: Millis,
    ) -> StoreResult<()>;
    async fn set_org_role(&mut self, org_id: &str, account_id: &str, role: &str)
    -> StoreResult<()>;
    /// Ends an active membership; `false` when there was none.
    async fn end_org_membership(
        &mut self,
        org_id: &str,
        account_id: &str,
        at: Millis,
    ) -> StoreResult<bool>;
    /// The active membership of an account, if any.
    async fn org_member(
        &mut self,
        org_id: &str,
        account_id: &str,
    ) -> StoreResult<Option<OrgMember>>;
    /// Active members, oldest first.
    async fn org_members(&mut self, org_id: &str) -> StoreResult<Vec<OrgMember>>;
    /// Every enterprise the account belongs or belonged to.
    async fn memberships(&mut self, account_id: &str) -> StoreResult<Vec<Membership>>;
    async fn insert_invite(&mut self, invite: &OrgInvite) -> StoreResult<()>;
    async fn invite_by_code_hash(&mut self, code_hash: &str) -> StoreResult<Option<OrgInvite>>;
    /// Marks an invite accepted; `false` when it was accepted already.
    async fn accept_invite(&mut self, id: &str, account_id: &str, at: Millis) -> StoreResult<bool>;
    /// The enterprise's invitations neither accepted nor expired at `now`, newest first.
    async fn pending_invites(&mut self, org_id: &str, now: Millis) -> StoreResult<Vec<OrgInvite>>;
    /// Ends a pending invitation at `now` (its link answers as an expired one); `false` when
    /// there is no such pending invitation of the enterprise.
    async fn revoke_invite(&mut self, org_id: &str, id: &str, now: Millis) -> StoreResult<bool>;
}

#[async_trait]
pub trait ContactRepo {
    /// Colleagues (active in a shared enterprise) and accepted external contacts.
    async fn contacts(&mut self, account_id: &str) -> StoreResult<Vec<Contact>>;
    /// Whether the two share an active enterprise membership.
    async fn colleagues(&mut self, a: &str, b: &str) -> StoreResult<bool>;
    async fn insert_contact_request(&mut self, r: &ContactRequest) -> StoreResult<()>;
    async fn contact_request(&mut self, id: &str) -> StoreResult<Option<ContactRequest>>;
    /// The newest request between the two, in either direction.
    async fn contact_request_between(
        &mut self,
        a: &str,
        b: &str,
    ) -> StoreResult<Option<ContactRequest>>;
    /// Pending requests to the account.
    async fn incoming_contact_requests(
        &mut self,
        account_id: &str,
    ) -> StoreResult<Vec<ContactRequest>>;
    async fn decide_contact_request(
        &mut self,
        id: &str,
        status: &str,
        at: Millis,
    ) -> StoreResult<bool>;
    async fn block(&mut self, account_id: &str, blocked_id: &str, at: Millis) -> StoreResult<()>;
    async fn unblock(&mut self, account_id: &str, blocked_id: &str) -> StoreResult<()>;
    /// Whether either blocked the other.
    async fn blocked_between(&mut self, a: &str, b: &str) -> StoreResult<bool>;
    async fn blocked(&mut self, account_id: &str) -> StoreResult<Vec<String>>;
}

#[async_trait]
pub trait ConversationRepo {
    /// Fails with [`super::StoreError::Conflict`] when the direct pair exists already.
    async fn insert_conversation(&mut self, c: &Conversation) -> StoreResult<()>;
    async fn conversation(&mut self, id: &str) -> StoreResult<Option<Conversation>>;
    async fn conversation_by_direct_key(&mut self, key: &str) -> StoreResult<Option<Conversation>>;
    async fn insert_conversation_member(
        &mut self,
        conversation_id: &str,
        account_id: &str,
        role: &str,
        at: Millis,
        read_seq: i64,
    ) -> StoreResult<bool>;
    async fn remove_conversation_member(
        &mut self,
        conversation_id: &str,
        account_id: &str,
    ) -> StoreResult<bool>;
    async fn conversation_member(
        &mut self,
        conversation_id: &str,
        account_id: &str,
    ) -> StoreResult<Option<ConversationMember>>;
    async fn conversation_members(
        &mut self,
        conversation_id: &str,
    ) -> StoreResult<Vec<ConversationMember>>;
    /// The member's conversations, the most recently active first.
    async fn conversation_summaries(
        &mut self,
        account_id: &str,
    ) -> StoreResult<Vec<ConversationSummary>>;
    /// Moves the read marker forward (never back); `false` when it did not move.
    async fn mark_read(
        &mut self,
        conversation_id: &str,
        account_id: &str,
        seq: i64,
    ) -> StoreResult<bool>;
}

#[async_trait]
pub trait MessageRepo {
    /// The message a sender already sent with this client id.
    async fn message_by_client_id(
        &mut self,
        sender_id: &str,
        client_msg_id: &str,
    ) -> StoreResult<Option<Message>>;
    /// The messages already sent under these `(sender, client_msg_id)` pairs.
    async fn messages_by_client_ids(
        &mut self,
        pairs: &[(String, String)],
    ) -> StoreResult<Vec<Message>>;
    /// `(blocker, blocked)` pairs among these accounts.
    async fn blocks_among(&mut self, account_ids: &[String]) -> StoreResult<Vec<(String, String)>>;
    /// Reserves `count` seqs of each conversation (locking its row until commit) and returns the
    /// first of each, in the order given.
    async fn reserve_seqs(
        &mut self,
        conversations: &[(String, i64)],
        at: Millis,
    ) -> StoreResult<Vec<i64>>;
    /// Inserts messages whose seqs were reserved.
    async fn insert_messages(&mut self, messages: &[Message]) -> StoreResult<()>;
    async fn message(&mut self, id: &str) -> StoreResult<Option<Message>>;
    /// Newest first, below `before` (a seq) when given.
    async fn messages(
        &mut self,
        conversation_id: &str,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<Message>>;
    async fn edit_message(&mut self, id: &str, body: &str, at: Millis) -> StoreResult<()>;
    async fn recall_message(&mut self, id: &str, by: &str, at: Millis) -> StoreResult<()>;
    /// The members of each conversation, for a batch of appends.
    async fn members_of(
        &mut self,
        conversation_ids: &[String],
    ) -> StoreResult<Vec<(String, String)>>;
    /// The accounts the member exchanged most messages with since `since`, in conversations they
    /// share, excluding `account_id`; at most `limit`.
    async fn frequent_contacts(
        &mut self,
        account_id: &str,
        since: Millis,
        limit: u32,
    ) -> StoreResult<Vec<FrequentContact>>;
}

#[async_trait]
pub trait FileRepo {
    /// Inserts the attachments of messages inserted in this transaction (`recalled` unused).
    async fn insert_files(&mut self, files: &[FileRecord]) -> StoreResult<()>;
    async fn file(&mut self, id: &str) -> StoreResult<Option<FileRecord>>;
    /// Bytes the account stored since `since`.
    async fn file_bytes_since(&mut self, uploader_id: &str, since: Millis) -> StoreResult<i64>;
    /// Files in a status, oldest first, at most `limit`.
    async fn files_with_status(&mut self, status: &str, limit: u32)
    -> StoreResult<Vec<FileRecord>>;
    /// Sets a file's status (a scan's verdict); `false` when it was not `from`.
    async fn set_file_status(&mut self, id: &str, from: &str, to: &str) -> StoreResult<bool>;
    /// Whether any file row holds the blob, as its bytes or its thumbnail.
    async fn blob_in_use(&mut self, key: &str) -> StoreResult<bool>;
}

#[async_trait]
pub trait StreamRepo {
    /// Appends events, giving each account's events the next seqs of its stream in the order
    /// given (locking the stream heads until commit); returns each event's seq.
    async fn append_events(&mut self, events: &[NewStreamEvent]) -> StoreResult<Vec<i64>>;
    async fn stream_head(&mut self, account_id: &str) -> StoreResult<StreamHead>;
    /// Events after `since`, oldest first, at most `limit`.
    async fn events_after(
        &mut self,
        account_id: &str,
        since: i64,
        limit: u32,
    ) -> StoreResult<Vec<StreamEvent>>;
    /// Deletes events created before `before`, moving each head's `pruned_through`; returns how
    /// many were deleted.
    async fn prune_events(&mut self, before: Millis) -> StoreResult<u64>;
    /// Tells the other nodes which streams moved (PostgreSQL `NOTIFY`, sent at commit).
    async fn notify_streams(&mut self, payload: &str) -> StoreResult<()>;
}
