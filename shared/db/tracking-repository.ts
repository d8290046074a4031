import { PutCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ActiveTracker, TimeEntry, TimeEntryVersion, TimelineSlot, WorkspaceSettings } from '../tracking/model.ts';
import type { CreateTrackerResult, EntryPosition, TimeEntryWrite, TrackingRepository, WorkspaceContext, WorkspaceContextQuery } from '../tracking/ports.ts';
import {
  activeMarkToItem,
  contractFromItem,
  dayCountsFromItem,
  membershipFromItem,
  taskFromItem,
  timeEntryByIdToItem,
  timeEntryFromItem,
  timeEntryToItem,
  timeEntryVersionFromItem,
  timeEntryVersionToItem,
  timelineSlotFromItem,
  trackerFromItem,
  trackerToItem,
  workspaceSettingsFromItem,
  workspaceSettingsToItem,
  archivedProjectsFromItem,
} from './item-mappers.ts';
import { keys, type ItemKey } from './keys.ts';
import { failedConditions, isUnavailable, translateDynamoError } from './dynamo-errors.ts';
import { queryAll } from './query-all.ts';
import { appendItems, dayCountWrites, reportMonthWrites, timelineWrites, timesheetDayWrites } from './timeline-writes.ts';
import { batchGetAll, keyString } from './batch-get.ts';
import { queryPage } from './page-cursor.ts';
import { timeRequestWrites } from './time-request-repository.ts';

