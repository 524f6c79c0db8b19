// Support-desk recovery end to end (issue 8, SPEC §4), each person in their own browser context:
// the owner of an account in an enterprise names two colleagues as trusted colleagues; someone
// who lost access (the requester, not signed in) files a ticket at /support and keeps the status
// link; each colleague confirms the vouch request; the agent (role given with
// `wangshang admin agent add`, TOTP on) sees `likely_owner` and approves; the owner's channel
// gets the approval with a cancel link; after the waiting period the requester gets the code and
// sets a new password; the owner's old session is gone and the new password signs in.
//
// The server runs with a 1 s activation delay and a 4 s waiting period (global-setup.ts).
// Set-up that has no page yet (creating the enterprise, inviting) uses the JSON API.

import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import type { APIRequestContext, Browser, BrowserContext, Page } from '@playwright/test';
import { test, expect, watch } from '../support/fixtures';
import { shoot, WIDTHS } from '../support/shoot';
import { devCode, outbox, outboxCount } from '../support/outbox';
import { Authenticator } from '../support/totp';
import {
  expectCsrfOnEveryForm,
  login,
  NEW_PASSWORD,
  newAccount,
  pathOf,
  register,
  submitButton,
  uniqueEmail,
  type Account,
} from '../support/flows';

/** A bearer token for set-up through the JSON API (answers a new-device step by e-mail code). */
async function apiToken(request: APIRequestContext, a: Account): Promise<string> {
  const before = await outboxCount(request, a.destination);
  const r = await request.post('/api/v1/sessions', { data: { identifier: a.destination, password: a.password } });
  if (r.status() === 201) return (await r.json()).token;
  expect(r.status(), `POST /api/v1/sessions: ${await r.text()}`).toBe(202);
  const challenge = await r.json();
  const code = await devCode(request, a.destination, before);
  const done = await request.post(`/api/v1/sessions/challenges/${challenge.challenge_id}`, {
    data: { method: challenge.methods[0], code },
  });
  expect(done.status(), `challenge: ${await done.text()}`).toBe(201);
  return (await done.json()).token;
}

function bearer(token: string) {
  return { authorization: `Bearer ${token}` };
}

/** The newest message to `destination` whose body contains `needle`, waiting up to 10 s. */
async function messageWith(request: APIRequestContext, destination: string, needle: string): Promise<string> {
  let found = '';
  await expect
    .poll(
      async () => {
        found = (await outbox(request, destination)).find((m) => m.body.includes(needle))?.body ?? '';
        return found;
      },
      { message: `a message to ${destination} containing ${needle}`, timeout: 10_000 },
    )
    .not.toBe('');
  return found;
}

/** `wangshang admin agent add <who>` against the database of the running server. */
function addAgent(who: string): void {
  const bin = process.env.WANGSHANG_TEST_BIN;
  const dataDir = process.env.WANGSHANG_TEST_DATA_DIR;
  if (!bin || !dataDir) throw new Error('WANGSHANG_TEST_BIN / WANGSHANG_TEST_DATA_DIR unset');
  // Only the two settings it needs: the runner's own WANGSHANG_* variables are no config keys.
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('WANGSHANG_')),
  );
  env.WANGSHANG_DATABASE_URL = `sqlite://${dataDir}/wangshang.db`;
  env.WANGSHANG_DATA_DIR = dataDir;
  env.RUST_LOG = 'warn';
  const r = spawnSync(bin, ['admin', 'agent', 'add', who], { cwd: dataDir, env, encoding: 'utf8' });
  expect(r.status, `wangshang admin agent add: ${r.stdout}${r.stderr}`).toBe(0);
  expect(r.stdout).toContain('added support_agent');
}

interface Person {
  context: BrowserContext;
  page: Page;
  check: () => string[];
}

