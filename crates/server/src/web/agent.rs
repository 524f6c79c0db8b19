//! The agents' console (role `support_agent`, two-factor on; SECURITY 40, 43): `/agent` is the
//! queue by status with each ticket's age, `/agent/tickets/{no}` a ticket with the claims, the
//! requester's network and device, the candidates with their evidence, vouches, admins' answers,
//! flags, replies and the audit trail, and the forms to pick the account and decide. Every view
//! and action goes through the domain, which checks the role and two-factor and audits it. No
//! page here has a password field: an approval only starts the waiting period.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use domain::clock::{human, now_ms};
use domain::sessions::Authenticated;
use domain::support::agents::{AgentTicket, Decision};

use super::ctx::Ctx;
use super::i18n::Tr;
use super::pages::Shown;
use super::render::{page, redirect, shown};
use crate::evidence;

const STATUSES: [&str; 6] = [
    "open",
    "need_info",
    "approved",
    "rejected",
    "cancelled",
    "completed",
];

/// A catalog text, or `raw` when the catalog has none (a claim or action added later).
fn label(t: Tr, key: &str, raw: &str) -> String {
    let s = t.get(key);
    if s.starts_with('⟦') {
        raw.to_owned()
    } else {
        s
    }
}

/// "3 h 5 min", "2 d 4 h", "40 s".
fn age(t: Tr, secs: i64) -> String {
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    let n = |v: i64| v.to_string();
    if d > 0 {
        t.with("agent-age-days", &[("d", &n(d)), ("h", &n(h))])
    } else if h > 0 {
        t.with("agent-age-hours", &[("h", &n(h)), ("m", &n(m))])
    } else if m > 0 {
        t.with("agent-age-minutes", &[("m", &n(m))])
    } else {
        t.with("agent-age-seconds", &[("s", &n(secs.max(0)))])
    }
}

pub struct QueueRow {
    pub ticket_no: String,
    pub status: String,
    pub status_label: String,
    pub age: String,
    pub has_account: bool,
    pub flags: String,
}

#[derive(Template)]
#[template(path = "agent_queue.html")]
pub struct Queue {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    /// (value, label, current) for the status filter.
    pub filters: Vec<(String, String, bool)>,
    pub tickets: Vec<QueueRow>,
}

pub struct ItemRow {
    pub claim: String,
    pub result: String,
    pub result_label: String,
    pub weight: i32,
    pub detail: String,
    /// Without it the recommendation would differ.
    pub decisive: bool,
}

pub struct CandidateRow {
    pub account_id: String,
    pub nickname: String,
    pub reason: String,
    pub picked: bool,
    pub score: u32,
    pub recommendation: String,
    pub recommendation_label: String,
    /// "Private evidence: N points; …".
    pub private_line: String,
    pub items: Vec<ItemRow>,
    /// The items that made the difference: "claim: detail".
    pub decisive: Vec<String>,
}

#[derive(Template)]
#[template(path = "agent_ticket.html")]
pub struct TicketPage {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub ticket_no: String,
    pub status: String,
    pub status_label: String,
    pub created: String,
    pub age: String,
    pub open: bool,
    pub wait_until: Option<String>,
    pub decision_note: Option<String>,
    pub requester_ip: String,
    pub requester_network: String,
    pub requester_device: String,
    pub requester_contact: String,
    /// (label, value) of every claim given.
    pub claims: Vec<(String, String)>,
    pub description: String,
    pub candidates: Vec<CandidateRow>,
    /// Trusted colleagues: (nickname, answer label, asked at).
    pub vouches: Vec<(String, String, String)>,
    /// "Was it you?" asked of candidate accounts themselves: (nickname, answer label, asked at).
    pub own_checks: Vec<(String, String, String)>,
    /// (nickname, answer label, at)
    pub admin_answers: Vec<(String, String, String)>,
    pub flags: Vec<String>,
    /// (author label, text, at)
    pub replies: Vec<(String, String, String)>,
    /// (time, who, action code, action in words, detail, IP).
    pub audit: Vec<(String, String, String, String, String, String)>,
}

#[derive(Template)]
#[template(path = "agent_denied.html")]
pub struct Denied {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub needs_2fa: bool,
}

/// The page for a signed-in account the domain refused: no role, or no two-factor.
fn denied(ctx: Ctx, e: domain::Error) -> Response {
    let t = ctx.t();
    let (status, s) = shown(t, e);
    if status != StatusCode::FORBIDDEN {
        return error_page(ctx, status, s);
    }
    let tpl = Denied {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: true,
        title: t.get("agent-title"),
        needs_2fa: s.code == "agent_needs_2fa",
    };
    page(ctx, status, &tpl)
}

