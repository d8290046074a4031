import { createHash } from 'node:crypto';
import { ValidationError, type FieldErrors } from '../errors.ts';
import { assertManagesWorkspace } from './access-rules.ts';
import { SUMMARY_DIMENSIONS, type Dimension, type ReportEntry, type TimeEntry, type WeekStart, type WorkspaceSettings } from './model.ts';
import { amountFor, sumByCurrency, type Money } from './money.ts';
import { rateOn, type RateHistory } from './rates.ts';
import { roundedSeconds, ROUNDING_MINUTES, ROUNDING_MODES, type Rounding } from './rounding.ts';
import type { TrackingRepository } from './ports.ts';
import { approvalOf, periodOf, recordOf, weekOf, type ApprovalFilter, type TimesheetMonth } from './timesheet-periods.ts';
import { dateIn, datesFrom, dayCount, daysInZone, FIRST_CALENDAR_DATE, isCalendarDate, isWithinCalendar, LAST_CALENDAR_DATE, nextDate } from './time-zones.ts';

/**
 * The workspace reports (docs/reports.md): what a business pays and bills from. Every figure
 * is computed per entry (its duration rounded, then priced at the rate in force on the day
 * it starts, rounded half up to a minor unit) and only then summed, so that every total is
 * the sum of its rows, at every level and across reports. The entries come from the
 * members' report months (one Query per UTC month of the range), never one read per entry.
 */

/** The longest range a report covers, in days. */
export const MAX_REPORT_DAYS = 366;

/** A contract as the reports price it. */
export type PricedContract = { contractId: number; billable: boolean; rateHistory: RateHistory };

export interface ReportRepository {
  /** The workspace's contracts (one Query of its directory partition). */
  contracts(workspaceId: number): Promise<PricedContract[]>;
  /** Every entry of the workspace that starts in one of these UTC months (YYYY-MM): one strongly consistent Query per month. */
  reportEntries(workspaceId: number, months: readonly string[]): Promise<ReportEntry[]>;
  /** These entries in full (by id, in one batch read per 100); one that is gone is left out. */
  entriesById(workspaceId: number, entryIds: readonly string[]): Promise<TimeEntry[]>;
  /** Every member's timesheet months (YYYY-MM, the workspace's zone) of the workspace, by member: one Query per month (the `approval` filter). */
  timesheetMonths(workspaceId: number, months: readonly string[]): Promise<Map<number, TimesheetMonth[]>>;
}

export type Filters = {
  userIds?: readonly number[];
  /** null: entries without one. */
  projectIds?: ReadonlyArray<number | null>;
  contractIds?: readonly number[];
  taskIds?: ReadonlyArray<number | null>;
  billable?: boolean;
  /** Only entries whose timesheet (the period they fall in, as the workspace's settings make periods now) is approved, pending (submitted) or open (open or rejected). */
  approval?: ApprovalFilter;
};

/** A report's query as asked: `timeZone` and `rounding` absent take the workspace's. */
export type ReportQuery = { workspaceId: number; from: string; to: string; timeZone?: string; rounding?: Rounding | null; filters: Filters };

/** An entry as a report counts it. */
export type PricedEntry = ReportEntry & {
  /** The day it starts on in the report's zone. */
  date: string;
  seconds: number;
  roundedSeconds: number;
  billable: boolean;
  hourlyRate: Money | null;
  amount: Money | null;
};

/** What every row and total shows. */
export type Figures = { seconds: number; billableSeconds: number; entries: number; amounts: Money[] };

export type ReportBasis = { from: string; to: string; timeZone: string; rounding: Rounding | null; weekStart: WeekStart; entries: PricedEntry[] };

// ——— Parameters ———

type FieldValue = string | undefined;

