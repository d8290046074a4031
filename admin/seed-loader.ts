import { readFileSync } from 'node:fs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { hashApiKey, newApiKeyRecord } from '../shared/auth/api-keys.ts';
import { createApiKeyAdmin } from './api-key-admin.ts';
import { rebuildOwnersSet } from './member-index-backfill.ts';
import { assertValidSeed, SeedError, seedToItems, type Seed } from './seed.ts';
import { putItems } from './table-admin.ts';

/** The demo seed ships in the repository: its API keys are public, for local tables only. */
const DEMO_SEED = new URL('../local/demo-seed.json', import.meta.url);

/** SHA-256 of every API key published in the repository (the demo seed's, printed in the README). */
export function publishedApiKeyHashes(): Set<string> {
  const seed = JSON.parse(readFileSync(DEMO_SEED, 'utf8')) as Seed;
  return new Set((seed.api_keys ?? []).map((apiKey) => hashApiKey(apiKey.key)));
}

/** DynamoDB Local, or any DynamoDB on this machine: where published demo keys may live. */
export function isLocalEndpoint(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  const host = new URL(endpoint).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Validates a seed as a whole (nothing is written if any entry is wrong), then loads it:
 * workspace data is upserted; API keys (plaintext in the file, only their hash stored) are
 * inserted if absent and never changed, so a re-run cannot un-revoke a leaked key. A key
 * published in the repository is refused unless the table is on a local endpoint.
 */
export async function loadSeed(client: DynamoDBDocumentClient, tableName: string, seed: unknown, options: { endpoint: string | undefined; now?: Date }) {
  assertValidSeed(seed);
  const apiKeys = seed.api_keys ?? [];
  if (apiKeys.length > 0 && !isLocalEndpoint(options.endpoint)) {
    const published = publishedApiKeyHashes();
    const leaked = apiKeys.filter((apiKey) => published.has(hashApiKey(apiKey.key)));
    if (leaked.length > 0) {
      throw new SeedError(
        `Refusing to install API keys published in this repository (${leaked.map((apiKey) => apiKey.name).join(', ')}) into a table that is not on a local endpoint: anyone could use them. Create keys with \`npm run admin -- api-key create\`.`,
      );
    }
  }
  const items = await writeSeedItems(client, tableName, seed);
  const admin = createApiKeyAdmin(client, tableName);
  let inserted = 0;
  for (const apiKey of apiKeys) {
    const record = newApiKeyRecord(apiKey.key, { userId: apiKey.user_id, name: apiKey.name, scopes: apiKey.scopes, expiresAt: apiKey.expires_at ?? null, now: options.now ?? new Date() });
    if ((await admin.insert(record)) === 'inserted') inserted++;
  }
  return { items: items.length, apiKeys: inserted, apiKeysKept: apiKeys.length - inserted };
}

/** Upserts a seed's workspace data, then the owners sets of its workspaces (the last-owner rule reads them, not the memberships). */
export async function writeSeedItems(client: DynamoDBDocumentClient, tableName: string, seed: Seed): Promise<Record<string, unknown>[]> {
  const items = seedToItems(seed);
  await putItems(client, tableName, items);
  for (const workspaceId of new Set([...(seed.workspaces ?? []).map((workspace) => workspace.id), ...(seed.members ?? []).map((member) => member.workspace_id)]))
    await rebuildOwnersSet(client, tableName, workspaceId);
  return items;
}
