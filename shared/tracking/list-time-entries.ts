import { ValidationError, type FieldErrors } from '../errors.ts';
import { toApiTimestamp } from './api-time.ts';
import { loadActiveMemberContext } from './member-access.ts';
import type { Span, TimeEntry } from './model.ts';
import { LONG_SLOT, slotsToCheck, startingBetween } from './timeline.ts';
import { paginate, type Pagination } from './pagination.ts';
import type { TrackingRepository } from './ports.ts';
import { dateIn, datesFrom, dayCount, daysInZoneSeconds, FIRST_CALENDAR_DATE, isCalendarDate, isTimeZone, isWithinCalendar, LAST_CALENDAR_DATE } from './time-zones.ts';
import { assertManagesWorkspace } from './access-rules.ts';

/** The longest range a list or a summary covers, in days. */
export const MAX_RANGE_DAYS = 31;

/** Days `from`..`to` (inclusive) in `timeZone`: an entry belongs to the day its start falls on there. */
export type DayRange = { from: string; to: string; timeZone: string };
/** A range as asked: without a zone when the query names none (the workspace's then applies). */
export type AskedDayRange = Omit<DayRange, 'timeZone'> & { timeZone: string | undefined };

/** `tz` checked (422 on it); absent stays absent (the workspace's zone). */
export function checkedTimeZone(tz: string | undefined): string | undefined {
  if (tz !== undefined && !isTimeZone(tz)) throw new ValidationError({ tz: ['The tz field must be a valid IANA time zone.'] });
  return tz;
}

/**
 * The zone of a date query: the one it names, else its workspace's (docs/contract.md "Dates
 * and time zones"). Naming none costs one batch read more (with check 5), before the rest.
 */
export async function zoneOfQuery(actorUserId: number, workspaceId: number, timeZone: string | undefined, repository: TrackingRepository): Promise<string> {
  if (timeZone !== undefined) return timeZone;
  const context = await repository.loadContext({ workspaceId, actorUserId, targetUserId: actorUserId, withSettings: true });
  assertManagesWorkspace(context.actor);
  return context.settings.timeZone;
}

const inZone = async (actorUserId: number, query: { workspaceId: number; range: AskedDayRange }, repository: TrackingRepository): Promise<DayRange> => ({
  ...query.range,
  timeZone: await zoneOfQuery(actorUserId, query.workspaceId, query.range.timeZone, repository),
});

/**
 * The range of a date query, checked (422 on the field): `date` alone is one day; else
 * `from` and `to`, in order, at most MAX_RANGE_DAYS days; `tz` a zone the platform knows.
 */
