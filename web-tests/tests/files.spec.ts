// Files in the web client (issue 17): two colleagues in two browser contexts. A sends a PDF with
// the attach button, a picture by drag and drop and a screenshot by pasting it; B sees each file
// arrive live as a card (name, size, type) or a preview; the picture opens in the viewer; the card
// downloads the same bytes. A file larger than the limit is refused before it is sent. Then the
// files a browser would run — an HTML page, an SVG with a script, an `x.jpg` holding HTML — are
// never rendered: opening them downloads them, no script runs, nothing navigates.

import type { Page } from '@playwright/test';
import { test, expect } from '../support/fixtures';
import { shoot } from '../support/shoot';
import { colleagues } from '../support/colleagues';
import { png } from '../support/png';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/** The card of the file named `name` in the conversation on `page`. */
function fileCard(page: Page, name: string) {
  return page.locator('#messages li.msg .file').filter({ has: page.locator('.file-name', { hasText: name }) });
}

/** Drops `files` onto the conversation, as a drag from the desktop would. */
async function drop(page: Page, files: { name: string; type: string; base64: string }[]): Promise<void> {
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name, { type: f.type }));
    }
    return dt;
  }, files);
  await page.dispatchEvent('#chat', 'dragenter', { dataTransfer });
  await expect(page.locator('#drop-hint')).toBeVisible();
  await page.dispatchEvent('#chat', 'dragover', { dataTransfer });
  await page.dispatchEvent('#chat', 'drop', { dataTransfer });
  await expect(page.locator('#drop-hint')).toBeHidden();
}

/** Pastes a picture into the composer, as a screenshot from the clipboard would be. */
async function paste(page: Page, name: string, bytes: Buffer): Promise<void> {
  await page.locator('#composer textarea').evaluate(
    (area, f) => {
      const dt = new DataTransfer();
      const data = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
      dt.items.add(new File([data], f.name, { type: 'image/png' }));
      area.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    },
    { name, base64: bytes.toString('base64') },
  );
}

