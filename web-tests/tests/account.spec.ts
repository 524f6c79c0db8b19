// The signed-in account pages: two-factor with an authenticator app (the test computes the
// codes), a binding change, and a password change.

import { test, expect } from '../support/fixtures';
import { shoot } from '../support/shoot';
import { devCode, outbox, outboxCount } from '../support/outbox';
import { Authenticator } from '../support/totp';
import { logout, newAccount, PASSWORD, NEW_PASSWORD, register, submitButton, uniqueEmail } from '../support/flows';

test('turn on TOTP, log out, log in with the second step', async ({ page, request }) => {
  const account = newAccount('email');
  await register(page, request, account);
  await page.goto('/settings/security');
  await expect(page.locator('#totp-status')).toHaveAttribute('data-on', '0');
  const start = page.locator('form#totp-start');
  await start.locator('input[name="current_password"]').fill(account.password);
  await submitButton(start).click();
  await expect(page.locator('#totp-qr svg')).toBeVisible();
  await shoot(page, 'security-totp-qr');
  const auth = new Authenticator((await page.locator('#totp-secret').getAttribute('data-secret')) ?? '');
  const confirm = page.locator('form#totp-confirm');
  await confirm.locator('input[name="code"]').fill(auth.next());
  await submitButton(confirm).click();
  await expect(page.locator('#recovery-codes li.recovery-code')).toHaveCount(10);
  await expect(page.locator('#recovery-download')).toHaveAttribute('download', /recovery/);
  await shoot(page, 'security-recovery-codes');

  await logout(page);
  await page.goto('/login');
  const form = page.locator('form#login');
  await form.locator('input[name="identifier"]').fill(account.destination);
  await form.locator('input[name="password"]').fill(account.password);
  await submitButton(form).click();
  await page.waitForURL((u) => u.pathname.startsWith('/login/step/'));
  const step = page.locator('form#challenge');
  await expect(step.locator('select[name="method"]')).toHaveValue('totp');
  await shoot(page, 'login-step-totp');
  // A wrong code first: the attempts left are shown.
  await step.locator('input[name="code"]').fill('000000');
  await submitButton(step).click();
  await expect(page.locator('p.error[data-code="invalid_code"] [data-attempts-left="4"]')).toHaveCount(1);
  await page.locator('form#challenge input[name="code"]').fill(auth.next());
  await submitButton(page.locator('form#challenge')).click();
  await page.waitForURL((u) => u.pathname === '/chat');
  await page.goto('/settings');
  await expect(page.locator('#profile #nickname')).toHaveText(account.nickname);
});

test('change the e-mail binding; the old address is told', async ({ page, request }) => {
  const account = newAccount('email');
  await register(page, request, account);
  await page.goto('/settings/bindings');
  const fresh = uniqueEmail();
  const form = page.locator('form#bind-email');
  await form.locator('input[name="destination"]').fill(fresh);
  await form.locator('input[name="current_password"]').fill(account.password);
  const oldBefore = await outboxCount(request, account.destination);
  await submitButton(form).click();
  const code = await devCode(request, fresh, 0);
  const confirm = page.locator('form#bind-confirm');
  await confirm.locator('input[name="code"]').fill(code);
  await submitButton(confirm).click();
  await expect(page.locator('#bindings-notice')).toBeVisible();
  await expect(page.locator('#binding-email')).toContainText(fresh.slice(0, 1) + '***@');
  await shoot(page, 'bindings');
  await expect
    .poll(async () => outboxCount(request, account.destination), { timeout: 10_000 })
    .toBeGreaterThan(oldBefore);

  // The old address's notice carries a link that undoes the change and signs out every device.
  const [notice] = await outbox(request, account.destination);
  const link = /https?:\/\/\S+\/bindings\/cancel\?token=[\w-]+/.exec(notice.body)?.[0];
  expect(link, notice.body).toBeTruthy();
  await page.goto(new URL(link!).pathname + new URL(link!).search);
  await shoot(page, 'binding-cancel');
  await submitButton(page.locator('form#link-form')).click();
  await expect(page.locator('#link-done')).toBeVisible();
  await page.goto('/settings');
  await expect(page).toHaveURL(/\/login$/);
});

