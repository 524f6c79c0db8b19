import { defineConfig } from '@playwright/test';
import * as path from 'node:path';

// Browser tests of the web client against the real server. `global-setup.ts` builds and starts
// `wangshang serve --dev` on a free loopback port with a throw-away data dir and publishes its
// base URL as WANGSHANG_BASE_URL (set WANGSHANG_BASE_URL yourself to test a server you run).
// Chromium is the system one (Debian's `chromium`); Playwright never downloads a browser here.

const repoRoot = path.resolve(__dirname, '..');

export default defineConfig({
  testDir: './tests',
  globalSetup: './support/global-setup.ts',
  outputDir: path.join(repoRoot, 'target', 'web-tests-output'),
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  timeout: 120_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: process.env.WANGSHANG_BASE_URL,
    headless: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1280, height: 800 },
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
          // CI runs as root, where Chromium's sandbox cannot start. The rest keeps Chromium off
          // the network (the machine has none beyond loopback and the package registries).
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
});
