import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord } from '../auth/api-keys.ts';
import { translateDynamoError } from './dynamo-errors.ts';
import { keys } from './keys.ts';
import { scanAll } from './table-admin.ts';

const toItem = (record: ApiKeyRecord) => ({
  ...keys.apiKey(record.hash),
  entity: 'api_key',
  key_id: record.keyId,
  user_id: record.userId,
  name: record.name,
  scopes: record.scopes,
  display_prefix: record.displayPrefix,
  created_at: record.createdAt,
  revoked_at: record.revokedAt,
  expires_at: record.expiresAt,
});

const fromItem = (item: Record<string, unknown>): ApiKeyRecord => ({
  keyId: String(item.key_id),
  hash: String(item.pk).slice('APIKEY#'.length),
  userId: Number(item.user_id),
  name: String(item.name),
  scopes: Array.isArray(item.scopes) ? item.scopes.map(String) : [],
  displayPrefix: String(item.display_prefix),
  createdAt: String(item.created_at),
  revokedAt: typeof item.revoked_at === 'string' ? item.revoked_at : null,
  expiresAt: typeof item.expires_at === 'string' ? item.expires_at : null,
});

export type ApiKeyRepository = ReturnType<typeof createApiKeyRepository>;

export function createApiKeyRepository(client: DynamoDBDocumentClient, tableName: string) {
  /** For the admin CLI only (a scan: key counts are small and this is no request path). */
  async function list(filter: { userId?: number } = {}): Promise<ApiKeyRecord[]> {

    const items = await scanAll(client, tableName, {
      FilterExpression: filter.userId === undefined ? 'entity = :entity' : 'entity = :entity AND user_id = :user',
      ExpressionAttributeValues: { ':entity': 'api_key', ...(filter.userId === undefined ? {} : { ':user': filter.userId }) },
    });
    return items.map(fromItem).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  return {
    /** One GetItem, keyed by the hash: the plaintext never leaves the authorizer. */
    async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
      const output = await client
        .send(new GetCommand({ TableName: tableName, Key: keys.apiKey(hash), ConsistentRead: true }))
        .catch(translateDynamoError);
      return output.Item ? fromItem(output.Item) : undefined;
    },

    /** Upsert: seeding the same key twice is harmless. */
    async save(record: ApiKeyRecord): Promise<void> {
      await client.send(new PutCommand({ TableName: tableName, Item: toItem(record) }));
    },

    list,

    /** Marks the key revoked (keeping the first revocation time); undefined when unknown. */
    async revoke(keyId: string, now: Date): Promise<ApiKeyRecord | undefined> {
      const record = (await list()).find((candidate) => candidate.keyId === keyId);
      if (!record || record.revokedAt) return record;
      const output = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.apiKey(record.hash),
          UpdateExpression: 'SET revoked_at = :now',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':now': now.toISOString() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return output.Attributes ? fromItem(output.Attributes) : undefined;
    },
  };
}
