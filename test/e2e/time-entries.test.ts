import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { callApi } from '../support/api-client.ts';
import { waitFor } from '../support/wait-for.ts';
import { OTHER_WS, testSeed, users, WS } from '../support/fixtures.ts';
import { startTestRuntime } from '../support/test-runtime.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';
import { timeEntryViolations } from '../support/tracking-invariants.ts';

/**
 * The life of a time entry over HTTP, on `npm start` and on `npm run start:template` (the
 * template's bundles, environment and IAM): add, read, correct, delete, history, date ranges
 * in time zones (DST included), the summary, the overlap rule under concurrency, and the
 * webhooks each change sends. Every answer is checked against the OpenAPI document
 * (callApi). Each test works on members of its own, so that their timelines never meet.
 */
const member = (n: number) => 300 + n;
const seed = {
  ...testSeed,
  members: [...(testSeed.members ?? []), ...Array.from({ length: 13 }, (_, n) => ({ workspace_id: WS, user_id: member(n), role: 'regular_user' as const, status: 'active' as const }))],
  contracts: [
    ...(testSeed.contracts ?? []),
    { workspace_id: WS, id: 40, user_id: member(0), project_id: 10, status: 'active' as const },
    { workspace_id: WS, id: 41, user_id: member(12), project_id: 10, status: 'active' as const, hourly_rate: { amount: 4500, currency: 'EUR' } },
  ],
};

let runtime: Awaited<ReturnType<typeof startTestRuntime>>;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

