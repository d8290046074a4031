import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { WEBHOOK_LOG_RETENTION_SECONDS, type DeliveryAttempt, type StoredMessage, type WebhookLog, type WebhookMessageType } from '../webhooks/model.ts';
import { batchWriteAll } from './batch-write.ts';
import { translateDynamoError } from './dynamo-errors.ts';
import { keys } from './keys.ts';
import { queryPage } from './page-cursor.ts';

/** Times in sort keys in one format (ISO 8601 in UTC with milliseconds), whatever offset they came with: they sort as times. */
const sortableTime = (time: string) => new Date(time).toISOString();

/** The log's keys of the messages whose events happened in [since, until]: to the end of until's second (the API's times have no milliseconds, the events' may). */
const messageRange = (workspaceId: number, subscriptionId: string, range: { since: string; until: string }) => ({
  first: keys.webhookMessage(workspaceId, subscriptionId, sortableTime(range.since), ''),
  last: keys.webhookMessage(workspaceId, subscriptionId, sortableTime(range.until).replace(/\.\d{3}Z$/, '.999Z'), '~'),
});

const expiresAt = (from: Date) => Math.floor(from.getTime() / 1000) + WEBHOOK_LOG_RETENTION_SECONDS;

const messageFields = (message: StoredMessage, now: Date) => ({
  entity: 'webhook_message',
  workspace_id: message.workspaceId,
  webhook_id: message.subscriptionId,
  message_id: message.messageId,
  event_type: message.type,
  payload: message.payload,
  occurred_at: message.occurredAt,
  ttl: expiresAt(now),
});

const messageFromItem = (item: Record<string, unknown>): StoredMessage => ({
  workspaceId: Number(item.workspace_id),
  subscriptionId: String(item.webhook_id),
  messageId: String(item.message_id),
  type: String(item.event_type) as WebhookMessageType,
  payload: String(item.payload),
  occurredAt: String(item.occurred_at),
});

const attemptFromItem = (item: Record<string, unknown>): DeliveryAttempt => ({
  id: String(item.attempt_id),
  workspaceId: Number(item.workspace_id),
  subscriptionId: String(item.webhook_id),
  messageId: String(item.message_id),
  type: String(item.event_type) as WebhookMessageType,
  attempt: Number(item.attempt),
  statusCode: typeof item.status_code === 'number' ? item.status_code : null,
  error: typeof item.error === 'string' ? item.error : null,
  durationMs: Number(item.duration_ms),
  at: String(item.at),
  nextAttemptAt: typeof item.next_attempt_at === 'string' ? item.next_attempt_at : null,
});

/**
 * A webhook's delivery log in its own partition (docs/data-model.md): each message twice (in
 * event order for replay, by webhook-id for redelivery) and each attempt in time order, all
 * expiring after the retention window. TTL deletion lags, so reads drop what has expired.
 */
export function createWebhookLogRepository(client: DynamoDBDocumentClient, tableName: string): WebhookLog {
  const live = (now: Date) => ({ filter: '#ttl > :now', names: { '#ttl': 'ttl' }, values: { ':now': Math.floor(now.getTime() / 1000) } });

  return {
    async recordMessages(messages, now) {
      await batchWriteAll(
        client,
        tableName,
        messages.flatMap((message) => {
          const fields = messageFields(message, now);
          return [
            { PutRequest: { Item: { ...keys.webhookMessage(message.workspaceId, message.subscriptionId, sortableTime(message.occurredAt), message.messageId), ...fields } } },
            { PutRequest: { Item: { ...keys.webhookMessageById(message.workspaceId, message.subscriptionId, message.messageId), ...fields } } },
          ];
        }),
      );
    },

    async message(workspaceId, subscriptionId, messageId) {
      const output = await client.send(new GetCommand({ TableName: tableName, Key: keys.webhookMessageById(workspaceId, subscriptionId, messageId) })).catch(translateDynamoError);
      return output.Item && Number(output.Item.ttl) > Date.now() / 1000 ? messageFromItem(output.Item) : undefined;
    },

    async countBetween(workspaceId, subscriptionId, range, max) {
      const { first, last } = messageRange(workspaceId, subscriptionId, range);
      let count = 0;
      let lastOccurredAt: string | undefined;
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        // Keys and times only; at most `max` in all (DynamoDB pages at 1 MB before that).
        const page = await client
          .send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
              ExpressionAttributeValues: { ':pk': first.pk, ':first': first.sk, ':last': last.sk },
              ProjectionExpression: 'occurred_at',
              Limit: max - count,
              ExclusiveStartKey,
            }),
          )
          .catch(translateDynamoError);
        count += page.Items?.length ?? 0;
        if (count === max) lastOccurredAt = String(page.Items?.at(-1)?.occurred_at);
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey && count < max);
      return { count, ...(lastOccurredAt ? { lastOccurredAt } : {}) };
    },

    async messagesBetween(workspaceId, subscriptionId, range) {
      const { first, last } = messageRange(workspaceId, subscriptionId, range);
      const output = await client
        .send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
            ExpressionAttributeValues: { ':pk': first.pk, ':first': first.sk, ':last': last.sk },
            Limit: range.limit,
            ...(range.after ? { ExclusiveStartKey: { pk: first.pk, sk: range.after } } : {}),
          }),
        )
        .catch(translateDynamoError);
      const items = output.Items ?? [];
      return { messages: items.map((item) => ({ ...messageFromItem(item), cursor: String(item.sk) })), ...(output.LastEvaluatedKey ? { cursor: String(output.LastEvaluatedKey.sk) } : {}) };
    },

    async recordAttempt(attempt) {
      await client
        .send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...keys.webhookAttempt(attempt.workspaceId, attempt.subscriptionId, sortableTime(attempt.at), attempt.id),
              entity: 'webhook_attempt',
              attempt_id: attempt.id,
              workspace_id: attempt.workspaceId,
              webhook_id: attempt.subscriptionId,
              message_id: attempt.messageId,
              event_type: attempt.type,
              attempt: attempt.attempt,
              status_code: attempt.statusCode,
              error: attempt.error,
              duration_ms: attempt.durationMs,
              at: attempt.at,
              next_attempt_at: attempt.nextAttemptAt,
              ttl: expiresAt(new Date(attempt.at)),
            },
          }),
        )
        .catch(translateDynamoError);
    },

    async attempts(workspaceId, subscriptionId, page, now) {
      // Newest first, from the cursor on: one page and one item more, whatever lies before it.
      const { filter, names, values } = live(now);
      const read = await queryPage(
        client,
        {
          TableName: tableName,
          pk: keys.webhookAttempt(workspaceId, subscriptionId, '', '').pk,
          prefix: keys.webhookAttemptPrefix,
          FilterExpression: filter,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
        },
        page,
      );
      return { attempts: read.items.map(attemptFromItem), nextCursor: read.nextCursor };
    },
  };
}
