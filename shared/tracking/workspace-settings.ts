import { DependencyUnavailableError, ValidationError } from '../errors.ts';
import { assertManagesWorkspace } from './access-rules.ts';
import { toApiTimestamp } from './api-time.ts';
import type { TimesheetPeriod, WeekStart, WorkspaceSettings } from './model.ts';
import type { Rounding } from './rounding.ts';
import type { TrackingRepository } from './ports.ts';
import { assertLockDate } from './locks.ts';
import { contentionPause, WRITE_ATTEMPTS } from './timeline.ts';
import { DEFAULT_TIME_ZONE, isTimeZone } from './time-zones.ts';

/** What a workspace that never changed its settings has: no limit, UTC. */
export const defaultWorkspaceSettings = (workspaceId: number): WorkspaceSettings => ({
  workspaceId,
  maxTrackerDurationMinutes: null,
  timeZone: DEFAULT_TIME_ZONE,
  rounding: null,
  weekStart: 'monday',
  timesheetPeriod: 'week',
  lockBefore: null,
  autoLockAfterDays: null,
  version: 0,
  updatedAt: null,
  updatedBy: null,
});

export type WorkspaceSettingsChange = {
  maxTrackerDurationMinutes?: number | null;
  timeZone?: string;
  rounding?: Rounding | null;
  weekStart?: WeekStart;
  timesheetPeriod?: TimesheetPeriod;
  lockBefore?: string | null;
  autoLockAfterDays?: number | null;
};

/** A workspace's settings, for its owners and executive managers (check 5): one batch read. */
export async function getWorkspaceSettings(actorUserId: number, workspaceId: number, deps: { repository: TrackingRepository }): Promise<WorkspaceSettings> {
  const context = await deps.repository.loadContext({ workspaceId, actorUserId, targetUserId: actorUserId, withSettings: true });
  assertManagesWorkspace(context.actor);
  return context.settings;
}

/**
 * Changes the fields given, keeps the others. A concurrent change of other fields is not
 * lost: the write commits only if the settings are still as read, else it reads again.
 * A new limit binds trackers started from then on; running ones keep the one they started
 * with (their `auto_stop_at` was fixed at their start).
 */
export async function updateWorkspaceSettings(
  actorUserId: number,
  workspaceId: number,
  change: WorkspaceSettingsChange,
  deps: { repository: TrackingRepository; now: Date },
): Promise<WorkspaceSettings> {
  if (change.timeZone !== undefined && !isTimeZone(change.timeZone)) throw new ValidationError({ time_zone: ['The time zone field must be a valid IANA time zone.'] });
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    await contentionPause(attempt);
    const current = await getWorkspaceSettings(actorUserId, workspaceId, deps);
    const next: WorkspaceSettings = {
      ...current,
      ...(change.maxTrackerDurationMinutes !== undefined ? { maxTrackerDurationMinutes: change.maxTrackerDurationMinutes } : {}),
      ...(change.timeZone !== undefined ? { timeZone: change.timeZone } : {}),
      ...(change.rounding !== undefined ? { rounding: change.rounding } : {}),
      ...(change.weekStart !== undefined ? { weekStart: change.weekStart } : {}),
      ...(change.timesheetPeriod !== undefined ? { timesheetPeriod: change.timesheetPeriod } : {}),
      ...(change.lockBefore !== undefined ? { lockBefore: change.lockBefore } : {}),
      ...(change.autoLockAfterDays !== undefined ? { autoLockAfterDays: change.autoLockAfterDays } : {}),
    };
    if (change.lockBefore !== undefined) assertLockDate(next.lockBefore, next.timeZone, deps.now);
    const unchanged =
      next.maxTrackerDurationMinutes === current.maxTrackerDurationMinutes &&
      next.timeZone === current.timeZone &&
      next.weekStart === current.weekStart &&
      next.timesheetPeriod === current.timesheetPeriod &&
      next.lockBefore === current.lockBefore &&
      next.autoLockAfterDays === current.autoLockAfterDays &&
      JSON.stringify(next.rounding) === JSON.stringify(current.rounding);
    if (unchanged) return current;
    const written = await deps.repository.writeWorkspaceSettings({ ...next, version: current.version + 1, updatedAt: toApiTimestamp(deps.now), updatedBy: actorUserId }, current.version);
    if (written === 'written') return { ...next, version: current.version + 1, updatedAt: toApiTimestamp(deps.now), updatedBy: actorUserId };
  }
  throw new DependencyUnavailableError();
}
