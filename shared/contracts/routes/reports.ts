import type { RouteDefinition } from '../route-definition.ts';
import { calendarDate, count, cursorFields, cursorMeta, idSchema, moneySchema, nullableMoneySchema, paginationMeta, roundingSchema, seconds, timeZoneField } from '../schemas.ts';
import { ROUNDING_MINUTES, ROUNDING_MODES } from '../../tracking/rounding.ts';
import { SUMMARY_DIMENSIONS } from '../../tracking/model.ts';
import { APPROVAL_FILTERS } from '../../tracking/timesheet-periods.ts';
import { timeEntrySchema } from './time-entries.ts';

/** Comma-separated ids; `none` where a report can select entries without one. */
const idList = (description: string) => ({ type: 'string', maxLength: 2000, pattern: '^[0-9]+(,[0-9]+)*$', description }) as const;
const idOrNoneList = (description: string) => ({ type: 'string', maxLength: 2000, pattern: '^([0-9]+|none)(,([0-9]+|none))*$', description }) as const;

/** What every report may filter by, and how it rounds (both rounding fields, or neither: the workspace's). */
export const filterFields = {
  tz: { ...timeZoneField, description: 'The IANA zone whose days the range and the entries’ days are counted in; default the workspace’s.' },
  user_ids: idList('Only these members’ entries.'),
  project_ids: idOrNoneList('Only entries of these projects (`none`: entries without a project).'),
  contract_ids: idList('Only entries of these contracts.'),
  task_ids: idOrNoneList('Only entries of these tasks (`none`: entries without a task).'),
  billable: { enum: ['true', 'false'], description: 'Only billable (or only non-billable) entries.' },
  rounding_minutes: { type: 'integer', enum: ROUNDING_MINUTES, description: 'Overrides the workspace’s rounding, with `rounding_mode`.' },
  rounding_mode: { enum: ROUNDING_MODES, description: 'Overrides the workspace’s rounding, with `rounding_minutes`.' },
  approval: {
    enum: APPROVAL_FILTERS,
    description: 'Only entries whose timesheet (the period each falls in, by the workspace’s settings) is `approved`, `pending` (submitted) or `open` (open or rejected): docs/timesheets.md.',
  },
} as const;

export const rangeFields = {
  from: { ...calendarDate, description: 'The first day (inclusive); at most 366 days to `to`.' },
  to: { ...calendarDate, description: 'The last day (inclusive).' },
} as const;

const amounts = { type: 'array', items: moneySchema, description: 'Per currency, sorted by currency; empty when nothing is billable. Each is the sum of its entries’ amounts.' } as const;

const figureProperties = { seconds, billable_seconds: seconds, entries: count, amounts } as const;
const figureNames = ['seconds', 'billable_seconds', 'entries', 'amounts'] as const;
const figures = { type: 'object', required: figureNames, properties: figureProperties, additionalProperties: false } as const;

const groupKey = {
  type: 'object',
  description: 'The group’s value of its dimension: `user_id`, `project_id` (null: none), `contract_id` (null: none), `task_id` (null: none), `date`, `week` (its first day) or `month` (YYYY-MM).',
  additionalProperties: { type: ['string', 'integer', 'null'] },
} as const;

/** A group of the summary, nested as deep as `group_by` has dimensions (3 at most). */
const leafGroup = { type: 'object', required: ['key', ...figureNames], properties: { key: groupKey, ...figureProperties }, additionalProperties: false } as const;
const middleGroup = {
  type: 'object',
  required: ['key', ...figureNames],
  properties: { key: groupKey, ...figureProperties, groups: { type: 'array', items: leafGroup } },
  additionalProperties: false,
} as const;
const topGroup = {
  type: 'object',
  required: ['key', ...figureNames],
  properties: { key: groupKey, ...figureProperties, groups: { type: 'array', items: middleGroup } },
  additionalProperties: false,
} as const;

const reportHead = {
  from: calendarDate,
  to: calendarDate,
  time_zone: { type: 'string' },
  rounding: { ...roundingSchema, description: 'The rounding applied to each entry’s duration (null: exact seconds).' },
} as const;

