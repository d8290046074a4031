import type { ScopeRequirement } from '../auth/scopes.ts';
import {
  apiKeyPath,
  apiKeysData,
  contractData,
  contractPath,
  createApiKeyBody,
  createInvitationBody,
  createInvitationPath,
  invitationData,
  invitationPath,
  listInvitationsQuery,
  createdApiKeyData,
  deleteMemberData,
  directoryListPath,
  listOf,
  memberData,
  memberPath,
  projectData,
  projectPath,
  putContractBody,
  putMemberBody,
  putProjectBody,
  putTaskBody,
  putWorkspaceBody,
  revokedApiKeyData,
  taskData,
  taskPath,
  workspaceData,
  workspacePutPath,
} from './directory-schemas.ts';
import {
  createWebhookBody,
  createWebhookData,
  deleteWebhookData,
  listWebhooksData,
  listWebhooksQuery,
  queuedMessageData,
  replayData,
  replayWebhookBody,
  rotatedWebhookData,
  updateWebhookBody,
  webhookData,
  webhookDeliveriesData,
  webhookDeliveriesMeta,
  webhookDeliveriesQuery,
  webhookMessagePath,
  webhookPath,
} from './webhook-schemas.ts';
import {
  activeTrackersData,
  activeTrackersQuery,
  createTimeEntryBody,
  deleteTimeEntryData,
  ifMatchHeaders,
  pageQuery,
  timeEntryHistoryData,
  timeEntryPath,
  timeEntrySchema,
  timeEntrySummaryData,
  timeEntrySummaryQuery,
  updateTimeEntryBody,
  workspaceQuery,
  currentTrackerData,
  currentTrackerQuery,
  paginationMeta,
  cursorMeta,
  cursorQuery,
  historyQuery,
  startTimeTrackingData,
  startTimeTrackingBody,
  stopTimeTrackingData,
  stopTimeTrackingBody,
  timeEntriesData,
  timeEntriesQuery,
  updateWorkspaceSettingsBody,
  workspacePath,
  workspaceSettingsData,
} from './schemas.ts';

/**
 * The route table: the one source of truth for every route's method, path, function,
 * scope (check 2), idempotency, DynamoDB permissions, request and response schemas and
 * success message. The handlers (validation, envelope), the local runtime (routing), the
 * CDK stack (routes, functions, least-privilege IAM), the OpenAPI document, the validators
 * and the test lists are all derived from it. See docs/architecture.md.
 */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Where a route's input comes from, in the order a request is read. */
export const INPUT_LOCATIONS = ['path', 'query', 'headers', 'body'] as const;
export type InputLocation = (typeof INPUT_LOCATIONS)[number];

/** A flat object schema: the only shape an input location has (top-level fields, cross-field rules as `allOf: [{ if, then }]`). */
export type InputSchema = {
  type: 'object';
  properties: Record<string, unknown>;
  required?: readonly string[];
  allOf?: ReadonlyArray<{ if?: { required?: readonly string[] }; then?: unknown }>;
};

export type RouteDefinition = {
  method: HttpMethod;
  /** May hold `{name}` path parameters, each declared in `input.path`. */
  path: string;
  /** Folder under functions/ holding the entry point `handler.ts`; also the Lambda's name. */
  functionName: string;
  /** Check 2: the scope the credential must hold (or any one of several). */
  scope: ScopeRequirement;
  /**
   * Who else may call it (check 5). Without it, a route acting on a member is for the
   * workspace's managers (owners, executive managers). With it, any member may call it for
   * themselves: when this input field is the caller's own user id, the use case is told so
   * (`forSelf`) and asks no managing role (their own tracker, whatever their role).
   */
  selfService?: 'user_id';
  /** Accepts an `Idempotency-Key` header (its storage actions are added to the IAM policy). */
  idempotent: boolean;
  /** Exactly the DynamoDB actions the use case performs on the table (idempotency excluded). */
  dynamodbActions: readonly string[];
  /** One line for the OpenAPI document. */
  summary: string;
  /** The `outcome` dimension of a successful request's metric. */
  successOutcome: string;
  /**
   * The input by location. Path, query and body fields are merged into the use case's
   * input (a field name belongs to one location only); header fields (lower-case names)
   * are validated and passed apart. Query, path and header values are strings on the wire:
   * numeric ones are coerced, nothing else is.
   */
  input: { readonly [L in InputLocation]?: InputSchema };
  response: {
    /** 200 unless said (201 for a creation, 202 for what is queued to happen). */
    status?: 200 | 201 | 202;
    description: string;
    /** Sent as the envelope's `message` and as `data.message`. */
    message?: string;
    /** Headers the success answer carries: `etag` ("<version>" of the one entry answered), `location` (where a created one is read). */
    headers?: readonly ResponseHeader[];
    data: object;
    meta?: object;
  };
  /** Statuses the route answers besides the common ones (401, 403, 404, 422, 500, 503), with why. */
  errors?: Readonly<Record<string, string>>;
  /** It queues webhook deliveries: the function gets the delivery queue's URL and may send to it (infra). */
  sendsWebhooks?: true;
  /** It seals webhook secrets: the function gets the secrets' KMS key and may generate data keys under it, never decrypt (infra). */
  sealsWebhookSecrets?: true;
  /** The `error` code of the route's own 409 (its OpenAPI example): `time_entry_overlap` unless said. */
  conflictCode?: string;
  /**
   * One call that succeeds on the demo seed (local/demo-seed.json) for its owner, user 100.
   * It is the route's `sam local` fixture (events/<function>.json, generated), its OpenAPI
   * example, and the scenario of the route-driven tests (the fault on every DynamoDB call).
   */
  example: RouteExample;
};

