//! Gathers the [`Evidence`] of one candidate account from its history, inside the caller's
//! transaction.

use crate::app::Wangshang;
use crate::clock::{DAY, Millis};
use crate::error::{Error, Result};
use crate::store::Account;
use crate::support::evidence::{DeviceFacts, Evidence, OrgFacts};
use crate::support::trusted::VouchAnswer;
use crate::unit::Unit;

impl Wangshang {
    pub(crate) async fn gather_evidence(
        &self,
        tx: &mut Unit,
        ticket_id: &str,
        account_id: &str,
        now: Millis,
    ) -> Result<(Account, Evidence)> {
        let account = tx.account(account_id).await?.ok_or(Error::NotFound)?;
        let former_nicknames = tx
            .nickname_history(account_id)
            .await?
            .into_iter()
            .filter(|n| *n != account.nickname)
            .collect();
        let former_bindings = tx
            .bound_history(account_id)
            .await?
            .into_iter()
            .filter(|b| Some(b) != account.phone.as_ref() && Some(b) != account.email.as_ref())
            .collect();
        let mut orgs = Vec::new();
        for m in tx.memberships(account_id).await? {
            let mut names = tx.org_names(&m.org_id).await?;
            // The current name last.
            names.retain(|n| *n != m.org_name);
            names.push(m.org_name);
            orgs.push(OrgFacts {
                names,
                active: m.left_at.is_none(),
            });
        }
        let since = now - self.config.chat.frequent_contacts_days * DAY;
        let frequent_contacts = tx
            .frequent_contacts(account_id, since, 20)
            .await?
            .into_iter()
            .map(|f| f.nickname)
            .collect();
        let colleagues = tx
            .contacts(account_id)
            .await?
            .into_iter()
            .filter(|c| c.colleague)
            .map(|c| c.nickname)
            .collect();
        let logins = tx.login_history(account_id).await?;
        let devices = logins
            .user_agents
            .iter()
            .map(|ua| {
                let d = loginmeta::describe(ua);
                DeviceFacts {
                    os: d.os,
                    browser: d.browser,
                    label: d.label,
                }
            })
            .collect();
        let mut e = Evidence {
            nickname: account.nickname.clone(),
            former_nicknames,
            phone: account.phone.clone(),
            email: account.email.clone(),
            former_bindings,
            orgs,
            frequent_contacts,
            colleagues,
            devices,
            networks: logins.networks,
            places: logins.places,
            created_at: account.created_at,
            ..Evidence::default()
        };
        for v in tx.vouches_of_ticket(ticket_id).await? {
            if v.subject_id != account_id {
                continue;
            }
            e.vouches_asked += 1;
            match VouchAnswer::of(&v) {
                VouchAnswer::Confirmed => e.vouches_confirmed += 1,
                VouchAnswer::Denied => e.vouches_denied += 1,
                VouchAnswer::Pending => {}
            }
        }
        for a in tx.admin_answers(ticket_id).await? {
            if a.subject_id != account_id {
                continue;
            }
            if a.answer == "confirm" {
                e.admins_confirmed += 1;
            } else {
                e.admins_denied += 1;
            }
        }
        Ok((account, e))
    }
}
