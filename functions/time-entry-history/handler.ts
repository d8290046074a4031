import * as validators from '../../shared/contracts/generated/validators/timeEntryHistory.js';
import { routes } from '../../shared/contracts/routes.ts';
import { timeEntryVersionView } from '../../shared/contracts/views.ts';
import { handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { timeEntryHistory } from '../../shared/tracking/time-entries.ts';

/** GET /time-entries/{id}/history */
export const handler = createHttpHandler(routes.timeEntryHistory, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, repository }) => {
    const perPage = input.per_page ?? 50;
    const history = await timeEntryHistory(
      principal.userId,
      { workspaceId: input.workspace_id, entryId: input.id },
      { repository, page: { ...(input.cursor === undefined ? {} : { cursor: input.cursor }), perPage } },
    );
    return { data: history.versions.map(timeEntryVersionView), meta: { pagination: { per_page: perPage, next_cursor: history.nextCursor, has_more: history.nextCursor !== null } } };
  },
});
