import * as validators from '../../shared/contracts/generated/validators/deleteTimeEntry.js';
import { routes } from '../../shared/contracts/routes.ts';
import { handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { preconditionOf } from '../../shared/http/precondition.ts';
import { deleteTimeEntry } from '../../shared/tracking/time-entries.ts';

/** DELETE /time-entries/{id} */
export const handler = createHttpHandler(routes.deleteTimeEntry, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, now, repository, headers }) => {
    await deleteTimeEntry(principal.userId, { workspaceId: input.workspace_id, entryId: input.id, ...preconditionOf(headers['if-match']) }, { repository, now });
    return { data: { id: input.id, deleted: true as const } };
  },
});
