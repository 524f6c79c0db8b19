// The business chat in the browser: two members in two browser contexts. A creates an
// enterprise and invites B by e-mail; B accepts through the link from the outbox; A starts a
// conversation; messages, the unread count, a recall and a read receipt arrive live on the other
// page; a message of HTML stays text; a dropped socket resumes without losing a message.

import type { APIRequestContext, Locator, Page } from '@playwright/test';
import { test, expect, watch } from '../support/fixtures';
import { shoot } from '../support/shoot';
import { outbox } from '../support/outbox';
import { expectCsrfOnEveryForm, logout, newAccount, register, submitButton } from '../support/flows';

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

/** Sends a message through the page's composer (the script posts it with fetch). */
async function send(page: Page, body: string): Promise<void> {
  const composer = page.locator('form#composer');
  await composer.locator('textarea[name="body"]').fill(body);
  await submitButton(composer).click();
  await expect(composer.locator('textarea[name="body"]')).toHaveValue('');
  await expect(page.locator('#messages li.msg.mine .body').last()).toHaveText(body);
}

/** The message whose text is `body`. */
function message(page: Page, body: string): Locator {
  return page.locator('#messages li.msg').filter({ has: page.locator('.body', { hasText: body }) });
}

test('two members chat live in two browser contexts', async ({ page, request, browser, baseURL }) => {
  const a = newAccount('email');
  const b = newAccount('email');
  const contextB = await browser.newContext({ baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const pageB = await contextB.newPage();
  const watchedB = watch(pageB);
  const dialogs: string[] = [];
  for (const p of [page, pageB]) p.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });

  await register(page, request, a);
  await register(pageB, request, b);

  // A: the chat from the header, then an enterprise, and an invitation to B's e-mail.
  await page.locator('#nav-chat').click();
  await page.waitForURL((u) => u.pathname === '/chat');
  await expect(page.locator('#no-conversations')).toBeVisible();
  await page.locator('#orgs-link').click();
  const orgName = `旺商测试企业${Date.now() % 100000}`;
  const create = page.locator('form#org-create');
  await create.locator('input[name="name"]').fill(orgName);
  await submitButton(create).click();
  await page.waitForURL((u) => /^\/orgs\/[^/]+$/.test(u.pathname));
  await expectCsrfOnEveryForm(page);
  const invite = page.locator('form#org-invite');
  await invite.locator('input[name="destination"]').fill(b.destination);
  await submitButton(invite).click();
  await expect(page.locator('#org-notice')).toBeVisible();
  await shoot(page, 'chat-org');

  // B: the link from the outbox, then accept.
  const link = await inviteLink(request, b.destination);
  await pageB.goto(link);
  await expect(pageB.locator('#invite-org')).toHaveText(orgName);
  await shoot(pageB, 'chat-invite');
  await submitButton(pageB.locator('form#invite-accept')).click();
  await pageB.waitForURL((u) => u.pathname.startsWith('/orgs/'));
  await expect(pageB.locator('tr.org-member .name', { hasText: a.nickname })).toHaveCount(1);

  // A: a direct conversation with B, now a colleague.
  await page.goto('/chat');
  const start = page.locator('form#new-conversation-form');
  await start.getByLabel(b.nickname).check();
  await submitButton(start).click();
  await page.waitForURL((u) => /^\/chat\/[^/]+$/.test(u.pathname));
  const conversation = new URL(page.url()).pathname;
  await expect(page.locator('#chat[data-live="1"]')).toHaveCount(1);

  // B waits on the list; A's messages raise the unread count live.
  await pageB.goto('/chat');
  const row = pageB.locator('li.conversation').first();
  await expect(row.locator('.name')).toHaveText(a.nickname);
  await expect(row.locator('.unread')).toBeHidden();
  await expect(pageB.locator('#conversations[data-live="1"]')).toHaveCount(1);
  await send(page, '你好，我是 A');
  await send(page, '第二条消息');
  await expect(row.locator('.unread')).toHaveText('2');
  await expect(row.locator('.last')).toHaveText('第二条消息');
  await shoot(pageB, 'chat-list-unread');

  // B opens it (reading it); A's receipt turns to "read" live.
  await row.locator('a.open').click();
  await pageB.waitForURL((u) => u.pathname === conversation);
  await expect(message(pageB, '你好，我是 A')).toHaveCount(1);
  await expect(page.locator('#messages li.mine .receipt').last()).toHaveText('已读');
  await expect(pageB.locator('#chat[data-live="1"]')).toHaveCount(1);

  // B types: A sees "B 正在输入…" under the conversation; B's message then clears it.
  await pageB.locator('#composer textarea').pressSequentially('收到');
  await expect(page.locator('#typing')).toHaveText(`${b.nickname} 正在输入…`);
  await expect(pageB.locator('#typing')).toBeHidden();
  await shoot(page, 'chat-typing');
  await pageB.locator('#composer textarea').fill('');

  // B answers; it appears on A's page without a reload, and the typing line goes.
  await send(pageB, '收到，谢谢');
  await expect(page.locator('#typing')).toBeHidden({ timeout: 10_000 });
  await expect(message(page, '收到，谢谢')).toHaveCount(1);
  await expect(message(page, '收到，谢谢')).not.toHaveClass(/mine/);

  // HTML in a body is text, on the live page and when drawn by the server.
  const html = '<script>alert(1)</script><b>x</b>';
  await send(page, html);
  await expect(message(pageB, 'alert(1)').locator('.body')).toHaveText(html);
  await expect(pageB.locator('#messages b')).toHaveCount(0);
  await expect(page.locator('#messages b')).toHaveCount(0);
  await pageB.reload();
  await expect(message(pageB, 'alert(1)').locator('.body')).toHaveText(html);
  await expect(pageB.locator('#messages b, #messages script')).toHaveCount(0);
  await expect(pageB.locator('#chat[data-live="1"]')).toHaveCount(1);

  // A recalls (撤回) a message; B sees the tombstone live.
  await send(page, '这条要撤回');
  await expect(message(pageB, '这条要撤回')).toHaveCount(1);
  const recalled = message(page, '这条要撤回');
  const seq = await recalled.getAttribute('data-seq');
  await recalled.locator('form.recall button').click();
  await expect(page.locator(`#m-${seq}`)).toHaveClass(/recalled/);
  await expect(pageB.locator(`#m-${seq}`)).toHaveClass(/recalled/);
  await expect(pageB.locator(`#m-${seq} .body`)).toHaveText('此消息已撤回');
  await expect(pageB.locator('#messages .body', { hasText: '这条要撤回' })).toHaveCount(0);

  // A edits a message; B sees the new text live.
  await send(page, '改之前');
  await expect(message(pageB, '改之前')).toHaveCount(1);
  const eseq = await message(page, '改之前').getAttribute('data-seq');
  const mine = page.locator(`#m-${eseq}`);
  await mine.locator('details.edit summary').click();
  await mine.locator('form.edit textarea').fill('改之后');
  await mine.locator('form.edit button').click();
  await expect(pageB.locator(`#m-${eseq} .body`)).toHaveText('改之后');
  await expect(pageB.locator(`#m-${eseq} .edited`)).toHaveCount(1);
  await expect(mine.locator('.body')).toHaveText('改之后');

  // B's network drops; A goes on sending; back online, B gets each message once and in order.
  const before = await pageB.locator('#messages li.msg').count();
  await contextB.setOffline(true);
  await expect(pageB.locator('#chat[data-live="1"]')).toHaveCount(0);
  await send(page, '断线期间 1');
  await send(page, '断线期间 2');
  await contextB.setOffline(false);
  await expect(message(pageB, '断线期间 2')).toHaveCount(1);
  await expect(pageB.locator('#chat[data-live="1"]')).toHaveCount(1);
  await send(page, '重连之后');
  await expect(message(pageB, '重连之后')).toHaveCount(1);
  const bodies = await pageB.locator('#messages li.msg .body').allTextContents();
  expect(bodies.length).toBe(before + 3);
  expect(bodies.slice(-3)).toEqual(['断线期间 1', '断线期间 2', '重连之后']);
  const seqs = (await pageB.locator('#messages li.msg').evaluateAll((els) =>
    els.map((e) => Number(e.getAttribute('data-seq'))))) as number[];
  expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
  expect(new Set(seqs).size).toBe(seqs.length);
  await expect(page.locator('#messages li.mine .receipt').last()).toHaveText('已读');
  await shoot(pageB, 'chat-conversation');
  await shoot(page, 'chat-conversation-sender');

  // Who has read, on click.
  await page.locator('#messages li.mine .receipt').last().click();
  await expect(page.locator('#read-by li')).toHaveText([b.nickname]);

  expect(dialogs).toEqual([]);
  await contextB.close();
  expect(watchedB.check()).toEqual([]);
});

