import type { RouteDefinition } from '../route-definition.ts';
import { ENTRY_SOURCES } from '../../tracking/model.ts';
import {
  calendarDate,
  count,
  cursorFields,
  cursorMeta,
  dateRangeFields,
  idSchema,
  ifMatchHeaders,
  nullableId,
  nullableInteger,
  offsetTimeSchema,
  paginationMeta,
  seconds,
  stopReason,
  taskNeedsContract,
  timestampSchema,
  workFields,
  workspaceQuery,
} from '../schemas.ts';

// Time entries

/** An entry's id (a UUID for entries recorded here). */
const timeEntryId = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', examples: ['9b2f6c1e-4d3a-4f7b-8a52-1c0e5d7f3a90'] } as const;

/** A time entry as every answer that returns one shows it. */
export const timeEntrySchema = {
  type: 'object',
  required: [
    'id',
    'workspace_id',
    'user_id',
    'contract_id',
    'project_id',
    'task_id',
    'activity_description',
    'start_time',
    'end_time',
    'duration_seconds',
    'source',
    'stop_reason',
    'stopped_by',
    'created_by',
    'created_at',
    'updated_by',
    'updated_at',
    'version',
  ],
  properties: {
    id: { type: 'string' },
    workspace_id: { type: 'integer' },
    ...workFields,
    end_time: timestampSchema,
    duration_seconds: seconds,
    source: { enum: ENTRY_SOURCES, description: 'A stopped tracker, added by hand, or an approved time request.' },
    approved_by: { type: 'integer', description: 'Who approved the time request it was made from (only for `source: "request"`; its requester is `created_by`).' },
    locked: { const: true, description: 'Only on an entry a stop recorded into a day the workspace had locked (lock dates): kept, and read-only from the start.' },
    /** Null for an entry added by hand. */
    stop_reason: { anyOf: [stopReason, { type: 'null' }] },
    stopped_by: nullableInteger,
    created_by: { type: 'integer' },
    created_at: timestampSchema,
    updated_by: { type: 'integer' },
    updated_at: timestampSchema,
    version: { type: 'integer', minimum: 1 },
  },
  additionalProperties: false,
} as const;

const timeEntriesQuery = {
  type: 'object',
  required: ['workspace_id', 'user_id'],
  properties: { workspace_id: idSchema, user_id: idSchema, ...dateRangeFields, page: { type: 'integer', minimum: 1, maximum: 100000 }, per_page: { type: 'integer', minimum: 1, maximum: 50 } },
} as const;

const timeEntriesData = { type: 'array', items: timeEntrySchema } as const;

const timeEntrySummaryQuery = { type: 'object', required: ['workspace_id', 'user_id'], properties: { workspace_id: idSchema, user_id: idSchema, ...dateRangeFields } } as const;

const timeEntrySummaryData = {
  type: 'object',
  required: ['days', 'total_seconds'],
  properties: {
    days: {
      type: 'array',
      items: {
        type: 'object',
        required: ['date', 'total_seconds', 'entries'],
        properties: { date: calendarDate, total_seconds: seconds, entries: count },
        additionalProperties: false,
      },
    },
    total_seconds: seconds,
  },
  additionalProperties: false,
} as const;

const createTimeEntryBody = {
  type: 'object',
  required: ['workspace_id', 'user_id', 'start_time', 'end_time'],
  properties: {
    workspace_id: idSchema,
    user_id: idSchema,
    start_time: offsetTimeSchema,
    end_time: offsetTimeSchema,
    contract_id: nullableId,
    task_id: nullableId,
    activity_description: { type: ['string', 'null'], maxLength: 1000 },
  },
  allOf: taskNeedsContract,
} as const;

const timeEntryPath = { type: 'object', required: ['id'], properties: { id: timeEntryId } } as const;

