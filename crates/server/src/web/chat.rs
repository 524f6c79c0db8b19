//! The chat pages: the conversation list with a "new conversation" form, and a conversation with
//! its history, composer, recall (撤回), read receipts and members.
//!
//! Every form works without JavaScript: it posts, and the answer redirects back (or shows the
//! page again with the error). With JavaScript, `static/chat.js` posts the same forms with
//! `fetch` and `Accept: application/json`, and gets the JSON API's wire types back; the CSRF
//! field and the session cookie protect both. The JSON API itself takes only bearer tokens, so
//! the page does not call it. Live updates come from the account's event stream
//! (`/api/v1/stream`, which accepts this site's session cookie), resumed from the stream head the
//! page was rendered at.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::header::ACCEPT;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::{Form, Json};
use serde::Deserialize;
use serde_json::json;

use domain::chat::Outgoing;
use domain::clock::{human, now_ms};
use domain::random;
use domain::sessions::Authenticated;
use domain::store::{ConversationMember, ConversationSummary, Message};
use proto::chat::ReadMarker;

use super::ctx::Ctx;
use super::files::{self, FileCard};
use super::i18n::Tr;
use super::pages::{self, Shown};
use super::render::{page, redirect, shown};
use crate::routes::conversations::message_view;

/// Messages on one page of a conversation.
const PAGE: u32 = 50;

/// Whether a script asked for JSON (`Accept: application/json`) instead of a page.
pub(super) fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

/// A domain error as JSON `{code, message}` in the page's language.
pub(super) fn json_error(ctx: Ctx, e: domain::Error) -> Response {
    let (status, s) = shown(ctx.t(), e);
    ctx.finish((status, Json(json!({"code": s.code, "message": s.message}))))
}

/// The signed-in account of a page request, or the login page.
pub(super) async fn signed_in(ctx: Ctx) -> Result<(Ctx, Authenticated), Response> {
    match ctx.auth().await {
        Some(a) => Ok((ctx, a)),
        None => Err(redirect(ctx, "/login")),
    }
}

/// A page that only says what went wrong (a missing conversation, an expired link), with a link.
pub(super) fn problem_page(ctx: Ctx, e: domain::Error, back: (&str, &str)) -> Response {
    // An enterprise that requires a second factor: the way out is its set-up page.
    let back = match &e {
        domain::Error::PolicyBlocked { code, .. }
            if *code == domain::policy::gate::REQUIRES_2FA =>
        {
            ("/settings/security", "policy-set-up-2fa")
        }
        _ => back,
    };
    let t = ctx.t();
    let (status, s) = shown(t, e);
    let logged_in = ctx.token.is_some();
    let tpl = pages::Message {
        t,
        csrf: ctx.csrf.clone(),
        logged_in,
        title: t.get("chat-problem-title"),
        section_id: "problem".into(),
        text: s.message,
        link: Some((back.0.into(), t.get(back.1), "problem-back".into())),
    };
    page(ctx, status, &tpl)
}

/// The account ids a form picked with checkboxes named `member:<account id>`.
pub(super) fn picked(form: &HashMap<String, String>) -> Vec<String> {
    let mut ids: Vec<String> = form
        .keys()
        .filter_map(|k| k.strip_prefix("member:"))
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect();
    ids.sort();
    ids
}

fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map(String::as_str).unwrap_or("")
}

/// What a message shows: its text, or the tombstone of a recalled one.
fn shown_body(t: Tr, m: &Message) -> String {
    if m.recalled_at.is_some() {
        t.get("chat-recalled")
    } else {
        m.body.clone()
    }
}

fn conversation_title(t: Tr, c: &ConversationSummary) -> String {
    c.conversation
        .title
        .clone()
        .or_else(|| c.peer_nickname.clone())
        .unwrap_or_else(|| t.get("chat-untitled"))
}

pub struct ConvRow {
    pub id: String,
    pub title: String,
    /// The first character of the title, for the round avatar.
    pub initial: String,
    /// When the last message was sent (ms since the epoch; 0 without one): the page's script
    /// shows it in the viewer's time zone.
    pub last_ms: i64,
    pub group: bool,
    pub unread: i64,
    pub last_seq: i64,
    pub last: String,
    pub last_at: String,
}

#[derive(Template)]
#[template(path = "chat_list.html")]
pub struct ChatList {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub me: String,
    pub head: i64,
    pub conversations: Vec<ConvRow>,
    /// (account id, nickname) of the contacts a new conversation may include.
    pub contacts: Vec<(String, String)>,
    pub group_title: String,
    /// The contacts picked in a refused "new conversation" form, checked again.
    pub picked: Vec<String>,
}

