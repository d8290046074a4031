import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hashApiKey } from '../../shared/auth/api-keys.ts';
import { createAuthenticator } from '../../shared/auth/authenticate.ts';
import { createApiKeyAdmin } from '../../admin/api-key-admin.ts';
import { createApiKeyLookup } from '../../shared/db/api-key-lookup.ts';
import { keys } from '../../shared/db/keys.ts';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { countRoundTrips } from '../support/dynamo-faults.ts';
import { runAdminCli } from '../../admin/admin-cli.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { testSeed } from '../support/fixtures.ts';

/** The admin CLI against a real table: keys are usable, listed without secrets, revocable. */
let table: TestTable;
let dir: string;

beforeAll(async () => {
  table = await createTestTable('admin');
  dir = await mkdtemp(join(tmpdir(), 'admin-cli-'));
});
afterAll(async () => {
  await table.drop();
  await rm(dir, { recursive: true, force: true });
});

async function cli(...args: string[]) {
  const lines: string[] = [];
  const code = await runAdminCli(args, (line) => lines.push(line));
  return { code, output: lines.join('\n') };
}

function authenticator() {
  const logger = { info: () => {}, error: () => {}, warn: () => {}, debug: () => {} } as never;
  return createAuthenticator({
    verifyJwt: async () => {
      throw new Error('no jwt here');
    },
    findApiKey: createApiKeyLookup(table.client, table.tableName),
    clock: { now: () => new Date() },
    logger,
  });
}

describe('api-key', () => {
  it('creates a key that authenticates, lists it without the secret, and revokes it', async () => {
    const created = await cli('api-key', 'create', '--user', '100', '--name', 'laptop', '--scopes', 'read write', '--json');
    expect(created.code).toBe(0);
    const { key, key_id: keyId } = JSON.parse(created.output);
    expect(key).toMatch(/^ttk_[A-Za-z0-9_-]{43}$/);
    const authenticate = authenticator();
    expect(await authenticate(`Bearer ${key}`)).toMatchObject({ principal_id: '100', auth_method: 'api_key', scopes: 'read write' });

    const listed = await cli('api-key', 'list', '--user', '100');
    expect(listed.output).toContain(keyId);
    expect(listed.output).toContain('laptop');
    expect(listed.output).not.toContain(key);
    expect(listed.output).not.toContain(hashApiKey(key));

    const revoked = await cli('api-key', 'revoke', keyId);
    expect(revoked.code).toBe(0);
    expect(await authenticate(`Bearer ${key}`)).toEqual({ auth_error: 'revoked api key' });
    expect((await cli('api-key', 'list', '--json')).output).toContain('"revoked_at":"20');
  });

  it("indexes keys stored before users had their own copies, so that the user's list shows them (idempotent)", async () => {
    const { key_id: keyId } = JSON.parse((await cli('api-key', 'create', '--user', '104', '--name', 'old', '--json')).output);
    // As an older version stored it: no user copy.
    await table.client.send(new DeleteCommand({ TableName: table.tableName, Key: keys.userApiKey(104, keyId) }));
    const store = createApiKeyAdmin(table.client, table.tableName).store;
    expect((await store.listByUser(104)).records.map((record) => record.keyId)).toEqual([]);
    for (let run = 0; run < 2; run++) expect((await cli('api-key', 'index')).code).toBe(0);
    expect((await store.listByUser(104)).records.map((record) => [record.keyId, record.name])).toEqual([[keyId, 'old']]);
  });

  it('revokes by key id with two key lookups (the id pointer, then the key) and one transaction (the key and its user copy), never a scan', async () => {
    const { key_id: keyId } = JSON.parse((await cli('api-key', 'create', '--user', '100', '--name', 'pointer', '--json')).output);
    const counter = countRoundTrips(table.client);
    try {
      expect(await createApiKeyAdmin(table.client, table.tableName).revoke(keyId, new Date())).toMatchObject({ keyId, revokedAt: expect.any(String) });
    } finally {
      counter.remove();
    }
    expect(counter.calls).toEqual(['GetItemCommand', 'GetItemCommand', 'TransactWriteItemsCommand']);
  });

  it('prints the key once in the human form too, with an expiry', async () => {
    const created = await cli('api-key', 'create', '--user', '101', '--name', 'ci', '--scopes', 'read', '--expires-in-days', '30');
    expect(created.output).toMatch(/shown only once/);
    expect(created.output).toMatch(/ttk_[A-Za-z0-9_-]{43}/);
    expect(created.output).toMatch(/expires 20/);
  });

  it('rejects bad arguments with a usage message and creates nothing', async () => {
    const before = (await table.scan()).length;
    await expect(cli('api-key', 'create', '--user', 'abc', '--name', 'x')).rejects.toThrow(/--user must be a positive integer/);
    await expect(cli('api-key', 'create', '--user', '1', '--name', 'x', '--scopes', 'root')).rejects.toThrow(/--scopes/);
    expect((await table.scan()).length).toBe(before);
    expect((await cli('api-key', 'revoke', 'nope')).code).toBe(1);
  });
});

