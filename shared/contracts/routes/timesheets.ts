import type { RouteDefinition } from '../route-definition.ts';
import { calendarDate, idSchema, ifMatchHeaders, moneySchema, nullableInteger, paginationMeta, seconds, timestampSchema } from '../schemas.ts';
import { TIMESHEET_STATUSES } from '../../tracking/timesheets.ts';
import { timeEntrySchema } from './time-entries.ts';

/** A timesheet's id: its member and period, `<user_id>_<first day>_<last day>`. */
const timesheetId = { type: 'string', maxLength: 40, pattern: '^[1-9][0-9]{0,15}_[0-9]{4}-[0-9]{2}-[0-9]{2}_[0-9]{4}-[0-9]{2}-[0-9]{2}$', examples: ['101_2024-01-15_2024-01-21'] } as const;

const timesheetPath = { type: 'object', required: ['id'], properties: { id: timesheetId } } as const;
const workspaceQuery = { type: 'object', required: ['workspace_id'], properties: { workspace_id: idSchema } } as const;
const reasonBody = { type: 'object', required: ['reason'], properties: { reason: { type: 'string', minLength: 1, maxLength: 1000 } } } as const;

/** A timesheet as every timesheet route answers it. */
export const timesheetSchema = {
  type: 'object',
  required: [
    'id',
    'workspace_id',
    'user_id',
    'period_start',
    'period_end',
    'status',
    'version',
    'total_seconds',
    'billable_seconds',
    'amounts',
    'days',
    'submitted_at',
    'submitted_by',
    'decided_at',
    'decided_by',
    'reason',
  ],
  properties: {
    id: timesheetId,
    workspace_id: { type: 'integer' },
    user_id: { type: 'integer' },
    period_start: calendarDate,
    period_end: calendarDate,
    status: { enum: TIMESHEET_STATUSES },
    version: { type: 'integer', minimum: 0, description: 'Changes with every change of its status or of an entry in its period: its ETag, what If-Match names.' },
    total_seconds: { ...seconds, description: 'Its entries’ rounded seconds (as the reports count them); the approved figures once approved.' },
    billable_seconds: seconds,
    amounts: { type: 'array', items: moneySchema, description: 'Per currency, as the reports price them.' },
    days: { type: 'array', items: { type: 'object', required: ['date', 'seconds'], properties: { date: calendarDate, seconds }, additionalProperties: false } },
    submitted_at: { anyOf: [timestampSchema, { type: 'null' }] },
    submitted_by: nullableInteger,
    decided_at: { anyOf: [timestampSchema, { type: 'null' }], description: 'When it was last approved, rejected or reopened.' },
    decided_by: nullableInteger,
    reason: { type: ['string', 'null'], description: 'Why it was last rejected or reopened.' },
  },
  additionalProperties: false,
} as const;

const timesheetWithEntries = {
  ...timesheetSchema,
  required: [...timesheetSchema.required, 'entries'],
  properties: { ...timesheetSchema.properties, entries: { type: 'array', items: timeEntrySchema, description: 'The entries starting in its period, oldest first.' } },
} as const;

const listQuery = {
  type: 'object',
  required: ['workspace_id', 'from', 'to'],
  properties: {
    workspace_id: idSchema,
    from: { ...calendarDate, description: 'Periods overlapping from this day (inclusive); at most 366 days to `to`.' },
    to: calendarDate,
    user_id: { ...idSchema, description: 'Only this member’s (a member may list their own).' },
    status: { enum: TIMESHEET_STATUSES },
    page: { type: 'integer', minimum: 1, maximum: 100000 },
    per_page: { type: 'integer', minimum: 1, maximum: 100 },
  },
} as const;

/** The writes of a transition: the timesheet months (UpdateItem), the member's tracker (ConditionCheckItem), its audit (PutItem); reads: the months, memberships, settings, tracker, report months (BatchGetItem), the contracts (Query). */
const TRANSITION_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'] as const;
const transitionErrors = (extra: Record<string, string> = {}) => ({
  '409': 'The timesheet is not in a status this transition starts from (`invalid_transition`), or the member’s tracker that started in its period runs (`tracker_running`).',
  ...extra,
});
const SELF = 'A member may do it for their own timesheet.';

