import { randomUUID } from 'node:crypto';
import * as validators from '../../shared/contracts/generated/validators/createTimeEntry.js';
import { routes } from '../../shared/contracts/routes.ts';
import { entityTag, timeEntryView } from '../../shared/contracts/views.ts';
import { handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { assertManagesWorkspaceNow } from '../../shared/tracking/member-access.ts';
import { createTimeEntry } from '../../shared/tracking/time-entries.ts';

/** POST /time-entries */
export const handler = createHttpHandler(routes.createTimeEntry, {
  adapters: handlerAdapters,
  validators,
  assertMayReplay: (body, principal, repository) => assertManagesWorkspaceNow(principal.userId, body.workspace_id, repository),
  run: async (body, { principal, now, repository }) => {
    const entry = await createTimeEntry(
      principal.userId,
      {
        workspaceId: body.workspace_id,
        userId: body.user_id,
        startTime: body.start_time,
        endTime: body.end_time,
        contractId: body.contract_id ?? null,
        taskId: body.task_id ?? null,
        activityDescription: body.activity_description ?? null,
      },
      { repository, now, newId: randomUUID },
    );
    return {
      data: timeEntryView(entry),
      headers: { etag: entityTag(entry), location: `/time-entries/${encodeURIComponent(entry.entryId)}?workspace_id=${entry.workspaceId}` },
    };
  },
});
