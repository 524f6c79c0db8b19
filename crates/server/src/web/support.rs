//! The support desk for someone locked out (SPEC §4): `/support` proves a contact with a code,
//! then takes what they remember; the status page `/support/tickets/{no}?token=` follows the
//! ticket (status and what is needed next — never account data, never which claims matched),
//! takes a reply when more information is asked for, and after the approval and its waiting
//! period sends the one-time code and sets the new password. `/support/cancel` is the page behind
//! the link sent to the account's own channels: GET explains, POST cancels.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use domain::clock::{human, now_ms};
use domain::identifier::Channel;
use domain::support::evidence::Claims;
use domain::support::tickets::{NewTicket, TicketStatus};
use domain::verification::{CodeSent, Purpose};

use super::ctx::Ctx;
use super::i18n::Tr;
use super::pages::{self, Shown};
use super::render::{page, redirect, shown};

/// The steps of `/support`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Contact,
    Code,
    Claims,
}

/// What the claims form shows again after a refusal.
#[derive(Default)]
pub struct ClaimsForm {
    pub phone: String,
    pub email: String,
    pub nicknames: String,
    pub enterprise: String,
    pub contacts: String,
    pub devices: String,
    pub places: String,
    pub created_around: String,
    pub description: String,
    /// The first step's choice of channel and the phone/e-mail typed there.
    pub channel: String,
    pub destination: String,
}

#[derive(Template)]
#[template(path = "support_start.html")]
pub struct SupportStart {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub stage: Stage,
    pub verification_id: String,
    pub code: String,
    pub sent: String,
    pub resend_after: i64,
    pub form: ClaimsForm,
}

#[derive(Template)]
#[template(path = "support_status.html")]
pub struct SupportStatus {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub ticket_no: String,
    pub token: String,
    /// The full private link, shown with a warning right after the ticket was opened.
    pub new_link: Option<String>,
    /// `open`, `need_info`, `approved`, `rejected`, `cancelled`, `completed`; empty when the
    /// page has no (right) token.
    pub status: String,
    pub status_label: String,
    pub next: String,
    pub updated: String,
    /// The agent's question of a `need_info`.
    pub question: Option<String>,
    /// Approved and the waiting period is over.
    pub ready: bool,
    pub code_sent: bool,
}

#[derive(Template)]
#[template(path = "support_cancel.html")]
pub struct SupportCancel {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub ticket: String,
    pub token: String,
    pub done: bool,
}

#[allow(clippy::too_many_arguments)] // the parts of one multi-step form
fn start_page(
    ctx: Ctx,
    status: StatusCode,
    errors: Vec<Shown>,
    stage: Stage,
    sent: Option<&CodeSent>,
    verification_id: String,
    code: String,
    form: ClaimsForm,
) -> Response {
    let t = ctx.t();
    let minutes = (ctx.app.app.config.codes.ttl_secs / 60).to_string();
    let tpl = SupportStart {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: false,
        title: t.get("support-title"),
        errors,
        stage,
        sent: sent
            .map(|s| {
                t.with(
                    "register-code-sent",
                    &[
                        ("destination", &s.masked_destination),
                        ("minutes", &minutes),
                    ],
                )
            })
            .unwrap_or_default(),
        resend_after: sent.map(|s| s.resend_after).unwrap_or(0),
        verification_id: sent.map(|s| s.id.clone()).unwrap_or(verification_id),
        code,
        form,
    };
    page(ctx, status, &tpl)
}

pub async fn show(ctx: Ctx) -> Response {
    start_page(
        ctx,
        StatusCode::OK,
        Vec::new(),
        Stage::Contact,
        None,
        String::new(),
        String::new(),
        ClaimsForm::default(),
    )
}

#[derive(Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    destination: String,
}

/// Step 1: a `support_contact` code to the phone or e-mail the requester controls.
pub async fn contact(ctx: Ctx, Form(f): Form<ContactForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    let channel = Channel::parse(&f.channel).unwrap_or(Channel::Sms);
    let r = ctx
        .app
        .app
        .start_verification(
            Purpose::SupportContact,
            channel,
            &f.destination,
            &ctx.client,
        )
        .await;
    let empty = String::new;
    match r {
        Ok(sent) => start_page(
            ctx,
            StatusCode::OK,
            Vec::new(),
            Stage::Code,
            Some(&sent),
            empty(),
            empty(),
            ClaimsForm::default(),
        ),
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            start_page(
                ctx,
                status,
                vec![s],
                Stage::Contact,
                None,
                empty(),
                empty(),
                ClaimsForm {
                    channel: channel.as_str().to_owned(),
                    destination: f.destination.trim().to_owned(),
                    ..ClaimsForm::default()
                },
            )
        }
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    verification_id: String,
    #[serde(default)]
    code: String,
}

