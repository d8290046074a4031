import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { newApiKeyRecord } from '../auth/api-keys.ts';
import { createApiKeyRepository } from './api-key-repository.ts';
import { assertValidSeed, seedToItems } from './seed.ts';
import { putItems } from './table-admin.ts';

/**
 * Validates a seed as a whole (nothing is written if any entry is wrong), then upserts it.
 * API keys in a seed are plaintext demo keys: only their hash is stored.
 */
export async function loadSeed(client: DynamoDBDocumentClient, tableName: string, seed: unknown, now = new Date()) {
  assertValidSeed(seed);
  const items = seedToItems(seed);
  await putItems(client, tableName, items);
  const apiKeys = createApiKeyRepository(client, tableName);
  for (const key of seed.api_keys ?? []) {
    await apiKeys.save(newApiKeyRecord(key.key, { userId: key.user_id, name: key.name, scopes: key.scopes, expiresAt: key.expires_at ?? null, now }));
  }
  return { items: items.length, apiKeys: seed.api_keys?.length ?? 0 };
}
