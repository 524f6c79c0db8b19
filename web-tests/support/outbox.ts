// The dev outbox JSON API (`wangshang serve --dev`): the messages the dev driver "sent", newest
// first. `GET /api/v1/dev/outbox?destination=<phone or e-mail as written>`.

import { expect, type APIRequestContext } from '@playwright/test';

export interface DevMessage {
  id: string;
  channel: string;
  destination: string;
  subject?: string;
  body: string;
  code?: string;
  created_at: string;
}

export async function outbox(request: APIRequestContext, destination: string): Promise<DevMessage[]> {
  const r = await request.get('/api/v1/dev/outbox', { params: { destination } });
  expect(r.status(), `GET /api/v1/dev/outbox?destination=${destination}: ${await r.text()}`).toBe(200);
  const body = (await r.json()) as { messages: DevMessage[] };
  return body.messages;
}

/** How many messages the outbox holds for `destination` now: pass it to `devCode` later. */
export async function outboxCount(request: APIRequestContext, destination: string): Promise<number> {
  return (await outbox(request, destination)).length;
}

/**
 * The code of the newest message to `destination` that arrived after the first `seenBefore`
 * (the count `outboxCount` gave before the action that sends it). Polls for up to 10 s: delivery
 * is asynchronous. Newer messages without a code (notices) are passed over.
 */
export async function devCode(
  request: APIRequestContext,
  destination: string,
  seenBefore = 0,
  timeoutMs = 10_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let seen = 0;
  for (;;) {
    const messages = await outbox(request, destination);
    seen = messages.length;
    const fresh = messages.slice(0, Math.max(0, messages.length - seenBefore));
    const withCode = fresh.find((m) => typeof m.code === 'string' && m.code.length > 0);
    if (withCode?.code) return withCode.code;
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `no new message with a code to ${destination} within ${timeoutMs} ms (${seen} message(s), ${seenBefore} seen before)`,
  );
}
