import { DependencyUnavailableError, ForbiddenError, InvalidTransitionError, NotFoundError, PreconditionFailedError, TrackerRunningError, ValidationError } from '../errors.ts';
import type { PortAccess } from '../ports/port-access.ts';
import { isManager } from './access-rules.ts';
import { toApiTimestamp } from './api-time.ts';
import type { ActiveTracker, Membership, ReportEntry, TimeEntry, WorkspaceSettings } from './model.ts';
import { DateCache, figuresOf, priceEntry, type PricedContract } from './reports.ts';
import {
  monthsOf,
  periodKeyOf,
  periodOf,
  periodsOverlapping,
  recordOf,
  TIMESHEET_STATUSES,
  type ApprovedTotals,
  type Period,
  type TimesheetMonth,
  type TimesheetRecord,
  type TimesheetStatus,
} from './timesheet-periods.ts';

import { contentionPause, WRITE_ATTEMPTS } from './timeline.ts';
import { dateIn, datesFrom, dayCount, isCalendarDate, nextDate, startOfDayIn } from './time-zones.ts';

export { monthsOf, periodKeyOf, periodOf, recordOf, TIMESHEET_STATUSES, type ApprovedTotals, type Period, type TimesheetMonth, type TimesheetRecord, type TimesheetStatus };

/**
 * Timesheets (docs/timesheets.md): one per member and period (a week from the workspace's
 * `week_start`, or a calendar month), open until submitted; submitted and approved ones lock
 * their days against every entry write (409 `timesheet_locked`), in the write's own
 * transaction. What an approval approves is exactly what it read: the period's days were
 * locked since the submission, and the approval commits only if the record is still the one
 * it read.
 */
export type Transition = 'submit' | 'unsubmit' | 'approve' | 'reject' | 'reopen';

/** Each transition: from which statuses, to which, and what it does to the period's days' locks. */
const TRANSITIONS: Record<Transition, { from: readonly TimesheetStatus[]; to: TimesheetStatus; lock: 1 | 0 | -1 }> = {
  submit: { from: ['open', 'rejected'], to: 'submitted', lock: 1 },
  unsubmit: { from: ['submitted'], to: 'open', lock: -1 },
  approve: { from: ['submitted'], to: 'approved', lock: 0 },
  reject: { from: ['submitted'], to: 'rejected', lock: -1 },
  reopen: { from: ['approved'], to: 'open', lock: -1 },
};

// ——— Periods and ids ———

/** A timesheet's id names its member and period: `<user_id>_<first day>_<last day>`. */
export const timesheetIdOf = (userId: number, period: Period) => `${userId}_${period.start}_${period.end}`;

/** The member and period of an id: a week or a calendar month, else unknown (404). */
export function parseTimesheetId(id: string): { userId: number; period: Period } | undefined {
  const match = /^([1-9]\d{0,15})_(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})$/.exec(id);
  if (!match || !isCalendarDate(match[2]!) || !isCalendarDate(match[3]!)) return undefined;
  const period = { start: match[2]!, end: match[3]! };
  const days = dayCount(period.start, period.end);
  const isWeek = days === 7;
  const isMonth = periodOf(period.start, 'month', 'monday').start === period.start && periodOf(period.start, 'month', 'monday').end === period.end;
  return isWeek || isMonth ? { userId: Number(match[1]), period } : undefined;
}

/** The timesheet's version (its ETag): its status changes plus every entry write to its days, so that any change of either changes it. */
export function versionOf(months: readonly TimesheetMonth[], period: Period): number {
  const writes = datesFrom(period.start, period.end).reduce((sum, day) => sum + (months.find((month) => month.month === day.slice(0, 7))?.dayWrites[day] ?? 0), 0);
  return recordOf(months, period).revision + writes;
}

/** The instants (epoch ms) a period covers in the workspace's zone: [start, end). */
export const periodBounds = (period: Period, timeZone: string) => ({ start: startOfDayIn(period.start, timeZone), end: startOfDayIn(nextDate(period.end), timeZone) });

