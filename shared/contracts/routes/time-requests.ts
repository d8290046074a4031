import type { RouteDefinition } from '../route-definition.ts';
import { calendarDate, idSchema, nullableId, nullableInteger, offsetTimeSchema, seconds, taskNeedsContract, timestampSchema } from '../schemas.ts';
import { TIME_REQUEST_STATUSES } from '../../tracking/model.ts';

/** A time request's id: its requester, then its own part, `<user_id>_<uuid>`. */
const timeRequestId = { type: 'string', maxLength: 60, pattern: '^[1-9][0-9]{0,15}_[0-9a-f-]{36}$', examples: ['101_0b7c1f9e-5d2a-4c3b-9e8f-1a2b3c4d5e6f'] } as const;

const requestPath = { type: 'object', required: ['id'], properties: { id: timeRequestId } } as const;
const workspaceQuery = { type: 'object', required: ['workspace_id'], properties: { workspace_id: idSchema } } as const;

const createBody = {
  type: 'object',
  required: ['workspace_id', 'user_id', 'start_time', 'end_time'],
  properties: {
    workspace_id: idSchema,
    user_id: { ...idSchema, description: 'The requester: the caller themself.' },
    start_time: offsetTimeSchema,
    end_time: offsetTimeSchema,
    contract_id: nullableId,
    task_id: { ...nullableId, description: 'Only with a contract: a task of its project.' },
    note: { type: ['string', 'null'], maxLength: 1000, description: 'The entry’s description once approved.' },
  },
  allOf: taskNeedsContract,
} as const;

/** A time request as every time request route answers it. */
export const timeRequestSchema = {
  type: 'object',
  required: [
    'id',
    'workspace_id',
    'user_id',
    'start_time',
    'end_time',
    'duration_seconds',
    'contract_id',
    'project_id',
    'task_id',
    'note',
    'status',
    'created_at',
    'decided_at',
    'decided_by',
    'comment',
    'time_entry_id',
  ],
  properties: {
    id: timeRequestId,
    workspace_id: { type: 'integer' },
    user_id: { type: 'integer' },
    start_time: timestampSchema,
    end_time: timestampSchema,
    duration_seconds: seconds,
    contract_id: nullableInteger,
    project_id: nullableInteger,
    task_id: nullableInteger,
    note: { type: ['string', 'null'] },
    status: { enum: TIME_REQUEST_STATUSES },
    created_at: timestampSchema,
    decided_at: { anyOf: [timestampSchema, { type: 'null' }] },
    decided_by: nullableInteger,
    comment: { type: ['string', 'null'], description: 'Why it was rejected.' },
    time_entry_id: { type: ['string', 'null'], description: 'The entry its approval made.' },
  },
  additionalProperties: false,
} as const;

const listQuery = {
  type: 'object',
  required: ['workspace_id', 'from', 'to'],
  properties: {
    workspace_id: idSchema,
    from: { ...calendarDate, description: 'Requests starting on this UTC day or later; at most 366 days to `to`.' },
    to: calendarDate,
    status: { enum: TIME_REQUEST_STATUSES },
    user_id: { ...idSchema, description: 'Only this member’s (a member lists their own with their own id).' },
  },
} as const;

const DECISION_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem'] as const;
const invalid = { '409': 'The request is no longer pending (`invalid_transition`, naming its status).' } as const;

