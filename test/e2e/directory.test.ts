import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { callApi } from '../support/api-client.ts';
import { OTHER_WS, testSeed, users, WS } from '../support/fixtures.ts';
import { startTestRuntime } from '../support/test-runtime.ts';

/**
 * The workspace directory and personal access tokens over HTTP, on `npm start` and on
 * `npm run start:template` (the template's bundles and IAM): every route, the version and
 * concurrency rules of a sync job, every integrity rule, a member removed while tracking, a
 * platform credential that manages but cannot track, and a token's whole life. Every answer
 * is checked against the OpenAPI document (callApi).
 */
const NEW_WS = 50;
const SYNC = 900;
let runtime: Awaited<ReturnType<typeof startTestRuntime>>;

type Options = { body?: unknown; caller?: number; scope?: string; headers?: Record<string, string>; bearer?: string; scheme?: string };
async function call(method: string, path: string, options: Options = {}) {
  const bearer = options.bearer ?? (await runtime.issuer.sign({ sub: String(options.caller ?? users.owner), ...(options.scope ? { scope: options.scope } : {}) }));
  const response = await callApi(runtime.server.baseUrl, method, path, {
    headers: { authorization: `${options.scheme ?? 'Bearer'} ${bearer}`, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: response.status, headers: response.headers, body: response.body };
}
/** The organisation's sync job: a platform credential, member of nothing. */
const sync = (method: string, path: string, options: Options = {}) => call(method, path, { ...options, caller: SYNC, scope: 'directory' });
const member = (workspace: number, user: number) => `/workspaces/${workspace}/members/${user}`;
const stored = async (pk: string, sk: string) => (await runtime.table.scan()).find((item) => item.pk === pk && item.sk === sk);

describe.each(['source', 'template'] as const)('the directory on the local runtime (%s)', (mode) => {
  beforeAll(async () => {
    runtime = await startTestRuntime({ name: `directory-${mode}`, seed: testSeed, env: mode === 'template' ? { RUNTIME: 'template' } : {} });
  }, 300_000);
  afterAll(async () => {
    await runtime?.stop();
  });

  it('lets a platform credential create a workspace with its first owner, who then manages it; nobody else creates workspaces', async () => {
    expect((await sync('PUT', `/workspaces/${NEW_WS}`, { body: { name: 'Initech' } })).body.errors).toEqual({ owner_user_id: ['The owner user id field is required for a new workspace.'] });
    const created = await sync('PUT', `/workspaces/${NEW_WS}`, { body: { name: 'Initech', owner_user_id: 501, version: 1 } });
    expect(created.status).toBe(200);
    expect(created.body.data).toEqual({ workspace_id: NEW_WS, name: 'Initech', version: 1, updated_at: expect.any(String), updated_by: SYNC });
    expect(created.headers.get('etag')).toBe('"1"');
    // The owner (an ordinary user token) manages the new workspace's directory, but cannot rename it.
    const members = await call('GET', `/workspaces/${NEW_WS}/members`, { caller: 501 });
    expect(members.body.data).toEqual([expect.objectContaining({ workspace_id: NEW_WS, user_id: 501, role: 'owner', status: 'active' })]);
    expect((await call('PUT', `/workspaces/${NEW_WS}`, { caller: 501, body: { name: 'Renamed' } })).status).toBe(403);
    expect((await call('PUT', `/workspaces/${NEW_WS}`, { caller: 501, scope: 'read write directory', body: { name: 'Initech' } })).status).toBe(200);
  });

  it('puts, lists and replaces members, projects, contracts and tasks, each with its ETag and an audit entry', async () => {
    // An owner makes no member: the user joins by accepting an invitation (or the sync job makes them one).
    const refused = await call('PUT', member(WS, 601), { body: { role: 'regular_user', status: 'active', name: 'Ann', email: 'ann@example.com' } });
    expect([refused.status, refused.body.error, refused.body.message]).toEqual([403, 'forbidden', expect.stringContaining('invite them')]);
    const invited = await call('POST', `/workspaces/${WS}/invitations`, { body: { user_id: 601, role: 'regular_user' } });
    expect((await call('POST', `/invitations/${invited.body.data.id}/accept`, { caller: 601 })).status).toBe(200);
    const put = await call('PUT', member(WS, 601), { body: { role: 'regular_user', status: 'active', name: 'Ann', email: 'ann@example.com' } });
    expect(put.status).toBe(200);
    expect(put.body.data).toEqual({
      workspace_id: WS,
      user_id: 601,
      role: 'regular_user',
      status: 'active',
      name: 'Ann',
      email: 'ann@example.com',
      version: null,
      updated_at: expect.any(String),
      updated_by: users.owner,
    });
    expect(put.headers.get('etag')).toBe('"2"');
    const project = await call('PUT', `/workspaces/${WS}/projects/70`, { body: { name: 'Intranet', status: 'active' } });
    const contract = await call('PUT', `/workspaces/${WS}/contracts/80`, { body: { user_id: 601, project_id: 70, status: 'active' } });
    const task = await call('PUT', `/workspaces/${WS}/tasks/90`, { body: { project_id: 70, title: 'Wiki', status: 'open' } });
    expect([project.status, contract.status, task.status]).toEqual([200, 200, 200]);
    expect(task.body.data).toMatchObject({ workspace_id: WS, task_id: 90, project_id: 70, title: 'Wiki', status: 'open' });
    for (const [kind, id] of [
      ['members', 601],
      ['projects', 70],
      ['contracts', 80],
      ['tasks', 90],
    ] as const) {
      // Every page, by cursor, two at a time: each record once.
      const ids: number[] = [];
      let cursor: string | null = null;
      do {
        const listed = await call('GET', `/workspaces/${WS}/${kind}?per_page=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(listed.status).toBe(200);
        expect(listed.body.data.length).toBeLessThanOrEqual(2);
        ids.push(...listed.body.data.map((record: Record<string, number>) => Object.values(record)[1]!));
        cursor = listed.body.meta.pagination.next_cursor;
        expect(listed.body.meta.pagination.has_more).toBe(cursor !== null);
      } while (cursor);
      expect(ids).toContain(id);
      expect(new Set(ids).size).toBe(ids.length);
    }
    // Records from the seed read with the defaults: no version, revision 0.
    expect((await call('GET', `/workspaces/${WS}/projects`)).body.data[0]).toMatchObject({ project_id: 10, status: 'active', version: null, updated_at: null });
    // The new member tracks on the new contract and task.
    expect((await call('POST', '/time-tracking/start', { body: { workspace_id: WS, user_id: 601, contract_id: 80, task_id: 90 } })).status).toBe(200);
    expect((await call('POST', '/time-tracking/stop', { body: { workspace_id: WS, user_id: 601 } })).status).toBe(200);
    // A replacement changes what it names; If-Match with a stale revision changes nothing.
    expect((await call('PUT', member(WS, 601), { headers: { 'if-match': '"7"' }, body: { role: 'team_manager', status: 'active' } })).status).toBe(412);
    const replaced = await call('PUT', member(WS, 601), { headers: { 'if-match': '"2"' }, body: { role: 'team_manager', status: 'active' } });
    expect(replaced.body.data).toMatchObject({ role: 'team_manager', name: null, email: null });
    expect(replaced.headers.get('etag')).toBe('"3"');
    const audit = (await runtime.table.scan()).filter((item) => item.pk === `WS#${WS}#MEMBER#601`);
    expect(audit.map((item) => [item.action, item.by, item.changes])).toEqual([
      ['put', 601, { role: [null, 'regular_user'], status: [null, 'active'] }],
      ['put', users.owner, { name: [null, 'Ann'], email: [null, 'ann@example.com'] }],
      ['put', users.owner, { role: ['regular_user', 'team_manager'], name: ['Ann', null], email: ['ann@example.com', null] }],
    ]);
    // Check 5 of the directory: owners write; executive managers read; regular members neither.
    expect((await call('PUT', member(WS, 602), { caller: users.executive, body: { role: 'regular_user', status: 'active' } })).status).toBe(403);
    expect((await call('GET', `/workspaces/${WS}/members`, { caller: users.executive })).status).toBe(200);
    expect((await call('GET', `/workspaces/${WS}/members`, { caller: users.member })).status).toBe(403);
    expect((await call('PUT', member(WS, 602), { scope: 'read', body: { role: 'regular_user', status: 'active' } })).status).toBe(403);
  });

  it('never lets a replayed or reordered sync go back: stale versions are 409 with the stored one, a replay is 200 unchanged, one of two racing writes wins', async () => {
    const path = member(WS, 610);
    expect((await sync('PUT', path, { body: { role: 'regular_user', status: 'active', name: 'v3', version: 3 } })).status).toBe(200);
    const older = await sync('PUT', path, { body: { role: 'owner', status: 'active', name: 'v2', version: 2 } });
    expect(older.status).toBe(409);
    expect(older.body).toMatchObject({ error: 'stale_version', message: expect.stringContaining('Version 3 is stored') });
    const replay = await sync('PUT', path, { body: { role: 'regular_user', status: 'active', name: 'v3', version: 3 } });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('etag')).toBe('"1"');
    expect((await sync('PUT', path, { body: { role: 'regular_user', status: 'inactive', name: 'v3', version: 3 } })).status).toBe(409);
    expect(await stored(`WS#${WS}`, 'MEMBER#610')).toMatchObject({ name: 'v3', source_version: 3, revision: 1, status: 'active' });
    // Two writes of one version with different content, at once: exactly one wins.
    const racing = await Promise.all(['a', 'b', 'c', 'd'].map((name) => sync('PUT', path, { body: { role: 'regular_user', status: 'active', name, version: 4 } })));
    expect(racing.map((response) => response.status).sort()).toEqual([200, 409, 409, 409]);
    const winner = racing.find((response) => response.status === 200)!.body.data.name;
    expect(await stored(`WS#${WS}`, 'MEMBER#610')).toMatchObject({ name: winner, source_version: 4, revision: 2 });
    // The versions are the sync job's alone: an owner pinning one at 2^53 - 1 would refuse the job's every later write.
    const pinned = await call('PUT', path, { body: { role: 'regular_user', status: 'active', name: winner, version: Number.MAX_SAFE_INTEGER } });
    expect([pinned.status, Object.keys(pinned.body.errors ?? {})]).toEqual([422, ['version']]);
    expect(await stored(`WS#${WS}`, 'MEMBER#610')).toMatchObject({ source_version: 4, revision: 2 });
    expect((await sync('PUT', path, { body: { role: 'regular_user', status: 'active', name: winner, version: 5 } })).status).toBe(200);
  });

  it('keeps the directory whole: each integrity rule is a 422 on its field, and nothing changes', async () => {
    const before = JSON.stringify(await runtime.table.scan());
    const refusals: Array<[string, unknown, string]> = [
      [`/workspaces/${WS}/contracts/81`, { user_id: 777, project_id: 10, status: 'active' }, 'user_id'],
      [`/workspaces/${WS}/contracts/81`, { user_id: users.member, project_id: 777, status: 'active' }, 'project_id'],
      [`/workspaces/${WS}/contracts/81`, { user_id: users.viewer, project_id: 10, status: 'active' }, 'user_id'],
      [`/workspaces/${WS}/tasks/91`, { project_id: 777, title: 'Nowhere', status: 'open' }, 'project_id'],
      [member(NEW_WS, 501), { role: 'regular_user', status: 'active' }, 'role'],
      [member(NEW_WS, 501), { role: 'owner', status: 'inactive' }, 'status'],
    ];
    for (const [path, body, field] of refusals) {
      const refused = await call('PUT', path, { caller: path.includes(`/${NEW_WS}/`) ? 501 : users.owner, body });
      expect([path, refused.status, Object.keys(refused.body.errors ?? {})]).toEqual([path, 422, [field]]);
    }
    const lastOwner = await call('DELETE', member(NEW_WS, 501), { caller: 501 });
    expect([lastOwner.status, lastOwner.body.errors]).toEqual([422, { user_id: ['The last active owner of a workspace cannot be removed.'] }]);
    expect(JSON.stringify(await runtime.table.scan())).toBe(before);
    // With a second owner, the first may step down; the second then is the last.
    expect((await sync('PUT', member(NEW_WS, 502), { body: { role: 'owner', status: 'active' } })).status).toBe(200);
    expect((await call('PUT', member(NEW_WS, 501), { caller: 501, body: { role: 'regular_user', status: 'active' } })).status).toBe(200);
    expect((await call('DELETE', member(NEW_WS, 502), { caller: 502 })).status).toBe(422);
  });

  it('refuses archived projects and closed tasks to trackers and entries (422 on the field)', async () => {
    expect((await call('PUT', `/workspaces/${WS}/projects/71`, { body: { name: 'Legacy', status: 'active' } })).status).toBe(200);
    expect((await call('PUT', `/workspaces/${WS}/contracts/82`, { body: { user_id: users.otherMember, project_id: 71, status: 'active' } })).status).toBe(200);
    expect((await call('PUT', `/workspaces/${WS}/tasks/92`, { body: { project_id: 71, title: 'Old', status: 'closed' } })).status).toBe(200);
    const startClosed = await call('POST', '/time-tracking/start', { body: { workspace_id: WS, user_id: users.otherMember, contract_id: 82, task_id: 92 } });
    expect([startClosed.status, startClosed.body.errors]).toEqual([422, { task_id: ['The selected task is closed.'] }]);
    expect((await call('PUT', `/workspaces/${WS}/projects/71`, { body: { name: 'Legacy', status: 'archived' } })).status).toBe(200);
    const startArchived = await call('POST', '/time-tracking/start', { body: { workspace_id: WS, user_id: users.otherMember, contract_id: 82 } });
    expect([startArchived.status, startArchived.body.errors]).toEqual([422, { contract_id: ["The selected contract's project is archived."] }]);
    const entry = await call('POST', '/time-entries', {
      body: { workspace_id: WS, user_id: users.otherMember, contract_id: 82, start_time: '2026-02-02T09:00:00Z', end_time: '2026-02-02T10:00:00Z' },
    });
    expect([entry.status, Object.keys(entry.body.errors ?? {})]).toEqual([422, ['contract_id']]);
    // Brought back, it takes time again.
    expect((await call('PUT', `/workspaces/${WS}/projects/71`, { body: { name: 'Legacy', status: 'active' } })).status).toBe(200);
    expect((await call('POST', '/time-tracking/start', { body: { workspace_id: WS, user_id: users.otherMember, contract_id: 82 } })).status).toBe(200);
    expect((await call('POST', '/time-tracking/stop', { body: { workspace_id: WS, user_id: users.otherMember } })).status).toBe(200);
  });

  it('removes a member who is tracking: the tracker stays stoppable, the member is gone from the list', async () => {
    expect((await sync('PUT', member(WS, 620), { body: { role: 'regular_user', status: 'active' } })).status).toBe(200);
    expect((await call('POST', '/time-tracking/start', { body: { workspace_id: WS, user_id: 620 } })).status).toBe(200);
    const removed = await call('DELETE', member(WS, 620));
    expect([removed.status, removed.body.data]).toEqual([200, { workspace_id: WS, user_id: 620, deleted: true }]);
    expect((await call('GET', `/workspaces/${WS}/members?per_page=50`)).body.data.map((record: { user_id: number }) => record.user_id)).not.toContain(620);
    expect((await call('GET', `/time-tracking/current-data?workspace_id=${WS}&user_id=620`)).body.data.is_tracking).toBe(true);
    expect((await call('POST', '/time-tracking/stop', { body: { workspace_id: WS, user_id: 620 } })).status).toBe(200);
    expect((await call('DELETE', member(WS, 620))).status).toBe(404);
  });

  it('makes a member only of a user who accepts an invitation: no owner can track, lock or probe a user of another workspace', async () => {
    const [globex, stranger] = [OTHER_WS, users.otherMember];
    // The finding: an owner of Globex made a member of Acme's user, then kept a tracker running for them.
    const made = await call('PUT', member(globex, stranger), { caller: users.otherWorkspaceOwner, body: { role: 'regular_user', status: 'active' } });
    expect(made.status).toBe(403);
    const probe = await call('POST', '/time-tracking/start', { caller: users.otherWorkspaceOwner, body: { workspace_id: globex, user_id: stranger } });
    expect(probe.status).toBe(404);
    expect((await call('POST', '/time-tracking/start', { body: { workspace_id: WS, user_id: stranger } })).status).toBe(200);
    expect((await call('POST', '/time-tracking/stop', { body: { workspace_id: WS, user_id: stranger } })).status).toBe(200);

    // Invited, the user sees it, and only they can answer it.
    const invitation = await call('POST', `/workspaces/${globex}/invitations`, { caller: users.otherWorkspaceOwner, body: { user_id: stranger, role: 'regular_user' } });
    expect(invitation.status).toBe(201);
    expect(invitation.body.data).toEqual({
      id: expect.stringMatching(/^inv_/),
      workspace_id: globex,
      user_id: stranger,
      role: 'regular_user',
      status: 'pending',
      invited_by: users.otherWorkspaceOwner,
      created_at: expect.any(String),
      expires_at: expect.any(String),
      decided_at: null,
    });
    expect(Date.parse(invitation.body.data.expires_at) - Date.parse(invitation.body.data.created_at)).toBe(14 * 86_400_000);
    const { id } = invitation.body.data;
    expect((await call('GET', '/invitations', { caller: stranger })).body.data.map((listed: { id: string }) => listed.id)).toEqual([id]);
    expect((await call('GET', '/invitations', { caller: users.member })).body.data).toEqual([]);
    expect((await call('GET', `/invitations?workspace_id=${globex}`, { caller: users.otherWorkspaceOwner })).body.data.map((listed: { id: string }) => listed.id)).toEqual([id]);
    expect((await call('GET', `/invitations?workspace_id=${globex}`, { caller: users.owner })).status).toBe(403);
    expect((await call('POST', `/invitations/${id}/accept`, { caller: users.otherWorkspaceOwner })).status).toBe(404);
    expect((await call('POST', `/invitations/${id}/accept`, { caller: stranger, scope: 'read' })).body.error).toBe('insufficient_scope');
    const twice = await call('POST', `/workspaces/${globex}/invitations`, { caller: users.otherWorkspaceOwner, body: { user_id: stranger, role: 'owner' } });
    expect([twice.status, Object.keys(twice.body.errors)]).toEqual([422, ['user_id']]);
    // Only owners invite; a member is not invited again.
    expect((await call('POST', `/workspaces/${WS}/invitations`, { caller: users.executive, body: { user_id: 640, role: 'regular_user' } })).status).toBe(403);
    expect(Object.keys((await call('POST', `/workspaces/${WS}/invitations`, { body: { user_id: users.member, role: 'regular_user' } })).body.errors)).toEqual(['user_id']);

    // Accepted: a member with the invitation's role, once.
    const accepted = await call('POST', `/invitations/${id}/accept`, { caller: stranger });
    expect([accepted.status, accepted.body.data.status, accepted.body.data.decided_at]).toEqual([200, 'accepted', expect.any(String)]);
    // Accepting again answers it as it is (a retry after a lost answer is safe); declining it now is too late.
    const again = await call('POST', `/invitations/${id}/accept`, { caller: stranger });
    expect([again.status, again.body.data]).toEqual([200, accepted.body.data]);
    expect((await call('POST', `/invitations/${id}/decline`, { caller: stranger })).body.error).toBe('invitation_not_pending');
    expect(await stored(`WS#${globex}`, `MEMBER#${stranger}`)).toMatchObject({ role: 'regular_user', status: 'active', revision: 1, updated_by: stranger });
    expect((await call('GET', '/invitations', { caller: stranger })).body.data).toEqual([]);

    // Declined: never accepted afterwards.
    const declinedOne = (await call('POST', `/workspaces/${globex}/invitations`, { caller: users.otherWorkspaceOwner, body: { user_id: 641, role: 'regular_user' } })).body.data;
    expect((await call('POST', `/invitations/${declinedOne.id}/decline`, { caller: 641 })).body.data.status).toBe('declined');
    expect((await call('POST', `/invitations/${declinedOne.id}/accept`, { caller: 641 })).body.error).toBe('invitation_not_pending');
    expect(await stored(`WS#${globex}`, 'MEMBER#641')).toBeUndefined();
    // A member holds API keys once they are one: the membership's mark in their partition comes and goes with it.
    expect(await stored(`USER#${stranger}`, `MEMBER#${globex}`)).toMatchObject({ workspace_id: globex });
    expect((await call('POST', '/api-keys', { caller: 641, body: { name: 'k', scopes: ['read'] } })).status).toBe(403);

    // A member stops their own tracker wherever it runs, whatever their role, even once removed; only their own.
    expect((await call('POST', '/time-tracking/start', { caller: users.otherWorkspaceOwner, body: { workspace_id: globex, user_id: stranger } })).status).toBe(200);
    expect((await call('GET', `/time-tracking/current-data?workspace_id=${globex}&user_id=${stranger}`, { caller: stranger })).body.data.is_tracking).toBe(true);
    expect((await call('GET', `/time-tracking/current-data?workspace_id=${globex}&user_id=${users.member}`, { caller: stranger })).status).toBe(403);
    expect((await call('POST', '/time-tracking/stop', { caller: stranger, body: { workspace_id: WS, user_id: users.member } })).status).toBe(403);
    const ownStop = await call('POST', '/time-tracking/stop', { caller: stranger, body: { workspace_id: globex, user_id: stranger } });
    expect([ownStop.status, ownStop.body.data.stopped_by]).toEqual([200, stranger]);
    expect((await call('POST', '/time-tracking/stop', { caller: stranger, body: { workspace_id: globex, user_id: stranger } })).body.error).toBe('no_active_tracker');
    expect((await call('POST', '/time-tracking/start', { caller: users.otherWorkspaceOwner, body: { workspace_id: globex, user_id: stranger } })).status).toBe(200);
    expect((await call('DELETE', member(globex, stranger), { caller: users.otherWorkspaceOwner })).status).toBe(200);
    expect(await stored(`USER#${stranger}`, `MEMBER#${globex}`)).toBeUndefined();
    expect((await call('POST', '/time-tracking/stop', { caller: stranger, body: { workspace_id: globex, user_id: stranger } })).status).toBe(200);
    // Removed and not tracking there: nothing to see, as for anyone.
    expect((await call('GET', `/time-tracking/current-data?workspace_id=${globex}&user_id=${stranger}`, { caller: stranger })).status).toBe(403);
  }, 60_000);

  it('lets a platform credential manage any workspace, but not track or read tracking data', async () => {
    expect((await sync('PUT', member(WS, 630), { body: { role: 'regular_user', status: 'active', version: 1 } })).status).toBe(200);
    expect((await sync('GET', `/workspaces/${WS}/contracts`)).status).toBe(200);
    const start = await sync('POST', '/time-tracking/start', { body: { workspace_id: WS, user_id: 630 } });
    expect([start.status, start.body.error]).toEqual([403, 'insufficient_scope']);
    expect((await sync('GET', `/time-entries?workspace_id=${WS}&user_id=630&date=2026-01-01`)).status).toBe(403);
    expect((await sync('PUT', '/workspaces/77/members/1', { body: { role: 'owner', status: 'active' } })).status).toBe(404);
  });

  it("creates, uses, lists and revokes a user's own tokens; refuses scopes not held, a 21st live key and someone else's key", async () => {
    const created = await call('POST', '/api-keys', { caller: users.executive, headers: { 'idempotency-key': `pat-${mode}` }, body: { name: 'laptop', scopes: ['read'] } });
    expect(created.status).toBe(201);
    expect(created.body.data).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{16}$/),
      name: 'laptop',
      scopes: ['read'],
      created_at: expect.any(String),
      expires_at: expect.any(String),
      key: expect.stringMatching(/^ttk_/),
    });
    // Every key expires: absent, at the longest lifetime (90 days).
    expect(Date.parse(created.body.data.expires_at) - Date.parse(created.body.data.created_at)).toBe(90 * 86_400_000);
    const { key, id } = created.body.data;
    // The key itself is stored nowhere, not even in the Idempotency-Key's record: a replay answers what was made, without it.
    expect(JSON.stringify(await runtime.table.scan())).not.toContain(key);
    const replayed = await call('POST', '/api-keys', { caller: users.executive, headers: { 'idempotency-key': `pat-${mode}` }, body: { name: 'laptop', scopes: ['read'] } });
    expect([replayed.status, replayed.headers.get('idempotent-replayed')]).toEqual([201, 'true']);
    const { key: _key, ...metadata } = created.body.data;
    expect(replayed.body.data).toEqual(metadata);
    // A replay re-checks the credential: a read token of the same user gets nothing.
    const readReplay = await call('POST', '/api-keys', { caller: users.executive, scope: 'read', headers: { 'idempotency-key': `pat-${mode}` }, body: { name: 'laptop', scopes: ['read'] } });
    expect([readReplay.status, readReplay.body.error]).toEqual([403, 'insufficient_scope']);
    // The key works, with exactly its scopes.
    expect((await call('GET', `/time-tracking/active?workspace_id=${WS}`, { bearer: key })).status).toBe(200);
    expect((await call('POST', '/time-tracking/start', { bearer: key, body: { workspace_id: WS, user_id: users.member } })).body.error).toBe('insufficient_scope');
    const listed = await call('GET', '/api-keys', { caller: users.executive });
    expect(listed.body.data).toEqual([{ id, name: 'laptop', scopes: ['read'], created_at: created.body.data.created_at, expires_at: created.body.data.expires_at }]);
    expect(JSON.stringify(listed.body)).not.toContain(key);
    // Making a key takes write: a read token cannot; a read token cannot mint a write key either.
    expect((await call('POST', '/api-keys', { caller: users.executive, scope: 'read', body: { name: 'r', scopes: ['read'] } })).body.error).toBe('insufficient_scope');
    expect(Object.keys((await call('POST', '/api-keys', { caller: users.executive, scope: 'write', body: { name: 'escalate', scopes: ['admin'] } })).body.errors)).toEqual(['scopes']);
    // Only members hold keys: an identity of the issuer in no workspace gets none; the sync job (member of nothing) does.
    const nobody = await call('POST', '/api-keys', { caller: users.stranger, body: { name: 'mine', scopes: ['read'] } });
    expect([nobody.status, nobody.body.message]).toEqual([403, 'Only a member of a workspace holds API keys.']);
    expect((await sync('POST', '/api-keys', { body: { name: 'sync', scopes: ['directory'] } })).status).toBe(201);
    // A key never makes a key, whatever its scopes (a leaked or revoked one would make its own successor).
    const writeKey = (await call('POST', '/api-keys', { caller: users.executive, body: { name: 'writer', scopes: ['write'] } })).body.data;
    const minted = await call('POST', '/api-keys', { bearer: writeKey.key, body: { name: 'successor', scopes: ['read'] } });
    expect([minted.status, minted.body.error]).toEqual([403, 'forbidden']);
    expect((await call('DELETE', `/api-keys/${writeKey.id}`, { caller: users.executive })).status).toBe(200);
    // Expiry: in the future, at most 90 days away, parsed strictly (no rolled-over day, hour or offset), never null.
    const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
    for (const expires_at of ['2020-01-01T00:00:00Z', inDays(91), '2027-02-31T00:00:00Z', '2027-01-01T25:00:00Z', '2027-13-01T00:00:00Z', '2027-01-01T00:00:00+99:00', null]) {
      const refused = await call('POST', '/api-keys', { caller: users.executive, body: { name: 'old', scopes: ['read'], expires_at } });
      expect([expires_at, refused.status, Object.keys(refused.body.errors ?? {})]).toEqual([expires_at, 422, ['expires_at']]);
    }
    // Revoking takes write, but a key may always revoke itself: a read key cannot revoke another.
    const expiry = inDays(30);
    const other = (await call('POST', '/api-keys', { caller: users.executive, body: { name: 'other', scopes: ['read'], expires_at: expiry } })).body.data;
    expect(other.expires_at).toBe(expiry);
    expect((await call('DELETE', `/api-keys/${id}`, { bearer: other.key })).body.error).toBe('insufficient_scope');
    expect((await call('DELETE', `/api-keys/${other.id}`, { bearer: other.key })).status).toBe(200);
    // Someone else's key is not found.
    expect((await call('DELETE', `/api-keys/${id}`, { caller: users.owner })).status).toBe(404);
    // At most 20 live keys.
    for (let n = 1; n < 20; n++) expect((await call('POST', '/api-keys', { caller: users.executive, body: { name: `key ${n}`, scopes: ['read'] } })).status).toBe(201);
    const over = await call('POST', '/api-keys', { caller: users.executive, body: { name: 'one too many', scopes: ['read'] } });
    expect([over.status, over.body.errors]).toEqual([422, { name: ['A user has at most 20 live API keys: revoke one first.'] }]);
    // Revoked: gone from the list, and refused by the authorizer's next check of it. API Gateway's
    // cache (per Authorization header, 300 s here) still answers for the header it saw: that is the bound.
    const revoked = await call('DELETE', `/api-keys/${id}`, { caller: users.executive });
    expect([revoked.status, revoked.body.data]).toEqual([200, { id, revoked: true }]);
    // Its items go 30 days later (TTL), so that a user's list does not grow with every key ever revoked.
    const revokedItems = (await runtime.table.scan()).filter((item) => item.revoked_at !== undefined && (item.key_id === id || item.sk === `APIKEY#${id}`));
    expect(revokedItems.length).toBeGreaterThanOrEqual(2);
    for (const item of revokedItems) expect(Number(item.ttl) - Date.parse(String(item.revoked_at)) / 1000).toBeCloseTo(30 * 86_400, -1);
    expect((await call('GET', '/api-keys?per_page=50', { caller: users.executive })).body.data.map((listedKey: { id: string }) => listedKey.id)).not.toContain(id);
    expect((await call('GET', `/time-tracking/active?workspace_id=${WS}`, { bearer: key })).status).toBe(200);
    // The scheme is case-insensitive, so another spelling of the header is a cache miss: the check the cache would make at its TTL.
    expect((await call('GET', `/time-tracking/active?workspace_id=${WS}`, { bearer: key, scheme: 'bearer' })).status).toBe(401);
    expect((await call('DELETE', `/api-keys/${id}`, { caller: users.executive })).status).toBe(404);
    expect((await call('POST', '/api-keys', { caller: users.executive, body: { name: 'room again', scopes: ['read'] } })).status).toBe(201);
  }, 60_000);
});
