import { timeEntryHistoryData, timeEntrySchema } from './routes/time-entries.ts';
import { startTimeTrackingData, stopTimeTrackingData } from './routes/tracking.ts';
import { directoryRoutes } from './routes/directory.ts';
import { timesheetSchema } from './routes/timesheets.ts';
import { timeRequestSchema } from './routes/time-requests.ts';
import { exportEventSchema } from './routes/exports.ts';
import { timestampSchema } from './schemas.ts';

/**
 * The webhook event registry: every event a subscription may receive, declared once
 * (docs/webhooks.md). From it come the subscribable event names and their type, the
 * deployed stream filter (infra), the local stream reader's filter, which item becomes
 * which event, its `webhook-id`, and the payload schemas of the OpenAPI document.
 *
 * - `streamEvent` and `entity`: the table stream records it is read from (the item's
 *   `entity` attribute, in the new image for INSERT/MODIFY and the old one for REMOVE);
 *   `match`: other string attributes of that image the record must have (one record may be
 *   several events: a stopped tracker's first entry version is `tracker.stopped` and
 *   `time_entry.created`). The deployed filter selects by entity; `match` is applied after;
 * - `identity`: the attributes that name the item; with the event name they give the
 *   event's key, the same for every copy of the event (retries, duplicates of the stream);
 * - `version` (MODIFY only, required there): the attribute that tells two changes of one
 *   item apart, so that a later change never reuses an earlier event's `webhook-id`;
 * - `occurredAt`: the attribute holding when it happened (a webhook gets only later events);
 * - `data`: the JSON Schema of the payload's `data`.
 */
type EventBase = { description: string; entity: string; match?: Readonly<Record<string, string>>; identity: readonly string[]; occurredAt: string; data: object };
export type WebhookEventDeclaration = (EventBase & { streamEvent: 'INSERT' | 'REMOVE' }) | (EventBase & { streamEvent: 'MODIFY'; version: string });

/** `tracker.stopped` carries the stop's answer and the workspace it happened in. */
const trackerStoppedData = {
  ...stopTimeTrackingData,
  required: [...stopTimeTrackingData.required, 'workspace_id'],
  properties: { ...stopTimeTrackingData.properties, workspace_id: { type: 'integer' } },
} as const;

/** The entry as every answer shows it; `time_entry.updated` adds what changed. */
const timeEntryUpdatedData = {
  ...timeEntrySchema,
  required: [...timeEntrySchema.required, 'changes'],
  properties: { ...timeEntrySchema.properties, changes: timeEntryHistoryData.items.properties.changes },
} as const;

/**
 * A directory event's data: the record as it is after the write (as it was, for a removal),
 * what changed, its revision (ours: the ETag; null for a removal), the source system's
 * version, who and when.
 */
const directoryEventData = <R extends object>(record: R, kind: string) =>
  ({
    type: 'object',
    required: ['record', 'changes', 'revision', 'source_version', 'by', 'at'],
    properties: {
      record: { ...record, description: `The ${kind} as it is after the write (as it was, for a removal), as its PUT answers it.` },
      changes: { type: 'object', description: '{ field: [old, new] } of what the write changed.', additionalProperties: { type: 'array', minItems: 2, maxItems: 2 } },
      revision: { type: ['integer', 'null'], description: 'The record’s revision after the write (its ETag); null for a removal.' },
      source_version: { type: ['integer', 'null'], description: 'The source system’s version of the record, when a sync job gave one.' },
      by: { type: ['integer', 'null'], description: 'Who wrote it.' },
      at: timestampSchema,
    },
    additionalProperties: false,
  }) as const;

/** The directory's events: one per audited write of a member, project, contract or task (its change entry, in the write's transaction). */
const directoryEvent = <R extends object>(kind: 'member' | 'project' | 'contract' | 'task', change: 'created' | 'updated' | 'removed', record: R, description: string) =>
  ({
    description,
    streamEvent: 'INSERT',
    entity: 'directory_change',
    match: { kind, change },
    identity: ['change_id'],
    occurredAt: 'at',
    data: directoryEventData(record, kind),
  }) as const;

/** A timesheet's events: one per status change (its audit, in the change's transaction); the data is the timesheet after it. */
const timesheetEvent = (transition: 'submit' | 'approve' | 'reject' | 'reopen', description: string) =>
  ({ description, streamEvent: 'INSERT', entity: 'timesheet_change', match: { transition }, identity: ['id', 'revision'], occurredAt: 'at', data: timesheetSchema }) as const;

