import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpSecurityHeaders from '@middy/http-security-headers';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { ValidateFunction } from 'ajv';
import type { Principal } from '../auth/principal.ts';
import type { RouteData, RouteHeaders, RouteInput, RouteMeta } from '../contracts/route-types.ts';
import { inputLocationsOf, inputSchemaOf, routeKey, selfUserOf, type InputLocation, type ResponseHeader, type Route, type RouteDefinition, type RouteName } from '../contracts/routes.ts';
import { DependencyUnavailableError, ForbiddenError, NotFoundError, ReportTooLargeError } from '../errors.ts';
import { logger } from '../observability/logger.ts';
import { metrics, ownLineMetrics } from '../observability/metrics.ts';
import type { AnswerSealer, IdempotencyStore } from '../ports/idempotency-store.ts';
import type { RateLimiter } from '../ports/rate-limiter.ts';
import type { TrackingRepository } from '../tracking/ports.ts';
import { systemClock } from './clock.ts';
import { jsonResponse, successBody } from './envelope.ts';
import { errorMapper } from './error-mapper.ts';
import { idempotency, replayResponse, type IdempotencyOptions } from './idempotency.ts';
import { outcomeMetric } from './outcome-metric.ts';
import { admitFirst, rateLimit } from './rate-limit.ts';
import { appendRequestIds } from './append-request-ids.ts';
import { requirePrincipal } from './require-principal.ts';
import type { HttpContext, HttpEvent, HttpResult } from './types.ts';
import { validateInput, type InputValidators } from './validate-input.ts';
import { acceptsCsv, csvResponse, exceedsResponseLimit } from './csv-response.ts';
import type { CsvTable } from '../contracts/report-views.ts';

export type UseCaseContext<N extends RouteName = RouteName> = {
  principal: Principal;
  /**
   * Identifies this operation in what it writes: the Idempotency-Key's (hashed with caller
   * and route) when the request has one, so that a client's retry recognizes a write its
   * first attempt applied under a lost answer; else API Gateway's request id (stable across
   * SDK retries inside this invocation).
   */
  requestId: string;
  /** The request's one reading of the clock. */
  now: Date;
  /** The route lets members act for themselves (its `selfService`) and the caller names themself: check 5 asks no managing role. */
  forSelf: boolean;
  /** The tracking repository, admitted by the rate limit: its first read runs alongside the counter. */
  repository: TrackingRepository;
  /** The route's declared request headers, validated. */
  headers: RouteHeaders<N>;
  /** Resolves once the rate limit admitted the request (at once when it is off): other ports' writes wait for it (admittedFirst). */
  admitted: Promise<void> | undefined;
};

/** A route's generated validators module (shared/contracts/generated/validators/<route>.js): one validator per input location. */
export type RouteValidators = { readonly [L in InputLocation]?: ValidateFunction };

/** The container's adapters a handler needs (shared/db/default-repositories.ts in the functions). */
export type HandlerAdapters = {
  repository: TrackingRepository;
  idempotencyStore: IdempotencyStore;
  /** Undefined when the rate limit is off. */
  rateLimiter: RateLimiter | undefined;
};

/** `headers`: the route's declared response headers (`response.headers`), by lower-case name. */
export type UseCaseResult<N extends RouteName> = { data: RouteData<N>; headers?: Partial<Record<ResponseHeader, string>> } & (RouteMeta<N> extends undefined
  ? { meta?: undefined }
  : { meta: RouteMeta<N> });

export type HttpRouteSpec<N extends RouteName> = {
  adapters: HandlerAdapters;
  /** `import * as validators from '…/generated/validators/<route>.js'`: each function bundles only its own. */
  validators: RouteValidators;
  run: (input: RouteInput<N>, context: UseCaseContext<N>) => Promise<UseCaseResult<N>>;
  /** Required for idempotent routes: throws (403) when the caller may no longer do what a stored answer did. */
  assertMayReplay?: (input: RouteInput<N>, principal: Principal, repository: TrackingRepository) => Promise<void>;
  /** For idempotent routes whose answer holds a secret: the stored answer is sealed (idempotency.ts). */
  sealStoredAnswers?: AnswerSealer;
  /** For routes that answer CSV too (`response.csv`): the use case's answer as a table, when the request asks with `Accept: text/csv`. */
  csv?: { run: (input: RouteInput<N>, context: UseCaseContext<N>) => Promise<CsvTable> };
};

