import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { trackingRepository } from '../../shared/db/default-repositories.ts';
import { logger } from '../../shared/observability/logger.ts';
import { METRIC } from '../../shared/observability/metric-names.ts';
import { metrics, withMetrics } from '../../shared/observability/metrics.ts';
import { autoStopCommandOf } from '../../shared/scheduling/auto-stop-schedules.ts';
import { autoStopTracker } from '../../shared/tracking/auto-stop.ts';

/**
 * A tracker's auto-stop schedule fired (EventBridge Scheduler, or the local scheduler): stop
 * it at its limit, if it still runs. Idempotent, so a retried or duplicated invocation is
 * harmless. A failure throws: the invocation is retried, then dead-lettered (with an alarm).
 */
export const handler = withMetrics(async function autoStop(event: unknown): Promise<{ outcome: string }> {
  const command = autoStopCommandOf(event);
  if (!command) {
    // Not a schedule of ours: retrying would not make it one.
    logger.error('auto-stop invoked without a tracker to stop');
    metrics.addDimension('outcome', 'invalid_input');
    metrics.addMetric(METRIC.autoStops, MetricUnit.Count, 1);
    return { outcome: 'invalid_input' };
  }
  const outcome = await autoStopTracker(command, { repository: trackingRepository, now: new Date() });
  logger.info('auto-stop', { outcome, tracker_id: command.trackerId, workspace_id: command.workspaceId });
  metrics.addDimension('outcome', outcome);
  metrics.addMetric(METRIC.autoStops, MetricUnit.Count, 1);
  return { outcome };
});