export function checkedDayRange(query: { date?: string; from?: string; to?: string; tz?: string }): AskedDayRange {
  const errors: FieldErrors = {};
  const add = (field: string, message: string) => (errors[field] ??= []).push(message);
  const timeZone = query.tz;
  if (timeZone !== undefined && !isTimeZone(timeZone)) add('tz', 'The tz field must be a valid IANA time zone.');
  let from = query.from;
  let to = query.to;
  if (query.date !== undefined) {
    if (from !== undefined || to !== undefined) add('date', 'The date field cannot be combined with from and to.');
    from = to = query.date;
  }
  if (from === undefined) add(query.date === undefined ? 'from' : 'date', 'The from field is required when date is not present.');
  if (to === undefined && query.date === undefined) add('to', 'The to field is required when date is not present.');
  for (const [field, value] of [
    ['from', query.from],
    ['to', query.to],
    ['date', query.date],
  ] as const) {
    if (value === undefined) continue;
    if (!isCalendarDate(value)) add(field, `The ${field} field must be a valid date.`);
    else if (!isWithinCalendar(value)) add(field, `The ${field} field must be a date from ${FIRST_CALENDAR_DATE} to ${LAST_CALENDAR_DATE}.`);
  }
  if (Object.keys(errors).length === 0) {
    if (to! < from!) add('to', 'The to field must be a date after or equal to from.');
    else if (dayCount(from!, to!) > MAX_RANGE_DAYS) add('to', `The range must not exceed ${MAX_RANGE_DAYS} days.`);
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return { from: from!, to: to!, timeZone };
}

export type TimeEntriesQuery = { workspaceId: number; userId: number; range: AskedDayRange; page: number; perPage: number };

export type TimeEntriesPage = { entries: TimeEntry[]; pagination: Pagination };

/**
 * Checks 5–6 and the spans of the entries that started on the range's days in its zone, in
 * the list's order (newest start first, then id): one BatchGetItem of the member's timeline
 * slots (docs/data-model.md), which hold every entry's interval.
 */
export async function spansInRange(actorUserId: number, query: { workspaceId: number; userId: number; range: DayRange }, repository: TrackingRepository): Promise<Span[]> {
  const { from, to } = daysInZoneSeconds(query.range.from, query.range.to, query.range.timeZone);
  const { timeline } = await loadActiveMemberContext(actorUserId, query, repository, { slots: slotsToCheck(from, to) });
  return startingBetween(timeline, from, to);
}

const positionOf = (span: Span) => ({ startTime: toApiTimestamp(new Date(span.start * 1000)), entryId: span.entryId });
const utcDate = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString().slice(0, 10);
/** Ranges over this many UTC days are paged by the per-day counts between their first and last day. */
const EXACT_DAYS = 3;

/**
 * Entries that started on the range's days, newest first, one page of them: one BatchGetItem
 * (checks 5–6, and what counts and places the page), then one Query that reads the page.
 *
 * A short range reads the spans of all its UTC days. A longer one reads the spans of its
 * first and last UTC day only (where the zone's day boundaries cut them) and the per-day
 * counts of the days between (whole days, whatever the zone): the page's first entry is
 * then an exact position, or the n-th entry of one of those days, and the Query reads from
 * there at most n + per_page entries.
 */
export async function listTimeEntries(actorUserId: number, asked: TimeEntriesQuery, deps: { repository: TrackingRepository }): Promise<TimeEntriesPage> {
  const query = { ...asked, range: await inZone(actorUserId, asked, deps.repository) };
  const { from, to } = daysInZoneSeconds(query.range.from, query.range.to, query.range.timeZone);
  const days = slotsToCheck(from, to).filter((slot) => slot !== LONG_SLOT);
  const interior = days.length > EXACT_DAYS ? days.slice(1, -1) : [];
  const edges = interior.length > 0 ? [days[0]!, days.at(-1)!] : days;
  const context = await loadActiveMemberContext(actorUserId, query, deps.repository, { slots: [...edges, LONG_SLOT], countMonths: [...new Set(interior.map((date) => date.slice(0, 7)))] });
  const exact = startingBetween(context.timeline, from, to).filter((span) => edges.includes(utcDate(span.start)));

  // Newest first: the last edge day's spans, the days between by their counts, the first edge day's spans.
  type Segment = { spans: Span[] } | { date: string; count: number };
  const segments: Segment[] =
    interior.length === 0
      ? [{ spans: exact }]
      : [
          { spans: exact.filter((span) => utcDate(span.start) === edges[1]) },
          ...[...interior].reverse().map((date) => ({ date, count: context.dayCounts[date] ?? 0 })),
          { spans: exact.filter((span) => utcDate(span.start) === edges[0]) },
        ];
  const sizeOf = (segment: Segment) => ('spans' in segment ? segment.spans.length : segment.count);
  const total = segments.reduce((sum, segment) => sum + sizeOf(segment), 0);
  const { pagination } = paginate(new Array<undefined>(total), query.page, query.perPage);
  let offset = (query.page - 1) * query.perPage;
  for (const segment of segments) {
    if (offset >= sizeOf(segment)) {
      offset -= sizeOf(segment);
      continue;
    }
    const newest = 'spans' in segment ? positionOf(segment.spans[offset]!) : { startTime: `${segment.date}T23:59:59+00:00` };
    const skip = 'spans' in segment ? 0 : offset;
    const read = await deps.repository.listTimeEntries(query.workspaceId, query.userId, { newest, oldest: { startTime: toApiTimestamp(new Date(from * 1000)) }, limit: skip + query.perPage });
    return { entries: read.slice(skip, skip + query.perPage), pagination };
  }
  return { entries: [], pagination };
}

export type DaySummary = { date: string; totalSeconds: number; entries: number };

/** One row per day of the range (zeros included), each entry counted on the day its start falls on: one BatchGetItem. */
export async function summarizeTimeEntries(actorUserId: number, asked: { workspaceId: number; userId: number; range: AskedDayRange }, deps: { repository: TrackingRepository }) {
  const query = { ...asked, range: await inZone(actorUserId, asked, deps.repository) };
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