const updateTimeEntryBody = {
  type: 'object',
  properties: {
    start_time: offsetTimeSchema,
    end_time: offsetTimeSchema,
    contract_id: nullableId,
    task_id: nullableId,
    activity_description: { type: ['string', 'null'], maxLength: 1000 },
  },
} as const;

const deleteTimeEntryData = {
  type: 'object',
  required: ['id', 'deleted'],
  properties: { id: { type: 'string' }, deleted: { const: true } },
  additionalProperties: false,
} as const;

export const timeEntryHistoryData = {
  type: 'array',
  items: {
    type: 'object',
    required: ['version', 'action', 'at', 'by', 'changes'],
    properties: {
      version: { type: 'integer', minimum: 1 },
      action: { enum: ['created', 'updated', 'deleted'] },
      at: timestampSchema,
      by: { type: ['integer', 'null'], description: 'Who made the change; null when the service did (a tracker stopped by its limit).' },
      changes: {
        type: 'object',
        description: '`{ field: [old, new] }` for every field the version changed (old is null for `created`; empty for `deleted`).',
        additionalProperties: { type: 'array', minItems: 2, maxItems: 2, items: { type: ['string', 'integer', 'null'] } },
      },
    },
    additionalProperties: false,
  },
} as const;

/** A time entry's history: its workspace, and a page of it. */
const historyQuery = { type: 'object', required: ['workspace_id'], properties: { workspace_id: idSchema, ...cursorFields } } as const;

