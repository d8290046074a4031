import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../shared/db/keys.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { countRoundTrips, faults, injectFault } from '../support/dynamo-faults.ts';
import { OTHER_WS, testSeed, UNKNOWN_WS, users, WS } from '../support/fixtures.ts';
import { loadHandlers, type Handlers } from '../support/handlers.ts';

/** start → current → stop → entries against the real DynamoDB Local, with storage checked at each step. */
let table: TestTable;
let api: Handlers;

beforeAll(async () => {
  table = await createTestTable('lifecycle');
  await table.seed(testSeed);
  api = await loadHandlers();
});
afterAll(() => table.drop());
beforeEach(() => table.clearTrackingData());

const API_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;
const member = { workspace_id: WS, user_id: users.member };

async function trackingItems() {
  const items = await table.scan();
  return { trackers: items.filter((item) => item.sk === 'TRACKER'), entries: items.filter((item) => String(item.sk).startsWith('ENTRY#')) };
}

/** A tracker that started `secondsAgo` seconds ago (the API only starts trackers now). */
async function putTracker(userId: number, workspaceId: number, startTime: Date, extra: Record<string, unknown> = {}) {
  const start_time = `${startTime.toISOString().slice(0, 19)}+00:00`;
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: {
        ...keys.activeTracker(userId),
        entity: 'tracker',
        tracker_id: `seeded-${userId}-${startTime.getTime()}`,
        workspace_id: workspaceId,
        user_id: userId,
        contract_id: null,
        project_id: null,
        task_id: null,
        activity_description: null,
        start_time,
        started_by: users.owner,
        request_id: 'seeded',
        ...extra,
      },
    }),
  );
  return start_time;
}

describe('a whole session', () => {
  it('start → current → stop → entries, with what is stored at each step', async () => {
    const started = await api.start({ ...member, contract_id: 20, task_id: 5, activity_description: 'Landing page' });
    expect(started.status).toBe(200);
    expect((await trackingItems()).trackers).toHaveLength(1);

    const current = await api.current(member);
    expect(current.status).toBe(200);
    expect(current.body.data).toEqual({
      is_tracking: true,
      start_time: started.body.data.start_time,
      workspace_id: WS,
      user_id: users.member,
      contract_id: 20,
      project_id: 10,
      task_id: 5,
      activity_description: 'Landing page',
      task_title: 'Landing page',
      total_seconds: expect.any(Number),
      auto_stop_at: null,
      date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      total_minutes: 0,
    });

    const stopped = await api.stop(member);
    expect(stopped.status).toBe(200);
    expect(stopped.body.message).toBe('Time tracking stopped successfully');
    expect(stopped.body.data).toEqual({
      message: 'Time tracking stopped successfully',
      stopped_at: expect.stringMatching(API_TIMESTAMP),
      stop_reason: 'manual',
      stopped_by: users.owner,
      start_time: started.body.data.start_time,
      duration_seconds: expect.any(Number),
      time_entry_id: expect.any(String),
      user_id: users.member,
      contract_id: 20,
      project_id: 10,
      task_id: 5,
      activity_description: 'Landing page',
      locked: false,
    });
    const stored = await trackingItems();
    expect(stored.trackers).toEqual([]);
    expect(stored.entries).toHaveLength(1);
    expect(stored.entries[0]).toMatchObject({
      entry_id: stopped.body.data.time_entry_id,
      start_time: started.body.data.start_time,
      end_time: stopped.body.data.stopped_at,
      duration_seconds: stopped.body.data.duration_seconds,
      created_by: users.owner,
      source: 'tracker',
      version: 1,
    });

    expect((await api.current(member)).body.data).toEqual({ is_tracking: false, workspace_id: WS, user_id: users.member, date: expect.any(String), total_minutes: 0 });

    const today = started.body.data.start_time.slice(0, 10);
    const entries = await api.entries({ ...member, date: today });
    expect(entries.status).toBe(200);
    expect(entries.body.data).toEqual([
      {
        id: stopped.body.data.time_entry_id,
        workspace_id: WS,
        user_id: users.member,
        contract_id: 20,
        project_id: 10,
        task_id: 5,
        activity_description: 'Landing page',
        start_time: started.body.data.start_time,
        end_time: stopped.body.data.stopped_at,
        duration_seconds: stopped.body.data.duration_seconds,
        source: 'tracker',
        stop_reason: 'manual',
        stopped_by: users.owner,
        created_by: users.owner,
        created_at: stopped.body.data.stopped_at,
        updated_by: users.owner,
        updated_at: stopped.body.data.stopped_at,
        version: 1,
      },
    ]);
    expect(entries.body.meta.pagination).toEqual({ total: 1, per_page: 20, current_page: 1, last_page: 1 });
  });

  it('computes durations from the stored start time', async () => {
    const startTime = await putTracker(users.member, WS, new Date(Date.now() - 3_725_000));
    const current = await api.current(member);
    expect(current.body.data.total_seconds).toBeGreaterThanOrEqual(3724);
    expect(current.body.data.total_seconds).toBeLessThan(3730);
    const stopped = await api.stop(member);
    expect(stopped.body.data.start_time).toBe(startTime);
    expect(stopped.body.data.duration_seconds).toBeGreaterThanOrEqual(3724);
  });

  it('costs two round trips to stop: one BatchGetItem, one TransactWriteItems', async () => {
    await putTracker(users.member, WS, new Date());
    const counter = countRoundTrips(api.documentClient);
    try {
      expect((await api.stop(member)).status).toBe(200);
      expect(counter.calls).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand']);
    } finally {
      counter.remove();
    }
  });
});

