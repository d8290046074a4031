import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { testSeed, users } from '../support/fixtures.ts';
import { httpEvent, lambdaContext, parse, principalContext } from '../support/http-events.ts';
import { recordAcceptedWrites } from '../support/write-recorder.ts';
import { loadHandlers, type Handlers } from '../support/handlers.ts';
import { exampleCallerOf, exampleScopesOf, inputLocationsOf, inputSchemaOf, routeList, splitInput, type Route } from '../../shared/contracts/routes.ts';
import { batchWriteAll } from '../../shared/db/batch-write.ts';
import { arrangeExample } from '../support/route-scenarios.ts';
import { arbitraryOf } from '../support/schema-arbitraries.ts';

const readsBody = (route: Route) => inputSchemaOf(route, 'body') !== undefined;

/**
 * Property-based fuzzing through the whole middy stack against DynamoDB Local: whatever
 * arrives, never a 5xx, always the envelope, and nothing stored on any 4xx. Every route gets
 * inputs made from its own schemas and example (each field its example's value, another its
 * schema accepts, garbage, or absent; path parameters included), so that its rules are
 * reached, not only its validation: a request that got past validation is one that called
 * DynamoDB, and each route must see a share of them. The tracking routes get raw bodies and
 * queries of every kind besides.
 */
const RUNS = 600;
/** Inputs made from each route's own schemas and example. */
const OWN_INPUT_RUNS = 40;
/** The share of a route's own inputs that must get past validation to its rules. */
const MIN_REACH = 0.2;
let table: TestTable;
let recorder: ReturnType<typeof recordAcceptedWrites>;
let api: Handlers;
let handlers: Handlers['handlers'];
/** DynamoDB calls since the last request began: a request that makes none never got past validation. */
let dynamodbCalls = 0;
const reach: Array<{ route: string; runs: number; pastValidation: number; statuses: Record<number, number> }> = [];

beforeAll(async () => {
  table = await createTestTable('fuzz');
  await table.seed(testSeed);
  api = await loadHandlers();
  ({ handlers } = api);
  recorder = recordAcceptedWrites(api.documentClient);
  api.documentClient.middlewareStack.add(
    (next) => async (args) => {
      dynamodbCalls++;
      return next(args);
    },
    { step: 'initialize', name: 'fuzzCountCalls' },
  );
});
afterAll(async () => {
  recorder.remove();
  api.documentClient.middlewareStack.remove('fuzzCountCalls');
  // The reach of each route's own inputs: the report the fuzzing is judged by.
  console.log(`Inputs past validation, of ${OWN_INPUT_RUNS} per route:\n${reach.map((one) => `${one.route}: ${one.pastValidation} (${JSON.stringify(one.statuses)})`).join('\n')}`);
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

const ABSENT = Symbol('absent');
/**
 * One field: mostly its example's value or one its schema accepts, sometimes garbage or
 * absent. A field the example leaves out is mostly left out too: what a schema accepts is
 * not always what the rules do (a random time zone, a range of years, a version only the
 * sync job sets), and a request with many such fields would only ever meet the validation.
 */
function fieldValue(property: Record<string, unknown>, example: unknown): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: example === undefined ? 20 : 1, arbitrary: fc.constant(ABSENT) },
    ...(example === undefined ? [] : [{ weight: 12, arbitrary: fc.constant(example) }]),
    { weight: 2, arbitrary: arbitraryOf(property) },
    { weight: 1, arbitrary: fc.oneof(id, text) },
  );
}

/** A route's input from its own schemas (every location's fields, the If-Match header included) around its example's live input. */
function ownInput(route: Route, example: Record<string, unknown>) {
  const fields = inputLocationsOf(route)
    .filter((location) => location !== 'headers')
    .flatMap((location) => Object.entries(inputSchemaOf(route, location)!.properties));
  const headers = Object.entries(inputSchemaOf(route, 'headers')?.properties ?? {}).filter(([name]) => name !== 'idempotency-key');
  return fc.record({
    input: fc.record(Object.fromEntries(fields.map(([field, property]) => [field, fieldValue(property as Record<string, unknown>, example[field])]))),
    headers: fc.record(Object.fromEntries(headers.map(([name, property]) => [name, fieldValue(property as Record<string, unknown>, undefined)]))),
  });
}

const seedOf = (name: string) => [...name].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) | 0, 7);

async function fuzzOwnInputs(route: Route) {
  const example = await arrangeExample(api, route);
  const inPath = new Set(Object.keys(inputSchemaOf(route, 'path')?.properties ?? {}));
  recorder.take();
  const statuses: Record<number, number> = {};
  let pastValidation = 0;
  await fc.assert(
    fc.asyncProperty(ownInput(route, example), async ({ input, headers }) => {
      const present = <T>(record: Record<string, T>) => Object.fromEntries(Object.entries(record).filter(([, value]) => value !== ABSENT)) as Record<string, unknown>;
      // A URL carries no lone surrogate: a path parameter is made of well-formed text.
      const wellFormed = Object.fromEntries(Object.entries(present(input)).map(([field, value]) => [field, inPath.has(field) ? String(value).toWellFormed() : value]));
      const { path, query, body } = splitInput(route, wellFormed);
      const event = httpEvent({
        method: route.method,
        path: route.path,
        pathParameters: path,
        query,
        ...(body === undefined ? {} : { body }),
        headers: Object.fromEntries(Object.entries(present(headers)).map(([name, value]) => [name, String(value)])),
        authorizer: principalContext(exampleCallerOf(route), exampleScopesOf(route)),
      });
      dynamodbCalls = 0;
      const response = parse((await handlers[route.name](event, lambdaContext())) as never);
      expectEnvelope(response, { input, headers });
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      if (dynamodbCalls > 0) pastValidation++;
      if (response.status >= 400) expect(recorder.take()).toEqual([]);
      recorder.take();
    }),
    // A seed of the route's own: the reach asserted below is the same on every run and machine (a new route, a new seed).
    { numRuns: OWN_INPUT_RUNS, seed: seedOf(route.name) },
  );
  reach.push({ route: `${route.method} ${route.path}`, runs: OWN_INPUT_RUNS, pastValidation, statuses });
  return pastValidation;
}

/** The inputs must reach past validation too, or the fuzzing would prove little. */
function expectReachedTheRules(statuses: Map<number, number>, expected: number[]) {
  for (const status of expected) expect({ status, seen: statuses.has(status) }).toEqual({ status, seen: true });
}

describe(`fuzzing the tracking routes with ${RUNS} raw bodies and queries of every kind`, () => {
  const aimedAt = new Set(['startTimeTracking', 'stopTimeTracking', 'currentTracker', 'listTimeEntries']);
  for (const route of routeList.filter((one) => aimedAt.has(one.name))) {
    it(`${route.method} ${route.path}`, async () => {
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

describe(`fuzzing every route with ${OWN_INPUT_RUNS} inputs made from its own schemas and example`, () => {
  for (const route of routeList) {
    it(`${route.method} ${route.path}: at least ${MIN_REACH * 100} % of them reach its rules`, async () => {
      // Each route from the seed: another's inputs may have removed a member or a project its example needs.
      await batchWriteAll(
        table.client,
        table.tableName,
        (await table.scan()).map((item) => ({ DeleteRequest: { Key: { pk: String(item.pk), sk: String(item.sk) } } })),
      );
      await table.seed(testSeed);
      expect(await fuzzOwnInputs(route)).toBeGreaterThanOrEqual(OWN_INPUT_RUNS * MIN_REACH);
    }, 120_000);
  }
});
