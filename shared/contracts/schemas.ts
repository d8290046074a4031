/**
 * The JSON Schemas of every route: its input by location (path, query, body, headers) and
 * the `data` of its success response, side by side. They are the one source of truth of the contract:
 * - the request validators are compiled from them at build time (`npm run build:contracts`,
 *   checked by `npm test`), so that no schema is compiled at cold start;
 * - the TypeScript types of inputs and response data are derived from them
 *   (json-schema-to-ts, see ./route-types.ts);
 * - the OpenAPI document is generated from them and the route table (./openapi.ts).
 *
 * Cross-field rules are written as `allOf: [{ if, then }]`: the validation messages read the
 * triggering field from `if.required[0]`. See docs/contract.md.
 */

/** Ids are positive integers that survive a JSON round trip exactly (1..2^53-1). */
export const MAX_ID = Number.MAX_SAFE_INTEGER;

const id = { type: 'integer', minimum: 1, maximum: MAX_ID } as const;
const nullableId = { type: ['integer', 'null'], minimum: 1, maximum: MAX_ID } as const;
const nullableInteger = { type: ['integer', 'null'] } as const;
const nullableString = { type: ['string', 'null'] } as const;
const seconds = { type: 'integer', minimum: 0 } as const;
const count = { type: 'integer', minimum: 0 } as const;

/** The contract's timestamp: ISO 8601, second precision, explicit +00:00 offset. */
export const timestampSchema = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\+00:00$',
  examples: ['2024-01-15T10:30:00+00:00'],
} as const;

/** One member of one workspace: what stop and current-data act on. */
const memberSelector = {
  type: 'object',
  required: ['workspace_id', 'user_id'],
  properties: { workspace_id: id, user_id: id },
} as const;

/** What every tracker and time entry shows of the work tracked. */
const workFields = {
  start_time: timestampSchema,
  user_id: { type: 'integer' },
  contract_id: nullableInteger,
  project_id: nullableInteger,
  task_id: nullableInteger,
  activity_description: nullableString,
} as const;

/** What a running tracker shows (start and current-data). */
const trackerFields = { ...workFields, workspace_id: { type: 'integer' } } as const;

// POST /time-tracking/start

export const startTimeTrackingBody = {
  type: 'object',
  required: ['workspace_id', 'user_id'],
  properties: {
    workspace_id: id,
    user_id: id,
    contract_id: nullableId,
    task_id: nullableId,
    activity_description: { type: ['string', 'null'], maxLength: 1000 },
  },
  allOf: [
    {
      if: { required: ['task_id'], properties: { task_id: { type: 'integer' } } },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a thenable.
      then: { required: ['contract_id'], properties: { contract_id: { type: 'integer' } } },
    },
  ],
} as const;

/** When a running tracker stops itself (its start plus the workspace's limit when it started); null without a limit. */
const autoStopAt = { anyOf: [timestampSchema, { type: 'null' }] } as const;

export const startTimeTrackingData = {
  type: 'object',
  required: ['message', 'start_time', 'workspace_id', 'user_id', 'contract_id', 'project_id', 'task_id', 'activity_description', 'auto_stop_at'],
  properties: { message: { type: 'string' }, ...trackerFields, auto_stop_at: autoStopAt },
  additionalProperties: false,
} as const;

/** Why a tracker's entry ended: `manual` (stopped by `stopped_by`), `max_duration` (its workspace's limit: stopped by nobody). */
const stopReason = { enum: ['manual', 'max_duration'] } as const;

// POST /time-tracking/stop

export const stopTimeTrackingBody = memberSelector;

export const stopTimeTrackingData = {
  type: 'object',
  required: ['message', 'stopped_at', 'start_time', 'duration_seconds', 'time_entry_id', 'user_id', 'contract_id', 'project_id', 'task_id', 'activity_description', 'stop_reason', 'stopped_by'],
  properties: {
    message: { type: 'string' },
    ...workFields,
    stopped_at: timestampSchema,
    duration_seconds: seconds,
    time_entry_id: { type: 'string' },
    stop_reason: stopReason,
    stopped_by: nullableInteger,
  },
  additionalProperties: false,
} as const;

