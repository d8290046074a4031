import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ReportEntry } from '../tracking/model.ts';
import type { ReportRepository } from '../tracking/reports.ts';
import { rateHistoryFromText } from '../tracking/rates.ts';
import { batchGetAll, keyString } from './batch-get.ts';
import { reportEntriesFromItem, timeEntryFromItem } from './item-mappers.ts';
import { keys } from './keys.ts';
import { queryAll, queryEachPage } from './query-all.ts';
import { queryTimesheetMonths } from './timesheet-months.ts';

/** BatchGetItem reads at most this many keys a call. */
const BATCH_GET_LIMIT = 100;

/**
 * What the reports read (docs/reports.md "What a report reads"): the workspace's contracts,
 * its members' report months (one partition per workspace and UTC month, an item per
 * member: a month of a thousand members is a few 1 MB pages, not 40,000 reads), and the
 * entries of a detailed page by id. Every read is strongly consistent: a report read after
 * a write's 2xx reflects it.
 */
export function createReportRepository(client: DynamoDBDocumentClient, tableName: string): ReportRepository {
  return {
    async contracts(workspaceId) {
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :contracts)',
        ExpressionAttributeValues: { ':pk': keys.workspace(workspaceId).pk, ':contracts': 'CONTRACT#' },
        ProjectionExpression: 'contract_id, billable, rate_history',
        ConsistentRead: true,
      });
      return items.map((item) => ({ contractId: Number(item.contract_id), billable: item.billable === true, rateHistory: rateHistoryFromText(item.rate_history) }));
    },

    async reportEntries(workspaceId, months) {
      // Each page made into entries as it comes: a month of a thousand members is a few 1 MB pages, never held raw at once.
      const perMonth = await Promise.all(
        months.map(async (month) => {
          const entries: ReportEntry[] = [];
          await queryEachPage(
            client,
            { TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.reportMonthPk(workspaceId, month) }, ConsistentRead: true },
            (items) => {
              for (const item of items) for (const entry of reportEntriesFromItem(item)) entries.push(entry);
            },
          );
          return entries;
        }),
      );
      return perMonth.flat();
    },

    async timesheetMonths(workspaceId, months) {
      return queryTimesheetMonths(client, tableName, workspaceId, months);
    },

    async entriesById(workspaceId, entryIds) {
      const chunks: string[][] = [];
      for (let index = 0; index < entryIds.length; index += BATCH_GET_LIMIT) chunks.push(entryIds.slice(index, index + BATCH_GET_LIMIT));
      const found = await Promise.all(
        chunks.map((chunk) =>
          batchGetAll(
            client,
            tableName,
            chunk.map((entryId) => keys.timeEntryById(entryId)),
          ),
        ),
      );
      const items = new Map(found.flatMap((map) => [...map]));
      return entryIds.flatMap((entryId) => {
        const item = items.get(keyString(keys.timeEntryById(entryId)));
        return item && item.workspace_id === workspaceId ? [timeEntryFromItem(item)] : [];
      });
    },
  };
}
