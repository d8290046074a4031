import { assertActiveMember, assertManagesWorkspace } from './access-rules.ts';
import { secondsBetween, type Clock } from './api-time.ts';
import type { ActiveTracker } from './model.ts';
import type { TrackingRepository } from './ports.ts';
import type { MemberCommand } from './stop-time-tracking.ts';

export type CurrentTracker = { tracker: ActiveTracker; totalSeconds: number } | undefined;

/** The member's running tracker in this workspace, if any (one strongly consistent read). */
export async function currentTracker(
  actorUserId: number,
  query: MemberCommand,
  deps: { repository: TrackingRepository; clock: Clock },
): Promise<CurrentTracker> {
  const { actor, target, tracker } = await deps.repository.loadContext({
    workspaceId: query.workspaceId,
    actorUserId,
    targetUserId: query.userId,
    withTracker: true,
  });
  assertManagesWorkspace(actor);
  assertActiveMember(target);
  if (!tracker || tracker.workspaceId !== query.workspaceId) return undefined;
  return { tracker, totalSeconds: secondsBetween(new Date(tracker.startTime), deps.clock.now()) };
}
