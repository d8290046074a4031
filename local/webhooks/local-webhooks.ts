import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { matchesStreamFilter, webhookStreamFilterPatterns } from '../../shared/contracts/webhook-events.ts';
import { createDocumentClient } from '../../shared/db/document-client.ts';
import { createWebhookRepository } from '../../shared/db/webhook-repository.ts';
import { createKmsEnvelope } from '../../shared/crypto/kms-envelope.ts';
import { createKmsSecretBox } from '../../shared/crypto/kms-secret-box.ts';
import { createTrackingRepository } from '../../shared/db/tracking-repository.ts';
import { createWebhookLogRepository } from '../../shared/db/webhook-log-repository.ts';
import { deliverAndLog, loggedDeliveryDeps, retryDelaySeconds, type AttemptOutcome } from '../../shared/webhooks/delivery.ts';
import { isReplayJob, parseQueuedMessage } from '../../shared/webhooks/delivery-message.ts';
import { fanOut, queueDeliveries, trackingEventsOf } from '../../shared/webhooks/events.ts';
import type { Delivery, QueuedMessage, WebhookQueue } from '../../shared/webhooks/model.ts';
import { replayStep } from '../../shared/webhooks/replay.ts';
import type { startLocalQueue } from '../template/local-queue.ts';
import { startStreamReader, type StreamRecord } from './stream-reader.ts';

type LocalQueue = Awaited<ReturnType<typeof startLocalQueue>>;

/**
 * Webhooks on one machine (`npm start`): reads DynamoDB Local's stream of the table and runs
 * the same fan-out, delivery and replay code as the deployed functions, with the same retry
 * schedule (scaled by WEBHOOK_RETRY_SCALE) in this process instead of SQS; what the API's
 * functions queue (redelivery, replay, the test event) arrives through a local SQS queue
 * (local/template/local-queue.ts) and is handled the same way. A delivery that exhausts
 * its retries is logged as dead-lettered. Records pass the same filter as the deployed event
 * source mapping (the event registry's patterns). A failure of one delivery or one record is
 * logged and retried, and never ends `npm start`. (`npm run start:template` runs the
 * template's own functions instead: local/template/template-webhooks.ts.)
 */
