import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { IdempotencyRecord, IdempotencyScope, IdempotencyStore, StoredResponse } from '../ports/idempotency-store.ts';
import { failedConditions, translateDynamoError } from './dynamo-errors.ts';
import { keys } from './keys.ts';
import { tableDefinition } from './table-definition.ts';

/** How long a key replays its response. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** An attempt that has not finished by then (Lambda timeout 10 s) crashed: its key is free. */
export const IN_PROGRESS_LOCK_SECONDS = 30;

const epoch = (date: Date) => Math.floor(date.getTime() / 1000);
const TTL = tableDefinition.timeToLiveAttribute;

export function createIdempotencyStore(client: DynamoDBDocumentClient, tableName: string): IdempotencyStore {
  const key = (scope: IdempotencyScope) => keys.idempotency(scope.userId, scope.route, scope.key);
  /** Both states of a record share its key, hash and 24-hour expiry. */
  const recordItem = (scope: IdempotencyScope, requestHash: string, now: Date, fields: Record<string, unknown>) => ({
    ...key(scope),
    entity: 'idempotency',
    request_hash: requestHash,
    [TTL]: epoch(now) + IDEMPOTENCY_TTL_SECONDS,
    ...fields,
  });

  return {
    async claim(scope, requestHash, now) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: recordItem(scope, requestHash, now, { status: 'in_progress', locked_until: epoch(now) + IN_PROGRESS_LOCK_SECONDS }),
            // Free: never used, expired (TTL deletion lags up to days), or a crashed attempt.
            ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now OR (#status = :inProgress AND locked_until < :now)',
            ExpressionAttributeNames: { '#ttl': TTL, '#status': 'status' },
            ExpressionAttributeValues: { ':now': epoch(now), ':inProgress': 'in_progress' },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { claimed: true };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException && error.Item) {
          const item = unmarshall(error.Item);
          const record: IdempotencyRecord = {
            status: item.status === 'completed' ? 'completed' : 'in_progress',
            requestHash: String(item.request_hash),
            ...(item.status === 'completed'
              ? {
                  response: {
                    statusCode: Number(item.response_status),
                    body: String(item.response_body),
                    ...(item.response_headers ? { headers: item.response_headers as Record<string, string> } : {}),
                  },
                }
              : {}),
          };
          return { claimed: false, record };
        }
        return translateDynamoError(error);
      }
    },

    async complete(scope, requestHash, response: StoredResponse, now) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: recordItem(scope, requestHash, now, {
            status: 'completed',
            response_status: response.statusCode,
            response_body: response.body,
            ...(response.headers ? { response_headers: response.headers } : {}),
          }),
        }),
      );
    },

    async release(scope) {
      await client
        .send(
          new DeleteCommand({
            TableName: tableName,
            Key: key(scope),
            ConditionExpression: '#status = :inProgress',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':inProgress': 'in_progress' },
          }),
        )
        .catch((error: unknown) => {
          // Already completed (or gone): nothing to release.
          if (failedConditions(error).length === 0) translateDynamoError(error);
        });
    },
  };
}
