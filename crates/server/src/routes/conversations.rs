//! Conversations and their messages: create, list, members, send, history, edit, recall, read
//! markers and receipts; and the frequent contacts.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use domain::store::ConversationSummary;
use serde::Deserialize;

use domain::chat::Outgoing;
use domain::clock::to_datetime;
use domain::store::{ConversationMember, Message};
use proto::chat::{
    AddMembers, AttachmentView, ConversationCreated, ConversationDetail, ConversationList,
    ConversationMemberView, ConversationView, EditMessage, FrequentContactView, FrequentContacts,
    MarkRead, MessagePage, MessageSent, MessageView, NewConversation, NewMessage, ReadMarker,
    ReceiptMember, Receipts,
};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/conversations", post(create).get(list))
        .route("/conversations/{id}", get(show))
        .route("/conversations/{id}/members", post(add_members))
        .route(
            "/conversations/{id}/members/{account_id}",
            delete(remove_member),
        )
        .route("/conversations/{id}/messages", post(send).get(history))
        .route("/conversations/{id}/messages/{message_id}", patch(edit))
        .route(
            "/conversations/{id}/messages/{message_id}/recall",
            post(recall),
        )
        .route(
            "/conversations/{id}/messages/{message_id}/receipts",
            get(receipts),
        )
        .route("/conversations/{id}/read", post(read))
        .route("/conversations/{id}/typing", post(typing))
        .route("/me/frequent-contacts", get(frequent))
}

pub(crate) fn message_view(m: &Message) -> MessageView {
    MessageView {
        message_id: m.id.clone(),
        conversation_id: m.conversation_id.clone(),
        seq: m.seq,
        sender_id: m.sender_id.clone(),
        client_msg_id: m.client_msg_id.clone(),
        body: m.body.clone(),
        mentions: m.mentions.clone(),
        sent_at: to_datetime(m.sent_at),
        edited_at: m.edited_at.map(to_datetime),
        recalled: m.recalled_at.is_some(),
        recalled_at: m.recalled_at.map(to_datetime),
        attachment: m.attachment.as_ref().map(|a| AttachmentView {
            file_id: a.id.clone(),
            name: a.name.clone(),
            size: a.size,
            content_type: a.content_type.clone(),
            sha256: a.sha256.clone(),
            width: a.width,
            height: a.height,
            thumbnail: a.thumb_blob.is_some(),
            status: a.status.clone(),
        }),
    }
}

fn member_view(m: ConversationMember) -> ConversationMemberView {
    ConversationMemberView {
        account_id: m.account_id,
        nickname: m.nickname,
        role: m.role,
        read_seq: m.read_seq,
    }
}

/// Starts a direct conversation (one other member, no title: the pair's existing one is
/// returned with `created: false`) or a group of up to 500. Members must be the caller's
/// colleagues or external contacts.
#[utoipa::path(post, path = "/api/v1/conversations", tag = "chat", request_body = NewConversation,
    responses((status = 201, body = ConversationCreated), (status = 200, body = ConversationCreated), (status = 403, description = "not_a_contact blocked policy_requires_2fa policy_network policy_session_expired member_suspended"), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<NewConversation>,
) -> Result<(StatusCode, Json<ConversationCreated>), ApiError> {
    let c = s
        .app
        .create_conversation(
            &auth,
            &req.member_ids,
            req.title.as_deref(),
            req.org_id.as_deref(),
        )
        .await?;
    let status = if c.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(ConversationCreated {
            conversation_id: c.conversation.id,
            created: c.created,
        }),
    ))
}

/// The caller's conversations, most recently active first, with unread counts and the last
/// message.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "chat",
    responses((status = 200, body = ConversationList)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Auth(auth): Auth,
) -> Result<Json<ConversationList>, ApiError> {
    let list = s.app.conversations(&auth).await?;
    Ok(Json(ConversationList {
        conversations: list.into_iter().map(conversation_view).collect(),
    }))
}

/// A conversation as the list shows it (also search's answer).
pub(crate) fn conversation_view(c: ConversationSummary) -> ConversationView {
    ConversationView {
        conversation_id: c.conversation.id,
        kind: c.conversation.kind,
        title: c.conversation.title,
        peer_nickname: c.peer_nickname,
        member_count: u32::try_from(c.member_count).unwrap_or(u32::MAX),
        last_seq: c.conversation.last_seq,
        read_seq: c.read_seq,
        unread: c.unread,
        unread_mentions: c.unread_mentions,
        last_message: c.last_message.as_ref().map(message_view),
        org_id: c.conversation.org_id,
        policy_block: c.policy_block,
    }
}