describe('seed', () => {
  it('loads a seed file, and loading it again changes nothing', async () => {
    const file = join(dir, 'seed.json');
    await writeFile(file, JSON.stringify(testSeed));
    expect((await cli('seed', file)).code).toBe(0);
    const once = await table.scan();
    expect((await cli('seed', file)).code).toBe(0);
    expect(await table.scan()).toEqual(once);
    expect(once.filter((item) => item.entity === 'membership')).toHaveLength(testSeed.members!.length);
    // Each with its mark in its user's partition (only members hold API keys).
    expect(once.filter((item) => item.entity === 'user_membership')).toHaveLength(testSeed.members!.length);
  });

  it('never changes an existing key: re-running a seed does not un-revoke it', async () => {
    const key = `ttk_${'S'.repeat(43)}`;
    const file = join(dir, 'keys.json');
    await writeFile(file, JSON.stringify({ api_keys: [{ user_id: 100, name: 'leaked', key, scopes: ['write'] }] }));
    expect((await cli('seed', file)).code).toBe(0);
    const keyId = hashApiKey(key).slice(0, 16);
    expect((await cli('api-key', 'revoke', keyId)).code).toBe(0);
    const again = await cli('seed', file);
    expect(again.output).toMatch(/1 existing keys left unchanged/);
    expect(await authenticator()(`Bearer ${key}`)).toEqual({ auth_error: 'revoked api key' });
  });

  it('refuses the demo key published in the repository unless the table is on a local endpoint', async () => {
    const file = join(dir, 'demo.json');
    await writeFile(file, readFileSync(fileURLToPath(new URL('../../local/demo-seed.json', import.meta.url)), 'utf8'));
    const local = process.env.DYNAMODB_ENDPOINT!;
    // A deployed table: no endpoint (the AWS default), or any non-loopback host.
    for (const endpoint of ['', 'https://dynamodb.eu-west-1.amazonaws.com', 'http://10.0.0.5:8000']) {
      process.env.DYNAMODB_ENDPOINT = endpoint;
      try {
        await expect(cli('seed', file)).rejects.toThrow(/Refusing to install API keys published in this repository/);
      } finally {
        process.env.DYNAMODB_ENDPOINT = local;
      }
    }
    const demoKey = JSON.parse(readFileSync(file, 'utf8')).api_keys[0].key as string;
    expect(await table.get(keys.apiKey(hashApiKey(demoKey)))).toBeUndefined();
    expect(new URL(local).hostname).toBe('127.0.0.1');
    expect((await cli('seed', file)).code).toBe(0);
    expect(await table.get(keys.apiKey(hashApiKey(demoKey)))).toBeDefined();
  });

  it('refuses an invalid seed, naming the entry and field, and loads nothing of it', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({
        workspaces: [{ id: 500, name: 'New' }],
        members: [
          { workspace_id: 500, user_id: 1, role: 'owner' },
          { workspace_id: 500, user_id: 2, role: 'boss' },
        ],
      }),
    );
    await expect(cli('seed', file)).rejects.toThrow(/members\[1\]\.role: must be one of owner/);
    expect(await table.get({ pk: 'WS#500', sk: 'WS' })).toBeUndefined();
  });
});