/** `from`..`to` checked (422 on the field, never an empty answer): both present, real dates, in order, at most MAX_REPORT_DAYS days. */
export function checkedReportRange(query: { from: FieldValue; to: FieldValue }, names: { from: string; to: string } = { from: 'from', to: 'to' }): { from: string; to: string } {
  const errors: FieldErrors = {};
  const add = (field: string, message: string) => (errors[field] ??= []).push(message);
  for (const [field, value] of [
    [names.from, query.from],
    [names.to, query.to],
  ] as const) {
    if (value === undefined) add(field, `The ${field.replace('_', ' ')} field is required.`);
    else if (!isCalendarDate(value)) add(field, `The ${field.replace('_', ' ')} field must be a valid date.`);
    else if (!isWithinCalendar(value)) add(field, `The ${field.replace('_', ' ')} field must be a date from ${FIRST_CALENDAR_DATE} to ${LAST_CALENDAR_DATE}.`);
  }
  if (Object.keys(errors).length === 0) {
    if (query.to! < query.from!) add(names.to, `The ${names.to.replace('_', ' ')} field must be a date after or equal to ${names.from.replace('_', ' ')}.`);
    else if (dayCount(query.from!, query.to!) > MAX_REPORT_DAYS) add(names.to, `The range must not exceed ${MAX_REPORT_DAYS} days: ask for a shorter one.`);
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return { from: query.from!, to: query.to! };
}

/** `rounding_minutes` and `rounding_mode`: both (an override) or neither (the workspace's). */
export function checkedRoundingOverride(minutes: number | undefined, mode: string | undefined): Rounding | undefined {
  if (minutes === undefined && mode === undefined) return undefined;
  if (minutes === undefined || mode === undefined) {
    const missing = minutes === undefined ? 'rounding_minutes' : 'rounding_mode';
    throw new ValidationError({ [missing]: ['The rounding minutes and rounding mode fields are given together, or neither.'] });
  }
  if (!(ROUNDING_MINUTES as readonly number[]).includes(minutes)) throw new ValidationError({ rounding_minutes: [`The rounding minutes field must be one of ${ROUNDING_MINUTES.join(', ')}.`] });
  if (!(ROUNDING_MODES as readonly string[]).includes(mode)) throw new ValidationError({ rounding_mode: [`The rounding mode field must be one of ${ROUNDING_MODES.join(', ')}.`] });
  return { minutes: minutes as Rounding['minutes'], mode: mode as Rounding['mode'] };
}

/** A comma-separated list of ids (`none` where allowed: entries without one); 422 on the field otherwise. */
export function idList(field: string, value: string | undefined, options: { none: boolean }): Array<number | null> | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',');
  const ids = parts.map((part) => (options.none && part === 'none' ? null : /^[1-9][0-9]{0,15}$/.test(part) && Number.isSafeInteger(Number(part)) ? Number(part) : Number.NaN));
  if (parts.length > 100 || ids.some((id) => Number.isNaN(id)))
    throw new ValidationError({ [field]: [`The ${field.replace('_', ' ')} field must be up to 100 comma-separated ids${options.none ? ' (or none)' : ''}.`] });
  return ids;
}

// ——— Reading and pricing ———

