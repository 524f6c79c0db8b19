// The dev outbox page, the help page, and the sessions page (revoking another session).

import { test, expect } from '../support/fixtures';
import { shoot } from '../support/shoot';
import { devCode } from '../support/outbox';
import { login, newAccount, register, submitButton } from '../support/flows';

test('the dev outbox page lists the code a registration sent', async ({ page, request }) => {
  const account = newAccount('email');
  await page.goto('/register');
  const start = page.locator('form#register-start');
  await start.locator('input[name="channel"][value="email"]').check();
  await start.locator('input[name="destination"]').fill(account.destination);
  await submitButton(start).click();
  await expect(page.locator('form#register-finish')).toBeVisible();
  const code = await devCode(request, account.destination, 0);

  await page.goto('/dev/outbox');
  const row = page.locator('table#outbox tr.message').filter({
    has: page.locator('td.destination', { hasText: account.destination }),
  });
  await expect(row).toHaveCount(1);
  await expect(row.locator('td.code')).toHaveText(code);
  await expect(row.locator('td.body')).not.toBeEmpty();
  await shoot(page, 'dev-outbox');
});

test('the help page', async ({ page }) => {
  await page.goto('/help');
  await expect(page.locator('#help')).toBeVisible();
  await expect(page.locator('#help')).not.toBeEmpty();
  await shoot(page, 'help');
});

test('sessions: another device appears and can be revoked', async ({ page, request, browser, baseURL }) => {
  const account = newAccount('email');
  await register(page, request, account);

  // A second browser (another device) logs in.
  const other = await browser.newContext({ baseURL, locale: 'zh-CN' });
  try {
    const otherPage = await other.newPage();
    await login(otherPage, request, account.destination, account.password);

    await page.locator('a[href="/settings/sessions"]').first().click();
    await page.waitForURL((u) => u.pathname === '/settings/sessions');
    const rows = page.locator('table#sessions tr.session');
    await expect(rows).toHaveCount(2);
    // The current session has no revoke button; the other one has.
    const revoke = page.locator('table#sessions tr.session form.revoke');
    await expect(revoke).toHaveCount(1);
    await shoot(page, 'sessions');
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
      submitButton(revoke).click(),
    ]);
    await page.waitForLoadState();
    await page.goto('/settings/sessions');
    await expect(page.locator('table#sessions tr.session')).toHaveCount(1);
    await expect(page.locator('table#sessions tr.session form.revoke')).toHaveCount(0);

    // The other device is logged out.
    await otherPage.goto('/settings');
    await expect(otherPage.locator('form#logout')).toHaveCount(0);
  } finally {
    await other.close();
  }
});