// GET /time-tracking/current-data (query strings carry strings: numeric ones are coerced)

/** An IANA time zone (`Europe/Berlin`); which ones exist is checked by the use case (422 on `tz`). */
const timeZoneField = { type: 'string', minLength: 1, maxLength: 64, examples: ['Europe/Berlin'] } as const;
const calendarDate = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;

export const currentTrackerQuery = { ...memberSelector, properties: { ...memberSelector.properties, tz: timeZoneField } } as const;

export const currentTrackerData = {
  type: 'object',
  required: ['is_tracking', 'workspace_id', 'user_id', 'date', 'total_minutes'],
  properties: {
    is_tracking: { type: 'boolean' },
    ...trackerFields,
    task_title: nullableString,
    total_seconds: seconds,
    auto_stop_at: autoStopAt,
    /** Today in `tz`. */
    date: calendarDate,
    /** Today's entries plus the running tracker, in whole minutes. */
    total_minutes: count,
  },
  additionalProperties: false,
} as const;

// Time entries

/** An entry's id (a UUID for entries recorded here). */
export const timeEntryId = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', examples: ['9b2f6c1e-4d3a-4f7b-8a52-1c0e5d7f3a90'] } as const;

/** A time as a client sends it: ISO 8601, second precision, with an offset (`Z` or ±hh:mm); stored and answered in UTC. */
const offsetTime = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(Z|[+-]\\d{2}:\\d{2})$', examples: ['2024-01-15T09:00:00+01:00'] } as const;

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
    source: { enum: ['tracker', 'manual'] },
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

const dateRangeFields = { date: calendarDate, from: calendarDate, to: calendarDate, tz: timeZoneField } as const;

export const timeEntriesQuery = {
  type: 'object',
  required: ['workspace_id', 'user_id'],
  properties: { workspace_id: id, user_id: id, ...dateRangeFields, page: { type: 'integer', minimum: 1, maximum: 100000 }, per_page: { type: 'integer', minimum: 1, maximum: 50 } },
} as const;

export const timeEntriesData = { type: 'array', items: timeEntrySchema } as const;

export const timeEntrySummaryQuery = { type: 'object', required: ['workspace_id', 'user_id'], properties: { workspace_id: id, user_id: id, ...dateRangeFields } } as const;