test('files: attach, drop, paste, live cards and previews, the viewer, downloads', async ({ page, request, browser, baseURL }) => {
  const c = await colleagues(page, request, browser, baseURL);
  const { pageB } = c;
  try {
    await pageB.goto(c.conversation);
    await expect(pageB.locator('#chat[data-live="1"]')).toHaveCount(1);

    // The attach button: a PDF, with the progress line while it goes.
    await page.locator('#file-input').setInputFiles({ name: '报价单-2026.pdf', mimeType: 'application/pdf', buffer: PDF });
    const pdfCard = fileCard(page, '报价单-2026.pdf');
    await expect(pdfCard.locator('a.file-card')).toBeVisible();
    await expect(pdfCard.locator('.file-icon')).toHaveText('PDF');
    await expect(pdfCard.locator('.file-size')).toHaveText(`${PDF.length} B`);
    await expect(page.locator('#upload-status')).toBeHidden();
    // B: the same card, live.
    await expect(fileCard(pageB, '报价单-2026.pdf').locator('a.file-card')).toBeVisible();

    // Drag and drop: a picture gets a preview on both sides.
    const picture = png(800, 600);
    await drop(page, [{ name: '样品照片.png', type: 'image/png', base64: picture.toString('base64') }]);
    const preview = fileCard(pageB, '样品照片.png').locator('a.preview img');
    await expect(preview).toBeVisible();
    await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    expect(await preview.getAttribute('width')).toBe('240');
    expect(await preview.getAttribute('height')).toBe('180');

    // A pasted screenshot.
    await paste(page, 'screenshot.png', png(300, 200));
    await expect(fileCard(pageB, 'screenshot.png').locator('a.preview img')).toBeVisible();
    // The conversation list beside it names the file.
    await expect(pageB.locator('li.conversation.current .last')).toHaveText(/screenshot\.png/);

    // The viewer: the whole picture over the conversation.
    await preview.click();
    const viewer = pageB.locator('dialog#viewer');
    await expect(viewer).toBeVisible();
    await expect.poll(() => viewer.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(800);
    await shoot(pageB, 'chat-files-viewer');
    await viewer.getByRole('button').click();
    await expect(viewer).toBeHidden();
    await shoot(pageB, 'chat-files');

    // The card downloads the same bytes, under the name it was sent with.
    const [download] = await Promise.all([
      pageB.waitForEvent('download'),
      fileCard(pageB, '报价单-2026.pdf').locator('a.file-card').click(),
    ]);
    expect(download.suggestedFilename()).toBe('报价单-2026.pdf');
    const path = await download.path();
    const fs = await import('node:fs');
    expect(fs.readFileSync(path).equals(PDF)).toBe(true);

    // After a reload the server draws the same cards.
    await pageB.reload();
    await expect(fileCard(pageB, '报价单-2026.pdf').locator('.file-size')).toHaveText(`${PDF.length} B`);
    await expect(fileCard(pageB, '样品照片.png').locator('a.preview img')).toBeVisible();

    // Past the limit the page refuses the file before sending it, in the page's words.
    const limit = Number(await page.locator('form#upload').getAttribute('data-max-bytes'));
    expect(limit).toBeGreaterThan(0);
    const tooLarge = await page.locator('form#upload').getAttribute('data-too-large');
    const fs2 = await import('node:fs');
    const os = await import('node:os');
    const big = `${fs2.mkdtempSync(`${os.tmpdir()}/ws-files-`)}/big.bin`;
    // A sparse file: as large as asked, without writing it.
    fs2.closeSync(fs2.openSync(big, 'w'));
    fs2.truncateSync(big, limit + 1);
    await page.locator('#file-input').setInputFiles(big);
    await expect(page.locator('#upload-status')).toHaveText(tooLarge ?? '');
    await expect(fileCard(page, 'big.bin')).toHaveCount(0);

    expect(c.check()).toEqual([]);
  } finally {
    await c.close();
  }
});

test('HTML, an SVG with a script and an x.jpg holding HTML are never rendered', async ({ page, request, browser, baseURL, context }) => {
  const c = await colleagues(page, request, browser, baseURL);
  try {
    // Anything the files' scripts would fetch or open is recorded.
    const ran: string[] = [];
    await context.route('**/pwned*', (route) => {
      ran.push(route.request().url());
      return route.fulfill({ status: 204 });
    });
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const payload = (tag: string) => `fetch('/pwned-${tag}');document.title='pwned';alert('pwned-${tag}')`;
    const evil = [
      { name: 'invoice.html', mimeType: 'text/html', body: `<!DOCTYPE html><html><body><h1>发票</h1><script>${payload('html')}</script></body></html>` },
      { name: 'logo.svg', mimeType: 'image/svg+xml', body: `<svg xmlns="http://www.w3.org/2000/svg" onload="${payload('svg-onload')}"><script>${payload('svg')}</script><circle r="5"/></svg>` },
      { name: 'x.jpg', mimeType: 'application/octet-stream', body: `<html><body><img src=x onerror="${payload('jpg')}"><script>${payload('jpg')}</script></body></html>` },
    ];

    // An x.jpg holding HTML, claimed as a JPEG: refused, with the reason.
    await page.locator('#file-input').setInputFiles({ name: 'x.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(evil[2].body) });
    await expect(page.locator('#upload-status.error')).toBeVisible();
    await expect(fileCard(page, 'x.jpg')).toHaveCount(0);

    for (const f of evil) {
      await page.locator('#file-input').setInputFiles({ name: f.name, mimeType: f.mimeType, buffer: Buffer.from(f.body) });
      await expect(fileCard(page, f.name).locator('a.file-card')).toBeVisible();
    }
    await shoot(page, 'chat-files-unsafe');
    const chatUrl = page.url();

    for (const f of evil) {
      const card = fileCard(page, f.name);
      // No preview for any of them: none is a picture.
      await expect(card.locator('a.preview')).toHaveCount(0);
      const href = await card.locator('a.file-card').getAttribute('href');
      expect(href).toMatch(/^\/chat\/files\//);

      // Clicking the card downloads it; the page stays where it is.
      const [download] = await Promise.all([page.waitForEvent('download'), card.locator('a.file-card').click()]);
      expect(download.suggestedFilename()).toBe(f.name);
      expect(page.url()).toBe(chatUrl);

      // Opening its address in a tab of its own: a download too, never a page.
      const tab = await context.newPage();
      const [tabDownload] = await Promise.all([
        tab.waitForEvent('download'),
        tab.goto(href!).catch((e: Error) => {
          // Chromium reports a navigation that became a download as an aborted one.
          expect(e.message).toMatch(/Download is starting|net::ERR_ABORTED/);
        }),
      ]);
      expect(tabDownload.suggestedFilename()).toBe(f.name);
      await tab.close();

      // And what it answers says so, for any client.
      const res = await page.request.get(href!);
      expect(res.status()).toBe(200);
      const h = res.headers();
      expect(h['content-disposition']).toMatch(/^attachment;/);
      expect(h['content-type']).not.toMatch(/html|svg|xml|javascript/);
      expect(h['x-content-type-options']).toBe('nosniff');
      expect(h['content-security-policy']).toBe('sandbox');
    }

    // A member of another conversation, and a visitor who is not signed in, get the same 404.
    const href = await fileCard(page, 'invoice.html').locator('a.file-card').getAttribute('href');
    const stranger = await browser.newContext({ baseURL });
    const res = await stranger.request.get(href!);
    expect(res.status()).toBe(404);
    await stranger.close();

    await page.waitForTimeout(500);
    expect(ran).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(await page.title()).not.toBe('pwned');
    expect(c.check()).toEqual([]);
  } finally {
    await c.close();
  }
});
