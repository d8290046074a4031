import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { translateDynamoError } from './dynamo-errors.ts';

/** Every item a Query matches, page after page; a throttled or unreachable DynamoDB is DependencyUnavailableError. */
export async function queryAll(client: DynamoDBDocumentClient, input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  await queryEachPage(client, input, (page) => items.push(...page));
  return items;
}

/** Every item a Query matches, handed to `onPage` a page at a time: a caller that keeps only what it makes of them holds one page of raw items at most. */
export async function queryEachPage(client: DynamoDBDocumentClient, input: Omit<QueryCommandInput, 'ExclusiveStartKey'>, onPage: (items: Record<string, unknown>[]) => void): Promise<void> {
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey })).catch(translateDynamoError);
    onPage(page.Items ?? []);
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}
