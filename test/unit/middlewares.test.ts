import { describe, expect, it } from '@jest/globals';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { ajvErrorsFixture } from '../support/ajv-fixture.ts';
import { appendRequestIds } from '../../shared/http/append-request-ids.ts';
import { errorMapper } from '../../shared/http/error-mapper.ts';
import { idempotency, REPLAY_HEADER } from '../../shared/http/idempotency.ts';
import { outcomeMetric } from '../../shared/http/outcome-metric.ts';
import { requirePrincipal } from '../../shared/http/require-principal.ts';
import { validateInput } from '../../shared/http/validate-input.ts';
import type { HttpRequest } from '../../shared/http/types.ts';
import {
  BadRequestError,
  DependencyUnavailableError,
  ForbiddenError,
  IdempotencyConflictError,
  InsufficientScopeError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  ValidationError,
} from '../../shared/errors.ts';
import type { IdempotencyRecord, IdempotencyStore } from '../../shared/ports/idempotency-store.ts';

/**
 * Each middleware of the chain on its own, as Middy tests its packages: a request object
 * in, what the middleware does to it (or throws) out. The chain's order is tested in
 * http-chain.test.ts.
 */
const clock = { now: () => new Date('2024-01-15T10:30:00Z') };
const request = (overrides: { event?: Record<string, unknown>; context?: Record<string, unknown>; error?: unknown; response?: unknown } = {}) =>
  ({ event: { headers: {}, requestContext: {}, ...overrides.event }, context: { ...overrides.context }, internal: {}, error: overrides.error, response: overrides.response }) as unknown as HttpRequest;
const silentLogger = () => {
  const lines: Array<[string, string, unknown]> = [];
  const log = (level: string) => (message: string, extra?: unknown) => lines.push([level, message, extra]);
  return { lines, logger: { info: log('info'), warn: log('warn'), error: log('error'), appendKeys: (keys: unknown) => lines.push(['keys', '', keys]) } as unknown as Logger };
};
const body = (req: HttpRequest) => JSON.parse(String((req.response as { body: string }).body));

describe('appendRequestIds', () => {
  it("puts API Gateway's request id and the route on the log lines", () => {
    const { lines, logger } = silentLogger();
    appendRequestIds({ logger }).before(request({ event: { routeKey: 'POST /x', requestContext: { requestId: 'abc' } } }));
    expect(lines).toEqual([['keys', '', { api_request_id: 'abc', route: 'POST /x' }]]);
  });
});

