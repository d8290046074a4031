import type { RouteDefinition } from '../route-definition.ts';
import {
  calendarDate,
  count,
  idSchema,
  nullableId,
  nullableInteger,
  nullableStringSchema,
  paginationMeta,
  seconds,
  stopReason,
  taskNeedsContract,
  timeZoneField,
  timestampSchema,
  trackerFields,
  workFields,
} from '../schemas.ts';

/** One member of one workspace: what stop and current-data act on. */
const memberSelector = {
  type: 'object',
  required: ['workspace_id', 'user_id'],
  properties: { workspace_id: idSchema, user_id: idSchema },
} as const;

// POST /time-tracking/start
const startTimeTrackingBody = {
  type: 'object',
  required: ['workspace_id', 'user_id'],
  properties: {
    workspace_id: idSchema,
    user_id: idSchema,
    contract_id: nullableId,
    task_id: nullableId,
    activity_description: { type: ['string', 'null'], maxLength: 1000 },
  },
  allOf: taskNeedsContract,
} as const;

/** When a running tracker stops itself (its start plus the workspace's limit when it started); null without a limit. */
const autoStopAt = { anyOf: [timestampSchema, { type: 'null' }] } as const;

export const startTimeTrackingData = {
  type: 'object',
  required: ['message', 'start_time', 'workspace_id', 'user_id', 'contract_id', 'project_id', 'task_id', 'activity_description', 'auto_stop_at'],
  properties: { message: { type: 'string' }, ...trackerFields, auto_stop_at: autoStopAt },
  additionalProperties: false,
} as const;

// POST /time-tracking/stop
const stopTimeTrackingBody = memberSelector;

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

/** The stop's answer: the entry, and whether it lies in a closed day (a stop is never refused: its time is recorded all the same). */
const stopTimeTrackingAnswer = {
  ...stopTimeTrackingData,
  required: [...stopTimeTrackingData.required, 'locked'],
  properties: {
    ...stopTimeTrackingData.properties,
    locked: {
      type: 'boolean',
      description: 'The entry starts on a day the workspace has locked (lock_before, auto_lock_after_days): recorded all the same, and from then on it can be neither edited nor deleted.',
    },
  },
} as const;

const currentTrackerQuery = { ...memberSelector, properties: { ...memberSelector.properties, tz: timeZoneField } } as const;

const currentTrackerData = {
  type: 'object',
  required: ['is_tracking', 'workspace_id', 'user_id', 'date', 'total_minutes'],
  properties: {
    is_tracking: { type: 'boolean' },
    ...trackerFields,
    task_title: nullableStringSchema,
    total_seconds: seconds,
    auto_stop_at: autoStopAt,
    /** Today in `tz`. */
    date: calendarDate,
    /** Today's entries plus the running tracker, in whole minutes. */
    total_minutes: count,
  },
  additionalProperties: false,
} as const;

// GET /time-tracking/active
const activeTrackersQuery = {
  type: 'object',
  required: ['workspace_id'],
  properties: { workspace_id: idSchema, page: { type: 'integer', minimum: 1, maximum: 100000 }, per_page: { type: 'integer', minimum: 1, maximum: 50 } },
} as const;

const activeTrackersData = {
  type: 'array',
  items: {
    type: 'object',
    required: ['is_tracking', 'start_time', 'workspace_id', 'user_id', 'contract_id', 'project_id', 'task_id', 'activity_description', 'task_title', 'total_seconds', 'auto_stop_at'],
    properties: { is_tracking: { const: true }, ...trackerFields, task_title: nullableStringSchema, total_seconds: seconds, auto_stop_at: autoStopAt },
    additionalProperties: false,
  },
} as const;

/** Tracking: clock a member in and out, what runs now, who is clocked in. (The route table is assembled in ../routes.ts; docs/architecture.md says what each field drives.) */
export const trackingRoutes = {
  startTimeTracking: {
    method: 'POST',
    path: '/time-tracking/start',
    functionName: 'start-time-tracking',
    scope: 'write',
    idempotent: true,
    // TransactWriteItems: the tracker (PutItem), if the member's timeline around now is unchanged (ConditionCheckItem) and no timesheet locks today (UpdateItem of its timesheet month).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    summary: 'Clock a workspace member in',
    successOutcome: 'started',
    input: { body: startTimeTrackingBody },
    response: { description: 'Time tracking started.', message: 'Time tracking started successfully', data: startTimeTrackingData },
    errors: { '400': 'Not a JSON object, or the user already has an active tracker.', '409': 'A time entry of the user in this workspace ends after now.' },
    example: { input: { workspace_id: 1, user_id: 101, contract_id: 20, task_id: 5, activity_description: 'Landing page' } },
  },
  stopTimeTracking: {
    method: 'POST',
    path: '/time-tracking/stop',
    functionName: 'stop-time-tracking',
    scope: 'write',
    // Anyone may stop their own tracker, wherever it runs: nobody is stuck behind a tracker they did not start.
    selfService: 'user_id',
    idempotent: true,
    // TransactWriteItems is authorized per item action: DeleteItem (tracker), PutItem (the entry's copies and history), UpdateItem (its timeline spans).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    summary: 'Clock a member out: the active tracker becomes a time entry',
    successOutcome: 'stopped',
    input: { body: stopTimeTrackingBody },
    response: { description: 'Time tracking stopped.', message: 'Time tracking stopped successfully', data: stopTimeTrackingAnswer },
    errors: { '400': 'Not a JSON object, or no active tracker in this workspace.' },
    example: { after: 'startTimeTracking', input: { workspace_id: 1, user_id: 101 } },
  },
  currentTracker: {
    method: 'GET',
    path: '/time-tracking/current-data',
    functionName: 'current-tracker',
    scope: 'read',
    // Anyone may see their own tracker in a workspace.
    selfService: 'user_id',
    idempotent: false,
    // The tracker and today's timeline slots, in one batch read.
    dynamodbActions: ['dynamodb:BatchGetItem'],
    summary: "A member's running tracker in the workspace, and today's tracked time",
    successOutcome: 'current_read',
    input: { query: currentTrackerQuery },
    response: { description: 'Whether the member is tracking, and the tracker.', data: currentTrackerData },
    example: { after: 'startTimeTracking', input: { workspace_id: 1, user_id: 101 } },
  },
  activeTrackers: {
    method: 'GET',
    path: '/time-tracking/active',
    functionName: 'active-trackers',
    scope: 'read',
    idempotent: false,
    // Check 5 in the batch read; the trackers' marks in the workspace in one Query beside it.
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    summary: 'Who is clocked in: every tracker running in the workspace, longest running first',
    successOutcome: 'active_listed',
    input: { query: activeTrackersQuery },
    response: { description: 'One page of running trackers.', data: activeTrackersData, meta: paginationMeta },
    example: { after: 'startTimeTracking', input: { workspace_id: 1 } },
  },
} as const satisfies Record<string, RouteDefinition>;
