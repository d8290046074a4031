import * as validators from '../../shared/contracts/generated/validators/rejectTimesheet.js';
import { handlerAdapters, timesheetDeps, timesheetRepository } from '../../shared/db/default-repositories.ts';
import { createTimesheetTransitionHandler } from '../../shared/http/timesheet-transition.ts';

/** POST /timesheets/{id}/reject */
export const handler = createTimesheetTransitionHandler('reject', { validators, adapters: handlerAdapters, timesheetRepository, timesheetDeps });
