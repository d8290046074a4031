import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DependencyUnavailableError } from '../errors.ts';
import { translateDynamoError } from './dynamo-errors.ts';
import type { ItemKey } from './keys.ts';

/** Under throttling BatchGetItem may leave keys unprocessed; retry them this many times. */
const UNPROCESSED_RETRIES = 3;

export const keyString = (key: ItemKey) => `${key.pk}|${key.sk}`;

/**
 * One strongly consistent BatchGetItem of `itemKeys` (duplicates read once: BatchGetItem
 * rejects them), unprocessed keys retried with a short backoff, then 503. The items found, by
 * `keyString`.
 */
export async function batchGetAll(client: DynamoDBDocumentClient, tableName: string, itemKeys: readonly ItemKey[]): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  let pending: ItemKey[] = [...new Map(itemKeys.map((key) => [keyString(key), key])).values()];
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > UNPROCESSED_RETRIES) throw new DependencyUnavailableError();
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
    const output = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } })).catch(translateDynamoError);
    for (const item of output.Responses?.[tableName] ?? []) found.set(keyString(item as ItemKey), item);
    pending = (output.UnprocessedKeys?.[tableName]?.Keys ?? []) as ItemKey[];
  }
  return found;
}
