import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord } from '../auth/api-keys.ts';
import type { ApiKeyStore } from '../auth/personal-access-tokens.ts';
import { failedConditions, isTransactionConflict, translateDynamoError } from './dynamo-errors.ts';
import { apiKeyFromItem, apiKeyToItem } from './item-mappers.ts';
import { keys } from './keys.ts';
import { queryAll } from './query-all.ts';

/** How long a revoked key's items stay (its list copy, its pointer, what the authorizer reads) before DynamoDB deletes them. */
export const REVOKED_KEY_RETENTION_SECONDS = 30 * 86_400;

/**
 * Where API keys are kept (docs/data-model.md): the item the authorizer reads (keyed by the
 * SHA-256 of the key), a pointer from the key's id to that hash, and the user's own copy
 * (listing a user's keys is one Query), written together. Used by the API's personal access
 * tokens and by the admin CLI and the seed, which bootstrap keys the same way.
 */
export function createApiKeyRepository(client: DynamoDBDocumentClient, tableName: string): ApiKeyStore {
  const userCopy = (record: ApiKeyRecord) => {
    const { pk: _pk, sk: _sk, ...attributes } = apiKeyToItem(record);
    return { ...keys.userApiKey(record.userId, record.keyId), ...attributes, entity: 'user_api_key', hash: record.hash };
  };
  const fromUserCopy = (item: Record<string, unknown>) => apiKeyFromItem({ ...item, pk: keys.apiKey(String(item.hash)).pk });
  /** The user's revision moves with every create and revoke: concurrent creates cannot pass the limit together. */
  const revisionBump = (userId: number, expectedRevision?: number) => ({
    Update: {
      TableName: tableName,
      Key: keys.userApiKeys(userId),
      UpdateExpression: 'SET entity = :entity ADD revision :one',
      ...(expectedRevision === undefined ? {} : { ConditionExpression: expectedRevision === 0 ? 'attribute_not_exists(revision)' : 'revision = :expected' }),
      ExpressionAttributeValues: { ':entity': 'user_api_keys', ':one': 1, ...(expectedRevision ? { ':expected': expectedRevision } : {}) },
    },
  });

  return {
    async listByUser(userId) {
      // Every page: a list cut at 1 MB would hide live keys from the limit and count a stale revision.
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :keys)',
        ExpressionAttributeValues: { ':pk': keys.userApiKeys(userId).pk, ':keys': keys.userApiKeyPrefix },
        ConsistentRead: true,
      });
      const revision = Number(items.find((item) => item.sk === keys.userApiKeys(userId).sk)?.revision ?? 0);
      const records = items.filter((item) => item.entity === 'user_api_key').flatMap((item) => fromUserCopy(item) ?? []);
      return { records: records.sort((a, b) => a.createdAt.localeCompare(b.createdAt)), revision };
    },

    async insert(record, expectedRevision) {
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName, Item: apiKeyToItem(record), ConditionExpression: 'attribute_not_exists(pk)' } },
              { Put: { TableName: tableName, Item: { ...keys.apiKeyId(record.keyId), entity: 'api_key_id', hash: record.hash, user_id: record.userId } } },
              { Put: { TableName: tableName, Item: userCopy(record) } },
              // Unless bootstrapping (the admin CLI, a seed): the user's keys are still as counted.
              revisionBump(record.userId, expectedRevision),
            ],
          }),
        );
        return 'inserted';
      } catch (error) {
        const failed = failedConditions(error);
        if (failed.includes(0)) return 'exists';
        if (failed.length > 0 || isTransactionConflict(error)) return 'conflict';
        return translateDynamoError(error);
      }
    },

    async indexForUser(record) {
      await client
        .send(
          new TransactWriteCommand({
            TransactItems: [{ Put: { TableName: tableName, Item: userCopy(record), ConditionExpression: 'attribute_not_exists(pk)' } }, revisionBump(record.userId)],
          }),
        )
        .catch((error: unknown) => {
          if (failedConditions(error).includes(0)) return;
          return translateDynamoError(error);
        });
    },

    async isMemberAnywhere(userId) {
      const output = await client
        .send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :members)',
            ExpressionAttributeValues: { ':pk': keys.userMembership(userId, 0).pk, ':members': keys.userMembershipPrefix },
            Limit: 1,
            ConsistentRead: true,
          }),
        )
        .catch(translateDynamoError);
      return (output.Items?.length ?? 0) > 0;
    },

    async findForUser(userId, keyId) {
      const output = await client.send(new GetCommand({ TableName: tableName, Key: keys.userApiKey(userId, keyId), ConsistentRead: true })).catch(translateDynamoError);
      return output.Item ? fromUserCopy(output.Item) : undefined;
    },

    async findById(keyId) {
      const pointer = await client.send(new GetCommand({ TableName: tableName, Key: keys.apiKeyId(keyId), ConsistentRead: true })).catch(translateDynamoError);
      const hash = pointer.Item?.hash;
      if (typeof hash !== 'string') return undefined;
      const output = await client.send(new GetCommand({ TableName: tableName, Key: keys.apiKey(hash), ConsistentRead: true })).catch(translateDynamoError);
      return output.Item ? apiKeyFromItem(output.Item) : undefined;
    },

    async revoke(record, now) {
      const revokedAt = now.toISOString();
      // Revoked items go after a while (TTL): a user's list must not grow with every key they ever revoked. Until then the
      // authorizer refuses the key as revoked; afterwards as unknown.
      const expires = Math.floor(now.getTime() / 1000) + REVOKED_KEY_RETENTION_SECONDS;
      const revoke = (key: { pk: string; sk: string }) => ({
        Update: {
          TableName: tableName,
          Key: key,
          UpdateExpression: 'SET revoked_at = if_not_exists(revoked_at, :now), #ttl = if_not_exists(#ttl, :ttl)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':now': revokedAt, ':ttl': expires },
        },
      });
      const pointerGoes = {
        Update: {
          TableName: tableName,
          Key: keys.apiKeyId(record.keyId),
          UpdateExpression: 'SET #ttl = if_not_exists(#ttl, :ttl)',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':ttl': expires },
        },
      };
      const attempt = (withUserCopy: boolean) =>
        client.send(
          new TransactWriteCommand({
            TransactItems: [revoke(keys.apiKey(record.hash)), revisionBump(record.userId), ...(withUserCopy ? [revoke(keys.userApiKey(record.userId, record.keyId)), pointerGoes] : [])],
          }),
        );
      try {
        await attempt(true).catch((error: unknown) => {
          // A key created before users had their own copies has none: its own item alone, then.
          const failed = failedConditions(error);
          if (failed.length === 1 && failed[0] === 2) return attempt(false);
          throw error;
        });
        return { ...record, revokedAt: record.revokedAt ?? revokedAt };
      } catch (error) {
        if (failedConditions(error).length > 0) return undefined;
        return translateDynamoError(error);
      }
    },
  };
}
