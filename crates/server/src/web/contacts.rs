//! The contacts page: colleagues and external contacts (each with "chat" and "block"), requests
//! waiting for an answer, and a form to ask someone by phone or e-mail.

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use domain::clock::human;
use domain::sessions::Authenticated;

use super::chat::{problem_page, signed_in};
use super::ctx::Ctx;
use super::i18n::Tr;
use super::pages::Shown;
use super::render::{page, redirect, shown};

pub struct ContactRow {
    pub account_id: String,
    pub nickname: String,
    pub colleague: bool,
    pub external: bool,
}

pub struct RequestRow {
    pub id: String,
    pub nickname: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "contacts.html")]
pub struct ContactsPage {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub notice: Option<String>,
    pub contacts: Vec<ContactRow>,
    pub requests: Vec<RequestRow>,
    pub identifier: String,
}

async fn contacts_page(
    ctx: Ctx,
    auth: &Authenticated,
    status: StatusCode,
    errors: Vec<Shown>,
    notice: Option<String>,
    identifier: String,
) -> Response {
    let t = ctx.t();
    let me = &auth.account_id;
    let (contacts, requests) = match (
        ctx.app.app.contacts(me).await,
        ctx.app.app.incoming_contact_requests(me).await,
    ) {
        (Ok(c), Ok(r)) => (c, r),
        (Err(e), _) | (_, Err(e)) => return problem_page(ctx, e, ("/chat", "chat-back")),
    };
    let tpl = ContactsPage {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: true,
        title: t.get("contacts-title"),
        errors,
        notice,
        contacts: contacts
            .into_iter()
            .map(|c| ContactRow {
                account_id: c.account_id,
                nickname: c.nickname,
                colleague: c.colleague,
                external: c.external,
            })
            .collect(),
        requests: requests
            .into_iter()
            .map(|(r, nickname)| RequestRow {
                id: r.id,
                nickname,
                at: human(r.created_at),
            })
            .collect(),
        identifier,
    };
    page(ctx, status, &tpl)
}

pub async fn list(ctx: Ctx) -> Response {
    let (ctx, auth) = match signed_in(ctx).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    contacts_page(ctx, &auth, StatusCode::OK, Vec::new(), None, String::new()).await
}

#[derive(Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    identifier: String,
}

/// Asks a phone or e-mail to become an external contact. The answer is the same whether or not
/// the address is registered.
pub async fn request(ctx: Ctx, Form(f): Form<RequestForm>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match ctx
        .app
        .app
        .request_contact(&auth.account_id, None, Some(f.identifier.as_str()))
        .await
    {
        Ok(_) => {
            let notice = ctx.t().get("contacts-requested");
            contacts_page(
                ctx,
                &auth,
                StatusCode::OK,
                Vec::new(),
                Some(notice),
                String::new(),
            )
            .await
        }
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            contacts_page(ctx, &auth, status, vec![s], None, f.identifier).await
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn after(ctx: Ctx, auth: &Authenticated, r: Result<(), domain::Error>) -> Response {
    match r {
        Ok(()) => redirect(ctx, "/contacts"),
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            contacts_page(ctx, auth, status, vec![s], None, String::new()).await
        }
    }
}

pub async fn accept(ctx: Ctx, Path(id): Path<String>, Form(f): Form<CsrfForm>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let r = ctx
        .app
        .app
        .answer_contact_request(&auth.account_id, &id, true)
        .await;
    after(ctx, &auth, r).await
}

pub async fn decline(ctx: Ctx, Path(id): Path<String>, Form(f): Form<CsrfForm>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let r = ctx
        .app
        .app
        .answer_contact_request(&auth.account_id, &id, false)
        .await;
    after(ctx, &auth, r).await
}

/// Blocks an account: no requests, no new conversations, no direct messages either way.
pub async fn block(ctx: Ctx, Path(account_id): Path<String>, Form(f): Form<CsrfForm>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let r = ctx.app.app.block(&auth.account_id, &account_id).await;
    after(ctx, &auth, r).await
}
