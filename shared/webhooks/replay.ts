import type { ReplayJob } from './delivery-message.ts';
import { deliveryOf, type Delivery } from './events.ts';
import type { AttemptOutcome } from './delivery.ts';
import type { WebhookLog, WebhookQueue } from './model.ts';

/** The messages one replay step sends before it queues the next step: well within a delivery function's run. */
export const REPLAY_STEP_SIZE = 10;

/** SQS delays a new message at most this long. */
const MAX_SEND_DELAY_SECONDS = 900;

/**
 * One step of a replay: the next messages of the webhook's log, oldest event first, each
 * sent and awaited before the next, so that a receiver gets them in the order the events
 * happened. One the receiver does not take is queued as an ordinary delivery, retried on the
 * usual schedule (the next retry's delay, its first attempt already made), and the replay goes
 * on; a webhook deleted or disabled meanwhile ends it. When more remain, the next step is
 * queued: no step outlives an invocation.
 */
export async function replayStep(
  job: ReplayJob,
  deps: {
    log: WebhookLog;
    queue: WebhookQueue;
    deliver: (delivery: Delivery, attempt: number) => Promise<{ result: AttemptOutcome; delaySeconds: number | undefined }>;
    /** Whether another attempt fits in what is left of the invocation. */
    hasTimeForAnother: () => boolean;
  },
): Promise<{ sent: number; ended: boolean }> {
  const page = await deps.log.messagesBetween(job.workspaceId, job.subscriptionId, { since: job.since, until: job.until, after: job.after, limit: REPLAY_STEP_SIZE });
  let sent = 0;
  let after = job.after;
  for (const message of page.messages) {
    if (!deps.hasTimeForAnother()) {
      await deps.queue.send([{ message: { ...job, ...(after === undefined ? {} : { after }) } }]);
      return { sent, ended: false };
    }
    after = message.cursor;
    const { result, delaySeconds } = await deps.deliver(deliveryOf(message), 1);
    sent++;
    if (result.outcome === 'dropped' && (result.disabled || result.reason === 'webhook deleted' || result.reason === 'webhook disabled')) return { sent, ended: true };
    if (result.outcome === 'retry' && delaySeconds !== undefined) await deps.queue.send([{ message: deliveryOf(message, 1), delaySeconds: Math.min(delaySeconds, MAX_SEND_DELAY_SECONDS) }]);
  }
  if (!page.cursor) return { sent, ended: true };
  await deps.queue.send([{ message: { ...job, after: page.cursor } }]);
  return { sent, ended: false };
}
