//! Support-desk recovery: the requester's ticket and status link, the agents' console API,
//! trusted colleagues and their vouches, and enterprise admins' answers.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

use domain::clock::{now_ms, to_datetime};
use domain::store::TrustedContact;
use domain::support::Answer;
use domain::support::agents::{AgentTicket as Agent, Decision};
use domain::support::evidence::Claims as DomainClaims;
use domain::support::tickets::{NewTicket as DomainTicket, TicketStatus as Status};
use domain::support::trusted::VouchRequest;
use proto::support::{
    AdminAnswerView, AgentTicket, AnswerRequest, AuditView, CancelTicket, CandidateView, Claims,
    CompleteTicket, DecideTicket, Evidence, EvidenceItem, NewTicket, OrgRecoveryRequest,
    OrgRecoveryRequests, PickCandidate, Queue, QueueEntry, QueueQuery, ReplyView, RequesterView,
    SetTrustedContacts, StatusQuery, StatusToken, TicketCodeSent, TicketOpened, TicketReply,
    TicketStatus, TrustedContactView, TrustedContacts, VouchRequestView, VouchRequests, VouchView,
};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiLang, ApiPath, ApiQuery, Auth, ClientInfo};
use crate::web::i18n::Tr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/support/tickets", post(open))
        .route("/support/tickets/{no}", get(status))
        .route("/support/tickets/{no}/replies", post(reply))
        .route("/support/tickets/{no}/cancel", post(cancel))
        .route("/support/tickets/{no}/code", post(code))
        .route("/support/tickets/{no}/complete", post(complete))
        .route("/agent/tickets", get(queue))
        .route("/agent/tickets/{no}", get(ticket))
        .route("/agent/tickets/{no}/candidate", post(pick))
        .route("/agent/tickets/{no}/decision", post(decide))
        .route("/me/trusted-contacts", get(trusted).put(set_trusted))
        .route("/me/vouch-requests", get(vouch_requests))
        .route("/me/vouch-requests/{id}", post(answer_vouch))
        .route("/orgs/{id}/recovery-requests", get(org_requests))
        .route("/orgs/{id}/recovery-requests/{no}", post(answer_org))
}

fn claims(c: Claims) -> DomainClaims {
    DomainClaims {
        phone: c.phone,
        email: c.email,
        nicknames: c.nicknames,
        enterprise: c.enterprise,
        contacts: c.contacts,
        devices: c.devices,
        places: c.places,
        created_around: c.created_around,
    }
}

fn claims_view(c: DomainClaims) -> Claims {
    Claims {
        phone: c.phone,
        email: c.email,
        nicknames: c.nicknames,
        enterprise: c.enterprise,
        contacts: c.contacts,
        devices: c.devices,
        places: c.places,
        created_around: c.created_around,
    }
}

fn status_view(s: Status) -> TicketStatus {
    TicketStatus {
        ticket_no: s.ticket_no,
        status: s.status,
        updated_at: to_datetime(s.updated_at),
        message: s.message,
    }
}

