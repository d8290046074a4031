import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { callApi } from '../support/api-client.ts';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '../../shared/auth/api-keys.ts';
import { routeList } from '../../shared/contracts/routes.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { testSeed, users, WS } from '../support/fixtures.ts';
import { failingStart, startLocalServer } from '../support/local-server.ts';
import { expectMatchesOpenApi } from '../support/openapi-validator.ts';
import { startTestIssuer, type TestIssuer } from '../support/test-issuer.ts';

/**
 * `npm start` over real HTTP: the API Gateway emulator, the real authorizer with a real
 * token and a real API key, the handlers, DynamoDB Local. Every API body is checked
 * against the OpenAPI document.
 */
let server: Awaited<ReturnType<typeof startLocalServer>>;
let issuer: TestIssuer;
let table: TestTable;
let dir: string;
const apiKey = generateApiKey();
const readOnlyKey = generateApiKey();
let token: string;

async function call(method: 'GET' | 'POST', path: string, options: { body?: unknown; rawBody?: string; credential?: string | null; headers?: Record<string, string> } = {}) {
  const credential = options.credential === undefined ? token : options.credential;
  const response = await callApi(server.baseUrl, method, path, {
    headers: {
      ...(credential === null ? {} : { authorization: `Bearer ${credential}` }),
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  return { status: response.status, headers: response.headers, body: response.body };
}

/** An API call whose answer must match the OpenAPI document. */
async function api(method: 'GET' | 'POST', path: string, options: Parameters<typeof call>[2] = {}) {
  const response = await call(method, path, options);
  expectMatchesOpenApi(method, path.split('?')[0]!, response.status, response.body);
  return response;
}

/**
 * Both runtimes answer the same: `npm start` (the TypeScript sources) and
 * `npm run start:template` (the synthesized template: its bundles, handlers, environment
 * and IAM policies, each function in its own process).
 */
describe.each(['source', 'template'] as const)('the local runtime (%s)', (runtime) => {
  beforeAll(async () => {
    issuer = await startTestIssuer();
    table = await createTestTable('e2e');
    dir = await mkdtemp(join(tmpdir(), 'e2e-'));
    const seedFile = join(dir, 'seed.json');
    await writeFile(
      seedFile,
      JSON.stringify({
        ...testSeed,
        api_keys: [
          { user_id: users.owner, name: 'e2e', key: apiKey, scopes: ['read', 'write'] },
          { user_id: users.owner, name: 'e2e read', key: readOnlyKey, scopes: ['read'] },
        ],
      }),
    );
    server = await startLocalServer({
      // The default users get: every function's first environment at start.
      ...(runtime === 'template' ? { RUNTIME: 'template', WARM_CONTAINERS: 'EAGER' } : {}),
      SEED_FILE: seedFile,
      TABLE_NAME: table.tableName,
      DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT!,
      AUTH_CACHE_TTL_SECONDS: '300',
      ...issuer.env(),
    });
    token = await issuer.sign({ sub: String(users.owner), scope: 'read write' });
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
    await issuer?.close();
    await table?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the reference page without credentials, from the docs function', async () => {
    const page = await callApi(server.baseUrl, 'GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<title>Time Tracking API</title>');
    expect(page.text.length).toBeGreaterThan(100_000); // Redoc inlined
  });

  it('is healthy and serves its OpenAPI document', async () => {
    expect((await call('GET', '/health', { credential: null })).body).toEqual({ status: 'ok' });
    const openapi = await call('GET', '/openapi.json', { credential: null });
    expect(openapi.status).toBe(200);
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.body.paths).sort()).toEqual([...new Set(routeList.map((route) => route.path))].sort());
    expect(Object.keys(openapi.body.components.securitySchemes).sort()).toEqual(['apiKey', 'oauth2']);
  });

  it('answers like API Gateway where API Gateway would answer', async () => {
    const noHeader = await api('POST', '/time-tracking/start', { credential: null, body: { workspace_id: WS, user_id: users.member } });
    expect(noHeader.status).toBe(401);
    expect(noHeader.body).toEqual({ message: 'Unauthorized' });
    const unknown = await call('GET', '/time-tracking/nothing');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ message: 'Not Found' });
    const wrongMethod = await call('GET', '/time-tracking/start');
    expect(wrongMethod.status).toBe(404);
    const huge = await call('POST', '/time-tracking/start', { rawBody: `{"activity_description":"${'x'.repeat(10 * 1024 * 1024)}"}` });
    expect(huge.status).toBe(413);
  });

  it('runs a whole session with a real token: start → current → stop → entries', async () => {
    const started = await api('POST', '/time-tracking/start', { body: { workspace_id: WS, user_id: users.member, contract_id: 20, task_id: 5, activity_description: 'e2e' } });
    expect(started.status).toBe(200);
    expect(started.headers.get('content-type')).toBe('application/json');
    const current = await api('GET', `/time-tracking/current-data?workspace_id=${WS}&user_id=${users.member}`);
    expect(current.body.data.is_tracking).toBe(true);
    const stopped = await api('POST', '/time-tracking/stop', { body: { workspace_id: WS, user_id: users.member } });
    expect(stopped.status).toBe(200);
    const day = started.body.data.start_time.slice(0, 10);
    const entries = await api('GET', `/time-entries?workspace_id=${WS}&user_id=${users.member}&date=${day}`);
    expect(entries.body.data.map((entry: { id: string }) => entry.id)).toContain(stopped.body.data.time_entry_id);
    const idle = await api('GET', `/time-tracking/current-data?workspace_id=${WS}&user_id=${users.member}`);
    expect(idle.body.data.is_tracking).toBe(false);
  });

  it('accepts the seeded API key and enforces its scopes', async () => {
    const started = await api('POST', '/time-tracking/start', { credential: apiKey, body: { workspace_id: WS, user_id: users.otherMember } });
    expect(started.status).toBe(200);
    const readOnly = await api('POST', '/time-tracking/stop', { credential: readOnlyKey, body: { workspace_id: WS, user_id: users.otherMember } });
    expect(readOnly.status).toBe(403);
    const stopped = await api('POST', '/time-tracking/stop', { credential: apiKey, body: { workspace_id: WS, user_id: users.otherMember } });
    expect(stopped.status).toBe(200);
  });

  it('walks the error table of a start over HTTP', async () => {
    const expired = await issuer.sign({ sub: String(users.owner) }, { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    const cases: Array<[string, Parameters<typeof call>[2], number]> = [
      ['bad token', { credential: 'not-a-token', body: { workspace_id: WS, user_id: users.member } }, 401],
      ['expired token', { credential: expired, body: { workspace_id: WS, user_id: users.member } }, 401],
      ['unknown key', { credential: generateApiKey(), body: { workspace_id: WS, user_id: users.member } }, 401],
      ['read-only token', { credential: await issuer.sign({ sub: String(users.owner), scope: 'read' }), body: { workspace_id: WS, user_id: users.member } }, 403],
      ['not an object', { rawBody: '[1]' }, 400],
      ['malformed JSON', { rawBody: '{"workspace_id":' }, 400],
      ['invalid fields', { body: { workspace_id: 'one', user_id: 0 } }, 422],
      ['not a manager', { credential: await issuer.sign({ sub: String(users.member) }), body: { workspace_id: WS, user_id: users.member } }, 403],
      ['not a member', { body: { workspace_id: WS, user_id: users.stranger } }, 404],
      ['unknown contract', { body: { workspace_id: WS, user_id: users.member, contract_id: 999 } }, 404],
      ['paused contract', { body: { workspace_id: WS, user_id: users.member, contract_id: 21 } }, 422],
    ];
    for (const [name, options, status] of cases) {
      const response = await api('POST', '/time-tracking/start', options);
      expect({ name, status: response.status }).toEqual({ name, status });
      expect(response.body.success).toBe(false);
    }
    expect((await api('POST', '/time-tracking/start', { body: { workspace_id: WS, user_id: users.member } })).status).toBe(200);
    const again = await api('POST', '/time-tracking/start', { body: { workspace_id: WS, user_id: users.member } });
    expect(again.status).toBe(400);
    await api('POST', '/time-tracking/stop', { body: { workspace_id: WS, user_id: users.member } });
  });

  it('replays a start sent twice with the same Idempotency-Key', async () => {
    const headers = { 'Idempotency-Key': randomUUID() };
    const first = await api('POST', '/time-tracking/start', { headers, body: { workspace_id: WS, user_id: users.member } });
    const second = await api('POST', '/time-tracking/start', { headers, body: { workspace_id: WS, user_id: users.member } });
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    await api('POST', '/time-tracking/stop', { body: { workspace_id: WS, user_id: users.member } });
  });

  it('validates query parameters over HTTP', async () => {
    const response = await api('GET', `/time-entries?workspace_id=${WS}&user_id=abc&per_page=0`);
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors).sort()).toEqual(['per_page', 'user_id']);
  });
});

