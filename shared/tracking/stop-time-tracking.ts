import { NoActiveTrackerError } from '../errors.ts';
import { secondsBetween, toApiTimestamp } from './api-time.ts';
import { changesBetween } from './entry-rules.ts';
import { isLocked } from './locks.ts';
import { dateIn } from './time-zones.ts';
import { loadTrackerInManagedWorkspace, type MemberQuery } from './member-access.ts';
import type { ActiveTracker, TimeEntry, TimeEntryVersion, WorkspaceSettings } from './model.ts';
import type { TrackingRepository } from './ports.ts';

/**
 * The entry a tracker becomes when it stops at `now`, with its first history version. A
 * tracker past its limit ended at its `autoStopAt`, whoever records it (the auto-stop, or a
 * stop that came first): the entry is then the same either way, ends exactly there, and is
 * stopped by nobody (`max_duration`). `by` is who records it, null for the service.
 */
export function entryOfStoppedTracker(tracker: ActiveTracker, now: Date, by: number | null): { entry: TimeEntry; version: TimeEntryVersion } {
  const nowTimestamp = toApiTimestamp(now);
  const limited = tracker.autoStopAt !== null && tracker.autoStopAt <= nowTimestamp;
  const endTime = limited ? tracker.autoStopAt! : nowTimestamp;
  const entry: TimeEntry = {
    // The tracker's id: an entry can only ever be recorded once per tracker.
    entryId: tracker.trackerId,
    workspaceId: tracker.workspaceId,
    userId: tracker.userId,
    contractId: tracker.contractId,
    projectId: tracker.projectId,
    taskId: tracker.taskId,
    activityDescription: tracker.activityDescription,
    startTime: tracker.startTime,
    endTime,
    durationSeconds: secondsBetween(new Date(tracker.startTime), new Date(endTime)),
    source: 'tracker',
    stopReason: limited ? 'max_duration' : 'manual',
    stoppedBy: limited ? null : by,
    // The service records no entry of its own: one its limit ended is its tracker's starter's.
    createdBy: by ?? tracker.startedBy,
    createdAt: nowTimestamp,
    updatedBy: by ?? tracker.startedBy,
    updatedAt: nowTimestamp,
    version: 1,
  };
  const version: TimeEntryVersion = {
    entryId: entry.entryId,
    workspaceId: entry.workspaceId,
    userId: entry.userId,
    version: 1,
    action: 'created',
    at: nowTimestamp,
    by,
    changes: changesBetween(undefined, entry),
    entry,
  };
  return { entry, version };
}

/**
 * Clocks a member out: the active tracker *in this workspace* becomes a completed time
 * entry, atomically, with its first history version (by the caller). A tracker in another
 * workspace is not revealed: it is "no tracker". A stop into a locked day is recorded all
 * the same, and says so (`locked`). Two DynamoDB round trips: one batch read,
 * one transaction (docs/request-flow.md).
 */
export async function stopTimeTracking(
  actorUserId: number,
  command: MemberQuery,
  deps: { repository: TrackingRepository; now: Date; requestId: string; forSelf?: boolean },
): Promise<{ entry: TimeEntry; locked: boolean }> {
  const { tracker, settings } = await loadTrackerInManagedWorkspace(actorUserId, command, deps.repository, { forSelf: deps.forSelf, withSettings: true });
  if (!tracker) throw new NoActiveTrackerError();
  // Never refused: tracked time is never lost. Into a locked day, the entry says so (it is read-only from the start).
  const { entry, version } = lockedIfSo(entryOfStoppedTracker(tracker, deps.now, actorUserId), settings, deps.now);
  if ((await deps.repository.stopTracker(tracker, entry, version, deps.requestId, dateIn(Date.parse(entry.startTime), settings.timeZone))) === 'gone') throw new NoActiveTrackerError();
  return { entry, locked: entry.locked === true };
}

/** A stopped tracker's entry marked `locked` when it starts on a day the lock dates close (a stop and an auto-stop alike). */
export function lockedIfSo(stopped: { entry: TimeEntry; version: TimeEntryVersion }, settings: WorkspaceSettings, now: Date): { entry: TimeEntry; version: TimeEntryVersion } {
  if (!isLocked(stopped.entry.startTime, settings, now)) return stopped;
  const entry: TimeEntry = { ...stopped.entry, locked: true };
  return { entry, version: { ...stopped.version, entry } };
}
