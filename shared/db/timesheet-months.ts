import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TimesheetMonth, TimesheetRecord } from '../tracking/timesheet-periods.ts';
import { nullableNumber, nullableString } from './item-mappers.ts';
import { keys } from './keys.ts';
import { queryAll } from './query-all.ts';

/** A member's timesheet month as stored (keys.timesheetMonth; docs/timesheets.md): read by the timesheets and by the reports' `approval` filter. */

type Item = Record<string, unknown>;

const RECORD_PREFIX = 'p_';
export const recordAttribute = (periodKey: string) => `${RECORD_PREFIX}${periodKey.replaceAll('-', '')}`;

function recordFromAttribute(value: Item): TimesheetRecord {
  const approved = value.approved as Item | null | undefined;
  return {
    status: value.status as TimesheetRecord['status'],
    revision: Number(value.revision),
    submittedAt: nullableString(value.submitted_at),
    submittedBy: nullableNumber(value.submitted_by),
    decidedAt: nullableString(value.decided_at),
    decidedBy: nullableNumber(value.decided_by),
    reason: nullableString(value.reason),
    approved: approved
      ? {
          totalSeconds: Number(approved.total_seconds),
          billableSeconds: Number(approved.billable_seconds),
          amounts: JSON.parse(String(approved.amounts)),
          days: JSON.parse(String(approved.days)),
          entries: Number(approved.entries),
        }
      : null,
  };
}

export const recordToAttribute = (record: TimesheetRecord) => ({
  status: record.status,
  revision: record.revision,
  submitted_at: record.submittedAt,
  submitted_by: record.submittedBy,
  decided_at: record.decidedAt,
  decided_by: record.decidedBy,
  reason: record.reason,
  // Amounts and days as JSON text: an empty list is no value a DynamoDB stream reader can read back.
  approved: record.approved
    ? {
        total_seconds: record.approved.totalSeconds,
        billable_seconds: record.approved.billableSeconds,
        amounts: JSON.stringify(record.approved.amounts),
        days: JSON.stringify(record.approved.days),
        entries: record.approved.entries,
      }
    : null,
});

/** A stored month (absent: nothing written or locked yet, every period open). */
export function timesheetMonthFromItem(month: string, item: Item | undefined): TimesheetMonth {
  const dayWrites: Record<string, number> = {};
  const dayLocks: Record<string, number> = {};
  const records: Record<string, TimesheetRecord> = {};
  for (const [name, value] of Object.entries(item ?? {})) {
    if (/^w_\d{2}$/.test(name)) dayWrites[`${month}-${name.slice(2)}`] = Number(value);
    else if (/^l_\d{2}$/.test(name)) dayLocks[`${month}-${name.slice(2)}`] = Number(value);
    else if (name.startsWith(RECORD_PREFIX) && typeof value === 'object' && value !== null) {
      const digits = name.slice(RECORD_PREFIX.length);
      const key = `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}_${digits.slice(9, 13)}-${digits.slice(13, 15)}-${digits.slice(15, 17)}`;
      records[key] = recordFromAttribute(value as Item);
    }
  }
  return { month, dayWrites, dayLocks, records };
}

/** Every member's timesheet months of the workspace, by member: one strongly consistent Query per month. */
export async function queryTimesheetMonths(client: DynamoDBDocumentClient, tableName: string, workspaceId: number, months: readonly string[]): Promise<Map<number, TimesheetMonth[]>> {
  const perMonth = await Promise.all(
    months.map(async (month) => ({
      month,
      items: await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.timesheetMonthPk(workspaceId, month) },
        ConsistentRead: true,
      }),
    })),
  );
  const byUser = new Map<number, TimesheetMonth[]>();
  for (const { month, items } of perMonth) for (const item of items) byUser.set(Number(item.user_id), [...(byUser.get(Number(item.user_id)) ?? []), timesheetMonthFromItem(month, item)]);
  return byUser;
}
