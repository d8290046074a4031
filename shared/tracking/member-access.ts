import { ForbiddenError } from '../errors.ts';
import { assertActiveMember, assertManagesWorkspace, canTrackTime, isManager } from './access-rules.ts';
import type { ActiveTracker, TimelineSlot, WorkspaceSettings } from './model.ts';
import type { TrackingRepository, WorkspaceContext } from './ports.ts';

export type MemberQuery = { workspaceId: number; userId: number };

/**
 * Checks 5 and 6 for the entry list and summary: one BatchGetItem (with the member's timeline
 * slots and day counts asked for), then the caller must manage the workspace and the target
 * must be an active member of it.
 */
export async function loadActiveMemberContext(
  actorUserId: number,
  query: MemberQuery,
  repository: TrackingRepository,
  wanted: { slots: readonly string[]; countMonths?: readonly string[] },
): Promise<Pick<WorkspaceContext, 'timeline' | 'dayCounts'>> {
  const context = await repository.loadContext({ workspaceId: query.workspaceId, actorUserId, targetUserId: query.userId, ...wanted });
  assertManagesWorkspace(context.actor);
  assertActiveMember(context.target);
  return context;
}

/**
 * Checks 5 and 6 for stop and current-data, with the tracker read in the same BatchGetItem.
 * A tracker that runs in this workspace stays visible and stoppable by the workspace's
 * managers whatever the member's status is now (inactive, or no longer a member): else it
 * could never be stopped, and the user could never start again anywhere. Without such a
 * tracker, the member must be active (404). A tracker in another workspace is not revealed.
 *
 * `forSelf`: the route lets members act for themselves (its table entry's `selfService`)
 * and the caller names themself. Check 5 then asks no managing role: the caller's own
 * tracker in this workspace is theirs to see and stop whatever their role or status there
 * (nobody is stuck behind a tracker of their own), and without one the caller must be an
 * active member who can track (else the same 403 as anyone's, revealing nothing).
 */
export async function loadTrackerInManagedWorkspace(
  actorUserId: number,
  query: MemberQuery,
  repository: TrackingRepository,
  options: { slots?: readonly string[]; withSettings?: boolean; forSelf?: boolean } = {},
): Promise<{ tracker: ActiveTracker | undefined; timeline: TimelineSlot[]; settings: WorkspaceSettings }> {
  const context = await repository.loadContext({
    workspaceId: query.workspaceId,
    actorUserId,
    targetUserId: query.userId,
    withTracker: true,
    slots: options.slots,
    withSettings: options.withSettings,
  });
  if (options.forSelf && actorUserId === query.userId) {
    const own = context.tracker?.workspaceId === query.workspaceId ? context.tracker : undefined;
    if (!own && !(context.actor?.status === 'active' && canTrackTime(context.actor))) throw new ForbiddenError();
    return { tracker: own, timeline: context.timeline, settings: context.settings };
  }
  assertManagesWorkspace(context.actor);
  const tracker = context.tracker?.workspaceId === query.workspaceId ? context.tracker : undefined;
  if (!tracker) assertActiveMember(context.target);
  return { tracker, timeline: context.timeline, settings: context.settings };
}

/** Check 5 alone: before a stored Idempotency-Key answer is replayed, the caller must still manage the workspace. */
export async function assertManagesWorkspaceNow(actorUserId: number, workspaceId: number, repository: TrackingRepository): Promise<void> {
  if (!(await managesWorkspaceNow(actorUserId, workspaceId, repository))) throw new ForbiddenError();
}

/** Whether a user manages the workspace now (what a webhook's creator must still do for it to be delivered). */
export async function managesWorkspaceNow(userId: number, workspaceId: number, repository: TrackingRepository): Promise<boolean> {
  const context = await repository.loadContext({ workspaceId, actorUserId: userId, targetUserId: userId });
  return isManager(context.actor);
}
