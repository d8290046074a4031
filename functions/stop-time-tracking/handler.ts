import { idempotencyStore, trackingRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { routes } from '../../shared/http/routes.ts';
import { stopTimeTrackingBody } from '../../shared/schemas/generated/validators.js';
import { stopTimeTrackingBodySchema } from '../../shared/schemas/request-schemas.ts';
import { systemClock } from '../../shared/tracking/api-time.ts';
import { stopTimeTracking } from '../../shared/tracking/stop-time-tracking.ts';
import { timeEntryView } from '../../shared/tracking/tracker-view.ts';

const MESSAGE = 'Time tracking stopped successfully';

/** POST /time-tracking/stop */
export const handler = createHttpHandler<{ workspace_id: number; user_id: number }>({
  route: routes.stopTimeTracking,
  idempotencyStore,
  input: { source: 'body', validate: stopTimeTrackingBody, schema: stopTimeTrackingBodySchema },
  run: async (body, { principal }) => {
    const entry = await stopTimeTracking(
      principal.userId,
      { workspaceId: body.workspace_id, userId: body.user_id },
      { repository: trackingRepository, clock: systemClock },
    );
    const { id, end_time, ...rest } = timeEntryView(entry);
    return { message: MESSAGE, data: { message: MESSAGE, stopped_at: end_time, time_entry_id: id, ...rest } };
  },
});
