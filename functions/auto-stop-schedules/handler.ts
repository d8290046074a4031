import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { loadAutoStopConfig } from '../../shared/config/auto-stop-config.ts';
import { logger } from '../../shared/observability/logger.ts';
import { METRIC } from '../../shared/observability/metric-names.ts';
import { metrics, withMetrics } from '../../shared/observability/metrics.ts';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { applyScheduleChange, scheduleChangeOf } from '../../shared/scheduling/auto-stop-schedules.ts';
import { createEventBridgeSchedules } from '../../shared/scheduling/eventbridge-scheduler.ts';

const schedules = createEventBridgeSchedules(loadAutoStopConfig());
const processor = new BatchProcessor(EventType.DynamoDBStreams);

/**
 * The table's stream → one auto-stop schedule per tracker that has a limit, deleted when the
 * tracker stops first; off the start's request path. In order, record by record: a record
 * whose schedule could not be changed is reported (partial batch response), the stream
 * retries from it, and after the retries its failure destination (with an alarm) keeps it.
 */
export const handler = withMetrics(async function scheduleAutoStops(event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> {
  let changed = 0;
  async function scheduleRecord(record: DynamoDBRecord) {
    const newImage = record.dynamodb?.NewImage ? unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>) : undefined;
    const change = scheduleChangeOf({ eventName: record.eventName, newImage }, new Date());
    if (!change) return;
    await applyScheduleChange(change, schedules);
    changed += 1;
    logger.info('auto-stop schedule changed', { change: change.kind, schedule: change.name, ...(change.kind === 'create' ? { at: change.at.toISOString() } : {}) });
  }
  try {
    const response = await processPartialResponse(event, scheduleRecord, processor, { context, processInParallel: false, throwOnFullBatchFailure: false });
    if (response.batchItemFailures.length > 0) logger.error('auto-stop schedules failed: the stream will retry from the first failed record', { failed: response.batchItemFailures.length });
    return response;
  } finally {
    metrics.addMetric(METRIC.autoStopSchedulesChanged, MetricUnit.Count, changed);
  }
});