describe('stop errors', () => {
  it('answers 400 when the user has no active tracker', async () => {
    const response = await api.stop(member);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ success: false, error: 'no_active_tracker' });
    expect((await trackingItems()).entries).toEqual([]);
  });

  it('answers 400 for a tracker in another workspace, revealing nothing and leaving it running', async () => {
    await putTracker(users.member, OTHER_WS, new Date(), { activity_description: 'secret elsewhere' });
    const response = await api.stop(member);
    expect(response.status).toBe(400);
    expect(JSON.stringify({ ...response.body, meta: null })).not.toMatch(/secret|Globex|workspace 2/);
    expect((await api.current(member)).body.data.is_tracking).toBe(false);
    expect((await trackingItems()).trackers).toHaveLength(1);
  });

  it.each([
    ['403 for a token without scopes', { caller: users.owner, scopes: '' }, 403],
    ['403 for a read-only token', { caller: users.owner, scopes: 'read' }, 403],
    // A member may stop their own tracker (selfService), never another's.
    ['403 for a regular member stopping another member', { caller: users.otherMember }, 403],
    ['403 for an unknown workspace', { caller: users.owner, body: { workspace_id: UNKNOWN_WS, user_id: users.member } }, 403],
    ['404 for a non-member target', { caller: users.owner, body: { workspace_id: WS, user_id: users.stranger } }, 404],
    ['422 for a bad body', { caller: users.owner, body: { workspace_id: 'x' } }, 422],
  ] as const)('answers %s, changing nothing', async (_name, options, status) => {
    await putTracker(users.member, WS, new Date());
    const { body, ...rest } = { body: member, ...options } as { body: Record<string, unknown>; caller: number; scopes?: string };
    const response = await api.stop(body, rest);
    expect(response.status).toBe(status);
    const stored = await trackingItems();
    expect(stored.trackers).toHaveLength(1);
    expect(stored.entries).toEqual([]);
  });

  it('lets exactly one of two concurrent stops win: one entry', async () => {
    await putTracker(users.member, WS, new Date());
    const responses = await Promise.all([api.stop(member), api.stop(member), api.stop(member)]);
    expect(responses.map((response) => response.status).sort()).toEqual([200, 400, 400]);
    const stored = await trackingItems();
    expect(stored.trackers).toEqual([]);
    expect(stored.entries).toHaveLength(1);
  });

  it('answers 503 when the transaction is throttled, with the tracker still running', async () => {
    await putTracker(users.member, WS, new Date());
    const fault = injectFault(api.documentClient, { command: 'TransactWriteItemsCommand', error: faults.throttled });
    try {
      const response = await api.stop(member);
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
    } finally {
      fault.remove();
    }
    const stored = await trackingItems();
    expect(stored.trackers).toHaveLength(1);
    expect(stored.entries).toEqual([]);
  });
});

