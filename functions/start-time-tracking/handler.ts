import { randomUUID } from 'node:crypto';
import { idempotencyStore, trackingRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { routes } from '../../shared/http/routes.ts';
import { startTimeTrackingBody } from '../../shared/schemas/generated/validators.js';
import { startTimeTrackingBodySchema } from '../../shared/schemas/request-schemas.ts';
import { systemClock } from '../../shared/tracking/api-time.ts';
import { startTimeTracking } from '../../shared/tracking/start-time-tracking.ts';
import { trackerView } from '../../shared/tracking/tracker-view.ts';

type StartBody = {
  workspace_id: number;
  user_id: number;
  contract_id?: number | null;
  task_id?: number | null;
  activity_description?: string | null;
};

const MESSAGE = 'Time tracking started successfully';

/** POST /time-tracking/start */
export const handler = createHttpHandler<StartBody>({
  route: routes.startTimeTracking,
  idempotencyStore,
  input: { source: 'body', validate: startTimeTrackingBody, schema: startTimeTrackingBodySchema },
  run: async (body, { principal, requestId }) => {
    const tracker = await startTimeTracking(
      principal.userId,
      {
        workspaceId: body.workspace_id,
        userId: body.user_id,
        contractId: body.contract_id ?? null,
        taskId: body.task_id ?? null,
        activityDescription: body.activity_description ?? null,
      },
      { repository: trackingRepository, clock: systemClock, newId: randomUUID, requestId },
    );
    return { message: MESSAGE, data: { message: MESSAGE, ...trackerView(tracker) } };
  },
});