/** Answer 503 in the envelope this long before Lambda would kill the invocation. */
const EARLY_TIMEOUT_MS = 500;

/**
 * The stages of every HTTP function's Middy chain, in order (before: top to bottom; after
 * and onError: bottom to top). A stage a route does not need (no rate limit, no
 * Idempotency-Key, no body, metrics off) is left out. docs/architecture.md lists exactly these (a test
 * compares them):
 *
 *    1. logger context      Lambda's request id on every log line
 *    2. request ids         API Gateway's request id and the route on every log line
 *    3. metrics             publishes the request's metrics (EMF), cold starts
 *    4. security headers    on every response, errors included
 *    5. outcome metric      one count per answer, by route and outcome
 *    6. rate-limit headers  RateLimit-*; a 400/422 of a request over the limit becomes 429
 *    7. idempotency record  keeps the final response of a claimed Idempotency-Key
 *    8. error mapper        typed errors → envelope, anything else → generic 500
 *    9. header normalizer   lower-case header names
 *   10. principal + scope   401 / 403 (checks 1–2)
 *   11. rate-limit count    starts the caller's counter update (not awaited here)
 *   12. JSON body parser    400 (check 3; routes with a body)
 *   13. input validation    400 / 422 (checks 3–4), every input location, precompiled AJV
 *   14. idempotency claim   waits for admission; replay, 422 on another body, 409 in flight
 *   → the use case         checks 5–11; its first read runs alongside the counter (429)
 *
 * The early timeout throws, so that its 503 goes through the same onError chain (envelope,
 * security headers, idempotency record released).
 */
export const HTTP_CHAIN_STAGES = [
  'logger context',
  'request ids',
  'metrics',
  'security headers',
  'outcome metric',
  'rate-limit headers',
  'idempotency record',
  'error mapper',
  'header normalizer',
  'principal + scope',
  'rate-limit count',
  'JSON body parser',
  'input validation',
  'idempotency claim',
] as const;
type Stage = (typeof HTTP_CHAIN_STAGES)[number];
type AnyMiddleware = MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext>;

