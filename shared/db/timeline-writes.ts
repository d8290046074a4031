import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { TimeEntry, TimelineSlot } from '../tracking/model.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
import { epochSeconds, slotsOf } from '../tracking/timeline.ts';
import { dayCountAttribute, dayLocksAttribute, dayWritesAttribute, reportEntryAttribute, reportEntryValue, spanAttribute } from './item-mappers.ts';
import { keys } from './keys.ts';

/**
 * The transaction items that keep a member's timeline and day counts with its entries
 * (docs/data-model.md): every entry write, the stop's and the backfill's, adds these to its
 * transaction, so that spans and counts are never out of step with what is listed.
 */
/** The slots of one member's timeline, each Update or ConditionCheck at most once (a transaction names an item once). */
export function timelineWrites(tableName: string, workspaceId: number, userId: number, changes: { add?: TimeEntry; remove?: TimeEntry; checked?: readonly TimelineSlot[] }) {
  type SlotWork = { set?: TimeEntry; remove?: string; condition?: TimelineSlot };
  const work = new Map<string, SlotWork>();
  const at = (slot: string) => {
    const existing = work.get(slot);
    if (existing) return existing;
    const created: SlotWork = {};
    work.set(slot, created);
    return created;
  };
  if (changes.remove) for (const slot of slotsOfEntry(changes.remove)) at(slot).remove = changes.remove.entryId;
  if (changes.add) for (const slot of slotsOfEntry(changes.add)) at(slot).set = changes.add;
  for (const checked of changes.checked ?? []) at(checked.slot).condition = checked;
  return [...work].map(([slot, { set, remove, condition }]) => {
    const Key = keys.timelineSlot(workspaceId, userId, slot);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    let conditionExpression: string | undefined;
    if (condition) {
      if (condition.version === undefined) conditionExpression = 'attribute_not_exists(pk)';
      else {
        conditionExpression = 'version = :seen';
        values[':seen'] = condition.version;
      }
    }
    const setSpan = set !== undefined;
    const removeSpan = remove !== undefined && !(setSpan && set.entryId === remove);
    if (!setSpan && !removeSpan) {
      return { ConditionCheck: { TableName: tableName, Key, ConditionExpression: conditionExpression!, ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}) } };
    }
    const clauses: string[] = [];
    if (setSpan) {
      names['#span'] = spanAttribute(set.entryId);
      values[':span'] = [epochSeconds(set.startTime), epochSeconds(set.endTime)];
      clauses.push('SET #span = :span, entity = :entity');
      values[':entity'] = 'timeline';
    }
    if (removeSpan) {
      names['#old'] = spanAttribute(remove);
      clauses.push('REMOVE #old');
    }
    values[':one'] = 1;
    clauses.push('ADD version :one');
    return {
      Update: {
        TableName: tableName,
        Key,
        UpdateExpression: clauses.join(' '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ...(conditionExpression ? { ConditionExpression: conditionExpression } : {}),
      },
    };
  });
}

/** The per-day counts an entry moves: +1 on the UTC day it starts on now, -1 on the one it started on; one Update per month. */
export function dayCountWrites(tableName: string, workspaceId: number, userId: number, changes: { add?: TimeEntry; remove?: TimeEntry }) {
  const deltas = new Map<string, number>();
  const move = (entry: TimeEntry | undefined, delta: number) => entry && deltas.set(entry.startTime.slice(0, 10), (deltas.get(entry.startTime.slice(0, 10)) ?? 0) + delta);
  move(changes.add, 1);
  move(changes.remove, -1);
  const byMonth = new Map<string, Array<[string, number]>>();
  for (const [date, delta] of deltas) if (delta !== 0) byMonth.set(date.slice(0, 7), [...(byMonth.get(date.slice(0, 7)) ?? []), [date, delta]]);
  return [...byMonth].map(([month, days]) => ({
    Update: {
      TableName: tableName,
      Key: keys.entryCounts(workspaceId, userId, month),
      UpdateExpression: `SET entity = :entity ADD ${days.map((_, index) => `#d${index} :v${index}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(days.map(([date], index) => [`#d${index}`, dayCountAttribute(date)])),
      ExpressionAttributeValues: { ':entity': 'entry_counts', ...Object.fromEntries(days.map(([, delta], index) => [`:v${index}`, delta])) },
    },
  }));
}