fn agent_view(a: Agent, tr: Tr) -> AgentTicket {
    let t = a.ticket;
    AgentTicket {
        requester: RequesterView {
            network: loginmeta_network(&t.ip),
            device: device_label(&t.user_agent),
            ip: t.ip,
            contact: a.masked_contact,
        },
        ticket_no: t.ticket_no,
        status: t.status,
        created_at: to_datetime(t.created_at),
        updated_at: to_datetime(t.updated_at),
        account_id: t.account_id,
        claims: claims_view(a.claims),
        description: t.description,
        candidates: a
            .candidates
            .into_iter()
            .map(|c| CandidateView {
                account_id: c.account_id,
                nickname: c.nickname,
                reason: c.reason,
                evidence: Evidence {
                    score: c.evidence.score,
                    recommendation: c.evidence.recommendation.as_str().into(),
                    private_points: c.evidence.private_points,
                    items: c
                        .evidence
                        .items
                        .into_iter()
                        .map(|i| EvidenceItem {
                            claim: i.claim.into(),
                            result: i.result.as_str().into(),
                            weight: i.weight,
                            detail: crate::evidence::detail(tr, &i),
                            code: i.code.into(),
                            args: i.args.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
                            decisive: i.decisive,
                        })
                        .collect(),
                },
            })
            .collect(),
        replies: a
            .replies
            .into_iter()
            .map(|r| ReplyView {
                author: r.author,
                text: r.body,
                at: to_datetime(r.at),
            })
            .collect(),
        vouches: a
            .vouches
            .into_iter()
            .map(|v| VouchView {
                own: v.is_own(),
                voucher_id: v.voucher_id,
                nickname: v.voucher_nickname,
                account_id: v.subject_id,
                answer: v.answer,
                asked_at: to_datetime(v.created_at),
            })
            .collect(),
        admin_answers: a
            .admin_answers
            .into_iter()
            .map(|x| AdminAnswerView {
                org_id: x.org_id,
                org_name: x.org_name,
                admin_id: x.admin_id,
                nickname: x.admin_nickname,
                account_id: x.subject_id,
                answer: x.answer,
                at: to_datetime(x.at),
            })
            .collect(),
        flags: t.flags,
        audit: a
            .audit
            .into_iter()
            .map(|e| AuditView {
                actor: e.actor,
                actor_nickname: e.actor_nickname,
                action: e.action,
                detail: e.detail,
                ip: e.ip,
                at: to_datetime(e.at),
            })
            .collect(),
        decision_note: t.decision_note,
        wait_until: t.wait_until.map(to_datetime),
    }
}

fn loginmeta_network(ip: &str) -> Option<String> {
    domain::support::network_of(ip)
}

fn device_label(ua: &str) -> String {
    domain::support::device_label(ua)
}

fn trusted_view(list: Vec<TrustedContact>) -> TrustedContacts {
    TrustedContacts {
        trusted_contacts: list
            .into_iter()
            .map(|t| TrustedContactView {
                account_id: t.contact_id,
                nickname: t.nickname,
                active_from: to_datetime(t.active_from),
                active_until: t.active_until.map(to_datetime),
            })
            .collect(),
    }
}

fn vouch_view(v: VouchRequest) -> VouchRequestView {
    VouchRequestView {
        id: v.id,
        nickname: v.nickname,
        account_id: v.account_id,
        requester_ip: v.requester_ip,
        requester_network: v.requester_network,
        requester_device: v.requester_device,
        created_at: to_datetime(v.created_at),
        answer: v.answer,
        open: v.open,
        own: v.own,
    }
}

/// Opens a recovery ticket from a contact proved by a `support_contact` code.
#[utoipa::path(post, path = "/api/v1/support/tickets", tag = "support", request_body = NewTicket,
    responses((status = 201, body = TicketOpened), (status = 400, description = "invalid_code"), (status = 404, description = "not_found"), (status = 410, description = "code_expired"), (status = 422, description = "no_claims, invalid_date"), (status = 429, description = "too_many_requests")))]
pub async fn open(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiJson(req): ApiJson<NewTicket>,
) -> Result<(StatusCode, Json<TicketOpened>), ApiError> {
    let t = s
        .app
        .open_ticket(
            DomainTicket {
                contact_verification_id: req.contact_verification_id,
                contact_code: req.contact_code,
                claims: claims(req.claims),
                description: req.description,
                device_id: req.device_id,
                security_answers: req.security_answers,
            },
            &client,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TicketOpened {
            ticket_no: t.ticket_no,
            status_token: t.status_token,
        }),
    ))
}

/// The status link: status, when it last changed, and what is needed next.
#[utoipa::path(get, path = "/api/v1/support/tickets/{no}", tag = "support", params(("no" = String, Path, description = "The ticket number (`ticket_no`)."), ("token" = String, Query, description = "The `status_token` given when the ticket was opened.")),
    responses((status = 200, body = TicketStatus), (status = 404, description = "not_found")))]
