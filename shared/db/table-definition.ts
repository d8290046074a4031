import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The one table of the service (docs/data-model.md). The CDK stack and the local runtime both build
 * the table from this definition, so that they can never disagree on keys.
 */
export const tableDefinition = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  /** Epoch seconds after which DynamoDB may delete the item (idempotency records). */
  timeToLiveAttribute: 'ttl',
  billingMode: 'PAY_PER_REQUEST',
  /** The stream the webhooks read: new trackers and new time entries (docs/webhooks.md). */
  streamViewType: 'NEW_IMAGE',
  /**
   * The change feed's index (docs/change-feed.md): the entry versions and directory changes
   * carry `feed_pk` (their workspace) and `feed_sk` (their place in it); nothing else does, so
   * the index holds exactly the feed. All attributes are projected: a page is one Query.
   */
  changeFeedIndex: { name: 'changes', partitionKey: { name: 'feed_pk', type: 'S' }, sortKey: { name: 'feed_sk', type: 'S' } },
} as const;

/** The change feed index as CreateTable and UpdateTable spell it. */
export function changeFeedIndexInput() {
  const { name, partitionKey, sortKey } = tableDefinition.changeFeedIndex;
  return {
    IndexName: name,
    KeySchema: [
      { AttributeName: partitionKey.name, KeyType: 'HASH' as const },
      { AttributeName: sortKey.name, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  };
}

export function createTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, billingMode, streamViewType, changeFeedIndex } = tableDefinition;
  return {
    TableName: tableName,
    BillingMode: billingMode,
    StreamSpecification: { StreamEnabled: true, StreamViewType: streamViewType },
    KeySchema: [
      { AttributeName: partitionKey.name, KeyType: 'HASH' },
      { AttributeName: sortKey.name, KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: partitionKey.name, AttributeType: partitionKey.type },
      { AttributeName: sortKey.name, AttributeType: sortKey.type },
      { AttributeName: changeFeedIndex.partitionKey.name, AttributeType: changeFeedIndex.partitionKey.type },
      { AttributeName: changeFeedIndex.sortKey.name, AttributeType: changeFeedIndex.sortKey.type },
    ],
    GlobalSecondaryIndexes: [changeFeedIndexInput()],
  };
}
