use async_trait::async_trait;

use domain::clock::Millis;
use domain::store::{
    AdminAnswer, AuditEntry, Candidate, KnownPerson, LoginHistory, StoreResult, SupportRepo,
    Ticket, TicketReply, TrustedContact, Vouch,
};

use super::messages::talk;
use super::{Row, col, query};
use crate::tx::SqlTx;

const TICKET: &str = "id, ticket_no, status_token_hash, contact_channel, contact, claims, \
     description, locale, ip, user_agent, status, message, account_id, flags, decided_by, \
     decision_note, wait_until, code_verification_id, created_at, updated_at, completed_at, \
     device_id";

fn flags(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
        .collect()
}

fn ticket(row: &Row) -> StoreResult<Ticket> {
    let f: String = col(row, "flags")?;
    Ok(Ticket {
        id: col(row, "id")?,
        ticket_no: col(row, "ticket_no")?,
        status_token_hash: col(row, "status_token_hash")?,
        contact_channel: col(row, "contact_channel")?,
        contact: col(row, "contact")?,
        claims: col(row, "claims")?,
        description: col(row, "description")?,
        locale: col(row, "locale")?,
        ip: col(row, "ip")?,
        user_agent: col(row, "user_agent")?,
        device_id: col(row, "device_id")?,
        status: col(row, "status")?,
        message: col(row, "message")?,
        account_id: col(row, "account_id")?,
        flags: flags(&f),
        decided_by: col(row, "decided_by")?,
        decision_note: col(row, "decision_note")?,
        wait_until: col(row, "wait_until")?,
        code_verification_id: col(row, "code_verification_id")?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
        completed_at: col(row, "completed_at")?,
    })
}

const VOUCH: &str = "SELECT v.id, v.ticket_id, v.voucher_id, va.nickname AS voucher_nickname, \
     v.subject_id, sa.nickname AS subject_nickname, v.answer, v.created_at, v.answered_at, \
     t.ip AS requester_ip, t.user_agent AS requester_user_agent, t.status AS ticket_status \
     FROM support_vouches v JOIN accounts va ON va.id = v.voucher_id \
     JOIN accounts sa ON sa.id = v.subject_id JOIN support_tickets t ON t.id = v.ticket_id";

fn vouch(row: &Row) -> StoreResult<Vouch> {
    Ok(Vouch {
        id: col(row, "id")?,
        ticket_id: col(row, "ticket_id")?,
        voucher_id: col(row, "voucher_id")?,
        voucher_nickname: col(row, "voucher_nickname")?,
        subject_id: col(row, "subject_id")?,
        subject_nickname: col(row, "subject_nickname")?,
        answer: col(row, "answer")?,
        created_at: col(row, "created_at")?,
        answered_at: col(row, "answered_at")?,
        requester_ip: col(row, "requester_ip")?,
        requester_user_agent: col(row, "requester_user_agent")?,
        ticket_status: col(row, "ticket_status")?,
    })
}

fn strings(rows: &[Row], name: &str) -> StoreResult<Vec<String>> {
    rows.iter().map(|r| col(r, name)).collect()
}

fn count_oldest(row: &Row) -> StoreResult<(i64, Option<Millis>)> {
    Ok((col(row, "n")?, col(row, "oldest")?))
}