/**
 * The member's report months an entry moves between (docs/reports.md "What a report reads"):
 * set in the UTC month it starts in now, removed from the one it started in; one Update per
 * month (an edit within a month sets the same attribute again).
 */
export function reportMonthWrites(tableName: string, workspaceId: number, userId: number, changes: { add?: TimeEntry; remove?: TimeEntry }) {
  const monthOf = (entry: TimeEntry) => entry.startTime.slice(0, 7);
  const writes: TransactItem[] = [];
  const addMonth = changes.add && monthOf(changes.add);
  if (changes.add) {
    writes.push({
      Update: {
        TableName: tableName,
        Key: keys.reportMonth(workspaceId, addMonth!, userId),
        UpdateExpression: 'SET #entry = :entry, entity = :entity, workspace_id = :workspace, user_id = :user',
        ExpressionAttributeNames: { '#entry': reportEntryAttribute(changes.add.entryId) },
        ExpressionAttributeValues: { ':entry': reportEntryValue(changes.add), ':entity': 'report_month', ':workspace': workspaceId, ':user': userId },
      },
    });
  }
  if (changes.remove && monthOf(changes.remove) !== addMonth) {
    writes.push({
      Update: {
        TableName: tableName,
        Key: keys.reportMonth(workspaceId, monthOf(changes.remove), userId),
        UpdateExpression: 'REMOVE #entry',
        ExpressionAttributeNames: { '#entry': reportEntryAttribute(changes.remove.entryId) },
      },
    });
  }
  return writes;
}

const slotsOfEntry = (entry: TimeEntry) => slotsOf(epochSeconds(entry.startTime), epochSeconds(entry.endTime));

/**
 * An entry write's mark on its member's timesheet months (docs/timesheets.md): +1 on the
 * writes of each day it touches (its old and its new start's day, in the workspace's zone),
 * so that a timesheet's version moves with its entries; `guarded`: only while no submitted
 * or approved timesheet locks those days (a stop is never refused, so it is not guarded).
 * One Update per month.
 */
export function timesheetDayWrites(tableName: string, workspaceId: number, userId: number, days: readonly string[], options: { guarded: boolean }): TransactItem[] {
  const byMonth = new Map<string, string[]>();
  for (const day of new Set(days)) byMonth.set(day.slice(0, 7), [...(byMonth.get(day.slice(0, 7)) ?? []), day]);
  return [...byMonth].map(([month, monthDays]) => {
    const names: Record<string, string> = {};
    const adds: string[] = [];
    const unlocked: string[] = [];
    monthDays.forEach((day, index) => {
      names[`#w${index}`] = dayWritesAttribute(day);
      adds.push(`#w${index} :one`);
      names[`#l${index}`] = dayLocksAttribute(day);
      unlocked.push(`(attribute_not_exists(#l${index}) OR #l${index} < :one)`);
    });
    if (!options.guarded) for (const index of monthDays.keys()) delete names[`#l${index}`];
    return {
      Update: {
        TableName: tableName,
        Key: keys.timesheetMonth(workspaceId, month, userId),
        UpdateExpression: `SET entity = :entity, workspace_id = :workspace, user_id = :user ADD ${adds.join(', ')}`,
        ...(options.guarded ? { ConditionExpression: unlocked.join(' AND ') } : {}),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':one': 1, ':entity': 'timesheet_month', ':workspace': workspaceId, ':user': userId },
      },
    };
  });
}

/** Appends `added` to a transaction's items; says which of the items' indexes they took (what a refusal by them is told apart by). */
export function appendItems(items: TransactItem[], added: readonly TransactItem[]): ReadonlySet<number> {
  const from = items.length;
  items.push(...added);
  return new Set(added.map((_, index) => from + index));
}
