// The chat feels like a messenger (issue 19, problem 2): on a desktop the conversation list sits
// beside the open conversation and the members in a side panel; on a phone the list and the
// conversation are separate screens, the header is compact and the composer is on the screen.
// Bubbles name the sender only when it changes, show times in the viewer's time zone under day
// lines, and the tab title counts unread messages. After login, the member lands on the chat.

import { test, expect } from '../support/fixtures';
import { shoot, WIDTHS } from '../support/shoot';
import { colleagues, send } from '../support/colleagues';

test('list beside conversation, grouped bubbles, local times, unread in the title, phone screens', async ({ page, request, browser, baseURL }) => {
  const c = await colleagues(page, request, browser, baseURL);
  const { pageB } = c;
  try {
    // B waits on the list; A's message shows in B's tab title.
    await pageB.goto('/chat');
    await expect(pageB.locator('#conversations[data-live="1"]')).toHaveCount(1);
    const baseTitle = await pageB.title();
    await send(page, '早上好，今天的报价单发你了');
    await expect(pageB.locator('li.conversation .unread').first()).toHaveText('1');
    await expect(pageB).toHaveTitle(`(1) ${baseTitle}`);
    // The list row: last message and a local time (HH:MM today).
    const row = pageB.locator('li.conversation').first();
    await expect(row.locator('.last')).toHaveText('早上好，今天的报价单发你了');
    await expect(row.locator('time.when')).toHaveText(/^\d{2}:\d{2}$/);

    // A busy conversation: runs of messages from each side.
    for (const body of ['第一版在附件里', '价格按上次谈的', '交货期三周']) await send(page, body);
    await row.locator('a.open').click();
    await pageB.waitForURL((u) => u.pathname === c.conversation);
    await expect(pageB.locator('#chat[data-live="1"]')).toHaveCount(1);
    await expect(pageB).toHaveTitle(/^[^(]/);
    for (const body of ['收到', '我下午看一下，有问题再找你']) await send(pageB, body);
    for (const body of ['好的', '不着急']) await send(page, body);
    await expect(pageB.locator('#messages li.msg')).toHaveCount(8);

    // The sender's name only when it changes; never on one's own messages.
    const whoShown = pageB.locator('#messages li.msg .who:visible');
    await expect(whoShown).toHaveCount(2);
    await expect(whoShown.first()).toHaveText(c.a.nickname);
    await expect(pageB.locator('#messages li.msg.mine .who:visible')).toHaveCount(0);
    // One day line, "今天"; times as HH:MM in the viewer's zone, the full time on hover.
    await expect(pageB.locator('#messages li.day')).toHaveCount(1);
    await expect(pageB.locator('#messages li.day')).toHaveText('今天');
    const time = pageB.locator('#messages li.msg time').first();
    await expect(time).toHaveText(/^\d{2}:\d{2}$/);
    await expect(time).toHaveAttribute('title', /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \(Asia\/Shanghai\)$/);
    // The server-drawn time was UTC; the shown one is Shanghai's (UTC+8).
    const ms = Number(await pageB.locator('#messages li.msg').first().getAttribute('data-sent-ms'));
    const shanghai = new Date(ms + 8 * 3600_000);
    const hhmm = `${String(shanghai.getUTCHours()).padStart(2, '0')}:${String(shanghai.getUTCMinutes()).padStart(2, '0')}`;
    await expect(time).toHaveText(hhmm);

    // Desktop: the list on the left, the conversation, the members panel on the right.
    await pageB.setViewportSize(WIDTHS.desktop);
    const list = await pageB.locator('.pane-list').boundingBox();
    const chat = await pageB.locator('#chat').boundingBox();
    const members = await pageB.locator('#members').boundingBox();
    expect(list && chat && members, 'three panes drawn').toBeTruthy();
    expect(list!.x + list!.width).toBeLessThanOrEqual(chat!.x + 1);
    expect(chat!.x + chat!.width).toBeLessThanOrEqual(members!.x + 1);
    await expect(pageB.locator('.pane-list li.conversation.current')).toHaveCount(1);
    const composer = await pageB.locator('form#composer').boundingBox();
    expect(composer!.y + composer!.height).toBeLessThanOrEqual(WIDTHS.desktop.height + 1);
    await shoot(pageB, 'chat-conversation-busy');

    // Phone: only the conversation, a compact header, the composer on the screen.
    await pageB.setViewportSize(WIDTHS.phone);
    await pageB.goto(c.conversation);
    await expect(pageB.locator('.pane-list')).toBeHidden();
    await expect(pageB.locator('a#back-to-list')).toBeVisible();
    const header = await pageB.locator('body > header').boundingBox();
    expect(header!.height).toBeLessThanOrEqual(48);
    const phoneComposer = await pageB.locator('form#composer').boundingBox();
    expect(phoneComposer!.y).toBeGreaterThan(0);
    expect(phoneComposer!.y + phoneComposer!.height).toBeLessThanOrEqual(WIDTHS.phone.height + 1);
    await pageB.locator('a#back-to-list').click();
    await pageB.waitForURL((u) => u.pathname === '/chat');
    await expect(pageB.locator('#conversations li.conversation')).toHaveCount(1);
    await pageB.setViewportSize(WIDTHS.desktop);
    await shoot(pageB, 'chat-list');
  } finally {
    const problems = c.check();
    await c.close();
    expect(problems, 'problems on the second page').toEqual([]);
  }
});
