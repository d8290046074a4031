import { NoActiveTrackerError } from '../errors.ts';
import { secondsBetween, toApiTimestamp } from './api-time.ts';
import { changesBetween } from './entry-rules.ts';
import { loadTrackerInManagedWorkspace, type MemberQuery } from './member-access.ts';
import type { TimeEntry } from './model.ts';
import type { TrackingRepository } from './ports.ts';

/**
 * Clocks a member out: the active tracker *in this workspace* becomes a completed time
 * entry, atomically, with its first history version (by the caller). A tracker in another
 * workspace is not revealed: it is "no tracker". Two DynamoDB round trips: one batch read,
 * one transaction (docs/request-flow.md).
 */
export async function stopTimeTracking(actorUserId: number, command: MemberQuery, deps: { repository: TrackingRepository; now: Date }): Promise<TimeEntry> {
  const { tracker } = await loadTrackerInManagedWorkspace(actorUserId, command, deps.repository);
  if (!tracker) throw new NoActiveTrackerError();

  const endTime = toApiTimestamp(deps.now);
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
    createdBy: actorUserId,
    createdAt: endTime,
    updatedBy: actorUserId,
    updatedAt: endTime,
    version: 1,
  };
  const version = { entryId: entry.entryId, workspaceId: entry.workspaceId, userId: entry.userId, version: 1, action: 'created' as const, at: endTime, by: actorUserId, changes: changesBetween(undefined, entry), entry };
  if ((await deps.repository.stopTracker(tracker, entry, version)) === 'gone') throw new NoActiveTrackerError();
  return entry;
}
