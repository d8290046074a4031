import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { RateLimitedError } from '../errors.ts';
import { METRIC } from '../observability/metric-names.ts';
import type { RateLimiter, RateLimitState } from '../ports/rate-limiter.ts';
import type { PortAccess } from '../ports/port-access.ts';
import { TRACKING_REPOSITORY_ACCESS, type TrackingRepository } from '../tracking/ports.ts';
import type { Clock } from './clock.ts';
import { responseForError } from './error-mapper.ts';
import type { HttpRequest, HttpResult } from './types.ts';

/**
 * The per-user rate limit (docs/operations.md). One counter update per authenticated
 * request, started as soon as the caller is known and awaited only where it matters:
 * - the use case's first read runs concurrently with it (`admitFirst`), so a start still
 *   costs two sequential round trips; its writes, and an Idempotency-Key claim, wait for it;
 * - over the limit, the request is answered 429 with Retry-After and nothing else runs
 *   (a read already in flight is discarded);
 * - every response of a counted request carries RateLimit-Limit / -Remaining / -Reset;
 * - a counter that cannot be updated lets the request through (fail open), with a log
 *   line and a metric.
 */
type Admission = Promise<RateLimitState | undefined>;
type RateLimitInternal = { admission?: Admission };

export function rateLimit(opts: { limiter: RateLimiter; clock: Clock; logger: Logger; metrics: Metrics }) {
  const rateLimitCount = (request: HttpRequest) => {
    const admission: Admission = opts.limiter.hit(request.context.principal!.userId, opts.clock.now()).catch((error: unknown) => {
      opts.logger.warn('rate-limit counter unavailable: request let through', { error_name: (error as Error)?.name });
      // Its own EMF line with {service} only (opts.metrics is the own-line instance): the stack's fail-open alarm reads exactly that set.
      opts.metrics.addMetric(METRIC.rateLimitCounterFailures, MetricUnit.Count, 1);
      opts.metrics.publishStoredMetrics();
      return undefined;
    });
    admission.catch(() => {}); // awaited later; never an unhandled rejection
    (request.internal as RateLimitInternal).admission = admission;
    request.context.admitted = admission.then((state) => {
      if (state?.limited) throw new RateLimitedError(state.resetSeconds);
    });
    request.context.admitted.catch(() => {});
  };

  /** Adds the headers, and turns an answer given before any DynamoDB access (400, 422) into the 429 it must be. */
  const rateLimitHeaders = async (request: HttpRequest) => {
    const admission = (request.internal as RateLimitInternal).admission;
    const response = request.response as HttpResult | undefined;
    if (!admission || !response) return;
    const state = await admission;
    if (!state) return;
    if (state.limited && (response.statusCode ?? 500) < 500 && response.statusCode !== 429) {
      request.response = responseForError(new RateLimitedError(state.resetSeconds), opts.clock.now());
      (request.internal as { errorCode?: string }).errorCode = 'rate_limited';
    }
    const final = request.response as HttpResult;
    final.headers = { ...final.headers, ...rateLimitHeadersOf(state) };
  };

  return { count: { before: rateLimitCount }, headers: { after: rateLimitHeaders, onError: rateLimitHeaders } };
}

export function rateLimitHeadersOf(state: RateLimitState): Record<string, string> {
  return { 'ratelimit-limit': String(state.limit), 'ratelimit-remaining': String(state.remaining), 'ratelimit-reset': String(state.resetSeconds) };
}

/**
 * The repository a use case sees: its reads run concurrently with the admission (their
 * result waits for it), its writes start only once admitted. Every use case reads before it
 * writes, so this costs no round trip.
 */
export function admitFirst(repository: TrackingRepository, admitted: Promise<void> | undefined): TrackingRepository {
  return admittedFirst(repository, TRACKING_REPOSITORY_ACCESS, admitted);
}

/** The same for any port: its reads alongside the admission, its writes after it (each port says which methods are which). */
export function admittedFirst<P extends object>(port: P, kinds: PortAccess<P>, admitted: Promise<void> | undefined): P {
  if (!admitted) return port;
  const call = (method: keyof P) => (port[method] as (...args: unknown[]) => Promise<unknown>).bind(port);
  return Object.fromEntries(
    (Object.keys(kinds) as Array<keyof P>).map((method) => [
      method,
      kinds[method] === 'read'
        ? async (...args: unknown[]) => (await Promise.all([call(method)(...args), admitted]))[0]
        : async (...args: unknown[]) => {
            await admitted;
            return call(method)(...args);
          },
    ]),
  ) as unknown as P;
}