/** A period's figures from its entries, as the reports count them (rounded per entry, priced at the rate of its day). */
export function periodFigures(entries: readonly ReportEntry[], period: Period, context: { contracts: readonly PricedContract[]; settings: WorkspaceSettings }): ApprovedTotals {
  const contracts = new Map(context.contracts.map((contract) => [contract.contractId, contract]));
  const dates = new DateCache();
  const bounds = periodBounds(period, context.settings.timeZone);
  const priced = entries
    .filter((entry) => entry.start * 1000 >= bounds.start && entry.start * 1000 < bounds.end)
    .map((entry) => priceEntry(entry, { contracts, rounding: context.settings.rounding, reportZone: context.settings.timeZone, workspaceZone: context.settings.timeZone, dates }));
  const figures = figuresOf(priced);
  const perDay = new Map<string, number>();
  for (const entry of priced) perDay.set(entry.date, (perDay.get(entry.date) ?? 0) + entry.roundedSeconds);
  return {
    totalSeconds: figures.seconds,
    billableSeconds: figures.billableSeconds,
    amounts: figures.amounts,
    days: datesFrom(period.start, period.end).map((date) => ({ date, seconds: perDay.get(date) ?? 0 })),
    entries: figures.entries,
  };
}

// ——— The port ———

export type TimesheetContext = {
  actor: Membership | undefined;
  target: Membership | undefined;
  settings: WorkspaceSettings;
  tracker: ActiveTracker | undefined;
  months: TimesheetMonth[];
};

/** One status change: the record as it becomes, the lock change of its days, conditioned on the record read (`seenRevision`). */
export type TimesheetWrite = {
  workspaceId: number;
  userId: number;
  period: Period;
  record: TimesheetRecord;
  seenRevision: number;
  lock: 1 | 0 | -1;
  /** A submit or an approval: the member's tracker as read (none running that started in the period): the write commits only if it is unchanged. */
  trackerSeen?: { tracker: ActiveTracker | undefined };
  /** The audit of the change, for its webhook event and the change feed: the timesheet as its routes answer it after the change. */
  change: { transition: Transition; at: string; by: number; view: object };
};

export interface TimesheetRepository {
  /** Check 5's memberships, the settings, the member's tracker and timesheet months: one BatchGetItem. */
  load(query: { workspaceId: number; actorUserId: number; userId: number; months: readonly string[] }): Promise<TimesheetContext>;
  /** The member's entries starting in these UTC months (their report months, by key), as the reports read them. */
  memberEntries(workspaceId: number, userId: number, utcMonths: readonly string[]): Promise<ReportEntry[]>;
  /** Every member's entries starting in these UTC months (the report months: one Query per month). */
  workspaceEntries(workspaceId: number, utcMonths: readonly string[]): Promise<ReportEntry[]>;
  /** Every member's timesheet months of the workspace: one Query per month. */
  workspaceMonths(workspaceId: number, months: readonly string[]): Promise<Map<number, TimesheetMonth[]>>;
  /** The workspace's memberships (one Query). */
  members(workspaceId: number): Promise<Membership[]>;
  /** 'conflict' when the record, a month's lock or the tracker changed meanwhile: nothing was written. */
  write(write: TimesheetWrite): Promise<'written' | 'conflict'>;
}

/** Which of its methods read and which write (the rate limit holds writes until it admits the request). */
export const TIMESHEET_REPOSITORY_ACCESS: PortAccess<TimesheetRepository> = {
  load: 'read',
  memberEntries: 'read',
  workspaceEntries: 'read',
  workspaceMonths: 'read',
  members: 'read',
  write: 'write',
};

// ——— Use cases ———

/** A member acting for themselves: active, and one who tracks time. */
const mayActForSelf = (actor: Membership | undefined) => actor?.status === 'active' && actor.role !== 'project_viewer';

export type TimesheetDeps = {
  timesheets: TimesheetRepository;
  contracts: (workspaceId: number) => Promise<PricedContract[]>;
  entries?: (workspaceId: number, userId: number, period: Period, timeZone: string) => Promise<TimeEntry[]>;
  now: Date;
};

/** Who may see or act on a member's timesheet: a manager of the workspace, or the member acting for themselves (route table: `selfService`). Anyone else: 404, revealing nothing. */
function assertMayReach(context: TimesheetContext, forSelf: boolean) {
  if (!((forSelf && mayActForSelf(context.actor)) || isManager(context.actor))) throw new NotFoundError('The selected timesheet was not found in this workspace.');
  if (!context.target || context.target.role === 'project_viewer') throw new NotFoundError('The selected timesheet was not found in this workspace.');
}

export type Timesheet = { id: string; userId: number; period: Period; record: TimesheetRecord; version: number; figures: ApprovedTotals };

