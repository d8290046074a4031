import type { RouteDefinition } from '../route-definition.ts';
import { TIMESHEET_PERIODS } from '../../tracking/model.ts';
import { calendarDate, nullableInteger, roundingSchema, timeZoneField, timestampSchema, weekStartSchema, workspacePath } from '../schemas.ts';

/** A calendar day, or null. */
const nullableDate = { anyOf: [calendarDate, { type: 'null' }] } as const;

const updateWorkspaceSettingsBody = {
  type: 'object',
  properties: {
    max_tracker_duration_minutes: { type: ['integer', 'null'], minimum: 1, maximum: 1440, description: 'Trackers started from now on stop themselves after this many minutes; null: no limit.' },
    time_zone: { ...timeZoneField, description: 'The IANA zone of date queries that give no `tz`.' },
    rounding: { ...roundingSchema, description: 'How reports round each entry’s duration (a report may override it); null: exact seconds.' },
    week_start: { ...weekStartSchema, description: 'The first day of a week in the reports and of a weekly timesheet.' },
    timesheet_period: { enum: TIMESHEET_PERIODS, description: 'How long a timesheet is: a week (from `week_start`) or a calendar month.' },
    lock_before: {
      ...nullableDate,
      description: 'Entries starting before this day (in the workspace’s zone) can be neither created, edited nor deleted (409 `period_locked`); not after today; null: none.',
    },
    auto_lock_after_days: { type: ['integer', 'null'], minimum: 1, maximum: 366, description: 'Days older than this many days are locked the same way, rolling with the clock; null: none.' },
  },
} as const;

const workspaceSettingsData = {
  type: 'object',
  required: ['workspace_id', 'max_tracker_duration_minutes', 'time_zone', 'rounding', 'week_start', 'timesheet_period', 'lock_before', 'auto_lock_after_days', 'updated_at', 'updated_by'],
  properties: {
    workspace_id: { type: 'integer' },
    max_tracker_duration_minutes: { type: ['integer', 'null'], minimum: 1, maximum: 1440 },
    time_zone: { type: 'string' },
    rounding: roundingSchema,
    week_start: weekStartSchema,
    timesheet_period: { enum: TIMESHEET_PERIODS },
    lock_before: nullableDate,
    auto_lock_after_days: { type: ['integer', 'null'], minimum: 1, maximum: 366 },
    updated_at: { anyOf: [timestampSchema, { type: 'null' }] },
    updated_by: nullableInteger,
  },
  additionalProperties: false,
} as const;

/** A workspace's settings: the longest a tracker runs, the time zone of its dates. (The route table is assembled in ../routes.ts; docs/architecture.md says what each field drives.) */
export const workspaceSettingsRoutes = {
  getWorkspaceSettings: {
    method: 'GET',
    path: '/workspaces/{workspace_id}/settings',
    functionName: 'get-workspace-settings',
    scope: 'read',
    idempotent: false,
    // Check 5 and the settings, in one batch read.
    dynamodbActions: ['dynamodb:BatchGetItem'],
    summary: "A workspace's settings: the limit on a tracker's duration, the time zone of date queries, the reports' rounding and first day of the week",
    successOutcome: 'settings_read',
    input: { path: workspacePath },
    response: { description: 'The settings (the defaults, no limit, UTC, no rounding and weeks from Monday, until changed).', data: workspaceSettingsData },
    example: { input: { workspace_id: 1 } },
  },
  updateWorkspaceSettings: {
    method: 'PATCH',
    path: '/workspaces/{workspace_id}/settings',
    functionName: 'update-workspace-settings',
    scope: 'write',
    idempotent: false,
    // Read, then PutItem conditioned on the version read (a concurrent change is not lost).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:PutItem'],
    summary: "Change a workspace's settings (the fields given); a new limit binds trackers started from then on",
    successOutcome: 'settings_updated',
    input: { path: workspacePath, body: updateWorkspaceSettingsBody },
    response: { description: 'The settings as they are now.', data: workspaceSettingsData },
    errors: { '400': 'Not a JSON object.' },
    example: { input: { workspace_id: 1, max_tracker_duration_minutes: 600, time_zone: 'Europe/Berlin' } },
  },
} as const satisfies Record<string, RouteDefinition>;
