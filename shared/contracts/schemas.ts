/**
 * The building blocks of the routes' JSON Schemas: ids, timestamps, paging, the fields
 * several resources share. Each route's own schemas (its input by location and the `data`
 * of its success response) sit beside it in ./routes/<resource>.ts. Together they are the one
 * source of truth of the contract:
 * - the request validators are compiled from them at build time (`npm run build:contracts`,
 *   checked by `npm test`), so that no schema is compiled at cold start;
 * - the TypeScript types of inputs and response data are derived from them
 *   (json-schema-to-ts, see ./route-types.ts);
 * - the OpenAPI document is generated from them and the route table (./openapi.ts).
 *
 * Cross-field rules are written as `allOf: [{ if, then }]`: the validation messages read the
 * triggering field from `if.required[0]`. See docs/contract.md.
 */

import { WEEK_STARTS } from '../tracking/model.ts';
import { MAX_RATE_AMOUNT } from '../tracking/money.ts';
import { ROUNDING_MINUTES, ROUNDING_MODES } from '../tracking/rounding.ts';

/** Ids are positive integers that survive a JSON round trip exactly (1..2^53-1). */
export const MAX_ID = Number.MAX_SAFE_INTEGER;

const id = { type: 'integer', minimum: 1, maximum: MAX_ID } as const;

export const nullableId = { type: ['integer', 'null'], minimum: 1, maximum: MAX_ID } as const;

export const nullableInteger = { type: ['integer', 'null'] } as const;

const nullableString = { type: ['string', 'null'] } as const;

export const seconds = { type: 'integer', minimum: 0 } as const;

export const count = { type: 'integer', minimum: 0 } as const;

/** The contract's timestamp: ISO 8601, second precision, explicit +00:00 offset. */
export const timestampSchema = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\+00:00$',
  examples: ['2024-01-15T10:30:00+00:00'],
} as const;

/** What every tracker and time entry shows of the work tracked. */
export const workFields = {
  start_time: timestampSchema,
  user_id: { type: 'integer' },
  contract_id: nullableInteger,
  project_id: nullableInteger,
  task_id: nullableInteger,
  activity_description: nullableString,
} as const;

/** What a running tracker shows (start and current-data). */
export const trackerFields = { ...workFields, workspace_id: { type: 'integer' } } as const;

/** A task is tracked under a contract: a body that names a task names its contract too (a start, an entry added by hand). */
export const taskNeedsContract = [
  {
    if: { required: ['task_id'], properties: { task_id: { type: 'integer' } } },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a thenable.
    then: { required: ['contract_id'], properties: { contract_id: { type: 'integer' } } },
  },
] as const;

/** Why a tracker's entry ended: `manual` (stopped by `stopped_by`), `max_duration` (its workspace's limit: stopped by nobody). */
export const stopReason = { enum: ['manual', 'max_duration'] } as const;

// GET /time-tracking/current-data (query strings carry strings: numeric ones are coerced)

/** An IANA time zone (`Europe/Berlin`); which ones exist is checked by the use case (422 on `tz`). */
export const timeZoneField = { type: 'string', minLength: 1, maxLength: 64, examples: ['Europe/Berlin'] } as const;

export const calendarDate = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;

/** A time as a client sends it: ISO 8601, second precision, with an offset (`Z` or ±hh:mm); stored and answered in UTC. */
const offsetTime = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(Z|[+-]\\d{2}:\\d{2})$', examples: ['2024-01-15T09:00:00+01:00'] } as const;

export const dateRangeFields = { date: calendarDate, from: calendarDate, to: calendarDate, tz: timeZoneField } as const;

/** `If-Match: "<version>"` (the ETag of a single-entry answer), or `*`. */
export const ifMatchHeaders = { type: 'object', properties: { 'if-match': { type: 'string', maxLength: 32, pattern: '^(\\*|"[0-9]{1,15}")$', examples: ['"1"'] } } } as const;

/** A workspace's (or a report's) rounding of each entry's duration; null: exact seconds. */
export const roundingSchema = {
  anyOf: [
    {
      type: 'object',
      required: ['minutes', 'mode'],
      properties: { minutes: { enum: ROUNDING_MINUTES }, mode: { enum: ROUNDING_MODES } },
      additionalProperties: false,
    },
    { type: 'null' },
  ],
} as const;

/** An amount in a currency's minor units (ISO 4217 exponent), as Stripe keeps them. */
export const moneySchema = {
  type: 'object',
  required: ['amount', 'currency'],
  properties: { amount: { type: 'integer', minimum: 0, maximum: MAX_RATE_AMOUNT }, currency: { type: 'string', pattern: '^[A-Z]{3}$', examples: ['EUR'] } },
  additionalProperties: false,
} as const;

export const nullableMoneySchema = { anyOf: [moneySchema, { type: 'null' }] } as const;

export const weekStartSchema = { enum: WEEK_STARTS } as const;

// GET and PATCH /workspaces/{workspace_id}/settings
export const workspacePath = { type: 'object', required: ['workspace_id'], properties: { workspace_id: id } } as const;

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

export { id as idSchema, nullableString as nullableStringSchema, offsetTime as offsetTimeSchema };

export const listOf = <S extends object>(item: S) => ({ type: 'array', items: item }) as const;
