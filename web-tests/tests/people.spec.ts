// What issue 19 asked of the web client, one test per problem a new user met:
// 1. errors a browser reaches are pages in the visitor's language with a way back (JSON stays for
//    /api/), and the language switch after a form post goes back to the form;
// 3. one language at a time: no English sentence of the domain and no raw key on a zh-CN page;
// 4. forms keep what was typed; destructive actions look destructive;
// 5. the forgot-password decoy names no made-up address and answers the same for every account;
// 6. the support desk wants a claim besides the description, and keeps the choices made.
// (2, the messenger layout, is in messenger.spec.ts; accessibility in a11y.spec.ts.)

import type { Page } from '@playwright/test';
import { test, expect } from '../support/fixtures';
import { shoot } from '../support/shoot';
import { newAccount, pathOf, register, submitButton, uniqueEmail, uniquePhone, PASSWORD } from '../support/flows';
import { devCode, outboxCount } from '../support/outbox';

/** Sentences of English (three words in a row) in the visible text of the page's main part. */
async function englishIn(page: Page): Promise<string[]> {
  const text = await page.locator('main').innerText();
  return text.match(/[A-Za-z]{2,}(?:[ ,.'’-]+[A-Za-z]{2,}){2,}/g) ?? [];
}

/** Raw keys of the catalog or the domain (`login_failed`, `mfa_totp_enabled`, `⟦key⟧`). */
async function rawKeysIn(page: Page): Promise<string[]> {
  const text = await page.locator('main').innerText();
  return [...(text.match(/⟦[^⟧]*⟧/g) ?? []), ...(text.match(/\b[a-z]+(?:_[a-z]+)+\b/g) ?? [])];
}

test.describe('errors for people are pages', () => {
  test('an unknown address is a page in the visitor language with a way back; JSON stays for /api/ and scripts', async ({ page, request }) => {
    const r = await page.goto('/no/such/page');
    expect(r?.status()).toBe(404);
    expect(r?.headers()['content-type']).toContain('text/html');
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await expect(page.locator('#error-page')).toHaveAttribute('data-status', '404');
    await expect(page.locator('h1')).toHaveText('找不到这个页面');
    await expect(page.locator('a#error-back')).toHaveAttribute('href', '/');
    expect(await page.content()).not.toContain('/problems/');
    await shoot(page, 'error-not-found');

    // The language switch stays on the page and changes the language.
    await page.locator('a#lang-en').click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.locator('h1')).toHaveText('Page not found');
    await page.goto('/no/such/page?lang=zh-CN');

    // A script or an API client still gets a problem document.
    const api = await request.get('/api/v1/no-such-thing', { headers: { accept: 'text/html' } });
    expect(api.status()).toBe(404);
    expect(api.headers()['content-type']).toBe('application/problem+json');
    const json = await request.get('/no/such/page', { headers: { accept: 'application/json' } });
    expect(json.status()).toBe(404);
    expect((await json.json()).code).toBe('not_found');
  });

  test('a form address opened with GET leads back to its form, and so does the language switch after a post', async ({ page, request }) => {
    const r = await page.goto('/settings/security/totp');
    expect(r?.status()).toBe(405);
    await expect(page.locator('#error-page')).toHaveAttribute('data-status', '405');
    await expect(page.locator('a#error-back')).toHaveAttribute('href', '/settings/security');
    await expect(page.locator('a#lang-en')).toHaveAttribute('href', '/settings/security?lang=en');
    await shoot(page, 'error-method');

    // After a form post (setting up the authenticator app), the language link goes to the form's
    // page with GET and answers 200 there.
    const account = newAccount('email');
    await register(page, request, account);
    await page.goto('/settings/security');
    await page.locator('form#totp-start input[name="current_password"]').fill(account.password);
    await submitButton(page.locator('form#totp-start')).click();
    await page.waitForURL((u) => u.pathname === '/settings/security/totp');
    const href = await page.locator('a#lang-en').getAttribute('href');
    expect(href).toBe('/settings/security?lang=en');
    const [resp] = await Promise.all([page.waitForResponse((x) => x.request().isNavigationRequest()), page.locator('a#lang-en').click()]);
    expect(resp.status()).toBe(200);
    expect(pathOf(page)).toBe('/settings/security');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');

    // A form whose page expired (a wrong CSRF field) is a page too, in English now.
    await page.goto('/settings');
    await page.locator('form#nickname-form input[name="csrf"]').evaluate((e) => ((e as HTMLInputElement).value = 'stale'));
    await submitButton(page.locator('form#nickname-form')).click();
    await expect(page.locator('#error-page')).toHaveAttribute('data-status', '403');
    await expect(page.locator('h1')).toHaveText('This could not be done');
    await expect(page.locator('a#error-back')).toHaveAttribute('href', '/settings');
    await expect(page.locator('a#lang-zh')).toHaveAttribute('href', '/settings?lang=zh-CN');
    await page.goto('/settings?lang=zh-CN');
  });
});

test.describe('on Chrome for Windows', () => {
test.use({ userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' });
test('one language at a time: domain rules, records and devices come from the catalog', async ({ page, request }) => {
  const account = newAccount('email');
  await register(page, request, account);

  // Password rules broken on purpose: same as the current one, then too easy to guess.
  await page.goto('/settings/password');
  const form = page.locator('form#password-change');
  await form.locator('input[name="current_password"]').fill(PASSWORD);
  await form.locator('input[name="new_password"]').fill(PASSWORD);
  await submitButton(form).click();
  await expect(page.locator('p.error').first()).toBeVisible();
  await expect(page.locator('p.error.detail')).toContainText(['新密码不能与当前密码相同']);
  expect(await englishIn(page), 'English on a zh-CN page').toEqual([]);
  await page.locator('form#password-change input[name="current_password"]').fill(PASSWORD);
  await page.locator('form#password-change input[name="new_password"]').fill('password');
  await submitButton(page.locator('form#password-change')).click();
  await expect(page.locator('p.error.detail').first()).toBeVisible();
  expect(await englishIn(page), 'English on a zh-CN page').toEqual([]);
  expect(await rawKeysIn(page)).toEqual([]);

  // An empty group name, a rule of the chat domain.
  await page.goto('/orgs');
  const create = page.locator('form#org-create');
  await create.locator('input[name="name"]').evaluate((e) => e.removeAttribute('required'));
  await create.locator('input[name="name"]').fill('   ');
  await submitButton(create).click();
  await expect(page.locator('p.error').first()).toBeVisible();
  expect(await englishIn(page), 'English on a zh-CN page').toEqual([]);

  // The security record: event names and flags in Chinese, the device as a person says it.
  await page.goto('/settings/records');
  await expect(page.locator('tr.record').first()).toBeVisible();
  expect(await rawKeysIn(page), 'raw keys in 安全记录').toEqual([]);
  await expect(page.locator('tr.record[data-kind="registered"] td').nth(1)).toHaveText('注册账号');
  await expect(page.locator('tr.record').first().locator('td').nth(3)).toHaveText('Windows 上的 Chrome');
  expect(await englishIn(page)).toEqual([]);
  await page.goto('/settings/sessions');
  await expect(page.locator('tr.session td').first()).toContainText('上的');
  expect(await englishIn(page)).toEqual([]);

  // The same pages in English name the same things in English.
  await page.goto('/settings/records?lang=en');
  await expect(page.locator('tr.record[data-kind="registered"] td').nth(1)).toHaveText('Registered');
  await expect(page.locator('tr.record').first().locator('td').nth(3)).toHaveText('Chrome on Windows');
  await page.goto('/settings/records?lang=zh-CN');
});
});

test('the forgot-password decoy names no made-up address and answers the same for every account', async ({ page, request }) => {
  // Phone accounts with and without an e-mail, and a phone with no account.
  const withoutEmail = newAccount('sms');
  await register(page, request, withoutEmail);
  await page.context().clearCookies();

  const answers: string[] = [];
  for (const phone of [withoutEmail.destination, uniquePhone()]) {
    await page.goto('/forgot');
    await page.locator('form#forgot-start input[name="identifier"]').fill(phone);
    await submitButton(page.locator('form#forgot-start')).click();
    await page.waitForURL((u) => /^\/forgot\/[^/]+$/.test(u.pathname));
    await expect(page.locator('#masked-destination')).toHaveText(new RegExp(`${phone.slice(0, 3)}\\*+${phone.slice(-4)}`));
    // Switch to e-mail: no address is named, only what is true either way.
    await page.locator('form#forgot-switch button').click();
    await page.waitForURL((u) => /^\/forgot\/[^/]+$/.test(u.pathname));
    await expect(page.locator('#sent-to')).toHaveText('如果该账号绑定了邮箱，验证码已发送至该邮箱。');
    await expect(page.locator('#masked-destination')).toHaveCount(0);
    expect(await page.locator('main').innerText()).not.toMatch(/\*\*\*@/);
    answers.push((await page.locator('main').innerText()).replace(/\d+/g, 'N'));
    if (answers.length === 1) await shoot(page, 'forgot-switched');
  }
  expect(answers[1]).toBe(answers[0]);
});

test('the support desk wants a claim, keeps the choices made and speaks like a support desk', async ({ page, request }) => {
  await page.goto('/support');
  const contact = page.locator('form#support-contact');
  await expect(contact.locator('legend')).toHaveText('我们用哪种方式联系你');
  // A wrong e-mail address: the e-mail choice and what was typed stay.
  await contact.locator('input[name="channel"][value="email"]').check();
  await contact.locator('input[name="destination"]').fill('not-an-address');
  await submitButton(contact).click();
  await expect(page.locator('p.error').first()).toBeVisible();
  await expect(page.locator('form#support-contact input[name="channel"][value="email"]')).toBeChecked();
  await expect(page.locator('form#support-contact input[name="destination"]')).toHaveValue('not-an-address');

  // A real address, its code, then the claims form left empty but for the description.
  const email = uniqueEmail();
  await page.locator('form#support-contact input[name="destination"]').fill(email);
  const before = await outboxCount(request, email);
  await submitButton(page.locator('form#support-contact')).click();
  const code = await devCode(request, email, before);
  await page.locator('form#support-code input[name="code"]').fill(code);
  await submitButton(page.locator('form#support-code')).click();
  const claims = page.locator('form#support-claims');
  await expect(claims).toBeVisible();
  await claims.locator('textarea[name="description"]').fill('我的账号登不上了');
  await submitButton(claims).click();
  await expect(page.locator('p.error[data-code="no_claims"]')).toBeVisible();
  await expect(page.locator('form#support-claims textarea[name="description"]')).toHaveValue('我的账号登不上了');
  expect(pathOf(page)).toBe('/support/tickets');
  await shoot(page, 'support-no-claims');
  // One claim is enough.
  await page.locator('form#support-claims input[name="nicknames"]').fill('老王');
  await submitButton(page.locator('form#support-claims')).click();
  await page.waitForURL((u) => /^\/support\/tickets\/WS\d+$/.test(u.pathname));
});

test('destructive actions look destructive; the resend button is not a second primary button', async ({ page, request }) => {
  await page.goto('/register');
  const account = newAccount('email');
  const start = page.locator('form#register-start');
  await start.locator('input[name="channel"][value="email"]').check();
  await start.locator('input[name="destination"]').fill(account.destination);
  await submitButton(start).click();
  await expect(page.locator('button#resend')).toHaveClass(/secondary/);
  // A wrong code: the nickname stays, the code and the password do not.
  const finish = page.locator('form#register-finish');
  await finish.locator('input[name="code"]').fill('000000');
  await finish.locator('input[name="nickname"]').fill(account.nickname);
  await finish.locator('input[name="password"]').fill(account.password);
  await submitButton(finish).click();
  await expect(page.locator('p.error').first()).toBeVisible();
  await expect(page.locator('form#register-finish input[name="nickname"]')).toHaveValue(account.nickname);
  await expect(page.locator('form#register-finish input[name="code"]')).toHaveValue('');
  await expect(page.locator('form#register-finish input[name="password"]')).toHaveValue('');
  expect(await page.content()).not.toContain(account.password);
  void request;
});

test('the owner sees a banner with a cancel button while a support ticket about the account is open', async ({ page, request, browser, baseURL }) => {
  const owner = newAccount('email');
  await register(page, request, owner);
  await expect(page.locator('#ticket-banner')).toHaveCount(0);

  // Someone else files a ticket naming the owner's e-mail.
  const other = await browser.newContext({ baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const rp = await other.newPage();
  const contact = uniqueEmail();
  await rp.goto('/support');
  await rp.locator('form#support-contact input[name="channel"][value="email"]').check();
  await rp.locator('form#support-contact input[name="destination"]').fill(contact);
  const before = await outboxCount(request, contact);
  await submitButton(rp.locator('form#support-contact')).click();
  await rp.locator('form#support-code input[name="code"]').fill(await devCode(request, contact, before));
  await submitButton(rp.locator('form#support-code')).click();
  await rp.locator('form#support-claims input[name="email"]').fill(owner.destination);
  await submitButton(rp.locator('form#support-claims')).click();
  await rp.waitForURL((u) => /^\/support\/tickets\/WS\d+$/.test(u.pathname));
  const ticketNo = pathOf(rp).split('/').pop() ?? '';
  await other.close();

  await page.goto('/chat');
  await expect(page.locator('#ticket-banner')).toContainText(ticketNo);
  await shoot(page, 'ticket-banner');
  await submitButton(page.locator('form#ticket-banner-cancel')).click();
  await expect(page.locator('#link-done')).toBeVisible();
  await page.goto('/chat');
  await expect(page.locator('#ticket-banner')).toHaveCount(0);
});

test('the new-device step sends the code again, and offers the support desk for a lost phone', async ({ page, request, browser, baseURL }) => {
  const account = newAccount('email');
  await register(page, request, account);
  // The same account from another browser: a new device, a code by e-mail.
  const other = await browser.newContext({ baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const np = await other.newPage();
  try {
    await np.goto('/login');
    await np.locator('form#login input[name="identifier"]').fill(account.destination);
    await np.locator('form#login input[name="password"]').fill(account.password);
    await submitButton(np.locator('form#login')).click();
    await np.waitForURL((u) => u.pathname.startsWith('/login/step/'));
    await expect(np.locator('a#lost-factor-support')).toHaveAttribute('href', '/support');
    await expect(np.locator('button#resend')).toHaveClass(/secondary/);
    const first = await devCode(request, account.destination, 0);
    // At once, the resend interval has not passed: the wait is said in words, the code stays good.
    await np.locator('button#resend').click();
    await expect(np.locator('p.error[data-code="too_many_requests"]')).toContainText(/请 \d+ (秒|分钟)后再试/);
    await np.locator('form#challenge input[name="code"]').fill(first);
    await submitButton(np.locator('form#challenge')).click();
    await np.waitForURL((u) => u.pathname === '/chat');
  } finally {
    await other.close();
  }
});
