// Screenshots for people to look at: target/screenshots/<name>-phone.png (375×812) and
// target/screenshots/<name>-desktop.png (1280×800), full page. The viewport is put back after.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from '@playwright/test';

export const SCREENSHOT_DIR = path.resolve(__dirname, '..', '..', 'target', 'screenshots');

export const WIDTHS = {
  phone: { width: 375, height: 812 },
  desktop: { width: 1280, height: 800 },
} as const;

/** Lower-case letters, digits and dashes only, so names make safe file names. */
function safe(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export async function shoot(page: Page, name: string): Promise<string[]> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const before = page.viewportSize();
  const files: string[] = [];
  try {
    for (const [kind, size] of Object.entries(WIDTHS)) {
      await page.setViewportSize(size);
      // Let the page lay out and paint at the new width before the capture: without it a
      // full-page shot can keep parts of the previous width's paint. Two animation frames where
      // the page runs scripts; a page without JavaScript never answers an evaluate, so at most
      // a quarter of a second.
      const painted = page
        .evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))))
        .catch(() => undefined);
      await Promise.race([painted, new Promise<void>((done) => setTimeout(done, 250))]);
      const file = path.join(SCREENSHOT_DIR, `${safe(name)}-${kind}.png`);
      await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
      files.push(file);
    }
  } finally {
    if (before) await page.setViewportSize(before);
  }
  return files;
}
