import { ValidationError, type FieldErrors } from '../errors.ts';
import { toApiTimestamp } from './api-time.ts';
import { assertManagesActiveMember } from './member-access.ts';
import type { TimeEntry } from './model.ts';
import { paginate, type Pagination } from './pagination.ts';
import type { TrackingRepository } from './ports.ts';
import { dateIn, datesFrom, dayCount, daysInZone, DEFAULT_TIME_ZONE, isCalendarDate, isTimeZone } from './time-zones.ts';

/** The longest range a list or a summary covers, in days. */
export const MAX_RANGE_DAYS = 31;

/** Days `from`..`to` (inclusive) in `timeZone`: an entry belongs to the day its start falls on there. */
export type DayRange = { from: string; to: string; timeZone: string };

/** `tz` checked (422 on it), UTC when absent. */
export function checkedTimeZone(tz: string | undefined): string {
  const timeZone = tz ?? DEFAULT_TIME_ZONE;
  if (!isTimeZone(timeZone)) throw new ValidationError({ tz: ['The tz field must be a valid IANA time zone.'] });
  return timeZone;
}

/**
 * The range of a date query, checked (422 on the field): `date` alone is one day; else
 * `from` and `to`, in order, at most MAX_RANGE_DAYS days; `tz` a zone the platform knows.
 */
export function checkedDayRange(query: { date?: string; from?: string; to?: string; tz?: string }): DayRange {
  const errors: FieldErrors = {};
  const add = (field: string, message: string) => (errors[field] ??= []).push(message);
  const timeZone = query.tz ?? DEFAULT_TIME_ZONE;
  if (!isTimeZone(timeZone)) add('tz', 'The tz field must be a valid IANA time zone.');
  let from = query.from;
  let to = query.to;
  if (query.date !== undefined) {
    if (from !== undefined || to !== undefined) add('date', 'The date field cannot be combined with from and to.');
    from = to = query.date;
  }
  if (from === undefined) add(query.date === undefined ? 'from' : 'date', 'The from field is required when date is not present.');
  if (to === undefined && query.date === undefined) add('to', 'The to field is required when date is not present.');
  for (const [field, value] of [['from', query.from], ['to', query.to], ['date', query.date]] as const) {
    if (value !== undefined && !isCalendarDate(value)) add(field, `The ${field} field must be a valid date.`);
  }
  if (Object.keys(errors).length === 0) {
    if (to! < from!) add('to', 'The to field must be a date after or equal to from.');
    else if (dayCount(from!, to!) > MAX_RANGE_DAYS) add('to', `The range must not exceed ${MAX_RANGE_DAYS} days.`);
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return { from: from!, to: to!, timeZone };
}

export type TimeEntriesQuery = { workspaceId: number; userId: number; range: DayRange; page: number; perPage: number };

export type TimeEntriesPage = { entries: TimeEntry[]; pagination: Pagination };

/** The member's entries that started on the range's days in its zone: one Query (per DynamoDB page), read alongside checks 5–6. */
async function entriesInRange(actorUserId: number, query: { workspaceId: number; userId: number; range: DayRange }, repository: TrackingRepository) {
  const { start, end } = daysInZone(query.range.from, query.range.to, query.range.timeZone);
  const [, entries] = await Promise.all([
    assertManagesActiveMember(actorUserId, query, repository),
    repository.listTimeEntries(query.workspaceId, query.userId, { from: toApiTimestamp(new Date(start)), to: toApiTimestamp(new Date(end)) }),
  ]);
  return entries;
}

/** Entries that started on the range's days, newest first, one page of them. */
export async function listTimeEntries(actorUserId: number, query: TimeEntriesQuery, deps: { repository: TrackingRepository }): Promise<TimeEntriesPage> {
  const { items, pagination } = paginate(await entriesInRange(actorUserId, query, deps.repository), query.page, query.perPage);
  return { entries: items, pagination };
}

export type DaySummary = { date: string; totalSeconds: number; entries: number };

/** One row per day of the range (zeros included), each entry counted on the day its start falls on. */
export async function summarizeTimeEntries(actorUserId: number, query: { workspaceId: number; userId: number; range: DayRange }, deps: { repository: TrackingRepository }) {
  const entries = await entriesInRange(actorUserId, query, deps.repository);
  const days = new Map<string, DaySummary>(datesFrom(query.range.from, query.range.to).map((date) => [date, { date, totalSeconds: 0, entries: 0 }]));
  for (const entry of entries) {
    const day = days.get(dateIn(Date.parse(entry.startTime), query.range.timeZone));
    if (!day) continue;
    day.totalSeconds += entry.durationSeconds;
    day.entries += 1;
  }
  const rows = [...days.values()];
  return { days: rows, totalSeconds: rows.reduce((sum, day) => sum + day.totalSeconds, 0) };
}
