import { apiKeyPath, apiKeysData, createApiKeyBody, createdApiKeyData, revokedApiKeyData } from '../directory-schemas.ts';
import { pageQuery, paginationMeta } from '../schemas.ts';
import type { RouteDefinition } from '../route-definition.ts';

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
