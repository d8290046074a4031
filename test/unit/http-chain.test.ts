import * as stopValidators from '../../shared/contracts/generated/validators/stopTimeTracking.js';
import { describe, expect, it } from '@jest/globals';
import { routes } from '../../shared/contracts/routes.ts';
import { ForbiddenError, DependencyUnavailableError } from '../../shared/errors.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { hashInput } from '../../shared/http/idempotency.ts';
import type { IdempotencyRecord, IdempotencyStore } from '../../shared/ports/idempotency-store.ts';
import type { TrackingRepository } from '../../shared/tracking/ports.ts';
import { httpEvent, lambdaContext, parse, principalContext } from '../support/http-events.ts';

/**
 * The shared Middy chain, without DynamoDB: the check order of the contract, one error
 * envelope, security headers on every answer, the early timeout, Idempotency-Key.
 */
function memoryStore() {
  const records = new Map<string, IdempotencyRecord>();
  const id = (scope: { userId: number; route: string; key: string }) => `${scope.userId}|${scope.route}|${scope.key}`;
  const store: IdempotencyStore = {
    async claim(scope, requestHash) {
      const record = records.get(id(scope));
      if (record) return { claimed: false, record };
      records.set(id(scope), { status: 'in_progress', requestHash });
      return { claimed: true };
    },
    async complete(scope, requestHash, response) {
      records.set(id(scope), { status: 'completed', requestHash, response });
    },
    async release(scope) {
      records.delete(id(scope));
    },
  };
  return { store, records };
}

const stopped = {
  stopped_at: '2024-01-15T11:00:00+00:00',
  start_time: '2024-01-15T10:00:00+00:00',
  duration_seconds: 3600,
  time_entry_id: 'e-1',
  user_id: 101,
  contract_id: null,
  project_id: null,
  task_id: null,
  activity_description: null,
};

function stopHandler(run: () => Promise<unknown>, options: { mayReplay?: boolean } = {}) {
  const { store, records } = memoryStore();
  let runs = 0;
  const handler = createHttpHandler(routes.stopTimeTracking, {
    adapters: { repository: {} as TrackingRepository, idempotencyStore: store, rateLimiter: undefined },
    validators: stopValidators,
    assertMayReplay: async () => {
      if (options.mayReplay === false) throw new ForbiddenError();
    },
    run: async () => {
      runs++;
      return (await run()) as never;
    },
  });
  const call = async (event: Parameters<typeof httpEvent>[0], context = lambdaContext()) => parse(await handler(httpEvent(event), context));
  return { call, records, runs: () => runs };
}

const valid = { workspace_id: 1, user_id: 101 };
const SECURITY_HEADERS = ['x-content-type-options', 'strict-transport-security', 'referrer-policy'];

describe('the check order (first failure wins)', () => {
  const { call, runs } = stopHandler(async () => ({ data: stopped }));

  it.each([
    ['1: no principal → 401, before anything else', { authorizer: null, rawBody: '[', body: undefined }, 401, 'unauthenticated'],
    ['1: a refused credential → 401', { authorizer: { auth_error: 'token expired' }, rawBody: '[' }, 401, 'unauthenticated'],
    ['2: missing scope → 403, before the body is read', { authorizer: principalContext(100, 'read'), rawBody: '[' }, 403, 'insufficient_scope'],
    ['3: not a JSON object → 400', { rawBody: '[1]' }, 400, 'bad_request'],
    ['3: not JSON at all → 400', { rawBody: '{"workspace_id":' }, 400, 'bad_request'],
    ['4: a bad field → 422', { body: { workspace_id: 'one', user_id: 101 } }, 422, undefined],
  ] as const)('%s', async (_name, event, status, code) => {
    const response = await call({ path: routes.stopTimeTracking.path, ...event } as never);
    expect(response.status).toBe(status);
    if (code) expect(response.body).toEqual({ success: false, message: expect.any(String), error: code, meta: { api_version: '2.0.0', timestamp: expect.stringMatching(/\+00:00$/) } });
    else expect(response.body).toEqual({ success: false, message: 'Validation failed', errors: { workspace_id: ['The workspace id field must be an integer.'] }, meta: expect.any(Object) });
    for (const header of SECURITY_HEADERS) expect(response.headers[header]).toBeDefined();
    expect(runs()).toBe(0);
  });

  it('runs the use case once the checks pass, and wraps its data in the envelope with the route message', async () => {
    const response = await call({ path: routes.stopTimeTracking.path, body: valid });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      success: true,
      message: routes.stopTimeTracking.response.message,
      data: { message: routes.stopTimeTracking.response.message, ...stopped },
      meta: expect.any(Object),
    });
    for (const header of SECURITY_HEADERS) expect(response.headers[header]).toBeDefined();
  });
});

