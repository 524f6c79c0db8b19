//! The OpenAPI 3.1 document of the JSON API, generated from the handlers' annotations and
//! completed here with what every operation shares, so that no operation can leave it out:
//!
//! - the errors the extractors answer: `400 invalid_request` where there are parameters or a body,
//!   `413`/`415` with a JSON body, `401 unauthenticated` with a bearer token, `500 internal`;
//! - every error response as `application/problem+json` with the [`proto::Problem`] schema and
//!   its description made from the codes the annotation names (`description = "code code"`), each
//!   with its meaning from [`proto::problem::CODES`]; `Retry-After` on `429`;
//! - every path parameter as a non-empty string without control characters (what
//!   [`crate::extract::ApiPath`] takes); the Problem schema's `code` with the list of codes.
//!
//! The tests below walk the document and fail when a path parameter is not declared, an error is
//! not a problem document, or a code is not in the catalogue.

use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, HeaderBuilder, Ref, RefOr};
use utoipa::{Modify, OpenApi};

use proto::problem::CODES;

use crate::routes::{
    accounts, bindings, contacts, conversations, dev, files, me, mfa, orgs, policy, recovery,
    search, sessions, stream, support, verifications,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Wangshang JSON API", description = "Accounts, recovery and chat of the Wangshang business IM server. Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`; `title` and `detail` are for people."),
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
        orgs::create, orgs::mine, orgs::show, orgs::rename, orgs::members, orgs::set_role, orgs::remove_member, orgs::invite, orgs::invites, orgs::revoke_invite, orgs::accept,
        policy::show, policy::update, policy::sign_out, policy::suspend, policy::reinstate, policy::offboard, policy::undo_offboard, policy::reverify, policy::my_reverifies, policy::confirm_reverify,
        policy::security_members, policy::audit, policy::audit_export,
        contacts::list, contacts::request, contacts::accept, contacts::decline, contacts::block, contacts::unblock,
        conversations::create, conversations::list, conversations::show, conversations::add_members, conversations::remove_member,
        conversations::send, conversations::history, conversations::edit, conversations::recall, conversations::receipts, conversations::read, conversations::typing, conversations::frequent,
        files::upload, files::download, files::thumbnail, files::link,
        stream::stream,
        search::messages, search::people, search::conversations, search::orgs,
        support::open, support::status, support::reply, support::cancel, support::code, support::complete,
        support::queue, support::ticket, support::pick, support::decide,
        support::trusted, support::set_trusted, support::vouch_requests, support::answer_vouch,
        support::org_requests, support::answer_org,
        dev::outbox,
    ),
    // Schemas only named by a query parameter's tuple (`SearchOrder`) are not collected from
    // the paths, so they are listed here with those no operation names.
    components(schemas(proto::Problem, proto::chat::StreamFrame, proto::chat::StreamSend, proto::chat::StreamTyping, proto::search::SearchOrder)),
    modifiers(&Bearer, &Problems)
)]
struct ApiDoc;

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

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

/// What a path parameter may hold: `ApiPath` refuses control characters (C0, DEL, C1).
const PATH_PARAMETER: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F]+$";

struct Problems;

impl Modify for Problems {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        for item in api.paths.paths.values_mut() {
            for op in operations(item) {
                complete(op);
            }
        }
        let catalogue: String = CODES
            .iter()
            .map(|(code, status, meaning)| format!("\n- `{code}` ({status}): {meaning}"))
            .collect();
        if let Some(RefOr::T(Schema::Object(problem))) = api
            .components
            .as_mut()
            .and_then(|c| c.schemas.get_mut("Problem"))
            && let Some(RefOr::T(Schema::Object(code))) = problem.properties.get_mut("code")
        {
            code.description = Some(format!(
                "Stable machine code; clients branch on it. New codes may be added. The codes:{catalogue}"
            ));
        }
    }
}

/// The operations of a path, mutably.
fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
        &mut item.head,
        &mut item.options,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

fn complete(op: &mut Operation) {
    let mut has_params = false;
    for p in op.parameters.iter_mut().flatten() {
        let RefOr::T(p) = p else { continue };
        has_params = true;
        if p.parameter_in == ParameterIn::Path {
            // A plain string (not an enumeration, not a reference): what `ApiPath` takes.
            let plain =
                matches!(&p.schema, Some(RefOr::T(Schema::Object(o))) if o.enum_values.is_none());
            if plain {
                p.schema = Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .min_length(Some(1))
                        .pattern(Some(PATH_PARAMETER))
                        .into(),
                );
            }
        }
    }
    let body = op.request_body.is_some();
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let mut generic: Vec<(&str, &str)> = vec![("500", "internal")];
    if has_params || body {
        generic.push(("400", "invalid_request"));
    }
    if body {
        generic.push(("413", "payload_too_large"));
        generic.push(("415", "unsupported_media_type"));
    }
    if secured {
        generic.push(("401", "unauthenticated"));
    }
    let responses = &mut op.responses.responses;
    for (status, code) in generic {
        let r = responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::T(Response::new("")));
        if let RefOr::T(r) = r
            && !codes_of(&r.description).contains(&code)
        {
            r.description = format!("{code} {}", r.description);
        }
    }
    for (status, r) in responses.iter_mut() {
        let RefOr::T(r) = r else { continue };
        if status.as_str() < "400" {
            continue;
        }
        *r = problem_response(status, &r.description);
    }
}

/// The codes an annotation names in a response's description (snake_case, digits allowed as in
/// `policy_requires_2fa`).
fn codes_of(description: &str) -> Vec<&str> {
    description
        .split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect()
}

/// An error response: the problem schema, its codes explained, `Retry-After` on 429.
fn problem_response(status: &str, description: &str) -> Response {
    let mut codes = codes_of(description);
    codes.sort_unstable();
    codes.dedup();
    let text: Vec<String> = codes
        .iter()
        .map(|code| {
            let meaning = CODES
                .iter()
                .find(|(c, ..)| c == code)
                .map_or("", |(.., m)| *m);
            format!("`{code}`: {meaning}")
        })
        .collect();
    let mut r = ResponseBuilder::new()
        .description(text.join("\n\n"))
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        );
    if status == "429" {
        r = r.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .minimum(Some(0)),
                ))
                .description(Some("Seconds to wait, as `retry_after` in the body."))
                .build(),
        );
    }
    r.build()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use serde_json::Value;

    use super::*;

    fn doc() -> Value {
        serde_json::to_value(document()).unwrap()
    }

    /// Every operation with its method, path and body.
    fn each_operation(doc: &Value) -> Vec<(String, String, Value)> {
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                out.push((method.clone(), path.clone(), op.clone()));
            }
        }
        assert!(out.len() > 70, "only {} operations", out.len());
        out
    }

    /// Every `$ref` anywhere in `v`.
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    #[test]
    fn every_reference_resolves() {
        let doc = doc();
        let mut all = Vec::new();
        refs(&doc, &mut all);
        assert!(all.len() > 50, "only {} references", all.len());
        for r in all {
            let name = r
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("{r} is not a schema reference"));
            assert!(
                doc["components"]["schemas"].get(name).is_some(),
                "{r} names no schema"
            );
        }
    }

    #[test]
    fn every_path_parameter_is_declared() {
        let doc = doc();
        for (method, path, op) in each_operation(&doc) {
            let declared: Vec<&str> = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .filter(|p| p["in"] == "path")
                        .map(|p| p["name"].as_str().unwrap())
                        .collect()
                })
                .unwrap_or_default();
            let in_template: Vec<&str> = path
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                .collect();
            let mut a = declared.clone();
            let mut b = in_template.clone();
            a.sort_unstable();
            b.sort_unstable();
            assert_eq!(
                a, b,
                "{method} {path}: path parameters declared vs in the path"
            );
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "path" {
                    assert_eq!(p["required"], true, "{method} {path}: {p}");
                    assert_eq!(p["schema"]["type"], "string", "{method} {path}: {p}");
                }
            }
        }
    }

    #[test]
    fn every_error_is_a_problem_document_with_known_codes() {
        let doc = doc();
        let problem = &doc["components"]["schemas"]["Problem"];
        assert!(
            problem["properties"]["code"]["description"]
                .as_str()
                .unwrap()
                .contains("`weak_password` (422)")
        );
        for (method, path, op) in each_operation(&doc) {
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key("500"), "{method} {path}: no 500");
            for (status, r) in responses {
                let content = r["content"].as_object();
                if status.as_str() < "400" {
                    if let Some(c) = content {
                        assert!(
                            !c.contains_key("application/problem+json"),
                            "{method} {path} {status}: a success as a problem"
                        );
                    }
                    continue;
                }
                let content =
                    content.unwrap_or_else(|| panic!("{method} {path} {status}: no content"));
                assert_eq!(
                    content.keys().collect::<Vec<_>>(),
                    ["application/problem+json"],
                    "{method} {path} {status}"
                );
                assert_eq!(
                    content["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/Problem",
                    "{method} {path} {status}"
                );
                // Every code named is in the catalogue, with this status.
                let description = r["description"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{method} {path} {status}: no description"));
                let named: Vec<&str> = description
                    .split("\n\n")
                    .filter_map(|p| p.strip_prefix('`')?.split('`').next())
                    .collect();
                assert!(!named.is_empty(), "{method} {path} {status}: no code named");
                for code in named {
                    let entry = CODES.iter().find(|(c, ..)| *c == code);
                    let (_, s, _) = entry.unwrap_or_else(|| {
                        panic!("{method} {path} {status}: `{code}` is not in proto::problem::CODES")
                    });
                    assert_eq!(
                        s.to_string(),
                        *status,
                        "{method} {path}: `{code}` under {status}"
                    );
                }
                if status == "429" {
                    assert!(r["headers"]["Retry-After"].is_object(), "{method} {path}");
                }
            }
        }
    }

    #[test]
    fn requests_with_a_body_or_a_token_list_what_the_extractors_answer() {
        let doc = doc();
        for (method, path, op) in each_operation(&doc) {
            let r = &op["responses"];
            if op["requestBody"].is_object() {
                for s in ["400", "413", "415"] {
                    assert!(r[s].is_object(), "{method} {path}: no {s}");
                }
            }
            if op["security"].is_array() {
                assert!(r["401"].is_object(), "{method} {path}: no 401");
            }
        }
    }

    #[test]
    fn the_catalogue_has_each_code_once() {
        let mut codes: Vec<&str> = CODES.iter().map(|(c, ..)| *c).collect();
        codes.sort_unstable();
        let n = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), n);
    }
}
