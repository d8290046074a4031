import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { callApi } from '../support/api-client.ts';
import { testSeed, users } from '../support/fixtures.ts';
import { startTestRuntime } from '../support/test-runtime.ts';

/**
 * Time requests over HTTP on `npm start` (docs/time-requests.md): a member asks for their own
 * time only, the rules of an entry create (but the overlap) at once, the list for managers
 * and for oneself, approval making exactly one entry (concurrent approvals included) and
 * refusing an overlap with the member's time as it is now, rejection with a comment, the
 * requester's cancellation, and nobody else reaching a request.
 */
const RQ = 7;
const ann = 701;
const bob = 702;
const seed = {
  ...testSeed,
  workspaces: [...(testSeed.workspaces ?? []), { id: RQ, name: 'Requests' }],
  members: [
    ...(testSeed.members ?? []),
    { workspace_id: RQ, user_id: users.owner, role: 'owner' as const, status: 'active' as const },
    { workspace_id: RQ, user_id: ann, role: 'regular_user' as const, status: 'active' as const },
    { workspace_id: RQ, user_id: bob, role: 'regular_user' as const, status: 'active' as const },
    { workspace_id: RQ, user_id: users.viewer, role: 'project_viewer' as const, status: 'active' as const },
  ],
  projects: [...(testSeed.projects ?? []), { workspace_id: RQ, id: 95, name: 'Support' }],
  contracts: [...(testSeed.contracts ?? []), { workspace_id: RQ, id: 96, user_id: ann, project_id: 95, status: 'active' as const }],
};

let runtime: Awaited<ReturnType<typeof startTestRuntime>>;