test('an invitation sends a signed-out visitor to register, then back to accept it', async ({ page, request }) => {
  const a = newAccount('email');
  const b = newAccount('email');
  await register(page, request, a);
  await page.goto('/orgs');
  const orgName = `邀请测试${Date.now() % 100000}`;
  const create = page.locator('form#org-create');
  await create.locator('input[name="name"]').fill(orgName);
  await submitButton(create).click();
  await page.waitForURL((u) => /^\/orgs\/[^/]+$/.test(u.pathname));
  const orgPath = new URL(page.url()).pathname;
  const invite = page.locator('form#org-invite');
  await invite.locator('input[name="destination"]').fill(b.destination);
  await submitButton(invite).click();
  await expect(page.locator('#org-notice')).toBeVisible();
  // A bad destination is an error on the page, not a 500.
  await page.locator('form#org-invite input[name="destination"]').fill('not a phone');
  await submitButton(page.locator('form#org-invite')).click();
  await expect(page.locator('p.error')).toHaveCount(1);
  await logout(page);

  const link = await inviteLink(request, b.destination);
  await page.goto(link);
  await expect(page.locator('#invite-org')).toHaveText(orgName);
  await expect(page.locator('form#invite-accept')).toHaveCount(0);
  await page.locator('#invite-register').click();
  await register(page, request, b, undefined, link);
  await submitButton(page.locator('form#invite-accept')).click();
  await page.waitForURL((u) => u.pathname === orgPath);
  await expect(page.locator('tr.org-member')).toHaveCount(2);
  await expect(page.locator('tr.org-member[data-role="owner"] .name')).toContainText(a.nickname);
  // The link works once.
  await page.goto('/chat');
  await expect(page.locator('#new-conversation-form')).toContainText(a.nickname);
  const again = await page.request.get(link);
  expect(again.status()).toBe(410);

  // A conversation that does not exist (or is someone else's) is a 404 page.
  const r = await page.request.get('/chat/no-such-conversation');
  expect(r.status()).toBe(404);
  expect(await r.text()).toContain('id="problem"');
});

