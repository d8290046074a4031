import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RateLimitConfig } from '../config/rate-limit-config.ts';
import type { RateLimiter } from '../ports/rate-limiter.ts';
import { translateDynamoError } from './dynamo-errors.ts';
import { keys } from './keys.ts';
import { tableDefinition } from './table-definition.ts';

/**
 * Fixed-window counters: one item per user and window (`RATELIMIT#<user>` / `<window start>`),
 * incremented atomically by one UpdateItem per request, deleted by TTL after the window.
 * A window is shared by all of a user's credentials.
 */
export function createRateLimitCounter(client: DynamoDBDocumentClient, tableName: string, config: RateLimitConfig): RateLimiter {
  return {
    async hit(userId, now) {
      const nowSeconds = Math.floor(now.getTime() / 1000);
      const windowStart = nowSeconds - (nowSeconds % config.windowSeconds);
      const output = await client
        .send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.rateLimitWindow(userId, windowStart),
            UpdateExpression: 'ADD #count :one SET #ttl = if_not_exists(#ttl, :ttl), entity = :entity',
            ExpressionAttributeNames: { '#count': 'request_count', '#ttl': tableDefinition.timeToLiveAttribute },
            // Kept a little past the window: TTL deletion is lazy, and an expired item must never be counted.
            ExpressionAttributeValues: { ':one': 1, ':ttl': windowStart + config.windowSeconds + 60, ':entity': 'rate_limit' },
            ReturnValues: 'UPDATED_NEW',
          }),
        )
        .catch(translateDynamoError);
      const count = Number(output.Attributes?.request_count ?? 1);
      return {
        limit: config.perWindow,
        remaining: Math.max(0, config.perWindow - count),
        resetSeconds: Math.max(1, windowStart + config.windowSeconds - nowSeconds),
        limited: count > config.perWindow,
      };
    },
  };
}
