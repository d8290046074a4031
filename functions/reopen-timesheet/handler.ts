import * as validators from '../../shared/contracts/generated/validators/reopenTimesheet.js';
import { handlerAdapters, timesheetDeps, timesheetRepository } from '../../shared/db/default-repositories.ts';
import { createTimesheetTransitionHandler } from '../../shared/http/timesheet-transition.ts';

/** POST /timesheets/{id}/reopen */
export const handler = createTimesheetTransitionHandler('reopen', { validators, adapters: handlerAdapters, timesheetRepository, timesheetDeps });