describe('startup failures', () => {
  it('names an unreadable seed file in one line, and exits non-zero', async () => {
    const { code, output } = await failingStart({ SEED_FILE: '/nonexistent/seed.json', DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT! });
    expect(code).toBe(1);
    expect(output).toMatch(/cannot read the seed file \/nonexistent\/seed.json \(ENOENT\)/);
  });

  it('names the bad entry and field of an invalid seed', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'bad-seed-')), 'invalid-seed.json');
    await writeFile(file, JSON.stringify({ contracts: [{ workspace_id: 1, id: 1, user_id: 1, project_id: 1, status: 'frozen' }] }));
    const { code, output } = await failingStart({ SEED_FILE: file, DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT!, TABLE_NAME: `bad-${randomUUID()}` });
    expect(code).toBe(1);
    expect(output).toMatch(/contracts\[0\]\.status: must be one of active, paused/);
  });

  it('says when the port is in use', async () => {
    const occupant = createServer();
    await new Promise<void>((resolve) => occupant.listen(0, '127.0.0.1', resolve));
    try {
      const port = String((occupant.address() as { port: number }).port);
      const { code, output } = await failingStart({ PORT: port, DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT! });
      expect(code).toBe(1);
      expect(output).toMatch(new RegExp(`port ${port} on 127.0.0.1 is already in use`));
    } finally {
      occupant.close();
    }
  });

  it('says how to install Java when it is missing', async () => {
    const { code, output } = await failingStart({ PATH: '/nonexistent', DYNAMODB_ENDPOINT: '' });
    expect(code).toBe(1);
    expect(output).toMatch(/Java 17\+ is required .* apt-get install -y openjdk-17-jre-headless/);
  });
});
