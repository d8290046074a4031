import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { callApi } from '../support/api-client.ts';
import type { TestTable } from '../support/dynamo.ts';
import type { FaultProxy } from '../support/dynamo-fault-proxy.ts';
import { testSeed, users, WS } from '../support/fixtures.ts';
import type { startLocalServer } from '../support/local-server.ts';
import type { TestIssuer } from '../support/test-issuer.ts';
import { startTestRuntime } from '../support/test-runtime.ts';

/**
 * The per-user rate limit over HTTP, on `npm start`'s runtime: 3 requests per 4-second
 * window (RATE_LIMIT_WINDOW_SECONDS shortens the minute for the test).
 */
const LIMIT = 3;
const WINDOW_SECONDS = 4;
let table: TestTable;
let proxy: FaultProxy;
let issuer: TestIssuer;
let server: Awaited<ReturnType<typeof startLocalServer>>;
let runtime: Awaited<ReturnType<typeof startTestRuntime>>;

beforeAll(async () => {
  runtime = await startTestRuntime({
    name: 'rate-limit',
    seed: testSeed,
    env: { RATE_LIMIT_PER_MINUTE: String(LIMIT), RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS) },
    faultProxy: true,
  });
  ({ table, issuer, server } = runtime);
  proxy = runtime.proxy!;
}, 60_000);
afterAll(() => runtime?.stop());

async function currentData(userId: number) {
  const token = await issuer.sign({ sub: String(userId) });
  const response = await callApi(server.baseUrl, 'GET', `/time-tracking/current-data?workspace_id=${WS}&user_id=${users.member}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, headers: response.headers, body: response.body };
}

/** Waits for the start of a window, so that a burst of requests falls inside one. */
async function atWindowStart() {
  const intoWindow = (Date.now() / 1000) % WINDOW_SECONDS;
  await new Promise((resolve) => setTimeout(resolve, (WINDOW_SECONDS - intoWindow) * 1000 + 50));
}

describe('the per-user rate limit over HTTP', () => {
  it('counts down in the headers, answers 429 with Retry-After to one user while another is served, and resets', async () => {
    await atWindowStart();
    const remaining: string[] = [];
    for (let i = 0; i < LIMIT; i++) {
      const response = await currentData(users.owner);
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-limit')).toBe(String(LIMIT));
      expect(Number(response.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1);
      expect(Number(response.headers.get('ratelimit-reset'))).toBeLessThanOrEqual(WINDOW_SECONDS);
      remaining.push(response.headers.get('ratelimit-remaining')!);
    }
    expect(remaining).toEqual(['2', '1', '0']);

    proxy.clearCalls();
    const limited = await currentData(users.owner);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ success: false, message: expect.any(String), error: 'rate_limited', meta: expect.any(Object) });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    // The counter, and the first read that ran alongside it; nothing after.
    expect(proxy.calls().sort()).toEqual(['BatchGetItem', 'UpdateItem']);

    const other = await currentData(users.executive);
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1));

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
    const afterReset = await currentData(users.owner);
    expect(afterReset.status).toBe(200);
    expect(afterReset.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1));
  }, 30_000);

  it('a start over the limit writes nothing', async () => {
    await atWindowStart();
    for (let i = 0; i < LIMIT; i++) await currentData(users.owner);
    const token = await issuer.sign({ sub: String(users.owner) });
    const response = await callApi(server.baseUrl, 'POST', '/time-tracking/start', {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'over-the-limit' },
      body: JSON.stringify({ workspace_id: WS, user_id: users.member }),
    });
    expect(response.status).toBe(429);
    // A timesheet's transition writes through a port of its own: held the same way.
    const submit = await callApi(server.baseUrl, 'POST', `/timesheets/${users.member}_2026-11-02_2026-11-08/submit?workspace_id=${WS}`, { headers: { authorization: `Bearer ${token}` } });
    expect(submit.status).toBe(429);
    const items = await table.scan();
    expect(items.filter((item) => item.sk === 'TRACKER' || String(item.pk).startsWith('IDEMPOTENCY#') || String(item.pk).includes('#SHEETS#') || String(item.pk).includes('#TIMESHEET#'))).toEqual([]);
  }, 30_000);

  it("holds every read to the limit: the directory, API keys, invitations and an entry's history answer 429 over it", async () => {
    const token = await issuer.sign({ sub: String(users.owner) });
    await atWindowStart();
    for (let i = 0; i < LIMIT; i++) await currentData(users.owner);
    // Over the limit for the rest of the window: each read is answered 429 (and counted, so it stays over).
    for (const path of [`/workspaces/${WS}/members`, '/api-keys', '/invitations', `/time-entries/x/history?workspace_id=${WS}`]) {
      const response = await callApi(server.baseUrl, 'GET', path, { headers: { authorization: `Bearer ${token}` } });
      expect([path, response.status, response.headers.get('retry-after') !== null]).toEqual([path, 429, true]);
    }
  }, 30_000);

  it('fails open: when the counter cannot be updated, the request is served without RateLimit headers', async () => {
    // The owner has used up this window: only an uncounted request can be served now.
    await atWindowStart();
    for (let i = 0; i < LIMIT; i++) await currentData(users.owner);
    expect((await currentData(users.owner)).status).toBe(429);
    proxy.inject('UpdateItem', 'throttle');
    try {
      const response = await currentData(users.owner);
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-limit')).toBeNull();
    } finally {
      proxy.heal();
    }
  }, 30_000);
});
