import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ReportEntry } from '../tracking/model.ts';
import { periodKeyOf, type TimesheetRepository, type TimesheetWrite } from '../tracking/timesheets.ts';
import { datesFrom } from '../tracking/time-zones.ts';
import { batchGetAll, keyString } from './batch-get.ts';
import { failedConditions, translateDynamoError } from './dynamo-errors.ts';
import { dayLocksAttribute, membershipFromItem, reportEntriesFromItem, trackerFromItem, workspaceSettingsFromItem } from './item-mappers.ts';
import { keys, type ItemKey } from './keys.ts';
import { queryAll } from './query-all.ts';
import { queryTimesheetMonths, recordAttribute, recordToAttribute, timesheetMonthFromItem } from './timesheet-months.ts';

type Item = Record<string, unknown>;

/** The audit of one status change (its webhook event, its place in the change feed): the timesheet after it, as the domain holds it (JSON text). */
export function timesheetChangeItem(write: TimesheetWrite): Item {
  const { workspaceId, userId, period } = write;
  const timesheetId = `${userId}_${periodKeyOf(period)}`;
  return {
    ...keys.timesheetChange(workspaceId, timesheetId, write.record.revision),
    ...keys.changeFeedAttributes(workspaceId, write.change.at, 'timesheet', timesheetId, write.record.revision),
    entity: 'timesheet_change',
    workspace_id: workspaceId,
    user_id: userId,
    id: timesheetId,
    revision: write.record.revision,
    transition: write.change.transition,
    status: write.record.status,
    at: write.change.at,
    by: write.change.by,
    timesheet: JSON.stringify(write.change.view),
  };
}

/** The timesheets' storage (docs/timesheets.md): a member's months (keys.timesheetMonth), their report months for figures, and each status change's audit. */
export function createTimesheetRepository(client: DynamoDBDocumentClient, tableName: string): TimesheetRepository {
  return {
    async load({ workspaceId, actorUserId, userId, months }) {
      const wanted = {
        actor: keys.membership(workspaceId, actorUserId),
        target: keys.membership(workspaceId, userId),
        settings: keys.workspaceSettings(workspaceId),
        tracker: keys.activeTracker(userId),
      };
      const monthKeys = months.map((month) => keys.timesheetMonth(workspaceId, month, userId));
      const items = await batchGetAll(client, tableName, [...Object.values(wanted), ...monthKeys]);
      const at = (key: ItemKey) => items.get(keyString(key));
      const actor = at(wanted.actor);
      const target = at(wanted.target);
      const tracker = at(wanted.tracker);
      return {
        actor: actor && membershipFromItem(actor),
        target: target && membershipFromItem(target),
        settings: workspaceSettingsFromItem(workspaceId, at(wanted.settings)),
        tracker: tracker && trackerFromItem(tracker),
        months: months.map((month, index) => timesheetMonthFromItem(month, at(monthKeys[index]!))),
      };
    },

    async memberEntries(workspaceId, userId, utcMonths) {
      const monthKeys = utcMonths.map((month) => keys.reportMonth(workspaceId, month, userId));
      const items = await batchGetAll(client, tableName, monthKeys);
      return monthKeys.flatMap((key) => {
        const item = items.get(keyString(key));
        return item ? reportEntriesFromItem(item) : [];
      });
    },

    async workspaceEntries(workspaceId, utcMonths) {
      const perMonth = await Promise.all(
        utcMonths.map((month) =>
          queryAll(client, { TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.reportMonthPk(workspaceId, month) }, ConsistentRead: true }),
        ),
      );
      return perMonth.flat().flatMap(reportEntriesFromItem) as ReportEntry[];
    },

    async workspaceMonths(workspaceId, months) {
      return queryTimesheetMonths(client, tableName, workspaceId, months);
    },

    async members(workspaceId) {
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :members)',
        ExpressionAttributeValues: { ':pk': keys.workspace(workspaceId).pk, ':members': 'MEMBER#' },
        ConsistentRead: true,
      });
      return items.map(membershipFromItem);
    },

    async write(write: TimesheetWrite) {
      const { workspaceId, userId, period } = write;
      const days = datesFrom(period.start, period.end);
      const byMonth = new Map<string, string[]>();
      for (const day of days) byMonth.set(day.slice(0, 7), [...(byMonth.get(day.slice(0, 7)) ?? []), day]);
      const attribute = recordAttribute(periodKeyOf(period));
      const monthUpdates = [...byMonth].map(([month, monthDays]) => {
        const names: Record<string, string> = { '#record': attribute };
        const values: Record<string, unknown> = { ':record': recordToAttribute(write.record), ':entity': 'timesheet_month', ':workspace': workspaceId, ':user': userId };
        const adds: string[] = [];
        if (write.lock !== 0) {
          monthDays.forEach((day, index) => {
            names[`#l${index}`] = dayLocksAttribute(day);
            adds.push(`#l${index} :lock`);
          });
        }
        if (write.lock !== 0) values[':lock'] = write.lock;
        // The record as read: absent (never changed), or at the revision seen.
        const condition = write.seenRevision === 0 ? 'attribute_not_exists(#record)' : '#record.revision = :seen';
        if (write.seenRevision !== 0) values[':seen'] = write.seenRevision;
        return {
          Update: {
            TableName: tableName,
            Key: keys.timesheetMonth(workspaceId, month, userId),
            UpdateExpression: `SET #record = :record, entity = :entity, workspace_id = :workspace, user_id = :user${adds.length ? ` ADD ${adds.join(', ')}` : ''}`,
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          },
        };
      });
      const tracker = write.trackerSeen?.tracker;
      const trackerCheck = write.trackerSeen
        ? [
            {
              ConditionCheck: {
                TableName: tableName,
                Key: keys.activeTracker(userId),
                // No tracker started meanwhile (the one seen, if any, started outside the period).
                ConditionExpression: tracker ? 'tracker_id = :tracker' : 'attribute_not_exists(pk)',
                ...(tracker ? { ExpressionAttributeValues: { ':tracker': tracker.trackerId } } : {}),
              },
            },
          ]
        : [];
      const change = timesheetChangeItem(write);
      try {
        await client.send(
          new TransactWriteCommand({ TransactItems: [...monthUpdates, ...trackerCheck, { Put: { TableName: tableName, Item: change, ConditionExpression: 'attribute_not_exists(pk)' } }] }),
        );
        return 'written';
      } catch (error) {
        if (failedConditions(error).length > 0) return 'conflict';
        return translateDynamoError(error);
      }
    },
  };
}
