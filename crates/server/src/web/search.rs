//! The search page (`/search?q=`): people, conversations, enterprises and messages the signed-in member can
//! find, each message with its snippet (the highlights marked) linking to the conversation at
//! that message. What is found is the domain's decision (`domain::search`); this only shows it.

use std::collections::HashMap;

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;

use domain::clock::human;
use domain::search::{MessageSearch, Order};

use super::chat::signed_in;
use super::ctx::Ctx;
use super::i18n::Tr;
use super::pages::Shown;
use super::render::{page, shown};

/// Hits per page.
const PAGE: u32 = 20;

pub struct PersonRow {
    pub nickname: String,
    pub colleague: bool,
}

pub struct ConversationRow {
    pub id: String,
    pub name: String,
}

pub struct OrgRow {
    pub id: String,
    pub name: String,
}

pub struct HitRow {
    /// `/chat/{id}?before={seq + 1}#m-{seq}`: the page that ends with this message.
    pub href: String,
    pub conversation: String,
    pub at: String,
    /// The snippet in pieces; `true` for a highlighted piece.
    pub pieces: Vec<(String, bool)>,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub q: String,
    pub searched: bool,
    pub people: Vec<PersonRow>,
    pub conversations: Vec<ConversationRow>,
    pub orgs: Vec<OrgRow>,
    pub hits: Vec<HitRow>,
    /// The cursor of the next page of messages.
    pub more: Option<String>,
}

/// The snippet cut at its highlights (byte ranges in order, as the domain gives them).
fn pieces(snippet: &str, marks: &[(usize, usize)]) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut at = 0;
    for &(s, e) in marks {
        let (Some(before), Some(marked)) = (snippet.get(at..s), snippet.get(s..e)) else {
            continue;
        };
        if !before.is_empty() {
            out.push((before.to_owned(), false));
        }
        out.push((marked.to_owned(), true));
        at = e;
    }
    if let Some(rest) = snippet.get(at..).filter(|r| !r.is_empty()) {
        out.push((rest.to_owned(), false));
    }
    out
}

pub async fn show(ctx: Ctx, Query(params): Query<HashMap<String, String>>) -> Response {
    let (ctx, auth) = match signed_in(ctx).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let t = ctx.t();
    let me = &auth.account_id;
    let q = params
        .get("q")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    let cursor = params.get("cursor").cloned().filter(|c| !c.is_empty());
    let mut tpl = SearchPage {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: true,
        title: t.get("search-title"),
        errors: Vec::new(),
        searched: !q.is_empty(),
        q: q.clone(),
        people: Vec::new(),
        conversations: Vec::new(),
        orgs: Vec::new(),
        hits: Vec::new(),
        more: None,
    };
    if q.is_empty() {
        return page(ctx, StatusCode::OK, &tpl);
    }
    let app = &ctx.app.app;
    if !app.search_enabled() {
        let (s, shown) = shown(t, domain::search::disabled());
        tpl.errors.push(shown);
        return page(ctx, s, &tpl);
    }
    let mut status = StatusCode::OK;
    // People and conversations only on the first page.
    if cursor.is_none() {
        match app.search_people(me, &q).await {
            Ok(list) => {
                tpl.people = list
                    .into_iter()
                    .map(|c| PersonRow {
                        nickname: c.nickname,
                        colleague: c.colleague,
                    })
                    .collect();
            }
            Err(e) => {
                let (s, shown) = shown(t, e);
                status = s;
                tpl.errors.push(shown);
            }
        }
        if let Ok(list) = app.search_conversations(&auth, &q).await {
            tpl.conversations = list
                .into_iter()
                .map(|c| ConversationRow {
                    name: c
                        .conversation
                        .title
                        .or(c.peer_nickname)
                        .unwrap_or_else(|| t.get("chat-untitled")),
                    id: c.conversation.id,
                })
                .collect();
        }
        if let Ok(list) = app.search_orgs(me, &q).await {
            tpl.orgs = list
                .into_iter()
                .map(|o| OrgRow {
                    id: o.org.id,
                    name: o.org.name,
                })
                .collect();
        }
    }
    let names: HashMap<String, String> = match app.conversations(&auth).await {
        Ok(list) => list
            .into_iter()
            .map(|c| {
                let name = c
                    .conversation
                    .title
                    .or(c.peer_nickname)
                    .unwrap_or_else(|| t.get("chat-untitled"));
                (c.conversation.id, name)
            })
            .collect(),
        Err(_) => HashMap::new(),
    };
    let search = MessageSearch {
        q: q.clone(),
        conversation_id: None,
        sender_id: None,
        after: None,
        before: None,
        has_file: None,
        order: Order::Newest,
        cursor,
        limit: PAGE,
    };
    match app.search_messages(&auth, &search).await {
        Ok(found) => {
            tpl.hits = found
                .hits
                .into_iter()
                .map(|h| HitRow {
                    href: format!(
                        "/chat/{}?before={}#m-{}",
                        h.message.conversation_id,
                        h.message.seq + 1,
                        h.message.seq
                    ),
                    conversation: names
                        .get(&h.message.conversation_id)
                        .cloned()
                        .unwrap_or_else(|| t.get("chat-untitled")),
                    at: human(h.message.sent_at),
                    pieces: pieces(&h.snippet, &h.highlights),
                })
                .collect();
            tpl.more = found.next_cursor;
        }
        Err(e) => {
            let (s, shown) = shown(t, e);
            status = s;
            tpl.errors.push(shown);
        }
    }
    page(ctx, status, &tpl)
}

#[cfg(test)]
mod tests {
    use super::pieces;

    #[test]
    fn snippets_are_cut_at_their_highlights() {
        let s = "请查收合同和发票";
        let p = pieces(s, &[(9, 15), (18, 24)]);
        let flat: Vec<(&str, bool)> = p.iter().map(|(t, m)| (t.as_str(), *m)).collect();
        assert_eq!(
            flat,
            vec![
                ("请查收", false),
                ("合同", true),
                ("和", false),
                ("发票", true)
            ]
        );
        // Ranges that do not fall on characters are skipped, never a panic.
        assert_eq!(pieces(s, &[(1, 2)]).len(), 1);
    }
}
