import { webhookEventRegistry, type WebhookEventType } from '../contracts/webhook-events.ts';
import type { Delivery } from './events.ts';

/**
 * A queued message read back as a delivery, or an error when it is not one (a message the
 * fan-out did not write: a stream-failure pointer redriven to the wrong queue, a hand-sent
 * message). Such a message is never dropped as "webhook deleted": it fails, stays on the
 * queue, and ends in the dead-letter queue where an operator sees it.
 */
export function parseDelivery(body: string): Delivery {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new MalformedDeliveryError('not JSON');
  }
  const candidate = value as Partial<Delivery> | null;
  if (
    !candidate ||
    typeof candidate.messageId !== 'string' ||
    !/^msg_[A-Za-z0-9_-]{32}$/.test(candidate.messageId) ||
    !Number.isSafeInteger(candidate.workspaceId) ||
    typeof candidate.subscriptionId !== 'string' ||
    typeof candidate.type !== 'string' ||
    !Object.hasOwn(webhookEventRegistry, candidate.type) ||
    typeof candidate.payload !== 'string'
  ) {
    throw new MalformedDeliveryError('not a delivery written by the fan-out');
  }
  return { messageId: candidate.messageId, workspaceId: candidate.workspaceId!, subscriptionId: candidate.subscriptionId, type: candidate.type as WebhookEventType, payload: candidate.payload };
}

export class MalformedDeliveryError extends Error {
  override name = 'MalformedDeliveryError';
}