describe('backfill-time-entries', () => {
  it('gives an entry stored before versions existed its by-id copy, history and spans; running it again changes nothing', async () => {
    await table.seed(testSeed);
    const legacy = {
      pk: 'WS#1#USER#101',
      sk: 'ENTRY#2024-02-01T09:00:00+00:00#legacy-1',
      entity: 'time_entry',
      entry_id: 'legacy-1',
      workspace_id: 1,
      user_id: 101,
      contract_id: 20,
      project_id: 10,
      task_id: null,
      activity_description: 'Old',
      start_time: '2024-02-01T09:00:00+00:00',
      end_time: '2024-02-01T10:00:00+00:00',
      duration_seconds: 3600,
      stopped_by: 100,
    };
    await table.client.send(new PutCommand({ TableName: table.tableName, Item: legacy }));
    // A tracker started before trackers had a mark in their workspace.
    const running = {
      pk: 'USER#106',
      sk: 'TRACKER',
      entity: 'tracker',
      tracker_id: 'old-tracker',
      workspace_id: 1,
      user_id: 106,
      contract_id: null,
      project_id: null,
      task_id: null,
      activity_description: null,
      start_time: '2024-02-02T09:00:00+00:00',
      started_by: 100,
      request_id: 'r',
    };
    await table.client.send(new PutCommand({ TableName: table.tableName, Item: running }));
    const { loadHandlers } = await import('../support/handlers.ts');
    const api = await loadHandlers();
    expect((await api.byRoute.getTimeEntry({ id: 'legacy-1', workspace_id: 1 })).status).toBe(404);

    expect((await api.byRoute.activeTrackers({ workspace_id: 1 })).body.data).toEqual([]);
    expect((await cli('backfill-time-entries')).output).toMatch(/^Backfilled 1 of 1 time entries .*; marked 1 running trackers\.$/);
    expect((await api.byRoute.activeTrackers({ workspace_id: 1 })).body.data).toMatchObject([{ user_id: 106, start_time: '2024-02-02T09:00:00+00:00' }]);
    const read = await api.byRoute.getTimeEntry({ id: 'legacy-1', workspace_id: 1 });
    expect(read.body.data).toMatchObject({ id: 'legacy-1', source: 'tracker', created_by: 100, version: 1, duration_seconds: 3600 });
    expect((await api.entries({ workspace_id: 1, user_id: 101, date: '2024-02-01' })).body.data.map((entry: { id: string }) => entry.id)).toEqual(['legacy-1']);
    expect((await api.byRoute.timeEntryHistory({ id: 'legacy-1', workspace_id: 1 })).body.data).toMatchObject([{ version: 1, action: 'created', by: 100 }]);
    // Its time is taken now.
    const overlapping = await api.byRoute.createTimeEntry({ workspace_id: 1, user_id: 101, start_time: '2024-02-01T09:30:00Z', end_time: '2024-02-01T11:00:00Z' });
    expect(overlapping.status).toBe(409);

    const before = await table.scan();
    expect((await cli('backfill-time-entries')).output).toMatch(/^Backfilled 0 of 1 time entries .*; marked 0 running trackers\.$/);
    expect(await table.scan()).toEqual(before);
  });
});

describe('backfill-report-months', () => {
  it("puts an entry from before report months in its member's month, so that reports count it; running it again changes nothing", async () => {
    await table.seed(testSeed);
    const { loadHandlers } = await import('../support/handlers.ts');
    const api = await loadHandlers();
    const created = await api.byRoute.createTimeEntry({ workspace_id: 1, user_id: 101, start_time: '2024-03-01T09:00:00Z', end_time: '2024-03-01T10:00:00Z', contract_id: 20 });
    expect(created.status).toBe(201);
    const summary = async () => (await api.byRoute.summaryReport({ workspace_id: 1, from: '2024-03-01', to: '2024-03-31', group_by: 'user', tz: 'UTC' })).body.data.totals;
    expect((await summary()).entries).toBe(1);
    // As a deployment from before report months left it: the entry without its month.
    await table.client.send(new DeleteCommand({ TableName: table.tableName, Key: { pk: 'WS#1#REPORT#2024-03', sk: 'USER#101' } }));
    expect((await summary()).entries).toBe(0);
    // (Entries of earlier tests are in their months already: only this one is put.)
    expect((await cli('backfill-report-months')).output).toMatch(/^Put 1 of \d+ time entries in their report months in /);
    expect(await summary()).toMatchObject({ entries: 1, seconds: 3600 });
    const before = await table.scan();
    expect((await cli('backfill-report-months')).output).toMatch(/^Put 0 of \d+ time entries/);
    expect(await table.scan()).toEqual(before);
  });
});