/// The rows of the conversation list, newest first as the domain gives them.
fn conversation_rows(t: Tr, list: &[ConversationSummary]) -> Vec<ConvRow> {
    list.iter()
        .map(|c| {
            let title = conversation_title(t, c);
            ConvRow {
                id: c.conversation.id.clone(),
                initial: title.chars().next().map(String::from).unwrap_or_default(),
                title,
                group: c.conversation.kind == "group",
                unread: c.unread,
                last_seq: c.conversation.last_seq,
                last: c
                    .last_message
                    .as_ref()
                    .map(|m| {
                        let shown = shown_body(t, m);
                        let file = m.attachment.as_ref().filter(|_| m.recalled_at.is_none());
                        files::summary(t, &shown, file)
                    })
                    .unwrap_or_default(),
                last_at: c
                    .last_message
                    .as_ref()
                    .map(|m| human(m.sent_at))
                    .unwrap_or_default(),
                last_ms: c.last_message.as_ref().map(|m| m.sent_at).unwrap_or(0),
            }
        })
        .collect()
}

async fn list_page(
    ctx: Ctx,
    auth: &Authenticated,
    status: StatusCode,
    errors: Vec<Shown>,
    group_title: String,
    picked: Vec<String>,
) -> Response {
    let t = ctx.t();
    let app = &ctx.app.app;
    let me = &auth.account_id;
    // The head first: whatever happens after it comes over the stream.
    let head = app.stream_head(me).await;
    let list = app.conversations(auth).await;
    let contacts = app.contacts(me).await;
    let (head, list, contacts) = match (head, list, contacts) {
        (Ok(h), Ok(l), Ok(c)) => (h, l, c),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            return problem_page(ctx, e, ("/settings", "nav-settings"));
        }
    };
    let tpl = ChatList {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: true,
        title: t.get("chat-title"),
        errors,
        me: me.clone(),
        head,
        conversations: conversation_rows(t, &list),
        contacts: contacts
            .into_iter()
            .map(|c| (c.account_id, c.nickname))
            .collect(),
        group_title,
        picked,
    };
    page(ctx, status, &tpl)
}

pub async fn list(ctx: Ctx) -> Response {
    let (ctx, auth) = match signed_in(ctx).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    list_page(
        ctx,
        &auth,
        StatusCode::OK,
        Vec::new(),
        String::new(),
        Vec::new(),
    )
    .await
}

/// Starts a conversation: one contact and no title is the pair's direct conversation (the
/// existing one if any); more, or a title, make a group.
pub async fn create(ctx: Ctx, Form(f): Form<HashMap<String, String>>) -> Response {
    let (ctx, auth) = match ctx.form_auth(field(&f, "csrf")).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let title = field(&f, "title").trim();
    let title = (!title.is_empty()).then_some(title);
    match ctx
        .app
        .app
        .create_conversation(&auth, &picked(&f), title, None)
        .await
    {
        Ok(c) => redirect(ctx, &format!("/chat/{}", c.conversation.id)),
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            let title = title.unwrap_or_default().to_owned();
            list_page(ctx, &auth, status, vec![s], title, picked(&f)).await
        }
    }
}

pub struct MsgRow {
    pub id: String,
    pub seq: i64,
    pub sender: String,
    pub sender_id: String,
    /// From the same sender as the message before it on the same day: the name is not repeated.
    pub follows: bool,
    /// The first message of a day (UTC here; the page's script redraws the day lines in the
    /// viewer's time zone): a day line goes before it.
    pub new_day: bool,
    pub day: String,
    pub mine: bool,
    pub body: String,
    pub recalled: bool,
    pub edited: bool,
    pub at: String,
    pub sent_ms: i64,
    pub can_recall: bool,
    /// The caller's own message, still within the edit window.
    pub can_edit: bool,
    /// For the caller's own messages: "read", "unread" or "read by N".
    pub receipt: String,
    /// The message's file (none once recalled).
    pub file: Option<FileCard>,
}

pub struct MemberRow {
    pub account_id: String,
    pub nickname: String,
    pub role: String,
    pub read_seq: i64,
    pub me: bool,
    /// The caller may remove this member (group admins; never an owner).
    pub removable: bool,
}

