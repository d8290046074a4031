import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord } from '../shared/auth/api-keys.ts';
import { createApiKeyRepository } from '../shared/db/api-key-repository.ts';
import { apiKeyFromItem } from '../shared/db/item-mappers.ts';
import { scanAll } from './table-admin.ts';

/**
 * API keys from the CLI, `npm start`'s seed and tests: stored by the same repository the
 * API's personal access tokens use (shared/db/api-key-repository.ts); listing every user's
 * keys (a scan) is admin only. The authorizer only looks keys up (shared/db/api-key-lookup.ts).
 */
export function createApiKeyAdmin(client: DynamoDBDocumentClient, tableName: string) {
  const store = createApiKeyRepository(client, tableName);
  return {
    /** The API's own key store: creating a key from the CLI is `createPersonalAccessToken` (shared/auth), as over the API. */
    store,

    /**
     * Inserts a key (a seed's), unless it exists: an existing key (maybe revoked) is never
     * changed. Returns whether it was inserted.
     */
    async insert(record: ApiKeyRecord): Promise<'inserted' | 'exists'> {
      const inserted = await store.insert(record, undefined);
      if (inserted === 'conflict') throw new Error('unexpected conflict inserting an API key');
      return inserted;
    },

    /** Every key, oldest first (a scan: key counts are small and this is no request path). */
    async list(filter: { userId?: number } = {}): Promise<ApiKeyRecord[]> {
      const items = await scanAll(client, tableName, {
        FilterExpression: filter.userId === undefined ? 'entity = :entity' : 'entity = :entity AND user_id = :user',
        ExpressionAttributeValues: { ':entity': 'api_key', ...(filter.userId === undefined ? {} : { ':user': filter.userId }) },
      });
      return items.flatMap((item) => apiKeyFromItem(item) ?? []).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },

    /**
     * Gives every key stored before users had their own copies its copy (keys made by the
     * CLI or a seed of an older version): they are then listed by `GET /api-keys` and count
     * towards the limit. Idempotent. Returns how many keys it looked at.
     */
    async index(): Promise<number> {
      const records = await this.list();
      for (const record of records) await store.indexForUser(record);
      return records.length;
    },

    /** Marks the key revoked (keeping the first revocation time), whoever's it is. Undefined when unknown. */
    async revoke(keyId: string, now: Date): Promise<ApiKeyRecord | undefined> {
      const record = await store.findById(keyId);
      return record ? store.revoke(record, now) : undefined;
    },
  };
}
