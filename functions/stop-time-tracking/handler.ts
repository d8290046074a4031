import { routes } from '../../shared/contracts/routes.ts';
import { idempotencyStore, trackingRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { stoppedTrackerView } from '../../shared/http/views.ts';
import { assertManagesWorkspaceNow } from '../../shared/tracking/member-access.ts';
import { stopTimeTracking } from '../../shared/tracking/stop-time-tracking.ts';

/** POST /time-tracking/stop */
export const handler = createHttpHandler(routes.stopTimeTracking, {
  idempotency: {
    store: idempotencyStore,
    assertMayReplay: (body, principal) => assertManagesWorkspaceNow(principal.userId, body.workspace_id, trackingRepository),
  },
  run: async (body, { principal, now }) => {
    const entry = await stopTimeTracking(principal.userId, { workspaceId: body.workspace_id, userId: body.user_id }, { repository: trackingRepository, now });
    return { data: stoppedTrackerView(entry) };
  },
});