/** One timesheet: its record, version and figures (the approved ones, when approved). */
async function loadTimesheet(actorUserId: number, query: { workspaceId: number; id: string; forSelf: boolean }, deps: TimesheetDeps) {
  const parsed = parseTimesheetId(query.id);
  if (!parsed) throw new NotFoundError('The selected timesheet was not found in this workspace.');
  const context = await deps.timesheets.load({ workspaceId: query.workspaceId, actorUserId, userId: parsed.userId, months: monthsOf(parsed.period) });
  assertMayReach(context, query.forSelf);
  return { ...parsed, context };
}

async function figuresNow(workspaceId: number, userId: number, period: Period, settings: WorkspaceSettings, deps: TimesheetDeps): Promise<ApprovedTotals> {
  const bounds = periodBounds(period, settings.timeZone);
  const [contracts, entries] = await Promise.all([deps.contracts(workspaceId), deps.timesheets.memberEntries(workspaceId, userId, utcMonthsBetween(bounds.start, bounds.end))]);
  return periodFigures(entries, period, { contracts, settings });
}

const utcMonthsBetween = (start: number, end: number) => [...new Set([new Date(start).toISOString().slice(0, 7), new Date(end - 1).toISOString().slice(0, 7)])];

export async function getTimesheet(actorUserId: number, query: { workspaceId: number; id: string; forSelf: boolean }, deps: TimesheetDeps): Promise<Timesheet & { entries: TimeEntry[] }> {
  const { userId, period, context } = await loadTimesheet(actorUserId, query, deps);
  const record = recordOf(context.months, period);
  const [figures, entries] = await Promise.all([
    record.approved ? Promise.resolve(record.approved) : figuresNow(query.workspaceId, userId, period, context.settings, deps),
    deps.entries ? deps.entries(query.workspaceId, userId, period, context.settings.timeZone) : Promise.resolve([]),
  ]);
  return { id: query.id, userId, period, record, version: versionOf(context.months, period), figures, entries };
}

/**
 * One transition of a member's timesheet (submit, unsubmit, approve, reject, reopen), from the
 * status it must be in (409 `invalid_transition` naming the current one). An approval may
 * name the version it saw (If-Match; 412 when it changed). Submitting or approving a period
 * in which the member's running tracker started → 409 `tracker_running`. Reopening is for
 * owners; approving and rejecting for owners and executive managers (any of them may approve
 * their own); submitting and unsubmitting also for the member themself.
 */
export async function transitionTimesheet(
  actorUserId: number,
  command: { workspaceId: number; id: string; transition: Transition; reason?: string; ifMatch?: number | '*'; forSelf: boolean },
  deps: TimesheetDeps,
): Promise<Timesheet> {
  const rule = TRANSITIONS[command.transition];
  if ((command.transition === 'reject' || command.transition === 'reopen') && !command.reason?.trim()) throw new ValidationError({ reason: ['The reason field is required.'] });
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    await contentionPause(attempt);
    const { userId, period, context } = await loadTimesheet(
      actorUserId,
      { workspaceId: command.workspaceId, id: command.id, forSelf: command.forSelf && (command.transition === 'submit' || command.transition === 'unsubmit') },
      deps,
    );
    if (command.transition === 'reopen' && context.actor?.role !== 'owner') throw new ForbiddenError('Only the workspace’s owners may reopen an approved timesheet.');
    const record = recordOf(context.months, period);
    const version = versionOf(context.months, period);
    if (command.ifMatch !== undefined && command.ifMatch !== '*' && command.ifMatch !== version) throw new PreconditionFailedError();
    if (!rule.from.includes(record.status)) throw new InvalidTransitionError(record.status);
    if ((command.transition === 'submit' || command.transition === 'approve') && context.tracker && context.tracker.workspaceId === command.workspaceId) {
      const trackerDay = dateIn(Date.parse(context.tracker.startTime), context.settings.timeZone);
      if (trackerDay >= period.start && trackerDay <= period.end) throw new TrackerRunningError();
    }
    const at = toApiTimestamp(deps.now);
    // The days were locked since the submission: the entries read now are those submitted.
    const approved = command.transition === 'approve' ? await figuresNow(command.workspaceId, userId, period, context.settings, deps) : null;
    const next: TimesheetRecord = {
      status: rule.to,
      revision: record.revision + 1,
      submittedAt: command.transition === 'submit' ? at : rule.to === 'open' ? null : record.submittedAt,
      submittedBy: command.transition === 'submit' ? actorUserId : rule.to === 'open' ? null : record.submittedBy,
      decidedAt: command.transition === 'approve' || command.transition === 'reject' || command.transition === 'reopen' ? at : command.transition === 'submit' ? null : record.decidedAt,
      decidedBy: command.transition === 'approve' || command.transition === 'reject' || command.transition === 'reopen' ? actorUserId : command.transition === 'submit' ? null : record.decidedBy,
      reason: command.transition === 'reject' || command.transition === 'reopen' ? command.reason!.trim() : command.transition === 'submit' ? null : record.reason,
      approved,
    };
    const timesheet: Timesheet = {
      id: command.id,
      userId,
      period,
      record: next,
      version: version + 1,
      figures: approved ?? (await figuresNow(command.workspaceId, userId, period, context.settings, deps)),
    };
    const written = await deps.timesheets.write({
      workspaceId: command.workspaceId,
      userId,
      period,
      record: next,
      seenRevision: record.revision,
      lock: rule.lock,
      ...(rule.lock === 1 || command.transition === 'approve' ? { trackerSeen: { tracker: context.tracker } } : {}),
      change: { transition: command.transition, at, by: actorUserId, view: timesheet },
    });
    if (written === 'written') return timesheet;
  }
  throw new DependencyUnavailableError();
}

