import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { failedConditions } from '../shared/db/dynamo-errors.ts';
import { reportEntryAttribute, timeEntryFromItem } from '../shared/db/item-mappers.ts';
import { keys } from '../shared/db/keys.ts';
import { reportMonthWrites } from '../shared/db/timeline-writes.ts';
import { scanAll } from './table-admin.ts';

/**
 * `npm run admin -- backfill-report-months`: entries recorded before report months existed
 * (docs/reports.md "What a report reads") are put in their member's month, each in a
 * transaction conditioned on the entry being still at the version read, so that an edit
 * or a delete racing the backfill is never undone by it (it then wrote the month itself).
 * Safe to run again, and while the API serves: an entry already in its month is left alone.
 */
export async function backfillReportMonths(client: DynamoDBDocumentClient, tableName: string): Promise<{ scanned: number; backfilled: number }> {
  const byId = await scanAll(client, tableName, { FilterExpression: 'entity = :entity', ExpressionAttributeValues: { ':entity': 'time_entry_by_id' } });
  const months = await scanAll(client, tableName, { FilterExpression: 'entity = :entity', ExpressionAttributeValues: { ':entity': 'report_month' } });
  const present = new Set(months.flatMap((item) => Object.keys(item).filter((attribute) => attribute.startsWith('e_'))));
  let backfilled = 0;
  for (const entry of byId.map((item) => timeEntryFromItem(item))) {
    if (present.has(reportEntryAttribute(entry.entryId))) continue;
    try {
      await client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: tableName,
                Key: keys.timeEntryById(entry.entryId),
                ConditionExpression: 'version = :seen',
                ExpressionAttributeValues: { ':seen': entry.version },
              },
            },
            ...reportMonthWrites(tableName, entry.workspaceId, entry.userId, { add: entry }),
          ],
        }),
      );
      backfilled++;
    } catch (error) {
      // Changed or deleted meanwhile: that write kept the month itself.
      if (failedConditions(error).length === 0) throw error;
    }
  }
  return { scanned: byId.length, backfilled };
}