export const RESPONSE_HEADERS = ['etag', 'location'] as const;
export type ResponseHeader = (typeof RESPONSE_HEADERS)[number];

export type RouteExample = {
  /** A route whose example runs first, so that this one has what it acts on (a tracker to stop, a webhook to delete). */
  after?: string;
  /** The flat input (each field goes where the route reads it); these values are the fixture's. */
  input: Readonly<Record<string, unknown>>;
  /** Fields that, run live, take a value of the `after` route's answer (a dotted path into its body). */
  fromAfter?: Readonly<Record<string, string>>;
  /** Fields that, run live, are today's date (UTC, YYYY-MM-DD). */
  today?: readonly string[];
  /** Fields that, run live, are the time an hour ago (UTC, ISO 8601 to the second). */
  hourAgo?: readonly string[];
  /** The scopes of the credential it runs with, when not `read write` (a platform credential's `directory`). */
  scopes?: string;
  /** The kind of credential it runs with, when not the demo seed's API key (only a JWT makes API keys). */
  credential?: 'jwt';
  /** The user it runs as, when not the demo seed's owner (100): an invitation is accepted by whom it invites. */
  caller?: number;
};

/** What a directory PUT answers besides the common statuses. */
const DIRECTORY_PUT_ERRORS = {
  '400': 'Not a JSON object.',
  '409': 'The version is older than the stored one (or the same with other content): nothing changed.',
  '412': 'If-Match names a revision that is no longer current: nothing changed.',
} as const;

/** The scopes of the credential a route's example runs with (fixtures, route-driven tests). */
export const exampleScopesOf = (route: { example: RouteExample }) => route.example.scopes ?? 'read write';
/** The user a route's example runs as (fixtures, route-driven tests): the demo seed's owner unless said. */
export const EXAMPLE_OWNER = 100;
export const exampleCallerOf = (route: { example: RouteExample }) => route.example.caller ?? EXAMPLE_OWNER;
/** The kind of credential a route's example runs with (fixtures, route-driven tests): the demo seed's API key unless said. */
export const exampleCredentialOf = (route: { example: RouteExample }) => route.example.credential ?? 'api_key';

/** What an `Idempotency-Key` costs: the record is claimed (PutItem) and released (DeleteItem). */
export const IDEMPOTENCY_ACTIONS = ['dynamodb:PutItem', 'dynamodb:DeleteItem'] as const;

