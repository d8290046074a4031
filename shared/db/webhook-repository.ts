import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { WebhookRepository } from '../webhooks/model.ts';
import { failedConditions, translateDynamoError } from './dynamo-errors.ts';
import { webhookFromItem, webhookToItem } from './item-mappers.ts';
import { keys } from './keys.ts';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { queryAll } from './query-all.ts';

/** The item as it was when a condition refused the write (ReturnValuesOnConditionCheckFailure), or undefined when there was none. */
const itemOfFailedCondition = (error: unknown) => {
  const item = (error as { Item?: Record<string, never> }).Item;
  return item ? (unmarshall(item) as Record<string, unknown>) : undefined;
};

/**
 * Webhook subscriptions, one item each under their workspace, and a per-workspace counter
 * changed in the same transaction as the webhook itself, so that the limit holds under
 * concurrent creations.
 */
export function createWebhookRepository(client: DynamoDBDocumentClient, tableName: string): WebhookRepository {
  /**
   * One conditional update of a webhook item: what DynamoDB returned, or, when the condition
   * refused it, the item as it was (`old`, undefined when there was none: with
   * ReturnValuesOnConditionCheckFailure). Any other failure is DynamoDB's (translated: 503).
   */
  async function updateIf(
    workspaceId: number,
    id: string,
    update: Omit<UpdateCommandInput, 'TableName' | 'Key'>,
  ): Promise<{ refused: false; attributes: Record<string, unknown> | undefined } | { refused: true; old: Record<string, unknown> | undefined }> {
    try {
      const output = await client.send(new UpdateCommand({ TableName: tableName, Key: keys.webhook(workspaceId, id), ...update }));
      return { refused: false, attributes: output.Attributes };
    } catch (error) {
      if (failedConditions(error).length === 0) return translateDynamoError(error);
      return { refused: true, old: itemOfFailedCondition(error) };
    }
  }

  /** Updates a webhook that exists; the webhook as it is now, or undefined when there is none. */
  async function updateExisting(workspaceId: number, id: string, update: Pick<UpdateCommandInput, 'UpdateExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>) {
    const result = await updateIf(workspaceId, id, { ConditionExpression: 'attribute_exists(pk)', ReturnValues: 'ALL_NEW', ...update });
    return !result.refused && result.attributes ? webhookFromItem(result.attributes) : undefined;
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

    async claimReplay(workspaceId, id, replay, now) {
      const result = await updateIf(workspaceId, id, {
        UpdateExpression: 'SET replay_id = :id, replay_since = :since, replay_until = :until, replay_lease_until = :lease',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(replay_id) OR replay_lease_until < :now)',
        ExpressionAttributeValues: { ':id': replay.id, ':since': replay.since, ':until': replay.until, ':lease': replay.leaseUntil, ':now': now.toISOString() },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      if (!result.refused) return 'claimed';
      const { old } = result;
      if (!old) return 'not_found';
      return { running: { id: String(old.replay_id), since: String(old.replay_since), until: String(old.replay_until), leaseUntil: String(old.replay_lease_until) } };
    },

    async renewReplay(workspaceId, id, replayId, leaseUntil) {
      const result = await updateIf(workspaceId, id, {
        UpdateExpression: 'SET replay_lease_until = :lease',
        ConditionExpression: 'replay_id = :id',
        ExpressionAttributeValues: { ':id': replayId, ':lease': leaseUntil },
      });
      return !result.refused;
    },

    async endReplay(workspaceId, id, replayId) {
      // Refused: another replay holds the slot by now, or the webhook is gone: nothing of ours to free.
      await updateIf(workspaceId, id, {
        UpdateExpression: 'REMOVE replay_id, replay_since, replay_until, replay_lease_until',
        ConditionExpression: 'replay_id = :id',
        ExpressionAttributeValues: { ':id': replayId },
      });
    },

    async claimTest(workspaceId, id, now, intervalSeconds) {
      const result = await updateIf(workspaceId, id, {
        UpdateExpression: 'SET last_test_at = :now',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(last_test_at) OR last_test_at <= :earliest)',
        ExpressionAttributeValues: { ':now': now.toISOString(), ':earliest': new Date(now.getTime() - intervalSeconds * 1000).toISOString() },
        ReturnValues: 'UPDATED_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      if (!result.refused) return { claimed: typeof result.attributes?.last_test_at === 'string' ? result.attributes.last_test_at : null };
      if (!result.old) return 'not_found';
      return { retryAfterSeconds: Math.max(1, Math.ceil((Date.parse(String(result.old.last_test_at)) + intervalSeconds * 1000 - now.getTime()) / 1000)) };
    },

    async releaseTest(workspaceId, id, claimedAt, previous) {
      // Refused: a later test claimed the slot meanwhile; it is theirs now.
      await updateIf(workspaceId, id, {
        UpdateExpression: previous === null ? 'REMOVE last_test_at' : 'SET last_test_at = :previous',
        ConditionExpression: 'last_test_at = :claimed',
        ExpressionAttributeValues: { ':claimed': claimedAt.toISOString(), ...(previous === null ? {} : { ':previous': previous }) },
      });
    },

    async setFailing(workspaceId, id, since) {
      // Refused: the webhook was deleted meanwhile: nothing to record.
      await updateIf(
        workspaceId,
        id,
        // The first failure since the last delivery is kept: a later failure never moves it.
        since === null
          ? { UpdateExpression: 'REMOVE failing_since', ConditionExpression: 'attribute_exists(pk)' }
          : { UpdateExpression: 'SET failing_since = if_not_exists(failing_since, :since)', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':since': since } },
      );
    },
  };
}