/// Another refusal (an unknown ticket, a bad filter) as a message page.
fn error_page(ctx: Ctx, status: StatusCode, s: Shown) -> Response {
    let t = ctx.t();
    let tpl = super::pages::Message {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: true,
        title: t.get("agent-title"),
        section_id: "agent-error".into(),
        text: s.message,
        link: Some(("/agent".into(), t.get("agent-back"), "to-queue".into())),
    };
    page(ctx, status, &tpl)
}

#[derive(Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    status: Option<String>,
}

pub async fn queue(ctx: Ctx, Query(q): Query<QueueQuery>) -> Response {
    let Some(auth) = ctx.auth().await else {
        return redirect(ctx, "/login");
    };
    let t = ctx.t();
    let filter = q.status.filter(|s| !s.is_empty());
    let list = match ctx.app.app.agent_queue(&auth, filter.as_deref()).await {
        Ok(l) => l,
        Err(e) => return denied(ctx, e),
    };
    let now = now_ms();
    let mut filters = vec![(String::new(), t.get("agent-filter-all"), filter.is_none())];
    filters.extend(STATUSES.iter().map(|s| {
        (
            (*s).to_owned(),
            t.get(&format!("agent-status-{s}")),
            filter.as_deref() == Some(s),
        )
    }));
    let tpl = Queue {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: true,
        title: t.get("agent-title"),
        errors: Vec::new(),
        filters,
        tickets: list
            .into_iter()
            .map(|x| QueueRow {
                status_label: label(t, &format!("agent-status-{}", x.status), &x.status),
                age: age(t, (now - x.created_at) / 1000),
                has_account: x.account_id.is_some(),
                flags: x
                    .flags
                    .iter()
                    .map(|f| label(t, &format!("agent-flag-{f}"), f))
                    .collect::<Vec<_>>()
                    .join(", "),
                ticket_no: x.ticket_no,
                status: x.status,
            })
            .collect(),
    };
    page(ctx, StatusCode::OK, &tpl)
}

