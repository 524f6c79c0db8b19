// A passkey registered with Chromium's virtual authenticator (CDP WebAuthn domain), then used
// as the second step of a login.

import { test, expect } from '../support/fixtures';
import { shoot } from '../support/shoot';
import { logout, newAccount, register, submitButton } from '../support/flows';

test('register a passkey with the virtual authenticator and log in with it', async ({ page, request }) => {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });

  const account = newAccount('email');
  await register(page, request, account);
  await page.goto('/settings/security');
  await page.locator('#passkey-name').fill('Virtual key');
  await page.locator('#passkey-password').fill(account.password);
  await page.locator('#passkey-add').click();
  await expect(page.locator('#passkey-status')).toBeVisible();
  await expect(page.locator('#passkey-codes li.recovery-code')).toHaveCount(10);
  await shoot(page, 'passkey-added');

  await logout(page);
  await page.goto('/login');
  const form = page.locator('form#login');
  await form.locator('input[name="identifier"]').fill(account.destination);
  await form.locator('input[name="password"]').fill(account.password);
  await submitButton(form).click();
  await page.waitForURL((u) => u.pathname.startsWith('/login/step/'));
  await expect(page.locator('#passkey-login')).toBeVisible();
  await shoot(page, 'login-step-passkey');
  await page.locator('#passkey-login').click();
  await page.waitForURL((u) => u.pathname === '/chat');
  await page.goto('/settings');
  await expect(page.locator('#profile #nickname')).toHaveText(account.nickname);
  await expect(page.locator('#mfa')).not.toBeEmpty();

  // The passkey is listed; it can be renamed and removed.
  await page.goto('/settings/security');
  await expect(page.locator('#passkey-list li.passkey')).toHaveCount(1);
  const rename = page.locator('form.passkey-rename').first();
  await rename.locator('input[name="name"]').fill('Work laptop');
  await submitButton(rename).click();
  await expect(page.locator('#passkey-list li.passkey')).toContainText('Work laptop');
  const remove = page.locator('form.passkey-remove').first();
  await remove.locator('input[name="current_password"]').fill(account.password);
  await submitButton(remove).click();
  await expect(page.locator('#passkey-list li.passkey')).toHaveCount(0);
});
