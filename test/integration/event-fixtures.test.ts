import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadSeed } from '../../shared/db/seed-loader.ts';
import { authorizerFunction, routeList } from '../../shared/http/routes.ts';
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
  await loadSeed(table.client, table.tableName, JSON.parse(readFileSync(fileURLToPath(new URL('../../local/demo-seed.json', import.meta.url)), 'utf8')));
  Object.assign(process.env, { AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json', AUTH_ISSUER: 'time-tracking-local-dev', AUTH_AUDIENCE: 'time-tracking-api' });
});
afterAll(() => table.drop());

describe('events/ fixtures', () => {
  it('has one fixture per function, and nothing else but the env-vars file', () => {
    const expected = [authorizerFunction.functionName, ...routeList.map((route) => route.functionName)].map((name) => `${name}.json`);
    expect(readdirSync(EVENTS).sort()).toEqual([...expected, 'env.json'].sort());
  });

  it('authorizer.json: the demo API key yields its principal', async () => {
    const { handler } = await import('../../functions/authorizer/handler.ts');
    expect(await handler(fixture('authorizer'))).toEqual({
      isAuthorized: true,
      context: { principal_id: '100', auth_method: 'api_key', scopes: 'read write', expires_at: 0 },
    });
  });

  it('runs start → current → stop → entries from the fixtures, each body matching the OpenAPI document', async () => {
    const steps = [
      ['start-time-tracking', await import('../../functions/start-time-tracking/handler.ts')],
      ['current-tracker', await import('../../functions/current-tracker/handler.ts')],
      ['stop-time-tracking', await import('../../functions/stop-time-tracking/handler.ts')],
      ['list-time-entries', await import('../../functions/list-time-entries/handler.ts')],
    ] as const;
    for (const [name, module] of steps) {
      const event = fixture(name);
      const response = parse(await module.handler(event, lambdaContext()));
      expect({ name, status: response.status }).toEqual({ name, status: 200 });
      expectMatchesOpenApi(event.requestContext.http.method, event.rawPath, response.status, response.body);
    }
    expect((await table.scan()).filter((item) => String(item.sk).startsWith('ENTRY#'))).toHaveLength(1);
  });

  it('env.json sets only variables the functions read', () => {
    const env = fixture('env').Parameters as Record<string, string>;
    expect(Object.keys(env).sort()).toEqual(['AUTH_AUDIENCE', 'AUTH_ISSUER', 'AUTH_JWKS_URL', 'DYNAMODB_ENDPOINT', 'POWERTOOLS_LOG_LEVEL', 'TABLE_NAME']);
  });
});
