import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadQueueConfig } from '../../shared/config/queue-config.ts';
import { loadWebhookConfig } from '../../shared/config/webhook-config.ts';
import { webhookRepository } from '../../shared/db/default-repositories.ts';
import { logger } from '../../shared/observability/logger.ts';
import { METRIC } from '../../shared/observability/metric-names.ts';
import { metrics, withMetrics } from '../../shared/observability/metrics.ts';
import { attemptDelivery, attemptDeadlineMs, retryDelaySeconds } from '../../shared/webhooks/delivery.ts';
import { parseDelivery } from '../../shared/webhooks/delivery-message.ts';
import { resolveHost } from '../../shared/webhooks/destination.ts';

const { queueUrl } = loadQueueConfig();
const { allowLoopbackHttp } = loadWebhookConfig();
const sqs = new SQSClient({});
const processor = new BatchProcessor(EventType.SQS);
const disableGone = (workspaceId: number, id: string) => webhookRepository.setStatus(workspaceId, id, { status: 'disabled', reason: 'gone' });

/**
 * Sends queued deliveries, record by record and concurrently: each attempt has its own hard
 * deadline, so one slow receiver holds up no other and the batch ends before the function's
 * timeout. Only the records that must be retried are reported (partial batch response); a
 * failed attempt stays on the queue, hidden for the next delay of the retry schedule; after
 * the last one the queue moves it to the dead-letter queue (which has an alarm).
 */
export const handler = withMetrics(async function deliverRecords(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const outcomes = { delivered: 0, retry: 0, dropped: 0 };
  let disabledNow = 0;
  const deadlineMs = attemptDeadlineMs(context.getRemainingTimeInMillis());

  async function deliverRecord(record: SQSRecord) {
    const delivery = parseDelivery(record.body);
    const result = await attemptDelivery(delivery, { getSubscription: webhookRepository.get, resolve: resolveHost, allowLoopbackHttp, now: () => new Date(), deadlineMs, disable: disableGone });
    outcomes[result.outcome]++;
    logger.info('webhook attempt', { webhook_id: delivery.messageId, outcome: result.outcome, ...('reason' in result ? { reason: result.reason } : {}) });
    if (result.outcome === 'dropped' && result.disabled) {
      logger.warn('webhook disabled: its receiver answered 410 Gone', { subscription: delivery.subscriptionId, workspace_id: delivery.workspaceId });
      disabledNow++;
    }
    if (result.outcome !== 'retry') return;
    // Attempt n waits the n-th delay (longer if the receiver's Retry-After says so); after the last one, straight to the dead-letter queue.
    const attempt = Number(record.attributes.ApproximateReceiveCount);
    const delay = retryDelaySeconds(attempt, result) ?? 0;
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: delay })).catch(() => {});
    throw new Error(`retry: ${result.reason}`);
  }

  try {
    // A batch in which every receiver failed is not an error of this function: no throw.
    return await processPartialResponse(event, deliverRecord, processor, { context, throwOnFullBatchFailure: false });
  } finally {
    if (disabledNow > 0) {
      const single = metrics.singleMetric();
      single.addDimension('reason', 'gone');
      single.addMetric(METRIC.webhooksDisabled, MetricUnit.Count, disabledNow);
    }
    // One line per outcome, {service, outcome}: a batch mixes them.
    for (const [outcome, count] of Object.entries(outcomes)) {
      if (count === 0) continue;
      const single = metrics.singleMetric();
      single.addDimension('outcome', outcome);
      single.addMetric(METRIC.webhookAttempts, MetricUnit.Count, count);
    }
  }
});