export const timeEntrySummaryData = {
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

export const createTimeEntryBody = {
  type: 'object',
  required: ['workspace_id', 'user_id', 'start_time', 'end_time'],
  properties: {
    workspace_id: id,
    user_id: id,
    start_time: offsetTime,
    end_time: offsetTime,
    contract_id: nullableId,
    task_id: nullableId,
    activity_description: { type: ['string', 'null'], maxLength: 1000 },
  },
  allOf: startTimeTrackingBody.allOf,
} as const;

export const timeEntryPath = { type: 'object', required: ['id'], properties: { id: timeEntryId } } as const;

/** `If-Match: "<version>"` (the ETag of a single-entry answer), or `*`. */
export const ifMatchHeaders = { type: 'object', properties: { 'if-match': { type: 'string', maxLength: 32, pattern: '^(\\*|"[0-9]{1,15}")$', examples: ['"1"'] } } } as const;

export const updateTimeEntryBody = {
  type: 'object',
  properties: {
    start_time: offsetTime,
    end_time: offsetTime,
    contract_id: nullableId,
    task_id: nullableId,
    activity_description: { type: ['string', 'null'], maxLength: 1000 },
  },
} as const;

export const deleteTimeEntryData = {
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

// GET /time-tracking/active

export const activeTrackersQuery = {
  type: 'object',
  required: ['workspace_id'],
  properties: { workspace_id: id, page: { type: 'integer', minimum: 1, maximum: 100000 }, per_page: { type: 'integer', minimum: 1, maximum: 50 } },
} as const;

export const activeTrackersData = {
  type: 'array',
  items: {
    type: 'object',
    required: ['is_tracking', 'start_time', 'workspace_id', 'user_id', 'contract_id', 'project_id', 'task_id', 'activity_description', 'task_title', 'total_seconds', 'auto_stop_at'],
    properties: { is_tracking: { const: true }, ...trackerFields, task_title: nullableString, total_seconds: seconds, auto_stop_at: autoStopAt },
    additionalProperties: false,
  },
} as const;

// GET and PATCH /workspaces/{workspace_id}/settings

export const workspacePath = { type: 'object', required: ['workspace_id'], properties: { workspace_id: id } } as const;

export const updateWorkspaceSettingsBody = {
  type: 'object',
  properties: {
    max_tracker_duration_minutes: { type: ['integer', 'null'], minimum: 1, maximum: 1440, description: 'Trackers started from now on stop themselves after this many minutes; null: no limit.' },
    time_zone: { ...timeZoneField, description: 'The IANA zone of date queries that give no `tz`.' },
  },
} as const;

export const workspaceSettingsData = {
  type: 'object',
  required: ['workspace_id', 'max_tracker_duration_minutes', 'time_zone', 'updated_at', 'updated_by'],
  properties: {
    workspace_id: { type: 'integer' },
    max_tracker_duration_minutes: { type: ['integer', 'null'], minimum: 1, maximum: 1440 },
    time_zone: { type: 'string' },
    updated_at: { anyOf: [timestampSchema, { type: 'null' }] },
    updated_by: nullableInteger,
  },
  additionalProperties: false,
} as const;

/** `meta.pagination` of paginated lists. */
export const paginationMeta = {
  type: 'object',
  required: ['pagination'],
  properties: {
    pagination: {
      type: 'object',
      required: ['total', 'per_page', 'current_page', 'last_page'],
      properties: {
        total: count,
        per_page: { type: 'integer', minimum: 1 },
        current_page: { type: 'integer', minimum: 1 },
        last_page: { type: 'integer', minimum: 1 },
      },
      additionalProperties: false,
    },
  },
} as const;

/** The workspace a request by id acts in (`?workspace_id=`). */
export const workspaceQuery = { type: 'object', required: ['workspace_id'], properties: { workspace_id: id } } as const;

/** `?page=&per_page=` of paginated lists. */
export const pageFields = { page: { type: 'integer', minimum: 1, maximum: 100000 }, per_page: { type: 'integer', minimum: 1, maximum: 50 } } as const;

/** `?cursor=&per_page=` of the lists that page by cursor: a page costs what it holds, whatever lies before it. */
export const cursorFields = {
  cursor: {
    type: 'string',
    minLength: 1,
    maxLength: 1024,
    description: 'Where the page starts: the `meta.pagination.next_cursor` of the page before (opaque; another → 422). Absent: the first page.',
  },
  per_page: { type: 'integer', minimum: 1, maximum: 50 },
} as const;

/** `meta.pagination` of the lists that page by cursor. */
export const cursorMeta = {
  type: 'object',
  required: ['pagination'],
  properties: {
    pagination: {
      type: 'object',
      required: ['per_page', 'next_cursor', 'has_more'],
      properties: {
        per_page: { type: 'integer', minimum: 1 },
        next_cursor: { anyOf: [{ type: 'string', examples: ['WyJjMSIsIk1FTUJFUiMxMDEiXQ'] }, { type: 'null' }], description: 'The next page: send it as `cursor`; null on the last page.' },
        has_more: { type: 'boolean' },
      },
      additionalProperties: false,
    },
  },
} as const;

/** A time entry's history: its workspace, and a page of it. */
export const historyQuery = { type: 'object', required: ['workspace_id'], properties: { workspace_id: id, ...cursorFields } } as const;

/** A query of cursor paging alone (the directory's lists). */
export const cursorQuery = { type: 'object', properties: { ...cursorFields } } as const;

/** A query of paging alone (the caller's API keys). */
export const pageQuery = { type: 'object', properties: { ...pageFields } } as const;

export { id as idSchema, nullableString as nullableStringSchema, offsetTime as offsetTimeSchema };
