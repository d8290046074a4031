import { secondsBetween, type Clock } from './api-time.ts';
import type { ActiveTracker } from './model.ts';
import { loadManagedMember, type MemberQuery } from './member-access.ts';
import type { TrackingRepository } from './ports.ts';

export type CurrentTracker = { tracker: ActiveTracker; totalSeconds: number } | undefined;

/** The member's running tracker in this workspace, if any (one strongly consistent read). */
export async function currentTracker(
  actorUserId: number,
  query: MemberQuery,
  deps: { repository: TrackingRepository; clock: Clock },
): Promise<CurrentTracker> {
  const { tracker } = await loadManagedMember(actorUserId, query, deps.repository, { withTracker: true });
  if (!tracker || tracker.workspaceId !== query.workspaceId) return undefined;
  return { tracker, totalSeconds: secondsBetween(new Date(tracker.startTime), deps.clock.now()) };
}