#[async_trait]
impl SupportRepo for SqlTx {
    async fn is_agent(&mut self, account_id: &str) -> StoreResult<bool> {
        let row = query("SELECT account_id FROM support_agents WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(&mut self.conn)
            .await?;
        Ok(row.is_some())
    }

    async fn set_agent(&mut self, account_id: &str, on: bool, now: Millis) -> StoreResult<()> {
        let q = if on {
            query(
                "INSERT INTO support_agents (account_id, added_at) VALUES ($1, $2) \
                 ON CONFLICT (account_id) DO NOTHING",
            )
            .bind(account_id)
            .bind(now)
        } else {
            query("DELETE FROM support_agents WHERE account_id = $1").bind(account_id)
        };
        q.execute(&mut self.conn).await?;
        Ok(())
    }

    async fn insert_ticket(&mut self, t: &Ticket) -> StoreResult<()> {
        query(format!(
            "INSERT INTO support_tickets ({TICKET}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
             $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)"
        ))
        .bind(&t.id)
        .bind(&t.ticket_no)
        .bind(&t.status_token_hash)
        .bind(&t.contact_channel)
        .bind(&t.contact)
        .bind(&t.claims)
        .bind(&t.description)
        .bind(&t.locale)
        .bind(&t.ip)
        .bind(&t.user_agent)
        .bind(&t.status)
        .bind(&t.message)
        .bind(&t.account_id)
        .bind(t.flags.join(","))
        .bind(&t.decided_by)
        .bind(&t.decision_note)
        .bind(t.wait_until)
        .bind(&t.code_verification_id)
        .bind(t.created_at)
        .bind(t.updated_at)
        .bind(t.completed_at)
        .bind(&t.device_id)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn ticket(&mut self, id: &str) -> StoreResult<Option<Ticket>> {
        let row = query(format!(
            "SELECT {TICKET} FROM support_tickets WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(ticket).transpose()
    }

    async fn ticket_by_no(&mut self, ticket_no: &str) -> StoreResult<Option<Ticket>> {
        let row = query(format!(
            "SELECT {TICKET} FROM support_tickets WHERE ticket_no = $1"
        ))
        .bind(ticket_no)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(ticket).transpose()
    }

    async fn update_ticket(&mut self, t: &Ticket) -> StoreResult<()> {
        query(
            "UPDATE support_tickets SET status = $2, message = $3, account_id = $4, flags = $5, \
             decided_by = $6, decision_note = $7, wait_until = $8, code_verification_id = $9, \
             updated_at = $10, completed_at = $11 WHERE id = $1",
        )
        .bind(&t.id)
        .bind(&t.status)
        .bind(&t.message)
        .bind(&t.account_id)
        .bind(t.flags.join(","))
        .bind(&t.decided_by)
        .bind(&t.decision_note)
        .bind(t.wait_until)
        .bind(&t.code_verification_id)
        .bind(t.updated_at)
        .bind(t.completed_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn complete_ticket(&mut self, id: &str, now: Millis) -> StoreResult<bool> {
        let done = query(
            "UPDATE support_tickets SET status = 'completed', completed_at = $2, updated_at = $2 \
             WHERE id = $1 AND status = 'approved'",
        )
        .bind(id)
        .bind(now)
        .execute(&mut self.conn)
        .await?;
        Ok(done == 1)
    }

    async fn tickets(&mut self, status: Option<&str>, limit: u32) -> StoreResult<Vec<Ticket>> {
        let rows = query(format!(
            "SELECT {TICKET} FROM support_tickets WHERE ($1 = '' OR status = $1) \
             ORDER BY created_at, id LIMIT $2"
        ))
        .bind(status.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter().map(ticket).collect()
    }

    async fn recent_tickets(
        &mut self,
        ip: &str,
        contact: &str,
        since: Millis,
    ) -> StoreResult<((i64, Option<Millis>), (i64, Option<Millis>))> {
        let by_ip = query(
            "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM support_tickets \
             WHERE ip = $1 AND created_at > $2",
        )
        .bind(ip)
        .bind(since)
        .fetch_one(&mut self.conn)
        .await?;
        let by_contact = query(
            "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM support_tickets \
             WHERE contact = $1 AND created_at > $2",
        )
        .bind(contact)
        .bind(since)
        .fetch_one(&mut self.conn)
        .await?;
        Ok((count_oldest(&by_ip)?, count_oldest(&by_contact)?))
    }

    async fn open_tickets_of_org(&mut self, org_id: &str) -> StoreResult<Vec<Ticket>> {
        let cols = TICKET
            .split(", ")
            .map(|c| format!("t.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = query(format!(
            "SELECT {cols} FROM support_tickets t JOIN org_members m ON m.account_id = t.account_id \
             WHERE m.org_id = $1 AND m.left_at IS NULL AND t.status IN ('open', 'need_info') \
             ORDER BY t.created_at, t.id"
        ))
        .bind(org_id)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter().map(ticket).collect()
    }

    async fn live_tickets_of_account(&mut self, account_id: &str) -> StoreResult<Vec<Ticket>> {
        let rows = query(format!(
            "SELECT {TICKET} FROM support_tickets \
             WHERE account_id = $1 AND status IN ('open', 'need_info', 'approved') \
             ORDER BY created_at, id"
        ))
        .bind(account_id)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter().map(ticket).collect()
    }

    async fn add_candidate(
        &mut self,
        ticket_id: &str,
        account_id: &str,
        reason: &str,
    ) -> StoreResult<()> {
        query(
            "INSERT INTO support_candidates (ticket_id, account_id, reason) VALUES ($1, $2, $3) \
             ON CONFLICT (ticket_id, account_id) DO NOTHING",
        )
        .bind(ticket_id)
        .bind(account_id)
        .bind(reason)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn set_candidate_answers(
        &mut self,
        ticket_id: &str,
        account_id: &str,
        given: i64,
        right: i64,
    ) -> StoreResult<()> {
        query(
            "UPDATE support_candidates SET answers_given = $1, answers_right = $2 \
             WHERE ticket_id = $3 AND account_id = $4",
        )
        .bind(given)
        .bind(right)
        .bind(ticket_id)
        .bind(account_id)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn candidates(&mut self, ticket_id: &str) -> StoreResult<Vec<Candidate>> {
        let rows = query(
            "SELECT c.account_id, a.nickname, c.reason, c.answers_given, c.answers_right \
             FROM support_candidates c \
             JOIN accounts a ON a.id = c.account_id WHERE c.ticket_id = $1 ORDER BY c.account_id",
        )
        .bind(ticket_id)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Candidate {
                    account_id: col(r, "account_id")?,
                    nickname: col(r, "nickname")?,
                    reason: col(r, "reason")?,
                    answers_given: col(r, "answers_given")?,
                    answers_right: col(r, "answers_right")?,
                })
            })
            .collect()
    }

    async fn insert_reply(&mut self, ticket_id: &str, r: &TicketReply) -> StoreResult<()> {
        query(
            "INSERT INTO support_replies (id, ticket_id, author, body, at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&r.id)
        .bind(ticket_id)
        .bind(&r.author)
        .bind(&r.body)
        .bind(r.at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn replies(&mut self, ticket_id: &str) -> StoreResult<Vec<TicketReply>> {
        let rows = query(
            "SELECT id, author, body, at FROM support_replies WHERE ticket_id = $1 ORDER BY at, id",
        )
        .bind(ticket_id)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TicketReply {
                    id: col(r, "id")?,
                    author: col(r, "author")?,
                    body: col(r, "body")?,
                    at: col(r, "at")?,
                })
            })
            .collect()
    }

    async fn insert_audit(&mut self, a: &AuditEntry) -> StoreResult<()> {
        query(
            "INSERT INTO support_audit (id, ticket_id, actor, action, detail, ip, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&a.id)
        .bind(&a.ticket_id)
        .bind(&a.actor)
        .bind(&a.action)
        .bind(&a.detail)
        .bind(&a.ip)
        .bind(a.at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn audit(&mut self, ticket_id: &str) -> StoreResult<Vec<AuditEntry>> {
        let rows = query(
            "SELECT s.id, s.ticket_id, s.actor, a.nickname AS actor_nickname, s.action, s.detail, \
             s.ip, s.at FROM support_audit s LEFT JOIN accounts a ON a.id = s.actor \
             WHERE s.ticket_id = $1 ORDER BY s.at, s.id",
        )
        .bind(ticket_id)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: col(r, "id")?,
                    ticket_id: col(r, "ticket_id")?,
                    actor: col(r, "actor")?,
                    actor_nickname: col(r, "actor_nickname")?,
                    action: col(r, "action")?,
                    detail: col(r, "detail")?,
                    ip: col(r, "ip")?,
                    at: col(r, "at")?,
                })
            })
            .collect()
    }

    async fn insert_cancel_link(
        &mut self,
        token_hash: &str,
        ticket_id: &str,
        now: Millis,
    ) -> StoreResult<()> {
        query(
            "INSERT INTO support_cancel_links (token_hash, ticket_id, created_at) VALUES ($1, $2, $3)",
        )
        .bind(token_hash)
        .bind(ticket_id)
        .bind(now)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn cancel_link(&mut self, token_hash: &str) -> StoreResult<Option<String>> {
        let row = query("SELECT ticket_id FROM support_cancel_links WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(|r| col(r, "ticket_id")).transpose()
    }

    async fn trusted_contacts(&mut self, account_id: &str) -> StoreResult<Vec<TrustedContact>> {
        let rows = query(
            "SELECT t.contact_id, a.nickname, t.active_from, t.active_until FROM trusted_contacts t \
             JOIN accounts a ON a.id = t.contact_id WHERE t.account_id = $1 \
             ORDER BY t.active_from, t.contact_id",
        )
        .bind(account_id)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TrustedContact {
                    contact_id: col(r, "contact_id")?,
                    nickname: col(r, "nickname")?,
                    active_from: col(r, "active_from")?,
                    active_until: col(r, "active_until")?,
                })
            })
            .collect()
    }

    async fn upsert_trusted_contact(
        &mut self,
        account_id: &str,
        contact_id: &str,
        active_from: Millis,
        active_until: Option<Millis>,
    ) -> StoreResult<()> {
        query(
            "INSERT INTO trusted_contacts (account_id, contact_id, active_from, active_until) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, contact_id) \
             DO UPDATE SET active_from = $3, active_until = $4",
        )
        .bind(account_id)
        .bind(contact_id)
        .bind(active_from)
        .bind(active_until)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn delete_trusted_contact(
        &mut self,
        account_id: &str,
        contact_id: &str,
    ) -> StoreResult<()> {
        query("DELETE FROM trusted_contacts WHERE account_id = $1 AND contact_id = $2")
            .bind(account_id)
            .bind(contact_id)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn insert_vouch(&mut self, v: &Vouch) -> StoreResult<bool> {
        let done = query(
            "INSERT INTO support_vouches (id, ticket_id, voucher_id, subject_id, answer, created_at, \
             answered_at) VALUES ($1, $2, $3, $4, NULL, $5, NULL) \
             ON CONFLICT (ticket_id, voucher_id, subject_id) DO NOTHING",
        )
        .bind(&v.id)
        .bind(&v.ticket_id)
        .bind(&v.voucher_id)
        .bind(&v.subject_id)
        .bind(v.created_at)
        .execute(&mut self.conn)
        .await?;
        Ok(done == 1)
    }

    async fn vouch(&mut self, id: &str) -> StoreResult<Option<Vouch>> {
        let row = query(format!("{VOUCH} WHERE v.id = $1"))
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(vouch).transpose()
    }

    async fn vouches_of_ticket(&mut self, ticket_id: &str) -> StoreResult<Vec<Vouch>> {
        let rows = query(format!(
            "{VOUCH} WHERE v.ticket_id = $1 ORDER BY v.created_at, v.id"
        ))
        .bind(ticket_id)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter().map(vouch).collect()
    }

    async fn vouches_for_voucher(&mut self, voucher_id: &str) -> StoreResult<Vec<Vouch>> {
        let rows = query(format!(
            "{VOUCH} WHERE v.voucher_id = $1 ORDER BY v.created_at DESC, v.id LIMIT 100"
        ))
        .bind(voucher_id)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter().map(vouch).collect()
    }

    async fn vouches_since(&mut self, voucher_id: &str, since: Millis) -> StoreResult<i64> {
        let row = query(
            // Help given (a confirmation, unless its ticket was rejected or cancelled) and
            // requests still waiting on an open ticket count; a request the colleague denied,
            // or whose ticket closed unanswered, does not, so tickets filed only to use up a
            // colleague's help cannot lock the owner out. "Was it you?" asked of an account
            // itself is not help given.
            "SELECT COUNT(*) AS n FROM support_vouches v JOIN support_tickets t ON t.id = v.ticket_id \
             WHERE v.voucher_id = $1 AND v.subject_id <> $1 AND v.created_at > $2 \
             AND ((v.answer = 'confirm' AND t.status NOT IN ('rejected', 'cancelled')) \
               OR (v.answer IS NULL AND t.status IN ('open', 'need_info')))",
        )
        .bind(voucher_id)
        .bind(since)
        .fetch_one(&mut self.conn)
        .await?;
        col(&row, "n")
    }

    async fn answer_vouch(&mut self, id: &str, answer: &str, now: Millis) -> StoreResult<bool> {
        let done = query(
            "UPDATE support_vouches SET answer = $2, answered_at = $3 WHERE id = $1 AND answer IS NULL",
        )
        .bind(id)
        .bind(answer)
        .bind(now)
        .execute(&mut self.conn)
        .await?;
        Ok(done == 1)
    }

    async fn insert_admin_answer(&mut self, a: &AdminAnswer) -> StoreResult<()> {
        query(
            "INSERT INTO support_admin_answers (ticket_id, admin_id, org_id, subject_id, answer, at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&a.ticket_id)
        .bind(&a.admin_id)
        .bind(&a.org_id)
        .bind(&a.subject_id)
        .bind(&a.answer)
        .bind(a.at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn admin_answers(&mut self, ticket_id: &str) -> StoreResult<Vec<AdminAnswer>> {
        let rows = query(
            "SELECT s.ticket_id, s.admin_id, a.nickname, s.org_id, o.name AS org_name, \
             s.subject_id, s.answer, s.at \
             FROM support_admin_answers s JOIN accounts a ON a.id = s.admin_id \
             JOIN orgs o ON o.id = s.org_id \
             WHERE s.ticket_id = $1 ORDER BY s.at, s.admin_id",
        )
        .bind(ticket_id)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AdminAnswer {
                    ticket_id: col(r, "ticket_id")?,
                    admin_id: col(r, "admin_id")?,
                    admin_nickname: col(r, "nickname")?,
                    org_id: col(r, "org_id")?,
                    org_name: col(r, "org_name")?,
                    subject_id: col(r, "subject_id")?,
                    answer: col(r, "answer")?,
                    at: col(r, "at")?,
                })
            })
            .collect()
    }

    async fn nickname_history(&mut self, account_id: &str) -> StoreResult<Vec<String>> {
        let rows =
            query("SELECT nickname FROM nickname_history WHERE account_id = $1 ORDER BY at, id")
                .bind(account_id)
                .fetch_all(&mut self.conn)
                .await?;
        strings(&rows, "nickname")
    }

    async fn bound_history(&mut self, account_id: &str) -> StoreResult<Vec<String>> {
        let rows = query(
            "SELECT old_value AS v FROM binding_changes WHERE account_id = $1 AND old_value IS NOT NULL \
             UNION SELECT new_value AS v FROM binding_changes WHERE account_id = $1 AND new_value IS NOT NULL",
        )
        .bind(account_id)
        .fetch_all(&mut self.conn)
        .await?;
        strings(&rows, "v")
    }

    async fn login_history(&mut self, account_id: &str) -> StoreResult<LoginHistory> {
        let uas = query("SELECT user_agent FROM devices WHERE account_id = $1")
            .bind(account_id)
            .fetch_all(&mut self.conn)
            .await?;
        let networks = query("SELECT network FROM known_networks WHERE account_id = $1")
            .bind(account_id)
            .fetch_all(&mut self.conn)
            .await?;
        let places = query(
            "SELECT place FROM known_places WHERE account_id = $1 \
             UNION SELECT place FROM security_events WHERE account_id = $1 AND place IS NOT NULL",
        )
        .bind(account_id)
        .fetch_all(&mut self.conn)
        .await?;
        Ok(LoginHistory {
            user_agents: strings(&uas, "user_agent")?,
            networks: strings(&networks, "network")?,
            places: strings(&places, "place")?,
        })
    }

    async fn login_places(&mut self, account_id: &str) -> StoreResult<Vec<(String, String)>> {
        let rows = query(
            "SELECT DISTINCT ip, place FROM security_events \
             WHERE account_id = $1 AND place IS NOT NULL ORDER BY ip, place",
        )
        .bind(account_id)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter()
            .map(|r| Ok((col(r, "ip")?, col(r, "place")?)))
            .collect()
    }

    async fn all_org_names(&mut self, limit: u32) -> StoreResult<Vec<(String, String)>> {
        let rows =
            query("SELECT DISTINCT org_id, name FROM org_names ORDER BY org_id, name LIMIT $1")
                .bind(i64::from(limit))
                .fetch_all(&mut self.conn)
                .await?;
        rows.iter()
            .map(|r| Ok((col(r, "org_id")?, col(r, "name")?)))
            .collect()
    }

    async fn org_member_ids(&mut self, org_id: &str) -> StoreResult<Vec<String>> {
        let rows = query("SELECT account_id FROM org_members WHERE org_id = $1")
            .bind(org_id)
            .fetch_all(&mut self.conn)
            .await?;
        strings(&rows, "account_id")
    }

    async fn people(&mut self, account_id: &str, since: Millis) -> StoreResult<Vec<KnownPerson>> {
        let rows = query(format!(
            "WITH {PEOPLE} SELECT a.id, a.nickname, \
               CASE WHEN EXISTS (SELECT 1 FROM org_members x JOIN org_members y ON y.org_id = x.org_id \
                 WHERE x.account_id = $1 AND y.account_id = a.id) THEN 1 ELSE 0 END AS colleague \
             FROM accounts a WHERE a.id IN (SELECT id FROM p) ORDER BY a.id"
        ))
        .bind(account_id)
        .fetch_all(&mut self.conn)
        .await?;
        let counts = talk(self, account_id, since).await?;
        let former = query(format!(
            "WITH {PEOPLE} SELECT h.account_id, h.nickname FROM nickname_history h \
             JOIN accounts a ON a.id = h.account_id \
             WHERE h.account_id IN (SELECT id FROM p) AND h.nickname <> a.nickname \
             ORDER BY h.account_id, h.at DESC, h.id"
        ))
        .bind(account_id)
        .fetch_all(&mut self.conn)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let colleague: i32 = col(r, "colleague")?;
            let id: String = col(r, "id")?;
            out.push(KnownPerson {
                messages: counts.get(&id).copied().unwrap_or(0),
                account_id: id,
                nickname: col(r, "nickname")?,
                former_nicknames: Vec::new(),
                colleague: colleague == 1,
            });
        }
        for r in &former {
            let id: String = col(r, "account_id")?;
            let name: String = col(r, "nickname")?;
            if let Some(p) = out.iter_mut().find(|p| p.account_id == id)
                && !p.former_nicknames.contains(&name)
            {
                p.former_nicknames.push(name);
            }
        }
        Ok(out)
    }

    async fn accounts_named(&mut self, nickname: &str) -> StoreResult<Vec<String>> {
        let rows = query(
            "SELECT id FROM accounts WHERE nickname = $1 \
             UNION SELECT account_id AS id FROM nickname_history WHERE nickname = $1",
        )
        .bind(nickname)
        .fetch_all(&mut self.conn)
        .await?;
        strings(&rows, "id")
    }

    async fn all_nicknames(&mut self, limit: u32) -> StoreResult<Vec<(String, String)>> {
        let rows = query(
            "SELECT id AS account_id, nickname FROM accounts \
             UNION SELECT account_id, nickname FROM nickname_history \
             ORDER BY account_id, nickname LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter()
            .map(|r| Ok((col(r, "account_id")?, col(r, "nickname")?)))
            .collect()
    }

    async fn network_accounts(&mut self, network: &str) -> StoreResult<i64> {
        let row = query("SELECT COUNT(*) AS n FROM known_networks WHERE network = $1")
            .bind(network)
            .fetch_one(&mut self.conn)
            .await?;
        col(&row, "n")
    }

    async fn device_accounts(&mut self, device_id: &str) -> StoreResult<Vec<String>> {
        let rows = query("SELECT account_id FROM devices WHERE device_id = $1")
            .bind(device_id)
            .fetch_all(&mut self.conn)
            .await?;
        strings(&rows, "account_id")
    }

    async fn accounts_bound_before(&mut self, value: &str) -> StoreResult<Vec<String>> {
        let rows = query(
            "SELECT account_id FROM binding_changes WHERE old_value = $1 \
             UNION SELECT account_id FROM binding_changes WHERE new_value = $1",
        )
        .bind(value)
        .fetch_all(&mut self.conn)
        .await?;
        strings(&rows, "account_id")
    }
}

/// The people an account (`$1`) knows, as the CTE `p(id)`: colleagues now or before, accepted
/// contacts, and the other side of its direct conversations.
const PEOPLE: &str = "p(id) AS ( \
    SELECT y.account_id FROM org_members x JOIN org_members y ON y.org_id = x.org_id \
      WHERE x.account_id = $1 AND y.account_id <> $1 \
    UNION SELECT to_id FROM contact_requests WHERE from_id = $1 AND status = 'accepted' \
    UNION SELECT from_id FROM contact_requests WHERE to_id = $1 AND status = 'accepted' \
    UNION SELECT o.account_id FROM conversation_members me \
      JOIN conversations c ON c.id = me.conversation_id AND c.kind = 'direct' \
      JOIN conversation_members o ON o.conversation_id = c.id AND o.account_id <> me.account_id \
      WHERE me.account_id = $1)";
