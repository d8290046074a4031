import { secondsBetween } from './api-time.ts';
import { assertManagesWorkspaceNow } from './member-access.ts';
import type { ActiveTracker } from './model.ts';
import { paginate, type Pagination } from './pagination.ts';
import type { TrackingRepository } from './ports.ts';

export type RunningTracker = { tracker: ActiveTracker; totalSeconds: number };

/**
 * Who is clocked in: every tracker running in the workspace, longest running first, one page
 * of them. Check 5, and one Query of the trackers' marks in the workspace, read alongside
 * (shown only once the check passed). A tracker keeps being shown whatever its member's
 * status is now, as stop and current-data find it.
 */
export async function listActiveTrackers(
  actorUserId: number,
  query: { workspaceId: number; page: number; perPage: number },
  deps: { repository: TrackingRepository; now: Date },
): Promise<{ trackers: RunningTracker[]; pagination: Pagination }> {
  const [, trackers] = await Promise.all([assertManagesWorkspaceNow(actorUserId, query.workspaceId, deps.repository), deps.repository.listActiveTrackers(query.workspaceId)]);
  const { items, pagination } = paginate(trackers, query.page, query.perPage);
  return { trackers: items.map((tracker) => ({ tracker, totalSeconds: secondsBetween(new Date(tracker.startTime), deps.now) })), pagination };
}
