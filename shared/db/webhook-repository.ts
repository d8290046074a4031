import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { WebhookRepository } from '../webhooks/model.ts';
import { translateDynamoError } from './dynamo-errors.ts';
import { webhookFromItem, webhookToItem } from './item-mappers.ts';
import { keys } from './keys.ts';

/**
 * Webhook subscriptions, one item each under their workspace, and a per-workspace counter
 * changed in the same transaction as the webhook itself, so that the limit holds under
 * concurrent creations.
 */
export function createWebhookRepository(client: DynamoDBDocumentClient, tableName: string): WebhookRepository {
  const conditionFailedAt = (error: unknown, index: number) =>
    error instanceof TransactionCanceledException && error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';

  return {
    async create(subscription, max) {
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: keys.webhookCounter(subscription.workspaceId),
                  UpdateExpression: 'SET webhook_count = if_not_exists(webhook_count, :zero) + :one, entity = :entity',
                  ConditionExpression: 'attribute_not_exists(webhook_count) OR webhook_count < :max',
                  ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':max': max, ':entity': 'webhook_counter' },
                },
              },
              { Put: { TableName: tableName, Item: webhookToItem(subscription), ConditionExpression: 'attribute_not_exists(pk)' } },
            ],
          }),
        );
        return 'created';
      } catch (error) {
        if (conditionFailedAt(error, 0)) return 'limit_reached';
        return translateDynamoError(error);
      }
    },

    async list(workspaceId) {
      const items: Record<string, unknown>[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await client
          .send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
              ExpressionAttributeValues: { ':pk': keys.webhookCounter(workspaceId).pk, ':prefix': keys.webhookSkPrefix },
              ConsistentRead: true,
              ExclusiveStartKey,
            }),
          )
          .catch(translateDynamoError);
        items.push(...(page.Items ?? []));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return items.map(webhookFromItem).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    },

    async get(workspaceId, id) {
      const output = await client.send(new GetCommand({ TableName: tableName, Key: keys.webhook(workspaceId, id), ConsistentRead: true })).catch(translateDynamoError);
      return output.Item ? webhookFromItem(output.Item) : undefined;
    },

    async delete(workspaceId, id) {
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Delete: { TableName: tableName, Key: keys.webhook(workspaceId, id), ConditionExpression: 'attribute_exists(pk)' } },
              { Update: { TableName: tableName, Key: keys.webhookCounter(workspaceId), UpdateExpression: 'ADD webhook_count :minusOne', ExpressionAttributeValues: { ':minusOne': -1 } } },
            ],
          }),
        );
        return 'deleted';
      } catch (error) {
        if (conditionFailedAt(error, 0)) return 'not_found';
        return translateDynamoError(error);
      }
    },
  };
}
