import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadSeed } from '../../admin/seed-loader.ts';
import { functionNames, routeList } from '../../shared/contracts/routes.ts';
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

  it('runs every route fixture through its handler (start → current → stop → entries), each body matching the OpenAPI document', async () => {
    // The lifecycle routes in the order that makes each succeed; any other route after them.
    const lifecycle = ['startTimeTracking', 'currentTracker', 'stopTimeTracking', 'listTimeEntries'];
    const order = [...lifecycle, ...routeList.map((route) => route.name).filter((name) => !lifecycle.includes(name))];
    const bodies: Record<string, any> = {};
    for (const route of order.map((name) => routeList.find((candidate) => candidate.name === name)!)) {
      const event = fixture(route.functionName);
      expect(event.routeKey).toBe(`${route.method} ${route.path}`);
      // The fixture's day is fixed; the entry just recorded started today (UTC).
      if (event.queryStringParameters?.date) event.queryStringParameters.date = new Date().toISOString().slice(0, 10);
      // A fixture acting on a resource by id acts on the one an earlier fixture created.
      if (event.pathParameters?.id) event.pathParameters.id = Object.values(bodies).find((body) => typeof body?.data?.id === 'string' && body.data.id.startsWith('wh_'))?.data.id ?? event.pathParameters.id;
      const { handler } = await import(`../../functions/${route.functionName}/handler.ts`);
      const response = parse(await handler(event, lambdaContext()));
      const expected = (route.response as { status?: number }).status ?? 200;
      expect({ route: route.name, status: response.status }).toEqual({ route: route.name, status: expected });
      expectMatchesOpenApi(route.method, route.path, response.status, response.body);
      bodies[route.name] = response.body;
    }
    expect(bodies.currentTracker.data.is_tracking).toBe(true);
    expect(bodies.listTimeEntries.data.map((entry: { id: string }) => entry.id)).toEqual([bodies.stopTimeTracking.data.time_entry_id]);
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