/** The UTC months whose report items can hold an entry starting in [start, end) (epoch ms). */
export function monthsCovering(start: number, end: number): string[] {
  const months: string[] = [];
  const cursor = new Date(start);
  cursor.setUTCDate(1);
  cursor.setUTCHours(0, 0, 0, 0);
  while (cursor.getTime() < end) {
    months.push(cursor.toISOString().slice(0, 7));
    cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  return months;
}

function matches(entry: PricedEntry, filters: Filters): boolean {
  if (filters.userIds && !filters.userIds.includes(entry.userId)) return false;
  if (filters.projectIds && !filters.projectIds.includes(entry.projectId)) return false;
  if (filters.contractIds && (entry.contractId === null || !filters.contractIds.includes(entry.contractId))) return false;
  if (filters.taskIds && !filters.taskIds.includes(entry.taskId)) return false;
  if (filters.billable !== undefined && entry.billable !== filters.billable) return false;
  return true;
}

/**
 * An entry priced: its duration rounded, billable when its contract is (no contract: never),
 * the rate in force on the day it starts in the workspace's zone (a rate's days are the
 * workspace's, whatever zone a report is read in), the amount rounded half up per entry.
 */
export function priceEntry(
  entry: ReportEntry,
  context: { contracts: ReadonlyMap<number, PricedContract>; rounding: Rounding | null; reportZone: string; workspaceZone: string; dates?: DateCache },
): PricedEntry {
  const dates = context.dates ?? new DateCache();
  const seconds = entry.end - entry.start;
  const rounded = roundedSeconds(seconds, context.rounding);
  const contract = entry.contractId === null ? undefined : context.contracts.get(entry.contractId);
  const billable = contract?.billable ?? false;
  const hourlyRate = contract ? rateOn(contract.rateHistory, dates.dateOf(entry.start, context.workspaceZone)) : null;
  const amount = billable && hourlyRate ? { currency: hourlyRate.currency, amount: amountFor(rounded, hourlyRate.amount) } : null;
  return { ...entry, date: dates.dateOf(entry.start, context.reportZone), seconds, roundedSeconds: rounded, billable, hourlyRate, amount };
}

/**
 * The day an instant falls on in a zone, remembered per quarter hour: since 1980 every
 * zone's offsets and DST changes are whole quarter hours (some were not before: Liberia's
 * -0:44:30 until 1972), so every instant of one quarter hour (UTC) falls on the same day in
 * any zone. A month's entries fall in a few hundred quarter hours, not thousands of zone
 * computations; earlier instants are computed one by one.
 */
const QUARTER_HOUR_OFFSETS_SINCE = Date.parse('1980-01-01T00:00:00Z') / 1000;

export class DateCache {
  private readonly days = new Map<string, string>();
  dateOf(epochSeconds: number, timeZone: string): string {
    if (epochSeconds < QUARTER_HOUR_OFFSETS_SINCE) return dateIn(epochSeconds * 1000, timeZone);
    const key = `${timeZone}|${Math.floor(epochSeconds / 900)}`;
    let day = this.days.get(key);
    if (day === undefined) {
      day = dateIn(Math.floor(epochSeconds / 900) * 900_000, timeZone);
      this.days.set(key, day);
    }
    return day;
  }
}

/** Checks 5 (owners and executive managers), then the entries of the range, priced and filtered, oldest start first (ties by id). */
export async function loadReportBasis(
  actorUserId: number,
  query: ReportQuery,
  deps: { repository: TrackingRepository; reports: ReportRepository },
): Promise<ReportBasis & { settings: WorkspaceSettings }> {
  const reader = await openReportBasis(actorUserId, query, deps);
  // One round trip: the contracts, the months' entries and the timesheets at once.
  const [contracts, entries, timesheets] = await Promise.all([reader.contracts, deps.reports.reportEntries(query.workspaceId, reader.months), reader.timesheets]);
  return { ...reader.head, entries: reader.priced(entries, { contracts, timesheets }), settings: reader.settings };
}

/**
 * The same entries as `loadReportBasis`, a UTC month at a time, in the same order: the
 * months are read one after the other (one Query each), so that what is held at once is a
 * month of the workspace's entries, whatever the range (a detailed export of a year).
 */
export async function reportBasisByMonth(
  actorUserId: number,
  query: ReportQuery,
  deps: { repository: TrackingRepository; reports: ReportRepository },
  /** Only the entries after this one (by start, then id): where an earlier run stopped. */
  after?: { start: number; entryId: string },
): Promise<Omit<ReportBasis, 'entries'> & { months: AsyncIterable<PricedEntry[]> }> {
  const reader = await openReportBasis(actorUserId, query, deps);
  const firstMonth = after === undefined ? '' : new Date(after.start * 1000).toISOString().slice(0, 7);
  const isAfter = (entry: PricedEntry) => after === undefined || entry.start > after.start || (entry.start === after.start && entry.entryId > after.entryId);
  return {
    ...reader.head,
    months: (async function* () {
      // An entry belongs to the UTC month it starts in: months in order are entries in order.
      for (const month of reader.months.filter((candidate) => candidate >= firstMonth)) {
        const [contracts, entries, timesheets] = await Promise.all([reader.contracts, deps.reports.reportEntries(query.workspaceId, [month]), reader.timesheets]);
        yield reader.priced(entries, { contracts, timesheets }).filter(isAfter);
      }
    })(),
  };
}

/** Check 5, the settings and the contracts; then how a report's entries are kept, priced and ordered. */
async function openReportBasis(actorUserId: number, query: ReportQuery, deps: { repository: TrackingRepository; reports: ReportRepository }) {
  const context = await deps.repository.loadContext({ workspaceId: query.workspaceId, actorUserId, targetUserId: actorUserId, withSettings: true });
  assertManagesWorkspace(context.actor);
  const { settings } = context;
  const timeZone = query.timeZone ?? settings.timeZone;
  const rounding = query.rounding === undefined ? settings.rounding : query.rounding;
  const range = daysInZone(query.from, query.to, timeZone);
  const approval = query.filters.approval;
  const timesheets = approval === undefined ? Promise.resolve(undefined) : deps.reports.timesheetMonths(query.workspaceId, workspaceMonthsAround(range, settings.timeZone));
  const contracts = deps.reports.contracts(query.workspaceId).then((list) => new Map(list.map((contract) => [contract.contractId, contract])));
  const dates = new DateCache();
  const priced = (entries: readonly ReportEntry[], read: { contracts: ReadonlyMap<number, PricedContract>; timesheets: Map<number, TimesheetMonth[]> | undefined }) => {
    const sheets = read.timesheets;
    const byId = read.contracts;
    // The status of the timesheet an entry falls in: its day in the workspace's zone, that day's period now.
    const approvalOfEntry = (entry: ReportEntry) => {
      const day = dates.dateOf(entry.start, settings.timeZone);
      return approvalOf(recordOf(sheets?.get(entry.userId) ?? [], periodOf(day, settings.timesheetPeriod, settings.weekStart)).status);
    };
    return entries
      .filter((entry) => entry.start * 1000 >= range.start && entry.start * 1000 < range.end)
      .filter((entry) => approval === undefined || approvalOfEntry(entry) === approval)
      .map((entry) => priceEntry(entry, { contracts: byId, rounding, reportZone: timeZone, workspaceZone: settings.timeZone, dates }))
      .filter((entry) => matches(entry, query.filters))
      .sort(byStartThenId);
  };
  // Not awaited here: they are read beside the entries (a failure surfaces where they are awaited).
  timesheets.catch(() => {});
  contracts.catch(() => {});
  return {
    head: { from: query.from, to: query.to, timeZone, rounding, weekStart: settings.weekStart },
    settings,
    months: monthsCovering(range.start, range.end),
    contracts,
    timesheets,
    priced,
  };
}

/** The months (YYYY-MM) of the workspace's days a range's instants fall on: a day either side, whatever the report's zone. */
function workspaceMonthsAround(range: { start: number; end: number }, timeZone: string): string[] {
  const first = dateIn(range.start - 86_400_000, timeZone);
  const last = dateIn(range.end + 86_400_000, timeZone);
  return [...new Set(datesFrom(first, last).map((date) => date.slice(0, 7)))];
}

const byStartThenId = (a: PricedEntry, b: PricedEntry) => a.start - b.start || (a.entryId < b.entryId ? -1 : a.entryId > b.entryId ? 1 : 0);

/** The four figures of a set of entries: sums of each entry's own (rounded) seconds and amounts. */
export function figuresOf(entries: readonly PricedEntry[]): Figures {
  let seconds = 0;
  let billableSeconds = 0;
  for (const entry of entries) {
    seconds += entry.roundedSeconds;
    if (entry.billable) billableSeconds += entry.roundedSeconds;
  }
  return { seconds, billableSeconds, entries: entries.length, amounts: sumByCurrency(entries.flatMap((entry) => (entry.amount ? [entry.amount] : []))) };
}

// ——— Summary ———

const KEY_NAMES: Record<Dimension, string> = { user: 'user_id', project: 'project_id', contract: 'contract_id', task: 'task_id', day: 'date', week: 'week', month: 'month' };

export { weekOf };

export function keyValue(entry: PricedEntry, dimension: Dimension, weekStart: WeekStart): string | number | null {
  switch (dimension) {
    case 'user':
      return entry.userId;
    case 'project':
      return entry.projectId;
    case 'contract':
      return entry.contractId;
    case 'task':
      return entry.taskId;
    case 'day':
      return entry.date;
    case 'week':
      return weekOf(entry.date, weekStart);
    case 'month':
      return entry.date.slice(0, 7);
  }
}

/** `group_by`: 1 to 3 distinct dimensions (422 on the field). */
export function checkedDimensions(groupBy: string, allowed: readonly Dimension[] = SUMMARY_DIMENSIONS): Dimension[] {
  const dimensions = groupBy.split(',');
  const valid = dimensions.length >= 1 && dimensions.length <= 3 && new Set(dimensions).size === dimensions.length && dimensions.every((one) => (allowed as readonly string[]).includes(one));
  if (!valid) throw new ValidationError({ group_by: [`The group by field must be 1 to 3 distinct dimensions of ${allowed.join(', ')}, comma-separated.`] });
  return dimensions as Dimension[];
}

export type SummaryGroup = { key: Record<string, string | number | null>; figures: Figures; groups?: SummaryGroup[] };

/** Null (none) first, then ascending: numbers as numbers, dates and months as text. */
const compareKeys = (a: string | number | null, b: string | number | null) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1);

