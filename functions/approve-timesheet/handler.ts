import * as validators from '../../shared/contracts/generated/validators/approveTimesheet.js';
import { handlerAdapters, timesheetDeps, timesheetRepository } from '../../shared/db/default-repositories.ts';
import { createTimesheetTransitionHandler } from '../../shared/http/timesheet-transition.ts';

/** POST /timesheets/{id}/approve */
export const handler = createTimesheetTransitionHandler('approve', { validators, adapters: handlerAdapters, timesheetRepository, timesheetDeps });
