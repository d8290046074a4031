import { trackingRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { routes } from '../../shared/http/routes.ts';
import { currentTrackerQuery } from '../../shared/schemas/generated/validators.js';
import { currentTrackerQuerySchema } from '../../shared/schemas/request-schemas.ts';
import { systemClock } from '../../shared/tracking/api-time.ts';
import { currentTracker } from '../../shared/tracking/current-tracker.ts';
import { trackerView } from '../../shared/tracking/tracker-view.ts';

/** GET /time-tracking/current-data */
export const handler = createHttpHandler<{ workspace_id: number; user_id: number }>({
  route: routes.currentTracker,
  input: { source: 'query', validate: currentTrackerQuery, schema: currentTrackerQuerySchema },
  run: async (query, { principal }) => {
    const current = await currentTracker(
      principal.userId,
      { workspaceId: query.workspace_id, userId: query.user_id },
      { repository: trackingRepository, clock: systemClock },
    );
    return {
      data: current
        ? { is_tracking: true, ...trackerView(current.tracker), total_seconds: current.totalSeconds }
        : { is_tracking: false, workspace_id: query.workspace_id, user_id: query.user_id },
    };
  },
});