/** Time requests: manual time a member asks for, approved into an entry or rejected (docs/time-requests.md). (The route table is assembled in ../routes.ts.) */
export const timeRequestRoutes = {
  createTimeRequest: {
    method: 'POST',
    path: '/time-requests',
    functionName: 'create-time-request',
    scope: 'write',
    selfService: 'user_id',
    selfOnly: true,
    idempotent: false,
    // Check 5 with the work and the settings (BatchGetItem); the day's timesheet lock (GetItem); both copies (TransactWriteItems: PutItem).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
    summary: 'Ask for manual time, for yourself: pending until an owner or executive manager approves it',
    successOutcome: 'time_request_created',
    input: { body: createBody },
    response: { status: 201, description: 'The request, pending.', data: timeRequestSchema },
    errors: { '400': 'Not a JSON object.', '409': 'It starts on a day the lock dates close (`period_locked`) or a submitted or approved timesheet locks (`timesheet_locked`).' },
    conflictCode: 'period_locked',
    example: { input: { workspace_id: 1, user_id: 100, start_time: '2024-01-16T09:00:00+01:00', end_time: '2024-01-16T10:00:00+01:00', note: 'Client call from home' } },
  },
  listTimeRequests: {
    method: 'GET',
    path: '/time-requests',
    functionName: 'list-time-requests',
    scope: 'read',
    selfService: 'user_id',
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    summary: "A workspace's time requests of a range (owners, executive managers; a member their own with `user_id`), oldest first",
    successOutcome: 'time_requests_listed',
    input: { query: listQuery },
    response: { description: 'The requests starting in the range.', data: { type: 'array', items: timeRequestSchema } },
    example: { after: 'createTimeRequest', input: { workspace_id: 1, from: '2024-01-15', to: '2024-01-21' } },
  },
  approveTimeRequest: {
    method: 'POST',
    path: '/time-requests/{id}/approve',
    functionName: 'approve-time-request',
    scope: 'write',
    idempotent: false,
    // As an entry create (BatchGetItem, TransactWriteItems), with the request's copies (PutItem) in the same transaction.
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    summary: 'Approve a pending time request (owners, executive managers): its entry is made, once',
    successOutcome: 'time_request_approved',
    input: { path: requestPath, query: workspaceQuery },
    response: { description: 'The request, approved, with the id of the entry made.', data: timeRequestSchema },
    errors: {
      '409':
        'Not pending any more (`invalid_transition`), or its time overlaps the member’s time as it is now (`time_entry_overlap`; it stays pending), or a locked day (`period_locked`, `timesheet_locked`).',
    },
    conflictCode: 'invalid_transition',
    example: { after: 'createTimeRequest', input: { id: '100_0b7c1f9e-5d2a-4c3b-9e8f-1a2b3c4d5e6f', workspace_id: 1 }, fromAfter: { id: 'data.id' } },
  },
  rejectTimeRequest: {
    method: 'POST',
    path: '/time-requests/{id}/reject',
    functionName: 'reject-time-request',
    scope: 'write',
    idempotent: false,
    dynamodbActions: DECISION_ACTIONS,
    summary: 'Reject a pending time request with a comment (owners, executive managers)',
    successOutcome: 'time_request_rejected',
    input: { path: requestPath, query: workspaceQuery, body: { type: 'object', required: ['comment'], properties: { comment: { type: 'string', minLength: 1, maxLength: 1000 } } } },
    response: { description: 'The request, rejected.', data: timeRequestSchema },
    errors: { '400': 'Not a JSON object.', ...invalid },
    conflictCode: 'invalid_transition',
    example: { after: 'createTimeRequest', input: { id: '100_0b7c1f9e-5d2a-4c3b-9e8f-1a2b3c4d5e6f', workspace_id: 1, comment: 'That day was a holiday.' }, fromAfter: { id: 'data.id' } },
  },
  cancelTimeRequest: {
    method: 'DELETE',
    path: '/time-requests/{id}',
    functionName: 'cancel-time-request',
    scope: 'write',
    selfService: 'id',
    selfOnly: true,
    idempotent: false,
    dynamodbActions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
    summary: 'Cancel your own pending time request',
    successOutcome: 'time_request_cancelled',
    input: { path: requestPath, query: workspaceQuery },
    response: { description: 'The request, cancelled.', data: timeRequestSchema },
    errors: invalid,
    conflictCode: 'invalid_transition',
    example: { after: 'createTimeRequest', input: { id: '100_0b7c1f9e-5d2a-4c3b-9e8f-1a2b3c4d5e6f', workspace_id: 1 }, fromAfter: { id: 'data.id' } },
  },
} as const satisfies Record<string, RouteDefinition>;
