import type { RouteDefinition } from '../route-definition.ts';
import { ROLES } from '../../tracking/model.ts';
import { calendarDate, cursorFields, cursorMeta, idSchema, nullableMoneySchema, ifMatchHeaders, listOf, nullableStringSchema, timestampSchema } from '../schemas.ts';

/** A query of cursor paging alone (the directory's lists). */
const cursorQuery = { type: 'object', properties: { ...cursorFields } } as const;

const name = { type: 'string', minLength: 1, maxLength: 200 } as const;

const nullableText = { type: ['string', 'null'], maxLength: 200 } as const;

const nullableInteger = { type: ['integer', 'null'] } as const;

/** What every PUT may add: the source system's version of the record (it never goes back). */
const sourceVersion = {
  type: 'integer',
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  description: 'The source system’s version of the record: a lower one than stored is refused (409 `stale_version`).',
} as const;

/** What every answer shows of a write: the source's version, when and by whom. */
const writeFields = {
  version: { ...nullableInteger, description: 'The source system’s version of the last write that gave one.' },
  updated_at: { anyOf: [timestampSchema, { type: 'null' }] },
  updated_by: nullableInteger,
} as const;

const writeRequired = ['version', 'updated_at', 'updated_by'] as const;

const record = <P extends Record<string, object>, R extends readonly string[]>(properties: P, required: R) =>
  ({ type: 'object', required: [...required, ...writeRequired], properties: { ...properties, ...writeFields }, additionalProperties: false }) as const;

const workspaceOnly = { type: 'object', required: ['workspace_id'], properties: { workspace_id: idSchema } } as const;

const inWorkspace = <N extends string>(idName: N) =>
  ({ type: 'object', required: ['workspace_id', idName], properties: { workspace_id: idSchema, [idName]: idSchema } as { workspace_id: typeof idSchema } & Record<N, typeof idSchema> }) as const;

// PUT /workspaces/{workspace_id}
const workspacePutPath = workspaceOnly;

const putWorkspaceBody = {
  type: 'object',
  required: ['name'],
  properties: { name, owner_user_id: { ...idSchema, description: 'Its first owner: required to create a workspace.' }, version: sourceVersion },
} as const;

const workspaceData = record({ workspace_id: { type: 'integer' }, name: { type: 'string' } }, ['workspace_id', 'name']);

// Members
const memberPath = inWorkspace('user_id');

const putMemberBody = {
  type: 'object',
  required: ['role', 'status'],
  properties: {
    role: { enum: ROLES },
    status: { enum: ['active', 'inactive'] },
    name: nullableText,
    email: { type: ['string', 'null'], maxLength: 320, pattern: '^[^\\s@]+@[^\\s@]+$' },
    version: sourceVersion,
  },
} as const;

const memberData = record(
  { workspace_id: { type: 'integer' }, user_id: { type: 'integer' }, role: { enum: ROLES }, status: { enum: ['active', 'inactive'] }, name: nullableStringSchema, email: nullableStringSchema },
  ['workspace_id', 'user_id', 'role', 'status', 'name', 'email'],
);

const deleteMemberData = {
  type: 'object',
  required: ['workspace_id', 'user_id', 'deleted'],
  properties: { workspace_id: { type: 'integer' }, user_id: { type: 'integer' }, deleted: { const: true } },
  additionalProperties: false,
} as const;

// Projects
const projectPath = inWorkspace('project_id');

const putProjectBody = { type: 'object', required: ['name', 'status'], properties: { name, status: { enum: ['active', 'archived'] }, version: sourceVersion } } as const;

const projectData = record({ workspace_id: { type: 'integer' }, project_id: { type: 'integer' }, name: { type: 'string' }, status: { enum: ['active', 'archived'] } }, [
  'workspace_id',
  'project_id',
  'name',
  'status',
]);

// Contracts
const contractPath = inWorkspace('contract_id');

const putContractBody = {
  type: 'object',
  required: ['user_id', 'project_id', 'status'],
  properties: {
    user_id: idSchema,
    project_id: idSchema,
    status: { enum: ['active', 'paused'] },
    hourly_rate: { ...nullableMoneySchema, description: 'The hourly rate in the currency’s minor units (ISO 4217: 4500 EUR is 45.00 €); null or absent: none.' },
    billable: { type: 'boolean', description: 'Whether its time is billable: true by default when a rate is set, else false.' },
    rate_effective_from: {
      ...calendarDate,
      description: 'The first day (in the workspace’s zone) the new rate prices: today by default; not before the latest rate’s start (the past is not rewritten). Ignored when the rate is unchanged.',
    },
    version: sourceVersion,
  },
} as const;