describe('interleavings for one user', () => {
  it('records exactly one entry per successful stop, each from a successful start', async () => {
    const operations = Array.from({ length: 40 }, (_, index) => (index % 3 === 0 ? api.stop(member) : api.start({ ...member, activity_description: `op ${index}` })));
    const responses = await Promise.all(operations);
    for (const response of responses) expect([200, 400]).toContain(response.status);
    const stored = await trackingItems();
    const stops = responses.filter((response) => response.status === 200 && response.body.data.stopped_at);
    const starts = responses.filter((response) => response.status === 200 && !response.body.data.stopped_at);
    expect(stored.entries.map((entry) => entry.entry_id).sort()).toEqual(stops.map((response) => response.body.data.time_entry_id).sort());
    expect(starts.length).toBe(stops.length + stored.trackers.length);
    const startTimesAndDescriptions = new Set(starts.map((r) => `${r.body.data.start_time}|${r.body.data.activity_description}`));
    for (const entry of stored.entries) {
      expect(startTimesAndDescriptions.has(`${entry.start_time}|${entry.activity_description}`)).toBe(true);
    }
  });
});

describe('current-data', () => {
  it('is false for a tracker in another workspace', async () => {
    await putTracker(users.member, OTHER_WS, new Date());
    expect((await api.current(member)).body.data).toEqual({ is_tracking: false, workspace_id: WS, user_id: users.member, date: expect.any(String), total_minutes: 0 });
  });

  it.each([
    ['missing fields', {}, { workspace_id: ['The workspace id field is required.'], user_id: ['The user id field is required.'] }],
    ['non-numeric ids', { workspace_id: 'abc', user_id: '1.5' }, { workspace_id: ['The workspace id field must be an integer.'], user_id: ['The user id field must be an integer.'] }],
    ['zero', { workspace_id: '0', user_id: '101' }, { workspace_id: ['The workspace id field must be at least 1.'] }],
    ['empty values', { workspace_id: '', user_id: ' ' }, { workspace_id: ['The workspace id field is required.'], user_id: ['The user id field is required.'] }],
  ])('validates query parameters like bodies: %s', async (_name, query, errors) => {
    const response = await api.current(query);
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual(errors);
  });

  it('needs the read scope and a managing role', async () => {
    expect((await api.current(member, { scopes: 'admin' })).status).toBe(200);
    expect((await api.current(member, { scopes: 'profile' })).status).toBe(403);
    expect((await api.current(member, { caller: users.teamManager })).status).toBe(403);
    expect((await api.current({ workspace_id: WS, user_id: users.inactive })).status).toBe(404);
  });
});

