import type { RouteDefinition } from '../route-definition.ts';
import { SCOPES } from '../../auth/scopes.ts';
import { pageFields, paginationMeta } from '../schemas.ts';

/** A query of paging alone (the caller's API keys). */
const pageQuery = { type: 'object', properties: { ...pageFields } } as const;

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

const createApiKeyBody = {
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

const createdApiKeyData = {
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

const apiKeysData = { type: 'array', items: { type: 'object', required: apiKeyRequired, properties: apiKeyFields, additionalProperties: false } } as const;

const apiKeyPath = { type: 'object', required: ['id'], properties: { id: apiKeyId } } as const;

const revokedApiKeyData = { type: 'object', required: ['id', 'revoked'], properties: { id: apiKeyId, revoked: { const: true } }, additionalProperties: false } as const;

/** Personal access tokens: each user's own. (The route table is assembled in ../routes.ts; docs/architecture.md says what each field drives.) */
export const apiKeyRoutes = {
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
} as const satisfies Record<string, RouteDefinition>;