export const webhookEventRegistry = {
  'tracker.started': {
    description: 'A tracker was started: the data is what the start answered.',
    streamEvent: 'INSERT',
    entity: 'tracker',
    identity: ['tracker_id'],
    occurredAt: 'start_time',
    data: startTimeTrackingData,
  },
  'tracker.stopped': {
    description: 'A tracker was stopped (its time entry recorded): the data is what the stop answered, with the workspace.',
    streamEvent: 'INSERT',
    entity: 'time_entry_version',
    match: { action: 'created', source: 'tracker' },
    identity: ['entry_id'],
    occurredAt: 'at',
    data: trackerStoppedData,
  },
  // Each version of an entry is one item of its history: one event per version, its webhook-id distinct per version.
  'time_entry.created': {
    description: 'A time entry was recorded, by a stop or by hand: the data is the entry.',
    streamEvent: 'INSERT',
    entity: 'time_entry_version',
    match: { action: 'created' },
    identity: ['entry_id', 'version'],
    occurredAt: 'at',
    data: timeEntrySchema,
  },
  'time_entry.updated': {
    description: 'A time entry was corrected: the data is the entry as it is now, and `changes` ({ field: [old, new] }).',
    streamEvent: 'INSERT',
    entity: 'time_entry_version',
    match: { action: 'updated' },
    identity: ['entry_id', 'version'],
    occurredAt: 'at',
    data: timeEntryUpdatedData,
  },
  'time_entry.deleted': {
    description: 'A time entry was deleted: the data is the entry as it was.',
    streamEvent: 'INSERT',
    entity: 'time_entry_version',
    match: { action: 'deleted' },
    identity: ['entry_id', 'version'],
    occurredAt: 'at',
    data: timeEntrySchema,
  },
  'member.created': directoryEvent('member', 'created', directoryRoutes.putMember.response.data, 'A member joined the workspace (by the sync job, or by accepting an invitation).'),
  'member.updated': directoryEvent('member', 'updated', directoryRoutes.putMember.response.data, 'A member’s role, status (activated or deactivated: see `changes.status`), name or email changed.'),
  'member.removed': directoryEvent('member', 'removed', directoryRoutes.putMember.response.data, 'A member was removed from the workspace: the data is the member as they were.'),
  'project.created': directoryEvent('project', 'created', directoryRoutes.putProject.response.data, 'A project was created.'),
  'project.updated': directoryEvent('project', 'updated', directoryRoutes.putProject.response.data, 'A project was renamed, archived or restored (see `changes`).'),
  'contract.created': directoryEvent('contract', 'created', directoryRoutes.putContract.response.data, 'A contract was created.'),
  'contract.updated': directoryEvent('contract', 'updated', directoryRoutes.putContract.response.data, 'A contract changed: its status, project, rate (its history) or whether it is billable.'),
  'task.created': directoryEvent('task', 'created', directoryRoutes.putTask.response.data, 'A task was created.'),
  'task.updated': directoryEvent('task', 'updated', directoryRoutes.putTask.response.data, 'A task was renamed, moved, closed or opened again.'),
  'timesheet.submitted': timesheetEvent('submit', 'A timesheet was submitted: its entries are locked.'),
  'timesheet.approved': timesheetEvent('approve', 'A timesheet was approved: the data carries the figures approved.'),
  'timesheet.rejected': timesheetEvent('reject', 'A timesheet was rejected (`reason` says why): its entries can be corrected.'),
  'timesheet.reopened': timesheetEvent('reopen', 'An approved timesheet was reopened by an owner (`reason` says why).'),
  // A time request's by-id copy: made (INSERT), then decided (MODIFY, a new revision each).
  'time_request.created': {
    description: 'A member asked for manual time: the data is the request, pending.',
    streamEvent: 'INSERT',
    entity: 'time_request',
    identity: ['request_id'],
    occurredAt: 'created_at',
    data: timeRequestSchema,
  },
  'time_request.approved': {
    description: 'A time request was approved: the data is the request with the id of the entry made.',
    streamEvent: 'MODIFY',
    entity: 'time_request',
    match: { status: 'approved' },
    identity: ['request_id'],
    version: 'revision',
    occurredAt: 'decided_at',
    data: timeRequestSchema,
  },
  'time_request.rejected': {
    description: 'A time request was rejected: the data is the request with the comment.',
    streamEvent: 'MODIFY',
    entity: 'time_request',
    match: { status: 'rejected' },
    identity: ['request_id'],
    version: 'revision',
    occurredAt: 'decided_at',
    data: timeRequestSchema,
  },
  // An export's record ends its job (MODIFY): completed, or failed with its error.
  'export.completed': {
    description: 'An export’s file is ready: GET /exports/{id} gives its download link.',
    streamEvent: 'MODIFY',
    entity: 'export',
    match: { status: 'completed' },
    identity: ['export_id'],
    version: 'revision',
    occurredAt: 'completed_at',
    data: exportEventSchema,
  },
  'export.failed': {
    description: 'An export failed: `error` says why; create it again.',
    streamEvent: 'MODIFY',
    entity: 'export',
    match: { status: 'failed' },
    identity: ['export_id'],
    version: 'revision',
    occurredAt: 'completed_at',
    data: exportEventSchema,
  },
} as const satisfies Record<string, WebhookEventDeclaration>;