describe('errorMapper', () => {
  const map = (error: unknown) => {
    const { lines, logger } = silentLogger();
    const req = request({ error });
    errorMapper({ logger, clock }).onError(req);
    return {
      req,
      lines,
      status: (req.response as { statusCode: number }).statusCode,
      headers: (req.response as { headers: Record<string, string> }).headers,
      errorCode: (req.internal as { errorCode?: string }).errorCode,
    };
  };

  it.each([
    [new UnauthenticatedError('expired'), 401, 'unauthenticated'],
    [new InsufficientScopeError('write'), 403, 'insufficient_scope'],
    [new ForbiddenError(), 403, 'forbidden'],
    [new BadRequestError('nope'), 400, 'bad_request'],
    [new NotFoundError('gone'), 404, 'not_found'],
    [new IdempotencyConflictError(), 409, 'idempotency_key_in_use'],
  ])('keeps a typed error: %s', (error, status, code) => {
    const mapped = map(error);
    expect({ status: mapped.status, code: body(mapped.req).error, errorCode: mapped.errorCode }).toEqual({ status, code, errorCode: code });
    expect(body(mapped.req)).toEqual({ success: false, message: error.message, error: code, meta: { api_version: '2.0.0', timestamp: '2024-01-15T10:30:00+00:00' } });
  });

  it('answers 422 with the errors per field', () => {
    const mapped = map(new ValidationError({ user_id: ['The user id field is required.'] }));
    expect(mapped.status).toBe(422);
    expect(body(mapped.req)).toMatchObject({ success: false, message: 'Validation failed', errors: { user_id: ['The user id field is required.'] } });
  });

  it('adds Retry-After to the transient answers (503, 429), and only to them', () => {
    expect(map(new DependencyUnavailableError(3)).headers['retry-after']).toBe('3');
    expect(map(new RateLimitedError(42)).headers['retry-after']).toBe('42');
    expect(map(new ForbiddenError()).headers['retry-after']).toBeUndefined();
  });

  it('turns anything else into a generic 500 and logs it, never serializing it', () => {
    const mapped = map(Object.assign(new TypeError('secret-table-name pk=USER#1'), { stack: 'at secret (file.ts:1)' }));
    expect(mapped.status).toBe(500);
    expect(body(mapped.req)).toEqual({ success: false, message: 'Server Error.', error: 'internal_error', meta: expect.any(Object) });
    expect(JSON.stringify(body(mapped.req))).not.toMatch(/secret|USER#|TypeError/);
    expect(mapped.lines.map(([level, message]) => [level, message])).toEqual([['error', 'unhandled error']]);
    expect(map('a thrown string').status).toBe(500);
  });

  it("answers Middy's JSON body parser failure as the contract's 400", () => {
    const mapped = map(Object.assign(new Error('Unprocessable Entity'), { cause: { package: '@middy/http-json-body-parser' } }));
    expect({ status: mapped.status, code: body(mapped.req).error }).toEqual({ status: 400, code: 'bad_request' });
  });
});

describe('requirePrincipal', () => {
  const check = (scope: 'read' | 'write', lambda: unknown) => {
    const req = request({ event: { requestContext: { authorizer: { lambda } } } });
    requirePrincipal({ scope, clock }).before(req);
    return req.context.principal;
  };
  const valid = { principal_id: '7', auth_method: 'jwt', scopes: 'read', expires_at: clock.now().getTime() / 1000 + 60 };

  it('sets the principal of a valid context holding the scope', () => {
    expect(check('read', valid)).toMatchObject({ userId: 7, scopes: new Set(['read']) });
  });
  it('401 without a principal, 403 without the scope', () => {
    expect(() => check('read', undefined)).toThrow(UnauthenticatedError);
    expect(() => check('read', { auth_error: 'invalid signature' })).toThrow(UnauthenticatedError);
    expect(() => check('write', valid)).toThrow(InsufficientScopeError);
  });
});

describe('validateInput', () => {
  const object = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object' as const, properties, required });
  // Validators stand in for AJV's here: this tests the middleware's reading and merging, not the schemas.
  const validator = (reject: Record<string, string> = {}) => {
    const validate = ((value: Record<string, unknown>) => {
      validate.errors = ajvErrorsFixture(value, reject);
      return validate.errors.length === 0;
    }) as unknown as { (value: Record<string, unknown>): boolean; errors: unknown[] };
    return validate as never;
  };

  it('reads each location, keeps only declared fields, trims, and merges path, query and body (headers apart)', () => {
    const middleware = validateInput({
      path: { schema: object({ id: {} }), validate: validator() },
      query: { schema: object({ workspace_id: {}, empty: {} }), validate: validator() },
      headers: { schema: object({ 'if-match': {} }), validate: validator() },
      body: { schema: object({ note: {}, cleared: {} }), validate: validator() },
    });
    const req = request({
      event: {
        pathParameters: { id: 'e1', extra: 'x' },
        queryStringParameters: { workspace_id: ' 1 ', empty: '' },
        headers: { 'if-match': '"3"', authorization: 'secret' },
        body: { note: '  hi ', cleared: '', ignored: true },
      },
    });
    middleware.before(req);
    expect(req.context.input).toEqual({ id: 'e1', workspace_id: '1', note: 'hi', cleared: null });
    expect(req.context.headers).toEqual({ 'if-match': '"3"' });
  });

  it('refuses a body that is not a JSON object with 400, before any field', () => {
    const middleware = validateInput({ query: { schema: object({ a: {} }), validate: validator({ a: 'required' }) }, body: { schema: object({}), validate: validator() } });
    for (const raw of [undefined, null, [], 'text', 5]) expect(() => middleware.before(request({ event: { body: raw } }))).toThrow(BadRequestError);
  });

  it('answers the errors of every location at once, one message per field', () => {
    const middleware = validateInput({
      path: { schema: object({ id: {} }, ['id']), validate: validator({ id: 'pattern' }) },
      query: { schema: object({ workspace_id: {} }, ['workspace_id']), validate: validator({ workspace_id: 'required' }) },
      body: { schema: object({ note: {} }), validate: validator() },
    });
    try {
      middleware.before(request({ event: { pathParameters: { id: 'bad' }, body: { note: 'x' } } }));
      throw new Error('no error');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).errors).toEqual({ id: ['The id field format is invalid.'], workspace_id: ['The workspace id field is required.'] });
    }
  });

  it('refuses a lone surrogate (DynamoDB stores UTF-8 only)', () => {
    const middleware = validateInput({ body: { schema: object({ note: {} }), validate: validator() } });
    expect(() => middleware.before(request({ event: { body: { note: 'a\ud800' } } }))).toThrow(ValidationError);
  });
});

