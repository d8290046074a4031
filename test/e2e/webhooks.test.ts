import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { callApi } from '../support/api-client.ts';
import { waitFor } from '../support/wait-for.ts';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { OTHER_WS, testSeed, users, WS } from '../support/fixtures.ts';
import type { startLocalServer } from '../support/local-server.ts';
import { expectMatchesOpenApi } from '../support/openapi-validator.ts';
import type { TestIssuer } from '../support/test-issuer.ts';
import { startTestRuntime } from '../support/test-runtime.ts';
import { Webhook } from 'standardwebhooks';

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
/** Paths whose answers wait until this resolves (the request is received at once): a delivery held in flight. */
const gates = new Map<string, Promise<void>>();
let receiver: Server;
let receiverUrl: string;
let issuer: TestIssuer;
let server: Awaited<ReturnType<typeof startLocalServer>>;
let runtime: Awaited<ReturnType<typeof startTestRuntime>>;

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', async () => {
      received.push({ path: request.url!, headers: request.headers as Record<string, string>, body, at: Date.now() });
      await gates.get(request.url!);
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

async function call(method: string, path: string, options: { body?: unknown; caller?: number; headers?: Record<string, string>; scope?: string } = {}) {
  const token = await issuer.sign({ sub: String(options.caller ?? users.owner), ...(options.scope ? { scope: options.scope } : {}) });
  const response = await callApi(server.baseUrl, method, path, {
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...options.headers },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: response.status, body: response.body, headers: response.headers };
}

