import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord } from '../auth/api-keys.ts';
import type { ApiKeyStore } from '../auth/personal-access-tokens.ts';
import { failedConditions, isTransactionConflict, translateDynamoError } from './dynamo-errors.ts';
import { apiKeyFromItem, apiKeyToItem } from './item-mappers.ts';
import { keys } from './keys.ts';

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

  return {
    async listByUser(userId) {
      const output = await client
        .send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :keys)',
            ExpressionAttributeValues: { ':pk': keys.userApiKeys(userId).pk, ':keys': keys.userApiKeyPrefix },
            ConsistentRead: true,
          }),
        )
        .catch(translateDynamoError);
      const items = output.Items ?? [];
      const revision = Number(items.find((item) => item.sk === keys.userApiKeys(userId).sk)?.revision ?? 0);
      const records = items.filter((item) => item.entity === 'user_api_key').flatMap((item) => fromUserCopy(item) ?? []);
      return { records: records.sort((a, b) => a.createdAt.localeCompare(b.createdAt)), revision };
    },

    async insert(record, expectedRevision) {
      const counter = keys.userApiKeys(record.userId);
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName, Item: apiKeyToItem(record), ConditionExpression: 'attribute_not_exists(pk)' } },
              { Put: { TableName: tableName, Item: { ...keys.apiKeyId(record.keyId), entity: 'api_key_id', hash: record.hash, user_id: record.userId } } },
              { Put: { TableName: tableName, Item: userCopy(record) } },
              {
                Update: {
                  TableName: tableName,
                  Key: counter,
                  UpdateExpression: 'SET entity = :entity ADD revision :one',
                  // Unless bootstrapping (the admin CLI, a seed): the user's keys are still as counted.
                  ...(expectedRevision === undefined ? {} : { ConditionExpression: expectedRevision === 0 ? 'attribute_not_exists(revision)' : 'revision = :expected' }),
                  ExpressionAttributeValues: { ':entity': 'user_api_keys', ':one': 1, ...(expectedRevision ? { ':expected': expectedRevision } : {}) },
                },
              },
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
            TransactItems: [
              { Put: { TableName: tableName, Item: userCopy(record), ConditionExpression: 'attribute_not_exists(pk)' } },
              { Update: { TableName: tableName, Key: keys.userApiKeys(record.userId), UpdateExpression: 'SET entity = :entity ADD revision :one', ExpressionAttributeValues: { ':entity': 'user_api_keys', ':one': 1 } } },
            ],
          }),
        )
        .catch((error: unknown) => {
          if (failedConditions(error).includes(0)) return;
          return translateDynamoError(error);
        });
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
      const revoke = (key: { pk: string; sk: string }) => ({
        Update: { TableName: tableName, Key: key, UpdateExpression: 'SET revoked_at = if_not_exists(revoked_at, :now)', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':now': revokedAt } },
      });
      const counted = { Update: { TableName: tableName, Key: keys.userApiKeys(record.userId), UpdateExpression: 'SET entity = :entity ADD revision :one', ExpressionAttributeValues: { ':entity': 'user_api_keys', ':one': 1 } } };
      const attempt = (withUserCopy: boolean) => client.send(new TransactWriteCommand({ TransactItems: [revoke(keys.apiKey(record.hash)), counted, ...(withUserCopy ? [revoke(keys.userApiKey(record.userId, record.keyId))] : [])] }));
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
