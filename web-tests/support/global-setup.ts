// Starts the real server for the browser tests and stops it afterwards.
//
// 1. `cargo build -p wangshang` (in the repo root, honouring CARGO_TARGET_DIR, default ../target);
//    set WANGSHANG_BIN to a built binary to skip the build.
// 2. A free loopback port and a fresh temp data dir.
// 3. `<target>/debug/wangshang serve --dev` with its configuration in WANGSHANG_* variables.
// 4. Waits for `GET /healthz` to answer 200, then publishes the base URL as WANGSHANG_BASE_URL
//    (read by `use.baseURL` in playwright.config.ts and by the fixtures), and the binary and data
//    dir as WANGSHANG_TEST_BIN / WANGSHANG_TEST_DATA_DIR (for `wangshang admin …` in a test).
// The function it returns is the global teardown: it stops the server and removes the data dir
// (kept when WANGSHANG_KEEP_DATA=1). The server's output goes to <data dir>/server.log and, on a
// failed start, is printed.
//
// With WANGSHANG_BASE_URL already set, nothing is built or started: the tests run against that
// server (it must be in dev mode for the dev outbox).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FullConfig } from '@playwright/test';

const repoRoot = path.resolve(__dirname, '..', '..');

function targetDir(): string {
  const t = process.env.CARGO_TARGET_DIR;
  // Cargo reads a relative CARGO_TARGET_DIR against its working directory, the repo root here.
  return t ? path.resolve(repoRoot, t) : path.join(repoRoot, 'target');
}

function buildServer(): string {
  if (process.env.WANGSHANG_BIN) return path.resolve(process.env.WANGSHANG_BIN);
  console.log('[web-tests] cargo build -p wangshang');
  const r = spawnSync('cargo', ['build', '-p', 'wangshang'], { cwd: repoRoot, stdio: 'inherit', env: process.env });
  if (r.error) throw new Error(`cannot run cargo: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`cargo build -p wangshang failed (exit ${r.status})`);
  const bin = path.join(targetDir(), 'debug', process.platform === 'win32' ? 'wangshang.exe' : 'wangshang');
  if (!fs.existsSync(bin)) throw new Error(`built, but ${bin} is missing`);
  return bin;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('no port'));
        return;
      }
      srv.close(() => resolve(addr.port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tail(file: string, lines = 60): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitHealthy(base: string, child: ChildProcess, log: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`wangshang exited during start (${child.exitCode ?? child.signalCode}); its log:\n${tail(log)}`);
    }
    try {
      const r = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (r.status === 200) return;
      last = `status ${r.status}`;
    } catch (e) {
      last = String(e);
    }
    await sleep(200);
  }
  throw new Error(`wangshang did not answer GET /healthz with 200 within ${timeoutMs} ms (${last}); its log:\n${tail(log)}`);
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  if (process.env.WANGSHANG_BASE_URL) {
    console.log(`[web-tests] using the server at ${process.env.WANGSHANG_BASE_URL}`);
    return async () => {};
  }

  const bin = buildServer();
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wangshang-web-tests-'));
  const log = path.join(dataDir, 'server.log');
  const out = fs.openSync(log, 'a');
  const base = `http://localhost:${port}`;

  const child = spawn(bin, ['serve', '--dev'], {
    cwd: dataDir,
    stdio: ['ignore', out, out],
    env: {
      ...process.env,
      WANGSHANG_LISTEN: `127.0.0.1:${port}`,
      WANGSHANG_DATABASE_URL: `sqlite://${dataDir}/wangshang.db`,
      WANGSHANG_DATA_DIR: dataDir,
      WANGSHANG_PUBLIC_URL: base,
      // Support desk (tests/support.spec.ts): a trusted-colleague change counts after 1 s and an
      // approval waits 4 s instead of 24 h each. No other spec depends on them.
      WANGSHANG_SUPPORT__TRUSTED_ACTIVATION_SECS: '1',
      WANGSHANG_SUPPORT__WAITING_PERIOD_SECS: '4',
      // Every spec sends codes from 127.0.0.1: the per-IP limits (20/h by default) would make the
      // order of the specs matter. Per-destination limits stay as configured.
      WANGSHANG_CODES__PER_IP_HOUR: '10000',
      WANGSHANG_CODES__PER_IP_DAY: '10000',
      RUST_LOG: 'warn',
    },
  });
  fs.closeSync(out);
  // If the runner itself dies (Ctrl-C, crash), do not leave the server behind.
  const onExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('exit', onExit);

  try {
    await waitHealthy(base, child, log, 60_000);
  } catch (e) {
    await stop(child);
    throw e;
  }
  console.log(`[web-tests] wangshang serving at ${base} (pid ${child.pid}, data ${dataDir})`);
  process.env.WANGSHANG_BASE_URL = base;
  process.env.WANGSHANG_SERVER_LOG = log;
  // For admin subcommands run against the same database (support.spec.ts: `admin agent add`).
  process.env.WANGSHANG_TEST_BIN = bin;
  process.env.WANGSHANG_TEST_DATA_DIR = dataDir;

  return async () => {
    await stop(child);
    process.off('exit', onExit);
    if (process.env.WANGSHANG_KEEP_DATA === '1') {
      console.log(`[web-tests] kept ${dataDir}`);
    } else {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  };
}