pub async fn status(
    State(s): State<AppState>,
    ApiPath(no): ApiPath<String>,
    ApiQuery(q): ApiQuery<StatusQuery>,
) -> Result<Json<TicketStatus>, ApiError> {
    Ok(Json(status_view(s.app.ticket_status(&no, &q.token).await?)))
}

/// The requester adds information (answers a `need_info`).
#[utoipa::path(post, path = "/api/v1/support/tickets/{no}/replies",
    params(("no" = String, Path, description = "The ticket number (`ticket_no`).")), tag = "support", request_body = TicketReply,
    responses((status = 201, body = TicketStatus), (status = 404, description = "not_found"), (status = 409, description = "ticket_closed")))]
pub async fn reply(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiPath(no): ApiPath<String>,
    ApiJson(req): ApiJson<TicketReply>,
) -> Result<(StatusCode, Json<TicketStatus>), ApiError> {
    let st = s
        .app
        .reply_to_ticket(&no, &req.status_token, &req.text, &client)
        .await?;
    Ok((StatusCode::CREATED, Json(status_view(st))))
}

/// The cancel link sent to the account's channels: stops the recovery for good.
#[utoipa::path(post, path = "/api/v1/support/tickets/{no}/cancel",
    params(("no" = String, Path, description = "The ticket number (`ticket_no`).")), tag = "support", request_body = CancelTicket,
    responses((status = 204), (status = 404, description = "not_found"), (status = 410, description = "link_expired")))]
pub async fn cancel(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiPath(no): ApiPath<String>,
    ApiJson(req): ApiJson<CancelTicket>,
) -> Result<StatusCode, ApiError> {
    s.app.cancel_ticket(&no, &req.cancel_token, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// After the waiting period of an approved ticket: a one-time code goes to the proven contact.
#[utoipa::path(post, path = "/api/v1/support/tickets/{no}/code",
    params(("no" = String, Path, description = "The ticket number (`ticket_no`).")), tag = "support", request_body = StatusToken,
    responses((status = 202, body = TicketCodeSent), (status = 404, description = "not_found"), (status = 409, description = "ticket_closed waiting no_account"), (status = 429, description = "too_many_requests")))]
pub async fn code(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiPath(no): ApiPath<String>,
    ApiJson(req): ApiJson<StatusToken>,
) -> Result<(StatusCode, Json<TicketCodeSent>), ApiError> {
    let c = s
        .app
        .send_ticket_code(&no, &req.status_token, &client)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(TicketCodeSent {
            channel: c.channel.as_str().into(),
            masked_destination: c.masked_destination,
            expires_in: c.expires_in,
            resend_after: c.resend_after,
        }),
    ))
}

/// Sets the new password with the code: every session ends, two-factor is reset.
#[utoipa::path(post, path = "/api/v1/support/tickets/{no}/complete",
    params(("no" = String, Path, description = "The ticket number (`ticket_no`).")), tag = "support", request_body = CompleteTicket,
    responses((status = 204), (status = 400, description = "invalid_code"), (status = 404, description = "not_found"), (status = 409, description = "ticket_closed waiting code_required no_account"), (status = 410, description = "code_expired"), (status = 422, description = "weak_password")))]
pub async fn complete(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiPath(no): ApiPath<String>,
    ApiJson(req): ApiJson<CompleteTicket>,
) -> Result<StatusCode, ApiError> {
    s.app
        .complete_ticket(
            &no,
            &req.status_token,
            &req.code,
            &req.new_password,
            &client,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The agents' queue, oldest first (role `support_agent` with two-factor on).
#[utoipa::path(get, path = "/api/v1/agent/tickets", tag = "support", params(("status" = inline(Option<proto::support::TicketState>), Query, description = "Only tickets in this state.")),
    responses((status = 200, body = Queue), (status = 403, description = "not_support_agent")),
    security(("bearer" = [])))]
