import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { callApi } from '../support/api-client.ts';
import { waitFor } from '../support/wait-for.ts';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { OTHER_WS, testSeed, users, WS } from '../support/fixtures.ts';
import type { startLocalServer } from '../support/local-server.ts';
import { expectMatchesOpenApi } from '../support/openapi-validator.ts';
import { type TestIssuer } from '../support/test-issuer.ts';
import { startTestRuntime } from '../support/test-runtime.ts';

/**
 * Webhooks over HTTP on `npm start` and on `npm run start:template` (where the template's own
 * fan-out and delivery functions run from their bundles, behind the local stream's event
 * source and a local SQS queue, their roles enforced): subscriptions through the API,
 * deliveries from the table's stream to a real receiver on loopback, signatures checked by
 * an implementation of the Standard Webhooks scheme written here, retries at 1/100 of the
 * real schedule.
 */
type Received = { path: string; headers: Record<string, string>; body: string; at: number };
const received: Received[] = [];
/** Paths that answer 500 this many more times. */
const failures = new Map<string, number>();
/** Paths that give these answers first, in order (then 204). */
const answers = new Map<string, Array<{ status: number; headers?: Record<string, string> }>>();
let receiver: Server;
let receiverUrl: string;
let issuer: TestIssuer;
let server: Awaited<ReturnType<typeof startLocalServer>>;
let runtime: Awaited<ReturnType<typeof startTestRuntime>>;

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ path: request.url!, headers: request.headers as Record<string, string>, body, at: Date.now() });
      const scripted = answers.get(request.url!)?.shift();
      if (scripted) return void response.writeHead(scripted.status, scripted.headers).end();
      const left = failures.get(request.url!) ?? 0;
      failures.set(request.url!, left - 1);
      response.writeHead(left > 0 ? 500 : 204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
});
afterAll(async () => {
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

async function call(method: string, path: string, options: { body?: unknown; caller?: number } = {}) {
  const token = await issuer.sign({ sub: String(options.caller ?? users.owner) });
  const response = await callApi(server.baseUrl, method, path, {
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: response.status, body: response.body };
}

async function subscribe(path: string, options: { workspaceId?: number; events?: string[]; caller?: number } = {}) {
  const response = await call('POST', '/webhooks', { body: { workspace_id: options.workspaceId ?? WS, url: `${receiverUrl}${path}`, events: options.events ?? ['tracker.started', 'tracker.stopped'] }, caller: options.caller });
  expect(response.status).toBe(201);
  return response.body.data as { id: string; secret: string };
}

const deliveriesTo = (path: string) => received.filter((entry) => entry.path === path);

/** The Standard Webhooks signature, computed independently of the library the service uses. */
function verifySignature(secret: string, headers: Record<string, string>, body: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`).digest();
  return headers['webhook-signature']!.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    const given = Buffer.from(signature ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

describe.each(['source', 'template'] as const)('webhooks on the local runtime (%s)', (mode) => {
  beforeAll(async () => {
    received.length = 0;
    failures.clear();
    runtime = await startTestRuntime({ name: `webhooks-${mode}`, seed: testSeed, env: { WEBHOOK_RETRY_SCALE: '0.01', ...(mode === 'template' ? { RUNTIME: 'template' } : {}) } });
    ({ issuer, server } = runtime);
  }, 120_000);
  afterAll(() => runtime?.stop());

  describe('receivers that say stop or wait', () => {
    const tracked = users.otherMember;
    const track = async (action: 'start' | 'stop') => expect((await call('POST', `/time-tracking/${action}`, { body: { workspace_id: WS, user_id: tracked } })).status).toBe(200);
    const webhookOf = async (id: string) => (await call('GET', `/webhooks?workspace_id=${WS}&per_page=50`)).body.data.find((webhook: { id: string }) => webhook.id === id);

    it('turns a webhook off when its receiver answers 410 Gone: nothing more is sent until it is enabled again', async () => {
      answers.set('/gone', [{ status: 410 }]);
      const hook = await subscribe('/gone');
      await track('start');
      await waitFor(() => (deliveriesTo('/gone').length >= 1 ? true : undefined), 10_000);
      let disabled: Record<string, unknown> | undefined;
      for (let tries = 0; tries < 40 && disabled?.status !== 'disabled'; tries++) {
        disabled = await webhookOf(hook.id);
        if (disabled?.status !== 'disabled') await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(disabled).toMatchObject({ status: 'disabled', disabled_reason: 'gone' });
      await track('stop');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(deliveriesTo('/gone')).toHaveLength(1);
      const enabled = await call('PATCH', `/webhooks/${hook.id}?workspace_id=${WS}`, { body: { status: 'enabled' } });
      expect([enabled.status, enabled.body.data.status, enabled.body.data.disabled_reason]).toEqual([200, 'enabled', null]);
      await track('start');
      await waitFor(() => (deliveriesTo('/gone').length >= 2 ? true : undefined), 10_000);
      expect(JSON.parse(deliveriesTo('/gone')[1]!.body).type).toBe('tracker.started');
      // Turned off by hand, and refused to others.
      expect((await call('PATCH', `/webhooks/${hook.id}?workspace_id=${WS}`, { body: { status: 'disabled' } })).body.data).toMatchObject({ status: 'disabled', disabled_reason: 'requested' });
      expect((await call('PATCH', `/webhooks/${hook.id}?workspace_id=${WS}`, { caller: users.member, body: { status: 'enabled' } })).status).toBe(403);
      expect((await call('PATCH', `/webhooks/wh_missing?workspace_id=${WS}`, { body: { status: 'enabled' } })).status).toBe(404);
      await track('stop');
    });

    it('waits at least what a 503 or 429 Retry-After says before the next attempt (the schedule scaled as in npm start)', async () => {
      // Retry-After 300 s at WEBHOOK_RETRY_SCALE 0.01: 3 s, where the schedule's first retry is 50 ms.
      answers.set('/busy', [{ status: 503, headers: { 'retry-after': '300' } }]);
      await subscribe('/busy', { events: ['tracker.started'] });
      await track('start');
      const [first, second] = await waitFor(() => (deliveriesTo('/busy').length >= 2 ? deliveriesTo('/busy') : undefined), 15_000);
      expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(2900);
      await track('stop');
    }, 30_000);
  });

  describe('subscriptions', () => {
    it('creates a webhook with its secret (201), lists it without, and deletes it', async () => {
      const created = await call('POST', '/webhooks', { body: { workspace_id: WS, url: `${receiverUrl}/listed`, events: ['tracker.started'], description: 'Payroll' } });
      expect(created.status).toBe(201);
      expectMatchesOpenApi('POST', '/webhooks', 201, created.body);
      expect(created.body.data).toMatchObject({ workspace_id: WS, url: `${receiverUrl}/listed`, events: ['tracker.started'], description: 'Payroll', secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/) });
      const listed = await call('GET', `/webhooks?workspace_id=${WS}`);
      expectMatchesOpenApi('GET', '/webhooks', 200, listed.body);
      const mine = listed.body.data.find((webhook: { id: string }) => webhook.id === created.body.data.id);
      expect(mine).toBeDefined();
      expect(mine).not.toHaveProperty('secret');
      expect(JSON.stringify(listed.body)).not.toContain('whsec_');
      const deleted = await call('DELETE', `/webhooks/${created.body.data.id}?workspace_id=${WS}`);
      expect(deleted.status).toBe(200);
      expectMatchesOpenApi('DELETE', '/webhooks/{id}', 200, deleted.body);
      expect((await call('DELETE', `/webhooks/${created.body.data.id}?workspace_id=${WS}`)).status).toBe(404);
      // Another workspace's webhook is not found from here either.
      const theirs = await subscribe('/theirs', { workspaceId: OTHER_WS, caller: users.otherWorkspaceOwner });
      expect((await call('DELETE', `/webhooks/${theirs.id}?workspace_id=${WS}`)).status).toBe(404);
    });

    it.each([
      ['plain http to a public host', { url: 'http://hooks.example.com/x' }, 'url'],
      ['https to a private address', { url: 'https://10.0.0.7/x' }, 'url'],
      ['https to the metadata service', { url: 'https://169.254.169.254/latest' }, 'url'],
      ['not a URL', { url: 'hooks' }, 'url'],
      ['an unknown event', { events: ['tracker.paused'] }, 'events'],
      ['no events', { events: [] }, 'events'],
    ])('refuses %s with 422', async (_name, change, field) => {
      const response = await call('POST', '/webhooks', { body: { workspace_id: WS, url: 'https://hooks.example.com/x', events: ['tracker.started'], ...change } });
      expect(response.status).toBe(422);
      expect(Object.keys(response.body.errors)).toEqual([field]);
    });

    it('allows managers only (403), and at most 10 webhooks per workspace (422)', async () => {
      expect((await call('POST', '/webhooks', { body: { workspace_id: WS, url: `${receiverUrl}/x`, events: ['tracker.started'] }, caller: users.member })).status).toBe(403);
      expect((await call('GET', `/webhooks?workspace_id=${WS}`, { caller: users.teamManager })).status).toBe(403);
      const existing = (await call('GET', `/webhooks?workspace_id=${WS}&per_page=50`)).body.data.length as number;
      const made = [];
      for (let i = existing; i < 10; i++) made.push(await subscribe(`/limit-${i}`, { events: ['tracker.stopped'] }));
      const over = await call('POST', '/webhooks', { body: { workspace_id: WS, url: `${receiverUrl}/eleventh`, events: ['tracker.started'] } });
      expect(over.status).toBe(422);
      expect(over.body.errors).toEqual({ workspace_id: ['The workspace already has 10 webhooks.'] });
      for (const webhook of made) expect((await call('DELETE', `/webhooks/${webhook.id}?workspace_id=${WS}`)).status).toBe(200);
    });
  });

  describe('deliveries', () => {
    it('delivers tracker.started and tracker.stopped with the documented body, signed, to this workspace only', async () => {
      const mine = await subscribe('/mine');
      await subscribe('/other-workspace', { workspaceId: OTHER_WS, caller: users.otherWorkspaceOwner });
      const startedAt = Date.now();
      const start = await call('POST', '/time-tracking/start', { body: { workspace_id: WS, user_id: users.member, contract_id: 20, task_id: 5, activity_description: 'Hooked' } });
      expect(start.status).toBe(200);
      const stop = await call('POST', '/time-tracking/stop', { body: { workspace_id: WS, user_id: users.member } });
      expect(stop.status).toBe(200);

      const [started, stopped] = await waitFor(() => {
        const bodies = deliveriesTo('/mine').map((entry) => ({ ...entry, json: JSON.parse(entry.body) }));
        const s = bodies.find((entry) => entry.json.type === 'tracker.started');
        const t = bodies.find((entry) => entry.json.type === 'tracker.stopped');
        return s && t ? [s, t] : undefined;
      });
      expect(started.at - startedAt).toBeLessThan(5000);
      expect(started.json).toEqual({ type: 'tracker.started', timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), data: { ...start.body.data } });
      expect(stopped.json).toEqual({ type: 'tracker.stopped', timestamp: expect.any(String), data: { ...stop.body.data, workspace_id: WS, user_id: users.member } });
      for (const delivery of [started, stopped]) {
        expect(delivery.headers['content-type']).toBe('application/json');
        expect(delivery.headers['webhook-id']).toMatch(/^msg_/);
        expect(Math.abs(Number(delivery.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
        expect(verifySignature(mine.secret, delivery.headers, delivery.body)).toBe(true);
        expect(verifySignature(`whsec_${Buffer.alloc(32).toString('base64')}`, delivery.headers, delivery.body)).toBe(false);
      }
      expect(deliveriesTo('/other-workspace')).toEqual([]);
    });

    it('retries a receiver that answers 500 with the same webhook-id', async () => {
      await subscribe('/flaky', { events: ['tracker.started'] });
      failures.set('/flaky', 2);
      expect((await call('POST', '/time-tracking/start', { body: { workspace_id: WS, user_id: users.otherMember } })).status).toBe(200);
      const attempts = await waitFor(() => (deliveriesTo('/flaky').length >= 3 ? deliveriesTo('/flaky') : undefined), 10_000);
      expect(new Set(attempts.map((attempt) => attempt.headers['webhook-id'])).size).toBe(1);
      expect(new Set(attempts.map((attempt) => attempt.body)).size).toBe(1);
      expect((await call('POST', '/time-tracking/stop', { body: { workspace_id: WS, user_id: users.otherMember } })).status).toBe(200);
    }, 20_000);

    it('delivers nothing to a deleted webhook', async () => {
      // Earlier tests' events happened in earlier seconds: none of them is for this webhook.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const gone = await subscribe('/deleted');
      expect((await call('DELETE', `/webhooks/${gone.id}?workspace_id=${WS}`)).status).toBe(200);
      expect((await call('POST', '/time-tracking/start', { body: { workspace_id: WS, user_id: users.executive } })).status).toBe(200);
      expect((await call('POST', '/time-tracking/stop', { body: { workspace_id: WS, user_id: users.executive } })).status).toBe(200);
      const marker = await subscribe('/after-delete', { events: ['tracker.started'] });
      expect((await call('POST', '/time-tracking/start', { body: { workspace_id: WS, user_id: users.executive } })).status).toBe(200);
      await waitFor(() => (deliveriesTo('/after-delete').length > 0 ? true : undefined));
      expect(deliveriesTo('/deleted')).toEqual([]);
      expect((await call('DELETE', `/webhooks/${marker.id}?workspace_id=${WS}`)).status).toBe(200);
      expect((await call('POST', '/time-tracking/stop', { body: { workspace_id: WS, user_id: users.executive } })).status).toBe(200);
    });

    it('under a storm of concurrent starts and stops, every success produces its event (duplicates only with the same id)', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const storm = await subscribe('/storm');
      const members = [users.member, users.otherMember, users.executive, users.owner];
      const operations = Array.from({ length: 40 }, (_, index) => {
        const user = members[index % members.length]!;
        return index % 3 === 2 ? call('POST', '/time-tracking/stop', { body: { workspace_id: WS, user_id: user } }) : call('POST', '/time-tracking/start', { body: { workspace_id: WS, user_id: user } });
      });
      const responses = await Promise.all(operations);
      // Stop whatever is still running, so that every start has its stop.
      for (const user of members) responses.push(await call('POST', '/time-tracking/stop', { body: { workspace_id: WS, user_id: user } }));
      // What a consumer can key an event by; two trackers of one user in one second share it.
      const keyOf = (type: string, data: any) => (type === 'tracker.stopped' ? `tracker.stopped|${data.time_entry_id}` : `tracker.started|${data.user_id}|${data.start_time}`);
      const expected = new Map<string, number>();
      for (const response of responses.filter((candidate) => candidate.status === 200)) {
        const key = keyOf(response.body.data.stopped_at ? 'tracker.stopped' : 'tracker.started', response.body.data);
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
      const idsByKey = () => {
        const ids = new Map<string, Set<string>>();
        for (const entry of deliveriesTo('/storm')) {
          const json = JSON.parse(entry.body);
          const key = keyOf(json.type, json.data);
          (ids.get(key) ?? ids.set(key, new Set()).get(key)!).add(entry.headers['webhook-id']!);
        }
        return ids;
      };
      const sameCounts = (ids: Map<string, Set<string>>) => ids.size === expected.size && [...expected].every(([key, count]) => ids.get(key)?.size === count);
      await waitFor(() => (sameCounts(idsByKey()) ? true : undefined), 10_000);
      // Every successful start and stop is one event (one webhook-id); any duplicate delivery reused its id.
      expect(Object.fromEntries([...idsByKey()].map(([key, ids]) => [key, ids.size]))).toEqual(Object.fromEntries(expected));
      expect((await call('DELETE', `/webhooks/${storm.id}?workspace_id=${WS}`)).status).toBe(200);
    }, 30_000);
  });
});
