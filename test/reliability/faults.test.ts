import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { generateApiKey, newApiKeyRecord } from '../../shared/auth/api-keys.ts';
import { createApiKeyAdmin } from '../../admin/api-key-admin.ts';
import { keys } from '../../shared/db/keys.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { faults, injectFault } from '../support/dynamo-faults.ts';
import { testSeed, users, WS } from '../support/fixtures.ts';
import { loadHandlers, type Handlers } from '../support/handlers.ts';
import { httpEvent, lambdaContext, parse } from '../support/http-events.ts';

/**
 * A fault on every DynamoDB call of every endpoint: the answer is 503 with Retry-After
 * (DynamoDB cannot serve now) or a generic 500 (a bug), always in the envelope, never
 * with anything internal in it, and the stored state is never half-written.
 */
let table: TestTable;
let api: Handlers;
let authorizer: (typeof import('../../functions/authorizer/handler.ts'))['handler'];
const member = { workspace_id: WS, user_id: users.member };

beforeAll(async () => {
  table = await createTestTable('faults');
  await table.seed(testSeed);
  Object.assign(process.env, { AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json', AUTH_ISSUER: 'x', AUTH_AUDIENCE: 'y' });
  api = await loadHandlers();
  ({ handler: authorizer } = await import('../../functions/authorizer/handler.ts'));
});
afterAll(() => table.drop());
beforeEach(() => table.clearTrackingData());

async function state() {
  const items = await table.scan();
  return {
    trackers: items.filter((item) => item.sk === 'TRACKER').length,
    entries: items.filter((item) => String(item.sk).startsWith('ENTRY#')).length,
  };
}

async function putTracker() {
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: { ...keys.activeTracker(users.member), tracker_id: 't-1', workspace_id: WS, user_id: users.member, start_time: '2024-01-15T10:00:00+00:00', request_id: 'r', started_by: users.owner },
    }),
  );
}

function expectSafeFailure(response: { status: number; headers: Record<string, string>; body: any }, kind: keyof typeof faults) {
  if (kind === 'bug') {
    expect(response.status).toBe(500);
    expect(response.body.message).toBe('Server Error.');
  } else {
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toMatch(/^[1-9]\d*$/);
  }
  expect(response.body).toEqual({ success: false, message: expect.any(String), error: expect.any(String), meta: { api_version: '2.0.0', timestamp: expect.any(String) } });
  const text = JSON.stringify(response.body);
  for (const secret of [table.tableName, 'Exception', 'TypeError', 'arn:', 'pk', 'USER#', 'WS#', 'at ', 'socket']) expect(text).not.toContain(secret);
}

type Case = {
  endpoint: string;
  command: string;
  kinds: Array<keyof typeof faults>;
  before?: () => Promise<void>;
  call: () => Promise<{ status: number; headers: Record<string, string>; body: any }>;
  /** The state that must hold after the failure: nothing half-written. */
  after: { trackers: number; entries: number };
};

const retryable = ['throttled', 'timeout', 'serviceError', 'bug'] as const;
const cases: Case[] = [
  { endpoint: 'start', command: 'BatchGetItemCommand', kinds: [...retryable], call: () => api.start(member), after: { trackers: 0, entries: 0 } },
  { endpoint: 'start', command: 'PutItemCommand', kinds: [...retryable], call: () => api.start(member), after: { trackers: 0, entries: 0 } },
  { endpoint: 'start (Idempotency-Key claim)', command: 'PutItemCommand', kinds: [...retryable], call: () => api.start(member, { headers: { 'Idempotency-Key': 'k1' } }), after: { trackers: 0, entries: 0 } },
  { endpoint: 'stop', command: 'BatchGetItemCommand', kinds: [...retryable], before: putTracker, call: () => api.stop(member), after: { trackers: 1, entries: 0 } },
  { endpoint: 'stop', command: 'TransactWriteItemsCommand', kinds: [...retryable, 'transactionConflict'], before: putTracker, call: () => api.stop(member), after: { trackers: 1, entries: 0 } },
  { endpoint: 'current-data', command: 'BatchGetItemCommand', kinds: [...retryable], before: putTracker, call: () => api.current(member), after: { trackers: 1, entries: 0 } },
  { endpoint: 'time-entries', command: 'BatchGetItemCommand', kinds: [...retryable], call: () => api.entries({ ...member, date: '2024-01-15' }), after: { trackers: 0, entries: 0 } },
  { endpoint: 'time-entries', command: 'QueryCommand', kinds: [...retryable], call: () => api.entries({ ...member, date: '2024-01-15' }), after: { trackers: 0, entries: 0 } },
];

describe('a fault on every DynamoDB call', () => {
  for (const testCase of cases) {
    for (const kind of testCase.kinds) {
      it(`${testCase.endpoint}: ${kind} on ${testCase.command}`, async () => {
        await testCase.before?.();
        const fault = injectFault(api.documentClient, { command: testCase.command, error: faults[kind] });
        let response;
        try {
          response = await testCase.call();
        } finally {
          fault.remove();
        }
        expect(fault.hits()).toBeGreaterThanOrEqual(1);
        expectSafeFailure(response, kind);
        expect(await state()).toEqual(testCase.after);
      });
    }
  }

  it('start with an Idempotency-Key keeps its 200 when recording the outcome fails, and the key is not replayed wrongly', async () => {
    // Puts: 1 claim, 2 tracker, 3 the outcome record.
    const fault = injectFault(api.documentClient, { command: 'PutItemCommand', error: faults.serviceError, skip: 2 });
    let response;
    try {
      response = await api.start(member, { headers: { 'Idempotency-Key': 'k2' } });
    } finally {
      fault.remove();
    }
    expect(response.status).toBe(200);
    expect(await state()).toEqual({ trackers: 1, entries: 0 });
    // The key is still held by the unfinished record: a retry is told to wait, not run twice.
    expect((await api.start(member, { headers: { 'Idempotency-Key': 'k2' } })).status).toBe(409);
  });

  it('the authorizer fails (never a cacheable refusal) when the API key lookup fails, and accepts the key after', async () => {
    const key = generateApiKey();
    await createApiKeyAdmin(table.client, table.tableName).insert(newApiKeyRecord(key, { userId: users.owner, name: 'f', scopes: ['write'], expiresAt: null, now: new Date() }));
    for (const kind of ['throttled', 'timeout', 'bug'] as const) {
      const fault = injectFault((await import('../../shared/db/api-key-store.ts')).apiKeyDocumentClient, { command: 'GetItemCommand', error: faults[kind] });
      try {
        await expect(authorizer(authorizerEvent(`Bearer ${key}`))).rejects.toThrow();
      } finally {
        fault.remove();
      }
    }
    expect(await authorizer(authorizerEvent(`Bearer ${key}`))).toEqual({ isAuthorized: true, context: { principal_id: String(users.owner), auth_method: 'api_key', scopes: 'write' } });
  });
});

function authorizerEvent(authorization: string) {
  return { version: '2.0', type: 'REQUEST', routeArn: 'arn', identitySource: [authorization], routeKey: 'POST /time-tracking/start', rawPath: '/time-tracking/start', rawQueryString: '', headers: { authorization }, requestContext: {} } as never;
}
