// Enterprise policy (issue 15), from the owner's setting to the member's set-up: the owner
// requires a second factor with no grace period; the member's enterprise conversation then shows
// a page that says what to do, and the banner on every page links to the set-up; once the member
// has an authenticator app, the conversation opens again and the banner is gone. The owner's
// security view shows the member's second factor.

import { test, expect } from '../support/fixtures';
import { colleagues } from '../support/colleagues';
import { shoot } from '../support/shoot';
import { submitButton } from '../support/flows';
import { Authenticator } from '../support/totp';

test('the owner requires a second factor; the member is sent to set one up, then gets back in', async ({ page, request, browser, baseURL }) => {
  const c = await colleagues(page, request, browser, baseURL);
  const { b, pageB, conversation } = c;
  try {
    // B reads the conversation before any policy.
    await pageB.goto(conversation);
    await expect(pageB.locator('#chat')).toHaveCount(1);
    await expect(pageB.locator('#policy-2fa-banner')).toHaveCount(0);

    // A (the owner) sets the policy: a second factor of any kind, no grace period.
    await page.goto('/orgs');
    await page.locator('li.org a').first().click();
    await page.locator('#org-policy-link').click();
    const form = page.locator('form#org-policy');
    await form.locator('select[name="require_second_factor"]').selectOption('any');
    await form.locator('input[name="grace_days"]').fill('0');
    await submitButton(form).click();
    await expect(page.locator('#policy-saved')).toBeVisible();
    await expect(form.locator('select[name="require_second_factor"]')).toHaveValue('any');
    await shoot(page, 'policy-require-2fa');

    // B: the conversation is closed, with a page that says why and links to the set-up.
    const blocked = await pageB.goto(conversation);
    expect(blocked?.status()).toBe(403);
    await expect(pageB.locator('#problem')).toContainText('该企业要求开启两步验证');
    await expect(pageB.locator('#chat')).toHaveCount(0);
    await expect(pageB.locator('#policy-2fa-banner')).toContainText('要求所有成员开启两步验证');
    await shoot(pageB, 'policy-blocked');
    await pageB.locator('#problem-back').click();
    await pageB.waitForURL((u) => u.pathname === '/settings/security');

    // B sets up an authenticator app.
    const start = pageB.locator('form#totp-start');
    await start.locator('input[name="current_password"]').fill(b.password);
    await submitButton(start).click();
    const auth = new Authenticator((await pageB.locator('#totp-secret').getAttribute('data-secret')) ?? '');
    const confirm = pageB.locator('form#totp-confirm');
    await confirm.locator('input[name="code"]').fill(auth.next());
    await submitButton(confirm).click();
    await expect(pageB.locator('#recovery-codes li.recovery-code')).toHaveCount(10);

    // The conversation opens again; the banner is gone.
    const open = await pageB.goto(conversation);
    expect(open?.status()).toBe(200);
    await expect(pageB.locator('#chat')).toHaveCount(1);
    await expect(pageB.locator('#policy-2fa-banner')).toHaveCount(0);

    // The owner's security view shows B with a second factor.
    await page.goto(page.url().replace(/\/policy$/, '/security'));
    const row = page.locator('tr.posture').filter({ hasText: b.nickname });
    await expect(row.locator('.factors')).not.toHaveText('');
    await expect(page.locator('tr.posture').filter({ hasText: b.nickname }).locator('.factors')).toContainText(/TOTP|验证器/);
    expect(c.check()).toEqual([]);
  } finally {
    await c.close();
  }
});
