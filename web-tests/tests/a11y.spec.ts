// Accessibility (issue 19): axe-core on every page of the web client at phone and desktop width,
// signed out and signed in, in a conversation and on an error page: no serious or critical
// violation. Every control is reachable with the keyboard: Tab walks to the composer's button.

import type { Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { test, expect } from '../support/fixtures';
import { WIDTHS } from '../support/shoot';
import { colleagues, send } from '../support/colleagues';

const LOGGED_OUT = ['/login', '/register', '/forgot', '/help', '/support', '/no/such/page'];
const LOGGED_IN = [
  '/chat',
  '/settings',
  '/settings/sessions',
  '/settings/password',
  '/settings/bindings',
  '/settings/security',
  '/settings/records',
  '/settings/checkup',
  '/settings/trusted',
  '/orgs',
  '/contacts',
  '/vouches',
  '/settings/security/totp',
];

async function serious(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const [kind, size] of Object.entries(WIDTHS)) {
    await page.setViewportSize(size);
    const r = await new AxeBuilder({ page }).analyze();
    for (const v of r.violations) {
      if (v.impact === 'serious' || v.impact === 'critical') {
        const where = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ');
        found.push(`${new URL(page.url()).pathname} (${kind}): ${v.id} [${v.impact}] ${v.help} — ${where}`);
      }
    }
  }
  await page.setViewportSize(WIDTHS.desktop);
  return found;
}

test('no serious or critical axe violation on any page, at both widths', async ({ page, request, browser, baseURL }) => {
  const found: string[] = [];
  for (const path of LOGGED_OUT) {
    await page.goto(path);
    found.push(...(await serious(page)));
  }
  const c = await colleagues(page, request, browser, baseURL);
  try {
    await send(page, '你好');
    found.push(...(await serious(page)));
    for (const path of LOGGED_IN) {
      await page.goto(path);
      found.push(...(await serious(page)));
    }
    // The keyboard reaches the composer's send button from the top of a conversation.
    await page.goto(c.conversation);
    let reached = false;
    for (let i = 0; i < 80 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.closest('form#composer') !== null && document.activeElement?.tagName === 'BUTTON');
    }
    expect(reached, 'Tab reaches the send button').toBe(true);
  } finally {
    const problems = c.check();
    await c.close();
    expect(problems).toEqual([]);
  }
  expect(found).toEqual([]);
});
