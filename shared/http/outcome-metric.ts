import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { METRIC } from '../observability/metric-names.ts';
import type { HttpRequest, HttpResult } from './types.ts';

/**
 * Counts every answered request by route and outcome (docs/operations.md): the route's
 * success outcome ("started", …), "replayed", or the error code of the envelope
 * ("tracker_already_active", "validation_failed", "rate_limited", "service_unavailable",
 * "internal_error", …). Sits outside the error mapper, so it sees the final answer.
 */
export function outcomeMetric(opts: { metrics: Metrics; ownLine: Metrics; route: string; successOutcome: string }) {
  const outcomeMetricRecord = (request: HttpRequest) => {
    const response = request.response as HttpResult | undefined;
    const errorCode = (request.internal as { errorCode?: string }).errorCode;
    const outcome = request.context.idempotentReplay ? 'replayed' : (response?.statusCode ?? 500) < 300 ? opts.successOutcome : (errorCode ?? `status_${response?.statusCode ?? 500}`);
    // {service, outcome} (what the alarms read) as its own EMF line: Powertools warns when two
    // dimension sets of one line share a key.
    opts.ownLine.addDimension('outcome', outcome);
    opts.ownLine.addMetric(METRIC.requests, MetricUnit.Count, 1);
    opts.ownLine.publishStoredMetrics();
    opts.metrics.addDimension('route', opts.route);
    opts.metrics.addDimension('outcome', outcome);
    opts.metrics.addMetric(METRIC.requests, MetricUnit.Count, 1);
  };
  return { after: outcomeMetricRecord, onError: outcomeMetricRecord };
}
