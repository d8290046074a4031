import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSeed } from '../../admin/seed-loader.ts';
import { functionNames, routeList, splitInput, type Route, type RouteExample } from '../../shared/contracts/routes.ts';
import { liveInput } from '../support/route-scenarios.ts';
import { loadJwtConfig } from '../../shared/config/auth-config.ts';
import { loadDatabaseConfig } from '../../shared/config/database-config.ts';
import { loadRateLimitConfig } from '../../shared/config/rate-limit-config.ts';
import { loadWebhookConfig } from '../../shared/config/webhook-config.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { parse } from '../support/http-events.ts';
import { expectMatchesOpenApi } from '../support/openapi-validator.ts';

/**
 * Every `sam local invoke` fixture in events/ runs through `npm run invoke`: the synthesized
 * template's bundle for that function under AWS's runtime interface client, with its
 * environment and its role, against DynamoDB Local loaded with the demo seed.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EVENTS = fileURLToPath(new URL('../../events/', import.meta.url));
const fixture = (name: string) => JSON.parse(readFileSync(`${EVENTS}${name}.json`, 'utf8'));
const demoSeed = JSON.parse(readFileSync(fileURLToPath(new URL('../../local/demo-seed.json', import.meta.url)), 'utf8'));
/** Fixture chains run side by side, each lane on a table of its own. */
const LANES = 3;
let tables: TestTable[] = [];
let eventsDir: string;

beforeAll(async () => {
  tables = await Promise.all(Array.from({ length: LANES }, (_, lane) => createTestTable(`fixtures${lane}`)));
  for (const table of tables) await loadSeed(table.client, table.tableName, demoSeed, { endpoint: process.env.DYNAMODB_ENDPOINT });
  eventsDir = mkdtempSync(join(tmpdir(), 'fixture-events-'));
});
afterAll(async () => {
  await Promise.all(tables.map((table) => table.drop()));
  rmSync(eventsDir, { recursive: true, force: true });
});

let eventCount = 0;
const invokeEnv = (table: TestTable) => ({
  ...process.env,
  DATA_DIR: 'memory',
  TABLE_NAME: table.tableName,
  AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
  AUTH_ISSUER: 'time-tracking-local-dev',
  AUTH_AUDIENCE: 'time-tracking-api',
  POWERTOOLS_LOG_LEVEL: 'WARN',
  POWERTOOLS_METRICS_DISABLED: 'true',
});

/**
 * `npm run invoke -- <args>`, `stdin` written to it: its exit status, stdout and stderr. With
 * `viaNpm: false`, the same script's command from package.json without npm's own start
 * (a quarter of a second each, for the many invocations of the route fixtures).
 */
