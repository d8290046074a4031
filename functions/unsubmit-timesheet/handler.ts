import * as validators from '../../shared/contracts/generated/validators/unsubmitTimesheet.js';
import { handlerAdapters, timesheetDeps, timesheetRepository } from '../../shared/db/default-repositories.ts';
import { createTimesheetTransitionHandler } from '../../shared/http/timesheet-transition.ts';

/** POST /timesheets/{id}/unsubmit */
export const handler = createTimesheetTransitionHandler('unsubmit', { validators, adapters: handlerAdapters, timesheetRepository, timesheetDeps });
