import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { testSeed, users } from '../support/fixtures.ts';
import { httpEvent, lambdaContext, parse, principalContext } from '../support/http-events.ts';
import { recordAcceptedWrites } from '../support/write-recorder.ts';
import { loadHandlers, type Handlers } from '../support/handlers.ts';
import { inputSchemaOf, routeList, type Route, exampleScopesOf } from '../../shared/contracts/routes.ts';

const readsBody = (route: Route) => inputSchemaOf(route, 'body') !== undefined;

/**
 * Property-based fuzzing of every endpoint's body or query, through the whole middy stack
 * against DynamoDB Local: whatever arrives, never a 5xx, always the envelope, and nothing
 * stored on any 4xx.
 */
const RUNS = 1000;
/** The routes the generators do not aim at are fuzzed for robustness: their inputs rarely get past validation, so fewer runs find as much. */
const ROBUSTNESS_RUNS = 300;
let table: TestTable;
let recorder: ReturnType<typeof recordAcceptedWrites>;
let handlers: Handlers['handlers'];

beforeAll(async () => {
  table = await createTestTable('fuzz');
  await table.seed(testSeed);
  ({ handlers } = await loadHandlers());
  recorder = recordAcceptedWrites((await import('../../shared/db/default-repositories.ts')).documentClient);
});
afterAll(async () => {
  recorder.remove();
  await table.drop();
});

// Ids near the seeded ones (so that some inputs get far), and everything that is no id.
const id = fc.oneof(
  fc.constantFrom(1, 2, 5, 6, 10, 20, 21, 22, 30, 100, 101, 102, 104, 105, 106, 999),
  fc.integer(),
  fc.constantFrom(0, -1, 2 ** 53, 2 ** 53 - 1, -0, 1e308, 1.5, Number.MIN_VALUE),
  fc.double(),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
);
// Unicode of every kind, lone surrogates included, and strings around the 1000 limit.
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.string({ unit: fc.constantFrom('\ud800', '\udfff', 'é', '😀', ' ', '\u0000', 'a'), minLength: 0, maxLength: 30 }),
  fc.integer({ min: 990, max: 1010 }).map((length) => 'x'.repeat(length)),
  fc.integer({ min: 995, max: 1005 }).map((length) => '😀'.repeat(length)),
  fc.constant(' '.repeat(5000)),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
);
const pollutionKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf');
const deepNesting = fc.integer({ min: 50, max: 5000 }).map((depth) => `{"workspace_id":${'['.repeat(depth)}${']'.repeat(depth)},"user_id":1}`);