test('change the password; the old one stops working', async ({ page, request }) => {
  const account = newAccount('sms');
  await register(page, request, account);
  await page.goto('/settings');
  await page.locator('a#change-password').click();
  const form = page.locator('form#password-change');
  await form.locator('input[name="current_password"]').fill(PASSWORD);
  await form.locator('input[name="new_password"]').fill(NEW_PASSWORD);
  await submitButton(form).click();
  await expect(page.locator('#password-done')).toBeVisible();
  await shoot(page, 'password-changed');
  // The last channel cannot be removed.
  await page.goto('/settings/bindings');
  const unbind = page.locator('form#unbind-phone');
  await unbind.locator('input[name="current_password"]').fill(NEW_PASSWORD);
  await submitButton(unbind).click();
  await expect(page.locator('p.error[data-code="last_channel"]')).toBeVisible();

  await page.goto('/settings/records');
  await expect(page.locator('table#records tr.record[data-kind="password_changed"]')).toHaveCount(1);
  await shoot(page, 'records');
});

test('change the nickname on the profile page; the old one stays in the history', async ({ page, request }) => {
  const account = newAccount('email');
  await register(page, request, account);
  const before = await outboxCount(request, account.destination);
  await page.goto('/settings');
  const form = page.locator('form#nickname-form');
  await form.locator('input[name="nickname"]').fill('新昵称 Nova');
  await submitButton(form).click();
  await expect(page.locator('#saved')).toHaveText('昵称已修改。');
  await expect(page.locator('dd#nickname')).toHaveText('新昵称 Nova');
  await shoot(page, 'nickname-changed');
  // The account's channel is told.
  await expect.poll(() => outboxCount(request, account.destination)).toBeGreaterThan(before);
  // An empty nickname is refused next to the form.
  await form.locator('input[name="nickname"]').fill(' ');
  await form.locator('input[name="nickname"]').evaluate((e) => e.removeAttribute('required'));
  await submitButton(form).click();
  await expect(page.locator('p.error[data-code="invalid_nickname"]')).toBeVisible();
  // What was typed stays in the field after the refusal.
  await expect(form.locator('input[name="nickname"]')).toHaveValue(' ');
  await page.goto('/settings/records');
  await expect(page.locator('table#records tr.record[data-kind="nickname_changed"]')).toHaveCount(1);
});

test('the time zone: this device\'s is offered, saved, and the notices are written in it', async ({ page, request }) => {
  const account = newAccount('email');
  await register(page, request, account);
  await page.goto('/settings');
  const form = page.locator('form#time-zone-form');
  // None set yet: the browser's zone (Asia/Shanghai here) is chosen and the hint says so.
  await expect(form.locator('select[name="time_zone"]')).toHaveValue('Asia/Shanghai');
  await expect(page.locator('#zone-suggested')).toContainText('Asia/Shanghai');
  await submitButton(form).click();
  await expect(page.locator('#saved')).toHaveText('时区已保存。');
  await expect(form.locator('select[name="time_zone"]')).toHaveValue('Asia/Shanghai');
  await expect(page.locator('#zone-suggested')).toBeHidden();
  await shoot(page, 'settings-time-zone');
  // A notice (the nickname change) names the time in that zone.
  const before = await outboxCount(request, account.destination);
  const nick = page.locator('form#nickname-form');
  await nick.locator('input[name="nickname"]').fill('时区测试');
  await submitButton(nick).click();
  await expect.poll(() => outboxCount(request, account.destination)).toBeGreaterThan(before);
  const [notice] = await outbox(request, account.destination);
  expect(notice.body).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC\+08:00 \(Asia\/Shanghai\)/);
});