const table = {
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
  getWorkspaceSettings: {
    method: 'GET',
    path: '/workspaces/{workspace_id}/settings',
    functionName: 'get-workspace-settings',
    scope: 'read',
    idempotent: false,
    // Check 5 and the settings, in one batch read.
    dynamodbActions: ['dynamodb:BatchGetItem'],
    summary: "A workspace's settings: the limit on a tracker's duration, the time zone of date queries",
    successOutcome: 'settings_read',
    input: { path: workspacePath },
    response: { description: 'The settings (the defaults, no limit and UTC, until changed).', data: workspaceSettingsData },
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
  listTimeEntries: {
    method: 'GET',
    path: '/time-entries',
    functionName: 'list-time-entries',
    scope: 'read',
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    summary: 'Time entries that started on the days from..to (or date) in a time zone, newest first',
    successOutcome: 'entries_listed',
    input: { query: timeEntriesQuery },
    response: { description: 'One page of entries.', data: timeEntriesData, meta: paginationMeta },
    example: { after: 'stopTimeTracking', input: { workspace_id: 1, user_id: 101, date: '2024-01-15', page: 1, per_page: 20 }, today: ['date'] },
  },
  timeEntrySummary: {
    method: 'GET',
    path: '/time-entries/summary',
    functionName: 'time-entry-summary',
    scope: 'read',
    idempotent: false,
    // The member's timeline slots hold every entry's interval: no Query.
    dynamodbActions: ['dynamodb:BatchGetItem'],
    summary: 'Tracked time per day of a range (at most 31 days) in a time zone, zeros included',
    successOutcome: 'entries_summarized',
    input: { query: timeEntrySummaryQuery },
    response: { description: 'One row per day of the range, and the total.', data: timeEntrySummaryData },
    example: { after: 'createTimeEntry', input: { workspace_id: 1, user_id: 101, from: '2024-01-15', to: '2024-01-21', tz: 'Europe/Berlin' } },
  },
  createTimeEntry: {
    method: 'POST',
    path: '/time-entries',
    functionName: 'create-time-entry',
    scope: 'write',
    idempotent: true,
    // TransactWriteItems: the entry's copies and first version (PutItem), its timeline spans (UpdateItem), the rest of what the overlap rule read (ConditionCheckItem).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    summary: 'Add a time entry by hand (start and end, at most 24 h, overlapping nothing)',
    successOutcome: 'entry_created',
    input: { body: createTimeEntryBody },
    response: { status: 201, description: 'The entry, with its ETag and Location.', data: timeEntrySchema, headers: ['etag', 'location'] },
    errors: { '400': 'Not a JSON object.', '409': 'The entry would overlap another entry or the running tracker of the user.' },
    example: {
      input: { workspace_id: 1, user_id: 101, start_time: '2024-01-15T09:00:00+01:00', end_time: '2024-01-15T12:30:00+01:00', contract_id: 20, task_id: 5, activity_description: 'Landing page copy' },
    },
  },
  getTimeEntry: {
    method: 'GET',
    path: '/time-entries/{id}',
    functionName: 'get-time-entry',
    scope: 'read',
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem'],
    summary: 'One time entry, by id',
    successOutcome: 'entry_read',
    input: { path: timeEntryPath, query: workspaceQuery },
    response: { description: 'The entry, with its ETag.', data: timeEntrySchema, headers: ['etag'] },
    example: { after: 'createTimeEntry', input: { id: '9b2f6c1e-4d3a-4f7b-8a52-1c0e5d7f3a90', workspace_id: 1 }, fromAfter: { id: 'data.id' } },
  },
  updateTimeEntry: {
    method: 'PATCH',
    path: '/time-entries/{id}',
    functionName: 'update-time-entry',
    scope: 'write',
    idempotent: false,
    // TransactWriteItems: the copies (PutItem; DeleteItem when the start moves), the version (PutItem), spans (UpdateItem), what the overlap rule read (ConditionCheckItem).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    summary: 'Correct a time entry (its history keeps what it was); If-Match makes it conditional',
    successOutcome: 'entry_updated',
    input: { path: timeEntryPath, query: workspaceQuery, headers: ifMatchHeaders, body: updateTimeEntryBody },
    response: { description: 'The entry as it is now, with its ETag (unchanged when nothing changed).', data: timeEntrySchema, headers: ['etag'] },
    errors: {
      '400': 'Not a JSON object.',
      '409': 'The entry would overlap another entry or the running tracker of the user.',
      '412': 'If-Match names a version that is no longer current: nothing changed.',
    },
    example: {
      after: 'createTimeEntry',
      input: { id: '9b2f6c1e-4d3a-4f7b-8a52-1c0e5d7f3a90', workspace_id: 1, end_time: '2024-01-15T13:00:00+01:00', activity_description: 'Landing page copy and review' },
      fromAfter: { id: 'data.id' },
    },
  },
  deleteTimeEntry: {
    method: 'DELETE',
    path: '/time-entries/{id}',
    functionName: 'delete-time-entry',
    scope: 'write',
    idempotent: false,
    // TransactWriteItems: both copies (DeleteItem), the version (PutItem), the spans (UpdateItem).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    summary: 'Delete a time entry (its history stays readable); If-Match makes it conditional',
    successOutcome: 'entry_deleted',
    input: { path: timeEntryPath, query: workspaceQuery, headers: ifMatchHeaders },
    response: { description: 'The entry was deleted.', data: deleteTimeEntryData },
    errors: { '412': 'If-Match names a version that is no longer current: nothing changed.' },
    example: { after: 'createTimeEntry', input: { id: '9b2f6c1e-4d3a-4f7b-8a52-1c0e5d7f3a90', workspace_id: 1 }, fromAfter: { id: 'data.id' } },
  },
  timeEntryHistory: {
    method: 'GET',
    path: '/time-entries/{id}/history',
    functionName: 'time-entry-history',
    scope: 'read',
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    summary: "A time entry's versions, newest first (readable after a delete)",
    successOutcome: 'entry_history_read',
    input: { path: timeEntryPath, query: historyQuery },
    response: { description: 'One page of its versions (50 unless said), newest first: what changed, when, by whom.', data: timeEntryHistoryData, meta: cursorMeta },
    example: { after: 'updateTimeEntry', input: { id: '9b2f6c1e-4d3a-4f7b-8a52-1c0e5d7f3a90', workspace_id: 1 }, fromAfter: { id: 'data.id' } },
  },
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
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:PutItem'],
    summary: "Create or replace a contract: a member's work on a project",
    successOutcome: 'contract_put',
    input: { path: contractPath, headers: ifMatchHeaders, body: putContractBody },
    response: { description: 'The contract as stored, with its ETag.', data: contractData, headers: ['etag'] },
    errors: DIRECTORY_PUT_ERRORS,
    conflictCode: 'stale_version',
    example: { input: { workspace_id: 1, contract_id: 24, user_id: 101, project_id: 10, status: 'active' } },
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
  createApiKey: {
    method: 'POST',
    path: '/api-keys',
    functionName: 'create-api-key',
    scope: ['write', 'directory'],
    idempotent: true,
    // The caller's keys (Query), then the key, its id pointer and the caller's copy (PutItem) and the caller's key count (UpdateItem), in one transaction.
    dynamodbActions: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    summary: 'Create a personal access token for yourself (the key is shown once)',
    successOutcome: 'api_key_created',
    input: { body: createApiKeyBody },
    response: { status: 201, description: 'The key, with its secret (in the first answer only; a replay answers without it).', data: createdApiKeyData },
    errors: { '400': 'Not a JSON object.' },
    example: { input: { name: 'CI pipeline', scopes: ['read'] }, credential: 'jwt' },
  },
  createInvitation: {
    method: 'POST',
    path: '/workspaces/{workspace_id}/invitations',
    functionName: 'create-invitation',
    scope: ['write', 'directory'],
    idempotent: false,
    // The caller's and the invitee's memberships and the workspace (BatchGetItem); both copies of the invitation (PutItem), the invitee still no member (ConditionCheckItem).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:PutItem'],
    summary: 'Invite a user to a workspace with a role: they become a member by accepting it (valid 14 days)',
    successOutcome: 'invitation_created',
    input: { path: createInvitationPath, body: createInvitationBody },
    response: { status: 201, description: 'The invitation, pending.', data: invitationData },
    errors: { '400': 'Not a JSON object.' },
    example: { input: { workspace_id: 1, user_id: 300, role: 'regular_user' } },
  },
  listInvitations: {
    method: 'GET',
    path: '/invitations',
    functionName: 'list-invitations',
    scope: ['read', 'directory'],
    idempotent: false,
    // Your own (one Query of your partition); or a workspace's (your membership, BatchGetItem, beside one Query).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    summary: "Your pending invitations, or (workspace_id) a workspace's invitations, newest first",
    successOutcome: 'invitations_listed',
    input: { query: listInvitationsQuery },
    response: { description: 'One page of invitations.', data: listOf(invitationData), meta: paginationMeta },
    example: { after: 'createInvitation', input: {}, caller: 300, credential: 'jwt' },
  },
  acceptInvitation: {
    method: 'POST',
    path: '/invitations/{id}/accept',
    functionName: 'accept-invitation',
    scope: 'write',
    idempotent: false,
    // Your invitation (GetItem); then both its copies (UpdateItem), the membership and its audit entry (PutItem), an owner into the owners set (UpdateItem), in one transaction.
    dynamodbActions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    summary: 'Accept an invitation of yours: you become an active member of its workspace, with its role',
    successOutcome: 'invitation_accepted',
    input: { path: invitationPath },
    response: { description: 'The invitation, accepted.', data: invitationData },
    errors: { '409': 'The invitation was declined or has expired (`invitation_not_pending`; one already accepted is answered again, 200); or you are a member already (`already_member`).' },
    conflictCode: 'invitation_not_pending',
    example: { after: 'createInvitation', input: { id: 'inv_3fZr8Qm1Xc0bN7pLkT2sWa' }, fromAfter: { id: 'data.id' }, caller: 300, credential: 'jwt' },
  },
  declineInvitation: {
    method: 'POST',
    path: '/invitations/{id}/decline',
    functionName: 'decline-invitation',
    scope: 'write',
    idempotent: false,
    // Your invitation (GetItem); then both its copies (UpdateItem), in one transaction.
    dynamodbActions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    summary: 'Decline an invitation of yours: it can no longer be accepted',
    successOutcome: 'invitation_declined',
    input: { path: invitationPath },
    response: { description: 'The invitation, declined.', data: invitationData },
    errors: { '409': 'The invitation was accepted or has expired (one already declined is answered again, 200).' },
    conflictCode: 'invitation_not_pending',
    example: { after: 'createInvitation', input: { id: 'inv_3fZr8Qm1Xc0bN7pLkT2sWa' }, fromAfter: { id: 'data.id' }, caller: 300, credential: 'jwt' },
  },
  listApiKeys: {
    method: 'GET',
    path: '/api-keys',
    functionName: 'list-api-keys',
    scope: ['read', 'directory'],
    idempotent: false,
    dynamodbActions: ['dynamodb:Query'],
    summary: 'Your personal access tokens that are not revoked, without their secrets',
    successOutcome: 'api_keys_listed',
    input: { query: pageQuery },
    response: { description: 'One page of keys.', data: apiKeysData, meta: paginationMeta },
    example: { after: 'createApiKey', input: {} },
  },
  deleteApiKey: {
    method: 'DELETE',
    path: '/api-keys/{id}',
    functionName: 'delete-api-key',
    scope: ['read', 'directory'],
    idempotent: false,
    // The caller's copy of the key (GetItem), then the key, the copy and the caller's key count (UpdateItem) in one transaction.
    dynamodbActions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    summary: 'Revoke one of your personal access tokens',
    successOutcome: 'api_key_revoked',
    input: { path: apiKeyPath },
    response: { description: 'The key was revoked.', data: revokedApiKeyData },
    example: { after: 'createApiKey', input: { id: '0123456789abcdef' }, fromAfter: { id: 'data.id' } },
  },
  createWebhook: {
    method: 'POST',
    path: '/webhooks',
    functionName: 'create-webhook',
    scope: 'write',
    idempotent: true,
    sealsWebhookSecrets: true,
    // TransactWriteItems: the workspace's webhook counter (UpdateItem) and the webhook (PutItem).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    summary: 'Subscribe a URL to tracker events of a workspace (the signing secret is shown once)',
    successOutcome: 'webhook_created',
    input: { body: createWebhookBody },
    response: { status: 201, description: 'The webhook, with its signing secret (shown only here).', data: createWebhookData },
    errors: { '400': 'Not a JSON object.' },
    example: { input: { workspace_id: 1, url: 'https://hooks.example.com/time-tracking', events: ['tracker.started', 'tracker.stopped'], description: 'Payroll sync' } },
  },
  listWebhooks: {
    method: 'GET',
    path: '/webhooks',
    functionName: 'list-webhooks',
    scope: 'read',
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    summary: "A workspace's webhooks, without their secrets",
    successOutcome: 'webhooks_listed',
    input: { query: listWebhooksQuery },
    response: { description: 'One page of webhooks.', data: listWebhooksData, meta: paginationMeta },
    example: { after: 'createWebhook', input: { workspace_id: 1 } },
  },
  updateWebhook: {
    method: 'PATCH',
    path: '/webhooks/{id}',
    functionName: 'update-webhook',
    scope: 'write',
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
    summary: 'Turn a webhook off, or back on (it then receives the events from then on)',
    successOutcome: 'webhook_updated',
    input: { path: webhookPath, query: workspaceQuery, body: updateWebhookBody },
    response: { description: 'The webhook as it is now.', data: webhookData },
    errors: { '400': 'Not a JSON object.' },
    example: { after: 'createWebhook', input: { id: 'wh_example', workspace_id: 1, status: 'enabled' }, fromAfter: { id: 'data.id' } },
  },
  deleteWebhook: {
    method: 'DELETE',
    path: '/webhooks/{id}',
    functionName: 'delete-webhook',
    scope: 'write',
    idempotent: false,
    // TransactWriteItems: the webhook (DeleteItem) and the workspace's webhook counter (UpdateItem).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
    summary: 'Delete a webhook: nothing more is delivered to it',
    successOutcome: 'webhook_deleted',
    input: { path: webhookPath, query: workspaceQuery },
    response: { description: 'The webhook was deleted.', data: deleteWebhookData },
    example: { after: 'createWebhook', input: { id: 'wh_example', workspace_id: 1 }, fromAfter: { id: 'data.id' } },
  },
  listWebhookDeliveries: {
    method: 'GET',
    path: '/webhooks/{id}/deliveries',
    functionName: 'list-webhook-deliveries',
    scope: 'read',
    idempotent: false,
    // The caller's membership (BatchGetItem), the webhook (GetItem), its log newest first (Query).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
    summary: "A webhook's delivery attempts of the last 7 days, newest first",
    successOutcome: 'webhook_deliveries_listed',
    input: { path: webhookPath, query: webhookDeliveriesQuery },
    response: { description: 'One page of attempts.', data: webhookDeliveriesData, meta: webhookDeliveriesMeta },
    example: { after: 'createWebhook', input: { id: 'wh_example', workspace_id: 1 }, fromAfter: { id: 'data.id' } },
  },
  testWebhook: {
    method: 'POST',
    path: '/webhooks/{id}/test',
    functionName: 'test-webhook',
    scope: 'write',
    idempotent: false,
    // The message is kept in the webhook's log (BatchWriteItem: in event order and by id) before it is queued.
    // Then the webhook's last test time (UpdateItem: one a minute).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
    sendsWebhooks: true,
    summary: 'Send a webhook.test event to the webhook now',
    successOutcome: 'webhook_test_queued',
    input: { path: webhookPath, query: workspaceQuery },
    response: {
      status: 202,
      description: 'The test event is queued: it is delivered within seconds, and shows in the delivery log. At most one a minute per webhook (429 with Retry-After).',
      data: queuedMessageData,
    },
    example: { after: 'createWebhook', input: { id: 'wh_example', workspace_id: 1 }, fromAfter: { id: 'data.id' } },
  },
  redeliverWebhookMessage: {
    method: 'POST',
    path: '/webhooks/{id}/deliveries/{message_id}/redeliver',
    functionName: 'redeliver-webhook-message',
    scope: 'write',
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
    sendsWebhooks: true,
    summary: 'Send one message of the delivery log again (the same webhook-id and body)',
    successOutcome: 'webhook_redelivery_queued',
    input: { path: webhookMessagePath, query: workspaceQuery },
    response: { status: 202, description: 'The message is queued again, with a new timestamp and signature.', data: queuedMessageData },
    example: {
      after: 'testWebhook',
      input: { id: 'wh_example', message_id: 'msg_2b7hXv0kqA4mY1cR9dJ3sL6pW8eT5uZ0', workspace_id: 1 },
      fromAfter: { id: 'data.webhook_id', message_id: 'data.message_id' },
    },
  },
  replayWebhook: {
    method: 'POST',
    path: '/webhooks/{id}/replay',
    functionName: 'replay-webhook',
    scope: 'write',
    idempotent: false,
    // The webhook (GetItem) beside its log's messages in the range, counted (Query); then its one replay slot (UpdateItem).
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    sendsWebhooks: true,
    summary: 'Send again the events of the webhook since a time (at most 7 days back, 1,000 messages), in the order they happened',
    successOutcome: 'webhook_replay_queued',
    input: { path: webhookPath, query: workspaceQuery, body: replayWebhookBody },
    response: { status: 202, description: 'The replay is queued: the messages follow one another, oldest event first.', data: replayData },
    errors: { '400': 'Not a JSON object.', '409': 'Another replay of this webhook is still running (`replay_in_progress`, its id in the message).' },
    conflictCode: 'replay_in_progress',
    example: { after: 'testWebhook', input: { id: 'wh_example', workspace_id: 1, since: '2024-01-15T09:00:00+00:00' }, fromAfter: { id: 'data.webhook_id' }, hourAgo: ['since'] },
  },
  rotateWebhookSecret: {
    method: 'POST',
    path: '/webhooks/{id}/rotate-secret',
    functionName: 'rotate-webhook-secret',
    scope: 'write',
    idempotent: true,
    sealsWebhookSecrets: true,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
    summary: 'A new signing secret; for 24 hours every delivery is signed with the old one too',
    successOutcome: 'webhook_secret_rotated',
    input: { path: webhookPath, query: workspaceQuery },
    response: { description: 'The webhook with its new secret (shown only here).', data: rotatedWebhookData },
    example: { after: 'createWebhook', input: { id: 'wh_example', workspace_id: 1 }, fromAfter: { id: 'data.id' } },
  },
} as const satisfies Record<string, RouteDefinition>;

export type RouteName = keyof typeof table;
export type Route<N extends RouteName = RouteName> = (typeof table)[N] & { name: N };

/** Each route carries its own name (the operationId, the validator's name). */
export const routes = Object.fromEntries(Object.entries(table).map(([name, route]) => [name, { ...route, name }])) as {
  [N in RouteName]: Route<N>;
};

export const routeList: readonly Route[] = Object.values(routes);

/** The routes whose function queues webhook deliveries, and those whose function seals webhook secrets: infra gives them the queue and the key. */
export const webhookSenderRoutes = routeList.filter((route: RouteDefinition) => route.sendsWebhooks === true);
export const secretSealerRoutes = routeList.filter((route: RouteDefinition) => route.sealsWebhookSecrets === true);

export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>) => `${route.method} ${route.path}`;

