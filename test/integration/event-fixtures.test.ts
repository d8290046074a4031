import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDocsPage } from '../../scripts/build-docs-page.ts';
import { fileURLToPath } from 'node:url';
import { loadSeed } from '../../admin/seed-loader.ts';
import { functionNames, routeList, splitInput, type Route, type RouteExample } from '../../shared/contracts/routes.ts';
import { liveInput } from '../support/route-scenarios.ts';
import { loadJwtConfig } from '../../shared/config/auth-config.ts';
import { loadDatabaseConfig } from '../../shared/config/database-config.ts';
import { loadRateLimitConfig } from '../../shared/config/rate-limit-config.ts';
import { loadWebhookConfig } from '../../shared/config/webhook-config.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { lambdaContext, parse } from '../support/http-events.ts';
import { expectMatchesOpenApi } from '../support/openapi-validator.ts';

/**
 * Every `sam local invoke` fixture in events/ runs through its real handler, against
 * DynamoDB Local loaded with the demo seed, exactly as `sam local` would run it.
 */
const EVENTS = fileURLToPath(new URL('../../events/', import.meta.url));
const fixture = (name: string) => JSON.parse(readFileSync(`${EVENTS}${name}.json`, 'utf8'));
let table: TestTable;

beforeAll(async () => {
  table = await createTestTable('fixtures');
  const demoSeed = JSON.parse(readFileSync(fileURLToPath(new URL('../../local/demo-seed.json', import.meta.url)), 'utf8'));
  await loadSeed(table.client, table.tableName, demoSeed, { endpoint: process.env.DYNAMODB_ENDPOINT });
  Object.assign(process.env, { AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json', AUTH_ISSUER: 'time-tracking-local-dev', AUTH_AUDIENCE: 'time-tracking-api' });
});
afterAll(() => table.drop());

describe('events/ fixtures', () => {
  it('has one fixture per function of the route table, and nothing else but the env-vars file', () => {
    expect(readdirSync(EVENTS).sort()).toEqual([...functionNames.map((name) => `${name}.json`), 'env.json'].sort());
  });

  it('authorizer.json: the demo API key yields its principal', async () => {
    const { handler } = await import('../../functions/authorizer/handler.ts');
    expect(await handler(fixture('authorizer'))).toEqual({
      isAuthorized: true,
      context: { principal_id: '100', auth_method: 'api_key', scopes: 'read write' },
    });
  });

  it('runs every route fixture through its handler, after the fixtures its example runs after, each body matching the OpenAPI document', async () => {
    /** Runs a route's fixture (the fixtures of its `after` chain first); resolves with the bodies of the chain, by route. */
    const run = async (route: Route): Promise<Record<string, any>> => {
      const example: RouteExample = route.example;
      const chain = example.after ? await run(routeList.find((other) => other.name === example.after)!) : {};
      const event = fixture(route.functionName);
      expect(event.routeKey).toBe(`${route.method} ${route.path}`);
      // The fixture's fields the example fills in live (today's date, the id an earlier fixture created).
      const { path, query, body } = splitInput(route, liveInput(example, example.after ? chain[example.after] : undefined));
      if (event.pathParameters) event.pathParameters = path;
      if (event.queryStringParameters) event.queryStringParameters = query;
      if (event.body !== undefined) event.body = JSON.stringify(body);
      const { handler } = await import(`../../functions/${route.functionName}/handler.ts`);
      const response = parse(await handler(event, lambdaContext()));
      const expected = (route.response as { status?: number }).status ?? 200;
      expect({ route: route.name, status: response.status, body: response.status === expected ? undefined : response.body }).toEqual({ route: route.name, status: expected, body: undefined });
      expectMatchesOpenApi(route.method, route.path, response.status, response.body);
      return { ...chain, [route.name]: response.body };
    };
    const runs: Record<string, Record<string, any>> = {};
    for (const route of routeList) {
      await table.clearTrackingData();
      runs[route.name] = await run(route);
    }
    expect(runs.currentTracker!.currentTracker.data.is_tracking).toBe(true);
    expect(runs.listTimeEntries!.listTimeEntries.data.map((entry: { id: string }) => entry.id)).toEqual([runs.listTimeEntries!.stopTimeTracking.data.time_entry_id]);
  });

  it('docs.json: the docs function serves the reference page without credentials', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'docs-fixture-'));
    try {
      buildDocsPage(dir);
      process.env.DOCS_DIR = dir;
      const { handler } = await import('../../functions/docs/handler.ts');
      const response = await handler(fixture('docs'));
      expect(response.statusCode).toBe(200);
      expect(response.headers!['content-type']).toBe('text/html; charset=utf-8');
      expect(String(response.body)).toContain('<title>Time Tracking API</title>');
      const document = await handler({ ...fixture('docs'), rawPath: '/openapi.json' });
      expect(JSON.parse(String(document.body)).openapi).toBe('3.1.0');
    } finally {
      delete process.env.DOCS_DIR;
      rmSync(dir, { recursive: true, force: true });
    }
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
