import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTimeTrackingClient, newIdempotencyKey } from '../../clients/typescript/client.ts';
import { testSeed, users, WS } from '../support/fixtures.ts';
import { startTestRuntime } from '../support/test-runtime.ts';
import { expectContract } from '../support/openapi-validator.ts';
import { syncChanges, type FeedChange } from '../../examples/sync/nightly-sync.ts';

/**
 * The typed client (clients/typescript/, generated from the OpenAPI document) drives a whole
 * lifecycle on `npm start`: a contract change that breaks clients breaks this test (and the
 * typecheck of its calls).
 */
let runtime: Awaited<ReturnType<typeof startTestRuntime>>;
beforeAll(async () => {
  runtime = await startTestRuntime({ name: 'typed-client', seed: testSeed, env: { CHANGE_FEED_SETTLE_SECONDS: '1' } });
}, 60_000);
afterAll(() => runtime?.stop());

describe('the typed client on npm start', () => {
  it('starts, reads, stops and lists, with an Idempotency-Key replayed, and reads a typed error', async () => {
    // Every answer the client gets is checked against the document too, as in every HTTP test.
    const checkedFetch = async (request: Request) => {
      const response = await fetch(request);
      const text = await response.clone().text();
      expectContract(request.method, new URL(request.url).pathname + new URL(request.url).search, { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined });
      return response;
    };
    const api = createTimeTrackingClient({ baseUrl: runtime.server.baseUrl, token: () => runtime.issuer.sign({ sub: String(users.owner) }), fetch: checkedFetch as typeof fetch });
    const key = newIdempotencyKey();
    const body = { workspace_id: WS, user_id: users.member, contract_id: 20, task_id: 5, activity_description: 'Through the client' };
    const started = await api.POST('/time-tracking/start', { params: { header: { 'Idempotency-Key': key } }, body });
    expect(started.response.status).toBe(200);
    expect(started.data?.data).toMatchObject({ user_id: users.member, contract_id: 20, project_id: 10, task_id: 5 });
    const replayed = await api.POST('/time-tracking/start', { params: { header: { 'Idempotency-Key': key } }, body });
    expect(replayed.response.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.data?.data.start_time).toBe(started.data?.data.start_time);

    const current = await api.GET('/time-tracking/current-data', { params: { query: { workspace_id: WS, user_id: users.member } } });
    expect(current.data?.data.is_tracking).toBe(true);

    const again = await api.POST('/time-tracking/start', { body });
    expect(again.response.status).toBe(400);
    // Typed by status: the envelope's error code, where the error is the envelope (not API Gateway's own answer).
    expect(again.error && 'error' in again.error ? again.error.error : undefined).toBe('tracker_already_active');

    const stopped = await api.POST('/time-tracking/stop', { body: { workspace_id: WS, user_id: users.member } });
    expect(stopped.data?.data.time_entry_id).toEqual(expect.any(String));
    const entries = await api.GET('/time-entries', { params: { query: { workspace_id: WS, user_id: users.member, date: new Date().toISOString().slice(0, 10) } } });
    expect(entries.data?.data.map((entry) => entry.id)).toContain(stopped.data?.data.time_entry_id);
    expect(entries.data?.meta.pagination.total).toBeGreaterThanOrEqual(1);

    const invalid = await api.GET('/time-tracking/current-data', { params: { query: { workspace_id: WS, user_id: 0 } } });
    expect(invalid.response.status).toBe(422);

    // A report, typed to its groups: the entry just stopped is in today's summary.
    const today = new Date().toISOString().slice(0, 10);
    const report = await api.GET('/reports/summary', { params: { query: { workspace_id: WS, from: today, to: today, group_by: 'user', tz: 'UTC' } } });
    expect(report.data?.data.groups.map((group) => group.key)).toContainEqual({ user_id: users.member });
    expect(report.data?.data.totals.entries).toBeGreaterThanOrEqual(1);
    const detailed = await api.GET('/reports/detailed', { params: { query: { workspace_id: WS, from: today, to: today, tz: 'UTC' } } });
    expect(detailed.data?.data.entries.map((entry) => entry.id)).toContain(stopped.data?.data.time_entry_id);
    const hours = await api.GET('/reports/tracked-hours', { params: { query: { workspace_id: WS, start_date: today, end_date: today, tz: 'UTC' } } });
    expect(hours.data?.data[0]?.users.map((user) => user.user_id)).toContain(users.member);
  });

  it('runs the README’s nightly sync: every change once, a deletion as a tombstone, and nothing again from the stored cursor', async () => {
    const api = createTimeTrackingClient({ baseUrl: runtime.server.baseUrl, token: () => runtime.issuer.sign({ sub: String(users.owner) }) });
    // The integrator's copy: entries by id, kept from the feed alone.
    const copy = new Map<string, unknown>();
    const apply = async (change: FeedChange) => {
      if (change.type !== 'time_entry') return;
      if (change.record === null) copy.delete(String(change.id));
      else copy.set(String(change.id), change.record);
    };
    const kept = await api.POST('/time-entries', { body: { workspace_id: WS, user_id: users.otherMember, start_time: '2026-10-05T09:00:00+00:00', end_time: '2026-10-05T10:00:00+00:00' } });
    const gone = await api.POST('/time-entries', { body: { workspace_id: WS, user_id: users.otherMember, start_time: '2026-10-05T11:00:00+00:00', end_time: '2026-10-05T12:00:00+00:00' } });
    expect(await api.DELETE('/time-entries/{id}', { params: { path: { id: gone.data!.data.id }, query: { workspace_id: WS } } })).toMatchObject({ response: { status: 200 } });
    // What the feed answers is settled (1 s here; 30 s deployed): wait for it, as a nightly job never has to.
    await new Promise((resolve) => setTimeout(resolve, 2200));
    const cursor = await syncChanges(api, WS, undefined, apply);
    expect(copy.get(kept.data!.data.id)).toEqual(kept.data!.data);
    expect(copy.has(gone.data!.data.id)).toBe(false);
    // The next night, from the stored cursor: nothing applied twice.
    const seen: FeedChange[] = [];
    expect(await syncChanges(api, WS, cursor, async (change) => void seen.push(change))).toBe(cursor);
    expect(seen).toEqual([]);
  });
});