/** The `{name}` parameters of a path, in order. */
export const pathParametersOf = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);

/** The locations a route reads, in the order a request is read. */
export const inputLocationsOf = (route: Pick<RouteDefinition, 'input'>) => INPUT_LOCATIONS.filter((location) => route.input[location] !== undefined);

/** One location's schema of any route (the table's literal types name only the locations each route has). */
export const inputSchemaOf = (route: Pick<RouteDefinition, 'input'>, location: InputLocation): InputSchema | undefined => route.input[location];

/** The generated validator of one location of a route (shared/contracts/generated/validators.js). */
export const validatorName = (routeName: string, location: InputLocation) => `${routeName}_${location}`;

/**
 * What the table must hold for everything derived from it to be right; `npm run
 * build:contracts` refuses a table that breaks it (and a unit test runs it).
 */
export function routeTableProblems(list: readonly (RouteDefinition & { name: string })[]): string[] {
  const problems: string[] = [];
  const keysSeen = new Set<string>();
  for (const route of list) {
    const key = routeKey(route);
    if (keysSeen.has(key)) problems.push(`${key} is declared twice`);
    keysSeen.add(key);
    const declared = Object.keys(route.input.path?.properties ?? {});
    const inPath = pathParametersOf(route.path);
    if (declared.sort().join() !== [...inPath].sort().join())
      problems.push(`${key}: input.path must declare exactly the path parameters ${JSON.stringify(inPath)}, declares ${JSON.stringify(declared)}`);
    if (route.input.body && route.method === 'GET') problems.push(`${key}: a GET has no body`);
    const owner = new Map<string, InputLocation>();
    for (const location of ['path', 'query', 'body'] as const) {
      for (const field of Object.keys(route.input[location]?.properties ?? {})) {
        const other = owner.get(field);
        if (other) problems.push(`${key}: field ${field} is in both ${other} and ${location}`);
        owner.set(field, location);
      }
    }
    for (const header of Object.keys(route.input.headers?.properties ?? {})) {
      if (header !== header.toLowerCase()) problems.push(`${key}: header ${header} must be declared in lower case`);
    }
    const { example } = route;
    for (const field of [...Object.keys(example.input), ...Object.keys(example.fromAfter ?? {}), ...(example.today ?? []), ...(example.hourAgo ?? [])]) {
      if (!owner.has(field)) problems.push(`${key}: the example's field ${field} is not a path, query or body field of the route`);
    }
    if (example.after !== undefined && !list.some((other) => other.name === example.after)) problems.push(`${key}: the example runs after ${example.after}, which is no route`);
    if (example.fromAfter && example.after === undefined) problems.push(`${key}: the example takes fields from the answer of no route (set after)`);
    const seen = new Set<string>([route.name]);
    for (let next = example.after; next !== undefined; next = list.find((other) => other.name === next)?.example.after) {
      if (seen.has(next)) {
        problems.push(`${key}: the examples run after each other in a cycle (${[...seen, next].join(' → ')})`);
        break;
      }
      seen.add(next);
    }
  }
  return problems;
}

