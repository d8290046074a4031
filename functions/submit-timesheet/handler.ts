import * as validators from '../../shared/contracts/generated/validators/submitTimesheet.js';
import { handlerAdapters, timesheetDeps, timesheetRepository } from '../../shared/db/default-repositories.ts';
import { createTimesheetTransitionHandler } from '../../shared/http/timesheet-transition.ts';

/** POST /timesheets/{id}/submit */
export const handler = createTimesheetTransitionHandler('submit', { validators, adapters: handlerAdapters, timesheetRepository, timesheetDeps });
