import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DependencyUnavailableError } from '../errors.ts';
import type { ActiveTracker } from '../tracking/model.ts';
import type { CreateTrackerResult, StartContext, StartContextQuery, TrackingRepository } from '../tracking/ports.ts';
import { contractFromItem, membershipFromItem, taskFromItem, trackerFromItem, trackerToItem } from './item-mappers.ts';
import { keys, type ItemKey } from './keys.ts';
import { translateDynamoError } from './dynamo-errors.ts';

/** Under throttling BatchGetItem may leave keys unprocessed; retry them this many times. */
const UNPROCESSED_RETRIES = 3;

export function createTrackingRepository(client: DynamoDBDocumentClient, tableName: string): TrackingRepository {
  async function batchGet(itemKeys: ItemKey[]): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    // A manager tracking their own time reads one membership twice: BatchGetItem rejects duplicates.
    let pending: ItemKey[] = [...new Map(itemKeys.map((key) => [`${key.pk}|${key.sk}`, key])).values()];
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > UNPROCESSED_RETRIES) throw new DependencyUnavailableError();
      if (attempt > 0) await sleep(25 * 2 ** attempt);
      const output = await client
        .send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }))
        .catch(translateDynamoError);
      for (const item of output.Responses?.[tableName] ?? []) found.set(`${item.pk}|${item.sk}`, item);
      pending = (output.UnprocessedKeys?.[tableName]?.Keys ?? []) as ItemKey[];
    }
    return found;
  }

  return {
    async loadStartContext(query: StartContextQuery): Promise<StartContext> {
      const actorKey = keys.membership(query.workspaceId, query.actorUserId);
      const targetKey = keys.membership(query.workspaceId, query.targetUserId);
      const contractKey = query.contractId === null ? undefined : keys.contract(query.workspaceId, query.contractId);
      const taskKey = query.taskId === null ? undefined : keys.task(query.workspaceId, query.taskId);
      const items = await batchGet([actorKey, targetKey, contractKey, taskKey].filter((key) => key !== undefined));
      const itemAt = (key: ItemKey | undefined) => (key ? items.get(`${key.pk}|${key.sk}`) : undefined);
      const actor = itemAt(actorKey);
      const target = itemAt(targetKey);
      const contract = itemAt(contractKey);
      const task = itemAt(taskKey);
      return {
        actor: actor && membershipFromItem(actor),
        target: target && membershipFromItem(target),
        contract: contract && contractFromItem(contract),
        task: task && taskFromItem(task),
      };
    },

    async createActiveTracker(tracker: ActiveTracker): Promise<CreateTrackerResult> {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: trackerToItem(tracker),
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { created: true };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException && error.Item) {
          return { created: false, existing: trackerFromItem(unmarshall(error.Item)) };
        }
        return translateDynamoError(error);
      }
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
