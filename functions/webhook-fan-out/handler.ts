import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { webhookLog, webhookRepository } from '../../shared/db/default-repositories.ts';
import { webhookQueue } from '../../shared/messaging/default-webhook-queue.ts';
import { logger } from '../../shared/observability/logger.ts';
import { METRIC } from '../../shared/observability/metric-names.ts';
import { metrics, withMetrics } from '../../shared/observability/metrics.ts';
import { fanOut, queueDeliveries, trackingEventsOf } from '../../shared/webhooks/events.ts';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

const image = (value: unknown) => (value ? unmarshall(value as Record<string, AttributeValue>) : undefined);

/**
 * The table's stream → one queued delivery per subscription of the event's workspace, record
 * by record, in order. A record that cannot be fanned out is reported (partial batch
 * response): the stream retries from it, and after the retries its failure destination keeps
 * a pointer to it. No event is lost, and a duplicate carries the same webhook-id. Each
 * delivery is kept in its webhook's log first, for redelivery and replay.
 */
export const handler = withMetrics(async function fanOutRecords(event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> {
  let queued = 0;

  async function fanOutRecord(record: DynamoDBRecord) {
    const events = trackingEventsOf({ eventName: record.eventName, newImage: image(record.dynamodb?.NewImage), oldImage: image(record.dynamodb?.OldImage) });
    if (events.length === 0) return;
    // The events of one record are of one item, so of one workspace.
    const subscriptions = await webhookRepository.list(events[0]!.workspaceId);
    const deliveries = events.flatMap((tracking) => fanOut(tracking, subscriptions));
    await queueDeliveries(deliveries, { log: webhookLog, queue: webhookQueue, now: new Date() });
    const held = deliveries.filter((delivery) => delivery.held).length;
    queued += deliveries.length - held;
    logger.info('event fanned out', { event_types: events.map((tracking) => tracking.type).join(','), deliveries: deliveries.length - held, held });
  }

  try {
    // In order: the stream resumes from the first failed record.
    const response = await processPartialResponse(event, fanOutRecord, processor, { context, processInParallel: false, throwOnFullBatchFailure: false });
    if (response.batchItemFailures.length > 0) logger.error('fan-out failed: the stream will retry from the first failed record', { failed: response.batchItemFailures.length });
    return response;
  } finally {
    metrics.addMetric(METRIC.webhookDeliveriesQueued, MetricUnit.Count, queued);
  }
});
