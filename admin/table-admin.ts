import { CreateTableCommand, DescribeTableCommand, ResourceInUseException, ResourceNotFoundException, UpdateTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll } from '../shared/db/batch-write.ts';
import { changeFeedIndexInput, createTableInput, tableDefinition } from '../shared/db/table-definition.ts';

/** Creates the table from the shared definition unless it exists (local runtime and tests). */
export async function ensureTable(client: DynamoDBDocumentClient, tableName: string): Promise<'created' | 'exists'> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    // A table made before the webhooks: give it the stream they read.
    if (!Table?.StreamSpecification?.StreamEnabled) {
      await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: true, StreamViewType: tableDefinition.streamViewType } }));
    }
    // A table made before the change feed: give it the feed's index (its older changes need `npm run admin -- backfill-change-feed`).
    if (!Table?.GlobalSecondaryIndexes?.some((index) => index.IndexName === tableDefinition.changeFeedIndex.name)) {
      const { changeFeedIndex } = tableDefinition;
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [
            { AttributeName: changeFeedIndex.partitionKey.name, AttributeType: changeFeedIndex.partitionKey.type },
            { AttributeName: changeFeedIndex.sortKey.name, AttributeType: changeFeedIndex.sortKey.type },
          ],
          GlobalSecondaryIndexUpdates: [{ Create: changeFeedIndexInput() }],
        }),
      );
    }
    return 'exists';
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (error) {
    if (error instanceof ResourceInUseException) return 'exists';
    throw error;
  }
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true },
    }),
  );
  return 'created';
}

/** Upserts items 25 at a time, retrying what DynamoDB leaves unprocessed. */
export async function putItems(client: DynamoDBDocumentClient, tableName: string, items: Record<string, unknown>[]): Promise<void> {
  // An admin tool waits longer for unprocessed items than a request would.
  await batchWriteAll(
    client,
    tableName,
    items.map((Item) => ({ PutRequest: { Item } })),
    { unprocessedRetries: 8 },
  );
}

/** Every item of the table, strongly consistent: for tests, benchmarks and admin tools only. */
export async function scanAll(client: DynamoDBDocumentClient, tableName: string, filter?: Pick<ConstructorParameters<typeof ScanCommand>[0], 'FilterExpression' | 'ExpressionAttributeValues'>) {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey, ...filter }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}