test('without JavaScript: start a chat from the contacts, a group, send and recall by plain forms', async ({ page, request, browser, baseURL }) => {
  const a = newAccount('email');
  const b = newAccount('email');
  await register(page, request, a);
  await page.goto('/orgs');
  const create = page.locator('form#org-create');
  await create.locator('input[name="name"]').fill(`无脚本企业${Date.now() % 100000}`);
  await submitButton(create).click();
  await page.waitForURL((u) => /^\/orgs\/[^/]+$/.test(u.pathname));
  const invite = page.locator('form#org-invite');
  await invite.locator('input[name="destination"]').fill(b.destination);
  await submitButton(invite).click();
  await expect(page.locator('#org-notice')).toBeVisible();

  const contextB = await browser.newContext({ baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', javaScriptEnabled: false });
  const pageB = await contextB.newPage();
  const watchedB = watch(pageB);
  await register(pageB, request, b);
  await pageB.goto(await inviteLink(request, b.destination));
  await submitButton(pageB.locator('form#invite-accept')).click();
  await pageB.waitForURL((u) => u.pathname.startsWith('/orgs/'));

  // The contact's "message" button opens the direct conversation.
  await pageB.goto('/contacts');
  const contact = pageB.locator('li.contact', { hasText: a.nickname });
  await expect(contact.locator('.tag')).toHaveText('同事');
  await submitButton(contact.locator('form.start-chat')).click();
  await pageB.waitForURL((u) => /^\/chat\/[^/]+$/.test(u.pathname));
  const composer = pageB.locator('form#composer');
  await composer.locator('textarea[name="body"]').fill('没有脚本也能发');
  await submitButton(composer).click();
  await expect(message(pageB, '没有脚本也能发')).toHaveCount(1);
  await expect(message(pageB, '没有脚本也能发').locator('.receipt')).toHaveText('未读');
  // An empty message is refused on the page (the browser's `required` aside).
  await pageB.locator('form#composer textarea').evaluate((e) => e.removeAttribute('required'));
  await submitButton(pageB.locator('form#composer')).click();
  await expect(pageB.locator('p.error:not(.detail)[data-code="invalid_request"]')).toHaveCount(1);
  await submitButton(message(pageB, '没有脚本也能发').locator('form.recall')).click();
  await expect(pageB.locator('#messages li.msg.recalled .body')).toHaveText('此消息已撤回');

  // A group with a title: "read by N".
  await pageB.goto('/chat');
  const start = pageB.locator('form#new-conversation-form');
  await start.getByLabel(a.nickname).check();
  await start.locator('input[name="title"]').fill('项目群');
  await submitButton(start).click();
  await pageB.waitForURL((u) => /^\/chat\/[^/]+$/.test(u.pathname));
  await expect(pageB.locator('h1')).toHaveText('项目群');
  const group = new URL(pageB.url()).pathname;
  await pageB.locator('form#composer textarea').fill('群消息');
  await submitButton(pageB.locator('form#composer')).click();
  await expect(message(pageB, '群消息').locator('.receipt')).toHaveText('0 人已读');
  await page.goto(group);
  await expect(message(page, '群消息')).toHaveCount(1);
  await pageB.reload();
  await expect(message(pageB, '群消息').locator('.receipt')).toHaveText('1 人已读');
  await shoot(pageB, 'chat-group-nojs');

  await contextB.close();
  expect(watchedB.check()).toEqual([]);
});
