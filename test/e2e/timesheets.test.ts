import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { callApi } from '../support/api-client.ts';
import { testSeed, users } from '../support/fixtures.ts';
import { startTestRuntime } from '../support/test-runtime.ts';

/**
 * Timesheets over HTTP on `npm start` (docs/timesheets.md): the list and one timesheet, every
 * transition and its callers, the locks they put on entry writes (create, edit, delete,
 * start) and the stop that is never refused, If-Match on approval, approved figures that
 * equal the period's entries, members acting for themselves only, events in the change
 * feed, and a storm of approvals, reopenings and entry writes on one member.
 */
const TWS = 6;
const ann = 601; // a regular member: acts for herself
const bob = 602; // another regular member
const exec = 603; // an executive manager
const seed = {
  ...testSeed,
  workspaces: [...(testSeed.workspaces ?? []), { id: TWS, name: 'Timesheets' }],
  members: [
    ...(testSeed.members ?? []),
    { workspace_id: TWS, user_id: users.owner, role: 'owner' as const, status: 'active' as const },
    { workspace_id: TWS, user_id: ann, role: 'regular_user' as const, status: 'active' as const },
    { workspace_id: TWS, user_id: bob, role: 'regular_user' as const, status: 'active' as const },
    { workspace_id: TWS, user_id: exec, role: 'executive_manager' as const, status: 'active' as const },
    { workspace_id: TWS, user_id: users.viewer, role: 'project_viewer' as const, status: 'active' as const },
  ],
  projects: [...(testSeed.projects ?? []), { workspace_id: TWS, id: 90, name: 'Payroll' }],
  contracts: [...(testSeed.contracts ?? []), { workspace_id: TWS, id: 91, user_id: ann, project_id: 90, status: 'active' as const, hourly_rate: { amount: 6000, currency: 'EUR' } }],
};

let runtime: Awaited<ReturnType<typeof startTestRuntime>>;

