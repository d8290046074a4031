import { routes } from '../contracts/routes.ts';
import { timesheetTag, timesheetView } from '../contracts/views.ts';
import { TIMESHEET_REPOSITORY_ACCESS, transitionTimesheet, type TimesheetDeps, type TimesheetRepository, type Transition } from '../tracking/timesheets.ts';
import { admittedFirst } from './rate-limit.ts';
import { createHttpHandler, type HandlerAdapters, type RouteValidators } from './create-http-handler.ts';
import { preconditionOf } from './precondition.ts';

const transitionRoutes = {
  submit: routes.submitTimesheet,
  unsubmit: routes.unsubmitTimesheet,
  approve: routes.approveTimesheet,
  reject: routes.rejectTimesheet,
  reopen: routes.reopenTimesheet,
} as const;

/** The handler of one timesheet transition's route (the five differ only in their transition); its entry file wires in the container's adapters. */
export function createTimesheetTransitionHandler(
  transition: Transition,
  wiring: { validators: RouteValidators; adapters: HandlerAdapters; timesheetRepository: TimesheetRepository; timesheetDeps: (now: Date, timesheets: TimesheetRepository) => TimesheetDeps },
) {
  // One handler shape for the five: their inputs differ only by the reject and reopen body's reason and the approve's If-Match.
  const route = transitionRoutes[transition] as typeof routes.rejectTimesheet;
  return createHttpHandler(route, {
    adapters: wiring.adapters,
    validators: wiring.validators,
    run: async (input, { principal, now, headers, forSelf, admitted }) => {
      const ifMatch = (headers as { 'if-match'?: string })['if-match'];
      const timesheet = await transitionTimesheet(
        principal.userId,
        { workspaceId: input.workspace_id, id: input.id, transition, ...(input.reason === undefined ? {} : { reason: input.reason }), ...preconditionOf(ifMatch), forSelf },
        // Its writes wait for the rate limit's admission.
        wiring.timesheetDeps(now, admittedFirst(wiring.timesheetRepository, TIMESHEET_REPOSITORY_ACCESS, admitted)),
      );
      return { data: timesheetView(timesheet, input.workspace_id), headers: { etag: timesheetTag(timesheet) } };
    },
  });
}