const contractData = record(
  {
    workspace_id: { type: 'integer' },
    contract_id: { type: 'integer' },
    user_id: { type: 'integer' },
    project_id: { type: 'integer' },
    status: { enum: ['active', 'paused'] },
    hourly_rate: { ...nullableMoneySchema, description: 'The rate in force today (UTC).' },
    billable: { type: 'boolean' },
    rate_history: {
      type: 'array',
      description: 'Every rate and the day it started, oldest first: an entry is priced at the one in force on the day it starts.',
      items: { type: 'object', required: ['from', 'hourly_rate'], properties: { from: calendarDate, hourly_rate: nullableMoneySchema }, additionalProperties: false },
    },
  } as const,
  ['workspace_id', 'contract_id', 'user_id', 'project_id', 'status', 'hourly_rate', 'billable', 'rate_history'] as const,
);

// Tasks
const taskPath = inWorkspace('task_id');

const putTaskBody = {
  type: 'object',
  required: ['project_id', 'title', 'status'],
  properties: { project_id: idSchema, title: name, status: { enum: ['open', 'closed'] }, version: sourceVersion },
} as const;

const taskData = record({ workspace_id: { type: 'integer' }, task_id: { type: 'integer' }, project_id: { type: 'integer' }, title: nullableStringSchema, status: { enum: ['open', 'closed'] } }, [
  'workspace_id',
  'task_id',
  'project_id',
  'title',
  'status',
]);

/** `GET /workspaces/{workspace_id}/<kind>`: a page of them, by id. */
const directoryListPath = workspaceOnly;

/** What a directory PUT answers besides the common statuses. */
const DIRECTORY_PUT_ERRORS = {
  '400': 'Not a JSON object.',
  '409': 'The version is older than the stored one (or the same with other content): nothing changed.',
  '412': 'If-Match names a revision that is no longer current: nothing changed.',
} as const;

