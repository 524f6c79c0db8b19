// Two members who are colleagues (A's enterprise invited B by e-mail, B accepted), each signed
// in on their own page, and A's direct conversation with B open on A's page.

import type { APIRequestContext, Browser, Page } from '@playwright/test';
import { expect, watch } from './fixtures';
import { outbox } from './outbox';
import { newAccount, register, submitButton, type Account } from './flows';

/** The invitation link the outbox sent to `destination` (polls: delivery is asynchronous). */
export async function inviteLink(request: APIRequestContext, destination: string): Promise<string> {
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

export interface Colleagues {
  a: Account;
  b: Account;
  pageB: Page;
  conversation: string;
  check: () => string[];
  close: () => Promise<void>;
}

export async function colleagues(
  page: Page,
  request: APIRequestContext,
  browser: Browser,
  baseURL: string | undefined,
): Promise<Colleagues> {
  const a = newAccount('email');
  const b = newAccount('email');
  const contextB = await browser.newContext({ baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const pageB = await contextB.newPage();
  const watchedB = watch(pageB);
  await register(page, request, a);
  await register(pageB, request, b);
  await page.goto('/orgs');
  const create = page.locator('form#org-create');
  await create.locator('input[name="name"]').fill(`旺商测试${Date.now() % 100000}`);
  await submitButton(create).click();
  await page.waitForURL((u) => /^\/orgs\/[^/]+$/.test(u.pathname));
  const invite = page.locator('form#org-invite');
  await invite.locator('input[name="destination"]').fill(b.destination);
  await submitButton(invite).click();
  await expect(page.locator('#org-notice')).toBeVisible();
  await pageB.goto(await inviteLink(request, b.destination));
  await submitButton(pageB.locator('form#invite-accept')).click();
  await pageB.waitForURL((u) => u.pathname.startsWith('/orgs/'));
  await page.goto('/chat');
  const start = page.locator('form#new-conversation-form');
  await start.getByLabel(b.nickname).check();
  await submitButton(start).click();
  await page.waitForURL((u) => /^\/chat\/[^/]+$/.test(u.pathname));
  const conversation = new URL(page.url()).pathname;
  await expect(page.locator('#chat[data-live="1"]')).toHaveCount(1);
  return {
    a,
    b,
    pageB,
    conversation,
    check: () => watchedB.check(),
    close: () => contextB.close(),
  };
}

/** Sends a message through the page's composer (the script posts it with fetch). */
export async function send(page: Page, body: string): Promise<void> {
  const composer = page.locator('form#composer');
  await composer.locator('textarea[name="body"]').fill(body);
  await submitButton(composer).click();
  await expect(composer.locator('textarea[name="body"]')).toHaveValue('');
  await expect(page.locator('#messages li.msg.mine .body').last()).toHaveText(body);
}
