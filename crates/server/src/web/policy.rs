//! The enterprise's security pages for its owners and admins: the policy (owners change it,
//! admins read it) and the members' posture with the actions on a member and the audit log. The
//! pages show what the domain decided; they decide nothing.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;

use domain::clock::human;
use domain::policy::view::{AUDIT_PAGE, PostureFilter};
use domain::policy::{Action, PolicyInput};
use domain::sessions::Authenticated;
use domain::store::OrgPolicy;

use super::chat::{problem_page, signed_in};
use super::ctx::Ctx;
use super::i18n::Tr;
use super::pages::Shown;
use super::render::{page, redirect, shown};

#[derive(Template)]
#[template(path = "org_policy.html")]
pub struct PolicyPage {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub saved: bool,
    pub org_id: String,
    /// Owners may change it; admins read it.
    pub editable: bool,
    pub require: String,
    pub choices: Vec<(String, String)>,
    pub grace_days: String,
    pub min_length: String,
    pub min_score: String,
    pub composition: bool,
    pub max_age_hours: String,
    pub idle_minutes: String,
    pub networks: String,
    pub support_needs_admin: bool,
}

fn opt(n: Option<i64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

async fn policy_page(
    ctx: Ctx,
    auth: &Authenticated,
    org_id: &str,
    status: StatusCode,
    errors: Vec<Shown>,
    saved: bool,
    shown_policy: Option<OrgPolicy>,
) -> Response {
    let t = ctx.t();
    let app = &ctx.app.app;
    let (org, stored) = match (
        app.org(&auth.account_id, org_id).await,
        app.org_policy(&auth.account_id, org_id).await,
    ) {
        (Ok(o), Ok(p)) => (o, p),
        (Err(e), _) | (_, Err(e)) => return problem_page(ctx, e, ("/orgs", "orgs-back")),
    };
    let p = shown_policy.unwrap_or(stored);
    let tpl = PolicyPage {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: true,
        title: t.with("policy-title", &[("org", &org.org.name)]),
        errors,
        saved,
        org_id: org_id.to_owned(),
        editable: org.my_role == domain::chat::role::OWNER,
        require: p.require_second_factor.clone(),
        choices: ["off", "any", "passkey"]
            .iter()
            .map(|c| ((*c).to_owned(), t.get(&format!("policy-2fa-{c}"))))
            .collect(),
        grace_days: p.grace_days.to_string(),
        min_length: opt(p.password_min_length),
        min_score: opt(p.password_min_score),
        composition: p.password_require_composition,
        max_age_hours: opt(p.session_max_age_hours),
        idle_minutes: opt(p.session_idle_minutes),
        networks: p.allowed_networks.join("\n"),
        support_needs_admin: p.support_needs_admin,
    };
    page(ctx, status, &tpl)
}

pub async fn show_policy(ctx: Ctx, Path(id): Path<String>) -> Response {
    let (ctx, auth) = match signed_in(ctx).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    policy_page(ctx, &auth, &id, StatusCode::OK, Vec::new(), false, None).await
}

/// A number field: empty is "not set"; anything else must be a whole number.
fn number(f: &HashMap<String, String>, name: &str) -> Result<Option<i64>, domain::Error> {
    match f.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| domain::Error::InvalidRequest(format!("{name} must be a whole number"))),
    }
}