async function call(method: string, path: string, options: { body?: unknown; caller?: number; headers?: Record<string, string> } = {}) {
  const token = await runtime.issuer.sign({ sub: String(options.caller ?? users.owner), scope: 'read write' });
  return callApi(runtime.server.baseUrl, method, path, {
    headers: { authorization: `Bearer ${token}`, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
}

// A past week (Monday to Sunday, the default week start) in the workspace's zone (UTC).
const WEEK = { start: '2026-11-02', end: '2026-11-08' };
const sheet = (userId: number, period = WEEK) => `${userId}_${period.start}_${period.end}`;
const transition = (id: string, action: string, options: { caller?: number; body?: unknown; ifMatch?: string } = {}) =>
  call('POST', `/timesheets/${id}/${action}?workspace_id=${TWS}`, { ...options, ...(options.ifMatch ? { headers: { 'if-match': options.ifMatch } } : {}) });
const entry = (userId: number, start: string, end: string, caller = users.owner) =>
  call('POST', '/time-entries', { caller, body: { workspace_id: TWS, user_id: userId, start_time: start, end_time: end, ...(userId === ann ? { contract_id: 91 } : {}) } });

describe('timesheets on the local runtime (source)', () => {
  beforeAll(async () => {
    runtime = await startTestRuntime({ name: 'timesheets', seed, env: { CHANGE_FEED_SETTLE_SECONDS: '1' } });
  }, 120_000);
  afterAll(async () => {
    await runtime?.stop();
  });

  it('lists one timesheet per tracking member and period, open ones included, with their figures', async () => {
    expect((await entry(ann, '2026-11-03T09:00:00+00:00', '2026-11-03T11:00:00+00:00')).status).toBe(201);
    const listed = await call('GET', `/timesheets?workspace_id=${TWS}&from=${WEEK.start}&to=2026-11-15`);
    expect(listed.status).toBe(200);
    // Owner, Ann, Bob and the executive track time; the project viewer does not. Two weeks each.
    expect(listed.body.data.map((row: { id: string }) => row.id)).toEqual(
      [users.owner, ann, bob, exec].flatMap((user) => [sheet(user), sheet(user, { start: '2026-11-09', end: '2026-11-15' })]).sort((a, b) => Number(a.split('_')[0]) - Number(b.split('_')[0])),
    );
    const anns = listed.body.data.find((row: { id: string }) => row.id === sheet(ann));
    // 2 h at EUR 60.00 (a contract with a rate is billable unless said otherwise).
    expect(anns).toMatchObject({ status: 'open', total_seconds: 7200, billable_seconds: 7200, amounts: [{ currency: 'EUR', amount: 12000 }] });
    expect(anns.days).toHaveLength(7);
    expect(anns.days[1]).toEqual({ date: '2026-11-03', seconds: 7200 });
    const one = await call('GET', `/timesheets/${sheet(ann)}?workspace_id=${TWS}`);
    expect(one.status).toBe(200);
    expect(one.headers.get('etag')).toBe(`"${one.body.data.version}"`);
    expect(one.body.data.entries.map((e: { start_time: string }) => e.start_time)).toEqual(['2026-11-03T09:00:00+00:00']);
  });

  it('submit locks the period against every entry write (409 timesheet_locked, nothing written), unsubmit frees it', async () => {
    const submitted = await transition(sheet(bob), 'submit', { caller: bob });
    expect(submitted.status).toBe(200);
    expect(submitted.body.data).toMatchObject({ status: 'submitted', submitted_by: bob });
    const before = (await runtime.table.scan()).length;
    const created = await entry(bob, '2026-11-04T09:00:00+00:00', '2026-11-04T10:00:00+00:00');
    expect([created.status, created.body.error]).toEqual([409, 'timesheet_locked']);
    expect((await runtime.table.scan()).length).toBe(before);
    // The same for another week's entry moved into it, and for the entries inside.
    const outside = await entry(bob, '2026-11-10T09:00:00+00:00', '2026-11-10T10:00:00+00:00');
    expect(outside.status).toBe(201);
    const moved = await call('PATCH', `/time-entries/${outside.body.data.id}?workspace_id=${TWS}`, { body: { start_time: '2026-11-05T09:00:00+00:00', end_time: '2026-11-05T10:00:00+00:00' } });
    expect([moved.status, moved.body.error]).toEqual([409, 'timesheet_locked']);
    expect((await transition(sheet(bob), 'unsubmit', { caller: bob })).body.data.status).toBe('open');
    const inside = await call('PATCH', `/time-entries/${outside.body.data.id}?workspace_id=${TWS}`, { body: { start_time: '2026-11-05T09:00:00+00:00', end_time: '2026-11-05T10:00:00+00:00' } });
    expect(inside.status).toBe(200);
    expect((await transition(sheet(bob), 'submit')).status).toBe(200);
    const edit = await call('PATCH', `/time-entries/${outside.body.data.id}?workspace_id=${TWS}`, { body: { activity_description: 'late' } });
    const remove = await call('DELETE', `/time-entries/${outside.body.data.id}?workspace_id=${TWS}`);
    expect([edit.status, edit.body.error, remove.status, remove.body.error]).toEqual([409, 'timesheet_locked', 409, 'timesheet_locked']);
    // Reject (a reason is required) frees it again.
    expect((await transition(sheet(bob), 'reject', { body: {} })).status).toBe(422);
    const rejected = await transition(sheet(bob), 'reject', { body: { reason: 'Thursday is wrong.' }, caller: exec });
    expect(rejected.body.data).toMatchObject({ status: 'rejected', reason: 'Thursday is wrong.', decided_by: exec });
    expect((await call('DELETE', `/time-entries/${outside.body.data.id}?workspace_id=${TWS}`)).status).toBe(200);
  });

  it('approves exactly what was seen: If-Match, figures equal to the entries, locked until an owner reopens it', async () => {
    const submitted = await transition(sheet(ann), 'submit', { caller: ann });
    expect(submitted.status).toBe(200);
    expect((await transition(sheet(ann), 'approve', { ifMatch: `"${submitted.body.data.version - 1}"` })).status).toBe(412);
    const approved = await transition(sheet(ann), 'approve', { ifMatch: `"${submitted.body.data.version}"`, caller: exec });
    expect(approved.status).toBe(200);
    expect(approved.body.data).toMatchObject({ status: 'approved', decided_by: exec, total_seconds: 7200, amounts: [{ currency: 'EUR', amount: 12000 }] });
    const entries = (await call('GET', `/timesheets/${sheet(ann)}?workspace_id=${TWS}`)).body.data.entries as Array<{ duration_seconds: number }>;
    expect(entries.reduce((sum, e) => sum + e.duration_seconds, 0)).toBe(approved.body.data.total_seconds);
    // The reports filter by it: Ann's approved week, nobody else's.
    const report = (approval: string) => call('GET', `/reports/summary?workspace_id=${TWS}&from=${WEEK.start}&to=${WEEK.end}&group_by=user&approval=${approval}`);
    const approvedOnly = await report('approved');
    expect(approvedOnly.status).toBe(200);
    expect(approvedOnly.body.data.groups.map((group: { key: object; seconds: number }) => [group.key, group.seconds])).toEqual([[{ user_id: ann }, 7200]]);
    expect((await report('open')).body.data.groups.map((group: { key: { user_id: number } }) => group.key.user_id)).not.toContain(ann);
    expect((await report('pending')).body.data.groups).toEqual([]);
    const again = await transition(sheet(ann), 'approve');
    expect([again.status, again.body.error]).toEqual([409, 'invalid_transition']);
    expect((await entry(ann, '2026-11-06T09:00:00+00:00', '2026-11-06T10:00:00+00:00')).body.error).toBe('timesheet_locked');
    // An executive manager cannot reopen; an owner can, with a reason.
    expect((await transition(sheet(ann), 'reopen', { caller: exec, body: { reason: 'x' } })).status).toBe(403);
    const reopened = await transition(sheet(ann), 'reopen', { body: { reason: 'Payroll correction.' } });
    expect(reopened.body.data).toMatchObject({ status: 'open', reason: 'Payroll correction.' });
    expect((await entry(ann, '2026-11-06T09:00:00+00:00', '2026-11-06T10:00:00+00:00')).status).toBe(201);
  });

  it('a member acts for themselves only: another member’s timesheet is 404 everywhere, approving their own is not theirs', async () => {
    for (const [method, path, body] of [
      ['GET', `/timesheets/${sheet(bob)}?workspace_id=${TWS}`, undefined],
      ['POST', `/timesheets/${sheet(bob)}/submit?workspace_id=${TWS}`, undefined],
      ['POST', `/timesheets/${sheet(bob)}/unsubmit?workspace_id=${TWS}`, undefined],
      ['POST', `/timesheets/${sheet(ann)}/approve?workspace_id=${TWS}`, undefined],
      ['POST', `/timesheets/${sheet(ann)}/reject?workspace_id=${TWS}`, { reason: 'mine' }],
      ['GET', `/timesheets/${sheet(users.owner)}?workspace_id=1`, undefined],
      ['GET', `/timesheets/${sheet(999)}?workspace_id=${TWS}`, undefined],
    ] as const) {
      const answer = await call(method, path, { caller: ann, ...(body ? { body } : {}) });
      expect([method, path, answer.status]).toEqual([method, path, 404]);
    }
    const own = await call('GET', `/timesheets?workspace_id=${TWS}&from=${WEEK.start}&to=${WEEK.end}&user_id=${ann}`, { caller: ann });
    expect(own.body.data.map((row: { user_id: number }) => row.user_id)).toEqual([ann]);
    expect((await call('GET', `/timesheets?workspace_id=${TWS}&from=${WEEK.start}&to=${WEEK.end}`, { caller: ann })).status).toBe(403);
    expect((await call('GET', `/timesheets?workspace_id=${TWS}&from=${WEEK.start}&to=${WEEK.end}&user_id=${bob}`, { caller: ann })).status).toBe(403);
    expect((await call('GET', `/timesheets/${sheet(ann)}?workspace_id=${TWS}`, { caller: users.viewer })).status).toBe(404);
  });

  it('refuses to submit a period in which the member’s tracker runs, refuses a start into a locked day, and never refuses a stop', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const thisWeek = (await call('GET', `/timesheets?workspace_id=${TWS}&from=${today}&to=${today}&user_id=${bob}`)).body.data[0].id as string;
    expect((await call('POST', '/time-tracking/start', { body: { workspace_id: TWS, user_id: bob } })).status).toBe(200);
    const refused = await transition(thisWeek, 'submit');
    expect([refused.status, refused.body.error]).toEqual([409, 'tracker_running']);
    const stopped = await call('POST', '/time-tracking/stop', { body: { workspace_id: TWS, user_id: bob } });
    expect([stopped.status, stopped.body.data.locked]).toEqual([200, false]);
    expect((await transition(thisWeek, 'submit')).status).toBe(200);
    const start = await call('POST', '/time-tracking/start', { body: { workspace_id: TWS, user_id: bob } });
    expect([start.status, start.body.error]).toEqual([409, 'timesheet_locked']);
    expect((await transition(thisWeek, 'unsubmit')).status).toBe(200);
  });

  it('puts every status change in the change feed, as the timesheet after it', async () => {
    await new Promise((resolve) => setTimeout(resolve, 2200));
    const feed = await call('GET', `/changes?workspace_id=${TWS}&types=timesheet&limit=500`);
    expect(feed.status).toBe(200);
    const anns = feed.body.data.filter((change: { id: string }) => change.id === sheet(ann));
    expect(anns.map((change: { action: string; revision: number }) => [change.action, change.revision])).toEqual([
      ['submitted', 1],
      ['approved', 2],
      ['reopened', 3],
    ]);
    expect(anns[1].record).toMatchObject({ status: 'approved', total_seconds: 7200 });
  });

  it('storm: approvals, reopenings and entry writes on one member end one way only, and approved figures always equal the entries', async () => {
    const period = { start: '2026-10-05', end: '2026-10-11' };
    const id = sheet(ann, period);
    let hour = 0;
    const outcomes = { created: 0, locked: 0, approved: 0 };
    const writer = async () => {
      for (let index = 0; index < 12; index++) {
        const h = String(hour++ % 24).padStart(2, '0');
        const answer = await entry(ann, `2026-10-0${5 + (index % 5)}T${h}:00:00+00:00`, `2026-10-0${5 + (index % 5)}T${h}:20:00+00:00`);
        expect([201, 409]).toContain(answer.status);
        if (answer.status === 201) outcomes.created++;
        if (answer.status === 409) expect(['timesheet_locked', 'time_entry_overlap']).toContain(answer.body.error);
        if (answer.body.error === 'timesheet_locked') outcomes.locked++;
      }
    };
    const approver = async () => {
      for (let round = 0; round < 6; round++) {
        const seen = await call('GET', `/timesheets/${id}?workspace_id=${TWS}`);
        const submit = await transition(id, 'submit');
        expect([200, 409]).toContain(submit.status);
        const approved = await transition(id, 'approve', { ifMatch: submit.headers.get('etag') ?? `"${seen.body.data.version}"` });
        expect([200, 409, 412]).toContain(approved.status);
        if (approved.status === 200) {
          outcomes.approved++;
          // What was approved is exactly what is stored for the period now (its days are locked).
          const now = await call('GET', `/timesheets/${id}?workspace_id=${TWS}`);
          const sum = (now.body.data.entries as Array<{ duration_seconds: number }>).reduce((total, e) => total + e.duration_seconds, 0);
          expect(approved.body.data.total_seconds).toBe(sum);
          expect((await transition(id, 'reopen', { body: { reason: 'storm' } })).status).toBe(200);
        } else if (submit.status === 200) {
          expect((await transition(id, 'unsubmit')).status).toBe(200);
        }
      }
    };
    await Promise.all([writer(), writer(), approver()]);
    // The race was run: writes landed and were refused, and approvals went through.
    expect(outcomes.created).toBeGreaterThan(0);
    expect(outcomes.locked).toBeGreaterThan(0);
    expect(outcomes.approved).toBeGreaterThan(0);
    // Every entry stored in the period was written while it was open: the stored entries' count equals the successful creates.
    const stored = (await runtime.table.scan()).filter(
      (item) => item.entity === 'time_entry_by_id' && item.user_id === ann && String(item.start_time) >= '2026-10-05' && String(item.start_time) < '2026-10-12',
    );
    const final = await call('GET', `/timesheets/${id}?workspace_id=${TWS}`);
    expect(final.body.data.entries).toHaveLength(stored.length);
  }, 120_000);
});
