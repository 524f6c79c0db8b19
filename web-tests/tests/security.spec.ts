// Security headers and CSRF on every page of the contract.

import type { Page } from '@playwright/test';
import { test, expect } from '../support/fixtures';
import { expectCsrfOnEveryForm, newAccount, register, uniquePhone } from '../support/flows';

const LOGGED_OUT = ['/login', '/register', '/forgot', '/help', '/dev/outbox'];
const LOGGED_IN = ['/settings', '/settings/sessions'];

/** `content-security-policy` as a map of directive → sources (lower-cased). */
function parseCsp(header: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of header.split(';')) {
    const [name, ...sources] = part.trim().toLowerCase().split(/\s+/);
    if (name && !directives.has(name)) directives.set(name, sources);
  }
  return directives;
}

async function expectSecureHeaders(page: Page, path: string): Promise<void> {
  const response = await page.goto(path);
  expect(response, `GET ${path}`).not.toBeNull();
  if (!response) return;
  expect(response.status(), `GET ${path}`).toBe(200);
  const h = await response.allHeaders();

  const csp = h['content-security-policy'];
  expect(csp, `content-security-policy on ${path}`).toBeTruthy();
  const d = parseCsp(csp ?? '');
  // Scripts fall back to default-src when script-src is absent; one of them must be set.
  const scripts = d.get('script-src') ?? d.get('default-src');
  expect(scripts, `script-src or default-src in the CSP of ${path}: ${csp}`).toBeDefined();
  // default-src speaks for scripts only when script-src is absent.
  const forScripts = ['script-src', 'script-src-elem', 'script-src-attr'];
  if (!d.has('script-src')) forScripts.push('default-src');
  for (const name of forScripts) {
    const sources = d.get(name) ?? [];
    expect(sources, `${name} of the CSP of ${path}: ${csp}`).not.toContain("'unsafe-inline'");
  }

  expect(h['x-frame-options']?.toUpperCase(), `x-frame-options on ${path}`).toBe('DENY');
  const referrer = h['referrer-policy'];
  expect(referrer, `referrer-policy on ${path}`).toBeTruthy();
  // Recovery URLs carry ids: never send the full URL to another origin.
  expect(['unsafe-url', 'no-referrer-when-downgrade'], `referrer-policy on ${path}`).not.toContain(
    (referrer ?? '').trim().toLowerCase(),
  );

  await expectCsrfOnEveryForm(page);
}

test('security headers and a csrf input on every form, logged out and logged in', async ({ page, request }) => {
  for (const path of LOGGED_OUT) await expectSecureHeaders(page, path);
  await register(page, request, newAccount('sms'));
  for (const path of LOGGED_IN) await expectSecureHeaders(page, path);
});

test('a POST to /login without the csrf field is refused with 403', async ({ page }) => {
  // With the cookies a real visit leaves, so that the only thing missing is the field.
  await page.goto('/login');
  await expect(page.locator('form#login input[name="csrf"]')).toHaveCount(1);
  const response = await page.request.post('/login', {
    form: { identifier: uniquePhone(), password: 'blue lantern over quiet harbor' },
    maxRedirects: 0,
  });
  expect(response.status(), await response.text()).toBe(403);
});

test('a POST to /login with a forged csrf value is refused with 403', async ({ page }) => {
  await page.goto('/login');
  const response = await page.request.post('/login', {
    form: { csrf: 'forged-token', identifier: uniquePhone(), password: 'blue lantern over quiet harbor' },
    maxRedirects: 0,
  });
  expect(response.status(), await response.text()).toBe(403);
});
