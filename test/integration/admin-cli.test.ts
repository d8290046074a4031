import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey } from '../../shared/auth/api-keys.ts';
import { createAuthenticator } from '../../shared/auth/authenticate.ts';
import { createApiKeyRepository } from '../../shared/db/api-key-repository.ts';
import { runAdminCli } from '../../local/admin-cli.ts';
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
  const repository = createApiKeyRepository(table.client, table.tableName);
  const logger = { info: () => {}, error: () => {}, warn: () => {}, debug: () => {} } as never;
  return createAuthenticator({ verifyJwt: async () => { throw new Error('no jwt here'); }, findApiKey: repository.findByHash, clock: { now: () => new Date() }, logger });
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
    expect(once.filter((item) => String(item.sk).startsWith('MEMBER#'))).toHaveLength(testSeed.members!.length);
  });

  it('refuses an invalid seed, naming the entry and field, and loads nothing of it', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ workspaces: [{ id: 500, name: 'New' }], members: [{ workspace_id: 500, user_id: 1, role: 'owner' }, { workspace_id: 500, user_id: 2, role: 'boss' }] }));
    await expect(cli('seed', file)).rejects.toThrow(/members\[1\]\.role: must be one of owner/);
    expect(await table.get({ pk: 'WS#500', sk: 'WS' })).toBeUndefined();
  });
});
