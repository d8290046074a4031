import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadWebhookConfig } from '../../shared/config/webhook-config.ts';
import { webhookSecretBox } from '../../shared/crypto/default-secret-box.ts';
import { trackingRepository, webhookLog, webhookRepository } from '../../shared/db/default-repositories.ts';
import { sqsClient, webhookQueue, webhookQueueConfig } from '../../shared/messaging/default-webhook-queue.ts';
import { logger } from '../../shared/observability/logger.ts';
import { METRIC } from '../../shared/observability/metric-names.ts';
import { metrics, withMetrics } from '../../shared/observability/metrics.ts';
import { attemptDeadlineMs, deliverAndLog, DELIVERY_TIMEOUT_MS, loggedDeliveryDeps, retryDelaySeconds } from '../../shared/webhooks/delivery.ts';
import { isReplayJob, parseQueuedMessage } from '../../shared/webhooks/delivery-message.ts';
import type { Delivery } from '../../shared/webhooks/model.ts';
import type { WebhookDisabledReason } from '../../shared/webhooks/model.ts';
import { replayStep } from '../../shared/webhooks/replay.ts';

// retryScale is 1 deployed; `npm run start:template` scales its queue's delays, and the log says when the next attempt really comes.
const { allowLoopbackHttp, failingDisableAfterSeconds, retryScale } = loadWebhookConfig();
const processor = new BatchProcessor(EventType.SQS);

/**
 * Sends queued deliveries, record by record and concurrently: each attempt has its own hard
 * deadline, so one slow receiver holds up no other and the batch ends before the function's
 * timeout. Only the records that must be retried are reported (partial batch response); a
 * failed attempt stays on the queue, hidden for the next delay of the retry schedule; after
 * the last one the queue moves it to the dead-letter queue (which has an alarm). A replay
 * step sends its messages one after the other (shared/webhooks/replay.ts).
 */
export const handler = withMetrics(async function deliverRecords(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const outcomes = { delivered: 0, retry: 0, dropped: 0 };
  const disabled = new Map<WebhookDisabledReason, number>();
  const deps = loggedDeliveryDeps(
    { webhooks: webhookRepository, log: webhookLog, tracking: trackingRepository, secrets: webhookSecretBox },
    { allowLoopbackHttp, failingDisableAfterSeconds, retryScale, warn: (message, details) => logger.warn(message, details) },
  );

  async function deliverCounted(delivery: Delivery, attempt: number) {
    // Each attempt's deadline from what is left now: a replay's attempts come one after the other.
    const sent = await deliverAndLog(delivery, attempt, { ...deps, deadlineMs: attemptDeadlineMs(context.getRemainingTimeInMillis()) });
    const { result } = sent;
    outcomes[result.outcome]++;
    logger.info('webhook attempt', { webhook_id: delivery.messageId, attempt, outcome: result.outcome, ...('reason' in result ? { reason: result.reason } : {}) });
    if (result.outcome === 'dropped' && result.disabled) {
      logger.warn('webhook disabled', { subscription: delivery.subscriptionId, workspace_id: delivery.workspaceId, reason: result.disabled });
      disabled.set(result.disabled, (disabled.get(result.disabled) ?? 0) + 1);
    }
    return sent;
  }

  async function deliverRecord(record: SQSRecord) {
    const message = parseQueuedMessage(record.body);
    if (isReplayJob(message)) {
      const step = await replayStep(message, {
        log: webhookLog,
        queue: webhookQueue,
        webhooks: webhookRepository,
        now: () => new Date(),
        deliver: deliverCounted,
        hasTimeForAnother: () => context.getRemainingTimeInMillis() > DELIVERY_TIMEOUT_MS + 2000,
      });
      logger.info('webhook replay step', { subscription: message.subscriptionId, workspace_id: message.workspaceId, sent: step.sent, ended: step.ended });
      return;
    }
    // Attempt n waits the n-th delay (longer if the receiver's Retry-After says so); after the last one, straight to the dead-letter queue.
    const attempt = Number(record.attributes.ApproximateReceiveCount) + (message.previousAttempts ?? 0);
    const retryAfter = (delaySeconds: number | undefined) =>
      sqsClient.send(new ChangeMessageVisibilityCommand({ QueueUrl: webhookQueueConfig.queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: delaySeconds ?? 0 })).catch(() => {});
    const sent = await deliverCounted(message, attempt).catch(async (error: unknown) => {
      // The attempt could not even start (its subscription unreadable: DynamoDB unavailable): a retry like any
      // other, on the schedule, rather than after the queue's visibility timeout of a minute.
      await retryAfter(retryDelaySeconds(attempt, {}));
      throw error;
    });
    if (sent.result.outcome !== 'retry') return;
    await retryAfter(sent.delaySeconds);
    throw new Error(`retry: ${sent.result.reason}`);
  }

  try {
    // A batch in which every receiver failed is not an error of this function: no throw.
    return await processPartialResponse(event, deliverRecord, processor, { context, throwOnFullBatchFailure: false });
  } finally {
    for (const [reason, count] of disabled) {
      const single = metrics.singleMetric();
      single.addDimension('reason', reason);
      single.addMetric(METRIC.webhooksDisabled, MetricUnit.Count, count);
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
