import * as validators from '../../shared/contracts/generated/validators/timeEntrySummary.js';
import { routes } from '../../shared/contracts/routes.ts';
import { timeEntrySummaryView } from '../../shared/contracts/views.ts';
import { handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { checkedDayRange, summarizeTimeEntries } from '../../shared/tracking/list-time-entries.ts';

/** GET /time-entries/summary */
export const handler = createHttpHandler(routes.timeEntrySummary, {
  adapters: handlerAdapters,
  validators,
  run: async (query, { principal, repository }) => {
    const summary = await summarizeTimeEntries(principal.userId, { workspaceId: query.workspace_id, userId: query.user_id, range: checkedDayRange(query) }, { repository });
    return { data: timeEntrySummaryView(summary) };
  },
});
