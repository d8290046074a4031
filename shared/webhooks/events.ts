import { createHash } from 'node:crypto';
import { routes } from '../contracts/routes.ts';
import { stoppedTrackerView, timeEntryView, trackerView } from '../contracts/views.ts';
import { declarationsOf, eventKeyOf, imageOf, type WebhookEventType } from '../contracts/webhook-events.ts';
import { timeEntryVersionFromItem, trackerFromItem } from '../db/item-mappers.ts';
import type { WebhookSubscription } from './model.ts';

/**
 * The events a webhook receives, read off the table's stream (docs/webhooks.md): which
 * record is which event, and its key, come from the event registry
 * (shared/contracts/webhook-events.ts); what its `data` holds is built here, one builder
 * per registered event (the compiler refuses a registered event without one). Nothing is
 * added to the request path.
 */
export type TrackingEvent = {
  type: WebhookEventType;
  workspaceId: number;
  /** When it happened (ISO 8601): a subscription receives only what happens after it was created. */
  occurredAt: string;
  /** Identifies the event itself, so that every copy of it has the same webhook-id (eventKeyOf). */
  eventKey: string;
  payload: string;
};

type Image = Record<string, unknown>;

/** Each registered event's `data`, from its item's image: what the start (or stop) answered, the entry of a version. */
const dataBuilders: { [T in WebhookEventType]: (image: Image) => object } = {
  'tracker.started': (image) => ({ message: routes.startTimeTracking.response.message, ...trackerView(trackerFromItem(image)) }),
  'tracker.stopped': (image) => {
    const { entry } = timeEntryVersionFromItem(image);
    return { message: routes.stopTimeTracking.response.message, ...stoppedTrackerView(entry), workspace_id: entry.workspaceId };
  },
  'time_entry.created': (image) => timeEntryView(timeEntryVersionFromItem(image).entry),
  'time_entry.updated': (image) => {
    const version = timeEntryVersionFromItem(image);
    return { ...timeEntryView(version.entry), changes: version.changes };
  },
  'time_entry.deleted': (image) => timeEntryView(timeEntryVersionFromItem(image).entry),
};

/** One stream record (its event name and images, unmarshalled) → the events it is (none, one, or more). */
export function trackingEventsOf(record: { eventName?: string; newImage?: Image; oldImage?: Image }): TrackingEvent[] {
  return declarationsOf(record.eventName, record).map(([type, declaration]) => {
    const image = (imageOf(declaration.streamEvent) === 'OldImage' ? record.oldImage : record.newImage)!;
    const timestamp = new Date(String(image[declaration.occurredAt])).toISOString();
    const payload = JSON.stringify({ type, timestamp, data: dataBuilders[type](image) });
    return { type, workspaceId: Number(image.workspace_id), occurredAt: timestamp, eventKey: eventKeyOf(type, declaration, image), payload };
  });
}

/** One delivery: an event for one subscription. Carried as is through the queue and every retry. */
export type Delivery = { messageId: string; workspaceId: number; subscriptionId: string; type: WebhookEventType; payload: string };

/** `webhook-id`: stable per event and subscription, identical on every retry and duplicate. */
export const messageIdOf = (eventKey: string, subscriptionId: string) => `msg_${createHash('sha256').update(`${eventKey}|${subscriptionId}`).digest('base64url').slice(0, 32)}`;

/**
 * The deliveries of one event: one per enabled subscription of its workspace that asked for
 * its type and existed when it happened (the stream is read a moment later: a webhook created
 * meanwhile does not get older events).
 */
export function fanOut(event: TrackingEvent, subscriptions: readonly WebhookSubscription[]): Delivery[] {
  const occurred = Date.parse(event.occurredAt);
  return subscriptions
    .filter((subscription) => subscription.status === 'enabled' && subscription.workspaceId === event.workspaceId && subscription.events.includes(event.type) && Date.parse(subscription.createdAt) <= occurred)
    .map((subscription) => ({ messageId: messageIdOf(event.eventKey, subscription.id), workspaceId: event.workspaceId, subscriptionId: subscription.id, type: event.type, payload: event.payload }));
}