/**
 * A flat input split where the route reads each field: path parameters, query fields (as
 * the strings they are on the wire) and the rest as the JSON body; the path with its
 * parameters filled in.
 */
export function splitInput(route: Pick<RouteDefinition, 'input' | 'path'>, input: Readonly<Record<string, unknown>>) {
  const declared = (location: 'path' | 'query') => new Set(Object.keys(route.input[location]?.properties ?? {}));
  const inPath = declared('path');
  const inQuery = declared('query');
  const path: Record<string, string> = {};
  const query: Record<string, string> = {};
  const body: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(input)) {
    if (inPath.has(field)) path[field] = String(value);
    else if (inQuery.has(field) || !route.input.body) query[field] = String(value);
    else body[field] = value;
  }
  const concretePath = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(path[name] ?? `missing-${name}`));
  return { path, query, body: route.input.body ? body : undefined, concretePath };
}

/** What the per-user rate limit costs every route: one counter update per request. */
export const RATE_LIMIT_ACTIONS = ['dynamodb:UpdateItem'] as const;

/** Every DynamoDB action a route's function needs: its own, idempotency's when it takes keys, the rate limit's when it is on. */
export function dynamodbActionsOf(route: Pick<RouteDefinition, 'dynamodbActions' | 'idempotent'>, options: { rateLimited: boolean }): string[] {
  return [...new Set([...route.dynamodbActions, ...(route.idempotent ? IDEMPOTENCY_ACTIONS : []), ...(options.rateLimited ? RATE_LIMIT_ACTIONS : [])])].sort();
}

