import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DependencyUnavailableError } from '../errors.ts';
import { translateDynamoError } from './dynamo-errors.ts';
import type { ItemKey } from './keys.ts';

/** Under throttling BatchWriteItem may leave requests unprocessed; retry them this many times. */
const UNPROCESSED_RETRIES = 3;

export type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: ItemKey } };

/**
 * BatchWriteItem of every request, 25 at a time, unprocessed ones retried with a short
 * backoff, then 503 (DependencyUnavailableError): a throttled or unreachable DynamoDB is
 * transient. Each request is idempotent on its own (a put or delete of one whole item).
 */
export async function batchWriteAll(client: DynamoDBDocumentClient, tableName: string, requests: readonly WriteRequest[], options: { unprocessedRetries?: number } = {}): Promise<void> {
  const retries = options.unprocessedRetries ?? UNPROCESSED_RETRIES;
  for (let start = 0; start < requests.length; start += 25) {
    let pending = requests.slice(start, start + 25);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > retries) throw new DependencyUnavailableError();
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
      const output = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending as WriteRequest[] } })).catch(translateDynamoError);
      pending = (output.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
    }
  }
}
