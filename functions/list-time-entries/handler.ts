import * as validators from '../../shared/contracts/generated/validators/listTimeEntries.js';
import { routes } from '../../shared/contracts/routes.ts';
import { handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { timeEntryView } from '../../shared/contracts/views.ts';
import { checkedDayRange, listTimeEntries } from '../../shared/tracking/list-time-entries.ts';

/** GET /time-entries */
export const handler = createHttpHandler(routes.listTimeEntries, {
  adapters: handlerAdapters,
  validators,
  run: async (query, { principal, repository }) => {
    const page = await listTimeEntries(
      principal.userId,
      { workspaceId: query.workspace_id, userId: query.user_id, range: checkedDayRange(query), page: query.page ?? 1, perPage: query.per_page ?? 20 },
      { repository },
    );
    return { data: page.entries.map(timeEntryView), meta: { pagination: page.pagination } };
  },
});