/** The authorizer is no route, but it is a function with its own narrow permissions. */
export const authorizerFunction = { functionName: 'authorizer', dynamodbActions: ['dynamodb:GetItem'] } as const;

export { publicRoutes } from './public-routes.ts';
export const docsFunction = { functionName: 'docs', dynamodbActions: [] } as const;

/** Every Lambda function of the service, by folder name under functions/. */
export const functionNames: readonly string[] = [authorizerFunction.functionName, ...routeList.map((route) => route.functionName), docsFunction.functionName];

/**
 * The webhook pipeline's functions (docs/webhooks.md): not routes, each with its own narrow
 * permissions. The fan-out reads the table's stream and queues one delivery per
 * subscription; the delivery function sends them, and delays retries on the queue.
 */
export const webhookFunctions = {
  // The webhooks of the workspace (Query); each delivery kept in its webhook's log (BatchWriteItem) before it is queued.
  fanOut: { functionName: 'webhook-fan-out', dynamodbActions: ['dynamodb:BatchWriteItem', 'dynamodb:Query'] },
  // The webhook (GetItem) and its creator's membership (BatchGetItem); each attempt logged (PutItem); UpdateItem: its failing
  // record, or turning it off (410 Gone, its creator's access, 5 days of failures); a replay step reads the log (Query).
  delivery: { functionName: 'webhook-delivery', dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'] },
} as const;

/**
 * Forgotten trackers (docs/architecture.md "Auto-stop"): not routes. The schedules function
 * reads the table's stream and keeps one EventBridge Scheduler schedule per tracker that has
 * a limit (it touches no table item); the auto-stop function is what a schedule invokes.
 */
export const autoStopFunctions = {
  schedules: { functionName: 'auto-stop-schedules', dynamodbActions: [] },
  // A batch read (the tracker), then the stop's transaction: DeleteItem (tracker, mark), PutItem (entry copies, version), UpdateItem (spans, counts).
  autoStop: { functionName: 'auto-stop', dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] },
} as const;

/** Response headers a browser client may read (CORS `exposeHeaders`): every header the service sets for clients. */
export const CLIENT_RESPONSE_HEADERS = ['retry-after', 'idempotent-replayed', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'etag', 'location'] as const;

/**
 * The browser-facing CORS policy every route needs (the stack applies it when origins are
 * configured): every method a route uses, and every request header one reads.
 */
export function corsPolicyOf(list: readonly RouteDefinition[]) {
  const methods = HTTP_METHODS.filter((method) => list.some((route) => route.method === method));
  const headers = new Set<string>(['authorization', 'content-type']);
  for (const route of list) {
    if (route.idempotent) headers.add('idempotency-key');
    for (const header of Object.keys(route.input.headers?.properties ?? {})) headers.add(header);
  }
  return { allowMethods: methods, allowHeaders: [...headers], exposeHeaders: [...CLIENT_RESPONSE_HEADERS] };
}
