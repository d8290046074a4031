import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { callApi } from '../support/api-client.ts';
import { testSeed, users } from '../support/fixtures.ts';
import { startTestRuntime } from '../support/test-runtime.ts';

/**
 * The change feed over HTTP on `npm start` (docs/change-feed.md): every type and action with
 * the record as its route answers it, tombstones, types and limits, cursors (valid,
 * malformed, foreign, retired), who may read it, settling, and the property that a reader
 * following the feed while entries and the directory are written reads exactly the changes
 * stored, once each, in order. The settle window is 5 s here (CHANGE_FEED_SETTLE_SECONDS):
 * DynamoDB Local writes the index with the table, and no write here lasts long.
 */
const FWS = 5;
const SETTLE_SECONDS = 5;
const writers = [501, 502, 503, 504];
const seed = {
  ...testSeed,
  workspaces: [...(testSeed.workspaces ?? []), { id: FWS, name: 'Feed' }],
  members: [
    ...(testSeed.members ?? []),
    { workspace_id: FWS, user_id: users.owner, role: 'owner' as const, status: 'active' as const },
    { workspace_id: FWS, user_id: users.member, role: 'regular_user' as const, status: 'active' as const },
    ...writers.map((user_id) => ({ workspace_id: FWS, user_id, role: 'regular_user' as const, status: 'active' as const })),
  ],
  projects: [...(testSeed.projects ?? []), { workspace_id: FWS, id: 80, name: 'Feed project' }],
};

let runtime: Awaited<ReturnType<typeof startTestRuntime>>;

