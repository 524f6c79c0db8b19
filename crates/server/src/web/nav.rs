//! What the signed-in header shows besides the fixed links: a badge with the number of open
//! requests to vouch for a colleague, the console link for support agents, and a banner while a
//! support-desk recovery of the account is under way. A middleware
//! reads them once per page request with a session cookie into a task-local that the
//! base template reads through `t.nav()`, so no page struct has to carry them.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::ctx::{Ctx, SESSION};
use crate::AppState;

#[derive(Clone, Debug, Default)]
pub struct Nav {
    /// Vouch requests still waiting for this member's answer.
    pub vouches: usize,
    pub agent: bool,
    /// A support-desk recovery of this account that its owner can still stop: the banner.
    pub ticket: Option<String>,
    /// A "was it you?" about a recovery waits for this account's answer (the banner links it).
    pub own_check: bool,
    /// An enterprise asks for a second factor the member has not set up: (its name, the end of
    /// the grace period as shown, whether that end has passed).
    pub second_factor: Option<(String, String, bool)>,
}

tokio::task_local! {
    static NAV: Nav;
}

/// The header's extras for the page being rendered (nothing outside a page request).
pub fn current() -> Nav {
    NAV.try_with(Clone::clone).unwrap_or_default()
}

pub async fn layer(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let mut nav = Nav::default();
    let path = req.uri().path();
    // Scripts, styles and files are not pages: no header to draw.
    if !path.starts_with("/static/")
        && !path.starts_with("/chat/files/")
        && let Some(token) = Ctx::named(req.headers(), SESSION)
        // Only the account is used here; the page's own extractor judges the address.
        && let Ok(auth) = s.app.authenticate(&token, "").await
    {
        let waiting: Vec<_> = s
            .app
            .vouch_requests(&auth.account_id)
            .await
            .map(|l| {
                l.into_iter()
                    .filter(|v| v.open && v.answer.is_none())
                    .collect()
            })
            .unwrap_or_default();
        nav.vouches = waiting.len();
        nav.own_check = waiting.iter().any(|v| v.own);
        nav.agent = s
            .app
            .is_support_agent(&auth.account_id)
            .await
            .unwrap_or(false);
        nav.second_factor = s
            .app
            .second_factor_due(&auth.account_id)
            .await
            .ok()
            .flatten()
            .map(|d| {
                let overdue = d.deadline <= domain::clock::now_ms();
                (
                    d.org_name,
                    domain::clock::human_in(d.deadline, d.time_zone.as_deref()),
                    overdue,
                )
            });
        nav.ticket = s
            .app
            .tickets_about(&auth.account_id)
            .await
            .ok()
            .and_then(|l| l.into_iter().next());
    }
    NAV.scope(nav, next.run(req)).await
}