type Options = { body?: unknown; caller?: number; scope?: string; headers?: Record<string, string> };
async function call(method: string, path: string, options: Options = {}) {
  const token = await runtime.issuer.sign({ sub: String(options.caller ?? users.owner), ...(options.scope ? { scope: options.scope } : {}) });
  const response = await callApi(runtime.server.baseUrl, method, path, {
    headers: { authorization: `Bearer ${token}`, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: response.status, headers: response.headers, body: response.body };
}

const create = (body: Record<string, unknown>, options: Options = {}) => call('POST', '/time-entries', { ...options, body: { workspace_id: WS, ...body } });
const entryPath = (id: string, suffix = '') => `/time-entries/${id}${suffix}?workspace_id=${WS}`;
const list = (query: string) => call('GET', `/time-entries?workspace_id=${WS}&${query}`);
/** Whole table items of the runtime's table: what is stored afterwards. */
const stored = async () => runtime.table.scan();
/** A UTC time `seconds` ago (negative: ahead), as a client sends it. */
const isoSecondsAgo = (seconds: number) => `${new Date(Date.now() - seconds * 1000).toISOString().slice(0, 19)}Z`;

describe.each(['source', 'template'] as const)('time entries on the local runtime (%s)', (mode) => {
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    runtime = await startTestRuntime({ name: `entries-${mode}`, seed, env: { WEBHOOK_RETRY_SCALE: '0.01', ...(mode === 'template' ? { RUNTIME: 'template' } : {}) } });
  }, 300_000);
  afterAll(async () => {
    await runtime?.stop();
    await receiver?.close();
  });

  it('adds an entry: 201, stored and answered in UTC, with its ETag and Location; reads it back by id', async () => {
    const created = await create({ user_id: users.member, start_time: '2026-03-02T09:00:00+01:00', end_time: '2026-03-02T12:30:00+01:00', contract_id: 20, task_id: 5, activity_description: 'Copy' });
    expect(created.status).toBe(201);
    const entry = created.body.data;
    expect(entry).toMatchObject({
      workspace_id: WS,
      user_id: users.member,
      contract_id: 20,
      project_id: 10,
      task_id: 5,
      activity_description: 'Copy',
      start_time: '2026-03-02T08:00:00+00:00',
      end_time: '2026-03-02T11:30:00+00:00',
      duration_seconds: 12_600,
      source: 'manual',
      created_by: users.owner,
      updated_by: users.owner,
      version: 1,
    });
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.headers.get('location')).toBe(`/time-entries/${entry.id}?workspace_id=${WS}`);
    const read = await call('GET', created.headers.get('location')!);
    expect(read.status).toBe(200);
    expect(read.body.data).toEqual(entry);
    expect(read.headers.get('etag')).toBe('"1"');
    // Unknown here, in another workspace, or asked by someone who does not manage this one.
    expect((await call('GET', entryPath('no-such-entry'))).status).toBe(404);
    expect((await call('GET', `/time-entries/${entry.id}?workspace_id=${OTHER_WS}`, { caller: users.otherWorkspaceOwner })).status).toBe(404);
    expect((await call('GET', entryPath(entry.id), { caller: users.member })).status).toBe(403);
    expect((await call('GET', entryPath(entry.id), { caller: users.teamManager })).status).toBe(403);
  });

  it('applies the checks of a start to the entry: scope, manager, member, contract, task', async () => {
    const times = { start_time: '2026-03-03T09:00:00Z', end_time: '2026-03-03T10:00:00Z' };
    const scoped = await create({ user_id: users.member, ...times }, { scope: 'read' });
    expect([scoped.status, scoped.body.error]).toEqual([403, 'insufficient_scope']);
    expect((await create({ user_id: users.member, ...times }, { caller: users.member })).status).toBe(403);
    expect((await create({ user_id: users.inactive, ...times })).status).toBe(404);
    expect((await create({ user_id: users.member, ...times, contract_id: 99 })).status).toBe(404);
    const paused = await create({ user_id: users.member, ...times, contract_id: 21 });
    expect([paused.status, Object.keys(paused.body.errors ?? {})]).toEqual([422, ['contract_id']]);
    const wrongTask = await create({ user_id: users.member, ...times, contract_id: 20, task_id: 6 });
    expect([wrongTask.status, Object.keys(wrongTask.body.errors ?? {})]).toEqual([422, ['task_id']]);
    const viewer = await create({ user_id: users.viewer, ...times });
    expect([viewer.status, Object.keys(viewer.body.errors ?? {})]).toEqual([422, ['user_id']]);
    // The executive manager may, as for a start.
    expect((await create({ user_id: users.member, ...times }, { caller: users.executive })).status).toBe(201);
  });

  it.each([
    ['an end before the start', { start_time: '2026-03-04T10:00:00Z', end_time: '2026-03-04T09:00:00Z' }, 'end_time'],
    ['an empty interval', { start_time: '2026-03-04T10:00:00Z', end_time: '2026-03-04T10:00:00Z' }, 'end_time'],
    ['more than 24 h', { start_time: '2026-03-04T10:00:00Z', end_time: '2026-03-05T10:00:01Z' }, 'end_time'],
    ['an end in the future (beyond 60 s)', { start_time: isoSecondsAgo(600), end_time: isoSecondsAgo(-300) }, 'end_time'],
    ['no such day', { start_time: '2026-02-30T10:00:00Z', end_time: '2026-03-01T09:00:00Z' }, 'start_time'],
    ['no offset', { start_time: '2026-03-04T10:00:00', end_time: '2026-03-04T11:00:00Z' }, 'start_time'],
  ])('refuses %s with 422 on the field, writing nothing', async (_name, times, field) => {
    const before = (await stored()).length;
    const response = await create({ user_id: member(1), ...times });
    expect([response.status, Object.keys(response.body.errors ?? {})]).toEqual([422, [field]]);
    expect((await stored()).length).toBe(before);
  });

  it('accepts exactly 24 h, and an end within the 60 s tolerance', async () => {
    expect((await create({ user_id: member(1), start_time: '2026-03-06T00:00:00Z', end_time: '2026-03-07T00:00:00Z' })).status).toBe(201);
    const soon = isoSecondsAgo(-30);
    expect((await create({ user_id: member(1), start_time: isoSecondsAgo(120), end_time: soon })).status).toBe(201);
  });

  it('refuses an overlap with 409, writing nothing; touching ends are fine', async () => {
    const user = member(2);
    expect((await create({ user_id: user, start_time: '2026-03-10T09:00:00Z', end_time: '2026-03-10T11:00:00Z' })).status).toBe(201);
    const before = await stored();
    for (const [start, end] of [
      ['2026-03-10T10:00:00Z', '2026-03-10T12:00:00Z'],
      ['2026-03-10T08:00:00Z', '2026-03-10T09:00:01Z'],
      ['2026-03-10T09:30:00Z', '2026-03-10T10:00:00Z'],
      ['2026-03-10T08:00:00Z', '2026-03-10T12:00:00Z'],
      // Across midnight, from the day before: the span is on both days.
      ['2026-03-09T20:00:00Z', '2026-03-10T09:30:00Z'],
    ]) {
      const response = await create({ user_id: user, start_time: start, end_time: end });
      expect([start, response.status, response.body.error]).toEqual([start, 409, 'time_entry_overlap']);
    }
    expect(await stored()).toEqual(before);
    expect((await create({ user_id: user, start_time: '2026-03-10T11:00:00Z', end_time: '2026-03-10T12:00:00Z' })).status).toBe(201);
    expect((await create({ user_id: user, start_time: '2026-03-10T08:00:00Z', end_time: '2026-03-10T09:00:00Z' })).status).toBe(201);
    // Another member's time, and the same member's time in another workspace, are theirs.
    expect((await create({ user_id: member(3), start_time: '2026-03-10T09:00:00Z', end_time: '2026-03-10T11:00:00Z' })).status).toBe(201);
  });

  it('keeps entries off the running tracker, and a tracker off an entry that ends after now', async () => {
    const user = member(4);
    const started = await call('POST', '/time-tracking/start', { body: { workspace_id: WS, user_id: user } });
    expect(started.status).toBe(200);
    // Ends within the tolerance after now: after the tracker's start, whatever the second is.
    const overlapping = await create({ user_id: user, start_time: isoSecondsAgo(3600), end_time: isoSecondsAgo(-20) });
    expect([overlapping.status, overlapping.body.error]).toEqual([409, 'time_entry_overlap']);
    const startSeconds = Date.parse(started.body.data.start_time) / 1000;
    const before = `${new Date((startSeconds - 3600) * 1000).toISOString().slice(0, 19)}Z`;
    const atStart = `${new Date(startSeconds * 1000).toISOString().slice(0, 19)}Z`;
    expect((await create({ user_id: user, start_time: before, end_time: atStart })).status).toBe(201);
    expect((await call('POST', '/time-tracking/stop', { body: { workspace_id: WS, user_id: user } })).status).toBe(200);

    const other = member(5);
    expect((await create({ user_id: other, start_time: isoSecondsAgo(600), end_time: isoSecondsAgo(-40) })).status).toBe(201);
    const blocked = await call('POST', '/time-tracking/start', { body: { workspace_id: WS, user_id: other } });
    expect([blocked.status, blocked.body.error]).toEqual([409, 'time_entry_overlap']);
    expect((await stored()).some((item) => item.sk === 'TRACKER' && item.user_id === other)).toBe(false);
  });

  it('corrects an entry: If-Match, 412 on a stale one with nothing changed, no-op PATCH, null clears; history newest first', async () => {
    const created = (await create({ user_id: member(0), start_time: '2026-03-11T09:00:00Z', end_time: '2026-03-11T10:00:00Z', contract_id: 40, activity_description: 'Draft' })).body.data;
    const patched = await call('PATCH', entryPath(created.id), { body: { end_time: '2026-03-11T11:15:00+01:00', activity_description: 'Draft and review' }, headers: { 'if-match': '"1"' } });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({ end_time: '2026-03-11T10:15:00+00:00', duration_seconds: 4500, activity_description: 'Draft and review', version: 2, created_at: created.created_at });
    expect(patched.headers.get('etag')).toBe('"2"');
    const snapshot = await stored();
    const stale = await call('PATCH', entryPath(created.id), { body: { activity_description: 'Lost update' }, headers: { 'if-match': '"1"' } });
    expect([stale.status, stale.body.error]).toEqual([412, 'precondition_failed']);
    expect(await stored()).toEqual(snapshot);
    const same = await call('PATCH', entryPath(created.id), { body: { activity_description: 'Draft and review' } });
    expect([same.status, same.body.data.version, same.headers.get('etag')]).toEqual([200, 2, '"2"']);
    expect(await stored()).toEqual(snapshot);
    const cleared = await call('PATCH', entryPath(created.id), { body: { activity_description: null, contract_id: null } });
    expect(cleared.body.data).toMatchObject({ activity_description: null, contract_id: null, project_id: null, version: 3 });
    const badTask = await call('PATCH', entryPath(created.id), { body: { task_id: 5 } });
    expect([badTask.status, Object.keys(badTask.body.errors ?? {})]).toEqual([422, ['contract_id']]);
    const malformed = await call('PATCH', entryPath(created.id), { body: { activity_description: 'x' }, headers: { 'if-match': 'W/"3"' } });
    expect([malformed.status, Object.keys(malformed.body.errors ?? {})]).toEqual([422, ['if-match']]);
    const moved = await call('PATCH', entryPath(created.id), { body: { start_time: '2026-03-12T09:00:00Z', end_time: '2026-03-12T09:30:00Z' }, headers: { 'if-match': '"3"' } });
    expect(moved.body.data).toMatchObject({ start_time: '2026-03-12T09:00:00+00:00', duration_seconds: 1800, version: 4 });
    // The listed copy moved with it: found on its new day, not on its old one.
    expect((await list(`user_id=${member(0)}&date=2026-03-12`)).body.data.map((entry: { id: string }) => entry.id)).toEqual([created.id]);
    expect((await list(`user_id=${member(0)}&date=2026-03-11`)).body.data).toEqual([]);

    const history = await call('GET', entryPath(created.id, '/history'));
    expect(history.status).toBe(200);
    expect(history.body.data.map((version: { version: number; action: string }) => [version.version, version.action])).toEqual([
      [4, 'updated'],
      [3, 'updated'],
      [2, 'updated'],
      [1, 'created'],
    ]);
    expect(history.body.data[2]).toMatchObject({
      by: users.owner,
      changes: { end_time: ['2026-03-11T10:00:00+00:00', '2026-03-11T10:15:00+00:00'], duration_seconds: [3600, 4500], activity_description: ['Draft', 'Draft and review'] },
    });
    expect(history.body.data[3].changes).toMatchObject({ start_time: [null, '2026-03-11T09:00:00+00:00'], contract_id: [null, 40] });
  });

  it('refuses an edit into another entry with 409, and leaves both as they were', async () => {
    const user = member(6);
    const first = (await create({ user_id: user, start_time: '2026-03-13T09:00:00Z', end_time: '2026-03-13T10:00:00Z' })).body.data;
    const second = (await create({ user_id: user, start_time: '2026-03-13T11:00:00Z', end_time: '2026-03-13T12:00:00Z' })).body.data;
    const snapshot = await stored();
    const response = await call('PATCH', entryPath(second.id), { body: { start_time: '2026-03-13T09:59:59Z' } });
    expect([response.status, response.body.error]).toEqual([409, 'time_entry_overlap']);
    expect(await stored()).toEqual(snapshot);
    // Moving it onto its own old time, or to touch the other, is fine.
    expect((await call('PATCH', entryPath(second.id), { body: { start_time: '2026-03-13T10:00:00Z' } })).status).toBe(200);
    expect((await call('GET', entryPath(first.id))).body.data.version).toBe(1);
  });

  it('deletes an entry: 412 on a stale If-Match, then 200; GET is 404 after, the history stays', async () => {
    const created = (await create({ user_id: member(7), start_time: '2026-03-14T09:00:00Z', end_time: '2026-03-14T10:00:00Z' })).body.data;
    const stale = await call('DELETE', entryPath(created.id), { headers: { 'if-match': '"7"' } });
    expect([stale.status, stale.body.error]).toEqual([412, 'precondition_failed']);
    const deleted = await call('DELETE', entryPath(created.id), { headers: { 'if-match': '"1"' } });
    expect([deleted.status, deleted.body.data]).toEqual([200, { id: created.id, deleted: true }]);
    expect((await call('GET', entryPath(created.id))).status).toBe(404);
    expect((await call('DELETE', entryPath(created.id))).status).toBe(404);
    expect((await call('PATCH', entryPath(created.id), { body: { activity_description: 'x' } })).status).toBe(404);
    const history = await call('GET', entryPath(created.id, '/history'));
    expect(history.body.data.map((version: { action: string }) => version.action)).toEqual(['deleted', 'created']);
    expect((await call('GET', `/time-entries/${created.id}/history?workspace_id=${OTHER_WS}`, { caller: users.otherWorkspaceOwner })).status).toBe(404);
    // The time is free again.
    expect((await create({ user_id: member(7), start_time: '2026-03-14T09:00:00Z', end_time: '2026-03-14T10:00:00Z' })).status).toBe(201);
  });

  it("records a stop's entry as its first version, by the caller, and counts it in current-data", async () => {
    const user = member(8);
    expect((await call('POST', '/time-tracking/start', { body: { workspace_id: WS, user_id: user }, caller: users.executive })).status).toBe(200);
    const running = await call('GET', `/time-tracking/current-data?workspace_id=${WS}&user_id=${user}&tz=Pacific/Kiritimati`);
    expect(running.body.data).toMatchObject({ is_tracking: true, task_title: null, date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), total_minutes: 0 });
    const stopped = await call('POST', '/time-tracking/stop', { body: { workspace_id: WS, user_id: user } });
    const id = stopped.body.data.time_entry_id;
    const entry = (await call('GET', entryPath(id))).body.data;
    expect(entry).toMatchObject({ source: 'tracker', created_by: users.owner, version: 1, end_time: stopped.body.data.stopped_at });
    const history = (await call('GET', entryPath(id, '/history'))).body.data;
    expect(history).toEqual([
      { version: 1, action: 'created', at: stopped.body.data.stopped_at, by: users.owner, changes: expect.objectContaining({ end_time: [null, stopped.body.data.stopped_at] }) },
    ]);
    expect((await create({ user_id: user, start_time: isoSecondsAgo(7200), end_time: isoSecondsAgo(3600) })).status).toBe(201);
    const today = (await call('GET', `/time-tracking/current-data?workspace_id=${WS}&user_id=${user}`)).body.data;
    expect(today).toMatchObject({ is_tracking: false, date: new Date().toISOString().slice(0, 10) });
    // The hour added counts when it started today (UTC); near midnight it started yesterday.
    expect(today.total_minutes).toBe(isoSecondsAgo(7200).slice(0, 10) === today.date ? 60 : 0);
    const badZone = await call('GET', `/time-tracking/current-data?workspace_id=${WS}&user_id=${user}&tz=Mars/Olympus`);
    expect([badZone.status, Object.keys(badZone.body.errors ?? {})]).toEqual([422, ['tz']]);
  });

  it('finds entries by the day their start falls on in the zone asked, DST included; 422 on a bad range or zone', async () => {
    const user = member(9);
    // Berlin springs forward at 02:00 on 2026-03-29: 01:30 to 03:30 there is one hour.
    const dst = (await create({ user_id: user, start_time: '2026-03-29T01:30:00+01:00', end_time: '2026-03-29T03:30:00+02:00' })).body.data;
    expect([dst.start_time, dst.end_time, dst.duration_seconds]).toEqual(['2026-03-29T00:30:00+00:00', '2026-03-29T01:30:00+00:00', 3600]);
    // 00:10 in Berlin on the 29th is still the 28th in UTC.
    const early = (await create({ user_id: user, start_time: '2026-03-29T00:10:00+01:00', end_time: '2026-03-29T00:40:00+01:00' })).body.data;
    const ids = async (query: string) => (await list(`user_id=${user}&${query}`)).body.data.map((entry: { id: string }) => entry.id);
    expect(await ids('date=2026-03-29&tz=Europe/Berlin')).toEqual([dst.id, early.id]);
    expect(await ids('date=2026-03-29')).toEqual([dst.id]);
    expect(await ids('date=2026-03-28')).toEqual([early.id]);
    expect(await ids('from=2026-03-28&to=2026-03-29&tz=UTC')).toEqual([dst.id, early.id]);
    expect(await ids('date=2026-03-28&tz=Europe/Berlin')).toEqual([]);
    expect(await ids('date=2026-03-28&tz=America/New_York')).toEqual([dst.id, early.id]);

    const summary = await call('GET', `/time-entries/summary?workspace_id=${WS}&user_id=${user}&from=2026-03-27&to=2026-03-30&tz=Europe/Berlin`);
    expect(summary.body.data).toEqual({
      days: [
        { date: '2026-03-27', total_seconds: 0, entries: 0 },
        { date: '2026-03-28', total_seconds: 0, entries: 0 },
        { date: '2026-03-29', total_seconds: 5400, entries: 2 },
        { date: '2026-03-30', total_seconds: 0, entries: 0 },
      ],
      total_seconds: 5400,
    });
    const utcSummary = await call('GET', `/time-entries/summary?workspace_id=${WS}&user_id=${user}&from=2026-03-28&to=2026-03-29`);
    expect(utcSummary.body.data.days.map((day: { entries: number }) => day.entries)).toEqual([1, 1]);

    for (const [query, field] of [
      ['from=2026-03-10&to=2026-03-01', 'to'],
      ['from=2026-03-01&to=2026-04-01', 'to'],
      ['date=2026-03-01&tz=Europe/Nowhere', 'tz'],
      ['from=2026-03-01', 'to'],
      ['', 'from,to'],
      ['date=2026-02-30', 'date'],
      // Past the calendar: the summary's day loop once never ended there (the process ran out of heap).
      ['date=9999-12-31', 'date'],
      ['from=9999-12-25&to=9999-12-31', 'from,to'],
    ] as const) {
      for (const path of ['/time-entries', '/time-entries/summary']) {
        const response = await call('GET', `${path}?workspace_id=${WS}&user_id=${user}&${query}`);
        expect([path, query, response.status, Object.keys(response.body.errors ?? {})]).toEqual([path, query, 422, field.split(',')]);
      }
    }
    expect((await list(`user_id=${user}&from=2026-03-01&to=2026-03-31`)).status).toBe(200);
  });

  it('lets exactly one of concurrent overlapping creates win, and one of concurrent overlapping edits', async () => {
    const user = member(10);
    const creates = await Promise.all(Array.from({ length: 8 }, (_, n) => create({ user_id: user, start_time: `2026-03-15T09:0${n}:00Z`, end_time: `2026-03-15T10:0${n}:00Z` })));
    expect(creates.map((response) => response.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const a = (await create({ user_id: user, start_time: '2026-03-16T09:00:00Z', end_time: '2026-03-16T10:00:00Z' })).body.data;
    const b = (await create({ user_id: user, start_time: '2026-03-16T11:00:00Z', end_time: '2026-03-16T12:00:00Z' })).body.data;
    const edits = await Promise.all([a, b].map((entry) => call('PATCH', entryPath(entry.id), { body: { start_time: '2026-03-16T13:00:00Z', end_time: '2026-03-16T14:00:00Z' } })));
    expect(edits.map((response) => response.status).sort()).toEqual([200, 409]);
    expect(timeEntryViolations(await stored())).toEqual([]);
  });

  it('sends time_entry.created, .updated and .deleted, one webhook-id per version, the changes in .updated', async () => {
    const subscribed = await call('POST', '/webhooks', { body: { workspace_id: WS, url: receiver.url, events: ['time_entry.created', 'time_entry.updated', 'time_entry.deleted'] } });
    expect(subscribed.status).toBe(201);
    const created = (await create({ user_id: member(11), start_time: isoSecondsAgo(7200), end_time: isoSecondsAgo(3600) })).body.data;
    await call('PATCH', entryPath(created.id), { body: { activity_description: 'Renamed' } });
    await call('DELETE', entryPath(created.id));
    const deliveries = await waitFor(() => {
      const mine = receiver.deliveries.filter((delivery) => JSON.parse(delivery.body).data.id === created.id);
      return mine.length >= 3 ? mine : undefined;
    }, 10_000);
    const events = deliveries.map((delivery) => JSON.parse(delivery.body));
    expect(events.map((event) => event.type).sort()).toEqual(['time_entry.created', 'time_entry.deleted', 'time_entry.updated']);
    expect(new Set(deliveries.map((delivery) => delivery.id)).size).toBe(3);
    const updated = events.find((event) => event.type === 'time_entry.updated');
    expect(updated.data).toMatchObject({ id: created.id, version: 2, activity_description: 'Renamed', changes: { activity_description: [null, 'Renamed'] } });
    expect(events.find((event) => event.type === 'time_entry.deleted').data).toMatchObject({ id: created.id, version: 2 });
    expect(events.find((event) => event.type === 'time_entry.created').data).toEqual(created);
  });

  it('replays a create sent again with its Idempotency-Key, ETag and Location included; asks for credentials', async () => {
    const body = { user_id: member(3), start_time: '2026-03-20T09:00:00Z', end_time: '2026-03-20T10:00:00Z' };
    const headers = { 'idempotency-key': `entry-${mode}` };
    const first = await create(body, { headers });
    const again = await create(body, { headers });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body.data).toEqual(first.body.data);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect([again.headers.get('etag'), again.headers.get('location')]).toEqual([first.headers.get('etag'), first.headers.get('location')]);
    // Without the key, the same body is a second entry over the first one.
    expect((await create(body)).status).toBe(409);
    expect((await callApi(runtime.server.baseUrl, 'GET', entryPath(first.body.data.id))).status).toBe(401);
    expect((await callApi(runtime.server.baseUrl, 'GET', entryPath(first.body.data.id), { headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401);
  });

  it('shows who is clocked in: every running tracker of the workspace, longest running first, paged; managers only', async () => {
    const running = [member(10), member(11)];
    for (const user of running) expect((await call('POST', '/time-tracking/start', { body: { workspace_id: WS, user_id: user, task_id: null } })).status).toBe(200);
    const active = await call('GET', `/time-tracking/active?workspace_id=${WS}`);
    expect(active.status).toBe(200);
    const mine = active.body.data.filter((tracker: { user_id: number }) => running.includes(tracker.user_id));
    expect(mine).toEqual(running.map((user) => expect.objectContaining({ is_tracking: true, workspace_id: WS, user_id: user, total_seconds: expect.any(Number), auto_stop_at: null })));
    const starts = active.body.data.map((tracker: { start_time: string }) => tracker.start_time);
    expect(starts).toEqual([...starts].sort());
    expect(active.body.meta.pagination.total).toBe(active.body.data.length);
    const paged = await call('GET', `/time-tracking/active?workspace_id=${WS}&per_page=1&page=2`);
    // The same tracker (its total_seconds may have grown by a second in between).
    expect(paged.body.data).toEqual([{ ...active.body.data[1], total_seconds: expect.any(Number) }]);
    expect((await call('GET', `/time-tracking/active?workspace_id=${WS}`, { caller: users.member })).status).toBe(403);
    expect((await call('GET', `/time-tracking/active?workspace_id=${OTHER_WS}`)).status).toBe(403);
    expect((await call('GET', `/time-tracking/current-data?workspace_id=${WS}&user_id=${running[0]}`)).body.data.auto_stop_at).toBeNull();
    expect((await call('POST', '/time-tracking/stop', { body: { workspace_id: WS, user_id: running[0] } })).status).toBe(200);
    const after = (await call('GET', `/time-tracking/active?workspace_id=${WS}`)).body.data.map((tracker: { user_id: number }) => tracker.user_id);
    expect(after).toContain(running[1]);
    expect(after).not.toContain(running[0]);
    expect((await call('POST', '/time-tracking/stop', { body: { workspace_id: WS, user_id: running[1] } })).status).toBe(200);
  });

  it('reports the entries in the workspace reports, priced, as deployed (the report months every write keeps), in JSON and CSV', async () => {
    const one = await create({ user_id: member(12), start_time: '2026-03-09T09:00:00+01:00', end_time: '2026-03-09T10:30:00+01:00', contract_id: 41 });
    const two = await create({ user_id: member(12), start_time: '2026-03-10T09:00:00+01:00', end_time: '2026-03-10T09:20:00+01:00' });
    expect([one.status, two.status]).toEqual([201, 201]);
    const query = `/reports/summary?workspace_id=${WS}&from=2026-03-01&to=2026-03-31&group_by=project,user&user_ids=${member(12)}&tz=Europe/Berlin`;
    const summary = await call('GET', query);
    expect(summary.status).toBe(200);
    expect(summary.body.data.totals).toEqual({ seconds: 6600, billable_seconds: 5400, entries: 2, amounts: [{ currency: 'EUR', amount: 6750 }] });
    expect(summary.body.data.groups.map((group: { key: unknown }) => group.key)).toEqual([{ project_id: null }, { project_id: 10 }]);
    const csv = await call('GET', query, { headers: { accept: 'text/csv' } });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect((csv.body as string).split('\r\n')[2]).toBe(`10,${member(12)},5400,1.50,5400,1.50,1,67.50,EUR`);
  });

  it('leaves the stored copies, spans and history consistent after everything above', async () => {
    expect(timeEntryViolations(await stored())).toEqual([]);
  });
});
