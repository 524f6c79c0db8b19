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
use axum::routing::{get, post};

use crate::AppState;

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(misc::home))
        .route("/login", get(auth::show).post(auth::submit))
        .route("/login/step/{id}", get(auth::step).post(auth::answer))
        .route("/login/step/{id}/resend", post(auth::resend))
        .route("/logout", post(auth::logout))
        .route("/register", get(register::show).post(register::submit))
        .route("/register/resend", post(register::resend))
        .route("/forgot", get(forgot::show).post(forgot::start))
        .route("/forgot/done", get(forgot::done))
        .route("/forgot/{id}", get(forgot::code).post(forgot::verify))
        .route("/forgot/{id}/resend", post(forgot::resend))
        .route(
            "/forgot/{id}/password",
            get(forgot::password).post(forgot::complete),
        )
        .route(
            "/forgot/{id}/second-factor",
            get(forgot::second_factor).post(forgot::answer_factor),
        )
        .route("/settings", get(settings::profile))
        .route("/settings/nickname", post(settings::nickname))
        .route("/settings/time-zone", post(settings::time_zone))
        .route("/settings/sessions", get(settings::sessions))
        .route("/settings/sessions/{id}/revoke", post(settings::revoke))
        .route(
            "/settings/password",
            get(account::password).post(account::change_password),
        )
        .route(
            "/settings/bindings",
            get(account::bindings).post(account::bind),
        )
        .route("/settings/bindings/confirm", post(account::confirm))
        .route("/settings/bindings/remove", post(account::unbind))
        .route(
            "/settings/security/passkeys/rename",
            post(account::rename_passkey),
        )
        .route(
            "/settings/security/passkeys/remove",
            post(account::remove_passkey),
        )
        .route("/settings/security", get(account::security))
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
        .route("/settings/records", get(account::records))
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
        .route("/settings/checkup", get(links::checkup))
        .route(
            "/bindings/cancel",
            get(links::cancel_page).post(links::cancel),
        )
        .route(
            "/bindings/confirm",
            get(links::confirm_page).post(links::confirm),
        )
        .route(
            "/sessions/dispute",
            get(links::dispute_page).post(links::dispute),
        )
        .route("/chat", get(chat::list).post(chat::create))
        .route("/chat/{id}", get(chat::view))
        .route("/chat/{id}/messages", post(chat::send))
        .route(
            "/chat/{id}/messages/{message_id}/recall",
            post(chat::recall),
        )
        .route(
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
        .route("/orgs", get(orgs::list).post(orgs::create))
        .route("/orgs/{id}", get(orgs::show))
        .route("/orgs/{id}/rename", post(orgs::rename))
        .route("/orgs/{id}/invites", post(orgs::invite))
        .route(
            "/orgs/{id}/invites/{invite_id}/revoke",
            post(orgs::revoke_invite),
        )
        .route("/orgs/{id}/members/{account_id}/role", post(orgs::set_role))
        .route("/orgs/{id}/members/{account_id}/remove", post(orgs::remove))
        .route(
            "/orgs/{id}/policy",
            get(policy::show_policy).post(policy::save_policy),
        )
        .route("/orgs/{id}/security", get(policy::show_security))
        .route("/orgs/{id}/members/{account_id}/act", post(policy::act))
        .route("/invites/{code}", get(orgs::invite_page))
        .route("/invites/{code}/accept", post(orgs::accept))
        .route("/search", get(search::show))
        .route("/contacts", get(contacts::list))
        .route("/contacts/requests", post(contacts::request))
        .route("/contacts/requests/{id}/accept", post(contacts::accept))
        .route("/contacts/requests/{id}/decline", post(contacts::decline))
        .route("/contacts/{account_id}/block", post(contacts::block))
        .route("/support", get(support::show).post(support::contact))
        .route("/support/verify", post(support::verify))
        .route("/support/resend", post(support::resend))
        .route("/support/tickets", post(support::open))
        .route("/support/tickets/{no}", get(support::status))
        .route("/support/tickets/{no}/replies", post(support::reply))
        .route("/support/tickets/{no}/code", post(support::send_code))
        .route("/support/tickets/{no}/complete", post(support::complete))
        .route("/support/done", get(support::done))
        .route("/support/mine/cancel", post(support::cancel_mine))
        .route(
            "/support/cancel",
            get(support::cancel_page).post(support::cancel),
        )
        .route("/agent", get(agent::queue))
        .route("/agent/tickets/{no}", get(agent::ticket))
        .route("/agent/tickets/{no}/candidate", post(agent::pick))
        .route("/agent/tickets/{no}/decision", post(agent::decide))
        .route(
            "/settings/trusted",
            get(trusted::trusted).post(trusted::set_trusted),
        )
        .route("/vouches", get(trusted::vouches))
        .route("/vouches/{id}", post(trusted::answer_vouch))
        .route("/orgs/{id}/recovery-requests", get(trusted::org_requests))
        .route(
            "/orgs/{id}/recovery-requests/{no}",
            post(trusted::answer_org),
        )
        .route("/help", get(misc::help))
        .route("/dev/outbox", get(misc::outbox))
        .route("/static/app.js", get(misc::script))
        .route("/static/app.css", get(misc::style))
        .route("/static/chat.js", get(misc::chat_script))
        .route("/static/files.js", get(misc::files_script))
        .route(
            "/favicon.ico",
            get(|| async { axum::http::StatusCode::NO_CONTENT }),
        )
        .layer(middleware::from_fn_with_state(state, nav::layer))
        .layer(middleware::from_fn(misc::security_headers))
}