/** Time entries: the list and summary of a range of days, an entry by hand, its corrections and history. (The route table is assembled in ../routes.ts; docs/architecture.md says what each field drives.) */
export const timeEntryRoutes = {
  listTimeEntries: {
    method: 'GET',
    path: '/time-entries',
    functionName: 'list-time-entries',
    scope: 'read',
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    summary: 'Time entries that started on the days from..to (or date) in a time zone, newest first',
    successOutcome: 'entries_listed',
    input: { query: timeEntriesQuery },
    response: { description: 'One page of entries.', data: timeEntriesData, meta: paginationMeta },
    example: { after: 'stopTimeTracking', input: { workspace_id: 1, user_id: 101, date: '2024-01-15', page: 1, per_page: 20 }, today: ['date'] },
  },
  timeEntrySummary: {
    method: 'GET',
    path: '/time-entries/summary',
    functionName: 'time-entry-summary',
    scope: 'read',
    idempotent: false,
    // The member's timeline slots hold every entry's interval: no Query.
    dynamodbActions: ['dynamodb:BatchGetItem'],
    summary: 'Tracked time per day of a range (at most 31 days) in a time zone, zeros included',
    successOutcome: 'entries_summarized',
    input: { query: timeEntrySummaryQuery },
    response: { description: 'One row per day of the range, and the total.', data: timeEntrySummaryData },
    example: { after: 'createTimeEntry', input: { workspace_id: 1, user_id: 101, from: '2024-01-15', to: '2024-01-21', tz: 'Europe/Berlin' } },
  },
  createTimeEntry: {
    method: 'POST',
    path: '/time-entries',
    functionName: 'create-time-entry',
    scope: 'write',
    idempotent: true,
    // TransactWriteItems: the entry's copies and first version (PutItem), its timeline spans (UpdateItem), the rest of what the overlap rule read (ConditionCheckItem).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    summary: 'Add a time entry by hand (start and end, at most 24 h, overlapping nothing)',
    successOutcome: 'entry_created',
    input: { body: createTimeEntryBody },
    response: { status: 201, description: 'The entry, with its ETag and Location.', data: timeEntrySchema, headers: ['etag', 'location'] },
    errors: { '400': 'Not a JSON object.', '409': 'The entry would overlap another entry or the running tracker of the user (`time_entry_overlap`), or it starts on a locked day (`period_locked`).' },
    example: {
      input: { workspace_id: 1, user_id: 101, start_time: '2024-01-15T09:00:00+01:00', end_time: '2024-01-15T12:30:00+01:00', contract_id: 20, task_id: 5, activity_description: 'Landing page copy' },
    },
  },
  getTimeEntry: {
    method: 'GET',
    path: '/time-entries/{id}',
    functionName: 'get-time-entry',
    scope: 'read',
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem'],
    summary: 'One time entry, by id',
    successOutcome: 'entry_read',
    input: { path: timeEntryPath, query: workspaceQuery },
    response: { description: 'The entry, with its ETag.', data: timeEntrySchema, headers: ['etag'] },
    example: { after: 'createTimeEntry', input: { id: '9b2f6c1e-4d3a-4f7b-8a52-1c0e5d7f3a90', workspace_id: 1 }, fromAfter: { id: 'data.id' } },
  },
  updateTimeEntry: {
    method: 'PATCH',
    path: '/time-entries/{id}',
    functionName: 'update-time-entry',
    scope: 'write',
    idempotent: false,
    // TransactWriteItems: the copies (PutItem; DeleteItem when the start moves), the version (PutItem), spans (UpdateItem), what the overlap rule read (ConditionCheckItem).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    summary: 'Correct a time entry (its history keeps what it was); If-Match makes it conditional',
    successOutcome: 'entry_updated',
    input: { path: timeEntryPath, query: workspaceQuery, headers: ifMatchHeaders, body: updateTimeEntryBody },
    response: { description: 'The entry as it is now, with its ETag (unchanged when nothing changed).', data: timeEntrySchema, headers: ['etag'] },
    errors: {
      '400': 'Not a JSON object.',
      '409': 'The entry would overlap another entry or the running tracker of the user (`time_entry_overlap`), or it starts (or would start) on a locked day (`period_locked`).',
      '412': 'If-Match names a version that is no longer current: nothing changed.',
    },
    example: {
      after: 'createTimeEntry',
      input: { id: '9b2f6c1e-4d3a-4f7b-8a52-1c0e5d7f3a90', workspace_id: 1, end_time: '2024-01-15T13:00:00+01:00', activity_description: 'Landing page copy and review' },
      fromAfter: { id: 'data.id' },
    },
  },
  deleteTimeEntry: {
    method: 'DELETE',
    path: '/time-entries/{id}',
    functionName: 'delete-time-entry',
    scope: 'write',
    idempotent: false,
    // TransactWriteItems: both copies (DeleteItem), the version (PutItem), the spans (UpdateItem).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    summary: 'Delete a time entry (its history stays readable); If-Match makes it conditional',
    successOutcome: 'entry_deleted',
    input: { path: timeEntryPath, query: workspaceQuery, headers: ifMatchHeaders },
    response: { description: 'The entry was deleted.', data: deleteTimeEntryData },
    errors: { '409': 'The entry starts on a locked day (`period_locked`): nothing changed.', '412': 'If-Match names a version that is no longer current: nothing changed.' },
    conflictCode: 'period_locked',
    example: { after: 'createTimeEntry', input: { id: '9b2f6c1e-4d3a-4f7b-8a52-1c0e5d7f3a90', workspace_id: 1 }, fromAfter: { id: 'data.id' } },
  },
  timeEntryHistory: {
    method: 'GET',
    path: '/time-entries/{id}/history',
    functionName: 'time-entry-history',
    scope: 'read',
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    summary: "A time entry's versions, newest first (readable after a delete)",
    successOutcome: 'entry_history_read',
    input: { path: timeEntryPath, query: historyQuery },
    response: { description: 'One page of its versions (50 unless said), newest first: what changed, when, by whom.', data: timeEntryHistoryData, meta: cursorMeta },
    example: { after: 'updateTimeEntry', input: { id: '9b2f6c1e-4d3a-4f7b-8a52-1c0e5d7f3a90', workspace_id: 1 }, fromAfter: { id: 'data.id' } },
  },
} as const satisfies Record<string, RouteDefinition>;