fn ticket_page(ctx: Ctx, status: StatusCode, errors: Vec<Shown>, v: AgentTicket) -> Response {
    let t = ctx.t();
    let now = now_ms();
    let tk = &v.ticket;
    let c = &v.claims;
    let mut claims = Vec::new();
    let mut add = |key: &str, value: String| {
        if !value.is_empty() {
            claims.push((t.get(key), value));
        }
    };
    add("support-claim-phone", c.phone.clone().unwrap_or_default());
    add("support-claim-email", c.email.clone().unwrap_or_default());
    add("support-claim-nicknames", c.nicknames.join(", "));
    add(
        "support-claim-enterprise",
        c.enterprise.clone().unwrap_or_default(),
    );
    add("support-claim-contacts", c.contacts.join(", "));
    add("support-claim-devices", c.devices.join(", "));
    add("support-claim-places", c.places.join(", "));
    add(
        "support-claim-created",
        c.created_around.clone().unwrap_or_default(),
    );
    let answer = |a: Option<&str>| match a {
        Some(a) => label(t, &format!("agent-answer-{a}"), a),
        None => t.get("agent-answer-pending"),
    };
    let tpl = TicketPage {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: true,
        title: t.with("agent-ticket-title", &[("ticket", &tk.ticket_no)]),
        errors,
        ticket_no: tk.ticket_no.clone(),
        status: tk.status.clone(),
        status_label: label(t, &format!("agent-status-{}", tk.status), &tk.status),
        created: human(tk.created_at),
        age: age(t, (now - tk.created_at) / 1000),
        open: tk.status == "open" || tk.status == "need_info",
        wait_until: tk.wait_until.map(human),
        decision_note: tk.decision_note.clone(),
        requester_ip: tk.ip.clone(),
        requester_network: domain::support::network_of(&tk.ip).unwrap_or_default(),
        requester_device: domain::support::device_label(&tk.user_agent),
        requester_contact: v.masked_contact.clone(),
        claims,
        description: tk.description.clone(),
        candidates: v
            .candidates
            .iter()
            .map(|cand| CandidateRow {
                account_id: cand.account_id.clone(),
                nickname: cand.nickname.clone(),
                reason: label(t, &format!("agent-reason-{}", cand.reason), &cand.reason),
                picked: tk.account_id.as_deref() == Some(cand.account_id.as_str()),
                score: cand.evidence.score,
                recommendation: cand.evidence.recommendation.as_str().to_owned(),
                recommendation_label: t.get(&format!(
                    "agent-rec-{}",
                    cand.evidence.recommendation.as_str()
                )),
                private_line: t.with(
                    "agent-private-points",
                    &[
                        ("points", &cand.evidence.private_points.to_string()),
                        (
                            "min",
                            &ctx.app.app.config.support.private_evidence_min.to_string(),
                        ),
                    ],
                ),
                items: cand
                    .evidence
                    .items
                    .iter()
                    .map(|i| ItemRow {
                        claim: evidence::claim_label(t, i.claim),
                        result: i.result.as_str().to_owned(),
                        result_label: t.get(&format!("agent-result-{}", i.result.as_str())),
                        weight: i.weight,
                        detail: evidence::detail(t, i),
                        decisive: i.decisive,
                    })
                    .collect(),
                decisive: cand
                    .evidence
                    .items
                    .iter()
                    .filter(|i| i.decisive)
                    .map(|i| {
                        format!(
                            "{} ({:+}): {}",
                            evidence::claim_label(t, i.claim),
                            i.weight,
                            evidence::detail(t, i)
                        )
                    })
                    .collect(),
            })
            .collect(),
        vouches: v
            .vouches
            .iter()
            .filter(|x| !x.is_own())
            .map(|x| {
                (
                    x.voucher_nickname.clone(),
                    answer(x.answer.as_deref()),
                    human(x.created_at),
                )
            })
            .collect(),
        own_checks: v
            .vouches
            .iter()
            .filter(|x| x.is_own())
            .map(|x| {
                (
                    x.subject_nickname.clone(),
                    answer(x.answer.as_deref()),
                    human(x.created_at),
                )
            })
            .collect(),
        admin_answers: v
            .admin_answers
            .iter()
            .map(|x| {
                (
                    x.admin_nickname.clone(),
                    answer(Some(&x.answer)),
                    human(x.at),
                )
            })
            .collect(),
        flags: tk
            .flags
            .iter()
            .map(|f| label(t, &format!("agent-flag-{f}"), f))
            .collect(),
        replies: v
            .replies
            .iter()
            .map(|r| {
                (
                    label(t, &format!("agent-author-{}", r.author), &r.author),
                    r.body.clone(),
                    human(r.at),
                )
            })
            .collect(),
        audit: v
            .audit
            .iter()
            .map(|a| {
                let actor = match &a.actor_nickname {
                    Some(n) => n.clone(),
                    None => label(t, &format!("agent-actor-{}", a.actor), &a.actor),
                };
                // A picked account is named as the candidates list names it, an enterprise
                // whose admin answered by its name.
                let picked = v
                    .candidates
                    .iter()
                    .find(|c| a.action == "picked_candidate" && c.account_id == a.detail)
                    .map(|c| c.nickname.clone());
                let org = v
                    .admin_answers
                    .iter()
                    .find(|x| a.action.starts_with("admin_") && x.org_id == a.detail)
                    .map(|x| x.org_name.clone());
                let detail = picked.or(org).unwrap_or_else(|| a.detail.clone());
                (
                    human(a.at),
                    actor,
                    a.action.clone(),
                    label(t, &format!("agent-act-{}", a.action), &a.action),
                    detail,
                    a.ip.clone(),
                )
            })
            .collect(),
    };
    page(ctx, status, &tpl)
}

/// The ticket again after an action refused by the domain (which also audits this view).
async fn show_with(
    ctx: Ctx,
    auth: &Authenticated,
    no: &str,
    status: StatusCode,
    errors: Vec<Shown>,
) -> Response {
    match ctx.app.app.agent_ticket(auth, no, &ctx.client).await {
        Ok(v) => ticket_page(ctx, status, errors, v),
        Err(e) => denied(ctx, e),
    }
}

pub async fn ticket(ctx: Ctx, Path(no): Path<String>) -> Response {
    let Some(auth) = ctx.auth().await else {
        return redirect(ctx, "/login");
    };
    show_with(ctx, &auth, &no, StatusCode::OK, Vec::new()).await
}

#[derive(Deserialize)]
pub struct PickForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    account_id: String,
}

pub async fn pick(ctx: Ctx, Path(no): Path<String>, Form(f): Form<PickForm>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match ctx
        .app
        .app
        .pick_candidate(&auth, &no, &f.account_id, &ctx.client)
        .await
    {
        Ok(_) => redirect(ctx, &format!("/agent/tickets/{no}")),
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            show_with(ctx, &auth, &no, status, vec![s]).await
        }
    }
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

pub async fn decide(ctx: Ctx, Path(no): Path<String>, Form(f): Form<DecisionForm>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let r = match Decision::parse(&f.decision) {
        Ok(d) => {
            ctx.app
                .app
                .decide_ticket(&auth, &no, d, &f.note, &ctx.client)
                .await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => redirect(ctx, &format!("/agent/tickets/{no}")),
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            show_with(ctx, &auth, &no, status, vec![s]).await
        }
    }
}
