import { randomUUID } from 'node:crypto';
import * as validators from '../../shared/contracts/generated/validators/startTimeTracking.js';
import { routes } from '../../shared/contracts/routes.ts';
import { handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler, type HttpRouteSpec } from '../../shared/http/create-http-handler.ts';
import { trackerView } from '../../shared/contracts/views.ts';
import { assertManagesWorkspaceNow } from '../../shared/tracking/member-access.ts';
import { startTimeTracking } from '../../shared/tracking/start-time-tracking.ts';

/** POST /time-tracking/start (the spec is exported for the benchmark, which varies its adapters). */
export const spec: HttpRouteSpec<'startTimeTracking'> = {
  adapters: handlerAdapters,
  validators,
  assertMayReplay: (body, principal, repository) => assertManagesWorkspaceNow(principal.userId, body.workspace_id, repository),
  run: async (body, { principal, requestId, now, repository }) => {
    const tracker = await startTimeTracking(
      principal.userId,
      {
        workspaceId: body.workspace_id,
        userId: body.user_id,
        contractId: body.contract_id ?? null,
        taskId: body.task_id ?? null,
        activityDescription: body.activity_description ?? null,
      },
      { repository, now, newId: randomUUID, requestId },
    );
    return { data: trackerView(tracker) };
  },
};

export const handler = createHttpHandler(routes.startTimeTracking, spec);