export function createHttpHandler<N extends RouteName>(route: Route<N>, spec: HttpRouteSpec<N>) {
  const clock = systemClock;
  const actsForSelf = (input: Record<string, unknown>, principal: Principal) => selfUserOf(route as RouteDefinition, input) === principal.userId;
  const inputValidators = validatorsOf(route, spec.validators);
  const { repository, idempotencyStore, rateLimiter } = spec.adapters;
  if (route.idempotent && !spec.assertMayReplay) throw new Error(`${routeKey(route)} is idempotent: pass assertMayReplay`);
  if (((route.response as { csv?: string }).csv === undefined) !== (spec.csv === undefined)) throw new Error(`${routeKey(route)}: a route declares response.csv exactly when its spec builds the CSV`);
  const idempotencyKeys =
    route.idempotent && spec.assertMayReplay
      ? idempotency({
          store: idempotencyStore,
          // Acting for themselves on a self-service route, a caller may always see what they did.
          assertMayReplay: async (input, principal) => (actsForSelf(input, principal) ? undefined : spec.assertMayReplay!(input as RouteInput<N>, principal, repository)),
          route: routeKey(route),
          clock,
          logger,
          ...(spec.sealStoredAnswers ? { sealAnswers: spec.sealStoredAnswers } : {}),
        } satisfies IdempotencyOptions)
      : undefined;
  const limit = rateLimiter ? rateLimit({ limiter: rateLimiter, clock, logger, metrics: ownLineMetrics }) : undefined;
  const message = (route.response as { message?: string }).message;
  const selfOnlyRefusal = () => ((route as RouteDefinition).selfService === 'id' ? new NotFoundError('It was not found in this workspace.') : new ForbiddenError());
  const successStatus = (route.response as { status?: number }).status ?? 200;

  const runUseCase = async (event: HttpEvent, context: HttpContext): Promise<HttpResult> => {
    if (context.idempotentReplay) return replayResponse(context.idempotentReplay);
    const now = clock.now();
    const useCaseContext: UseCaseContext<N> = {
      principal: context.principal!,
      forSelf: actsForSelf(context.input ?? {}, context.principal!),
      requestId: context.operationId ?? event.requestContext.requestId ?? context.awsRequestId,
      now,
      repository: admitFirst(repository, context.admitted),
      headers: (context.headers ?? {}) as RouteHeaders<N>,
      admitted: context.admitted,
    };
    if ((route as RouteDefinition).selfOnly && !useCaseContext.forSelf) throw selfOnlyRefusal();
    if (spec.csv && acceptsCsv(event.headers?.accept)) return csvResponse(await spec.csv.run(context.input as RouteInput<N>, useCaseContext));
    const result = await spec.run(context.input as RouteInput<N>, useCaseContext);
    const data = message === undefined ? result.data : { message, ...(result.data as object) };
    const response = jsonResponse(
      successStatus,
      successBody(data, clock.now(), { message, meta: result.meta as Record<string, unknown> | undefined }),
      result.headers as Record<string, string> | undefined,
    );
    // A report's JSON can grow with the workspace too (nested groups are not paged): refused as its CSV is, never cut short by Lambda.
    if (spec.csv && exceedsResponseLimit(response.body!)) throw new ReportTooLargeError();
    return response;
  };

  const stages: Record<Stage, unknown> = {
    'logger context': injectLambdaContext(logger, { resetKeys: true }),
    'request ids': appendRequestIds({ logger }),
    // With metrics off (`npm start`, tests), their stages cost nothing: they are not in the chain.
    metrics: metrics.enabled ? logMetrics(metrics, { captureColdStartMetric: true }) : undefined,
    'security headers': httpSecurityHeaders(),
    'outcome metric': metrics.enabled ? outcomeMetric({ metrics, ownLine: ownLineMetrics, route: routeKey(route), successOutcome: route.successOutcome }) : undefined,
    'rate-limit headers': limit?.headers,
    'idempotency record': idempotencyKeys?.record,
    'error mapper': errorMapper({ logger, clock }),
    'header normalizer': httpHeaderNormalizer(),
    'principal + scope': requirePrincipal({ scope: route.scope, clock }),
    'rate-limit count': limit?.count,
    'JSON body parser': inputSchemaOf(route, 'body') ? httpJsonBodyParser({ disableContentTypeCheck: true }) : undefined,
    'input validation': validateInput(inputValidators),
    'idempotency claim': idempotencyKeys?.claim,
  };
  const chain = middy<HttpEvent, HttpResult, Error, HttpContext>({
    timeoutEarlyInMillis: EARLY_TIMEOUT_MS,
    timeoutEarlyResponse: function answerBeforeTheLambdaTimeout() {
      logger.error('invocation about to time out: answering 503');
      throw new DependencyUnavailableError();
    },
  });
  for (const stage of HTTP_CHAIN_STAGES) if (stages[stage]) chain.use(stages[stage] as AnyMiddleware);
  return chain.handler(runUseCase);
}

/** Pairs each declared location's schema with its generated validator; a missing one fails at load. */
function validatorsOf(route: Route, validators: RouteValidators): InputValidators {
  return Object.fromEntries(
    inputLocationsOf(route).map((location) => {
      const validate = validators[location];
      if (!validate) throw new Error(`${routeKey(route)} has no generated ${location} validator: run npm run build:contracts`);
      return [location, { schema: inputSchemaOf(route, location)!, validate }];
    }),
  );
}
