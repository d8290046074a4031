import * as validators from '../../shared/contracts/generated/validators/stopTimeTracking.js';
import { routes } from '../../shared/contracts/routes.ts';
import { handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { stoppedTrackerView } from '../../shared/contracts/views.ts';
import { assertManagesWorkspaceNow } from '../../shared/tracking/member-access.ts';
import { stopTimeTracking } from '../../shared/tracking/stop-time-tracking.ts';

/** POST /time-tracking/stop */
export const handler = createHttpHandler(routes.stopTimeTracking, {
  adapters: handlerAdapters,
  validators,
  assertMayReplay: (body, principal, repository) => assertManagesWorkspaceNow(principal.userId, body.workspace_id, repository),
  run: async (body, { principal, now, repository, requestId, forSelf }) => {
    const { entry, locked } = await stopTimeTracking(principal.userId, { workspaceId: body.workspace_id, userId: body.user_id }, { repository, now, requestId, forSelf });
    return { data: { ...stoppedTrackerView(entry), locked } };
  },
});