#[derive(Template)]
#[template(path = "chat_view.html")]
pub struct ChatView {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub id: String,
    pub me: String,
    pub head: i64,
    pub group: bool,
    pub owner: bool,
    pub manage: bool,
    pub messages: Vec<MsgRow>,
    /// Set on an older page of history: live messages belong to the newest page, not here.
    pub before: Option<i64>,
    pub older: Option<i64>,
    pub members: Vec<MemberRow>,
    /// The conversation list beside the conversation (on wide screens).
    pub conversations: Vec<ConvRow>,
    /// Contacts not yet in the group (for its admins).
    pub addable: Vec<(String, String)>,
    pub client_msg_id: String,
    /// The file form's own `client_msg_id`.
    pub upload_msg_id: String,
    /// `files.max_file_bytes`, and what the domain says past it: the script refuses a larger
    /// file before sending it (the server stops reading it anyway).
    pub max_file_bytes: u64,
    pub too_large: String,
    /// "Sending {name}… {percent}%".
    pub uploading_pattern: String,
    pub draft: String,
    pub window_ms: i64,
    /// "{n} read" with the placeholder chat.js fills in.
    pub read_by_pattern: String,
}

/// The receipt of one of the caller's own messages.
fn receipt(t: Tr, group: bool, m: &Message, members: &[ConversationMember]) -> String {
    let readers = members
        .iter()
        .filter(|x| x.account_id != m.sender_id && x.read_seq >= m.seq)
        .count();
    if group {
        t.with("chat-read-by", &[("count", &readers.to_string())])
    } else if readers > 0 {
        t.get("chat-read")
    } else {
        t.get("chat-unread")
    }
}

pub(super) async fn view_page(
    ctx: Ctx,
    auth: &Authenticated,
    id: &str,
    before: Option<i64>,
    status: StatusCode,
    errors: Vec<Shown>,
    draft: String,
) -> Response {
    let t = ctx.t();
    let app = &ctx.app.app;
    let me = &auth.account_id;
    let head = match app.stream_head(me).await {
        Ok(h) => h,
        Err(e) => return problem_page(ctx, e, ("/chat", "chat-back")),
    };
    let (c, mut members) = match app.conversation(auth, id).await {
        Ok(x) => x,
        Err(e) => return problem_page(ctx, e, ("/chat", "chat-back")),
    };
    let mut messages = match app.messages(auth, id, before, PAGE).await {
        Ok(m) => m,
        Err(e) => return problem_page(ctx, e, ("/chat", "chat-back")),
    };
    messages.reverse();
    // Viewing the newest messages reads them.
    if before.is_none()
        && members
            .iter()
            .any(|m| m.account_id == *me && m.read_seq < c.last_seq)
    {
        match app.mark_read(auth, id, c.last_seq).await {
            Ok(seq) => {
                for m in members.iter_mut().filter(|m| m.account_id == *me) {
                    m.read_seq = seq;
                }
            }
            Err(e) => tracing::warn!(error = %e, "mark read on view failed"),
        }
    }
    let group = c.kind == "group";
    let my_role = members
        .iter()
        .find(|m| m.account_id == *me)
        .map(|m| m.role.clone())
        .unwrap_or_default();
    let owner = group && my_role == domain::chat::role::OWNER;
    let manage = group && domain::chat::role::manages(&my_role);
    let names: HashMap<&str, &str> = members
        .iter()
        .map(|m| (m.account_id.as_str(), m.nickname.as_str()))
        .collect();
    let window_ms = app.config.chat.edit_window_secs * 1000;
    let now = now_ms();
    let rows = messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mine = m.sender_id == *me;
            let recalled = m.recalled_at.is_some();
            let at = human(m.sent_at);
            let day: String = at.chars().take(10).collect();
            let prev = i.checked_sub(1).and_then(|j| messages.get(j));
            let new_day = prev.is_none_or(|p| !human(p.sent_at).starts_with(&day));
            MsgRow {
                id: m.id.clone(),
                seq: m.seq,
                sender_id: m.sender_id.clone(),
                follows: !new_day && prev.is_some_and(|p| p.sender_id == m.sender_id),
                new_day,
                day,
                sender: names
                    .get(m.sender_id.as_str())
                    .map(|n| (*n).to_owned())
                    .unwrap_or_else(|| t.get("chat-former-member")),
                mine,
                body: shown_body(t, m),
                recalled,
                edited: m.edited_at.is_some(),
                at,
                sent_ms: m.sent_at,
                can_recall: !recalled && (owner || (mine && now - m.sent_at <= window_ms)),
                can_edit: mine && !recalled && now - m.sent_at <= window_ms,
                file: m.attachment.as_ref().filter(|_| !recalled).map(files::card),
                receipt: if mine && !recalled {
                    receipt(t, group, m, &members)
                } else {
                    String::new()
                },
            }
        })
        .collect();
    let older = messages
        .first()
        .filter(|m| m.seq > 1 && messages.len() as u32 >= PAGE)
        .map(|m| m.seq);
    let addable = if manage {
        app.contacts(me)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|x| !names.contains_key(x.account_id.as_str()))
            .map(|x| (x.account_id, x.nickname))
            .collect()
    } else {
        Vec::new()
    };
    let title = c.title.clone().unwrap_or_else(|| {
        members
            .iter()
            .find(|m| m.account_id != *me)
            .map(|m| m.nickname.clone())
            .unwrap_or_else(|| t.get("chat-untitled"))
    });
    let member_rows = members
        .iter()
        .map(|m| MemberRow {
            account_id: m.account_id.clone(),
            nickname: m.nickname.clone(),
            role: t.get(&format!("role-{}", m.role)),
            read_seq: m.read_seq,
            me: m.account_id == *me,
            removable: manage && m.account_id != *me && m.role != domain::chat::role::OWNER,
        })
        .collect();
    // After the read mark above, so this conversation shows nothing unread.
    let conversations = app
        .conversations(auth)
        .await
        .map(|l| conversation_rows(t, &l))
        .unwrap_or_default();
    let tpl = ChatView {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: true,
        title,
        errors,
        id: c.id.clone(),
        me: me.clone(),
        head,
        group,
        owner,
        manage,
        messages: rows,
        before,
        older,
        members: member_rows,
        conversations,
        addable,
        client_msg_id: random::id(),
        upload_msg_id: random::id(),
        max_file_bytes: app.config.files.max_file_bytes,
        too_large: shown(
            t,
            domain::Error::FileTooLarge {
                max: app.config.files.max_file_bytes,
            },
        )
        .1
        .message,
        uploading_pattern: t.with(
            "file-uploading",
            &[("name", "{name}"), ("percent", "{percent}")],
        ),
        draft,
        window_ms,
        read_by_pattern: t.with("chat-read-by", &[("count", "{n}")]),
    };
    page(ctx, status, &tpl)
}

