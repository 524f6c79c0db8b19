// Browser notifications (issue 19): with the permission granted and the tab in the background, a
// message from someone else raises a notification titled with the sender's name and showing the
// text (a file's name for a file); the member's own messages, and any message while the tab is in
// front, raise none. Clicking it opens the conversation.
//
// Chromium's real Notification API is used; an init script only records each notification the
// page creates (and lets the test put the tab in the background: headless Chromium has no other
// way to hide a tab).

import { test, expect } from '../support/fixtures';
import { colleagues, send } from '../support/colleagues';

test('a notification for a message from someone else while the tab is hidden', async ({ page, request, browser, baseURL }) => {
  const c = await colleagues(page, request, browser, baseURL);
  const { pageB } = c;
  try {
    await pageB.context().grantPermissions(['notifications'], { origin: new URL(baseURL!).origin });
    await pageB.addInitScript(() => {
      const w = window as unknown as { __notes: { title: string; body: string }[]; __hidden: boolean; __last: Notification | null };
      w.__notes = [];
      w.__hidden = false;
      w.__last = null;
      const Real = window.Notification;
      class Recorded extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          w.__notes.push({ title, body: options?.body ?? '' });
          w.__last = this;
        }
      }
      Object.defineProperty(window, 'Notification', { value: Recorded, configurable: true });
      Object.defineProperty(document, 'visibilityState', { get: () => (w.__hidden ? 'hidden' : 'visible'), configurable: true });
    });
    await pageB.goto('/chat');
    await expect(pageB.locator('#conversations[data-live="1"]')).toHaveCount(1);
    // Granted already: no button asks for it.
    await expect(pageB.locator('#notify')).toHaveCount(0);
    const notes = () => pageB.evaluate(() => (window as unknown as { __notes: { title: string; body: string }[] }).__notes);

    // In front: the list updates, nothing pops up.
    await send(page, '在前台时不弹通知');
    await expect(pageB.locator('li.conversation .last').first()).toHaveText('在前台时不弹通知');
    expect(await notes()).toEqual([]);

    // In the background: one notification, with the sender's name and the text.
    await pageB.evaluate(() => {
      (window as unknown as { __hidden: boolean }).__hidden = true;
    });
    await send(page, '合同已经盖章了');
    await expect.poll(notes).toHaveLength(1);
    const [n] = await notes();
    expect(n.title).toContain(c.a.nickname);
    expect(n.body).toBe('合同已经盖章了');

    // Clicking it opens the conversation.
    await pageB.evaluate(() => {
      const w = window as unknown as { __last: Notification | null };
      w.__last?.onclick?.(new Event('click'));
    });
    await pageB.waitForURL((u) => u.pathname === c.conversation);
    expect(c.check()).toEqual([]);
  } finally {
    await c.close();
  }
});