fn input_of(f: &HashMap<String, String>) -> Result<PolicyInput, domain::Error> {
    Ok(PolicyInput {
        require_second_factor: f.get("require_second_factor").cloned().unwrap_or_default(),
        grace_days: number(f, "grace_days")?.unwrap_or(0),
        password_min_length: number(f, "password_min_length")?,
        password_min_score: number(f, "password_min_score")?,
        password_require_composition: Some(f.contains_key("password_require_composition")),
        session_max_age_hours: number(f, "session_max_age_hours")?,
        session_idle_minutes: number(f, "session_idle_minutes")?,
        allowed_networks: f
            .get("allowed_networks")
            .map(|v| {
                v.split(['\n', ',', ' '])
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        support_needs_admin: f.contains_key("support_needs_admin"),
    })
}

pub async fn save_policy(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let csrf = f.get("csrf").cloned().unwrap_or_default();
    let (ctx, auth) = match ctx.form_auth(&csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let r = match input_of(&f) {
        Ok(input) => {
            ctx.app
                .app
                .set_org_policy(&auth.account_id, &id, &input, &ctx.client)
                .await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => policy_page(ctx, &auth, &id, StatusCode::OK, Vec::new(), true, None).await,
        Err(domain::Error::NotFound) => {
            problem_page(ctx, domain::Error::NotFound, ("/orgs", "orgs-back"))
        }
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            policy_page(ctx, &auth, &id, status, vec![s], false, None).await
        }
    }
}

pub struct PostureRow {
    pub account_id: String,
    pub nickname: String,
    pub role: String,
    pub factors: String,
    pub password_age: String,
    pub last_login: String,
    pub sessions: usize,
    pub suspended: bool,
    /// Offboarded (离职), within the window to undo it.
    pub offboarded: bool,
    pub status: String,
    pub me: bool,
}

pub struct AuditRow {
    pub at: String,
    pub kind: String,
    pub actor: String,
    pub subject: String,
}

#[derive(Template)]
#[template(path = "org_security.html")]
pub struct SecurityPage {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub org_id: String,
    pub filter: String,
    pub members: Vec<PostureRow>,
    pub audit: Vec<AuditRow>,
    /// Current members who can take over an offboarded member's groups: (account id, name).
    pub colleagues: Vec<(String, String)>,
}

async fn security_page(
    ctx: Ctx,
    auth: &Authenticated,
    org_id: &str,
    filter: &str,
    status: StatusCode,
    errors: Vec<Shown>,
) -> Response {
    let t = ctx.t();
    let app = &ctx.app.app;
    let me = &auth.account_id;
    let pf = PostureFilter::parse(Some(filter)).unwrap_or(PostureFilter::All);
    let (org, posture, all, audit) = match (
        app.org(me, org_id).await,
        app.org_security_members(me, org_id, pf).await,
        app.org_members(me, org_id).await,
        app.org_audit(me, org_id, None, None, None, None, None, AUDIT_PAGE)
            .await,
    ) {
        (Ok(o), Ok(p), Ok(a), Ok(l)) => (o, p, a, l),
        (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => {
            return problem_page(ctx, e, ("/orgs", "orgs-back"));
        }
    };
    let name_of = |id: &str| {
        all.iter()
            .find(|m| m.account_id == id)
            .map(|m| m.nickname.clone())
            .unwrap_or_else(|| id.to_owned())
    };
    let colleagues = all
        .iter()
        .filter(|m| m.left_at.is_none())
        .map(|m| (m.account_id.clone(), m.nickname.clone()))
        .collect();
    let tpl = SecurityPage {
        colleagues,
        t,
        csrf: ctx.csrf.clone(),
        logged_in: true,
        title: t.with("security-view-title", &[("org", &org.org.name)]),
        errors,
        org_id: org_id.to_owned(),
        filter: filter.to_owned(),
        members: posture
            .into_iter()
            .map(|p| PostureRow {
                me: p.account_id == *me,
                factors: if p.second_factor.is_empty() {
                    t.get("security-view-no-factor")
                } else {
                    p.second_factor
                        .iter()
                        .map(|f| t.get(&format!("security-view-factor-{f}")))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                password_age: t.with(
                    "security-view-days",
                    &[("days", &p.password_age_days.to_string())],
                ),
                last_login: p.last_login_at.map(human).unwrap_or_default(),
                sessions: p.active_sessions,
                suspended: p.status == "suspended",
                offboarded: p.status == "offboarded",
                status: t.get(&format!("security-view-status-{}", p.status)),
                role: t.get(&format!("role-{}", p.role)),
                account_id: p.account_id,
                nickname: p.nickname,
            })
            .collect(),
        audit: audit
            .entries
            .into_iter()
            .map(|e| AuditRow {
                at: human(e.at),
                kind: t.get(&format!("audit-{}", e.kind)),
                actor: name_of(&e.actor_id),
                subject: e.subject_id.as_deref().map(name_of).unwrap_or_default(),
            })
            .collect(),
    };
    page(ctx, status, &tpl)
}

#[derive(serde::Deserialize)]
pub struct FilterQuery {
    filter: Option<String>,
}

pub async fn show_security(
    ctx: Ctx,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<FilterQuery>,
) -> Response {
    let (ctx, auth) = match signed_in(ctx).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let filter = q.filter.unwrap_or_default();
    security_page(ctx, &auth, &id, &filter, StatusCode::OK, Vec::new()).await
}

#[derive(serde::Deserialize)]
pub struct ActForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    /// Offboarding: who takes over the member's groups.
    #[serde(default)]
    successor_id: String,
    /// Re-verification: `sms` or `email`.
    #[serde(default)]
    channel: String,
}

pub async fn act(
    ctx: Ctx,
    Path((id, account_id)): Path<(String, String)>,
    Form(f): Form<ActForm>,
) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let app = ctx.app.app.clone();
    let me = auth.account_id.clone();
    let done = match f.action.as_str() {
        "sign-out" => {
            app.act_on_member(&me, &id, &account_id, Action::SignOut)
                .await
        }
        "suspend" => {
            app.act_on_member(&me, &id, &account_id, Action::Suspend)
                .await
        }
        "reinstate" => {
            app.act_on_member(&me, &id, &account_id, Action::Reinstate)
                .await
        }
        "offboard" => {
            app.offboard_member(&me, &id, &account_id, &f.successor_id)
                .await
        }
        "undo-offboard" => app.undo_offboarding(&me, &id, &account_id).await,
        "reverify" => match domain::identifier::Channel::parse(&f.channel) {
            Some(channel) => app
                .request_reverify(&me, &id, &account_id, channel, &ctx.client)
                .await
                .map(|_| ()),
            None => Err(domain::Error::InvalidRequest("unknown channel".into())),
        },
        _ => Err(domain::Error::InvalidRequest("unknown action".into())),
    };
    match done {
        Ok(()) => redirect(ctx, &format!("/orgs/{id}/security")),
        Err(domain::Error::NotFound) => {
            problem_page(ctx, domain::Error::NotFound, ("/orgs", "orgs-back"))
        }
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            security_page(ctx, &auth, &id, "", status, vec![s]).await
        }
    }
}
