import * as validators from '../../shared/contracts/generated/validators/getTimesheet.js';
import { routes } from '../../shared/contracts/routes.ts';
import { timeEntryView, timesheetTag, timesheetView } from '../../shared/contracts/views.ts';
import { handlerAdapters, timesheetDeps, timesheetRepository } from '../../shared/db/default-repositories.ts';
import { admittedFirst } from '../../shared/http/rate-limit.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { getTimesheet, TIMESHEET_REPOSITORY_ACCESS } from '../../shared/tracking/timesheets.ts';

/** GET /timesheets/{id} */
export const handler = createHttpHandler(routes.getTimesheet, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, now, forSelf, admitted }) => {
    const timesheet = await getTimesheet(
      principal.userId,
      { workspaceId: input.workspace_id, id: input.id, forSelf },
      timesheetDeps(now, admittedFirst(timesheetRepository, TIMESHEET_REPOSITORY_ACCESS, admitted)),
    );
    return { data: { ...timesheetView(timesheet, input.workspace_id), entries: timesheet.entries.map(timeEntryView) }, headers: { etag: timesheetTag(timesheet) } };
  },
});