pub async fn queue(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> Result<Json<Queue>, ApiError> {
    let now = now_ms();
    let list = s
        .app
        .agent_queue(&auth, q.status.map(proto::support::TicketState::as_str))
        .await?;
    Ok(Json(Queue {
        tickets: list
            .into_iter()
            .map(|t| QueueEntry {
                age_secs: (now - t.created_at).max(0) / 1000,
                has_account: t.account_id.is_some(),
                ticket_no: t.ticket_no,
                status: t.status,
                created_at: to_datetime(t.created_at),
                updated_at: to_datetime(t.updated_at),
                flags: t.flags,
            })
            .collect(),
    }))
}

/// A ticket with its candidates and their evidence (audited).
#[utoipa::path(get, path = "/api/v1/agent/tickets/{no}",
    params(("no" = String, Path, description = "The ticket number (`ticket_no`).")), tag = "support",
    responses((status = 200, body = AgentTicket), (status = 403, description = "not_support_agent own_ticket"), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn ticket(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ClientInfo(client): ClientInfo,
    ApiLang(t): ApiLang,
    ApiPath(no): ApiPath<String>,
) -> Result<Json<AgentTicket>, ApiError> {
    Ok(Json(agent_view(
        s.app.agent_ticket(&auth, &no, &client).await?,
        t,
    )))
}

/// Picks the account the ticket is about (audited); its trusted colleagues are asked.
#[utoipa::path(post, path = "/api/v1/agent/tickets/{no}/candidate",
    params(("no" = String, Path, description = "The ticket number (`ticket_no`).")), tag = "support", request_body = PickCandidate,
    responses((status = 200, body = AgentTicket), (status = 403, description = "not_support_agent own_ticket"), (status = 404, description = "not_found"), (status = 409, description = "ticket_closed"), (status = 422, description = "unknown_account")),
    security(("bearer" = [])))]
pub async fn pick(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ClientInfo(client): ClientInfo,
    ApiLang(t): ApiLang,
    ApiPath(no): ApiPath<String>,
    ApiJson(req): ApiJson<PickCandidate>,
) -> Result<Json<AgentTicket>, ApiError> {
    Ok(Json(agent_view(
        s.app
            .pick_candidate(&auth, &no, &req.account_id, &client)
            .await?,
        t,
    )))
}

/// Approves (starts the waiting period), rejects, or asks for more information (audited).
#[utoipa::path(post, path = "/api/v1/agent/tickets/{no}/decision",
    params(("no" = String, Path, description = "The ticket number (`ticket_no`).")), tag = "support", request_body = DecideTicket,
    responses((status = 200, body = AgentTicket), (status = 403, description = "not_support_agent own_ticket"), (status = 404, description = "not_found"), (status = 409, description = "ticket_closed no_account org_admin_confirmation_required"), (status = 400, description = "invalid_request")),
    security(("bearer" = [])))]
pub async fn decide(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ClientInfo(client): ClientInfo,
    ApiLang(t): ApiLang,
    ApiPath(no): ApiPath<String>,
    ApiJson(req): ApiJson<DecideTicket>,
) -> Result<Json<AgentTicket>, ApiError> {
    let d = Decision::parse(req.decision.as_str())?;
    Ok(Json(agent_view(
        s.app
            .decide_ticket(&auth, &no, d, &req.note, &client)
            .await?,
        t,
    )))
}

/// The caller's trusted colleagues with `active_from`.
#[utoipa::path(get, path = "/api/v1/me/trusted-contacts", tag = "support",
    responses((status = 200, body = TrustedContacts)),
    security(("bearer" = [])))]
pub async fn trusted(
    State(s): State<AppState>,
    Auth(auth): Auth,
) -> Result<Json<TrustedContacts>, ApiError> {
    Ok(Json(trusted_view(
        s.app.trusted_contacts(&auth.account_id).await?,
    )))
}

