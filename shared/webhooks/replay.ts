import { deliveryOf } from './events.ts';
import type { AttemptOutcome } from './delivery.ts';
import { REPLAY_LEASE_SECONDS, type Delivery, type ReplayJob, type WebhookLog, type WebhookQueue, type WebhookRepository } from './model.ts';

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
 *
 * Each step renews the replay's hold on the webhook's one replay slot, and its last step
 * frees it; a step that finds the slot taken by another replay (its own ran out: its steps
 * stalled for REPLAY_LEASE_SECONDS) ends without sending. A replay sends at most its
 * `remaining` messages.
 */
export async function replayStep(
  job: ReplayJob,
  deps: {
    log: WebhookLog;
    queue: WebhookQueue;
    webhooks: Pick<WebhookRepository, 'renewReplay' | 'endReplay'>;
    now: () => Date;
    deliver: (delivery: Delivery, attempt: number) => Promise<{ result: AttemptOutcome; delaySeconds: number | undefined }>;
    /** Whether another attempt fits in what is left of the invocation. */
    hasTimeForAnother: () => boolean;
  },
): Promise<{ sent: number; ended: boolean }> {
  const { replayId } = job;
  const remaining = job.remaining ?? Number.POSITIVE_INFINITY;
  const end = async (sent: number) => {
    if (replayId) await deps.webhooks.endReplay(job.workspaceId, job.subscriptionId, replayId);
    return { sent, ended: true };
  };
  if (replayId && !(await deps.webhooks.renewReplay(job.workspaceId, job.subscriptionId, replayId, new Date(deps.now().getTime() + REPLAY_LEASE_SECONDS * 1000).toISOString())))
    return { sent: 0, ended: true };
  if (remaining <= 0) return end(0);
  const page = await deps.log.messagesBetween(job.workspaceId, job.subscriptionId, { since: job.since, until: job.until, after: job.after, limit: Math.min(REPLAY_STEP_SIZE, remaining) });
  let sent = 0;
  let after = job.after;
  const next = (cursor: string | undefined): ReplayJob => ({ ...job, ...(cursor === undefined ? {} : { after: cursor }), ...(job.remaining === undefined ? {} : { remaining: job.remaining - sent }) });
  for (const message of page.messages) {
    if (!deps.hasTimeForAnother()) {
      await deps.queue.send([{ message: next(after) }]);
      return { sent, ended: false };
    }
    after = message.cursor;
    const { result, delaySeconds } = await deps.deliver(deliveryOf(message), 1);
    sent++;
    if (result.outcome === 'dropped' && (result.disabled || result.reason === 'webhook deleted' || result.reason === 'webhook disabled')) return end(sent);
    if (result.outcome === 'retry' && delaySeconds !== undefined) await deps.queue.send([{ message: deliveryOf(message, 1), delaySeconds: Math.min(delaySeconds, MAX_SEND_DELAY_SECONDS) }]);
  }
  if (!page.cursor || sent >= remaining) return end(sent);
  await deps.queue.send([{ message: next(page.cursor) }]);
  return { sent, ended: false };
}
