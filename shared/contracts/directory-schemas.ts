/**
 * The JSON Schemas of the directory routes and of personal access tokens
 * (docs/contract.md "The directory"): each record's fields as a PUT replaces them, and as
 * every answer shows them, with the write's bookkeeping.
 */
import { SCOPES } from '../auth/scopes.ts';
import { ROLES } from '../tracking/model.ts';
import { idSchema, nullableStringSchema, pageFields, timestampSchema } from './schemas.ts';

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

export const workspacePutPath = workspaceOnly;
export const putWorkspaceBody = {
  type: 'object',
  required: ['name'],
  properties: { name, owner_user_id: { ...idSchema, description: 'Its first owner: required to create a workspace.' }, version: sourceVersion },
} as const;
export const workspaceData = record({ workspace_id: { type: 'integer' }, name: { type: 'string' } }, ['workspace_id', 'name']);

// Members

export const memberPath = inWorkspace('user_id');
export const putMemberBody = {
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
export const memberData = record(
  { workspace_id: { type: 'integer' }, user_id: { type: 'integer' }, role: { enum: ROLES }, status: { enum: ['active', 'inactive'] }, name: nullableStringSchema, email: nullableStringSchema },
  ['workspace_id', 'user_id', 'role', 'status', 'name', 'email'],
);
export const deleteMemberData = {
  type: 'object',
  required: ['workspace_id', 'user_id', 'deleted'],
  properties: { workspace_id: { type: 'integer' }, user_id: { type: 'integer' }, deleted: { const: true } },
  additionalProperties: false,
} as const;

// Projects

export const projectPath = inWorkspace('project_id');
export const putProjectBody = { type: 'object', required: ['name', 'status'], properties: { name, status: { enum: ['active', 'archived'] }, version: sourceVersion } } as const;
export const projectData = record({ workspace_id: { type: 'integer' }, project_id: { type: 'integer' }, name: { type: 'string' }, status: { enum: ['active', 'archived'] } }, [
  'workspace_id',
  'project_id',
  'name',
  'status',
]);

// Contracts

export const contractPath = inWorkspace('contract_id');
export const putContractBody = {
  type: 'object',
  required: ['user_id', 'project_id', 'status'],
  properties: { user_id: idSchema, project_id: idSchema, status: { enum: ['active', 'paused'] }, version: sourceVersion },
} as const;
export const contractData = record(
  { workspace_id: { type: 'integer' }, contract_id: { type: 'integer' }, user_id: { type: 'integer' }, project_id: { type: 'integer' }, status: { enum: ['active', 'paused'] } },
  ['workspace_id', 'contract_id', 'user_id', 'project_id', 'status'],
);

// Tasks

export const taskPath = inWorkspace('task_id');
export const putTaskBody = {
  type: 'object',
  required: ['project_id', 'title', 'status'],
  properties: { project_id: idSchema, title: name, status: { enum: ['open', 'closed'] }, version: sourceVersion },
} as const;
export const taskData = record(
  { workspace_id: { type: 'integer' }, task_id: { type: 'integer' }, project_id: { type: 'integer' }, title: nullableStringSchema, status: { enum: ['open', 'closed'] } },
  ['workspace_id', 'task_id', 'project_id', 'title', 'status'],
);

/** `GET /workspaces/{workspace_id}/<kind>`: a page of them, by id. */
export const directoryListPath = workspaceOnly;
export const listOf = <S extends object>(item: S) => ({ type: 'array', items: item }) as const;

// Personal access tokens

const apiKeyId = { type: 'string', pattern: '^[0-9a-f]{16}$', examples: ['3f9a2c1d4e5b6a70'] } as const;
const apiKeyFields = {
  id: apiKeyId,
  name: { type: 'string' },
  scopes: { type: 'array', items: { enum: SCOPES } },
  created_at: { type: 'string', format: 'date-time' },
  expires_at: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] },
} as const;
const apiKeyRequired = ['id', 'name', 'scopes', 'created_at', 'expires_at'] as const;

export const createApiKeyBody = {
  type: 'object',
  required: ['name', 'scopes'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    scopes: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: SCOPES } },
    expires_at: {
      type: 'string',
      pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?(Z|[+-]\\d{2}:\\d{2})$',
      examples: ['2027-06-01T00:00:00Z'],
      description: 'When it stops working: a real time in the future, at most 90 days away (API_KEY_MAX_LIFETIME_DAYS). Absent: that longest lifetime. Every key expires.',
    },
  },
} as const;
export const createdApiKeyData = {
  type: 'object',
  required: apiKeyRequired,
  properties: {
    ...apiKeyFields,
    key: {
      type: 'string',
      pattern: '^ttk_[A-Za-z0-9_-]{43}$',
      examples: ['ttk_example0example0example0example0example0exa'],
      description: 'The key itself: in the first answer only. A replay of the request (the same Idempotency-Key) answers the same key without it: it is never stored.',
    },
  },
  additionalProperties: false,
} as const;
export const apiKeysData = { type: 'array', items: { type: 'object', required: apiKeyRequired, properties: apiKeyFields, additionalProperties: false } } as const;
export const apiKeyPath = { type: 'object', required: ['id'], properties: { id: apiKeyId } } as const;
export const revokedApiKeyData = { type: 'object', required: ['id', 'revoked'], properties: { id: apiKeyId, revoked: { const: true } }, additionalProperties: false } as const;

// Invitations

const invitationId = { type: 'string', pattern: '^inv_[A-Za-z0-9_-]{22}$', examples: ['inv_3fZr8Qm1Xc0bN7pLkT2sWa'] } as const;
export const createInvitationPath = workspaceOnly;
export const createInvitationBody = {
  type: 'object',
  required: ['user_id', 'role'],
  properties: { user_id: { ...idSchema, description: 'Who is invited: they join by accepting, with their own credential.' }, role: { enum: ROLES } },
} as const;
export const invitationData = {
  type: 'object',
  required: ['id', 'workspace_id', 'user_id', 'role', 'status', 'invited_by', 'created_at', 'expires_at', 'decided_at'],
  properties: {
    id: invitationId,
    workspace_id: { type: 'integer' },
    user_id: { type: 'integer' },
    role: { enum: ROLES },
    status: { enum: ['pending', 'accepted', 'declined', 'expired'], description: '`expired`: still pending when its time ran out; it can no longer be accepted.' },
    invited_by: { type: 'integer' },
    created_at: timestampSchema,
    expires_at: timestampSchema,
    decided_at: { anyOf: [timestampSchema, { type: 'null' }] },
  },
  additionalProperties: false,
} as const;
export const listInvitationsQuery = {
  type: 'object',
  properties: {
    workspace_id: { ...idSchema, description: "The workspace's invitations (its owners and executive managers). Absent: your own pending invitations." },
    ...pageFields,
  },
} as const;
export const invitationPath = { type: 'object', required: ['id'], properties: { id: invitationId } } as const;
