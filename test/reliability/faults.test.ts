import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { dynamodbActionsOf, exampleCallerOf, routeList, type Route } from '../../shared/contracts/routes.ts';
import { requiredPermissions } from '../../local/dynamodb/iam-proxy.ts';
import { batchWriteAll, type WriteRequest } from '../../shared/db/batch-write.ts';
import { arrangeExample } from '../support/route-scenarios.ts';
import { canonicalJson } from '../../shared/http/idempotency.ts';
import { generateApiKey, hashApiKey, newApiKeyRecord } from '../../shared/auth/api-keys.ts';
import { createApiKeyAdmin } from '../../admin/api-key-admin.ts';
import { ownDynamoDbLocal } from '../support/own-dynamodb.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { faults, injectFault } from '../support/dynamo-faults.ts';
import { testSeed, users, WS } from '../support/fixtures.ts';
import { loadHandlers, type Handlers } from '../support/handlers.ts';

/**
 * A fault on every DynamoDB call of every endpoint (docs/failure-semantics.md), generated from
 * the route table: each route's example (run by test/support/route-scenarios.ts) is run once to
 * record the calls it makes (and to check them against the route's IAM actions); then each
 * call in turn fails with every kind of fault. The answer is 503 with Retry-After
 * (DynamoDB cannot serve now) or a generic 500 (a bug), always in the envelope, never with
 * anything internal in it, and the stored state is exactly what it was: nothing
 * half-written. A new route gets all of this from its example.
 */
let table: TestTable;
let api: Handlers;
let authorizer: typeof import('../../functions/authorizer/handler.ts')['handler'];
let seeded: Map<string, string>;
const member = { workspace_id: WS, user_id: users.member };
const itemKey = (item: Record<string, unknown>) => `${item.pk}|${item.sk}`;

/** Its own DynamoDB Local: every call of every route with every fault is the run's heaviest load (test/support/own-dynamodb.ts). */
const dynamoDb = ownDynamoDbLocal();

