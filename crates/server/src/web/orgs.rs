//! Enterprise pages: mine and a form to create one, one enterprise with its members (roles,
//! invitations, removal, leaving), and the invitation link's page.

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use domain::chat::role;
use domain::clock::human;
use domain::sessions::Authenticated;

use super::chat::{problem_page, signed_in};
use super::ctx::Ctx;
use super::i18n::Tr;
use super::pages::Shown;
use super::render::{page, redirect, shown};

pub struct OrgRow {
    pub id: String,
    pub name: String,
    pub role: String,
    /// "N members".
    pub members: String,
}

#[derive(Template)]
#[template(path = "orgs.html")]
pub struct OrgsPage {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub orgs: Vec<OrgRow>,
    pub name: String,
}

async fn orgs_page(
    ctx: Ctx,
    auth: &Authenticated,
    status: StatusCode,
    errors: Vec<Shown>,
    name: String,
) -> Response {
    let t = ctx.t();
    let orgs = match ctx.app.app.my_orgs(&auth.account_id).await {
        Ok(o) => o,
        Err(e) => return problem_page(ctx, e, ("/chat", "chat-back")),
    };
    let tpl = OrgsPage {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: true,
        title: t.get("orgs-title"),
        errors,
        orgs: orgs
            .into_iter()
            .map(|o| OrgRow {
                id: o.org.id,
                name: o.org.name,
                role: t.get(&format!("role-{}", o.my_role)),
                members: t.with("orgs-members", &[("count", &o.member_count.to_string())]),
            })
            .collect(),
        name,
    };
    page(ctx, status, &tpl)
}

pub async fn list(ctx: Ctx) -> Response {
    let (ctx, auth) = match signed_in(ctx).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    orgs_page(ctx, &auth, StatusCode::OK, Vec::new(), String::new()).await
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

pub async fn create(ctx: Ctx, Form(f): Form<NameForm>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match ctx.app.app.create_org(&auth.account_id, &f.name).await {
        Ok(v) => redirect(ctx, &format!("/orgs/{}", v.org.id)),
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            orgs_page(ctx, &auth, status, vec![s], f.name).await
        }
    }
}

pub struct MemberRow {
    pub account_id: String,
    pub nickname: String,
    pub role: String,
    pub role_label: String,
    pub joined: String,
    pub me: bool,
    /// The caller may change this member's role or remove them.
    pub manageable: bool,
}

#[derive(Template)]
#[template(path = "org.html")]
pub struct OrgPage {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub notice: Option<String>,
    pub id: String,
    pub name: String,
    pub my_role: String,
    pub manage: bool,
    pub members: Vec<MemberRow>,
    pub roles: Vec<(String, String)>,
    /// For owners and admins: invitations still waiting (id, address masked, inviter, until).
    pub pending: Vec<(String, String, String, String)>,
}

async fn org_page(
    ctx: Ctx,
    auth: &Authenticated,
    id: &str,
    status: StatusCode,
    errors: Vec<Shown>,
    notice: Option<String>,
) -> Response {
    let t = ctx.t();
    let me = &auth.account_id;
    let (org, members) = match (
        ctx.app.app.org(me, id).await,
        ctx.app.app.org_members(me, id).await,
    ) {
        (Ok(o), Ok(m)) => (o, m),
        (Err(e), _) | (_, Err(e)) => return problem_page(ctx, e, ("/orgs", "orgs-back")),
    };
    let owner = org.my_role == role::OWNER;
    let manage = role::manages(&org.my_role);
    let pending = if manage {
        match ctx.app.app.pending_invites(me, id).await {
            Ok(l) => l
                .into_iter()
                .map(|p| {
                    let until = human(p.expires_at);
                    (p.invite_id, p.masked_destination, p.inviter, until)
                })
                .collect(),
            Err(e) => return problem_page(ctx, e, ("/orgs", "orgs-back")),
        }
    } else {
        Vec::new()
    };
    let tpl = OrgPage {
        pending,
        t,
        csrf: ctx.csrf.clone(),
        logged_in: true,
        title: org.org.name.clone(),
        errors,
        notice,
        id: org.org.id.clone(),
        name: org.org.name.clone(),
        my_role: t.get(&format!("role-{}", org.my_role)),
        manage,
        members: members
            .into_iter()
            .map(|m| MemberRow {
                manageable: m.account_id != *me && (owner || (manage && m.role != role::OWNER)),
                me: m.account_id == *me,
                role_label: t.get(&format!("role-{}", m.role)),
                joined: human(m.joined_at),
                account_id: m.account_id,
                nickname: m.nickname,
                role: m.role,
            })
            .collect(),
        roles: [role::OWNER, role::ADMIN, role::MEMBER]
            .iter()
            .filter(|r| owner || **r != role::OWNER)
            .map(|r| ((*r).to_owned(), t.get(&format!("role-{r}"))))
            .collect(),
    };
    page(ctx, status, &tpl)
}