/**
 * `GET /timesheets`: one row per active member who can track (or the one asked for) and period
 * overlapping the range, open ones included, by member then period; one page of them.
 */
export async function listTimesheets(
  actorUserId: number,
  query: { workspaceId: number; from: string; to: string; userId?: number; status?: TimesheetStatus; page: number; perPage: number; forSelf: boolean },
  deps: TimesheetDeps,
): Promise<{ timesheets: Timesheet[]; total: number }> {
  if (query.from > query.to || dayCount(query.from, query.to) > 366) throw new ValidationError({ to: ['The range must be at most 366 days, from before to.'] });
  const context = await deps.timesheets.load({ workspaceId: query.workspaceId, actorUserId, userId: query.userId ?? actorUserId, months: [] });
  // Check 5, as every list: a manager, or a member listing their own (`user_id` = themself).
  if (!((query.forSelf && mayActForSelf(context.actor)) || isManager(context.actor))) throw new ForbiddenError();
  const periods = periodsOverlapping(query.from, query.to, context.settings.timesheetPeriod, context.settings.weekStart);
  const months = [...new Set(periods.flatMap(monthsOf))];
  const first = periodBounds(periods[0]!, context.settings.timeZone).start;
  const last = periodBounds(periods.at(-1)!, context.settings.timeZone).end;
  const [members, stored, contracts] = await Promise.all([
    query.userId === undefined ? deps.timesheets.members(query.workspaceId) : Promise.resolve(context.target ? [context.target] : []),
    deps.timesheets.workspaceMonths(query.workspaceId, months),
    deps.contracts(query.workspaceId),
  ]);
  const tracking = members.filter((member) => member.status === 'active' && member.role !== 'project_viewer').sort((a, b) => a.userId - b.userId);
  const entriesByUser = new Map<number, ReportEntry[]>();
  const entries =
    query.userId === undefined
      ? await deps.timesheets.workspaceEntries(query.workspaceId, utcMonthsBetween(first, last))
      : await deps.timesheets.memberEntries(query.workspaceId, query.userId, utcMonthsBetween(first, last));
  for (const entry of entries) {
    entriesByUser.set(entry.userId, [...(entriesByUser.get(entry.userId) ?? []), entry]);
  }
  const rows: Timesheet[] = [];
  for (const member of tracking) {
    const memberMonths = stored.get(member.userId) ?? [];
    for (const period of periods) {
      const record = recordOf(memberMonths, period);
      if (query.status && record.status !== query.status) continue;
      const figures = record.approved ?? periodFigures(entriesByUser.get(member.userId) ?? [], period, { contracts, settings: context.settings });
      rows.push({ id: timesheetIdOf(member.userId, period), userId: member.userId, period, record, version: versionOf(memberMonths, period), figures });
    }
  }
  return { timesheets: rows.slice((query.page - 1) * query.perPage, query.page * query.perPage), total: rows.length };
}
