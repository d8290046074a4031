import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { callApi } from '../support/api-client.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { loadSeed } from '../../admin/seed-loader.ts';
import { generateApiKey, hashApiKey } from '../../shared/auth/api-keys.ts';
import { keys } from '../../shared/db/keys.ts';
import type { TestTable } from '../support/dynamo.ts';
import type { FaultProxy } from '../support/dynamo-fault-proxy.ts';
import { OTHER_WS, testSeed, users, WS } from '../support/fixtures.ts';
import type { startLocalServer } from '../support/local-server.ts';
import type { TestIssuer } from '../support/test-issuer.ts';
import { startTestRuntime } from '../support/test-runtime.ts';

/**
 * Failure semantics as an operator sees them (docs/failure-semantics.md): `npm start`'s
 * runtime over HTTP, its DynamoDB behind a fault-injecting proxy, its JWKS from a test
 * issuer that can fail. What the client sees, and what is stored afterwards.
 */
let table: TestTable;
let proxy: FaultProxy;
let issuer: TestIssuer;
let server: Awaited<ReturnType<typeof startLocalServer>>;
let runtime: Awaited<ReturnType<typeof startTestRuntime>>;
const apiKey = generateApiKey();

beforeAll(async () => {
  runtime = await startTestRuntime({
    name: 'http-faults',
    seed: { ...testSeed, api_keys: [{ user_id: users.owner, name: 'ops', key: apiKey, scopes: ['read', 'write'] }] },
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', WEBHOOK_RETRY_SCALE: '0.01' },
    faultProxy: true,
  });
  ({ table, issuer, server } = runtime);
  proxy = runtime.proxy!;
}, 60_000);
afterAll(() => runtime?.stop());
beforeEach(async () => {
  proxy.heal();
  await table.clearTrackingData();
});

const tokenOf = (userId: number) => issuer.sign({ sub: String(userId) });

