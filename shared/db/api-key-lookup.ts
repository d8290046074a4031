import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyLookup } from '../auth/api-keys.ts';
import { translateDynamoError } from './dynamo-errors.ts';
import { apiKeyFromItem } from './item-mappers.ts';
import { keys } from './keys.ts';

/**
 * What the authorizer needs of API keys, and nothing more: one strongly consistent GetItem
 * keyed by the hash (the plaintext never leaves the authorizer). Creating, listing and
 * revoking keys is admin code (admin/api-key-admin.ts), outside the Lambda bundles.
 * A throttled or unreachable DynamoDB throws DependencyUnavailableError: a transient
 * failure, never a refusal.
 */
export function createApiKeyLookup(client: DynamoDBDocumentClient, tableName: string) {
  return async function findApiKeyByHash(hash: string): Promise<ApiKeyLookup> {
    const output = await client.send(new GetCommand({ TableName: tableName, Key: keys.apiKey(hash), ConsistentRead: true })).catch(translateDynamoError);
    if (!output.Item) return { status: 'unknown' };
    const record = apiKeyFromItem(output.Item);
    return record ? { status: 'found', record } : { status: 'malformed' };
  };
}
