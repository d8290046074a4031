import { randomUUID } from 'node:crypto';
import { routes } from '../../shared/contracts/routes.ts';
import { idempotencyStore, trackingRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { trackerView } from '../../shared/http/views.ts';
import { assertManagesWorkspaceNow } from '../../shared/tracking/member-access.ts';
import { startTimeTracking } from '../../shared/tracking/start-time-tracking.ts';

/** POST /time-tracking/start */
export const handler = createHttpHandler(routes.startTimeTracking, {
  idempotency: {
    store: idempotencyStore,
    assertMayReplay: (body, principal) => assertManagesWorkspaceNow(principal.userId, body.workspace_id, trackingRepository),
  },
  run: async (body, { principal, requestId, now }) => {
    const tracker = await startTimeTracking(
      principal.userId,
      {
        workspaceId: body.workspace_id,
        userId: body.user_id,
        contractId: body.contract_id ?? null,
        taskId: body.task_id ?? null,
        activityDescription: body.activity_description ?? null,
      },
      { repository: trackingRepository, now, newId: randomUUID, requestId },
    );
    return { data: trackerView(tracker) };
  },
});
