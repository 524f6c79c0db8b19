//! A member's side of support-desk recovery: the trusted colleagues in settings
//! (`/settings/trusted`: 2–5 colleagues, each change counting after the activation delay), the
//! requests to vouch for a colleague (`/vouches`: who asks, from which network and device,
//! confirm or deny), and for enterprise owners and admins the recovery requests of their
//! members (`/orgs/{id}/recovery-requests`).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use domain::clock::{human, now_ms};
use domain::sessions::Authenticated;
use domain::support::Answer;

use super::ctx::Ctx;
use super::i18n::Tr;
use super::pages::Shown;
use super::render::{page, redirect, shown};

pub struct TrustedRow {
    pub nickname: String,
    /// `active`, `pending` or `leaving`.
    pub state: String,
    pub state_label: String,
}

#[derive(Template)]
#[template(path = "settings_trusted.html")]
pub struct TrustedPage {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    /// "Saved; counts after …" right after a change.
    pub saved: Option<String>,
    pub current: Vec<TrustedRow>,
    /// (account id, nickname, chosen) of every colleague.
    pub colleagues: Vec<(String, String, bool)>,
    pub delay_hint: String,
}

pub struct VouchRow {
    pub id: String,
    pub nickname: String,
    pub ip: String,
    pub network: String,
    pub device: String,
    pub asked: String,
    pub answer: Option<String>,
    pub open: bool,
    /// "Was it you?", asked of the account itself.
    pub own: bool,
}

#[derive(Template)]
#[template(path = "vouches.html")]
pub struct VouchesPage {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub requests: Vec<VouchRow>,
    /// Some request is a colleague's (the intro is about those).
    pub colleagues_ask: bool,
    /// (org id, name) of the enterprises the member manages.
    pub managed: Vec<(String, String)>,
}

pub struct OrgRequestRow {
    pub ticket_no: String,
    pub nickname: String,
    pub ip: String,
    pub network: String,
    pub device: String,
    pub asked: String,
    pub answer: Option<String>,
}

#[derive(Template)]
#[template(path = "org_recovery.html")]
pub struct OrgRecoveryPage {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub org_id: String,
    pub requests: Vec<OrgRequestRow>,
}

/// "24 h", "10 min", "5 s": the activation delay in words.
fn duration(t: Tr, secs: i64) -> String {
    let n = |v: i64| v.to_string();
    if secs >= 3600 && secs % 3600 == 0 {
        t.with("trusted-delay-hours", &[("h", &n(secs / 3600))])
    } else if secs >= 60 && secs % 60 == 0 {
        t.with("trusted-delay-minutes", &[("m", &n(secs / 60))])
    } else {
        t.with("trusted-delay-seconds", &[("s", &n(secs))])
    }
}

fn answer_label(t: Tr, a: Option<&str>) -> Option<String> {
    a.map(|a| t.get(&format!("agent-answer-{a}")))
}

async fn trusted_page(
    ctx: Ctx,
    auth: &Authenticated,
    status: StatusCode,
    errors: Vec<Shown>,
    saved: bool,
) -> Response {
    let t = ctx.t();
    let app = &ctx.app.app;
    let now = now_ms();
    let (list, contacts) = match (
        app.trusted_contacts(&auth.account_id).await,
        app.contacts(&auth.account_id).await,
    ) {
        (Ok(l), Ok(c)) => (l, c),
        (Err(e), _) | (_, Err(e)) => {
            let (status, s) = shown(t, e);
            return render_trusted(ctx, status, vec![s], false, Vec::new(), Vec::new());
        }
    };
    let chosen: Vec<&str> = list
        .iter()
        .filter(|x| x.active_until.is_none())
        .map(|x| x.contact_id.as_str())
        .collect();
    let colleagues = contacts
        .iter()
        .filter(|c| c.colleague)
        .map(|c| {
            (
                c.account_id.clone(),
                c.nickname.clone(),
                chosen.contains(&c.account_id.as_str()),
            )
        })
        .collect();
    let current = list
        .iter()
        .map(|x| {
            let (state, label) = match x.active_until {
                Some(u) => ("leaving", t.with("trusted-leaving", &[("time", &human(u))])),
                None if x.active_from > now => (
                    "pending",
                    t.with("trusted-pending", &[("time", &human(x.active_from))]),
                ),
                None => (
                    "active",
                    t.with("trusted-active", &[("time", &human(x.active_from))]),
                ),
            };
            TrustedRow {
                nickname: x.nickname.clone(),
                state: state.into(),
                state_label: label,
            }
        })
        .collect();
    render_trusted(ctx, status, errors, saved, current, colleagues)
}

fn render_trusted(
    ctx: Ctx,
    status: StatusCode,
    errors: Vec<Shown>,
    saved: bool,
    current: Vec<TrustedRow>,
    colleagues: Vec<(String, String, bool)>,
) -> Response {
    let t = ctx.t();
    let delay = duration(t, ctx.app.app.config.support.trusted_activation_secs);
    let tpl = TrustedPage {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: true,
        title: t.get("trusted-title"),
        errors,
        saved: saved.then(|| t.with("trusted-saved", &[("delay", &delay)])),
        current,
        colleagues,
        delay_hint: t.with("trusted-delay-hint", &[("delay", &delay)]),
    };
    page(ctx, status, &tpl)
}

