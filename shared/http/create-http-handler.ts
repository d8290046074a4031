import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpSecurityHeaders from '@middy/http-security-headers';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { ValidateFunction } from 'ajv';
import type { Principal } from '../auth/principal.ts';
import * as validators from '../contracts/generated/validators.js';
import type { RouteData, RouteInput, RouteMeta } from '../contracts/route-types.ts';
import { routeKey, type Route, type RouteName } from '../contracts/routes.ts';
import { DependencyUnavailableError } from '../errors.ts';
import { logger } from '../observability/logger.ts';
import type { IdempotencyStore } from '../ports/idempotency-store.ts';
import { systemClock } from './clock.ts';
import { jsonResponse, successBody } from './envelope.ts';
import { errorMapper } from './error-mapper.ts';
import { idempotency, replayResponse, type IdempotencyOptions } from './idempotency.ts';
import { requirePrincipal } from './require-principal.ts';
import type { HttpContext, HttpEvent, HttpResult } from './types.ts';
import { validateInput } from './validate-input.ts';

export type UseCaseContext = {
  principal: Principal;
  /** API Gateway's request id: stable across SDK retries inside this invocation. */
  requestId: string;
  /** The request's one reading of the clock. */
  now: Date;
};

export type UseCaseResult<N extends RouteName> = { data: RouteData<N> } & (RouteMeta<N> extends undefined ? { meta?: undefined } : { meta: RouteMeta<N> });

export type HttpRouteSpec<N extends RouteName> = {
  run: (input: RouteInput<N>, context: UseCaseContext) => Promise<UseCaseResult<N>>;
  /** Required for idempotent routes: where keys are kept, and who may replay a stored answer. */
  idempotency?: { store: IdempotencyStore; assertMayReplay: (input: RouteInput<N>, principal: Principal) => Promise<void> };
};

/** Answer 503 in the envelope this long before Lambda would kill the invocation. */
const EARLY_TIMEOUT_MS = 500;

/**
 * Builds every HTTP function from its route-table entry and its use case. The chain, in
 * order (before: top to bottom; after and onError: bottom to top):
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
 *
 * The early timeout throws, so that its 503 goes through the same onError chain (envelope,
 * security headers, idempotency record released). See docs/architecture.md.
 */
export function createHttpHandler<N extends RouteName>(route: Route<N>, spec: HttpRouteSpec<N>) {
  const clock = systemClock;
  const validate = (validators as Record<string, ValidateFunction>)[route.name];
  if (!validate) throw new Error(`${routeKey(route)} has no generated validator: run npm run build:contracts`);
  if (route.idempotent && !spec.idempotency) throw new Error(`${routeKey(route)} is idempotent: pass its idempotency store`);
  const idempotencyKeys = route.idempotent && spec.idempotency
    ? idempotency({ ...spec.idempotency, route: routeKey(route), clock, logger } as IdempotencyOptions)
    : undefined;
  const message = (route.response as { message?: string }).message;

  const runUseCase = async (event: HttpEvent, context: HttpContext): Promise<HttpResult> => {
    if (context.idempotentReplay) return replayResponse(context.idempotentReplay);
    const now = clock.now();
    const result = await spec.run(context.input as RouteInput<N>, {
      principal: context.principal!,
      requestId: event.requestContext.requestId ?? context.awsRequestId,
      now,
    });
    const data = message === undefined ? result.data : { message, ...(result.data as object) };
    return jsonResponse(200, successBody(data, clock.now(), { message, meta: result.meta as Record<string, unknown> | undefined }));
  };

  const chain = middy<HttpEvent, HttpResult, Error, HttpContext>({
    timeoutEarlyInMillis: EARLY_TIMEOUT_MS,
    timeoutEarlyResponse: function answerBeforeTheLambdaTimeout() {
      logger.error('invocation about to time out: answering 503');
      throw new DependencyUnavailableError();
    },
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(appendRequestIds())
    .use(httpSecurityHeaders());
  if (idempotencyKeys) chain.use(idempotencyKeys.record);
  chain
    .use(errorMapper({ logger, clock }))
    .use(httpHeaderNormalizer())
    .use(requirePrincipal({ scope: route.scope, clock }));
  if (route.request.source === 'body') chain.use(httpJsonBodyParser({ disableContentTypeCheck: true }));
  chain.use(validateInput({ source: route.request.source, schema: route.request.schema, validate }));
  if (idempotencyKeys) chain.use(idempotencyKeys.claim);
  return chain.handler(runUseCase);
}

function appendRequestIds() {
  const appendRequestIdsBefore = (request: { event: HttpEvent }) => {
    logger.appendKeys({ api_request_id: request.event.requestContext?.requestId, route: request.event.routeKey });
  };
  return { before: appendRequestIdsBefore };
}