pub async fn show(ctx: Ctx, Path(id): Path<String>) -> Response {
    let (ctx, auth) = match signed_in(ctx).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    org_page(ctx, &auth, &id, StatusCode::OK, Vec::new(), None).await
}

/// The answer to a form on the enterprise page: back to it, or it again with the error.
async fn answer(
    ctx: Ctx,
    auth: &Authenticated,
    id: &str,
    r: Result<Option<String>, domain::Error>,
) -> Response {
    match r {
        Ok(None) => redirect(ctx, &format!("/orgs/{id}")),
        Ok(Some(notice)) => org_page(ctx, auth, id, StatusCode::OK, Vec::new(), Some(notice)).await,
        Err(domain::Error::NotFound) => {
            problem_page(ctx, domain::Error::NotFound, ("/orgs", "orgs-back"))
        }
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            org_page(ctx, auth, id, status, vec![s], None).await
        }
    }
}

pub async fn rename(ctx: Ctx, Path(id): Path<String>, Form(f): Form<NameForm>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let r = ctx
        .app
        .app
        .rename_org(&auth.account_id, &id, &f.name)
        .await
        .map(|_| None);
    answer(ctx, &auth, &id, r).await
}

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    destination: String,
}

pub async fn invite(ctx: Ctx, Path(id): Path<String>, Form(f): Form<InviteForm>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let t = ctx.t();
    let r = ctx
        .app
        .app
        .invite_to_org(&auth.account_id, &id, &f.destination)
        .await
        .map(|sent| Some(t.with("org-invited", &[("destination", &sent.masked_destination)])));
    answer(ctx, &auth, &id, r).await
}

/// Withdraws a pending invitation.
pub async fn revoke_invite(
    ctx: Ctx,
    Path((id, invite_id)): Path<(String, String)>,
    Form(f): Form<CsrfForm>,
) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let t = ctx.t();
    let r = ctx
        .app
        .app
        .revoke_invite(&auth.account_id, &id, &invite_id)
        .await
        .map(|()| Some(t.get("org-invite-revoked")));
    answer(ctx, &auth, &id, r).await
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    role: String,
}

pub async fn set_role(
    ctx: Ctx,
    Path((id, account_id)): Path<(String, String)>,
    Form(f): Form<RoleForm>,
) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let r = ctx
        .app
        .app
        .set_org_role(&auth.account_id, &id, &account_id, &f.role)
        .await
        .map(|_| None);
    answer(ctx, &auth, &id, r).await
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// Removes a member, or leaves (the caller's own id; then back to the list).
pub async fn remove(
    ctx: Ctx,
    Path((id, account_id)): Path<(String, String)>,
    Form(f): Form<CsrfForm>,
) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let r = ctx
        .app
        .app
        .remove_org_member(&auth.account_id, &id, &account_id)
        .await;
    if r.is_ok() && account_id == auth.account_id {
        return redirect(ctx, "/orgs");
    }
    answer(ctx, &auth, &id, r.map(|()| None)).await
}

#[derive(Template)]
#[template(path = "invite.html")]
pub struct InvitePage {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub code: String,
    pub org: String,
}

/// The invitation link: the enterprise and an accept button; a signed-out visitor is sent to log
/// in or register and comes back here afterwards.
pub async fn invite_page(mut ctx: Ctx, Path(code): Path<String>) -> Response {
    let t = ctx.t();
    let org = match ctx.app.app.invite_org(&code).await {
        Ok(o) => o,
        Err(e) => return problem_page(ctx, e, ("/chat", "chat-back")),
    };
    let logged_in = ctx.auth().await.is_some();
    if !logged_in {
        ctx.return_here(&format!("/invites/{code}"));
    }
    let tpl = InvitePage {
        t,
        csrf: ctx.csrf.clone(),
        logged_in,
        title: t.get("invite-title"),
        errors: Vec::new(),
        code,
        org: org.name,
    };
    page(ctx, StatusCode::OK, &tpl)
}

pub async fn accept(ctx: Ctx, Path(code): Path<String>, Form(f): Form<CsrfForm>) -> Response {
    let (ctx, auth) = match ctx.form_auth(&f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match ctx.app.app.accept_invite(&auth.account_id, &code).await {
        Ok(org) => redirect(ctx, &format!("/orgs/{}", org.id)),
        Err(e) => {
            let t = ctx.t();
            let org = ctx.app.app.invite_org(&code).await.map(|o| o.name);
            let (status, s) = shown(t, e);
            let tpl = InvitePage {
                t,
                csrf: ctx.csrf.clone(),
                logged_in: true,
                title: t.get("invite-title"),
                errors: vec![s],
                code,
                org: org.unwrap_or_default(),
            };
            page(ctx, status, &tpl)
        }
    }
}