/** The directory: workspaces, members, projects, contracts and tasks, kept by a sync job (`directory` credential) and the workspace's owners. (The route table is assembled in ../routes.ts; docs/architecture.md says what each field drives.) */
export const directoryRoutes = {
  putWorkspace: {
    method: 'PUT',
    path: '/workspaces/{workspace_id}',
    functionName: 'put-workspace',
    scope: 'directory',
    idempotent: false,
    // The workspace (and a new one's first owner) with its audit entry: PutItem in one transaction, with a new workspace's owners set (UpdateItem).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    summary: "Create or rename a workspace (a platform credential's only: the organisation's sync job)",
    successOutcome: 'workspace_put',
    input: { path: workspacePutPath, headers: ifMatchHeaders, body: putWorkspaceBody },
    response: { description: 'The workspace as stored, with its ETag.', data: workspaceData, headers: ['etag'] },
    errors: DIRECTORY_PUT_ERRORS,
    conflictCode: 'stale_version',
    example: { input: { workspace_id: 1, name: 'Acme', version: 1 }, scopes: 'directory' },
  },
  putMember: {
    method: 'PUT',
    path: '/workspaces/{workspace_id}/members/{user_id}',
    functionName: 'put-member',
    scope: ['write', 'directory'],
    idempotent: false,
    // The workspace's owners set (GetItem; Query of the members until it is backfilled) beside the batch read; the member and its audit entry (PutItem), the owners set when its role or status changes (UpdateItem), another owner kept (ConditionCheckItem).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    summary: "Replace a member's role, status, name and email (a new member: by the directory credential, or by accepting an invitation)",
    successOutcome: 'member_put',
    input: { path: memberPath, headers: ifMatchHeaders, body: putMemberBody },
    response: { description: 'The member as stored, with its ETag.', data: memberData, headers: ['etag'] },
    errors: DIRECTORY_PUT_ERRORS,
    conflictCode: 'stale_version',
    example: { input: { workspace_id: 1, user_id: 101, role: 'regular_user', status: 'active', name: 'Katherine Johnson', email: 'katherine@example.com' } },
  },
  listMembers: {
    method: 'GET',
    path: '/workspaces/{workspace_id}/members',
    functionName: 'list-members',
    scope: ['read', 'directory'],
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    summary: "A workspace's members, by user id",
    successOutcome: 'members_listed',
    input: { path: directoryListPath, query: cursorQuery },
    response: { description: 'One page of members, in the order of their keys (ids as text: 1, 10, 2), by cursor.', meta: cursorMeta, data: listOf(memberData) },
    example: { input: { workspace_id: 1 } },
  },
  deleteMember: {
    method: 'DELETE',
    path: '/workspaces/{workspace_id}/members/{user_id}',
    functionName: 'delete-member',
    scope: ['write', 'directory'],
    idempotent: false,
    // The owners set (GetItem; Query of the members until it is backfilled) beside the batch read; the member (DeleteItem) and its audit entry (PutItem), an owner out of the owners set (UpdateItem), another owner kept (ConditionCheckItem).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    summary: 'Remove a member from a workspace (a running tracker of theirs stays stoppable)',
    successOutcome: 'member_deleted',
    input: { path: memberPath, headers: ifMatchHeaders },
    response: { description: 'The member was removed.', data: deleteMemberData },
    errors: { '412': 'If-Match names a revision that is no longer current: nothing changed.' },
    example: { input: { workspace_id: 1, user_id: 103 } },
  },
  putProject: {
    method: 'PUT',
    path: '/workspaces/{workspace_id}/projects/{project_id}',
    functionName: 'put-project',
    scope: ['write', 'directory'],
    idempotent: false,
    // The project and its audit entry (PutItem); the workspace's archived set when its status changes (UpdateItem).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    summary: 'Create or replace a project (an archived one takes no more time)',
    successOutcome: 'project_put',
    input: { path: projectPath, headers: ifMatchHeaders, body: putProjectBody },
    response: { description: 'The project as stored, with its ETag.', data: projectData, headers: ['etag'] },
    errors: DIRECTORY_PUT_ERRORS,
    conflictCode: 'stale_version',
    example: { input: { workspace_id: 1, project_id: 13, name: 'Mobile app', status: 'active' } },
  },
  listProjects: {
    method: 'GET',
    path: '/workspaces/{workspace_id}/projects',
    functionName: 'list-projects',
    scope: ['read', 'directory'],
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    summary: "A workspace's projects, by id",
    successOutcome: 'projects_listed',
    input: { path: directoryListPath, query: cursorQuery },
    response: { description: 'One page of projects, in the order of their keys (ids as text: 1, 10, 2), by cursor.', meta: cursorMeta, data: listOf(projectData) },
    example: { input: { workspace_id: 1 } },
  },
  putContract: {
    method: 'PUT',
    path: '/workspaces/{workspace_id}/contracts/{contract_id}',
    functionName: 'put-contract',
    scope: ['write', 'directory'],
    idempotent: false,
    // The workspace's zone (GetItem, beside the batch): what "today" is for a rate that names no day.
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
    summary: "Create or replace a contract: a member's work on a project, its hourly rate (with history) and whether it is billable",
    successOutcome: 'contract_put',
    input: { path: contractPath, headers: ifMatchHeaders, body: putContractBody },
    response: { description: 'The contract as stored, with its ETag.', data: contractData, headers: ['etag'] },
    errors: DIRECTORY_PUT_ERRORS,
    conflictCode: 'stale_version',
    example: { input: { workspace_id: 1, contract_id: 24, user_id: 101, project_id: 10, status: 'active', hourly_rate: { amount: 4500, currency: 'EUR' }, billable: true } },
  },
  listContracts: {
    method: 'GET',
    path: '/workspaces/{workspace_id}/contracts',
    functionName: 'list-contracts',
    scope: ['read', 'directory'],
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    summary: "A workspace's contracts, by id",
    successOutcome: 'contracts_listed',
    input: { path: directoryListPath, query: cursorQuery },
    response: { description: 'One page of contracts, in the order of their keys (ids as text: 1, 10, 2), by cursor.', meta: cursorMeta, data: listOf(contractData) },
    example: { input: { workspace_id: 1 } },
  },
  putTask: {
    method: 'PUT',
    path: '/workspaces/{workspace_id}/tasks/{task_id}',
    functionName: 'put-task',
    scope: ['write', 'directory'],
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:PutItem'],
    summary: 'Create or replace a task of a project (a closed one takes no more time)',
    successOutcome: 'task_put',
    input: { path: taskPath, headers: ifMatchHeaders, body: putTaskBody },
    response: { description: 'The task as stored, with its ETag.', data: taskData, headers: ['etag'] },
    errors: DIRECTORY_PUT_ERRORS,
    conflictCode: 'stale_version',
    example: { input: { workspace_id: 1, task_id: 8, project_id: 10, title: 'Pricing page', status: 'open' } },
  },
  listTasks: {
    method: 'GET',
    path: '/workspaces/{workspace_id}/tasks',
    functionName: 'list-tasks',
    scope: ['read', 'directory'],
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    summary: "A workspace's tasks, by id",
    successOutcome: 'tasks_listed',
    input: { path: directoryListPath, query: cursorQuery },
    response: { description: 'One page of tasks, in the order of their keys (ids as text: 1, 10, 2), by cursor.', meta: cursorMeta, data: listOf(taskData) },
    example: { input: { workspace_id: 1 } },
  },
} as const satisfies Record<string, RouteDefinition>;

/** Each kind's record as its PUT answers it: what its webhook events and the change feed carry. */
export const directoryRecordSchemas = { workspace: workspaceData, member: memberData, project: projectData, contract: contractData, task: taskData } as const;