async function call(method: string, path: string, options: { body?: unknown; caller?: number } = {}) {
  const token = await runtime.issuer.sign({ sub: String(options.caller ?? users.owner), scope: 'read write directory' });
  return callApi(runtime.server.baseUrl, method, path, {
    headers: { authorization: `Bearer ${token}`, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
}

type FeedChange = { cursor: string; type: string; action: string; id: string | number; at: string; by: number | null; version?: number; revision?: number; record: Record<string, unknown> | null };

const feed = (query: string, caller?: number) => call('GET', `/changes?workspace_id=${FWS}${query ? `&${query}` : ''}`, caller === undefined ? {} : { caller });
const settle = () => new Promise((resolve) => setTimeout(resolve, (SETTLE_SECONDS + 1.2) * 1000));

/** Every change after `since` (all, without it), page by page; the cursor to go on from. */
async function readToEnd(since: string | undefined, query = 'limit=7') {
  const changes: FeedChange[] = [];
  let cursor = since;
  for (;;) {
    const page = await feed(`${query}${cursor ? `&since=${cursor}` : ''}`);
    expect(page.status).toBe(200);
    changes.push(...(page.body.data as FeedChange[]));
    cursor = page.body.meta.next_cursor;
    if (!page.body.meta.has_more) return { changes, cursor: cursor! };
  }
}

const positionOf = (cursor: string) => JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')).p as string;
const cursorFor = (fields: Record<string, unknown>) => Buffer.from(JSON.stringify(fields)).toString('base64url');

describe('the change feed on the local runtime (source)', () => {
  beforeAll(async () => {
    runtime = await startTestRuntime({ name: 'change-feed', seed, env: { CHANGE_FEED_SETTLE_SECONDS: String(SETTLE_SECONDS) } });
  }, 120_000);
  afterAll(async () => {
    await runtime?.stop();
  });

  it('carries every type and action with the record as its route answers it, deletions as tombstones, oldest first', async () => {
    const start = await readToEnd(undefined);
    const workspace = await call('PUT', `/workspaces/${FWS}`, { body: { name: 'Feed, renamed' } });
    const member = await call('PUT', `/workspaces/${FWS}/members/${users.teamManager}`, { body: { role: 'team_manager', status: 'active', name: 'Tess' } });
    const project = await call('PUT', `/workspaces/${FWS}/projects/81`, { body: { name: 'Feed two', status: 'active' } });
    const contract = await call('PUT', `/workspaces/${FWS}/contracts/90`, { body: { user_id: users.member, project_id: 81, status: 'active', hourly_rate: { amount: 4000, currency: 'EUR' } } });
    const task = await call('PUT', `/workspaces/${FWS}/tasks/95`, { body: { project_id: 81, title: 'Feed task', status: 'open' } });
    for (const answer of [workspace, member, project, contract, task]) expect(answer.status).toBe(200);
    const removed = await call('DELETE', `/workspaces/${FWS}/members/${users.teamManager}`);
    expect(removed.status).toBe(200);
    const created = await call('POST', '/time-entries', {
      body: { workspace_id: FWS, user_id: users.member, start_time: '2026-11-02T09:00:00+00:00', end_time: '2026-11-02T10:00:00+00:00', contract_id: 90 },
    });
    expect(created.status).toBe(201);
    const entryId = created.body.data.id as string;
    const edited = await call('PATCH', `/time-entries/${entryId}?workspace_id=${FWS}`, { body: { activity_description: 'Feed' } });
    expect(edited.status).toBe(200);
    const started = await call('POST', '/time-tracking/start', { body: { workspace_id: FWS, user_id: users.member } });
    expect(started.status).toBe(200);
    const stopped = await call('POST', '/time-tracking/stop', { body: { workspace_id: FWS, user_id: users.member } });
    expect(stopped.status).toBe(200);
    const deleted = await call('DELETE', `/time-entries/${entryId}?workspace_id=${FWS}`);
    expect(deleted.status).toBe(200);

    await settle();
    const { changes } = await readToEnd(start.cursor);
    // Within one second, the feed orders by type, id and revision (its place), not by commit: compared as sets here, the order below.
    const summary = (list: unknown[][]) => list.map((item) => JSON.stringify(item)).sort();
    expect(summary(changes.map((change) => [change.type, change.action, change.id, change.version ?? change.revision]))).toEqual(
      summary([
        ['workspace', 'updated', FWS, 1],
        ['member', 'created', users.teamManager, 1],
        ['project', 'created', 81, 1],
        ['contract', 'created', 90, 1],
        ['task', 'created', 95, 1],
        ['member', 'removed', users.teamManager, 2],
        ['time_entry', 'created', entryId, 1],
        ['time_entry', 'updated', entryId, 2],
        ['time_entry', 'created', stopped.body.data.time_entry_id, 1],
        ['time_entry', 'deleted', entryId, 3],
      ]),
    );
    const byKey = (type: string, id: unknown, number: number) => changes.find((change) => change.type === type && change.id === id && (change.version ?? change.revision) === number)!;
    // The record after the change, exactly as its route answered it; null for a deletion.
    expect(byKey('workspace', FWS, 1).record).toEqual(workspace.body.data);
    expect(byKey('member', users.teamManager, 1).record).toEqual(member.body.data);
    expect(byKey('project', 81, 1).record).toEqual(project.body.data);
    expect(byKey('contract', 90, 1).record).toEqual(contract.body.data);
    expect(byKey('task', 95, 1).record).toEqual(task.body.data);
    expect(byKey('member', users.teamManager, 2).record).toBeNull();
    expect(byKey('time_entry', entryId, 1).record).toEqual(created.body.data);
    expect(byKey('time_entry', entryId, 2).record).toEqual(edited.body.data);
    expect(byKey('time_entry', entryId, 3).record).toBeNull();
    expect(byKey('time_entry', stopped.body.data.time_entry_id, 1).record).toMatchObject({ id: stopped.body.data.time_entry_id, source: 'tracker', stopped_by: users.owner });
    for (const change of changes) expect(change.by).toBe(users.owner);
    // Oldest first, each once: positions strictly ascending.
    const positions = changes.map((change) => positionOf(change.cursor));
    expect([...positions].sort()).toEqual(positions);
    expect(new Set(positions).size).toBe(positions.length);
  }, 60_000);

  it('filters by type, pages by limit without a gap or a repeat, and starts from any change’s cursor', async () => {
    const all = (await readToEnd(undefined, 'limit=500')).changes;
    expect(all.length).toBeGreaterThan(5);
    const byThree = (await readToEnd(undefined, 'limit=3')).changes;
    expect(byThree).toEqual(all);
    const entries = (await readToEnd(undefined, 'types=time_entry&limit=2')).changes;
    expect(entries).toEqual(all.filter((change) => change.type === 'time_entry'));
    const directory = (await readToEnd(undefined, 'types=member,project,contract&limit=4')).changes;
    expect(directory).toEqual(all.filter((change) => ['member', 'project', 'contract'].includes(change.type)));
    const middle = Math.floor(all.length / 2);
    expect((await readToEnd(all[middle]!.cursor, 'limit=500')).changes).toEqual(all.slice(middle + 1));
    // The last page's cursor is kept: reading from it answers nothing new, and says so.
    const last = await feed(`since=${all.at(-1)!.cursor}`);
    expect(last.status).toBe(200);
    expect(last.body.data).toEqual([]);
    expect(last.body.meta).toMatchObject({ next_cursor: all.at(-1)!.cursor, has_more: false });
  }, 60_000);

  it('shows a change only once it settled, and from then on at its place', async () => {
    const { cursor } = await readToEnd(undefined, 'limit=500');
    const created = await call('POST', '/time-entries', { body: { workspace_id: FWS, user_id: users.member, start_time: '2026-11-03T09:00:00+00:00', end_time: '2026-11-03T09:30:00+00:00' } });
    expect(created.status).toBe(201);
    const early = await feed(`since=${cursor}`);
    expect(early.status).toBe(200);
    // The entry is in the answer exactly when it was made before settled_until: read at once, it is not (unless this machine took over a second to answer the create).
    const settledAlready = Date.parse(created.body.data.created_at) < Date.parse(early.body.meta.settled_until);
    expect(early.body.data.map((change: FeedChange) => change.id)).toEqual(settledAlready ? [created.body.data.id] : []);
    if (!settledAlready) expect(early.body.meta.next_cursor).toBe(cursor);
    await settle();
    const later = await feed(`since=${cursor}`);
    expect(later.body.data.map((change: FeedChange) => [change.type, change.action, change.id])).toEqual([['time_entry', 'created', created.body.data.id]]);
  }, 30_000);

  it('refuses a malformed or foreign cursor (422 on since) and a retired one (410 cursor_expired), and a type it does not know', async () => {
    const foreign = await call('GET', `/changes?workspace_id=1`);
    expect(foreign.status).toBe(200);
    const cases: Array<[string, number, string]> = [
      ['not-base64-json', 422, 'since'],
      [cursorFor({ v: 1, w: FWS }), 422, 'since'],
      [cursorFor({ v: 1, w: FWS, p: 'ENTRY#x' }), 422, 'since'],
      [foreign.body.meta.next_cursor, 422, 'since'],
      [cursorFor({ v: 0, w: FWS, p: '' }), 410, 'cursor_expired'],
    ];
    for (const [since, status, what] of cases) {
      const answer = await feed(`since=${since}`);
      expect([since, answer.status]).toEqual([since, status]);
      if (status === 422) expect(Object.keys(answer.body.errors)).toEqual([what]);
      else expect(answer.body.error).toBe(what);
    }
    for (const types of ['timesheets', 'member,member', 'time_entry,']) {
      const answer = await feed(`types=${types}`);
      expect([types, answer.status, Object.keys(answer.body.errors ?? {})]).toEqual([types, 422, ['types']]);
    }
    // A cursor ahead of the settled time (another clock) reads nothing yet, and keeps its place.
    const ahead = cursorFor({ v: 1, w: FWS, p: `2099-01-01T00:00:00+00:00#time_entry#x#${'1'.padStart(10, '0')}` });
    const answer = await feed(`since=${ahead}`);
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual([]);
    expect(answer.body.meta.next_cursor).toBe(ahead);
  });

  it('is for the workspace’s owners and executive managers only: anyone else gets the same 403', async () => {
    for (const caller of [users.member, users.otherWorkspaceOwner, users.stranger]) {
      const answer = await feed('', caller);
      expect([caller, answer.status]).toEqual([caller, 403]);
      expect(answer.body.data).toBeUndefined();
    }
  });

  it('property: a reader following the feed while entries and the directory are written reads exactly the stored changes, once each, in order', async () => {
    type Operation =
      | { kind: 'create'; writer: number; day: number }
      | { kind: 'edit'; writer: number }
      | { kind: 'delete'; writer: number }
      | { kind: 'project'; id: number }
      | { kind: 'member'; role: string };
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('create' as const), writer: fc.constantFrom(...writers), day: fc.integer({ min: 1, max: 28 }) }),
      fc.record({ kind: fc.constant('edit' as const), writer: fc.constantFrom(...writers) }),
      fc.record({ kind: fc.constant('delete' as const), writer: fc.constantFrom(...writers) }),
      fc.record({ kind: fc.constant('project' as const), id: fc.integer({ min: 82, max: 84 }) }),
      fc.record({ kind: fc.constant('member' as const), role: fc.constantFrom('regular_user', 'team_manager') }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 20, maxLength: 40 }), async (operations: Operation[]) => {
        run++;
        const { cursor: from } = await readToEnd(undefined, 'limit=500');
        // Each writer's entries are its own (no overlap between writers); a writer edits and deletes its latest.
        const latest = new Map<number, string>();
        let slot = 0;
        const apply = async (op: Operation) => {
          if (op.kind === 'create') {
            const hour = String(slot++ % 20).padStart(2, '0');
            const day = `2026-${String(run).padStart(2, '0')}-${String(op.day).padStart(2, '0')}`;
            const answer = await call('POST', '/time-entries', { body: { workspace_id: FWS, user_id: op.writer, start_time: `${day}T${hour}:00:00+00:00`, end_time: `${day}T${hour}:30:00+00:00` } });
            if (answer.status === 201) latest.set(op.writer, answer.body.data.id);
            else expect(answer.status).toBe(409);
          } else if (op.kind === 'edit' || op.kind === 'delete') {
            const id = latest.get(op.writer);
            if (!id) return;
            const answer =
              op.kind === 'edit'
                ? await call('PATCH', `/time-entries/${id}?workspace_id=${FWS}`, { body: { activity_description: `run ${run}` } })
                : await call('DELETE', `/time-entries/${id}?workspace_id=${FWS}`);
            if (op.kind === 'delete' && answer.status === 200) latest.delete(op.writer);
            else expect([200, 404]).toContain(answer.status);
          } else if (op.kind === 'project') {
            expect((await call('PUT', `/workspaces/${FWS}/projects/${op.id}`, { body: { name: `Project ${op.id} run ${run} ${slot++}`, status: 'active' } })).status).toBe(200);
          } else {
            expect((await call('PUT', `/workspaces/${FWS}/members/${users.executive}`, { body: { role: op.role, status: 'active', name: `Eve ${slot++}` } })).status).toBe(200);
          }
        };
        // Four writers at once, each going through its share in order; the reader follows meanwhile.
        let writing = true;
        const lanes = [0, 1, 2, 3].map(async (lane) => {
          for (const op of operations.filter((_, index) => index % 4 === lane)) await apply(op);
        });
        const followed: FeedChange[] = [];
        let cursor = from;
        const reader = (async () => {
          while (writing) {
            const page = await readToEnd(cursor, 'limit=5');
            followed.push(...page.changes);
            cursor = page.cursor;
          }
        })();
        await Promise.all(lanes);
        writing = false;
        await reader;
        await settle();
        const rest = await readToEnd(cursor, 'limit=5');
        followed.push(...rest.changes);

        const stored = (await runtime.table.scan()).filter((item) => item.feed_pk === `WS#${FWS}#CHANGES`);
        const positionsRead = followed.map((change) => positionOf(change.cursor));
        const storedAfter = stored
          .map((item) => String(item.feed_sk))
          .filter((position) => position > positionOf(from))
          .sort();
        // Never a repeat, never a gap, in the feed's order.
        expect(new Set(positionsRead).size).toBe(positionsRead.length);
        expect(positionsRead).toEqual(storedAfter);
        // And the stored items are the changes themselves: each entry version and directory change of the workspace.
        const versions = stored.filter((item) => item.entity === 'time_entry_version').length;
        const directoryChanges = stored.filter((item) => item.entity === 'directory_change').length;
        expect(versions + directoryChanges).toBe(stored.length);
        const all = (await runtime.table.scan()).filter((item) => item.workspace_id === FWS && (item.entity === 'time_entry_version' || item.entity === 'directory_change'));
        expect(all.length).toBe(stored.length);
      }),
      { numRuns: 2, seed: 20261208, endOnFailure: true },
    );
  }, 180_000);
});
