//! The web client: server-rendered pages (askama) in zh-CN and English (Fluent catalogs), on the
//! same domain functions as the JSON API. Cookie sessions, CSRF tokens on every form, a strict
//! CSP with one small script file.

mod account;
mod agent;
mod auth;
mod chat;
mod contacts;
pub(crate) mod ctx;
mod files;
mod forgot;
pub mod i18n;
mod links;
mod misc;
mod nav;
mod orgs;
mod pages;
mod passkeys;
pub mod people;
mod policy;
mod register;
mod render;
mod search;
mod settings;
mod support;
mod trusted;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{MethodRouter, get, post};

use crate::AppState;

/// The web client's addresses, and which of them are pages: `page` routes answer GET with a page
/// (the language switch and error pages go back to the nearest one, see [`people::form_page`]);
/// `route` ones are form posts, downloads and static files.
pub(crate) struct Routes {
    pub router: Router<AppState>,
    pub pages: Vec<&'static str>,
}

impl Routes {
    fn page(mut self, path: &'static str, m: MethodRouter<AppState>) -> Self {
        self.pages.push(path);
        self.route(path, m)
    }

    fn route(mut self, path: &'static str, m: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, m);
        self
    }
}

/// Every address of the web client (without the layers).
pub(crate) fn routes() -> Routes {
    Routes {
        router: Router::new(),
        pages: Vec::new(),
    }
    .page("/", get(misc::home))
    .page("/login", get(auth::show).post(auth::submit))
    .page("/login/step/{id}", get(auth::step).post(auth::answer))
    .route("/login/step/{id}/resend", post(auth::resend))
    .route("/logout", post(auth::logout))
    .page("/register", get(register::show).post(register::submit))
    .route("/register/resend", post(register::resend))
    .page("/forgot", get(forgot::show).post(forgot::start))
    .page("/forgot/done", get(forgot::done))
    .page("/forgot/{id}", get(forgot::code).post(forgot::verify))
    .route("/forgot/{id}/resend", post(forgot::resend))
    .page(
        "/forgot/{id}/password",
        get(forgot::password).post(forgot::complete),
    )
    .page(
        "/forgot/{id}/second-factor",
        get(forgot::second_factor).post(forgot::answer_factor),
    )
    .page("/settings", get(settings::profile))
    .route("/settings/nickname", post(settings::nickname))
    .route("/settings/time-zone", post(settings::time_zone))
    .page("/settings/sessions", get(settings::sessions))
    .route("/settings/sessions/{id}/revoke", post(settings::revoke))
    .page(
        "/settings/password",
        get(account::password).post(account::change_password),
    )
    .page(
        "/settings/bindings",
        get(account::bindings).post(account::bind),
    )
    .route("/settings/bindings/confirm", post(account::confirm))
    .route("/settings/bindings/reverify", post(account::reverify))
    .route("/settings/bindings/remove", post(account::unbind))
    .route(
        "/settings/security/passkeys/rename",
        post(account::rename_passkey),
    )
    .route(
        "/settings/security/passkeys/remove",
        post(account::remove_passkey),
    )
    .page("/settings/security", get(account::security))
    .route("/settings/security/totp", post(account::totp_start))
    .route(
        "/settings/security/totp/confirm",
        post(account::totp_confirm),
    )
    .route(
        "/settings/security/totp/disable",
        post(account::totp_disable),
    )
    .route(
        "/settings/security/recovery-codes",
        post(account::regenerate),
    )
    .page("/settings/records", get(account::records))
    .route(
        "/settings/security/passkeys/start",
        post(passkeys::register_start),
    )
    .route(
        "/settings/security/passkeys/finish",
        post(passkeys::register_finish),
    )
    .route("/login/step/{id}/passkey", post(passkeys::login_options))
    .route(
        "/login/step/{id}/passkey/finish",
        post(passkeys::login_finish),
    )
    .page("/settings/checkup", get(links::checkup))
    .page(
        "/bindings/cancel",
        get(links::cancel_page).post(links::cancel),
    )
    .page(
        "/bindings/confirm",
        get(links::confirm_page).post(links::confirm),
    )
    .page(
        "/sessions/dispute",
        get(links::dispute_page).post(links::dispute),
    )
    .page("/chat", get(chat::list).post(chat::create))
    .page("/chat/{id}", get(chat::view))
    .route("/chat/{id}/messages", post(chat::send))
    .route(
        "/chat/{id}/messages/{message_id}/recall",
        post(chat::recall),
    )
    .page(
        "/chat/{id}/messages/{message_id}/receipts",
        get(chat::receipts),
    )
    .route("/chat/{id}/messages/{message_id}/edit", post(chat::edit))
    .route("/chat/{id}/read", post(chat::read))
    .route(
        "/chat/{id}/files",
        // The file's own limit is enforced while it streams in (`files.max_file_bytes`).
        post(files::upload).layer(DefaultBodyLimit::disable()),
    )
    .route("/chat/files/{file_id}", get(files::download))
    .route("/chat/files/{file_id}/thumbnail", get(files::thumbnail))
    .route("/chat/{id}/members", post(chat::add_members))
    .route(
        "/chat/{id}/members/{account_id}/remove",
        post(chat::remove_member),
    )
    .page("/orgs", get(orgs::list).post(orgs::create))
    .page("/orgs/{id}", get(orgs::show))
    .route("/orgs/{id}/rename", post(orgs::rename))
    .route("/orgs/{id}/invites", post(orgs::invite))
    .route(
        "/orgs/{id}/invites/{invite_id}/revoke",
        post(orgs::revoke_invite),
    )
    .route("/orgs/{id}/members/{account_id}/role", post(orgs::set_role))
    .route("/orgs/{id}/members/{account_id}/remove", post(orgs::remove))
    .page(
        "/orgs/{id}/policy",
        get(policy::show_policy).post(policy::save_policy),
    )
    .page("/orgs/{id}/security", get(policy::show_security))
    .route(
        "/orgs/{id}/security/members/{account_id}/act",
        post(policy::act),
    )
    .page("/invites/{code}", get(orgs::invite_page))
    .route("/invites/{code}/accept", post(orgs::accept))
    .page("/search", get(search::show))
    .page("/contacts", get(contacts::list))
    .route("/contacts/requests", post(contacts::request))
    .route("/contacts/requests/{id}/accept", post(contacts::accept))
    .route("/contacts/requests/{id}/decline", post(contacts::decline))
    .route("/contacts/{account_id}/block", post(contacts::block))
    .page("/support", get(support::show).post(support::contact))
    .route("/support/verify", post(support::verify))
    .route("/support/resend", post(support::resend))
    .route("/support/tickets", post(support::open))
    .page("/support/tickets/{no}", get(support::status))
    .route("/support/tickets/{no}/replies", post(support::reply))
    .route("/support/tickets/{no}/code", post(support::send_code))
    .route("/support/tickets/{no}/complete", post(support::complete))
    .page("/support/done", get(support::done))
    .route("/support/mine/cancel", post(support::cancel_mine))
    .page(
        "/support/cancel",
        get(support::cancel_page).post(support::cancel),
    )
    .page("/agent", get(agent::queue))
    .page("/agent/tickets/{no}", get(agent::ticket))
    .route("/agent/tickets/{no}/candidate", post(agent::pick))
    .route("/agent/tickets/{no}/decision", post(agent::decide))
    .page(
        "/settings/trusted",
        get(trusted::trusted).post(trusted::set_trusted),
    )
    .page("/vouches", get(trusted::vouches))
    .route("/vouches/{id}", post(trusted::answer_vouch))
    .page("/orgs/{id}/recovery-requests", get(trusted::org_requests))
    .route(
        "/orgs/{id}/recovery-requests/{no}",
        post(trusted::answer_org),
    )
    .page("/help", get(misc::help))
    .page("/dev/outbox", get(misc::outbox))
    .route("/static/app.js", get(misc::script))
    .route("/static/app.css", get(misc::style))
    .route("/static/chat.js", get(misc::chat_script))
    .route("/static/files.js", get(misc::files_script))
    .route(
        "/favicon.ico",
        get(|| async { axum::http::StatusCode::NO_CONTENT }),
    )
}

pub fn router(state: AppState) -> Router<AppState> {
    routes()
        .router
        .layer(middleware::from_fn_with_state(state, nav::layer))
        .layer(middleware::from_fn(misc::security_headers))
}