async function call(method: string, path: string, options: { body?: unknown; caller?: number } = {}) {
  const token = await runtime.issuer.sign({ sub: String(options.caller ?? users.owner), scope: 'read write' });
  return callApi(runtime.server.baseUrl, method, path, {
    headers: { authorization: `Bearer ${token}`, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
}

const ask = (caller: number, userId: number, start: string, end: string, extra: Record<string, unknown> = {}) =>
  call('POST', '/time-requests', { caller, body: { workspace_id: RQ, user_id: userId, start_time: start, end_time: end, ...extra } });

describe('time requests on the local runtime (source)', () => {
  beforeAll(async () => {
    runtime = await startTestRuntime({ name: 'time-requests', seed });
  }, 120_000);
  afterAll(async () => {
    await runtime?.stop();
  });

  it('a member asks for their own time only, checked as an entry create but for the overlap', async () => {
    const made = await ask(ann, ann, '2026-11-16T09:00:00+00:00', '2026-11-16T11:00:00+00:00', { contract_id: 96, note: 'Call from home' });
    expect(made.status).toBe(201);
    expect(made.body.data).toMatchObject({ user_id: ann, status: 'pending', duration_seconds: 7200, contract_id: 96, project_id: 95, note: 'Call from home', time_entry_id: null });
    // For someone else: 403, whoever asks (an owner adds time with POST /time-entries).
    expect((await ask(ann, bob, '2026-11-16T09:00:00+00:00', '2026-11-16T10:00:00+00:00')).status).toBe(403);
    expect((await ask(users.owner, ann, '2026-11-16T09:00:00+00:00', '2026-11-16T10:00:00+00:00')).status).toBe(403);
    // A project viewer tracks no time; the rules of a create: 24 h, the future, the contract.
    expect((await ask(users.viewer, users.viewer, '2026-11-16T09:00:00+00:00', '2026-11-16T10:00:00+00:00')).status).toBe(403);
    expect(Object.keys((await ask(ann, ann, '2026-11-16T09:00:00+00:00', '2026-11-17T10:00:00+00:00')).body.errors)).toEqual(['end_time']);
    expect(Object.keys((await ask(ann, ann, '2099-01-01T09:00:00+00:00', '2099-01-01T10:00:00+00:00')).body.errors)).toEqual(['end_time']);
    expect((await ask(bob, bob, '2026-11-16T09:00:00+00:00', '2026-11-16T10:00:00+00:00', { contract_id: 96 })).status).toBe(422);
    // Overlap is not checked now: two requests may cover the same time.
    expect((await ask(ann, ann, '2026-11-16T10:00:00+00:00', '2026-11-16T12:00:00+00:00')).status).toBe(201);
  });

  it('lists a workspace’s requests for its managers, and a member’s own for them', async () => {
    const all = await call('GET', `/time-requests?workspace_id=${RQ}&from=2026-11-16&to=2026-11-16`);
    expect(all.status).toBe(200);
    expect(all.body.data.map((request: { start_time: string }) => request.start_time)).toEqual(['2026-11-16T09:00:00+00:00', '2026-11-16T10:00:00+00:00']);
    await ask(bob, bob, '2026-11-16T13:00:00+00:00', '2026-11-16T14:00:00+00:00');
    const own = await call('GET', `/time-requests?workspace_id=${RQ}&from=2026-11-16&to=2026-11-16&user_id=${ann}`, { caller: ann });
    expect(own.body.data.map((request: { user_id: number }) => request.user_id)).toEqual([ann, ann]);
    expect((await call('GET', `/time-requests?workspace_id=${RQ}&from=2026-11-16&to=2026-11-16`, { caller: ann })).status).toBe(403);
    expect((await call('GET', `/time-requests?workspace_id=${RQ}&from=2026-11-16&to=2026-11-16&user_id=${bob}`, { caller: ann })).status).toBe(403);
    expect((await call('GET', `/time-requests?workspace_id=${RQ}&from=2026-01-01&to=2027-01-03`)).status).toBe(422);
  });

  it('approval makes exactly one entry, even when approvals race; an overlap with the member’s time now leaves it pending', async () => {
    const listed = (await call('GET', `/time-requests?workspace_id=${RQ}&from=2026-11-16&to=2026-11-16&user_id=${ann}`)).body.data as Array<{ id: string }>;
    const [first, second] = listed;
    const answers = await Promise.all([1, 2, 3].map(() => call('POST', `/time-requests/${first!.id}/approve?workspace_id=${RQ}`)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409, 409]);
    const approved = answers.find((answer) => answer.status === 200)!.body.data;
    expect(approved).toMatchObject({ status: 'approved', decided_by: users.owner });
    const entry = await call('GET', `/time-entries/${approved.time_entry_id}?workspace_id=${RQ}`);
    expect(entry.body.data).toMatchObject({ source: 'request', created_by: ann, approved_by: users.owner, start_time: '2026-11-16T09:00:00+00:00', activity_description: 'Call from home' });
    const entries = (await runtime.table.scan()).filter((item) => item.entity === 'time_entry_by_id' && item.user_id === ann);
    expect(entries).toHaveLength(1);
    // Into a submitted timesheet: refused when asked, and when approved (the entry would be written into a locked day).
    const week = `${ann}_2026-11-16_2026-11-22`;
    const late = await ask(ann, ann, '2026-11-17T09:00:00+00:00', '2026-11-17T10:00:00+00:00');
    expect((await call('POST', `/timesheets/${week}/submit?workspace_id=${RQ}`)).status).toBe(200);
    const refusedAsk = await ask(ann, ann, '2026-11-18T09:00:00+00:00', '2026-11-18T10:00:00+00:00');
    expect([refusedAsk.status, refusedAsk.body.error]).toEqual([409, 'timesheet_locked']);
    const refusedApproval = await call('POST', `/time-requests/${late.body.data.id}/approve?workspace_id=${RQ}`);
    expect([refusedApproval.status, refusedApproval.body.error]).toEqual([409, 'timesheet_locked']);
    expect((await call('POST', `/timesheets/${week}/unsubmit?workspace_id=${RQ}`)).status).toBe(200);
    expect((await call('DELETE', `/time-requests/${late.body.data.id}?workspace_id=${RQ}`, { caller: ann })).status).toBe(200);
    // The second overlaps the entry the first became: 409, still pending.
    const overlap = await call('POST', `/time-requests/${second!.id}/approve?workspace_id=${RQ}`);
    expect([overlap.status, overlap.body.error]).toEqual([409, 'time_entry_overlap']);
    expect((await call('GET', `/time-requests?workspace_id=${RQ}&from=2026-11-16&to=2026-11-16&status=pending&user_id=${ann}`)).body.data.map((r: { id: string }) => r.id)).toEqual([second!.id]);
  });

  it('rejects with a required comment; its requester alone cancels while pending; nobody else reaches a request', async () => {
    const bobs = (await call('GET', `/time-requests?workspace_id=${RQ}&from=2026-11-16&to=2026-11-16&user_id=${bob}`)).body.data[0] as { id: string };
    expect((await call('POST', `/time-requests/${bobs.id}/reject?workspace_id=${RQ}`, { body: {} })).status).toBe(422);
    for (const [method, path, caller] of [
      ['POST', `/time-requests/${bobs.id}/approve?workspace_id=${RQ}`, ann],
      ['POST', `/time-requests/${bobs.id}/reject?workspace_id=${RQ}`, ann],
      ['DELETE', `/time-requests/${bobs.id}?workspace_id=${RQ}`, ann],
      ['DELETE', `/time-requests/${bobs.id}?workspace_id=${RQ}`, users.owner],
      ['POST', `/time-requests/${bobs.id}/approve?workspace_id=1`, users.owner],
    ] as const) {
      const answer = await call(method, path, { caller, ...(path.includes('reject') ? { body: { comment: 'x' } } : {}) });
      expect([method, path, caller, answer.status]).toEqual([method, path, caller, 404]);
    }
    const cancelled = await call('DELETE', `/time-requests/${bobs.id}?workspace_id=${RQ}`, { caller: bob });
    expect(cancelled.body.data).toMatchObject({ status: 'cancelled', decided_by: bob });
    const again = await call('DELETE', `/time-requests/${bobs.id}?workspace_id=${RQ}`, { caller: bob });
    expect([again.status, again.body.error]).toEqual([409, 'invalid_transition']);
    const pending = (await call('GET', `/time-requests?workspace_id=${RQ}&from=2026-11-16&to=2026-11-16&status=pending`)).body.data[0] as { id: string };
    const rejected = await call('POST', `/time-requests/${pending.id}/reject?workspace_id=${RQ}`, { body: { comment: 'It overlaps your call.' } });
    expect(rejected.body.data).toMatchObject({ status: 'rejected', comment: 'It overlaps your call.', decided_by: users.owner });
  });
});