/// Replaces the list: 2–5 colleagues (or none); changes take effect after the delay.
#[utoipa::path(put, path = "/api/v1/me/trusted-contacts", tag = "support", request_body = SetTrustedContacts,
    responses((status = 200, body = TrustedContacts), (status = 422, description = "trusted_contacts_count not_a_colleague"), (status = 400, description = "invalid_request")),
    security(("bearer" = [])))]
pub async fn set_trusted(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ClientInfo(client): ClientInfo,
    ApiJson(req): ApiJson<SetTrustedContacts>,
) -> Result<Json<TrustedContacts>, ApiError> {
    Ok(Json(trusted_view(
        s.app
            .set_trusted_contacts(&auth, &req.account_ids, &client)
            .await?,
    )))
}

/// Requests to vouch for a colleague's recovery, newest first.
#[utoipa::path(get, path = "/api/v1/me/vouch-requests", tag = "support",
    responses((status = 200, body = VouchRequests)),
    security(("bearer" = [])))]
pub async fn vouch_requests(
    State(s): State<AppState>,
    Auth(auth): Auth,
) -> Result<Json<VouchRequests>, ApiError> {
    let list = s.app.vouch_requests(&auth.account_id).await?;
    Ok(Json(VouchRequests {
        requests: list.into_iter().map(vouch_view).collect(),
    }))
}

/// Confirms or denies, once.
#[utoipa::path(post, path = "/api/v1/me/vouch-requests/{id}",
    params(("id" = String, Path, description = "The vouch request id.")), tag = "support", request_body = AnswerRequest,
    responses((status = 200, body = VouchRequestView), (status = 404, description = "not_found"), (status = 409, description = "already_answered")),
    security(("bearer" = [])))]
pub async fn answer_vouch(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ClientInfo(client): ClientInfo,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<AnswerRequest>,
) -> Result<Json<VouchRequestView>, ApiError> {
    let answer = Answer::parse(req.answer.as_str())?;
    Ok(Json(vouch_view(
        s.app
            .answer_vouch(&auth.account_id, &id, answer, &client)
            .await?,
    )))
}

/// Open recovery tickets about the enterprise's members (owners and admins).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/recovery-requests",
    params(("id" = String, Path, description = "The enterprise id.")), tag = "support",
    responses((status = 200, body = OrgRecoveryRequests), (status = 403, description = "not_org_admin"), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn org_requests(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<OrgRecoveryRequests>, ApiError> {
    let list = s.app.org_recovery_requests(&auth.account_id, &id).await?;
    Ok(Json(OrgRecoveryRequests {
        requests: list
            .into_iter()
            .map(|r| OrgRecoveryRequest {
                ticket_no: r.ticket_no,
                account_id: r.account_id,
                nickname: r.nickname,
                requester_ip: r.requester_ip,
                requester_network: r.requester_network,
                requester_device: r.requester_device,
                created_at: to_datetime(r.created_at),
                answer: r.answer,
            })
            .collect(),
    }))
}

/// An admin confirms or denies knowing the member (evidence for the agent).
#[utoipa::path(post, path = "/api/v1/orgs/{id}/recovery-requests/{no}",
    params(("id" = String, Path, description = "The enterprise id."), ("no" = String, Path, description = "The ticket number (`ticket_no`).")), tag = "support", request_body = AnswerRequest,
    responses((status = 204), (status = 403, description = "not_org_admin own_ticket"), (status = 404, description = "not_found"), (status = 409, description = "already_answered")),
    security(("bearer" = [])))]
pub async fn answer_org(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ClientInfo(client): ClientInfo,
    ApiPath((id, no)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<AnswerRequest>,
) -> Result<StatusCode, ApiError> {
    let answer = Answer::parse(req.answer.as_str())?;
    s.app
        .answer_org_recovery(&auth.account_id, &id, &no, answer, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