describe('backfill-member-index', () => {
  it('marks memberships stored before users had a mark of each, so that those members may make API keys; running it again changes nothing', async () => {
    // A membership from before the marks: the item alone.
    await table.client.send(
      new PutCommand({ TableName: table.tableName, Item: { pk: 'WS#1', sk: 'MEMBER#880', entity: 'membership', workspace_id: 1, user_id: 880, role: 'regular_user', status: 'active' } }),
    );
    const { loadHandlers } = await import('../support/handlers.ts');
    const api = await loadHandlers();
    const make = () => api.byRoute.createApiKey({ name: 'laptop', scopes: ['read'] }, { caller: 880 });
    const refused = await make();
    expect([refused.status, refused.body.message]).toEqual([403, 'Only a member of a workspace holds API keys.']);
    expect((await cli('backfill-member-index')).output).toMatch(/^Marked \d+ memberships in their users' partitions of /);
    expect((await make()).status).toBe(201);
    const before = await table.scan();
    await cli('backfill-member-index');
    expect(await table.scan()).toEqual(before);
  });
  it('gives each workspace its owners set (and mends a wrong one), so that the last-owner rule reads it instead of every membership', async () => {
    await table.seed(testSeed);
    const { loadHandlers } = await import('../support/handlers.ts');
    const api = await loadHandlers();
    // A workspace from before the sets: memberships alone (owners 100 and 101).
    await table.client.send(new DeleteCommand({ TableName: table.tableName, Key: keys.workspaceOwners(1) }));
    await table.client.send(
      new PutCommand({ TableName: table.tableName, Item: { pk: 'WS#1', sk: 'MEMBER#101', entity: 'membership', workspace_id: 1, user_id: 101, role: 'owner', status: 'active' } }),
    );
    // A set that says an owner is one who is not (user 2 of workspace 2 never was).
    await table.client.send(new PutCommand({ TableName: table.tableName, Item: { ...keys.workspaceOwners(2), user_ids: new Set([200, 2]), complete: true } }));
    // Until the backfill the rule reads the memberships, and is right.
    expect((await api.byRoute.putMember({ workspace_id: 1, user_id: 101, role: 'regular_user', status: 'active' }, { caller: 100 })).status).toBe(200);
    expect((await api.byRoute.putMember({ workspace_id: 1, user_id: 101, role: 'owner', status: 'active' }, { caller: 100 })).status).toBe(200);

    expect((await cli('backfill-member-index')).output).toMatch(/, and rebuilt the owners sets of \d+ workspaces\.$/);
    const owners = async (workspaceId: number) => {
      const item = await table.get(keys.workspaceOwners(workspaceId));
      return { complete: item?.complete, user_ids: [...((item?.user_ids as Set<number>) ?? [])].sort() };
    };
    expect(await owners(1)).toEqual({ complete: true, user_ids: [100, 101] });
    expect(await owners(2)).toEqual({ complete: true, user_ids: [200] });
    // The set now decides: the last owner of workspace 2 stays one.
    const lastOwner = await api.byRoute.putMember({ workspace_id: 2, user_id: 200, role: 'regular_user', status: 'active' }, { caller: 200 });
    expect(lastOwner.status).toBe(422);
    expect((await api.byRoute.putMember({ workspace_id: 1, user_id: 101, role: 'regular_user', status: 'active' }, { caller: 100 })).status).toBe(200);
    expect(await owners(1)).toEqual({ complete: true, user_ids: [100] });
  });
});
