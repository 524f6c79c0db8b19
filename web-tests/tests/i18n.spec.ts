// Both languages on every page of the contract: `?lang=` picks it, `html[lang]` says it, no
// message is missing from the catalog (the server renders a missing one as ⟦key⟧), and the
// choice is remembered in a cookie. Screenshots of every page in both languages at both widths.

import type { Page } from '@playwright/test';
import { test, expect } from '../support/fixtures';
import { shoot } from '../support/shoot';
import { expectCsrfOnEveryForm, newAccount, register } from '../support/flows';

const LANGS = ['zh-CN', 'en'] as const;
const LOGGED_OUT = ['/login', '/register', '/forgot', '/help', '/dev/outbox'];
const LOGGED_IN = [
  '/settings',
  '/settings/sessions',
  '/settings/password',
  '/settings/bindings',
  '/settings/security',
  '/settings/records',
  '/settings/checkup',
  '/chat',
  '/orgs',
  '/contacts',
];

function slug(path: string): string {
  return path.replace(/^\//, '').replace(/\//g, '-') || 'root';
}

async function expectPageIn(page: Page, path: string, lang: string): Promise<void> {
  const response = await page.goto(`${path}?lang=${encodeURIComponent(lang)}`);
  expect(response?.status(), `GET ${path}?lang=${lang}`).toBe(200);
  expect(new URL(page.url()).pathname, `GET ${path} stays on ${path}`).toBe(path);
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
  await expect(page.locator('a#lang-zh')).toBeVisible();
  await expect(page.locator('a#lang-en')).toBeVisible();
  // The whole document, attributes and <title> included: no ⟦missing.key⟧.
  const html = await page.content();
  const missing = html.match(/⟦[^⟧]*⟧?/g) ?? [];
  expect(missing, `messages missing from the ${lang} catalog on ${path}`).toEqual([]);
  expect(await page.title(), `<title> of ${path}`).not.toBe('');
  await expectCsrfOnEveryForm(page);
  await shoot(page, `i18n-${lang}-${slug(path)}`);
}

for (const lang of LANGS) {
  test(`every page in ${lang}`, async ({ page, request }) => {
    for (const path of LOGGED_OUT) await expectPageIn(page, path, lang);

    // The code page of a recovery (for an identifier with no account: it looks the same).
    await page.goto('/forgot');
    const unknown = `139${Math.floor(10_000_000 + Math.random() * 89_999_999)}`;
    await page.locator('form#forgot-start input[name="identifier"]').fill(unknown);
    await page.locator('form#forgot-start button').first().click();
    await page.waitForURL((u) => /^\/forgot\/[^/]+$/.test(u.pathname));
    await expectPageIn(page, new URL(page.url()).pathname, lang);

    await register(page, request, newAccount('email'));
    for (const path of LOGGED_IN) await expectPageIn(page, path, lang);
  });
}

test('the language links switch the language, and a cookie remembers it', async ({ page }) => {
  await page.goto('/login?lang=zh-CN');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');

  await page.locator('a#lang-en').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('form#login')).toBeVisible();
  await page.waitForLoadState();
  await page.goto('/forgot');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');

  await page.locator('a#lang-zh').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.locator('form#forgot-start')).toBeVisible();
  await page.waitForLoadState();
  await page.goto('/register');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
});