/// Step 1, answered: the code is checked (not used up: the ticket uses it) and the claims form
/// carries it on.
pub async fn verify(ctx: Ctx, Form(f): Form<CodeForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    let code = f.code.trim().to_owned();
    match ctx
        .app
        .app
        .check_support_contact(&f.verification_id, &code)
        .await
    {
        Ok(()) => start_page(
            ctx,
            StatusCode::OK,
            Vec::new(),
            Stage::Claims,
            None,
            f.verification_id,
            code,
            ClaimsForm::default(),
        ),
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            start_page(
                ctx,
                status,
                vec![s],
                Stage::Code,
                None,
                f.verification_id,
                String::new(),
                ClaimsForm::default(),
            )
        }
    }
}

#[derive(Deserialize)]
pub struct ResendForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    verification_id: String,
}

pub async fn resend(ctx: Ctx, Form(f): Form<ResendForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    let r = ctx
        .app
        .app
        .resend_verification(&f.verification_id, &ctx.client)
        .await;
    let (status, errors, sent) = match r {
        Ok(sent) => (StatusCode::OK, Vec::new(), Some(sent)),
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            (status, vec![s], None)
        }
    };
    start_page(
        ctx,
        status,
        errors,
        Stage::Code,
        sent.as_ref(),
        f.verification_id,
        String::new(),
        ClaimsForm::default(),
    )
}

#[derive(Deserialize)]
pub struct TicketForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    verification_id: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    nicknames: String,
    #[serde(default)]
    enterprise: String,
    #[serde(default)]
    contacts: String,
    #[serde(default)]
    devices: String,
    #[serde(default)]
    places: String,
    #[serde(default)]
    created_around: String,
    /// One answer per line (an answer may hold commas); never shown back on an error.
    #[serde(default)]
    security_answers: String,
    #[serde(default)]
    description: String,
}

/// A list field: one entry per line or comma (also the full-width `，` and `、`).
fn entries(s: &str) -> Vec<String> {
    s.split(['\n', ',', '，', '、', ';', '；'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_owned)
        .collect()
}

fn optional(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Step 2: the claims; the ticket is opened and the requester sent to its status page, where the
/// private link is shown once with a warning to keep it.
pub async fn open(ctx: Ctx, Form(f): Form<TicketForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    let req = NewTicket {
        contact_verification_id: f.verification_id.clone(),
        contact_code: f.code.clone(),
        claims: Claims {
            phone: optional(&f.phone),
            email: optional(&f.email),
            nicknames: entries(&f.nicknames),
            enterprise: optional(&f.enterprise),
            contacts: entries(&f.contacts),
            devices: entries(&f.devices),
            places: entries(&f.places),
            created_around: optional(&f.created_around),
        },
        description: f.description.clone(),
        device_id: Some(ctx.device_id.clone()),
        security_answers: f
            .security_answers
            .lines()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    match ctx.app.app.open_ticket(req, &ctx.client).await {
        Ok(t) => {
            let to = format!(
                "/support/tickets/{}?token={}&new=1",
                t.ticket_no, t.status_token
            );
            redirect(ctx, &to)
        }
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            // A dead code sends the requester back to step 1; anything else keeps the form.
            let stage = if matches!(s.code.as_str(), "code_expired" | "not_found") {
                Stage::Contact
            } else {
                Stage::Claims
            };
            let form = ClaimsForm {
                phone: f.phone,
                email: f.email,
                nicknames: f.nicknames,
                enterprise: f.enterprise,
                contacts: f.contacts,
                devices: f.devices,
                places: f.places,
                created_around: f.created_around,
                description: f.description,
                ..ClaimsForm::default()
            };
            start_page(
                ctx,
                status,
                vec![s],
                stage,
                None,
                f.verification_id,
                f.code,
                form,
            )
        }
    }
}

#[derive(Deserialize)]
pub struct StatusQuery {
    #[serde(default)]
    token: String,
    #[serde(default)]
    new: Option<String>,
}

/// The status page; without a right token it only asks for the link (a wrong token and an
/// unknown number look the same).
fn status_page(
    ctx: Ctx,
    ticket_no: String,
    token: String,
    fresh: bool,
    status: StatusCode,
    mut errors: Vec<Shown>,
    s: Option<TicketStatus>,
) -> Response {
    let t = ctx.t();
    let base = ctx
        .app
        .app
        .config
        .public_url
        .trim_end_matches('/')
        .to_owned();
    let now = now_ms();
    let (st, label, next, updated, question, ready, code_sent) = match &s {
        Some(s) => {
            let ready = s.status == "approved" && s.wait_until.is_some_and(|w| w <= now);
            let next = match (s.status.as_str(), s.wait_until) {
                ("approved", Some(w)) if w > now => {
                    t.with("support-next-waiting", &[("time", &human(w))])
                }
                ("approved", _) if s.code_sent => t.get("support-next-code-sent"),
                (other, _) => t.get(&format!("support-next-{other}")),
            };
            let question = (s.status == "need_info")
                .then(|| s.message.clone())
                .flatten();
            (
                s.status.clone(),
                t.get(&format!("support-status-{}", s.status)),
                next,
                human(s.updated_at),
                question,
                ready,
                s.code_sent,
            )
        }
        None => {
            if !token.is_empty() && errors.is_empty() {
                errors.push(shown(t, domain::Error::NotFound).1);
            }
            Default::default()
        }
    };
    let tpl = SupportStatus {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: false,
        title: t.with("support-status-title", &[("ticket", &ticket_no)]),
        errors,
        new_link: (fresh && s.is_some())
            .then(|| format!("{base}/support/tickets/{ticket_no}?token={token}")),
        ticket_no,
        token,
        status: st,
        status_label: label,
        next,
        updated,
        question,
        ready,
        code_sent,
    };
    page(ctx, status, &tpl)
}

pub async fn status(ctx: Ctx, Path(no): Path<String>, Query(q): Query<StatusQuery>) -> Response {
    let s = if q.token.is_empty() {
        None
    } else {
        ctx.app.app.ticket_status(&no, &q.token).await.ok()
    };
    let code = if s.is_none() && !q.token.is_empty() {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    status_page(ctx, no, q.token, q.new.is_some(), code, Vec::new(), s)
}

/// After an action on the status page: back to it, or the page again with the error.
async fn after(ctx: Ctx, no: String, token: String, r: Result<(), domain::Error>) -> Response {
    match r {
        Ok(()) => {
            let to = format!("/support/tickets/{no}?token={token}");
            redirect(ctx, &to)
        }
        Err(e) => {
            let (code, s) = shown(ctx.t(), e);
            let st = ctx.app.app.ticket_status(&no, &token).await.ok();
            status_page(ctx, no, token, false, code, vec![s], st)
        }
    }
}

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    text: String,
}

pub async fn reply(ctx: Ctx, Path(no): Path<String>, Form(f): Form<ReplyForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    let r = ctx
        .app
        .app
        .reply_to_ticket(&no, &f.token, &f.text, &ctx.client)
        .await
        .map(|_| ());
    after(ctx, no, f.token, r).await
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
}

pub async fn send_code(ctx: Ctx, Path(no): Path<String>, Form(f): Form<TokenForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    let r = ctx
        .app
        .app
        .send_ticket_code(&no, &f.token, &ctx.client)
        .await
        .map(|_| ());
    after(ctx, no, f.token, r).await
}

#[derive(Deserialize)]
pub struct CompleteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    new_password: String,
}

pub async fn complete(
    mut ctx: Ctx,
    Path(no): Path<String>,
    Form(f): Form<CompleteForm>,
) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    match ctx
        .app
        .app
        .complete_ticket(&no, &f.token, &f.code, &f.new_password, &ctx.client)
        .await
    {
        Ok(()) => {
            ctx.clear_session();
            redirect(ctx, "/support/done")
        }
        Err(e) => after(ctx, no, f.token, Err(e)).await,
    }
}