export async function startLocalWebhooks(options: {
  endpoint: string;
  region: string;
  tableName: string;
  retryScale: number;
  failingDisableAfterSeconds: number;
  allowLoopbackHttp: boolean;
  /** The KMS key the secrets are sealed under (the local KMS's, reached at AWS_ENDPOINT_URL_KMS). */
  secretsKeyArn: string;
  /** The delivery queue the API's functions send to (redelivery, replay, the test event): consumed here. */
  queue: LocalQueue;
  log: (line: string) => void;
}) {
  const client = createDocumentClient({ tableName: options.tableName, region: options.region, endpoint: options.endpoint });
  const webhooks = createWebhookRepository(client, options.tableName);
  const log = createWebhookLogRepository(client, options.tableName);
  const tracking = createTrackingRepository(client, options.tableName);
  const secrets = createKmsSecretBox(createKmsEnvelope(options.secretsKeyArn));

  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, action: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) action();
    }, ms);
    timers.add(timer);
  };

  const deps = loggedDeliveryDeps(
    { webhooks, log, tracking, secrets },
    {
      allowLoopbackHttp: options.allowLoopbackHttp,
      failingDisableAfterSeconds: options.failingDisableAfterSeconds,
      retryScale: options.retryScale,
      warn: (message, details) => options.log(`${message}: ${JSON.stringify(details)}`),
    },
  );

  /** One attempt, logged; reading the subscription failed (DynamoDB Local unreachable): a retry like any other. */
  const attemptLogged = (delivery: Delivery, attempt: number): Promise<{ result: AttemptOutcome; delaySeconds: number | undefined }> =>
    deliverAndLog(delivery, attempt, deps).catch((error: Error) => ({
      result: { outcome: 'retry', reason: `${error.name}: ${error.message}` } as AttemptOutcome,
      delaySeconds: retryDelaySeconds(attempt, {}),
    }));

  /** One attempt (number `attempt`, from 1); a failed one is tried again on the schedule, then dead-lettered. */
  const attemptOnce = (delivery: Delivery, attempt: number) =>
    attemptLogged(delivery, attempt).then((sent) => {
      const { result, delaySeconds } = sent;
      if (result.outcome === 'dropped') options.log(`webhook ${delivery.messageId} dropped: ${result.reason}`);
      if (result.outcome === 'retry') {
        if (delaySeconds === undefined) options.log(`webhook ${delivery.messageId} dead-lettered after ${attempt} attempts: ${result.reason}`);
        else later(delaySeconds * 1000 * options.retryScale, () => void attemptOnce(delivery, attempt + 1));
      }
      return sent;
    });

  /** The queue as the functions of this process see it: each message handled after its delay. */
  const inProcessQueue: WebhookQueue = {
    async send(messages) {
      for (const { message, delaySeconds } of messages) later((delaySeconds ?? 0) * 1000 * options.retryScale, () => void handle(message));
    },
  };
  const handle = async (message: QueuedMessage): Promise<void> => {
    if (!isReplayJob(message)) return void (await attemptOnce(message, (message.previousAttempts ?? 0) + 1));
    // A replay retries what failed itself (as an ordinary delivery it queues): its attempts are not retried here.
    await replayStep(message, { log, queue: inProcessQueue, webhooks, now: () => new Date(), deliver: attemptLogged, hasTimeForAnother: () => !stopped }).catch((error: Error) => {
      options.log(`webhook replay step for ${message.subscriptionId} failed (${error.name}): queued again`);
      later(1000 * options.retryScale, () => void handle(message));
    });
  };
  options.queue.consume({
    batchSize: 10,
    maximumConcurrency: 5,
    reportBatchItemFailures: true,
    invoke: async (event) => {
      for (const record of event.Records) {
        try {
          void handle(parseQueuedMessage(record.body));
        } catch (error) {
          options.log(`queued message ${record.messageId} is not one of ours, dropped: ${(error as Error).message}`);
        }
      }
      return { batchItemFailures: [] };
    },
  });

  const patterns = webhookStreamFilterPatterns();
  const image = (value: unknown) => (value ? unmarshall(value as Record<string, AttributeValue>) : undefined);
  /**
   * Fans one record out; a record that fails (listing the webhooks) is tried again, as the
   * stream would. A record that cannot be read as events is logged and skipped alone: the
   * records after it in its page still go out (the deployed fan-out reports it as a batch
   * item failure, and its failure destination keeps it).
   */
  const handleRecord = async (record: StreamRecord, attempt = 0): Promise<void> => {
    if (!matchesStreamFilter(patterns, record)) return;
    let events: ReturnType<typeof trackingEventsOf>;
    try {
      events = trackingEventsOf({ eventName: record.eventName, newImage: image(record.dynamodb?.NewImage), oldImage: image(record.dynamodb?.OldImage) });
    } catch (error) {
      options.log(`webhook stream record ${record.eventID ?? '?'} is no readable event, skipped: ${(error as Error).name}: ${(error as Error).message}`);
      return;
    }
    if (events.length === 0) return;
    try {
      const subscriptions = await webhooks.list(events[0]!.workspaceId);
      await queueDeliveries(
        events.flatMap((event) => fanOut(event, subscriptions)),
        { log, queue: inProcessQueue, now: new Date() },
      );
    } catch (error) {
      options.log(`webhook fan-out of ${events.map((event) => event.eventKey).join(', ')} failed (attempt ${attempt + 1}): ${(error as Error).name}`);
      if (attempt < 10) later(Math.min(1000 * 2 ** attempt, 30_000) * options.retryScale, () => void handleRecord(record, attempt + 1));
    }
  };

  const reader = await startStreamReader({
    endpoint: options.endpoint,
    region: options.region,
    tableName: options.tableName,
    log: options.log,
    onRecords: async (records) => {
      for (const record of records) await handleRecord(record);
    },
  });

  return {
    stop: async () => {
      stopped = true;
      await reader.stop();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      client.destroy();
    },
  };
}