async function call(method: 'GET' | 'POST', path: string, options: { credential?: string; body?: unknown; query?: Record<string, number | string>; headers?: Record<string, string> } = {}) {
  const query = options.query ? `?${new URLSearchParams(Object.entries(options.query).map(([key, value]): [string, string] => [key, String(value)]))}` : '';
  const started = Date.now();
  const response = await callApi(server.baseUrl, method, `${path}${query}`, {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${options.credential ?? (await tokenOf(users.owner))}`, ...options.headers },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: response.status, headers: response.headers, body: response.body, ms: Date.now() - started };
}

const start = (body: unknown, options: Parameters<typeof call>[2] = {}) => call('POST', '/time-tracking/start', { body, ...options });
const stop = (body: unknown, options: Parameters<typeof call>[2] = {}) => call('POST', '/time-tracking/stop', { body, ...options });
const current = (query: Record<string, number>, options: Parameters<typeof call>[2] = {}) => call('GET', '/time-tracking/current-data', { query, ...options });
const member = { workspace_id: WS, user_id: users.member };

async function stored() {
  const items = await table.scan();
  return { trackers: items.filter((item) => item.sk === 'TRACKER'), entries: items.filter((item) => String(item.sk).startsWith('ENTRY#')) };
}

function expectEnvelope503(response: Awaited<ReturnType<typeof call>>) {
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
  expect(response.body).toEqual({ success: false, message: expect.any(String), error: 'service_unavailable', meta: expect.any(Object) });
}

// First: the JWKS must not have been fetched yet by this server's authorizer.
describe('the authorizer: a transient failure is never cached as a refusal', () => {
  it('JWKS unreachable: API Gateway answers 500 and caches nothing; the same token works at once after recovery', async () => {
    const token = await tokenOf(users.owner);
    issuer.setJwksMode('error');
    try {
      const during = await current(member, { credential: token });
      expect(during.status).toBe(500);
      expect(during.body).toEqual({ message: 'Internal Server Error' });
    } finally {
      issuer.setJwksMode('ok');
    }
    expect((await current(member, { credential: token })).status).toBe(200);
  });

  it('API-key lookup throttled: 500, nothing cached; the same key works on its first request after recovery', async () => {
    proxy.inject('GetItem', 'throttle');
    const during = await current(member, { credential: apiKey });
    expect(during.status).toBe(500);
    expect(during.body).toEqual({ message: 'Internal Server Error' });
    proxy.heal();
    const after = await current(member, { credential: apiKey });
    expect(after.status).toBe(200);
    expect(after.body.data.is_tracking).toBe(false);
  });

  it('an API key record that cannot be read is refused (401), not trusted', async () => {
    const odd = generateApiKey();
    await table.client.send(
      new PutCommand({ TableName: table.tableName, Item: { ...keys.apiKey(hashApiKey(odd)), entity: 'api_key', key_id: 'odd', user_id: users.owner, scopes: ['read'], revoked_at: 123 } }),
    );
    const response = await current(member, { credential: odd });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ message: 'Unauthenticated.', error: 'unauthenticated' });
  });
});

describe('DynamoDB faults: what the client sees, what is stored', () => {
  it('reads throttled on every attempt: 503 with Retry-After in the envelope, nothing written', async () => {
    proxy.inject('BatchGetItem', 'throttle');
    expectEnvelope503(await start(member));
    expect(await stored()).toEqual({ trackers: [], entries: [] });
  });

  it('a start whose conditional PutItem answer was lost: 200 (the retry is recognised), one tracker', async () => {
    proxy.inject('PutItem', 'lose-answer', { times: 1 });
    const response = await start(member);
    expect(response.status).toBe(200);
    expect((await stored()).trackers).toHaveLength(1);
  });

  it('a stop whose TransactWriteItems answer was lost: 200, exactly one time entry', async () => {
    expect((await start(member)).status).toBe(200);
    proxy.inject('TransactWriteItems', 'lose-answer', { times: 1 });
    const response = await stop(member);
    expect(response.status).toBe(200);
    const after = await stored();
    expect(after.trackers).toHaveLength(0);
    expect(after.entries).toHaveLength(1);
    expect(after.entries[0]!.entry_id).toBe(response.body.data.time_entry_id);
  });

  // The SDK's three attempts all lose their answer: the first applied, the others found it applied (or timed out). The
  // outcome is unknown to the SDK, not to us: one read of what the write writes decides, and the client gets what happened.
  it('a start applied but answered as lost on every attempt: 200 with the stored tracker, not a 503 over a tracker that exists', async () => {
    proxy.inject('TransactWriteItems', 'lose-answer', { times: 3 });
    const response = await start(member);
    expect(response.status).toBe(200);
    const { trackers } = await stored();
    expect(trackers).toHaveLength(1);
    expect(trackers[0]!.start_time).toBe(response.body.data.start_time);
  });

  it('a stop applied but answered as lost on every attempt: 200 with the entry it recorded', async () => {
    expect((await start(member)).status).toBe(200);
    proxy.inject('TransactWriteItems', 'lose-answer', { times: 3 });
    const response = await stop(member);
    expect(response.status).toBe(200);
    const after = await stored();
    expect(after.trackers).toHaveLength(0);
    expect(after.entries.map((entry) => entry.entry_id)).toEqual([response.body.data.time_entry_id]);
  });

  it('a keyed start applied while every answer and the read-back were lost: 503, and the retry with the same key answers that tracker', async () => {
    const headers = { 'Idempotency-Key': 'lost-then-retried' };
    proxy.inject('TransactWriteItems', 'lose-answer', { times: 3 });
    // The context read passes; the read-back after the writes is refused on its every attempt.
    proxy.inject('BatchGetItem', 'throttle', { after: 1, times: 3 });
    expectEnvelope503(await start(member, { headers }));
    proxy.heal();
    const applied = (await stored()).trackers;
    expect(applied).toHaveLength(1);
    const retry = await start(member, { headers });
    expect(retry.status).toBe(200);
    expect(retry.body.data.start_time).toBe(applied[0]!.start_time);
    expect((await stored()).trackers).toHaveLength(1);
  });

  it('DynamoDB unreachable: 503 promptly', async () => {
    const token = await tokenOf(users.owner);
    proxy.inject('*', 'reset');
    const response = await start(member, { credential: token });
    expectEnvelope503(response);
    expect(response.ms).toBeLessThan(3000);
  });

  it('a slow answer is abandoned at the 2 s budget and retried, instead of waited for', async () => {
    const token = await tokenOf(users.owner);
    proxy.inject('BatchGetItem', 'delay', { times: 1, delayMs: 4000 });
    proxy.clearCalls();
    const response = await current(member, { credential: token });
    expect(response.status).toBe(200);
    expect(response.ms).toBeGreaterThanOrEqual(2000);
    expect(response.ms).toBeLessThan(3900);
    expect(proxy.calls().filter((operation) => operation === 'BatchGetItem')).toHaveLength(2);
  });

  it('a DynamoDB that hangs: 503 in the envelope, well before the function timeout (10 s)', async () => {
    const token = await tokenOf(users.owner);
    proxy.inject('BatchGetItem', 'hang');
    const response = await start(member, { credential: token });
    expectEnvelope503(response);
    expect(response.ms).toBeLessThan(9000);
    expect(await stored()).toEqual({ trackers: [], entries: [] });
  }, 20_000);

  it('a start with an Idempotency-Key that got 503: the retry with the same key succeeds, the next one replays', async () => {
    const headers = { 'Idempotency-Key': 'retry-me' };
    proxy.inject('BatchGetItem', 'throttle');
    expectEnvelope503(await start(member, { headers }));
    proxy.heal();
    const retry = await start(member, { headers });
    expect(retry.status).toBe(200);
    const replay = await start(member, { headers });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(retry.body);
    expect((await stored()).trackers).toHaveLength(1);
  });
});

describe('no state can get stuck', () => {
  const setMembership = (workspaceId: number, userId: number, role: string, status: 'active' | 'inactive') =>
    loadSeed(table.client, table.tableName, { members: [{ workspace_id: workspaceId, user_id: userId, role, status }] }, { endpoint: process.env.DYNAMODB_ENDPOINT });

  it('a member marked inactive after starting: still seen and stopped by a manager, then free to start elsewhere', async () => {
    expect((await start(member)).status).toBe(200);
    await setMembership(WS, users.member, 'regular_user', 'inactive');
    try {
      const seen = await current(member);
      expect(seen.status).toBe(200);
      expect(seen.body.data).toMatchObject({ is_tracking: true, user_id: users.member, workspace_id: WS });
      expect((await stop(member)).status).toBe(200);
      // Without a tracker, an inactive member is not found, as before.
      expect((await current(member)).status).toBe(404);
      const elsewhere = await start({ workspace_id: OTHER_WS, user_id: users.member }, { credential: await tokenOf(users.otherWorkspaceOwner) });
      expect(elsewhere.status).toBe(200);
    } finally {
      await setMembership(WS, users.member, 'regular_user', 'active');
    }
  });

  it('a member removed from the workspace after starting: the manager can still stop the tracker', async () => {
    expect((await start(member)).status).toBe(200);
    await table.client.send(new DeleteCommand({ TableName: table.tableName, Key: keys.membership(WS, users.member) }));
    try {
      expect((await current(member)).body.data.is_tracking).toBe(true);
      expect((await stop(member)).status).toBe(200);
      expect(await stored()).toMatchObject({ trackers: [] });
    } finally {
      await setMembership(WS, users.member, 'regular_user', 'active');
    }
  });

  it('a replayed Idempotency-Key answer re-checks the caller: a demoted manager gets 403', async () => {
    const credential = await tokenOf(users.executive);
    const headers = { 'Idempotency-Key': 'demoted' };
    expect((await start(member, { credential, headers })).status).toBe(200);
    await setMembership(WS, users.executive, 'team_manager', 'active');
    try {
      const replay = await start(member, { credential, headers });
      expect(replay.status).toBe(403);
      expect(replay.headers.get('idempotent-replayed')).toBeNull();
    } finally {
      await setMembership(WS, users.executive, 'executive_manager', 'active');
    }
  });
});

describe('webhooks under faults', () => {
  it('a delivery whose subscription cannot be read is retried, npm start keeps serving, and it arrives once DynamoDB is back', async () => {
    const receiver = await startWebhookReceiver();
    const { received, url } = receiver;
    try {
      // Earlier tests' events happened in earlier seconds: none of them is for this webhook (second precision).
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await call('POST', '/webhooks', { body: { workspace_id: WS, url, events: ['tracker.started'] } })).status).toBe(201);
      await new Promise((resolve) => setTimeout(resolve, 1100)); // the event is after the webhook's creation second
      // Every read of the subscription fails (the delivery's GetItem): the attempt cannot even start.
      proxy.inject('GetItem', 'reset');
      expect((await start(member)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(received).toEqual([]);
      expect((await fetch(`${server.baseUrl}/health`)).status).toBe(200);
      expect((await current(member)).status).toBe(200);
      proxy.heal();
      const until = Date.now() + 10_000;
      while (received.length === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(received).toHaveLength(1);
    } finally {
      proxy.heal();
      await receiver.close();
    }
  }, 30_000);
});