pub async fn view(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (ctx, auth) = match signed_in(ctx).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let before = q.get("before").and_then(|b| b.parse::<i64>().ok());
    view_page(
        ctx,
        &auth,
        &id,
        before,
        StatusCode::OK,
        Vec::new(),
        String::new(),
    )
    .await
}

#[derive(Deserialize)]
pub struct SendForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    client_msg_id: String,
}

/// Sends a message. The form's `client_msg_id` (made when the page was drawn, or by the script)
/// makes a repeated post of the same form create nothing.
pub async fn send(
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(f): Form<SendForm>,
) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let sent = ctx
        .app
        .app
        .send_message(Outgoing {
            conversation_id: id.clone(),
            sender: auth.clone(),
            client_msg_id: f.client_msg_id,
            body: f.body.clone(),
            mentions: Vec::new(),
            attachment: None,
        })
        .await;
    sent_answer(ctx, &auth, &id, &headers, sent.map(|(m, _)| m), f.body).await
}

/// The answer to a sent message or file: the message as JSON for the page's script, else back
/// to the conversation at it (or the page again with the error, keeping the draft).
pub(super) async fn sent_answer(
    ctx: Ctx,
    auth: &Authenticated,
    id: &str,
    headers: &HeaderMap,
    sent: domain::Result<Message>,
    draft: String,
) -> Response {
    match (sent, wants_json(headers)) {
        (Ok(m), true) => ctx.finish(Json(message_view(&m))),
        (Ok(m), false) => redirect(ctx, &format!("/chat/{id}#m-{}", m.seq)),
        (Err(e), true) => json_error(ctx, e),
        (Err(domain::Error::NotFound), false) => {
            problem_page(ctx, domain::Error::NotFound, ("/chat", "chat-back"))
        }
        (Err(e), false) => {
            let (status, s) = shown(ctx.t(), e);
            view_page(ctx, auth, id, None, status, vec![s], draft).await
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// Recalls (撤回) a message; it stays as a tombstone.
pub async fn recall(
    ctx: Ctx,
    Path((id, message_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let r = ctx.app.app.recall_message(&auth, &id, &message_id).await;
    changed_answer(ctx, &auth, &id, &headers, r).await
}

#[derive(Deserialize)]
pub struct EditForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
}

/// Edits the caller's own message within the window.
pub async fn edit(
    ctx: Ctx,
    Path((id, message_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(f): Form<EditForm>,
) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let r = ctx
        .app
        .app
        .edit_message(&auth, &id, &message_id, &f.body)
        .await;
    changed_answer(ctx, &auth, &id, &headers, r).await
}

/// The answer to an edit or a recall: the message as JSON for the page's script, else back to
/// the conversation (or the page with the error).
async fn changed_answer(
    ctx: Ctx,
    auth: &Authenticated,
    id: &str,
    headers: &HeaderMap,
    r: domain::Result<Message>,
) -> Response {
    match (r, wants_json(headers)) {
        (Ok(m), true) => ctx.finish(Json(message_view(&m))),
        (Ok(m), false) => redirect(ctx, &format!("/chat/{id}#m-{}", m.seq)),
        (Err(e), true) => json_error(ctx, e),
        (Err(domain::Error::NotFound), false) => {
            problem_page(ctx, domain::Error::NotFound, ("/chat", "chat-back"))
        }
        (Err(e), false) => {
            let (status, s) = shown(ctx.t(), e);
            view_page(ctx, auth, id, None, status, vec![s], String::new()).await
        }
    }
}

#[derive(Deserialize)]
pub struct ReadForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    seq: i64,
}

/// Moves the read marker (the script calls it when new messages arrive on a visible page).
pub async fn read(
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(f): Form<ReadForm>,
) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let r = ctx.app.app.mark_read(&auth, &id, f.seq).await;
    match (r, wants_json(&headers)) {
        (Ok(read_seq), true) => ctx.finish(Json(ReadMarker { read_seq })),
        (Ok(_), false) => redirect(ctx, &format!("/chat/{id}")),
        (Err(e), true) => json_error(ctx, e),
        (Err(e), false) => problem_page(ctx, e, ("/chat", "chat-back")),
    }
}

#[derive(Template)]
#[template(path = "chat_receipts.html")]
pub struct ReceiptsPage {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub id: String,
    pub read_by: Vec<String>,
    pub unread_by: Vec<String>,
}

/// Who has read a message, and who has not yet.
pub async fn receipts(ctx: Ctx, Path((id, message_id)): Path<(String, String)>) -> Response {
    let (ctx, auth) = match signed_in(ctx).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let t = ctx.t();
    let app = &ctx.app.app;
    let r = match app.receipts(&auth, &id, &message_id).await {
        Ok(r) => r,
        Err(e) => return problem_page(ctx, e, ("/chat", "chat-back")),
    };
    let tpl = ReceiptsPage {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: true,
        title: t.get("chat-receipts-title"),
        id,
        read_by: r.read_by.into_iter().map(|m| m.nickname).collect(),
        unread_by: r.unread_by.into_iter().map(|m| m.nickname).collect(),
    };
    page(ctx, StatusCode::OK, &tpl)
}

/// Adds the picked contacts to a group (its owner and admins).
pub async fn add_members(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let (ctx, auth) = match ctx.form_auth(field(&f, "csrf")).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match ctx
        .app
        .app
        .add_conversation_members(&auth, &id, &picked(&f))
        .await
    {
        Ok(_) => redirect(ctx, &format!("/chat/{id}#members")),
        Err(domain::Error::NotFound) => {
            problem_page(ctx, domain::Error::NotFound, ("/chat", "chat-back"))
        }
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            view_page(ctx, &auth, &id, None, status, vec![s], String::new()).await
        }
    }
}

/// Removes a member from a group, or leaves it (the caller's own id).
pub async fn remove_member(
    ctx: Ctx,
    Path((id, account_id)): Path<(String, String)>,
    Form(f): Form<CsrfForm>,
) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let leaving = account_id == auth.account_id;
    match ctx
        .app
        .app
        .remove_conversation_member(&auth, &id, &account_id)
        .await
    {
        Ok(()) if leaving => redirect(ctx, "/chat"),
        Ok(()) => redirect(ctx, &format!("/chat/{id}#members")),
        Err(domain::Error::NotFound) => {
            problem_page(ctx, domain::Error::NotFound, ("/chat", "chat-back"))
        }
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            view_page(ctx, &auth, &id, None, status, vec![s], String::new()).await
        }
    }
}
