import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpSecurityHeaders from '@middy/http-security-headers';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { ValidateFunction } from 'ajv';
import type { Principal } from '../auth/principal.ts';
import { DependencyUnavailableError } from '../errors.ts';
import { logger as defaultLogger } from '../observability/logger.ts';
import { systemClock, type Clock } from '../tracking/api-time.ts';
import { errorBody, jsonResponse, successBody } from './envelope.ts';
import { errorMapper } from './error-mapper.ts';
import { idempotency, replayResponse, type IdempotencyStore } from './idempotency.ts';
import { routeKey, type RouteDefinition } from './routes.ts';
import { requirePrincipal } from './require-principal.ts';
import type { HttpContext, HttpEvent, HttpResult } from './types.ts';
import { validateInput, type InputSource } from './validate-input.ts';

export type UseCaseContext = {
  principal: Principal;
  /** API Gateway's request id: stable across SDK retries inside this invocation. */
  requestId: string;
  headers: Record<string, string | undefined>;
};

export type UseCaseResult = {
  status?: number;
  message?: string;
  data: unknown;
  meta?: Record<string, unknown>;
};

export type HttpRouteSpec<TInput> = {
  /** The route's entry in the route table: its scope (check 2) and whether it is idempotent. */
  route: RouteDefinition;
  /** Required for idempotent routes. */
  idempotencyStore?: IdempotencyStore;
  input: { source: InputSource; validate: ValidateFunction; schema: { properties: Record<string, unknown> } };
  run: (input: TInput, context: UseCaseContext) => Promise<UseCaseResult>;
  clock?: Clock;
  logger?: typeof defaultLogger;
};

/** Answer 503 in the envelope this long before Lambda would kill the invocation. */
const EARLY_TIMEOUT_MS = 500;

/**
 * Builds every HTTP function. The chain, in order (before: top to bottom; after and
 * onError: bottom to top):
 *
 *   1. logger context      request ids on every log line
 *   2. security headers    on every response, errors included
 *   3. idempotency record  keeps the final response of a claimed Idempotency-Key (POSTs)
 *   4. error mapper        typed errors → envelope, anything else → generic 500
 *   5. header normalizer   lower-case header names
 *   6. principal + scope   401 / 403 (checks 1–2)
 *   7. JSON body parser    400 (check 3; bodies only)
 *   8. input validation    400 / 422 (checks 3–4), precompiled AJV
 *   9. idempotency claim   replay, 422 on another body, 409 while in flight (POSTs)
 *   → the use case         checks 5–11
 */
export function createHttpHandler<TInput>(spec: HttpRouteSpec<TInput>) {
  const clock = spec.clock ?? systemClock;
  const logger = spec.logger ?? defaultLogger;

  if (spec.route.idempotent && !spec.idempotencyStore) throw new Error(`${routeKey(spec.route)} is idempotent: pass an idempotencyStore`);
  const idempotencyKeys = spec.route.idempotent
    ? idempotency({ store: spec.idempotencyStore!, route: routeKey(spec.route), clock, logger })
    : undefined;

  const runUseCase = async (event: HttpEvent, context: HttpContext): Promise<HttpResult> => {
    if (context.idempotentReplay) return replayResponse(context.idempotentReplay);
    const result = await spec.run(context.input as TInput, {
      principal: context.principal!,
      requestId: event.requestContext.requestId ?? context.awsRequestId,
      headers: event.headers ?? {},
    });
    const body = successBody(result.data, clock.now(), { message: result.message, meta: result.meta });
    return jsonResponse(result.status ?? 200, body);
  };

  const chain = middy<HttpEvent, HttpResult, Error, HttpContext>({
    timeoutEarlyInMillis: EARLY_TIMEOUT_MS,
    timeoutEarlyResponse: () => {
      logger.error('invocation about to time out: answering 503');
      const error = new DependencyUnavailableError();
      return jsonResponse(error.status, errorBody(error.message, error.code, clock.now()), { 'retry-after': '1' });
    },
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(appendRequestIds(logger))
    .use(httpSecurityHeaders());
  if (idempotencyKeys) chain.use(idempotencyKeys.record);
  chain
    .use(errorMapper({ logger, clock }))
    .use(httpHeaderNormalizer())
    .use(requirePrincipal({ scope: spec.route.scope, clock }));
  if (spec.input.source === 'body') chain.use(httpJsonBodyParser({ disableContentTypeCheck: true }));
  chain.use(validateInput(spec.input));
  if (idempotencyKeys) chain.use(idempotencyKeys.claim);
  return chain.handler(runUseCase);
}

function appendRequestIds(logger: typeof defaultLogger) {
  const appendRequestIdsBefore = (request: { event: HttpEvent }) => {
    logger.appendKeys({ api_request_id: request.event.requestContext?.requestId, route: request.event.routeKey });
  };
  return { before: appendRequestIdsBefore };
}