pub async fn done(ctx: Ctx) -> Response {
    let t = ctx.t();
    let tpl = pages::Message {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: false,
        title: t.get("support-done-title"),
        section_id: "support-done".into(),
        text: t.get("support-done-text"),
        link: Some(("/login".into(), t.get("forgot-to-login"), "to-login".into())),
    };
    page(ctx, StatusCode::OK, &tpl)
}

#[derive(Deserialize)]
pub struct CancelQuery {
    #[serde(default)]
    ticket: String,
    #[serde(default)]
    token: String,
}

fn cancel_render(
    ctx: Ctx,
    ticket: String,
    token: String,
    status: StatusCode,
    errors: Vec<Shown>,
    done: bool,
) -> Response {
    let t = ctx.t();
    let tpl = SupportCancel {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: false,
        title: t.get("support-cancel-title"),
        errors,
        ticket,
        token,
        done,
    };
    page(ctx, status, &tpl)
}

/// GET never cancels: it explains and offers the button.
pub async fn cancel_page(ctx: Ctx, Query(q): Query<CancelQuery>) -> Response {
    cancel_render(ctx, q.ticket, q.token, StatusCode::OK, Vec::new(), false)
}

#[derive(Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    ticket: String,
    #[serde(default)]
    token: String,
}

pub async fn cancel(ctx: Ctx, Form(f): Form<CancelForm>) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    match ctx
        .app
        .app
        .cancel_ticket(&f.ticket, &f.token, &ctx.client)
        .await
    {
        Ok(()) => cancel_render(
            ctx,
            f.ticket,
            String::new(),
            StatusCode::OK,
            Vec::new(),
            true,
        ),
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            cancel_render(ctx, f.ticket, f.token, status, vec![s], false)
        }
    }
}

#[derive(Deserialize)]
pub struct MineForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    ticket: String,
}

/// The banner's button: the signed-in owner stops a recovery of their own account.
pub async fn cancel_mine(ctx: Ctx, Form(f): Form<MineForm>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match ctx
        .app
        .app
        .cancel_own_ticket(&auth.account_id, &f.ticket, &ctx.client)
        .await
    {
        Ok(()) => cancel_render(
            ctx,
            f.ticket,
            String::new(),
            StatusCode::OK,
            Vec::new(),
            true,
        ),
        Err(e) => super::chat::problem_page(ctx, e, ("/chat", "chat-back")),
    }
}