const summaryQuery = {
  type: 'object',
  required: ['workspace_id', 'from', 'to', 'group_by'],
  properties: {
    workspace_id: idSchema,
    ...rangeFields,
    group_by: { type: 'string', maxLength: 100, description: `1 to 3 of ${SUMMARY_DIMENSIONS.join(', ')}, comma-separated, each at most once.`, examples: ['user,project'] },
    ...filterFields,
    page: { type: 'integer', minimum: 1, maximum: 100000 },
    per_page: { type: 'integer', minimum: 1, maximum: 100 },
  },
} as const;

const summaryData = {
  type: 'object',
  required: ['from', 'to', 'time_zone', 'rounding', 'totals', 'groups'],
  properties: { ...reportHead, totals: figures, groups: { type: 'array', items: topGroup } },
  additionalProperties: false,
} as const;

const reportEntry = {
  ...timeEntrySchema,
  required: [...timeEntrySchema.required, 'rounded_seconds', 'billable', 'hourly_rate', 'amount'],
  properties: {
    ...timeEntrySchema.properties,
    rounded_seconds: seconds,
    billable: { type: 'boolean' },
    hourly_rate: { ...nullableMoneySchema, description: 'The rate in force on the day it starts (its contract’s; null: none).' },
    amount: { ...nullableMoneySchema, description: 'Rounded seconds × rate, rounded half up to a minor unit; null when not billable or without a rate.' },
  },
} as const;

const detailedQuery = {
  type: 'object',
  required: ['workspace_id', 'from', 'to'],
  properties: { workspace_id: idSchema, ...rangeFields, ...filterFields, cursor: cursorFields.cursor, per_page: { type: 'integer', minimum: 1, maximum: 200 } },
} as const;

const detailedData = {
  type: 'object',
  required: ['from', 'to', 'time_zone', 'rounding', 'entries', 'totals'],
  properties: { ...reportHead, entries: { type: 'array', items: reportEntry }, totals: { ...figures, description: 'The whole range’s, on every page.' } },
  additionalProperties: false,
} as const;

const sevenSeconds = { type: 'array', items: seconds, minItems: 7, maxItems: 7 } as const;

const weeklyQuery = {
  type: 'object',
  required: ['workspace_id', 'week'],
  properties: {
    workspace_id: idSchema,
    week: { ...calendarDate, description: 'The first day of the week (weeks start on the workspace’s `week_start`).' },
    group_by: { enum: ['user', 'project'], description: 'One row per member (default) or per project.' },
    ...filterFields,
  },
} as const;

const weeklyData = {
  type: 'object',
  required: ['week', 'days', 'time_zone', 'rounding', 'rows', 'totals'],
  properties: {
    week: calendarDate,
    days: { type: 'array', items: calendarDate, minItems: 7, maxItems: 7 },
    time_zone: { type: 'string' },
    rounding: roundingSchema,
    rows: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'seconds', 'total_seconds', 'amounts'],
        properties: { key: groupKey, seconds: sevenSeconds, total_seconds: seconds, amounts },
        additionalProperties: false,
      },
    },
    totals: { type: 'object', required: ['seconds', 'total_seconds', 'amounts'], properties: { seconds: sevenSeconds, total_seconds: seconds, amounts }, additionalProperties: false },
  },
  additionalProperties: false,
} as const;

const trackedHoursQuery = {
  type: 'object',
  required: ['workspace_id', 'start_date', 'end_date'],
  properties: {
    workspace_id: idSchema,
    start_date: { ...calendarDate, description: 'The first day (inclusive); at most 366 days to `end_date`.' },
    end_date: { ...calendarDate, description: 'The last day (inclusive).' },
    ...filterFields,
  },
} as const;

const trackedHoursData = {
  type: 'array',
  items: {
    type: 'object',
    required: ['date', 'users'],
    properties: {
      date: calendarDate,
      users: {
        type: 'array',
        items: {
          type: 'object',
          required: ['user_id', 'total_minutes', 'total_seconds', 'amounts', 'projects'],
          properties: {
            user_id: { type: 'integer' },
            total_minutes: { ...count, description: 'Whole minutes of total_seconds (rounded down).' },
            total_seconds: seconds,
            amounts,
            projects: {
              type: 'array',
              items: {
                type: 'object',
                required: ['project_id', 'contract_id', 'total_seconds', 'amounts'],
                properties: { project_id: { type: ['integer', 'null'] }, contract_id: { type: ['integer', 'null'] }, total_seconds: seconds, amounts },
                additionalProperties: false,
              },
            },
          },
          additionalProperties: false,
        },
      },
    },
    additionalProperties: false,
  },
} as const;

