import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { matchesStreamFilter, webhookStreamFilterPatterns } from '../../shared/contracts/webhook-events.ts';
import { createDocumentClient } from '../../shared/db/document-client.ts';
import { createWebhookRepository } from '../../shared/db/webhook-repository.ts';
import { attemptDelivery, retryDelaySeconds, type AttemptOutcome } from '../../shared/webhooks/delivery.ts';
import { resolveHost } from '../../shared/webhooks/destination.ts';
import { fanOut, trackingEventsOf, type Delivery } from '../../shared/webhooks/events.ts';
import { startStreamReader, type StreamRecord } from './stream-reader.ts';

/**
 * Webhooks on one machine (`npm start`): reads DynamoDB Local's stream of the table and runs
 * the same fan-out and delivery code as the deployed functions, with the same retry schedule
 * (scaled by WEBHOOK_RETRY_SCALE) in this process instead of SQS. A delivery that exhausts
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
  allowLoopbackHttp: boolean;
  log: (line: string) => void;
}) {
  const client = createDocumentClient({ tableName: options.tableName, region: options.region, endpoint: options.endpoint });
  const webhooks = createWebhookRepository(client, options.tableName);

  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, action: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) action();
    }, ms);
    timers.add(timer);
  };

  const deliver = (delivery: Delivery, attempt: number) => {
    void attemptDelivery(delivery, {
      getSubscription: webhooks.get,
      resolve: resolveHost,
      allowLoopbackHttp: options.allowLoopbackHttp,
      now: () => new Date(),
      disable: (workspaceId, id) => webhooks.setStatus(workspaceId, id, { status: 'disabled', reason: 'gone' }),
    })
      // Reading the subscription failed (DynamoDB Local unreachable): a retry like any other.
      .catch((error: Error): AttemptOutcome => ({ outcome: 'retry', reason: `${error.name}: ${error.message}` }))
      .then((result) => {
        if (result.outcome !== 'retry') {
          if (result.outcome === 'dropped') options.log(`webhook ${delivery.messageId} dropped: ${result.reason}`);
          return;
        }
        const delay = retryDelaySeconds(attempt + 1, result);
        if (delay === undefined) {
          options.log(`webhook ${delivery.messageId} dead-lettered after ${attempt + 1} attempts: ${result.reason}`);
          return;
        }
        later(delay * 1000 * options.retryScale, () => deliver(delivery, attempt + 1));
      });
  };

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
      for (const delivery of events.flatMap((event) => fanOut(event, subscriptions))) deliver(delivery, 0);
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
