// Account recovery through the web client, once by phone and once by e-mail: register, log out,
// "forgot password", a wrong code, the resend countdown, the right code, a new password, and a
// login with it. Every page is photographed at both widths.

import { test, expect } from '../support/fixtures';
import { shoot } from '../support/shoot';
import { devCode, outboxCount } from '../support/outbox';
import {
  NEW_PASSWORD,
  expectCsrfOnEveryForm,
  login,
  logout,
  newAccount,
  pathOf,
  register,
  submitButton,
  wrongCode,
} from '../support/flows';

/** What `#masked-destination` must show: the phone's first 3 and last 4 digits, the e-mail's first letter and domain. */
function maskedPattern(destination: string): RegExp {
  if (destination.includes('@')) {
    const [local, domain] = destination.split('@');
    return new RegExp(`${local[0]}\\*+@${domain.replace(/\./g, '\\.')}`);
  }
  return new RegExp(`${destination.slice(0, 3)}\\*+${destination.slice(-4)}`);
}

/** The first number in a text, or NaN. */
function firstNumber(text: string): number {
  const m = /\d+/.exec(text);
  return m ? Number(m[0]) : Number.NaN;
}

for (const channel of ['sms', 'email'] as const) {
  const by = channel === 'sms' ? 'phone' : 'email';

  test(`recovery by ${by}: wrong code, resend countdown, right code, new password, login`, async ({ page, request }) => {
    const account = newAccount(channel);
    const shot = (name: string) => shoot(page, `recovery-${by}-${name}`);

    // Register; lands on the chat list, logged in.
    await register(page, request, account, shot);
    await shot('settings');
    await logout(page);

    // /login → "forgot password".
    await page.goto('/login');
    await expect(page.locator('form#login')).toBeVisible();
    await shot('login');
    await Promise.all([page.waitForURL((u) => u.pathname === '/forgot'), page.locator('a#forgot').click()]);

    // /forgot: the identifier is the phone (or e-mail) the account registered with.
    const start = page.locator('form#forgot-start');
    await expect(start).toBeVisible();
    await expectCsrfOnEveryForm(page);
    await start.locator('input[name="identifier"]').fill(account.destination);
    await shot('forgot');
    const before = await outboxCount(request, account.destination);
    await submitButton(start).click();

    // /forgot/<id>: the destination masked, never in full.
    await page.waitForURL((u) => /^\/forgot\/[^/]+$/.test(u.pathname) && u.pathname !== '/forgot/done');
    const codePath = pathOf(page);
    await expect(page.locator('#masked-destination')).toHaveText(maskedPattern(account.destination));
    await expect(page.locator('body')).not.toContainText(account.destination);
    const verify = page.locator('form#forgot-verify');
    await expect(verify).toBeVisible();
    await expect(page.locator('form#forgot-resend #resend')).toBeDisabled();
    await expectCsrfOnEveryForm(page);
    await shot('forgot-code');
    const code = await devCode(request, account.destination, before);

    // A wrong code: an error next to the field, 4 attempts left (of 5).
    await verify.locator('input[name="code"]').fill(wrongCode(code));
    await submitButton(verify).click();
    const error = page.locator('p.error[data-code="invalid_code"]');
    await expect(error).toBeVisible();
    await expect(error.locator('[data-attempts-left]')).toHaveAttribute('data-attempts-left', '4');
    await expectCsrfOnEveryForm(page);

    // Resend waits out its countdown: disabled, showing the seconds, counting down.
    const resend = page.locator('form#forgot-resend #resend');
    await expect(resend).toBeDisabled();
    const seconds = Number(await page.locator('#forgot-resend [data-seconds]').first().getAttribute('data-seconds'));
    expect(seconds, 'data-seconds of the resend countdown').toBeGreaterThan(0);
    await expect(resend).toHaveText(/\d/);
    const shown = firstNumber(await resend.innerText());
    expect(shown, 'seconds shown on #resend').toBeGreaterThan(0);
    await expect
      .poll(async () => firstNumber(await resend.innerText()), { message: 'the countdown on #resend goes down', timeout: 5_000 })
      .toBeLessThan(shown);
    await expect(resend).toBeDisabled();
    await shot('forgot-code-wrong');

    // The right code: on to the new password.
    await verify.locator('input[name="code"]').fill(code);
    await submitButton(verify).click();
    await page.waitForURL((u) => u.pathname === `${codePath}/password`);
    const pw = page.locator('form#forgot-password');
    await expect(pw).toBeVisible();
    await expectCsrfOnEveryForm(page);
    await pw.locator('input[name="new_password"]').fill(NEW_PASSWORD);
    await shot('forgot-password');
    await submitButton(pw).click();

    // Done: a link back to /login.
    await page.waitForURL((u) => u.pathname === '/forgot/done');
    await expect(page.locator('#reset-done')).toBeVisible();
    await shot('forgot-done');
    await Promise.all([page.waitForURL((u) => u.pathname === '/login'), page.locator('a#to-login').click()]);

    // The old password no longer works; the new one does.
    const form = page.locator('form#login');
    await form.locator('input[name="identifier"]').fill(account.destination);
    await form.locator('input[name="password"]').fill(account.password);
    await submitButton(form).click();
    await expect(page.locator('p.error').first()).toBeVisible();
    await expect(page.locator('form#logout')).toHaveCount(0);
    await shot('login-old-password');

    await login(page, request, account.destination, NEW_PASSWORD, account.destination, shot);
    await page.goto('/settings');
    await expect(page.locator('#profile #nickname')).toContainText(account.nickname);
    await shot('settings-after-reset');
  });
}
