import * as validators from '../../shared/contracts/generated/validators/getTimeEntry.js';
import { routes } from '../../shared/contracts/routes.ts';
import { entityTag, timeEntryView } from '../../shared/contracts/views.ts';
import { handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { getTimeEntry } from '../../shared/tracking/time-entries.ts';

/** GET /time-entries/{id} */
export const handler = createHttpHandler(routes.getTimeEntry, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, repository }) => {
    const entry = await getTimeEntry(principal.userId, { workspaceId: input.workspace_id, entryId: input.id }, { repository });
    return { data: timeEntryView(entry), headers: { etag: entityTag(entry) } };
  },
});