const INVOKE_SCRIPT = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.invoke!;
function npmRunInvoke(args: string[], env: NodeJS.ProcessEnv, stdin?: string, viaNpm = true): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = viaNpm
    ? spawn('npm', ['run', '-s', 'invoke', '--', ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn('sh', ['-c', `${INVOKE_SCRIPT} "$@"`, 'invoke', ...args], { cwd: ROOT, env: { ...env, PATH: `${join(ROOT, 'node_modules', '.bin')}:${env.PATH ?? ''}` }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  child.stdin.end(stdin ?? '');
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** `npm run invoke -- <function> <event file>` on `table` (the event on stdin with `viaStdin`): its answer, exit status and log (stderr). */
async function invoke(functionName: string, event: unknown, table: TestTable, options: { viaStdin?: boolean; viaNpm?: boolean } = {}): Promise<{ answer: any; code: number | null; log: string }> {
  const file = join(eventsDir, `${functionName}-${eventCount++}.json`);
  if (!options.viaStdin) writeFileSync(file, JSON.stringify(event));
  const { code, stdout, stderr } = await npmRunInvoke(
    options.viaStdin ? [functionName] : [functionName, file],
    invokeEnv(table),
    options.viaStdin ? JSON.stringify(event) : undefined,
    options.viaNpm ?? true,
  );
  return { answer: stdout ? JSON.parse(stdout) : undefined, code, log: stderr };
}

describe('events/ fixtures', () => {
  it('has one fixture per function of the route table, and nothing else but the env-vars file', () => {
    expect(readdirSync(EVENTS).sort()).toEqual([...functionNames.map((name) => `${name}.json`), 'env.json'].sort());
  });

  it('authorizer.json (on stdin): the demo API key yields its principal, with Lambda’s REPORT line on stderr', async () => {
    const { answer, code, log } = await invoke('AuthorizerFunction', fixture('authorizer'), tables[0]!, { viaStdin: true });
    expect({ code, answer }).toEqual({
      code: 0,
      answer: { isAuthorized: true, context: { principal_id: '100', auth_method: 'api_key', scopes: 'read write', key_id: expect.stringMatching(/^[0-9a-f]{16}$/) } },
    });
    expect(log).toMatch(/^REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 512 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms$/m);
    // The first invocation of the run may synthesize the template (once for the whole test run).
  }, 180_000);

  it('runs every route fixture through its function, after the fixtures its example runs after, each body matching the OpenAPI document', async () => {
    /** Runs a route's fixture (the fixtures of its `after` chain first) on `table`; resolves with the bodies of the chain, by route. */
    const run = async (route: Route, table: TestTable): Promise<Record<string, any>> => {
      const example: RouteExample = route.example;
      const chain = example.after ? await run(routeList.find((other) => other.name === example.after)!, table) : {};
      const event = fixture(route.functionName);
      expect(event.routeKey).toBe(`${route.method} ${route.path}`);
      // The fixture's fields the example fills in live (today's date, the id an earlier fixture created).
      const { path, query, body } = splitInput(route, liveInput(example, example.after ? chain[example.after] : undefined));
      if (event.pathParameters) event.pathParameters = path;
      if (event.queryStringParameters) event.queryStringParameters = query;
      if (event.body !== undefined) event.body = JSON.stringify(body);
      const invoked = await invoke(route.functionName, event, table, { viaNpm: false });
      expect({ route: route.name, code: invoked.code, log: invoked.code === 0 ? undefined : invoked.log }).toEqual({ route: route.name, code: 0, log: undefined });
      const response = parse(invoked.answer);
      const expected = (route.response as { status?: number }).status ?? 200;
      expect({ route: route.name, status: response.status, body: response.status === expected ? undefined : response.body }).toEqual({ route: route.name, status: expected, body: undefined });
      expectMatchesOpenApi(route.method, route.path, response.status, response.body);
      return { ...chain, [route.name]: response.body };
    };
    const runs: Record<string, Record<string, any>> = {};
    await Promise.all(
      tables.map(async (table, lane) => {
        for (const route of routeList.filter((_, index) => index % LANES === lane)) {
          await table.clearTrackingData();
          runs[route.name] = await run(route, table);
        }
      }),
    );
    expect(Object.keys(runs).sort()).toEqual(routeList.map((route) => route.name).sort());
    expect(runs.currentTracker!.currentTracker.data.is_tracking).toBe(true);
    expect(runs.listTimeEntries!.listTimeEntries.data.map((entry: { id: string }) => entry.id)).toEqual([runs.listTimeEntries!.stopTimeTracking.data.time_entry_id]);
  }, 240_000);

  it('says what it cannot run, with exit status 2: no function of that name (listing them), an event that is not JSON', async () => {
    const unknown = await npmRunInvoke(['NoSuchFunction', `${EVENTS}docs.json`], invokeEnv(tables[0]!));
    expect({ code: unknown.code, stdout: unknown.stdout }).toEqual({ code: 2, stdout: '' });
    expect(unknown.stderr).toContain('no function "NoSuchFunction" in the template. Its functions:\n  AcceptInvitationFunction\n  ActiveTrackersFunction\n');
    const notJson = await npmRunInvoke(['docs'], invokeEnv(tables[0]!), '{"version": ');
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/^npm run invoke: the event from stdin is not JSON: /m);
    expect((await npmRunInvoke([], invokeEnv(tables[0]!))).stderr).toContain('Usage: npm run invoke -- <LogicalIdOrFunctionName> [event.json]');
  });

  it('docs.json: the docs function serves the reference page without credentials', async () => {
    const page = await invoke('docs', fixture('docs'), tables[0]!);
    expect(page.code).toBe(0);
    expect(page.answer.statusCode).toBe(200);
    expect(page.answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(String(page.answer.body)).toContain('<title>Time Tracking API</title>');
    const document = await invoke('docs', { ...fixture('docs'), rawPath: '/openapi.json' }, tables[0]!);
    expect(JSON.parse(String(document.answer.body)).openapi).toBe('3.1.0');
  });

  it('env.json sets every variable the functions require, and only variables they read', async () => {
    const env = fixture('env').Parameters as Record<string, string>;
    const read = new Set<string>();
    const recording = new Proxy(env, { get: (target, name: string) => (read.add(name), target[name]) });
    // The configuration loaders the route functions and the authorizer run at load.
    const loaders = [loadDatabaseConfig, loadJwtConfig, loadRateLimitConfig, loadWebhookConfig];
    // What each requires: what it names as missing when given nothing.
    const required = new Set<string>();
    for (const load of loaders) {
      try {
        load({});
      } catch (error) {
        for (const match of String((error as Error).message).matchAll(/- (\w+) is required/g)) required.add(match[1]!);
      }
    }
    expect([...required].sort()).toEqual(expect.arrayContaining(['AUTH_AUDIENCE', 'AUTH_ISSUER', 'AUTH_JWKS_URL', 'TABLE_NAME']));
    for (const name of required) expect({ name, inEnvJson: Object.hasOwn(env, name) && env[name] !== '' }).toEqual({ name, inEnvJson: true });
    // Fed env.json, every loader accepts it as it is.
    for (const load of loaders) load(recording);
    const readByPowertools = Object.keys(env).filter((name) => name.startsWith('POWERTOOLS_'));
    expect(Object.keys(env).filter((name) => !read.has(name) && !readByPowertools.includes(name))).toEqual([]);
  });
});
