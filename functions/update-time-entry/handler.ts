import * as validators from '../../shared/contracts/generated/validators/updateTimeEntry.js';
import { routes } from '../../shared/contracts/routes.ts';
import { entityTag, timeEntryView } from '../../shared/contracts/views.ts';
import { handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { preconditionOf } from '../../shared/http/precondition.ts';
import { updateTimeEntry } from '../../shared/tracking/time-entries.ts';

/** PATCH /time-entries/{id} */
export const handler = createHttpHandler(routes.updateTimeEntry, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, now, repository, headers }) => {
    const entry = await updateTimeEntry(
      principal.userId,
      { workspaceId: input.workspace_id, entryId: input.id, ...preconditionOf(headers['if-match']) },
      {
        startTime: input.start_time,
        endTime: input.end_time,
        contractId: input.contract_id,
        taskId: input.task_id,
        activityDescription: input.activity_description,
      },
      { repository, now },
    );
    return { data: timeEntryView(entry), headers: { etag: entityTag(entry) } };
  },
});
