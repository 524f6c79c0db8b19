// `test` and `expect` for every browser test: import them from here, not from @playwright/test.
//
// The `page` fixture fails the test (after it ran, listing everything) on:
// - a console message of type `error` (a CSP violation, a script error, a failed subresource…),
// - an uncaught exception in the page (`pageerror`),
// - a failed request (`requestfailed`: refused, reset, blocked…),
// - any response with status >= 500.
// Normal, and so not reported: a 4xx answer to a form POST (a wrong code, a bad password): the
// browser logs "Failed to load resource: … status of 4xx" for such a document, and that message is
// ignored only for a POST navigation that got that 4xx status, or a navigation answered with an
// HTML error page of that status (unknown address, wrong method: the page says so to the person). A navigation aborted by the next
// one (net::ERR_ABORTED on a document request) is ignored too, as is a 4xx answered with JSON to a
// script's own request (fetch/XHR: the server refused, e.g. a file of the wrong type, and the page
// shows the reason), and so is a 4xx for the
// /favicon.ico that Chromium asks for by itself when a page names no icon.

import { test as base, expect, type ConsoleMessage, type Page, type Request, type Response } from '@playwright/test';

export { expect };

type Problem = string;

/** Watches a page for the problems above; `check()` lists them. (The `page` fixture uses it; a
 * test that opens a second context watches that page itself.) */
export function watch(page: Page): { problems: Problem[]; check: () => Problem[] } {
  const problems: Problem[] = [];
  const consoleErrors: ConsoleMessage[] = [];
  // Document URLs that answered a POST navigation with a 4xx status.
  const postedDocs4xx = new Map<string, Set<number>>();
  // Script requests (fetch/XHR) answered 4xx with a JSON reason the page shows.
  const scripted4xx = new Map<string, Set<number>>();

  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.name}: ${e.message}`));
  page.on('requestfailed', (r: Request) => {
    const failure = r.failure()?.errorText ?? 'unknown';
    if (failure === 'net::ERR_ABORTED' && r.isNavigationRequest()) return;
    problems.push(`requestfailed: ${r.method()} ${r.url()}: ${failure}`);
  });
  page.on('response', (r: Response) => {
    const req = r.request();
    const status = r.status();
    if (status >= 500) problems.push(`response ${status}: ${req.method()} ${r.url()}`);
    // A 4xx page for a navigation: a form post refused, or an error page (an unknown address,
    // a form address opened with GET) drawn as HTML for the visitor.
    const html = (r.headers()['content-type'] ?? '').startsWith('text/html');
    const json = (r.headers()['content-type'] ?? '').startsWith('application/json');
    const scripted = ['fetch', 'xhr'].includes(req.resourceType());
    if (status >= 400 && status < 500 && scripted && json) {
      const set = scripted4xx.get(r.url()) ?? new Set<number>();
      set.add(status);
      scripted4xx.set(r.url(), set);
    }
    if (status >= 400 && status < 500 && req.isNavigationRequest() && (req.method() === 'POST' || html)) {
      const set = postedDocs4xx.get(r.url()) ?? new Set<number>();
      set.add(status);
      postedDocs4xx.set(r.url(), set);
    }
  });

  const check = (): Problem[] => {
    const all = [...problems];
    for (const m of consoleErrors) {
      const text = m.text();
      const url = m.location().url;
      const status = /^Failed to load resource: the server responded with a status of (\d{3})\b/.exec(text);
      if (status && postedDocs4xx.get(url)?.has(Number(status[1]))) continue;
      if (status && scripted4xx.get(url)?.has(Number(status[1]))) continue;
      // Chromium fetches /favicon.ico by itself when a page names no icon: not the page's doing.
      if (status && url && new URL(url).pathname === '/favicon.ico') continue;
      all.push(`console.error: ${text}${url ? ` (at ${url}:${m.location().lineNumber})` : ''}`);
    }
    return all;
  };
  return { problems, check };
}

export const test = base.extend({
  // The base URL of the server global-setup started (workers inherit its environment); set here
  // too so that it does not depend on when the config file was read.
  baseURL: async ({ baseURL }, use) => {
    await use(baseURL ?? process.env.WANGSHANG_BASE_URL);
  },
  page: async ({ page }, use, testInfo) => {
    const w = watch(page);
    await use(page);
    const found = w.check();
    if (found.length > 0) {
      await testInfo.attach('browser-problems', { body: found.join('\n'), contentType: 'text/plain' });
      // Report it unless the test already failed for another reason (then it is in the attachment).
      if (testInfo.status === testInfo.expectedStatus) {
        throw new Error(`the page reported ${found.length} problem(s):\n  ${found.join('\n  ')}`);
      }
    }
  },
});