beforeAll(async () => {
  await dynamoDb.start();
  table = await createTestTable('faults');
  await table.seed(testSeed);
  seeded = new Map((await table.scan()).map((item) => [itemKey(item), JSON.stringify(item)]));
  // The rate-limit counter fails open by design (test/e2e/rate-limit.test.ts): off here, so that every call counted is the route's own.
  Object.assign(process.env, { AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json', AUTH_ISSUER: 'x', AUTH_AUDIENCE: 'y', RATE_LIMIT_PER_MINUTE: '0' });
  api = await loadHandlers();
  withoutBackoffWaits(api.documentClient);
  ({ handler: authorizer } = await import('../../functions/authorizer/handler.ts'));
}, 60_000);
afterAll(async () => {
  await table?.drop();
  await dynamoDb.stop();
});
beforeEach(() => resetToSeed());

/**
 * The SDK's retries stay (each fault meets the real retry loop, attempt after attempt), but
 * not their jittered waits (with a throttle, up to 1 s then 2 s): what this suite checks is
 * the answer and the table afterwards, and the waits were most of its time. The standard
 * strategy keeps its backoff in `retryBackoffStrategy`; were that to change, the suite would
 * only be slower again.
 */
function withoutBackoffWaits(client: Handlers['documentClient']) {
  const config = client.config as unknown as { retryStrategy: () => Promise<{ retryBackoffStrategy?: unknown }> };
  const original = config.retryStrategy;
  const noWait = { setDelayBase: () => {}, computeNextBackoffDelay: () => 0 };
  config.retryStrategy = async () => Object.assign(await original(), { retryBackoffStrategy: noWait });
}

/** Undoes everything a request wrote (new items deleted, changed and deleted seed items put back): the table is the seed again. */
async function resetToSeed() {
  const present = new Set<string>();
  const writes: WriteRequest[] = [];
  for (const item of await table.scan()) {
    present.add(itemKey(item));
    const original = seeded.get(itemKey(item));
    if (original === undefined) writes.push({ DeleteRequest: { Key: { pk: String(item.pk), sk: String(item.sk) } } });
    else if (original !== JSON.stringify(item)) writes.push({ PutRequest: { Item: JSON.parse(original) } });
  }
  for (const [key, original] of seeded) if (!present.has(key)) writes.push({ PutRequest: { Item: JSON.parse(original) } });
  // In batches: the reset runs before every fault of every call of every route.
  await batchWriteAll(table.client, table.tableName, writes);
}

/** What a user would inspect: every item but the idempotency records (released or kept by design). */
/** Every item, as canonical JSON (attributes in name order: a write undone may put them back in another order). */
async function state() {
  return (await table.scan())
    .filter((item) => !String(item.pk).startsWith('IDEMPOTENCY#'))
    .map((item) => canonicalJson(item))
    .sort();
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

type RecordedCall = { command: string; input: string };

/** Every DynamoDB call (not attempt) the client makes while `work` runs. */
async function recordCalls<T>(work: () => Promise<T>): Promise<{ result: T; calls: RecordedCall[] }> {
  const calls: RecordedCall[] = [];
  const name = `record-calls-${Math.random()}`;
  api.documentClient.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push({ command: String(context.commandName), input: JSON.stringify(args.input) });
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    return { result: await work(), calls };
  } finally {
    api.documentClient.middlewareStack.remove(name);
  }
}

const kindsFor = (command: string): Array<keyof typeof faults> => [
  'throttled',
  'timeout',
  'serviceError',
  'connectionReset',
  'bug',
  ...(command === 'TransactWriteItemsCommand' ? (['transactionConflict'] as const) : []),
];

type Variant = { route: Route; label: string; headers: Record<string, string> };
const variants: Variant[] = routeList.flatMap((route): Variant[] => [
  { route, label: `${route.method} ${route.path}`, headers: {} },
  ...(route.idempotent ? [{ route, label: `${route.method} ${route.path} with an Idempotency-Key`, headers: { 'Idempotency-Key': 'fault-key' } }] : []),
]);

describe('a fault on every DynamoDB call of every endpoint', () => {
  for (const { route, label, headers } of variants) {
    const call = (input: Record<string, unknown>) => api.byRoute[route.name](input, { caller: exampleCallerOf(route), headers });
    const success = (route.response as { status?: number }).status ?? 200;

    it(`${label}: each of its calls, failing with each kind of fault, answers 503 or 500 and changes nothing`, async () => {
      // The calls of one successful request (after its arrangement's), checked against the route's IAM actions.
      const { result: baseline, calls } = await recordCalls(async () => call(await arrangeExample(api, route)));
      expect({ route: route.name, status: baseline.status }).toEqual({ route: route.name, status: success });

      // Only the calls of the request itself (the arrangement's are before them).
      await resetToSeed();
      const { calls: arrangeCalls } = await recordCalls(() => arrangeExample(api, route));
      const own = calls.slice(arrangeCalls.length);
      expect(own.length).toBeGreaterThan(0);
      const allowed = new Set(dynamodbActionsOf(route, { rateLimited: false }));
      for (const recorded of own) {
        const operation = recorded.command.replace(/Command$/, '');
        for (const { action } of requiredPermissions(operation, JSON.parse(recorded.input)))
          expect({ route: route.name, action, allowed: allowed.has(action) }).toEqual({ route: route.name, action, allowed: true });
      }

      const idempotencyCalls = own.flatMap((recorded, index) => (recorded.input.includes('IDEMPOTENCY#') ? [index] : []));
      // The outcome record of a claimed key is written after the answer is decided: its failure leaves the answer standing (tested below).
      const outcomeRecord = idempotencyCalls.length >= 2 ? idempotencyCalls.at(-1) : undefined;

      const covered: string[] = [];
      for (const [index, recorded] of own.entries()) {
        if (index === outcomeRecord) continue;
        const skip = own.slice(0, index).filter((earlier) => earlier.command === recorded.command).length;
        for (const kind of kindsFor(recorded.command)) {
          await resetToSeed();
          const input = await arrangeExample(api, route);
          const before = await state();
          const fault = injectFault(api.documentClient, { command: recorded.command, error: faults[kind], skip });
          let response;
          try {
            response = await call(input);
          } finally {
            fault.remove();
          }
          expect({ call: `${recorded.command}#${skip}`, kind, hit: fault.hits() >= 1 }).toEqual({ call: `${recorded.command}#${skip}`, kind, hit: true });
          expectSafeFailure(response, kind);
          expect(await state()).toEqual(before);
          covered.push(`${recorded.command}#${skip}:${kind}`);
        }
      }
      expect(covered.length).toBeGreaterThanOrEqual(own.length - (outcomeRecord === undefined ? 0 : 1));
    }, 120_000);
  }

  it('start with an Idempotency-Key keeps its 200 when recording the outcome fails, and the key is not replayed wrongly', async () => {
    // PutItems: 1 the claim, 2 the outcome record (the tracker is written in a transaction).
    const fault = injectFault(api.documentClient, { command: 'PutItemCommand', error: faults.serviceError, skip: 1 });
    let response;
    try {
      response = await api.start(member, { headers: { 'Idempotency-Key': 'k2' } });
    } finally {
      fault.remove();
    }
    expect(response.status).toBe(200);
    expect((await table.scan()).filter((item) => item.sk === 'TRACKER')).toHaveLength(1);
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
    expect(await authorizer(authorizerEvent(`Bearer ${key}`))).toEqual({
      isAuthorized: true,
      context: { principal_id: String(users.owner), auth_method: 'api_key', scopes: 'write', key_id: hashApiKey(key).slice(0, 16) },
    });
  });
});

function authorizerEvent(authorization: string) {
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn',
    identitySource: [authorization],
    routeKey: 'POST /time-tracking/start',
    rawPath: '/time-tracking/start',
    rawQueryString: '',
    headers: { authorization },
    requestContext: {},
  } as never;
}