describe('one error contract', () => {
  it('a typed transient error is 503 with Retry-After; a raw error is a generic 500 that reveals nothing', async () => {
    const unavailable = await stopHandler(async () => {
      throw new DependencyUnavailableError(2);
    }).call({ path: routes.stopTimeTracking.path, body: valid });
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers['retry-after']).toBe('2');
    const bug = await stopHandler(async () => {
      throw new TypeError('Cannot read properties of undefined (reading "pk") in table secret-table');
    }).call({ path: routes.stopTimeTracking.path, body: valid });
    expect(bug.status).toBe(500);
    expect(bug.body).toEqual({ success: false, message: 'Server Error.', error: 'internal_error', meta: expect.any(Object) });
    expect(JSON.stringify(bug.body)).not.toMatch(/secret|TypeError|pk/);
  });

  it('the early timeout answers 503 in the envelope, with the security headers, and frees the Idempotency-Key', async () => {
    const { call, records } = stopHandler(() => new Promise(() => {}));
    const context = lambdaContext({ getRemainingTimeInMillis: () => 600 });
    const response = await call({ path: routes.stopTimeTracking.path, body: valid, headers: { 'Idempotency-Key': 'slow' } }, context);
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.body.error).toBe('service_unavailable');
    for (const header of SECURITY_HEADERS) expect(response.headers[header]).toBeDefined();
    expect(records.size).toBe(0);
  });
});

describe('Idempotency-Key', () => {
  it('replays a completed answer without running again, and says so', async () => {
    const { call, runs } = stopHandler(async () => ({ data: stopped }));
    const first = await call({ path: routes.stopTimeTracking.path, body: valid, headers: { 'Idempotency-Key': 'k' } });
    const second = await call({ path: routes.stopTimeTracking.path, body: { user_id: 101, workspace_id: 1, ignored: 1 }, headers: { 'Idempotency-Key': 'k' } });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(runs()).toBe(1);
  });

  it('re-checks that the caller may still act before replaying (403 otherwise)', async () => {
    const { call, runs } = stopHandler(async () => ({ data: stopped }), { mayReplay: false });
    expect((await call({ path: routes.stopTimeTracking.path, body: valid, headers: { 'Idempotency-Key': 'k' } })).status).toBe(200);
    const replay = await call({ path: routes.stopTimeTracking.path, body: valid, headers: { 'Idempotency-Key': 'k' } });
    expect(replay.status).toBe(403);
    expect(replay.headers['idempotent-replayed']).toBeUndefined();
    expect(runs()).toBe(1);
  });

  it('another body with the same key is 422; a key still in flight is 409; a 5xx frees the key', async () => {
    let fail = true;
    const { call, records } = stopHandler(async () => {
      if (fail) throw new DependencyUnavailableError();
      return { data: stopped };
    });
    expect((await call({ path: routes.stopTimeTracking.path, body: valid, headers: { 'Idempotency-Key': 'k' } })).status).toBe(503);
    expect(records.size).toBe(0);
    fail = false;
    expect((await call({ path: routes.stopTimeTracking.path, body: valid, headers: { 'Idempotency-Key': 'k' } })).status).toBe(200);
    expect((await call({ path: routes.stopTimeTracking.path, body: { ...valid, user_id: 102 }, headers: { 'Idempotency-Key': 'k' } })).status).toBe(422);
    records.set([...records.keys()][0]!.replace(/\|k$/, '|k2'), { status: 'in_progress', requestHash: hashInput(valid) });
    const inFlight = await call({ path: routes.stopTimeTracking.path, body: valid, headers: { 'Idempotency-Key': 'k2' } });
    expect([inFlight.status, inFlight.body.error]).toEqual([409, 'idempotency_key_in_use']);
  });

  it('refuses a malformed key with 400', async () => {
    const { call } = stopHandler(async () => ({ data: stopped }));
    expect((await call({ path: routes.stopTimeTracking.path, body: valid, headers: { 'Idempotency-Key': 'bad key' } })).status).toBe(400);
  });
});
