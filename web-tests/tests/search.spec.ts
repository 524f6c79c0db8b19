// Search in the browser (issue 18): A and B become colleagues and chat; A searches from the box
// on the conversation list, sees the message with the word highlighted and B by pinyin, and the
// hit opens the conversation at the message. A query with HTML stays text.

import type { APIRequestContext, Page } from '@playwright/test';
import { test, expect } from '../support/fixtures';
import { shoot } from '../support/shoot';
import { outbox } from '../support/outbox';
import { newAccount, register, submitButton } from '../support/flows';

/** The invitation link the outbox sent to `destination` (polls: delivery is asynchronous). */
async function inviteLink(request: APIRequestContext, destination: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    for (const m of await outbox(request, destination)) {
      const found = /https?:\/\/[^\s"<>]+\/invites\/[A-Za-z0-9_.-]+/.exec(m.body);
      if (found) return new URL(found[0]).pathname;
    }
    if (Date.now() > deadline) throw new Error(`no invitation link to ${destination}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function send(page: Page, body: string): Promise<void> {
  const composer = page.locator('form#composer');
  await composer.locator('textarea[name="body"]').fill(body);
  await submitButton(composer).click();
  await expect(page.locator('#messages li.msg.mine .body').last()).toHaveText(body);
}

test('search finds a message, highlights it and opens the conversation at it', async ({ page, request, browser, baseURL }) => {
  const a = newAccount('email');
  const b = newAccount('email');
  const contextB = await browser.newContext({ baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const pageB = await contextB.newPage();
  await register(page, request, a);
  await register(pageB, request, b);

  // A's enterprise, B invited and accepting; A opens a conversation with B.
  await page.goto('/orgs');
  const create = page.locator('form#org-create');
  await create.locator('input[name="name"]').fill(`搜索测试企业${Date.now() % 100000}`);
  await submitButton(create).click();
  await page.waitForURL((u) => /^\/orgs\/[^/]+$/.test(u.pathname));
  const invite = page.locator('form#org-invite');
  await invite.locator('input[name="destination"]').fill(b.destination);
  await submitButton(invite).click();
  await pageB.goto(await inviteLink(request, b.destination));
  await submitButton(pageB.locator('form#invite-accept')).click();
  await pageB.waitForURL((u) => u.pathname.startsWith('/orgs/'));
  await page.goto('/chat');
  const start = page.locator('form#new-conversation-form');
  await start.getByLabel(b.nickname).check();
  await submitButton(start).click();
  await page.waitForURL((u) => /^\/chat\/[^/]+$/.test(u.pathname));
  const conversation = new URL(page.url()).pathname;
  await send(page, '请查收 PO-2026-118 的合同，九五折');
  await send(page, '另一条无关的消息');

  // The search box on the conversation list.
  await page.goto('/chat');
  const box = page.locator('form#chat-search');
  await box.locator('input[name="q"]').fill('合同');
  await submitButton(box).click();
  await page.waitForURL((u) => u.pathname === '/search');
  const hit = page.locator('#search-messages li.hit');
  await expect(hit).toHaveCount(1);
  await expect(hit.locator('mark')).toHaveText('合同');
  await expect(hit.locator('.snippet')).toHaveText('请查收 PO-2026-118 的合同，九五折');
  await shoot(page, 'search-results');

  // An order code; B by pinyin initials in the people list.
  await page.goto('/search?q=' + encodeURIComponent('"PO-2026-118"'));
  await expect(page.locator('#search-messages li.hit mark')).toHaveText('PO-2026-118');
  await page.goto('/search?q=' + encodeURIComponent(b.nickname));
  await expect(page.locator('#search-people li.person .name')).toHaveText(b.nickname);

  // The enterprise by the initials of its name (搜索测试企业 = sscsqy), linking to its page.
  await page.goto('/search?q=sscsqy');
  const org = page.locator('#search-orgs li.org a');
  await expect(org).toHaveText(/^搜索测试企业/);
  await org.click();
  await page.waitForURL((u) => /^\/orgs\/[^/]+$/.test(u.pathname));

  // Nothing found; HTML in a query stays text.
  await page.goto('/search?q=' + encodeURIComponent('<b>不存在</b>'));
  await expect(page.locator('#no-hits')).toBeVisible();
  await expect(page.locator('main b, #search-messages b')).toHaveCount(0);
  await expect(page.locator('#search-form input[name="q"]')).toHaveValue('<b>不存在</b>');

  // The hit opens the conversation at the message.
  await page.goto('/search?q=' + encodeURIComponent('九五折'));
  await page.locator('#search-messages li.hit a').click();
  await page.waitForURL((u) => u.pathname === conversation);
  const seq = new URL(page.url()).hash.replace('#m-', '');
  await expect(page.locator(`#m-${seq} .body`)).toHaveText('请查收 PO-2026-118 的合同，九五折');
  await contextB.close();
});
