import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, SERVICE_NAME } from './metric-names.ts';

/**
 * One Powertools Metrics instance per container: CloudWatch embedded metric format, written
 * to the function's log (no network call). Dimensions stay low-cardinality: service, route,
 * outcome, refusal reason; never a user, a workspace or a key. Names and dimensions are in
 * ./metric-names.ts and docs/operations.md (the stack's alarms and dashboard read them).
 * POWERTOOLS_METRICS_DISABLED=true silences them (tests, `npm start`).
 */
/** Powertools' Metrics, saying whether it is on (its own reading of POWERTOOLS_METRICS_DISABLED and dev mode). */
export class ServiceMetrics extends Metrics {
  get enabled(): boolean {
    return !this.isDisabled();
  }
}

export const metrics = new ServiceMetrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
});

/**
 * A second instance for the lines that need a dimension set of their own ({service, outcome}
 * beside {service, route, outcome}: Powertools warns when two sets of one line share a key).
 * Made once per container: `singleMetric()` would build a Metrics, and read its environment,
 * on every request (measured: about 3% of the read path's CPU).
 */
export const ownLineMetrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
});

/**
 * For the functions the HTTP handler factory does not build (it uses Powertools' middleware):
 * the cold start, then whatever the invocation recorded, published even when it throws.
 */
export function withMetrics<A extends unknown[], R>(handler: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async function handlerWithMetrics(...args: A): Promise<R> {
    metrics.captureColdStartMetric();
    try {
      return await handler(...args);
    } finally {
      // Powertools logs a warning for every publish with nothing to publish: an idle batch is not worth a log line.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      else metrics.clearDimensions();
    }
  };
}
