import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DependencyUnavailableError } from '../errors.ts';
import type { ActiveTracker, TimeEntry } from '../tracking/model.ts';
import type { CreateTrackerResult, TrackingRepository, WorkspaceContext, WorkspaceContextQuery } from '../tracking/ports.ts';
import { contractFromItem, membershipFromItem, taskFromItem, timeEntryFromItem, timeEntryToItem, trackerFromItem, trackerToItem } from './item-mappers.ts';
import { keys, type ItemKey } from './keys.ts';
import { failedConditions, translateDynamoError } from './dynamo-errors.ts';
import { queryAll } from './query-all.ts';

/** Under throttling BatchGetItem may leave keys unprocessed; retry them this many times. */
const UNPROCESSED_RETRIES = 3;

const keyString = (key: ItemKey) => `${key.pk}|${key.sk}`;

export function createTrackingRepository(client: DynamoDBDocumentClient, tableName: string): TrackingRepository {
  async function batchGet(itemKeys: ItemKey[]): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    // A manager tracking their own time reads one membership twice: BatchGetItem rejects duplicates.
    let pending: ItemKey[] = [...new Map(itemKeys.map((key) => [keyString(key), key])).values()];
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > UNPROCESSED_RETRIES) throw new DependencyUnavailableError();
      if (attempt > 0) await sleep(25 * 2 ** attempt);
      const output = await client
        .send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }))
        .catch(translateDynamoError);
      for (const item of output.Responses?.[tableName] ?? []) found.set(keyString(item as ItemKey), item);
      pending = (output.UnprocessedKeys?.[tableName]?.Keys ?? []) as ItemKey[];
    }
    return found;
  }

  return {
    async loadContext(query: WorkspaceContextQuery): Promise<WorkspaceContext> {
      const wanted = {
        actor: keys.membership(query.workspaceId, query.actorUserId),
        target: keys.membership(query.workspaceId, query.targetUserId),
        contract: query.contractId == null ? undefined : keys.contract(query.workspaceId, query.contractId),
        task: query.taskId == null ? undefined : keys.task(query.workspaceId, query.taskId),
        tracker: query.withTracker ? keys.activeTracker(query.targetUserId) : undefined,
      };
      const items = await batchGet(Object.values(wanted).filter((key) => key !== undefined));
      const itemAt = (key: ItemKey | undefined) => (key ? items.get(keyString(key)) : undefined);
      const actor = itemAt(wanted.actor);
      const target = itemAt(wanted.target);
      const contract = itemAt(wanted.contract);
      const task = itemAt(wanted.task);
      const tracker = itemAt(wanted.tracker);
      return {
        actor: actor && membershipFromItem(actor),
        target: target && membershipFromItem(target),
        contract: contract && contractFromItem(contract),
        task: task && taskFromItem(task),
        tracker: tracker && trackerFromItem(tracker),
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

    async stopTracker(tracker: ActiveTracker, entry: TimeEntry): Promise<'stopped' | 'gone'> {
      try {
        // The SDK gives the transaction a ClientRequestToken and keeps it across retries,
        // so a retry after a lost answer is not applied twice.
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: tableName,
                  Key: keys.activeTracker(tracker.userId),
                  ConditionExpression: 'tracker_id = :trackerId',
                  ExpressionAttributeValues: { ':trackerId': tracker.trackerId },
                },
              },
              { Put: { TableName: tableName, Item: timeEntryToItem(entry), ConditionExpression: 'attribute_not_exists(pk)' } },
            ],
          }),
        );
        return 'stopped';
      } catch (error) {
        if (failedConditions(error).length > 0) return 'gone';
        return translateDynamoError(error);
      }
    },

    async listTimeEntries(workspaceId: number, userId: number, date: string): Promise<TimeEntry[]> {
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :day)',
        ExpressionAttributeValues: { ':pk': keys.timeEntriesPk(workspaceId, userId), ':day': keys.timeEntryDayPrefix(date) },
        ScanIndexForward: false,
      });
      return items.map(timeEntryFromItem);
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