/** Entries bucketed by a key, buckets sorted by it (each entry read once). */
export function bucketBy<K extends string | number | null>(entries: readonly PricedEntry[], keyOf: (entry: PricedEntry) => K): Array<[K, PricedEntry[]]> {
  const buckets = new Map<K, PricedEntry[]>();
  for (const entry of entries) {
    const value = keyOf(entry);
    const bucket = buckets.get(value);
    if (bucket) bucket.push(entry);
    else buckets.set(value, [entry]);
  }
  return [...buckets].sort(([a], [b]) => compareKeys(a, b));
}

/** Groups by the first dimension, each group by the rest: days, weeks and months without time never appear (a group exists because an entry does). */
export function groupEntries(entries: readonly PricedEntry[], dimensions: readonly Dimension[], weekStart: WeekStart): SummaryGroup[] {
  const [dimension, ...rest] = dimensions;
  if (dimension === undefined) return [];
  return bucketBy(entries, (entry) => keyValue(entry, dimension, weekStart)).map(([value, members]) => ({
    key: { [KEY_NAMES[dimension]]: value },
    figures: figuresOf(members),
    ...(rest.length > 0 ? { groups: groupEntries(members, rest, weekStart) } : {}),
  }));
}

// ——— Detailed ———

/**
 * A detailed report's cursor: where the next page starts (the last entry's start and id)
 * and a digest of the query it belongs to. It carries no authority (the caller may read
 * every entry anyway); a cursor of another query or not ours is refused (422), never read
 * as some other position.
 */