/// A conversation with its members and their read markers (`404` for non-members).
#[utoipa::path(get, path = "/api/v1/conversations/{id}",
    params(("id" = String, Path, description = "The conversation id.")), tag = "chat",
    responses((status = 200, body = ConversationDetail), (status = 403, description = "policy_requires_2fa policy_network policy_session_expired member_suspended"), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn show(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ConversationDetail>, ApiError> {
    let (c, members) = s.app.conversation(&auth, &id).await?;
    Ok(Json(ConversationDetail {
        conversation_id: c.id,
        kind: c.kind,
        title: c.title,
        last_seq: c.last_seq,
        members: members.into_iter().map(member_view).collect(),
    }))
}

/// Adds members to a group (its owner and admins).
#[utoipa::path(post, path = "/api/v1/conversations/{id}/members",
    params(("id" = String, Path, description = "The conversation id.")), tag = "chat", request_body = AddMembers,
    responses((status = 200, body = ConversationDetail), (status = 403, description = "not_a_contact not_group_admin blocked policy_requires_2fa policy_network policy_session_expired member_suspended"), (status = 404, description = "not_found"), (status = 409, description = "direct_conversation")),
    security(("bearer" = [])))]
pub async fn add_members(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<AddMembers>,
) -> Result<Json<ConversationDetail>, ApiError> {
    s.app
        .add_conversation_members(&auth, &id, &req.account_ids)
        .await?;
    show(State(s), Auth(auth), ApiPath(id)).await
}

/// Removes a member from a group (owner and admins), or leaves it (own account id).
#[utoipa::path(delete, path = "/api/v1/conversations/{id}/members/{account_id}",
    params(("id" = String, Path, description = "The conversation id."), ("account_id" = String, Path, description = "The member's account id.")), tag = "chat",
    responses((status = 204), (status = 403, description = "not_group_admin owner_only policy_requires_2fa policy_network policy_session_expired member_suspended"), (status = 404, description = "not_found"), (status = 409, description = "direct_conversation")),
    security(("bearer" = [])))]
