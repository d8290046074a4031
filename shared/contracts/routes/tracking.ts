import {
  activeTrackersData,
  activeTrackersQuery,
  currentTrackerData,
  currentTrackerQuery,
  paginationMeta,
  startTimeTrackingData,
  startTimeTrackingBody,
  stopTimeTrackingData,
  stopTimeTrackingBody,
} from '../schemas.ts';
import type { RouteDefinition } from '../route-definition.ts';

/** Tracking: clock a member in and out, what runs now, who is clocked in. (The route table is assembled in ../routes.ts; docs/architecture.md says what each field drives.) */
export const trackingRoutes = {
  startTimeTracking: {
    method: 'POST',
    path: '/time-tracking/start',
    functionName: 'start-time-tracking',
    scope: 'write',
    idempotent: true,
    // TransactWriteItems: the tracker (PutItem), if the member's timeline around now is unchanged (ConditionCheckItem).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:PutItem'],
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
    response: { description: 'Time tracking stopped.', message: 'Time tracking stopped successfully', data: stopTimeTrackingData },
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
