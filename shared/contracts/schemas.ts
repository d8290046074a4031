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
      then: { required: ['contract_id'], properties: { contract_id: { type: 'integer' } } },
    },
  ],
} as const;

export const startTimeTrackingData = {
  type: 'object',
  required: ['message', 'start_time', 'workspace_id', 'user_id', 'contract_id', 'project_id', 'task_id', 'activity_description'],
  properties: { message: { type: 'string' }, ...trackerFields },
  additionalProperties: false,
} as const;

// POST /time-tracking/stop

export const stopTimeTrackingBody = memberSelector;

export const stopTimeTrackingData = {
  type: 'object',
  required: ['message', 'stopped_at', 'start_time', 'duration_seconds', 'time_entry_id', 'user_id', 'contract_id', 'project_id', 'task_id', 'activity_description'],
  properties: {
    message: { type: 'string' },
    ...workFields,
    stopped_at: timestampSchema,
    duration_seconds: seconds,
    time_entry_id: { type: 'string' },
  },
  additionalProperties: false,
} as const;

// GET /time-tracking/current-data (query strings carry strings: numeric ones are coerced)

export const currentTrackerQuery = memberSelector;

export const currentTrackerData = {
  type: 'object',
  required: ['is_tracking', 'workspace_id', 'user_id'],
  properties: { is_tracking: { type: 'boolean' }, ...trackerFields, total_seconds: seconds },
  additionalProperties: false,
} as const;

// GET /time-entries

export const timeEntriesQuery = {
  type: 'object',
  required: ['workspace_id', 'user_id', 'date'],
  properties: {
    workspace_id: id,
    user_id: id,
    date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    page: { type: 'integer', minimum: 1, maximum: 100000 },
    per_page: { type: 'integer', minimum: 1, maximum: 50 },
  },
} as const;

export const timeEntriesData = {
  type: 'array',
  items: {
    type: 'object',
    required: ['id', 'user_id', 'contract_id', 'project_id', 'task_id', 'activity_description', 'start_time', 'end_time', 'duration_seconds'],
    properties: { id: { type: 'string' }, ...workFields, end_time: timestampSchema, duration_seconds: seconds },
    additionalProperties: false,
  },
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

export { id as idSchema, nullableString as nullableStringSchema };