describe('time-entries', () => {
  /** Entries added through the API (the create use case writes what the list reads), described `entry <i>`. */
  async function putEntries(count: number, day: string, workspaceId = WS) {
    for (let i = 0; i < count; i++) {
      const start = `${day}T${String(8 + Math.floor(i / 6)).padStart(2, '0')}:${String((i % 6) * 10).padStart(2, '0')}:00Z`;
      const created = await api.byRoute.createTimeEntry(
        { workspace_id: workspaceId, user_id: users.member, start_time: start, end_time: start.replace(/:00Z$/, ':05Z'), activity_description: `entry ${i}` },
        { caller: workspaceId === WS ? users.owner : users.otherWorkspaceOwner },
      );
      expect(created.status).toBe(201);
    }
  }
  const described = (response: { body: { data: Array<{ activity_description: string }> } }) => response.body.data.map((entry) => entry.activity_description);

  it('pages the entries of one UTC day, newest first', async () => {
    await putEntries(7, '2024-01-15');
    await putEntries(2, '2024-01-16');
    await putEntries(3, '2024-01-15', OTHER_WS);
    const first = await api.entries({ ...member, date: '2024-01-15', per_page: 3 });
    expect(first.status).toBe(200);
    expect(described(first)).toEqual(['entry 6', 'entry 5', 'entry 4']);
    expect(first.body.meta.pagination).toEqual({ total: 7, per_page: 3, current_page: 1, last_page: 3 });
    const last = await api.entries({ ...member, date: '2024-01-15', per_page: 3, page: 3 });
    expect(described(last)).toEqual(['entry 0']);
    const beyond = await api.entries({ ...member, date: '2024-01-15', per_page: 3, page: 9 });
    expect(beyond.body.data).toEqual([]);
    expect(beyond.body.meta.pagination).toEqual({ total: 7, per_page: 3, current_page: 9, last_page: 3 });
    const empty = await api.entries({ ...member, date: '2023-12-31' });
    expect(empty.body.data).toEqual([]);
    expect(empty.body.meta.pagination).toEqual({ total: 0, per_page: 20, current_page: 1, last_page: 1 });
  });

  it('pages a long range in a time zone exactly: every entry once, newest first, whatever the page size', async () => {
    // Entries on scattered UTC days of January 2024, some near midnight so that the zones cut days differently.
    const starts = [
      '2024-01-01T10:00:00Z',
      '2024-01-01T23:30:00Z',
      '2024-01-02T00:10:00Z',
      '2024-01-05T12:00:00Z',
      '2024-01-05T12:00:30Z',
      '2024-01-09T11:00:00Z',
      '2024-01-10T23:50:00Z',
      '2024-01-20T06:00:00Z',
      '2024-01-24T22:00:00Z',
      '2024-01-25T10:00:00Z',
      '2024-01-26T11:00:00Z',
    ];
    const created: Array<{ id: string; start_time: string }> = [];
    for (const [i, start] of starts.entries()) {
      const response = await api.byRoute.createTimeEntry({
        workspace_id: WS,
        user_id: users.member,
        start_time: start,
        end_time: new Date(Date.parse(start) + 20_000).toISOString().replace('.000Z', 'Z'),
        activity_description: `long ${i}`,
      });
      expect(response.status).toBe(201);
      created.push(response.body.data);
    }
    for (const [tz, from, to] of [
      ['UTC', '2024-01-01', '2024-01-25'],
      ['Pacific/Auckland', '2024-01-02', '2024-01-25'],
      ['America/Los_Angeles', '2024-01-01', '2024-01-24'],
      ['Asia/Kolkata', '2024-01-02', '2024-01-31'],
    ] as const) {
      const inRange = created.filter((entry) => {
        const local = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(entry.start_time));
        return local >= from && local <= to;
      });
      const expected = [...inRange].sort((a, b) => (a.start_time === b.start_time ? (a.id < b.id ? 1 : -1) : a.start_time < b.start_time ? 1 : -1)).map((entry) => entry.id);
      for (const perPage of [1, 2, 3, 50]) {
        const seen: string[] = [];
        for (let page = 1; ; page++) {
          const response = await api.entries({ ...member, from, to, tz, per_page: perPage, page });
          expect(response.status).toBe(200);
          expect(response.body.meta.pagination.total).toBe(expected.length);
          if (response.body.data.length === 0) break;
          seen.push(...response.body.data.map((entry: { id: string }) => entry.id));
        }
        expect({ tz, perPage, seen }).toEqual({ tz, perPage, seen: expected });
      }
    }
  });

  it.each([
    ['a missing date (or range)', {}, 'from,to'],
    ['a malformed date', { date: '15/01/2024' }, 'date'],
    ['an impossible date', { date: '2024-02-30' }, 'date'],
    ['per_page over 50', { date: '2024-01-15', per_page: '51' }, 'per_page'],
    ['page 0', { date: '2024-01-15', page: '0' }, 'page'],
  ])('answers 422 for %s', async (_name, query, field) => {
    const response = await api.entries({ ...member, ...query });
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)).toEqual(field.split(','));
  });

  it('answers 422 before 403: validation comes first', async () => {
    const response = await api.entries({ workspace_id: UNKNOWN_WS, user_id: users.member, date: '2024-02-30' }, { caller: users.stranger });
    expect(response.status).toBe(422);
  });

  it('answers 403 to a caller who does not manage the workspace', async () => {
    await putEntries(1, '2024-01-15');
    const response = await api.entries({ ...member, date: '2024-01-15' }, { caller: users.otherWorkspaceOwner });
    expect(response.status).toBe(403);
    expect(JSON.stringify(response.body)).not.toContain('entry 0');
  });
});