export type WebhookEventType = keyof typeof webhookEventRegistry;
export const WEBHOOK_EVENT_TYPES = Object.keys(webhookEventRegistry) as [WebhookEventType, ...WebhookEventType[]];

const declarations = Object.entries(webhookEventRegistry) as Array<[WebhookEventType, WebhookEventDeclaration]>;

/** The stream image an event is read from. */
export const imageOf = (streamEvent: WebhookEventDeclaration['streamEvent']) => (streamEvent === 'REMOVE' ? 'OldImage' : 'NewImage');

/**
 * The stream records that can be events, as Lambda event-filter patterns (one per stream
 * event name, DynamoDB JSON): the deployed event source mapping uses exactly these, and
 * the local stream reader matches records against them with `matchesStreamFilter`.
 */
export function webhookStreamFilterPatterns(registry: Record<string, WebhookEventDeclaration> = webhookEventRegistry) {
  const byStreamEvent = new Map<WebhookEventDeclaration['streamEvent'], Set<string>>();
  for (const declaration of Object.values(registry)) {
    const entities = byStreamEvent.get(declaration.streamEvent) ?? new Set<string>();
    entities.add(declaration.entity);
    byStreamEvent.set(declaration.streamEvent, entities);
  }
  return [...byStreamEvent].map(([streamEvent, entities]) => ({
    eventName: [streamEvent],
    dynamodb: { [imageOf(streamEvent)]: { entity: { S: [...entities].sort() } } },
  }));
}

export type StreamFilterPattern = ReturnType<typeof webhookStreamFilterPatterns>[number];

const isExistsMatcher = (allowed: unknown) => typeof allowed === 'object' && allowed !== null && (allowed as { exists?: unknown }).exists === true;

/**
 * Lambda's event filtering as these patterns use it: every key of the pattern must be in
 * the record, a nested object matches recursively, an array lists the values allowed (`{ exists: true }`: any).
 */
export function matchesStreamFilter(patterns: readonly object[], record: unknown): boolean {
  const matches = (pattern: unknown, value: unknown): boolean => {
    // `{ exists: true }` matches any value (the key was there).
    if (Array.isArray(pattern)) return pattern.some((allowed) => allowed === value || (isExistsMatcher(allowed) && value !== undefined));
    if (!pattern || typeof pattern !== 'object' || !value || typeof value !== 'object') return false;
    return Object.entries(pattern).every(([key, inner]) => Object.hasOwn(value, key) && matches(inner, (value as Record<string, unknown>)[key]));
  };
  return patterns.some((pattern) => matches(pattern, record));
}

/** The declarations a stream record (its event name and image) is an event of, in registry order. */
export function declarationsOf(eventName: string | undefined, images: { newImage?: Record<string, unknown>; oldImage?: Record<string, unknown> }): Array<[WebhookEventType, WebhookEventDeclaration]> {
  return declarations.filter(([, declaration]) => {
    if (declaration.streamEvent !== eventName) return false;
    const image = imageOf(declaration.streamEvent) === 'OldImage' ? images.oldImage : images.newImage;
    return image?.entity === declaration.entity && Object.entries(declaration.match ?? {}).every(([attribute, value]) => image[attribute] === value);
  });
}

/**
 * The key of one event: the same for every copy of it, different for every other event
 * (another item, another event type, or another version of the same item).
 */
export function eventKeyOf(type: string, declaration: WebhookEventDeclaration, image: Record<string, unknown>): string {
  const parts = [type, ...declaration.identity.map((attribute) => String(image[attribute]))];
  if (declaration.streamEvent === 'MODIFY') parts.push(`v${String(image[declaration.version])}`);
  return parts.join(':');
}

/** The JSON Schema of one event's payload as delivered: `{ type, timestamp, data }`. */
/**
 * `webhook.test`, sent by `POST /webhooks/{id}/test`: no event of the table (not in the
 * registry, no subscription asks for it), delivered to the webhook whatever its events.
 */
export const WEBHOOK_TEST_EVENT_DESCRIPTION = 'A test sent on request (POST /webhooks/{id}/test): no tracker or entry is involved.';
export const webhookTestPayloadSchema = {
  type: 'object',
  required: ['type', 'timestamp', 'data'],
  properties: {
    type: { const: 'webhook.test' },
    timestamp: { type: 'string', format: 'date-time' },
    data: { type: 'object', required: ['webhook_id', 'workspace_id'], properties: { webhook_id: { type: 'string' }, workspace_id: { type: 'integer' } }, additionalProperties: false },
  },
  additionalProperties: false,
} as const;

export function webhookPayloadSchema(type: WebhookEventType) {
  return {
    type: 'object',
    required: ['type', 'timestamp', 'data'],
    properties: { type: { const: type }, timestamp: { type: 'string', format: 'date-time' }, data: webhookEventRegistry[type].data },
    additionalProperties: false,
  } as const;
}
