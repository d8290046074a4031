import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const WRITES = new Set(['PutItemCommand', 'DeleteItemCommand', 'UpdateItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand']);

/**
 * Records every write that DynamoDB *accepted* (a write refused by its condition does not
 * count), so that a test can say "this 4xx stored nothing".
 */
export function recordAcceptedWrites(client: DynamoDBDocumentClient) {
  const accepted: string[] = [];
  const name = `accepted-writes-${Math.random()}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (WRITES.has(String(context.commandName))) accepted.push(String(context.commandName));
      return result;
    },
    { step: 'initialize', name },
  );
  return {
    take: () => accepted.splice(0, accepted.length),
    remove: () => client.middlewareStack.remove(name),
  };
}