export function createTrackingRepository(client: DynamoDBDocumentClient, tableName: string): TrackingRepository {
  // A manager tracking their own time reads one membership twice: batchGetAll reads it once.
  const batchGet = (itemKeys: ItemKey[]) => batchGetAll(client, tableName, itemKeys);

  /** The target's tracker is still what the overlap rule saw of it in this workspace. */
  function trackerCondition(workspaceId: number, userId: number, seen: ActiveTracker | undefined) {
    const sameWorkspace = seen?.workspaceId === workspaceId;
    return {
      ConditionCheck: {
        TableName: tableName,
        Key: keys.activeTracker(userId),
        ConditionExpression: `attribute_not_exists(pk) OR workspace_id <> :ws${sameWorkspace ? ' OR tracker_id = :tracker' : ''}`,
        ExpressionAttributeValues: { ':ws': workspaceId, ...(sameWorkspace ? { ':tracker': seen.trackerId } : {}) },
      },
    };
  }

  /**
   * After a write whose outcome is unknown (its answer timed out or was lost on every attempt,
   * or DynamoDB failed it with a 5xx), one consistent read of the item it writes tells
   * whether it applied: the item is there and carries this operation's id. A cancelled
   * transaction or a throttled write applied nothing, so it needs no read.
   */
  async function appliedDespite(error: unknown, key: ItemKey, operationId: string): Promise<boolean> {
    if (!isUnavailable(error) || error instanceof TransactionCanceledException) return false;
    try {
      return (await batchGet([key])).get(keyString(key))?.request_id === operationId;
    } catch {
      return false;
    }
  }

  return {
    async loadContext(query: WorkspaceContextQuery): Promise<WorkspaceContext> {
      const slots = query.slots ?? [];
      const wanted = {
        actor: keys.membership(query.workspaceId, query.actorUserId),
        target: keys.membership(query.workspaceId, query.targetUserId),
        contract: query.contractId == null ? undefined : keys.contract(query.workspaceId, query.contractId),
        task: query.taskId == null ? undefined : keys.task(query.workspaceId, query.taskId),
        tracker: query.withTracker ? keys.activeTracker(query.targetUserId) : undefined,
        entry: query.entryId === undefined ? undefined : keys.timeEntryById(query.entryId),
        settings: query.withSettings ? keys.workspaceSettings(query.workspaceId) : undefined,
        // Whether the contract's project is archived: known only once the contract is read, so read with it.
        archived: query.contractId == null ? undefined : keys.archivedProjects(query.workspaceId),
      };
      const slotKeys = slots.map((slot) => keys.timelineSlot(query.workspaceId, query.targetUserId, slot));
      const countKeys = (query.countMonths ?? []).map((month) => keys.entryCounts(query.workspaceId, query.targetUserId, month));
      const items = await batchGet([...Object.values(wanted).filter((key) => key !== undefined), ...slotKeys, ...countKeys]);
      const itemAt = (key: ItemKey | undefined) => (key ? items.get(keyString(key)) : undefined);
      const actor = itemAt(wanted.actor);
      const target = itemAt(wanted.target);
      const contract = itemAt(wanted.contract);
      const task = itemAt(wanted.task);
      const tracker = itemAt(wanted.tracker);
      const entry = itemAt(wanted.entry);
      return {
        actor: actor && membershipFromItem(actor),
        target: target && membershipFromItem(target),
        contract: contract && contractFromItem(contract),
        task: task && taskFromItem(task),
        tracker: tracker && trackerFromItem(tracker),
        timeline: slots.map((slot, index) => timelineSlotFromItem(slot, itemAt(slotKeys[index]))),
        // An id from another workspace is not revealed: it is "not found".
        entry: entry && entry.workspace_id === query.workspaceId ? timeEntryFromItem(entry) : undefined,
        dayCounts: Object.assign({}, ...(query.countMonths ?? []).map((month, index) => dayCountsFromItem(month, itemAt(countKeys[index])))),
        settings: workspaceSettingsFromItem(query.workspaceId, itemAt(wanted.settings)),
        archivedProjects: archivedProjectsFromItem(itemAt(wanted.archived)),
      };
    },

    async createActiveTracker(tracker: ActiveTracker, checked: readonly TimelineSlot[], timesheetDay: string): Promise<CreateTrackerResult> {
      const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
        {
          Put: {
            TableName: tableName,
            Item: trackerToItem(tracker),
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        // Its mark in the workspace, guarded by the tracker's own condition.
        { Put: { TableName: tableName, Item: activeMarkToItem(tracker) } },
        ...timelineWrites(tableName, tracker.workspaceId, tracker.userId, { checked }),
      ];
      // Not into a submitted or approved timesheet's day (docs/timesheets.md).
      const timesheetItems = appendItems(items, timesheetDayWrites(tableName, tracker.workspaceId, tracker.userId, [timesheetDay], { guarded: true }));
      try {
        await client.send(new TransactWriteCommand({ TransactItems: items }));
        return { created: true };
      } catch (error) {
        const failed = failedConditions(error);
        const existing = error instanceof TransactionCanceledException ? error.CancellationReasons?.[0]?.Item : undefined;
        if (failed.includes(0) && existing) return { created: false, existing: trackerFromItem(unmarshall(existing as never)) };
        if (failed.some((index) => timesheetItems.has(index))) return { created: false, timesheetLocked: true };
        if (failed.length > 0) return { created: false, timelineChanged: true };
        if (await appliedDespite(error, keys.activeTracker(tracker.userId), tracker.requestId)) return { created: true };
        return translateDynamoError(error);
      }
    },

    async stopTracker(tracker: ActiveTracker, entry: TimeEntry, version: TimeEntryVersion, operationId: string, timesheetDay: string): Promise<'stopped' | 'gone'> {
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
              { Delete: { TableName: tableName, Key: keys.workspaceActiveTracker(tracker.workspaceId, tracker.userId) } },
              { Put: { TableName: tableName, Item: timeEntryToItem(entry), ConditionExpression: 'attribute_not_exists(pk)' } },
              { Put: { TableName: tableName, Item: timeEntryByIdToItem(entry), ConditionExpression: 'attribute_not_exists(pk)' } },
              {
                Put: {
                  TableName: tableName,
                  // With the tracker's limit, if it had one: the stream tells its auto-stop schedule to go (shared/scheduling/).
                  // With the operation's id: what tells an unknown outcome (or a client's keyed retry) that this stop applied.
                  Item: { ...timeEntryVersionToItem(version), request_id: operationId, ...(tracker.autoStopAt ? { auto_stop_at: tracker.autoStopAt } : {}) },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              // Unconditional: the tracker's own time was never free to take, so the entry overlaps nothing.
              ...timelineWrites(tableName, entry.workspaceId, entry.userId, { add: entry }),
              ...dayCountWrites(tableName, entry.workspaceId, entry.userId, { add: entry }),
              ...reportMonthWrites(tableName, entry.workspaceId, entry.userId, { add: entry }),
              // Never refused: tracked time is never lost (a timesheet cannot have locked its day meanwhile: docs/timesheets.md).
              ...timesheetDayWrites(tableName, entry.workspaceId, entry.userId, [timesheetDay], { guarded: false }),
            ],
          }),
        );
        return 'stopped';
      } catch (error) {
        if (failedConditions(error).length > 0) return 'gone';
        if (await appliedDespite(error, keys.timeEntryVersion(entry.entryId, 1), operationId)) return 'stopped';
        return translateDynamoError(error);
      }
    },

    async writeTimeEntry({ before, after, version, checked, tracker, timesheetDays, request }: TimeEntryWrite): Promise<'written' | 'conflict' | 'timesheet_locked'> {
      const entry = (after ?? before)!;
      const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [];
      const byId = keys.timeEntryById(entry.entryId);
      if (after) {
        items.push({
          Put: {
            TableName: tableName,
            Item: timeEntryByIdToItem(after),
            ...(before ? { ConditionExpression: 'version = :before', ExpressionAttributeValues: { ':before': before.version } } : { ConditionExpression: 'attribute_not_exists(pk)' }),
          },
        });
      } else {
        items.push({ Delete: { TableName: tableName, Key: byId, ConditionExpression: 'version = :before', ExpressionAttributeValues: { ':before': before!.version } } });
      }
      const listed = (value: TimeEntry) => keys.timeEntry(value.workspaceId, value.userId, value.startTime, value.entryId);
      if (before && (!after || listed(before).sk !== listed(after).sk)) items.push({ Delete: { TableName: tableName, Key: listed(before) } });
      if (after) items.push({ Put: { TableName: tableName, Item: timeEntryToItem(after) } });
      items.push({ Put: { TableName: tableName, Item: timeEntryVersionToItem(version), ConditionExpression: 'attribute_not_exists(pk)' } });
      items.push(...timelineWrites(tableName, entry.workspaceId, entry.userId, { add: after, remove: before, checked }));
      items.push(...dayCountWrites(tableName, entry.workspaceId, entry.userId, { add: after, remove: before }));
      items.push(...reportMonthWrites(tableName, entry.workspaceId, entry.userId, { add: after, remove: before }));
      if (tracker.checked) items.push(trackerCondition(entry.workspaceId, entry.userId, tracker.seen));
      const timesheetItems = appendItems(items, timesheetDayWrites(tableName, entry.workspaceId, entry.userId, timesheetDays, { guarded: true }));
      if (request) items.push(...timeRequestWrites(tableName, request.after, request.seenRevision));
      try {
        await client.send(new TransactWriteCommand({ TransactItems: items }));
        return 'written';
      } catch (error) {
        const failed = failedConditions(error);
        if (failed.some((index) => timesheetItems.has(index))) return 'timesheet_locked';
        if (failed.length > 0) return 'conflict';
        return translateDynamoError(error);
      }
    },

    async writeWorkspaceSettings(settings: WorkspaceSettings, expectedVersion: number): Promise<'written' | 'conflict'> {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: workspaceSettingsToItem(settings),
            ...(expectedVersion === 0
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expectedVersion } }),
          }),
        );
        return 'written';
      } catch (error) {
        if (failedConditions(error).length > 0) return 'conflict';
        return translateDynamoError(error);
      }
    },

    async listTimeEntries(workspaceId: number, userId: number, page: { newest: EntryPosition; oldest: EntryPosition; limit: number }): Promise<TimeEntry[]> {
      // Without an id, a bound takes every entry of its second: '~' sorts after any id, the bare prefix before.
      const at = (position: EntryPosition, edge: 'lower' | 'upper') => keys.timeEntry(workspaceId, userId, position.startTime, position.entryId ?? (edge === 'upper' ? '~' : '')).sk;
      // One Query: a page is at most 50 entries past at most one day's (≤ 1000), well under DynamoDB's 1 MB page.
      const output = await client
        .send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lower AND :upper',
            ExpressionAttributeValues: { ':pk': keys.timeEntriesPk(workspaceId, userId), ':lower': at(page.oldest, 'lower'), ':upper': at(page.newest, 'upper') },
            ScanIndexForward: false,
            ConsistentRead: true,
            Limit: page.limit,
          }),
        )
        .catch(translateDynamoError);
      return (output.Items ?? []).map(timeEntryFromItem);
    },

    async listActiveTrackers(workspaceId: number): Promise<ActiveTracker[]> {
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :marks)',
        ExpressionAttributeValues: { ':pk': keys.workspace(workspaceId).pk, ':marks': keys.workspaceActiveTrackerPrefix },
        ConsistentRead: true,
      });
      return items.map(trackerFromItem).sort((a, b) => a.startTime.localeCompare(b.startTime) || a.userId - b.userId);
    },

    async timeEntryHistory(workspaceId: number, entryId: string, page: { cursor?: string; perPage: number }) {
      // Newest first, one page from the cursor on: an entry edited a thousand times costs a page, not its whole history.
      const read = await queryPage(
        client,
        { TableName: tableName, pk: keys.timeEntryById(entryId).pk, prefix: keys.timeEntryVersionPrefix, ScanIndexForward: false, ConsistentRead: true },
        page,
        (item) => item.workspace_id === workspaceId,
      );
      return { versions: read.items.map(timeEntryVersionFromItem), nextCursor: read.nextCursor };
    },
  };
}
