import { failedConditions } from '../shared/db/dynamo-errors.ts';
import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord } from '../shared/auth/api-keys.ts';
import { apiKeyFromItem, apiKeyToItem } from '../shared/db/item-mappers.ts';
import { keys } from '../shared/db/keys.ts';
import { scanAll } from './table-admin.ts';

/**
 * Creating, listing and revoking API keys: admin operations (the CLI, `npm start`'s seed,
 * tests), never in a Lambda bundle. The authorizer only looks keys up (shared/db/api-key-lookup.ts).
 */
export function createApiKeyAdmin(client: DynamoDBDocumentClient, tableName: string) {
  return {
    /**
     * Inserts the key and its id pointer in one transaction, unless the key exists: an
     * existing key (maybe revoked) is never changed. Returns whether it was inserted.
     */
    async insert(record: ApiKeyRecord): Promise<'inserted' | 'exists'> {
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName, Item: apiKeyToItem(record), ConditionExpression: 'attribute_not_exists(pk)' } },
              { Put: { TableName: tableName, Item: { ...keys.apiKeyId(record.keyId), entity: 'api_key_id', hash: record.hash } } },
            ],
          }),
        );
        return 'inserted';
      } catch (error) {
        if (failedConditions(error).includes(0)) return 'exists';
        throw error;
      }
    },

    /** Every key, oldest first (a scan: key counts are small and this is no request path). */
    async list(filter: { userId?: number } = {}): Promise<ApiKeyRecord[]> {
      const items = await scanAll(client, tableName, {
        FilterExpression: filter.userId === undefined ? 'entity = :entity' : 'entity = :entity AND user_id = :user',
        ExpressionAttributeValues: { ':entity': 'api_key', ...(filter.userId === undefined ? {} : { ':user': filter.userId }) },
      });
      return items.flatMap((item) => apiKeyFromItem(item) ?? []).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },

    /** Marks the key revoked (keeping the first revocation time): two key lookups, no scan. Undefined when unknown. */
    async revoke(keyId: string, now: Date): Promise<ApiKeyRecord | undefined> {
      const pointer = await client.send(new GetCommand({ TableName: tableName, Key: keys.apiKeyId(keyId), ConsistentRead: true }));
      const hash = pointer.Item?.hash;
      if (typeof hash !== 'string') return undefined;
      try {
        const output = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.apiKey(hash),
            UpdateExpression: 'SET revoked_at = if_not_exists(revoked_at, :now)',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':now': now.toISOString() },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return output.Attributes ? apiKeyFromItem(output.Attributes) : undefined;
      } catch (error) {
        if (failedConditions(error).length > 0) return undefined;
        throw error;
      }
    },
  };
}