/** What a report answers besides the common statuses. */
const REPORT_ERRORS = { '422': 'A parameter is wrong (messages per field), or the CSV would pass 6 MB (`report_too_large`: ask for a shorter range).' } as const;

/** Owners' and executive managers' reports of a whole workspace: every figure per entry, then summed (docs/reports.md). (The route table is assembled in ../routes.ts.) */
export const reportRoutes = {
  summaryReport: {
    method: 'GET',
    path: '/reports/summary',
    functionName: 'summary-report',
    scope: 'read',
    idempotent: false,
    // Check 5 and the settings (BatchGetItem), the contracts and one report month per UTC month of the range (Query).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    summary: "A workspace's tracked time and amounts grouped by up to 3 of user, project, contract, task, day, week, month (JSON, or CSV with Accept: text/csv)",
    successOutcome: 'report_summarized',
    input: { query: summaryQuery },
    response: {
      description: 'The totals of the whole range and one page of the first level of groups.',
      data: summaryData,
      meta: paginationMeta,
      csv: 'One row per leaf group: its keys, seconds, hours (2 decimals), billable seconds and hours, entries, then one row per currency of its amounts.',
    },
    errors: REPORT_ERRORS,
    example: { after: 'createTimeEntry', input: { workspace_id: 1, from: '2024-01-01', to: '2024-01-31', group_by: 'user,project', tz: 'Europe/Berlin' } },
  },
  detailedReport: {
    method: 'GET',
    path: '/reports/detailed',
    functionName: 'detailed-report',
    scope: 'read',
    idempotent: false,
    // As the summary, then the page's entries by id (BatchGetItem).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    summary: "A workspace's entries of a range with their rounded duration, rate and amount, oldest first, and the range's totals (JSON, or CSV with Accept: text/csv)",
    successOutcome: 'report_detailed',
    input: { query: detailedQuery },
    response: { description: 'One page of entries and the totals of the whole range.', data: detailedData, meta: cursorMeta, csv: 'One row per entry of the whole range (the CSV is not paged).' },
    errors: REPORT_ERRORS,
    example: { after: 'createTimeEntry', input: { workspace_id: 1, from: '2024-01-01', to: '2024-01-31', tz: 'Europe/Berlin' } },
  },
  weeklyReport: {
    method: 'GET',
    path: '/reports/weekly',
    functionName: 'weekly-report',
    scope: 'read',
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    summary: "A workspace's week: seconds per day and amounts per member or project (JSON, or CSV with Accept: text/csv)",
    successOutcome: 'report_weekly',
    input: { query: weeklyQuery },
    response: {
      description: 'One row per member (or project) with time in the week, and the totals.',
      data: weeklyData,
      csv: 'One row per row of the report: its key, the seven days’ seconds, the total seconds and hours, then one row per currency.',
    },
    errors: REPORT_ERRORS,
    example: { after: 'createTimeEntry', input: { workspace_id: 1, week: '2024-01-15', tz: 'Europe/Berlin' } },
  },
  trackedHoursReport: {
    method: 'GET',
    path: '/reports/tracked-hours',
    functionName: 'tracked-hours-report',
    scope: 'read',
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    summary: "WebWork's tracked-hours report: per day with time, per member and per project and contract (JSON, or CSV with Accept: text/csv)",
    successOutcome: 'report_tracked_hours',
    input: { query: trackedHoursQuery },
    response: { description: 'Days with time, ascending.', data: trackedHoursData, csv: 'One row per day, member, project and contract.' },
    errors: REPORT_ERRORS,
    example: { after: 'createTimeEntry', input: { workspace_id: 1, start_date: '2024-01-01', end_date: '2024-01-31', tz: 'Europe/Berlin' } },
  },
} as const satisfies Record<string, RouteDefinition>;