/** Timesheets: a member's period, submitted, approved or rejected, that locks its entries while submitted or approved (docs/timesheets.md). (The route table is assembled in ../routes.ts.) */
export const timesheetRoutes = {
  listTimesheets: {
    method: 'GET',
    path: '/timesheets',
    functionName: 'list-timesheets',
    scope: 'read',
    selfService: 'user_id',
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    summary: "A workspace's timesheets of a range: one per active member who tracks time and period, open ones included",
    successOutcome: 'timesheets_listed',
    input: { query: listQuery },
    response: { description: 'One page of timesheets, by member then period.', data: { type: 'array', items: timesheetSchema }, meta: paginationMeta },
    example: { input: { workspace_id: 1, from: '2024-01-15', to: '2024-01-28' } },
  },
  getTimesheet: {
    method: 'GET',
    path: '/timesheets/{id}',
    functionName: 'get-timesheet',
    scope: 'read',
    selfService: 'id',
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    summary: `One timesheet with its entries. ${SELF}`,
    successOutcome: 'timesheet_read',
    input: { path: timesheetPath, query: workspaceQuery },
    response: { description: 'The timesheet, its entries, and its version as ETag.', data: timesheetWithEntries, headers: ['etag'] },
    example: { input: { id: '101_2024-01-15_2024-01-21', workspace_id: 1 } },
  },
  submitTimesheet: {
    method: 'POST',
    path: '/timesheets/{id}/submit',
    functionName: 'submit-timesheet',
    scope: 'write',
    selfService: 'id',
    idempotent: false,
    dynamodbActions: TRANSITION_ACTIONS,
    summary: `Submit a timesheet (open or rejected → submitted): its entries are locked. ${SELF}`,
    successOutcome: 'timesheet_submitted',
    input: { path: timesheetPath, query: workspaceQuery },
    response: { description: 'The timesheet, submitted.', data: timesheetSchema, headers: ['etag'] },
    errors: transitionErrors(),
    conflictCode: 'invalid_transition',
    example: { input: { id: '101_2024-01-15_2024-01-21', workspace_id: 1 } },
  },
  unsubmitTimesheet: {
    method: 'POST',
    path: '/timesheets/{id}/unsubmit',
    functionName: 'unsubmit-timesheet',
    scope: 'write',
    selfService: 'id',
    idempotent: false,
    dynamodbActions: TRANSITION_ACTIONS,
    summary: `Take a submitted timesheet back (→ open): its entries can be changed again. ${SELF}`,
    successOutcome: 'timesheet_unsubmitted',
    input: { path: timesheetPath, query: workspaceQuery },
    response: { description: 'The timesheet, open.', data: timesheetSchema, headers: ['etag'] },
    errors: transitionErrors(),
    conflictCode: 'invalid_transition',
    example: { after: 'submitTimesheet', input: { id: '101_2024-01-15_2024-01-21', workspace_id: 1 } },
  },
  approveTimesheet: {
    method: 'POST',
    path: '/timesheets/{id}/approve',
    functionName: 'approve-timesheet',
    scope: 'write',
    idempotent: false,
    dynamodbActions: TRANSITION_ACTIONS,
    summary: 'Approve a submitted timesheet (owners, executive managers): its figures are stored and its entries stay locked; If-Match approves exactly the version seen',
    successOutcome: 'timesheet_approved',
    input: { path: timesheetPath, query: workspaceQuery, headers: ifMatchHeaders },
    response: { description: 'The timesheet, approved, with the figures approved.', data: timesheetSchema, headers: ['etag'] },
    errors: transitionErrors({ '412': 'If-Match names a version that is no longer current: nothing changed.' }),
    conflictCode: 'invalid_transition',
    example: { after: 'submitTimesheet', input: { id: '101_2024-01-15_2024-01-21', workspace_id: 1 } },
  },
  rejectTimesheet: {
    method: 'POST',
    path: '/timesheets/{id}/reject',
    functionName: 'reject-timesheet',
    scope: 'write',
    idempotent: false,
    dynamodbActions: TRANSITION_ACTIONS,
    summary: 'Reject a submitted timesheet with a reason (owners, executive managers): its entries can be corrected',
    successOutcome: 'timesheet_rejected',
    input: { path: timesheetPath, query: workspaceQuery, body: reasonBody },
    response: { description: 'The timesheet, rejected.', data: timesheetSchema, headers: ['etag'] },
    errors: transitionErrors({ '400': 'Not a JSON object.' }),
    conflictCode: 'invalid_transition',
    example: { after: 'submitTimesheet', input: { id: '101_2024-01-15_2024-01-21', workspace_id: 1, reason: 'Tuesday is missing.' } },
  },
  reopenTimesheet: {
    method: 'POST',
    path: '/timesheets/{id}/reopen',
    functionName: 'reopen-timesheet',
    scope: 'write',
    idempotent: false,
    dynamodbActions: TRANSITION_ACTIONS,
    summary: 'Reopen an approved timesheet with a reason (owners): its entries can be changed again',
    successOutcome: 'timesheet_reopened',
    input: { path: timesheetPath, query: workspaceQuery, body: reasonBody },
    response: { description: 'The timesheet, open.', data: timesheetSchema, headers: ['etag'] },
    errors: transitionErrors({ '400': 'Not a JSON object.' }),
    conflictCode: 'invalid_transition',
    example: { after: 'approveTimesheet', input: { id: '101_2024-01-15_2024-01-21', workspace_id: 1, reason: 'A correction for payroll.' } },
  },
} as const satisfies Record<string, RouteDefinition>;