export function detailedCursor(query: ReportQuery, last: PricedEntry): string {
  return Buffer.from(JSON.stringify({ s: last.start, i: last.entryId, q: queryDigest(query) })).toString('base64url');
}

export function readDetailedCursor(cursor: string, query: ReportQuery): { start: number; entryId: string } {
  const refuse = () => new ValidationError({ cursor: ['The cursor is not one this report gave for these parameters: start again without it.'] });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  const { s, i, q } = (parsed ?? {}) as { s?: unknown; i?: unknown; q?: unknown };
  if (typeof s !== 'number' || !Number.isSafeInteger(s) || typeof i !== 'string' || q !== queryDigest(query)) throw refuse();
  return { start: s, entryId: i };
}

function queryDigest(query: ReportQuery): string {
  const canonical = JSON.stringify([query.workspaceId, query.from, query.to, query.timeZone ?? null, query.rounding ?? null, query.filters]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

/** The page after `cursor` (absent: the first), and the cursor of the next (null on the last page). */
export function detailedPage(entries: readonly PricedEntry[], query: ReportQuery, page: { cursor?: string; perPage: number }): { entries: PricedEntry[]; nextCursor: string | null } {
  let first = 0;
  if (page.cursor !== undefined) {
    const after = readDetailedCursor(page.cursor, query);
    first = entries.findIndex((entry) => entry.start > after.start || (entry.start === after.start && entry.entryId > after.entryId));
    if (first === -1) first = entries.length;
  }
  const slice = entries.slice(first, first + page.perPage);
  const more = first + page.perPage < entries.length;
  return { entries: slice, nextCursor: more ? detailedCursor(query, slice.at(-1)!) : null };
}

// ——— Weekly ———

export function checkedWeek(week: string, weekStart: WeekStart): string[] {
  if (!isCalendarDate(week) || !isWithinCalendar(week)) throw new ValidationError({ week: ['The week field must be a valid date.'] });
  if (weekOf(week, weekStart) !== week)
    throw new ValidationError({ week: [`The week field must be the first day of a week: weeks start on ${weekStart === 'monday' ? 'Monday' : 'Sunday'} in this workspace.`] });
  return datesFrom(week, lastDayOfWeek(week));
}

export const lastDayOfWeek = (week: string) => {
  let day = week;
  for (let index = 0; index < 6; index++) day = nextDate(day);
  return day;
};

export type WeeklyRow = { key: Record<string, number | null>; seconds: number[]; totalSeconds: number; amounts: Money[] };

export function weeklyRows(entries: readonly PricedEntry[], days: readonly string[], groupBy: 'user' | 'project'): { rows: WeeklyRow[]; totals: Omit<WeeklyRow, 'key'> } {
  const rowOf = (members: readonly PricedEntry[]) => {
    const seconds = days.map(() => 0);
    for (const entry of members) seconds[days.indexOf(entry.date)]! += entry.roundedSeconds;
    return { seconds, totalSeconds: seconds.reduce((sum, value) => sum + value, 0), amounts: figuresOf(members).amounts };
  };
  const rows = bucketBy(entries, (entry) => (groupBy === 'user' ? entry.userId : entry.projectId)).map(([value, members]) => ({ key: { [KEY_NAMES[groupBy]]: value }, ...rowOf(members) }));
  return { rows, totals: rowOf(entries) };
}

// ——— Tracked hours (WebWork's report) ———

export type TrackedHoursDay = {
  date: string;
  users: Array<{ userId: number; totalSeconds: number; amounts: Money[]; projects: Array<{ projectId: number | null; contractId: number | null; totalSeconds: number; amounts: Money[] }> }>;
};

export function trackedHours(entries: readonly PricedEntry[]): TrackedHoursDay[] {
  return bucketBy(entries, (entry) => entry.date).map(([date, dayEntries]) => ({
    date,
    users: bucketBy(dayEntries, (entry) => entry.userId).map(([userId, userEntries]) => {
      const figures = figuresOf(userEntries);
      const projects = bucketBy(userEntries, (entry) => JSON.stringify([entry.projectId ?? -1, entry.contractId ?? -1]));
      return {
        userId,
        totalSeconds: figures.seconds,
        amounts: figures.amounts,
        projects: projects
          .map(([, members]) => ({ projectId: members[0]!.projectId, contractId: members[0]!.contractId, figures: figuresOf(members) }))
          .sort((a, b) => compareKeys(a.projectId, b.projectId) || compareKeys(a.contractId, b.contractId))
          .map(({ projectId, contractId, figures: own }) => ({ projectId, contractId, totalSeconds: own.seconds, amounts: own.amounts })),
      };
    }),
  }));
}

// ——— The use cases ———

type ReportDeps = { repository: TrackingRepository; reports: ReportRepository };

export type SummaryReport = ReportBasis & { totals: Figures; groups: SummaryGroup[] };

/** `GET /reports/summary`: every group (the caller pages the first level), and the totals of everything. */
export async function summaryReport(actorUserId: number, query: ReportQuery & { dimensions: readonly Dimension[] }, deps: ReportDeps): Promise<SummaryReport> {
  const basis = await loadReportBasis(actorUserId, query, deps);
  return { ...basis, totals: figuresOf(basis.entries), groups: groupEntries(basis.entries, query.dimensions, basis.weekStart) };
}

export type DetailedRow = { entry: TimeEntry; priced: PricedEntry };
export type DetailedReport = ReportBasis & { rows: DetailedRow[]; totals: Figures; nextCursor: string | null };

/**
 * `GET /reports/detailed`: one page after the cursor (`perPage` absent: every entry, for the
 * CSV), each entry read in full by id. An entry deleted between the two reads is left out.
 */
export async function detailedReport(actorUserId: number, query: ReportQuery & { cursor?: string; perPage?: number }, deps: ReportDeps): Promise<DetailedReport> {
  const basis = await loadReportBasis(actorUserId, query, deps);
  const page =
    query.perPage === undefined
      ? { entries: basis.entries, nextCursor: null }
      : detailedPage(basis.entries, query, { ...(query.cursor === undefined ? {} : { cursor: query.cursor }), perPage: query.perPage });
  const full = new Map(
    (
      await deps.reports.entriesById(
        query.workspaceId,
        page.entries.map((entry) => entry.entryId),
      )
    ).map((entry) => [entry.entryId, entry]),
  );
  const rows = page.entries.flatMap((priced) => {
    const entry = full.get(priced.entryId);
    return entry ? [{ entry, priced }] : [];
  });
  return { ...basis, rows, totals: figuresOf(basis.entries), nextCursor: page.nextCursor };
}

export type WeeklyReport = Omit<ReportBasis, 'from' | 'to'> & { week: string; days: string[]; rows: WeeklyRow[]; totals: Omit<WeeklyRow, 'key'> };

/** `GET /reports/weekly`: `week` must start a week of the workspace (its `week_start`). */
export async function weeklyReport(actorUserId: number, query: Omit<ReportQuery, 'from' | 'to'> & { week: string; groupBy: 'user' | 'project' }, deps: ReportDeps): Promise<WeeklyReport> {
  if (!isCalendarDate(query.week)) throw new ValidationError({ week: ['The week field must be a valid date.'] });
  const basis = await loadReportBasis(actorUserId, { ...query, from: query.week, to: lastDayOfWeek(query.week) }, deps);
  const days = checkedWeek(query.week, basis.weekStart);
  return { ...basis, week: query.week, days, ...weeklyRows(basis.entries, days, query.groupBy) };
}

/** `GET /reports/tracked-hours`: days with time, per member, per project and contract. */
export async function trackedHoursReport(actorUserId: number, query: ReportQuery, deps: ReportDeps): Promise<ReportBasis & { days: TrackedHoursDay[] }> {
  const basis = await loadReportBasis(actorUserId, query, deps);
  return { ...basis, days: trackedHours(basis.entries) };
}
