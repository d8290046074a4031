import * as validators from '../../shared/contracts/generated/validators/listTimesheets.js';
import { routes } from '../../shared/contracts/routes.ts';
import { timesheetView } from '../../shared/contracts/views.ts';
import { handlerAdapters, timesheetDeps, timesheetRepository } from '../../shared/db/default-repositories.ts';
import { admittedFirst } from '../../shared/http/rate-limit.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { listTimesheets, TIMESHEET_REPOSITORY_ACCESS } from '../../shared/tracking/timesheets.ts';

/** GET /timesheets */
export const handler = createHttpHandler(routes.listTimesheets, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, now, forSelf, admitted }) => {
    const page = input.page ?? 1;
    const perPage = input.per_page ?? 50;
    const { timesheets, total } = await listTimesheets(
      principal.userId,
      {
        workspaceId: input.workspace_id,
        from: input.from,
        to: input.to,
        ...(input.user_id === undefined ? {} : { userId: input.user_id }),
        ...(input.status === undefined ? {} : { status: input.status }),
        page,
        perPage,
        forSelf,
      },
      timesheetDeps(now, admittedFirst(timesheetRepository, TIMESHEET_REPOSITORY_ACCESS, admitted)),
    );
    return {
      data: timesheets.map((timesheet) => timesheetView(timesheet, input.workspace_id)),
      meta: { pagination: { total, per_page: perPage, current_page: page, last_page: Math.max(1, Math.ceil(total / perPage)) } },
    };
  },
});
