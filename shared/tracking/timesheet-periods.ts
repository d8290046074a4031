import type { TimesheetPeriod, WeekStart } from './model.ts';
import type { Money } from './money.ts';
import { nextDate } from './time-zones.ts';

/**
 * What a timesheet is kept as (docs/timesheets.md): its statuses, its period, its stored
 * record and a member's timesheet month. Shared by the timesheets and the reports (their
 * `approval` filter), which must not import each other.
 */
export const TIMESHEET_STATUSES = ['open', 'submitted', 'approved', 'rejected'] as const;
export type TimesheetStatus = (typeof TIMESHEET_STATUSES)[number];
export type Period = { start: string; end: string };

/** What an approval stores: the period's figures as they were approved. */
export type ApprovedTotals = { totalSeconds: number; billableSeconds: number; amounts: Money[]; days: Array<{ date: string; seconds: number }>; entries: number };

/** A period's stored record (absent: open, never changed). `revision` counts its status changes. */
export type TimesheetRecord = {
  status: TimesheetStatus;
  revision: number;
  submittedAt: string | null;
  submittedBy: number | null;
  decidedAt: string | null;
  decidedBy: number | null;
  reason: string | null;
  approved: ApprovedTotals | null;
};

/** A member's month of timesheet state, as stored: per day, entry writes and locks; the records of the periods touching the month. */
export type TimesheetMonth = { month: string; dayWrites: Record<string, number>; dayLocks: Record<string, number>; records: Record<string, TimesheetRecord> };

/** The period `date` falls in. */
export function periodOf(date: string, kind: TimesheetPeriod, weekStart: WeekStart): Period {
  if (kind === 'month') {
    const start = `${date.slice(0, 7)}-01`;
    const nextMonth = new Date(Date.parse(`${start}T00:00:00Z`));
    nextMonth.setUTCMonth(nextMonth.getUTCMonth() + 1);
    return { start, end: new Date(nextMonth.getTime() - 86_400_000).toISOString().slice(0, 10) };
  }
  const start = weekOf(date, weekStart);
  return { start, end: new Date(Date.parse(`${start}T00:00:00Z`) + 6 * 86_400_000).toISOString().slice(0, 10) };
}

/** Every period overlapping `from`..`to` (inclusive), oldest first. */
export function periodsOverlapping(from: string, to: string, kind: TimesheetPeriod, weekStart: WeekStart): Period[] {
  const periods: Period[] = [];
  for (let period = periodOf(from, kind, weekStart); period.start <= to; period = periodOf(nextDate(period.end), kind, weekStart)) periods.push(period);
  return periods;
}

export const periodKeyOf = (period: Period) => `${period.start}_${period.end}`;

/** The months (YYYY-MM) a period's days fall in: one, or two for a week across a month's end. */
export const monthsOf = (period: Period) => [...new Set([period.start.slice(0, 7), period.end.slice(0, 7)])];

/** The record of a period among the member's months (the same in each month it touches), or open. */
export function recordOf(months: readonly TimesheetMonth[], period: Period): TimesheetRecord {
  for (const month of months) {
    const record = month.records[periodKeyOf(period)];
    if (record) return record;
  }
  return { status: 'open', revision: 0, submittedAt: null, submittedBy: null, decidedAt: null, decidedBy: null, reason: null, approved: null };
}

/** The reports' `approval` filter: an entry's period is approved, pending (submitted) or open (open or rejected). */
export const APPROVAL_FILTERS = ['approved', 'pending', 'open'] as const;
export type ApprovalFilter = (typeof APPROVAL_FILTERS)[number];
export const approvalOf = (status: TimesheetStatus): ApprovalFilter => (status === 'approved' ? 'approved' : status === 'submitted' ? 'pending' : 'open');

/** The first day of the week `date` falls in. */
export function weekOf(date: string, weekStart: WeekStart): string {
  const day = new Date(`${date}T00:00:00Z`);
  const back = (day.getUTCDay() - (weekStart === 'monday' ? 1 : 0) + 7) % 7;
  day.setUTCDate(day.getUTCDate() - back);
  return day.toISOString().slice(0, 10);
}