describe('outcomeMetric', () => {
  const recorded = () => {
    const lines: Array<Record<string, unknown>> = [];
    /** A Metrics stand-in: what it was given, as one line per publish (or per metric, for the main instance). */
    const instance = (publishes: boolean) => {
      let dimensions: Record<string, string> = {};
      const pending: Array<Record<string, unknown>> = [];
      return {
        addDimension: (name: string, value: string) => (dimensions = { ...dimensions, [name]: value }),
        addMetric: (name: string, _unit: unknown, value: number) => (publishes ? pending.push({ dimensions, name, value }) : lines.push({ dimensions, name, value })),
        publishStoredMetrics: () => {
          lines.push(...pending.splice(0));
          dimensions = {};
        },
      } as unknown as Metrics;
    };
    return { lines, metrics: instance(false), ownLine: instance(true) };
  };
  const outcomeOf = (req: HttpRequest) => {
    const { lines, metrics, ownLine } = recorded();
    outcomeMetric({ metrics, ownLine, route: 'POST /x', successOutcome: 'started' }).after(req);
    return lines;
  };

  it('counts a success as the route success outcome, once by outcome and once by route and outcome', () => {
    expect(outcomeOf(request({ response: { statusCode: 200 } }))).toEqual([
      { dimensions: { outcome: 'started' }, name: 'Requests', value: 1 },
      { dimensions: { route: 'POST /x', outcome: 'started' }, name: 'Requests', value: 1 },
    ]);
  });
  it('counts an error by its code, a replay as replayed, and anything else by status', () => {
    const failed = request({ response: { statusCode: 400 } });
    (failed.internal as { errorCode?: string }).errorCode = 'tracker_already_active';
    expect(outcomeOf(failed)[0]).toMatchObject({ dimensions: { outcome: 'tracker_already_active' } });
    expect(outcomeOf(request({ response: { statusCode: 200 }, context: { idempotentReplay: { statusCode: 200, body: '{}' } } }))[0]).toMatchObject({ dimensions: { outcome: 'replayed' } });
    expect(outcomeOf(request({ response: { statusCode: 502 } }))[0]).toMatchObject({ dimensions: { outcome: 'status_502' } });
    expect(outcomeOf(request({}))[0]).toMatchObject({ dimensions: { outcome: 'status_500' } });
  });
});

describe('idempotency', () => {
  const setup = (existing?: IdempotencyRecord, options: { failComplete?: boolean; mayReplay?: boolean } = {}) => {
    const calls: string[] = [];
    const store: IdempotencyStore = {
      claim: async () => (calls.push('claim'), existing ? { claimed: false, record: existing } : { claimed: true }),
      complete: async (_scope, _hash, response) => {
        calls.push(`complete ${response.statusCode}`);
        if (options.failComplete) throw new Error('down');
      },
      release: async () => void calls.push('release'),
    };
    const { lines, logger } = silentLogger();
    const middleware = idempotency({
      store,
      route: 'POST /x',
      clock,
      logger,
      assertMayReplay: async () => {
        calls.push('assertMayReplay');
        if (options.mayReplay === false) throw new ForbiddenError();
      },
    });
    const req = (key: string | undefined, input: Record<string, unknown> = { a: 1 }) =>
      request({ event: { headers: key === undefined ? {} : { 'idempotency-key': key } }, context: { principal: { userId: 1 }, input, admitted: Promise.resolve() } });
    return { calls, lines, middleware, req };
  };
  const hashOfA = '015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862';

  it('does nothing without a key, and refuses a malformed one with 400', async () => {
    const { calls, middleware, req } = setup();
    await middleware.claim.before(req(undefined));
    expect(calls).toEqual([]);
    await expect(middleware.claim.before(req(''))).rejects.toThrow(BadRequestError);
    await expect(middleware.claim.before(req('with space'))).rejects.toThrow(BadRequestError);
    await expect(middleware.claim.before(req('x'.repeat(256)))).rejects.toThrow(BadRequestError);
  });

  it('claims a new key, then keeps the final answer; a transient answer (5xx, 429) releases it', async () => {
    for (const [status, expected] of [
      [201, 'complete 201'],
      [422, 'complete 422'],
      [503, 'release'],
      [429, 'release'],
    ] as const) {
      const { calls, middleware, req } = setup();
      const claimed = req('k');
      await middleware.claim.before(claimed);
      claimed.response = { statusCode: status, body: '{}' };
      await middleware.record.after(claimed);
      expect(calls).toEqual(['claim', expected]);
    }
  });

  it('replays a completed answer after checking the caller may still act; 403 when not', async () => {
    const record: IdempotencyRecord = { status: 'completed', requestHash: hashOfA, response: { statusCode: 201, body: '{"ok":true}' } };
    const { calls, middleware, req } = setup(record);
    const replay = req('k');
    await middleware.claim.before(replay);
    expect(calls).toEqual(['claim', 'assertMayReplay']);
    expect(replay.context.idempotentReplay).toEqual(record.response);
    await expect(setup(record, { mayReplay: false }).middleware.claim.before(setup(record).req('k'))).rejects.toThrow(ForbiddenError);
    expect(REPLAY_HEADER).toBe('idempotent-replayed');
  });

  it('422 for the same key with another body, 409 while the first is running', async () => {
    await expect(setup({ status: 'completed', requestHash: 'other', response: { statusCode: 200, body: '{}' } }).middleware.claim.before(setup().req('k'))).rejects.toThrow(ValidationError);
    await expect(setup({ status: 'in_progress', requestHash: hashOfA }).middleware.claim.before(setup().req('k'))).rejects.toThrow(IdempotencyConflictError);
  });

  it('lets the answer stand when its record cannot be written (logged)', async () => {
    const { calls, lines, middleware, req } = setup(undefined, { failComplete: true });
    const claimed = req('k');
    await middleware.claim.before(claimed);
    claimed.response = { statusCode: 200, body: '{}' };
    await expect(middleware.record.after(claimed)).resolves.toBeUndefined();
    expect(calls).toEqual(['claim', 'complete 200']);
    expect(lines.map(([level, message]) => [level, message])).toEqual([['warn', 'could not record the idempotent outcome']]);
  });
});
