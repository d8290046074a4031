import { ValidationError, type FieldErrors } from '../errors.ts';
import { toApiTimestamp } from './api-time.ts';
import { loadActiveMemberTimeline } from './member-access.ts';
import type { Span, TimeEntry, TimelineSlot } from './model.ts';
import { slotsToCheck } from './timeline.ts';
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

/**
 * Checks 5–6 and the spans of the entries that started on the range's days in its zone, in
 * the list's order (newest start first, then id): one BatchGetItem of the member's timeline
 * slots (docs/data-model.md), which hold every entry's interval. Counting and paging need
 * nothing else; only the page's entries are then read.
 */
export async function spansInRange(actorUserId: number, query: { workspaceId: number; userId: number; range: DayRange }, repository: TrackingRepository): Promise<Span[]> {
  const { start, end } = daysInZone(query.range.from, query.range.to, query.range.timeZone);
  const [from, to] = [Math.ceil(start / 1000), Math.ceil(end / 1000)];
  const timeline = await loadActiveMemberTimeline(actorUserId, query, repository, slotsToCheck(from, to));
  return startingBetween(timeline, from, to);
}

/** The distinct spans of `timeline` that start in [from, to) (epoch seconds), newest first as the list orders them. */
export function startingBetween(timeline: readonly TimelineSlot[], from: number, to: number): Span[] {
  const spans = new Map<string, Span>();
  for (const span of timeline.flatMap((slot) => slot.spans)) if (span.start >= from && span.start < to) spans.set(span.entryId, span);
  return [...spans.values()].sort((a, b) => b.start - a.start || (a.entryId < b.entryId ? 1 : a.entryId > b.entryId ? -1 : 0));
}

const positionOf = (span: Span) => ({ startTime: toApiTimestamp(new Date(span.start * 1000)), entryId: span.entryId });

/** Entries that started on the range's days, newest first, one page of them: one BatchGetItem, then one Query of that page. */
export async function listTimeEntries(actorUserId: number, query: TimeEntriesQuery, deps: { repository: TrackingRepository }): Promise<TimeEntriesPage> {
  const { items, pagination } = paginate(await spansInRange(actorUserId, query, deps.repository), query.page, query.perPage);
  if (items.length === 0) return { entries: [], pagination };
  const wanted = new Set(items.map((span) => span.entryId));
  const read = await deps.repository.listTimeEntries(query.workspaceId, query.userId, { newest: positionOf(items[0]!), oldest: positionOf(items.at(-1)!) });
  // An entry written between the two reads is left for the next request: the page is what was counted.
  return { entries: read.filter((entry) => wanted.has(entry.entryId)), pagination };
}

export type DaySummary = { date: string; totalSeconds: number; entries: number };

/** One row per day of the range (zeros included), each entry counted on the day its start falls on: one BatchGetItem. */
export async function summarizeTimeEntries(actorUserId: number, query: { workspaceId: number; userId: number; range: DayRange }, deps: { repository: TrackingRepository }) {
  const spans = await spansInRange(actorUserId, query, deps.repository);
  const days = new Map<string, DaySummary>(datesFrom(query.range.from, query.range.to).map((date) => [date, { date, totalSeconds: 0, entries: 0 }]));
  for (const span of spans) {
    const day = days.get(dateIn(span.start * 1000, query.range.timeZone));
    if (!day) continue;
    day.totalSeconds += span.end - span.start;
    day.entries += 1;
  }
  const rows = [...days.values()];
  return { days: rows, totalSeconds: rows.reduce((sum, day) => sum + day.totalSeconds, 0) };
}
