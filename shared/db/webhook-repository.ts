import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { WebhookRepository } from '../webhooks/model.ts';
import { failedConditions, translateDynamoError } from './dynamo-errors.ts';
import { webhookFromItem, webhookToItem } from './item-mappers.ts';
import { keys } from './keys.ts';
import { queryAll } from './query-all.ts';

/**
 * Webhook subscriptions, one item each under their workspace, and a per-workspace counter
 * changed in the same transaction as the webhook itself, so that the limit holds under
 * concurrent creations.
 */
export function createWebhookRepository(client: DynamoDBDocumentClient, tableName: string): WebhookRepository {
  /** Updates a webhook that exists; the webhook as it is now, or undefined when there is none. */
  async function updateExisting(workspaceId: number, id: string, update: Pick<UpdateCommandInput, 'UpdateExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>) {
    try {
      const output = await client.send(new UpdateCommand({ TableName: tableName, Key: keys.webhook(workspaceId, id), ConditionExpression: 'attribute_exists(pk)', ReturnValues: 'ALL_NEW', ...update }));
      return output.Attributes ? webhookFromItem(output.Attributes) : undefined;
    } catch (error) {
      if (failedConditions(error).length > 0) return undefined;
      return translateDynamoError(error);
    }
  }

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
        if (failedConditions(error).includes(0)) return 'limit_reached';
        return translateDynamoError(error);
      }
    },

    async list(workspaceId) {
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.webhookCounter(workspaceId).pk, ':prefix': keys.webhookSkPrefix },
        ConsistentRead: true,
      });
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
        if (failedConditions(error).includes(0)) return 'not_found';
        return translateDynamoError(error);
      }
    },

    setStatus: (workspaceId, id, change) =>
      updateExisting(workspaceId, id, {
        // Enabled again, it starts with a clean record: the failing window counts from its next failure.
        UpdateExpression: change.status === 'enabled' ? 'SET #status = :status, disabled_reason = :reason REMOVE failing_since' : 'SET #status = :status, disabled_reason = :reason',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': change.status, ':reason': change.status === 'disabled' ? change.reason : null },
      }),

    rotateSecret: (workspaceId, id, rotation) =>
      updateExisting(workspaceId, id, {
        UpdateExpression: 'SET previous_secret = secret, previous_secret_until = :until, secret = :secret',
        ExpressionAttributeValues: { ':secret': rotation.sealedSecret, ':until': rotation.previousUntil },
      }),

    async setFailing(workspaceId, id, since) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.webhook(workspaceId, id),
            // The first failure since the last delivery is kept: a later failure never moves it.
            ...(since === null
              ? { UpdateExpression: 'REMOVE failing_since', ConditionExpression: 'attribute_exists(pk)' }
              : { UpdateExpression: 'SET failing_since = if_not_exists(failing_since, :since)', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':since': since } }),
          }),
        );
      } catch (error) {
        // The webhook was deleted meanwhile: nothing to record.
        if (failedConditions(error).length > 0) return;
        translateDynamoError(error);
      }
    },
  };
}
