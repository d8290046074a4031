import { webhookEventRegistry } from '../contracts/webhook-events.ts';
import { WEBHOOK_TEST_EVENT, type QueuedMessage, type ReplayJob, type WebhookMessageType } from './model.ts';

export const isReplayJob = (message: QueuedMessage): message is ReplayJob => (message as ReplayJob).kind === 'replay';

const isMessageType = (type: unknown): type is WebhookMessageType => typeof type === 'string' && (type === WEBHOOK_TEST_EVENT || Object.hasOwn(webhookEventRegistry, type));
const isTimestamp = (value: unknown) => typeof value === 'string' && !Number.isNaN(Date.parse(value));

/**
 * A queued message read back, or an error when it is not one we wrote (a stream-failure
 * pointer redriven to the wrong queue, a hand-sent message). Such a message is never dropped
 * as "webhook deleted": it fails, stays on the queue, and ends in the dead-letter queue where
 * an operator sees it.
 */
export function parseQueuedMessage(body: string): QueuedMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new MalformedDeliveryError('not JSON');
  }
  const candidate = value as Record<string, unknown> | null;
  if (!candidate || !Number.isSafeInteger(candidate.workspaceId) || typeof candidate.subscriptionId !== 'string') throw new MalformedDeliveryError('not a message written by this service');
  const base = { workspaceId: candidate.workspaceId as number, subscriptionId: candidate.subscriptionId };
  if (candidate.kind === 'replay') {
    if (
      !isTimestamp(candidate.since) ||
      !isTimestamp(candidate.until) ||
      (candidate.after !== undefined && typeof candidate.after !== 'string') ||
      (candidate.replayId !== undefined && typeof candidate.replayId !== 'string') ||
      (candidate.remaining !== undefined && !(Number.isSafeInteger(candidate.remaining) && (candidate.remaining as number) >= 0))
    ) {
      throw new MalformedDeliveryError('not a replay written by this service');
    }
    return {
      kind: 'replay',
      ...base,
      since: candidate.since as string,
      until: candidate.until as string,
      ...(candidate.after === undefined ? {} : { after: candidate.after as string }),
      ...(candidate.replayId === undefined ? {} : { replayId: candidate.replayId as string }),
      ...(candidate.remaining === undefined ? {} : { remaining: candidate.remaining as number }),
    };
  }
  if (
    typeof candidate.messageId !== 'string' ||
    !/^msg_[A-Za-z0-9_-]{32}$/.test(candidate.messageId) ||
    !isMessageType(candidate.type) ||
    typeof candidate.payload !== 'string' ||
    (candidate.occurredAt !== undefined && !isTimestamp(candidate.occurredAt)) ||
    (candidate.previousAttempts !== undefined && !(Number.isSafeInteger(candidate.previousAttempts) && (candidate.previousAttempts as number) >= 0))
  ) {
    throw new MalformedDeliveryError('not a delivery written by this service');
  }
  return {
    messageId: candidate.messageId,
    ...base,
    type: candidate.type,
    payload: candidate.payload,
    ...(candidate.occurredAt === undefined ? {} : { occurredAt: candidate.occurredAt as string }),
    ...(candidate.previousAttempts ? { previousAttempts: candidate.previousAttempts as number } : {}),
  };
}

export class MalformedDeliveryError extends Error {
  override name = 'MalformedDeliveryError';
}
