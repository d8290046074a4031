/**
 * JSON Schemas of every request input: the one source of truth for validation. They are
 * compiled to standalone validators at build time (`npm run build:validators`, checked by a
 * test) so that no schema is compiled at cold start, and the OpenAPI document reuses them.
 *
 * Cross-field rules are written as `allOf: [{ if, then }]`: the validation messages read the
 * triggering field from `if.required[0]`.
 */

/** Ids are positive integers that survive a JSON round trip exactly (1..2^53-1). */
export const MAX_ID = Number.MAX_SAFE_INTEGER;

const id = { type: 'integer', minimum: 1, maximum: MAX_ID } as const;
const nullableId = { type: ['integer', 'null'], minimum: 1, maximum: MAX_ID } as const;

export const startTimeTrackingBodySchema = {
  $id: 'StartTimeTrackingRequest',
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

/** One member of one workspace: what stop and current-data act on. */
const memberSelector = {
  type: 'object',
  required: ['workspace_id', 'user_id'],
  properties: { workspace_id: id, user_id: id },
} as const;

export const stopTimeTrackingBodySchema = { $id: 'StopTimeTrackingRequest', ...memberSelector } as const;

/** Query parameters arrive as strings; their validators coerce numeric strings. */
export const currentTrackerQuerySchema = { $id: 'CurrentTrackerQuery', ...memberSelector } as const;

export const timeEntriesQuerySchema = {
  $id: 'TimeEntriesQuery',
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

export const bodySchemas = {
  startTimeTracking: startTimeTrackingBodySchema,
  stopTimeTracking: stopTimeTrackingBodySchema,
} as const;

export const querySchemas = {
  currentTracker: currentTrackerQuerySchema,
  timeEntries: timeEntriesQuerySchema,
} as const;