async function subscribe(path: string, options: { workspaceId?: number; events?: string[]; caller?: number } = {}) {
  const response = await call('POST', '/webhooks', {
    body: { workspace_id: options.workspaceId ?? WS, url: `${receiverUrl}${path}`, events: options.events ?? ['tracker.started', 'tracker.stopped'] },
    caller: options.caller,
  });
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

/**
 * Tracks, past a barrier rather than a wait: a sentinel webhook, enabled, gets the event;
 * the fan-out handles every webhook of the workspace for one event at once, so by then a
 * disabled one has been given nothing (a retry queued before it was disabled is dropped by
 * the delivery: test/unit/webhooks.test.ts).
 */
async function trackPastBarrier(track: (action: 'start' | 'stop') => Promise<void>, action: 'start' | 'stop') {
  const sentinel = await subscribe('/sentinel');
  const before = deliveriesTo('/sentinel').length;
  await track(action);
  await waitFor(() => (deliveriesTo('/sentinel').length > before ? true : undefined), 10_000);
  expect((await call('DELETE', `/webhooks/${sentinel.id}?workspace_id=${WS}`)).status).toBe(200);
}

describe.each(['source', 'template'] as const)('webhooks on the local runtime (%s)', (mode) => {
  beforeAll(async () => {
    received.length = 0;
    failures.clear();
    // Retries at 1/100 of the schedule, and a webhook whose attempts all failed for 2 s (not 5 days) is disabled.
    runtime = await startTestRuntime({
      name: `webhooks-${mode}`,
      seed: testSeed,
      env: { WEBHOOK_RETRY_SCALE: '0.01', WEBHOOK_FAILING_DISABLE_AFTER_SECONDS: '2', ...(mode === 'template' ? { RUNTIME: 'template' } : {}) },
    });
    ({ issuer, server } = runtime);
  }, 300_000);
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
      await trackPastBarrier(track, 'stop');
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

  describe('operating a webhook: its delivery log, redelivery, replay, the test event, rotation', () => {
    const tracked = users.otherMember;
    const track = async (action: 'start' | 'stop') => expect((await call('POST', `/time-tracking/${action}`, { body: { workspace_id: WS, user_id: tracked } })).status).toBe(200);
    const webhookOf = async (id: string) => (await call('GET', `/webhooks?workspace_id=${WS}&per_page=50`)).body.data.find((webhook: { id: string }) => webhook.id === id);
    const logOf = async (id: string, query = '') => call('GET', `/webhooks/${id}/deliveries?workspace_id=${WS}${query}`);
    const until = async <T>(read: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await read();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error('not within the time allowed');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };

    it('logs every attempt of a receiver that fails then succeeds (newest first), and redelivers a logged message with its webhook-id', async () => {
      failures.set('/logged', 2);
      const hook = await subscribe('/logged', { events: ['tracker.started'] });
      await track('start');
      const sent = await waitFor(() => (deliveriesTo('/logged').length >= 3 ? deliveriesTo('/logged') : undefined), 15_000);
      const messageId = sent[0]!.headers['webhook-id']!;
      const log = await until(async () => {
        const response = await logOf(hook.id);
        return response.body.data?.length >= 3 ? response : undefined;
      });
      expect(log.status).toBe(200);
      expectMatchesOpenApi('GET', '/webhooks/{id}/deliveries', 200, log.body);
      expect(log.body.data.map((entry: any) => [entry.message_id, entry.event_type, entry.attempt, entry.status_code])).toEqual([
        [messageId, 'tracker.started', 3, 204],
        [messageId, 'tracker.started', 2, 500],
        [messageId, 'tracker.started', 1, 500],
      ]);
      const [third, second, first] = log.body.data;
      expect([third.error, third.next_attempt_at]).toEqual([null, null]);
      expect(first.error).toBe('answered 500');
      // The retry came no sooner than the log said it would.
      for (const [failed, next] of [
        [first, second],
        [second, third],
      ]) {
        expect(Date.parse(failed.next_attempt_at)).toBeGreaterThan(Date.parse(failed.at));
        expect(Date.parse(next.at)).toBeGreaterThanOrEqual(Date.parse(failed.next_attempt_at) - 50);
      }
      for (const entry of log.body.data) expect(entry.duration_ms).toBeGreaterThanOrEqual(0);
      // Paged by cursor: one per page, each page says where the next starts; a cursor not of this list is refused.
      const page1 = await logOf(hook.id, '&per_page=1');
      const page2 = await logOf(hook.id, `&per_page=1&cursor=${page1.body.meta.pagination.next_cursor}`);
      expect([page2.body.data.map((entry: any) => entry.attempt), page2.body.meta.pagination.has_more]).toEqual([[2], true]);
      const page3 = await logOf(hook.id, `&per_page=1&cursor=${page2.body.meta.pagination.next_cursor}`);
      expect([page3.body.data.map((entry: any) => entry.attempt), page3.body.meta.pagination]).toEqual([[1], { per_page: 1, next_cursor: null, has_more: false }]);
      const tampered = await logOf(hook.id, `&cursor=${Buffer.from(JSON.stringify(['c1', 'WEBHOOK#x'])).toString('base64url')}`);
      expect([tampered.status, Object.keys(tampered.body.errors ?? {})]).toEqual([422, ['cursor']]);

      const redeliver = await call('POST', `/webhooks/${hook.id}/deliveries/${messageId}/redeliver?workspace_id=${WS}`);
      expect(redeliver.status).toBe(202);
      expectMatchesOpenApi('POST', '/webhooks/{id}/deliveries/{message_id}/redeliver', 202, redeliver.body);
      expect(redeliver.body.data).toEqual({ webhook_id: hook.id, message_id: messageId, event_type: 'tracker.started' });
      const again = (await waitFor(() => (deliveriesTo('/logged').length >= 4 ? deliveriesTo('/logged') : undefined), 10_000))[3]!;
      expect([again.headers['webhook-id'], again.body]).toEqual([messageId, sent[2]!.body]);
      expect(verifySignature(hook.secret, again.headers, again.body)).toBe(true);
      expect((await call('POST', `/webhooks/${hook.id}/deliveries/msg_${'x'.repeat(32)}/redeliver?workspace_id=${WS}`)).status).toBe(404);
      expect((await call('POST', `/webhooks/${hook.id}/deliveries/${messageId}/redeliver?workspace_id=${WS}`, { caller: users.member })).status).toBe(403);
      expect((await logOf('wh_missing')).status).toBe(404);
      await track('stop');
      expect((await call('DELETE', `/webhooks/${hook.id}?workspace_id=${WS}`)).status).toBe(200);
    }, 40_000);

    it('replays every event since a time, in the order they happened, with their original webhook-ids', async () => {
      // A webhook gets the events of the second it was created in: the earlier tests' are in earlier seconds.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const hook = await subscribe('/replayed');
      const since = new Date(Date.now() - 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      // Events in distinct seconds: their order is theirs, not a tie.
      for (const action of ['start', 'stop', 'start', 'stop'] as const) {
        await new Promise((resolve) => setTimeout(resolve, 1100));
        await track(action);
      }
      const originals = await waitFor(() => (deliveriesTo('/replayed').length >= 4 ? deliveriesTo('/replayed') : undefined), 10_000);
      const sequence = (entries: Received[]) => entries.map((entry) => [entry.headers['webhook-id'], JSON.parse(entry.body).type]);
      const happened = [...originals].sort((a, b) => JSON.parse(a.body).timestamp.localeCompare(JSON.parse(b.body).timestamp));
      expect(sequence(happened).map(([, type]) => type)).toEqual(['tracker.started', 'tracker.stopped', 'tracker.started', 'tracker.stopped']);
      const replay = await call('POST', `/webhooks/${hook.id}/replay?workspace_id=${WS}`, { body: { since } });
      expect(replay.status).toBe(202);
      expectMatchesOpenApi('POST', '/webhooks/{id}/replay', 202, replay.body);
      const replayed = (await waitFor(() => (deliveriesTo('/replayed').length >= 8 ? deliveriesTo('/replayed') : undefined), 10_000)).slice(4);
      expect(sequence(replayed)).toEqual(sequence(happened));
      expect(replayed.map((entry) => entry.body)).toEqual(happened.map((entry) => entry.body));
      for (const entry of replayed) expect(verifySignature(hook.secret, entry.headers, entry.body)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(deliveriesTo('/replayed')).toHaveLength(8);
      // At most 7 days back, and not from the future.
      const tooOld = await call('POST', `/webhooks/${hook.id}/replay?workspace_id=${WS}`, { body: { since: new Date(Date.now() - 8 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z') } });
      expect([tooOld.status, Object.keys(tooOld.body.errors)]).toEqual([422, ['since']]);
      const future = await call('POST', `/webhooks/${hook.id}/replay?workspace_id=${WS}`, { body: { since: new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z') } });
      expect([future.status, Object.keys(future.body.errors)]).toEqual([422, ['since']]);
      expect((await call('DELETE', `/webhooks/${hook.id}?workspace_id=${WS}`)).status).toBe(200);
    }, 40_000);

    it('keeps the events of a disabled webhook for a replay once it is enabled again; one replay at a time', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const hook = await subscribe('/held');
      const since = new Date(Date.now() - 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      expect((await call('PATCH', `/webhooks/${hook.id}?workspace_id=${WS}`, { body: { status: 'disabled' } })).status).toBe(200);
      await track('start');
      await track('stop');
      // Missed while disabled: kept in its log (the fan-out read the stream), never sent.
      const logged = await until(async () => {
        const messages = (await runtime.table.scan()).filter((item) => item.pk === `WS#${WS}#WEBHOOK#${hook.id}` && String(item.sk).startsWith('MSG#'));
        // In the log's order, which a replay keeps: by the time the event happened (to the second), then by webhook-id.
        return messages.length >= 2 ? messages.sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : 1)) : undefined;
      });
      expect(logged.map((item) => item.event_type).sort()).toEqual(['tracker.started', 'tracker.stopped']);
      expect(deliveriesTo('/held')).toHaveLength(0);
      expect((await call('PATCH', `/webhooks/${hook.id}?workspace_id=${WS}`, { body: { status: 'enabled' } })).status).toBe(200);

      // Replayed once enabled, with their webhook-ids; its first delivery held in flight, a second replay is refused.
      let release!: () => void;
      gates.set('/held', new Promise<void>((resolve) => (release = resolve)));
      const replay = await call('POST', `/webhooks/${hook.id}/replay?workspace_id=${WS}`, { body: { since } });
      expect([replay.status, replay.body.data.count, replay.body.data.id]).toEqual([202, 2, expect.stringMatching(/^rpl_/)]);
      await waitFor(() => (deliveriesTo('/held').length >= 1 ? true : undefined), 10_000);
      const second = await call('POST', `/webhooks/${hook.id}/replay?workspace_id=${WS}`, { body: { since } });
      expect([second.status, second.body.error]).toEqual([409, 'replay_in_progress']);
      expect(second.body.message).toContain(replay.body.data.id);
      release();
      gates.delete('/held');
      const replayed = await waitFor(() => (deliveriesTo('/held').length >= 2 ? deliveriesTo('/held') : undefined), 10_000);
      expect(replayed.map((entry) => [entry.headers['webhook-id'], JSON.parse(entry.body).type])).toEqual(logged.map((item) => [item.message_id, item.event_type]));
      // Ended, it frees the slot: the next replay is taken.
      const third = await until(async () => {
        const response = await call('POST', `/webhooks/${hook.id}/replay?workspace_id=${WS}`, { body: { since } });
        return response.status === 202 ? response : undefined;
      });
      expect(third.body.data.count).toBe(2);
      await waitFor(() => (deliveriesTo('/held').length >= 4 ? true : undefined), 10_000);
      expect((await call('DELETE', `/webhooks/${hook.id}?workspace_id=${WS}`)).status).toBe(200);
    }, 40_000);

    it('sends a webhook.test event now; rotating the secret signs with both secrets (verified by the standardwebhooks library with each)', async () => {
      const hook = await subscribe('/tested', { events: ['tracker.stopped'] });
      const tested = await call('POST', `/webhooks/${hook.id}/test?workspace_id=${WS}`);
      expect(tested.status).toBe(202);
      expectMatchesOpenApi('POST', '/webhooks/{id}/test', 202, tested.body);
      const [delivered] = await waitFor(() => (deliveriesTo('/tested').length >= 1 ? deliveriesTo('/tested') : undefined), 10_000);
      expect(delivered!.headers['webhook-id']).toBe(tested.body.data.message_id);
      expect(new Webhook(hook.secret).verify(delivered!.body, delivered!.headers)).toEqual({ type: 'webhook.test', timestamp: expect.any(String), data: { webhook_id: hook.id, workspace_id: WS } });

      const rotated = await call('POST', `/webhooks/${hook.id}/rotate-secret?workspace_id=${WS}`);
      expect(rotated.status).toBe(200);
      expectMatchesOpenApi('POST', '/webhooks/{id}/rotate-secret', 200, rotated.body);
      const { secret, previous_secret_expires_at: overlapEnds } = rotated.body.data;
      expect(secret).not.toBe(hook.secret);
      expect(Math.abs(Date.parse(overlapEnds) - (Date.now() + 86_400_000))).toBeLessThan(60_000);
      // One test event a minute per webhook: each is kept in the log and sent through the queue every workspace shares.
      const tooSoon = await call('POST', `/webhooks/${hook.id}/test?workspace_id=${WS}`);
      expect([tooSoon.status, tooSoon.body.error]).toEqual([429, 'rate_limited']);
      expect(Number(tooSoon.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(tooSoon.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      // The next event (its tracker stopped) is signed with both secrets.
      await track('start');
      await track('stop');
      const [, afterRotation] = await waitFor(() => (deliveriesTo('/tested').length >= 2 ? deliveriesTo('/tested') : undefined), 10_000);
      expect(afterRotation!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
      for (const key of [hook.secret, secret]) expect(new Webhook(key).verify(afterRotation!.body, afterRotation!.headers)).toMatchObject({ type: 'tracker.stopped' });
      expect(() => new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).verify(afterRotation!.body, afterRotation!.headers)).toThrow(/signature/i);
      // The list never shows either secret.
      expect(JSON.stringify((await call('GET', `/webhooks?workspace_id=${WS}&per_page=50`)).body)).not.toContain('whsec_');
      expect((await call('POST', `/webhooks/${hook.id}/rotate-secret?workspace_id=${WS}`, { caller: users.member })).status).toBe(403);
      expect((await call('POST', `/webhooks/wh_missing/test?workspace_id=${WS}`)).status).toBe(404);
      // A disabled webhook is enabled before anything is sent to it.
      await call('PATCH', `/webhooks/${hook.id}?workspace_id=${WS}`, { body: { status: 'disabled' } });
      const refused = await call('POST', `/webhooks/${hook.id}/test?workspace_id=${WS}`);
      expect([refused.status, Object.keys(refused.body.errors ?? {})]).toEqual([422, ['id']]);
      expect((await call('DELETE', `/webhooks/${hook.id}?workspace_id=${WS}`)).status).toBe(200);
    }, 30_000);

    it('keeps no secret in the clear in the table: the webhook and the stored idempotent answers hold them sealed under KMS, and replays still answer them', async () => {
      const create = (key: string) => call('POST', '/webhooks', { headers: { 'idempotency-key': key }, body: { workspace_id: WS, url: `${receiverUrl}/sealed`, events: ['tracker.started'] } });
      const created = await create('sealed-1');
      expect(created.status).toBe(201);
      const replayed = await create('sealed-1');
      expect([replayed.status, replayed.headers.get('idempotent-replayed'), replayed.body.data.secret]).toEqual([201, 'true', created.body.data.secret]);
      const id = created.body.data.id as string;
      const rotate = () => call('POST', `/webhooks/${id}/rotate-secret?workspace_id=${WS}`, { headers: { 'idempotency-key': 'sealed-rotation' } });
      const rotated = await rotate();
      const again = await rotate();
      expect([again.body.data.secret, again.headers.get('idempotent-replayed')]).toEqual([rotated.body.data.secret, 'true']);
      const everything = JSON.stringify(await runtime.table.scan());
      for (const secret of [created.body.data.secret, rotated.body.data.secret]) {
        expect(everything).not.toContain(secret);
        expect(everything).not.toContain(secret.slice('whsec_'.length, 'whsec_'.length + 16));
      }
      expect(everything).not.toContain('whsec_');
      const stored = (await runtime.table.get({ pk: `WS#${WS}`, sk: `WEBHOOK#${id}` }))!;
      expect([stored.secret, stored.previous_secret]).toEqual([expect.stringMatching(/^sealed:v1:/), expect.stringMatching(/^sealed:v1:/)]);
      // Sealed, it still signs: the delivery opens both secrets of the rotation's overlap.
      await call('POST', `/webhooks/${id}/test?workspace_id=${WS}`);
      const [delivered] = await waitFor(() => (deliveriesTo('/sealed').length >= 1 ? deliveriesTo('/sealed') : undefined), 10_000);
      for (const secret of [created.body.data.secret, rotated.body.data.secret]) expect(new Webhook(secret).verify(delivered!.body, delivered!.headers)).toMatchObject({ type: 'webhook.test' });
      expect((await call('DELETE', `/webhooks/${id}?workspace_id=${WS}`)).status).toBe(200);
    }, 30_000);

    it('disables a webhook whose creator no longer manages the workspace, before it sends them anything more', async () => {
      const hook = await subscribe('/creator', { events: ['tracker.started'], caller: users.executive });
      const demoted = await call('PUT', `/workspaces/${WS}/members/${users.executive}`, { body: { role: 'regular_user', status: 'active' } });
      expect(demoted.status).toBe(200);
      try {
        await track('start');
        const disabled = await until(async () => {
          const webhook = await webhookOf(hook.id);
          return webhook?.status === 'disabled' ? webhook : undefined;
        });
        expect(disabled.disabled_reason).toBe('creator_lost_access');
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(deliveriesTo('/creator')).toEqual([]);
        await track('stop');
      } finally {
        expect((await call('PUT', `/workspaces/${WS}/members/${users.executive}`, { body: { role: 'executive_manager', status: 'active' } })).status).toBe(200);
      }
      expect((await call('DELETE', `/webhooks/${hook.id}?workspace_id=${WS}`)).status).toBe(200);
    }, 30_000);

    it('disables a webhook every attempt of which failed for the failing window (2 s here, 5 days deployed)', async () => {
      failures.set('/dead', 1000);
      const hook = await subscribe('/dead');
      await track('start');
      const disabled = await until(async () => {
        const webhook = await webhookOf(hook.id);
        return webhook?.status === 'disabled' ? webhook : undefined;
      }, 15_000);
      expect(disabled.disabled_reason).toBe('failing');
      const attempts = deliveriesTo('/dead').length;
      expect(attempts).toBeGreaterThanOrEqual(2);
      await trackPastBarrier(track, 'stop');
      expect(deliveriesTo('/dead')).toHaveLength(attempts);
      failures.delete('/dead');
      expect((await call('DELETE', `/webhooks/${hook.id}?workspace_id=${WS}`)).status).toBe(200);
    }, 30_000);
  });

  describe('subscriptions', () => {
    it('creates a webhook with its secret (201), lists it without, and deletes it', async () => {
      const created = await call('POST', '/webhooks', { body: { workspace_id: WS, url: `${receiverUrl}/listed`, events: ['tracker.started'], description: 'Payroll' } });
      expect(created.status).toBe(201);
      expectMatchesOpenApi('POST', '/webhooks', 201, created.body);
      expect(created.body.data).toMatchObject({
        workspace_id: WS,
        url: `${receiverUrl}/listed`,
        events: ['tracker.started'],
        description: 'Payroll',
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      });
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
      // The event is the stop's answer but for `locked` (what the answer says of the day it lands on).
      const { locked: _locked, ...stopped_data } = stop.body.data;
      expect(stopped.json).toEqual({ type: 'tracker.stopped', timestamp: expect.any(String), data: { ...stopped_data, workspace_id: WS, user_id: users.member } });
      for (const delivery of [started, stopped]) {
        expect(delivery.headers['content-type']).toBe('application/json');
        expect(delivery.headers['webhook-id']).toMatch(/^msg_/);
        expect(Math.abs(Number(delivery.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
        expect(verifySignature(mine.secret, delivery.headers, delivery.body)).toBe(true);
        expect(verifySignature(`whsec_${Buffer.alloc(32).toString('base64')}`, delivery.headers, delivery.body)).toBe(false);
      }
      expect(deliveriesTo('/other-workspace')).toEqual([]);
    });

    it('delivers the directory’s events: each write of a member, project, contract or task, with the record after it and what changed', async () => {
      const directoryEvents = ['member.created', 'member.updated', 'member.removed', 'project.created', 'project.updated', 'contract.created', 'contract.updated', 'task.created', 'task.updated'];
      const hook = await subscribe('/directory', { events: directoryEvents });
      const put = async (path: string, body: object, options: { scope?: string; caller?: number } = {}) => {
        const answer = await call('PUT', `/workspaces/${WS}${path}`, { body, ...options });
        expect([path, answer.status]).toEqual([path, 200]);
        return answer.body.data;
      };
      const sync = { scope: 'directory', caller: 9000 };
      const member = await put('/members/880', { role: 'regular_user', status: 'active', name: 'Ola' }, sync);
      const deactivated = await put('/members/880', { role: 'regular_user', status: 'inactive', name: 'Ola' });
      const project = await put('/projects/880', { name: 'Hooks', status: 'active' });
      const archived = await put('/projects/880', { name: 'Hooks', status: 'archived' });
      const restored = await put('/projects/880', { name: 'Hooks', status: 'active' });
      const contract = await put('/contracts/880', { user_id: users.member, project_id: 10, status: 'active', hourly_rate: { amount: 4500, currency: 'EUR' }, rate_effective_from: '2026-01-01' });
      const repriced = await put('/contracts/880', { user_id: users.member, project_id: 10, status: 'active', hourly_rate: { amount: 5000, currency: 'EUR' }, rate_effective_from: '2026-06-01' });
      const task = await put('/tasks/880', { project_id: 10, title: 'Hook', status: 'open' });
      const closed = await put('/tasks/880', { project_id: 10, title: 'Hook', status: 'closed' });
      expect((await call('DELETE', `/workspaces/${WS}/members/880`)).status).toBe(200);

      const expected: Array<[string, object, object]> = [
        ['member.created', member, { role: [null, 'regular_user'] }],
        ['member.updated', deactivated, { status: ['active', 'inactive'] }],
        ['member.removed', deactivated, {}],
        ['project.created', project, { name: [null, 'Hooks'] }],
        ['project.updated', archived, { status: ['active', 'archived'] }],
        ['project.updated', restored, { status: ['archived', 'active'] }],
        ['contract.created', contract, { billable: [null, true] }],
        ['contract.updated', repriced, {}],
        ['task.created', task, { title: [null, 'Hook'] }],
        ['task.updated', closed, { status: ['open', 'closed'] }],
      ];
      const events = await waitFor(() => {
        const bodies = deliveriesTo('/directory').map((entry) => JSON.parse(entry.body));
        return bodies.length >= expected.length ? bodies : undefined;
      }, 15_000);
      expect(events.map((event: { type: string }) => event.type).sort()).toEqual(expected.map(([type]) => type).sort());
      for (const [type, record, changes] of expected) {
        const event = events.find((one: { type: string; data: { record: object; revision: number | null } }) => one.type === type && JSON.stringify(one.data.record) === JSON.stringify(record));
        expect([type, event?.data.record]).toEqual([type, record]);
        expect(event.data).toMatchObject({ changes: expect.objectContaining(changes), by: expect.any(Number), at: expect.stringMatching(/^\d{4}-/) });
        // Its revision after the write (its ETag); none for a removal.
        if (type.endsWith('.removed')) expect(event.data.revision).toBeNull();
        else expect(event.data.revision).toEqual(expect.any(Number));
      }
      // Each change its own webhook-id, all signed.
      const ids = deliveriesTo('/directory').map((entry) => entry.headers['webhook-id']);
      expect(new Set(ids).size).toBe(expected.length);
      for (const delivery of deliveriesTo('/directory')) expect(verifySignature(hook.secret, delivery.headers, delivery.body)).toBe(true);
      expect(events.find((event: { type: string }) => event.type === 'contract.updated').data.changes.rate_history).toHaveLength(2);
    });

    it('delivers the approvals’ events: every timesheet transition and time request decision, with the timesheet or request after it', async () => {
      const approvalEvents = ['timesheet.submitted', 'timesheet.approved', 'timesheet.rejected', 'timesheet.reopened', 'time_request.created', 'time_request.approved', 'time_request.rejected'];
      const hook = await subscribe('/approvals', { events: approvalEvents });
      const sheet = `${users.member}_2025-03-03_2025-03-09`;
      const transition = async (action: string, body?: object, headers?: Record<string, string>) => {
        const answer = await call('POST', `/timesheets/${sheet}/${action}?workspace_id=${WS}`, { ...(body ? { body } : {}), ...(headers ? { headers } : {}) });
        expect([action, answer.status]).toEqual([action, 200]);
        return answer;
      };
      const submitted = await transition('submit');
      const approved = await transition('approve', undefined, { 'if-match': submitted.headers.get('etag')! });
      const reopened = await transition('reopen', { reason: 'Payroll correction.' });
      await transition('submit');
      const rejected = await transition('reject', { reason: 'Tuesday is missing.' });
      const ask = async (start: string) => {
        const answer = await call('POST', '/time-requests', { caller: users.member, body: { workspace_id: WS, user_id: users.member, start_time: start, end_time: start.replace('T09', 'T10') } });
        expect(answer.status).toBe(201);
        return answer.body.data as { id: string };
      };
      const first = await ask('2025-03-04T09:00:00+00:00');
      const second = await ask('2025-03-05T09:00:00+00:00');
      // The week was rejected: its days are open again, so the request's entry can be made.
      const requestApproved = await call('POST', `/time-requests/${first.id}/approve?workspace_id=${WS}`);
      expect(requestApproved.status).toBe(200);
      const requestRejected = await call('POST', `/time-requests/${second.id}/reject?workspace_id=${WS}`, { body: { comment: 'A holiday.' } });
      expect(requestRejected.status).toBe(200);

      const expected: Array<[string, object]> = [
        ['timesheet.submitted', { id: sheet, status: 'submitted' }],
        ['timesheet.approved', { id: sheet, status: 'approved', total_seconds: approved.body.data.total_seconds }],
        ['timesheet.reopened', { id: sheet, status: 'open', reason: reopened.body.data.reason }],
        ['timesheet.submitted', { id: sheet, status: 'submitted' }],
        ['timesheet.rejected', { id: sheet, status: 'rejected', reason: rejected.body.data.reason }],
        ['time_request.created', { id: first.id, status: 'pending' }],
        ['time_request.created', { id: second.id, status: 'pending' }],
        ['time_request.approved', { id: first.id, status: 'approved', time_entry_id: requestApproved.body.data.time_entry_id }],
        ['time_request.rejected', { id: second.id, status: 'rejected', comment: 'A holiday.' }],
      ];
      const events = await waitFor(() => {
        const bodies = deliveriesTo('/approvals').map((entry) => JSON.parse(entry.body));
        return bodies.length >= expected.length ? bodies : undefined;
      }, 15_000);
      expect(events.map((event: { type: string }) => event.type).sort()).toEqual(expected.map(([type]) => type).sort());
      for (const [type, data] of expected)
        expect(events.filter((event: { type: string }) => event.type === type).map((event: { data: object }) => event.data)).toContainEqual(expect.objectContaining(data));
      const ids = deliveriesTo('/approvals').map((entry) => entry.headers['webhook-id']);
      expect(new Set(ids).size).toBe(expected.length);
      for (const delivery of deliveriesTo('/approvals')) expect(verifySignature(hook.secret, delivery.headers, delivery.body)).toBe(true);
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
        return index % 3 === 2
          ? call('POST', '/time-tracking/stop', { body: { workspace_id: WS, user_id: user } })
          : call('POST', '/time-tracking/start', { body: { workspace_id: WS, user_id: user } });
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
