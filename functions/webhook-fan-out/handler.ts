import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { loadQueueConfig } from '../../shared/config/queue-config.ts';
import { webhookRepository } from '../../shared/db/default-repositories.ts';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger } from '../../shared/observability/logger.ts';
import { METRIC } from '../../shared/observability/metric-names.ts';
import { metrics, withMetrics } from '../../shared/observability/metrics.ts';
import { fanOut, trackingEventOf } from '../../shared/webhooks/events.ts';

const { queueUrl } = loadQueueConfig();
const sqs = new SQSClient({});

/**
 * The table's stream → one queued delivery per subscription of the event's workspace.
 * A record that cannot be fanned out is reported, and the stream retries from it (then its
 * failure destination keeps it): no event is lost, and a duplicate carries the same webhook-id.
 */
export const handler = withMetrics(async function fanOutRecords(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  for (const record of event.Records) {
    try {
      const tracking = trackingEventOf({
        eventName: record.eventName,
        newImage: record.dynamodb?.NewImage ? unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>) : undefined,
      });
      if (!tracking) continue;
      const deliveries = fanOut(tracking, await webhookRepository.list(tracking.workspaceId));
      for (let start = 0; start < deliveries.length; start += 10) {
        const batch = deliveries.slice(start, start + 10);
        const output = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((delivery, index) => ({ Id: String(index), MessageBody: JSON.stringify(delivery) })) }));
        if (output.Failed?.length) throw new Error(`${output.Failed.length} deliveries could not be queued`);
      }
      metrics.addMetric(METRIC.webhookDeliveriesQueued, MetricUnit.Count, deliveries.length);
      logger.info('event fanned out', { event_type: tracking.type, deliveries: deliveries.length });
    } catch (error) {
      logger.error('fan-out failed: the stream will retry from this record', { error_name: (error as Error).name });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
});
