import { toApiTimestamp } from './api-time.ts';
import { dateIn } from './time-zones.ts';
import type { TrackingRepository } from './ports.ts';
import { entryOfStoppedTracker, lockedIfSo } from './stop-time-tracking.ts';

/** Names the tracker a schedule was made for: a later tracker of the same user is another one. */
export type AutoStopCommand = { workspaceId: number; userId: number; trackerId: string };

/** The schedule fired before the tracker's limit: failing makes it be tried again (never seen from EventBridge Scheduler, which is never early). */
export class AutoStopNotDueError extends Error {
  override name = 'AutoStopNotDueError';
  constructor(autoStopAt: string) {
    super(`the tracker stops itself at ${autoStopAt}, not yet`);
  }
}

/**
 * Stops a tracker at its limit, as a stop would, with its entry ending at exactly its
 * `autoStopAt` (whenever this runs), `max_duration`, stopped by nobody. Idempotent: a
 * tracker already stopped, or stopped and followed by another one, is 'not_running' and
 * nothing is written; a stop racing this one leaves one entry (the stop's transaction
 * deletes exactly this tracker). Two DynamoDB round trips.
 */
export async function autoStopTracker(command: AutoStopCommand, deps: { repository: TrackingRepository; now: Date }): Promise<'stopped' | 'not_running'> {
  // The settings (the zone of the entry's day) in the same batch: no round trip more.
  const { tracker, settings } = await deps.repository.loadContext({
    workspaceId: command.workspaceId,
    actorUserId: command.userId,
    targetUserId: command.userId,
    withTracker: true,
    withSettings: true,
  });
  if (!tracker || tracker.trackerId !== command.trackerId || tracker.workspaceId !== command.workspaceId || tracker.autoStopAt === null) return 'not_running';
  if (toApiTimestamp(deps.now) < tracker.autoStopAt) throw new AutoStopNotDueError(tracker.autoStopAt);
  const { entry, version } = lockedIfSo(entryOfStoppedTracker(tracker, deps.now, null), settings, deps.now);
  // Every run for this tracker is one operation: a retried run recognizes the stop an earlier one applied.
  return (await deps.repository.stopTracker(tracker, entry, version, `auto_stop_${tracker.trackerId}`, dateIn(Date.parse(entry.startTime), settings.timeZone))) === 'stopped'
    ? 'stopped'
    : 'not_running';
}
