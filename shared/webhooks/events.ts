import { createHash } from 'node:crypto';
import { routes } from '../contracts/routes.ts';
import { timeEntryFromItem, trackerFromItem } from '../db/item-mappers.ts';
import { stoppedTrackerView, trackerView } from '../http/views.ts';
import type { WebhookEventType, WebhookSubscription } from './model.ts';

/**
 * The events a webhook receives, read off the table's stream (docs/webhooks.md): a new
 * active tracker is `tracker.started`, a new time entry is `tracker.stopped`. Their `data`
 * is what the start (or stop) response's `data` carries, with `workspace_id` and `user_id`.
 * Nothing is added to the request path.
 */
export type TrackingEvent = {
  type: WebhookEventType;
  workspaceId: number;
  /** When it happened (ISO 8601): a subscription receives only what happens after it was created. */
  occurredAt: string;
  /** Identifies the event itself (its tracker), so that every copy of it has the same webhook-id. */
  eventKey: string;
  payload: string;
};

/** One stream record (INSERT with its new image, unmarshalled) → its event, if it is one. */
export function trackingEventOf(record: { eventName?: string; newImage?: Record<string, unknown> }): TrackingEvent | undefined {
  const image = record.newImage;
  if (record.eventName !== 'INSERT' || !image) return undefined;
  if (image.entity === 'tracker') {
    const tracker = trackerFromItem(image);
    const data = { message: routes.startTimeTracking.response.message, ...trackerView(tracker) };
    return event('tracker.started', tracker.workspaceId, tracker.trackerId, tracker.startTime, data);
  }
  if (image.entity === 'time_entry') {
    const entry = timeEntryFromItem(image);
    const data = { message: routes.stopTimeTracking.response.message, ...stoppedTrackerView(entry), workspace_id: entry.workspaceId, user_id: entry.userId };
    return event('tracker.stopped', entry.workspaceId, entry.entryId, entry.endTime, data);
  }
  return undefined;
}

function event(type: WebhookEventType, workspaceId: number, trackerId: string, at: string, data: object): TrackingEvent {
  const timestamp = new Date(at).toISOString();
  return { type, workspaceId, occurredAt: timestamp, eventKey: `${type}:${trackerId}`, payload: JSON.stringify({ type, timestamp, data }) };
}

/** One delivery: an event for one subscription. Carried as is through the queue and every retry. */
export type Delivery = { messageId: string; workspaceId: number; subscriptionId: string; type: WebhookEventType; payload: string };

/** `webhook-id`: stable per event and subscription, identical on every retry and duplicate. */
export const messageIdOf = (eventKey: string, subscriptionId: string) => `msg_${createHash('sha256').update(`${eventKey}|${subscriptionId}`).digest('base64url').slice(0, 32)}`;

/**
 * The deliveries of one event: one per subscription of its workspace that asked for its type
 * and existed when it happened (the stream is read a moment later: a webhook created
 * meanwhile does not get older events).
 */
export function fanOut(event: TrackingEvent, subscriptions: readonly WebhookSubscription[]): Delivery[] {
  const occurred = Date.parse(event.occurredAt);
  return subscriptions
    .filter((subscription) => subscription.workspaceId === event.workspaceId && subscription.events.includes(event.type) && Date.parse(subscription.createdAt) <= occurred)
    .map((subscription) => ({ messageId: messageIdOf(event.eventKey, subscription.id), workspaceId: event.workspaceId, subscriptionId: subscription.id, type: event.type, payload: event.payload }));
}
