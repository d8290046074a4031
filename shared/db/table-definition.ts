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
} as const;

export function createTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, billingMode, streamViewType } = tableDefinition;
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
    ],
  };
}
