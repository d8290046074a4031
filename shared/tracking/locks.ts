import { PeriodLockedError, ValidationError } from '../errors.ts';
import type { WorkspaceSettings } from './model.ts';
import { dateIn, isCalendarDate } from './time-zones.ts';

/**
 * Lock dates (docs/contract.md "Workspace settings"): days before `lock_before`, and days
 * older than `auto_lock_after_days` (rolling with the clock), in the workspace's zone, are
 * closed: no entry starting on them is created, edited or deleted, by anyone (409
 * `period_locked`). A stop is never refused: its time is recorded, and its answer says
 * `locked: true` (docs/contract.md).
 */
const DAY_MS = 86_400_000;

/** The first day still open (YYYY-MM-DD, in the workspace's zone), or null when nothing is locked. */
export function firstOpenDay(settings: Pick<WorkspaceSettings, 'lockBefore' | 'autoLockAfterDays' | 'timeZone'>, now: Date): string | null {
  const rolling = settings.autoLockAfterDays === null ? null : shiftDate(dateIn(now, settings.timeZone), -settings.autoLockAfterDays);
  const dates = [settings.lockBefore, rolling].filter((date): date is string => date !== null);
  return dates.length === 0 ? null : dates.sort().at(-1)!;
}

/** Whether an entry starting at `startTime` lies in a closed day. */
export function isLocked(startTime: string, settings: Pick<WorkspaceSettings, 'lockBefore' | 'autoLockAfterDays' | 'timeZone'>, now: Date): boolean {
  const open = firstOpenDay(settings, now);
  return open !== null && dateIn(Date.parse(startTime), settings.timeZone) < open;
}

/** 409 `period_locked` when any of these starts (an entry's old and new one) lies in a closed day. */
export function assertOpen(startTimes: ReadonlyArray<string | undefined>, settings: Pick<WorkspaceSettings, 'lockBefore' | 'autoLockAfterDays' | 'timeZone'>, now: Date) {
  const open = firstOpenDay(settings, now);
  if (open === null) return;
  if (startTimes.some((startTime) => startTime !== undefined && dateIn(Date.parse(startTime), settings.timeZone) < open)) throw new PeriodLockedError(open);
}

/** A `lock_before` after today (in the workspace's zone) → 422: the future is not closed in advance. */
export function assertLockDate(lockBefore: string | null, timeZone: string, now: Date) {
  if (lockBefore !== null && !isCalendarDate(lockBefore)) throw new ValidationError({ lock_before: ['The lock before field must be a valid date.'] });
  if (lockBefore !== null && lockBefore > dateIn(now, timeZone)) throw new ValidationError({ lock_before: ['The lock before field must be a date before or equal to today.'] });
}

const shiftDate = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
