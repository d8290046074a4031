import { assertActiveMember, assertManagesWorkspace } from './access-rules.ts';
import type { Membership } from './model.ts';
import type { TrackingRepository, WorkspaceContext } from './ports.ts';

export type MemberQuery = { workspaceId: number; userId: number };

/**
 * Checks 5 and 6 for the endpoints that act on one member (stop, current-data,
 * time-entries): one BatchGetItem, then the caller must manage the workspace and the
 * target must be an active member of it.
 */
export async function loadManagedMember(
  actorUserId: number,
  query: MemberQuery,
  repository: TrackingRepository,
  options: { withTracker?: boolean } = {},
): Promise<WorkspaceContext & { actor: Membership; target: Membership }> {
  const context = await repository.loadContext({
    workspaceId: query.workspaceId,
    actorUserId,
    targetUserId: query.userId,
    withTracker: options.withTracker,
  });
  assertManagesWorkspace(context.actor);
  assertActiveMember(context.target);
  return { ...context, actor: context.actor, target: context.target };
}