const bodyFields = fc.record({ workspace_id: id, user_id: id, contract_id: id, task_id: id, activity_description: text }, { requiredKeys: [] });
// Close to valid: reaches the rules and DynamoDB, sometimes succeeds.
const nearlyValid = fc.record(
  {
    workspace_id: fc.constantFrom(1, 2, 77),
    user_id: fc.constantFrom(100, 101, 102, 104, 105, 106, 999),
    contract_id: fc.constantFrom(null, 20, 21, 22, 30, 999),
    task_id: fc.constantFrom(null, 5, 6, 7),
    activity_description: text,
  },
  { requiredKeys: ['workspace_id', 'user_id'] },
);
const rawBody = fc.oneof(
  { weight: 4, arbitrary: nearlyValid.map((body) => JSON.stringify(body)) },
  { weight: 5, arbitrary: bodyFields.map((body) => JSON.stringify(body)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.dictionary(fc.oneof(pollutionKey, fc.string()), fc.jsonValue({ maxDepth: 2 })).map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.tuple(pollutionKey, bodyFields).map(([key, body]) => JSON.stringify(body).replace('{', `{"${key}":{"polluted":true},`)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: deepNesting },
  { weight: 1, arbitrary: fc.integer({ min: 100_000, max: 2_000_000 }).map((length) => `{"workspace_id":1,"user_id":101,"activity_description":"${'y'.repeat(length)}"}`) },
  { weight: 1, arbitrary: fc.constantFrom('', 'null', '[]', '{}', '"str"', '{"workspace_id":1,', '\u0000', '{"workspace_id":1e400,"user_id":1}') },
);

const queryValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer().map(String),
  fc.constantFrom('1', '101', '0', '-1', '1.5', '9007199254740992', '2024-01-15', '2024-02-30', ' 1 ', '', '1e3', '0x10', 'NaN'),
);
const nearlyValidQuery = fc.record(
  {
    workspace_id: fc.constantFrom('1', '2', '77'),
    user_id: fc.constantFrom('100', '101', '105', '999'),
    date: fc.constantFrom('2024-01-15', '2024-02-30'),
    page: fc.constantFrom('1', '2'),
    per_page: fc.constantFrom('1', '20', '50', '51'),
  },
  { requiredKeys: ['workspace_id', 'user_id', 'date'] },
);
const anyQuery = fc.dictionary(fc.oneof(fc.constantFrom('workspace_id', 'user_id', 'date', 'page', 'per_page'), pollutionKey, fc.string({ maxLength: 10 })), queryValue, { maxKeys: 7 });
const query = fc.oneof(nearlyValidQuery as fc.Arbitrary<Record<string, string>>, anyQuery);

function expectEnvelope(response: { status: number; body: any }, input: unknown) {
  const context = JSON.stringify(input)?.slice(0, 300);
  if (response.status >= 500) throw new Error(`${response.status} for ${context}: ${JSON.stringify(response.body)}`);
  expect(typeof response.body.success).toBe('boolean');
  expect(response.body.meta).toMatchObject({ api_version: '2.0.0', timestamp: expect.any(String) });
  if (!response.body.success) expect(typeof response.body.message).toBe('string');
}

async function fuzzBody(route: Route, runs = RUNS) {
  recorder.take();
  const statuses = new Map<number, number>();
  const successes: Array<Record<string, unknown>> = [];
  await fc.assert(
    fc.asyncProperty(rawBody, async (body) => {
      const response = parse((await handlers[route.name](httpEvent({ path: route.path, rawBody: body, authorizer: principalContext(users.owner, exampleScopesOf(route)) }), lambdaContext())) as never);
      expectEnvelope(response, body);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status === 200) successes.push(response.body.data);
      const writes = recorder.take();
      if (response.status >= 400) expect(writes).toEqual([]);
    }),
    { numRuns: runs },
  );
  return Object.assign(statuses, { successes });
}

async function fuzzQuery(route: Route, runs = RUNS) {
  recorder.take();
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(query, async (parameters) => {
      const event = httpEvent({ method: route.method, path: route.path, authorizer: principalContext(users.owner, exampleScopesOf(route)) });
      event.queryStringParameters = parameters;
      event.rawQueryString = new URLSearchParams(parameters).toString();
      const response = parse((await handlers[route.name](event, lambdaContext())) as never);
      expectEnvelope(response, parameters);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      expect(recorder.take()).toEqual([]);
    }),
    { numRuns: runs },
  );
  return statuses;
}

/** The inputs must reach past validation too, or the fuzzing would prove little. */
function expectReachedTheRules(statuses: Map<number, number>, expected: number[]) {
  for (const status of expected) expect({ status, seen: statuses.has(status) }).toEqual({ status, seen: true });
}

describe(`fuzzing with ${RUNS} generated inputs per endpoint`, () => {
  // The generators aim at the tracking routes' fields: other routes are fuzzed for robustness only.
  const aimedAt = new Set(['startTimeTracking', 'stopTimeTracking', 'currentTracker', 'listTimeEntries']);
  for (const route of routeList) {
    it(`${route.method} ${route.path}`, async () => {
      if (!aimedAt.has(route.name)) {
        const outcome = readsBody(route) ? await fuzzBody(route, ROBUSTNESS_RUNS) : await fuzzQuery(route, ROBUSTNESS_RUNS);
        expectReachedTheRules(outcome, readsBody(route) ? [400, 422] : [422]);
        return;
      }
      if (!readsBody(route)) {
        expectReachedTheRules(await fuzzQuery(route), [200, 403, 404, 422]);
        return;
      }
      // Starts run first on a clean table; stops then act on the trackers they left.
      if (route.name === 'startTimeTracking') await table.clearTrackingData();
      const outcome = await fuzzBody(route);
      expectReachedTheRules(outcome, [200, 400, 403, 404, 422]);
      if (route.name !== 'startTimeTracking') return;
      // Nothing stops during this run: the stored trackers are exactly the successful starts.
      const trackers = (await table.scan()).filter((item) => item.sk === 'TRACKER');
      const key = (tracker: Record<string, unknown>) => `${tracker.user_id}@${tracker.start_time}`;
      expect(trackers.map(key).sort()).toEqual(outcome.successes.map(key).sort());
    }, 120_000);
  }
});
