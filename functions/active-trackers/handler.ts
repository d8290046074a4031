import * as validators from '../../shared/contracts/generated/validators/activeTrackers.js';
import { routes } from '../../shared/contracts/routes.ts';
import { activeTrackerView } from '../../shared/contracts/views.ts';
import { handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { listActiveTrackers } from '../../shared/tracking/active-trackers.ts';

/** GET /time-tracking/active */
export const handler = createHttpHandler(routes.activeTrackers, {
  adapters: handlerAdapters,
  validators,
  run: async (query, { principal, now, repository }) => {
    const page = await listActiveTrackers(principal.userId, { workspaceId: query.workspace_id, page: query.page ?? 1, perPage: query.per_page ?? 20 }, { repository, now });
    return { data: page.trackers.map(activeTrackerView), meta: { pagination: page.pagination } };
  },
});