pub async fn remove_member(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath((id, account_id)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    s.app
        .remove_conversation_member(&auth, &id, &account_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sends a text message. A repeated `client_msg_id` returns the first message (`200`) and
/// creates nothing.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages",
    params(("id" = String, Path, description = "The conversation id.")), tag = "chat", request_body = NewMessage,
    responses((status = 201, body = MessageSent), (status = 200, body = MessageSent), (status = 403, description = "blocked policy_requires_2fa policy_network policy_session_expired member_suspended"), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn send(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<NewMessage>,
) -> Result<(StatusCode, Json<MessageSent>), ApiError> {
    let (m, created) = s
        .app
        .send_message(Outgoing {
            conversation_id: id,
            sender: auth,
            client_msg_id: req.client_msg_id,
            body: req.body,
            mentions: req.mentions,
            attachment: None,
        })
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(MessageSent {
            message_id: m.id,
            seq: m.seq,
            sent_at: to_datetime(m.sent_at),
        }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    before: Option<i64>,
    limit: Option<i64>,
}

/// History, newest first; `before` is a seq (the `next_before` of the previous page).
#[utoipa::path(get, path = "/api/v1/conversations/{id}/messages", tag = "chat",
    params(("id" = String, Path, description = "The conversation id."), ("before" = Option<i64>, Query, description = "Messages before this seq: the `next_before` of the previous page."), ("limit" = Option<i64>, Query, description = "Messages per page, default 50; taken as 1–200.")),
    responses((status = 200, body = MessagePage), (status = 403, description = "policy_requires_2fa policy_network policy_session_expired member_suspended"), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn history(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> Result<Json<MessagePage>, ApiError> {
    let limit = super::page_size(q.limit, 50, 200);
    let messages = s.app.messages(&auth, &id, q.before, limit).await?;
    let next_before = messages
        .last()
        .filter(|m| m.seq > 1 && messages.len() as u32 >= limit.clamp(1, 200))
        .map(|m| m.seq);
    Ok(Json(MessagePage {
        messages: messages.iter().map(message_view).collect(),
        next_before,
    }))
}

/// Edits the caller's own message within the edit window.
#[utoipa::path(patch, path = "/api/v1/conversations/{id}/messages/{message_id}",
    params(("id" = String, Path, description = "The conversation id."), ("message_id" = String, Path, description = "The message id.")), tag = "chat", request_body = EditMessage,
    responses((status = 200, body = MessageView), (status = 403, description = "not_your_message policy_requires_2fa policy_network policy_session_expired member_suspended"), (status = 404, description = "not_found"), (status = 409, description = "edit_window_closed message_recalled")),
    security(("bearer" = [])))]
pub async fn edit(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath((id, message_id)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<EditMessage>,
) -> Result<Json<MessageView>, ApiError> {
    let m = s
        .app
        .edit_message(&auth, &id, &message_id, &req.body)
        .await?;
    Ok(Json(message_view(&m)))
}

/// Recalls (撤回) a message: the sender within the window, a group owner at any time. It stays
/// as a tombstone.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages/{message_id}/recall",
    params(("id" = String, Path, description = "The conversation id."), ("message_id" = String, Path, description = "The message id.")), tag = "chat",
    responses((status = 200, body = MessageView), (status = 403, description = "not_your_message policy_requires_2fa policy_network policy_session_expired member_suspended"), (status = 404, description = "not_found"), (status = 409, description = "edit_window_closed")),
    security(("bearer" = [])))]
pub async fn recall(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath((id, message_id)): ApiPath<(String, String)>,
) -> Result<Json<MessageView>, ApiError> {
    let m = s.app.recall_message(&auth, &id, &message_id).await?;
    Ok(Json(message_view(&m)))
}

/// Who has read a message.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/messages/{message_id}/receipts",
    params(("id" = String, Path, description = "The conversation id."), ("message_id" = String, Path, description = "The message id.")), tag = "chat",
    responses((status = 200, body = Receipts), (status = 403, description = "policy_requires_2fa policy_network policy_session_expired member_suspended"), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn receipts(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath((id, message_id)): ApiPath<(String, String)>,
) -> Result<Json<Receipts>, ApiError> {
    let r = s.app.receipts(&auth, &id, &message_id).await?;
    let view = |v: Vec<ConversationMember>| {
        v.into_iter()
            .map(|m| ReceiptMember {
                account_id: m.account_id,
                nickname: m.nickname,
            })
            .collect()
    };
    Ok(Json(Receipts {
        read_by: view(r.read_by),
        unread_by: view(r.unread_by),
    }))
}

/// Moves the caller's read marker forward.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/read",
    params(("id" = String, Path, description = "The conversation id.")), tag = "chat", request_body = MarkRead,
    responses((status = 200, body = ReadMarker), (status = 403, description = "policy_requires_2fa policy_network policy_session_expired member_suspended"), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn read(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<MarkRead>,
) -> Result<Json<ReadMarker>, ApiError> {
    let read_seq = s.app.mark_read(&auth, &id, req.seq).await?;
    Ok(Json(ReadMarker { read_seq }))
}

/// Tells the conversation's other members that the caller is typing (a `typing` frame on their
/// streams, in conversations of up to 50 members). Clients with a stream open send the
/// `StreamTyping` frame instead.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/typing",
    params(("id" = String, Path, description = "The conversation id.")), tag = "chat",
    responses((status = 204, description = "Passed on."), (status = 403, description = "policy_requires_2fa policy_network policy_session_expired member_suspended"), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn typing(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    s.app.typing(&auth, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The colleagues the caller exchanged most messages with over the last 90 days.
#[utoipa::path(get, path = "/api/v1/me/frequent-contacts", tag = "chat",
    responses((status = 200, body = FrequentContacts)),
    security(("bearer" = [])))]
pub async fn frequent(
    State(s): State<AppState>,
    Auth(auth): Auth,
) -> Result<Json<FrequentContacts>, ApiError> {
    let list = s.app.frequent_contacts(&auth.account_id, 10).await?;
    Ok(Json(FrequentContacts {
        days: s.app.config.chat.frequent_contacts_days,
        contacts: list
            .into_iter()
            .map(|c| FrequentContactView {
                account_id: c.account_id,
                nickname: c.nickname,
                messages: c.messages,
            })
            .collect(),
    }))
}
