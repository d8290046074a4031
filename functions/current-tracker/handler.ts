import * as validators from '../../shared/contracts/generated/validators/currentTracker.js';
import { routes } from '../../shared/contracts/routes.ts';
import { handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { currentTrackerView } from '../../shared/contracts/views.ts';
import { currentTracker } from '../../shared/tracking/current-tracker.ts';
import { checkedTimeZone } from '../../shared/tracking/list-time-entries.ts';

/** GET /time-tracking/current-data */
export const handler = createHttpHandler(routes.currentTracker, {
  adapters: handlerAdapters,
  validators,
  run: async (query, { principal, now, repository, forSelf }) => {
    const current = await currentTracker(principal.userId, { workspaceId: query.workspace_id, userId: query.user_id, timeZone: checkedTimeZone(query.tz) }, { repository, now, forSelf });
    return { data: currentTrackerView(current, query) };
  },
});
