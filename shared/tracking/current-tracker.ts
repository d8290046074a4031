import { secondsBetween } from './api-time.ts';
import { loadTrackerInManagedWorkspace, type MemberQuery } from './member-access.ts';
import type { ActiveTracker } from './model.ts';
import type { TrackingRepository } from './ports.ts';

export type CurrentTracker = { tracker: ActiveTracker; totalSeconds: number } | undefined;

/** The member's running tracker in this workspace, if any (one strongly consistent read). */
export async function currentTracker(actorUserId: number, query: MemberQuery, deps: { repository: TrackingRepository; now: Date }): Promise<CurrentTracker> {
  const tracker = await loadTrackerInManagedWorkspace(actorUserId, query, deps.repository);
  if (!tracker) return undefined;
  return { tracker, totalSeconds: secondsBetween(new Date(tracker.startTime), deps.now) };
}
