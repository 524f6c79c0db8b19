//! Business chat: enterprises, contacts, conversations, messages and the event stream.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// A role in an enterprise or a group conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }
}

/// A direct conversation (two members) or a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConversationKind {
    Direct,
    Group,
}

/// The `type` of a stream frame. Events with a `seq`: `message.created`, `message.edited`,
/// `message.recalled` (with `message`), `read.updated`, `member.joined`, `member.left` (with
/// `data`), `vouch.requested`. Without a seq: `hello` (first frame, with `head`), `resync` (events
/// after `since` are gone: reload, then resume from `head`), and the answers to a
/// `message.send` frame: `message.sent`, `message.failed` (with `data`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum FrameType {
    #[serde(rename = "hello")]
    Hello,
    #[serde(rename = "resync")]
    Resync,
    #[serde(rename = "message.created")]
    MessageCreated,
    #[serde(rename = "message.edited")]
    MessageEdited,
    #[serde(rename = "message.recalled")]
    MessageRecalled,
    #[serde(rename = "read.updated")]
    ReadUpdated,
    #[serde(rename = "member.joined")]
    MemberJoined,
    #[serde(rename = "member.left")]
    MemberLeft,
    #[serde(rename = "vouch.requested")]
    VouchRequested,
    /// A file's scan ended; `message.attachment.status` is `ready` or `blocked`.
    #[serde(rename = "attachment.updated")]
    AttachmentUpdated,
    /// To the sender: a file they sent was found infected (`data: {file_id, name, signature}`).
    #[serde(rename = "file.blocked")]
    FileBlocked,
    #[serde(rename = "message.sent")]
    MessageSent,
    #[serde(rename = "message.failed")]
    MessageFailed,
    /// A member is typing in the conversation (`data: {account_id}`); no seq, never replayed.
    #[serde(rename = "typing")]
    Typing,
}

/// What a client may send on the stream: a message, as `POST /conversations/{id}/messages`
/// takes it. The answer is a `message.sent` frame (`data`: `client_msg_id`, `message_id`,
/// `conversation_id`, `seq`, `sent_at`, `created`) or `message.failed` (`data`: `client_msg_id`,
/// `code`, `status`, `detail`).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StreamSend {
    /// `message.send`.
    #[serde(rename = "type")]
    #[schema(pattern = "^message\\.send$")]
    pub kind: String,
    pub conversation_id: String,
    pub client_msg_id: String,
    pub body: String,
    #[serde(default)]
    pub mentions: Vec<String>,
}

