// Steps many tests share, written against the HTML contract of the web client only.

import { randomInt } from 'node:crypto';
import { expect, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { devCode, outboxCount } from './outbox';

export const PASSWORD = 'blue lantern over quiet harbor';
export const NEW_PASSWORD = 'seven green kites at dawn';

/** A mainland mobile number nobody else in this run uses: 13[5-9] + 8 random digits. */
export function uniquePhone(): string {
  return `13${randomInt(5, 10)}${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
}

/** A unique e-mail address; its local part starts with a letter (the masked form keeps it). */
export function uniqueEmail(): string {
  return `u${Date.now().toString(36)}${randomInt(0, 1_000_000).toString(36)}@example.com`;
}

export function uniqueNickname(): string {
  return `测试${randomInt(0, 1_000_000).toString().padStart(6, '0')}`;
}

/** The form's primary submit button (the first submit button other than `#resend`). */
export function submitButton(form: Locator): Locator {
  return form
    .locator(':is(button:not([type]), button[type="submit"], input[type="submit"]):not(#resend)')
    .first();
}

/** Every form that posts carries a non-empty hidden `csrf` input; a GET form (search) carries
 * none, since its fields end up in the URL (history, logs). */
export async function expectCsrfOnEveryForm(page: Page): Promise<void> {
  const forms = page.locator('form');
  const n = await forms.count();
  for (let i = 0; i < n; i++) {
    const form = forms.nth(i);
    const what = `form #${i} (id="${(await form.getAttribute('id')) ?? ''}") on ${page.url()}`;
    const csrf = form.locator('input[type="hidden"][name="csrf"]');
    if (((await form.getAttribute('method')) ?? 'get').toLowerCase() !== 'post') {
      await expect(csrf, `${what} (a GET form) carries no csrf token`).toHaveCount(0);
      continue;
    }
    await expect(csrf, `${what} has one hidden csrf input`).toHaveCount(1);
    expect(await csrf.getAttribute('value'), `${what}: csrf value`).toBeTruthy();
  }
}

/** The path of the current URL. */
export function pathOf(page: Page): string {
  return new URL(page.url()).pathname;
}

export interface Account {
  channel: 'sms' | 'email';
  destination: string;
  nickname: string;
  password: string;
}

export function newAccount(channel: 'sms' | 'email'): Account {
  return {
    channel,
    destination: channel === 'sms' ? uniquePhone() : uniqueEmail(),
    nickname: uniqueNickname(),
    password: PASSWORD,
  };
}

/**
 * Registers through `/register` and ends on the chat list `/chat` (or `landing`, where a page that sent the
 * visitor to register returns them), logged in. `shot` (optional) is called on each page before
 * it is submitted.
 */
export async function register(
  page: Page,
  request: APIRequestContext,
  account: Account,
  shot?: (name: string) => Promise<unknown>,
  landing = '/chat',
): Promise<void> {
  await page.goto('/register');
  const start = page.locator('form#register-start');
  await expect(start).toBeVisible();
  await expect(start.locator('input[name="channel"][value="sms"]')).toBeChecked();
  await expectCsrfOnEveryForm(page);
  await start.locator(`input[name="channel"][value="${account.channel}"]`).check();
  await start.locator('input[name="destination"]').fill(account.destination);
  await shot?.('register-start');
  const before = await outboxCount(request, account.destination);
  await submitButton(start).click();

  const finish = page.locator('form#register-finish');
  await expect(finish).toBeVisible();
  await expectCsrfOnEveryForm(page);
  await expect(page.locator('#resend')).toBeVisible();
  const code = await devCode(request, account.destination, before);
  await finish.locator('input[name="code"]').fill(code);
  await finish.locator('input[name="nickname"]').fill(account.nickname);
  await finish.locator('input[name="password"]').fill(account.password);
  await expect(page.locator('#strength')).toBeVisible();
  await shot?.('register-finish');
  await submitButton(finish).click();

  await page.waitForURL((u) => u.pathname === landing);
  if (landing === '/chat') await expect(page.locator('#conversations')).toBeVisible();
}

/** Logs out through the header's `form#logout` and checks the session is gone. */
export async function logout(page: Page): Promise<void> {
  const form = page.locator('form#logout');
  await expect(form).toBeVisible();
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/login'),
    submitButton(form).click(),
  ]);
  await expect(page.locator('form#logout')).toHaveCount(0);
}

/**
 * Logs in on `/login` and ends on the chat list `/chat`. A second step (`/login/step/<id>`, a new device)
 * is answered with the code the dev outbox got for `codeDestination`.
 */
export async function login(
  page: Page,
  request: APIRequestContext,
  identifier: string,
  password: string,
  codeDestination: string = identifier,
  shot?: (name: string) => Promise<unknown>,
): Promise<void> {
  if (pathOf(page) !== '/login') await page.goto('/login');
  const form = page.locator('form#login');
  await expect(form).toBeVisible();
  await expectCsrfOnEveryForm(page);
  await form.locator('input[name="identifier"]').fill(identifier);
  await form.locator('input[name="password"]').fill(password);
  await shot?.('login');
  const before = await outboxCount(request, codeDestination);
  await submitButton(form).click();
  await page.waitForURL((u) => u.pathname === '/chat' || u.pathname.startsWith('/login/step/'));

  if (pathOf(page).startsWith('/login/step/')) {
    const challenge = page.locator('form#challenge');
    await expect(challenge).toBeVisible();
    await expectCsrfOnEveryForm(page);
    await shot?.('login-step');
    const code = await devCode(request, codeDestination, before);
    await challenge.locator('input[name="code"]').fill(code);
    await submitButton(challenge).click();
    await page.waitForURL((u) => u.pathname === '/chat');
  }
  await expect(page.locator('#conversations')).toBeVisible();
}

/** A code of the same shape as `code` that is certainly not it (each digit moved by one). */
export function wrongCode(code: string): string {
  const wrong = code.replace(/\d/g, (d) => String((Number(d) + 1) % 10));
  return wrong !== code ? wrong : `${code.slice(0, -1)}${code.endsWith('0') ? '1' : '0'}`;
}
