import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadQueueConfig } from '../../shared/config/queue-config.ts';
import { webhookRepository } from '../../shared/db/default-repositories.ts';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger } from '../../shared/observability/logger.ts';
import { METRIC } from '../../shared/observability/metric-names.ts';
import { metrics, withMetrics } from '../../shared/observability/metrics.ts';
import { attemptDelivery, RETRY_DELAYS_SECONDS } from '../../shared/webhooks/delivery.ts';
import { resolveHost } from '../../shared/webhooks/destination.ts';
import type { Delivery } from '../../shared/webhooks/events.ts';

const { queueUrl } = loadQueueConfig();
const sqs = new SQSClient({});

/**
 * Sends queued deliveries, concurrently (one slow receiver holds up no other). A failed
 * attempt stays on the queue, hidden for the next delay of the retry schedule; after the
 * last one the queue moves it to the dead-letter queue (which has an alarm).
 */
export const handler = withMetrics(async function deliverRecords(event: SQSEvent): Promise<SQSBatchResponse> {
  const outcomes = { delivered: 0, retry: 0, dropped: 0 };
  const failures = await Promise.all(
    event.Records.map(async (record) => {
      const delivery = JSON.parse(record.body) as Delivery;
      const result = await attemptDelivery(delivery, {
        getSubscription: webhookRepository.get,
        resolve: resolveHost,
        allowLoopbackHttp: false,
        now: () => new Date(),
      });
      outcomes[result.outcome]++;
      logger.info('webhook attempt', { webhook_id: delivery.messageId, outcome: result.outcome, ...('reason' in result ? { reason: result.reason } : {}) });
      if (result.outcome !== 'retry') return undefined;
      // Attempt n waits the n-th delay; after the last one, straight to the dead-letter queue.
      const attempt = Number(record.attributes.ApproximateReceiveCount);
      const delay = RETRY_DELAYS_SECONDS[attempt - 1] ?? 0;
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: delay })).catch(() => {});
      return { itemIdentifier: record.messageId };
    }),
  );
  // One line per outcome, {service, outcome}: a batch mixes them.
  for (const [outcome, count] of Object.entries(outcomes)) {
    if (count === 0) continue;
    const single = metrics.singleMetric();
    single.addDimension('outcome', outcome);
    single.addMetric(METRIC.webhookAttempts, MetricUnit.Count, count);
  }
  return { batchItemFailures: failures.filter((failure) => failure !== undefined) };
});