#[derive(Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

pub async fn trusted(ctx: Ctx, Query(q): Query<SavedQuery>) -> Response {
    let Some(auth) = ctx.auth().await else {
        return redirect(ctx, "/login");
    };
    trusted_page(ctx, &auth, StatusCode::OK, Vec::new(), q.saved.is_some()).await
}

/// The list is sent as repeated `account_ids` fields (checkboxes), so the form is read as
/// pairs.
pub async fn set_trusted(ctx: Ctx, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (ctx, auth) = match ctx.form_auth(&field("csrf")).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let ids: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "account_ids")
        .map(|(_, v)| v.clone())
        .collect();
    match ctx
        .app
        .app
        .set_trusted_contacts(&auth, &ids, &ctx.client)
        .await
    {
        Ok(_) => redirect(ctx, "/settings/trusted?saved=1"),
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            trusted_page(ctx, &auth, status, vec![s], false).await
        }
    }
}

async fn vouches_page(
    ctx: Ctx,
    auth: &Authenticated,
    status: StatusCode,
    errors: Vec<Shown>,
) -> Response {
    let t = ctx.t();
    let app = &ctx.app.app;
    let list = app
        .vouch_requests(&auth.account_id)
        .await
        .unwrap_or_default();
    let managed = app
        .my_orgs(&auth.account_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|o| domain::chat::role::manages(&o.my_role))
        .map(|o| (o.org.id, o.org.name))
        .collect();
    let colleagues_ask = list.iter().any(|v| !v.own);
    let tpl = VouchesPage {
        colleagues_ask,
        t,
        csrf: ctx.csrf.clone(),
        logged_in: true,
        title: t.get("vouches-title"),
        errors,
        requests: list
            .into_iter()
            .map(|v| VouchRow {
                answer: answer_label(t, v.answer.as_deref()),
                id: v.id,
                nickname: v.nickname,
                ip: v.requester_ip,
                network: v.requester_network.unwrap_or_default(),
                device: v.requester_device,
                asked: human(v.created_at),
                open: v.open,
                own: v.own,
            })
            .collect(),
        managed,
    };
    page(ctx, status, &tpl)
}

pub async fn vouches(ctx: Ctx) -> Response {
    let Some(auth) = ctx.auth().await else {
        return redirect(ctx, "/login");
    };
    vouches_page(ctx, &auth, StatusCode::OK, Vec::new()).await
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    answer: String,
}

pub async fn answer_vouch(ctx: Ctx, Path(id): Path<String>, Form(f): Form<AnswerForm>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let r = match Answer::parse(&f.answer) {
        Ok(a) => {
            ctx.app
                .app
                .answer_vouch(&auth.account_id, &id, a, &ctx.client)
                .await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => redirect(ctx, "/vouches"),
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            vouches_page(ctx, &auth, status, vec![s]).await
        }
    }
}

async fn org_page(
    ctx: Ctx,
    auth: &Authenticated,
    org_id: String,
    status: StatusCode,
    mut errors: Vec<Shown>,
) -> Response {
    let t = ctx.t();
    let (status, requests) = match ctx
        .app
        .app
        .org_recovery_requests(&auth.account_id, &org_id)
        .await
    {
        Ok(l) => (status, l),
        Err(e) => {
            let (st, s) = shown(t, e);
            errors.push(s);
            (st, Vec::new())
        }
    };
    let tpl = OrgRecoveryPage {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: true,
        title: t.get("org-recovery-title"),
        errors,
        org_id,
        requests: requests
            .into_iter()
            .map(|r| OrgRequestRow {
                answer: answer_label(t, r.answer.as_deref()),
                ticket_no: r.ticket_no,
                nickname: r.nickname,
                ip: r.requester_ip,
                network: r.requester_network.unwrap_or_default(),
                device: r.requester_device,
                asked: human(r.created_at),
            })
            .collect(),
    };
    page(ctx, status, &tpl)
}

pub async fn org_requests(ctx: Ctx, Path(id): Path<String>) -> Response {
    let Some(auth) = ctx.auth().await else {
        return redirect(ctx, "/login");
    };
    org_page(ctx, &auth, id, StatusCode::OK, Vec::new()).await
}

pub async fn answer_org(
    ctx: Ctx,
    Path((id, no)): Path<(String, String)>,
    Form(f): Form<AnswerForm>,
) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let r = match Answer::parse(&f.answer) {
        Ok(a) => {
            ctx.app
                .app
                .answer_org_recovery(&auth.account_id, &id, &no, a, &ctx.client)
                .await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => redirect(ctx, &format!("/orgs/{id}/recovery-requests")),
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            org_page(ctx, &auth, id, status, vec![s]).await
        }
    }
}
