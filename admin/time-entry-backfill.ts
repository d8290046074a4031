import { BatchGetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { failedConditions } from '../shared/db/dynamo-errors.ts';
import { activeMarkToItem, timeEntryByIdToItem, timeEntryFromItem, timeEntryToItem, timeEntryVersionToItem, trackerFromItem } from '../shared/db/item-mappers.ts';
import { dayCountWrites, reportMonthWrites, timelineWrites } from '../shared/db/timeline-writes.ts';
import { keys } from '../shared/db/keys.ts';
import { changesBetween } from '../shared/tracking/entry-rules.ts';
import type { TimeEntry } from '../shared/tracking/model.ts';
import { scanAll } from './table-admin.ts';

/**
 * `npm run admin -- backfill-time-entries`: entries recorded by a deployment from before
 * entries had versions (a listed copy only) get what every entry has now, in one
 * transaction each: the by-id copy, their first version (a stopped tracker's, by who
 * stopped it), their spans on the member's timeline and their day's count, and the listed
 * copy rewritten in full, so that they are found by id, listed, summed and taken into
 * account by the overlap rule (docs/data-model.md); and trackers still running from
 * before get their mark in their workspace (who is clocked in). Safe to run
 * again, and while the API serves: an entry that already has its copy is left alone.
 */
export async function backfillTimeEntries(client: DynamoDBDocumentClient, tableName: string): Promise<{ scanned: number; backfilled: number; marked: number }> {
  const marked = await markRunningTrackers(client, tableName);
  const listed = await scanAll(client, tableName, { FilterExpression: 'entity = :entity', ExpressionAttributeValues: { ':entity': 'time_entry' } });
  let backfilled = 0;
  for (let start = 0; start < listed.length; start += 100) {
    const chunk = listed.slice(start, start + 100).map((item) => timeEntryFromItem(item));
    const found = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: chunk.map((entry) => keys.timeEntryById(entry.entryId)), ProjectionExpression: 'pk' } } }));
    const existing = new Set((found.Responses?.[tableName] ?? []).map((item) => String(item.pk)));
    for (const entry of chunk) {
      if (existing.has(keys.timeEntryById(entry.entryId).pk)) continue;
      if (await backfillOne(client, tableName, entry)) backfilled++;
    }
  }
  return { scanned: listed.length, backfilled, marked };
}

/** Trackers started before they had a mark in their workspace get one, so that they show as clocked in. */
async function markRunningTrackers(client: DynamoDBDocumentClient, tableName: string): Promise<number> {
  const trackers = await scanAll(client, tableName, { FilterExpression: 'entity = :entity', ExpressionAttributeValues: { ':entity': 'tracker' } });
  let marked = 0;
  for (const tracker of trackers.map((item) => trackerFromItem(item))) {
    try {
      // Only while that very tracker still runs: a stop meanwhile leaves nothing to mark.
      await client.send(
        new TransactWriteCommand({
          TransactItems: [
            { ConditionCheck: { TableName: tableName, Key: keys.activeTracker(tracker.userId), ConditionExpression: 'tracker_id = :id', ExpressionAttributeValues: { ':id': tracker.trackerId } } },
            { Put: { TableName: tableName, Item: activeMarkToItem(tracker), ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      );
      marked++;
    } catch (error) {
      if (failedConditions(error).length === 0) throw error;
    }
  }
  return marked;
}

async function backfillOne(client: DynamoDBDocumentClient, tableName: string, entry: TimeEntry): Promise<boolean> {
  const version = {
    entryId: entry.entryId,
    workspaceId: entry.workspaceId,
    userId: entry.userId,
    version: entry.version,
    action: 'created' as const,
    at: entry.createdAt,
    by: entry.createdBy,
    changes: changesBetween(undefined, entry),
    entry,
  };
  try {
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tableName, Item: timeEntryByIdToItem(entry), ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: { TableName: tableName, Item: timeEntryVersionToItem(version), ConditionExpression: 'attribute_not_exists(pk)' } },
          // The listed copy rewritten with every attribute an entry has now (source, created_*, version).
          { Put: { TableName: tableName, Item: timeEntryToItem(entry), ConditionExpression: 'attribute_exists(pk)' } },
          ...timelineWrites(tableName, entry.workspaceId, entry.userId, { add: entry }),
          ...dayCountWrites(tableName, entry.workspaceId, entry.userId, { add: entry }),
          ...reportMonthWrites(tableName, entry.workspaceId, entry.userId, { add: entry }),
        ],
      }),
    );
    return true;
  } catch (error) {
    // Backfilled meanwhile (another run): nothing to do.
    if (failedConditions(error).length > 0) return false;
    throw error;
  }
}
