//! The OpenAPI 3 document of the JSON API, generated from the handlers' annotations.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{
    accounts, bindings, contacts, conversations, dev, me, mfa, orgs, recovery, sessions, stream,
    support, verifications,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Wangshang JSON API", description = "Accounts, recovery and chat of the Wangshang business IM server."),
    paths(
        verifications::start, verifications::resend,
        accounts::register,
        sessions::login, sessions::complete_challenge, sessions::resend_challenge, sessions::dispute, sessions::list, sessions::logout, sessions::revoke, sessions::revoke_others,
        me::me, me::update_me, me::change_password, me::security_events,
        mfa::start_totp, mfa::confirm_totp, mfa::disable_totp, mfa::recovery_codes,
        mfa::start_passkey, mfa::finish_passkey, mfa::list_passkeys, mfa::rename_passkey, mfa::remove_passkey,
        mfa::security_questions, mfa::set_security_questions,
        recovery::start, recovery::resend, recovery::verify, recovery::second_factor, recovery::complete,
        bindings::list, bindings::start, bindings::confirm, bindings::remove, bindings::confirm_link, bindings::cancel_link,
        orgs::create, orgs::mine, orgs::show, orgs::rename, orgs::members, orgs::set_role, orgs::remove_member, orgs::invite, orgs::accept,
        contacts::list, contacts::request, contacts::accept, contacts::decline, contacts::block, contacts::unblock,
        conversations::create, conversations::list, conversations::show, conversations::add_members, conversations::remove_member,
        conversations::send, conversations::history, conversations::edit, conversations::recall, conversations::receipts, conversations::read, conversations::frequent,
        stream::stream,
        support::open, support::status, support::reply, support::cancel, support::code, support::complete,
        support::queue, support::ticket, support::pick, support::decide,
        support::trusted, support::set_trusted, support::vouch_requests, support::answer_vouch,
        support::org_requests, support::answer_org,
        dev::outbox,
    ),
    modifiers(&Bearer)
)]
struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = api.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