async function person(browser: Browser, baseURL: string | undefined): Promise<Person> {
  const context = await browser.newContext({ baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  const w = watch(page);
  return { context, page, check: w.check };
}

test('support desk: ticket, two colleagues vouch, agent approves, waiting period, new password', async ({
  page,
  request,
  browser,
  baseURL,
}) => {
  test.skip(!process.env.WANGSHANG_TEST_BIN, 'needs the server global-setup started (for `wangshang admin`)');
  test.setTimeout(240_000);

  const owner = newAccount('email');
  const colleagueA = newAccount('email');
  const colleagueB = newAccount('email');
  const agentAccount = newAccount('email');
  const requesterContact = uniqueEmail();
  const orgName = `旺商测试${randomInt(0, 1_000_000)}`;

  const a = await person(browser, baseURL);
  const b = await person(browser, baseURL);
  const agent = await person(browser, baseURL);
  const requester = await person(browser, baseURL);
  // 403 for the agent console before two-factor is on is expected (a GET, unlike form POSTs).
  const agentCheck = () =>
    agent.check().filter((p) => !/status of 403/.test(p) || !p.includes('/agent'));

  try {
    // ---- Set-up: four accounts; colleague A's enterprise with the owner and colleague B.
    await register(page, request, owner);
    await register(a.page, request, colleagueA);
    await register(b.page, request, colleagueB);
    await register(agent.page, request, agentAccount);

    const tokenA = await apiToken(request, colleagueA);
    const org = await request.post('/api/v1/orgs', { headers: bearer(tokenA), data: { name: orgName } });
    expect(org.status(), await org.text()).toBe(201);
    const orgId: string = (await org.json()).id;
    for (const member of [owner, colleagueB]) {
      const inv = await request.post(`/api/v1/orgs/${orgId}/invites`, {
        headers: bearer(tokenA),
        data: { destination: member.destination },
      });
      expect(inv.status(), await inv.text()).toBeLessThan(300);
      const body = await messageWith(request, member.destination, '/invites/');
      const code = /\/invites\/([A-Za-z0-9_-]+)/.exec(body)?.[1];
      expect(code, body).toBeTruthy();
      const token = await apiToken(request, member);
      const acc = await request.post(`/api/v1/invites/${code}/accept`, { headers: bearer(token) });
      expect(acc.status(), await acc.text()).toBeLessThan(300);
    }

    // ---- The owner names A and B as trusted colleagues (counts after the 1 s delay).
    await page.goto('/settings');
    await page.locator('#trusted-link').click();
    await page.waitForURL((u) => u.pathname === '/settings/trusted');
    await expectCsrfOnEveryForm(page);
    const form = page.locator('form#trusted-form');
    await expect(form.locator('input[name="account_ids"]')).toHaveCount(2);
    // One alone is refused with a clear message.
    await form.getByLabel(colleagueA.nickname).check();
    await submitButton(form).click();
    await expect(page.locator('p.error[data-code="trusted_contacts_count"]')).toBeVisible();
    await form.getByLabel(colleagueA.nickname).check();
    await form.getByLabel(colleagueB.nickname).check();
    await shoot(page, 'support-trusted-pick');
    await submitButton(form).click();
    await page.waitForURL((u) => u.pathname === '/settings/trusted' && u.search.includes('saved'));
    await expect(page.locator('#trusted-saved')).toBeVisible();
    await expect(page.locator('li.trusted')).toHaveCount(2);
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator('li.trusted[data-state="active"]').count();
        },
        { message: 'both trusted colleagues become active', timeout: 10_000 },
      )
      .toBe(2);
    await shoot(page, 'support-trusted-active');

    // ---- The agent: the role first; the console asks for two-factor; then TOTP on.
    addAgent(agentAccount.destination);
    await agent.page.goto('/agent');
    await expect(agent.page.locator('#agent-needs-2fa')).toBeVisible();
    await expect(agent.page.locator('#to-2fa')).toHaveAttribute('href', '/settings/security');
    await shoot(agent.page, 'support-agent-needs-2fa');
    await agent.page.locator('#to-2fa').click();
    const start = agent.page.locator('form#totp-start');
    await start.locator('input[name="current_password"]').fill(agentAccount.password);
    await submitButton(start).click();
    const totp = new Authenticator((await agent.page.locator('#totp-secret').getAttribute('data-secret')) ?? '');
    const confirm = agent.page.locator('form#totp-confirm');
    await confirm.locator('input[name="code"]').fill(totp.next());
    await submitButton(confirm).click();
    await expect(agent.page.locator('#recovery-codes li.recovery-code')).toHaveCount(10);
    await expect(agent.page.locator('#nav-agent')).toBeVisible();

    // ---- The requester, not signed in: login page → support → prove a contact → claims.
    const rp = requester.page;
    await rp.goto('/login');
    await rp.locator('#to-support').click();
    await rp.waitForURL((u) => u.pathname === '/support');
    await expectCsrfOnEveryForm(rp);
    await shoot(rp, 'support-start');
    const contactForm = rp.locator('form#support-contact');
    await contactForm.locator('input[name="channel"][value="email"]').check();
    await contactForm.locator('input[name="destination"]').fill(requesterContact);
    const seen = await outboxCount(request, requesterContact);
    await submitButton(contactForm).click();
    const codeForm = rp.locator('form#support-code');
    await expect(codeForm).toBeVisible();
    await expectCsrfOnEveryForm(rp);
    const contactCode = await devCode(request, requesterContact, seen);
    // A wrong code first: a clear error, still on the code step.
    await codeForm.locator('input[name="code"]').fill(contactCode === '000000' ? '111111' : '000000');
    await submitButton(codeForm).click();
    await expect(rp.locator('p.error[data-code="invalid_code"]')).toBeVisible();
    await codeForm.locator('input[name="code"]').fill(contactCode);
    await shoot(rp, 'support-code');
    await submitButton(codeForm).click();
    const claims = rp.locator('form#support-claims');
    await expect(claims).toBeVisible();
    await expectCsrfOnEveryForm(rp);
    await claims.locator('input[name="email"]').fill(owner.destination);
    await claims.locator('input[name="nicknames"]').fill(owner.nickname);
    await claims.locator('input[name="enterprise"]').fill(orgName);
    await claims.locator('textarea[name="description"]').fill('我的手机丢了，邮箱也登不上了。');
    // A malformed date is refused with the form kept (the browser's pattern check is bypassed).
    await claims.locator('input[name="created_around"]').evaluate((el: HTMLInputElement) => el.removeAttribute('pattern'));
    await claims.locator('input[name="created_around"]').fill('last spring');
    await claims.locator('textarea[name="security_answers"]').fill('小黑\n北京路, 12 号');
    await submitButton(claims).click();
    await expect(rp.locator('p.error[data-code="invalid_date"]').first()).toBeVisible();
    await expect(claims.locator('input[name="nicknames"]')).toHaveValue(owner.nickname);
    // Security answers are secrets: never shown back, not even to the one who typed them.
    await expect(claims.locator('textarea[name="security_answers"]')).toHaveValue('');
    await expect(rp.locator('body')).not.toContainText('北京路');
    // The year the account was opened (now): confirmations need one kind of private evidence
    // of the ticket's own, and a year (+12) keeps the ticket well short of `likely_owner`
    // before they answer, whatever else matches (the same browser version as a login: +7).
    await claims.locator('input[name="created_around"]').fill(new Date().toISOString().slice(0, 4));
    await shoot(rp, 'support-claims');
    await submitButton(claims).click();

    await rp.waitForURL((u) => /^\/support\/tickets\/WS\d+$/.test(u.pathname));
    await expect(rp.locator('#ticket-opened')).toBeVisible();
    const ticketNo = (await rp.locator('#ticket-no').textContent())?.trim() ?? '';
    expect(ticketNo).toMatch(/^WS\d{10}$/);
    const statusLink = (await rp.locator('#status-link').getAttribute('href')) ?? '';
    expect(statusLink).toContain(`/support/tickets/${ticketNo}?token=`);
    await expect(rp.locator('#ticket-status')).toHaveAttribute('data-status', 'open');
    await shoot(rp, 'support-ticket-opened');
    // The link was also sent to the proven contact, pointing at this page.
    expect(await messageWith(request, requesterContact, `/support/tickets/${ticketNo}?token=`)).toContain(statusLink);

    /** The requester's page never shows the account's data (nor the colleagues'). */
    const expectNoAccountData = async () => {
      const html = await rp.content();
      for (const secret of [owner.nickname, owner.destination, colleagueA.nickname, colleagueB.nickname, orgName]) {
        expect(html, `the status page shows ${secret}`).not.toContain(secret);
      }
      expect(html).not.toContain(owner.destination.split('@')[0]);
    };
    await rp.goto(statusLink);
    await expect(rp.locator('#ticket-opened')).toHaveCount(0);
    await expectNoAccountData();

    // ---- The agent sees the ticket before the colleagues answered.
    const ap = agent.page;
    await ap.goto('/agent');
    const row = ap.locator(`tr.ticket[data-ticket="${ticketNo}"]`);
    await expect(row).toBeVisible();
    await shoot(ap, 'support-agent-queue');
    await row.locator('a').click();
    await ap.waitForURL((u) => u.pathname === `/agent/tickets/${ticketNo}`);
    const candidate = ap.locator('article.candidate.picked');
    await expect(candidate).toHaveCount(1);
    await expect(candidate).not.toHaveAttribute('data-recommendation', 'likely_owner');
    await expect(ap.locator('#requester-ip')).not.toBeEmpty();
    await expect(ap.locator('#requester-device')).not.toBeEmpty();
    await expect(ap.locator('input[type="password"]')).toHaveCount(0);

    // ---- The owner, still signed in here, is asked "was it you?" (left unanswered: this test
    // is about the colleagues' path).
    await page.goto('/settings');
    await expect(page.locator('#ticket-banner')).toBeVisible();
    await page.locator('#ticket-banner-confirm').click();
    await page.waitForURL((u) => u.pathname === '/vouches');
    const own = page.locator('article.vouch-request.own.open');
    await expect(own).toHaveCount(1);
    await expect(own.locator('.who.own')).toHaveText('有人向客服申请找回你的账号');
    await expect(submitButton(own.locator('form.vouch-confirm'))).toHaveText('是我本人申请的');
    await expect(submitButton(own.locator('form.vouch-deny'))).toHaveText('不是我');
    await expectCsrfOnEveryForm(page);
    await shoot(page, 'support-own-check');

    // ---- Each colleague sees the request (badge in the header) and confirms.
    for (const [who, p] of [
      [colleagueA, a],
      [colleagueB, b],
    ] as const) {
      await p.page.goto('/settings');
      await expect(p.page.locator('#vouch-badge')).toHaveText('1');
      await p.page.locator('#nav-vouches').click();
      await p.page.waitForURL((u) => u.pathname === '/vouches');
      await expectCsrfOnEveryForm(p.page);
      const req = p.page.locator('article.vouch-request.open');
      await expect(req).toHaveCount(1);
      await expect(req.locator('.nickname')).toHaveText(owner.nickname);
      await expect(req.locator('.ip')).not.toBeEmpty();
      await expect(req.locator('.device')).not.toBeEmpty();
      await shoot(p.page, `support-vouch-${who === colleagueA ? 'a' : 'b'}`);
      await submitButton(req.locator('form.vouch-confirm')).click();
      await p.page.waitForURL((u) => u.pathname === '/vouches');
      await expect(p.page.locator('article.vouch-request .answer')).toBeVisible();
      await expect(p.page.locator('#vouch-badge')).toHaveCount(0);
    }
    // Colleague A created the enterprise: as its owner A also sees the member's request.
    await a.page.locator('a.org-recovery').click();
    await a.page.waitForURL((u) => u.pathname === `/orgs/${orgId}/recovery-requests`);
    await expect(a.page.locator(`article.org-request[data-ticket="${ticketNo}"] .nickname`)).toHaveText(owner.nickname);
    await expectCsrfOnEveryForm(a.page);
    await shoot(a.page, 'support-org-requests');
    // A confirms as the enterprise's admin too: the agent sees it, with the enterprise named.
    const orgRequest = a.page.locator(`article.org-request[data-ticket="${ticketNo}"]`);
    await submitButton(orgRequest.locator('form.org-confirm')).click();
    await a.page.waitForURL((u) => u.pathname === `/orgs/${orgId}/recovery-requests`);
    await expect(orgRequest.locator('.answer')).toBeVisible();

    // ---- The agent: likely_owner now, with the colleagues in the breakdown; approve.
    await ap.reload();
    await expect(candidate).toHaveAttribute('data-recommendation', 'likely_owner');
    await expect(candidate.locator('table.evidence tr[data-result]').first()).toBeVisible();
    await expect(ap.locator('#vouches li.vouch')).toHaveCount(2);
    await expect(ap.locator('#admin-answers li')).toHaveCount(1);
    await expect(ap.locator('#audit tr.audit[data-action^="admin_"]')).toContainText(orgName);
    // Each line is explained in the agent's language, and the colleagues made the difference.
    const vouchRow = candidate.locator('table.evidence tr.decisive');
    await expect(vouchRow.first()).toBeVisible();
    await expect(candidate.locator('table.evidence td.body').first()).toHaveText('是账号当前绑定的。');
    await expect(candidate.locator('li.decisive-item', { hasText: '可信同事' })).toHaveCount(1);
    await ap.goto(`/agent/tickets/${ticketNo}?lang=en`);
    await expect(candidate.locator('table.evidence td.body').first()).toHaveText('Bound to the account now.');
    await expect(candidate.locator('li.decisive-item', { hasText: 'Trusted colleagues' })).toHaveCount(1);
    await expect(candidate.locator('.private-points')).toContainText('Private evidence');
    await shoot(ap, 'support-agent-ticket-en');
    await ap.goto(`/agent/tickets/${ticketNo}?lang=zh-CN`);
    await expectCsrfOnEveryForm(ap);
    await shoot(ap, 'support-agent-ticket');
    const decision = ap.locator('form#decision');
    await decision.locator('input[name="decision"][value="approve"]').check();
    await decision.locator('textarea[name="note"]').fill('两位可信同事已确认。');
    const ownerSeen = await outboxCount(request, owner.destination);
    await submitButton(decision).click();
    await ap.waitForURL((u) => u.pathname === `/agent/tickets/${ticketNo}`);
    await expect(ap.locator('#ticket-summary')).toHaveAttribute('data-status', 'approved');
    await expect(ap.locator('#wait-until')).toBeVisible();
    await expect(ap.locator('tr.audit[data-action="approve"]')).toHaveCount(1);
    // The trail names people and actions in the agent's words: the agent by nickname, the
    // requester and each action from the catalog, the picked account by its nickname.
    const trail = (action: string) => ap.locator(`tr.audit[data-action="${action}"]`).first();
    await expect(trail('approve').locator('td.actor')).toHaveText(agentAccount.nickname);
    await expect(trail('approve').locator('td').nth(2)).toHaveText('批准');
    await expect(trail('opened').locator('td.actor')).toHaveText('申诉人');
    await expect(trail('opened').locator('td').nth(2)).toHaveText('提交工单');
    // On a phone the audit trail is a card per entry: the actor's 32-character id gets the
    // screen's width, not a fifth of it (it was one character per line).
    await ap.setViewportSize(WIDTHS.phone);
    const actor = ap.locator('tr.audit[data-action="approve"] td.actor');
    const box = await actor.boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(WIDTHS.phone.width * 0.7);
    await expect(actor).toHaveCSS('display', 'block');
    await ap.setViewportSize(WIDTHS.desktop);
    await shoot(ap, 'support-agent-approved');

    // ---- The owner's channel: "a recovery was approved; if this was not you, cancel".
    let approval = '';
    await expect
      .poll(
        async () => {
          const all = await outbox(request, owner.destination);
          const fresh = all.slice(0, Math.max(0, all.length - ownerSeen));
          approval = fresh.find((m) => m.body.includes('/support/cancel'))?.body ?? '';
          return approval;
        },
        { message: 'the approval notice with a cancel link', timeout: 10_000 },
      )
      .not.toBe('');
    const cancelUrl = /https?:\/\/\S+\/support\/cancel\?ticket=[^&\s]+&token=[A-Za-z0-9_-]+/.exec(approval)?.[0];
    expect(cancelUrl, approval).toBeTruthy();
    // The link's page explains and asks; opening it cancels nothing.
    await page.goto(cancelUrl ?? '/support/cancel');
    await expect(page.locator('form#support-cancel')).toBeVisible();
    await expect(page.locator('#cancel-ticket')).toHaveText(ticketNo);
    await expectCsrfOnEveryForm(page);
    await shoot(page, 'support-cancel-page');

    // ---- The requester: approved, waiting; then the code and a new password.
    await rp.goto(statusLink);
    await expect(rp.locator('#ticket-status')).toHaveAttribute('data-status', 'approved');
    await expectNoAccountData();
    await shoot(rp, 'support-status-waiting');
    await expect
      .poll(
        async () => {
          await rp.reload();
          return rp.locator('form#support-send-code').count();
        },
        { message: 'the waiting period ends', timeout: 20_000, intervals: [1_000] },
      )
      .toBe(1);
    await expectCsrfOnEveryForm(rp);
    const seenCode = await outboxCount(request, requesterContact);
    await submitButton(rp.locator('form#support-send-code')).click();
    const complete = rp.locator('form#support-complete');
    await expect(complete).toBeVisible();
    const recoveryCode = await devCode(request, requesterContact, seenCode);
    await complete.locator('input[name="code"]').fill(recoveryCode);
    await complete.locator('input[name="new_password"]').fill(NEW_PASSWORD);
    await expect(rp.locator('#strength')).toBeVisible();
    await expectNoAccountData();
    await shoot(rp, 'support-complete');
    await submitButton(complete).click();
    await rp.waitForURL((u) => u.pathname === '/support/done');
    await expect(rp.locator('#support-done')).toBeVisible();
    await shoot(rp, 'support-done');
    await rp.goto(statusLink);
    await expect(rp.locator('#ticket-status')).toHaveAttribute('data-status', 'completed');
    await expectNoAccountData();

    // ---- The owner's old session is signed out.
    await page.goto('/settings');
    await page.waitForURL((u) => u.pathname === '/login');

    // ---- The requester signs in with the new password (the proven contact is bound now).
    await rp.goto('/login');
    await login(rp, request, requesterContact, NEW_PASSWORD);
    expect(pathOf(rp)).toBe('/chat');
    await rp.goto('/settings');
    await expect(rp.locator('#profile #nickname')).toHaveText(owner.nickname);
    await shoot(rp, 'support-signed-in');
  } finally {
    const problems = [...a.check(), ...b.check(), ...agentCheck(), ...requester.check()];
    for (const p of [a, b, agent, requester]) await p.context.close();
    expect(problems, `problems in the other browser contexts:\n  ${problems.join('\n  ')}`).toEqual([]);
  }
});
