import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { activeMarkToItem, trackerToItem } from '../../shared/db/item-mappers.ts';
import { callApi } from '../support/api-client.ts';
import { testSeed, users, WS } from '../support/fixtures.ts';
import { startTestRuntime } from '../support/test-runtime.ts';

/**
 * Lock dates over HTTP on `npm start`: days before `lock_before`, or older than
 * `auto_lock_after_days`, take no entry write from anyone (409 `period_locked`, nothing
 * stored), whichever side of an edit touches them; a stop into a locked day is recorded all
 * the same and says so. Each test works on a member of its own.
 */
const member = (n: number) => 500 + n;
const seed = {
  ...testSeed,
  members: [...(testSeed.members ?? []), ...Array.from({ length: 4 }, (_, n) => ({ workspace_id: WS, user_id: member(n), role: 'regular_user' as const, status: 'active' as const }))],
};

let runtime: Awaited<ReturnType<typeof startTestRuntime>>;
async function call(method: string, path: string, body?: unknown) {
  const token = await runtime.issuer.sign({ sub: String(users.owner) });
  return callApi(runtime.server.baseUrl, method, path, {
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
const settings = (body: Record<string, unknown>) => call('PATCH', `/workspaces/${WS}/settings`, body);
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const create = (user: number, date: string, hour = 9) =>
  call('POST', '/time-entries', { workspace_id: WS, user_id: user, start_time: `${date}T${String(hour).padStart(2, '0')}:00:00Z`, end_time: `${date}T${String(hour).padStart(2, '0')}:30:00Z` });
const entryPath = (id: string) => `/time-entries/${id}?workspace_id=${WS}`;

describe('lock dates on the local runtime (source)', () => {
  beforeAll(async () => {
    runtime = await startTestRuntime({ name: 'lock-dates', seed });
  }, 120_000);
  afterAll(async () => {
    await runtime?.stop();
  });

  it('checks the settings: lock_before not after today and a real date, auto_lock_after_days 1..366', async () => {
    for (const [body, field] of [
      [{ lock_before: day(2) }, 'lock_before'],
      [{ lock_before: '2026-02-30' }, 'lock_before'],
      [{ auto_lock_after_days: 0 }, 'auto_lock_after_days'],
      [{ auto_lock_after_days: 367 }, 'auto_lock_after_days'],
    ] as const) {
      const refused = await settings(body);
      expect([body, refused.status, Object.keys(refused.body.errors ?? {})]).toEqual([body, 422, [field]]);
    }
    const read = (await call('GET', `/workspaces/${WS}/settings`)).body.data;
    expect(read).toMatchObject({ lock_before: null, auto_lock_after_days: null });
  });

  it('refuses every entry write touching a day before lock_before, from an owner too, and stores nothing', async () => {
    const kept = await create(member(0), day(-10));
    const movable = await create(member(0), day(-3));
    expect([kept.status, movable.status]).toEqual([201, 201]);
    expect((await settings({ lock_before: day(-5) })).body.data.lock_before).toBe(day(-5));
    try {
      const before = await runtime.table.scan();
      const refusals = [
        await create(member(0), day(-6)),
        await call('PATCH', entryPath(kept.body.data.id), { activity_description: 'late fix' }),
        await call('DELETE', entryPath(kept.body.data.id)),
        // Into a locked day, from an open one.
        await call('PATCH', entryPath(movable.body.data.id), { start_time: `${day(-7)}T09:00:00Z`, end_time: `${day(-7)}T09:30:00Z` }),
      ];
      for (const refused of refusals) expect([refused.status, refused.body.error]).toEqual([409, 'period_locked']);
      expect(refusals[0]!.body.message).toContain(day(-5));
      expect(await runtime.table.scan()).toEqual(before);
      // Open days take writes as ever.
      expect((await create(member(0), day(-5))).status).toBe(201);
      expect((await call('PATCH', entryPath(movable.body.data.id), { activity_description: 'fine' })).status).toBe(200);
    } finally {
      await settings({ lock_before: null });
    }
    expect((await call('DELETE', entryPath(kept.body.data.id))).status).toBe(200);
  });

  it('locks days older than auto_lock_after_days, rolling with the clock', async () => {
    const old = await create(member(1), day(-4));
    const recent = await create(member(1), day(-1));
    expect((await settings({ auto_lock_after_days: 2 })).status).toBe(200);
    try {
      expect((await call('DELETE', entryPath(old.body.data.id))).body.error).toBe('period_locked');
      expect((await call('DELETE', entryPath(recent.body.data.id))).status).toBe(200);
      expect((await create(member(1), day(-3))).body.error).toBe('period_locked');
      expect((await create(member(1), day(-2))).status).toBe(201);
    } finally {
      await settings({ auto_lock_after_days: null });
    }
  });

  it('never refuses a stop: a tracker that started on a day locked since is recorded, and the answer says locked', async () => {
    // A tracker started three days ago (as a deployment running then would have stored it).
    const tracker = {
      trackerId: `locked-${Date.now()}`,
      workspaceId: WS,
      userId: member(2),
      contractId: null,
      projectId: null,
      taskId: null,
      activityDescription: null,
      startTime: `${day(-3)}T08:00:00+00:00`,
      startedBy: users.owner,
      taskTitle: null,
      requestId: 'r',
      autoStopAt: null,
    };
    await runtime.table.put([trackerToItem(tracker), activeMarkToItem(tracker)]);
    expect((await settings({ lock_before: day(-1) })).status).toBe(200);
    try {
      const stopped = await call('POST', '/time-tracking/stop', { workspace_id: WS, user_id: member(2) });
      expect(stopped.status).toBe(200);
      expect(stopped.body.data).toMatchObject({ time_entry_id: tracker.trackerId, start_time: tracker.startTime, locked: true });
      // The entry says so too: recorded into a locked day, read-only from the start.
      const recorded = await call('GET', entryPath(tracker.trackerId));
      expect([recorded.status, recorded.body.data.locked]).toEqual([200, true]);
      expect((await call('DELETE', entryPath(tracker.trackerId))).body.error).toBe('period_locked');
    } finally {
      await settings({ lock_before: null });
    }
    const started = await call('POST', '/time-tracking/start', { workspace_id: WS, user_id: member(3) });
    expect(started.status).toBe(200);
    const open = await call('POST', '/time-tracking/stop', { workspace_id: WS, user_id: member(3) });
    expect(open.body.data.locked).toBe(false);
    expect((await call('GET', entryPath(open.body.data.time_entry_id))).body.data.locked).toBeUndefined();
  });
});