/// What a client sends over `GET /stream` while its member types in a conversation (a few
/// seconds apart while typing goes on). Not answered; the other members get a `typing` frame
/// (`data`: `account_id`), with no seq, shown for about 6 seconds.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StreamTyping {
    /// `typing`.
    #[serde(rename = "type")]
    #[schema(pattern = "^typing$")]
    pub kind: String,
    pub conversation_id: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrg {
    pub name: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OrgView {
    pub id: String,
    pub name: String,
    /// The caller's role.
    #[schema(value_type = Role)]
    pub role: String,
    pub member_count: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OrgList {
    pub orgs: Vec<OrgView>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OrgMemberView {
    pub account_id: String,
    pub nickname: String,
    #[schema(value_type = Role)]
    pub role: String,
    #[serde(with = "time::serde::rfc3339")]
    pub joined_at: OffsetDateTime,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OrgMembers {
    pub members: Vec<OrgMemberView>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetRole {
    pub role: Role,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvite {
    /// A phone number or an e-mail address.
    pub destination: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct InviteSent {
    pub invite_id: String,
    pub masked_destination: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// An invitation still waiting to be accepted, as the enterprise's owners and admins see it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PendingInvite {
    pub invite_id: String,
    /// `sms` or `email`.
    pub channel: String,
    /// The invited phone or e-mail, masked (`138****5678`, `z***@example.com`).
    pub masked_destination: String,
    /// Who invited (account id and nickname).
    pub invited_by: String,
    pub inviter_nickname: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PendingInvites {
    /// Newest first.
    pub invites: Vec<PendingInvite>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ContactView {
    pub account_id: String,
    pub nickname: String,
    /// Shares an enterprise with the caller.
    pub colleague: bool,
    /// An accepted external contact.
    pub external: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ContactRequestView {
    pub id: String,
    pub from_id: String,
    pub from_nickname: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Contacts {
    pub contacts: Vec<ContactView>,
    /// Requests waiting for the caller's answer.
    pub requests: Vec<ContactRequestView>,
}

/// A contact request, to an account id or (without revealing whether it is registered) to a
/// phone number or e-mail address.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContactRequest {
    pub account_id: Option<String>,
    pub identifier: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ContactRequested {
    /// Absent when addressed by phone or e-mail.
    pub request_id: Option<String>,
    /// `pending` or `accepted` (already contacts, or they had asked first).
    pub status: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConversation {
    pub member_ids: Vec<String>,
    pub title: Option<String>,
    /// The enterprise whose data the conversation is (every member must belong to it); by
    /// default the one enterprise all members share, else none.
    #[serde(default)]
    pub org_id: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ConversationCreated {
    pub conversation_id: String,
    /// `false` when the direct conversation of the pair existed already.
    pub created: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MessageView {
    pub message_id: String,
    pub conversation_id: String,
    pub seq: i64,
    pub sender_id: String,
    pub client_msg_id: String,
    /// Empty once recalled.
    pub body: String,
    pub mentions: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub edited_at: Option<OffsetDateTime>,
    pub recalled: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub recalled_at: Option<OffsetDateTime>,
    /// The file the message carries (`null` for text, and once recalled).
    #[serde(default)]
    pub attachment: Option<AttachmentView>,
}

/// A file attached to a message. Fetch it with `GET /files/{file_id}` (and `/thumbnail`).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AttachmentView {
    pub file_id: String,
    /// The name the sender gave (without any directory).
    pub name: String,
    /// Bytes, as served (an image's metadata stripped).
    pub size: i64,
    /// Taken from the content, not from the sender's claim.
    pub content_type: String,
    /// SHA-256 of the bytes served, hex.
    pub sha256: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<i64>,
    /// Whether a thumbnail exists (`GET /files/{file_id}/thumbnail`).
    pub thumbnail: bool,
    #[schema(value_type = FileStatus)]
    pub status: String,
}

/// `ready`: downloadable; `scanning`: being checked for malware (downloads answer `409`);
/// `blocked`: malware found, never served.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    Ready,
    Scanning,
    Blocked,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ConversationView {
    pub conversation_id: String,
    #[schema(value_type = ConversationKind)]
    pub kind: String,
    pub title: Option<String>,
    /// The other member's nickname in a direct conversation.
    pub peer_nickname: Option<String>,
    pub member_count: u32,
    pub last_seq: i64,
    pub read_seq: i64,
    pub unread: i64,
    pub unread_mentions: i64,
    pub last_message: Option<MessageView>,
    /// The enterprise whose data this is (its policy applies); `null` for external chats.
    pub org_id: Option<String>,
    /// Set when the enterprise's policy keeps this session out (`policy_requires_2fa`,
    /// `policy_network`, `policy_session_expired`); the last message is then left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_block: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ConversationList {
    pub conversations: Vec<ConversationView>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ConversationMemberView {
    pub account_id: String,
    pub nickname: String,
    pub role: String,
    pub read_seq: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ConversationDetail {
    pub conversation_id: String,
    #[schema(value_type = ConversationKind)]
    pub kind: String,
    pub title: Option<String>,
    pub last_seq: i64,
    pub members: Vec<ConversationMemberView>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMembers {
    pub account_ids: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    /// The client's id for this message (1–64 of letters, digits, `-_.:`); a retry with the same
    /// id returns the first message.
    pub client_msg_id: String,
    /// Up to 4,000 characters.
    pub body: String,
    /// Account ids mentioned (members of the conversation).
    #[serde(default)]
    pub mentions: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MessageSent {
    pub message_id: String,
    pub seq: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MessagePage {
    /// Newest first.
    pub messages: Vec<MessageView>,
    /// The `before` of the next (older) page, when there is one.
    pub next_before: Option<i64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditMessage {
    pub body: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    pub seq: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ReadMarker {
    pub read_seq: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ReceiptMember {
    pub account_id: String,
    pub nickname: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Receipts {
    pub read_by: Vec<ReceiptMember>,
    pub unread_by: Vec<ReceiptMember>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FrequentContactView {
    pub account_id: String,
    pub nickname: String,
    /// Messages exchanged over the window.
    pub messages: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FrequentContacts {
    pub days: i64,
    pub contacts: Vec<FrequentContactView>,
}

/// One frame of `GET /stream`. `seq` counts per account; a client resumes with `since` = the last
/// `seq` it handled. `resync` (no seq) means events after `since` are gone: reload, then resume
/// from `head`. `hello` opens every connection with the current `head`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct StreamFrame {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
    #[serde(rename = "type")]
    #[schema(value_type = FrameType)]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<MessageView>,
    /// The event's own fields (`account_id`, `read_seq`, `by`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head: Option<i64>,
    #[serde(
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub at: Option<OffsetDateTime>,
}

/// A short-lived signed link to a file, usable without the session.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FileLinkView {
    pub url: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// The form of `POST /conversations/{id}/files` (`multipart/form-data`).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FileUpload {
    /// The file (one per message); its part's `Content-Type` is checked against the content.
    #[schema(value_type = String, format = Binary)]
    pub file: String,
    /// A caption of up to 4,000 characters.
    pub caption: Option<String>,
    /// As for text messages; a retry with the same id returns the first message.
    pub client_msg_id: Option<String>,
}
