//! The pages behind the single-use links in notices: confirm or cancel a binding change, and
//! "this wasn't me" for a new login. GET shows what the link will do; POST (with CSRF) does it.

use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use domain::bindings::LinkAction;

use super::ctx::Ctx;
use super::pages;
use super::render::{page, redirect, shown};

#[derive(Clone, Copy)]
enum Kind {
    Cancel,
    Confirm,
    Dispute,
}

impl Kind {
    fn key(self) -> &'static str {
        match self {
            Kind::Cancel => "cancel",
            Kind::Confirm => "confirm",
            Kind::Dispute => "dispute",
        }
    }
    fn action(self) -> &'static str {
        match self {
            Kind::Cancel => "/bindings/cancel",
            Kind::Confirm => "/bindings/confirm",
            Kind::Dispute => "/sessions/dispute",
        }
    }
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
    token: String,
}

fn render(
    ctx: Ctx,
    kind: Kind,
    token: String,
    status: StatusCode,
    errors: Vec<pages::Shown>,
    done: bool,
) -> Response {
    let t = ctx.t();
    let k = kind.key();
    let tpl = pages::Link {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: false,
        title: t.get(&format!("link-{k}-title")),
        errors,
        text: t.get(&format!("link-{k}-text")),
        action: kind.action().into(),
        token,
        submit: t.get(&format!("link-{k}-submit")),
        done: done.then(|| t.get(&format!("link-{k}-done"))),
    };
    page(ctx, status, &tpl)
}

async fn follow(ctx: Ctx, kind: Kind, f: TokenForm) -> Response {
    if !ctx.csrf_ok(&f.csrf) {
        return ctx.forbidden();
    }
    let app = &ctx.app.app;
    let r = match kind {
        Kind::Cancel => {
            app.follow_binding_link(LinkAction::Cancel, &f.token, &ctx.client)
                .await
        }
        Kind::Confirm => {
            app.follow_binding_link(LinkAction::Confirm, &f.token, &ctx.client)
                .await
        }
        Kind::Dispute => app.dispute_session(&f.token, &ctx.client).await,
    };
    match r {
        Ok(()) => render(ctx, kind, String::new(), StatusCode::OK, Vec::new(), true),
        Err(e) => {
            let (status, s) = shown(ctx.t(), e);
            render(ctx, kind, f.token, status, vec![s], false)
        }
    }
}

pub async fn cancel_page(ctx: Ctx, Query(q): Query<TokenQuery>) -> Response {
    render(
        ctx,
        Kind::Cancel,
        q.token,
        StatusCode::OK,
        Vec::new(),
        false,
    )
}
pub async fn cancel(ctx: Ctx, Form(f): Form<TokenForm>) -> Response {
    follow(ctx, Kind::Cancel, f).await
}
pub async fn confirm_page(ctx: Ctx, Query(q): Query<TokenQuery>) -> Response {
    render(
        ctx,
        Kind::Confirm,
        q.token,
        StatusCode::OK,
        Vec::new(),
        false,
    )
}
pub async fn confirm(ctx: Ctx, Form(f): Form<TokenForm>) -> Response {
    follow(ctx, Kind::Confirm, f).await
}
pub async fn dispute_page(ctx: Ctx, Query(q): Query<TokenQuery>) -> Response {
    render(
        ctx,
        Kind::Dispute,
        q.token,
        StatusCode::OK,
        Vec::new(),
        false,
    )
}
pub async fn dispute(ctx: Ctx, Form(f): Form<TokenForm>) -> Response {
    follow(ctx, Kind::Dispute, f).await
}

/// The security checkup of SPEC §5 (FAQ A4): what to do after getting back in.
pub async fn checkup(ctx: Ctx) -> Response {
    let Some(auth) = ctx.auth().await else {
        return redirect(ctx, "/login");
    };
    let t = ctx.t();
    let app = &ctx.app.app;
    let (Ok(p), Ok(m), Ok(s)) = (
        app.profile(&auth).await,
        app.mfa_status(&auth.account_id).await,
        app.sessions(&auth).await,
    ) else {
        return redirect(ctx, "/login");
    };
    let count = s.len().to_string();
    let items = vec![
        (
            "password".to_owned(),
            t.get("checkup-password"),
            !p.password_reminder_due,
            "/settings/password".to_owned(),
        ),
        (
            "mfa".into(),
            t.get("checkup-mfa"),
            m.totp || m.webauthn,
            "/settings/security".into(),
        ),
        (
            "channels".into(),
            t.get("checkup-channels"),
            p.masked_phone.is_some() && p.masked_email.is_some(),
            "/settings/bindings".into(),
        ),
        (
            "sessions".into(),
            t.with("checkup-sessions", &[("count", &count)]),
            s.len() <= 1,
            "/settings/sessions".into(),
        ),
        (
            "records".into(),
            t.get("checkup-records"),
            false,
            "/settings/records".into(),
        ),
    ];
    let tpl = pages::Checkup {
        t,
        csrf: ctx.csrf.clone(),
        logged_in: true,
        title: t.get("checkup-title"),
        items,
    };
    page(ctx, StatusCode::OK, &tpl)
}
