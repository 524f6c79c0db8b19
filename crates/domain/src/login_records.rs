//! Login records (SPEC §5): each login is recorded with its time, IP, device (from the user
//! agent), place (when a GeoIP database is configured) and flags — `new_device`, `new_network`
//! (a /24 or /48 never seen for the account), `new_place` (a country and region never seen),
//! `failed`. A successful login with any "new" flag sends a notice whose "this wasn't me" link
//! signs that session out.

use serde_json::json;

use crate::app::{Client, Wangshang};
use crate::clock::{HOUR, Millis, now_ms};
use crate::error::{Error, Result};
use crate::events::{self, kind};
use crate::messages::template;
use crate::outbox;
use crate::random;
use crate::store::{Account, NewSecurityEvent};
use crate::unit::Unit;

/// What the request tells about where a login came from.
pub(crate) struct Origin {
    pub network: Option<String>,
    pub place: Option<loginmeta::Place>,
}

impl Wangshang {
    pub(crate) fn origin(&self, client: &Client) -> Origin {
        Origin {
            network: loginmeta::network_of(&client.ip),
            place: self.geoip.as_ref().and_then(|g| g.lookup(&client.ip)),
        }
    }

    /// Remembers the network and place of a login of the account; returns the "new" flags.
    pub(crate) async fn login_flags(
        &self,
        tx: &mut Unit,
        account_id: &str,
        origin: &Origin,
        new_device: bool,
        now: Millis,
    ) -> Result<Vec<&'static str>> {
        let mut flags = Vec::new();
        if new_device {
            flags.push("new_device");
        }
        if let Some(n) = &origin.network
            && tx.remember_network(account_id, n, now).await?
        {
            flags.push("new_network");
        }
        if let Some(p) = &origin.place
            && tx
                .remember_place(account_id, &loginmeta::place_key(p), now)
                .await?
        {
            flags.push("new_place");
        }
        Ok(flags)
    }

    /// Writes a login (or failed login) record with its place.
    #[allow(clippy::too_many_arguments)] // the parts of one record; a struct would only rename them
    pub(crate) async fn record_login(
        &self,
        tx: &mut Unit,
        account_id: &str,
        kind: &str,
        client: &Client,
        origin: &Origin,
        flags: &[&str],
        now: Millis,
    ) -> Result<()> {
        tx.insert_event(&NewSecurityEvent {
            account_id: account_id.to_owned(),
            kind: kind.to_owned(),
            at: now,
            ip: client.ip.clone(),
            user_agent: client.user_agent.clone(),
            flags: flags.iter().map(|f| (*f).to_owned()).collect(),
            place: origin.place.as_ref().map(|p| p.label.clone()),
        })
        .await?;
        Ok(())
    }

    /// Queues the new-login notice with its "this wasn't me" link; returns the link's token
    /// hash for the session.
    pub(crate) async fn notify_new_login(
        &self,
        tx: &mut Unit,
        account: &Account,
        client: &Client,
        origin: &Origin,
        now: Millis,
    ) -> Result<String> {
        let token = random::token();
        let base = self.config.public_url.trim_end_matches('/');
        // The device is named in the notice's language when it is rendered.
        let mut params = Self::notice_params(client, now);
        if let Some(p) = &origin.place {
            params["ip"] = json!(format!("{} ({})", client.ip, p.label));
        }
        params["dispute_url"] = json!(format!("{base}/sessions/dispute?token={token}"));
        outbox::notify_account(tx, account, template::NEW_DEVICE_LOGIN, params).await?;
        Ok(random::token_hash(&token))
    }

    /// `POST /sessions/dispute`: the "this wasn't me" link signs that session out; the user is
    /// then asked to change the password.
    pub async fn dispute_session(&self, token: &str, client: &Client) -> Result<()> {
        let now = now_ms();
        let mut tx = self.write().await?;
        let s = tx
            .session_by_dispute(&random::token_hash(token))
            .await?
            .ok_or(Error::LinkExpired)?;
        if now - s.created_at > self.config.login.dispute_link_hours * HOUR {
            return Err(Error::LinkExpired);
        }
        if s.revoked_at.is_none() {
            tx.revoke_session(&s.account_id, &s.id, now).await?;
        }
        events::record(
            &mut tx,
            &s.account_id,
            kind::LOGIN_DISPUTED,
            client,
            &[],
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
