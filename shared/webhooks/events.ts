import { createHash } from 'node:crypto';
import { routes } from '../contracts/routes.ts';
import { contractView, memberView, projectView, stoppedTrackerView, taskView, timeEntryView, timeRequestView, timesheetView, trackerView } from '../contracts/views.ts';
import { timeRequestFromItem } from '../db/time-request-repository.ts';
import { exportJobFromItem } from '../db/export-repository.ts';
import { exportView } from '../contracts/routes/exports.ts';
import type { Timesheet } from '../tracking/timesheets.ts';
import { recordFromItem } from '../db/directory-repository.ts';
import type { DirectoryKind, DirectoryRecord } from '../tracking/directory.ts';
import { declarationsOf, eventKeyOf, imageOf, type WebhookEventType } from '../contracts/webhook-events.ts';
import { timeEntryVersionFromItem, trackerFromItem } from '../db/item-mappers.ts';
import type { Delivery, StoredMessage, WebhookLog, WebhookQueue, WebhookSubscription } from './model.ts';

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

/** A directory event's data, from its change entry: the record it carries, as its PUT answers it. */
function directoryData(view: (record: DirectoryRecord) => object) {
  return (image: Image) => {
    const record = recordFromItem(image.kind as DirectoryKind, Number(image.workspace_id), image.record as Image);
    return {
      record: view(record),
      changes: (image.changes as object | undefined) ?? {},
      revision: typeof image.revision === 'number' ? image.revision : null,
      source_version: record.sourceVersion,
      by: typeof image.by === 'number' ? image.by : null,
      at: String(image.at),
    };
  };
}

/** A timesheet event's data: the timesheet after the change, as its routes answer it. */
const timesheetData = (image: Image) => timesheetView(JSON.parse(String(image.timesheet)) as Timesheet, Number(image.workspace_id));

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
  'member.created': directoryData(memberView),
  'member.updated': directoryData(memberView),
  'member.removed': directoryData(memberView),
  'project.created': directoryData(projectView),
  'project.updated': directoryData(projectView),
  'contract.created': directoryData((record) => contractView(record)),
  'contract.updated': directoryData((record) => contractView(record)),
  'task.created': directoryData(taskView),
  'task.updated': directoryData(taskView),
  'timesheet.submitted': timesheetData,
  'timesheet.approved': timesheetData,
  'timesheet.rejected': timesheetData,
  'timesheet.reopened': timesheetData,
  'time_request.created': (image) => timeRequestView(timeRequestFromItem(image)),
  'time_request.approved': (image) => timeRequestView(timeRequestFromItem(image)),
  'time_request.rejected': (image) => timeRequestView(timeRequestFromItem(image)),
  'export.completed': (image) => exportEventData(image),
  'export.failed': (image) => exportEventData(image),
};

/** An export event's data: the export as its routes answer it, without a link. */
function exportEventData(image: Image) {
  const { download_url: _link, ...data } = exportView(exportJobFromItem(image));
  return data;
}

/** One stream record (its event name and images, unmarshalled) → the events it is (none, one, or more). */
export function trackingEventsOf(record: { eventName?: string; newImage?: Image; oldImage?: Image }): TrackingEvent[] {
  return declarationsOf(record.eventName, record).map(([type, declaration]) => {
    const image = (imageOf(declaration.streamEvent) === 'OldImage' ? record.oldImage : record.newImage)!;
    const timestamp = new Date(String(image[declaration.occurredAt])).toISOString();
    const payload = JSON.stringify({ type, timestamp, data: dataBuilders[type](image) });
    return { type, workspaceId: Number(image.workspace_id), occurredAt: timestamp, eventKey: eventKeyOf(type, declaration, image), payload };
  });
}

/** What the delivery log keeps of a delivery: what redelivery and replay send again. */
export const storedMessageOf = (delivery: Delivery & { occurredAt: string }): StoredMessage => ({
  workspaceId: delivery.workspaceId,
  subscriptionId: delivery.subscriptionId,
  messageId: delivery.messageId,
  type: delivery.type,
  payload: delivery.payload,
  occurredAt: delivery.occurredAt,
});

/** A stored message as a delivery again: the same webhook-id and body (a new timestamp and signature when sent). */
export const deliveryOf = (message: StoredMessage, previousAttempts = 0): Delivery => ({
  messageId: message.messageId,
  workspaceId: message.workspaceId,
  subscriptionId: message.subscriptionId,
  type: message.type,
  payload: message.payload,
  occurredAt: message.occurredAt,
  ...(previousAttempts > 0 ? { previousAttempts } : {}),
});

/** `webhook-id`: stable per event and subscription, identical on every retry and duplicate. */
export const messageIdOf = (eventKey: string, subscriptionId: string) => `msg_${createHash('sha256').update(`${eventKey}|${subscriptionId}`).digest('base64url').slice(0, 32)}`;

/** A delivery of the fan-out; `held`: its webhook is disabled, so it is kept in the log (for a replay once enabled) and not sent. */
export type FannedOut = Delivery & { occurredAt: string; held: boolean };

/**
 * The deliveries of one event: one per subscription of its workspace that asked for its type
 * and existed when it happened (the stream is read a moment later: a webhook created
 * meanwhile does not get older events). A disabled webhook's is held: logged, not sent, so
 * that a replay after enabling it again sends what it missed, with the same webhook-ids.
 */
export function fanOut(event: TrackingEvent, subscriptions: readonly WebhookSubscription[]): FannedOut[] {
  const occurred = Date.parse(event.occurredAt);
  return subscriptions
    .filter((subscription) => subscription.workspaceId === event.workspaceId && subscription.events.includes(event.type) && Date.parse(subscription.createdAt) <= occurred)
    .map((subscription) => ({
      messageId: messageIdOf(event.eventKey, subscription.id),
      workspaceId: event.workspaceId,
      subscriptionId: subscription.id,
      type: event.type,
      payload: event.payload,
      occurredAt: event.occurredAt,
      held: subscription.status !== 'enabled',
    }));
}

/** Keeps the deliveries in their webhooks' logs, then queues those not held: a delivery that can be sent can also be sent again. */
export async function queueDeliveries(deliveries: readonly FannedOut[], deps: { log: WebhookLog; queue: WebhookQueue; now: Date }): Promise<void> {
  if (deliveries.length === 0) return;
  await deps.log.recordMessages(deliveries.map(storedMessageOf), deps.now);
  const toSend = deliveries.filter((delivery) => !delivery.held).map(({ held: _held, ...delivery }) => ({ message: delivery }));
  if (toSend.length > 0) await deps.queue.send(toSend);
}
