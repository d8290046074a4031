import { DependencyUnavailableError } from '../../shared/errors.ts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateApiKey, newApiKeyRecord } from '../../shared/auth/api-keys.ts';
import { createPersonalAccessToken, listPersonalAccessTokens } from '../../shared/auth/personal-access-tokens.ts';
import { createApiKeyRepository } from '../../shared/db/api-key-repository.ts';
import { batchWriteAll } from '../../shared/db/batch-write.ts';
import { apiKeyToItem, userMembershipToItem } from '../../shared/db/item-mappers.ts';
import { keys } from '../../shared/db/keys.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';

/**
 * A user's keys against DynamoDB Local, past one Query page: DynamoDB answers at most 1 MB
 * a page, and the revision item sorts after every key copy. Read as one page, the live keys
 * past it vanished from the list and the revision read as 0, so every create lost its
 * condition eight times and answered 503.
 */
const USER = 4242;
let table: TestTable;

beforeAll(async () => {
  table = await createTestTable('api-key-store');
}, 30_000);
afterAll(() => table.drop());

describe("a user's keys past one page", () => {
  it('lists every live key and creates one more, with 1.1 MB of revoked copies before them', async () => {
    const now = new Date();
    // Revoked copies as the repository writes them (the user's copy of each key), with long names (written here, not
    // through the API's 100-character limit) so that 900 items pass DynamoDB's 1 MB page.
    const revoked = Array.from({ length: 900 }, (_, index) => {
      const record = { ...newApiKeyRecord(generateApiKey(), { userId: USER, name: `revoked ${index} `.padEnd(1200, '.'), scopes: ['read'], expiresAt: null, now }), revokedAt: now.toISOString() };
      const { pk: _pk, sk: _sk, ...attributes } = apiKeyToItem(record);
      return { PutRequest: { Item: { ...keys.userApiKey(USER, record.keyId), ...attributes, entity: 'user_api_key', hash: record.hash } } };
    });
    // Written four batches at a time, and the user is a member (only members hold keys). Puts are safe to repeat: a lane
    // that met a loaded DynamoDB Local's timeouts (503) is written again.
    const writes = [...revoked, { PutRequest: { Item: { ...keys.userApiKeys(USER), entity: 'user_api_keys', revision: 1800 } } }, { PutRequest: { Item: userMembershipToItem(1, USER) } }];
    const writeLane = async (lane: number, tries = 1): Promise<void> => {
      try {
        await batchWriteAll(
          table.client,
          table.tableName,
          writes.filter((_, index) => index % 4 === lane),
        );
      } catch (error) {
        if (!(error instanceof DependencyUnavailableError) || tries === 3) throw error;
        await writeLane(lane, tries + 1);
      }
    };
    await Promise.all(Array.from({ length: 4 }, (_, lane) => writeLane(lane)));
    const store = createApiKeyRepository(table.client, table.tableName);

    const made = await createPersonalAccessToken(
      { userId: USER, scopes: new Set(['read']) },
      { name: 'after the page', scopes: ['read'], expiresAt: undefined },
      { store, now, generate: generateApiKey, policy: { authMethod: 'jwt', maxLifetimeDays: 90 } },
    );
    expect((await listPersonalAccessTokens(USER, { store })).map((record) => record.keyId)).toEqual([made.record.keyId]);
    expect((await store.listByUser(USER)).revision).toBe(1801);
  }, 60_000);
});
